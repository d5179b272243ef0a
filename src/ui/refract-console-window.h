/* refract-console-window.h: a machine's console in its own window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-console.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_CONSOLE_WINDOW (refract_console_window_get_type ())

G_DECLARE_FINAL_TYPE (RefractConsoleWindow, refract_console_window, REFRACT, CONSOLE_WINDOW, AdwApplicationWindow)

RefractConsoleWindow *refract_console_window_present (RefractConsole *console,
                                                      GtkWindow      *parent);
RefractConsole       *refract_console_window_get_console (RefractConsoleWindow *self);

G_END_DECLS
