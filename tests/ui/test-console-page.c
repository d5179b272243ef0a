/* test-console-page.c: the Console tab on the demo host: what it says when the
 * machine is off or its console can't be opened, and detaching it into its own
 * window and back without a new session. The pixels of a real display are
 * checked by tests/console against QEMU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-console-page.h"
#include "refract-console-window.h"
#include "refract-ui-test.h"

static RefractConsolePage *
console_page (RefractWindow *window)
{
  RefractMachinePage *page = _refract_window_get_machine_page (window);

  refract_machine_page_show_console (page);
  g_assert_cmpstr (refract_machine_page_get_tab (page), ==, "console");
  return REFRACT_CONSOLE_PAGE (rut_find_type (GTK_WIDGET (page), REFRACT_TYPE_CONSOLE_PAGE));
}

static const char *
status_title (RefractConsolePage *page)
{
  AdwStatusPage *status = ADW_STATUS_PAGE (rut_find_type (GTK_WIDGET (page), ADW_TYPE_STATUS_PAGE));

  return adw_status_page_get_title (status);
}

/* A shut-off machine offers to start; once started, a display the demo host
 * can't open says why and offers to retry. */
static void
test_console_off_then_failed (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  RefractConsolePage *page;
  RefractMachine *kali;

  rut_select (window, "Kali Linux");
  rut_wait_details (window);
  page = console_page (window);
  kali = refract_console_get_machine (refract_console_page_get_console (page));
  rut_wait_until (g_strcmp0 (status_title (page), "The Machine Is Off") == 0, "the off page");
  g_assert_cmpstr (refract_console_page_get_shown (page), ==, "status");
  g_assert_nonnull (rut_find_button_labelled (GTK_WIDGET (page), "_Start"));
  rut_screenshot (GTK_WIDGET (window), "console-off.png", FALSE);

  rut_click (rut_find_button_labelled (GTK_WIDGET (page), "_Start"));
  rut_wait_until (refract_machine_get_state (kali) == REFRACT_MACHINE_STATE_RUNNING, "Kali running");
  rut_wait_until (g_strcmp0 (status_title (page), "Could Not Open the Display") == 0,
                  "the failure page");
  g_assert_cmpstr (refract_spice_session_get_error_message (refract_console_get_session (refract_console_page_get_console (page))),
                   !=, NULL);
  g_assert_nonnull (rut_find_button_labelled (GTK_WIDGET (page), "_Retry"));
  rut_screenshot (GTK_WIDGET (window), "console-failed.png", FALSE);

  rut_window_close (window);
}

/* A headless machine gets the text console; the demo host has none to open. */
static void
test_console_headless (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  RefractConsolePage *page;

  rut_select (window, "Coding Sandbox");
  rut_wait_details (window);
  page = console_page (window);
  rut_wait_until (g_strcmp0 (status_title (page), "Could Not Open the Text Console") == 0,
                  "the text console's failure page");
  /* no display: no send-key menu or screenshot */
  g_assert_false (rut_shown (rut_find_button (GTK_WIDGET (page), "console.screenshot")));
  rut_window_close (window);
}

/* Detaching moves the console into its own window, which keeps the same
 * session; closing the window brings it back to the page. */
static void
test_console_detach (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  RefractConsolePage *page;
  RefractConsole *console;
  RefractSpiceSession *session;
  RefractSpiceDisplay *display;
  GtkWindow *detached;

  rut_select (window, "DSP Coprocessor");
  rut_wait_details (window);
  page = console_page (window);
  console = refract_console_page_get_console (page);
  session = refract_console_get_session (console);
  display = refract_console_get_display (console);
  rut_wait_until (refract_console_page_get_shown (page) != NULL, "the console page");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.detach-console", NULL);
  detached = rut_wait_toplevel (REFRACT_TYPE_CONSOLE_WINDOW, NULL);
  g_assert_true (refract_console_get_detached (console));
  g_assert_true (refract_console_window_get_console (REFRACT_CONSOLE_WINDOW (detached)) == console);
  rut_wait_until (g_strcmp0 (status_title (page), "The Console Is in Its Own Window") == 0,
                  "the page saying where the console went");
  g_assert_true (gtk_widget_get_root (GTK_WIDGET (display)) == GTK_ROOT (detached));
  g_assert_cmpstr (gtk_window_get_title (detached), ==, "DSP Coprocessor");

  /* one console per machine: detaching again raises the same window */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.detach-console", NULL);
  g_assert_true (rut_find_toplevel (REFRACT_TYPE_CONSOLE_WINDOW, NULL) == detached);

  gtk_window_close (detached);
  rut_wait_until (!refract_console_get_detached (console), "the console back on the page");
  rut_wait_until (gtk_widget_get_root (GTK_WIDGET (display)) == GTK_ROOT (window),
                  "the display back in the main window");
  g_assert_true (refract_console_get_session (refract_console_page_get_console (page)) == session);

  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  rut_init (&argc, &argv);
  g_test_add_func ("/console-page/off-then-failed", test_console_off_then_failed);
  g_test_add_func ("/console-page/headless", test_console_headless);
  g_test_add_func ("/console-page/detach", test_console_detach);
  return rut_run ();
}
