/* refract-machine.c: one libvirt domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt-gobject/libvirt-gobject.h>

#include "refract-connection-private.h"
#include "refract-machine-private.h"
#include "refract-machine-xml.h"
#include "refract-model-error.h"

struct _RefractMachine
{
  GObject            parent_instance;

  RefractConnection *connection; /* weak pointer: the connection owns its machines */
  GVirDomain        *gdom;
  char              *uuid;
  char              *name;
  char              *title;
  char              *description;
  char              *os_id;
  char              *os_name;
  char              *collate_key;   /* of the display name, for sorting */
  GPtrArray         *disks;
  GPtrArray         *nics;
  GPtrArray         *graphics;

  RefractMachineState state;
  int                reason;
  guint              vcpus;
  guint64            memory;
  guint64            max_memory;
  guint              busy;
  guint              refresh_queued : 1;
  guint              refresh_again : 1;  /* asked for while one was in flight */
  guint              details_loaded : 1;
  guint              autostart : 1;
  guint              persistent : 1;
  guint              managed_save : 1;
  guint              has_serial : 1;

  double             cpu_usage;
  guint64            memory_used;
  gint64             last_cpu_time;
  gint64             last_sample_us;
  double             cpu_history[REFRACT_MACHINE_HISTORY_LENGTH];
  double             mem_history[REFRACT_MACHINE_HISTORY_LENGTH];
  guint              history_len;
  guint              history_pos;
};

G_DEFINE_FINAL_TYPE (RefractMachine, refract_machine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_TITLE,
  PROP_DISPLAY_NAME,
  PROP_DESCRIPTION,
  PROP_STATE,
  PROP_STATE_REASON,
  PROP_VCPUS,
  PROP_MEMORY,
  PROP_MAX_MEMORY,
  PROP_OS_ID,
  PROP_HAS_GRAPHICS,
  PROP_AUTOSTART,
  PROP_PERSISTENT,
  PROP_HAS_MANAGED_SAVE,
  PROP_DETAILS_LOADED,
  PROP_BUSY,
  PROP_CPU_USAGE,
  PROP_MEMORY_USED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SAMPLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
notify (RefractMachine *self, guint prop)
{
  if (prop == PROP_DISPLAY_NAME || prop == PROP_NAME || prop == PROP_TITLE)
    g_clear_pointer (&self->collate_key, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static const char *
get_collate_key (RefractMachine *self)
{
  if (self->collate_key == NULL)
    self->collate_key = g_utf8_collate_key (refract_machine_get_display_name (self), -1);
  return self->collate_key;
}

static gboolean
set_string (RefractMachine *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  notify (self, prop);
  return TRUE;
}

#define SET_FIELD(self, field, value, prop) \
  G_STMT_START { \
    if ((self)->field != (value)) { (self)->field = (value); notify ((self), (prop)); } \
  } G_STMT_END

void
refract_machine_disk_free (RefractMachineDisk *disk)
{
  g_free (disk->target);
  g_free (disk->bus);
  g_free (disk->device);
  g_free (disk->source);
  g_free (disk->format);
  g_free (disk);
}

void
refract_machine_nic_free (RefractMachineNic *nic)
{
  g_free (nic->type);
  g_free (nic->source);
  g_free (nic->mac);
  g_free (nic->model);
  g_free (nic->forwards);
  g_free (nic);
}

void
refract_machine_graphics_free (RefractMachineGraphics *graphics)
{
  g_free (graphics->type);
  g_free (graphics->listen);
  g_free (graphics);
}

static void
refract_machine_finalize (GObject *object)
{
  RefractMachine *self = (RefractMachine *)object;

  g_clear_weak_pointer (&self->connection);
  g_clear_object (&self->gdom);
  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->os_id, g_free);
  g_clear_pointer (&self->os_name, g_free);
  g_clear_pointer (&self->collate_key, g_free);
  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_clear_pointer (&self->nics, g_ptr_array_unref);
  g_clear_pointer (&self->graphics, g_ptr_array_unref);

  G_OBJECT_CLASS (refract_machine_parent_class)->finalize (object);
}

static void
refract_machine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RefractMachine *self = REFRACT_MACHINE (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_UUID: g_value_set_string (value, self->uuid); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, refract_machine_get_display_name (self)); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_STATE_REASON: g_value_set_int (value, self->reason); break;
    case PROP_VCPUS: g_value_set_uint (value, self->vcpus); break;
    case PROP_MEMORY: g_value_set_uint64 (value, self->memory); break;
    case PROP_MAX_MEMORY: g_value_set_uint64 (value, self->max_memory); break;
    case PROP_OS_ID: g_value_set_string (value, self->os_id); break;
    case PROP_HAS_GRAPHICS: g_value_set_boolean (value, refract_machine_get_has_graphics (self)); break;
    case PROP_AUTOSTART: g_value_set_boolean (value, self->autostart); break;
    case PROP_PERSISTENT: g_value_set_boolean (value, self->persistent); break;
    case PROP_HAS_MANAGED_SAVE: g_value_set_boolean (value, self->managed_save); break;
    case PROP_DETAILS_LOADED: g_value_set_boolean (value, self->details_loaded); break;
    case PROP_BUSY: g_value_set_boolean (value, self->busy > 0); break;
    case PROP_CPU_USAGE: g_value_set_double (value, self->cpu_usage); break;
    case PROP_MEMORY_USED: g_value_set_uint64 (value, self->memory_used); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_prop (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
bool_prop (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
uint64_prop (const char *name)
{
  return g_param_spec_uint64 (name, NULL, NULL, 0, G_MAXUINT64, 0,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
refract_machine_class_init (RefractMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = refract_machine_finalize;
  object_class->get_property = refract_machine_get_property;

  properties[PROP_NAME] = string_prop ("name");
  properties[PROP_UUID] = string_prop ("uuid");
  properties[PROP_TITLE] = string_prop ("title");
  properties[PROP_DISPLAY_NAME] = string_prop ("display-name");
  properties[PROP_DESCRIPTION] = string_prop ("description");
  properties[PROP_OS_ID] = string_prop ("os-id");
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, REFRACT_MACHINE_STATE_SUSPENDED,
                                             0, flags);
  properties[PROP_STATE_REASON] = g_param_spec_int ("state-reason", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_VCPUS] = g_param_spec_uint ("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MEMORY] = uint64_prop ("memory");
  properties[PROP_MAX_MEMORY] = uint64_prop ("max-memory");
  properties[PROP_MEMORY_USED] = uint64_prop ("memory-used");
  properties[PROP_HAS_GRAPHICS] = bool_prop ("has-graphics");
  properties[PROP_AUTOSTART] = bool_prop ("autostart");
  properties[PROP_PERSISTENT] = bool_prop ("persistent");
  properties[PROP_HAS_MANAGED_SAVE] = bool_prop ("has-managed-save");
  properties[PROP_DETAILS_LOADED] = bool_prop ("details-loaded");
  properties[PROP_BUSY] = bool_prop ("busy");
  properties[PROP_CPU_USAGE] = g_param_spec_double ("cpu-usage", NULL, NULL, -1, 100, -1, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* a sample was added to the CPU and memory history */
  signals[SAMPLED] = g_signal_new ("sampled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
refract_machine_init (RefractMachine *self)
{
  self->cpu_usage = -1;
  self->last_cpu_time = -1;
  self->persistent = TRUE;
}

/* ---- snapshots (worker thread) ---------------------------------------- */

void
_refract_domain_snapshot_fill (RefractDomainSnapshot *snap,
                               virDomainPtr           dom)
{
  virDomainInfo info;

  snap->dom = dom;
  virDomainGetUUIDString (dom, snap->uuid);
  snap->name = g_strdup (virDomainGetName (dom));
  snap->ok = virDomainGetState (dom, &snap->state, &snap->reason, 0) == 0
             && virDomainGetInfo (dom, &info) == 0;
  if (snap->ok)
    {
      char *title;

      snap->vcpus = info.nrVirtCpu;
      snap->memory = info.memory;
      snap->max_memory = info.maxMem;
      title = virDomainGetMetadata (dom, VIR_DOMAIN_METADATA_TITLE, NULL, 0);
      snap->title = g_strdup (title ? title : "");
      free (title);
    }
  else
    {
      virErrorPtr err = virGetLastError ();

      snap->gone = err != NULL && err->code == VIR_ERR_NO_DOMAIN;
    }
  virResetLastError ();
}

void
_refract_domain_snapshot_free (RefractDomainSnapshot *snap)
{
  g_clear_pointer (&snap->dom, virDomainFree);
  g_clear_pointer (&snap->name, g_free);
  g_clear_pointer (&snap->title, g_free);
}

RefractMachine *
_refract_machine_new (RefractConnection     *connection,
                      RefractDomainSnapshot *snap)
{
  RefractMachine *self = g_object_new (REFRACT_TYPE_MACHINE, NULL);

  /* a machine taken off the list (deleted) may outlive its connection */
  g_set_weak_pointer (&self->connection, connection);
  self->uuid = g_strdup (snap->uuid);
  _refract_machine_apply_snapshot (self, snap);
  return self;
}

static void
set_state (RefractMachine *self, RefractMachineState state, int reason)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      if (state == REFRACT_MACHINE_STATE_SHUTOFF)
        _refract_machine_clear_samples (self);
      self->state = state;
      notify (self, PROP_STATE);
    }
  SET_FIELD (self, reason, reason, PROP_STATE_REASON);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_refract_machine_apply_snapshot (RefractMachine        *self,
                                 RefractDomainSnapshot *snap)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (snap->dom != NULL)
    {
      g_clear_object (&self->gdom);
      self->gdom = g_object_new (GVIR_TYPE_DOMAIN, "handle", snap->dom, NULL);
    }
  _refract_machine_set_name (self, snap->name);
  if (snap->ok)
    {
      const char *title = snap->title && *snap->title ? snap->title : NULL;

      if (set_string (self, &self->title, title, PROP_TITLE))
        notify (self, PROP_DISPLAY_NAME);
      set_state (self, snap->state, snap->reason);
      SET_FIELD (self, vcpus, snap->vcpus, PROP_VCPUS);
      SET_FIELD (self, memory, snap->memory, PROP_MEMORY);
      SET_FIELD (self, max_memory, snap->max_memory, PROP_MAX_MEMORY);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

void
_refract_machine_set_name (RefractMachine *self,
                           const char     *name)
{
  if (name != NULL && set_string (self, &self->name, name, PROP_NAME) && self->title == NULL)
    notify (self, PROP_DISPLAY_NAME);
}

virDomainPtr
_refract_machine_ref_domain (RefractMachine *self)
{
  virDomainPtr dom;

  if (self->gdom == NULL)
    return NULL;
  g_object_get (self->gdom, "handle", &dom, NULL);
  return dom;
}

/* ---- refresh after events -------------------------------------------- */

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefractDomainSnapshot *snap = g_new0 (RefractDomainSnapshot, 1);
  virDomainPtr dom = task_data;

  virDomainRef (dom);
  _refract_domain_snapshot_fill (snap, dom);
  g_task_return_pointer (task, snap, (GDestroyNotify) _refract_domain_snapshot_free);
}

static void
refresh_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RefractMachine *self = REFRACT_MACHINE (object);
  RefractDomainSnapshot *snap = g_task_propagate_pointer (G_TASK (result), NULL);

  self->refresh_queued = FALSE;
  if (snap == NULL)
    return;
  if (self->refresh_again)
    {
      /* taken before the latest event: it could undo what the event said */
      self->refresh_again = FALSE;
      _refract_domain_snapshot_free (snap);
      g_free (snap);
      _refract_machine_refresh (self);
      return;
    }
  if (snap->gone)
    {
      _refract_domain_snapshot_free (snap);
      g_free (snap);
      _refract_connection_forget (self->connection, self);
      return;
    }
  g_clear_pointer (&snap->dom, virDomainFree);
  _refract_machine_apply_snapshot (self, snap);
  _refract_domain_snapshot_free (snap);
  g_free (snap);
  if (self->details_loaded)
    refract_machine_load_details_async (self, NULL, NULL, NULL);
}

/* Coalesces: a burst of events costs one look at the domain, taken after
 * the last of them. */
void
_refract_machine_refresh (RefractMachine *self)
{
  g_autoptr(GTask) task = NULL;
  virDomainPtr dom;

  if (self->refresh_queued)
    {
      self->refresh_again = TRUE;
      return;
    }
  if ((dom = _refract_machine_ref_domain (self)) == NULL)
    return;

  self->refresh_queued = TRUE;
  task = g_task_new (self, NULL, refresh_done, NULL);
  g_task_set_source_tag (task, _refract_machine_refresh);
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, refresh_thread);
}

void
_refract_machine_handle_event (RefractMachine *self,
                               int             event,
                               int             detail)
{
  switch ((virDomainEventType) event)
    {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
      set_state (self, REFRACT_MACHINE_STATE_RUNNING, 0);
      break;
    case VIR_DOMAIN_EVENT_SUSPENDED:
      set_state (self, REFRACT_MACHINE_STATE_PAUSED, 0);
      break;
    case VIR_DOMAIN_EVENT_STOPPED:
      set_state (self, REFRACT_MACHINE_STATE_SHUTOFF, 0);
      break;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      set_state (self, REFRACT_MACHINE_STATE_SUSPENDED, 0);
      break;
    case VIR_DOMAIN_EVENT_CRASHED:
      set_state (self, REFRACT_MACHINE_STATE_CRASHED, 0);
      break;
    case VIR_DOMAIN_EVENT_UNDEFINED:
      SET_FIELD (self, persistent, FALSE, PROP_PERSISTENT);
      return;
    case VIR_DOMAIN_EVENT_DEFINED:
      SET_FIELD (self, persistent, TRUE, PROP_PERSISTENT);
      break;
    case VIR_DOMAIN_EVENT_SHUTDOWN:
    default:
      break;
    }
  _refract_machine_refresh (self);
}

/* ---- getters --------------------------------------------------------- */

RefractConnection *
refract_machine_get_connection (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), NULL);
  return self->connection;
}

const char *
refract_machine_get_name (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), NULL);
  return self->name;
}

const char *
refract_machine_get_uuid (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), NULL);
  return self->uuid;
}

const char *
refract_machine_get_title (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), NULL);
  return self->title;
}

const char *
refract_machine_get_display_name (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), NULL);
  return self->title != NULL && *self->title ? self->title : self->name;
}

const char *
refract_machine_get_description (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), NULL);
  return self->description;
}

RefractMachineState
refract_machine_get_state (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), 0);
  return self->state;
}

int
refract_machine_get_state_reason (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), 0);
  return self->reason;
}

const char *
refract_machine_state_to_string (RefractMachineState state)
{
  switch (state)
    {
    case REFRACT_MACHINE_STATE_RUNNING: return _("Running");
    case REFRACT_MACHINE_STATE_BLOCKED: return _("Blocked");
    case REFRACT_MACHINE_STATE_PAUSED: return _("Paused");
    case REFRACT_MACHINE_STATE_SHUTTING_DOWN: return _("Shutting Down");
    case REFRACT_MACHINE_STATE_SHUTOFF: return _("Shut Off");
    case REFRACT_MACHINE_STATE_CRASHED: return _("Crashed");
    case REFRACT_MACHINE_STATE_SUSPENDED: return _("Suspended");
    case REFRACT_MACHINE_STATE_UNKNOWN:
    default: return _("Unknown");
    }
}

const char *
refract_machine_state_icon_name (RefractMachineState state)
{
  switch (state)
    {
    case REFRACT_MACHINE_STATE_RUNNING:
    case REFRACT_MACHINE_STATE_BLOCKED: return "media-playback-start-symbolic";
    case REFRACT_MACHINE_STATE_PAUSED:
    case REFRACT_MACHINE_STATE_SUSPENDED: return "media-playback-pause-symbolic";
    case REFRACT_MACHINE_STATE_SHUTTING_DOWN: return "system-shutdown-symbolic";
    case REFRACT_MACHINE_STATE_CRASHED: return "dialog-error-symbolic";
    case REFRACT_MACHINE_STATE_SHUTOFF: return "media-playback-stop-symbolic";
    case REFRACT_MACHINE_STATE_UNKNOWN:
    default: return "dialog-question-symbolic";
    }
}

static const char *
shutoff_reason (int reason)
{
  switch (reason)
    {
    case VIR_DOMAIN_SHUTOFF_SHUTDOWN: return _("shut down by the guest");
    case VIR_DOMAIN_SHUTOFF_DESTROYED: return _("forced off");
    case VIR_DOMAIN_SHUTOFF_CRASHED: return _("crashed");
    case VIR_DOMAIN_SHUTOFF_SAVED: return _("saved");
    case VIR_DOMAIN_SHUTOFF_FAILED: return _("failed to start");
    case VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT: return _("reverted to a snapshot");
    default: return NULL;
    }
}

static const char *
paused_reason (int reason)
{
  switch (reason)
    {
    case VIR_DOMAIN_PAUSED_USER: return _("by the user");
    case VIR_DOMAIN_PAUSED_IOERROR: return _("disk error");
    case VIR_DOMAIN_PAUSED_WATCHDOG: return _("watchdog");
    case VIR_DOMAIN_PAUSED_SAVE: return _("saving");
    case VIR_DOMAIN_PAUSED_SHUTTING_DOWN: return _("shutting down");
    case VIR_DOMAIN_PAUSED_CRASHED: return _("guest crashed");
    case VIR_DOMAIN_PAUSED_STARTING_UP: return _("starting up");
    case VIR_DOMAIN_PAUSED_POSTCOPY_FAILED: return _("migration failed");
    default: return NULL;
    }
}

/* "Shut Off (forced off)": the state with why, when libvirt says why. */
char *
refract_machine_dup_state_text (RefractMachine *self)
{
  const char *state = refract_machine_state_to_string (self->state);
  const char *why = NULL;

  if (self->state == REFRACT_MACHINE_STATE_SHUTOFF)
    why = self->managed_save ? _("saved") : shutoff_reason (self->reason);
  else if (self->state == REFRACT_MACHINE_STATE_PAUSED)
    why = paused_reason (self->reason);

  if (why == NULL)
    return g_strdup (state);
  /* Translators: a machine state and why, e.g. "Shut Off (forced off)" */
  return g_strdup_printf (_("%s (%s)"), state, why);
}

gboolean
refract_machine_is_active (RefractMachine *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (self), FALSE);
  return self->state != REFRACT_MACHINE_STATE_SHUTOFF
         && self->state != REFRACT_MACHINE_STATE_UNKNOWN
         && self->state != REFRACT_MACHINE_STATE_CRASHED;
}

guint refract_machine_get_vcpus (RefractMachine *self) { return self->vcpus; }
guint64 refract_machine_get_memory (RefractMachine *self) { return self->memory; }
guint64 refract_machine_get_max_memory (RefractMachine *self) { return self->max_memory; }
const char *refract_machine_get_os_id (RefractMachine *self) { return self->os_id; }
const char *refract_machine_get_os_name (RefractMachine *self) { return self->os_name; }
gboolean refract_machine_get_autostart (RefractMachine *self) { return self->autostart; }
gboolean refract_machine_get_persistent (RefractMachine *self) { return self->persistent; }
gboolean refract_machine_get_has_managed_save (RefractMachine *self) { return self->managed_save; }
gboolean refract_machine_get_details_loaded (RefractMachine *self) { return self->details_loaded; }
gboolean refract_machine_get_busy (RefractMachine *self) { return self->busy > 0; }
double refract_machine_get_cpu_usage (RefractMachine *self) { return self->cpu_usage; }
guint64 refract_machine_get_memory_used (RefractMachine *self) { return self->memory_used; }
GPtrArray *refract_machine_get_disks (RefractMachine *self) { return self->disks; }
GPtrArray *refract_machine_get_nics (RefractMachine *self) { return self->nics; }
GPtrArray *refract_machine_get_graphics (RefractMachine *self) { return self->graphics; }

gboolean
refract_machine_get_has_graphics (RefractMachine *self)
{
  return self->graphics != NULL && self->graphics->len > 0;
}

/* A serial port or console device; known once the details are loaded. */
gboolean
refract_machine_get_has_serial (RefractMachine *self)
{
  return self->has_serial;
}

static guint
copy_history (RefractMachine *self, const double *ring, double *out, guint max)
{
  guint n = MIN (self->history_len, max);
  guint start = (self->history_pos + REFRACT_MACHINE_HISTORY_LENGTH - n)
                % REFRACT_MACHINE_HISTORY_LENGTH;

  for (guint i = 0; i < n; i++)
    out[i] = ring[(start + i) % REFRACT_MACHINE_HISTORY_LENGTH];
  return n;
}

/* Oldest first, CPU in percent of the machine's vCPUs. */
guint
refract_machine_get_cpu_history (RefractMachine *self,
                                 double         *out,
                                 guint           max)
{
  return copy_history (self, self->cpu_history, out, max);
}

/* Oldest first, memory in percent of the machine's current allocation. */
guint
refract_machine_get_memory_history (RefractMachine *self,
                                    double         *out,
                                    guint           max)
{
  return copy_history (self, self->mem_history, out, max);
}

void
_refract_machine_clear_samples (RefractMachine *self)
{
  self->history_len = 0;
  self->history_pos = 0;
  self->last_cpu_time = -1;
  if (self->cpu_usage != -1)
    {
      self->cpu_usage = -1;
      notify (self, PROP_CPU_USAGE);
    }
  if (self->memory_used != 0)
    {
      self->memory_used = 0;
      notify (self, PROP_MEMORY_USED);
    }
}

void
_refract_machine_push_sample (RefractMachine *self,
                              gint64          cpu_time_ns,
                              gint64          memory_kib,
                              gint64          monotonic_us)
{
  double cpu = -1;

  if (cpu_time_ns >= 0 && self->last_cpu_time >= 0 && monotonic_us > self->last_sample_us)
    {
      double wall_ns = (monotonic_us - self->last_sample_us) * 1000.0;
      cpu = 100.0 * (cpu_time_ns - self->last_cpu_time) / (wall_ns * MAX (self->vcpus, 1));
      cpu = CLAMP (cpu, 0.0, 100.0);
    }
  self->last_cpu_time = cpu_time_ns;
  self->last_sample_us = monotonic_us;

  /* the first sample only gives a base for the next CPU delta */
  if (cpu >= 0)
    {
      double mem = memory_kib >= 0 && self->memory > 0 ? 100.0 * memory_kib / self->memory : 0;

      self->cpu_history[self->history_pos] = MAX (cpu, 0);
      self->mem_history[self->history_pos] = CLAMP (mem, 0.0, 100.0);
      self->history_pos = (self->history_pos + 1) % REFRACT_MACHINE_HISTORY_LENGTH;
      self->history_len = MIN (self->history_len + 1, REFRACT_MACHINE_HISTORY_LENGTH);
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (cpu != self->cpu_usage)
    {
      self->cpu_usage = cpu;
      notify (self, PROP_CPU_USAGE);
    }
  if (memory_kib >= 0 && (guint64) memory_kib != self->memory_used)
    {
      self->memory_used = memory_kib;
      notify (self, PROP_MEMORY_USED);
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (cpu >= 0)
    g_signal_emit (self, signals[SAMPLED], 0);
}

gboolean
refract_machine_can (RefractMachine       *self,
                     RefractMachineAction  action)
{
  RefractMachineState s;

  g_return_val_if_fail (REFRACT_IS_MACHINE (self), FALSE);

  s = self->state;
  if (self->busy > 0 || self->gdom == NULL || !_refract_connection_is_up (self->connection))
    return FALSE;

  switch (action)
    {
    case REFRACT_MACHINE_ACTION_START:
      return s == REFRACT_MACHINE_STATE_SHUTOFF || s == REFRACT_MACHINE_STATE_CRASHED;
    case REFRACT_MACHINE_ACTION_SHUTDOWN:
    case REFRACT_MACHINE_ACTION_REBOOT:
      return s == REFRACT_MACHINE_STATE_RUNNING || s == REFRACT_MACHINE_STATE_BLOCKED;
    case REFRACT_MACHINE_ACTION_FORCE_OFF:
      return refract_machine_is_active (self) || s == REFRACT_MACHINE_STATE_CRASHED;
    case REFRACT_MACHINE_ACTION_PAUSE:
      return s == REFRACT_MACHINE_STATE_RUNNING || s == REFRACT_MACHINE_STATE_BLOCKED;
    case REFRACT_MACHINE_ACTION_RESUME:
      return s == REFRACT_MACHINE_STATE_PAUSED;
    case REFRACT_MACHINE_ACTION_SAVE:
      return self->persistent && (s == REFRACT_MACHINE_STATE_RUNNING
                                  || s == REFRACT_MACHINE_STATE_PAUSED
                                  || s == REFRACT_MACHINE_STATE_BLOCKED);
    case REFRACT_MACHINE_ACTION_DELETE:
      return TRUE;
    default:
      return FALSE;
    }
}

static int
state_rank (RefractMachineState state)
{
  switch (state)
    {
    case REFRACT_MACHINE_STATE_RUNNING:
    case REFRACT_MACHINE_STATE_BLOCKED: return 0;
    case REFRACT_MACHINE_STATE_PAUSED:
    case REFRACT_MACHINE_STATE_SUSPENDED: return 1;
    case REFRACT_MACHINE_STATE_SHUTTING_DOWN: return 2;
    case REFRACT_MACHINE_STATE_CRASHED: return 3;
    case REFRACT_MACHINE_STATE_SHUTOFF: return 4;
    case REFRACT_MACHINE_STATE_UNKNOWN:
    default: return 5;
    }
}

int
refract_machine_compare (RefractMachine *a,
                         RefractMachine *b,
                         RefractSortKey  key)
{
  int ret;

  if (key == REFRACT_SORT_BY_STATE
      && (ret = state_rank (a->state) - state_rank (b->state)) != 0)
    return ret;
  ret = strcmp (get_collate_key (a), get_collate_key (b));
  return ret != 0 ? ret : g_strcmp0 (a->uuid, b->uuid);
}

static gboolean
folded_contains (const char *haystack, const char *folded_needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, folded_needle) != NULL;
}

/* folded_needle must come from g_utf8_casefold(). */
gboolean
refract_machine_matches (RefractMachine *self,
                         const char     *folded_needle)
{
  if (folded_needle == NULL || *folded_needle == '\0')
    return TRUE;
  return folded_contains (self->name, folded_needle)
         || folded_contains (self->title, folded_needle)
         || folded_contains (self->description, folded_needle)
         || g_str_has_prefix (self->uuid, folded_needle);
}

/* ---- details ---------------------------------------------------------- */

static void
details_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  virDomainPtr dom = task_data;
  GError *error = NULL;
  RefractMachineXml *xml = _refract_machine_xml_load (dom, &error);

  if (xml == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, xml, (GDestroyNotify) _refract_machine_xml_free);
}

static void
apply_details (RefractMachine *self, RefractMachineXml *xml)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (set_string (self, &self->title, xml->title && *xml->title ? xml->title : NULL, PROP_TITLE))
    notify (self, PROP_DISPLAY_NAME);
  set_string (self, &self->description, xml->description, PROP_DESCRIPTION);
  g_free (self->os_name);
  self->os_name = g_strdup (xml->os_name);
  set_string (self, &self->os_id, xml->os_id, PROP_OS_ID);
  SET_FIELD (self, autostart, xml->autostart, PROP_AUTOSTART);
  SET_FIELD (self, persistent, xml->persistent, PROP_PERSISTENT);
  SET_FIELD (self, managed_save, xml->managed_save, PROP_HAS_MANAGED_SAVE);
  self->has_serial = xml->has_serial;

  g_clear_pointer (&self->disks, g_ptr_array_unref);
  g_clear_pointer (&self->nics, g_ptr_array_unref);
  g_clear_pointer (&self->graphics, g_ptr_array_unref);
  self->disks = g_steal_pointer (&xml->disks);
  self->nics = g_steal_pointer (&xml->nics);
  self->graphics = g_steal_pointer (&xml->graphics);
  notify (self, PROP_HAS_GRAPHICS);

  self->details_loaded = TRUE;
  notify (self, PROP_DETAILS_LOADED);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
details_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefractMachine *self = REFRACT_MACHINE (object);
  GError *error = NULL;
  RefractMachineXml *xml = g_task_propagate_pointer (G_TASK (result), &error);

  if (xml == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  apply_details (self, xml);
  _refract_machine_xml_free (xml);
  g_task_return_boolean (task, TRUE);
}

/* Reads the domain XML (title, OS, disks, NICs, graphics) and volume sizes. */
void
refract_machine_load_details_async (RefractMachine      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  virDomainPtr dom;

  g_return_if_fail (REFRACT_IS_MACHINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_machine_load_details_async);
  if ((dom = _refract_machine_ref_domain (self)) == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The machine is not connected."));
      return;
    }

  inner = g_task_new (self, cancellable, details_done, g_steal_pointer (&task));
  g_task_set_task_data (inner, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (inner, details_thread);
}

gboolean
refract_machine_load_details_finish (RefractMachine  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- lifecycle --------------------------------------------------------- */

typedef struct
{
  RefractMachineAction action;
  GVirDomain          *gdom;
  GStrv                volumes;
} OpData;

static void
op_data_free (OpData *data)
{
  g_clear_object (&data->gdom);
  g_clear_pointer (&data->volumes, g_strfreev);
  g_free (data);
}

static const char *
action_failure (RefractMachineAction action)
{
  switch (action)
    {
    case REFRACT_MACHINE_ACTION_START: return _("Could not start the machine");
    case REFRACT_MACHINE_ACTION_SHUTDOWN: return _("Could not shut down the machine");
    case REFRACT_MACHINE_ACTION_FORCE_OFF: return _("Could not force off the machine");
    case REFRACT_MACHINE_ACTION_REBOOT: return _("Could not reboot the machine");
    case REFRACT_MACHINE_ACTION_PAUSE: return _("Could not pause the machine");
    case REFRACT_MACHINE_ACTION_RESUME: return _("Could not resume the machine");
    case REFRACT_MACHINE_ACTION_SAVE: return _("Could not save the machine");
    case REFRACT_MACHINE_ACTION_DELETE: return _("Could not delete the machine");
    default: return _("The operation failed");
    }
}

static gboolean
delete_volumes (virConnectPtr conn, GStrv volumes, GError **error)
{
  for (guint i = 0; volumes != NULL && volumes[i]; i++)
    {
      virStorageVolPtr vol = virStorageVolLookupByPath (conn, volumes[i]);
      int ret = vol ? virStorageVolDelete (vol, 0) : -1;

      g_clear_pointer (&vol, virStorageVolFree);
      if (ret < 0)
        {
          g_autofree char *what = g_strdup_printf (_("The machine was deleted, but its disk "
                                                     "“%s” could not be deleted"), volumes[i]);
          *error = refract_error_from_libvirt (what);
          return FALSE;
        }
    }
  return TRUE;
}

/* Undefines dom with its managed save, snapshot and checkpoint metadata, NVRAM
 * and TPM state; drivers without NVRAM/TPM support refuse those flags, so it
 * tries again without. FALSE with libvirt's last error set when both fail. */
gboolean
_refract_machine_undefine_domain (virDomainPtr dom)
{
  guint flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM
                | VIR_DOMAIN_UNDEFINE_TPM;

  if (virDomainUndefineFlags (dom, flags) == 0)
    return TRUE;
  virResetLastError ();
  return virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) == 0;
}

static gboolean
run_delete (GVirDomain *gdom, GStrv volumes, GError **error)
{
  virDomainPtr dom;
  virConnectPtr conn;
  gboolean ok = TRUE;

  g_object_get (gdom, "handle", &dom, NULL);
  conn = virDomainGetConnect (dom);

  if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
    ok = FALSE;
  if (ok && virDomainIsPersistent (dom) == 1 && !_refract_machine_undefine_domain (dom))
    ok = FALSE;
  if (!ok)
    *error = refract_error_from_libvirt (_("Could not delete the machine"));
  else
    ok = delete_volumes (conn, volumes, error);

  virDomainFree (dom);
  return ok;
}

static gboolean
run_action (OpData *data, GError **error)
{
  g_autoptr(GError) gvir_error = NULL;
  gboolean ok;

  switch (data->action)
    {
    case REFRACT_MACHINE_ACTION_START:
      ok = gvir_domain_start (data->gdom, 0, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_SHUTDOWN:
      ok = gvir_domain_shutdown (data->gdom, 0, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_FORCE_OFF:
      ok = gvir_domain_stop (data->gdom, 0, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_REBOOT:
      ok = gvir_domain_reboot (data->gdom, 0, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_PAUSE:
      ok = gvir_domain_suspend (data->gdom, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_RESUME:
      ok = gvir_domain_resume (data->gdom, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_SAVE:
      ok = gvir_domain_save (data->gdom, 0, &gvir_error);
      break;
    case REFRACT_MACHINE_ACTION_DELETE:
      return run_delete (data->gdom, data->volumes, error);
    default:
      g_assert_not_reached ();
    }

  if (ok)
    return TRUE;
  if (virGetLastError () != NULL || gvir_error == NULL)
    *error = refract_error_from_libvirt (action_failure (data->action));
  else
    *error = g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED, "%s: %s",
                          action_failure (data->action), gvir_error->message);
  return FALSE;
}

static void
action_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (run_action (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
set_busy (RefractMachine *self, gboolean busy)
{
  gboolean was = self->busy > 0;

  self->busy += busy ? 1 : -1;
  if (was != (self->busy > 0))
    notify (self, PROP_BUSY);
}

static void
action_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefractMachine *self = REFRACT_MACHINE (object);
  GError *error = NULL;

  set_busy (self, FALSE);
  _refract_machine_refresh (self);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_op (RefractMachine      *self,
        OpData              *data,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data,
        gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (task, source_tag);
  if (self->gdom == NULL || !_refract_connection_is_up (self->connection))
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("%s: the connection to libvirt is down."),
                               action_failure (data->action));
      op_data_free (data);
      return;
    }

  data->gdom = g_object_ref (self->gdom);
  set_busy (self, TRUE);
  inner = g_task_new (self, NULL, action_done, g_steal_pointer (&task));
  g_task_set_task_data (inner, data, (GDestroyNotify) op_data_free);
  g_task_run_in_thread (inner, action_thread);
}

void
refract_machine_run_async (RefractMachine       *self,
                           RefractMachineAction  action,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  OpData *data;

  g_return_if_fail (REFRACT_IS_MACHINE (self));

  data = g_new0 (OpData, 1);
  data->action = action;
  run_op (self, data, cancellable, callback, user_data, refract_machine_run_async);
}

gboolean
refract_machine_run_finish (RefractMachine  *self,
                            GAsyncResult    *result,
                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Deletes the machine: forces it off, undefines it with its managed save,
 * snapshot metadata, NVRAM and TPM state, then deletes @volumes (paths). */
void
refract_machine_delete_async (RefractMachine      *self,
                              GStrv                volumes,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OpData *data;

  g_return_if_fail (REFRACT_IS_MACHINE (self));

  data = g_new0 (OpData, 1);
  data->action = REFRACT_MACHINE_ACTION_DELETE;
  data->volumes = g_strdupv (volumes);
  run_op (self, data, cancellable, callback, user_data, refract_machine_delete_async);
}

gboolean
refract_machine_delete_finish (RefractMachine  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- shutdown with a timeout ----------------------------------------- */

typedef struct
{
  gulong notify_id;
  guint  timeout_id;
} ShutdownWait;

static void
shutdown_wait_finish (GTask *task, GError *error)
{
  RefractMachine *self = g_task_get_source_object (task);
  ShutdownWait *wait = g_task_get_task_data (task);

  g_clear_signal_handler (&wait->notify_id, self);
  g_clear_handle_id (&wait->timeout_id, g_source_remove);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
shutdown_state_changed (RefractMachine *self,
                        GParamSpec     *pspec,
                        GTask          *task)
{
  if (!refract_machine_is_active (self))
    shutdown_wait_finish (task, NULL);
}

static gboolean
shutdown_timed_out (gpointer user_data)
{
  GTask *task = user_data;
  ShutdownWait *wait = g_task_get_task_data (task);

  wait->timeout_id = 0;
  shutdown_wait_finish (task, g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_TIMED_OUT,
                                           _("The guest did not shut down in time. It may "
                                             "ignore the request, or still be busy.")));
  return G_SOURCE_REMOVE;
}

static void
shutdown_requested (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  RefractMachine *self = REFRACT_MACHINE (object);
  ShutdownWait *wait = g_task_get_task_data (task);
  GError *error = NULL;

  if (!refract_machine_run_finish (self, result, &error))
    {
      shutdown_wait_finish (task, error);
      return;
    }
  if (!refract_machine_is_active (self))
    {
      shutdown_wait_finish (task, NULL);
      return;
    }
  wait->notify_id = g_signal_connect (self, "notify::state",
                                      G_CALLBACK (shutdown_state_changed), task);
  wait->timeout_id = g_timeout_add_seconds (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "timeout")),
                                            shutdown_timed_out, task);
}

/* Asks the guest to shut down (ACPI) and completes when it is off, or with
 * REFRACT_MODEL_ERROR_TIMED_OUT so the caller can offer to force it off. */
void
refract_machine_shutdown_async (RefractMachine      *self,
                                guint                timeout_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (REFRACT_IS_MACHINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_machine_shutdown_async);
  g_task_set_task_data (task, g_new0 (ShutdownWait, 1), g_free);
  g_object_set_data (G_OBJECT (task), "timeout", GUINT_TO_POINTER (MAX (timeout_seconds, 1)));
  refract_machine_run_async (self, REFRACT_MACHINE_ACTION_SHUTDOWN, cancellable,
                             shutdown_requested, task);
}

gboolean
refract_machine_shutdown_finish (RefractMachine  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- storage that goes with the machine ------------------------------ */

static void
storage_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  RefractMachineXml *xml = _refract_machine_xml_load (task_data, &error);
  g_autoptr(GPtrArray) disks = NULL;

  if (xml == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  disks = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_machine_disk_free);
  for (guint i = 0; i < xml->disks->len; i++)
    {
      RefractMachineDisk *disk = g_ptr_array_index (xml->disks, i);

      if (disk->in_pool && !disk->readonly && g_strcmp0 (disk->device, "disk") == 0)
        g_ptr_array_add (disks, g_ptr_array_steal_index (xml->disks, i--));
    }
  _refract_machine_xml_free (xml);
  g_task_return_pointer (task, g_steal_pointer (&disks), (GDestroyNotify) g_ptr_array_unref);
}

/* The writable disks that are libvirt storage volumes: what "delete with its
 * storage" would remove. CD-ROMs and files outside pools are never listed. */
void
refract_machine_list_storage_async (RefractMachine      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  virDomainPtr dom = _refract_machine_ref_domain (self);

  g_task_set_source_tag (task, refract_machine_list_storage_async);
  if (dom == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The machine is not connected."));
      return;
    }
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, storage_thread);
}

GPtrArray *
refract_machine_list_storage_finish (RefractMachine  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The connection is going away; the UI may still hold the machine. */
void
_refract_machine_detach (RefractMachine *self)
{
  g_clear_weak_pointer (&self->connection);
}
