/* refract-usb-source-fake.c: see refract-usb-source-fake.h
 *
 * Connects and disconnects complete from an idle callback, like the real
 * manager's do from its own thread, so callers see them asynchronously.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-usb-source-fake.h"
#include "refract-usb-source-private.h"

struct _RefractUsbSourceFake
{
  GObject           parent_instance;

  GListStore       *devices;
  char             *unavailable_reason;
  char             *filter;
  char             *shared_cd;
  RefractUsbDevice *fail_device;
  GError           *fail_error;
  int               channels;
  int               free_channels;
  guint             connects;
  guint             disconnects;
  gboolean          auto_redirect;
};

static void source_iface_init (RefractUsbSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RefractUsbSourceFake, refract_usb_source_fake, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (REFRACT_TYPE_USB_SOURCE, source_iface_init))

static void
set_free (RefractUsbSourceFake *self, int free_channels)
{
  _refract_usb_source_set_int (self, &self->free_channels, free_channels, "free-channels");
}

static GListModel *
fake_get_devices (RefractUsbSource *source)
{
  return G_LIST_MODEL (REFRACT_USB_SOURCE_FAKE (source)->devices);
}

static gboolean
fake_can_redirect (RefractUsbSource  *source,
                   RefractUsbDevice  *device,
                   GError           **error)
{
  if (!refract_usb_device_has_class (device, REFRACT_USB_CLASS_HID))
    return TRUE;
  g_set_error_literal (error, REFRACT_USB_ERROR, REFRACT_USB_ERROR_BLOCKED,
                       "Some USB devices are blocked by host policy");
  return FALSE;
}

static gboolean
complete (gpointer data)
{
  GTask *task = data;
  RefractUsbSourceFake *self = g_task_get_source_object (task);
  RefractUsbDevice *device = g_task_get_task_data (task);
  gboolean connect = _refract_usb_source_task_is_connect (task);

  refract_usb_device_set_busy (device, FALSE);
  if (connect && self->fail_device == device && self->fail_error != NULL)
    {
      GError *error = g_steal_pointer (&self->fail_error);

      g_clear_object (&self->fail_device);
      _refract_usb_source_task_fail (task, error);
      return G_SOURCE_REMOVE;
    }
  if (connect && self->free_channels == 0)
    {
      GError *error = g_error_new_literal (REFRACT_USB_ERROR, REFRACT_USB_ERROR_NO_CHANNELS,
                                           "There are no free USB channels");

      _refract_usb_source_task_fail (task, error);
      return G_SOURCE_REMOVE;
    }
  if (refract_usb_device_get_redirected (device) != connect)
    set_free (self, self->free_channels + (connect ? -1 : 1));
  refract_usb_device_set_error (device, NULL);
  refract_usb_device_set_redirected (device, connect);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
start (RefractUsbSource    *source,
       RefractUsbDevice    *device,
       gboolean             connect,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  RefractUsbSourceFake *self = REFRACT_USB_SOURCE_FAKE (source);
  /* no cancellable: a fake connect always completes */
  GTask *task = _refract_usb_source_task_new (self, device, connect, NULL, callback, user_data);

  if (connect)
    self->connects++;
  else
    self->disconnects++;
  refract_usb_device_set_busy (device, TRUE);
  g_idle_add_full (G_PRIORITY_DEFAULT, complete, task, g_object_unref);
}

static void
fake_connect_async (RefractUsbSource    *source,
                    RefractUsbDevice    *device,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  start (source, device, TRUE, callback, user_data);
}

static void
fake_disconnect_async (RefractUsbSource    *source,
                       RefractUsbDevice    *device,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  start (source, device, FALSE, callback, user_data);
}

static gboolean
fake_share_cd (RefractUsbSource  *source,
               const char        *path,
               GError           **error)
{
  RefractUsbSourceFake *self = REFRACT_USB_SOURCE_FAKE (source);
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(RefractUsbDevice) device = refract_usb_device_new (name, 0x2b23, 0xcafe, 0, 0);

  g_free (self->shared_cd);
  self->shared_cd = g_strdup (path);
  refract_usb_device_set_is_shared_cd (device, TRUE);
  g_list_store_append (self->devices, device);
  return TRUE;
}

static void
fake_set_auto_redirect (RefractUsbSource *source,
                        gboolean          enabled,
                        const char       *filter)
{
  RefractUsbSourceFake *self = REFRACT_USB_SOURCE_FAKE (source);

  self->auto_redirect = enabled;
  g_free (self->filter);
  self->filter = g_strdup (filter);
}

static void
source_iface_init (RefractUsbSourceInterface *iface)
{
  iface->get_devices = fake_get_devices;
  iface->can_redirect = fake_can_redirect;
  iface->connect_async = fake_connect_async;
  iface->connect_finish = _refract_usb_source_task_finish;
  iface->disconnect_async = fake_disconnect_async;
  iface->disconnect_finish = _refract_usb_source_task_finish;
  iface->share_cd = fake_share_cd;
  iface->set_auto_redirect = fake_set_auto_redirect;
}

static void
refract_usb_source_fake_finalize (GObject *object)
{
  RefractUsbSourceFake *self = REFRACT_USB_SOURCE_FAKE (object);

  g_clear_object (&self->devices);
  g_clear_object (&self->fail_device);
  g_clear_error (&self->fail_error);
  g_free (self->unavailable_reason);
  g_free (self->filter);
  g_free (self->shared_cd);
  G_OBJECT_CLASS (refract_usb_source_fake_parent_class)->finalize (object);
}

static void
refract_usb_source_fake_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  RefractUsbSourceFake *self = REFRACT_USB_SOURCE_FAKE (object);

  _refract_usb_source_get_property (object, prop_id, value, pspec, self->free_channels,
                                    self->channels, self->unavailable_reason);
}

static void
refract_usb_source_fake_class_init (RefractUsbSourceFakeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = refract_usb_source_fake_finalize;
  object_class->get_property = refract_usb_source_fake_get_property;
  _refract_usb_source_override_properties (object_class);
}

static void
refract_usb_source_fake_init (RefractUsbSourceFake *self)
{
  self->devices = g_list_store_new (REFRACT_TYPE_USB_DEVICE);
}

RefractUsbSourceFake *
refract_usb_source_fake_new (int channels)
{
  RefractUsbSourceFake *self = g_object_new (REFRACT_TYPE_USB_SOURCE_FAKE, NULL);

  self->channels = channels;
  self->free_channels = channels;
  return self;
}

void
refract_usb_source_fake_add (RefractUsbSourceFake *self,
                             RefractUsbDevice     *device)
{
  g_return_if_fail (REFRACT_IS_USB_SOURCE_FAKE (self));
  g_list_store_append (self->devices, device);
}

void
refract_usb_source_fake_remove (RefractUsbSourceFake *self,
                                RefractUsbDevice     *device)
{
  guint position;

  g_return_if_fail (REFRACT_IS_USB_SOURCE_FAKE (self));
  if (!g_list_store_find (self->devices, device, &position))
    return;
  if (refract_usb_device_get_redirected (device))
    set_free (self, self->free_channels + 1);
  g_list_store_remove (self->devices, position);
}

void
refract_usb_source_fake_set_unavailable (RefractUsbSourceFake *self,
                                         const char           *reason)
{
  g_return_if_fail (REFRACT_IS_USB_SOURCE_FAKE (self));
  g_free (self->unavailable_reason);
  self->unavailable_reason = g_strdup (reason);
  g_object_notify (G_OBJECT (self), "unavailable-reason");
  g_object_notify (G_OBJECT (self), "available");
}

void
refract_usb_source_fake_fail_next (RefractUsbSourceFake *self,
                                   RefractUsbDevice     *device,
                                   const GError         *error)
{
  g_return_if_fail (REFRACT_IS_USB_SOURCE_FAKE (self));
  g_set_object (&self->fail_device, device);
  g_clear_error (&self->fail_error);
  self->fail_error = g_error_copy (error);
}

guint
refract_usb_source_fake_get_connects (RefractUsbSourceFake *self)
{
  return self->connects;
}

guint
refract_usb_source_fake_get_disconnects (RefractUsbSourceFake *self)
{
  return self->disconnects;
}

const char *
refract_usb_source_fake_get_filter (RefractUsbSourceFake *self)
{
  return self->filter;
}

gboolean
refract_usb_source_fake_get_auto_redirect (RefractUsbSourceFake *self)
{
  return self->auto_redirect;
}

const char *
refract_usb_source_fake_get_shared_cd (RefractUsbSourceFake *self)
{
  return self->shared_cd;
}
