/* test-console-libvirtd.c: the SPICE display widget against real QEMU
 *
 * A private libvirtd (refract-libvirtd-harness) runs a disk-less guest with
 * SPICE and QXL that shows SeaBIOS. The session opens the display through
 * libvirt's graphics FD; the widget's frame must match `virsh screenshot` of
 * the same domain; Esc typed into the widget opens SeaBIOS' boot menu; after
 * force-off and start the session is back by itself.
 *
 * /integration/console-page does the same through the app's own RefractConsole
 * and RefractConsolePage: the page in a window, then detached into its
 * RefractConsoleWindow and back (the same SpiceSession throughout, no
 * reconnect), and a guest reset (the display carries on); screenshots of the
 * page and the detached window go to screenshots/ of the build directory.
 *
 * Tolerance of the pixel comparison: mean absolute difference ≤ 2/255 over
 * all channels, and ≥ 99 % of pixels within 8/255 on every channel. SeaBIOS
 * draws static VGA text, so in practice the two are identical.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "refract-console-page.h"
#include "refract-console-window.h"
#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-console.h"
#include "refract-test-harness.h"
#include "refract-test-render.h"

#define MACHINE_NAME "refract-console-it"
#define PASSWORD_MACHINE_NAME "refract-console-pw-it"
#define PAGE_MACHINE_NAME "refract-console-page-it"
#define PASSWORD "s3cret"

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  /* the harness and virsh run without our environment */
  h->clean_env = TRUE;
  rth_setup (h, HARNESS_DIR);
}

/* ---- the guest ---------------------------------------------------------- */

static RefractMachine *
define_machine_named (RthHarness *h, const char *name)
{
  /* the boot menu waits 60 s for Esc; there is nothing to boot */
  const RthDomain domain = {
    .name = name,
    .memory_mib = 64,
    .os = "<bootmenu enable='yes' timeout='60000'/>",
    .devices = "<graphics type='spice' autoport='yes'/>"
               "<video><model type='qxl'/></video>",
  };

  return rth_define_machine (h, &domain);
}

static RefractMachine *
define_machine (RthHarness *h)
{
  return define_machine_named (h, MACHINE_NAME);
}

/* ---- the tests ---------------------------------------------------------- */

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
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

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
  before = rtc_wait_frame (display);
  rtc_assert_matches_qemu (h, display, MACHINE_NAME);

  rth_step (h, "Esc opens the boot menu");
  g_clear_object (&before);
  before = g_object_ref (refract_spice_display_get_frame (display));
  rt_wait_until (_refract_spice_session_get_inputs (session) != NULL, 10, "the inputs channel");
  rtc_type_escape (display);
  rt_wait_until (rtc_textures_differ (refract_spice_display_get_frame (display), before), 20,
                 "SeaBIOS to show its boot menu");
  rt_spin (500);
  rtc_assert_matches_qemu (h, display, MACHINE_NAME);

  rth_step (h, "force off: the session disconnects");
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_DISCONNECTED,
                 30, "the session to go DISCONNECTED");
  g_assert_null (refract_spice_display_get_frame (display));

  rth_step (h, "start: the session reconnects by itself");
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED, 30,
                 "the session to come back");
  g_assert_true (_refract_spice_session_uses_graphics_fd (session));
  menu = rtc_wait_frame (display);
  rtc_assert_matches_qemu (h, display, MACHINE_NAME);

  rth_step (h, "closing");
  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "done");
}

/* ---- the console page, detached and back -------------------------------- */

/* The guest frame as the widget shows it on screen: its window's rendering,
 * cut to the letterboxed frame and scaled back to the guest's size, compared
 * with QEMU's own screenshot within the same tolerance as the frame itself
 * once scaling has blurred the text (mean ≤ 12/255). Only the mean is asked
 * of the scaled copy: bilinear scaling moves glyph edges. */
static void
assert_shown_matches_qemu (RthHarness *h, RefractSpiceDisplay *display, const char *name)
{
  g_autoptr(GdkTexture) shown = refract_test_render_widget (GTK_WIDGET (display));
  g_autoptr(GdkTexture) qemu = rtc_virsh_screenshot (h, name);
  const RefractDisplayTransform *t = &display->transform;
  int sw = gdk_texture_get_width (shown), sh = gdk_texture_get_height (shown);
  int qw = gdk_texture_get_width (qemu), qh = gdk_texture_get_height (qemu);
  g_autofree guint8 *ps = rtc_download (shown);
  g_autofree guint8 *pq = rtc_download (qemu);
  guint64 sum = 0;
  double mean;

  g_assert_cmpfloat (t->width, >, 0);
  for (int y = 0; y < qh; y++)
    for (int x = 0; x < qw; x++)
      {
        /* the centre of guest pixel (x, y) on the widget */
        int wx = CLAMP ((int) (t->x + (x + 0.5) * t->width / qw), 0, sw - 1);
        int wy = CLAMP ((int) (t->y + (y + 0.5) * t->height / qh), 0, sh - 1);
        const guint8 *a = ps + ((gsize) wy * sw + wx) * 4;
        const guint8 *b = pq + ((gsize) y * qw + x) * 4;

        for (int c = 0; c < 3; c++)
          sum += ABS ((int) a[c] - (int) b[c]);
      }
  mean = (double) sum / ((gsize) qw * qh * 3);
  g_test_message ("shown at %.0fx%.0f: mean diff %.2f/255 against virsh screenshot", t->width,
                  t->height, mean);
  g_assert_cmpfloat (mean, <=, 12.0);
}

static void
test_console_page (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autoptr(RefractConsole) console = NULL;
  g_autoptr(GdkTexture) frame = NULL;
  RefractSpiceSession *session;
  RefractSpiceDisplay *display;
  GtkWindow *window, *detached;
  GtkWidget *page;
  gpointer spice, channel;
  const char *reset[] = { "virsh", "-q", "-c", h->uri, "reset", PAGE_MACHINE_NAME, NULL };
  g_autoptr(GError) error = NULL;

  rth_step (h, "connecting, defining and starting " PAGE_MACHINE_NAME);
  h->connection = rt_open (h->uri);
  machine = define_machine_named (h, PAGE_MACHINE_NAME);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

  rth_step (h, "the console page");
  /* as the machine page does before it shows the console: graphics and
   * serial devices come with the details */
  rt_load_details (machine);
  g_assert_true (refract_machine_get_has_graphics (machine));
  console = refract_console_get_for_machine (machine);
  session = refract_console_get_session (console);
  display = refract_console_get_display (console);
  window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_title (window, "Console page");
  gtk_window_set_default_size (window, 1000, 680);
  page = refract_console_page_new (FALSE);
  refract_console_page_set_console (REFRACT_CONSOLE_PAGE (page), console);
  adw_window_set_content (ADW_WINDOW (window), page);
  /* the page opens the display itself once it is mapped */
  gtk_window_present (window);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED
                 || refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_FAILED,
                 30, "the display to connect");
  g_assert_cmpint (refract_spice_session_get_state (session), ==, REFRACT_SPICE_STATE_CONNECTED);
  frame = rtc_wait_frame (display);
  rt_wait_until (g_strcmp0 (refract_console_page_get_shown (REFRACT_CONSOLE_PAGE (page)), "display") == 0,
                 10, "the page to show the display");
  g_assert_true (gtk_widget_get_root (GTK_WIDGET (display)) == GTK_ROOT (window));
  rtc_wait_drawn (GTK_WIDGET (window));
  assert_shown_matches_qemu (h, display, PAGE_MACHINE_NAME);
  rtc_screenshot (GTK_WIDGET (window), SCREENSHOT_DIR, "console-page.png");
  spice = refract_spice_session_get_spice (session);
  channel = _refract_spice_session_get_display (session);
  g_assert_nonnull (spice);

  rth_step (h, "detach: the same session in its own window");
  refract_console_page_detach (REFRACT_CONSOLE_PAGE (page));
  detached = GTK_WINDOW (g_object_get_data (G_OBJECT (console), "refract-console-window"));
  g_assert_true (REFRACT_IS_CONSOLE_WINDOW (detached));
  g_assert_true (refract_console_get_detached (console));
  rt_wait_until (gtk_widget_get_root (GTK_WIDGET (display)) == GTK_ROOT (detached), 10,
                 "the display to move to its own window");
  g_assert_true (refract_spice_session_get_spice (session) == spice);
  g_assert_true (_refract_spice_session_get_display (session) == channel);
  g_assert_cmpint (refract_spice_session_get_state (session), ==, REFRACT_SPICE_STATE_CONNECTED);
  rtc_wait_drawn (GTK_WIDGET (detached));
  assert_shown_matches_qemu (h, display, PAGE_MACHINE_NAME);
  rtc_screenshot (GTK_WIDGET (detached), SCREENSHOT_DIR, "console-window.png");
  rtc_screenshot (GTK_WIDGET (window), SCREENSHOT_DIR, "console-page-detached.png");

  rth_step (h, "Esc in the detached window opens the boot menu");
  g_clear_object (&frame);
  frame = g_object_ref (refract_spice_display_get_frame (display));
  rtc_type_escape (display);
  rt_wait_until (rtc_textures_differ (refract_spice_display_get_frame (display), frame), 20,
                 "SeaBIOS to show its boot menu");
  rt_spin (300);
  rtc_assert_matches_qemu (h, display, PAGE_MACHINE_NAME);
  rtc_screenshot (GTK_WIDGET (detached), SCREENSHOT_DIR, "console-window-boot-menu.png");

  rth_step (h, "closing the window re-attaches, same session");
  gtk_window_close (detached);
  rt_wait_until (!refract_console_get_detached (console), 10, "the console back on the page");
  rt_wait_until (gtk_widget_get_root (GTK_WIDGET (display)) == GTK_ROOT (window), 10,
                 "the display back in the page's window");
  g_assert_true (refract_spice_session_get_spice (session) == spice);
  g_assert_true (_refract_spice_session_get_display (session) == channel);
  g_assert_cmpint (refract_spice_session_get_state (session), ==, REFRACT_SPICE_STATE_CONNECTED);
  rtc_wait_drawn (GTK_WIDGET (window));
  assert_shown_matches_qemu (h, display, PAGE_MACHINE_NAME);

  rth_step (h, "guest reset: the display carries on with SeaBIOS' first screen");
  g_clear_object (&frame);
  frame = g_object_ref (refract_spice_display_get_frame (display));
  if (!rth_run_clean (reset, NULL, &error))
    g_error ("virsh reset: %s", error->message);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED
                 && refract_spice_display_get_frame (display) != NULL
                 && !rtc_is_blank (refract_spice_display_get_frame (display))
                 && rtc_textures_differ (refract_spice_display_get_frame (display), frame),
                 30, "the screen after the reset");
  rt_spin (500);
  rtc_assert_matches_qemu (h, display, PAGE_MACHINE_NAME);
  rtc_screenshot (GTK_WIDGET (window), SCREENSHOT_DIR, "console-page-after-reset.png");

  rth_step (h, "closing");
  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "done");
}

/* ---- a display with a password ------------------------------------------ */

/* A connected display in a window of its own; the window is returned. */
static GtkWindow *
show_display (RefractSpiceSession *session, RefractSpiceDisplay **display)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  *display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  refract_spice_display_set_session (*display, session);
  gtk_window_set_default_size (window, 800, 500);
  gtk_window_set_child (window, GTK_WIDGET (*display));
  gtk_window_present (window);
  return window;
}

/* The guest's SPICE server asks for a password (ticketing) and also listens
 * on a unix socket. libvirt's graphics FD is opened with
 * VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH, so the session the app uses for a
 * machine gets in without the password; the password flow is what a SPICE
 * address gives (libvirt refused the FD, or no machine): NEEDS_PASSWORD, a
 * wrong password leaves it there with a message, the right one connects. */
static void
test_console_password (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autoptr(RefractSpiceSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) frame = NULL;
  g_autofree char *dir = g_dir_make_tmp ("refract-spw-XXXXXX", &error);
  g_autofree char *socket = NULL, *devices = NULL;
  RefractSpiceDisplay *display;
  GtkWindow *window;

  g_assert_no_error (error);
  socket = g_build_filename (dir, "spice.sock", NULL);
  devices = g_strdup_printf ("<graphics type='spice' passwd='" PASSWORD "'>"
                             "<listen type='socket' socket='%s'/></graphics>"
                             "<video><model type='qxl'/></video>", socket);

  rth_step (h, "connecting, defining and starting " PASSWORD_MACHINE_NAME);
  h->connection = rt_open (h->uri);
  {
    const RthDomain domain = {
      .name = PASSWORD_MACHINE_NAME,
      .memory_mib = 64,
      .os = "<bootmenu enable='yes' timeout='60000'/>",
      .devices = devices,
    };

    machine = rth_define_machine (h, &domain);
  }
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

  rth_step (h, "graphics FD: in without the password (SKIPAUTH)");
  session = refract_spice_session_new (machine);
  window = show_display (session, &display);
  refract_spice_session_connect (session);
  rtc_wait_session_state (session, REFRACT_SPICE_STATE_CONNECTED, "the display to connect");
  g_assert_cmpstr (refract_spice_session_get_error_message (session), ==, NULL);
  g_assert_true (_refract_spice_session_uses_graphics_fd (session));
  frame = rtc_wait_frame (display);
  g_clear_object (&frame);
  /* SPICE has one client at a time: the next one would push this one out */
  refract_spice_session_disconnect (session);
  gtk_window_destroy (window);
  g_clear_object (&session);

  rth_step (h, "unix socket: no password, NEEDS_PASSWORD");
  rt_wait_until (g_file_test (socket, G_FILE_TEST_EXISTS), 10, "QEMU's SPICE socket");
  session = _refract_spice_session_new_for_unix_path (socket);
  window = show_display (session, &display);
  refract_spice_session_connect (session);
  rtc_wait_session_state (session, REFRACT_SPICE_STATE_NEEDS_PASSWORD,
                          "the display to ask for a password");
  /* nothing was refused yet */
  g_assert_cmpstr (refract_spice_session_get_error_message (session), ==, NULL);
  g_assert_false (_refract_spice_session_uses_graphics_fd (session));

  rth_step (h, "a wrong password: NEEDS_PASSWORD again, with a message");
  refract_spice_session_set_password (session, "wrong");
  /* set_password starts an attempt: CONNECTING until the server answers */
  g_assert_cmpint (refract_spice_session_get_state (session), ==, REFRACT_SPICE_STATE_CONNECTING);
  rtc_wait_session_state (session, REFRACT_SPICE_STATE_NEEDS_PASSWORD,
                          "the display to refuse \"wrong\"");
  g_assert_cmpstr (refract_spice_session_get_error_message (session), ==,
                   "The display refused the password");
  g_assert_null (refract_spice_display_get_frame (display));

  rth_step (h, "the right password: CONNECTED, and a frame");
  refract_spice_session_set_password (session, PASSWORD);
  rtc_wait_session_state (session, REFRACT_SPICE_STATE_CONNECTED,
                          "the display to take the password");
  g_assert_cmpstr (refract_spice_session_get_error_message (session), ==, NULL);
  frame = rtc_wait_frame (display);
  rtc_assert_matches_qemu (h, display, PASSWORD_MACHINE_NAME);

  rth_step (h, "closing");
  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  g_unlink (socket);
  g_rmdir (dir);
  g_test_message ("%u log messages so far, none with the password",
                  rtc_log_messages_checked ());
  rth_step (h, "done");
}

int
main (int argc, char *argv[])
{
  /* before anything logs: no message may contain the password, debug ones
   * included */
  rtc_guard_log (PASSWORD, NULL);
  rt_init (&argc, &argv);
  /* no accessibility bus on the private session bus */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  adw_init ();
  g_test_add ("/integration/console", RthHarness, NULL, harness_setup, test_console,
              rth_teardown);
  g_test_add ("/integration/console-page", RthHarness, NULL, harness_setup, test_console_page,
              rth_teardown);
  g_test_add ("/integration/console-password", RthHarness, NULL, harness_setup,
              test_console_password, rth_teardown);
  return g_test_run ();
}
