/* test-machine-page.c: a machine's overview, its lifecycle buttons, and
 * deleting it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-ui-test.h"

static GtkWidget *
page_of (RefractWindow *window)
{
  return GTK_WIDGET (_refract_window_get_machine_page (window));
}

/* Whether the button for @action is on the page and can be clicked. */
static gboolean
can_click (RefractWindow *window, const char *action)
{
  GtkWidget *button = rut_find_button (page_of (window), action);

  return button != NULL && gtk_widget_is_sensitive (button);
}

static gboolean
state_starts (RefractWindow *window, const char *prefix)
{
  const char *state = rut_page_state (window);

  return state != NULL && g_str_has_prefix (state, prefix);
}

static void
click (RefractWindow *window, const char *action)
{
  rut_click (rut_find_button (page_of (window), action));
}

/* Kali Linux, shut off: its page shows its name, state, disk and display,
 * offers Start but not Shut Down; Start, Pause, Resume and Force Off (after
 * its confirmation) take it through Running, Paused, Running, Shut Off. */
static void
test_machine_lifecycle (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  GtkWidget *page = page_of (window);
  AdwPreferencesRow *row;
  AdwMessageDialog *dialog;

  rut_select (window, "Kali Linux");
  g_assert_cmpstr (_refract_window_get_content_name (window), ==, "machine");
  g_assert_cmpstr (rut_page_name (window), ==, "Kali Linux");
  g_assert_cmpstr (rut_page_state (window), ==, "Shut Off");

  rut_wait_details (window);
  row = rut_find_row (page, "vda (disk)");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "/var/lib/libvirt/images/kali-linux.qcow2 · 80.0\u00a0GiB · virtio");
  row = rut_find_row (page, "SPICE");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "No network port: opened through libvirt");
  g_assert_nonnull (rut_find_row (page, "Interface 1"));

  g_assert_true (can_click (window, "machine.start"));
  g_assert_true (can_click (window, "machine.delete"));
  g_assert_false (can_click (window, "machine.shutdown"));
  g_assert_false (can_click (window, "machine.reboot"));
  g_assert_false (can_click (window, "machine.pause"));
  g_assert_false (can_click (window, "machine.force-off"));
  g_assert_null (rut_find_button (page, "machine.resume"));
  rut_screenshot (GTK_WIDGET (window), "machine-shut-off.png", FALSE);

  /* the buttons follow once the start has completed, a moment after the state */
  click (window, "machine.start");
  rut_wait_until (g_strcmp0 (rut_page_state (window), "Running") == 0
                  && rut_find_button (page, "machine.start") == NULL
                  && can_click (window, "machine.shutdown")
                  && can_click (window, "machine.pause")
                  && can_click (window, "machine.force-off"),
                  "Kali Linux to run");
  g_assert_true (rut_sidebar_has (window, "Kali Linux"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (_refract_window_get_list_view (window)), "Running", TRUE));

  /* the demo host's banner goes away when dismissed */
  g_assert_true (_refract_window_banner_shown (window));
  rut_click (rut_find_button (GTK_WIDGET (window), "win.dismiss-banner"));
  g_assert_false (_refract_window_banner_shown (window));
  rut_wait_until (rut_find_label (GTK_WIDGET (window), "This is the demo host", FALSE) == NULL,
                  "the banner to hide");
  rut_screenshot (GTK_WIDGET (window), "machine-overview.png", TRUE);

  click (window, "machine.pause");
  rut_wait_until (state_starts (window, "Paused")
                  && rut_find_button (page, "machine.pause") == NULL
                  && can_click (window, "machine.resume"),
                  "Kali Linux to pause");

  click (window, "machine.resume");
  rut_wait_until (g_strcmp0 (rut_page_state (window), "Running") == 0
                  && rut_find_button (page, "machine.resume") == NULL
                  && can_click (window, "machine.pause"),
                  "Kali Linux to resume");

  click (window, "machine.force-off");
  dialog = ADW_MESSAGE_DIALOG (rut_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (window)));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Force Off “Kali Linux”?");
  g_assert_cmpstr (rut_page_state (window), ==, "Running");
  rut_screenshot (GTK_WIDGET (dialog), "force-off-dialog.png", FALSE);
  rut_respond (dialog, "confirm");
  /* the reason may follow the state a moment later */
  rut_wait_until (g_strcmp0 (rut_page_state (window), "Shut Off (forced off)") == 0,
                  "Kali Linux to be off");
  rut_wait_until (can_click (window, "machine.start"), "Start to come back");

  rut_window_close (window);
}

/* Cancelling the confirmation leaves the machine running. */
static void
test_machine_force_off_cancelled (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  AdwMessageDialog *dialog;

  rut_select (window, "OpenWRT Router");
  g_assert_cmpstr (rut_page_state (window), ==, "Running");
  click (window, "machine.force-off");
  dialog = ADW_MESSAGE_DIALOG (rut_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (window)));
  rut_respond (dialog, "cancel");
  rut_drain ();
  g_assert_cmpstr (rut_page_state (window), ==, "Running");
  g_assert_true (can_click (window, "machine.force-off"));

  rut_window_close (window);
}

/* Deleting asks first, listing the machine's 80 GiB disk; then the machine
 * leaves the list and a toast says it was deleted. */
static void
test_machine_delete (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  const char * const remaining[] = {
    "Demo Host", "Coding Sandbox", "DSP Coprocessor", "OpenWRT Router", NULL
  };
  g_auto(GStrv) titles = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *check;

  rut_select (window, "Kali Linux");
  rut_wait_details (window);
  click (window, "machine.delete");
  dialog = ADW_MESSAGE_DIALOG (rut_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (window)));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete “Kali Linux”?");

  rut_wait_drawn (GTK_WIDGET (dialog));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dialog), "Also delete these disks:", TRUE));
  check = rut_find_type (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON);
  g_assert_nonnull (check);
  g_assert_cmpstr (gtk_check_button_get_label (GTK_CHECK_BUTTON (check)), ==,
                   "/var/lib/libvirt/images/kali-linux.qcow2 (80.0\u00a0GiB)");
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  rut_screenshot (GTK_WIDGET (dialog), "delete-dialog.png", FALSE);

  rut_respond (dialog, "delete");
  rut_wait_until (!rut_sidebar_has (window, "Kali Linux"), "Kali Linux to leave the list");
  titles = rut_sidebar_titles (window);
  g_assert_cmpstrv (titles, remaining);
  rut_wait_until (rut_find_label (GTK_WIDGET (window), "Deleted “Kali Linux”", TRUE) != NULL,
                  "the toast");
  /* the page does not think another program removed it */
  g_assert_null (rut_find_label (GTK_WIDGET (window), "was removed by another program", FALSE));
  g_assert_cmpstr (_refract_window_get_content_name (window), !=, "machine");
  rut_screenshot (GTK_WIDGET (window), "deleted.png", FALSE);

  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  rut_init (&argc, &argv);

  g_test_add_func ("/ui/machine-page/lifecycle", test_machine_lifecycle);
  g_test_add_func ("/ui/machine-page/force-off-cancelled", test_machine_force_off_cancelled);
  g_test_add_func ("/ui/machine-page/delete", test_machine_delete);

  return rut_run ();
}
