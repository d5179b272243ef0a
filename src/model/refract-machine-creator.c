/* refract-machine-creator.c: spec → volumes → defined (→ started) machine
 *
 * The host's capabilities are loaded (or taken from the connection's cache)
 * on the caller's thread; everything else runs in one worker thread, step by
 * step, remembering what it made so that a failure can take it back in
 * reverse order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/virterror.h>

#include "refract-connection-private.h"
#include "refract-machine-creator.h"
#include "refract-machine-private.h"
#include "refract-model-error.h"
#include "refract-storage-private.h"

/* storage may copy gigabytes; defining and starting are quick */
#define STORAGE_END 0.85
#define DEFINE_END  0.95

static gint fail_after = -1;

/* For tests: make creation fail right after the given step succeeded. */
void
refract_machine_creator_set_fail_after (int step)
{
  g_atomic_int_set (&fail_after, step);
}

typedef struct
{
  RefractMachineSpec *spec;          /* our copy; disk_path is filled in */
  RefractHostCaps    *caps;
  virConnectPtr       conn;
  gboolean            start;
  char               *default_pool_path;
  RefractProgress    *progress;

  /* what was made, for the rollback */
  char               *created_volume;
  virDomainPtr        dom;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_clear_pointer (&data->spec, refract_machine_spec_free);
  g_clear_object (&data->caps);
  g_clear_pointer (&data->dom, virDomainFree);
  g_clear_pointer (&data->conn, virConnectClose);
  g_free (data->default_pool_path);
  g_free (data->created_volume);
  g_clear_pointer (&data->progress, _refract_progress_free);
  g_free (data);
}

static gboolean
forced_failure (RefractCreateStep step, GError **error)
{
  if (g_atomic_int_get (&fail_after) != (int) step)
    return FALSE;
  g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
               "Creation stopped after step %d, as the test asked", step);
  return TRUE;
}

/* ---- storage --------------------------------------------------------------- */

static const char *
pool_of (const RefractMachineSpec *spec)
{
  return spec->pool != NULL && *spec->pool ? spec->pool : "default";
}

static gboolean
pool_exists (virConnectPtr conn, const char *name)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);

  if (pool == NULL)
    {
      virResetLastError ();
      return FALSE;
    }
  virStoragePoolFree (pool);
  return TRUE;
}

static char *
new_disk (CreateData *data, GCancellable *cancellable, GError **error)
{
  RefractMachineSpec *spec = data->spec;
  const char *pool = pool_of (spec);
  g_autofree char *name = g_strconcat (spec->name, ".qcow2", NULL);

  if (g_str_equal (pool, "default") && !pool_exists (data->conn, pool)
      && !_refract_storage_ensure_default_pool (data->conn, data->default_pool_path, error))
    return NULL;
  return _refract_storage_create_volume (data->conn, pool, name, spec->disk_size, "qcow2",
                                         data->progress, cancellable, error);
}

static gboolean
run_storage (CreateData *data, GCancellable *cancellable, GError **error)
{
  RefractMachineSpec *spec = data->spec;
  char *path = NULL;

  _refract_progress_set_range (data->progress, 0, STORAGE_END);
  switch (spec->disk_mode)
    {
    case REFRACT_DISK_NEW:
      path = data->created_volume = new_disk (data, cancellable, error);
      break;
    case REFRACT_DISK_EXISTING:
      if (spec->image_path == NULL || *spec->image_path == '\0')
        {
          g_set_error_literal (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                               _("No disk image was chosen"));
          refract_error_set_remedy (*error, _("Choose the disk image the machine starts from."));
          return FALSE;
        }
      if (spec->import_mode == REFRACT_IMPORT_IN_PLACE)
        {
          /* the user's own file: used, never deleted */
          path = spec->image_path;
          break;
        }
      path = data->created_volume = _refract_storage_import (data->conn, pool_of (spec),
                                                             spec->image_path, spec->name,
                                                             spec->import_mode == REFRACT_IMPORT_CONVERT,
                                                             data->progress, cancellable, error);
      break;
    case REFRACT_DISK_NONE:
      return TRUE;
    default:
      g_assert_not_reached ();
    }

  if (path == NULL)
    return FALSE;
  refract_machine_spec_set_string (&spec->disk_path, path);
  return TRUE;
}

/* ---- define and start -------------------------------------------------------- */

static gboolean
run_define (CreateData *data, GError **error)
{
  g_autofree char *xml = NULL;
  const char *what = _("Defining the machine");

  _refract_progress_set_range (data->progress, STORAGE_END, data->start ? DEFINE_END : 1);
  _refract_progress_report (data->progress, 0, what);

  if ((xml = refract_machine_spec_to_xml (data->spec, data->caps, error)) == NULL)
    return FALSE;

  data->dom = virDomainDefineXMLFlags (data->conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
  if (data->dom == NULL)
    {
      *error = refract_error_from_libvirt (_("libvirt refused the new machine"));
      refract_error_set_remedy (*error, _("Change the setting that libvirt names, or choose "
                                          "another name if one is taken."));
      return FALSE;
    }

  if (data->spec->autostart && virDomainSetAutostart (data->dom, 1) < 0)
    {
      *error = refract_error_from_libvirt (_("Could not make the machine start with the host"));
      refract_error_set_remedy (*error, _("Create the machine without “Start with the host”, "
                                          "and turn it on later."));
      return FALSE;
    }

  _refract_progress_report (data->progress, 1, what);
  return TRUE;
}

static gboolean
run_start (CreateData *data, GError **error)
{
  const char *what = _("Starting the machine");

  _refract_progress_set_range (data->progress, DEFINE_END, 1);
  _refract_progress_report (data->progress, 0, what);

  if (virDomainCreate (data->dom) < 0)
    {
      *error = refract_error_from_libvirt (_("The machine could not start, so it was not kept"));
      refract_error_set_remedy (*error, _("Nothing was left behind. Check the settings libvirt names, "
                                          "or create the machine without starting it and look "
                                          "at its log."));
      return FALSE;
    }

  _refract_progress_report (data->progress, 1, what);
  return TRUE;
}

/* ---- rollback ------------------------------------------------------------------- */

/* As deleting a machine does: its NVRAM and TPM state go with it. */
static void
undefine (virDomainPtr dom)
{
  if (virDomainIsActive (dom) == 1 && virDomainDestroy (dom) < 0)
    g_warning ("Rollback: could not stop the new machine: %s", virGetLastErrorMessage ());
  if (!_refract_machine_undefine_domain (dom))
    g_warning ("Rollback: could not undefine the new machine: %s", virGetLastErrorMessage ());
  virResetLastError ();
}

static void
roll_back (CreateData *data)
{
  g_autoptr(GError) error = NULL;

  if (data->dom != NULL)
    undefine (data->dom);
  g_clear_pointer (&data->dom, virDomainFree);

  if (data->created_volume != NULL
      && !_refract_storage_delete_path (data->conn, data->created_volume, &error))
    g_warning ("Rollback: %s", error->message);
  g_clear_pointer (&data->created_volume, g_free);
}

static char *
run_create (CreateData *data, GCancellable *cancellable, GError **error)
{
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (g_cancellable_set_error_if_cancelled (cancellable, error)
      || !run_storage (data, cancellable, error)
      || forced_failure (REFRACT_CREATE_STEP_STORAGE, error)
      || g_cancellable_set_error_if_cancelled (cancellable, error)
      || !run_define (data, error)
      || forced_failure (REFRACT_CREATE_STEP_DEFINE, error)
      || g_cancellable_set_error_if_cancelled (cancellable, error)
      || (data->start && !run_start (data, error))
      || (data->start && forced_failure (REFRACT_CREATE_STEP_START, error))
      || virDomainGetUUIDString (data->dom, uuid) < 0)
    {
      if (error != NULL && *error == NULL)
        *error = refract_error_from_libvirt (_("Could not read the new machine’s UUID"));
      roll_back (data);
      return NULL;
    }
  return g_strdup (uuid);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  char *uuid = run_create (task_data, cancellable, &error);

  if (uuid != NULL)
    g_task_return_pointer (task, uuid, g_free);
  else
    g_task_return_error (task, error);
}

static void
caps_loaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CreateData *data = g_task_get_task_data (task);
  RefractConnection *connection = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  data->caps = refract_host_caps_load_finish (result, &error);
  if (data->caps == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((data->conn = _refract_connection_ref_handle (connection)) == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The connection to libvirt is down."));
      return;
    }
  g_task_run_in_thread (task, create_thread);
}

/* Creates the machine spec describes: its disk (a new volume, or an imported
 * image), its definition, and, when start is TRUE, starts it. Progress (0–1,
 * with what is being done) is reported on the caller's thread-default main
 * context. The result is the new machine's UUID. */
void
refract_machine_create_async (RefractConnection        *connection,
                              const RefractMachineSpec *spec,
                              gboolean                  start,
                              RefractProgressFunc       progress,
                              gpointer                  progress_data,
                              GCancellable             *cancellable,
                              GAsyncReadyCallback       callback,
                              gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  CreateData *data;

  g_return_if_fail (REFRACT_IS_CONNECTION (connection));
  g_return_if_fail (spec != NULL && spec->name != NULL);

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_machine_create_async);

  data = g_new0 (CreateData, 1);
  data->spec = refract_machine_spec_copy (spec);
  data->start = start;
  data->default_pool_path = refract_storage_default_pool_path (connection);
  data->progress = _refract_progress_new (progress, progress_data);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);

  refract_host_caps_load_async (connection, FALSE, cancellable, caps_loaded,
                                g_steal_pointer (&task));
}

char *
refract_machine_create_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == refract_machine_create_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
