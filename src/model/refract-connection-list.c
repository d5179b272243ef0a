/* refract-connection-list.c: the connections in the sidebar, saved in GSettings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-connection-list.h"

struct _RefractConnectionList
{
  GObject    parent_instance;
  GPtrArray *items;
  GSettings *settings;
};

static GType
list_get_item_type (GListModel *model)
{
  return REFRACT_TYPE_CONNECTION;
}

static guint
list_get_n_items (GListModel *model)
{
  return REFRACT_CONNECTION_LIST (model)->items->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  RefractConnectionList *self = REFRACT_CONNECTION_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (RefractConnectionList, refract_connection_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
refract_connection_list_dispose (GObject *object)
{
  RefractConnectionList *self = (RefractConnectionList *)object;

  if (self->items != NULL)
    for (guint i = 0; i < self->items->len; i++)
      refract_connection_close (g_ptr_array_index (self->items, i));
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (refract_connection_list_parent_class)->dispose (object);
}

static void
refract_connection_list_class_init (RefractConnectionListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = refract_connection_list_dispose;
}

static void
refract_connection_list_init (RefractConnectionList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/* @settings may be NULL: nothing is remembered then. */
RefractConnectionList *
refract_connection_list_new (GSettings *settings)
{
  RefractConnectionList *self = g_object_new (REFRACT_TYPE_CONNECTION_LIST, NULL);

  g_set_object (&self->settings, settings);
  return self;
}

RefractConnection *
refract_connection_list_find (RefractConnectionList *self,
                              const char            *uri)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION_LIST (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      RefractConnection *connection = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (refract_connection_get_uri (connection), uri) == 0)
        return connection;
    }
  return NULL;
}

static void
strv_setting_change (GSettings *settings, const char *key, const char *uri, gboolean present)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;

  if (settings == NULL)
    return;
  old = g_settings_get_strv (settings, key);
  if (present == g_strv_contains ((const char * const *) old, uri))
    return;

  builder = g_strv_builder_new ();
  for (guint i = 0; old[i]; i++)
    if (g_strcmp0 (old[i], uri) != 0)
      g_strv_builder_add (builder, old[i]);
  if (present)
    g_strv_builder_add (builder, uri);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (settings, key, (const char * const *) updated);
}

static RefractConnection *
append (RefractConnectionList *self, const char *uri)
{
  RefractConnection *connection = refract_connection_new (uri);

  g_ptr_array_add (self->items, connection);
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
  return connection;
}

/* Adds @uri (or returns the connection already there); with @remember it is
 * saved and opened on the next start too. */
RefractConnection *
refract_connection_list_add (RefractConnectionList *self,
                             const char            *uri,
                             gboolean               remember)
{
  RefractConnection *connection;

  g_return_val_if_fail (REFRACT_IS_CONNECTION_LIST (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  if ((connection = refract_connection_list_find (self, uri)) == NULL)
    connection = append (self, uri);
  if (remember && !refract_connection_get_is_demo (connection))
    {
      strv_setting_change (self->settings, "connections", uri, TRUE);
      strv_setting_change (self->settings, "autoconnect", uri, TRUE);
    }
  return connection;
}

char *
refract_demo_node_path (void)
{
  const char *env = g_getenv ("REFRACT_DEMO_NODE");

  if (env != NULL && *env)
    return g_strdup (env);
  if (g_file_test (DEMO_NODE_INSTALLED, G_FILE_TEST_EXISTS))
    return g_strdup (DEMO_NODE_INSTALLED);
  return g_strdup (DEMO_NODE_SOURCE);
}

char *
refract_demo_uri (void)
{
  g_autofree char *path = refract_demo_node_path ();

  return g_strconcat ("test://", path, NULL);
}

RefractConnection *
refract_connection_list_add_demo (RefractConnectionList *self)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = refract_connection_list_find (self, uri);

  if (connection == NULL)
    {
      connection = refract_connection_new (uri);
      refract_connection_set_is_demo (connection, TRUE);
      g_ptr_array_add (self->items, connection);
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
    }
  return connection;
}

void
refract_connection_list_remove (RefractConnectionList *self,
                                RefractConnection     *connection)
{
  guint position;

  g_return_if_fail (REFRACT_IS_CONNECTION_LIST (self));

  if (!g_ptr_array_find (self->items, connection, &position))
    return;
  strv_setting_change (self->settings, "connections", refract_connection_get_uri (connection), FALSE);
  strv_setting_change (self->settings, "autoconnect", refract_connection_get_uri (connection), FALSE);
  refract_connection_close (connection);
  g_ptr_array_remove_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

gboolean
refract_connection_list_get_autoconnect (RefractConnectionList *self,
                                         const char            *uri)
{
  g_auto(GStrv) uris = NULL;

  if (self->settings == NULL)
    return FALSE;
  uris = g_settings_get_strv (self->settings, "autoconnect");
  return g_strv_contains ((const char * const *) uris, uri);
}

void
refract_connection_list_set_autoconnect (RefractConnectionList *self,
                                         const char            *uri,
                                         gboolean               autoconnect)
{
  strv_setting_change (self->settings, "autoconnect", uri, autoconnect);
}

/* Adds every saved connection and opens those marked for start-up. */
void
refract_connection_list_load_saved (RefractConnectionList *self)
{
  g_auto(GStrv) uris = NULL;

  g_return_if_fail (REFRACT_IS_CONNECTION_LIST (self));

  if (self->settings == NULL)
    return;
  uris = g_settings_get_strv (self->settings, "connections");
  for (guint i = 0; uris[i]; i++)
    {
      RefractConnection *connection = refract_connection_list_add (self, uris[i], FALSE);

      if (refract_connection_list_get_autoconnect (self, uris[i]))
        refract_connection_open_async (connection, NULL, NULL, NULL);
    }
}

/* ---- first start: system, then session, then the demo host ------------- */

static const char * const first_start_uris[] = { "qemu:///system", "qemu:///session", NULL };

typedef struct
{
  guint   index;
  GError *first_error;
} Startup;

static void
startup_free (Startup *startup)
{
  g_clear_error (&startup->first_error);
  g_free (startup);
}

static void try_next (GTask *task);

static void
try_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefractConnectionList *self = g_task_get_source_object (task);
  Startup *startup = g_task_get_task_data (task);
  RefractConnection *connection = REFRACT_CONNECTION (object);
  g_autoptr(GError) error = NULL;

  if (refract_connection_open_finish (connection, result, &error))
    {
      refract_connection_list_add (self, refract_connection_get_uri (connection), TRUE);
      if (self->settings != NULL)
        g_settings_set_boolean (self->settings, "first-run-done", TRUE);
      g_object_set_data_full (G_OBJECT (task), "reason",
                              g_steal_pointer (&startup->first_error), (GDestroyNotify) g_error_free);
      g_task_return_pointer (task, g_object_ref (connection), g_object_unref);
      return;
    }

  if (startup->first_error == NULL)
    startup->first_error = g_steal_pointer (&error);
  refract_connection_list_remove (self, connection);
  startup->index++;
  try_next (g_steal_pointer (&task));
}

static void
try_next (GTask *task)
{
  RefractConnectionList *self = g_task_get_source_object (task);
  Startup *startup = g_task_get_task_data (task);
  RefractConnection *connection;

  if (first_start_uris[startup->index] == NULL)
    {
      connection = refract_connection_list_add_demo (self);
      refract_connection_open_async (connection, NULL, NULL, NULL);
      g_object_set_data_full (G_OBJECT (task), "reason",
                              g_steal_pointer (&startup->first_error), (GDestroyNotify) g_error_free);
      g_task_return_pointer (task, g_object_ref (connection), g_object_unref);
      g_object_unref (task);
      return;
    }

  connection = append (self, first_start_uris[startup->index]);
  refract_connection_open_async (connection, g_task_get_cancellable (task), try_done, task);
}

/* On first start, looks for a local libvirt (system, then session) and falls
 * back to the demo host; later starts open the saved connections. Returns the
 * connection to show, and in @fallback_reason why the first choice failed. */
void
refract_connection_list_startup_async (RefractConnectionList *self,
                                       GCancellable          *cancellable,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data)
{
  GTask *task;

  g_return_if_fail (REFRACT_IS_CONNECTION_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_connection_list_startup_async);
  g_task_set_task_data (task, g_new0 (Startup, 1), (GDestroyNotify) startup_free);

  if (self->settings != NULL && g_settings_get_boolean (self->settings, "first-run-done"))
    {
      refract_connection_list_load_saved (self);
      g_task_return_pointer (task, self->items->len ? g_object_ref (self->items->pdata[0]) : NULL,
                             g_object_unref);
      g_object_unref (task);
      return;
    }
  try_next (task);
}

RefractConnection *
refract_connection_list_startup_finish (RefractConnectionList  *self,
                                        GAsyncResult           *result,
                                        GError                **fallback_reason)
{
  GError *reason;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  reason = g_object_get_data (G_OBJECT (result), "reason");
  if (reason != NULL && fallback_reason != NULL)
    *fallback_reason = g_error_copy (reason);
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
