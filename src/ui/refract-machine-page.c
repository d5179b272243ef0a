/* refract-machine-page.c: a machine's overview and its lifecycle buttons
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-console-page.h"
#include "refract-drafts.h"
#include "refract-dsp-page.h"
#include "refract-machine-page.h"
#include "refract-netjack-page.h"
#include "refract-sparkline.h"
#include "refract-window.h"

struct _RefractMachinePage
{
  AdwBin                parent_instance;

  RefractMachine       *machine;
  GSignalGroup         *machine_signals;
  GSignalGroup         *connection_signals;
  GSettings            *settings;
  GCancellable         *cancellable;
  GPtrArray            *dynamic_rows;  /* (group, row) pairs */
  GHashTable           *value_rows;    /* row title → AdwActionRow */

  GtkImage             *state_icon;
  GtkLabel             *name_label;
  GtkLabel             *state_label;
  GtkSpinner           *busy_spinner;
  GtkWidget            *start_button;
  GtkWidget            *resume_button;
  GtkWidget            *pause_button;
  AdwPreferencesGroup  *overview_group;
  AdwActionRow         *cpu_row;
  AdwActionRow         *memory_row;
  RefractSparkline     *cpu_graph;
  RefractSparkline     *memory_graph;
  AdwPreferencesGroup  *disks_group;
  AdwPreferencesGroup  *nics_group;
  AdwPreferencesGroup  *graphics_group;
  AdwViewStack         *view_stack;
  RefractConsolePage   *console_page;
  RefractDspPage       *dsp_page;
  RefractNetjackPage   *netjack_page;
};

G_DEFINE_FINAL_TYPE (RefractMachinePage, refract_machine_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MACHINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char           *name;
  RefractMachineAction  action;
} actions[] = {
  { "machine.start", REFRACT_MACHINE_ACTION_START },
  { "machine.shutdown", REFRACT_MACHINE_ACTION_SHUTDOWN },
  { "machine.reboot", REFRACT_MACHINE_ACTION_REBOOT },
  { "machine.pause", REFRACT_MACHINE_ACTION_PAUSE },
  { "machine.resume", REFRACT_MACHINE_ACTION_RESUME },
  { "machine.save", REFRACT_MACHINE_ACTION_SAVE },
  { "machine.force-off", REFRACT_MACHINE_ACTION_FORCE_OFF },
  { "machine.delete", REFRACT_MACHINE_ACTION_DELETE },
};

/* ---- feedback ----------------------------------------------------------- */

/* ---- rows --------------------------------------------------------------- */

static AdwActionRow *
value_row (RefractMachinePage *self, const char *title)
{
  AdwActionRow *row = g_hash_table_lookup (self->value_rows, title);

  if (row != NULL)
    return row;

  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (row), "property");
  adw_preferences_group_add (self->overview_group, GTK_WIDGET (row));
  g_hash_table_insert (self->value_rows, (gpointer) title, row);
  return row;
}

static void
set_value (RefractMachinePage *self, const char *title, const char *value)
{
  AdwActionRow *row = value_row (self, title);

  adw_action_row_set_subtitle (row, value ? value : "");
  gtk_widget_set_visible (GTK_WIDGET (row), value != NULL && *value);
}

static void
clear_dynamic_rows (RefractMachinePage *self)
{
  for (guint i = 0; i + 1 < self->dynamic_rows->len; i += 2)
    adw_preferences_group_remove (g_ptr_array_index (self->dynamic_rows, i),
                                  g_ptr_array_index (self->dynamic_rows, i + 1));
  g_ptr_array_set_size (self->dynamic_rows, 0);
}

static void
add_row (RefractMachinePage  *self,
         AdwPreferencesGroup *group,
         const char          *icon,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (icon != NULL)
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->dynamic_rows, group);
  g_ptr_array_add (self->dynamic_rows, row);
}

static void
add_placeholder (RefractMachinePage *self, AdwPreferencesGroup *group, const char *text)
{
  add_row (self, group, NULL, text, NULL);
}

static char *
describe_disk (RefractMachineDisk *disk)
{
  g_autofree char *size = disk->capacity >= 0 ? g_format_size_full (disk->capacity, G_FORMAT_SIZE_IEC_UNITS)
                                              : g_strdup (_("size unknown"));
  const char *source = disk->source ? disk->source : _("empty");

  /* Translators: disk source path, size, bus, e.g. "/var/x.qcow2 · 64.0 GiB · virtio" */
  return g_strdup_printf (_("%s · %s · %s"), source, size, disk->bus ? disk->bus : "?");
}

static void
fill_disks (RefractMachinePage *self, GPtrArray *disks)
{
  if (disks == NULL || disks->len == 0)
    add_placeholder (self, self->disks_group, _("No disks"));
  for (guint i = 0; disks && i < disks->len; i++)
    {
      RefractMachineDisk *disk = g_ptr_array_index (disks, i);
      g_autofree char *subtitle = describe_disk (disk);
      g_autofree char *title = g_strdup_printf ("%s (%s)", disk->target ? disk->target : "?",
                                                g_strcmp0 (disk->device, "cdrom") == 0 ? _("CD/DVD")
                                                : g_strcmp0 (disk->device, "floppy") == 0 ? _("floppy")
                                                : _("disk"));

      add_row (self, self->disks_group,
               g_strcmp0 (disk->device, "cdrom") == 0 ? "media-optical-symbolic" : "drive-harddisk-symbolic",
               title, subtitle);
    }
}

static char *
describe_nic (RefractMachineNic *nic)
{
  const char *model = nic->model ? nic->model : _("default model");

  if (g_strcmp0 (nic->type, "network") == 0)
    /* Translators: libvirt network name, MAC address, NIC model */
    return g_strdup_printf (_("NAT network “%s” · %s · %s"), nic->source ? nic->source : "?",
                            nic->mac ? nic->mac : "?", model);
  if (g_strcmp0 (nic->type, "bridge") == 0)
    return g_strdup_printf (_("Bridge %s · %s · %s"), nic->source ? nic->source : "?",
                            nic->mac ? nic->mac : "?", model);
  if (g_strcmp0 (nic->type, "user") == 0)
    return nic->forwards ? g_strdup_printf (_("User networking, forwards %s · %s · %s"), nic->forwards,
                                            nic->mac ? nic->mac : "?", model)
                         : g_strdup_printf (_("User networking · %s · %s"), nic->mac ? nic->mac : "?", model);
  return g_strdup_printf ("%s %s · %s · %s", nic->type ? nic->type : "?",
                          nic->source ? nic->source : "", nic->mac ? nic->mac : "?", model);
}

static void
fill_nics (RefractMachinePage *self, GPtrArray *nics)
{
  if (nics == NULL || nics->len == 0)
    add_placeholder (self, self->nics_group, _("No network interfaces"));
  for (guint i = 0; nics && i < nics->len; i++)
    {
      g_autofree char *subtitle = describe_nic (g_ptr_array_index (nics, i));
      g_autofree char *title = g_strdup_printf (_("Interface %u"), i + 1);

      add_row (self, self->nics_group, "network-wired-symbolic", title, subtitle);
    }
}

static void
fill_graphics (RefractMachinePage *self, GPtrArray *graphics)
{
  if (graphics == NULL || graphics->len == 0)
    add_placeholder (self, self->graphics_group, _("Headless: serial console only"));
  for (guint i = 0; graphics && i < graphics->len; i++)
    {
      RefractMachineGraphics *g = g_ptr_array_index (graphics, i);
      g_autofree char *type = g_ascii_strup (g->type ? g->type : "?", -1);
      g_autofree char *subtitle = NULL;

      if (g_strcmp0 (g->listen, "none") == 0 || g->listen == NULL)
        subtitle = g_strdup (_("No network port: opened through libvirt"));
      else if (g->port > 0)
        subtitle = g_strdup_printf (_("Listening on %s, port %d"), g->listen, g->port);
      else
        subtitle = g_strdup_printf (_("Listening on %s, port chosen at start"), g->listen);
      add_row (self, self->graphics_group, "video-display-symbolic", type, subtitle);
    }
}

static void
update_details (RefractMachinePage *self)
{
  RefractMachine *m = self->machine;

  clear_dynamic_rows (self);
  if (m == NULL)
    return;
  if (!refract_machine_get_details_loaded (m))
    {
      add_placeholder (self, self->disks_group, _("Loading…"));
      return;
    }
  fill_disks (self, refract_machine_get_disks (m));
  fill_nics (self, refract_machine_get_nics (m));
  fill_graphics (self, refract_machine_get_graphics (m));
}

static char *
format_memory (guint64 kib)
{
  return g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

static void
update_usage (RefractMachinePage *self)
{
  RefractMachine *m = self->machine;
  g_autofree char *cpu = NULL;
  g_autofree char *mem = NULL;

  if (m == NULL)
    return;
  if (!refract_machine_is_active (m))
    cpu = g_strdup (_("Not running"));
  else if (refract_machine_get_cpu_usage (m) >= 0)
    cpu = g_strdup_printf (_("%.0f %% of %u vCPUs"), refract_machine_get_cpu_usage (m),
                           refract_machine_get_vcpus (m));
  else
    cpu = g_strdup (_("Not reported by this host yet"));

  if (refract_machine_is_active (m) && refract_machine_get_memory_used (m) > 0)
    {
      g_autofree char *used = format_memory (refract_machine_get_memory_used (m));
      g_autofree char *total = format_memory (refract_machine_get_memory (m));

      mem = g_strdup_printf (_("%s of %s"), used, total);
    }
  else
    mem = g_strdup (refract_machine_is_active (m) ? _("Not reported by this host yet") : _("Not running"));

  adw_action_row_set_subtitle (self->cpu_row, cpu);
  adw_action_row_set_subtitle (self->memory_row, mem);
}

static void
update_actions (RefractMachinePage *self)
{
  RefractMachine *m = self->machine;
  gboolean paused = m && refract_machine_get_state (m) == REFRACT_MACHINE_STATE_PAUSED;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i].name,
                                   m != NULL && refract_machine_can (m, actions[i].action));
  gtk_widget_set_visible (gtk_widget_get_parent (self->start_button),
                         m == NULL || !refract_machine_is_active (m));
  gtk_widget_set_visible (gtk_widget_get_parent (self->resume_button), paused);
  gtk_widget_set_visible (gtk_widget_get_parent (self->pause_button), !paused);
}

static void
update_overview (RefractMachinePage *self)
{
  RefractMachine *m = self->machine;
  g_autofree char *state = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *vcpus = NULL;

  if (m == NULL)
    return;

  state = refract_machine_dup_state_text (m);
  gtk_image_set_from_icon_name (self->state_icon, refract_machine_state_icon_name (refract_machine_get_state (m)));
  gtk_label_set_label (self->name_label, refract_machine_get_display_name (m));
  gtk_label_set_label (self->state_label, state);
  gtk_spinner_set_spinning (self->busy_spinner, refract_machine_get_busy (m));
  gtk_widget_set_visible (GTK_WIDGET (self->busy_spinner), refract_machine_get_busy (m));

  if (refract_machine_get_max_memory (m) > refract_machine_get_memory (m))
    {
      g_autofree char *cur = format_memory (refract_machine_get_memory (m));
      g_autofree char *max = format_memory (refract_machine_get_max_memory (m));

      memory = g_strdup_printf (_("%s (up to %s)"), cur, max);
    }
  else
    memory = format_memory (refract_machine_get_memory (m));
  vcpus = g_strdup_printf ("%u", refract_machine_get_vcpus (m));

  set_value (self, _("State"), state);
  set_value (self, _("Name"), refract_machine_get_name (m));
  set_value (self, _("Description"), refract_machine_get_description (m));
  set_value (self, _("Operating System"), refract_machine_get_os_name (m));
  set_value (self, _("vCPUs"), vcpus);
  set_value (self, _("Memory"), memory);
  if (refract_machine_get_details_loaded (m))
    {
      set_value (self, _("Start with the Host"), refract_machine_get_autostart (m) ? _("Yes") : _("No"));
      set_value (self, _("Configuration"), refract_machine_get_persistent (m)
                                            ? _("Persistent") : _("Transient: gone when it stops"));
    }
  set_value (self, _("UUID"), refract_machine_get_uuid (m));
  update_usage (self);
  update_actions (self);
}

/* ---- lifecycle ---------------------------------------------------------- */

static void
action_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RefractMachinePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!refract_machine_run_finish (REFRACT_MACHINE (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    refract_window_error_for (GTK_WIDGET (self), error);
}

static void
run (RefractMachinePage *self, RefractMachineAction action)
{
  refract_machine_run_async (self->machine, action, self->cancellable, action_done,
                             g_object_ref (self));
}

static void
confirmed (AdwMessageDialog *dialog,
           const char       *response,
           gpointer          user_data)
{
  RefractMachinePage *self = user_data;
  RefractMachineAction action = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "action"));
  RefractMachine *machine = g_object_get_data (G_OBJECT (dialog), "machine");

  if (g_strcmp0 (response, "confirm") == 0 && machine == self->machine)
    run (self, action);
}

static void
confirm (RefractMachinePage   *self,
         RefractMachineAction  action,
         const char           *heading,
         const char           *body,
         const char           *verb,
         gboolean              destructive)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "confirm", verb, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                          : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "action", GUINT_TO_POINTER (action));
  g_object_set_data_full (G_OBJECT (dialog), "machine", g_object_ref (self->machine), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
force_off_or_confirm (RefractMachinePage *self)
{
  g_autofree char *heading = NULL;

  if (!g_settings_get_boolean (self->settings, "confirm-force-off"))
    {
      run (self, REFRACT_MACHINE_ACTION_FORCE_OFF);
      return;
    }
  heading = g_strdup_printf (_("Force Off “%s”?"), refract_machine_get_display_name (self->machine));
  confirm (self, REFRACT_MACHINE_ACTION_FORCE_OFF, heading,
           _("This is like pulling the power cord: anything not saved in the guest is lost."),
           _("_Force Off"), TRUE);
}

static void
shutdown_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RefractMachinePage) self = user_data;
  RefractMachine *machine = REFRACT_MACHINE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (refract_machine_shutdown_finish (machine, result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_TIMED_OUT))
    {
      refract_window_error_for (GTK_WIDGET (self), error);
      return;
    }
  if (machine != self->machine || !refract_machine_is_active (machine))
    return;

  heading = g_strdup_printf (_("“%s” Did Not Shut Down"), refract_machine_get_display_name (machine));
  body = g_strdup_printf (_("The guest did not respond within %u seconds. Force it off? Anything not "
                            "saved in the guest is lost."),
                          g_settings_get_uint (self->settings, "shutdown-timeout"));
  confirm (self, REFRACT_MACHINE_ACTION_FORCE_OFF, heading, body, _("_Force Off"), TRUE);
}

static void
start_shutdown (RefractMachinePage *self)
{
  g_autofree char *text = g_strdup_printf (_("Asked “%s” to shut down"),
                                           refract_machine_get_display_name (self->machine));

  refract_window_toast_for (GTK_WIDGET (self), text);
  refract_machine_shutdown_async (self->machine, g_settings_get_uint (self->settings, "shutdown-timeout"),
                                  self->cancellable, shutdown_done, g_object_ref (self));
}

static void delete_machine (RefractMachinePage *self);

static void
lifecycle_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  RefractMachinePage *self = REFRACT_MACHINE_PAGE (widget);
  g_autofree char *heading = NULL;

  if (self->machine == NULL)
    return;
  heading = g_strdup (refract_machine_get_display_name (self->machine));

  if (g_str_equal (action_name, "machine.shutdown"))
    start_shutdown (self);
  else if (g_str_equal (action_name, "machine.force-off"))
    force_off_or_confirm (self);
  else if (g_str_equal (action_name, "machine.delete"))
    delete_machine (self);
  else if (g_str_equal (action_name, "machine.reboot") && g_settings_get_boolean (self->settings, "confirm-reboot"))
    confirm (self, REFRACT_MACHINE_ACTION_REBOOT, _("Reboot the Machine?"),
             _("The guest is asked to restart; programs running in it are closed."), _("_Reboot"), FALSE);
  else if (g_str_equal (action_name, "machine.pause") && g_settings_get_boolean (self->settings, "confirm-pause"))
    confirm (self, REFRACT_MACHINE_ACTION_PAUSE, _("Pause the Machine?"),
             _("The guest stops running until you resume it; network connections may time out."),
             _("_Pause"), FALSE);
  else
    for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
      if (g_str_equal (action_name, actions[i].name))
        run (self, actions[i].action);
}

/* ---- delete ------------------------------------------------------------- */

static void
delete_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RefractMachinePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!refract_machine_delete_finish (REFRACT_MACHINE (object), result, &error))
    {
      refract_window_error_for (GTK_WIDGET (self), error);
      return;
    }
  text = g_strdup_printf (_("Deleted “%s”"), refract_machine_get_display_name (REFRACT_MACHINE (object)));
  refract_window_toast_for (GTK_WIDGET (self), text);
}

static void
delete_response (AdwMessageDialog *dialog,
                 const char       *response,
                 gpointer          user_data)
{
  RefractMachinePage *self = user_data;
  RefractMachine *machine = g_object_get_data (G_OBJECT (dialog), "machine");
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "checks");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) volumes = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      g_strv_builder_add (builder, g_object_get_data (g_ptr_array_index (checks, i), "path"));
  volumes = g_strv_builder_end (builder);
  refract_machine_delete_async (machine, volumes, NULL, delete_done, g_object_ref (self));
}

static GtkWidget *
storage_checks (GPtrArray *storage, GPtrArray *checks)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  if (storage->len > 0)
    gtk_box_append (GTK_BOX (box), gtk_label_new (_("Also delete these disks:")));
  for (guint i = 0; i < storage->len; i++)
    {
      RefractMachineDisk *disk = g_ptr_array_index (storage, i);
      g_autofree char *size = disk->capacity >= 0 ? g_format_size_full (disk->capacity, G_FORMAT_SIZE_IEC_UNITS)
                                                  : g_strdup (_("size unknown"));
      g_autofree char *label = g_strdup_printf ("%s (%s)", disk->source, size);
      GtkWidget *check = gtk_check_button_new_with_label (label);

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
      g_object_set_data_full (G_OBJECT (check), "path", g_strdup (disk->source), g_free);
      gtk_box_append (GTK_BOX (box), check);
      g_ptr_array_add (checks, check);
    }
  return box;
}

static void
storage_listed (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RefractMachinePage) self = user_data;
  RefractMachine *machine = REFRACT_MACHINE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) storage = refract_machine_list_storage_finish (machine, result, &error);
  GPtrArray *checks;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (storage == NULL)
    {
      refract_window_error_for (GTK_WIDGET (self), error);
      return;
    }
  if (machine != self->machine || gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    return;

  heading = g_strdup_printf (_("Delete “%s”?"), refract_machine_get_display_name (machine));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                   _("The machine’s configuration, saved state, snapshot metadata, "
                                     "firmware variables (NVRAM) and TPM state are deleted. "
                                     "This cannot be undone."));
  checks = g_ptr_array_new ();
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), storage_checks (storage, checks));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "machine", g_object_ref (machine), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "checks", checks, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
delete_machine (RefractMachinePage *self)
{
  refract_machine_list_storage_async (self->machine, self->cancellable, storage_listed,
                                      g_object_ref (self));
}

/* ---- plumbing ----------------------------------------------------------- */

static void
details_loaded (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RefractMachinePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!refract_machine_load_details_finish (REFRACT_MACHINE (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && REFRACT_MACHINE (object) == self->machine)
    refract_window_error_for (GTK_WIDGET (self), error);
}

RefractMachine *
refract_machine_page_get_machine (RefractMachinePage *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE_PAGE (self), NULL);
  return self->machine;
}

void
refract_machine_page_set_machine (RefractMachinePage *self,
                                  RefractMachine     *machine)
{
  g_return_if_fail (REFRACT_IS_MACHINE_PAGE (self));

  if (self->machine == machine)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_set_object (&self->machine, machine);
  g_signal_group_set_target (self->machine_signals, machine);
  g_signal_group_set_target (self->connection_signals,
                             machine ? refract_machine_get_connection (machine) : NULL);
  refract_sparkline_set_machine (self->cpu_graph, machine);
  refract_sparkline_set_machine (self->memory_graph, machine);
  if (machine != NULL)
    {
      g_autoptr(RefractConsole) console = refract_console_get_for_machine (machine);
      refract_console_page_set_console (self->console_page, console);
    }
  else
    refract_console_page_set_console (self->console_page, NULL);
  /* both read their settings only when their tab is first shown */
  refract_dsp_page_set_machine (self->dsp_page, machine);
  refract_netjack_page_set_machine (self->netjack_page, machine);
  update_overview (self);
  update_details (self);
  if (machine != NULL)
    refract_machine_load_details_async (machine, self->cancellable, details_loaded, g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

static void
refract_machine_page_dispose (GObject *object)
{
  RefractMachinePage *self = (RefractMachinePage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->machine_signals != NULL)
    refract_machine_page_set_machine (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_MACHINE_PAGE);
  g_clear_object (&self->machine_signals);
  g_clear_object (&self->connection_signals);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->dynamic_rows, g_ptr_array_unref);
  g_clear_pointer (&self->value_rows, g_hash_table_unref);

  G_OBJECT_CLASS (refract_machine_page_parent_class)->dispose (object);
}

static void
refract_machine_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MACHINE: g_value_set_object (value, REFRACT_MACHINE_PAGE (object)->machine); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_machine_page_class_init (RefractMachinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_machine_page_dispose;
  object_class->get_property = refract_machine_page_get_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, REFRACT_TYPE_MACHINE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (REFRACT_TYPE_SPARKLINE);
  g_type_ensure (REFRACT_TYPE_CONSOLE_PAGE);
  g_type_ensure (REFRACT_TYPE_DSP_PAGE);
  g_type_ensure (REFRACT_TYPE_NETJACK_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-machine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, name_label);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, state_label);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, start_button);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, resume_button);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, overview_group);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, cpu_row);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, cpu_graph);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, memory_graph);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, disks_group);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, nics_group);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, graphics_group);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, console_page);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, dsp_page);
  gtk_widget_class_bind_template_child (widget_class, RefractMachinePage, netjack_page);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i].name, NULL, lifecycle_action);
}

static void
refract_machine_page_init (RefractMachinePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("io.github.refract.Refract");
  self->cancellable = g_cancellable_new ();
  self->dynamic_rows = g_ptr_array_new ();
  self->value_rows = g_hash_table_new (g_str_hash, g_str_equal);

  self->machine_signals = g_signal_group_new (REFRACT_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->machine_signals, "notify", G_CALLBACK (update_overview), self);
  g_signal_group_connect_swapped (self->machine_signals, "notify::details-loaded",
                                  G_CALLBACK (update_details), self);
  self->connection_signals = g_signal_group_new (REFRACT_TYPE_CONNECTION);
  g_signal_group_connect_swapped (self->connection_signals, "notify::state",
                                  G_CALLBACK (update_actions), self);
  update_actions (self);
}

/* Switches to the Console tab (refract --show-console). */
void
refract_machine_page_show_console (RefractMachinePage *self)
{
  g_return_if_fail (REFRACT_IS_MACHINE_PAGE (self));
  adw_view_stack_set_visible_child_name (self->view_stack, "console");
}

void
refract_machine_page_detach_console (RefractMachinePage *self)
{
  g_return_if_fail (REFRACT_IS_MACHINE_PAGE (self));
  refract_console_page_detach (self->console_page);
}

/* Settings edited on the DSP or NETJACK tab and not applied yet */
gboolean
refract_machine_page_get_modified (RefractMachinePage *self)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE_PAGE (self), FALSE);
  return refract_dsp_page_get_modified (self->dsp_page)
         || refract_netjack_page_get_modified (self->netjack_page);
}

void
refract_machine_page_discard_changes (RefractMachinePage *self)
{
  g_return_if_fail (REFRACT_IS_MACHINE_PAGE (self));
  refract_dsp_page_discard_changes (self->dsp_page);
  refract_netjack_page_discard_changes (self->netjack_page);
}

/* Shows the first tab with edits not applied yet, if any. */
void
refract_machine_page_show_changes (RefractMachinePage *self)
{
  g_return_if_fail (REFRACT_IS_MACHINE_PAGE (self));
  /* a page that has not been shown again holds its edits as a draft */
  if (refract_dsp_page_get_modified (self->dsp_page)
      || (self->machine != NULL && refract_drafts_has (self->machine, "dsp")))
    adw_view_stack_set_visible_child_name (self->view_stack, "dsp");
  else if (refract_netjack_page_get_modified (self->netjack_page)
           || (self->machine != NULL && refract_drafts_has (self->machine, "netjack")))
    adw_view_stack_set_visible_child_name (self->view_stack, "netjack");
}

const char *
refract_machine_page_get_tab (RefractMachinePage *self)
{
  return adw_view_stack_get_visible_child_name (self->view_stack);
}
