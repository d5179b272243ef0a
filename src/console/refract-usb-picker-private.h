/* refract-usb-picker-private.h: what tests and benchmarks reach into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-usb-picker.h"

G_BEGIN_DECLS

/* rows for the first 10 devices until the picker's second frame, then for all */
GtkListBox *_refract_usb_picker_get_list          (RefractUsbPicker *self);
GtkSwitch  *_refract_usb_picker_get_row_switch    (RefractUsbPicker *self,
                                                   guint             index);
/* the device's name over "vendor:product · where" */
GtkLabel   *_refract_usb_picker_get_row_title     (RefractUsbPicker *self,
                                                   guint             index);
/* NULL until the row's device first fails */
GtkLabel   *_refract_usb_picker_get_row_error     (RefractUsbPicker *self,
                                                   guint             index);
/* a GtkMenuButton whose menu is made when it first opens */
GtkWidget  *_refract_usb_picker_get_row_menu_button (RefractUsbPicker *self,
                                                     guint             index);
GtkLabel   *_refract_usb_picker_get_channels_label (RefractUsbPicker *self);
GtkLabel   *_refract_usb_picker_get_status_label  (RefractUsbPicker *self);
GtkWidget  *_refract_usb_picker_get_add_channels_button (RefractUsbPicker *self);
/* what the file chooser's answer does */
gboolean    _refract_usb_picker_share_iso         (RefractUsbPicker *self,
                                                   const char       *path,
                                                   GError          **error);
void        _refract_usb_picker_add_rule          (RefractUsbPicker *self,
                                                   const char       *rule);
void        _refract_usb_picker_set_redirect_new  (RefractUsbPicker *self,
                                                   gboolean          redirect_new);
guint       _refract_usb_picker_get_n_rules       (RefractUsbPicker *self);

G_END_DECLS
