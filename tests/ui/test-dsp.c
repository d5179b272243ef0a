/* test-dsp.c: the DSP and NETJACK pages of a machine
 *
 * On the demo host's DSP Coprocessor (the seed's settings: vCPUs on CPUs 0
 * and 1, NETJACK on port 4713) both pages show the seed's mistakes, and a
 * fix takes one away; on a plain machine both show their defaults.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-dsp-page.h"
#include "refract-netjack-page-private.h"
#include "refract-ui-test.h"

static GtkWidget *
page_of (RefractWindow *window)
{
  return GTK_WIDGET (_refract_window_get_machine_page (window));
}

static GtkWidget *
find_named (GtkWidget *root, const char *name)
{
  if (!rut_shown (root))
    return NULL;
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static RefractDspPage *
show_dsp (RefractWindow *window)
{
  AdwViewStack *stack = ADW_VIEW_STACK (rut_find_type (page_of (window), ADW_TYPE_VIEW_STACK));
  RefractDspPage *dsp;

  adw_view_stack_set_visible_child_name (stack, "dsp");
  dsp = REFRACT_DSP_PAGE (rut_find_type (page_of (window), REFRACT_TYPE_DSP_PAGE));
  g_assert_nonnull (dsp);
  rut_wait_until (refract_dsp_page_get_loaded (dsp), "the DSP page to load");
  rut_drain ();
  return dsp;
}

static RefractNetjackPage *
show_netjack (RefractWindow *window)
{
  AdwViewStack *stack = ADW_VIEW_STACK (rut_find_type (page_of (window), ADW_TYPE_VIEW_STACK));
  RefractNetjackPage *netjack;

  adw_view_stack_set_visible_child_name (stack, "netjack");
  netjack = REFRACT_NETJACK_PAGE (rut_find_type (page_of (window), REFRACT_TYPE_NETJACK_PAGE));
  g_assert_nonnull (netjack);
  rut_wait_until (refract_netjack_page_get_loaded (netjack), "the NETJACK page to load");
  rut_drain ();
  return netjack;
}

/* The inline problem under the row titled @title, or NULL when hidden. */
static const char *
problem_under (GtkWidget *page, const char *title)
{
  GtkWidget *row = GTK_WIDGET (rut_find_row (page, title));
  GtkWidget *below;
  GtkWidget *label;

  g_assert_nonnull (row);
  below = gtk_widget_get_next_sibling (row);
  if (below == NULL || !gtk_widget_get_visible (below))
    return NULL;
  label = rut_find_type (below, GTK_TYPE_LABEL);
  return label ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

/* Scrolls @widget's scrolled window so @widget is on screen. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - 12);
  rut_drain ();
}

static void
test_dsp_coprocessor (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 760);
  RefractDspPage *dsp;
  RefractNetjackPage *netjack;
  GtkWidget *row;
  GtkWidget *fix;
  const char *problem;

  rut_select (window, "DSP Coprocessor");
  dsp = show_dsp (window);

  /* the seed isolates CPU 0: a warning with a fix */
  row = find_named (GTK_WIDGET (dsp), "cpu0-isolated");
  g_assert_nonnull (row);
  g_assert_nonnull (find_named (GTK_WIDGET (dsp), "smt-sibling-split"));
  fix = rut_find_button_labelled (row, "_Fix");
  g_assert_nonnull (fix);
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dsp), "Isolated", TRUE));
  rut_screenshot (GTK_WIDGET (window), "dsp-page.png", FALSE);
  scroll_to (row);
  rut_screenshot (GTK_WIDGET (window), "dsp-page-checks.png", FALSE);

  rut_click (fix);
  rut_wait_until (find_named (GTK_WIDGET (dsp), "cpu0-isolated") == NULL, "the CPU 0 warning to go");
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dsp), "Changes not applied yet", TRUE));
  g_assert_nonnull (rut_find_button_labelled (GTK_WIDGET (dsp), "_Apply…"));
  g_assert_true (gtk_widget_is_sensitive (rut_find_button_labelled (GTK_WIDGET (dsp), "_Apply…")));
  /* the grid follows: CPU 0 is the host's again */
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dsp), "host", TRUE));

  netjack = show_netjack (window);
  problem = problem_under (GTK_WIDGET (netjack), "UDP _Port");
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "4713"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (netjack), "1.33 ms", FALSE));
  g_assert_null (problem_under (GTK_WIDGET (netjack), "_Period (Frames)"));
  rut_screenshot (GTK_WIDGET (window), "netjack-page.png", FALSE);
  scroll_to (GTK_WIDGET (rut_find_row (GTK_WIDGET (netjack), "Latency")));
  rut_screenshot (GTK_WIDGET (window), "netjack-page-estimates.png", FALSE);

  /* a period that is no power of two is refused, under its row */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rut_find_type (GTK_WIDGET (rut_find_row (GTK_WIDGET (netjack),
                                                                                        "_Period (Frames)")),
                                                             GTK_TYPE_SPIN_BUTTON)), 100);
  g_assert_nonnull (problem_under (GTK_WIDGET (netjack), "_Period (Frames)"));
  g_assert_null (rut_find_label (GTK_WIDGET (netjack), "1.33 ms", FALSE));
  rut_screenshot (GTK_WIDGET (window), "netjack-page-period.png", FALSE);

  rut_window_close (window);
}

static void
test_plain_machine (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 760);
  RefractDspPage *dsp;
  RefractNetjackPage *netjack;
  GtkWidget *enabled;

  rut_select (window, "Kali Linux");
  dsp = show_dsp (window);
  g_assert_null (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dsp), "No changes", TRUE));
  rut_screenshot (GTK_WIDGET (window), "dsp-page-plain.png", FALSE);

  netjack = show_netjack (window);
  enabled = rut_find_type (GTK_WIDGET (rut_find_row (GTK_WIDGET (netjack), "_Use NETJACK")), GTK_TYPE_SWITCH);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (enabled)));
  g_assert_null (problem_under (GTK_WIDGET (netjack), "UDP _Port"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (netjack), "128 frames @ 48 kHz", FALSE));
  rut_screenshot (GTK_WIDGET (window), "netjack-page-plain.png", FALSE);

  rut_window_close (window);
}

/* The tab named @name of the machine page: whether it shows the dot that
 * says something there needs attention. */
static gboolean
tab_needs_attention (RefractWindow *window, const char *name)
{
  AdwViewStack *stack = ADW_VIEW_STACK (rut_find_type (page_of (window), ADW_TYPE_VIEW_STACK));
  GtkWidget *child = adw_view_stack_get_child_by_name (stack, name);

  return adw_view_stack_page_get_needs_attention (adw_view_stack_get_page (stack, child));
}

static GtkSpinButton *
spin_of (GtkWidget *page, const char *title)
{
  GtkWidget *row = GTK_WIDGET (rut_find_row (page, title));

  g_assert_nonnull (row);
  return GTK_SPIN_BUTTON (rut_find_type (row, GTK_TYPE_SPIN_BUTTON));
}

static AdwMessageDialog *
wait_dialog (RefractWindow *window)
{
  return ADW_MESSAGE_DIALOG (rut_wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (window)));
}

static void
fix_cpu0 (RefractDspPage *dsp)
{
  GtkWidget *row = find_named (GTK_WIDGET (dsp), "cpu0-isolated");

  g_assert_nonnull (row);
  rut_click (rut_find_button_labelled (row, "_Fix"));
  rut_wait_until (find_named (GTK_WIDGET (dsp), "cpu0-isolated") == NULL, "the CPU 0 warning to go");
}

/* Edits on the DSP and NETJACK tabs survive going to another machine and
 * back; Apply and Save put them on the host, where they are read again. */
static void
test_edits_kept_and_applied (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 760);
  RefractDspPage *dsp;
  RefractNetjackPage *netjack;
  AdwMessageDialog *dialog;

  rut_select (window, "DSP Coprocessor");
  dsp = show_dsp (window);
  g_assert_false (tab_needs_attention (window, "dsp"));
  fix_cpu0 (dsp);
  g_assert_true (refract_dsp_page_get_modified (dsp));
  g_assert_true (tab_needs_attention (window, "dsp"));

  netjack = show_netjack (window);
  gtk_spin_button_set_value (spin_of (GTK_WIDGET (netjack), "UDP _Port"), 19000);
  g_assert_null (problem_under (GTK_WIDGET (netjack), "UDP _Port"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (netjack), "Changes not saved yet", TRUE));
  g_assert_true (tab_needs_attention (window, "netjack"));

  /* another machine: its own settings, no dots */
  rut_select (window, "Kali Linux");
  netjack = show_netjack (window);
  g_assert_nonnull (rut_find_label (GTK_WIDGET (netjack), "No changes", TRUE));
  g_assert_false (tab_needs_attention (window, "netjack"));
  g_assert_false (tab_needs_attention (window, "dsp"));

  /* back: both edits as they were left */
  rut_select (window, "DSP Coprocessor");
  netjack = show_netjack (window);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin_of (GTK_WIDGET (netjack), "UDP _Port")), ==, 19000);
  g_assert_nonnull (rut_find_label (GTK_WIDGET (netjack), "Changes not saved yet", TRUE));
  g_assert_true (tab_needs_attention (window, "netjack"));
  dsp = show_dsp (window);
  g_assert_null (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dsp), "Changes not applied yet", TRUE));
  g_assert_true (tab_needs_attention (window, "dsp"));
  rut_screenshot (GTK_WIDGET (window), "dsp-page-kept-edits.png", FALSE);

  /* Apply asks first, listing what changes */
  rut_click (rut_find_button_labelled (GTK_WIDGET (dsp), "_Apply…"));
  dialog = wait_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Apply the New Settings?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "vCPU"));
  rut_screenshot (GTK_WIDGET (dialog), "dsp-apply-dialog.png", FALSE);
  rut_respond (dialog, "apply");
  rut_wait_until (rut_find_label (GTK_WIDGET (dsp), "No changes", TRUE) != NULL
                  && refract_dsp_page_get_loaded (dsp), "the applied settings to be read back");
  g_assert_false (tab_needs_attention (window, "dsp"));
  g_assert_null (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));

  netjack = show_netjack (window);
  rut_click (rut_find_button_labelled (GTK_WIDGET (netjack), "_Save"));
  rut_wait_until (rut_find_label (GTK_WIDGET (netjack), "No changes", TRUE) != NULL, "the NETJACK settings to save");
  g_assert_false (tab_needs_attention (window, "netjack"));

  /* read again from the host: no drafts are left, these are libvirt's */
  rut_select (window, "Kali Linux");
  show_dsp (window);
  rut_select (window, "DSP Coprocessor");
  dsp = show_dsp (window);
  g_assert_null (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dsp), "No changes", TRUE));
  netjack = show_netjack (window);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin_of (GTK_WIDGET (netjack), "UDP _Port")), ==, 19000);
  g_assert_null (problem_under (GTK_WIDGET (netjack), "UDP _Port"));
  g_assert_nonnull (rut_find_label (GTK_WIDGET (netjack), "No changes", TRUE));

  rut_window_close (window);
}

/* Closing the window with edits not applied asks; Review Changes goes to
 * them, Discard and Close drops them. */
static void
test_close_with_edits (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 760);
  RefractDspPage *dsp;
  AdwMessageDialog *dialog;
  const char *body;

  rut_select (window, "DSP Coprocessor");
  dsp = show_dsp (window);
  fix_cpu0 (dsp);
  rut_select (window, "Kali Linux");
  rut_drain ();

  gtk_window_close (GTK_WINDOW (window));
  dialog = wait_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Discard Changed Settings?");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "“DSP Coprocessor”"));
  g_assert_null (strstr (body, "Kali"));
  rut_screenshot (GTK_WIDGET (dialog), "dsp-discard-dialog.png", FALSE);
  rut_respond (dialog, "review");

  /* the window stays, on the edited machine's DSP tab, with the edit */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  rut_wait_until (g_strcmp0 (refract_window_get_selected_machine (window) ?
                             refract_machine_get_display_name (refract_window_get_selected_machine (window)) : NULL,
                             "DSP Coprocessor") == 0, "the edited machine to be selected");
  g_assert_cmpstr (refract_machine_page_get_tab (_refract_window_get_machine_page (window)), ==, "dsp");
  rut_wait_until (refract_dsp_page_get_loaded (dsp), "the DSP page to load");
  g_assert_true (refract_dsp_page_get_modified (dsp));
  g_assert_null (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));

  /* app.quit asks too, and Discard quits without it */
  gtk_window_close (GTK_WINDOW (window));
  dialog = wait_dialog (window);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“DSP Coprocessor”"));
  g_object_ref (window);
  rut_respond (dialog, "discard");
  rut_wait_until (!gtk_widget_get_visible (GTK_WIDGET (window)), "the window to close");
  g_assert_false (refract_dsp_page_get_modified (dsp));
  g_object_unref (window);
  rut_window_close (window);
}

/* Restart runs the configured command and shows what it printed, or why it
 * failed; on the demo host (no bridge of its own) it can't be pressed. */
static void
test_restart (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 760);
  RefractNetjackPage *netjack;
  g_autoptr(RefractNetjackProbe) probe = refract_netjack_probe_new (g_getenv ("G_TEST_SRCDIR"));
  GtkWidget *restart;
  GtkWidget *command;
  GtkWidget *output;

  rut_select (window, "DSP Coprocessor");
  netjack = show_netjack (window);
  restart = rut_find_button_labelled (GTK_WIDGET (netjack), "Re_start");
  g_assert_nonnull (restart);
  g_assert_false (gtk_widget_is_sensitive (restart));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (restart), ==, "The host is not this computer: restart the bridge there");

  /* as on a host that is this computer */
  _refract_netjack_page_set_probe (netjack, probe);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (rut_find_row (GTK_WIDGET (netjack), "Restart the Bridge")), TRUE);
  rut_drain ();
  command = GTK_WIDGET (rut_find_row (GTK_WIDGET (netjack), "Restart Co_mmand (empty for the default)"));
  g_assert_nonnull (command);
  gtk_editable_set_text (GTK_EDITABLE (command), "printf 'bridge %s on port %u\\n' restarted 4713");
  g_assert_true (gtk_widget_is_sensitive (restart));
  rut_click (restart);
  rut_wait_until (rut_find_label (GTK_WIDGET (netjack), "bridge restarted on port 4713", FALSE) != NULL,
                  "the restart command's output");
  output = rut_find_label (GTK_WIDGET (netjack), "bridge restarted on port 4713", FALSE);
  g_assert_true (rut_shown (output));
  g_assert_true (gtk_widget_is_sensitive (restart));
  scroll_to (GTK_WIDGET (rut_find_row (GTK_WIDGET (netjack), "Restart the Bridge")));
  rut_screenshot (GTK_WIDGET (window), "netjack-restart.png", FALSE);

  gtk_editable_set_text (GTK_EDITABLE (command), "sh -c 'printf \"no %s here\" netmanager >&2; exit 3'");
  rut_click (restart);
  rut_wait_until (rut_find_label (GTK_WIDGET (netjack), "no netmanager here", FALSE) != NULL,
                  "the failed restart's output");
  output = rut_find_label (GTK_WIDGET (netjack), "no netmanager here", FALSE);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (output)), "The NETJACK restart command failed"));
  rut_screenshot (GTK_WIDGET (window), "netjack-restart-failed.png", FALSE);

  /* JACK 2 has no standard unit: without a command, nothing to run */
  gtk_editable_set_text (GTK_EDITABLE (command), "");
  adw_combo_row_set_selected (ADW_COMBO_ROW (rut_find_row (GTK_WIDGET (netjack), "Host Audio _Server")),
                              REFRACT_NETJACK_BACKEND_JACK2);
  g_assert_false (gtk_widget_is_sensitive (restart));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (restart), "set the restart command"));

  rut_window_close (window);
}

/* At 360 pixels wide both pages fit. */
static void
test_narrow (void)
{
  RefractWindow *window = rut_demo_window_new (360, 720);
  RefractDspPage *dsp;

  rut_select (window, "DSP Coprocessor");
  dsp = show_dsp (window);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  g_assert_nonnull (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));
  rut_screenshot (GTK_WIDGET (window), "dsp-page-narrow.png", FALSE);
  scroll_to (find_named (GTK_WIDGET (dsp), "cpu0-isolated"));
  rut_screenshot (GTK_WIDGET (window), "dsp-page-narrow-checks.png", FALSE);

  show_netjack (window);
  rut_screenshot (GTK_WIDGET (window), "netjack-page-narrow.png", FALSE);

  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  rut_init (&argc, &argv);

  g_test_add_func ("/ui/dsp/dsp-coprocessor", test_dsp_coprocessor);
  g_test_add_func ("/ui/dsp/plain-machine", test_plain_machine);
  g_test_add_func ("/ui/dsp/narrow", test_narrow);
  g_test_add_func ("/ui/dsp/edits-kept-and-applied", test_edits_kept_and_applied);
  g_test_add_func ("/ui/dsp/close-with-edits", test_close_with_edits);
  g_test_add_func ("/ui/dsp/restart", test_restart);

  return rut_run ();
}
