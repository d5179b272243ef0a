/* refract-drafts.h: settings edited on a machine's page and not applied yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-model.h"

G_BEGIN_DECLS

/* A page that shows another machine puts its unapplied edits here, under its
 * own @kind ("dsp", "netjack"), and takes them back when it shows that machine
 * again, so switching machines loses nothing. A draft lives as long as its
 * machine: deleting the machine drops it. */
void      refract_drafts_put         (RefractMachine *machine,
                                      const char     *kind,
                                      gpointer        data,
                                      GDestroyNotify  free_func);
/* The draft, now the caller's, or NULL. */
gpointer  refract_drafts_take        (RefractMachine *machine,
                                      const char     *kind);
gboolean  refract_drafts_has         (RefractMachine *machine,
                                      const char     *kind);
/* Every machine with a draft of any kind, oldest first (a new array of new
 * references). */
GPtrArray *refract_drafts_get_machines (void);
void      refract_drafts_clear       (void);

G_END_DECLS
