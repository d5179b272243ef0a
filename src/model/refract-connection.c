/* refract-connection.c: one libvirt URI, its events and its machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include "refract-connection-private.h"
#include "refract-machine-private.h"
#include "refract-model-error.h"
#include "refract-uri.h"

#define RETRY_MAX_SECONDS 15

struct _RefractConnection
{
  GObject                 parent_instance;

  char                   *uri;
  char                   *display_name;
  RefractConnectionState  state;
  GError                 *error;
  RefractMachineList     *machines;
  GList                  *waiters;      /* GTasks of open_async callers */
  GCancellable           *cancellable;
  GHashTable             *dirty;        /* uuids that had events while connecting */

  virConnectPtr           conn;
  GVirConnection         *gconn;
  struct _EventCtx       *event_ctx;
  int                     lifecycle_id;
  int                     metadata_id;

  guint                   retry_id;
  guint                   retry_seconds;
  guint                   ever_connected : 1;
  guint                   want_open : 1;
  guint                   is_demo : 1;
};

G_DEFINE_FINAL_TYPE (RefractConnection, refract_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_DISPLAY_NAME,
  PROP_STATE,
  PROP_ERROR,
  PROP_IS_DEMO,
  PROP_MACHINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void attempt_open (RefractConnection *self);

/* libvirt holds this, not the connection, so a late callback can't touch a
 * finalized object. */
typedef struct _EventCtx
{
  GWeakRef      self;
  virConnectPtr conn;
} EventCtx;

static void
event_ctx_free (gpointer data)
{
  EventCtx *ctx = data;

  g_weak_ref_clear (&ctx->self);
  g_free (ctx);
}

static void
set_state (RefractConnection *self, RefractConnectionState state, GError *error)
{
  gboolean error_changed = error != NULL || self->error != NULL;

  g_clear_error (&self->error);
  self->error = error;
  if (error_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

/* ---- teardown of a libvirt handle (in a thread: it may talk to a dead peer) */

typedef struct
{
  virConnectPtr   conn;
  GVirConnection *gconn;
  EventCtx       *ctx;
  int             lifecycle_id;
  int             metadata_id;
} Teardown;

static void
teardown_free (Teardown *td)
{
  g_clear_pointer (&td->ctx, event_ctx_free);
  g_free (td);
}

static void close_cb (virConnectPtr conn, int reason, void *opaque);

static void
teardown_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Teardown *td = task_data;

  if (td->lifecycle_id >= 0)
    virConnectDomainEventDeregisterAny (td->conn, td->lifecycle_id);
  if (td->metadata_id >= 0)
    virConnectDomainEventDeregisterAny (td->conn, td->metadata_id);
  virConnectUnregisterCloseCallback (td->conn, close_cb);
  g_clear_object (&td->gconn);
  virConnectClose (td->conn);
  virResetLastError ();
  g_task_return_boolean (task, TRUE);
}

/* Runs on the main thread, so no event callback can still be using the ctx. */
static void
teardown_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
}

static void
drop_handle (RefractConnection *self)
{
  g_autoptr(GTask) task = NULL;
  Teardown *td;

  if (self->conn == NULL)
    return;

  td = g_new0 (Teardown, 1);
  td->conn = g_steal_pointer (&self->conn);
  td->gconn = g_steal_pointer (&self->gconn);
  td->ctx = g_steal_pointer (&self->event_ctx);
  td->lifecycle_id = self->lifecycle_id;
  td->metadata_id = self->metadata_id;
  self->lifecycle_id = self->metadata_id = -1;

  task = g_task_new (NULL, NULL, teardown_done, NULL);
  g_task_set_source_tag (task, drop_handle);
  g_task_set_task_data (task, td, (GDestroyNotify) teardown_free);
  g_task_run_in_thread (task, teardown_thread);
}

static void
refract_connection_dispose (GObject *object)
{
  RefractConnection *self = (RefractConnection *)object;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->machines));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (G_LIST_MODEL (self->machines), i);
      _refract_machine_detach (machine);
    }
  drop_handle (self);

  G_OBJECT_CLASS (refract_connection_parent_class)->dispose (object);
}

static void
refract_connection_finalize (GObject *object)
{
  RefractConnection *self = (RefractConnection *)object;

  g_assert (self->waiters == NULL);
  g_clear_object (&self->machines);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->uri, g_free);
  g_clear_pointer (&self->display_name, g_free);

  G_OBJECT_CLASS (refract_connection_parent_class)->finalize (object);
}

static void
refract_connection_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RefractConnection *self = REFRACT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI: g_value_set_string (value, self->uri); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, refract_connection_get_display_name (self)); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_ERROR: g_value_set_boxed (value, self->error); break;
    case PROP_IS_DEMO: g_value_set_boolean (value, self->is_demo); break;
    case PROP_MACHINES: g_value_set_object (value, self->machines); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_connection_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  RefractConnection *self = REFRACT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_URI: self->uri = g_value_dup_string (value); break;
    case PROP_IS_DEMO: refract_connection_set_is_demo (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_connection_class_init (RefractConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = refract_connection_dispose;
  object_class->finalize = refract_connection_finalize;
  object_class->get_property = refract_connection_get_property;
  object_class->set_property = refract_connection_set_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, REFRACT_CONNECTION_STATE_FAILED,
                                             0, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_IS_DEMO] =
    g_param_spec_boolean ("is-demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MACHINES] = g_param_spec_object ("machines", NULL, NULL,
                                                   REFRACT_TYPE_MACHINE_LIST, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
refract_connection_init (RefractConnection *self)
{
  self->machines = refract_machine_list_new ();
  self->cancellable = g_cancellable_new ();
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->lifecycle_id = self->metadata_id = -1;
  self->retry_seconds = 1;
}

RefractConnection *
refract_connection_new (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return g_object_new (REFRACT_TYPE_CONNECTION, "uri", uri, NULL);
}

const char *
refract_connection_get_uri (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), NULL);
  return self->uri;
}

const char *
refract_connection_get_display_name (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), NULL);
  if (self->display_name == NULL)
    self->display_name = self->is_demo ? g_strdup (_("Demo Host")) : refract_uri_describe (self->uri);
  return self->display_name;
}

RefractConnectionState
refract_connection_get_state (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), 0);
  return self->state;
}

const GError *
refract_connection_get_error (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), NULL);
  return self->error;
}

gboolean
refract_connection_get_is_demo (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), FALSE);
  return self->is_demo;
}

void
refract_connection_set_is_demo (RefractConnection *self,
                                gboolean           is_demo)
{
  g_return_if_fail (REFRACT_IS_CONNECTION (self));

  if (self->is_demo == !!is_demo)
    return;
  self->is_demo = !!is_demo;
  g_clear_pointer (&self->display_name, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_DEMO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

RefractMachineList *
refract_connection_get_machines (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), NULL);
  return self->machines;
}

/* The libvirt-gobject connection (a GVirConnection), for the console and
 * storage code; NULL while disconnected. */
gpointer
refract_connection_get_gvir (RefractConnection *self)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (self), NULL);
  return self->gconn;
}

guint
refract_connection_get_retry_seconds (RefractConnection *self)
{
  return self->retry_id ? self->retry_seconds : 0;
}

gboolean
_refract_connection_is_up (RefractConnection *self)
{
  return self != NULL && self->state == REFRACT_CONNECTION_STATE_CONNECTED && self->conn != NULL;
}

virConnectPtr
_refract_connection_ref_handle (RefractConnection *self)
{
  if (self->conn == NULL)
    return NULL;
  virConnectRef (self->conn);
  return self->conn;
}

void
_refract_connection_forget (RefractConnection *self,
                            RefractMachine    *machine)
{
  if (self != NULL)
    _refract_machine_list_remove (self->machines, machine);
}

/* ---- events (main thread, dispatched by libvirt-glib's event loop) ---- */

static void
add_domain_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RefractConnection *self = REFRACT_CONNECTION (object);
  RefractDomainSnapshot *snap = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(RefractMachine) machine = NULL;

  if (snap == NULL)
    return;
  if (snap->ok && self->state == REFRACT_CONNECTION_STATE_CONNECTED
      && refract_machine_list_find_by_uuid (self->machines, snap->uuid) == NULL)
    {
      machine = _refract_machine_new (self, snap);
      _refract_machine_list_add (self->machines, machine);
    }
  _refract_domain_snapshot_free (snap);
  g_free (snap);
}

static void
add_domain_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  RefractDomainSnapshot *snap = g_new0 (RefractDomainSnapshot, 1);

  _refract_domain_snapshot_fill (snap, task_data);
  g_task_return_pointer (task, snap, NULL);
}

static void
add_domain (RefractConnection *self, virDomainPtr dom)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, add_domain_done, NULL);

  virDomainRef (dom);
  g_task_set_source_tag (task, add_domain);
  g_task_set_task_data (task, dom, NULL);
  g_task_run_in_thread (task, add_domain_thread);
}

static void
rename_machine (RefractMachine *machine, virDomainPtr dom)
{
  RefractDomainSnapshot snap = { 0 };

  snap.dom = dom;
  snap.name = g_strdup (virDomainGetName (dom));
  _refract_machine_apply_snapshot (machine, &snap);
  g_free (snap.name);
}

static RefractConnection *
event_target (void *opaque, virConnectPtr conn, virDomainPtr dom, char *uuid)
{
  EventCtx *ctx = opaque;
  RefractConnection *self = g_weak_ref_get (&ctx->self);

  if (self == NULL)
    return NULL;
  virDomainGetUUIDString (dom, uuid);
  if (self->state == REFRACT_CONNECTION_STATE_CONNECTING && ctx->conn == conn)
    g_hash_table_add (self->dirty, g_strdup (uuid));
  if (self->state != REFRACT_CONNECTION_STATE_CONNECTED || conn != self->conn)
    g_clear_object (&self);
  return self;
}

static int
lifecycle_cb (virConnectPtr  conn,
              virDomainPtr   dom,
              int            event,
              int            detail,
              void          *opaque)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  g_autoptr(RefractConnection) self = event_target (opaque, conn, dom, uuid);
  RefractMachine *machine;

  if (self == NULL)
    return 0;

  machine = refract_machine_list_find_by_uuid (self->machines, uuid);
  if (machine == NULL)
    {
      if (event != VIR_DOMAIN_EVENT_UNDEFINED && event != VIR_DOMAIN_EVENT_STOPPED)
        add_domain (self, dom);
      return 0;
    }

  if (event == VIR_DOMAIN_EVENT_UNDEFINED && detail == VIR_DOMAIN_EVENT_UNDEFINED_RENAMED)
    return 0;
  if (event == VIR_DOMAIN_EVENT_DEFINED && detail == VIR_DOMAIN_EVENT_DEFINED_RENAMED)
    rename_machine (machine, dom);
  if (event == VIR_DOMAIN_EVENT_UNDEFINED && !refract_machine_is_active (machine))
    {
      _refract_machine_list_remove (self->machines, machine);
      return 0;
    }
  _refract_machine_handle_event (machine, event, detail);
  return 0;
}

static void
metadata_cb (virConnectPtr  conn,
             virDomainPtr   dom,
             int            type,
             const char    *nsuri,
             void          *opaque)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  g_autoptr(RefractConnection) self = event_target (opaque, conn, dom, uuid);
  RefractMachine *machine;

  if (self != NULL && (machine = refract_machine_list_find_by_uuid (self->machines, uuid)))
    _refract_machine_refresh (machine);
}

static gboolean
retry_cb (gpointer user_data)
{
  RefractConnection *self = user_data;

  self->retry_id = 0;
  attempt_open (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (RefractConnection *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_seconds (self->retry_seconds, retry_cb, self);
  self->retry_seconds = MIN (self->retry_seconds * 2, RETRY_MAX_SECONDS);
}

static void
connection_lost (RefractConnection *self)
{
  g_autofree char *message = NULL;
  GError *error;

  if (self->state != REFRACT_CONNECTION_STATE_CONNECTED)
    return;

  drop_handle (self);
  message = g_strdup_printf (_("Lost the connection to %s"), refract_connection_get_display_name (self));
  error = g_error_new_literal (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED, message);
  self->retry_seconds = 1;
  schedule_retry (self);
  set_state (self, REFRACT_CONNECTION_STATE_DISCONNECTED, error);
}

static gboolean
close_idle (gpointer data)
{
  EventCtx *ctx = data;
  g_autoptr(RefractConnection) self = g_weak_ref_get (&ctx->self);

  if (self != NULL && self->conn == ctx->conn)
    connection_lost (self);
  return G_SOURCE_REMOVE;
}

static void
close_cb (virConnectPtr conn,
          int           reason,
          void         *opaque)
{
  EventCtx *ctx = opaque;
  EventCtx *copy = g_new0 (EventCtx, 1);
  g_autoptr(GObject) self = g_weak_ref_get (&ctx->self);

  g_weak_ref_init (&copy->self, self);
  copy->conn = conn;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, close_idle, copy, event_ctx_free);
}

/* ---- opening (worker thread) ------------------------------------------ */

typedef struct
{
  char          *uri;
  virConnectPtr  conn;
  GPtrArray     *snaps;
  EventCtx      *ctx;
  int            lifecycle_id;
  int            metadata_id;
} OpenData;

static void
open_data_free (OpenData *data)
{
  if (data->conn != NULL)
    {
      if (data->lifecycle_id >= 0)
        virConnectDomainEventDeregisterAny (data->conn, data->lifecycle_id);
      if (data->metadata_id >= 0)
        virConnectDomainEventDeregisterAny (data->conn, data->metadata_id);
      virConnectUnregisterCloseCallback (data->conn, close_cb);
      virConnectClose (data->conn);
    }
  g_clear_pointer (&data->ctx, event_ctx_free);
  g_clear_pointer (&data->snaps, g_ptr_array_unref);
  g_free (data->uri);
  g_free (data);
}

static int
no_prompt_cb (virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
  return -1;
}

static void
fill_socket_facts (RefractConnectFailure *f, char **group_out)
{
  g_autofree char *socket = refract_uri_local_socket (f->uri);
  GStatBuf st;

  if (socket == NULL)
    return;
  f->socket_known = TRUE;
  f->socket_exists = g_stat (socket, &st) == 0;
  f->socket_writable = f->socket_exists && access (socket, R_OK | W_OK) == 0;
  if (f->socket_exists)
    {
      struct group *gr = getgrgid (st.st_gid);

      if (gr != NULL && st.st_gid != 0)
        *group_out = g_strdup (gr->gr_name);
    }
}

static GError *
diagnose (const char *uri)
{
  virErrorPtr err = virGetLastError ();
  RefractConnectFailure f = { 0 };
  g_autofree char *group = NULL;
  GError *error;

  f.uri = uri;
  f.vir_code = err ? err->code : 0;
  f.vir_domain = err ? err->domain : 0;
  f.message = err ? err->message : NULL;
  f.user_name = g_get_user_name ();
  fill_socket_facts (&f, &group);
  f.socket_group = group;
  error = refract_connect_error_new (&f);
  if (f.message != NULL)
    g_debug ("Connecting to %s failed: %s", uri, f.message);
  virResetLastError ();
  return error;
}

static gboolean
register_events (OpenData *data)
{
  data->lifecycle_id =
    virConnectDomainEventRegisterAny (data->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                      VIR_DOMAIN_EVENT_CALLBACK (lifecycle_cb), data->ctx, NULL);
  if (data->lifecycle_id < 0)
    return FALSE;
  data->metadata_id =
    virConnectDomainEventRegisterAny (data->conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                      VIR_DOMAIN_EVENT_CALLBACK (metadata_cb), data->ctx, NULL);
  virResetLastError ();
  return TRUE;
}

static void
snapshot_free (gpointer data)
{
  _refract_domain_snapshot_free (data);
  g_free (data);
}

static GPtrArray *
list_domains (virConnectPtr conn)
{
  virDomainPtr *doms = NULL;
  int n = virConnectListAllDomains (conn, &doms, 0);
  GPtrArray *snaps;

  if (n < 0)
    return NULL;
  snaps = g_ptr_array_new_full (n, snapshot_free);
  for (int i = 0; i < n; i++)
    {
      RefractDomainSnapshot *snap = g_new0 (RefractDomainSnapshot, 1);

      _refract_domain_snapshot_fill (snap, doms[i]);
      g_ptr_array_add (snaps, snap);
    }
  free (doms);
  return snaps;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  static int credtypes[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT };
  virConnectAuth auth = { credtypes, G_N_ELEMENTS (credtypes), no_prompt_cb, NULL };
  GError *error = NULL;

  if (!refract_uri_validate (data->uri, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if ((data->conn = virConnectOpenAuth (data->uri, &auth, 0)) == NULL)
    {
      g_task_return_error (task, diagnose (data->uri));
      return;
    }

  data->ctx->conn = data->conn;
  virConnectSetKeepAlive (data->conn, 5, 3);
  virConnectRegisterCloseCallback (data->conn, close_cb, data->ctx, NULL);
  virResetLastError ();

  if (!register_events (data) || (data->snaps = list_domains (data->conn)) == NULL)
    {
      g_task_return_error (task, refract_error_from_libvirt (_("Could not list the machines")));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Reuses the machine objects the UI already holds, by UUID. */
static void
apply_listing (RefractConnection *self, GPtrArray *snaps)
{
  gboolean initial = g_list_model_get_n_items (G_LIST_MODEL (self->machines)) == 0;
  g_autoptr(GPtrArray) machines = g_ptr_array_new_full (snaps->len, g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < snaps->len; i++)
    {
      RefractDomainSnapshot *snap = g_ptr_array_index (snaps, i);
      RefractMachine *machine = refract_machine_list_find_by_uuid (self->machines, snap->uuid);

      if (!snap->ok)
        continue;
      if (machine != NULL)
        {
          _refract_machine_apply_snapshot (machine, snap);
          g_ptr_array_add (machines, g_object_ref (machine));
        }
      else
        g_ptr_array_add (machines, _refract_machine_new (self, snap));
      g_hash_table_add (seen, (gpointer) refract_machine_get_uuid (g_ptr_array_index (machines, machines->len - 1)));
    }

  if (initial)
    {
      _refract_machine_list_replace_all (self->machines, machines);
      return;
    }
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->machines)); i > 0; i--)
    {
      g_autoptr(RefractMachine) old = g_list_model_get_item (G_LIST_MODEL (self->machines), i - 1);

      if (!g_hash_table_contains (seen, refract_machine_get_uuid (old)))
        _refract_machine_list_remove (self->machines, old);
    }
  for (guint i = 0; i < machines->len; i++)
    _refract_machine_list_add (self->machines, g_ptr_array_index (machines, i));
}

static void
complete_waiters (RefractConnection *self)
{
  GList *waiters = g_steal_pointer (&self->waiters);

  for (GList *l = waiters; l; l = l->next)
    {
      GTask *task = l->data;

      if (self->error != NULL)
        g_task_return_error (task, g_error_copy (self->error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_list_free_full (waiters, g_object_unref);
}

static void
refresh_dirty (RefractConnection *self)
{
  GHashTableIter iter;
  const char *uuid;

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, (gpointer *) &uuid, NULL))
    {
      RefractMachine *machine = refract_machine_list_find_by_uuid (self->machines, uuid);

      if (machine != NULL)
        _refract_machine_refresh (machine);
    }
  g_hash_table_remove_all (self->dirty);
}

static void
open_succeeded (RefractConnection *self, OpenData *data)
{
  self->conn = g_steal_pointer (&data->conn);
  self->event_ctx = g_steal_pointer (&data->ctx);
  self->lifecycle_id = data->lifecycle_id;
  self->metadata_id = data->metadata_id;
  self->gconn = g_object_new (GVIR_TYPE_CONNECTION, "handle", self->conn, NULL);
  self->ever_connected = TRUE;
  self->retry_seconds = 1;

  apply_listing (self, data->snaps);
  set_state (self, REFRACT_CONNECTION_STATE_CONNECTED, NULL);
  refresh_dirty (self);
}

static void
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RefractConnection *self = REFRACT_CONNECTION (object);
  OpenData *data = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (!self->want_open)
    ;
  else if (g_task_propagate_boolean (G_TASK (result), &error))
    open_succeeded (self, data);
  else if (self->ever_connected)
    {
      g_autofree char *message = g_strdup_printf (_("Lost the connection to %s"),
                                                  refract_connection_get_display_name (self));

      g_debug ("Reconnecting to %s failed: %s", self->uri, error->message);
      g_clear_error (&error);
      schedule_retry (self);
      set_state (self, REFRACT_CONNECTION_STATE_DISCONNECTED,
                 g_error_new_literal (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED, message));
    }
  else
    set_state (self, REFRACT_CONNECTION_STATE_FAILED, error);

  g_hash_table_remove_all (self->dirty);
  complete_waiters (self);
}

static void
attempt_open (RefractConnection *self)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->ever_connected)
    set_state (self, REFRACT_CONNECTION_STATE_CONNECTING, self->error ? g_error_copy (self->error) : NULL);
  else
    set_state (self, REFRACT_CONNECTION_STATE_CONNECTING, NULL);

  data = g_new0 (OpenData, 1);
  data->uri = g_strdup (self->uri);
  data->lifecycle_id = data->metadata_id = -1;
  data->ctx = g_new0 (EventCtx, 1);
  g_weak_ref_init (&data->ctx->self, self);

  task = g_task_new (self, NULL, open_done, NULL);
  g_task_set_source_tag (task, attempt_open);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

/* Opens the connection and lists its machines without blocking the main loop.
 * Once connected, a lost connection is retried with backoff by itself. */
void
refract_connection_open_async (RefractConnection   *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (REFRACT_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_connection_open_async);
  self->want_open = TRUE;

  if (self->state == REFRACT_CONNECTION_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->waiters = g_list_append (self->waiters, g_steal_pointer (&task));
  if (self->state != REFRACT_CONNECTION_STATE_CONNECTING)
    attempt_open (self);
}

gboolean
refract_connection_open_finish (RefractConnection  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Disconnects on purpose: no reconnecting, and the machines are let go. */
void
refract_connection_close (RefractConnection *self)
{
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();

  g_return_if_fail (REFRACT_IS_CONNECTION (self));

  self->want_open = FALSE;
  self->ever_connected = FALSE;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  drop_handle (self);
  _refract_machine_list_replace_all (self->machines, empty);
  set_state (self, REFRACT_CONNECTION_STATE_DISCONNECTED, NULL);
  complete_waiters (self);
}

void
refract_connection_reconnect_now (RefractConnection *self)
{
  g_return_if_fail (REFRACT_IS_CONNECTION (self));

  self->want_open = TRUE;
  if (self->state != REFRACT_CONNECTION_STATE_CONNECTING
      && self->state != REFRACT_CONNECTION_STATE_CONNECTED)
    attempt_open (self);
}
