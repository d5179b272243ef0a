/* refract-storage-private.h: the storage steps, for worker threads
 *
 * The machine creator runs these in its own thread, one after the other; the
 * public _async functions of refract-storage.h wrap them in a GTask each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "refract-storage.h"

G_BEGIN_DECLS

/* Reports progress on the main context that was thread-default when it was
 * made, at most every 100 ms (0 and 1 always). */
typedef struct _RefractProgress RefractProgress;

RefractProgress *_refract_progress_new             (RefractProgressFunc  func,
                                                    gpointer             data);
void             _refract_progress_report          (RefractProgress     *progress,
                                                    double               fraction,
                                                    const char          *what);
void             _refract_progress_free            (RefractProgress     *progress);
/* Later reports of 0–1 are mapped into from–to (a step of a longer task). */
void             _refract_progress_set_range       (RefractProgress     *progress,
                                                    double               from,
                                                    double               to);

char            *_refract_storage_default_path_for_uri (const char      *uri);

gboolean         _refract_storage_ensure_default_pool (virConnectPtr     conn,
                                                       const char       *path,
                                                       GError          **error);
char            *_refract_storage_create_volume    (virConnectPtr        conn,
                                                    const char          *pool,
                                                    const char          *name,
                                                    guint64              capacity,
                                                    const char          *format,
                                                    RefractProgress     *progress,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
char            *_refract_storage_import           (virConnectPtr        conn,
                                                    const char          *pool,
                                                    const char          *source_path,
                                                    const char          *name,
                                                    gboolean             convert,
                                                    RefractProgress     *progress,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
gboolean         _refract_storage_delete_path      (virConnectPtr        conn,
                                                    const char          *path,
                                                    GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractProgress, _refract_progress_free)

G_END_DECLS
