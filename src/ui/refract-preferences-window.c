/* refract-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-preferences-window.h"

struct _RefractPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  RefractApplication   *app;
  GPtrArray            *connection_rows;

  GtkSpinButton        *interval_spin;
  GtkSpinButton        *timeout_spin;
  GtkSpinButton        *clipboard_limit_spin;
  GtkSwitch            *confirm_force_off;
  GtkSwitch            *confirm_reboot;
  GtkSwitch            *confirm_pause;
  AdwComboRow          *release_row;
  AdwPreferencesGroup  *connections_group;
};

G_DEFINE_FINAL_TYPE (RefractPreferencesWindow, refract_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void rebuild_connections (RefractPreferencesWindow *self);

/* The combo row's items, in order, as the schema's choices. */
static const char * const release_keys[] = {
  "Control_L+Alt_L", "Control_R", "Control_L+Alt_L+Shift_L"
};

static gboolean
release_keys_get (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char *keys = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (release_keys); i++)
    if (g_str_equal (keys, release_keys[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
release_keys_set (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  return i < G_N_ELEMENTS (release_keys) ? g_variant_new_string (release_keys[i]) : NULL;
}

/* clipboard-size-limit is in bytes, the row in MiB */
static gboolean
mib_get (GValue   *value,
         GVariant *variant,
         gpointer  user_data)
{
  g_value_set_double (value, MAX (1, g_variant_get_uint32 (variant) / (1024 * 1024)));
  return TRUE;
}

static GVariant *
mib_set (const GValue       *value,
         const GVariantType *expected_type,
         gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) CLAMP (g_value_get_double (value), 1, 1024) * 1024 * 1024);
}

static void
autoconnect_toggled (GtkSwitch                *sw,
                     GParamSpec               *pspec,
                     RefractPreferencesWindow *self)
{
  refract_connection_list_set_autoconnect (refract_application_get_connections (self->app),
                                           g_object_get_data (G_OBJECT (sw), "uri"),
                                           gtk_switch_get_active (sw));
}

static void
remove_clicked (GtkButton                *button,
                RefractPreferencesWindow *self)
{
  RefractConnectionList *list = refract_application_get_connections (self->app);
  RefractConnection *connection = refract_connection_list_find (list, g_object_get_data (G_OBJECT (button), "uri"));

  if (connection != NULL)
    refract_connection_list_remove (list, connection);
  rebuild_connections (self);
}

static GtkWidget *
connection_row (RefractPreferencesWindow *self, const char *uri)
{
  RefractConnectionList *list = refract_application_get_connections (self->app);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *title = refract_uri_describe (uri);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), uri);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (sw), refract_connection_list_get_autoconnect (list, uri));
  gtk_widget_set_tooltip_text (sw, _("Connect at start-up"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Connect at start-up"), -1);
  g_object_set_data_full (G_OBJECT (sw), "uri", g_strdup (uri), g_free);
  g_signal_connect_object (sw, "notify::active", G_CALLBACK (autoconnect_toggled), self, 0);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove this connection"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove this connection"), -1);
  g_object_set_data_full (G_OBJECT (remove), "uri", g_strdup (uri), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

static void
rebuild_connections (RefractPreferencesWindow *self)
{
  GSettings *settings = refract_application_get_settings (self->app);
  g_auto(GStrv) uris = g_settings_get_strv (settings, "connections");

  for (guint i = 0; i < self->connection_rows->len; i++)
    adw_preferences_group_remove (self->connections_group, g_ptr_array_index (self->connection_rows, i));
  g_ptr_array_set_size (self->connection_rows, 0);

  for (guint i = 0; uris[i]; i++)
    g_ptr_array_add (self->connection_rows, connection_row (self, uris[i]));
  if (uris[0] == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No saved connections"));
      g_ptr_array_add (self->connection_rows, row);
    }
  for (guint i = 0; i < self->connection_rows->len; i++)
    adw_preferences_group_add (self->connections_group, g_ptr_array_index (self->connection_rows, i));
}

static void
refract_preferences_window_dispose (GObject *object)
{
  RefractPreferencesWindow *self = (RefractPreferencesWindow *)object;

  g_clear_pointer (&self->connection_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (refract_preferences_window_parent_class)->dispose (object);
}

static void
refract_preferences_window_class_init (RefractPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, clipboard_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, confirm_force_off);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, confirm_reboot);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, confirm_pause);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, release_row);
  gtk_widget_class_bind_template_child (widget_class, RefractPreferencesWindow, connections_group);
}

static void
refract_preferences_window_init (RefractPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->connection_rows = g_ptr_array_new ();
}

RefractPreferencesWindow *
refract_preferences_window_new (RefractApplication *app)
{
  RefractPreferencesWindow *self = g_object_new (REFRACT_TYPE_PREFERENCES_WINDOW, NULL);
  GSettings *settings = refract_application_get_settings (app);

  self->app = app;
  g_settings_bind (settings, "stats-interval", self->interval_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "shutdown-timeout", self->timeout_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "confirm-force-off", self->confirm_force_off, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "confirm-reboot", self->confirm_reboot, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "confirm-pause", self->confirm_pause, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "console-release-keys", self->release_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, release_keys_get, release_keys_set, NULL, NULL);
  g_settings_bind_with_mapping (settings, "clipboard-size-limit", self->clipboard_limit_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, mib_get, mib_set, NULL, NULL);
  rebuild_connections (self);
  return self;
}
