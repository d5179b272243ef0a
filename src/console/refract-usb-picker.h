/* refract-usb-picker.h: host USB devices to hand to a machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-spice-session.h"
#include "refract-usb-source.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_USB_PICKER (refract_usb_picker_get_type ())

G_DECLARE_FINAL_TYPE (RefractUsbPicker, refract_usb_picker, REFRACT, USB_PICKER, GtkWidget)

GtkWidget *refract_usb_picker_new             (void);
void       refract_usb_picker_set_source      (RefractUsbPicker    *self,
                                               RefractUsbSource    *source);
/* the machine the rules, channels and permanent attachments are for; may be NULL */
void       refract_usb_picker_set_machine     (RefractUsbPicker    *self,
                                               RefractMachine      *machine);
/* no source at all (the demo host): says @reason instead of a list */
void       refract_usb_picker_set_unavailable (RefractUsbPicker    *self,
                                               const char          *reason);
/* A picker over @source for @machine; with no @source (the demo host) it
 * says why there is nothing to redirect. */
GtkWidget *refract_usb_picker_new_for_source  (RefractUsbSource    *source,
                                               RefractMachine      *machine);
/* A GtkMenuButton whose popover holds such a picker, made when first opened
 * and kept between openings. */
GtkWidget *refract_usb_picker_button_new      (RefractUsbSource    *source,
                                               RefractMachine      *machine);

G_END_DECLS
