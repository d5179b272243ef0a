/* refract-console.h: one machine's console, shared by the page and its own window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-clipboard-bridge.h"
#include "refract-model.h"
#include "refract-serial-console.h"
#include "refract-spice-display.h"
#include "refract-usb-source.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_CONSOLE (refract_console_get_type ())

G_DECLARE_FINAL_TYPE (RefractConsole, refract_console, REFRACT, CONSOLE, GObject)

RefractConsole       *refract_console_get_for_machine (RefractMachine *machine);
RefractMachine       *refract_console_get_machine     (RefractConsole *self);
RefractSpiceSession  *refract_console_get_session     (RefractConsole *self);
RefractSpiceDisplay  *refract_console_get_display     (RefractConsole *self);
RefractSerialConsole *refract_console_get_serial      (RefractConsole *self);
RefractClipboardBridge *refract_console_get_clipboard (RefractConsole *self);
/* host USB devices for the session; NULL on the demo host */
RefractUsbSource     *refract_console_get_usb_source  (RefractConsole *self);
gboolean              refract_console_has_serial      (RefractConsole *self);
gboolean              refract_console_get_detached    (RefractConsole *self);
void                  refract_console_set_detached    (RefractConsole *self,
                                                       gboolean        detached);
void                  refract_console_start           (RefractConsole *self);
char                 *refract_console_describe_keys   (const char     *keys);

/* Tests: a console over @session (an in-process server) instead of the machine's own. */
RefractConsole       *_refract_console_new_for_session (RefractMachine      *machine,
                                                        RefractSpiceSession *session);

G_END_DECLS
