/* refract-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-application.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_PREFERENCES_WINDOW (refract_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (RefractPreferencesWindow, refract_preferences_window, REFRACT, PREFERENCES_WINDOW, AdwPreferencesWindow)

RefractPreferencesWindow *refract_preferences_window_new (RefractApplication *app);

G_END_DECLS
