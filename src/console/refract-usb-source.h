/* refract-usb-source.h: host USB devices that can be handed to a machine
 *
 * RefractUsbSource is what the USB picker talks to: a list of host devices
 * (a GListModel of RefractUsbDevice, live on hotplug), the free redirection
 * channels of the machine, connect/disconnect, and a shared CD from an ISO.
 * The product uses the SPICE implementation (refract-usb-source-spice.c);
 * tests use a fake (refract-usb-source-fake.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define REFRACT_USB_ERROR (refract_usb_error_quark ())

typedef enum
{
  REFRACT_USB_ERROR_FAILED,
  REFRACT_USB_ERROR_ACL_HELPER,      /* the setuid helper is missing or failing */
  REFRACT_USB_ERROR_POLKIT_DENIED,   /* org.spice-space.lowlevelusbaccess refused */
  REFRACT_USB_ERROR_PERMISSION,      /* the device node cannot be opened */
  REFRACT_USB_ERROR_NO_CHANNELS,     /* no (free) usbredir channel */
  REFRACT_USB_ERROR_IN_USE,          /* another program or machine has it */
  REFRACT_USB_ERROR_BLOCKED,         /* the host's or the machine's filter */
  REFRACT_USB_ERROR_SANDBOX,         /* Flatpak without device access */
  REFRACT_USB_ERROR_UNSUPPORTED,     /* no redirection in this build or session */
} RefractUsbError;

/* USB class codes (usb.org "Defined Class Codes") the picker cares about */
#define REFRACT_USB_CLASS_PER_INTERFACE 0x00
#define REFRACT_USB_CLASS_AUDIO         0x01
#define REFRACT_USB_CLASS_HID           0x03
#define REFRACT_USB_CLASS_MASS_STORAGE  0x08
#define REFRACT_USB_CLASS_VIDEO         0x0e

/* ---- one device ---------------------------------------------------------- */

#define REFRACT_TYPE_USB_DEVICE (refract_usb_device_get_type ())

G_DECLARE_FINAL_TYPE (RefractUsbDevice, refract_usb_device, REFRACT, USB_DEVICE, GObject)

RefractUsbDevice *refract_usb_device_new                (const char       *name,
                                                         guint16           vendor_id,
                                                         guint16           product_id,
                                                         guint             bus,
                                                         guint             address);
const char       *refract_usb_device_get_name           (RefractUsbDevice *self);
guint16           refract_usb_device_get_vendor_id      (RefractUsbDevice *self);
guint16           refract_usb_device_get_product_id     (RefractUsbDevice *self);
guint             refract_usb_device_get_bus            (RefractUsbDevice *self);
guint             refract_usb_device_get_address        (RefractUsbDevice *self);
/* "vendor:product" as lsusb prints it, and "Bus 1, device 4" */
char             *refract_usb_device_dup_ids            (RefractUsbDevice *self);
char             *refract_usb_device_dup_location       (RefractUsbDevice *self);
/* bDeviceClass, and the classes of the interfaces of the active configuration
 * (a bit per class below 32, e.g. 1 << REFRACT_USB_CLASS_AUDIO) */
guint             refract_usb_device_get_device_class   (RefractUsbDevice *self);
guint32           refract_usb_device_get_interface_classes (RefractUsbDevice *self);
void              refract_usb_device_set_classes        (RefractUsbDevice *self,
                                                         guint             device_class,
                                                         guint32           interface_classes);
gboolean          refract_usb_device_has_class          (RefractUsbDevice *self,
                                                         guint             usb_class);
gboolean          refract_usb_device_is_audio           (RefractUsbDevice *self);
gboolean          refract_usb_device_is_shared_cd       (RefractUsbDevice *self);
void              refract_usb_device_set_is_shared_cd   (RefractUsbDevice *self,
                                                         gboolean          shared_cd);
const char       *refract_usb_device_get_icon_name      (RefractUsbDevice *self);
/* state, kept by the source */
gboolean          refract_usb_device_get_redirected     (RefractUsbDevice *self);
void              refract_usb_device_set_redirected     (RefractUsbDevice *self,
                                                         gboolean          redirected);
gboolean          refract_usb_device_get_busy           (RefractUsbDevice *self);
void              refract_usb_device_set_busy           (RefractUsbDevice *self,
                                                         gboolean          busy);
/* the last failure, with what to do about it; NULL when none */
const char       *refract_usb_device_get_error_message  (RefractUsbDevice *self);
const char       *refract_usb_device_get_error_remedy   (RefractUsbDevice *self);
void              refract_usb_device_set_error          (RefractUsbDevice *self,
                                                         const GError     *error);
/* what a backend keeps with the device (a SpiceUsbDevice) */
gpointer          refract_usb_device_get_backend_data   (RefractUsbDevice *self);
void              refract_usb_device_set_backend_data   (RefractUsbDevice *self,
                                                         gpointer          data,
                                                         GDestroyNotify    destroy);

/* ---- the source ---------------------------------------------------------- */

#define REFRACT_TYPE_USB_SOURCE (refract_usb_source_get_type ())

G_DECLARE_INTERFACE (RefractUsbSource, refract_usb_source, REFRACT, USB_SOURCE, GObject)

struct _RefractUsbSourceInterface
{
  GTypeInterface parent_iface;

  GListModel *(*get_devices)       (RefractUsbSource     *self);
  gboolean    (*can_redirect)      (RefractUsbSource     *self,
                                    RefractUsbDevice     *device,
                                    GError              **error);
  void        (*connect_async)     (RefractUsbSource     *self,
                                    RefractUsbDevice     *device,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
  gboolean    (*connect_finish)    (RefractUsbSource     *self,
                                    GAsyncResult         *result,
                                    GError              **error);
  void        (*disconnect_async)  (RefractUsbSource     *self,
                                    RefractUsbDevice     *device,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
  gboolean    (*disconnect_finish) (RefractUsbSource     *self,
                                    GAsyncResult         *result,
                                    GError              **error);
  /* NULL when the backend cannot share a CD */
  gboolean    (*share_cd)          (RefractUsbSource     *self,
                                    const char           *path,
                                    GError              **error);
  void        (*set_auto_redirect) (RefractUsbSource     *self,
                                    gboolean              enabled,
                                    const char           *filter);
};

GQuark      refract_usb_error_quark            (void);
/* A spice-client-glib (or libusb) error as one a person can act on: the
 * message keeps the original reason; *remedy says what to do. Pure. */
GError     *refract_usb_error_explain          (const GError         *error,
                                                gboolean              in_flatpak,
                                                char                **remedy);
gboolean    refract_usb_in_flatpak             (void);

/* Properties: "free-channels" (int, -1 when not known), "channels" (int, the
 * machine's usbredir channels, -1 when not known), "available" (boolean) and
 * "unavailable-reason" (string, why not). */
GListModel *refract_usb_source_get_devices         (RefractUsbSource     *self);
int         refract_usb_source_get_free_channels   (RefractUsbSource     *self);
int         refract_usb_source_get_channels        (RefractUsbSource     *self);
gboolean    refract_usb_source_get_available       (RefractUsbSource     *self);
char       *refract_usb_source_dup_unavailable_reason (RefractUsbSource  *self);
gboolean    refract_usb_source_can_redirect        (RefractUsbSource     *self,
                                                    RefractUsbDevice     *device,
                                                    GError              **error);
void        refract_usb_source_connect_async       (RefractUsbSource     *self,
                                                    RefractUsbDevice     *device,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean    refract_usb_source_connect_finish      (RefractUsbSource     *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void        refract_usb_source_disconnect_async    (RefractUsbSource     *self,
                                                    RefractUsbDevice     *device,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean    refract_usb_source_disconnect_finish   (RefractUsbSource     *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
gboolean    refract_usb_source_can_share_cd        (RefractUsbSource     *self);
gboolean    refract_usb_source_share_cd            (RefractUsbSource     *self,
                                                    const char           *path,
                                                    GError              **error);
void        refract_usb_source_set_auto_redirect   (RefractUsbSource     *self,
                                                    gboolean              enabled,
                                                    const char           *filter);

G_END_DECLS
