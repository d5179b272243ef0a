/* refract-new-machine-dialog.c: the new-machine wizard
 *
 * Source → Operating System → Resources → Storage → Network and Display →
 * Summary (→ Customize) → Creating. Every page writes into one
 * RefractMachineSpec as the user changes a control, and the spec's own
 * validation decides what each row says and whether Next is sensitive: the
 * wizard has no rules of its own beyond "pick a source first".
 *
 * Only the first page is in the window's template: the others are in
 * refract-new-machine-pages.ui and each is built the first time it is shown
 * (ensure_page), so opening the wizard neither builds nor measures them.
 * Until then their widgets are NULL, and whatever fills or reads a page
 * checks self->built[] first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-machine-creator.h"
#include "refract-model.h"
#include "refract-new-machine-dialog-private.h"
#include "refract-os.h"
#include "refract-presets.h"
#include "refract-storage.h"
#include "refract-window.h"

typedef enum
{
  PAGE_SOURCE,
  PAGE_OS,
  PAGE_RESOURCES,
  PAGE_STORAGE,
  PAGE_NETWORK,
  PAGE_SUMMARY,
  PAGE_CUSTOMIZE,
  PAGE_PROGRESS,
  N_PAGES
} Page;

#define N_STEPS (PAGE_SUMMARY + 1)

static const char * const page_names[N_PAGES] = {
  "source", "os", "resources", "storage", "network", "summary", "customize", "progress"
};

typedef enum
{
  CHOICE_NONE,
  CHOICE_PRESET,
  CHOICE_MEDIA,
  CHOICE_IMPORT,
  CHOICE_PXE,
} SourceChoice;

typedef enum
{
  DETECT_NONE,
  DETECT_RUNNING,
  DETECT_FOUND,
  DETECT_UNKNOWN,
  DETECT_FAILED,
} DetectState;

/* Where a problem of one field shows: a row that says it underneath. */
typedef struct
{
  RefractSpecField  field;
  Page              page;
  GtkWidget        *row;        /* gets the "error" style, or NULL */
  GtkWidget        *error_row;  /* the row with the message, below */
  GtkLabel         *error_label;
} FieldSlot;

#define MAX_SLOTS 40

struct _RefractNewMachineDialog
{
  AdwWindow           parent_instance;

  RefractApplication *app;
  RefractConnection  *connection;
  GPtrArray          *connections;     /* the connected ones, for the chooser */
  RefractHostCaps    *caps;
  GError             *caps_error;
  GCancellable       *cancellable;     /* everything but the creation */
  GCancellable       *create_cancellable;
  GtkNativeDialog    *chooser;

  RefractMachineSpec *spec;
  GPtrArray          *problems;
  char               *forwards_error;  /* the port forwards do not parse */
  SourceChoice        choice;
  char               *preset_id;
  RefractOsInfo      *os_info;
  GPtrArray          *pools;           /* RefractPoolInfo* */
  gboolean            pool_busy;
  gboolean            pools_set;       /* the pools were read (self->pools may be NULL) */
  GPtrArray          *summary_rows;

  DetectState         detect_state;
  char               *detect_message;
  char               *detected_path;
  GCancellable       *detect_cancellable;
  guint               detect_timeout;

  gboolean            loading;         /* widgets being set from the spec */
  gboolean            name_edited;
  gboolean            creating;
  gboolean            close_when_done;
  gboolean            failed;

  FieldSlot           slots[MAX_SLOTS];
  guint               n_slots;

  gboolean            built[N_PAGES];  /* the page's widgets exist */
  gboolean            detection_shown; /* show_detection() ran */
  gboolean            prebuild_started;
  guint               prebuild_idle;
  GtkWidget          *bins[N_PAGES];   /* where each page goes (not the source's) */

  /* template */
  AdwWindowTitle     *window_title;
  GtkWidget          *cancel_button;
  GtkWidget          *back_button;
  GtkButton          *next_button;
  GtkStack           *stack;
  GtkRevealer        *problem_revealer;
  GtkWidget          *problem_icon;
  GtkSpinner         *problem_spinner;
  GtkLabel           *problem_label;

  GtkWidget          *connection_group;
  AdwComboRow        *connection_row;
  GtkFlowBox         *preset_box;
  GtkWidget          *iso_row;
  GtkCheckButton     *iso_check;
  GtkCheckButton     *import_check;
  GtkCheckButton     *pxe_check;
  GtkWidget          *files_group;
  GtkWidget          *media_row;
  GtkWidget          *media_button;
  GtkWidget          *image_row;
  GtkWidget          *image_button;

  GtkWidget          *detect_group;
  AdwActionRow       *detect_row;
  GtkSpinner         *detect_spinner;
  GtkSearchEntry     *os_search;
  GtkListBox         *os_list;

  AdwActionRow       *vcpus_row;
  GtkSpinButton      *vcpus_spin;
  AdwActionRow       *memory_row;
  GtkSpinButton      *memory_spin;
  GtkWidget          *bios_row;
  GtkCheckButton     *bios_check;
  GtkWidget          *uefi_row;
  GtkCheckButton     *uefi_check;
  GtkWidget          *secure_row;
  GtkCheckButton     *secure_check;

  GtkWidget          *pool_missing_group;
  AdwActionRow       *pool_missing_row;
  GtkWidget          *create_pool_button;
  GtkWidget          *new_disk_group;
  GtkCheckButton     *new_disk_check;
  AdwActionRow       *size_row;
  GtkSpinButton      *size_spin;
  GtkCheckButton     *no_disk_check;
  GtkWidget          *import_group;
  GtkCheckButton     *in_place_check;
  GtkCheckButton     *copy_check;
  GtkCheckButton     *convert_check;
  AdwActionRow       *convert_row;
  AdwComboRow        *pool_row;
  AdwComboRow        *bus_row;

  GtkWidget          *nat_row;
  GtkCheckButton     *nat_check;
  AdwComboRow        *network_name_row;
  GtkWidget          *bridge_row;
  GtkCheckButton     *bridge_check;
  AdwComboRow        *bridge_name_row;
  GtkWidget          *user_row;
  GtkCheckButton     *user_check;
  GtkWidget          *forwards_row;
  GtkCheckButton     *no_network_check;
  GtkWidget          *spice_qxl_row;
  GtkCheckButton     *spice_qxl_check;
  GtkWidget          *spice_gl_row;
  GtkCheckButton     *spice_gl_check;
  GtkWidget          *vnc_row;
  GtkCheckButton     *vnc_check;
  GtkWidget          *serial_row;
  GtkCheckButton     *serial_check;
  AdwExpanderRow     *remote_row;
  GtkWidget          *listen_row;
  GtkWidget          *password_row;
  GtkWidget          *sound_row;
  GtkSwitch          *sound_switch;
  GtkWidget          *tpm_row;
  GtkSwitch          *tpm_switch;
  GtkWidget          *usb_row;
  GtkSpinButton      *usb_spin;
  GtkSwitch          *agent_switch;
  AdwExpanderRow     *share_row;
  GtkWidget          *share_path_row;
  GtkWidget          *share_button;
  GtkWidget          *share_tag_row;
  AdwComboRow        *share_kind_row;
  GtkWidget          *autostart_row;
  GtkSwitch          *autostart_switch;

  GtkWidget          *name_row;
  GtkWidget          *title_row;
  AdwPreferencesGroup *summary_group;
  GtkSwitch          *customize_switch;
  GtkSwitch          *start_switch;

  GtkWidget          *c_name_row;
  GtkWidget          *c_vcpus_row;
  GtkSpinButton      *c_vcpus_spin;
  GtkWidget          *c_memory_row;
  GtkSpinButton      *c_memory_spin;
  AdwComboRow        *c_firmware_row;
  AdwComboRow        *c_bus_row;
  AdwComboRow        *c_nic_row;
  AdwComboRow        *c_display_row;
  GtkWidget          *c_sound_row;
  GtkSwitch          *c_sound_switch;
  GtkWidget          *c_tpm_row;
  GtkSwitch          *c_tpm_switch;
  GtkWidget          *c_usb_row;
  GtkSpinButton      *c_usb_spin;
  GtkTextView        *xml_view;

  AdwStatusPage      *progress_status;
  GtkProgressBar     *progress_bar;
  GtkLabel           *progress_label;
  GtkWidget          *progress_cancel;
  GtkWidget          *progress_back;
};

G_DEFINE_FINAL_TYPE (RefractNewMachineDialog, refract_new_machine_dialog, ADW_TYPE_WINDOW)

static void revalidate (RefractNewMachineDialog *self);
static void load_from_spec (RefractNewMachineDialog *self);
static void ensure_page (RefractNewMachineDialog *self,
                         Page                     page);

/* Which page each field of the spec is set on. */
static Page
page_of_field (RefractSpecField field)
{
  switch (field)
    {
    case REFRACT_SPEC_FIELD_SOURCE:
    case REFRACT_SPEC_FIELD_MEDIA:
    case REFRACT_SPEC_FIELD_DRIVERS:
    case REFRACT_SPEC_FIELD_IMAGE:
      return PAGE_SOURCE;
    case REFRACT_SPEC_FIELD_OS:
      return PAGE_OS;
    case REFRACT_SPEC_FIELD_FIRMWARE:
    case REFRACT_SPEC_FIELD_VCPUS:
    case REFRACT_SPEC_FIELD_MEMORY:
      return PAGE_RESOURCES;
    case REFRACT_SPEC_FIELD_DISK:
    case REFRACT_SPEC_FIELD_POOL:
    case REFRACT_SPEC_FIELD_DISK_BUS:
      return PAGE_STORAGE;
    case REFRACT_SPEC_FIELD_NAME:
    case REFRACT_SPEC_FIELD_TITLE:
      return PAGE_SUMMARY;
    case REFRACT_SPEC_FIELD_NETWORK:
    case REFRACT_SPEC_FIELD_BRIDGE:
    case REFRACT_SPEC_FIELD_PORT_FORWARDS:
    case REFRACT_SPEC_FIELD_DISPLAY:
    case REFRACT_SPEC_FIELD_LISTEN:
    case REFRACT_SPEC_FIELD_PASSWORD:
    case REFRACT_SPEC_FIELD_SOUND:
    case REFRACT_SPEC_FIELD_TPM:
    case REFRACT_SPEC_FIELD_SHARE:
    case REFRACT_SPEC_FIELD_USB:
    case REFRACT_SPEC_FIELD_AUTOSTART:
    default:
      return PAGE_NETWORK;
    }
}

static Page
current_page (RefractNewMachineDialog *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < N_PAGES; i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return i;
  return PAGE_SOURCE;
}

static void
show_page (RefractNewMachineDialog *self,
           Page                     page)
{
  ensure_page (self, page);
  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
}

/* ---- small helpers -------------------------------------------------------- */

static const char *
entry_text (GtkWidget *editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

static void
set_entry_text (GtkWidget  *editable,
                const char *text)
{
  if (g_strcmp0 (entry_text (editable), text ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (editable), text ? text : "");
}

/* NULL for an empty or blank entry. */
static char *
dup_entry_text (GtkWidget *editable)
{
  g_autofree char *text = g_strstrip (g_strdup (entry_text (editable)));

  return *text ? g_steal_pointer (&text) : NULL;
}

/* "512 MiB", "4 GiB", "1.5 GiB": what people type into the memory field */
static char *
format_mib (guint64 mib)
{
  if (mib < 1024)
    return g_strdup_printf (_("%u MiB"), (guint) mib);
  if (mib % 1024 == 0)
    return g_strdup_printf (_("%u GiB"), (guint) (mib / 1024));
  return g_format_size_full (mib * 1024 * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

static char *
format_bytes (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static void
set_string_model (AdwComboRow        *row,
                  const char * const *items)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new ((const char * const *) items);

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

static guint
string_model_find (AdwComboRow *row,
                   const char  *item)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), item) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static const char *
string_model_selected (AdwComboRow *row)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint selected = adw_combo_row_get_selected (row);

  if (model == NULL || selected == GTK_INVALID_LIST_POSITION || selected >= g_list_model_get_n_items (model))
    return NULL;
  return gtk_string_list_get_string (GTK_STRING_LIST (model), selected);
}

static char **
existing_names (RefractNewMachineDialog *self)
{
  GListModel *machines = G_LIST_MODEL (refract_connection_get_machines (self->connection));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (machines, i);

      g_strv_builder_add (builder, refract_machine_get_name (machine));
    }
  return g_strv_builder_end (builder);
}

static RefractPoolInfo *
find_pool (RefractNewMachineDialog *self,
           const char              *name)
{
  for (guint i = 0; self->pools != NULL && i < self->pools->len; i++)
    {
      RefractPoolInfo *pool = g_ptr_array_index (self->pools, i);

      if (g_strcmp0 (pool->name, name) == 0)
        return pool;
    }
  return NULL;
}

static gboolean
needs_pool (const RefractMachineSpec *spec)
{
  return spec->disk_mode == REFRACT_DISK_NEW
         || (spec->disk_mode == REFRACT_DISK_EXISTING && spec->import_mode != REFRACT_IMPORT_IN_PLACE);
}

static gboolean
has_feature (RefractNewMachineDialog *self,
             RefractHostFeature       feature)
{
  return self->caps == NULL || refract_host_caps_has (self->caps, feature);
}

/* Makes @row insensitive with the host's reason as subtitle and tooltip when
 * the host lacks every one of @features (-1 ends the list), and gives it its
 * own subtitle back when not. */
static void
offer_if_available (RefractNewMachineDialog *self,
                    GtkWidget               *row,
                    RefractHostFeature       feature,
                    RefractHostFeature       also)
{
  const char *own = g_object_get_data (G_OBJECT (row), "refract-subtitle");
  const char *reason = NULL;

  if (!has_feature (self, feature))
    reason = refract_host_caps_get_reason (self->caps, feature);
  else if ((int) also >= 0 && !has_feature (self, also))
    reason = refract_host_caps_get_reason (self->caps, also);
  if (reason == NULL && !(has_feature (self, feature) && ((int) also < 0 || has_feature (self, also))))
    reason = _("This host cannot offer it");

  gtk_widget_set_sensitive (row, reason == NULL);
  gtk_widget_set_tooltip_text (row, reason);
  if (ADW_IS_ACTION_ROW (row))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reason ? reason : own ? own : "");
  else if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), reason ? reason : own ? own : "");
}

/* ---- inline validation ---------------------------------------------------- */

static void
add_slot (RefractNewMachineDialog *self,
          RefractSpecField         field,
          Page                     page,
          GtkWidget               *row,
          GtkWidget               *anchor)
{
  FieldSlot *slot;
  GtkWidget *label;
  GtkWidget *listbox = gtk_widget_get_parent (anchor);

  g_assert (self->n_slots < MAX_SLOTS);
  g_assert (GTK_IS_LIST_BOX (listbox));

  slot = &self->slots[self->n_slots++];
  slot->field = field;
  slot->page = page;
  slot->row = row;

  label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_widget_add_css_class (label, "error");
  slot->error_label = GTK_LABEL (label);

  /* a row of the boxed list, right under the field's own */
  slot->error_row = g_object_new (ADW_TYPE_PREFERENCES_ROW,
                                  "activatable", FALSE,
                                  "selectable", FALSE,
                                  "focusable", FALSE,
                                  "visible", FALSE,
                                  "child", label,
                                  NULL);
  gtk_widget_add_css_class (slot->error_row, "refract-field-error");
  gtk_list_box_insert (GTK_LIST_BOX (listbox), slot->error_row,
                       gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (anchor)) + 1);
  if (row != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                    GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, label,
                                    -1);
}

static void
setup_slots (RefractNewMachineDialog *self,
             Page                     page)
{
  switch (page)
    {
    case PAGE_SOURCE:
      add_slot (self, REFRACT_SPEC_FIELD_SOURCE, PAGE_SOURCE, NULL,
                gtk_widget_get_ancestor (GTK_WIDGET (self->pxe_check), GTK_TYPE_LIST_BOX_ROW));
      add_slot (self, REFRACT_SPEC_FIELD_MEDIA, PAGE_SOURCE, self->media_row, self->media_row);
      add_slot (self, REFRACT_SPEC_FIELD_DRIVERS, PAGE_SOURCE, NULL, self->media_row);
      add_slot (self, REFRACT_SPEC_FIELD_IMAGE, PAGE_SOURCE, self->image_row, self->image_row);
      break;
    case PAGE_OS:
      add_slot (self, REFRACT_SPEC_FIELD_OS, PAGE_OS, NULL, GTK_WIDGET (self->detect_row));
      break;
    case PAGE_RESOURCES:
      add_slot (self, REFRACT_SPEC_FIELD_VCPUS, PAGE_RESOURCES, GTK_WIDGET (self->vcpus_row), GTK_WIDGET (self->vcpus_row));
      add_slot (self, REFRACT_SPEC_FIELD_MEMORY, PAGE_RESOURCES, GTK_WIDGET (self->memory_row), GTK_WIDGET (self->memory_row));
      add_slot (self, REFRACT_SPEC_FIELD_FIRMWARE, PAGE_RESOURCES, NULL, self->secure_row);
      break;
    case PAGE_STORAGE:
      add_slot (self, REFRACT_SPEC_FIELD_DISK, PAGE_STORAGE, GTK_WIDGET (self->size_row), GTK_WIDGET (self->size_row));
      add_slot (self, REFRACT_SPEC_FIELD_POOL, PAGE_STORAGE, GTK_WIDGET (self->pool_row), GTK_WIDGET (self->pool_row));
      add_slot (self, REFRACT_SPEC_FIELD_DISK_BUS, PAGE_STORAGE, GTK_WIDGET (self->bus_row), GTK_WIDGET (self->bus_row));
      break;
    case PAGE_NETWORK:
      add_slot (self, REFRACT_SPEC_FIELD_NETWORK, PAGE_NETWORK, GTK_WIDGET (self->network_name_row), GTK_WIDGET (self->network_name_row));
      add_slot (self, REFRACT_SPEC_FIELD_BRIDGE, PAGE_NETWORK, GTK_WIDGET (self->bridge_name_row), GTK_WIDGET (self->bridge_name_row));
      add_slot (self, REFRACT_SPEC_FIELD_PORT_FORWARDS, PAGE_NETWORK, self->forwards_row, self->forwards_row);
      add_slot (self, REFRACT_SPEC_FIELD_DISPLAY, PAGE_NETWORK, NULL, self->serial_row);
      add_slot (self, REFRACT_SPEC_FIELD_LISTEN, PAGE_NETWORK, self->listen_row, self->listen_row);
      add_slot (self, REFRACT_SPEC_FIELD_PASSWORD, PAGE_NETWORK, self->password_row, self->password_row);
      add_slot (self, REFRACT_SPEC_FIELD_SOUND, PAGE_NETWORK, self->sound_row, self->sound_row);
      add_slot (self, REFRACT_SPEC_FIELD_TPM, PAGE_NETWORK, self->tpm_row, self->tpm_row);
      add_slot (self, REFRACT_SPEC_FIELD_USB, PAGE_NETWORK, self->usb_row, self->usb_row);
      add_slot (self, REFRACT_SPEC_FIELD_SHARE, PAGE_NETWORK, GTK_WIDGET (self->share_row), GTK_WIDGET (self->share_kind_row));
      add_slot (self, REFRACT_SPEC_FIELD_AUTOSTART, PAGE_NETWORK, self->autostart_row, self->autostart_row);
      break;
    case PAGE_SUMMARY:
      add_slot (self, REFRACT_SPEC_FIELD_NAME, PAGE_SUMMARY, self->name_row, self->name_row);
      add_slot (self, REFRACT_SPEC_FIELD_TITLE, PAGE_SUMMARY, self->title_row, self->title_row);
      break;
    case PAGE_CUSTOMIZE:
      add_slot (self, REFRACT_SPEC_FIELD_NAME, PAGE_CUSTOMIZE, self->c_name_row, self->c_name_row);
      add_slot (self, REFRACT_SPEC_FIELD_VCPUS, PAGE_CUSTOMIZE, self->c_vcpus_row, self->c_vcpus_row);
      add_slot (self, REFRACT_SPEC_FIELD_MEMORY, PAGE_CUSTOMIZE, self->c_memory_row, self->c_memory_row);
      add_slot (self, REFRACT_SPEC_FIELD_FIRMWARE, PAGE_CUSTOMIZE, GTK_WIDGET (self->c_firmware_row), GTK_WIDGET (self->c_firmware_row));
      add_slot (self, REFRACT_SPEC_FIELD_DISK_BUS, PAGE_CUSTOMIZE, GTK_WIDGET (self->c_bus_row), GTK_WIDGET (self->c_bus_row));
      add_slot (self, REFRACT_SPEC_FIELD_DISPLAY, PAGE_CUSTOMIZE, GTK_WIDGET (self->c_display_row), GTK_WIDGET (self->c_display_row));
      add_slot (self, REFRACT_SPEC_FIELD_SOUND, PAGE_CUSTOMIZE, self->c_sound_row, self->c_sound_row);
      add_slot (self, REFRACT_SPEC_FIELD_TPM, PAGE_CUSTOMIZE, self->c_tpm_row, self->c_tpm_row);
      add_slot (self, REFRACT_SPEC_FIELD_USB, PAGE_CUSTOMIZE, self->c_usb_row, self->c_usb_row);
      break;
    case PAGE_PROGRESS:
    case N_PAGES:
    default:
      break;
    }
}

/* The first message about @field, or NULL. */
static const char *
problem_for_field (RefractNewMachineDialog *self,
                   RefractSpecField         field)
{
  if (field == REFRACT_SPEC_FIELD_PORT_FORWARDS && self->forwards_error != NULL
      && self->spec->network == REFRACT_NETWORK_USER)
    return self->forwards_error;
  for (guint i = 0; self->problems != NULL && i < self->problems->len; i++)
    {
      RefractSpecProblem *problem = g_ptr_array_index (self->problems, i);

      if (problem->field == field)
        return problem->message;
    }
  return NULL;
}

static void
show_field_errors (RefractNewMachineDialog *self)
{
  for (guint i = 0; i < self->n_slots; i++)
    {
      FieldSlot *slot = &self->slots[i];
      const char *message = problem_for_field (self, slot->field);

      gtk_label_set_label (slot->error_label, message ? message : "");
      gtk_widget_set_visible (slot->error_row, message != NULL);
      if (slot->row == NULL)
        continue;
      if (message != NULL)
        gtk_widget_add_css_class (slot->row, "error");
      else
        gtk_widget_remove_css_class (slot->row, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (slot->row), GTK_ACCESSIBLE_STATE_INVALID,
                                   message ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
}

/* Why the page @page cannot be left forward, or NULL. */
static const char *
page_problem (RefractNewMachineDialog *self,
              Page                     page)
{
  if (page == PAGE_SOURCE && self->choice == CHOICE_NONE)
    return _("Choose a preset or how to install the system.");
  if (self->caps == NULL && self->caps_error == NULL)
    return _("Reading what this host can do…");
  /* validation cannot know a pool that is not there yet; the creator would fail */
  if ((page == PAGE_STORAGE || page == PAGE_CUSTOMIZE) && needs_pool (self->spec)
      && self->pools != NULL && find_pool (self, self->spec->pool) == NULL)
    return self->pool_busy ? _("Creating the storage pool…")
                           : _("Create the storage pool for the disk, or choose “No Disk”.");
  for (RefractSpecField field = 0; field <= REFRACT_SPEC_FIELD_AUTOSTART; field++)
    {
      const char *message;

      if (page != PAGE_CUSTOMIZE && page_of_field (field) != page)
        continue;
      if ((message = problem_for_field (self, field)) != NULL)
        return message;
    }
  return NULL;
}

static void
update_navigation (RefractNewMachineDialog *self)
{
  Page page = current_page (self);
  const char *problem = NULL;
  g_autofree char *subtitle = NULL;
  const char *next_label = _("_Next");
  gboolean loading = self->caps == NULL && self->caps_error == NULL;

  if (page < N_STEPS || page == PAGE_CUSTOMIZE)
    problem = page_problem (self, page);
  if (problem == NULL && self->caps_error != NULL && page == PAGE_SOURCE)
    problem = self->caps_error->message;

  if (page == PAGE_SUMMARY)
    next_label = gtk_switch_get_active (self->customize_switch) ? _("C_ustomize") : _("C_reate");
  gtk_button_set_label (self->next_button, next_label);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next",
                                 page != PAGE_PROGRESS && problem == NULL && !self->pool_busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back",
                                 (page > PAGE_SOURCE && page != PAGE_PROGRESS) || (page == PAGE_PROGRESS && self->failed));
  gtk_widget_set_visible (self->back_button, page > PAGE_SOURCE && page != PAGE_PROGRESS);
  /* the customize page has its own "Begin Installation" at the bottom */
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), page != PAGE_PROGRESS && page != PAGE_CUSTOMIZE);
  gtk_widget_set_visible (self->cancel_button, !self->creating);
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), page == PAGE_PROGRESS ? _("_Close") : _("_Cancel"));

  gtk_label_set_label (self->problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_spinner), loading && page == PAGE_SOURCE && problem != NULL
                                                              && self->choice != CHOICE_NONE);
  gtk_spinner_set_spinning (self->problem_spinner, gtk_widget_get_visible (GTK_WIDGET (self->problem_spinner)));
  gtk_widget_set_visible (self->problem_icon, !gtk_widget_get_visible (GTK_WIDGET (self->problem_spinner)));
  gtk_revealer_set_reveal_child (self->problem_revealer, problem != NULL);

  adw_window_title_set_title (self->window_title,
                              gtk_stack_page_get_title (gtk_stack_get_page (self->stack,
                                                                            gtk_stack_get_visible_child (self->stack))));
  if (page < N_STEPS)
    subtitle = g_strdup_printf (_("Step %u of %u"), page + 1, N_STEPS);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
revalidate (RefractNewMachineDialog *self)
{
  g_auto(GStrv) names = existing_names (self);
  RefractPoolInfo *pool = needs_pool (self->spec) ? find_pool (self, self->spec->pool) : NULL;
  RefractSpecContext context = {
    .existing_names = (const char * const *) names,
    .pool_available = pool ? pool->available : -1,
  };

  g_clear_pointer (&self->problems, g_ptr_array_unref);
  self->problems = refract_machine_spec_validate (self->spec, self->caps, &context);
  show_field_errors (self);
  update_navigation (self);
}

/* ---- the source ----------------------------------------------------------- */

static void
default_name (RefractNewMachineDialog *self)
{
  g_auto(GStrv) names = NULL;
  g_autofree char *name = NULL;
  const char *base;

  if (self->name_edited)
    return;
  names = existing_names (self);
  if (self->choice != CHOICE_PRESET && self->os_info != NULL && self->os_info->short_id != NULL)
    base = self->os_info->short_id;
  else if (self->spec->name != NULL && *self->spec->name)
    base = self->spec->name;
  else
    base = "new-machine";
  name = refract_machine_spec_unique_name (base, (const char * const *) names);
  refract_machine_spec_set_string (&self->spec->name, name);
}

static void
set_os_info (RefractNewMachineDialog *self,
             const char              *os_id)
{
  g_clear_pointer (&self->os_info, refract_os_info_free);
  if (os_id != NULL)
    self->os_info = refract_os_info_lookup (os_id);
}

/* The good defaults for an OS the user picked or the medium holds. */
static void
apply_os (RefractNewMachineDialog *self,
          const char              *os_id)
{
  RefractMachineSpec *spec = self->spec;
  guint64 host_memory = self->caps ? refract_host_caps_get_host_memory_mib (self->caps) : 0;
  guint host_cpus = self->caps ? refract_host_caps_get_host_cpus (self->caps) : 0;
  const RefractOsInfo *os;

  refract_machine_spec_set_string (&spec->os_id, os_id);
  set_os_info (self, os_id);
  if ((os = self->os_info) == NULL)
    return;

  /* a preset's resources are deliberate; the OS's recommendation is a floor otherwise */
  if (self->choice != CHOICE_PRESET)
    {
      if (os->recommended_ram_mib > spec->memory_mib)
        spec->memory_mib = host_memory ? MIN (os->recommended_ram_mib, host_memory / 2) : os->recommended_ram_mib;
      if (os->recommended_cpus > spec->vcpus)
        spec->vcpus = host_cpus ? MIN (os->recommended_cpus, host_cpus) : os->recommended_cpus;
      if (os->recommended_storage > spec->disk_size)
        spec->disk_size = os->recommended_storage;
    }
  spec->disk_bus = os->virtio_disk ? REFRACT_DISK_BUS_VIRTIO : REFRACT_DISK_BUS_SATA;
  spec->virtio_nic = os->virtio_net;
  if (os->needs_uefi && spec->firmware == REFRACT_FIRMWARE_BIOS && has_feature (self, REFRACT_HOST_FEATURE_UEFI))
    spec->firmware = REFRACT_FIRMWARE_UEFI;
  default_name (self);
}

/* Fills the spec from the chosen preset or way to install, keeping the files
 * the user already picked. */
static void
apply_choice (RefractNewMachineDialog *self)
{
  RefractMachineSpec *spec = self->spec;
  g_autofree char *media = g_strdup (spec->media_path);
  g_autofree char *image = g_strdup (spec->image_path);
  g_autofree char *name = self->name_edited ? g_strdup (spec->name) : NULL;

  if (self->choice == CHOICE_PRESET)
    refract_preset_apply (self->preset_id, spec, self->caps);
  else
    refract_machine_spec_set_defaults (spec, self->caps);

  switch (self->choice)
    {
    case CHOICE_MEDIA:
      spec->source = REFRACT_SOURCE_INSTALL_MEDIA;
      spec->disk_mode = REFRACT_DISK_NEW;
      break;
    case CHOICE_IMPORT:
      spec->source = REFRACT_SOURCE_EXISTING_IMAGE;
      spec->disk_mode = REFRACT_DISK_EXISTING;
      break;
    case CHOICE_PXE:
      spec->source = REFRACT_SOURCE_NETWORK_BOOT;
      spec->disk_mode = REFRACT_DISK_NEW;
      break;
    case CHOICE_PRESET:
    case CHOICE_NONE:
    default:
      break;
    }
  if (spec->source == REFRACT_SOURCE_INSTALL_MEDIA && media != NULL)
    refract_machine_spec_set_string (&spec->media_path, media);
  if (spec->disk_mode == REFRACT_DISK_EXISTING && image != NULL)
    refract_machine_spec_set_string (&spec->image_path, image);
  if (name != NULL)
    refract_machine_spec_set_string (&spec->name, name);

  set_os_info (self, spec->os_id);
  if (self->detect_state == DETECT_FOUND && spec->source == REFRACT_SOURCE_INSTALL_MEDIA
      && g_strcmp0 (self->detected_path, spec->media_path) == 0 && self->os_info == NULL)
    apply_os (self, self->detect_message);
  default_name (self);
}

static void
choice_changed (RefractNewMachineDialog *self)
{
  apply_choice (self);
  load_from_spec (self);
  revalidate (self);
}

static void
preset_activated_cb (RefractNewMachineDialog *self,
                     GtkFlowBoxChild         *child)
{
  const char *id = g_object_get_data (G_OBJECT (child), "refract-preset");

  if (self->loading)
    return;
  gtk_flow_box_select_child (self->preset_box, child);
  g_free (self->preset_id);
  self->preset_id = g_strdup (id);
  self->choice = CHOICE_PRESET;
  self->loading = TRUE;
  gtk_check_button_set_active (self->iso_check, FALSE);
  gtk_check_button_set_active (self->import_check, FALSE);
  gtk_check_button_set_active (self->pxe_check, FALSE);
  self->loading = FALSE;
  choice_changed (self);
}

static void
source_toggled_cb (RefractNewMachineDialog *self,
                   GtkCheckButton          *check)
{
  if (self->loading || !gtk_check_button_get_active (check))
    return;
  gtk_flow_box_unselect_all (self->preset_box);
  g_clear_pointer (&self->preset_id, g_free);
  if (check == self->iso_check)
    self->choice = CHOICE_MEDIA;
  else if (check == self->import_check)
    self->choice = CHOICE_IMPORT;
  else
    self->choice = CHOICE_PXE;
  choice_changed (self);
}

static GtkWidget *
preset_card_new (const RefractPreset *preset)
{
  GtkWidget *child = gtk_flow_box_child_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *image = gtk_image_new_from_icon_name (preset->icon_name ? preset->icon_name : "computer-symbolic");
  GtkWidget *name = gtk_label_new (preset->name);
  GtkWidget *description = gtk_label_new (preset->description);

  gtk_image_set_pixel_size (GTK_IMAGE (image), 32);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_justify (GTK_LABEL (name), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_justify (GTK_LABEL (description), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (description), 24);
  gtk_widget_add_css_class (description, "caption");
  gtk_widget_add_css_class (description, "dim-label");
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), description);
  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "refract-preset-card");
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), box);

  gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, preset->name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, preset->description,
                                  -1);
  gtk_widget_set_tooltip_text (child, preset->description);
  g_object_set_data_full (G_OBJECT (child), "refract-preset", g_strdup (preset->id), g_free);
  return child;
}

static void
fill_presets (RefractNewMachineDialog *self)
{
  guint n = 0;
  const RefractPreset *presets = refract_presets_get_all (&n);

  for (guint i = 0; i < n; i++)
    gtk_flow_box_append (self->preset_box, preset_card_new (&presets[i]));
}

/* ---- detecting the OS on the medium ---------------------------------------- */

static void
show_detection (RefractNewMachineDialog *self)
{
  const char *title = NULL;
  const char *subtitle = NULL;
  g_autofree char *os_name = NULL;
  g_autofree char *owned = NULL;

  switch (self->detect_state)
    {
    case DETECT_RUNNING:
      title = _("Detecting the system on the medium…");
      break;
    case DETECT_FOUND:
      os_name = refract_os_name_for_id (self->detect_message);
      title = owned = g_strdup_printf (_("The medium holds %s"), os_name);
      subtitle = _("Pick another system below if that is wrong.");
      break;
    case DETECT_UNKNOWN:
      title = _("Refract does not know the system on this medium");
      subtitle = _("Pick it below, or “Unknown system”.");
      break;
    case DETECT_FAILED:
      title = _("The medium could not be read");
      subtitle = self->detect_message;
      break;
    case DETECT_NONE:
    default:
      break;
    }
  self->detection_shown = TRUE;
  if (!self->built[PAGE_OS])
    return;
  gtk_widget_set_visible (self->detect_group, title != NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detect_row), title ? title : "");
  adw_action_row_set_subtitle (self->detect_row, subtitle ? subtitle : "");
  gtk_spinner_set_spinning (self->detect_spinner, self->detect_state == DETECT_RUNNING);
  gtk_widget_set_visible (GTK_WIDGET (self->detect_spinner), self->detect_state == DETECT_RUNNING);
}

static void
media_detected (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RefractNewMachineDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractMediaInfo) info = refract_os_detect_media_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->detect_cancellable);
  g_clear_pointer (&self->detect_message, g_free);
  if (info != NULL && info->os != NULL)
    {
      self->detect_state = DETECT_FOUND;
      self->detect_message = g_strdup (info->os->id);
      apply_os (self, info->os->id);
      load_from_spec (self);
    }
  else if (info != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    self->detect_state = DETECT_UNKNOWN;
  else
    {
      self->detect_state = DETECT_FAILED;
      self->detect_message = g_strdup (error->message);
    }
  show_detection (self);
  revalidate (self);
}

static gboolean
detect_media (gpointer user_data)
{
  RefractNewMachineDialog *self = user_data;
  const char *path = self->spec->media_path;

  self->detect_timeout = 0;
  if (g_strcmp0 (path, self->detected_path) == 0)
    return G_SOURCE_REMOVE;
  g_cancellable_cancel (self->detect_cancellable);
  g_clear_object (&self->detect_cancellable);
  g_free (self->detected_path);
  self->detected_path = g_strdup (path);

  /* the file is on the host, which is not this computer: nothing to read */
  if (path == NULL || (self->caps != NULL && !refract_host_caps_get_is_local (self->caps))
      || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    self->detect_state = DETECT_NONE;
  else
    {
      self->detect_state = DETECT_RUNNING;
      self->detect_cancellable = g_cancellable_new ();
      refract_os_detect_media_async (path, self->detect_cancellable, media_detected, g_object_ref (self));
    }
  show_detection (self);
  return G_SOURCE_REMOVE;
}

static void
media_changed_cb (RefractNewMachineDialog *self)
{
  g_autofree char *path = NULL;

  if (self->loading)
    return;
  path = dup_entry_text (self->media_row);
  refract_machine_spec_set_string (&self->spec->media_path, path);
  g_clear_handle_id (&self->detect_timeout, g_source_remove);
  self->detect_timeout = g_timeout_add (300, detect_media, self);
  revalidate (self);
}

static void
image_changed_cb (RefractNewMachineDialog *self)
{
  g_autofree char *path = NULL;

  if (self->loading)
    return;
  path = dup_entry_text (self->image_row);
  refract_machine_spec_set_string (&self->spec->image_path, path);
  revalidate (self);
}

/* ---- file choosers -------------------------------------------------------- */

static void
chooser_response (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  RefractNewMachineDialog *self = user_data;
  GtkWidget *entry = g_object_get_data (G_OBJECT (chooser), "refract-entry");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (entry), path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file (RefractNewMachineDialog *self,
             GtkWidget               *entry,
             const char              *title,
             GtkFileChooserAction     action,
             const char              *filter_name,
             const char * const      *patterns)
{
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, _("_Choose"), _("_Cancel"));
  if (patterns != NULL)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, filter_name);
      for (guint i = 0; patterns[i] != NULL; i++)
        gtk_file_filter_add_pattern (filter, patterns[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "refract-entry", entry);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
choose_media_cb (RefractNewMachineDialog *self)
{
  static const char * const patterns[] = { "*.iso", "*.ISO", "*.img", NULL };

  choose_file (self, self->media_row, _("Choose an Installation Medium"), GTK_FILE_CHOOSER_ACTION_OPEN,
               _("Disc images"), patterns);
}

static void
choose_image_cb (RefractNewMachineDialog *self)
{
  static const char * const patterns[] = { "*.qcow2", "*.img", "*.raw", "*.vmdk", "*.vdi", NULL };

  choose_file (self, self->image_row, _("Choose a Disk Image"), GTK_FILE_CHOOSER_ACTION_OPEN,
               _("Disk images"), patterns);
}

static void
choose_share_cb (RefractNewMachineDialog *self)
{
  choose_file (self, self->share_path_row, _("Choose a Folder to Share"),
               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, NULL, NULL);
}

/* ---- the operating system list --------------------------------------------- */

static GtkWidget *
os_row_new (RefractNewMachineDialog *self,
            const char              *id,
            const char              *name,
            const char              *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_visible (check, g_strcmp0 (id, self->spec->os_id) == 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chosen"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_SELECTED,
                               g_strcmp0 (id, self->spec->os_id) == 0, -1);
  g_object_set_data_full (G_OBJECT (row), "refract-os", g_strdup (id), g_free);
  return row;
}

static void
fill_os_list (RefractNewMachineDialog *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->os_search));
  g_autoptr(GPtrArray) found = refract_os_search (query, 30);
  gboolean listed_current = FALSE;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->os_list))) != NULL)
    gtk_list_box_remove (self->os_list, child);

  if (*query == '\0')
    {
      if (self->os_info != NULL)
        {
          gtk_list_box_append (self->os_list, os_row_new (self, self->os_info->id, self->os_info->name,
                                                          self->os_info->vendor));
          listed_current = TRUE;
        }
      gtk_list_box_append (self->os_list, os_row_new (self, NULL, _("Unknown system"),
                                                      _("Generic devices that every system can use")));
    }
  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      RefractOsInfo *os = g_ptr_array_index (found, i);

      if (listed_current && g_strcmp0 (os->id, self->os_info->id) == 0)
        continue;
      gtk_list_box_append (self->os_list, os_row_new (self, os->id, os->name, os->vendor));
    }
  if (found == NULL || (found->len == 0 && *query != '\0'))
    gtk_list_box_append (self->os_list, os_row_new (self, NULL, _("Unknown system"),
                                                    _("Nothing matches; this uses generic devices")));
}

static void
os_search_changed_cb (RefractNewMachineDialog *self)
{
  fill_os_list (self);
}

static void
os_row_activated_cb (RefractNewMachineDialog *self,
                     GtkListBoxRow           *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "refract-os");

  apply_os (self, id);
  fill_os_list (self);
  load_from_spec (self);
  revalidate (self);
}

/* ---- resources ------------------------------------------------------------ */

static void
set_bounds (RefractNewMachineDialog *self,
            GtkSpinButton           *vcpus_spin,
            GtkSpinButton           *memory_spin)
{
  guint host_cpus = self->caps ? refract_host_caps_get_host_cpus (self->caps) : 0;
  guint max_vcpus = self->caps ? refract_host_caps_get_max_vcpus (self->caps) : 0;
  guint64 host_memory = self->caps ? refract_host_caps_get_host_memory_mib (self->caps) : 0;
  double cpus = host_cpus ? host_cpus : max_vcpus ? max_vcpus : 64;
  double memory = host_memory ? host_memory : 1024 * 1024;

  /* what the host has bounds the controls, unless a preset asks for more on
   * a small host: then the value stays, and validation says what's wrong */
  cpus = MAX (cpus, self->spec->vcpus);
  memory = MAX (memory, self->spec->memory_mib);
  gtk_spin_button_set_range (vcpus_spin, 1, cpus);
  gtk_spin_button_set_range (memory_spin, 64, memory);
}

static void
update_bounds (RefractNewMachineDialog *self)
{
  if (self->built[PAGE_RESOURCES])
    set_bounds (self, self->vcpus_spin, self->memory_spin);
  if (self->built[PAGE_CUSTOMIZE])
    set_bounds (self, self->c_vcpus_spin, self->c_memory_spin);
}

static void
describe_resources (RefractNewMachineDialog *self)
{
  guint host_cpus = self->caps ? refract_host_caps_get_host_cpus (self->caps) : 0;
  guint64 host_memory = self->caps ? refract_host_caps_get_host_memory_mib (self->caps) : 0;
  const RefractOsInfo *os = self->os_info;
  g_autofree char *cpus = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *host = host_memory ? format_mib (host_memory) : NULL;

  if (os != NULL && os->recommended_cpus > 0)
    /* Translators: "Debian 11 recommends: 2 · this host: 8" (processor counts) */
    cpus = g_strdup_printf (_("%s recommends: %u · this host: %u"),
                            os->name, os->recommended_cpus, host_cpus);
  else if (host_cpus > 0)
    /* Translators: the number of processors */
    cpus = g_strdup_printf (_("This host: %u"), host_cpus);
  if (os != NULL && os->recommended_ram_mib > 0)
    {
      g_autofree char *recommended = format_mib (os->recommended_ram_mib);

      memory = host ? g_strdup_printf (_("%s recommends %s; this host has %s"), os->name, recommended, host)
                    : g_strdup_printf (_("%s recommends %s"), os->name, recommended);
    }
  else if (host != NULL)
    memory = g_strdup_printf (_("This host has %s"), host);
  adw_action_row_set_subtitle (self->vcpus_row, cpus ? cpus : "");
  adw_action_row_set_subtitle (self->memory_row, memory ? memory : "");
}

/* A preset's one-to-one vCPU pinning (DSP Coprocessor) no longer fits another
 * vCPU count: drop it rather than leave a problem the wizard has no control
 * for. The machine's DSP page pins it again after creating. */
static void
set_vcpus (RefractMachineSpec *spec,
           guint               vcpus)
{
  if (spec->vcpus == vcpus)
    return;
  spec->vcpus = vcpus;
  if (spec->dsp_cpus != NULL)
    {
      g_clear_pointer (&spec->dsp_cpus, g_free);
      g_clear_pointer (&spec->dsp_emulator_cpus, g_free);
      spec->dsp_fifo_priority = 0;
    }
}

static void
vcpus_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  set_vcpus (self->spec, gtk_spin_button_get_value_as_int (self->vcpus_spin));
  self->loading = TRUE;
  update_bounds (self);
  self->loading = FALSE;
  revalidate (self);
}

static void
memory_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  self->spec->memory_mib = gtk_spin_button_get_value_as_int (self->memory_spin);
  /* once within the host, it stays there */
  self->loading = TRUE;
  update_bounds (self);
  self->loading = FALSE;
  revalidate (self);
}

static void
firmware_toggled_cb (RefractNewMachineDialog *self,
                     GtkCheckButton          *check)
{
  if (self->loading || !gtk_check_button_get_active (check))
    return;
  self->spec->firmware = check == self->bios_check ? REFRACT_FIRMWARE_BIOS
                       : check == self->uefi_check ? REFRACT_FIRMWARE_UEFI
                       : REFRACT_FIRMWARE_UEFI_SECURE;
  revalidate (self);
}

/* ---- storage -------------------------------------------------------------- */

/* The pools of the host in the Storage page's chooser. */
static void
load_pool_names (RefractNewMachineDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  gboolean was_loading = self->loading;

  if (!self->built[PAGE_STORAGE] || !self->pools_set)
    return;
  for (guint i = 0; self->pools != NULL && i < self->pools->len; i++)
    g_strv_builder_add (builder, ((RefractPoolInfo *) g_ptr_array_index (self->pools, i))->name);
  names = g_strv_builder_end (builder);
  self->loading = TRUE;
  set_string_model (self->pool_row, (const char * const *) names);
  self->loading = was_loading;
}

static void
set_pools (RefractNewMachineDialog *self,
           GPtrArray               *pools)
{
  g_clear_pointer (&self->pools, g_ptr_array_unref);
  self->pools = pools;
  self->pools_set = TRUE;
  self->loading = TRUE;
  load_pool_names (self);
  self->loading = FALSE;
}

static void
describe_storage (RefractNewMachineDialog *self)
{
  RefractMachineSpec *spec = self->spec;
  RefractPoolInfo *pool = find_pool (self, spec->pool);
  gboolean missing = needs_pool (spec) && pool == NULL && g_strcmp0 (spec->pool, "default") == 0;
  g_autofree char *free_text = NULL;
  g_autofree char *size = NULL;

  if (!self->built[PAGE_STORAGE])
    return;
  if (pool != NULL && pool->available >= 0)
    {
      g_autofree char *available = format_bytes (pool->available);

      free_text = g_strdup_printf (_("%s free in “%s”"), available, pool->name);
    }
  if (self->os_info != NULL && self->os_info->recommended_storage > 0)
    {
      g_autofree char *recommended = format_bytes (self->os_info->recommended_storage);

      size = free_text ? g_strdup_printf (_("%s recommends %s; %s"), self->os_info->name, recommended, free_text)
                       : g_strdup_printf (_("%s recommends %s"), self->os_info->name, recommended);
    }
  adw_action_row_set_subtitle (self->size_row, size ? size : free_text ? free_text : "");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->pool_row), pool && pool->path ? pool->path : "");

  gtk_widget_set_visible (self->pool_missing_group, missing);
  if (missing)
    {
      g_autofree char *path = refract_storage_default_pool_path (self->connection);
      g_autofree char *text = g_strdup_printf (_("Create it in %s to hold the new disk?"), path);

      adw_action_row_set_subtitle (self->pool_missing_row, text);
    }
  gtk_widget_set_sensitive (self->create_pool_button, !self->pool_busy);
  gtk_widget_set_visible (GTK_WIDGET (self->pool_row), needs_pool (spec) && self->pools != NULL && self->pools->len > 0);
}

static void
pools_listed (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RefractNewMachineDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *pools = refract_storage_list_pools_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->pool_busy = FALSE;
  if (pools != NULL)
    set_pools (self, pools);
  load_from_spec (self);
  if (pools == NULL && self->built[PAGE_STORAGE])
    adw_action_row_set_subtitle (self->pool_missing_row, error->message);
  revalidate (self);
}

static void
pool_created (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RefractNewMachineDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!refract_storage_ensure_default_pool_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->pool_busy = FALSE;
      if (self->built[PAGE_STORAGE])
        adw_action_row_set_subtitle (self->pool_missing_row, error->message);
      describe_storage (self);
      update_navigation (self);
      return;
    }
  refract_storage_list_pools_async (self->connection, self->cancellable, pools_listed, g_object_ref (self));
}

static void
create_pool_cb (RefractNewMachineDialog *self)
{
  self->pool_busy = TRUE;
  describe_storage (self);
  update_navigation (self);
  refract_storage_ensure_default_pool_async (self->connection, self->cancellable, pool_created,
                                             g_object_ref (self));
}

static void
disk_mode_toggled_cb (RefractNewMachineDialog *self,
                      GtkCheckButton          *check)
{
  if (self->loading || !gtk_check_button_get_active (check))
    return;
  self->spec->disk_mode = check == self->new_disk_check ? REFRACT_DISK_NEW : REFRACT_DISK_NONE;
  load_from_spec (self);
  revalidate (self);
}

static void
import_mode_toggled_cb (RefractNewMachineDialog *self,
                        GtkCheckButton          *check)
{
  if (self->loading || !gtk_check_button_get_active (check))
    return;
  self->spec->import_mode = check == self->in_place_check ? REFRACT_IMPORT_IN_PLACE
                          : check == self->copy_check ? REFRACT_IMPORT_COPY
                          : REFRACT_IMPORT_CONVERT;
  load_from_spec (self);
  revalidate (self);
}

static void
size_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  self->spec->disk_size = (guint64) (gtk_spin_button_get_value (self->size_spin) * 1024 * 1024 * 1024);
  revalidate (self);
}

static void
pool_changed_cb (RefractNewMachineDialog *self)
{
  const char *pool = string_model_selected (self->pool_row);

  if (self->loading || pool == NULL)
    return;
  refract_machine_spec_set_string (&self->spec->pool, pool);
  describe_storage (self);
  revalidate (self);
}

static void
bus_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  self->spec->disk_bus = adw_combo_row_get_selected (self->bus_row);
  revalidate (self);
}

/* ---- network and display -------------------------------------------------- */

static void
network_toggled_cb (RefractNewMachineDialog *self,
                    GtkCheckButton          *check)
{
  if (self->loading || !gtk_check_button_get_active (check))
    return;
  self->spec->network = check == self->nat_check ? REFRACT_NETWORK_NAT
                      : check == self->bridge_check ? REFRACT_NETWORK_BRIDGE
                      : check == self->user_check ? REFRACT_NETWORK_USER
                      : REFRACT_NETWORK_NONE;
  if (self->spec->network == REFRACT_NETWORK_NAT && self->spec->network_name == NULL)
    refract_machine_spec_set_string (&self->spec->network_name, string_model_selected (self->network_name_row));
  if (self->spec->network == REFRACT_NETWORK_BRIDGE && self->spec->bridge == NULL)
    refract_machine_spec_set_string (&self->spec->bridge, string_model_selected (self->bridge_name_row));
  load_from_spec (self);
  revalidate (self);
}

static void
network_name_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  refract_machine_spec_set_string (&self->spec->network_name, string_model_selected (self->network_name_row));
  revalidate (self);
}

static void
bridge_name_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  refract_machine_spec_set_string (&self->spec->bridge, string_model_selected (self->bridge_name_row));
  revalidate (self);
}

static char *
forwards_to_text (GPtrArray *forwards)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; forwards != NULL && i < forwards->len; i++)
    {
      g_autofree char *one = refract_port_forward_to_string (g_ptr_array_index (forwards, i));

      g_string_append_printf (text, "%s%s", i ? ", " : "", one);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
forwards_changed_cb (RefractNewMachineDialog *self)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) forwards = NULL;

  if (self->loading)
    return;
  g_clear_pointer (&self->forwards_error, g_free);
  parts = g_strsplit_set (entry_text (self->forwards_row), ", ", -1);
  forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_port_forward_free);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      RefractPortForward *forward;

      if (*parts[i] == '\0')
        continue;
      if ((forward = refract_port_forward_parse (parts[i], &error)) == NULL)
        {
          if (self->forwards_error == NULL)
            self->forwards_error = g_strdup (error->message);
          continue;
        }
      g_ptr_array_add (forwards, forward);
    }
  g_clear_pointer (&self->spec->port_forwards, g_ptr_array_unref);
  self->spec->port_forwards = g_steal_pointer (&forwards);
  revalidate (self);
}

static void
display_toggled_cb (RefractNewMachineDialog *self,
                    GtkCheckButton          *check)
{
  if (self->loading || !gtk_check_button_get_active (check))
    return;
  self->spec->display = check == self->spice_qxl_check ? REFRACT_DISPLAY_SPICE_QXL
                      : check == self->spice_gl_check ? REFRACT_DISPLAY_SPICE_VIRTIO_GL
                      : check == self->vnc_check ? REFRACT_DISPLAY_VNC
                      : REFRACT_DISPLAY_SERIAL;
  load_from_spec (self);
  revalidate (self);
}

static void
remote_changed_cb (RefractNewMachineDialog *self)
{
  g_autofree char *address = NULL;
  g_autofree char *password = NULL;

  if (self->loading)
    return;
  if (adw_expander_row_get_enable_expansion (self->remote_row))
    {
      address = dup_entry_text (self->listen_row);
      password = g_strdup (entry_text (self->password_row));
      if (address == NULL)
        {
          /* turning it on offers every address; the password is still to set */
          address = g_strdup ("0.0.0.0");
          self->loading = TRUE;
          set_entry_text (self->listen_row, address);
          self->loading = FALSE;
        }
    }
  refract_machine_spec_set_string (&self->spec->listen_address, address);
  refract_machine_spec_set_string (&self->spec->password, password);
  revalidate (self);
}

static void
devices_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  self->spec->sound = gtk_switch_get_active (self->sound_switch);
  self->spec->tpm = gtk_switch_get_active (self->tpm_switch);
  self->spec->usb_redir_channels = gtk_spin_button_get_value_as_int (self->usb_spin);
  self->spec->guest_agent = gtk_switch_get_active (self->agent_switch);
  self->spec->autostart = gtk_switch_get_active (self->autostart_switch);
  revalidate (self);
}

static void
share_changed_cb (RefractNewMachineDialog *self)
{
  g_autofree char *path = NULL;
  g_autofree char *tag = NULL;

  if (self->loading)
    return;
  if (!adw_expander_row_get_enable_expansion (self->share_row))
    self->spec->share = REFRACT_SHARE_NONE;
  else
    self->spec->share = adw_combo_row_get_selected (self->share_kind_row) == 1 ? REFRACT_SHARE_9P
                                                                              : REFRACT_SHARE_VIRTIOFS;
  path = dup_entry_text (self->share_path_row);
  tag = dup_entry_text (self->share_tag_row);
  if (tag == NULL && path != NULL)
    {
      tag = g_path_get_basename (path);
      self->loading = TRUE;
      set_entry_text (self->share_tag_row, tag);
      self->loading = FALSE;
    }
  refract_machine_spec_set_string (&self->spec->share_path, path);
  refract_machine_spec_set_string (&self->spec->share_tag, tag);
  revalidate (self);
}

static void
offer_host_features (RefractNewMachineDialog *self)
{
  const char * const *bridges = self->caps ? refract_host_caps_get_bridges (self->caps) : NULL;

  if (self->built[PAGE_RESOURCES])
    {
      offer_if_available (self, self->uefi_row, REFRACT_HOST_FEATURE_UEFI, -1);
      offer_if_available (self, self->secure_row, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT, -1);
    }
  if (self->built[PAGE_CUSTOMIZE])
    {
      offer_if_available (self, self->c_sound_row, REFRACT_HOST_FEATURE_SOUND, -1);
      offer_if_available (self, self->c_tpm_row, REFRACT_HOST_FEATURE_TPM_EMULATOR, -1);
      offer_if_available (self, self->c_usb_row, REFRACT_HOST_FEATURE_USB_REDIRECTION, -1);
    }
  if (!self->built[PAGE_NETWORK])
    return;
  offer_if_available (self, self->nat_row, REFRACT_HOST_FEATURE_NAT, -1);
  offer_if_available (self, self->bridge_row, REFRACT_HOST_FEATURE_BRIDGE, -1);
  if (self->caps != NULL && refract_host_caps_has (self->caps, REFRACT_HOST_FEATURE_BRIDGE)
      && (bridges == NULL || bridges[0] == NULL))
    {
      gtk_widget_set_sensitive (self->bridge_row, FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->bridge_row), _("This host has no bridge interface"));
      gtk_widget_set_tooltip_text (self->bridge_row, _("This host has no bridge interface"));
    }
  offer_if_available (self, self->spice_qxl_row, REFRACT_HOST_FEATURE_SPICE, REFRACT_HOST_FEATURE_QXL);
  offer_if_available (self, self->spice_gl_row, REFRACT_HOST_FEATURE_SPICE, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL);
  offer_if_available (self, self->vnc_row, REFRACT_HOST_FEATURE_VNC, -1);
  offer_if_available (self, self->sound_row, REFRACT_HOST_FEATURE_SOUND, -1);
  offer_if_available (self, self->tpm_row, REFRACT_HOST_FEATURE_TPM_EMULATOR, -1);
  offer_if_available (self, self->usb_row, REFRACT_HOST_FEATURE_USB_REDIRECTION, -1);
  if (!has_feature (self, REFRACT_HOST_FEATURE_VIRTIOFS) && !has_feature (self, REFRACT_HOST_FEATURE_9P))
    offer_if_available (self, GTK_WIDGET (self->share_row), REFRACT_HOST_FEATURE_VIRTIOFS, -1);
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self->share_row), TRUE);
}

/* ---- summary -------------------------------------------------------------- */

static const char *
display_name (RefractDisplayKind display)
{
  switch (display)
    {
    case REFRACT_DISPLAY_SPICE_QXL: return _("SPICE with QXL");
    case REFRACT_DISPLAY_SPICE_VIRTIO_GL: return _("SPICE with 3D acceleration");
    case REFRACT_DISPLAY_VNC: return _("VNC");
    case REFRACT_DISPLAY_SERIAL: default: return _("Headless, serial console");
    }
}

static const char *
firmware_name (RefractFirmware firmware)
{
  switch (firmware)
    {
    case REFRACT_FIRMWARE_UEFI: return _("UEFI");
    case REFRACT_FIRMWARE_UEFI_SECURE: return _("UEFI with Secure Boot");
    case REFRACT_FIRMWARE_BIOS: default: return _("BIOS");
    }
}

static char *
describe_source (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  const RefractPreset *preset = self->preset_id ? refract_preset_lookup (self->preset_id) : NULL;
  g_autofree char *what = NULL;

  switch (spec->source)
    {
    case REFRACT_SOURCE_INSTALL_MEDIA:
      what = spec->media_path ? g_path_get_basename (spec->media_path) : g_strdup (_("No medium yet"));
      break;
    case REFRACT_SOURCE_EXISTING_IMAGE:
      what = spec->image_path ? g_path_get_basename (spec->image_path) : g_strdup (_("No image yet"));
      break;
    case REFRACT_SOURCE_NETWORK_BOOT:
      what = g_strdup (_("Network boot (PXE)"));
      break;
    case REFRACT_SOURCE_NONE:
    default:
      what = g_strdup (_("Nothing: an empty machine"));
      break;
    }
  if (preset != NULL)
    return g_strdup_printf (_("%s preset · %s"), preset->name, what);
  return g_steal_pointer (&what);
}

static char *
describe_disk (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  g_autofree char *size = NULL;
  g_autofree char *image = NULL;

  switch (spec->disk_mode)
    {
    case REFRACT_DISK_NEW:
      size = format_bytes (spec->disk_size);
      return g_strdup_printf (_("New %s disk in “%s”"), size, spec->pool ? spec->pool : "default");
    case REFRACT_DISK_EXISTING:
      image = spec->image_path ? g_path_get_basename (spec->image_path) : g_strdup ("");
      if (spec->import_mode == REFRACT_IMPORT_IN_PLACE)
        return g_strdup_printf (_("%s, where it is"), image);
      if (spec->import_mode == REFRACT_IMPORT_COPY)
        return g_strdup_printf (_("%s, copied into “%s”"), image, spec->pool);
      return g_strdup_printf (_("%s, converted to qcow2 in “%s”"), image, spec->pool);
    case REFRACT_DISK_NONE:
    default:
      return g_strdup (C_("disk", "None"));
    }
}

static char *
describe_network (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  g_autofree char *forwards = NULL;

  switch (spec->network)
    {
    case REFRACT_NETWORK_NAT:
      return g_strdup_printf (_("NAT on “%s”"), spec->network_name ? spec->network_name : "default");
    case REFRACT_NETWORK_BRIDGE:
      return g_strdup_printf (_("Bridged to %s"), spec->bridge ? spec->bridge : "");
    case REFRACT_NETWORK_USER:
      forwards = forwards_to_text (spec->port_forwards);
      return *forwards ? g_strdup_printf (_("User-mode, forwarding %s"), forwards)
                       : g_strdup (_("User-mode"));
    case REFRACT_NETWORK_NONE:
    default:
      return g_strdup (C_("network", "None"));
    }
}

static char *
describe_devices (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (spec->sound)
    g_ptr_array_add (parts, g_strdup (_("sound")));
  if (spec->tpm)
    g_ptr_array_add (parts, g_strdup (_("TPM 2.0")));
  if (spec->usb_redir_channels > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u USB channel", "%u USB channels",
                                                          spec->usb_redir_channels),
                                             spec->usb_redir_channels));
  if (spec->guest_agent)
    g_ptr_array_add (parts, g_strdup (_("guest agent")));
  if (spec->share != REFRACT_SHARE_NONE && spec->share_path != NULL)
    g_ptr_array_add (parts, g_strdup_printf (_("shares %s"), spec->share_path));
  if (spec->autostart)
    g_ptr_array_add (parts, g_strdup (_("starts with the host")));
  if (parts->len == 0)
    return g_strdup (C_("devices", "None"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

static void
add_summary_row (RefractNewMachineDialog *self,
                 const char              *title,
                 const char              *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (self->summary_group, row);
  g_ptr_array_add (self->summary_rows, row);
}

static void
fill_summary (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  g_autofree char *source = describe_source (self);
  g_autofree char *os = spec->os_id ? refract_os_name_for_id (spec->os_id) : g_strdup (_("Unknown system"));
  g_autofree char *memory = format_mib (spec->memory_mib);
  g_autofree char *resources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u processor, %s of memory",
                                                             "%u processors, %s of memory", spec->vcpus),
                                                spec->vcpus, memory);
  g_autofree char *disk = describe_disk (self);
  g_autofree char *network = describe_network (self);
  g_autofree char *devices = describe_devices (self);
  g_autofree char *display = spec->listen_address
                             ? g_strdup_printf (_("%s, listening on %s"), display_name (spec->display), spec->listen_address)
                             : g_strdup (display_name (spec->display));

  for (guint i = 0; i < self->summary_rows->len; i++)
    adw_preferences_group_remove (self->summary_group, g_ptr_array_index (self->summary_rows, i));
  g_ptr_array_set_size (self->summary_rows, 0);

  if (self->connections->len > 1)
    add_summary_row (self, _("Host"), refract_connection_get_display_name (self->connection));
  add_summary_row (self, _("Installs From"), source);
  add_summary_row (self, _("Operating System"), os);
  add_summary_row (self, _("Resources"), resources);
  add_summary_row (self, _("Firmware"), firmware_name (spec->firmware));
  add_summary_row (self, _("Disk"), disk);
  add_summary_row (self, _("Network"), network);
  add_summary_row (self, _("Display"), display);
  add_summary_row (self, _("Devices"), devices);
}

static void
name_changed_cb (RefractNewMachineDialog *self)
{
  g_autofree char *name = NULL;

  if (self->loading)
    return;
  self->name_edited = TRUE;
  name = g_strdup (entry_text (self->name_row));
  refract_machine_spec_set_string (&self->spec->name, name);
  revalidate (self);
}

static void
title_changed_cb (RefractNewMachineDialog *self)
{
  g_autofree char *title = NULL;

  if (self->loading)
    return;
  title = dup_entry_text (self->title_row);
  refract_machine_spec_set_string (&self->spec->title, title);
  revalidate (self);
}

static void
customize_toggled_cb (RefractNewMachineDialog *self)
{
  update_navigation (self);
}

/* ---- customize before install ---------------------------------------------- */

/* "Customize before install" shows the machine before it exists: the spec is
 * edited here and turned into XML on every change, but nothing is defined on
 * the host (no domain, no volume) until "Begin Installation". Cancelling from
 * here, or closing the window, therefore leaves nothing behind, and there is
 * no half-configured domain for another client to see or start meanwhile. */
static void
update_xml (RefractNewMachineDialog *self)
{
  g_autoptr(RefractMachineSpec) copy = refract_machine_spec_copy (self->spec);
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  RefractPoolInfo *pool;

  if (copy->disk_mode == REFRACT_DISK_EXISTING && copy->import_mode == REFRACT_IMPORT_IN_PLACE)
    refract_machine_spec_set_string (&copy->disk_path, copy->image_path);
  else if (copy->disk_mode != REFRACT_DISK_NONE)
    {
      /* where the creator will put the volume; its real name is known then */
      g_autofree char *file = g_strdup_printf ("%s.qcow2", copy->name && *copy->name ? copy->name : "machine");
      g_autofree char *path = NULL;

      pool = find_pool (self, copy->pool);
      path = g_build_filename (pool && pool->path ? pool->path : "/var/lib/libvirt/images", file, NULL);
      refract_machine_spec_set_string (&copy->disk_path, path);
    }
  xml = refract_machine_spec_to_xml (copy, self->caps, &error);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->xml_view),
                            xml ? xml : error ? error->message : "", -1);
}

static void
c_name_changed_cb (RefractNewMachineDialog *self)
{
  if (self->loading)
    return;
  self->name_edited = TRUE;
  refract_machine_spec_set_string (&self->spec->name, entry_text (self->c_name_row));
  revalidate (self);
  update_xml (self);
}

static void
c_changed_cb (RefractNewMachineDialog *self)
{
  RefractMachineSpec *spec = self->spec;

  if (self->loading)
    return;
  set_vcpus (spec, gtk_spin_button_get_value_as_int (self->c_vcpus_spin));
  spec->memory_mib = gtk_spin_button_get_value_as_int (self->c_memory_spin);
  spec->firmware = adw_combo_row_get_selected (self->c_firmware_row);
  spec->disk_bus = adw_combo_row_get_selected (self->c_bus_row);
  spec->virtio_nic = adw_combo_row_get_selected (self->c_nic_row) == 0;
  spec->display = adw_combo_row_get_selected (self->c_display_row);
  spec->sound = gtk_switch_get_active (self->c_sound_switch);
  spec->tpm = gtk_switch_get_active (self->c_tpm_switch);
  spec->usb_redir_channels = gtk_spin_button_get_value_as_int (self->c_usb_spin);
  revalidate (self);
  update_xml (self);
}

/* ---- spec → widgets ------------------------------------------------------- */

static void
load_source (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;

  set_entry_text (self->media_row, spec->media_path);
  set_entry_text (self->image_row, spec->image_path);
  gtk_widget_set_visible (self->media_row, spec->source == REFRACT_SOURCE_INSTALL_MEDIA);
  gtk_widget_set_visible (self->image_row, spec->disk_mode == REFRACT_DISK_EXISTING);
  gtk_widget_set_visible (self->files_group, spec->source == REFRACT_SOURCE_INSTALL_MEDIA
                                             || spec->disk_mode == REFRACT_DISK_EXISTING);
  /* a file chooser shows this computer's files */
  gtk_widget_set_visible (self->media_button, self->caps == NULL || refract_host_caps_get_is_local (self->caps));
  gtk_widget_set_visible (self->image_button, self->caps == NULL || refract_host_caps_get_is_local (self->caps));
}

static void
load_resources (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;

  gtk_spin_button_set_value (self->vcpus_spin, spec->vcpus);
  gtk_spin_button_set_value (self->memory_spin, spec->memory_mib);
  gtk_check_button_set_active (spec->firmware == REFRACT_FIRMWARE_BIOS ? self->bios_check
                               : spec->firmware == REFRACT_FIRMWARE_UEFI ? self->uefi_check
                               : self->secure_check, TRUE);
  describe_resources (self);
}

static void
load_storage (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  gboolean existing = spec->disk_mode == REFRACT_DISK_EXISTING;
  guint pool = string_model_find (self->pool_row, spec->pool);

  gtk_widget_set_visible (self->new_disk_group, !existing);
  gtk_widget_set_visible (self->import_group, existing);
  gtk_check_button_set_active (spec->disk_mode == REFRACT_DISK_NONE ? self->no_disk_check : self->new_disk_check, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), spec->disk_mode == REFRACT_DISK_NEW);
  gtk_spin_button_set_value (self->size_spin, spec->disk_size / (1024.0 * 1024 * 1024));
  gtk_check_button_set_active (spec->import_mode == REFRACT_IMPORT_IN_PLACE ? self->in_place_check
                               : spec->import_mode == REFRACT_IMPORT_COPY ? self->copy_check
                               : self->convert_check, TRUE);
  if (pool != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->pool_row, pool);
  adw_combo_row_set_selected (self->bus_row, spec->disk_bus);
  gtk_widget_set_visible (GTK_WIDGET (self->bus_row), spec->disk_mode != REFRACT_DISK_NONE);
  describe_storage (self);
}

static void
load_network (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;
  g_autofree char *forwards = forwards_to_text (spec->port_forwards);
  guint position;

  gtk_check_button_set_active (spec->network == REFRACT_NETWORK_NAT ? self->nat_check
                               : spec->network == REFRACT_NETWORK_BRIDGE ? self->bridge_check
                               : spec->network == REFRACT_NETWORK_USER ? self->user_check
                               : self->no_network_check, TRUE);
  if ((position = string_model_find (self->network_name_row, spec->network_name)) != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->network_name_row, position);
  if ((position = string_model_find (self->bridge_name_row, spec->bridge)) != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (self->bridge_name_row, position);
  gtk_widget_set_visible (GTK_WIDGET (self->network_name_row), spec->network == REFRACT_NETWORK_NAT);
  gtk_widget_set_visible (GTK_WIDGET (self->bridge_name_row), spec->network == REFRACT_NETWORK_BRIDGE);
  gtk_widget_set_visible (self->forwards_row, spec->network == REFRACT_NETWORK_USER);
  if (self->forwards_error == NULL)
    set_entry_text (self->forwards_row, forwards);

  gtk_check_button_set_active (spec->display == REFRACT_DISPLAY_SPICE_QXL ? self->spice_qxl_check
                               : spec->display == REFRACT_DISPLAY_SPICE_VIRTIO_GL ? self->spice_gl_check
                               : spec->display == REFRACT_DISPLAY_VNC ? self->vnc_check
                               : self->serial_check, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remote_row), spec->display != REFRACT_DISPLAY_SERIAL);
  adw_expander_row_set_enable_expansion (self->remote_row, spec->listen_address != NULL);
  if (spec->listen_address != NULL)
    set_entry_text (self->listen_row, spec->listen_address);
  set_entry_text (self->password_row, spec->password);

  gtk_switch_set_active (self->sound_switch, spec->sound);
  gtk_switch_set_active (self->tpm_switch, spec->tpm);
  gtk_spin_button_set_value (self->usb_spin, spec->usb_redir_channels);
  gtk_switch_set_active (self->agent_switch, spec->guest_agent);
  gtk_switch_set_active (self->autostart_switch, spec->autostart);
  adw_expander_row_set_enable_expansion (self->share_row, spec->share != REFRACT_SHARE_NONE);
  adw_combo_row_set_selected (self->share_kind_row, spec->share == REFRACT_SHARE_9P ? 1 : 0);
  set_entry_text (self->share_path_row, spec->share_path);
  set_entry_text (self->share_tag_row, spec->share_tag);
  gtk_widget_set_visible (self->share_button, self->caps == NULL || refract_host_caps_get_is_local (self->caps));
}

static void
load_summary (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;

  set_entry_text (self->name_row, spec->name);
  set_entry_text (self->title_row, spec->title);
}

static void
load_customize (RefractNewMachineDialog *self)
{
  const RefractMachineSpec *spec = self->spec;

  set_entry_text (self->c_name_row, spec->name);
  gtk_spin_button_set_value (self->c_vcpus_spin, spec->vcpus);
  gtk_spin_button_set_value (self->c_memory_spin, spec->memory_mib);
  adw_combo_row_set_selected (self->c_firmware_row, spec->firmware);
  adw_combo_row_set_selected (self->c_bus_row, spec->disk_bus);
  adw_combo_row_set_selected (self->c_nic_row, spec->virtio_nic ? 0 : 1);
  adw_combo_row_set_selected (self->c_display_row, spec->display);
  gtk_switch_set_active (self->c_sound_switch, spec->sound);
  gtk_switch_set_active (self->c_tpm_switch, spec->tpm);
  gtk_spin_button_set_value (self->c_usb_spin, spec->usb_redir_channels);
}

static void
load_from_spec (RefractNewMachineDialog *self)
{
  gboolean was_loading = self->loading;

  self->loading = TRUE;
  update_bounds (self);
  load_source (self);
  if (self->built[PAGE_RESOURCES])
    load_resources (self);
  if (self->built[PAGE_STORAGE])
    load_storage (self);
  if (self->built[PAGE_NETWORK])
    load_network (self);
  if (self->built[PAGE_SUMMARY])
    load_summary (self);
  if (self->built[PAGE_CUSTOMIZE])
    load_customize (self);
  self->loading = was_loading;
}

/* ---- the host ------------------------------------------------------------- */

/* The host's networks and bridges in the Network page's choosers. */
static void
load_network_names (RefractNewMachineDialog *self)
{
  gboolean was_loading = self->loading;

  if (!self->built[PAGE_NETWORK] || self->caps == NULL)
    return;
  self->loading = TRUE;
  set_string_model (self->network_name_row, refract_host_caps_get_networks (self->caps));
  set_string_model (self->bridge_name_row, refract_host_caps_get_bridges (self->caps));
  self->loading = was_loading;
}

static void
caps_loaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(RefractNewMachineDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  RefractHostCaps *caps = refract_host_caps_load_finish (result, &error);
  GPtrArray *pools;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (caps == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read what this host can do: %s"),
                                                  error->message);

      g_free (error->message);
      error->message = g_steal_pointer (&message);
      self->caps_error = g_steal_pointer (&error);
      update_navigation (self);
      return;
    }
  self->caps = caps;
  pools = refract_host_caps_get_pools (caps);

  self->loading = TRUE;
  load_network_names (self);
  self->loading = FALSE;
  set_pools (self, pools ? g_ptr_array_ref (pools) : NULL);
  offer_host_features (self);
  if (self->choice != CHOICE_NONE)
    apply_choice (self);
  load_from_spec (self);
  revalidate (self);
}

static void
load_caps (RefractNewMachineDialog *self)
{
  g_clear_object (&self->caps);
  g_clear_error (&self->caps_error);
  refract_host_caps_load_async (self->connection, FALSE, self->cancellable, caps_loaded, g_object_ref (self));
}

static void
connection_changed_cb (RefractNewMachineDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->connection_row);

  if (self->loading || selected >= self->connections->len
      || g_ptr_array_index (self->connections, selected) == self->connection)
    return;
  g_set_object (&self->connection, g_ptr_array_index (self->connections, selected));
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->detected_path = (g_free (self->detected_path), NULL);
  load_caps (self);
  revalidate (self);
}

static void
fill_connections (RefractNewMachineDialog *self)
{
  GListModel *list = G_LIST_MODEL (refract_application_get_connections (self->app));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  guint selected = 0;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(RefractConnection) connection = g_list_model_get_item (list, i);

      if (refract_connection_get_state (connection) != REFRACT_CONNECTION_STATE_CONNECTED)
        continue;
      if (connection == self->connection)
        selected = self->connections->len;
      g_ptr_array_add (self->connections, g_object_ref (connection));
      g_strv_builder_add (builder, refract_connection_get_display_name (connection));
    }
  if (self->connections->len == 0)
    g_ptr_array_add (self->connections, g_object_ref (self->connection));
  names = g_strv_builder_end (builder);
  self->loading = TRUE;
  set_string_model (self->connection_row, (const char * const *) names);
  adw_combo_row_set_selected (self->connection_row, selected);
  self->loading = FALSE;
  gtk_widget_set_visible (self->connection_group, self->connections->len > 1);
}

/* ---- creating ------------------------------------------------------------- */

static void
create_progress (double      fraction,
                 const char *what,
                 gpointer    user_data)
{
  RefractNewMachineDialog *self = user_data;

  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  else
    gtk_progress_bar_pulse (self->progress_bar);
  if (what != NULL)
    gtk_label_set_label (self->progress_label, what);
}

static void
show_created (RefractNewMachineDialog *self,
              const char              *uuid)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (REFRACT_IS_WINDOW (parent))
    refract_window_show_new_machine (REFRACT_WINDOW (parent), self->connection, uuid);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
show_failure (RefractNewMachineDialog *self,
              const GError            *error)
{
  const char *remedy = refract_error_get_remedy (error);
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;

  self->failed = TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      adw_status_page_set_icon_name (self->progress_status, "process-stop-symbolic");
      adw_status_page_set_title (self->progress_status, _("Stopped"));
      text = g_strdup (_("Nothing was created. You can change the settings and try again."));
    }
  else
    {
      adw_status_page_set_icon_name (self->progress_status, "computer-fail-symbolic");
      adw_status_page_set_title (self->progress_status, _("The Machine Could Not Be Created"));
      text = remedy ? g_strdup_printf (_("%s\n\n%s\n\nNothing was left behind on the host."), error->message, remedy)
                    : g_strdup_printf (_("%s\n\nNothing was left behind on the host."), error->message);
    }
  escaped = g_markup_escape_text (text, -1);
  adw_status_page_set_description (self->progress_status, escaped);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
  gtk_widget_set_visible (self->progress_cancel, FALSE);
  gtk_widget_set_visible (self->progress_back, TRUE);
  update_navigation (self);
}

static void
created (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RefractNewMachineDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = refract_machine_create_finish (result, &error);

  self->creating = FALSE;
  g_clear_object (&self->create_cancellable);
  if (self->close_when_done)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (uuid != NULL)
    show_created (self, uuid);
  else
    show_failure (self, error);
}

static void
begin_progress_page (RefractNewMachineDialog *self)
{
  g_autofree char *title = g_strdup_printf (_("Creating “%s”"), self->spec->title ? self->spec->title : self->spec->name);

  ensure_page (self, PAGE_PROGRESS);
  self->failed = FALSE;
  adw_status_page_set_icon_name (self->progress_status, "computer-symbolic");
  adw_status_page_set_title (self->progress_status, title);
  adw_status_page_set_description (self->progress_status, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_label, _("Preparing…"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_label), TRUE);
  gtk_widget_set_visible (self->progress_cancel, TRUE);
  gtk_widget_set_visible (self->progress_back, FALSE);
  show_page (self, PAGE_PROGRESS);
}

static void
begin_create (RefractNewMachineDialog *self,
              gboolean                 start)
{
  self->creating = TRUE;
  begin_progress_page (self);
  self->create_cancellable = g_cancellable_new ();
  refract_machine_create_async (self->connection, self->spec, start, create_progress, self,
                                self->create_cancellable, created, g_object_ref (self));
}

/* ---- navigation ----------------------------------------------------------- */

static void
page_changed_cb (RefractNewMachineDialog *self)
{
  Page page = current_page (self);

  ensure_page (self, page);
  load_from_spec (self);
  switch (page)
    {
    case PAGE_OS:
      show_detection (self);
      fill_os_list (self);
      break;
    case PAGE_SUMMARY:
      fill_summary (self);
      break;
    case PAGE_CUSTOMIZE:
      update_xml (self);
      break;
    case PAGE_SOURCE:
    case PAGE_RESOURCES:
    case PAGE_STORAGE:
    case PAGE_NETWORK:
    case PAGE_PROGRESS:
    case N_PAGES:
    default:
      break;
    }
  revalidate (self);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RefractNewMachineDialog *self = REFRACT_NEW_MACHINE_DIALOG (widget);
  Page page = current_page (self);

  if (page_problem (self, page) != NULL)
    return;
  if (page < PAGE_SUMMARY)
    show_page (self, page + 1);
  else if (page == PAGE_SUMMARY && gtk_switch_get_active (self->customize_switch))
    show_page (self, PAGE_CUSTOMIZE);
  else if (page == PAGE_SUMMARY)
    begin_create (self, gtk_switch_get_active (self->start_switch));
  else if (page == PAGE_CUSTOMIZE)
    begin_create (self, TRUE);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RefractNewMachineDialog *self = REFRACT_NEW_MACHINE_DIALOG (widget);
  Page page = current_page (self);

  if (page == PAGE_PROGRESS && self->failed)
    show_page (self, self->customize_switch != NULL && gtk_switch_get_active (self->customize_switch)
                     ? PAGE_CUSTOMIZE : PAGE_SUMMARY);
  else if (page == PAGE_CUSTOMIZE)
    show_page (self, PAGE_SUMMARY);
  else if (page > PAGE_SOURCE && page < N_STEPS)
    show_page (self, page - 1);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RefractNewMachineDialog *self = REFRACT_NEW_MACHINE_DIALOG (widget);

  if (self->progress_label != NULL)
    gtk_label_set_label (self->progress_label, _("Stopping and removing what was made…"));
  g_cancellable_cancel (self->create_cancellable);
}

/* Closing while the machine is being made stops it, and the window goes once
 * the creator has removed what it made. */
static gboolean
refract_new_machine_dialog_close_request (GtkWindow *window)
{
  RefractNewMachineDialog *self = REFRACT_NEW_MACHINE_DIALOG (window);

  if (!self->creating)
    return GTK_WINDOW_CLASS (refract_new_machine_dialog_parent_class)->close_request (window);
  self->close_when_done = TRUE;
  stop_action (GTK_WIDGET (self), NULL, NULL);
  return TRUE;
}

/* ---- the pages after the first -------------------------------------------- */

/* What each page's widgets are called in refract-new-machine-pages.ui. */
typedef struct
{
  Page        page;
  const char *id;
  goffset     offset;
} LazyChild;

#define LAZY(page, name) { page, #name, G_STRUCT_OFFSET (RefractNewMachineDialog, name) }

static const LazyChild lazy_children[] = {
  LAZY (PAGE_OS, detect_group), LAZY (PAGE_OS, detect_row), LAZY (PAGE_OS, detect_spinner),
  LAZY (PAGE_OS, os_search), LAZY (PAGE_OS, os_list),

  LAZY (PAGE_RESOURCES, vcpus_row), LAZY (PAGE_RESOURCES, vcpus_spin), LAZY (PAGE_RESOURCES, memory_row),
  LAZY (PAGE_RESOURCES, memory_spin), LAZY (PAGE_RESOURCES, bios_row), LAZY (PAGE_RESOURCES, bios_check),
  LAZY (PAGE_RESOURCES, uefi_row), LAZY (PAGE_RESOURCES, uefi_check), LAZY (PAGE_RESOURCES, secure_row),
  LAZY (PAGE_RESOURCES, secure_check),

  LAZY (PAGE_STORAGE, pool_missing_group), LAZY (PAGE_STORAGE, pool_missing_row),
  LAZY (PAGE_STORAGE, create_pool_button), LAZY (PAGE_STORAGE, new_disk_group), LAZY (PAGE_STORAGE, new_disk_check),
  LAZY (PAGE_STORAGE, size_row), LAZY (PAGE_STORAGE, size_spin), LAZY (PAGE_STORAGE, no_disk_check),
  LAZY (PAGE_STORAGE, import_group), LAZY (PAGE_STORAGE, in_place_check), LAZY (PAGE_STORAGE, copy_check),
  LAZY (PAGE_STORAGE, convert_check), LAZY (PAGE_STORAGE, convert_row), LAZY (PAGE_STORAGE, pool_row),
  LAZY (PAGE_STORAGE, bus_row),

  LAZY (PAGE_NETWORK, nat_row), LAZY (PAGE_NETWORK, nat_check), LAZY (PAGE_NETWORK, network_name_row),
  LAZY (PAGE_NETWORK, bridge_row), LAZY (PAGE_NETWORK, bridge_check), LAZY (PAGE_NETWORK, bridge_name_row),
  LAZY (PAGE_NETWORK, user_row), LAZY (PAGE_NETWORK, user_check), LAZY (PAGE_NETWORK, forwards_row),
  LAZY (PAGE_NETWORK, no_network_check), LAZY (PAGE_NETWORK, spice_qxl_row), LAZY (PAGE_NETWORK, spice_qxl_check),
  LAZY (PAGE_NETWORK, spice_gl_row), LAZY (PAGE_NETWORK, spice_gl_check), LAZY (PAGE_NETWORK, vnc_row),
  LAZY (PAGE_NETWORK, vnc_check), LAZY (PAGE_NETWORK, serial_row), LAZY (PAGE_NETWORK, serial_check),
  LAZY (PAGE_NETWORK, remote_row), LAZY (PAGE_NETWORK, listen_row), LAZY (PAGE_NETWORK, password_row),
  LAZY (PAGE_NETWORK, sound_row), LAZY (PAGE_NETWORK, sound_switch), LAZY (PAGE_NETWORK, tpm_row),
  LAZY (PAGE_NETWORK, tpm_switch), LAZY (PAGE_NETWORK, usb_row), LAZY (PAGE_NETWORK, usb_spin),
  LAZY (PAGE_NETWORK, agent_switch), LAZY (PAGE_NETWORK, share_row), LAZY (PAGE_NETWORK, share_path_row),
  LAZY (PAGE_NETWORK, share_button), LAZY (PAGE_NETWORK, share_tag_row), LAZY (PAGE_NETWORK, share_kind_row),
  LAZY (PAGE_NETWORK, autostart_row), LAZY (PAGE_NETWORK, autostart_switch),

  LAZY (PAGE_SUMMARY, name_row), LAZY (PAGE_SUMMARY, title_row), LAZY (PAGE_SUMMARY, summary_group),
  LAZY (PAGE_SUMMARY, customize_switch), LAZY (PAGE_SUMMARY, start_switch),

  LAZY (PAGE_CUSTOMIZE, c_name_row), LAZY (PAGE_CUSTOMIZE, c_vcpus_row), LAZY (PAGE_CUSTOMIZE, c_vcpus_spin),
  LAZY (PAGE_CUSTOMIZE, c_memory_row), LAZY (PAGE_CUSTOMIZE, c_memory_spin), LAZY (PAGE_CUSTOMIZE, c_firmware_row),
  LAZY (PAGE_CUSTOMIZE, c_bus_row), LAZY (PAGE_CUSTOMIZE, c_nic_row), LAZY (PAGE_CUSTOMIZE, c_display_row),
  LAZY (PAGE_CUSTOMIZE, c_sound_row), LAZY (PAGE_CUSTOMIZE, c_sound_switch), LAZY (PAGE_CUSTOMIZE, c_tpm_row),
  LAZY (PAGE_CUSTOMIZE, c_tpm_switch), LAZY (PAGE_CUSTOMIZE, c_usb_row), LAZY (PAGE_CUSTOMIZE, c_usb_spin),
  LAZY (PAGE_CUSTOMIZE, xml_view),

  LAZY (PAGE_PROGRESS, progress_status), LAZY (PAGE_PROGRESS, progress_bar), LAZY (PAGE_PROGRESS, progress_label),
  LAZY (PAGE_PROGRESS, progress_cancel), LAZY (PAGE_PROGRESS, progress_back),
};

#undef LAZY

/* Each page's outermost object in refract-new-machine-pages.ui, and the
 * placeholder in the template that takes it. */
static const char * const page_objects[N_PAGES] = {
  NULL, "os_page", "resources_page", "storage_page", "network_page", "summary_page", "customize_box",
  "progress_status",
};
static const char * const page_bins[N_PAGES] = {
  NULL, "os_bin", "resources_bin", "storage_bin", "network_bin", "summary_bin", "customize_bin", "progress_bin",
};

/* the handlers of the signals in refract-new-machine-pages.ui */
static GtkBuilderScope *page_scope;

static void remember_subtitles (RefractNewMachineDialog *self);

/* Builds @page if it was never shown, and fills it as if it had always been
 * there: the host's choices, the spec, the problems under its rows. */
static void
ensure_page (RefractNewMachineDialog *self,
             Page                     page)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  const char *objects[] = { page_objects[page], NULL };
  gboolean was_loading = self->loading;

  if (page == PAGE_SOURCE || page >= N_PAGES || self->built[page])
    return;

  self->loading = TRUE;
  builder = gtk_builder_new ();
  gtk_builder_set_scope (builder, page_scope);
  gtk_builder_set_current_object (builder, G_OBJECT (self));
  if (!gtk_builder_add_objects_from_resource (builder, RESOURCE_BASE_PATH "/refract-new-machine-pages.ui",
                                              objects, &error))
    g_error ("refract-new-machine-pages.ui: %s", error->message);
  for (guint i = 0; i < G_N_ELEMENTS (lazy_children); i++)
    if (lazy_children[i].page == page)
      {
        GObject *object = gtk_builder_get_object (builder, lazy_children[i].id);

        g_assert (object != NULL);
        G_STRUCT_MEMBER (gpointer, self, lazy_children[i].offset) = object;
      }
  adw_bin_set_child (ADW_BIN (self->bins[page]), GTK_WIDGET (gtk_builder_get_object (builder, objects[0])));
  self->built[page] = TRUE;

  remember_subtitles (self);
  setup_slots (self, page);
  if (page == PAGE_NETWORK)
    load_network_names (self);
  if (page == PAGE_STORAGE)
    load_pool_names (self);
  if (self->caps != NULL)
    offer_host_features (self);
  /* as it was last said, or as the page comes until then */
  if (page == PAGE_OS && self->detection_shown)
    show_detection (self);
  /* only this page: the others stay as they were, to be loaded when shown */
  switch (page)
    {
    case PAGE_RESOURCES:
      set_bounds (self, self->vcpus_spin, self->memory_spin);
      load_resources (self);
      break;
    case PAGE_STORAGE:
      load_storage (self);
      break;
    case PAGE_NETWORK:
      load_network (self);
      break;
    case PAGE_SUMMARY:
      load_summary (self);
      break;
    case PAGE_CUSTOMIZE:
      set_bounds (self, self->c_vcpus_spin, self->c_memory_spin);
      load_customize (self);
      break;
    case PAGE_SOURCE:
    case PAGE_OS:
    case PAGE_PROGRESS:
    case N_PAGES:
    default:
      break;
    }
  show_field_errors (self);
  self->loading = was_loading;
}

/* Once the first page is on screen, the others are built in the background,
 * one per idle, so that Next rarely waits for one. */
static gboolean
prebuild_pages (gpointer user_data)
{
  RefractNewMachineDialog *self = user_data;

  for (Page page = PAGE_SOURCE + 1; page < N_PAGES && !gtk_widget_in_destruction (GTK_WIDGET (self)); page++)
    if (!self->built[page])
      {
        ensure_page (self, page);
        return G_SOURCE_CONTINUE;
      }
  self->prebuild_idle = 0;
  return G_SOURCE_REMOVE;
}

static void
first_frame_painted (RefractNewMachineDialog *self,
                     GdkFrameClock           *clock)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted, self);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)) && self->prebuild_idle == 0)
    self->prebuild_idle = g_idle_add_full (G_PRIORITY_LOW, prebuild_pages, self, NULL);
}

static void
refract_new_machine_dialog_map (GtkWidget *widget)
{
  RefractNewMachineDialog *self = REFRACT_NEW_MACHINE_DIALOG (widget);

  GTK_WIDGET_CLASS (refract_new_machine_dialog_parent_class)->map (widget);
  if (self->prebuild_started)
    return;
  self->prebuild_started = TRUE;
  g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                           G_CALLBACK (first_frame_painted), self, G_CONNECT_SWAPPED);
}

/* ---- GObject -------------------------------------------------------------- */

static void
remember_subtitles (RefractNewMachineDialog *self)
{
  GtkWidget *rows[] = {
    self->nat_row, self->bridge_row, self->spice_qxl_row, self->spice_gl_row, self->vnc_row,
    self->sound_row, self->tpm_row, self->usb_row, self->uefi_row, self->secure_row,
    GTK_WIDGET (self->share_row), self->c_sound_row, self->c_tpm_row, self->c_usb_row,
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *subtitle;

      /* once, before the host's reasons replace them */
      if (rows[i] == NULL || g_object_get_data (G_OBJECT (rows[i]), "refract-subtitle-kept") != NULL)
        continue;
      g_object_set_data (G_OBJECT (rows[i]), "refract-subtitle-kept", GINT_TO_POINTER (TRUE));
      subtitle = ADW_IS_ACTION_ROW (rows[i]) ? adw_action_row_get_subtitle (ADW_ACTION_ROW (rows[i]))
                                                         : adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (rows[i]));
      g_object_set_data_full (G_OBJECT (rows[i]), "refract-subtitle", g_strdup (subtitle), g_free);
    }
}

static void
refract_new_machine_dialog_dispose (GObject *object)
{
  RefractNewMachineDialog *self = (RefractNewMachineDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->detect_cancellable);
  g_clear_handle_id (&self->detect_timeout, g_source_remove);
  g_clear_handle_id (&self->prebuild_idle, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_NEW_MACHINE_DIALOG);
  /* went with the template's widgets */
  for (guint i = 0; i < G_N_ELEMENTS (lazy_children); i++)
    G_STRUCT_MEMBER (gpointer, self, lazy_children[i].offset) = NULL;
  g_clear_object (&self->cancellable);
  g_clear_object (&self->detect_cancellable);
  g_clear_object (&self->create_cancellable);
  g_clear_object (&self->caps);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->pools, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->summary_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (refract_new_machine_dialog_parent_class)->dispose (object);
}

static void
refract_new_machine_dialog_finalize (GObject *object)
{
  RefractNewMachineDialog *self = (RefractNewMachineDialog *)object;

  g_clear_pointer (&self->spec, refract_machine_spec_free);
  g_clear_pointer (&self->os_info, refract_os_info_free);
  g_clear_error (&self->caps_error);
  g_free (self->forwards_error);
  g_free (self->preset_id);
  g_free (self->detect_message);
  g_free (self->detected_path);

  G_OBJECT_CLASS (refract_new_machine_dialog_parent_class)->finalize (object);
}

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, RefractNewMachineDialog, name)
#define CALLBACK(name) gtk_widget_class_bind_template_callback (widget_class, name)
#define PAGE_CALLBACK(name) gtk_builder_cscope_add_callback (page_scope, name)

static void
refract_new_machine_dialog_class_init (RefractNewMachineDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = refract_new_machine_dialog_dispose;
  object_class->finalize = refract_new_machine_dialog_finalize;
  window_class->close_request = refract_new_machine_dialog_close_request;
  widget_class->map = refract_new_machine_dialog_map;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-new-machine-dialog.ui");
  BIND (window_title); BIND (cancel_button); BIND (back_button); BIND (next_button); BIND (stack);
  BIND (problem_revealer); BIND (problem_icon); BIND (problem_spinner); BIND (problem_label);
  BIND (connection_group); BIND (connection_row); BIND (preset_box); BIND (iso_row); BIND (iso_check);
  BIND (import_check); BIND (pxe_check); BIND (files_group); BIND (media_row); BIND (media_button);
  BIND (image_row); BIND (image_button);
  for (Page page = PAGE_SOURCE + 1; page < N_PAGES; page++)
    gtk_widget_class_bind_template_child_full (widget_class, page_bins[page], FALSE,
                                               G_STRUCT_OFFSET (RefractNewMachineDialog, bins)
                                               + page * sizeof (GtkWidget *));

  CALLBACK (page_changed_cb); CALLBACK (connection_changed_cb); CALLBACK (preset_activated_cb);
  CALLBACK (source_toggled_cb); CALLBACK (media_changed_cb); CALLBACK (image_changed_cb);
  CALLBACK (choose_media_cb); CALLBACK (choose_image_cb);

  page_scope = gtk_builder_cscope_new ();
  PAGE_CALLBACK (choose_share_cb); PAGE_CALLBACK (os_search_changed_cb); PAGE_CALLBACK (os_row_activated_cb);
  PAGE_CALLBACK (vcpus_changed_cb); PAGE_CALLBACK (memory_changed_cb); PAGE_CALLBACK (firmware_toggled_cb);
  PAGE_CALLBACK (create_pool_cb); PAGE_CALLBACK (disk_mode_toggled_cb); PAGE_CALLBACK (import_mode_toggled_cb);
  PAGE_CALLBACK (size_changed_cb); PAGE_CALLBACK (pool_changed_cb); PAGE_CALLBACK (bus_changed_cb);
  PAGE_CALLBACK (network_toggled_cb); PAGE_CALLBACK (network_name_changed_cb); PAGE_CALLBACK (bridge_name_changed_cb);
  PAGE_CALLBACK (forwards_changed_cb); PAGE_CALLBACK (display_toggled_cb); PAGE_CALLBACK (remote_changed_cb);
  PAGE_CALLBACK (devices_changed_cb); PAGE_CALLBACK (share_changed_cb);
  PAGE_CALLBACK (name_changed_cb); PAGE_CALLBACK (title_changed_cb); PAGE_CALLBACK (customize_toggled_cb);
  PAGE_CALLBACK (c_name_changed_cb); PAGE_CALLBACK (c_changed_cb);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "wizard.stop", NULL, stop_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "wizard.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "wizard.next", NULL);
}

#undef BIND
#undef CALLBACK
#undef PAGE_CALLBACK

static void
refract_new_machine_dialog_init (RefractNewMachineDialog *self)
{
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->loading = FALSE;

  self->spec = refract_machine_spec_new ();
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->summary_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  remember_subtitles (self);
  setup_slots (self, PAGE_SOURCE);
  fill_presets (self);
}

RefractNewMachineDialog *
refract_new_machine_dialog_new (RefractApplication *app,
                                RefractConnection  *connection)
{
  RefractNewMachineDialog *self;

  g_return_val_if_fail (REFRACT_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (REFRACT_IS_CONNECTION (connection), NULL);

  self = g_object_new (REFRACT_TYPE_NEW_MACHINE_DIALOG, NULL);
  self->app = app;
  self->connection = g_object_ref (connection);
  fill_connections (self);
  refract_machine_spec_set_defaults (self->spec, NULL);
  load_caps (self);
  load_from_spec (self);
  revalidate (self);
  return self;
}

/* ---- for tests ------------------------------------------------------------ */

const char *
_refract_new_machine_dialog_get_page (RefractNewMachineDialog *self)
{
  return page_names[current_page (self)];
}

RefractHostCaps *
_refract_new_machine_dialog_get_caps (RefractNewMachineDialog *self)
{
  return self->caps;
}

RefractMachineSpec *
_refract_new_machine_dialog_get_spec (RefractNewMachineDialog *self)
{
  return self->spec;
}

RefractConnection *
_refract_new_machine_dialog_get_connection (RefractNewMachineDialog *self)
{
  return self->connection;
}

void
_refract_new_machine_dialog_revalidate (RefractNewMachineDialog *self)
{
  load_from_spec (self);
  revalidate (self);
}

GtkWidget *
_refract_new_machine_dialog_get_preset_card (RefractNewMachineDialog *self,
                                             const char              *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->preset_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "refract-preset"), id) == 0)
      return child;
  return NULL;
}

const char *
_refract_new_machine_dialog_get_problem (RefractNewMachineDialog *self)
{
  return gtk_revealer_get_reveal_child (self->problem_revealer) ? gtk_label_get_label (self->problem_label) : NULL;
}

GtkLabel *
_refract_new_machine_dialog_get_field_error (RefractNewMachineDialog *self,
                                             RefractSpecField         field)
{
  Page page = current_page (self);

  for (guint i = 0; i < self->n_slots; i++)
    if (self->slots[i].field == field && self->slots[i].page == page
        && gtk_widget_get_visible (self->slots[i].error_row))
      return self->slots[i].error_label;
  return NULL;
}

GtkTextView *
_refract_new_machine_dialog_get_xml_view (RefractNewMachineDialog *self)
{
  return self->xml_view;
}

/* The progress page as it looks while a machine is made, without making one
 * (creation on a test host is over before a frame is drawn); FALSE goes back. */
void
_refract_new_machine_dialog_preview_progress (RefractNewMachineDialog *self,
                                              gboolean                 preview)
{
  self->creating = preview;
  if (!preview)
    {
      show_page (self, PAGE_SUMMARY);
      return;
    }
  begin_progress_page (self);
  update_navigation (self);
  create_progress (0.42, _("Creating the disk"), self);
}
