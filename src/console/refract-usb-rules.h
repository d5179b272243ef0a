/* refract-usb-rules.h: per-machine auto-redirect rules and the filter string
 * SpiceUsbDeviceManager's "auto-connect-filter" takes
 *
 * A rule is "VVVV:PPPP" (vendor:product in hex, as lsusb prints them) or
 * "class:CC" (a USB class code in hex). Rules are kept per machine in the
 * GSettings key usb-auto-redirect, a{s(bas)}: machine UUID → (redirect new
 * devices when plugged in, rules).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* -1 for "any" */
gboolean  refract_usb_rule_parse          (const char          *rule,
                                           int                 *usb_class,
                                           int                 *vendor,
                                           int                 *product);
char     *refract_usb_rule_for_device     (guint16              vendor,
                                           guint16              product);
char     *refract_usb_rule_for_class      (guint                usb_class);
/* "Logitech device 046d:c52b"-like text for a list row */
char     *refract_usb_rule_describe       (const char          *rule);
/* usbredirfilter syntax: "class,vendor,product,version,allow|…", first match
 * wins. Device rules come first (an explicit choice wins), then HID (keyboards
 * and mice) is refused when @exclude_hid, then class rules. No rules: every
 * device but what is excluded. Invalid rules are skipped. */
char     *refract_usb_rules_to_filter     (const char * const  *rules,
                                           gboolean             exclude_hid);

gboolean  refract_usb_rules_load          (GSettings           *settings,
                                           const char          *uuid,
                                           GStrv               *rules);
void      refract_usb_rules_save          (GSettings           *settings,
                                           const char          *uuid,
                                           gboolean             redirect_new,
                                           const char * const  *rules);

G_END_DECLS
