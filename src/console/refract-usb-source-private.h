/* refract-usb-source-private.h: what the RefractUsbSource implementations share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-usb-source.h"

G_BEGIN_DECLS

/* The interface's properties, as an implementation numbers them */
enum
{
  REFRACT_USB_SOURCE_PROP_0,
  REFRACT_USB_SOURCE_PROP_FREE_CHANNELS,
  REFRACT_USB_SOURCE_PROP_CHANNELS,
  REFRACT_USB_SOURCE_PROP_AVAILABLE,
  REFRACT_USB_SOURCE_PROP_UNAVAILABLE_REASON,
};

/* Overrides the interface's properties with the numbers above */
void      _refract_usb_source_override_properties (GObjectClass         *object_class);
/* A get_property for them: available is unavailable_reason == NULL */
void      _refract_usb_source_get_property        (GObject              *object,
                                                   guint                 prop_id,
                                                   GValue               *value,
                                                   GParamSpec           *pspec,
                                                   int                   free_channels,
                                                   int                   channels,
                                                   const char           *unavailable_reason);
/* *field = value, notifying name when it changes */
void      _refract_usb_source_set_int             (gpointer              source,
                                                   int                  *field,
                                                   int                   value,
                                                   const char           *name);

/* A connect (connect TRUE) or disconnect of device: the task's data is the
 * device; _refract_usb_source_task_is_connect tells which one it is. */
GTask    *_refract_usb_source_task_new            (gpointer              source,
                                                   RefractUsbDevice     *device,
                                                   gboolean              connect,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean  _refract_usb_source_task_is_connect     (GTask                *task);
/* Fails the task with error (taken), which the device shows unless it is a
 * cancellation */
void      _refract_usb_source_task_fail           (GTask                *task,
                                                   GError               *error);
/* connect_finish and disconnect_finish for such tasks */
gboolean  _refract_usb_source_task_finish         (RefractUsbSource     *source,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
