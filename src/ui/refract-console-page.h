/* refract-console-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-console.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_CONSOLE_PAGE (refract_console_page_get_type ())

G_DECLARE_FINAL_TYPE (RefractConsolePage, refract_console_page, REFRACT, CONSOLE_PAGE, AdwBin)

GtkWidget      *refract_console_page_new          (gboolean            in_window);
RefractConsole *refract_console_page_get_console  (RefractConsolePage *self);
void            refract_console_page_set_console  (RefractConsolePage *self,
                                                   RefractConsole     *console);
const char     *refract_console_page_get_shown    (RefractConsolePage *self);
void            refract_console_page_detach       (RefractConsolePage *self);
void            refract_console_page_set_header_bar (RefractConsolePage *self,
                                                     AdwHeaderBar       *header);

G_END_DECLS
