/* test-serial-console.c: RefractSerialConsole against a private libvirtd + QEMU
 *
 * A disk-less guest whose SeaBIOS writes to the serial port: the widget
 * connects, shows SeaBIOS' text, takes typed keys to the guest (Esc opens
 * the boot menu), lets go when the guest is switched off and connects again
 * by itself when it starts. A guest without a serial device fails with a
 * message a person can act on. Runs under Xvfb (run-headless.sh) and saves
 * screenshots into screenshots/ of the build directory.
 *
 * If the harness cannot start, the test fails: a skipped integration test
 * hides a broken CI host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gtk/gtk.h>
#include <vte/vte.h>

#include "refract-serial-console.h"
#include "refract-test-console.h"
#include "refract-test-harness.h"

#define SERIAL_NAME    "refract-serial"
#define NO_SERIAL_NAME "refract-no-serial"
/* seconds; generous for ASan and TCG */
#define CONNECT_SECS   20
#define TEXT_SECS      30

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  rth_setup (h, HARNESS_DIR);
}

/* ---- helpers ---------------------------------------------------------------- */

static RefractMachine *
define_machine (RthHarness *h, const char *name, gboolean serial)
{
  /* the boot menu waits long enough for the test to press Esc */
  const RthDomain domain = {
    .name = name,
    .memory_mib = 128,
    .os = serial ? "<bootmenu enable='yes' timeout='10000'/><bios useserial='yes'/>"
                 : "<bootmenu enable='yes' timeout='10000'/>",
    .devices = serial ? "<serial type='pty'/><console type='pty'/>" : NULL,
  };

  return rth_define_machine (h, &domain);
}

static double
seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1e6;
}

static void
run_expecting (RefractMachine       *machine,
               RefractMachineAction  action,
               RefractMachineState   state)
{
  g_autoptr(GError) error = NULL;

  if (!rt_run (machine, action, &error))
    g_error ("action %d on %s failed: %s", action, refract_machine_get_name (machine),
             error->message);
  rt_wait_state (machine, state, 60);
}

static gboolean
console_shows (RefractSerialConsole *console, const char *needle)
{
  g_autofree char *text = refract_serial_console_dup_text (console);

  return text != NULL && strstr (text, needle) != NULL;
}

static gboolean
console_shows_seabios (RefractSerialConsole *console)
{
  return console_shows (console, "SeaBIOS") || console_shows (console, "Booting from");
}

static void
dump_text (RefractSerialConsole *console)
{
  g_autofree char *text = refract_serial_console_dup_text (console);

  g_test_message ("console text:\n%s", text);
}

static void
wait_console_state (RefractSerialConsole *console,
                    RefractSerialState    state,
                    double                seconds,
                    const char           *what)
{
  rt_wait_until (refract_serial_console_get_state (console) == state
                 || refract_serial_console_get_state (console) == REFRACT_SERIAL_STATE_FAILED,
                 seconds, what);
  if (refract_serial_console_get_state (console) != state)
    g_error ("%s: the console failed instead: %s", what,
             refract_serial_console_get_error_message (console));
}

/* Waits for SeaBIOS' text; prints the screen when it does not come. */
static void
wait_seabios (RefractSerialConsole *console)
{
  gint64 deadline = rt_deadline_in (TEXT_SECS);

  while (!console_shows_seabios (console))
    if (!rt_iterate_before (deadline))
      {
        dump_text (console);
        rt_timed_out (__FILE__, __LINE__, G_STRFUNC, TEXT_SECS,
                      "SeaBIOS text on the serial console", "console_shows_seabios (console)");
      }
}

static VteTerminal *
find_terminal (GtkWidget *console)
{
  for (GtkWidget *child = gtk_widget_get_first_child (console); child;
       child = gtk_widget_get_next_sibling (child))
    if (VTE_IS_TERMINAL (child))
      return VTE_TERMINAL (child);
  g_error ("RefractSerialConsole has no VteTerminal");
}

/* ---- the steps -------------------------------------------------------------- */

/* Esc typed into the terminal reaches SeaBIOS, which shows its boot menu. */
static void
check_typing (RthHarness *h, RefractSerialConsole *console)
{
  VteTerminal *terminal = find_terminal (GTK_WIDGET (console));
  gint64 deadline = rt_deadline_in (TEXT_SECS);

  rt_wait_until (console_shows (console, "Press ESC"), TEXT_SECS, "SeaBIOS' boot menu prompt");
  /* SeaBIOS reads the key only while it waits; press until the menu shows */
  while (!console_shows (console, "Select boot device"))
    {
      vte_terminal_feed_child (terminal, "\033", 1);
      rt_spin (300);
      if (g_get_monotonic_time () > deadline)
        {
          dump_text (console);
          g_error ("Esc typed into the serial console did not open SeaBIOS' boot menu");
        }
    }
  rth_step (h, "Esc opened the boot menu");
}

static void
commit_cb (VteTerminal *terminal, const char *text, guint size, GString *committed)
{
  g_string_append_len (committed, text, size);
}

static void
store_text (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **slot = user_data;
  g_autoptr(GError) error = NULL;

  *slot = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

/* Copy, paste and zoom through the widget's actions. */
static void
check_actions (RefractSerialConsole *console)
{
  VteTerminal *terminal = find_terminal (GTK_WIDGET (console));
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (terminal));
  g_autoptr(GString) committed = g_string_new (NULL);
  g_autofree char *copied = NULL;
  gulong id;

  vte_terminal_select_all (terminal);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (console), "serial.copy", NULL));
  gdk_clipboard_read_text_async (clipboard, NULL, store_text, &copied);
  rt_wait_until (copied != NULL, 10, "the copied text");
  g_assert_true (strstr (copied, "SeaBIOS") != NULL || strstr (copied, "Booting from") != NULL);
  vte_terminal_unselect_all (terminal);

  /* pasted text goes to the guest like typed text */
  id = g_signal_connect (terminal, "commit", G_CALLBACK (commit_cb), committed);
  gdk_clipboard_set_text (clipboard, "refract");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (console), "serial.paste", NULL));
  rt_wait_until (strstr (committed->str, "refract") != NULL, 10, "the pasted text to be sent");
  g_signal_handler_disconnect (terminal, id);

  gtk_widget_activate_action (GTK_WIDGET (console), "serial.zoom-in", NULL);
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), >, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (console), "serial.zoom-reset", NULL);
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), ==, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (console), "serial.zoom-out", NULL);
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), <, 1.0);
  refract_serial_console_zoom (console, 0);
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), ==, 1.0);
}

static void
console_state_cb (RefractSerialConsole *console, GParamSpec *pspec, GArray *states)
{
  RefractSerialState state = refract_serial_console_get_state (console);

  g_array_append_val (states, state);
}

static gboolean
states_have (GArray *states, RefractSerialState state)
{
  for (guint i = 0; i < states->len; i++)
    if (g_array_index (states, RefractSerialState, i) == state)
      return TRUE;
  return FALSE;
}

/* Another client takes the console over (as after a guest reboot, the stream
 * ends while the machine runs): the widget opens it again by itself. */
static void
check_taken_over (RthHarness *h, RefractSerialConsole *console, RefractMachine *machine)
{
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (RefractSerialState));
  virConnectPtr conn = _refract_connection_ref_handle (h->connection);
  virDomainPtr dom = virDomainLookupByName (conn, refract_machine_get_name (machine));
  virStreamPtr other = virStreamNew (conn, 0);
  gulong id = g_signal_connect (console, "notify::state", G_CALLBACK (console_state_cb), states);
  gint64 t = g_get_monotonic_time ();

  g_assert_nonnull (dom);
  if (virDomainOpenConsole (dom, NULL, other, VIR_DOMAIN_CONSOLE_FORCE) < 0)
    g_error ("virDomainOpenConsole: %s", virGetLastErrorMessage ());
  rt_wait_until (states_have (states, REFRACT_SERIAL_STATE_CONNECTING), CONNECT_SECS,
                 "the console to notice that its stream ended");
  wait_console_state (console, REFRACT_SERIAL_STATE_CONNECTED, CONNECT_SECS,
                      "the console to open again");
  g_test_message ("open again %.2f s after another client took the console",
                  seconds_since (t));
  g_assert_false (states_have (states, REFRACT_SERIAL_STATE_FAILED));
  g_assert_false (states_have (states, REFRACT_SERIAL_STATE_DISCONNECTED));

  g_signal_handler_disconnect (console, id);
  virStreamAbort (other);
  virResetLastError ();
  virStreamFree (other);
  virDomainFree (dom);
  virConnectClose (conn);
}

static void
check_no_serial (RthHarness *h, RefractSerialConsole *console, GtkWidget *window)
{
  g_autoptr(RefractMachine) machine = define_machine (h, NO_SERIAL_NAME, FALSE);
  const char *message;

  refract_serial_console_set_machine (console, machine);
  g_assert_cmpint (refract_serial_console_get_state (console), ==,
                   REFRACT_SERIAL_STATE_DISCONNECTED);
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  rt_wait_until (refract_serial_console_get_state (console) == REFRACT_SERIAL_STATE_FAILED,
                 CONNECT_SECS, "the console to fail on a machine without a serial device");
  message = refract_serial_console_get_error_message (console);
  g_test_message ("no serial device: %s", message);
  g_assert_nonnull (strstr (message, "no serial console"));
  /* it stays failed: no retry loop against a missing device */
  rt_spin (1500);
  g_assert_cmpint (refract_serial_console_get_state (console), ==, REFRACT_SERIAL_STATE_FAILED);
  rtc_screenshot (window, SCREENSHOT_DIR, "serial-console-failed.png");

  run_expecting (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rt_wait_until (refract_serial_console_get_state (console) == REFRACT_SERIAL_STATE_DISCONNECTED,
                 CONNECT_SECS, "the console to let go of the stopped machine");
  g_assert_null (refract_serial_console_get_error_message (console));
}

static void
test_serial_console (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  RefractSerialConsole *console;
  GtkWidget *window;
  gint64 t;

  rth_step (h, "connecting");
  h->connection = rt_open (h->uri);
  machine = define_machine (h, SERIAL_NAME, TRUE);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Serial console");
  gtk_window_set_default_size (GTK_WINDOW (window), 820, 480);
  console = REFRACT_SERIAL_CONSOLE (refract_serial_console_new ());
  g_object_ref (console);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (console));
  gtk_window_present (GTK_WINDOW (window));

  refract_serial_console_set_machine (console, machine);
  g_assert_true (refract_serial_console_get_machine (console) == machine);
  g_assert_cmpint (refract_serial_console_get_state (console), ==,
                   REFRACT_SERIAL_STATE_DISCONNECTED);

  rth_step (h, "start: the console connects by itself");
  t = g_get_monotonic_time ();
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  wait_console_state (console, REFRACT_SERIAL_STATE_CONNECTED, CONNECT_SECS,
                      "the console to connect");
  g_test_message ("connected %.2f s after the start request", seconds_since (t));
  wait_seabios (console);
  g_test_message ("SeaBIOS text %.2f s after the start request", seconds_since (t));
  check_typing (h, console);
  gtk_widget_grab_focus (GTK_WIDGET (console));
  rtc_screenshot (window, SCREENSHOT_DIR, "serial-console.png");
  check_actions (console);
  rth_step (h, "another client takes the console over");
  check_taken_over (h, console, machine);

  rth_step (h, "force off: the console lets go");
  run_expecting (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rt_wait_until (refract_serial_console_get_state (console) == REFRACT_SERIAL_STATE_DISCONNECTED,
                 CONNECT_SECS, "the console to be disconnected");
  g_assert_null (refract_serial_console_get_error_message (console));

  rth_step (h, "start again: the console reconnects by itself");
  t = g_get_monotonic_time ();
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  wait_console_state (console, REFRACT_SERIAL_STATE_CONNECTED, CONNECT_SECS,
                      "the console to reconnect");
  g_test_message ("reconnected %.2f s after the start request", seconds_since (t));
  /* the new boot on a clean screen: the previous boot's menu is gone */
  rt_wait_until (console_shows_seabios (console) && !console_shows (console, "Select boot device"),
                 TEXT_SECS, "SeaBIOS text of the new boot");
  g_test_message ("SeaBIOS text again %.2f s after the start request", seconds_since (t));
  run_expecting (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);

  rth_step (h, "a machine without a serial device");
  check_no_serial (h, console, window);

  rth_step (h, "closing");
  refract_serial_console_set_machine (console, NULL);
  g_assert_null (refract_serial_console_get_machine (console));
  gtk_window_destroy (GTK_WINDOW (window));
  /* the stream's abort runs in a thread; give it time before the harness stops */
  rt_unref_and_wait (console);
  rt_spin (200);
  rth_step (h, "done");
}

int
main (int argc, char *argv[])
{
  /* as tests/ui: software rendering, no accessibility bus on Xvfb */
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);
  rt_init (&argc, &argv);
  gtk_init ();

  g_test_add ("/integration/serial-console", RthHarness, NULL,
              harness_setup, test_serial_console, rth_teardown);

  return g_test_run ();
}
