/* refract-application-actions.c: the app.* actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-application-private.h"
#include "refract-preferences-window.h"
#include "refract-window.h"

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  RefractApplication *self = user_data;
  static const char *developers[] = { "The Refract developers", NULL };
  GtkWindow *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APPLICATION_ID,
                        "application-name", _("Refract"),
                        "developer-name", _("The Refract developers"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/refract/refract",
                        "issue-url", "https://github.com/refract/refract/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        "comments", _("Run virtual machines through libvirt, with live "
                                      "statistics and a demo host to explore."),
                        NULL);
  gtk_window_present (about);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  RefractApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  RefractPreferencesWindow *prefs = refract_preferences_window_new (self);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
help_launched (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GtkWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && REFRACT_IS_WINDOW (window))
    refract_window_show_error (REFRACT_WINDOW (window),
                               _("Could not open the help: install the “yelp” help viewer"));
}

static void
help_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  RefractApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  g_app_info_launch_default_for_uri_async ("help:refract", NULL, NULL, help_launched,
                                           window ? g_object_ref (window) : NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  RefractApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* settings edited and not applied are not lost without asking */
  for (GList *l = windows; l; l = l->next)
    if (REFRACT_IS_WINDOW (l->data) && !refract_window_confirm_close (l->data, TRUE))
      return;
  for (GList *l = g_list_copy (windows); l; l = g_list_delete_link (l, l))
    gtk_window_destroy (l->data);
  g_application_quit (G_APPLICATION (self));
}

static void
connect_demo_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  RefractApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (refract_window_new (self));
  refract_window_open_connection (REFRACT_WINDOW (window),
                                  refract_connection_list_add_demo (refract_application_get_connections (self)),
                                  NULL);
  gtk_window_present (window);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "preferences", preferences_action },
  { "help", help_action },
  { "quit", quit_action },
  { "connect-demo", connect_demo_action },
};

void
_refract_application_install_actions (RefractApplication *self)
{
  static const struct { const char *action; const char *accels[2]; } accels[] = {
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.help", { "F1", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.add-connection", { "<Control>l", NULL } },
    { "win.new-machine", { "<Control>n", NULL } },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
}
