/* refract-usb-source.c: RefractUsbDevice, the RefractUsbSource interface,
 * and what USB redirection failures mean for the person in front of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-usb-source-private.h"

G_DEFINE_QUARK (refract-usb-error-quark, refract_usb_error)

/* ---- RefractUsbDevice ---------------------------------------------------- */

struct _RefractUsbDevice
{
  GObject         parent_instance;

  char           *name;
  guint16         vendor_id;
  guint16         product_id;
  guint           bus;
  guint           address;
  guint           device_class;
  guint32         interface_classes;
  char           *error_message;
  char           *error_remedy;
  gpointer        backend_data;
  GDestroyNotify  backend_destroy;
  guint           redirected : 1;
  guint           busy : 1;
  guint           shared_cd : 1;
};

G_DEFINE_FINAL_TYPE (RefractUsbDevice, refract_usb_device, G_TYPE_OBJECT)

enum {
  DEV_PROP_0,
  DEV_PROP_NAME,
  DEV_PROP_REDIRECTED,
  DEV_PROP_BUSY,
  DEV_PROP_ERROR_MESSAGE,
  DEV_N_PROPS
};

static GParamSpec *device_properties[DEV_N_PROPS];

static void
refract_usb_device_finalize (GObject *object)
{
  RefractUsbDevice *self = REFRACT_USB_DEVICE (object);

  g_free (self->name);
  g_free (self->error_message);
  g_free (self->error_remedy);
  if (self->backend_destroy != NULL && self->backend_data != NULL)
    self->backend_destroy (self->backend_data);
  G_OBJECT_CLASS (refract_usb_device_parent_class)->finalize (object);
}

static void
refract_usb_device_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RefractUsbDevice *self = REFRACT_USB_DEVICE (object);

  switch (prop_id)
    {
    case DEV_PROP_NAME: g_value_set_string (value, self->name); break;
    case DEV_PROP_REDIRECTED: g_value_set_boolean (value, self->redirected); break;
    case DEV_PROP_BUSY: g_value_set_boolean (value, self->busy); break;
    case DEV_PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_usb_device_class_init (RefractUsbDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = refract_usb_device_finalize;
  object_class->get_property = refract_usb_device_get_property;

  device_properties[DEV_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  device_properties[DEV_PROP_REDIRECTED] =
    g_param_spec_boolean ("redirected", NULL, NULL, FALSE, ro);
  device_properties[DEV_PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  device_properties[DEV_PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, DEV_N_PROPS, device_properties);
}

static void
refract_usb_device_init (RefractUsbDevice *self)
{
}

RefractUsbDevice *
refract_usb_device_new (const char *name,
                        guint16     vendor_id,
                        guint16     product_id,
                        guint       bus,
                        guint       address)
{
  RefractUsbDevice *self = g_object_new (REFRACT_TYPE_USB_DEVICE, NULL);

  self->name = g_strdup (name != NULL && *name ? name : _("Unknown device"));
  self->vendor_id = vendor_id;
  self->product_id = product_id;
  self->bus = bus;
  self->address = address;
  return self;
}

const char *
refract_usb_device_get_name (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  return self->name;
}

guint16
refract_usb_device_get_vendor_id (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), 0);
  return self->vendor_id;
}

guint16
refract_usb_device_get_product_id (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), 0);
  return self->product_id;
}

guint
refract_usb_device_get_bus (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), 0);
  return self->bus;
}

guint
refract_usb_device_get_address (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), 0);
  return self->address;
}

char *
refract_usb_device_dup_ids (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  return g_strdup_printf ("%04x:%04x", self->vendor_id, self->product_id);
}

char *
refract_usb_device_dup_location (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  if (self->shared_cd)
    return g_strdup (_("Shared ISO image"));
  /* TRANSLATORS: where a USB device is plugged in, as lsusb numbers it */
  return g_strdup_printf (_("Bus %u, device %u"), self->bus, self->address);
}

guint
refract_usb_device_get_device_class (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), 0);
  return self->device_class;
}

guint32
refract_usb_device_get_interface_classes (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), 0);
  return self->interface_classes;
}

void
refract_usb_device_set_classes (RefractUsbDevice *self,
                                guint             device_class,
                                guint32           interface_classes)
{
  g_return_if_fail (REFRACT_IS_USB_DEVICE (self));
  self->device_class = device_class;
  self->interface_classes = interface_classes;
}

gboolean
refract_usb_device_has_class (RefractUsbDevice *self,
                              guint             usb_class)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), FALSE);
  if (self->device_class == usb_class)
    return TRUE;
  return usb_class < 32 && (self->interface_classes & (1u << usb_class)) != 0;
}

/* USB Audio Class: the class sits on the interfaces (bDeviceClass is 0 or 0xef) */
gboolean
refract_usb_device_is_audio (RefractUsbDevice *self)
{
  return refract_usb_device_has_class (self, REFRACT_USB_CLASS_AUDIO);
}

gboolean
refract_usb_device_is_shared_cd (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), FALSE);
  return self->shared_cd;
}

void
refract_usb_device_set_is_shared_cd (RefractUsbDevice *self,
                                     gboolean          shared_cd)
{
  g_return_if_fail (REFRACT_IS_USB_DEVICE (self));
  self->shared_cd = !!shared_cd;
}

const char *
refract_usb_device_get_icon_name (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  if (self->shared_cd)
    return "media-optical-symbolic";
  if (refract_usb_device_is_audio (self))
    return "audio-card-symbolic";
  if (refract_usb_device_has_class (self, REFRACT_USB_CLASS_HID))
    return "input-keyboard-symbolic";
  if (refract_usb_device_has_class (self, REFRACT_USB_CLASS_MASS_STORAGE))
    return "drive-removable-media-symbolic";
  if (refract_usb_device_has_class (self, REFRACT_USB_CLASS_VIDEO))
    return "camera-web-symbolic";
  if (refract_usb_device_has_class (self, 0x07))
    return "printer-symbolic";
  if (refract_usb_device_has_class (self, 0xe0))
    return "bluetooth-symbolic";
  return "media-removable-symbolic";
}

gboolean
refract_usb_device_get_redirected (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), FALSE);
  return self->redirected;
}

void
refract_usb_device_set_redirected (RefractUsbDevice *self,
                                   gboolean          redirected)
{
  g_return_if_fail (REFRACT_IS_USB_DEVICE (self));
  if (self->redirected == !!redirected)
    return;
  self->redirected = !!redirected;
  g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEV_PROP_REDIRECTED]);
}

gboolean
refract_usb_device_get_busy (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), FALSE);
  return self->busy;
}

void
refract_usb_device_set_busy (RefractUsbDevice *self,
                             gboolean          busy)
{
  g_return_if_fail (REFRACT_IS_USB_DEVICE (self));
  if (self->busy == !!busy)
    return;
  self->busy = !!busy;
  g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEV_PROP_BUSY]);
}

const char *
refract_usb_device_get_error_message (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  return self->error_message;
}

const char *
refract_usb_device_get_error_remedy (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  return self->error_remedy;
}

/* @error: NULL to clear; otherwise explained with refract_usb_error_explain() */
void
refract_usb_device_set_error (RefractUsbDevice *self,
                              const GError     *error)
{
  g_autoptr(GError) explained = NULL;
  g_autofree char *remedy = NULL;

  g_return_if_fail (REFRACT_IS_USB_DEVICE (self));
  if (error != NULL)
    explained = refract_usb_error_explain (error, refract_usb_in_flatpak (), &remedy);
  g_free (self->error_remedy);
  self->error_remedy = g_steal_pointer (&remedy);
  if (g_strcmp0 (self->error_message, explained ? explained->message : NULL) == 0)
    return;
  g_free (self->error_message);
  self->error_message = explained ? g_strdup (explained->message) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEV_PROP_ERROR_MESSAGE]);
}

gpointer
refract_usb_device_get_backend_data (RefractUsbDevice *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (self), NULL);
  return self->backend_data;
}

void
refract_usb_device_set_backend_data (RefractUsbDevice *self,
                                     gpointer          data,
                                     GDestroyNotify    destroy)
{
  g_return_if_fail (REFRACT_IS_USB_DEVICE (self));
  if (self->backend_destroy != NULL && self->backend_data != NULL)
    self->backend_destroy (self->backend_data);
  self->backend_data = data;
  self->backend_destroy = destroy;
}

/* ---- errors -------------------------------------------------------------- */

gboolean
refract_usb_in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static gboolean
has (const char *message, const char *needle)
{
  g_autofree char *folded = g_utf8_strdown (message, -1);

  return strstr (folded, needle) != NULL;
}

/* spice-client-glib reports most failures as SPICE_CLIENT_ERROR_FAILED with a
 * message; libusb's own wording (libusb_strerror) comes through in it. */
static RefractUsbError
classify (const char *message, gboolean in_flatpak)
{
  if (has (message, "not authorized") || has (message, "polkit") || has (message, "policikit")
      || has (message, "acl cancelled"))
    return REFRACT_USB_ERROR_POLKIT_DENIED;
  if (has (message, "acl helper") || has (message, "acl-helper") || has (message, "device node acl"))
    return REFRACT_USB_ERROR_ACL_HELPER;
  if (has (message, "free usb channel") || has (message, "not configured for usb redirection"))
    return REFRACT_USB_ERROR_NO_CHANNELS;
  if (has (message, "busy") || has (message, "already connected") || has (message, "in use"))
    return REFRACT_USB_ERROR_IN_USE;
  if (has (message, "blocked by host policy") || has (message, "filter"))
    return REFRACT_USB_ERROR_BLOCKED;
  if (has (message, "access denied") || has (message, "permission") || has (message, "not permitted"))
    return in_flatpak ? REFRACT_USB_ERROR_SANDBOX : REFRACT_USB_ERROR_PERMISSION;
  if (has (message, "not compiled in") || has (message, "not supported"))
    return REFRACT_USB_ERROR_UNSUPPORTED;
  return REFRACT_USB_ERROR_FAILED;
}

static char *
remedy_for (RefractUsbError code)
{
  switch (code)
    {
    case REFRACT_USB_ERROR_ACL_HELPER:
      return g_strdup (_("Install or repair the helper that grants access to USB devices: "
                         "sudo apt install --reinstall spice-client-glib-usb-acl-helper "
                         "(it must be installed setuid root)."));
    case REFRACT_USB_ERROR_POLKIT_DENIED:
      return g_strdup (_("The system policy did not allow this account to use the device "
                         "(polkit action org.spice-space.lowlevelusbaccess). Ask an "
                         "administrator, or allow the action for your user with a polkit rule."));
    case REFRACT_USB_ERROR_PERMISSION:
      return g_strdup (_("Install spice-client-glib-usb-acl-helper so Refract can ask for "
                         "access, or give your user access to the device with a udev rule."));
    case REFRACT_USB_ERROR_NO_CHANNELS:
      return g_strdup (_("Disconnect another device, or add USB redirection channels to the "
                         "machine (they take effect at its next start)."));
    case REFRACT_USB_ERROR_IN_USE:
      return g_strdup (_("Another program or machine is using the device. Close it or "
                         "disconnect the device there, then try again."));
    case REFRACT_USB_ERROR_BLOCKED:
      return g_strdup (_("Keyboards and mice stay with this computer so you keep control of it. "
                         "Attach the device to the machine permanently instead."));
    case REFRACT_USB_ERROR_SANDBOX:
      return g_strdup (_("The Flatpak sandbox hides USB devices. Allow them with: "
                         "flatpak override --user --device=all io.github.refract.Refract"));
    case REFRACT_USB_ERROR_UNSUPPORTED:
      return g_strdup (_("This build of spice-client-glib has no USB redirection."));
    case REFRACT_USB_ERROR_FAILED:
    default:
      return NULL;
    }
}

GError *
refract_usb_error_explain (const GError  *error,
                           gboolean       in_flatpak,
                           char         **remedy)
{
  RefractUsbError code;
  const char *reason;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == REFRACT_USB_ERROR)
    code = error->code;
  else
    code = classify (error->message, in_flatpak);
  if (remedy != NULL)
    *remedy = remedy_for (code);
  reason = error->message;
  if (error->domain == REFRACT_USB_ERROR)
    return g_error_new_literal (REFRACT_USB_ERROR, code, reason);
  return g_error_new (REFRACT_USB_ERROR, code, _("Could not redirect the device: %s"), reason);
}

/* ---- RefractUsbSource ---------------------------------------------------- */

G_DEFINE_INTERFACE (RefractUsbSource, refract_usb_source, G_TYPE_OBJECT)

static void
refract_usb_source_default_init (RefractUsbSourceInterface *iface)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  g_object_interface_install_property (iface,
    g_param_spec_int ("free-channels", NULL, NULL, -1, G_MAXINT, -1, ro));
  g_object_interface_install_property (iface,
    g_param_spec_int ("channels", NULL, NULL, -1, G_MAXINT, -1, ro));
  g_object_interface_install_property (iface,
    g_param_spec_boolean ("available", NULL, NULL, FALSE, ro));
  g_object_interface_install_property (iface,
    g_param_spec_string ("unavailable-reason", NULL, NULL, NULL, ro));
}

GListModel *
refract_usb_source_get_devices (RefractUsbSource *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), NULL);
  return REFRACT_USB_SOURCE_GET_IFACE (self)->get_devices (self);
}

static int
get_int (RefractUsbSource *self, const char *name)
{
  int value = -1;

  g_object_get (self, name, &value, NULL);
  return value;
}

int
refract_usb_source_get_free_channels (RefractUsbSource *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), -1);
  return get_int (self, "free-channels");
}

int
refract_usb_source_get_channels (RefractUsbSource *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), -1);
  return get_int (self, "channels");
}

gboolean
refract_usb_source_get_available (RefractUsbSource *self)
{
  gboolean available = FALSE;

  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), FALSE);
  g_object_get (self, "available", &available, NULL);
  return available;
}

char *
refract_usb_source_dup_unavailable_reason (RefractUsbSource *self)
{
  char *reason = NULL;

  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), NULL);
  g_object_get (self, "unavailable-reason", &reason, NULL);
  return reason;
}

gboolean
refract_usb_source_can_redirect (RefractUsbSource  *self,
                                 RefractUsbDevice  *device,
                                 GError           **error)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), FALSE);
  g_return_val_if_fail (REFRACT_IS_USB_DEVICE (device), FALSE);
  return REFRACT_USB_SOURCE_GET_IFACE (self)->can_redirect (self, device, error);
}

void
refract_usb_source_connect_async (RefractUsbSource    *self,
                                  RefractUsbDevice    *device,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (REFRACT_IS_USB_SOURCE (self));
  g_return_if_fail (REFRACT_IS_USB_DEVICE (device));
  REFRACT_USB_SOURCE_GET_IFACE (self)->connect_async (self, device, cancellable, callback, user_data);
}

gboolean
refract_usb_source_connect_finish (RefractUsbSource  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), FALSE);
  return REFRACT_USB_SOURCE_GET_IFACE (self)->connect_finish (self, result, error);
}

void
refract_usb_source_disconnect_async (RefractUsbSource    *self,
                                     RefractUsbDevice    *device,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (REFRACT_IS_USB_SOURCE (self));
  g_return_if_fail (REFRACT_IS_USB_DEVICE (device));
  REFRACT_USB_SOURCE_GET_IFACE (self)->disconnect_async (self, device, cancellable, callback,
                                                         user_data);
}

gboolean
refract_usb_source_disconnect_finish (RefractUsbSource  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), FALSE);
  return REFRACT_USB_SOURCE_GET_IFACE (self)->disconnect_finish (self, result, error);
}

gboolean
refract_usb_source_can_share_cd (RefractUsbSource *self)
{
  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), FALSE);
  return REFRACT_USB_SOURCE_GET_IFACE (self)->share_cd != NULL;
}

gboolean
refract_usb_source_share_cd (RefractUsbSource  *self,
                             const char        *path,
                             GError           **error)
{
  RefractUsbSourceInterface *iface;

  g_return_val_if_fail (REFRACT_IS_USB_SOURCE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  iface = REFRACT_USB_SOURCE_GET_IFACE (self);
  if (iface->share_cd == NULL)
    {
      g_set_error_literal (error, REFRACT_USB_ERROR, REFRACT_USB_ERROR_UNSUPPORTED,
                           _("Sharing an ISO image as a USB CD is not supported here"));
      return FALSE;
    }
  return iface->share_cd (self, path, error);
}

void
refract_usb_source_set_auto_redirect (RefractUsbSource *self,
                                      gboolean          enabled,
                                      const char       *filter)
{
  g_return_if_fail (REFRACT_IS_USB_SOURCE (self));
  if (REFRACT_USB_SOURCE_GET_IFACE (self)->set_auto_redirect != NULL)
    REFRACT_USB_SOURCE_GET_IFACE (self)->set_auto_redirect (self, enabled, filter);
}

/* ---- for the implementations --------------------------------------------- */

void
_refract_usb_source_override_properties (GObjectClass *object_class)
{
  g_object_class_override_property (object_class, REFRACT_USB_SOURCE_PROP_FREE_CHANNELS,
                                    "free-channels");
  g_object_class_override_property (object_class, REFRACT_USB_SOURCE_PROP_CHANNELS, "channels");
  g_object_class_override_property (object_class, REFRACT_USB_SOURCE_PROP_AVAILABLE, "available");
  g_object_class_override_property (object_class, REFRACT_USB_SOURCE_PROP_UNAVAILABLE_REASON,
                                    "unavailable-reason");
}

void
_refract_usb_source_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec,
                                  int         free_channels,
                                  int         channels,
                                  const char *unavailable_reason)
{
  switch (prop_id)
    {
    case REFRACT_USB_SOURCE_PROP_FREE_CHANNELS: g_value_set_int (value, free_channels); break;
    case REFRACT_USB_SOURCE_PROP_CHANNELS: g_value_set_int (value, channels); break;
    case REFRACT_USB_SOURCE_PROP_AVAILABLE:
      g_value_set_boolean (value, unavailable_reason == NULL);
      break;
    case REFRACT_USB_SOURCE_PROP_UNAVAILABLE_REASON:
      g_value_set_string (value, unavailable_reason);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
_refract_usb_source_set_int (gpointer    source,
                             int        *field,
                             int         value,
                             const char *name)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify (G_OBJECT (source), name);
}

GTask *
_refract_usb_source_task_new (gpointer             source,
                              RefractUsbDevice    *device,
                              gboolean             connect,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (source, cancellable, callback, user_data);

  g_task_set_source_tag (task, connect ? (gpointer) refract_usb_source_connect_async
                                       : (gpointer) refract_usb_source_disconnect_async);
  g_task_set_task_data (task, g_object_ref (device), g_object_unref);
  return task;
}

gboolean
_refract_usb_source_task_is_connect (GTask *task)
{
  return g_task_get_source_tag (task) == (gpointer) refract_usb_source_connect_async;
}

void
_refract_usb_source_task_fail (GTask  *task,
                               GError *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    refract_usb_device_set_error (g_task_get_task_data (task), error);
  g_task_return_error (task, error);
}

gboolean
_refract_usb_source_task_finish (RefractUsbSource  *source,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
