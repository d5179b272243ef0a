/* refract-usb-source-spice.c: host USB devices through spice-client-glib
 *
 * SpiceUsbDeviceManager enumerates the host's devices with libusb, watches
 * hotplug, asks the setuid ACL helper for access, and hands devices to the
 * machine's usbredir channels. There is one manager per SpiceSession and the
 * RefractSpiceSession makes a new SpiceSession per connection attempt, so
 * this source follows notify::spice-session and rebuilds its list.
 *
 * libusb-1.0 (when built with it) tells the device and interface classes,
 * which the manager does not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <spice-client.h>
#include <stdio.h>

#ifdef REFRACT_HAVE_LIBUSB
#include <libusb.h>
#endif

#include "refract-usb-source-private.h"
#include "refract-usb-source-spice.h"

struct _RefractUsbSourceSpice
{
  GObject                parent_instance;

  RefractSpiceSession   *session;
  SpiceSession          *spice;
  SpiceUsbDeviceManager *manager;
  GListStore            *devices;
  char                  *unavailable_reason;
  char                  *filter;
  int                    free_channels;
  int                    channels;
  gboolean               auto_redirect;
};

static void source_iface_init (RefractUsbSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RefractUsbSourceSpice, refract_usb_source_spice, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (REFRACT_TYPE_USB_SOURCE, source_iface_init))

/* ---- devices ------------------------------------------------------------- */

static void
read_classes (RefractUsbDevice *device, SpiceUsbDevice *sdev)
{
#ifdef REFRACT_HAVE_LIBUSB
  libusb_device *udev = (libusb_device *) spice_usb_device_get_libusb_device (sdev);
  struct libusb_device_descriptor desc;
  struct libusb_config_descriptor *config = NULL;
  guint32 interfaces = 0;

  if (udev == NULL || libusb_get_device_descriptor (udev, &desc) != 0)
    return;
  if (libusb_get_active_config_descriptor (udev, &config) == 0)
    {
      for (int i = 0; i < config->bNumInterfaces; i++)
        for (int a = 0; a < config->interface[i].num_altsetting; a++)
          {
            guint8 klass = config->interface[i].altsetting[a].bInterfaceClass;

            if (klass < 32)
              interfaces |= 1u << klass;
          }
      libusb_free_config_descriptor (config);
    }
  refract_usb_device_set_classes (device, desc.bDeviceClass, interfaces);
#endif
}

static void
free_spice_device (gpointer sdev)
{
  g_boxed_free (spice_usb_device_get_type (), sdev);
}

/* spice_usb_device_get_description's arguments: manufacturer, product,
 * "[vvvv:pppp]", bus, address */
static RefractUsbDevice *
wrap_device (RefractUsbSourceSpice *self, SpiceUsbDevice *sdev)
{
  g_autofree char *text = spice_usb_device_get_description (sdev, "%s\n%s\n%s\n%d\n%d");
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", "\n", 5);
  g_autofree char *name = NULL;
  unsigned int vendor = 0, product = 0;
  RefractUsbDevice *device;

  if (g_strv_length (parts) < 5)
    return NULL;
  sscanf (parts[2], "[%x:%x]", &vendor, &product);
  name = g_strstrip (g_strdup_printf ("%s %s", parts[0], parts[1]));
  device = refract_usb_device_new (name, vendor, product, atoi (parts[3]), atoi (parts[4]));
  refract_usb_device_set_backend_data (device, g_boxed_copy (spice_usb_device_get_type (), sdev),
                                       free_spice_device);
  refract_usb_device_set_is_shared_cd (device,
                                       spice_usb_device_manager_is_device_shared_cd (self->manager,
                                                                                     sdev));
  read_classes (device, sdev);
  refract_usb_device_set_redirected (device,
                                     spice_usb_device_manager_is_device_connected (self->manager,
                                                                                   sdev));
  return device;
}

static gboolean
find_device (RefractUsbSourceSpice *self, SpiceUsbDevice *sdev, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RefractUsbDevice) device = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

      if (refract_usb_device_get_backend_data (device) == (gpointer) sdev)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static RefractUsbDevice *
lookup (RefractUsbSourceSpice *self, SpiceUsbDevice *sdev)
{
  guint position;

  if (!find_device (self, sdev, &position))
    return NULL;
  return g_list_model_get_item (G_LIST_MODEL (self->devices), position);
}

static void
device_added (RefractUsbSourceSpice *self, SpiceUsbDevice *sdev)
{
  g_autoptr(RefractUsbDevice) device = NULL;
  guint position;

  if (find_device (self, sdev, &position))
    return;
  if ((device = wrap_device (self, sdev)) != NULL)
    g_list_store_append (self->devices, device);
}

static void
device_removed (RefractUsbSourceSpice *self, SpiceUsbDevice *sdev)
{
  guint position;

  if (find_device (self, sdev, &position))
    g_list_store_remove (self->devices, position);
}

static void
device_failed (RefractUsbSourceSpice *self, SpiceUsbDevice *sdev, GError *error)
{
  g_autoptr(RefractUsbDevice) device = lookup (self, sdev);

  if (device == NULL)
    return;
  refract_usb_device_set_error (device, error);
  refract_usb_device_set_redirected (device,
                                     spice_usb_device_manager_is_device_connected (self->manager,
                                                                                   sdev));
}

/* ---- channels and availability ------------------------------------------ */

static void
set_unavailable (RefractUsbSourceSpice *self, const char *reason)
{
  if (g_strcmp0 (self->unavailable_reason, reason) == 0)
    return;
  g_free (self->unavailable_reason);
  self->unavailable_reason = g_strdup (reason);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify (G_OBJECT (self), "unavailable-reason");
  g_object_notify (G_OBJECT (self), "available");
  g_object_thaw_notify (G_OBJECT (self));
}

static void
count_channels (RefractUsbSourceSpice *self)
{
  GList *list = self->spice ? spice_session_get_channels (self->spice) : NULL;
  int count = 0;

  for (GList *l = list; l != NULL; l = l->next)
    if (SPICE_IS_USBREDIR_CHANNEL (l->data))
      count++;
  g_list_free (list);
  _refract_usb_source_set_int (self, &self->channels, self->spice ? count : -1, "channels");
}

static void
free_channels_changed (RefractUsbSourceSpice *self)
{
  int free_channels = -1;

  g_object_get (self->manager, "free-channels", &free_channels, NULL);
  _refract_usb_source_set_int (self, &self->free_channels, free_channels, "free-channels");
  /* the channel list arrives after the main channel; free-channels follows it */
  count_channels (self);
}

/* The manager notifies free-channels when a device comes or goes, not when a
 * channel does (a new session's channels arrive after the manager). */
static void
channel_changed (RefractUsbSourceSpice *self, SpiceChannel *channel)
{
  if (SPICE_IS_USBREDIR_CHANNEL (channel))
    free_channels_changed (self);
}

static void
apply_auto_redirect (RefractUsbSourceSpice *self)
{
  if (self->manager == NULL)
    return;
  if (self->filter != NULL)
    g_object_set (self->manager, "auto-connect-filter", self->filter, NULL);
  g_object_set (self->manager, "auto-connect", self->auto_redirect, NULL);
}

static void
drop_manager (RefractUsbSourceSpice *self)
{
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->spice != NULL)
    g_signal_handlers_disconnect_by_data (self->spice, self);
  g_clear_object (&self->manager);
  g_clear_object (&self->spice);
  g_list_store_remove_all (self->devices);
  _refract_usb_source_set_int (self, &self->free_channels, -1, "free-channels");
  _refract_usb_source_set_int (self, &self->channels, -1, "channels");
}

/* Flatpak without --device=all: no /dev/bus/usb. A shared CD still works. */
static const char *
sandbox_reason (void)
{
  if (!refract_usb_in_flatpak () || g_file_test ("/dev/bus/usb", G_FILE_TEST_IS_DIR))
    return NULL;
  return _("The Flatpak sandbox hides this computer's USB devices. Allow them with: "
           "flatpak override --user --device=all io.github.refract.Refract");
}

static void
attach_manager (RefractUsbSourceSpice *self, SpiceSession *spice)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  self->spice = g_object_ref (spice);
  g_object_set (spice, "enable-usbredir", TRUE, NULL);
  self->manager = spice_usb_device_manager_get (spice, &error);
  if (self->manager == NULL)
    {
      g_autofree char *remedy = NULL;
      g_autoptr(GError) explained = refract_usb_error_explain (error, refract_usb_in_flatpak (),
                                                               &remedy);

      set_unavailable (self, remedy != NULL ? remedy : explained->message);
      return;
    }
  g_object_ref (self->manager);  /* the session owns it; we keep it while we use it */
  g_signal_connect_object (self->manager, "device-added", G_CALLBACK (device_added),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "device-removed", G_CALLBACK (device_removed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "auto-connect-failed", G_CALLBACK (device_failed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "device-error", G_CALLBACK (device_failed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "notify::free-channels",
                           G_CALLBACK (free_channels_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (spice, "channel-new", G_CALLBACK (channel_changed),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (spice, "channel-destroy", G_CALLBACK (channel_changed),
                           self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  list = spice_usb_device_manager_get_devices (self->manager);
  for (guint i = 0; list != NULL && i < list->len; i++)
    device_added (self, g_ptr_array_index (list, i));
  apply_auto_redirect (self);
  free_channels_changed (self);
  set_unavailable (self, sandbox_reason ());
}

static const char *
session_reason (RefractSpiceSession *session)
{
  RefractMachine *machine = refract_spice_session_get_machine (session);

  if (machine != NULL && !refract_machine_is_active (machine))
    return _("The machine is not running. Start it to redirect USB devices.");
  return _("The machine's display is not connected.");
}

static void
spice_changed (RefractUsbSourceSpice *self)
{
  SpiceSession *spice = refract_spice_session_get_spice (self->session);

  if (spice == self->spice)
    {
      if (spice == NULL)
        set_unavailable (self, session_reason (self->session));
      return;
    }
  drop_manager (self);
  if (spice == NULL)
    {
      set_unavailable (self, session_reason (self->session));
      return;
    }
  attach_manager (self, spice);
}

/* ---- RefractUsbSource ---------------------------------------------------- */

static GListModel *
spice_get_devices (RefractUsbSource *source)
{
  return G_LIST_MODEL (REFRACT_USB_SOURCE_SPICE (source)->devices);
}

static gboolean
no_manager (RefractUsbSourceSpice *self, GError **error)
{
  if (self->manager != NULL)
    return FALSE;
  g_set_error_literal (error, REFRACT_USB_ERROR, REFRACT_USB_ERROR_UNSUPPORTED,
                       self->unavailable_reason ? self->unavailable_reason
                                                : _("USB redirection is not available"));
  return TRUE;
}

static gboolean
spice_can_redirect (RefractUsbSource  *source,
                    RefractUsbDevice  *device,
                    GError           **error)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (source);
  g_autoptr(GError) spice_error = NULL;

  if (no_manager (self, error))
    return FALSE;
  if (spice_usb_device_manager_can_redirect_device (self->manager,
                                                    refract_usb_device_get_backend_data (device),
                                                    &spice_error))
    return TRUE;
  if (error != NULL)
    *error = refract_usb_error_explain (spice_error, refract_usb_in_flatpak (), NULL);
  return FALSE;
}

static void
connect_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RefractUsbDevice *device = g_task_get_task_data (task);
  SpiceUsbDeviceManager *manager = SPICE_USB_DEVICE_MANAGER (object);
  GError *error = NULL;
  gboolean ok;

  if (_refract_usb_source_task_is_connect (task))
    ok = spice_usb_device_manager_connect_device_finish (manager, result, &error);
  else
    ok = spice_usb_device_manager_disconnect_device_finish (manager, result, &error);
  refract_usb_device_set_busy (device, FALSE);
  refract_usb_device_set_redirected (device, spice_usb_device_manager_is_device_connected (
                                       manager, refract_usb_device_get_backend_data (device)));
  /* the manager does not always notify free-channels when a device takes or leaves one */
  if (REFRACT_IS_USB_SOURCE_SPICE (g_task_get_source_object (task))
      && REFRACT_USB_SOURCE_SPICE (g_task_get_source_object (task))->manager == manager)
    free_channels_changed (g_task_get_source_object (task));
  if (ok)
    {
      refract_usb_device_set_error (device, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }
  _refract_usb_source_task_fail (task, error);
}

static void
start (RefractUsbSource    *source,
       RefractUsbDevice    *device,
       gboolean             connect,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (source);
  g_autoptr(GTask) task = _refract_usb_source_task_new (self, device, connect, cancellable,
                                                        callback, user_data);
  GError *error = NULL;

  if (no_manager (self, &error))
    {
      _refract_usb_source_task_fail (task, error);
      return;
    }
  refract_usb_device_set_busy (device, TRUE);
  if (connect)
    spice_usb_device_manager_connect_device_async (self->manager,
                                                   refract_usb_device_get_backend_data (device),
                                                   cancellable, connect_done,
                                                   g_steal_pointer (&task));
  else
    spice_usb_device_manager_disconnect_device_async (self->manager,
                                                      refract_usb_device_get_backend_data (device),
                                                      cancellable, connect_done,
                                                      g_steal_pointer (&task));
}

static void
spice_connect_async (RefractUsbSource    *source,
                     RefractUsbDevice    *device,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  start (source, device, TRUE, cancellable, callback, user_data);
}

static void
spice_disconnect_async (RefractUsbSource    *source,
                        RefractUsbDevice    *device,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  start (source, device, FALSE, cancellable, callback, user_data);
}

static gboolean
spice_share_cd (RefractUsbSource  *source,
                const char        *path,
                GError           **error)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (source);
  g_autoptr(GError) spice_error = NULL;
  g_autofree char *copy = g_strdup (path);

  if (no_manager (self, error))
    return FALSE;
  /* emits device-added on success */
  if (spice_usb_device_manager_create_shared_cd_device (self->manager, copy, &spice_error))
    return TRUE;
  g_set_error (error, REFRACT_USB_ERROR, REFRACT_USB_ERROR_FAILED,
               _("Could not share “%s” as a USB CD: %s"), path, spice_error->message);
  return FALSE;
}

static void
spice_set_auto_redirect (RefractUsbSource *source,
                         gboolean          enabled,
                         const char       *filter)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (source);

  self->auto_redirect = enabled;
  g_free (self->filter);
  self->filter = g_strdup (filter);
  apply_auto_redirect (self);
}

static void
source_iface_init (RefractUsbSourceInterface *iface)
{
  iface->get_devices = spice_get_devices;
  iface->can_redirect = spice_can_redirect;
  iface->connect_async = spice_connect_async;
  iface->connect_finish = _refract_usb_source_task_finish;
  iface->disconnect_async = spice_disconnect_async;
  iface->disconnect_finish = _refract_usb_source_task_finish;
  iface->share_cd = spice_share_cd;
  iface->set_auto_redirect = spice_set_auto_redirect;
}

/* ---- GObject ------------------------------------------------------------- */

static void
refract_usb_source_spice_dispose (GObject *object)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (object);

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  drop_manager (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (refract_usb_source_spice_parent_class)->dispose (object);
}

static void
refract_usb_source_spice_finalize (GObject *object)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (object);

  g_clear_object (&self->devices);
  g_free (self->unavailable_reason);
  g_free (self->filter);
  G_OBJECT_CLASS (refract_usb_source_spice_parent_class)->finalize (object);
}

static void
refract_usb_source_spice_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  RefractUsbSourceSpice *self = REFRACT_USB_SOURCE_SPICE (object);

  _refract_usb_source_get_property (object, prop_id, value, pspec, self->free_channels,
                                    self->channels, self->unavailable_reason);
}

static void
refract_usb_source_spice_class_init (RefractUsbSourceSpiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = refract_usb_source_spice_dispose;
  object_class->finalize = refract_usb_source_spice_finalize;
  object_class->get_property = refract_usb_source_spice_get_property;
  _refract_usb_source_override_properties (object_class);
}

static void
refract_usb_source_spice_init (RefractUsbSourceSpice *self)
{
  self->devices = g_list_store_new (REFRACT_TYPE_USB_DEVICE);
  self->free_channels = -1;
  self->channels = -1;
}

RefractUsbSource *
refract_usb_source_spice_new (RefractSpiceSession *session)
{
  RefractUsbSourceSpice *self;

  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (session), NULL);

  self = g_object_new (REFRACT_TYPE_USB_SOURCE_SPICE, NULL);
  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::spice-session", G_CALLBACK (spice_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::state", G_CALLBACK (spice_changed),
                           self, G_CONNECT_SWAPPED);
  self->unavailable_reason = g_strdup (session_reason (session));
  spice_changed (self);
  return REFRACT_USB_SOURCE (self);
}
