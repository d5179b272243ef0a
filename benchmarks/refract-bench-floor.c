/* refract-bench-floor.c: what GTK and libadwaita cost before Refract does anything
 *
 * An AdwApplication built like Refract's (same flags, its own id) whose window
 * holds nothing but a GtkListView of two labels, measured by the same hooks
 * as the real binary. Its "start → populated list painted" is the floor that
 * figure 1 can't go below on this machine; see benchmarks/README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>

#include "refract-bench-hooks.h"

static void
setup_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static void
activate (GApplication *app)
{
  const char *const rows[] = { "Test Host", "test", NULL };
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (
                              G_LIST_MODEL (gtk_string_list_new (rows)))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 680);
  gtk_window_present (GTK_WINDOW (window));
}

static int
command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  g_application_activate (app);
  return 0;
}

int
main (int argc, char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.refract.Refract.BenchFloor",
                                                       G_APPLICATION_HANDLES_COMMAND_LINE);

  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  g_signal_connect (app, "command-line", G_CALLBACK (command_line), NULL);
  rb_hooks_install (G_APPLICATION (app));
  return g_application_run (G_APPLICATION (app), argc, argv);
}
