/* refract-connection-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-application.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_CONNECTION_DIALOG (refract_connection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RefractConnectionDialog, refract_connection_dialog, REFRACT, CONNECTION_DIALOG, AdwWindow)

RefractConnectionDialog *refract_connection_dialog_new         (RefractApplication      *app);
char                    *refract_connection_dialog_dup_uri     (RefractConnectionDialog *self,
                                                                GError                 **error);
void                     refract_connection_dialog_set_kind    (RefractConnectionDialog *self,
                                                                guint                    kind);
void                     refract_connection_dialog_set_fields  (RefractConnectionDialog *self,
                                                                const char              *user,
                                                                const char              *host,
                                                                const char              *uri);
const char              *refract_connection_dialog_get_message (RefractConnectionDialog *self);

G_END_DECLS
