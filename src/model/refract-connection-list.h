/* refract-connection-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-connection.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_CONNECTION_LIST (refract_connection_list_get_type ())

G_DECLARE_FINAL_TYPE (RefractConnectionList, refract_connection_list, REFRACT, CONNECTION_LIST, GObject)

RefractConnectionList *refract_connection_list_new            (GSettings             *settings);
RefractConnection     *refract_connection_list_find           (RefractConnectionList *self,
                                                               const char            *uri);
RefractConnection     *refract_connection_list_add            (RefractConnectionList *self,
                                                               const char            *uri,
                                                               gboolean               remember);
RefractConnection     *refract_connection_list_add_demo       (RefractConnectionList *self);
void                   refract_connection_list_remove         (RefractConnectionList *self,
                                                               RefractConnection     *connection);
void                   refract_connection_list_load_saved     (RefractConnectionList *self);
gboolean               refract_connection_list_get_autoconnect (RefractConnectionList *self,
                                                               const char            *uri);
void                   refract_connection_list_set_autoconnect (RefractConnectionList *self,
                                                               const char            *uri,
                                                               gboolean               autoconnect);
void                   refract_connection_list_startup_async  (RefractConnectionList *self,
                                                               GCancellable          *cancellable,
                                                               GAsyncReadyCallback    callback,
                                                               gpointer               user_data);
RefractConnection     *refract_connection_list_startup_finish (RefractConnectionList *self,
                                                               GAsyncResult          *result,
                                                               GError               **fallback_reason);
char                  *refract_demo_node_path                 (void);
char                  *refract_demo_uri                       (void);

G_END_DECLS
