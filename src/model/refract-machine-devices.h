/* refract-machine-devices.h: USB devices of a machine's definition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-machine.h"

G_BEGIN_DECLS

/* <hostdev mode='subsystem' type='usb' managed='yes'> by vendor/product. Pure. */
char     *refract_usb_hostdev_xml                     (guint16               vendor,
                                                       guint16               product);
/* Adds <redirdev bus='usb' type='spicevmc'/> until the persistent definition
 * has @channels of them, and a qemu-xhci controller when it has no USB
 * controller; takes effect at the next start. Pure (XML in, XML out). */
char     *refract_machine_xml_add_usb_redirection     (const char           *domain_xml,
                                                       guint                 channels,
                                                       GError              **error);
void      refract_machine_add_usb_redirection_async   (RefractMachine       *self,
                                                       guint                 channels,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean  refract_machine_add_usb_redirection_finish  (RefractMachine       *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Permanent USB passthrough: the persistent definition always, the running
 * machine too when @live and it runs. */
void      refract_machine_attach_usb_hostdev_async    (RefractMachine       *self,
                                                       guint16               vendor,
                                                       guint16               product,
                                                       gboolean              live,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean  refract_machine_attach_usb_hostdev_finish   (RefractMachine       *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void      refract_machine_detach_usb_hostdev_async    (RefractMachine       *self,
                                                       guint16               vendor,
                                                       guint16               product,
                                                       gboolean              live,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean  refract_machine_detach_usb_hostdev_finish   (RefractMachine       *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
