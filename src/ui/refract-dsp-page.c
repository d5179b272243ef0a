/* refract-dsp-page.c: a machine's CPU pinning, hugepages and real-time settings
 *
 * A grid of the host's CPUs (packages, cores, SMT siblings side by side)
 * shows what each CPU is for; clicking or dragging over CPUs gives them to
 * the vCPU, emulator or iothread chosen above. Every change is validated
 * again at once; Apply defines the edited XML and, for a running machine,
 * pins it live.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-dsp-config.h"
#include "refract-dsp-page.h"
#include "refract-drafts.h"
#include "refract-dsp-validate.h"
#include "refract-host-topology.h"
#include "refract-window.h"

typedef enum
{
  TARGET_VCPU,
  TARGET_EMULATOR,
  TARGET_IOTHREAD,
} TargetKind;

typedef struct
{
  TargetKind kind;
  guint      id;
} Target;

typedef struct
{
  GtkWidget *button;
  GtkLabel  *role;
  guint      cpu;
} Cell;

struct _RefractDspPage
{
  AdwBin               parent_instance;

  RefractMachine      *machine;
  GCancellable        *cancellable;
  guint                pending;
  GError              *load_error;
  gboolean             loaded;
  gboolean             updating;
  guint                update_id;

  RefractHostTopology *topology;
  RefractDspConfig    *config;   /* edited */
  RefractDspConfig    *saved;    /* as loaded, for the summary */
  GPtrArray           *others;   /* RefractDspConfig* of the host's other machines */
  GPtrArray           *findings;
  GArray              *targets;  /* Target */
  GArray              *cells;    /* Cell */
  GPtrArray           *check_rows;

  /* dragging over the grid */
  gboolean             drag_adds;
  RefractCpuSet        dragged;

  GtkStack            *stack;
  GtkSpinner          *spinner;
  AdwStatusPage       *error_page;
  AdwComboRow         *target_row;
  GtkBox              *grid_box;
  GtkFlowBox          *legend_box;
  AdwPreferencesGroup *checks_group;
  AdwComboRow         *hugepages_row;
  GtkSwitch           *locked_switch;
  GtkSpinButton       *hard_limit_spin;
  AdwComboRow         *sched_row;
  AdwActionRow        *priority_row;
  GtkSpinButton       *priority_spin;
  GtkLabel            *kernel_label;
  GtkLabel            *nixos_label;
  GtkWidget           *kernel_copy;
  GtkWidget           *nixos_copy;
  GtkLabel            *changes_label;
  GtkWidget           *apply_button;
  GtkWidget           *revert_button;

  gboolean             modified;
};

G_DEFINE_FINAL_TYPE (RefractDspPage, refract_dsp_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Edits not applied when the page goes to another machine: kept until it
 * comes back to this one (refract-drafts.h). */
typedef struct
{
  RefractDspConfig *config;
  RefractDspConfig *saved;
} DspDraft;

static void
dsp_draft_free (gpointer data)
{
  DspDraft *draft = data;

  g_clear_object (&draft->config);
  g_clear_object (&draft->saved);
  g_free (draft);
}

static const guint64 page_sizes[] = { 0, 2048, 1048576 };

static void update_all (RefractDspPage *self);

/* ---- feedback ----------------------------------------------------------- */

static void
copy_text (RefractDspPage *self, const char *text)
{
  refract_window_copy_for (GTK_WIDGET (self), text);
}

static char *
set_text (const RefractCpuSet *set)
{
  return refract_cpu_set_is_empty (set) ? g_strdup (_("none")) : refract_cpu_set_format (set);
}

/* ---- targets: what clicking a CPU assigns ------------------------------- */

static char *
target_name (const Target *target)
{
  switch (target->kind)
    {
    case TARGET_VCPU: return g_strdup_printf (_("vCPU %u"), target->id);
    case TARGET_EMULATOR: return g_strdup (_("Emulator"));
    case TARGET_IOTHREAD: return g_strdup_printf (_("I/O thread %u"), target->id);
    default: g_assert_not_reached ();
    }
}

/* for the grid's cells */
static char *
target_short_name (const Target *target)
{
  switch (target->kind)
    {
    case TARGET_VCPU: return g_strdup_printf (_("vCPU %u"), target->id);
    /* Translators: the emulator thread, in a CPU cell about 9 characters wide */
    case TARGET_EMULATOR: return g_strdup (_("emulator"));
    /* Translators: I/O thread 1, in a CPU cell about 9 characters wide */
    case TARGET_IOTHREAD: return g_strdup_printf (_("I/O %u"), target->id);
    default: g_assert_not_reached ();
    }
}

static void
target_get (RefractDspPage *self, const Target *target, RefractCpuSet *set)
{
  switch (target->kind)
    {
    case TARGET_VCPU: refract_dsp_config_get_vcpu_pin (self->config, target->id, set); break;
    case TARGET_EMULATOR: refract_dsp_config_get_emulator_pin (self->config, set); break;
    case TARGET_IOTHREAD: refract_dsp_config_get_iothread_pin (self->config, target->id, set); break;
    default: g_assert_not_reached ();
    }
}

static void
target_set (RefractDspPage *self, const Target *target, const RefractCpuSet *set)
{
  const RefractCpuSet *value = refract_cpu_set_is_empty (set) ? NULL : set;

  switch (target->kind)
    {
    case TARGET_VCPU: refract_dsp_config_set_vcpu_pin (self->config, target->id, value); break;
    case TARGET_EMULATOR: refract_dsp_config_set_emulator_pin (self->config, value); break;
    case TARGET_IOTHREAD: refract_dsp_config_set_iothread_pin (self->config, target->id, value); break;
    default: g_assert_not_reached ();
    }
}

static const Target *
current_target (RefractDspPage *self)
{
  guint selected = adw_combo_row_get_selected (self->target_row);

  if (self->targets == NULL || selected >= self->targets->len)
    return NULL;
  return &g_array_index (self->targets, Target, selected);
}

static void
fill_targets (RefractDspPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint vcpus = self->config ? refract_dsp_config_get_vcpus (self->config) : 0;
  guint iothreads = self->config ? refract_dsp_config_get_iothreads (self->config) : 0;

  g_array_set_size (self->targets, 0);
  for (guint i = 0; i < vcpus; i++)
    g_array_append_val (self->targets, ((Target) { TARGET_VCPU, i }));
  g_array_append_val (self->targets, ((Target) { TARGET_EMULATOR, 0 }));
  for (guint i = 1; i <= iothreads; i++)
    g_array_append_val (self->targets, ((Target) { TARGET_IOTHREAD, i }));
  for (guint i = 0; i < self->targets->len; i++)
    {
      g_autofree char *name = target_name (&g_array_index (self->targets, Target, i));
      gtk_string_list_append (names, name);
    }
  self->updating = TRUE;
  adw_combo_row_set_model (self->target_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->target_row, 0);
  self->updating = FALSE;
}

/* Adds @cpu to the chosen target's set, or takes it away. */
static void
assign_cpu (RefractDspPage *self, guint cpu, gboolean add)
{
  const Target *target = current_target (self);
  RefractCpuSet set;

  if (target == NULL)
    return;
  target_get (self, target, &set);
  if (add == refract_cpu_set_has (&set, cpu))
    return;
  if (add)
    refract_cpu_set_add (&set, cpu);
  else
    refract_cpu_set_remove (&set, cpu);
  target_set (self, target, &set);
}

static gboolean
target_has (RefractDspPage *self, guint cpu)
{
  const Target *target = current_target (self);
  RefractCpuSet set;

  if (target == NULL)
    return FALSE;
  target_get (self, target, &set);
  return refract_cpu_set_has (&set, cpu);
}

/* ---- the CPU grid ------------------------------------------------------- */

static const char * const role_classes[] = {
  "refract-cpu-offline", "refract-cpu-vcpu", "refract-cpu-helper",
  "refract-cpu-other", "refract-cpu-isolated", "refract-cpu-housekeeping",
};

enum { ROLE_OFFLINE, ROLE_VCPU, ROLE_HELPER, ROLE_OTHER, ROLE_ISOLATED, ROLE_HOUSEKEEPING };

static const char *
other_machine_on (RefractDspPage *self, guint cpu)
{
  for (guint i = 0; self->others && i < self->others->len; i++)
    {
      RefractDspConfig *other = g_ptr_array_index (self->others, i);
      RefractCpuSet cpus = refract_dsp_config_get_vcpu_cpus (other);

      RefractConnection *connection = refract_machine_get_connection (self->machine);
      RefractMachine *machine;

      if (!refract_cpu_set_has (&cpus, cpu))
        continue;
      machine = refract_machine_list_find_by_name (refract_connection_get_machines (connection),
                                                   refract_dsp_config_get_name (other));
      return machine ? refract_machine_get_display_name (machine) : refract_dsp_config_get_name (other);
    }
  return NULL;
}

/* What this machine runs on @cpu, as "vCPU 0, emulator", or NULL. */
static char *
own_uses (RefractDspPage *self, guint cpu, gboolean short_, gboolean *vcpu)
{
  g_autoptr(GString) text = g_string_new (NULL);

  *vcpu = FALSE;
  for (guint i = 0; i < self->targets->len; i++)
    {
      const Target *target = &g_array_index (self->targets, Target, i);
      g_autofree char *name = NULL;
      RefractCpuSet set;

      target_get (self, target, &set);
      if (!refract_cpu_set_has (&set, cpu))
        continue;
      *vcpu |= target->kind == TARGET_VCPU;
      name = short_ ? target_short_name (target) : target_name (target);
      g_string_append_printf (text, "%s%s", text->len ? ", " : "", name);
    }
  return text->len ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static void
update_cell (RefractDspPage *self, Cell *cell)
{
  const RefractHostCpu *cpu = refract_host_topology_find_cpu (self->topology, cell->cpu);
  const RefractCpuSet *isolated = refract_host_topology_get_isolated (self->topology);
  gboolean isolated_here = isolated != NULL && refract_cpu_set_has (isolated, cell->cpu);
  const char *other = other_machine_on (self, cell->cpu);
  gboolean vcpu;
  g_autofree char *uses = own_uses (self, cell->cpu, FALSE, &vcpu);
  g_autofree char *short_uses = own_uses (self, cell->cpu, TRUE, &vcpu);
  g_autoptr(GString) tip = g_string_new (NULL);
  const char *short_text;
  guint role;

  if (!cpu->online)
    role = ROLE_OFFLINE, short_text = _("offline");
  else if (uses != NULL)
    role = vcpu ? ROLE_VCPU : ROLE_HELPER, short_text = short_uses;
  else if (other != NULL)
    role = ROLE_OTHER, short_text = other;
  else if (isolated_here)
    role = ROLE_ISOLATED, short_text = _("isolated");
  else
    role = ROLE_HOUSEKEEPING, short_text = _("host");

  for (guint i = 0; i < G_N_ELEMENTS (role_classes); i++)
    (i == role ? gtk_widget_add_css_class : gtk_widget_remove_css_class) (cell->button, role_classes[i]);
  if (target_has (self, cell->cpu))
    gtk_widget_add_css_class (cell->button, "refract-cpu-target");
  else
    gtk_widget_remove_css_class (cell->button, "refract-cpu-target");
  gtk_label_set_label (cell->role, short_text);

  g_string_printf (tip, _("CPU %u"), cell->cpu);
  if (cpu->core >= 0)
    g_string_append_printf (tip, _(", core %d"), cpu->core);
  if (!cpu->online)
    g_string_append_printf (tip, "\n%s", _("Offline"));
  g_string_append_printf (tip, "\n%s", isolated == NULL ? _("Isolation unknown on this host")
                                       : isolated_here ? _("Isolated from the host’s own work")
                                       : _("Housekeeping: the host’s own work runs here"));
  if (uses != NULL)
    g_string_append_printf (tip, "\n%s %s", _("This machine:"), uses);
  if (other != NULL)
    g_string_append_printf (tip, "\n%s %s", _("Also pinned by:"), other);
  gtk_widget_set_tooltip_text (cell->button, tip->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tip->str, -1);
}

static Cell *
find_cell (RefractDspPage *self, GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    for (guint i = 0; i < self->cells->len; i++)
      if (g_array_index (self->cells, Cell, i).button == widget)
        return &g_array_index (self->cells, Cell, i);
  return NULL;
}

static void
cell_clicked (GtkButton      *button,
              RefractDspPage *self)
{
  Cell *cell = find_cell (self, GTK_WIDGET (button));

  if (cell != NULL)
    assign_cpu (self, cell->cpu, !target_has (self, cell->cpu));
}

static Cell *
cell_at (RefractDspPage *self, double x, double y)
{
  return find_cell (self, gtk_widget_pick (GTK_WIDGET (self->grid_box), x, y, GTK_PICK_DEFAULT));
}

/* A press starts a drag: the first CPU decides whether the drag adds or
 * removes, every CPU passed over then follows. */
static void
drag_begin (GtkGestureDrag *gesture,
            double          x,
            double          y,
            RefractDspPage *self)
{
  Cell *cell = cell_at (self, x, y);

  if (cell == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  refract_cpu_set_clear (&self->dragged);
  refract_cpu_set_add (&self->dragged, cell->cpu);
  self->drag_adds = !target_has (self, cell->cpu);
  gtk_widget_grab_focus (cell->button);
  assign_cpu (self, cell->cpu, self->drag_adds);
}

static void
drag_update (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             RefractDspPage *self)
{
  double x, y;
  Cell *cell;

  gtk_gesture_drag_get_start_point (gesture, &x, &y);
  cell = cell_at (self, x + dx, y + dy);
  if (cell == NULL || refract_cpu_set_has (&self->dragged, cell->cpu))
    return;
  refract_cpu_set_add (&self->dragged, cell->cpu);
  assign_cpu (self, cell->cpu, self->drag_adds);
}

static GtkWidget *
new_cell (RefractDspPage *self, guint cpu)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autofree char *number = g_strdup_printf ("%u", cpu);
  GtkWidget *label = gtk_label_new (number);
  GtkWidget *role = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new ();
  Cell cell = { button, GTK_LABEL (role), cpu };

  gtk_widget_add_css_class (label, "refract-cpu-number");
  gtk_widget_add_css_class (role, "refract-cpu-role");
  /* "emulator, I/O 1" takes two lines */
  gtk_label_set_wrap (GTK_LABEL (role), TRUE);
  gtk_label_set_lines (GTK_LABEL (role), 2);
  gtk_label_set_ellipsize (GTK_LABEL (role), PANGO_ELLIPSIZE_END);
  gtk_label_set_justify (GTK_LABEL (role), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (role), 9);
  gtk_label_set_width_chars (GTK_LABEL (role), 7);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), role);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "refract-cpu");
  g_signal_connect (button, "clicked", G_CALLBACK (cell_clicked), self);
  g_array_append_val (self->cells, cell);
  return button;
}

/* One box per core with its SMT siblings side by side. */
static GtkWidget *
new_core (RefractDspPage *self, const RefractHostCpu *cpu, RefractCpuSet *placed)
{
  GtkWidget *core = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  RefractCpuSet members = cpu->siblings;

  if (refract_cpu_set_is_empty (&members))
    refract_cpu_set_add (&members, cpu->id);
  gtk_widget_add_css_class (core, "refract-cpu-core");
  gtk_widget_set_halign (core, GTK_ALIGN_START);
  for (int id = refract_cpu_set_first (&members); id >= 0; id = refract_cpu_set_next (&members, id))
    if (refract_host_topology_find_cpu (self->topology, id) != NULL && !refract_cpu_set_has (placed, id))
      {
        gtk_box_append (GTK_BOX (core), new_cell (self, id));
        refract_cpu_set_add (placed, id);
      }
  return core;
}

static GtkWidget *
package_box (RefractDspPage *self, GHashTable *packages, int package)
{
  GtkWidget *flow = g_hash_table_lookup (packages, GINT_TO_POINTER (package));
  guint n_packages = refract_host_topology_get_n_packages (self->topology);

  if (flow != NULL)
    return flow;
  if (n_packages > 1)
    {
      g_autofree char *title = g_strdup_printf (_("Package %d"), MAX (package, 0));
      GtkWidget *label = gtk_label_new (title);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "heading");
      gtk_box_append (self->grid_box, label);
    }
  flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 8);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 6);
  gtk_box_append (self->grid_box, flow);
  g_hash_table_insert (packages, GINT_TO_POINTER (package), flow);
  return flow;
}

static void
build_grid (RefractDspPage *self)
{
  g_autoptr(GHashTable) packages = g_hash_table_new (NULL, NULL);
  RefractCpuSet placed;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid_box))) != NULL)
    gtk_box_remove (self->grid_box, child);
  g_array_set_size (self->cells, 0);
  refract_cpu_set_clear (&placed);

  for (guint i = 0; i < refract_host_topology_get_n_cpus (self->topology); i++)
    {
      const RefractHostCpu *cpu = refract_host_topology_get_cpu (self->topology, i);
      GtkWidget *flow;

      if (refract_cpu_set_has (&placed, cpu->id))
        continue;
      flow = package_box (self, packages, cpu->package);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), new_core (self, cpu, &placed));
    }
}

static void
build_legend (RefractDspPage *self)
{
  const char *names[] = {
    N_("Offline"), N_("This machine’s vCPUs"), N_("This machine’s emulator or I/O"),
    N_("Another machine"), N_("Isolated"), N_("Host (housekeeping)"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *swatch = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget *label = gtk_label_new (_(names[i]));

      gtk_widget_add_css_class (swatch, "refract-cpu-swatch");
      gtk_widget_add_css_class (swatch, role_classes[i]);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), swatch);
      gtk_box_append (GTK_BOX (box), label);
      gtk_flow_box_append (self->legend_box, box);
    }
}

/* ---- the checks --------------------------------------------------------- */

static void
fix_clicked (GtkButton      *button,
             RefractDspPage *self)
{
  const RefractDspFix *fix = g_object_get_data (G_OBJECT (button), "fix");

  /* the findings, and this button, are rebuilt by the change */
  if (refract_dsp_fix_is_applicable (fix))
    refract_dsp_fix_apply (fix, self->config);
  else if (fix->command != NULL)
    copy_text (self, fix->command);
}

static GtkWidget *
fix_button (RefractDspPage *self, RefractDspFinding *finding)
{
  gboolean applicable = refract_dsp_fix_is_applicable (finding->fix);
  GtkWidget *button;

  if (!applicable && finding->fix->command == NULL)
    return NULL;
  button = gtk_button_new_with_mnemonic (applicable ? _("_Fix") : _("_Copy Command"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, applicable ? finding->fix->label : finding->fix->command);
  g_object_set_data (G_OBJECT (button), "fix", finding->fix);
  g_signal_connect (button, "clicked", G_CALLBACK (fix_clicked), self);
  return button;
}

static GtkWidget *
finding_row (RefractDspPage *self, RefractDspFinding *finding)
{
  gboolean fail = finding->severity == REFRACT_DSP_SEVERITY_FAIL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (fail ? "dialog-error-symbolic" : "dialog-warning-symbolic");
  g_autofree char *subtitle = NULL;

  gtk_widget_set_name (row, finding->id);
  gtk_widget_add_css_class (icon, fail ? "error" : "warning");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  fail ? _("Fails") : _("Warning"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), finding->message);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  if (finding->fix != NULL)
    subtitle = g_strdup_printf ("%s · %s", fail ? _("Fails") : _("Warning"),
                                finding->fix->label ? finding->fix->label : finding->fix->command);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle ? subtitle : fail ? _("Fails") : _("Warning"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (finding->fix != NULL)
    {
      GtkWidget *button = fix_button (self, finding);

      if (button != NULL)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
update_checks (RefractDspPage *self)
{
  for (guint i = 0; i < self->check_rows->len; i++)
    adw_preferences_group_remove (self->checks_group, g_ptr_array_index (self->check_rows, i));
  g_ptr_array_set_size (self->check_rows, 0);

  g_clear_pointer (&self->findings, g_ptr_array_unref);
  self->findings = refract_dsp_validate (self->config, self->topology, self->others);
  for (guint i = 0; i < self->findings->len; i++)
    g_ptr_array_add (self->check_rows, finding_row (self, g_ptr_array_index (self->findings, i)));
  if (self->findings->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("emblem-ok-symbolic");

      gtk_widget_add_css_class (icon, "success");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No problems found"));
      g_ptr_array_add (self->check_rows, row);
    }
  for (guint i = 0; i < self->check_rows->len; i++)
    adw_preferences_group_add (self->checks_group, g_ptr_array_index (self->check_rows, i));
  adw_preferences_group_set_description (self->checks_group,
                                         refract_host_topology_get_is_local (self->topology) ? NULL
                                         : _("The host’s isolation and kernel settings can’t be read "
                                             "over this connection; only the machine is checked."));
}

/* ---- settings rows ------------------------------------------------------ */

static void
update_hugepages (RefractDspPage *self)
{
  guint64 size = refract_dsp_config_get_hugepage_size_kib (self->config);
  guint index = 0;
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (page_sizes); i++)
    if (page_sizes[i] == size)
      index = i;
  adw_combo_row_set_selected (self->hugepages_row, index);

  if (size == 0)
    subtitle = g_strdup (_("The guest’s memory comes from ordinary 4 KiB pages"));
  else
    {
      guint64 needed = refract_dsp_hugepages_needed (refract_dsp_config_get_memory_kib (self->config), size);
      const RefractHugepages *pages = refract_host_topology_find_hugepages (self->topology, size);
      g_autofree char *size_text = g_format_size_full (size * 1024, G_FORMAT_SIZE_IEC_UNITS);

      if (pages == NULL || pages->free < 0)
        subtitle = g_strdup_printf (_("Needs %llu pages of %s; free pages unknown"),
                                    (unsigned long long) needed, size_text);
      else
        subtitle = g_strdup_printf (_("Needs %llu pages of %s; %lld free on the host"),
                                    (unsigned long long) needed, size_text, (long long) pages->free);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->hugepages_row), subtitle);
}

static void
update_rows (RefractDspPage *self)
{
  guint priority = 1;
  RefractVcpuSched sched = refract_dsp_config_get_scheduler (self->config, &priority, NULL);

  update_hugepages (self);
  gtk_switch_set_active (self->locked_switch, refract_dsp_config_get_locked (self->config));
  gtk_spin_button_set_value (self->hard_limit_spin, refract_dsp_config_get_hard_limit_kib (self->config) / 1024.0);
  adw_combo_row_set_selected (self->sched_row, sched);
  gtk_spin_button_set_value (self->priority_spin, MAX (priority, 1));
  gtk_widget_set_sensitive (GTK_WIDGET (self->priority_row), sched != REFRACT_VCPU_SCHED_NONE);
}

static void
update_kernel (RefractDspPage *self)
{
  RefractCpuSet cpus = refract_dsp_config_get_vcpu_cpus (self->config);
  g_autofree char *line = NULL;
  g_autofree char *nixos = NULL;
  guint64 size = refract_dsp_config_get_hugepage_size_kib (self->config);

  if (refract_cpu_set_is_empty (&cpus))
    cpus = refract_dsp_suggest_cpus (self->topology, MAX (refract_dsp_config_get_vcpus (self->config), 1));
  line = refract_dsp_kernel_line (self->topology, &cpus);
  nixos = refract_dsp_kernel_line_nixos (self->topology, &cpus);
  if (size > 0)
    {
      guint64 pages = refract_dsp_hugepages_needed (refract_dsp_config_get_memory_kib (self->config), size);
      g_autofree char *huge = refract_dsp_hugepages_kernel (size, pages);
      char *joined = g_strdup_printf ("%s %s", line, huge);

      g_free (line);
      line = joined;
    }
  gtk_label_set_label (self->kernel_label, line);
  gtk_label_set_label (self->nixos_label, nixos);
}

static void
set_modified (RefractDspPage *self, gboolean modified)
{
  if (self->modified == modified)
    return;
  self->modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
update_changes (RefractDspPage *self)
{
  gboolean modified = refract_dsp_config_get_modified (self->config);

  gtk_widget_set_sensitive (self->apply_button, modified);
  gtk_widget_set_sensitive (self->revert_button, modified);
  gtk_label_set_label (self->changes_label, modified ? _("Changes not applied yet") : _("No changes"));
  set_modified (self, modified);
}

static void
update_all (RefractDspPage *self)
{
  if (self->config == NULL || self->topology == NULL)
    return;
  self->updating = TRUE;
  for (guint i = 0; i < self->cells->len; i++)
    update_cell (self, &g_array_index (self->cells, Cell, i));
  update_rows (self);
  update_checks (self);
  update_kernel (self);
  update_changes (self);
  self->updating = FALSE;
}

static gboolean
update_idle (gpointer user_data)
{
  RefractDspPage *self = user_data;

  self->update_id = 0;
  update_all (self);
  return G_SOURCE_REMOVE;
}

/* A fix may change several things at once, and the findings it came from
 * must outlive it: validate again once the change is complete. */
static void
config_changed (RefractDspPage *self)
{
  if (self->update_id == 0)
    self->update_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_idle, self, NULL);
}

static void
target_changed (RefractDspPage *self)
{
  if (!self->updating && self->config != NULL)
    for (guint i = 0; i < self->cells->len; i++)
      update_cell (self, &g_array_index (self->cells, Cell, i));
}

static void
hugepages_changed (RefractDspPage *self)
{
  guint index = adw_combo_row_get_selected (self->hugepages_row);

  if (!self->updating && self->config != NULL && index < G_N_ELEMENTS (page_sizes))
    refract_dsp_config_set_hugepage_size_kib (self->config, page_sizes[index]);
}

static void
locked_changed (RefractDspPage *self)
{
  if (!self->updating && self->config != NULL)
    refract_dsp_config_set_locked (self->config, gtk_switch_get_active (self->locked_switch));
}

static void
hard_limit_changed (RefractDspPage *self)
{
  guint64 mib = gtk_spin_button_get_value_as_int (self->hard_limit_spin);

  if (!self->updating && self->config != NULL
      && mib != refract_dsp_config_get_hard_limit_kib (self->config) / 1024)
    refract_dsp_config_set_hard_limit_kib (self->config, mib * 1024);
}

static void
sched_changed (RefractDspPage *self)
{
  if (!self->updating && self->config != NULL)
    refract_dsp_config_set_scheduler (self->config, adw_combo_row_get_selected (self->sched_row),
                                      gtk_spin_button_get_value_as_int (self->priority_spin));
}

static void
kernel_copy_clicked (RefractDspPage *self)
{
  copy_text (self, gtk_label_get_label (self->kernel_label));
}

static void
nixos_copy_clicked (RefractDspPage *self)
{
  copy_text (self, gtk_label_get_label (self->nixos_label));
}

/* ---- apply -------------------------------------------------------------- */

static void
summary_line (GString *text, const char *what, const char *before, const char *after)
{
  if (g_strcmp0 (before, after) != 0)
    /* Translators: "• vCPU 0: CPU 0 → 3,7" */
    g_string_append_printf (text, _("\n• %s: %s → %s"), what, before, after);
}

static void
summary_pins (GString *text, RefractDspPage *self)
{
  for (guint i = 0; i < self->targets->len; i++)
    {
      const Target *target = &g_array_index (self->targets, Target, i);
      g_autofree char *name = target_name (target);
      RefractCpuSet before, after;
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;
      RefractDspConfig *edited = self->config;

      target_get (self, target, &after);
      self->config = self->saved;
      target_get (self, target, &before);
      self->config = edited;
      a = set_text (&before);
      b = set_text (&after);
      summary_line (text, name, a, b);
    }
}

static char *
sched_text (RefractDspConfig *config)
{
  guint priority = 0;
  RefractVcpuSched sched = refract_dsp_config_get_scheduler (config, &priority, NULL);

  if (sched == REFRACT_VCPU_SCHED_NONE)
    return g_strdup (_("normal"));
  return g_strdup_printf (_("%s, priority %u"), refract_vcpu_sched_to_string (sched), priority);
}

static char *
size_text (guint64 kib)
{
  return kib ? g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS) : g_strdup (_("none"));
}

static char *
describe_changes (RefractDspPage *self)
{
  GString *text = g_string_new (NULL);
  RefractDspConfig *a = self->saved, *b = self->config;
  g_autofree char *sa = sched_text (a), *sb = sched_text (b);
  g_autofree char *ha = size_text (refract_dsp_config_get_hugepage_size_kib (a));
  g_autofree char *hb = size_text (refract_dsp_config_get_hugepage_size_kib (b));
  g_autofree char *la = size_text (refract_dsp_config_get_hard_limit_kib (a));
  g_autofree char *lb = size_text (refract_dsp_config_get_hard_limit_kib (b));

  summary_pins (text, self);
  summary_line (text, _("Scheduler"), sa, sb);
  summary_line (text, _("Hugepages"), ha, hb);
  summary_line (text, _("Locked memory"), refract_dsp_config_get_locked (a) ? _("yes") : _("no"),
                refract_dsp_config_get_locked (b) ? _("yes") : _("no"));
  summary_line (text, _("Memory hard limit"), la, lb);
  summary_line (text, _("Memory balloon"), refract_dsp_config_get_has_memballoon (a) ? _("yes") : _("no"),
                refract_dsp_config_get_has_memballoon (b) ? _("yes") : _("no"));
  summary_line (text, _("Host CPU passthrough"), refract_dsp_config_get_host_passthrough (a) ? _("yes") : _("no"),
                refract_dsp_config_get_host_passthrough (b) ? _("yes") : _("no"));
  if (text->len == 0)
    g_string_append_printf (text, "\n• %s", _("Other settings changed by a fix"));
  return g_string_free (text, FALSE);
}

static void reload_config (RefractDspPage *self);

static void
applied (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(RefractDspPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractDspApplyResult) outcome =
    refract_dsp_config_apply_finish (REFRACT_DSP_CONFIG (object), result, &error);
  g_autofree char *text = NULL;

  gtk_widget_set_sensitive (self->apply_button, TRUE);
  if (outcome == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        refract_window_error_for (GTK_WIDGET (self), error);
      return;
    }
  if (outcome->needs_restart != NULL && outcome->needs_restart[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", outcome->needs_restart);

      text = g_strdup_printf (outcome->applied_live ? _("Pinning applied now; at the next start: %s")
                                                    : _("Saved; at the next start: %s"), list);
    }
  else
    text = g_strdup (outcome->applied_live ? _("Applied to the running machine and saved")
                                           : _("Saved; used from the next start"));
  refract_window_toast_for (GTK_WIDGET (self), text);
  if (object == (GObject *) self->config)
    reload_config (self);
}

static void
apply_response (AdwMessageDialog *dialog,
                const char       *response,
                RefractDspPage   *self)
{
  RefractDspConfig *config = g_object_get_data (G_OBJECT (dialog), "config");

  if (g_strcmp0 (response, "apply") != 0 || config != self->config)
    return;
  gtk_widget_set_sensitive (self->apply_button, FALSE);
  refract_dsp_config_apply_async (self->config, self->machine, refract_machine_is_active (self->machine),
                                  self->cancellable, applied, g_object_ref (self));
}

static void
apply_clicked (RefractDspPage *self)
{
  g_autofree char *changes = describe_changes (self);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (refract_machine_is_active (self->machine))
    body = g_strdup_printf ("%s%s", _("The machine is running: pinning changes at once, the rest at "
                                      "its next start."), changes);
  else
    body = g_strdup_printf ("%s%s", _("These settings change:"), changes);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Apply the New Settings?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "apply", _("_Apply"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "config", g_object_ref (self->config), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (apply_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* @saved: the settings as they are on the host, or NULL for a copy of @config */
static void
set_config_full (RefractDspPage *self, RefractDspConfig *config, RefractDspConfig *saved)
{
  if (self->config != NULL)
    g_signal_handlers_disconnect_by_data (self->config, self);
  g_clear_object (&self->saved);
  g_set_object (&self->config, config);
  if (config == NULL)
    {
      set_modified (self, FALSE);
      return;
    }
  self->saved = saved != NULL ? g_object_ref (saved) : refract_dsp_config_copy (config);
  g_signal_connect_swapped (config, "changed", G_CALLBACK (config_changed), self);
}

static void
set_config (RefractDspPage *self, RefractDspConfig *config)
{
  set_config_full (self, config, NULL);
}

static void
revert_clicked (RefractDspPage *self)
{
  g_autoptr(RefractDspConfig) copy = refract_dsp_config_copy (self->saved);

  set_config (self, copy);
  fill_targets (self);
  update_all (self);
}

/* ---- loading ------------------------------------------------------------ */

static void
loaded_one (RefractDspPage *self)
{
  g_assert (self->pending > 0);
  if (--self->pending > 0)
    return;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (self->load_error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (self->load_error->message, -1);

      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  fill_targets (self);
  build_grid (self);
  self->loaded = TRUE;
  update_all (self);
  gtk_stack_set_visible_child_name (self->stack, "content");
}

static gboolean
note_error (RefractDspPage *self, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (self->load_error == NULL)
    self->load_error = g_error_copy (error);
  return TRUE;
}

static void
topology_loaded (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RefractDspPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RefractHostTopology *topology = refract_host_topology_load_finish (result, &error);

  if (topology == NULL && !note_error (self, error))
    return;
  self->topology = topology;
  loaded_one (self);
}

static void
config_loaded (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RefractDspPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractDspConfig) config = refract_dsp_config_load_finish (result, &error);

  if (config == NULL && !note_error (self, error))
    return;
  set_config (self, config);
  loaded_one (self);
}

static void
other_loaded (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RefractDspPage) self = user_data;
  g_autoptr(GError) error = NULL;
  RefractDspConfig *config = refract_dsp_config_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* a machine that can't be read just doesn't count */
  if (config != NULL)
    g_ptr_array_add (self->others, config);
  loaded_one (self);
}

static void
load_others (RefractDspPage *self)
{
  GListModel *machines = G_LIST_MODEL (refract_connection_get_machines (refract_machine_get_connection (self->machine)));

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (machines, i);

      if (machine == self->machine)
        continue;
      self->pending++;
      refract_dsp_config_load_async (machine, FALSE, self->cancellable, other_loaded, g_object_ref (self));
    }
}

static void
load (RefractDspPage *self)
{
  DspDraft *draft;

  g_assert (self->machine != NULL && self->pending == 0);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_spinner_set_spinning (self->spinner, TRUE);
  self->pending = 1;
  refract_host_topology_load_async (refract_machine_get_connection (self->machine), self->cancellable,
                                    topology_loaded, g_object_ref (self));
  /* edits left here when the page went to another machine come back as they were */
  draft = refract_drafts_take (self->machine, "dsp");
  if (draft != NULL)
    {
      set_config_full (self, draft->config, draft->saved);
      dsp_draft_free (draft);
    }
  else
    {
      self->pending++;
      refract_dsp_config_load_async (self->machine, FALSE, self->cancellable, config_loaded, g_object_ref (self));
    }
  load_others (self);
}

static void
reload_config (RefractDspPage *self)
{
  g_clear_error (&self->load_error);
  self->pending++;
  refract_dsp_config_load_async (self->machine, FALSE, self->cancellable, config_loaded, g_object_ref (self));
}

static void
reset (RefractDspPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending = 0;
  self->loaded = FALSE;
  g_clear_handle_id (&self->update_id, g_source_remove);
  g_clear_error (&self->load_error);
  set_config (self, NULL);
  g_clear_object (&self->topology);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_ptr_array_set_size (self->others, 0);
}

static void
refract_dsp_page_map (GtkWidget *widget)
{
  RefractDspPage *self = REFRACT_DSP_PAGE (widget);

  GTK_WIDGET_CLASS (refract_dsp_page_parent_class)->map (widget);
  if (self->machine != NULL && !self->loaded && self->pending == 0)
    load (self);
}

/* Keeps the edits of the machine the page leaves (refract-drafts.h). */
static void
keep_draft (RefractDspPage *self)
{
  DspDraft *draft;

  if (self->machine == NULL || !self->loaded || self->config == NULL
      || !refract_dsp_config_get_modified (self->config))
    return;
  draft = g_new0 (DspDraft, 1);
  draft->config = g_object_ref (self->config);
  draft->saved = g_object_ref (self->saved);
  refract_drafts_put (self->machine, "dsp", draft, dsp_draft_free);
}

void
refract_dsp_page_set_machine (RefractDspPage *self,
                              RefractMachine *machine)
{
  g_return_if_fail (REFRACT_IS_DSP_PAGE (self));

  if (self->machine == machine)
    return;
  keep_draft (self);
  reset (self);
  g_set_object (&self->machine, machine);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  if (machine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    load (self);
}

RefractMachine *
refract_dsp_page_get_machine (RefractDspPage *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_PAGE (self), NULL);
  return self->machine;
}

gboolean
refract_dsp_page_get_loaded (RefractDspPage *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_PAGE (self), FALSE);
  return self->loaded && self->pending == 0;
}

gboolean
refract_dsp_page_get_modified (RefractDspPage *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_PAGE (self), FALSE);
  return self->modified;
}

void
refract_dsp_page_discard_changes (RefractDspPage *self)
{
  g_return_if_fail (REFRACT_IS_DSP_PAGE (self));
  if (self->modified)
    revert_clicked (self);
}

static void
refract_dsp_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  RefractDspPage *self = REFRACT_DSP_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_dsp_page_dispose (GObject *object)
{
  RefractDspPage *self = REFRACT_DSP_PAGE (object);

  if (self->cancellable != NULL)
    reset (self);
  g_clear_object (&self->machine);
  /* the stack is the bin's child and a template child: AdwBin must let go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_DSP_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->others, g_ptr_array_unref);
  g_clear_pointer (&self->targets, g_array_unref);
  g_clear_pointer (&self->cells, g_array_unref);
  g_clear_pointer (&self->check_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (refract_dsp_page_parent_class)->dispose (object);
}

static void
refract_dsp_page_class_init (RefractDspPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_dsp_page_dispose;
  object_class->get_property = refract_dsp_page_get_property;
  widget_class->map = refract_dsp_page_map;

  /* edits that are not applied yet */
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-dsp-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, target_row);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, grid_box);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, legend_box);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, checks_group);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, hugepages_row);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, locked_switch);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, hard_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, sched_row);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, priority_row);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, priority_spin);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, kernel_label);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, nixos_label);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, kernel_copy);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, nixos_copy);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, changes_label);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, apply_button);
  gtk_widget_class_bind_template_child (widget_class, RefractDspPage, revert_button);
}

static void
refract_dsp_page_init (RefractDspPage *self)
{
  g_autoptr(GtkStringList) sizes = gtk_string_list_new (NULL);
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->others = g_ptr_array_new_with_free_func (g_object_unref);
  self->targets = g_array_new (FALSE, FALSE, sizeof (Target));
  self->cells = g_array_new (FALSE, FALSE, sizeof (Cell));
  self->check_rows = g_ptr_array_new ();

  gtk_string_list_append (sizes, _("Off"));
  gtk_string_list_append (sizes, _("2 MiB pages"));
  gtk_string_list_append (sizes, _("1 GiB pages"));
  adw_combo_row_set_model (self->hugepages_row, G_LIST_MODEL (sizes));
  fill_targets (self);
  build_legend (self);

  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self->grid_box), GTK_EVENT_CONTROLLER (drag));

  g_signal_connect_swapped (self->target_row, "notify::selected", G_CALLBACK (target_changed), self);
  g_signal_connect_swapped (self->hugepages_row, "notify::selected", G_CALLBACK (hugepages_changed), self);
  g_signal_connect_swapped (self->locked_switch, "notify::active", G_CALLBACK (locked_changed), self);
  g_signal_connect_swapped (self->hard_limit_spin, "value-changed", G_CALLBACK (hard_limit_changed), self);
  g_signal_connect_swapped (self->sched_row, "notify::selected", G_CALLBACK (sched_changed), self);
  g_signal_connect_swapped (self->priority_spin, "value-changed", G_CALLBACK (sched_changed), self);
  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (apply_clicked), self);
  g_signal_connect_swapped (self->revert_button, "clicked", G_CALLBACK (revert_clicked), self);
  g_signal_connect_swapped (self->kernel_copy, "clicked", G_CALLBACK (kernel_copy_clicked), self);
  g_signal_connect_swapped (self->nixos_copy, "clicked", G_CALLBACK (nixos_copy_clicked), self);
  gtk_widget_add_css_class (GTK_WIDGET (self), "refract-dsp-page");
}
