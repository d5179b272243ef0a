/* refract-clipboard-bridge.h: the host's clipboards and the guest agent's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-spice-session.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_CLIPBOARD_HOST_TO_GUEST,
  REFRACT_CLIPBOARD_GUEST_TO_HOST,
} RefractClipboardDirection;

/* 16 MiB, the default of the clipboard-size-limit setting */
#define REFRACT_CLIPBOARD_DEFAULT_LIMIT (16u * 1024 * 1024)

#define REFRACT_TYPE_CLIPBOARD_BRIDGE (refract_clipboard_bridge_get_type ())

G_DECLARE_FINAL_TYPE (RefractClipboardBridge, refract_clipboard_bridge, REFRACT, CLIPBOARD_BRIDGE, GObject)

RefractClipboardBridge *refract_clipboard_bridge_new                 (RefractSpiceSession    *session);
RefractSpiceSession    *refract_clipboard_bridge_get_session         (RefractClipboardBridge *self);
gboolean                refract_clipboard_bridge_get_agent_connected (RefractClipboardBridge *self);
gboolean                refract_clipboard_bridge_get_host_to_guest   (RefractClipboardBridge *self);
void                    refract_clipboard_bridge_set_host_to_guest   (RefractClipboardBridge *self,
                                                                      gboolean                enabled);
gboolean                refract_clipboard_bridge_get_guest_to_host   (RefractClipboardBridge *self);
void                    refract_clipboard_bridge_set_guest_to_host   (RefractClipboardBridge *self,
                                                                      gboolean                enabled);
guint                   refract_clipboard_bridge_get_size_limit      (RefractClipboardBridge *self);
void                    refract_clipboard_bridge_set_size_limit      (RefractClipboardBridge *self,
                                                                      guint                   bytes);

G_END_DECLS
