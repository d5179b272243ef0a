/* refract-sidebar-row.c: a connection or a machine in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-model.h"
#include "refract-sidebar-row.h"
#include "refract-sparkline.h"

struct _RefractSidebarRow
{
  GtkWidget         parent_instance;

  GObject          *item;
  GSignalGroup     *signals;

  GtkImage         *icon;
  GtkLabel         *title;
  GtkLabel         *subtitle;
  GtkSpinner       *spinner;
  RefractSparkline *sparkline;
};

G_DEFINE_FINAL_TYPE (RefractSidebarRow, refract_sidebar_row, GTK_TYPE_WIDGET)

static char *
connection_subtitle (RefractConnection *connection)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (connection)));

  switch (refract_connection_get_state (connection))
    {
    case REFRACT_CONNECTION_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case REFRACT_CONNECTION_STATE_FAILED:
      return g_strdup (_("Could not connect"));
    case REFRACT_CONNECTION_STATE_DISCONNECTED:
      return g_strdup (refract_connection_get_error (connection) ? _("Connection lost, reconnecting…")
                                                                 : _("Not connected"));
    case REFRACT_CONNECTION_STATE_CONNECTED:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u machine", "%u machines", n), n);
    }
}

static void
update_connection (RefractSidebarRow *self, RefractConnection *connection)
{
  RefractConnectionState state = refract_connection_get_state (connection);
  g_autofree char *subtitle = connection_subtitle (connection);
  const char *icon = refract_connection_get_is_demo (connection) ? "applications-science-symbolic"
                     : state == REFRACT_CONNECTION_STATE_FAILED ? "dialog-warning-symbolic"
                     : "network-server-symbolic";

  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_label_set_label (self->title, refract_connection_get_display_name (connection));
  gtk_label_set_label (self->subtitle, subtitle);
  /* No spinner while connecting: opening a big host keeps a core busy, and an
   * animation competing for it makes the list arrive later. */
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->sparkline), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "connection");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "machine");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  refract_connection_get_display_name (connection),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);
}

static void
update_machine (RefractSidebarRow *self, RefractMachine *machine)
{
  RefractMachineState state = refract_machine_get_state (machine);
  g_autofree char *state_text = refract_machine_dup_state_text (machine);
  gboolean busy = refract_machine_get_busy (machine);

  gtk_image_set_from_icon_name (self->icon, refract_machine_state_icon_name (state));
  gtk_label_set_label (self->title, refract_machine_get_display_name (machine));
  gtk_label_set_label (self->subtitle, state_text);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->sparkline), refract_machine_is_active (machine));
  gtk_widget_remove_css_class (GTK_WIDGET (self), "connection");
  gtk_widget_add_css_class (GTK_WIDGET (self), "machine");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  refract_machine_get_display_name (machine),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, state_text, -1);
}

static void
update (RefractSidebarRow *self)
{
  if (REFRACT_IS_CONNECTION (self->item))
    update_connection (self, REFRACT_CONNECTION (self->item));
  else if (REFRACT_IS_MACHINE (self->item))
    update_machine (self, REFRACT_MACHINE (self->item));
}

static void
machines_changed (RefractSidebarRow *self)
{
  if (REFRACT_IS_CONNECTION (self->item))
    update (self);
}

void
refract_sidebar_row_set_item (RefractSidebarRow *self,
                              GObject           *item)
{
  g_return_if_fail (REFRACT_IS_SIDEBAR_ROW (self));

  if (self->item == item)
    return;
  if (REFRACT_IS_CONNECTION (self->item))
    g_signal_handlers_disconnect_by_func (refract_connection_get_machines (REFRACT_CONNECTION (self->item)),
                                          machines_changed, self);
  g_set_object (&self->item, item);
  g_signal_group_set_target (self->signals, item);
  refract_sparkline_set_machine (self->sparkline, REFRACT_IS_MACHINE (item) ? REFRACT_MACHINE (item) : NULL);
  if (REFRACT_IS_CONNECTION (item))
    g_signal_connect_object (refract_connection_get_machines (REFRACT_CONNECTION (item)),
                             "notify::n-items", G_CALLBACK (machines_changed), self,
                             G_CONNECT_SWAPPED);
  update (self);
}

GObject *
refract_sidebar_row_get_item (RefractSidebarRow *self)
{
  return self->item;
}

static void
refract_sidebar_row_dispose (GObject *object)
{
  RefractSidebarRow *self = (RefractSidebarRow *)object;
  GtkWidget *child;

  if (REFRACT_IS_CONNECTION (self->item))
    g_signal_handlers_disconnect_by_func (refract_connection_get_machines (REFRACT_CONNECTION (self->item)),
                                          machines_changed, self);
  g_clear_object (&self->item);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_SIDEBAR_ROW);
  /* the template's box of labels has no id, so the above leaves it */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->signals);

  G_OBJECT_CLASS (refract_sidebar_row_parent_class)->dispose (object);
}

static void
refract_sidebar_row_class_init (RefractSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_sidebar_row_dispose;

  g_type_ensure (REFRACT_TYPE_SPARKLINE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-sidebar-row.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractSidebarRow, icon);
  gtk_widget_class_bind_template_child (widget_class, RefractSidebarRow, title);
  gtk_widget_class_bind_template_child (widget_class, RefractSidebarRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, RefractSidebarRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, RefractSidebarRow, sparkline);
  gtk_widget_class_set_css_name (widget_class, "sidebarrow");
}

static void
refract_sidebar_row_init (RefractSidebarRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->signals = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_swapped (self->signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::display-name", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::state-reason", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::has-managed-save", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->signals, "notify::error", G_CALLBACK (update), self);
}

GtkWidget *
refract_sidebar_row_new (void)
{
  return g_object_new (REFRACT_TYPE_SIDEBAR_ROW, NULL);
}
