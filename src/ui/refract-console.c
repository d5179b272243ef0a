/* refract-console.c
 *
 * The SPICE session and the widgets live here, not in a page, so that moving
 * the console into its own window moves the live display without reconnecting.
 * There is one per machine at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-console.h"
#include "refract-usb-rules.h"
#include "refract-usb-source-spice.h"

struct _RefractConsole
{
  GObject               parent_instance;
  RefractMachine       *machine;
  RefractSpiceSession  *session;
  RefractSpiceDisplay  *display;
  RefractSerialConsole *serial;
  RefractClipboardBridge *clipboard;
  RefractUsbSource     *usb;
  GSettings            *settings;
  gboolean              detached;
  gboolean              started;
  gboolean              own_session;   /* FALSE: a test's, left connected */
};

G_DEFINE_FINAL_TYPE (RefractConsole, refract_console, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DETACHED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static GHashTable *consoles;   /* RefractMachine* → RefractConsole* (weak both ways) */

static void
refract_console_dispose (GObject *object)
{
  RefractConsole *self = (RefractConsole *)object;

  if (consoles != NULL && self->machine != NULL
      && g_hash_table_lookup (consoles, self->machine) == self)
    g_hash_table_remove (consoles, self->machine);
  if (self->session != NULL && self->own_session)
    refract_spice_session_disconnect (self->session);
  if (self->serial != NULL)
    refract_serial_console_set_machine (self->serial, NULL);
  if (self->clipboard != NULL)
    g_signal_handlers_disconnect_by_data (self->clipboard, self);
  g_clear_object (&self->clipboard);
  g_clear_object (&self->usb);
  g_clear_object (&self->settings);
  g_clear_object (&self->display);
  g_clear_object (&self->serial);
  g_clear_object (&self->session);
  g_clear_object (&self->machine);

  G_OBJECT_CLASS (refract_console_parent_class)->dispose (object);
}

static void
refract_console_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_DETACHED: g_value_set_boolean (value, REFRACT_CONSOLE (object)->detached); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_console_class_init (RefractConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = refract_console_dispose;
  object_class->get_property = refract_console_get_property;

  properties[PROP_DETACHED] =
    g_param_spec_boolean ("detached", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
refract_console_init (RefractConsole *self)
{
}

/* ---- clipboard sharing, remembered per machine ----------------------------- */

/* Local machines share both ways unless told otherwise; remote ones don't. */
static void
load_clipboard_sharing (RefractConsole *self)
{
  g_autoptr(GVariant) all = g_settings_get_value (self->settings, "clipboard-sharing");
  const char *uri = refract_connection_get_uri (refract_machine_get_connection (self->machine));
  const char *uuid = refract_machine_get_uuid (self->machine);
  gboolean to_guest, to_host;

  to_guest = to_host = uri != NULL && refract_uri_is_local (uri);
  if (uuid != NULL)
    g_variant_lookup (all, uuid, "(bb)", &to_guest, &to_host);
  refract_clipboard_bridge_set_host_to_guest (self->clipboard, to_guest);
  refract_clipboard_bridge_set_guest_to_host (self->clipboard, to_host);
}

static void
save_clipboard_sharing (RefractConsole *self)
{
  g_autoptr(GVariant) all = g_settings_get_value (self->settings, "clipboard-sharing");
  const char *uuid = refract_machine_get_uuid (self->machine);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (uuid == NULL)
    return;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{s(bb)}"));
  g_variant_iter_init (&iter, all);
  while (g_variant_iter_next (&iter, "{&s@(bb)}", &key, &value))
    {
      if (!g_str_equal (key, uuid))
        g_variant_builder_add (&builder, "{s@(bb)}", key, value);
      g_variant_unref (value);
    }
  g_variant_builder_add (&builder, "{s(bb)}", uuid,
                         refract_clipboard_bridge_get_host_to_guest (self->clipboard),
                         refract_clipboard_bridge_get_guest_to_host (self->clipboard));
  g_settings_set_value (self->settings, "clipboard-sharing", g_variant_builder_end (&builder));
}

static void
setup_clipboard (RefractConsole *self)
{
  self->clipboard = refract_clipboard_bridge_new (self->session);
  g_settings_bind (self->settings, "clipboard-size-limit", self->clipboard, "size-limit",
                   G_SETTINGS_BIND_GET);
  load_clipboard_sharing (self);
  g_signal_connect_swapped (self->clipboard, "notify::host-to-guest",
                            G_CALLBACK (save_clipboard_sharing), self);
  g_signal_connect_swapped (self->clipboard, "notify::guest-to-host",
                            G_CALLBACK (save_clipboard_sharing), self);
}

/* ---- USB redirection ------------------------------------------------------- */

/* The source lives with the session, not with a picker: it must enable
 * usbredir before the session connects, and the machine's auto-redirect rules
 * act whether or not anybody opens the picker (which edits them). */
static void
setup_usb (RefractConsole *self)
{
  const char *uuid = refract_machine_get_uuid (self->machine);
  g_auto(GStrv) rules = NULL;
  g_autofree char *filter = NULL;
  gboolean redirect_new = FALSE;

  if (refract_connection_get_is_demo (refract_machine_get_connection (self->machine)))
    return;  /* simulated machines: the picker says why there is nothing */
  self->usb = refract_usb_source_spice_new (self->session);
  if (uuid != NULL)
    redirect_new = refract_usb_rules_load (self->settings, uuid, &rules);
  filter = refract_usb_rules_to_filter ((const char * const *) rules, TRUE);
  refract_usb_source_set_auto_redirect (self->usb, redirect_new, filter);
}

static RefractConsole *
console_new (RefractMachine *machine, RefractSpiceSession *session)
{
  RefractConsole *self = g_object_new (REFRACT_TYPE_CONSOLE, NULL);

  self->machine = g_object_ref (machine);
  self->session = session;
  self->display = g_object_ref_sink (REFRACT_SPICE_DISPLAY (refract_spice_display_new ()));
  refract_spice_display_set_session (self->display, self->session);
  self->settings = g_settings_new ("io.github.refract.Refract");
  g_settings_bind (self->settings, "console-release-keys", self->display, "release-keys",
                   G_SETTINGS_BIND_GET);
  self->serial = g_object_ref_sink (REFRACT_SERIAL_CONSOLE (refract_serial_console_new ()));
  setup_clipboard (self);
  setup_usb (self);
  return self;
}

/* The console of @machine, made on first use; the caller owns a reference. */
RefractConsole *
refract_console_get_for_machine (RefractMachine *machine)
{
  RefractConsole *self;

  g_return_val_if_fail (REFRACT_IS_MACHINE (machine), NULL);

  if (consoles == NULL)
    consoles = g_hash_table_new (NULL, NULL);
  if ((self = g_hash_table_lookup (consoles, machine)) != NULL)
    return g_object_ref (self);

  self = console_new (machine, refract_spice_session_new (machine));
  self->own_session = TRUE;
  g_hash_table_insert (consoles, machine, self);
  return self;
}

/* Not in the per-machine registry: the tests' own. */
RefractConsole *
_refract_console_new_for_session (RefractMachine      *machine,
                                  RefractSpiceSession *session)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (machine), NULL);
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (session), NULL);

  return console_new (machine, g_object_ref (session));
}

/* Connects both consoles; they then follow the machine by themselves. */
void
refract_console_start (RefractConsole *self)
{
  g_return_if_fail (REFRACT_IS_CONSOLE (self));

  if (self->started)
    return;
  self->started = TRUE;
  if (refract_machine_get_has_graphics (self->machine))
    refract_spice_session_connect (self->session);
  if (refract_console_has_serial (self))
    refract_serial_console_set_machine (self->serial, self->machine);
}

/* Headless machines, and machines with a serial or console device, get the text console. */
gboolean
refract_console_has_serial (RefractConsole *self)
{
  return !refract_machine_get_has_graphics (self->machine)
         || refract_machine_get_has_serial (self->machine);
}

RefractMachine *refract_console_get_machine (RefractConsole *self) { return self->machine; }
RefractSpiceSession *refract_console_get_session (RefractConsole *self) { return self->session; }
RefractSpiceDisplay *refract_console_get_display (RefractConsole *self) { return self->display; }
RefractSerialConsole *refract_console_get_serial (RefractConsole *self) { return self->serial; }
RefractClipboardBridge *refract_console_get_clipboard (RefractConsole *self) { return self->clipboard; }
RefractUsbSource *refract_console_get_usb_source (RefractConsole *self) { return self->usb; }
gboolean refract_console_get_detached (RefractConsole *self) { return self->detached; }

void
refract_console_set_detached (RefractConsole *self,
                              gboolean        detached)
{
  g_return_if_fail (REFRACT_IS_CONSOLE (self));

  if (self->detached == !!detached)
    return;
  self->detached = !!detached;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETACHED]);
}

/* "Ctrl+Alt" for "Control_L+Alt_L": the release keys as a person reads them. */
char *
refract_console_describe_keys (const char *keys)
{
  g_auto(GStrv) names = g_strsplit (keys ? keys : "", "+", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; names[i]; i++)
    {
      const char *name = names[i];

      if (out->len)
        g_string_append_c (out, '+');
      if (g_str_has_prefix (name, "Control"))
        /* Translators: the Ctrl key; _R the one on the right */
        g_string_append (out, g_str_has_suffix (name, "_R") ? _("Right Ctrl") : _("Ctrl"));
      else if (g_str_has_prefix (name, "Alt"))
        g_string_append (out, _("Alt"));
      else if (g_str_has_prefix (name, "Shift"))
        g_string_append (out, _("Shift"));
      else
        g_string_append (out, name);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
