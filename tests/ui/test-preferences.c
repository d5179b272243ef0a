/* test-preferences.c: the preferences window shows and changes the settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-preferences-window.h"
#include "refract-ui-test.h"

static GtkWidget *
suffix_of (GtkWidget *root, const char *title, GType type)
{
  AdwPreferencesRow *row = rut_find_row (root, title);
  GtkWidget *widget = row ? rut_find_type (GTK_WIDGET (row), type) : NULL;

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
switch_on (GtkWidget *root, const char *title)
{
  return gtk_switch_get_active (GTK_SWITCH (suffix_of (root, title, GTK_TYPE_SWITCH)));
}

static int
spin_value (GtkWidget *root, const char *title)
{
  return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (suffix_of (root, title, GTK_TYPE_SPIN_BUTTON)));
}

/* Opened from the main menu's action, the window's switches and numbers are
 * the settings, follow them, and change them; saved connections are listed. */
static void
test_preferences_reflect_settings (void)
{
  RefractApplication *app = rut_app ();
  GSettings *settings = refract_application_get_settings (app);
  RefractConnectionList *list = refract_application_get_connections (app);
  RefractWindow *window;
  GtkWidget *prefs;
  AdwPreferencesRow *row;

  refract_connection_list_add (list, "test:///default", TRUE);
  window = rut_window_new (1000, 680);
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (app)) == GTK_WINDOW (window));

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = GTK_WIDGET (g_object_ref (rut_wait_toplevel (REFRACT_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (window))));
  rut_wait_drawn (prefs);

  g_assert_cmpint (spin_value (prefs, "Sampling Interval"), ==, 2);
  g_assert_cmpint (spin_value (prefs, "Wait for the Guest"), ==, 60);
  g_assert_true (switch_on (prefs, "Before Forcing Off"));
  g_assert_true (switch_on (prefs, "Before Rebooting"));
  g_assert_false (switch_on (prefs, "Before Pausing"));
  g_assert_cmpint (spin_value (prefs, "Largest Clipboard Transfer"), ==, 16);

  row = rut_find_row (prefs, "Test Host");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "test:///default");
  /* a connection saved from the dialog opens at start-up by default */
  g_assert_true (refract_connection_list_get_autoconnect (list, "test:///default"));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (rut_find_type (GTK_WIDGET (row), GTK_TYPE_SWITCH))));
  g_assert_null (rut_find_row (prefs, "No saved connections"));
  rut_screenshot (prefs, "preferences.png", FALSE);

  /* the window follows the settings… */
  g_settings_set_boolean (settings, "confirm-pause", TRUE);
  g_settings_set_uint (settings, "stats-interval", 5);
  g_assert_true (switch_on (prefs, "Before Pausing"));
  g_assert_cmpint (spin_value (prefs, "Sampling Interval"), ==, 5);

  /* …and changes them */
  gtk_switch_set_active (GTK_SWITCH (suffix_of (prefs, "Before Forcing Off", GTK_TYPE_SWITCH)), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "confirm-force-off"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (suffix_of (prefs, "Largest Clipboard Transfer", GTK_TYPE_SPIN_BUTTON)), 64);
  g_assert_cmpuint (g_settings_get_uint (settings, "clipboard-size-limit"), ==, 64 * 1024 * 1024);
  g_settings_reset (settings, "clipboard-size-limit");
  g_assert_cmpint (spin_value (prefs, "Largest Clipboard Transfer"), ==, 16);
  gtk_switch_set_active (GTK_SWITCH (rut_find_type (GTK_WIDGET (row), GTK_TYPE_SWITCH)), FALSE);
  g_assert_false (refract_connection_list_get_autoconnect (list, "test:///default"));
  g_assert_nonnull (refract_connection_list_find (list, "test:///default"));

  /* removing the saved connection leaves the placeholder row */
  rut_click (rut_find_type (GTK_WIDGET (row), GTK_TYPE_BUTTON));
  rut_wait_until (rut_find_row (prefs, "No saved connections") != NULL, "the placeholder row");
  g_assert_null (rut_find_row (prefs, "Test Host"));
  g_assert_null (refract_connection_list_find (list, "test:///default"));

  g_settings_reset (settings, "confirm-pause");
  g_settings_reset (settings, "confirm-force-off");
  g_settings_reset (settings, "stats-interval");
  rut_close_and_finalize (GTK_WINDOW (prefs));
  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  rut_init (&argc, &argv);

  g_test_add_func ("/ui/preferences/reflect-settings", test_preferences_reflect_settings);

  return rut_run ();
}
