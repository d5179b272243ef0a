/* test-spice-cursor.c: client mouse mode and the guest's cursor shape
 *
 * An in-process libspice-server (refract-test-spice-server.c) with a QXL
 * device and a tablet, so the server allows client mouse mode. The widget
 * must switch to client mode, show the cursor the server sends through the
 * QXL cursor ring as its GdkCursor (same pixels, same hot spot), send
 * absolute positions in guest pixels, and follow a hide. Its own process:
 * the server is one per process and test-spice-input needs one without a
 * display (server mouse mode).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-spice-server.h"
#include "refract-test-util.h"

#define GUEST_W 640
#define GUEST_H 480
#define CURSOR_W 24
#define CURSOR_H 32
#define HOT_X 3
#define HOT_Y 5

/* Non-premultiplied ARGB32 (what a QXL alpha cursor carries): the top half
 * opaque red, the bottom half half-transparent blue, so a swap of red and
 * blue, a lost alpha or premultiplication all show. */
static guint32
cursor_pixel (int x, int y)
{
  return y < CURSOR_H / 2 ? 0xffff0000u : 0x800000ffu;
}

static void
check_texture (GdkTexture *texture)
{
  g_autofree guint8 *pixels = g_malloc ((gsize) CURSOR_W * CURSOR_H * 4);

  g_assert_cmpint (gdk_texture_get_width (texture), ==, CURSOR_W);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, CURSOR_H);
  /* downloads as cairo ARGB32, premultiplied: B G R A in memory */
  gdk_texture_download (texture, pixels, CURSOR_W * 4);
  for (int y = 0; y < CURSOR_H; y++)
    for (int x = 0; x < CURSOR_W; x++)
      {
        const guint8 *p = pixels + ((gsize) y * CURSOR_W + x) * 4;
        guint32 want = cursor_pixel (x, y);
        int a = want >> 24;
        int r = ((want >> 16) & 0xff) * a / 255, g = ((want >> 8) & 0xff) * a / 255,
            b = (want & 0xff) * a / 255;

        if (ABS (p[0] - b) > 1 || ABS (p[1] - g) > 1 || ABS (p[2] - r) > 1 || ABS (p[3] - a) > 1)
          g_error ("cursor pixel %d,%d: BGRA %02x %02x %02x %02x, want %02x %02x %02x %02x",
                   x, y, p[0], p[1], p[2], p[3], b, g, r, a);
      }
}

/* Moves the pointer to (x, y) and lets the client send it. Repeated until the
 * server has it: under load the inputs channel and the display's transform
 * may still be settling when the first motion comes, as when a person's
 * first move lands before the guest's first frame. */
static gboolean
moved_to (GtkEventController *motion, GArray *tablet, int x, int y)
{
  const RtsTabletEvent *last;

  g_signal_emit_by_name (motion, "motion", (double) x, (double) y);
  rt_spin (50);
  if (tablet->len == 0)
    return FALSE;
  last = &g_array_index (tablet, RtsTabletEvent, tablet->len - 1);
  return last->x == x && last->y == y;
}

static void
test_cursor (void)
{
  g_autoptr(RtsServer) server = rts_server_new ();
  g_autoptr(RefractSpiceSession) session = NULL;
  RefractSpiceDisplay *display;
  GtkWindow *window;
  GtkEventController *motion;
  GArray *tablet;
  RtsTabletEvent *last;
  guint32 argb[CURSOR_W * CURSOR_H];
  GdkCursor *cursor;

  rts_server_enable_tablet (server);
  rts_server_add_display (server, GUEST_W, GUEST_H, "off");
  session = _refract_spice_session_new_for_unix_path (rts_server_get_path (server));
  display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  refract_spice_display_set_session (display, session);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, GUEST_W, GUEST_H);
  gtk_window_set_child (window, GTK_WIDGET (display));
  gtk_window_present (window);
  refract_spice_session_connect (session);

  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED, 10,
                 "the display to connect");
  rt_wait_until (display->mouse_mode == SPICE_MOUSE_MODE_CLIENT, 10, "client mouse mode");
  rt_wait_until (gtk_widget_get_width (GTK_WIDGET (display)) == GUEST_W, 10, "the allocation");

  /* the server's cursor becomes the widget's GdkCursor */
  for (int y = 0; y < CURSOR_H; y++)
    for (int x = 0; x < CURSOR_W; x++)
      argb[y * CURSOR_W + x] = cursor_pixel (x, y);
  rts_server_set_cursor (server, CURSOR_W, CURSOR_H, HOT_X, HOT_Y, argb);
  rt_wait_until (display->cursor_shape != NULL, 10, "the cursor shape");
  cursor = gtk_widget_get_cursor (GTK_WIDGET (display));
  g_assert_true (cursor == display->cursor_shape);
  g_assert_nonnull (gdk_cursor_get_texture (cursor));
  g_assert_cmpint (gdk_cursor_get_hotspot_x (cursor), ==, HOT_X);
  g_assert_cmpint (gdk_cursor_get_hotspot_y (cursor), ==, HOT_Y);
  check_texture (gdk_cursor_get_texture (cursor));
  /* client mode never grabs the pointer */
  _refract_spice_display_button (display, GDK_BUTTON_PRIMARY, TRUE);
  _refract_spice_display_button (display, GDK_BUTTON_PRIMARY, FALSE);
  g_assert_false (display->pointer_grabbed);

  /* absolute positions in guest pixels, the last pixel reachable */
  tablet = rts_server_get_tablet (server);
  g_array_set_size (tablet, 0);
  motion = _refract_spice_display_get_controller (display, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  rt_wait_until (moved_to (motion, tablet, 100, 50), 10, "a tablet position");
  last = &g_array_index (tablet, RtsTabletEvent, tablet->len - 1);
  g_assert_cmpint (last->y, ==, 50);
  rt_wait_until (moved_to (motion, tablet, GUEST_W - 1, GUEST_H - 1), 10, "the last pixel");

  /* a new shape replaces the old one */
  for (guint i = 0; i < G_N_ELEMENTS (argb); i++)
    argb[i] = 0xff00ff00u;
  rts_server_set_cursor (server, CURSOR_W, CURSOR_H, 0, 0, argb);
  rt_wait_until (gtk_widget_get_cursor (GTK_WIDGET (display)) != cursor
                 && gtk_widget_get_cursor (GTK_WIDGET (display)) != NULL
                 && gdk_cursor_get_hotspot_x (gtk_widget_get_cursor (GTK_WIDGET (display))) == 0,
                 10, "the second cursor shape");

  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  rt_spin (100);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  rt_init (&argc, &argv);
  gtk_init ();
  g_test_add_func ("/spice-cursor/client-mode", test_cursor);
  return g_test_run ();
}
