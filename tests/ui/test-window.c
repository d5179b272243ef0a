/* test-window.c: the main window on the demo host: its list, search, and the
 * narrow layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-ui-test.h"

static const char * const all_rows[] = {
  "Demo Host", "Coding Sandbox", "DSP Coprocessor", "Kali Linux", "OpenWRT Router", NULL
};

/* The window lists the demo host and its four machines by their titles, and
 * shows a machine's overview when it is selected. */
static void
test_window_demo_host (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  GtkWidget *content = GTK_WIDGET (window);
  g_auto(GStrv) titles = rut_sidebar_titles (window);

  g_assert_cmpstrv (titles, all_rows);
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "list");
  g_assert_nonnull (rut_find_label (content, "4 machines", TRUE));

  /* the demo host says it is one */
  g_assert_true (_refract_window_banner_shown (window));
  g_assert_nonnull (rut_find_label (content, "This is the demo host", FALSE));

  /* with no machine picked, the host's page tells how many it has */
  rut_wait_until (g_strcmp0 (_refract_window_get_content_name (window), "connection") == 0,
                  "the host’s page");
  g_assert_nonnull (rut_find_label (content, "4 virtual machines. Pick one in the list.", TRUE));
  rut_screenshot (content, "main-window-host.png", FALSE);

  rut_select (window, "DSP Coprocessor");
  g_assert_cmpstr (_refract_window_get_content_name (window), ==, "machine");
  g_assert_cmpstr (rut_page_name (window), ==, "DSP Coprocessor");
  g_assert_cmpstr (rut_page_state (window), ==, "Running");
  /* side by side, picking a machine leaves the keyboard focus where it was */
  g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (rut_find_label_with_class (content, "title-1")),
                                                  NULL, NULL));
  rut_wait_details (window);

  g_assert_cmpint (gtk_widget_get_width (content), ==, 1000);
  g_assert_cmpint (gtk_widget_get_height (content), ==, 680);
  rut_screenshot (content, "main-window.png", TRUE);

  rut_window_close (window);
}

/* Searching leaves only the matching machines, or says nothing matches. */
static void
test_window_search (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  const char * const kali_only[] = { "Demo Host", "Kali Linux", NULL };
  g_auto(GStrv) titles = NULL;

  _refract_window_set_search (window, "kali");
  rut_wait_until (!rut_sidebar_has (window, "Coding Sandbox"), "the search to filter the list");
  titles = rut_sidebar_titles (window);
  g_assert_cmpstrv (titles, kali_only);
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "list");
  rut_screenshot (GTK_WIDGET (window), "search-kali.png", FALSE);

  _refract_window_set_search (window, "zzz");
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "no-results");
  rut_wait_until (rut_find_label (GTK_WIDGET (window), "No Results Found", TRUE) != NULL,
                  "the no-results page");
  rut_screenshot (GTK_WIDGET (window), "search-no-results.png", FALSE);

  /* an emptied search brings every machine back */
  _refract_window_set_search (window, "");
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "list");
  rut_wait_until (rut_sidebar_has (window, "Coding Sandbox"), "the whole list again");
  g_clear_pointer (&titles, g_strfreev);
  titles = rut_sidebar_titles (window);
  g_assert_cmpstrv (titles, all_rows);

  rut_window_close (window);
}

static gboolean
leaflet_shows (AdwLeaflet *leaflet, GtkWidget *widget)
{
  GtkWidget *visible = adw_leaflet_get_visible_child (leaflet);

  return visible != NULL && (visible == widget || gtk_widget_is_ancestor (widget, visible));
}

/* At 360 pixels the sidebar and the content fold into one column: picking a
 * machine goes to its page, the back button returns to the list. */
static void
test_window_narrow (void)
{
  RefractWindow *window = rut_demo_window_new (360, 680);
  AdwLeaflet *leaflet = ADW_LEAFLET (rut_find_type (GTK_WIDGET (window), ADW_TYPE_LEAFLET));
  GtkWidget *list_view = GTK_WIDGET (_refract_window_get_list_view (window));
  GtkWidget *page = GTK_WIDGET (_refract_window_get_machine_page (window));
  GtkWidget *back;

  g_assert_nonnull (leaflet);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, 360);
  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_true (leaflet_shows (leaflet, list_view));
  g_assert_null (rut_find_button (GTK_WIDGET (window), "win.go-back"));
  rut_screenshot (GTK_WIDGET (window), "narrow-list.png", FALSE);

  rut_select (window, "Kali Linux");
  rut_wait_until (leaflet_shows (leaflet, page) && rut_shown (page), "the machine page");
  g_assert_false (rut_shown (list_view));
  g_assert_cmpstr (rut_page_name (window), ==, "Kali Linux");
  rut_wait_details (window);
  rut_screenshot (GTK_WIDGET (window), "narrow-machine.png", FALSE);

  back = rut_find_button (GTK_WIDGET (window), "win.go-back");
  rut_click (back);
  rut_wait_until (leaflet_shows (leaflet, list_view) && rut_shown (list_view), "the list again");
  g_assert_false (rut_shown (page));
  g_assert_true (rut_sidebar_has (window, "Kali Linux"));

  /* tapping the machine that is still selected shows its page again */
  g_assert_true (refract_window_get_selected_machine (window) != NULL);
  rut_tap_row (window, "Kali Linux");
  rut_wait_until (leaflet_shows (leaflet, page) && rut_shown (page), "the machine page again");
  g_assert_cmpstr (rut_page_name (window), ==, "Kali Linux");

  /* so does Enter on it, back in the list */
  rut_click (rut_find_button (GTK_WIDGET (window), "win.go-back"));
  rut_wait_until (leaflet_shows (leaflet, list_view), "the list again");
  g_signal_emit_by_name (list_view, "activate",
                         gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list_view)))));
  rut_wait_until (leaflet_shows (leaflet, page) && rut_shown (page), "the machine page after Enter");

  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  rut_init (&argc, &argv);

  g_test_add_func ("/ui/window/demo-host", test_window_demo_host);
  g_test_add_func ("/ui/window/search", test_window_search);
  g_test_add_func ("/ui/window/narrow", test_window_narrow);

  return rut_run ();
}
