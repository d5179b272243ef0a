/* refract-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-model.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_APPLICATION (refract_application_get_type ())

G_DECLARE_FINAL_TYPE (RefractApplication, refract_application, REFRACT, APPLICATION, AdwApplication)

RefractApplication    *refract_application_new             (void);
RefractConnectionList *refract_application_get_connections (RefractApplication *self);
GSettings             *refract_application_get_settings    (RefractApplication *self);

G_END_DECLS
