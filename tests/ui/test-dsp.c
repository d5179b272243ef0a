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
#include "refract-netjack-page.h"
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

  return rut_run ();
}
