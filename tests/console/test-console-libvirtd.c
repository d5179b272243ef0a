/* test-console-libvirtd.c: the SPICE display widget against real QEMU
 *
 * A private libvirtd (refract-libvirtd-harness) runs a disk-less guest with
 * SPICE and QXL that shows SeaBIOS. The session opens the display through
 * libvirt's graphics FD; the widget's frame must match `virsh screenshot` of
 * the same domain; Esc typed into the widget opens SeaBIOS' boot menu; after
 * force-off and start the session is back by itself.
 *
 * Tolerance of the pixel comparison: mean absolute difference ≤ 2/255 over
 * all channels, and ≥ 99 % of pixels within 8/255 on every channel. SeaBIOS
 * draws static VGA text, so in practice the two are identical.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-harness.h"

#define MACHINE_NAME "refract-console-it"

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  /* the harness and virsh run without our environment */
  h->clean_env = TRUE;
  rth_setup (h, HARNESS_DIR);
}

/* ---- the guest ---------------------------------------------------------- */

static RefractMachine *
define_machine (RthHarness *h)
{
  /* the boot menu waits 60 s for Esc; there is nothing to boot */
  const RthDomain domain = {
    .name = MACHINE_NAME,
    .memory_mib = 64,
    .os = "<bootmenu enable='yes' timeout='60000'/>",
    .devices = "<graphics type='spice' autoport='yes'/>"
               "<video><model type='qxl'/></video>",
  };

  return rth_define_machine (h, &domain);
}

static void
run (RefractMachine *machine, RefractMachineAction action, RefractMachineState state)
{
  g_autoptr(GError) error = NULL;

  if (!rt_run (machine, action, &error))
    g_error ("action %d: %s", action, error->message);
  rt_wait_state (machine, state, 60);
}

/* ---- pixels ------------------------------------------------------------- */

static guint8 *
download (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  guint8 *pixels = g_malloc ((gsize) width * height * 4);

  gdk_texture_download (texture, pixels, width * 4);
  return pixels;
}

static GdkTexture *
virsh_screenshot (RthHarness *h)
{
  g_autofree char *file = g_build_filename (g_get_tmp_dir (), "refract-console-it.ppm", NULL);
  const char *argv[] = { "virsh", "-q", "-c", h->uri, "screenshot", MACHINE_NAME, file, NULL };
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;

  if (!rth_run_clean (argv, NULL, &error))
    g_error ("virsh screenshot: %s", error->message);
  texture = gdk_texture_new_from_filename (file, &error);
  g_assert_no_error (error);
  g_unlink (file);
  return texture;
}

typedef struct
{
  double mean;          /* mean absolute difference per channel, 0–255 */
  double within;        /* fraction of pixels within 8/255 on every channel */
} Diff;

static gboolean
compare (GdkTexture *a, GdkTexture *b, Diff *diff)
{
  int width = gdk_texture_get_width (a), height = gdk_texture_get_height (a);
  g_autofree guint8 *pa = NULL, *pb = NULL;
  guint64 sum = 0, close = 0;

  if (width != gdk_texture_get_width (b) || height != gdk_texture_get_height (b))
    return FALSE;
  pa = download (a);
  pb = download (b);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      int worst = 0;

      for (int c = 0; c < 3; c++)
        {
          int d = ABS ((int) pa[i * 4 + c] - (int) pb[i * 4 + c]);

          sum += d;
          worst = MAX (worst, d);
        }
      close += worst <= 8;
    }
  diff->mean = (double) sum / ((gsize) width * height * 3);
  diff->within = (double) close / ((gsize) width * height);
  return diff->mean <= 2.0 && diff->within >= 0.99;
}

static gboolean
is_blank (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guint8 *pixels = download (texture);

  for (gsize i = 0; i < (gsize) width * height * 4; i += 4)
    if (pixels[i] > 0x40 || pixels[i + 1] > 0x40 || pixels[i + 2] > 0x40)
      return FALSE;
  return TRUE;
}

/* The widget's frame, once SeaBIOS has written something. */
static GdkTexture *
wait_frame (RefractSpiceDisplay *display)
{
  GdkTexture *frame = NULL;

  rt_wait_until ((frame = refract_spice_display_get_frame (display)) != NULL && !is_blank (frame),
                 30, "SeaBIOS text in the widget");
  return g_object_ref (frame);
}

/* Screens can change between the two captures; a match within 10 s passes. */
static void
assert_matches_qemu (RthHarness *h, RefractSpiceDisplay *display)
{
  gint64 deadline = rt_deadline_in (10);
  Diff diff = { 0 };

  for (;;)
    {
      g_autoptr(GdkTexture) qemu = virsh_screenshot (h);
      g_autoptr(GdkTexture) ours = NULL;

      rt_spin (100);
      ours = g_object_ref (refract_spice_display_get_frame (display));
      if (compare (ours, qemu, &diff))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("the widget's %dx%d frame does not match QEMU's %dx%d screenshot "
                 "(mean diff %.2f, %.1f%% within 8)", gdk_texture_get_width (ours),
                 gdk_texture_get_height (ours), gdk_texture_get_width (qemu),
                 gdk_texture_get_height (qemu), diff.mean, diff.within * 100);
    }
  g_test_message ("frame matches virsh screenshot: mean diff %.3f/255, %.2f%% within 8/255",
                  diff.mean, diff.within * 100);
}

static gboolean
textures_differ (GdkTexture *a, GdkTexture *b)
{
  Diff diff;

  return !compare (a, b, &diff) || diff.mean > 0;
}

static void
type_escape (RefractSpiceDisplay *display)
{
  GtkEventController *keys = _refract_spice_display_get_controller (display,
                                                                    GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  /* X11 keycode 9 = evdev 1 = Escape */
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Escape, 9, 0, &handled);
  g_assert_true (handled);
  rt_spin (50);
  g_signal_emit_by_name (keys, "key-released", GDK_KEY_Escape, 9, 0);
}

/* ---- the test ----------------------------------------------------------- */

static void
test_console (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autoptr(RefractSpiceSession) session = NULL;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) menu = NULL;
  RefractSpiceDisplay *display;
  GtkWindow *window;

  rth_step (h, "connecting, defining and starting " MACHINE_NAME);
  h->connection = rt_open (h->uri);
  machine = define_machine (h);
  run (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

  rth_step (h, "opening the console");
  session = refract_spice_session_new (machine);
  display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  refract_spice_display_set_session (display, session);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 800, 500);
  gtk_window_set_child (window, GTK_WIDGET (display));
  gtk_window_present (window);
  refract_spice_session_connect (session);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED
                 || refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_FAILED,
                 30, "the display to connect");
  g_assert_cmpstr (refract_spice_session_get_error_message (session), ==, NULL);
  g_assert_cmpint (refract_spice_session_get_state (session), ==, REFRACT_SPICE_STATE_CONNECTED);
  /* a local machine: libvirt hands over the sockets, no TCP port is used */
  g_assert_true (_refract_spice_session_uses_graphics_fd (session));

  rth_step (h, "comparing with virsh screenshot");
  before = wait_frame (display);
  assert_matches_qemu (h, display);

  rth_step (h, "Esc opens the boot menu");
  g_clear_object (&before);
  before = g_object_ref (refract_spice_display_get_frame (display));
  rt_wait_until (_refract_spice_session_get_inputs (session) != NULL, 10, "the inputs channel");
  type_escape (display);
  rt_wait_until (textures_differ (refract_spice_display_get_frame (display), before), 20,
                 "SeaBIOS to show its boot menu");
  rt_spin (500);
  assert_matches_qemu (h, display);

  rth_step (h, "force off: the session disconnects");
  run (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_DISCONNECTED,
                 30, "the session to go DISCONNECTED");
  g_assert_null (refract_spice_display_get_frame (display));

  rth_step (h, "start: the session reconnects by itself");
  run (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED, 30,
                 "the session to come back");
  g_assert_true (_refract_spice_session_uses_graphics_fd (session));
  menu = wait_frame (display);
  assert_matches_qemu (h, display);

  rth_step (h, "closing");
  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  run (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "done");
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  /* no accessibility bus on the private session bus */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  gtk_init ();
  g_test_add ("/integration/console", RthHarness, NULL, harness_setup, test_console,
              rth_teardown);
  return g_test_run ();
}
