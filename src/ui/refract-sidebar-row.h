/* refract-sidebar-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define REFRACT_TYPE_SIDEBAR_ROW (refract_sidebar_row_get_type ())

G_DECLARE_FINAL_TYPE (RefractSidebarRow, refract_sidebar_row, REFRACT, SIDEBAR_ROW, GtkWidget)

GtkWidget *refract_sidebar_row_new      (void);
void       refract_sidebar_row_set_item (RefractSidebarRow *self,
                                         GObject           *item);
GObject   *refract_sidebar_row_get_item (RefractSidebarRow *self);

G_END_DECLS
