/* refract-test-render.h: a widget, as its window shows it, as a texture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        refract_test_wait_painted  (GtkWidget *widget);
/* Waits for a painted frame first (refract_test_wait_painted ()). */
GdkTexture *refract_test_render_widget (GtkWidget *widget);

G_END_DECLS
