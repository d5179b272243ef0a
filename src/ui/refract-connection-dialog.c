/* refract-connection-dialog.c: pick system, session, SSH or a custom URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-connection-dialog.h"
#include "refract-window.h"

enum {
  KIND_SYSTEM,
  KIND_SESSION,
  KIND_SSH,
  KIND_CUSTOM,
};

struct _RefractConnectionDialog
{
  AdwWindow           parent_instance;

  RefractApplication *app;
  RefractConnection  *pending;
  gboolean            pending_is_new;

  AdwComboRow        *kind_row;
  GtkWidget          *ssh_group;
  GtkWidget          *uri_group;
  AdwEntryRow        *user_row;
  AdwEntryRow        *host_row;
  GtkSwitch          *remote_session_switch;
  AdwEntryRow        *uri_row;
  GtkSwitch          *autoconnect_switch;
  GtkLabel           *uri_label;
  GtkLabel           *message_label;
  GtkSpinner         *spinner;
};

G_DEFINE_FINAL_TYPE (RefractConnectionDialog, refract_connection_dialog, ADW_TYPE_WINDOW)

char *
refract_connection_dialog_dup_uri (RefractConnectionDialog  *self,
                                   GError                  **error)
{
  g_autofree char *uri = NULL;

  switch (adw_combo_row_get_selected (self->kind_row))
    {
    case KIND_SYSTEM:
      return g_strdup ("qemu:///system");
    case KIND_SESSION:
      return g_strdup ("qemu:///session");
    case KIND_SSH:
      return refract_uri_build_ssh (gtk_editable_get_text (GTK_EDITABLE (self->user_row)),
                                    gtk_editable_get_text (GTK_EDITABLE (self->host_row)),
                                    gtk_switch_get_active (self->remote_session_switch), error);
    case KIND_CUSTOM:
    default:
      uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->uri_row))));
      if (!refract_uri_validate (uri, error))
        return NULL;
      return g_steal_pointer (&uri);
    }
}

static void
set_message (RefractConnectionDialog *self, const char *message)
{
  gtk_label_set_label (self->message_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && *message);
}

static void
set_row_error (AdwEntryRow *row, gboolean error)
{
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
fields_changed_cb (RefractConnectionDialog *self)
{
  guint kind = adw_combo_row_get_selected (self->kind_row);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  gboolean empty_input;

  gtk_widget_set_visible (self->ssh_group, kind == KIND_SSH);
  gtk_widget_set_visible (self->uri_group, kind == KIND_CUSTOM);
  if (self->pending != NULL)
    return;

  uri = refract_connection_dialog_dup_uri (self, &error);
  empty_input = (kind == KIND_SSH && *gtk_editable_get_text (GTK_EDITABLE (self->host_row)) == '\0')
                || (kind == KIND_CUSTOM && *gtk_editable_get_text (GTK_EDITABLE (self->uri_row)) == '\0');

  if (uri != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Address: %s"), uri);
      gtk_label_set_label (self->uri_label, text);
    }
  else
    gtk_label_set_label (self->uri_label, "");

  set_message (self, empty_input ? NULL : error ? error->message : NULL);
  set_row_error (self->host_row, kind == KIND_SSH && error != NULL && !empty_input);
  set_row_error (self->uri_row, kind == KIND_CUSTOM && error != NULL && !empty_input);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", uri != NULL);
}

static void
set_busy (RefractConnectionDialog *self, gboolean busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), !busy);
  gtk_widget_set_sensitive (self->ssh_group, !busy);
  gtk_widget_set_sensitive (self->uri_group, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.connect", !busy);
}

static void
opened (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(RefractConnectionDialog) self = user_data;
  RefractConnection *connection = REFRACT_CONNECTION (object);
  RefractConnectionList *list = refract_application_get_connections (self->app);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  const char *uri = refract_connection_get_uri (connection);
  g_autoptr(GError) error = NULL;

  if (self->pending != connection)
    return;
  g_clear_object (&self->pending);
  set_busy (self, FALSE);

  if (!refract_connection_open_finish (connection, result, &error))
    {
      const char *remedy = refract_error_get_remedy (error);
      g_autofree char *text = remedy ? g_strdup_printf ("%s\n%s", error->message, remedy)
                                     : g_strdup (error->message);

      /* a failed attempt leaves nothing behind in the sidebar */
      if (self->pending_is_new)
        refract_connection_list_remove (list, connection);
      set_message (self, text);
      return;
    }

  refract_connection_list_add (list, uri, TRUE);
  refract_connection_list_set_autoconnect (list, uri, gtk_switch_get_active (self->autoconnect_switch));
  if (REFRACT_IS_WINDOW (parent))
    refract_window_open_connection (REFRACT_WINDOW (parent), connection, NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  RefractConnectionDialog *self = REFRACT_CONNECTION_DIALOG (widget);
  RefractConnectionList *list = refract_application_get_connections (self->app);
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = refract_connection_dialog_dup_uri (self, &error);

  if (uri == NULL)
    {
      set_message (self, error->message);
      return;
    }

  self->pending_is_new = refract_connection_list_find (list, uri) == NULL;
  self->pending = g_object_ref (refract_connection_list_add (list, uri, FALSE));
  set_message (self, NULL);
  set_busy (self, TRUE);
  refract_connection_open_async (self->pending, NULL, opened, g_object_ref (self));
}

void
refract_connection_dialog_set_kind (RefractConnectionDialog *self,
                                    guint                    kind)
{
  adw_combo_row_set_selected (self->kind_row, kind);
}

void
refract_connection_dialog_set_fields (RefractConnectionDialog *self,
                                      const char              *user,
                                      const char              *host,
                                      const char              *uri)
{
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user ? user : "");
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host ? host : "");
  gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri ? uri : "");
}

const char *
refract_connection_dialog_get_message (RefractConnectionDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->message_label))
         ? gtk_label_get_label (self->message_label) : NULL;
}

static void
refract_connection_dialog_dispose (GObject *object)
{
  RefractConnectionDialog *self = (RefractConnectionDialog *)object;

  g_clear_object (&self->pending);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_CONNECTION_DIALOG);
  G_OBJECT_CLASS (refract_connection_dialog_parent_class)->dispose (object);
}

static void
refract_connection_dialog_class_init (RefractConnectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_connection_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-connection-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, ssh_group);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, uri_group);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, remote_session_switch);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, uri_row);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, autoconnect_switch);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, uri_label);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, RefractConnectionDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.connect", NULL, connect_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
refract_connection_dialog_init (RefractConnectionDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  fields_changed_cb (self);
}

RefractConnectionDialog *
refract_connection_dialog_new (RefractApplication *app)
{
  RefractConnectionDialog *self = g_object_new (REFRACT_TYPE_CONNECTION_DIALOG, NULL);

  self->app = app;
  return self;
}
