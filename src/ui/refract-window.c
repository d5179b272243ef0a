/* refract-window.c: the sidebar of connections and machines, and the content
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-connection-dialog.h"
#include "refract-drafts.h"
#include "refract-machine-page.h"
#include "refract-model-error.h"
#include "refract-new-machine-dialog.h"
#include "refract-sidebar-row.h"
#include "refract-window-private.h"

struct _RefractWindow
{
  AdwApplicationWindow  parent_instance;

  RefractApplication   *app;
  GSettings            *settings;
  GtkTreeListModel     *tree;
  GtkSingleSelection   *selection;
  GtkCustomSorter      *sorter;
  GtkCustomFilter      *filter;
  char                 *search;
  RefractSortKey        sort_key;
  GSignalGroup         *connection_signals;
  RefractMachine       *shown_machine;
  RefractConnection    *shown_connection;
  char                 *pending_machine;   /* select once its connection lists it */
  gboolean              pending_console;   /* and open its Console tab */
  char                 *banner_action;
  gboolean              quiet_selection;   /* selected for the user, not by them */
  RefractConnection    *new_connection;    /* a machine just created there, */
  char                 *new_uuid;          /* to select once the list has it */
  guint                 new_idle;
  gboolean              discarding;        /* closing without asking again */
  gboolean              quit_after_close;  /* the close was app.quit's */
  GtkWidget            *discard_dialog;

  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *banner;
  GtkLabel             *banner_label;
  GtkButton            *banner_button;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *sidebar_stack;
  GtkListView          *list_view;
  AdwWindowTitle       *content_title;
  GtkStack             *content_stack;
  AdwStatusPage        *connection_page;
  GtkWidget            *retry_button;
  GtkWidget            *remove_button;
  GtkWidget            *create_button;
  GtkWidget            *new_machine_button;
  RefractMachinePage   *machine_page;
};

G_DEFINE_FINAL_TYPE (RefractWindow, refract_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_content (RefractWindow *self);
static void update_sidebar_stack (RefractWindow *self);
static void machines_changed (RefractWindow *self);
static void update_new_machine_action (RefractWindow *self);
static void row_released (GtkGestureClick *gesture,
                          int              n_press,
                          double           x,
                          double           y,
                          RefractWindow   *self);

/* ---- sorting and filtering ------------------------------------------------ */

static int
compare_machines (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  RefractWindow *self = user_data;

  return refract_machine_compare ((RefractMachine *) a, (RefractMachine *) b, self->sort_key);
}

static gboolean
match_machine (gpointer item,
               gpointer user_data)
{
  RefractWindow *self = user_data;

  return refract_machine_matches (item, self->search);
}

static void
machine_state_changed (RefractWindow *self)
{
  if (self->sort_key == REFRACT_SORT_BY_STATE)
    gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  RefractWindow *self = user_data;
  RefractMachineList *machines;
  GtkSortListModel *sorted;
  GtkFilterListModel *filtered;

  if (!REFRACT_IS_CONNECTION (item))
    return NULL;

  machines = refract_connection_get_machines (item);
  if (g_object_get_data (G_OBJECT (machines), "refract-window-watch") == NULL)
    {
      g_signal_connect_object (machines, "machine-state-changed", G_CALLBACK (machine_state_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (machines, "items-changed", G_CALLBACK (machines_changed),
                               self, G_CONNECT_SWAPPED);
      g_object_set_data (G_OBJECT (machines), "refract-window-watch", GINT_TO_POINTER (1));
    }
  sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (machines)),
                                    g_object_ref (GTK_SORTER (self->sorter)));
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (sorted), g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (filtered, "items-changed", G_CALLBACK (update_sidebar_stack), self,
                           G_CONNECT_SWAPPED);
  return G_LIST_MODEL (filtered);
}

static void
search_changed_cb (RefractWindow  *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  g_free (self->search);
  self->search = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_sidebar_stack (self);
}

static void
stop_search_cb (RefractWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
sort_key_changed (RefractWindow *self)
{
  self->sort_key = g_settings_get_enum (self->settings, "sort-key");
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

/* ---- list rows ------------------------------------------------------------ */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkWidget *row = refract_sidebar_row_new ();

  g_signal_connect (click, "released", G_CALLBACK (row_released), user_data);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_hexpand (row, TRUE);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), row);
  gtk_list_item_set_child (item, expander);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GtkTreeExpander *expander = GTK_TREE_EXPANDER (gtk_list_item_get_child (item));
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_tree_expander_get_child (expander);
  g_autoptr(GObject) row_item = gtk_tree_list_row_get_item (row);

  gtk_tree_expander_set_list_row (expander, row);
  refract_sidebar_row_set_item (REFRACT_SIDEBAR_ROW (child), row_item);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkTreeExpander *expander = GTK_TREE_EXPANDER (gtk_list_item_get_child (item));

  /* Not gtk_tree_expander_set_list_row (NULL): GTK 4.8 then rebuilds the indent
   * widgets on every rebind, 9 % of the time spent scrolling 10,000 rows. */
  refract_sidebar_row_set_item (REFRACT_SIDEBAR_ROW (gtk_tree_expander_get_child (expander)), NULL);
}

/* ---- content -------------------------------------------------------------- */

static GObject *
selected_item (RefractWindow *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->selection);
  g_autoptr(GObject) item = row ? gtk_tree_list_row_get_item (row) : NULL;

  /* get_item() gives a reference; the selected row keeps one of its own */
  return item;
}

static void
update_connection_page (RefractWindow *self, RefractConnection *connection)
{
  const GError *error = refract_connection_get_error (connection);
  RefractConnectionState state = refract_connection_get_state (connection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (connection)));
  g_autofree char *description = NULL;
  const char *title = refract_connection_get_display_name (connection);
  const char *icon = "network-server-symbolic";

  switch (state)
    {
    case REFRACT_CONNECTION_STATE_CONNECTING:
      description = g_strdup (_("Connecting…"));
      break;
    case REFRACT_CONNECTION_STATE_FAILED:
      title = error ? error->message : title;
      description = g_strdup (refract_error_get_remedy (error));
      icon = "dialog-warning-symbolic";
      break;
    case REFRACT_CONNECTION_STATE_DISCONNECTED:
      title = error ? error->message : title;
      description = error ? g_strdup_printf (_("Reconnecting by itself; next try in %u s."),
                                             refract_connection_get_retry_seconds (connection))
                          : g_strdup (_("Not connected."));
      icon = "network-offline-symbolic";
      break;
    case REFRACT_CONNECTION_STATE_CONNECTED:
    default:
      description = n == 0 ? g_strdup (_("This host has no virtual machines yet."))
                           : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "%u virtual machine. Pick one in the list.",
                                                           "%u virtual machines. Pick one in the list.", n), n);
      break;
    }

  adw_status_page_set_icon_name (self->connection_page, icon);
  adw_status_page_set_title (self->connection_page, title);
  if (description != NULL)
    {
      /* the description is markup; libvirt messages are not */
      g_autofree char *escaped = g_markup_escape_text (description, -1);
      adw_status_page_set_description (self->connection_page, escaped);
    }
  else
    adw_status_page_set_description (self->connection_page, NULL);
  gtk_widget_set_visible (self->retry_button, state == REFRACT_CONNECTION_STATE_FAILED
                                              || state == REFRACT_CONNECTION_STATE_DISCONNECTED);
  gtk_button_set_label (GTK_BUTTON (self->retry_button),
                        state == REFRACT_CONNECTION_STATE_FAILED ? _("_Try Again") : _("_Reconnect Now"));
  gtk_widget_set_visible (self->remove_button, state != REFRACT_CONNECTION_STATE_CONNECTING);
  gtk_widget_set_visible (self->create_button, state == REFRACT_CONNECTION_STATE_CONNECTED && n == 0);
  adw_window_title_set_title (self->content_title, refract_connection_get_display_name (connection));
  adw_window_title_set_subtitle (self->content_title, NULL);
}

static void
machine_vanished (RefractWindow *self)
{
  g_autofree char *text = NULL;

  if (!refract_machine_get_busy (self->shown_machine))
    {
      text = g_strdup_printf (_("“%s” was removed by another program"),
                              refract_machine_get_display_name (self->shown_machine));
      refract_window_show_toast (self, text);
    }
  g_clear_object (&self->shown_machine);
}

static void
update_content (RefractWindow *self)
{
  GObject *item = selected_item (self);
  RefractConnection *connection = NULL;

  if (self->shown_machine != NULL
      && (refract_machine_get_connection (self->shown_machine) == NULL
          || refract_machine_list_find_by_uuid (refract_connection_get_machines (refract_machine_get_connection (self->shown_machine)),
                                                refract_machine_get_uuid (self->shown_machine)) == NULL))
    machine_vanished (self);

  if (REFRACT_IS_MACHINE (item))
    {
      g_set_object (&self->shown_machine, REFRACT_MACHINE (item));
      refract_machine_page_set_machine (self->machine_page, REFRACT_MACHINE (item));
      adw_window_title_set_title (self->content_title, refract_machine_get_display_name (REFRACT_MACHINE (item)));
      connection = refract_machine_get_connection (REFRACT_MACHINE (item));
      adw_window_title_set_subtitle (self->content_title,
                                     connection ? refract_connection_get_display_name (connection) : NULL);
      gtk_stack_set_visible_child_name (self->content_stack, "machine");
    }
  else
    {
      g_clear_object (&self->shown_machine);
      refract_machine_page_set_machine (self->machine_page, NULL);
      if (REFRACT_IS_CONNECTION (item))
        {
          connection = REFRACT_CONNECTION (item);
          update_connection_page (self, connection);
          gtk_stack_set_visible_child_name (self->content_stack, "connection");
        }
      else
        {
          adw_window_title_set_title (self->content_title, NULL);
          adw_window_title_set_subtitle (self->content_title, NULL);
          gtk_stack_set_visible_child_name (self->content_stack, "nothing");
        }
    }
  if (connection != self->shown_connection)
    {
      self->shown_connection = connection;
      g_signal_group_set_target (self->connection_signals, connection);
    }
  update_new_machine_action (self);
}

/* Folded, goes from the list to the page of what is selected. Side by side
 * there is nowhere to go, and navigating would move the keyboard focus out of
 * the list, into the page (selecting the machine's name). */
static void
show_content (RefractWindow *self)
{
  if (selected_item (self) != NULL && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
selection_changed (RefractWindow *self)
{
  update_content (self);
  if (!self->quiet_selection)
    show_content (self);
}

/* A row picked again after going back to the list does not change the
 * selection: a click or Enter on the selected row shows its page again. */
static void
row_released (GtkGestureClick *gesture,
              int              n_press,
              double           x,
              double           y,
              RefractWindow   *self)
{
  GtkWidget *expander = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkTreeListRow *row = gtk_tree_expander_get_list_row (GTK_TREE_EXPANDER (expander));
  g_autoptr(GObject) item = row ? gtk_tree_list_row_get_item (row) : NULL;

  if (item != NULL && item == selected_item (self))
    show_content (self);
}

static void
row_activated (RefractWindow *self)
{
  show_content (self);
}

static void
update_sidebar_stack (RefractWindow *self)
{
  guint n_connections = g_list_model_get_n_items (G_LIST_MODEL (refract_application_get_connections (self->app)));
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->tree));
  const char *name = "list";

  if (n_connections == 0)
    name = "no-connections";
  else if (self->search && *self->search && n_rows == n_connections)
    name = "no-results";
  gtk_stack_set_visible_child_name (self->sidebar_stack, name);
}

/* ---- selection by machine ------------------------------------------------- */

static gboolean
select_matching (RefractWindow *self, RefractMachine *machine, const char *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (!REFRACT_IS_MACHINE (item))
        continue;
      if ((machine != NULL && REFRACT_MACHINE (item) == machine)
          || (name != NULL && (g_strcmp0 (refract_machine_get_name (REFRACT_MACHINE (item)), name) == 0
                               || g_strcmp0 (refract_machine_get_title (REFRACT_MACHINE (item)), name) == 0)))
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
refract_window_select_machine_by_name (RefractWindow *self,
                                       const char    *name)
{
  g_return_val_if_fail (REFRACT_IS_WINDOW (self), FALSE);

  if (select_matching (self, NULL, name))
    {
      g_clear_pointer (&self->pending_machine, g_free);
      if (self->pending_console)
        refract_machine_page_show_console (self->machine_page);
      self->pending_console = FALSE;
      return TRUE;
    }
  g_free (self->pending_machine);
  self->pending_machine = g_strdup (name);
  return FALSE;
}

void
refract_window_select_machine (RefractWindow  *self,
                               RefractMachine *machine)
{
  g_return_if_fail (REFRACT_IS_WINDOW (self));
  select_matching (self, machine, NULL);
}

/* The machine the wizard just made reaches the list through libvirt's
 * lifecycle event, so it may not be there yet: then it is selected once the
 * list has it, after the sorted and filtered models took it in. */
static gboolean
select_new_machine (RefractWindow *self)
{
  RefractMachine *machine;

  if (self->new_uuid == NULL || self->new_connection == NULL)
    return FALSE;
  machine = refract_machine_list_find_by_uuid (refract_connection_get_machines (self->new_connection),
                                               self->new_uuid);
  if (machine == NULL || !select_matching (self, machine, NULL))
    return FALSE;
  refract_machine_page_show_console (self->machine_page);
  g_clear_pointer (&self->new_uuid, g_free);
  g_clear_object (&self->new_connection);
  return TRUE;
}

static gboolean
select_new_machine_idle (gpointer user_data)
{
  RefractWindow *self = user_data;

  self->new_idle = 0;
  select_new_machine (self);
  return G_SOURCE_REMOVE;
}

static void
machines_changed (RefractWindow *self)
{
  update_content (self);
  if (self->new_uuid != NULL && self->new_idle == 0)
    self->new_idle = g_idle_add (select_new_machine_idle, self);
}

/* Selects the machine @uuid of @connection, now or once it is listed, and
 * opens its console (as refract --show-console does). */
void
refract_window_show_new_machine (RefractWindow     *self,
                                 RefractConnection *connection,
                                 const char        *uuid)
{
  g_return_if_fail (REFRACT_IS_WINDOW (self));
  g_return_if_fail (REFRACT_IS_CONNECTION (connection));
  g_return_if_fail (uuid != NULL);

  g_set_object (&self->new_connection, connection);
  g_free (self->new_uuid);
  self->new_uuid = g_strdup (uuid);
  /* a search that hides the new machine would hide it from its creator */
  if (*self->search != '\0')
    stop_search_cb (self);
  if (!select_new_machine (self) && self->new_idle == 0)
    self->new_idle = g_idle_add (select_new_machine_idle, self);
}

RefractMachine *
refract_window_get_selected_machine (RefractWindow *self)
{
  GObject *item = selected_item (self);

  return REFRACT_IS_MACHINE (item) ? REFRACT_MACHINE (item) : NULL;
}

static void
select_connection (RefractWindow *self, RefractConnection *connection)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tree));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == (gpointer) connection)
        {
          /* the host's page shows beside the list; a folded window stays on the list */
          self->quiet_selection = TRUE;
          gtk_single_selection_set_selected (self->selection, i);
          self->quiet_selection = FALSE;
          return;
        }
    }
}

/* ---- opening connections -------------------------------------------------- */

static void
opened (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(RefractWindow) self = user_data;
  RefractConnection *connection = REFRACT_CONNECTION (object);
  g_autoptr(GError) error = NULL;

  if (!refract_connection_open_finish (connection, result, &error))
    {
      if (gtk_single_selection_get_selected_item (self->selection) == NULL)
        select_connection (self, connection);
      refract_window_show_error (self, error->message);
      return;
    }
  if (self->pending_machine != NULL)
    {
      if (!select_matching (self, NULL, self->pending_machine))
        {
          g_autofree char *text = g_strdup_printf (_("There is no machine called “%s” on %s"),
                                                   self->pending_machine,
                                                   refract_connection_get_display_name (connection));
          refract_window_show_error (self, text);
        }
      else if (self->pending_console)
        refract_machine_page_show_console (self->machine_page);
      g_clear_pointer (&self->pending_machine, g_free);
      self->pending_console = FALSE;
    }
  else if (gtk_single_selection_get_selected_item (self->selection) == NULL)
    select_connection (self, connection);
}

static void
show_demo_banner (RefractWindow *self, const GError *reason)
{
  g_autofree char *text = NULL;
  const char *demo = _("This is the demo host: its machines are simulated, and changes are lost "
                       "when Refract quits.");

  if (reason != NULL)
    text = g_strdup_printf ("%s. %s %s", reason->message,
                            refract_error_get_remedy (reason) ? refract_error_get_remedy (reason) : "",
                            demo);
  else
    text = g_strdup (demo);
  refract_window_show_banner (self, text, _("_Add Connection…"), "win.add-connection");
}

void
refract_window_open_connection (RefractWindow     *self,
                                RefractConnection *connection,
                                const char        *machine_name)
{
  g_return_if_fail (REFRACT_IS_WINDOW (self));

  if (machine_name != NULL)
    {
      g_free (self->pending_machine);
      self->pending_machine = g_strdup (machine_name);
    }
  if (refract_connection_get_is_demo (connection))
    show_demo_banner (self, NULL);
  refract_connection_open_async (connection, NULL, opened, g_object_ref (self));
}

void
refract_window_connect_uri (RefractWindow *self,
                            const char    *uri,
                            const char    *machine_name)
{
  RefractConnectionList *list = refract_application_get_connections (self->app);

  refract_window_open_connection (self, refract_connection_list_add (list, uri, FALSE), machine_name);
}

static void
startup_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RefractWindow) self = user_data;
  g_autoptr(GError) reason = NULL;
  g_autoptr(RefractConnection) connection =
    refract_connection_list_startup_finish (REFRACT_CONNECTION_LIST (object), result, &reason);

  if (connection == NULL)
    return;
  if (refract_connection_get_is_demo (connection))
    {
      show_demo_banner (self, reason);
      refract_connection_open_async (connection, NULL, opened, g_object_ref (self));
    }
  else
    {
      if (reason != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Connected to %s. The system connection failed: %s"),
                                                   refract_connection_get_display_name (connection),
                                                   reason->message);
          refract_window_show_banner (self, text, NULL, NULL);
        }
      refract_connection_open_async (connection, NULL, opened, g_object_ref (self));
    }
}

/* First start: look for libvirt, else the demo host; later: saved connections. */
void
refract_window_startup (RefractWindow *self)
{
  g_return_if_fail (REFRACT_IS_WINDOW (self));

  refract_connection_list_startup_async (refract_application_get_connections (self->app), NULL,
                                         startup_done, g_object_ref (self));
}

/* ---- feedback ------------------------------------------------------------- */

/* Toast titles are markup in libadwaita 1.2; machine names may contain '<' or '&'. */
static AdwToast *
plain_toast (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

void
refract_window_show_toast (RefractWindow *self,
                           const char    *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, plain_toast (text));
}

void
refract_window_show_error (RefractWindow *self,
                           const char    *text)
{
  AdwToast *toast = plain_toast (text);

  adw_toast_set_timeout (toast, 10);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
refract_window_toast_for (GtkWidget  *widget,
                          const char *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (widget, REFRACT_TYPE_WINDOW);

  if (window != NULL)
    refract_window_show_toast (REFRACT_WINDOW (window), text);
}

void
refract_window_error_for (GtkWidget    *widget,
                          const GError *error)
{
  GtkWidget *window = gtk_widget_get_ancestor (widget, REFRACT_TYPE_WINDOW);
  const char *remedy = refract_error_get_remedy (error);
  g_autofree char *text = remedy ? g_strdup_printf ("%s %s", error->message, remedy)
                                 : g_strdup (error->message);

  if (window != NULL)
    refract_window_show_error (REFRACT_WINDOW (window), text);
  else
    g_message ("%s", text);
}

void
refract_window_copy_for (GtkWidget  *widget,
                         const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  refract_window_toast_for (widget, _("Copied"));
}

/* libadwaita 1.2 has no AdwBanner; this revealer looks and acts like one. */
void
refract_window_show_banner (RefractWindow *self,
                            const char    *text,
                            const char    *button_label,
                            const char    *action_name)
{
  gtk_label_set_label (self->banner_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button_label != NULL);
  if (button_label != NULL)
    gtk_button_set_label (self->banner_button, button_label);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), action_name);
  gtk_revealer_set_reveal_child (self->banner, TRUE);
}

/* ---- actions -------------------------------------------------------------- */

static void
add_connection_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  RefractWindow *self = REFRACT_WINDOW (widget);
  RefractConnectionDialog *dialog = refract_connection_dialog_new (self->app);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The host a new machine goes to: the one on screen, else the first connected. */
static RefractConnection *
connection_for_new_machine (RefractWindow *self)
{
  GListModel *connections;

  if (self->shown_connection != NULL
      && refract_connection_get_state (self->shown_connection) == REFRACT_CONNECTION_STATE_CONNECTED)
    return self->shown_connection;
  if (self->app == NULL)
    return NULL;
  connections = G_LIST_MODEL (refract_application_get_connections (self->app));
  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(RefractConnection) connection = g_list_model_get_item (connections, i);

      if (refract_connection_get_state (connection) == REFRACT_CONNECTION_STATE_CONNECTED)
        return connection;
    }
  return NULL;
}

static void
update_new_machine_action (RefractWindow *self)
{
  gboolean possible = connection_for_new_machine (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-machine", possible);
  gtk_widget_set_tooltip_text (self->new_machine_button,
                               possible ? _("New Machine")
                                        : _("New Machine: connect to a host first"));
}

static void
watch_connections (RefractWindow *self)
{
  GListModel *connections = G_LIST_MODEL (refract_application_get_connections (self->app));

  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(RefractConnection) connection = g_list_model_get_item (connections, i);

      if (g_signal_handler_find (connection, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                 update_new_machine_action, self) == 0)
        g_signal_connect_object (connection, "notify::state", G_CALLBACK (update_new_machine_action), self,
                                 G_CONNECT_SWAPPED);
    }
  update_new_machine_action (self);
}

static void
new_machine_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  RefractWindow *self = REFRACT_WINDOW (widget);
  RefractConnection *connection = connection_for_new_machine (self);
  RefractNewMachineDialog *dialog;

  if (connection == NULL)
    return;
  dialog = refract_new_machine_dialog_new (self->app, connection);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RefractWindow *self = REFRACT_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  adw_leaflet_navigate (REFRACT_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  RefractWindow *self = REFRACT_WINDOW (widget);

  if (self->shown_connection != NULL)
    refract_window_open_connection (self, self->shown_connection, NULL);
}

static void
remove_connection_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  RefractWindow *self = REFRACT_WINDOW (widget);
  RefractConnection *connection = self->shown_connection;

  if (connection == NULL)
    return;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  refract_connection_list_remove (refract_application_get_connections (self->app), connection);
}

/* Selects @name and opens its console (refract --show-console). */
void
refract_window_show_console_by_name (RefractWindow *self,
                                     const char    *name)
{
  g_return_if_fail (REFRACT_IS_WINDOW (self));

  self->pending_console = TRUE;
  refract_window_select_machine_by_name (self, name);
}

static void
detach_console_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  RefractWindow *self = REFRACT_WINDOW (widget);

  if (self->shown_machine != NULL)
    {
      refract_machine_page_show_console (self->machine_page);
      refract_machine_page_detach_console (self->machine_page);
    }
}

static void
dismiss_banner_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  gtk_revealer_set_reveal_child (REFRACT_WINDOW (widget)->banner, FALSE);
}

static void
connection_state_changed (RefractWindow *self)
{
  update_content (self);
}

/* ---- GObject -------------------------------------------------------------- */

/* The application is set after construction, so this runs from _new(). */
static void
setup (RefractWindow      *self,
       RefractApplication *app)
{
  RefractConnectionList *connections;
  g_autoptr(GAction) sort_action = NULL;

  self->app = app;
  self->settings = g_object_ref (refract_application_get_settings (self->app));
  connections = refract_application_get_connections (self->app);

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  sort_action = g_settings_create_action (self->settings, "sort-key");
  g_action_map_add_action (G_ACTION_MAP (self), sort_action);
  self->sort_key = g_settings_get_enum (self->settings, "sort-key");
  g_signal_connect_object (self->settings, "changed::sort-key", G_CALLBACK (sort_key_changed), self,
                           G_CONNECT_SWAPPED);

  self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (connections)), FALSE, TRUE,
                                        create_child_model, self, NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selection_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tree, "items-changed", G_CALLBACK (update_sidebar_stack), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (connections, "items-changed", G_CALLBACK (watch_connections), self,
                           G_CONNECT_SWAPPED);
  watch_connections (self);
  update_sidebar_stack (self);
  update_content (self);
}

/* ---- closing with edits not applied --------------------------------------- */

/* The machines whose DSP or NETJACK settings were edited and not applied: the
 * one shown first, then those the pages kept when they went to another. */
static GPtrArray *
machines_with_changes (RefractWindow *self)
{
  GPtrArray *machines = refract_drafts_get_machines ();
  RefractMachine *shown = refract_machine_page_get_machine (self->machine_page);

  if (shown != NULL && refract_machine_page_get_modified (self->machine_page)
      && !g_ptr_array_find (machines, shown, NULL))
    g_ptr_array_insert (machines, 0, g_object_ref (shown));
  return machines;
}

static void
discard_response (AdwMessageDialog *dialog,
                  const char       *response,
                  RefractWindow    *self)
{
  gboolean quit = self->quit_after_close;

  self->discard_dialog = NULL;
  self->quit_after_close = FALSE;
  if (g_str_equal (response, "discard"))
    {
      refract_machine_page_discard_changes (self->machine_page);
      refract_drafts_clear ();
      self->discarding = TRUE;
      if (quit)
        g_action_group_activate_action (G_ACTION_GROUP (self->app), "quit", NULL);
      else
        gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_str_equal (response, "review"))
    {
      g_autoptr(GPtrArray) machines = machines_with_changes (self);

      if (machines->len > 0)
        {
          refract_window_select_machine (self, g_ptr_array_index (machines, 0));
          refract_machine_page_show_changes (self->machine_page);
        }
    }
}

/* Asks before closing when settings were edited and not applied; TRUE when
 * the window may close now. With @quit, discarding quits the application. */
gboolean
refract_window_confirm_close (RefractWindow *self,
                              gboolean       quit)
{
  g_autoptr(GPtrArray) machines = NULL;
  g_autoptr(GString) names = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_return_val_if_fail (REFRACT_IS_WINDOW (self), TRUE);

  if (self->discarding)
    return TRUE;
  if (self->discard_dialog != NULL)
    {
      self->quit_after_close |= quit;
      gtk_window_present (GTK_WINDOW (self->discard_dialog));
      return FALSE;
    }
  machines = machines_with_changes (self);
  if (machines->len == 0)
    return TRUE;

  names = g_string_new (NULL);
  for (guint i = 0; i < machines->len; i++)
    {
      /* Translators: a machine's name in a list of names */
      g_autofree char *quoted = g_strdup_printf (_("“%s”"),
                                                refract_machine_get_display_name (g_ptr_array_index (machines, i)));

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, quoted);
    }
  body = g_strdup_printf (_("The DSP or NETJACK settings of %s were changed and not applied. "
                            "Closing Refract discards the changes."), names->str);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard Changed Settings?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "review", _("_Review Changes"),
                                    "discard", _("_Discard and Close"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "review");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "review");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response), self, 0);
  self->discard_dialog = dialog;
  self->quit_after_close = quit;
  gtk_window_present (GTK_WINDOW (dialog));
  return FALSE;
}

static gboolean
refract_window_close_request (GtkWindow *window)
{
  if (!refract_window_confirm_close (REFRACT_WINDOW (window), FALSE))
    return TRUE;
  return GTK_WINDOW_CLASS (refract_window_parent_class)->close_request (window);
}

static void
refract_window_dispose (GObject *object)
{
  RefractWindow *self = (RefractWindow *)object;

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->sorter);
  g_clear_object (&self->filter);
  g_clear_object (&self->connection_signals);
  g_clear_object (&self->shown_machine);
  g_clear_object (&self->settings);
  g_clear_object (&self->new_connection);
  g_clear_handle_id (&self->new_idle, g_source_remove);
  self->shown_connection = NULL;

  G_OBJECT_CLASS (refract_window_parent_class)->dispose (object);
}

static void
refract_window_finalize (GObject *object)
{
  RefractWindow *self = (RefractWindow *)object;

  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->pending_machine, g_free);
  g_clear_pointer (&self->banner_action, g_free);
  g_clear_pointer (&self->new_uuid, g_free);

  G_OBJECT_CLASS (refract_window_parent_class)->finalize (object);
}

static void
refract_window_class_init (RefractWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_window_dispose;
  object_class->finalize = refract_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = refract_window_close_request;

  g_type_ensure (REFRACT_TYPE_MACHINE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, content);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, connection_page);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, create_button);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, new_machine_button);
  gtk_widget_class_bind_template_child (widget_class, RefractWindow, machine_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_install_action (widget_class, "win.add-connection", NULL, add_connection_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.new-machine", NULL, new_machine_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.remove-connection", NULL, remove_connection_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-banner", NULL, dismiss_banner_action);
  gtk_widget_class_install_action (widget_class, "win.detach-console", NULL, detach_console_action);
}

static void
refract_window_init (RefractWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->search = g_strdup ("");
  self->sorter = gtk_custom_sorter_new (compare_machines, self, NULL);
  self->filter = gtk_custom_filter_new (match_machine, self, NULL);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_signal_connect_swapped (self->list_view, "activate", G_CALLBACK (row_activated), self);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self->sidebar));

  self->connection_signals = g_signal_group_new (REFRACT_TYPE_CONNECTION);
  g_signal_group_connect_swapped (self->connection_signals, "notify::state",
                                  G_CALLBACK (connection_state_changed), self);
  g_signal_group_connect_swapped (self->connection_signals, "notify::error",
                                  G_CALLBACK (connection_state_changed), self);
}

RefractWindow *
refract_window_new (RefractApplication *application)
{
  RefractWindow *self = g_object_new (REFRACT_TYPE_WINDOW, "application", application, NULL);

  setup (self, application);
  return self;
}

/* ---- for tests ------------------------------------------------------------ */

GtkListView *
_refract_window_get_list_view (RefractWindow *self)
{
  return self->list_view;
}

RefractMachinePage *
_refract_window_get_machine_page (RefractWindow *self)
{
  return self->machine_page;
}

const char *
_refract_window_get_content_name (RefractWindow *self)
{
  return gtk_stack_get_visible_child_name (self->content_stack);
}

const char *
_refract_window_get_sidebar_name (RefractWindow *self)
{
  return gtk_stack_get_visible_child_name (self->sidebar_stack);
}

void
_refract_window_set_search (RefractWindow *self,
                            const char    *text)
{
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self, self->search_entry);
}

gboolean
_refract_window_banner_shown (RefractWindow *self)
{
  return gtk_revealer_get_reveal_child (self->banner);
}
