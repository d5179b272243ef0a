/* refract-connection.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-machine-list.h"
#include "refract-model-types.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_CONNECTION (refract_connection_get_type ())

G_DECLARE_FINAL_TYPE (RefractConnection, refract_connection, REFRACT, CONNECTION, GObject)

RefractConnection      *refract_connection_new               (const char          *uri);
const char             *refract_connection_get_uri           (RefractConnection   *self);
const char             *refract_connection_get_display_name  (RefractConnection   *self);
RefractConnectionState  refract_connection_get_state         (RefractConnection   *self);
const GError           *refract_connection_get_error         (RefractConnection   *self);
gboolean                refract_connection_get_is_demo       (RefractConnection   *self);
void                    refract_connection_set_is_demo       (RefractConnection   *self,
                                                              gboolean             is_demo);
RefractMachineList     *refract_connection_get_machines      (RefractConnection   *self);
gpointer                refract_connection_get_gvir          (RefractConnection   *self);
void                    refract_connection_open_async        (RefractConnection   *self,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean                refract_connection_open_finish       (RefractConnection   *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
void                    refract_connection_close             (RefractConnection   *self);
void                    refract_connection_reconnect_now     (RefractConnection   *self);
guint                   refract_connection_get_retry_seconds (RefractConnection   *self);

G_END_DECLS
