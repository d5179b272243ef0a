/* refract-serial-console.h: a machine's serial console in a VTE terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-model.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_SERIAL_STATE_DISCONNECTED,  /* machine off, or no console device */
  REFRACT_SERIAL_STATE_CONNECTING,
  REFRACT_SERIAL_STATE_CONNECTED,
  REFRACT_SERIAL_STATE_FAILED,
} RefractSerialState;

#define REFRACT_TYPE_SERIAL_CONSOLE (refract_serial_console_get_type ())

G_DECLARE_FINAL_TYPE (RefractSerialConsole, refract_serial_console, REFRACT, SERIAL_CONSOLE, GtkWidget)

GtkWidget          *refract_serial_console_new               (void);
RefractMachine     *refract_serial_console_get_machine       (RefractSerialConsole *self);
/* Opens the console stream while the machine runs, reopens it when it starts again. */
void                refract_serial_console_set_machine       (RefractSerialConsole *self,
                                                              RefractMachine       *machine);
RefractSerialState  refract_serial_console_get_state         (RefractSerialConsole *self);
const char         *refract_serial_console_get_error_message (RefractSerialConsole *self);
/* The text currently on screen, for tests and "copy all". */
char               *refract_serial_console_dup_text          (RefractSerialConsole *self);
void                refract_serial_console_copy              (RefractSerialConsole *self);
void                refract_serial_console_paste             (RefractSerialConsole *self);
void                refract_serial_console_zoom              (RefractSerialConsole *self,
                                                              int                  direction);

G_END_DECLS
