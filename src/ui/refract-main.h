/* refract-main.h: what main() does, shared with the in-process benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef void (*RefractAppHook) (GApplication *app);

/* The renderer Refract runs with on this machine (cairo without a GPU). */
void refract_choose_renderer (void);

int refract_main (int             argc,
                  char          **argv,
                  RefractAppHook  hook);

G_END_DECLS
