/* refract-usb-source-fake.h: a RefractUsbSource for tests, no USB bus needed
 *
 * Never used by the product: on the demo host the picker says there is no
 * USB redirection instead of showing made-up devices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-usb-source.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_USB_SOURCE_FAKE (refract_usb_source_fake_get_type ())

G_DECLARE_FINAL_TYPE (RefractUsbSourceFake, refract_usb_source_fake, REFRACT, USB_SOURCE_FAKE, GObject)

RefractUsbSourceFake *refract_usb_source_fake_new              (int                   channels);
/* plug and unplug */
void                  refract_usb_source_fake_add              (RefractUsbSourceFake *self,
                                                                RefractUsbDevice     *device);
void                  refract_usb_source_fake_remove           (RefractUsbSourceFake *self,
                                                                RefractUsbDevice     *device);
void                  refract_usb_source_fake_set_unavailable  (RefractUsbSourceFake *self,
                                                                const char           *reason);
/* the next connect of @device fails with @error (copied) */
void                  refract_usb_source_fake_fail_next        (RefractUsbSourceFake *self,
                                                                RefractUsbDevice     *device,
                                                                const GError         *error);
guint                 refract_usb_source_fake_get_connects     (RefractUsbSourceFake *self);
guint                 refract_usb_source_fake_get_disconnects  (RefractUsbSourceFake *self);
const char           *refract_usb_source_fake_get_filter       (RefractUsbSourceFake *self);
gboolean              refract_usb_source_fake_get_auto_redirect (RefractUsbSourceFake *self);
const char           *refract_usb_source_fake_get_shared_cd    (RefractUsbSourceFake *self);

G_END_DECLS
