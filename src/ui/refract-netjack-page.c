/* refract-netjack-page.c: a machine's NETJACK2 audio link
 *
 * The settings as rows, each with its problems right below it; the period,
 * round trip and bandwidth as they change; the host's bridge status, checked
 * again every few seconds while the page is shown; restarting the bridge;
 * and what to paste on the host and in the guest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-drafts.h"
#include "refract-dsp-config.h"
#include "refract-netjack-config.h"
#include "refract-netjack-page-private.h"
#include "refract-netjack-probe.h"
#include "refract-window.h"

#define PROBE_INTERVAL_SECONDS 5

typedef struct
{
  const char *field;       /* RefractNetjackProblem.field */
  GtkWidget  *row;
  GtkWidget  *error_row;   /* below @row, shown when there is a problem */
  GtkLabel   *error_label;
} Slot;

typedef struct
{
  GtkSpinButton *spin;
  gsize          offset;   /* into RefractNetjackConfig */
  gboolean       is_signed;
} Spin;

struct _RefractNetjackPage
{
  AdwBin                parent_instance;

  RefractMachine       *machine;
  GCancellable         *cancellable;
  RefractNetjackConfig *config;
  RefractNetjackConfig *saved;
  gboolean              loading;
  gboolean              updating;
  gboolean              local;       /* the host is this computer */
  RefractNetjackProbe  *probe;
  gboolean              probe_forced;
  gboolean              probing;
  guint                 probe_timer;
  GArray               *slots;       /* Slot */
  GArray               *spins;       /* Spin */
  GArray               *rates;       /* guint, the rate row's entries */
  GPtrArray            *checked_rows;

  GtkStack             *stack;
  GtkSpinner           *spinner;
  AdwStatusPage        *error_page;
  AdwPreferencesGroup  *link_group;
  AdwPreferencesGroup  *audio_group;
  GtkSwitch            *enabled_switch;
  AdwComboRow          *backend_row;
  AdwEntryRow          *address_row;
  AdwEntryRow          *client_row;
  AdwEntryRow          *restart_command_row;
  AdwComboRow          *rate_row;
  AdwComboRow          *encoding_row;
  GtkWidget            *kbps_row;
  AdwActionRow         *latency_row;
  AdwActionRow         *bandwidth_row;
  AdwExpanderRow       *status_row;
  GtkSpinner           *status_spinner;
  GtkWidget            *refresh_button;
  AdwExpanderRow       *restart_row;
  GtkWidget            *restart_button;
  GtkLabel             *restart_output;
  GtkLabel             *host_snippet;
  GtkLabel             *guest_snippet;
  GtkWidget            *host_copy;
  GtkWidget            *guest_copy;
  GtkLabel             *changes_label;
  GtkWidget            *save_button;
  GtkWidget            *revert_button;

  gboolean              modified;
  gboolean              restarting;
};

G_DEFINE_FINAL_TYPE (RefractNetjackPage, refract_netjack_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Edits not saved when the page goes to another machine: kept until it comes
 * back to this one (refract-drafts.h). */
typedef struct
{
  RefractNetjackConfig *config;
  RefractNetjackConfig *saved;
} NetjackDraft;

static void
netjack_draft_free (gpointer data)
{
  NetjackDraft *draft = data;

  g_clear_pointer (&draft->config, refract_netjack_config_free);
  g_clear_pointer (&draft->saved, refract_netjack_config_free);
  g_free (draft);
}

static void
set_modified (RefractNetjackPage *self, gboolean modified)
{
  if (self->modified == modified)
    return;
  self->modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static const guint standard_rates[] = { 44100, 48000, 88200, 96000, 176400, 192000 };

static void run_probe (RefractNetjackPage *self);

/* ---- feedback ----------------------------------------------------------- */

static void
copy_label (RefractNetjackPage *self, GtkLabel *label)
{
  refract_window_copy_for (GTK_WIDGET (self), gtk_label_get_label (label));
}

static void
host_copy_clicked (RefractNetjackPage *self)
{
  copy_label (self, self->host_snippet);
}

static void
guest_copy_clicked (RefractNetjackPage *self)
{
  copy_label (self, self->guest_snippet);
}

/* ---- rows and their problems -------------------------------------------- */

static void
add_slot (RefractNetjackPage *self, const char *field, GtkWidget *row)
{
  GtkWidget *listbox = gtk_widget_get_parent (row);
  GtkWidget *label = gtk_label_new (NULL);
  Slot slot = { field, row, NULL, GTK_LABEL (label) };

  g_assert (GTK_IS_LIST_BOX (listbox));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  slot.error_row = g_object_new (ADW_TYPE_PREFERENCES_ROW,
                                 "activatable", FALSE,
                                 "selectable", FALSE,
                                 "focusable", FALSE,
                                 "visible", FALSE,
                                 "child", label,
                                 NULL);
  gtk_widget_add_css_class (slot.error_row, "refract-field-error");
  gtk_list_box_insert (GTK_LIST_BOX (listbox), slot.error_row,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, label, -1);
  g_array_append_val (self->slots, slot);
}

static void spin_changed (GtkSpinButton *spin, RefractNetjackPage *self);

static GtkWidget *
add_spin (RefractNetjackPage  *self,
          AdwPreferencesGroup *group,
          const char          *field,
          gsize                offset,
          gboolean             is_signed,
          const char          *title,
          const char          *subtitle,
          double               lower,
          double               upper)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, 1);
  Spin entry = { GTK_SPIN_BUTTON (spin), offset, is_signed };

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  g_signal_connect (spin, "value-changed", G_CALLBACK (spin_changed), self);
  g_array_append_val (self->spins, entry);
  add_slot (self, field, row);
  return row;
}

static void
build_rows (RefractNetjackPage *self)
{
  g_autoptr(GtkStringList) encodings = gtk_string_list_new (NULL);
  AdwPreferencesGroup *link = self->link_group, *audio = self->audio_group;

  add_slot (self, "address", GTK_WIDGET (self->address_row));
  add_slot (self, "client_name", GTK_WIDGET (self->client_row));
  add_spin (self, link, "port", G_STRUCT_OFFSET (RefractNetjackConfig, port), FALSE,
            _("UDP _Port"), _("The same on both ends; NETJACK2 uses 19000"), 1, 65535);
  add_spin (self, link, "mtu", G_STRUCT_OFFSET (RefractNetjackConfig, mtu), FALSE,
            _("_MTU"), _("Bytes per packet, 1500 to 9000"), 500, 9216);
  add_slot (self, "sample_rate", GTK_WIDGET (self->rate_row));
  add_spin (self, audio, "period", G_STRUCT_OFFSET (RefractNetjackConfig, period), FALSE,
            _("_Period (Frames)"), _("Set by the host: a power of two"), 1, 16384);
  add_spin (self, audio, "latency_cycles", G_STRUCT_OFFSET (RefractNetjackConfig, latency_cycles), FALSE,
            _("Network _Latency (Periods)"), NULL, 0, 64);
  add_spin (self, audio, "channels_to_guest", G_STRUCT_OFFSET (RefractNetjackConfig, channels_to_guest), FALSE,
            _("Channels _to the Machine"), NULL, 0, 128);
  add_spin (self, audio, "channels_from_guest", G_STRUCT_OFFSET (RefractNetjackConfig, channels_from_guest),
            FALSE, _("Channels _from the Machine"), NULL, 0, 128);
  add_spin (self, audio, "midi_to_guest", G_STRUCT_OFFSET (RefractNetjackConfig, midi_to_guest), TRUE,
            _("MIDI Ports to the Machine"), _("−1: as many as the host has"), -1, 64);
  add_spin (self, audio, "midi_from_guest", G_STRUCT_OFFSET (RefractNetjackConfig, midi_from_guest), TRUE,
            _("MIDI Ports from the Machine"), _("−1: as many as the host has"), -1, 64);

  gtk_string_list_append (encodings, _("32-bit float (uncompressed)"));
  gtk_string_list_append (encodings, _("Opus (compressed)"));
  gtk_string_list_append (encodings, _("16-bit integer"));
  self->encoding_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->encoding_row), _("_Encoding"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->encoding_row), TRUE);
  adw_combo_row_set_model (self->encoding_row, G_LIST_MODEL (encodings));
  adw_preferences_group_add (audio, GTK_WIDGET (self->encoding_row));
  add_slot (self, "encoding", GTK_WIDGET (self->encoding_row));
  self->kbps_row = add_spin (self, audio, "kbps", G_STRUCT_OFFSET (RefractNetjackConfig, kbps), FALSE,
                             _("Opus _Bit Rate (kbit/s)"), NULL, 0, 1024);
}

static Slot *
find_slot (RefractNetjackPage *self, const char *field)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (g_strcmp0 (g_array_index (self->slots, Slot, i).field, field) == 0)
      return &g_array_index (self->slots, Slot, i);
  /* a field without a row of its own: under the first */
  return &g_array_index (self->slots, Slot, 0);
}

static void
show_problems (RefractNetjackPage *self)
{
  g_autoptr(GPtrArray) problems = refract_netjack_validate (self->config);
  g_autoptr(GHashTable) texts = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) NULL);
  GHashTable *fails = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < self->slots->len; i++)
    g_hash_table_insert (texts, &g_array_index (self->slots, Slot, i), g_string_new (NULL));
  for (guint i = 0; i < problems->len; i++)
    {
      RefractNetjackProblem *problem = g_ptr_array_index (problems, i);
      Slot *slot = find_slot (self, problem->field);
      GString *text = g_hash_table_lookup (texts, slot);

      g_string_append_printf (text, "%s%s", text->len ? "\n" : "", problem->message);
      if (problem->severity == REFRACT_DSP_SEVERITY_FAIL)
        g_hash_table_add (fails, slot);
    }
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = &g_array_index (self->slots, Slot, i);
      GString *text = g_hash_table_lookup (texts, slot);
      gboolean fail = g_hash_table_contains (fails, slot);

      gtk_label_set_label (slot->error_label, text->str);
      gtk_widget_set_visible (slot->error_row, text->len > 0);
      gtk_widget_remove_css_class (GTK_WIDGET (slot->error_label), fail ? "warning" : "error");
      gtk_widget_add_css_class (GTK_WIDGET (slot->error_label), fail ? "error" : "warning");
      (fail ? gtk_widget_add_css_class : gtk_widget_remove_css_class) (slot->row, "error");
      (text->len && !fail ? gtk_widget_add_css_class : gtk_widget_remove_css_class) (slot->row, "warning");
      g_string_free (text, TRUE);
    }
  g_hash_table_unref (fails);
}

/* ---- showing the config ------------------------------------------------- */

static guint
rate_index (RefractNetjackPage *self, guint rate)
{
  GtkStringList *names = GTK_STRING_LIST (adw_combo_row_get_model (self->rate_row));
  g_autofree char *name = NULL;

  for (guint i = 0; i < self->rates->len; i++)
    if (g_array_index (self->rates, guint, i) == rate)
      return i;
  name = g_strdup_printf (_("%u Hz"), rate);
  g_array_append_val (self->rates, rate);
  gtk_string_list_append (names, name);
  return self->rates->len - 1;
}

static void
update_estimates (RefractNetjackPage *self)
{
  g_autofree char *latency = refract_netjack_config_describe_latency (self->config);
  g_autofree char *bandwidth = NULL;
  g_autofree char *host = refract_netjack_config_host_snippet (self->config);
  g_autofree char *guest = refract_netjack_config_guest_snippet (self->config);

  /* Translators: estimates in Mbit/s, each way */
  bandwidth = g_strdup_printf (_("≈ %.1f Mbit/s to the machine, %.1f Mbit/s from it (estimate)"),
                               refract_netjack_config_get_bandwidth_mbps (self->config, TRUE),
                               refract_netjack_config_get_bandwidth_mbps (self->config, FALSE));
  adw_action_row_set_subtitle (self->latency_row, latency);
  adw_action_row_set_subtitle (self->bandwidth_row, bandwidth);
  gtk_label_set_label (self->host_snippet, host);
  gtk_label_set_label (self->guest_snippet, guest);
}

static char *
restart_description (RefractNetjackConfig *config)
{
  const char *unit = refract_netjack_restart_unit (config);

  if (config->restart_command != NULL && *config->restart_command)
    return g_strdup (config->restart_command);
  if (unit != NULL)
    return g_strdup_printf ("systemctl --user restart %s", unit);
  return g_strdup (_("No restart command is set for JACK 2"));
}

static void
update_changes (RefractNetjackPage *self)
{
  g_autofree char *now = refract_netjack_config_to_xml (self->config);
  g_autofree char *before = refract_netjack_config_to_xml (self->saved);
  gboolean modified = g_strcmp0 (now, before) != 0;

  gtk_widget_set_sensitive (self->save_button, modified);
  gtk_widget_set_sensitive (self->revert_button, modified);
  gtk_label_set_label (self->changes_label, modified ? _("Changes not saved yet") : _("No changes"));
  set_modified (self, modified);
}

static gboolean can_probe (RefractNetjackPage *self);

/* Why Restart can't be pressed, or NULL when it can. */
static const char *
restart_blocked (RefractNetjackPage *self)
{
  RefractNetjackConfig *c = self->config;

  if (!can_probe (self))
    return _("The host is not this computer: restart the bridge there");
  if ((c->restart_command == NULL || !*c->restart_command) && refract_netjack_restart_unit (c) == NULL)
    return _("JACK 2 has no standard service: set the restart command");
  return NULL;
}

static void
update_restart (RefractNetjackPage *self)
{
  const char *blocked = restart_blocked (self);

  gtk_widget_set_sensitive (self->restart_button, blocked == NULL && !self->restarting);
  gtk_widget_set_tooltip_text (self->restart_button, blocked);
}

static void
refresh (RefractNetjackPage *self)
{
  g_autofree char *restart = restart_description (self->config);
  g_autofree char *escaped = g_markup_escape_text (restart, -1);

  show_problems (self);
  update_estimates (self);
  update_changes (self);
  gtk_widget_set_sensitive (self->kbps_row, self->config->encoding == REFRACT_NETJACK_ENCODING_OPUS);
  /* the subtitle is markup; a command may hold < > & */
  adw_expander_row_set_subtitle (self->restart_row, escaped);
  update_restart (self);
}

static void
show_config (RefractNetjackPage *self)
{
  RefractNetjackConfig *c = self->config;

  self->updating = TRUE;
  gtk_switch_set_active (self->enabled_switch, c->enabled);
  adw_combo_row_set_selected (self->backend_row, c->backend);
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), c->address ? c->address : "");
  gtk_editable_set_text (GTK_EDITABLE (self->client_row), c->client_name ? c->client_name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->restart_command_row), c->restart_command ? c->restart_command : "");
  adw_combo_row_set_selected (self->rate_row, rate_index (self, c->sample_rate));
  adw_combo_row_set_selected (self->encoding_row, c->encoding);
  for (guint i = 0; i < self->spins->len; i++)
    {
      Spin *spin = &g_array_index (self->spins, Spin, i);
      gpointer field = G_STRUCT_MEMBER_P (c, spin->offset);

      gtk_spin_button_set_value (spin->spin, spin->is_signed ? *(int *) field : *(guint *) field);
    }
  self->updating = FALSE;
  refresh (self);
}

/* ---- editing ------------------------------------------------------------ */

static void
spin_changed (GtkSpinButton      *spin,
              RefractNetjackPage *self)
{
  if (self->updating || self->config == NULL)
    return;
  for (guint i = 0; i < self->spins->len; i++)
    {
      Spin *entry = &g_array_index (self->spins, Spin, i);
      gpointer field = G_STRUCT_MEMBER_P (self->config, entry->offset);

      if (entry->spin != spin)
        continue;
      if (entry->is_signed)
        *(int *) field = gtk_spin_button_get_value_as_int (spin);
      else
        *(guint *) field = MAX (gtk_spin_button_get_value_as_int (spin), 0);
    }
  refresh (self);
}

static void
combo_changed (RefractNetjackPage *self)
{
  guint rate = adw_combo_row_get_selected (self->rate_row);

  if (self->updating || self->config == NULL)
    return;
  self->config->enabled = gtk_switch_get_active (self->enabled_switch);
  self->config->backend = adw_combo_row_get_selected (self->backend_row);
  self->config->encoding = adw_combo_row_get_selected (self->encoding_row);
  if (rate < self->rates->len)
    self->config->sample_rate = g_array_index (self->rates, guint, rate);
  refresh (self);
}

static void
text_changed (RefractNetjackPage *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *client = gtk_editable_get_text (GTK_EDITABLE (self->client_row));
  const char *command = gtk_editable_get_text (GTK_EDITABLE (self->restart_command_row));

  if (self->updating || self->config == NULL)
    return;
  g_free (self->config->address);
  self->config->address = *address ? g_strdup (address) : NULL;
  g_free (self->config->client_name);
  self->config->client_name = *client ? g_strdup (client) : NULL;
  g_free (self->config->restart_command);
  self->config->restart_command = *command ? g_strdup (command) : NULL;
  refresh (self);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(RefractNetjackPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RefractNetjackConfig *copy = g_object_steal_data (G_OBJECT (self), "saving");

  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (!refract_netjack_config_save_finish (result, &error))
    {
      refract_netjack_config_free (copy);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        refract_window_error_for (GTK_WIDGET (self), error);
      if (self->config != NULL)
        update_changes (self);
      return;
    }
  if (self->saved != NULL)
    {
      refract_netjack_config_free (self->saved);
      self->saved = copy;
      update_changes (self);
    }
  else
    refract_netjack_config_free (copy);
  refract_window_toast_for (GTK_WIDGET (self), _("NETJACK settings saved"));
}

static void
save_clicked (RefractNetjackPage *self)
{
  RefractNetjackConfig *copy = refract_netjack_config_copy (self->config);

  gtk_widget_set_sensitive (self->save_button, FALSE);
  g_object_set_data_full (G_OBJECT (self), "saving", copy, (GDestroyNotify) refract_netjack_config_free);
  refract_netjack_config_save_async (copy, self->machine, self->cancellable, saved_cb, g_object_ref (self));
}

static void
revert_clicked (RefractNetjackPage *self)
{
  refract_netjack_config_free (self->config);
  self->config = refract_netjack_config_copy (self->saved);
  show_config (self);
}

/* ---- the host's side ---------------------------------------------------- */

static gboolean
can_probe (RefractNetjackPage *self)
{
  return self->probe_forced || self->local;
}

static const char *
tristate_text (RefractTristate value, const char *yes, const char *no)
{
  return value == REFRACT_TRISTATE_YES ? yes : value == REFRACT_TRISTATE_NO ? no : _("unknown");
}

static char *
describe_status (RefractNetjackStatus *status)
{
  g_autofree char *followers = status->followers && status->followers[0]
                               ? g_strjoinv (", ", status->followers) : NULL;
  const char *manager = tristate_text (status->manager, _("running"), _("not running"));
  const char *port = tristate_text (status->port_bound, _("open"), _("closed"));

  if (followers != NULL)
    /* Translators: manager: "running"; UDP port: "open"; connected machines */
    return g_strdup_printf (_("Manager %s (%s) · UDP port %s · connected: %s"), manager,
                            status->manager_kind ? status->manager_kind : _("unknown kind"), port, followers);
  return g_strdup_printf (_("Manager %s · UDP port %s · nothing connected"), manager, port);
}

static void
show_checked (RefractNetjackPage *self, GStrv lines)
{
  for (guint i = 0; i < self->checked_rows->len; i++)
    adw_expander_row_remove (self->status_row, g_ptr_array_index (self->checked_rows, i));
  g_ptr_array_set_size (self->checked_rows, 0);
  for (guint i = 0; lines && lines[i]; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lines[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_expander_row_add_row (self->status_row, row);
      g_ptr_array_add (self->checked_rows, row);
    }
  adw_expander_row_set_enable_expansion (self->status_row, self->checked_rows->len > 0);
}

static void
probed (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(RefractNetjackPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractNetjackStatus) status =
    refract_netjack_probe_run_finish (REFRACT_NETJACK_PROBE (object), result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->probing = FALSE;
  gtk_spinner_set_spinning (self->status_spinner, FALSE);
  gtk_widget_set_sensitive (self->refresh_button, TRUE);
  if (status == NULL)
    {
      adw_expander_row_set_subtitle (self->status_row, error->message);
      return;
    }
  text = describe_status (status);
  adw_expander_row_set_subtitle (self->status_row, text);
  show_checked (self, status->checked);
}

static void
run_probe (RefractNetjackPage *self)
{
  if (self->probing || self->config == NULL || !can_probe (self))
    return;
  if (self->probe == NULL)
    self->probe = refract_netjack_probe_new ("/");
  self->probing = TRUE;
  gtk_spinner_set_spinning (self->status_spinner, TRUE);
  gtk_widget_set_sensitive (self->refresh_button, FALSE);
  refract_netjack_probe_run_async (self->probe, self->config, self->cancellable, probed, g_object_ref (self));
}

static gboolean
probe_tick (gpointer user_data)
{
  run_probe (user_data);
  return G_SOURCE_CONTINUE;
}

static void
start_probing (RefractNetjackPage *self)
{
  gboolean can = can_probe (self);

  gtk_widget_set_visible (self->refresh_button, can);
  update_restart (self);
  if (!can)
    {
      adw_expander_row_set_subtitle (self->status_row,
                                     _("Not checked: the host is not this computer"));
      show_checked (self, NULL);
      return;
    }
  run_probe (self);
  if (self->probe_timer == 0)
    self->probe_timer = g_timeout_add_seconds (PROBE_INTERVAL_SECONDS, probe_tick, self);
}

static void
stop_probing (RefractNetjackPage *self)
{
  g_clear_handle_id (&self->probe_timer, g_source_remove);
}

static void
restarted (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RefractNetjackPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = refract_netjack_restart_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->restarting = FALSE;
  update_restart (self);
  gtk_label_set_label (self->restart_output, output ? (*output ? output : _("Done, no output"))
                                                    : error->message);
  adw_expander_row_set_expanded (self->restart_row, TRUE);
  refract_window_toast_for (GTK_WIDGET (self), output ? _("NETJACK bridge restarted") : _("The NETJACK bridge did not restart"));
  run_probe (self);
}

static void
restart_clicked (RefractNetjackPage *self)
{
  self->restarting = TRUE;
  gtk_widget_set_sensitive (self->restart_button, FALSE);
  gtk_label_set_label (self->restart_output, _("Restarting…"));
  refract_netjack_restart_async (self->config, self->cancellable, restarted, g_object_ref (self));
}

/* ---- loading ------------------------------------------------------------ */

static void
loaded (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(RefractNetjackPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractDspConfig) domain = refract_dsp_config_load_finish (result, &error);
  RefractNetjackConfig *config;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (domain == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  /* From the whole definition, as refract-dsp does: libvirt hands the
   * <metadata> element back without its namespace, which
   * refract_netjack_config_load_async() does not take. */
  config = refract_netjack_config_from_domain_xml (refract_dsp_config_get_original_xml (domain));
  if (config == NULL)
    config = refract_netjack_config_new ();
  self->config = config;
  self->saved = refract_netjack_config_copy (config);
  show_config (self);
  gtk_stack_set_visible_child_name (self->stack, "content");
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_probing (self);
}

static void
load (RefractNetjackPage *self)
{
  /* edits left here when the page went to another machine come back as they were */
  NetjackDraft *draft = refract_drafts_take (self->machine, "netjack");

  if (draft != NULL)
    {
      self->config = g_steal_pointer (&draft->config);
      self->saved = g_steal_pointer (&draft->saved);
      netjack_draft_free (draft);
      show_config (self);
      gtk_stack_set_visible_child_name (self->stack, "content");
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        start_probing (self);
      return;
    }
  self->loading = TRUE;
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  refract_dsp_config_load_async (self->machine, FALSE, self->cancellable, loaded, g_object_ref (self));
}

static void
reset (RefractNetjackPage *self)
{
  stop_probing (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = FALSE;
  self->probing = FALSE;
  self->restarting = FALSE;
  gtk_spinner_set_spinning (self->status_spinner, FALSE);
  g_clear_pointer (&self->config, refract_netjack_config_free);
  g_clear_pointer (&self->saved, refract_netjack_config_free);
  set_modified (self, FALSE);
}

/* Keeps the edits of the machine the page leaves (refract-drafts.h). */
static void
keep_draft (RefractNetjackPage *self)
{
  NetjackDraft *draft;

  if (self->machine == NULL || self->config == NULL || !self->modified)
    return;
  draft = g_new0 (NetjackDraft, 1);
  draft->config = g_steal_pointer (&self->config);
  draft->saved = g_steal_pointer (&self->saved);
  refract_drafts_put (self->machine, "netjack", draft, netjack_draft_free);
}

static void
refract_netjack_page_map (GtkWidget *widget)
{
  RefractNetjackPage *self = REFRACT_NETJACK_PAGE (widget);

  GTK_WIDGET_CLASS (refract_netjack_page_parent_class)->map (widget);
  if (self->machine == NULL)
    return;
  if (self->config == NULL && !self->loading)
    load (self);
  else if (self->config != NULL)
    start_probing (self);
}

static void
refract_netjack_page_unmap (GtkWidget *widget)
{
  stop_probing (REFRACT_NETJACK_PAGE (widget));
  GTK_WIDGET_CLASS (refract_netjack_page_parent_class)->unmap (widget);
}

void
refract_netjack_page_set_machine (RefractNetjackPage *self,
                                  RefractMachine     *machine)
{
  g_return_if_fail (REFRACT_IS_NETJACK_PAGE (self));

  if (self->machine == machine)
    return;
  keep_draft (self);
  reset (self);
  g_set_object (&self->machine, machine);
  self->local = FALSE;
  if (machine != NULL)
    {
      const char *uri = refract_connection_get_uri (refract_machine_get_connection (machine));

      self->local = refract_uri_is_local (uri) && !refract_uri_is_test (uri);
    }
  gtk_stack_set_visible_child_name (self->stack, "loading");
  if (machine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    load (self);
}

RefractMachine *
refract_netjack_page_get_machine (RefractNetjackPage *self)
{
  g_return_val_if_fail (REFRACT_IS_NETJACK_PAGE (self), NULL);
  return self->machine;
}

gboolean
refract_netjack_page_get_loaded (RefractNetjackPage *self)
{
  g_return_val_if_fail (REFRACT_IS_NETJACK_PAGE (self), FALSE);
  return self->config != NULL;
}

gboolean
refract_netjack_page_get_modified (RefractNetjackPage *self)
{
  g_return_val_if_fail (REFRACT_IS_NETJACK_PAGE (self), FALSE);
  return self->modified;
}

void
refract_netjack_page_discard_changes (RefractNetjackPage *self)
{
  g_return_if_fail (REFRACT_IS_NETJACK_PAGE (self));
  if (self->modified && self->saved != NULL)
    revert_clicked (self);
}

static void
refract_netjack_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  RefractNetjackPage *self = REFRACT_NETJACK_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
_refract_netjack_page_set_probe (RefractNetjackPage  *self,
                                 RefractNetjackProbe *probe)
{
  g_return_if_fail (REFRACT_IS_NETJACK_PAGE (self));

  g_set_object (&self->probe, probe);
  self->probe_forced = probe != NULL;
  if (self->config != NULL)
    update_restart (self);
}

static void
refract_netjack_page_dispose (GObject *object)
{
  RefractNetjackPage *self = REFRACT_NETJACK_PAGE (object);

  if (self->cancellable != NULL)
    reset (self);
  g_clear_object (&self->machine);
  g_clear_object (&self->probe);
  /* the stack is the bin's child and a template child: AdwBin must let go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_NETJACK_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->slots, g_array_unref);
  g_clear_pointer (&self->spins, g_array_unref);
  g_clear_pointer (&self->rates, g_array_unref);
  g_clear_pointer (&self->checked_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (refract_netjack_page_parent_class)->dispose (object);
}

static void
refract_netjack_page_class_init (RefractNetjackPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_netjack_page_dispose;
  object_class->get_property = refract_netjack_page_get_property;
  widget_class->map = refract_netjack_page_map;
  widget_class->unmap = refract_netjack_page_unmap;

  /* edits that are not saved yet */
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-netjack-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, RefractNetjackPage, name)
  BIND (stack);
  BIND (spinner);
  BIND (error_page);
  BIND (link_group);
  BIND (audio_group);
  BIND (enabled_switch);
  BIND (backend_row);
  BIND (address_row);
  BIND (client_row);
  BIND (restart_command_row);
  BIND (rate_row);
  BIND (latency_row);
  BIND (bandwidth_row);
  BIND (status_row);
  BIND (status_spinner);
  BIND (refresh_button);
  BIND (restart_row);
  BIND (restart_button);
  BIND (restart_output);
  BIND (host_snippet);
  BIND (guest_snippet);
  BIND (host_copy);
  BIND (guest_copy);
  BIND (changes_label);
  BIND (save_button);
  BIND (revert_button);
#undef BIND
}

static void
refract_netjack_page_init (RefractNetjackPage *self)
{
  g_autoptr(GtkStringList) rates = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  self->spins = g_array_new (FALSE, FALSE, sizeof (Spin));
  self->rates = g_array_new (FALSE, FALSE, sizeof (guint));
  self->checked_rows = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (standard_rates); i++)
    {
      g_autofree char *name = g_strdup_printf (_("%u Hz"), standard_rates[i]);

      gtk_string_list_append (rates, name);
      g_array_append_val (self->rates, standard_rates[i]);
    }
  adw_combo_row_set_model (self->rate_row, G_LIST_MODEL (rates));
  build_rows (self);

  g_signal_connect_swapped (self->enabled_switch, "notify::active", G_CALLBACK (combo_changed), self);
  g_signal_connect_swapped (self->backend_row, "notify::selected", G_CALLBACK (combo_changed), self);
  g_signal_connect_swapped (self->rate_row, "notify::selected", G_CALLBACK (combo_changed), self);
  g_signal_connect_swapped (self->encoding_row, "notify::selected", G_CALLBACK (combo_changed), self);
  g_signal_connect_swapped (self->address_row, "changed", G_CALLBACK (text_changed), self);
  g_signal_connect_swapped (self->client_row, "changed", G_CALLBACK (text_changed), self);
  g_signal_connect_swapped (self->restart_command_row, "changed", G_CALLBACK (text_changed), self);
  g_signal_connect_swapped (self->refresh_button, "clicked", G_CALLBACK (run_probe), self);
  g_signal_connect_swapped (self->restart_button, "clicked", G_CALLBACK (restart_clicked), self);
  g_signal_connect_swapped (self->host_copy, "clicked", G_CALLBACK (host_copy_clicked), self);
  g_signal_connect_swapped (self->guest_copy, "clicked", G_CALLBACK (guest_copy_clicked), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked), self);
  g_signal_connect_swapped (self->revert_button, "clicked", G_CALLBACK (revert_clicked), self);
}
