/* refract-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "refract-cli-private.h"
#include "refract-cli.h"
#include "refract-dsp-config.h"
#include "refract-dsp-validate.h"
#include "refract-host-topology.h"
#include "refract-model.h"
#include "refract-netjack-config.h"
#include "refract-netjack-probe.h"
#include "refract-uri.h"

/* ---- waiting ------------------------------------------------------------------------ */

void
_refract_cli_store_result (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
_refract_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

void
_refract_cli_print_error (const GError *error)
{
  const char *remedy = refract_error_get_remedy (error);

  g_printerr ("%s\n%s%s", error->message, remedy ? remedy : "", remedy ? "\n" : "");
}

/* ---- the machine list ----------------------------------------------------------------- */

static void
print_machine (RefractMachine *machine)
{
  g_autofree char *state = refract_machine_dup_state_text (machine);
  g_autofree char *memory = g_format_size_full (refract_machine_get_memory (machine) * 1024,
                                                G_FORMAT_SIZE_IEC_UNITS);

  /* Translators: name, display name, state, vCPUs, memory */
  g_print (_("%-24s %-24s %-22s %2u vCPU  %s\n"), refract_machine_get_name (machine),
           refract_machine_get_display_name (machine), state,
           refract_machine_get_vcpus (machine), memory);
}

static int
list_machines (RefractConnection *connection)
{
  RefractMachineList *machines = refract_connection_get_machines (connection);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (machines));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (G_LIST_MODEL (machines), i);
      print_machine (machine);
    }
  return 0;
}

/* ---- the DSP report ------------------------------------------------------------------- */

typedef struct
{
  RefractMachine       *machine;
  RefractHostTopology  *topology;
  RefractDspConfig     *config;
  RefractNetjackConfig *netjack;
  RefractNetjackStatus *probe;
  GPtrArray            *findings;
  GPtrArray            *problems;
  GPtrArray            *others;
} Report;

static void
report_clear (Report *report)
{
  g_clear_object (&report->topology);
  g_clear_object (&report->config);
  g_clear_pointer (&report->netjack, refract_netjack_config_free);
  g_clear_pointer (&report->probe, refract_netjack_status_free);
  g_clear_pointer (&report->findings, g_ptr_array_unref);
  g_clear_pointer (&report->problems, g_ptr_array_unref);
  g_clear_pointer (&report->others, g_ptr_array_unref);
}

static RefractDspConfig *
load_config (RefractMachine *machine,
             gboolean        live,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_dsp_config_load_async (machine, live, NULL, _refract_cli_store_result, &result);
  return refract_dsp_config_load_finish (_refract_cli_wait (&result), error);
}

static GPtrArray *
load_others (RefractConnection *connection,
             RefractMachine    *self)
{
  RefractMachineList *machines = refract_connection_get_machines (connection);
  GPtrArray *others = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (machines));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (G_LIST_MODEL (machines), i);
      RefractDspConfig *config;

      if (machine == self || (config = load_config (machine, FALSE, NULL)) == NULL)
        continue;
      g_ptr_array_add (others, config);
    }
  return others;
}

static gboolean
build_report (RefractConnection *connection,
              RefractMachine    *machine,
              Report            *report,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  report->machine = machine;
  refract_host_topology_load_async (connection, NULL, _refract_cli_store_result, &result);
  report->topology = refract_host_topology_load_finish (_refract_cli_wait (&result), error);
  if (report->topology == NULL)
    return FALSE;
  report->config = load_config (machine, refract_machine_is_active (machine), error);
  if (report->config == NULL)
    return FALSE;
  report->others = load_others (connection, machine);
  report->findings = refract_dsp_validate (report->config, report->topology, report->others);
  report->netjack = refract_netjack_config_from_domain_xml (refract_dsp_config_get_original_xml (report->config));
  if (report->netjack != NULL)
    {
      report->problems = refract_netjack_validate (report->netjack);
      if (refract_host_topology_get_is_local (report->topology))
        {
          g_autoptr(RefractNetjackProbe) probe = refract_netjack_probe_new ("/");

          report->probe = refract_netjack_probe_run (probe, report->netjack);
        }
    }
  return TRUE;
}

static guint
report_fails (Report *report)
{
  return refract_dsp_count (report->findings, REFRACT_DSP_SEVERITY_FAIL) +
         (report->problems ? refract_dsp_count (report->problems, REFRACT_DSP_SEVERITY_FAIL) : 0);
}

static const char *
tristate_text (RefractTristate value)
{
  return value == REFRACT_TRISTATE_YES ? _("yes") : value == REFRACT_TRISTATE_NO ? _("no") : _("unknown");
}

static char *
set_text (const RefractCpuSet *set)
{
  if (set == NULL)
    return g_strdup (_("unknown"));
  return refract_cpu_set_is_empty (set) ? g_strdup (_("none")) : refract_cpu_set_format (set);
}

static void
print_host (Report *report)
{
  RefractHostTopology *t = report->topology;
  g_autofree char *online = set_text (refract_host_topology_get_online (t));
  g_autofree char *isolated = set_text (refract_host_topology_get_isolated (t));
  g_autofree char *nohz = set_text (refract_host_topology_get_nohz_full (t));
  GPtrArray *pages = refract_host_topology_get_hugepages (t);
  g_autofree char *runtime_text = NULL;
  gint64 runtime;

  g_print ("%s\n", _("Host"));
  g_print (_("  CPUs: %u in %u packages, %u cores, %u threads per core; online %s\n"),
           refract_host_topology_get_n_cpus (t), refract_host_topology_get_n_packages (t),
           refract_host_topology_get_n_cores (t), refract_host_topology_get_threads_per_core (t), online);
  g_print (_("  Isolated: %s   nohz_full: %s\n"), isolated, nohz);
  for (guint i = 0; i < pages->len; i++)
    {
      RefractHugepages *p = g_ptr_array_index (pages, i);

      if (p->node == -1)
        g_print (_("  Hugepages %llu KiB: %lld total, %lld free\n"),
                 (unsigned long long) p->size_kib, (long long) p->total, (long long) p->free);
    }
  if (refract_host_topology_get_sched_rt_runtime_us (t, &runtime))
    runtime_text = g_strdup_printf ("%" G_GINT64_FORMAT, runtime);
  g_print (_("  PREEMPT_RT: %s   KSM run: %d   sched_rt_runtime_us: %s\n"),
           tristate_text (refract_host_topology_get_preempt_rt (t)),
           refract_host_topology_get_ksm_run (t), runtime_text ? runtime_text : _("unknown"));
}

static void
print_machine_dsp (Report *report)
{
  RefractDspConfig *c = report->config;
  g_autofree char *state = refract_machine_dup_state_text (report->machine);
  guint vcpus = refract_dsp_config_get_vcpus (c);
  RefractCpuSet set;
  guint priority;
  RefractVcpuSched sched = refract_dsp_config_get_scheduler (c, &priority, NULL);

  g_print ("%s\n", _("Machine"));
  g_print (_("  %s: %s, %u vCPUs\n"), refract_machine_get_display_name (report->machine), state, vcpus);
  for (guint v = 0; v < vcpus; v++)
    {
      g_autofree char *list = refract_dsp_config_get_vcpu_pin (c, v, &set) ? refract_cpu_set_format (&set)
                                                                            : g_strdup (_("not pinned"));
      g_print (_("  vCPU %u → CPU %s\n"), v, list);
    }
  {
    g_autofree char *list = refract_dsp_config_get_emulator_pin (c, &set) ? refract_cpu_set_format (&set)
                                                                          : g_strdup (_("not pinned"));
    g_print (_("  Emulator → CPU %s\n"), list);
  }
  g_print (_("  Scheduler: %s, priority %u   Hugepages: %llu KiB   Locked: %s\n"),
           refract_vcpu_sched_to_string (sched), priority,
           (unsigned long long) refract_dsp_config_get_hugepage_size_kib (c),
           refract_dsp_config_get_locked (c) ? _("yes") : _("no"));
}

static void
print_netjack (Report *report)
{
  RefractNetjackConfig *n = report->netjack;
  g_autofree char *latency = NULL;

  g_print ("%s\n", _("NETJACK"));
  if (n == NULL)
    {
      g_print ("  %s\n", _("not configured"));
      return;
    }
  latency = refract_netjack_config_describe_latency (n);
  g_print (_("  %s, %s:%u, %u → / %u ← channels, %s\n"), refract_netjack_backend_to_string (n->backend),
           n->address, n->port, n->channels_to_guest, n->channels_from_guest,
           refract_netjack_encoding_to_string (n->encoding));
  g_print ("  %s\n", latency);
  g_print (_("  Bandwidth ≈ %.1f Mbit/s each way (estimate)\n"), refract_netjack_config_get_bandwidth_mbps (n, TRUE));
  if (report->probe == NULL)
    g_print ("  %s\n", _("Status: not checked (the host is not this computer)"));
  else
    _refract_cli_print_probe (report->probe);
}

void
_refract_cli_print_probe (const RefractNetjackStatus *probe)
{
  g_autofree char *followers = g_strjoinv (", ", probe->followers);

  g_print (_("  Manager: %s%s%s%s   UDP port bound: %s   Followers: %s\n"),
           tristate_text (probe->manager), probe->manager_kind ? " (" : "",
           probe->manager_kind ? probe->manager_kind : "",
           probe->manager_kind ? ")" : "", tristate_text (probe->port_bound),
           *followers ? followers : _("none"));
  for (guint i = 0; probe->checked[i] != NULL; i++)
    g_print ("    %s\n", probe->checked[i]);
}

static void
print_findings (Report *report)
{
  g_print ("%s\n", _("Checks"));
  for (guint i = 0; i < report->findings->len; i++)
    {
      RefractDspFinding *f = g_ptr_array_index (report->findings, i);

      g_print ("  %s %-26s %s\n", refract_dsp_severity_to_string (f->severity), f->id, f->message);
      if (f->fix != NULL)
        g_print ("       → %s%s%s\n", f->fix->label, f->fix->command ? ": " : "",
                 f->fix->command ? f->fix->command : "");
    }
  for (guint i = 0; report->problems && i < report->problems->len; i++)
    {
      RefractNetjackProblem *p = g_ptr_array_index (report->problems, i);

      g_print ("  %s %-26s %s\n", refract_dsp_severity_to_string (p->severity), p->id, p->message);
    }
  if (report->findings->len == 0 && (report->problems == NULL || report->problems->len == 0))
    g_print ("  %s\n", _("Everything checked is fine."));
}

static void
print_kernel_line (Report *report)
{
  RefractCpuSet cpus = refract_dsp_config_get_vcpu_cpus (report->config);
  g_autofree char *line = NULL;
  g_autofree char *nixos = NULL;

  if (refract_cpu_set_is_empty (&cpus))
    return;
  line = refract_dsp_kernel_line (report->topology, &cpus);
  nixos = refract_dsp_kernel_line_nixos (report->topology, &cpus);
  g_print ("%s\n  %s\n  %s\n", _("Host kernel parameters for these CPUs"), line, nixos);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void
json_set (JsonBuilder         *b,
          const char          *name,
          const RefractCpuSet *set)
{
  g_autofree char *text = set ? refract_cpu_set_format (set) : NULL;

  json_builder_set_member_name (b, name);
  if (text)
    json_builder_add_string_value (b, text);
  else
    json_builder_add_null_value (b);
}

static void
json_host (JsonBuilder *b,
           Report      *report)
{
  RefractHostTopology *t = report->topology;

  json_builder_set_member_name (b, "host");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpus");
  json_builder_add_int_value (b, refract_host_topology_get_n_cpus (t));
  json_set (b, "online", refract_host_topology_get_online (t));
  json_set (b, "isolated", refract_host_topology_get_isolated (t));
  json_set (b, "nohz_full", refract_host_topology_get_nohz_full (t));
  json_builder_set_member_name (b, "preempt_rt");
  json_builder_add_string_value (b, tristate_text (refract_host_topology_get_preempt_rt (t)));
  json_builder_end_object (b);
}

/* Untranslated, for scripts: the text output has the translated state */
static const char *
state_id (RefractMachineState state)
{
  switch (state)
    {
    case REFRACT_MACHINE_STATE_RUNNING: return "running";
    case REFRACT_MACHINE_STATE_BLOCKED: return "blocked";
    case REFRACT_MACHINE_STATE_PAUSED: return "paused";
    case REFRACT_MACHINE_STATE_SHUTTING_DOWN: return "shutting-down";
    case REFRACT_MACHINE_STATE_SHUTOFF: return "shutoff";
    case REFRACT_MACHINE_STATE_CRASHED: return "crashed";
    case REFRACT_MACHINE_STATE_SUSPENDED: return "suspended";
    case REFRACT_MACHINE_STATE_UNKNOWN:
    default: return "unknown";
    }
}

static void
json_machine (JsonBuilder *b,
              Report      *report)
{
  guint vcpus = refract_dsp_config_get_vcpus (report->config);
  RefractCpuSet set;

  json_builder_set_member_name (b, "machine");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, refract_machine_get_name (report->machine));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state_id (refract_machine_get_state (report->machine)));
  json_builder_set_member_name (b, "vcpu_pins");
  json_builder_begin_array (b);
  for (guint v = 0; v < vcpus; v++)
    {
      g_autofree char *list = refract_dsp_config_get_vcpu_pin (report->config, v, &set)
                              ? refract_cpu_set_format (&set) : NULL;
      if (list)
        json_builder_add_string_value (b, list);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_array (b);
  json_set (b, "emulator_pin", refract_dsp_config_get_emulator_pin (report->config, &set) ? &set : NULL);
  json_builder_end_object (b);
}

static void
json_netjack (JsonBuilder *b,
              Report      *report)
{
  RefractNetjackConfig *n = report->netjack;

  json_builder_set_member_name (b, "netjack");
  if (n == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "backend");
  json_builder_add_string_value (b, refract_netjack_backend_to_string (n->backend));
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, n->port);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_int_value (b, n->sample_rate);
  json_builder_set_member_name (b, "period");
  json_builder_add_int_value (b, n->period);
  json_builder_set_member_name (b, "period_ms");
  json_builder_add_double_value (b, refract_netjack_config_get_period_ms (n));
  json_builder_set_member_name (b, "round_trip_ms");
  json_builder_add_double_value (b, refract_netjack_config_get_round_trip_ms (n));
  if (report->probe != NULL)
    {
      json_builder_set_member_name (b, "manager");
      json_builder_add_string_value (b, tristate_text (report->probe->manager));
      json_builder_set_member_name (b, "port_bound");
      json_builder_add_string_value (b, tristate_text (report->probe->port_bound));
    }
  json_builder_end_object (b);
}

static void
json_finding (JsonBuilder        *b,
              const char         *id,
              RefractDspSeverity  severity,
              const char         *message,
              const RefractDspFix *fix)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "severity");
  json_builder_add_string_value (b, refract_dsp_severity_to_string (severity));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (fix != NULL)
    {
      json_builder_set_member_name (b, "fix");
      json_builder_add_string_value (b, fix->label);
      if (fix->command)
        {
          json_builder_set_member_name (b, "command");
          json_builder_add_string_value (b, fix->command);
        }
    }
  json_builder_end_object (b);
}

static void
print_json (Report *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_host (b, report);
  json_machine (b, report);
  json_netjack (b, report);
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->findings->len; i++)
    {
      RefractDspFinding *f = g_ptr_array_index (report->findings, i);
      json_finding (b, f->id, f->severity, f->message, f->fix);
    }
  for (guint i = 0; report->problems && i < report->problems->len; i++)
    {
      RefractNetjackProblem *p = g_ptr_array_index (report->problems, i);
      json_finding (b, p->id, p->severity, p->message, NULL);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, report_fails (report) == 0);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
dsp_status (RefractConnection *connection,
            RefractMachine    *machine,
            gboolean           json)
{
  Report report = { 0 };
  g_autoptr(GError) error = NULL;
  int ret;

  if (!build_report (connection, machine, &report, &error))
    {
      _refract_cli_print_error (error);
      report_clear (&report);
      return 1;
    }
  if (json)
    print_json (&report);
  else
    {
      print_host (&report);
      print_machine_dsp (&report);
      print_netjack (&report);
      print_findings (&report);
      print_kernel_line (&report);
    }
  ret = report_fails (&report) == 0 ? 0 : 1;
  report_clear (&report);
  return ret;
}

/* ---- dispatch -------------------------------------------------------------------------- */

static void
opened (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  _refract_cli_store_result (object, result, user_data);
}

static int
run_command (const char *uri,
             const char *command,
             const char *name,
             gboolean    json)
{
  g_autoptr(RefractConnection) connection = refract_connection_new (uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractMachine *machine;

  /* the restart command runs on this computer: for a machine on another
   * host, or on the demo host where nothing is real, it would restart this
   * computer's PipeWire or JACK */
  if (g_strcmp0 (command, "netjack-restart") == 0 && refract_uri_is_test (uri))
    {
      g_printerr (_("%s is a test host: its machines have no NETJACK bridge to restart.\n"), uri);
      return 1;
    }
  if (g_strcmp0 (command, "netjack-restart") == 0 && !refract_uri_is_local (uri))
    {
      g_autofree char *host = refract_uri_get_host (uri);

      g_printerr (_("The NETJACK bridge runs on %s, not on this computer: run refract-dsp netjack-restart there.\n"),
                  host ? host : uri);
      return 1;
    }
  refract_connection_open_async (connection, NULL, opened, &result);
  if (!refract_connection_open_finish (connection, _refract_cli_wait (&result), &error))
    {
      _refract_cli_print_error (error);
      return 1;
    }
  if (name == NULL)
    return list_machines (connection);

  machine = refract_machine_list_find_by_name (refract_connection_get_machines (connection), name);
  if (machine == NULL)
    {
      g_printerr (_("There is no machine called “%s” on %s.\n"), name, uri);
      return 1;
    }
  if (g_strcmp0 (command, "console") == 0)
    return _refract_cli_console (connection, machine);
  if (g_strcmp0 (command, "netjack-restart") == 0)
    return _refract_cli_restart (connection, machine, json);
  return dsp_status (connection, machine, json);
}

static gboolean
command_ok (int    argc,
            char **argv)
{
  if (argc < 2)
    return FALSE;
  if (g_strcmp0 (argv[1], "status") == 0)
    return argc <= 3;
  if (g_strcmp0 (argv[1], "console") == 0 || g_strcmp0 (argv[1], "netjack-restart") == 0)
    return argc == 3;
  return FALSE;
}

int
refract_cli_run (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, N_("libvirt URI (default qemu:///system)"), N_("URI") },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, N_("Print status as JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("status [NAME] | console NAME | netjack-restart NAME"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Commands for a DSP coprocessor machine.\n\n"
                                           "  status            list the machines\n"
                                           "  status NAME       host facts, pinning, NETJACK and the checks;\n"
                                           "                    exit status 0 when no check fails, else 1\n"
                                           "  console NAME      the serial console (Ctrl+] leaves)\n"
                                           "  netjack-restart NAME  restart the host's NETJACK bridge"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!command_ok (argc, argv))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return 2;
    }
  if (uri != NULL && !refract_uri_validate (uri, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!refract_model_init (&error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return run_command (uri ? uri : "qemu:///system", argv[1], argc == 3 ? argv[2] : NULL, json);
}
