/* refract-usb-source-spice.h: RefractUsbSource over SpiceUsbDeviceManager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-spice-session.h"
#include "refract-usb-source.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_USB_SOURCE_SPICE (refract_usb_source_spice_get_type ())

G_DECLARE_FINAL_TYPE (RefractUsbSourceSpice, refract_usb_source_spice, REFRACT, USB_SOURCE_SPICE, GObject)

/* Follows @session across reconnections (a new SpiceSession each time). */
RefractUsbSource *refract_usb_source_spice_new (RefractSpiceSession *session);

G_END_DECLS
