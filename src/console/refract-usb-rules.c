/* refract-usb-rules.c: auto-redirect rules → SpiceUsbDeviceManager filter
 *
 * The filter format is usbredir's (usbredirfilter.h): rules separated by '|',
 * each "class,vendor,product,version,allow" where -1 matches anything and
 * numbers may be 0x-prefixed hex. The first rule that matches decides; a
 * device no rule matches is not redirected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "refract-usb-rules.h"

#define SETTINGS_KEY "usb-auto-redirect"

static gboolean
parse_hex (const char *text, guint max, int *out)
{
  char *end = NULL;
  guint64 value;

  if (text == NULL || !g_ascii_isxdigit (*text))
    return FALSE;
  value = g_ascii_strtoull (text, &end, 16);
  if (*end != '\0' || value > max)
    return FALSE;
  *out = (int) value;
  return TRUE;
}

gboolean
refract_usb_rule_parse (const char *rule,
                        int        *usb_class,
                        int        *vendor,
                        int        *product)
{
  g_auto(GStrv) parts = NULL;
  int c = -1, v = -1, p = -1;

  if (rule == NULL)
    return FALSE;
  parts = g_strsplit (rule, ":", 3);
  if (g_strv_length (parts) != 2)
    return FALSE;
  if (g_str_equal (parts[0], "class"))
    {
      if (!parse_hex (parts[1], 0xff, &c))
        return FALSE;
    }
  else if (!parse_hex (parts[0], 0xffff, &v) || !parse_hex (parts[1], 0xffff, &p))
    return FALSE;
  if (usb_class != NULL)
    *usb_class = c;
  if (vendor != NULL)
    *vendor = v;
  if (product != NULL)
    *product = p;
  return TRUE;
}

char *
refract_usb_rule_for_device (guint16 vendor,
                             guint16 product)
{
  return g_strdup_printf ("%04x:%04x", vendor, product);
}

char *
refract_usb_rule_for_class (guint usb_class)
{
  return g_strdup_printf ("class:%02x", usb_class & 0xff);
}

static const char *
class_name (int usb_class)
{
  switch (usb_class)
    {
    case 0x01: return _("Audio devices");
    case 0x02: return _("Modems and network adapters");
    case 0x03: return _("Keyboards, mice and other input devices");
    case 0x06: return _("Cameras (still image)");
    case 0x07: return _("Printers");
    case 0x08: return _("Storage devices");
    case 0x0b: return _("Smart card readers");
    case 0x0e: return _("Video devices");
    case 0xe0: return _("Wireless controllers");
    default: return NULL;
    }
}

char *
refract_usb_rule_describe (const char *rule)
{
  int c, v, p;

  if (!refract_usb_rule_parse (rule, &c, &v, &p))
    return g_strdup (rule);
  if (c >= 0 && class_name (c) != NULL)
    return g_strdup (class_name (c));
  if (c >= 0)
    return g_strdup_printf (_("USB class %02x"), c);
  return g_strdup_printf (_("Device %04x:%04x"), v, p);
}

static void
append_rule (GString *filter, int usb_class, int vendor, int product, gboolean allow)
{
  if (filter->len > 0)
    g_string_append_c (filter, '|');
  if (usb_class >= 0)
    g_string_append_printf (filter, "0x%02x,", usb_class);
  else
    g_string_append (filter, "-1,");
  if (vendor >= 0)
    g_string_append_printf (filter, "0x%04x,0x%04x,", vendor, product);
  else
    g_string_append (filter, "-1,-1,");
  g_string_append_printf (filter, "-1,%d", allow ? 1 : 0);
}

char *
refract_usb_rules_to_filter (const char * const *rules,
                             gboolean            exclude_hid)
{
  GString *filter = g_string_new (NULL);
  gboolean any_class = FALSE, any_device = FALSE;
  int c, v, p;

  for (guint i = 0; rules != NULL && rules[i]; i++)
    if (refract_usb_rule_parse (rules[i], &c, &v, &p) && v >= 0)
      {
        append_rule (filter, -1, v, p, TRUE);
        any_device = TRUE;
      }
  if (exclude_hid)
    append_rule (filter, 0x03, -1, -1, FALSE);
  for (guint i = 0; rules != NULL && rules[i]; i++)
    if (refract_usb_rule_parse (rules[i], &c, &v, &p) && c >= 0)
      {
        append_rule (filter, c, -1, -1, TRUE);
        any_class = TRUE;
      }
  if (!any_class && !any_device)
    append_rule (filter, -1, -1, -1, TRUE);
  return g_string_free (filter, FALSE);
}

/* ---- settings ------------------------------------------------------------ */

/* Returns: whether new devices are redirected when plugged in; *rules always set */
gboolean
refract_usb_rules_load (GSettings   *settings,
                        const char  *uuid,
                        GStrv       *rules)
{
  g_autoptr(GVariant) all = g_settings_get_value (settings, SETTINGS_KEY);
  g_autoptr(GVariant) entry = NULL;
  gboolean redirect_new = FALSE;

  g_return_val_if_fail (rules != NULL, FALSE);
  *rules = NULL;
  if (uuid != NULL)
    entry = g_variant_lookup_value (all, uuid, G_VARIANT_TYPE ("(bas)"));
  if (entry != NULL)
    g_variant_get (entry, "(b^as)", &redirect_new, rules);
  if (*rules == NULL)
    *rules = g_new0 (char *, 1);
  return redirect_new;
}

void
refract_usb_rules_save (GSettings          *settings,
                        const char         *uuid,
                        gboolean            redirect_new,
                        const char * const *rules)
{
  g_autoptr(GVariant) all = g_settings_get_value (settings, SETTINGS_KEY);
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{s(bas)}"));
  GVariantIter iter;
  const char *key;
  GVariant *value;
  gboolean empty = !redirect_new && (rules == NULL || rules[0] == NULL);

  g_return_if_fail (uuid != NULL);
  g_variant_iter_init (&iter, all);
  while (g_variant_iter_next (&iter, "{&s@(bas)}", &key, &value))
    {
      if (!g_str_equal (key, uuid))
        g_variant_builder_add (&builder, "{s@(bas)}", key, value);
      g_variant_unref (value);
    }
  if (!empty)
    g_variant_builder_add (&builder, "{s(b^as)}", uuid, redirect_new,
                           rules != NULL ? rules : (const char * const []) { NULL });
  g_settings_set_value (settings, SETTINGS_KEY, g_variant_builder_end (&builder));
}
