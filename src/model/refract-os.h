/* refract-os.h: operating system names from libosinfo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *refract_os_name_for_id (const char *os_id);

G_END_DECLS
