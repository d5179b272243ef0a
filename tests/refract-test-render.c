/* refract-test-render.c
 *
 * Shared by the UI and console tests for their screenshots. The widget must
 * already have been drawn once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-test-render.h"

static void
frame_painted (GdkFrameClock *clock, guint *painted)
{
  (*painted)++;
}

/* Waits until @widget's window has painted two frames since now (the first
 * may have been under way already), failing after 20 s: a window that is
 * mapped but not yet drawn, as under ASan on a busy machine, has no render
 * node to take. */
void
refract_test_wait_painted (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  GdkFrameClock *clock;
  guint painted = 0;
  gulong id;

  while (!gtk_widget_get_mapped (widget) || gtk_widget_get_frame_clock (widget) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s was not mapped within 20 s", G_OBJECT_TYPE_NAME (widget));
      g_main_context_iteration (NULL, FALSE);
    }
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_painted), &painted);
  for (guint i = 1; i <= 2; i++)
    {
      gtk_widget_queue_draw (GTK_WIDGET (gtk_widget_get_native (widget)));
      while (painted < i)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("%s was not painted within 20 s", G_OBJECT_TYPE_NAME (widget));
          g_main_context_iteration (NULL, FALSE);
        }
    }
  g_signal_handler_disconnect (clock, id);
}

GdkTexture *
refract_test_render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GdkTexture *texture;

  refract_test_wait_painted (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
  return texture;
}
