/* refract-storage.h: volumes for new machines, through libvirt's storage API
 *
 * All operations run in a worker thread on the connection's handle. Long
 * ones report progress (0.0–1.0) on the thread-default main context of the
 * caller. Nothing is left behind when they fail or are cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-host-caps.h"
#include "refract-model-types.h"

G_BEGIN_DECLS

typedef void (*RefractProgressFunc) (double      fraction,
                                     const char *what,  /* translated, e.g. "Copying disk image" */
                                     gpointer    user_data);

/* The directory libvirt uses for the default pool on this connection
 * (/var/lib/libvirt/images for system, ~/.local/share/libvirt/images for session). */
char      *refract_storage_default_pool_path     (RefractConnection   *connection);

/* Define, build, start and autostart the "default" pool at
 * refract_storage_default_pool_path(); succeeds at once when it exists (and starts it if inactive). */
void       refract_storage_ensure_default_pool_async  (RefractConnection   *connection,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean   refract_storage_ensure_default_pool_finish (GAsyncResult        *result,
                                                       GError             **error);

/* Current pools with free space (refreshes them first). */
void       refract_storage_list_pools_async      (RefractConnection   *connection,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray *refract_storage_list_pools_finish     (GAsyncResult        *result,
                                                  GError             **error); /* RefractPoolInfo* */

/* A new volume "name" (a free variant of it when taken: name-2.qcow2) of
 * capacity bytes in pool, format "qcow2" or "raw". Returns its path. */
void       refract_storage_create_volume_async   (RefractConnection   *connection,
                                                  const char          *pool,
                                                  const char          *name,
                                                  guint64              capacity,
                                                  const char          *format,
                                                  RefractProgressFunc  progress,
                                                  gpointer             progress_data,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char      *refract_storage_create_volume_finish  (GAsyncResult        *result,
                                                  GError             **error);

/* Copy the host file source_path into pool as volume "name", keeping its
 * format, or as qcow2 when convert is TRUE. Returns the new volume's path. */
void       refract_storage_import_async          (RefractConnection   *connection,
                                                  const char          *pool,
                                                  const char          *source_path,
                                                  const char          *name,
                                                  gboolean             convert,
                                                  RefractProgressFunc  progress,
                                                  gpointer             progress_data,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char      *refract_storage_import_finish         (GAsyncResult        *result,
                                                  GError             **error);

/* Delete the volume at path (synchronous, for rollback; also used by tests). */
gboolean   refract_storage_delete_volume_path    (RefractConnection   *connection,
                                                  const char          *path,
                                                  GError             **error);

/* The format of an image file on the local host ("qcow2", "raw", …) from its
 * header; NULL with an error when it can't be read. */
char      *refract_storage_probe_format          (const char          *path,
                                                  guint64             *virtual_size,
                                                  GError             **error);

G_END_DECLS
