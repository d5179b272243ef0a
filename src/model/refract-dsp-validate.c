/* refract-dsp-validate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-dsp-validate.h"

#define MIB_KIB G_GUINT64_CONSTANT (1024)

typedef struct
{
  RefractDspConfig    *config;
  RefractHostTopology *topology;
  GPtrArray           *others;
  GPtrArray           *findings;
  RefractCpuSet        vcpu_cpus;   /* all CPUs the vCPUs are pinned to */
  RefractCpuSet        housekeeping;
  const RefractCpuSet *isolated;    /* effective; NULL unknown */
} Check;

void
refract_dsp_finding_free (RefractDspFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->message);
  if (finding->fix != NULL)
    {
      g_free (finding->fix->label);
      g_free (finding->fix->command);
      g_free (finding->fix);
    }
  g_free (finding);
}

const char *
refract_dsp_severity_to_string (RefractDspSeverity severity)
{
  return severity == REFRACT_DSP_SEVERITY_FAIL ? "FAIL" : "WARN";
}

static RefractDspFinding *
add (Check              *check,
     const char         *id,
     RefractDspSeverity  severity,
     char               *message)
{
  RefractDspFinding *finding = g_new0 (RefractDspFinding, 1);

  finding->id = id;
  finding->severity = severity;
  finding->message = message;
  g_ptr_array_add (check->findings, finding);
  return finding;
}

static RefractDspFix *
fix_new (RefractDspFinding *finding,
         RefractDspFixKind  kind,
         char              *label)
{
  finding->fix = g_new0 (RefractDspFix, 1);
  finding->fix->kind = kind;
  finding->fix->label = label;
  return finding->fix;
}

static char *
fmt (const RefractCpuSet *set)
{
  return refract_cpu_set_format (set);
}

/* ---- suggestions and host lines ------------------------------------------------------ */

/* cores from the top; a core is one CPU's sibling set, or the CPU alone */
RefractCpuSet
refract_dsp_suggest_cpus (RefractHostTopology *topology,
                          guint                n)
{
  RefractCpuSet chosen;
  guint n_cpus = refract_host_topology_get_n_cpus (topology);

  refract_cpu_set_clear (&chosen);
  for (int i = n_cpus - 1; i >= 0 && refract_cpu_set_count (&chosen) < n; i--)
    {
      const RefractHostCpu *cpu = refract_host_topology_get_cpu (topology, i);

      if (!cpu->online || refract_cpu_set_has (&chosen, cpu->id) ||
          (cpu->id == 0 && n_cpus > n))
        continue;
      if (refract_cpu_set_is_empty (&cpu->siblings))
        refract_cpu_set_add (&chosen, cpu->id);
      else
        refract_cpu_set_union (&chosen, &cpu->siblings);
    }
  return chosen;
}

static GPtrArray *
kernel_params (RefractHostTopology *topology,
               const RefractCpuSet *cpus)
{
  GPtrArray *params = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = fmt (cpus);
  RefractCpuSet rest = *refract_host_topology_get_all (topology);
  g_autofree char *rest_list = NULL;

  refract_cpu_set_subtract (&rest, cpus);
  rest_list = fmt (&rest);
  g_ptr_array_add (params, g_strdup_printf ("isolcpus=managed_irq,domain,%s", list));
  g_ptr_array_add (params, g_strdup ("nohz=on"));
  g_ptr_array_add (params, g_strdup_printf ("nohz_full=%s", list));
  g_ptr_array_add (params, g_strdup_printf ("rcu_nocbs=%s", list));
  if (!refract_cpu_set_is_empty (&rest))
    g_ptr_array_add (params, g_strdup_printf ("irqaffinity=%s", rest_list));
  g_ptr_array_add (params, g_strdup ("nosoftlockup"));
  return params;
}

char *
refract_dsp_kernel_line (RefractHostTopology *topology,
                         const RefractCpuSet *cpus)
{
  g_autoptr(GPtrArray) params = NULL;

  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (topology), NULL);
  g_return_val_if_fail (cpus != NULL, NULL);
  params = kernel_params (topology, cpus);
  g_ptr_array_add (params, NULL);
  return g_strjoinv (" ", (char **) params->pdata);
}

char *
refract_dsp_kernel_line_nixos (RefractHostTopology *topology,
                               const RefractCpuSet *cpus)
{
  g_autoptr(GPtrArray) params = NULL;
  GString *out = g_string_new ("boot.kernelParams = [");

  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (topology), NULL);
  params = kernel_params (topology, cpus);
  for (guint i = 0; i < params->len; i++)
    g_string_append_printf (out, " \"%s\"", (char *) g_ptr_array_index (params, i));
  g_string_append (out, " ];");
  return g_string_free (out, FALSE);
}

static char *
page_size_text (guint64 size_kib)
{
  if (size_kib % (MIB_KIB * MIB_KIB) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "G", size_kib / (MIB_KIB * MIB_KIB));
  if (size_kib % MIB_KIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "M", size_kib / MIB_KIB);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "K", size_kib);
}

char *
refract_dsp_hugepages_kernel (guint64 size_kib,
                              guint64 pages)
{
  g_autofree char *size = page_size_text (size_kib);

  return g_strdup_printf ("hugepagesz=%s hugepages=%" G_GUINT64_FORMAT, size, pages);
}

char *
refract_dsp_hugepages_sysctl (guint64 size_kib,
                              guint64 pages)
{
  if (size_kib != 2048)
    return NULL;
  return g_strdup_printf ("vm.nr_hugepages = %" G_GUINT64_FORMAT, pages);
}

guint64
refract_dsp_hugepages_needed (guint64 memory_kib,
                              guint64 size_kib)
{
  g_return_val_if_fail (size_kib > 0, 0);
  return (memory_kib + size_kib - 1) / size_kib;
}

/* ---- CPU rules ------------------------------------------------------------------------ */

static void
check_vcpu_pins (Check *check)
{
  guint vcpus = refract_dsp_config_get_vcpus (check->config);
  RefractCpuSet seen;

  refract_cpu_set_clear (&seen);
  for (guint v = 0; v < vcpus; v++)
    {
      RefractCpuSet pin;
      g_autofree char *list = NULL;

      if (!refract_dsp_config_get_vcpu_pin (check->config, v, &pin))
        {
          RefractDspFinding *f = add (check, "vcpu-unpinned", REFRACT_DSP_SEVERITY_FAIL,
                                      g_strdup_printf (_("vCPU %u is not pinned: the host may run it on any CPU, next to anything."), v));
          RefractCpuSet cpus = refract_dsp_suggest_cpus (check->topology, vcpus);
          g_autofree char *suggested = fmt (&cpus);
          RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_PIN_VCPUS,
                                        g_strdup_printf (_("Pin the vCPUs to %s"), suggested));

          fix->cpus = cpus;
          continue;
        }
      list = fmt (&pin);
      if (!refract_cpu_set_is_subset (&pin, refract_host_topology_get_all (check->topology)))
        add (check, "vcpu-pin-unknown-cpu", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("vCPU %u is pinned to CPUs %s, which this host doesn't have."), v, list));
      else if (check->isolated != NULL && !refract_cpu_set_is_subset (&pin, check->isolated))
        {
          RefractCpuSet outside = pin;
          g_autofree char *out_list = NULL;

          refract_cpu_set_subtract (&outside, check->isolated);
          out_list = fmt (&outside);
          add (check, "vcpu-not-isolated", REFRACT_DSP_SEVERITY_FAIL,
               g_strdup_printf (_("vCPU %u is pinned to CPU %s, which the host kernel does not isolate: other tasks will run there."), v, out_list));
        }
      if (refract_cpu_set_intersects (&seen, &pin))
        {
          RefractCpuSet both = pin;
          g_autofree char *both_list = NULL;

          refract_cpu_set_intersect (&both, &seen);
          both_list = fmt (&both);
          add (check, "cpu-pinned-twice", REFRACT_DSP_SEVERITY_FAIL,
               g_strdup_printf (_("CPU %s carries two vCPUs of this machine (vCPU %u and another)."), both_list, v));
        }
      refract_cpu_set_union (&seen, &pin);
    }
}

static void
check_others (Check *check)
{
  for (guint i = 0; check->others != NULL && i < check->others->len; i++)
    {
      RefractDspConfig *other = g_ptr_array_index (check->others, i);
      RefractCpuSet theirs = refract_dsp_config_get_vcpu_cpus (other);
      g_autofree char *list = NULL;

      if (other == check->config ||
          g_strcmp0 (refract_dsp_config_get_name (other), refract_dsp_config_get_name (check->config)) == 0)
        continue;
      refract_cpu_set_intersect (&theirs, &check->vcpu_cpus);
      if (refract_cpu_set_is_empty (&theirs))
        continue;
      list = fmt (&theirs);
      add (check, "cpu-shared-with-machine", REFRACT_DSP_SEVERITY_FAIL,
           g_strdup_printf (_("CPU %s is also pinned by the machine “%s”."), list,
                            refract_dsp_config_get_name (other)));
    }
}

/* emulator and iothreads belong on housekeeping CPUs */
static void
check_helper_pin (Check               *check,
                  const char          *unpinned_id,
                  const char          *isolated_id,
                  gboolean             pinned,
                  const RefractCpuSet *pin,
                  const char          *what,
                  RefractDspFixKind    kind,
                  guint                id)
{
  RefractCpuSet bad = *pin;
  RefractCpuSet avoid = check->vcpu_cpus;
  g_autofree char *house = fmt (&check->housekeeping);
  RefractDspFinding *f;
  RefractDspFix *fix;

  if (check->isolated != NULL)
    refract_cpu_set_union (&avoid, check->isolated);
  refract_cpu_set_intersect (&bad, &avoid);
  if (!pinned)
    f = add (check, unpinned_id, REFRACT_DSP_SEVERITY_FAIL,
             /* Translators: %s is "The emulator" or "Iothread 1" */
             g_strdup_printf (_("%s is not pinned: it can run on the vCPUs' CPUs and interrupt them."), what));
  else if (!refract_cpu_set_is_empty (&bad))
    {
      g_autofree char *list = fmt (&bad);

      f = add (check, isolated_id, REFRACT_DSP_SEVERITY_FAIL,
               g_strdup_printf (_("%s is pinned to CPU %s, which is isolated or runs a vCPU."), what, list));
    }
  else
    return;
  if (refract_cpu_set_is_empty (&check->housekeeping))
    return;
  fix = fix_new (f, kind, kind == REFRACT_DSP_FIX_PIN_EMULATOR
                            ? g_strdup_printf (_("Pin the emulator to %s"), house)
                            : g_strdup_printf (_("Pin iothread %u to %s"), id, house));
  fix->id = id;
  fix->cpus = check->housekeeping;
}

static void
check_helpers (Check *check)
{
  guint iothreads = refract_dsp_config_get_iothreads (check->config);
  RefractCpuSet pin;
  gboolean pinned;

  pinned = refract_dsp_config_get_emulator_pin (check->config, &pin);
  check_helper_pin (check, "emulator-unpinned", "emulator-isolated", pinned, &pin,
                    _("The emulator"), REFRACT_DSP_FIX_PIN_EMULATOR, 0);
  for (guint t = 1; t <= iothreads; t++)
    {
      g_autofree char *what = g_strdup_printf (_("Iothread %u"), t);

      pinned = refract_dsp_config_get_iothread_pin (check->config, t, &pin);
      check_helper_pin (check, "iothread-unpinned", "iothread-isolated", pinned, &pin, what,
                        REFRACT_DSP_FIX_PIN_IOTHREAD, t);
    }
  if (iothreads == 0 && refract_dsp_config_get_iothread_pin (check->config, 1, &pin))
    {
      RefractDspFinding *f = add (check, "iothreadpin-without-iothreads", REFRACT_DSP_SEVERITY_FAIL,
                                  g_strdup (_("An iothread is pinned, but the machine has no <iothreads>: libvirt will refuse it.")));

      fix_new (f, REFRACT_DSP_FIX_ADD_IOTHREAD, g_strdup (_("Add one iothread")));
    }
}

static void
check_cpu0 (Check *check)
{
  RefractCpuSet cpus;
  g_autofree char *list = NULL;
  RefractDspFinding *f;
  RefractDspFix *fix;

  if (!refract_cpu_set_has (&check->vcpu_cpus, 0) &&
      !(check->isolated != NULL && refract_cpu_set_has (check->isolated, 0)))
    return;
  cpus = refract_dsp_suggest_cpus (check->topology, refract_dsp_config_get_vcpus (check->config));
  list = fmt (&cpus);
  f = add (check, "cpu0-isolated", REFRACT_DSP_SEVERITY_WARN,
           g_strdup_printf (_("CPU 0 is given to the real-time vCPUs. The boot CPU keeps timekeeping and housekeeping work that can't move; use the highest-numbered cores instead (%s)."), list));
  if (refract_cpu_set_is_empty (&cpus) || refract_cpu_set_has (&cpus, 0))
    return;
  fix = fix_new (f, REFRACT_DSP_FIX_PIN_VCPUS, g_strdup_printf (_("Pin the vCPUs to %s"), list));
  fix->cpus = cpus;
}

static void
check_smt (Check *check)
{
  RefractCpuSet split;

  refract_cpu_set_clear (&split);
  for (int cpu = refract_cpu_set_first (&check->vcpu_cpus); cpu >= 0;
       cpu = refract_cpu_set_next (&check->vcpu_cpus, cpu))
    {
      const RefractHostCpu *info = refract_host_topology_find_cpu (check->topology, cpu);

      if (info == NULL)
        continue;
      for (int s = refract_cpu_set_first (&info->siblings); s >= 0; s = refract_cpu_set_next (&info->siblings, s))
        {
          const RefractHostCpu *sib = refract_host_topology_find_cpu (check->topology, s);

          if (!refract_cpu_set_has (&check->vcpu_cpus, s) && sib != NULL && sib->online)
            refract_cpu_set_add (&split, s);
        }
    }
  if (!refract_cpu_set_is_empty (&split))
    {
      g_autofree char *list = fmt (&split);

      add (check, "smt-sibling-split", REFRACT_DSP_SEVERITY_WARN,
           g_strdup_printf (_("CPU %s shares a core with a vCPU's CPU but is neither given to this machine nor offline: whatever runs there slows the vCPU down."), list));
    }
}

static RefractDspFinding *
add_kernel_finding (Check      *check,
                    const char *id,
                    char       *message)
{
  RefractDspFinding *f = add (check, id, REFRACT_DSP_SEVERITY_WARN, message);
  RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_HOST_KERNEL,
                                g_strdup (_("Add these kernel parameters on the host")));

  fix->cpus = check->vcpu_cpus;
  fix->command = refract_dsp_kernel_line (check->topology, &check->vcpu_cpus);
  return f;
}

static void
check_kernel_cpus (Check *check)
{
  const RefractCpuSet *nohz = refract_host_topology_get_nohz_full (check->topology);
  const RefractCpuSet *rcu = refract_host_topology_get_cmdline_rcu_nocbs (check->topology);
  const RefractCpuSet *irq = refract_host_topology_get_cmdline_irqaffinity (check->topology);
  RefractCpuSet missing;

  if (!refract_host_topology_get_is_local (check->topology) || refract_cpu_set_is_empty (&check->vcpu_cpus))
    return;
  if (nohz == NULL)
    nohz = refract_host_topology_get_cmdline_nohz_full (check->topology);
  missing = check->vcpu_cpus;
  if (nohz != NULL)
    refract_cpu_set_subtract (&missing, nohz);
  if (!refract_cpu_set_is_empty (&missing))
    {
      g_autofree char *list = fmt (&missing);

      add_kernel_finding (check, "not-nohz-full",
                          g_strdup_printf (_("CPU %s is not in nohz_full: the timer tick interrupts the vCPU every millisecond or so."), list));
    }
  missing = check->vcpu_cpus;
  if (rcu != NULL)
    refract_cpu_set_subtract (&missing, rcu);
  if (!refract_cpu_set_is_empty (&missing))
    {
      g_autofree char *list = fmt (&missing);

      add_kernel_finding (check, "not-rcu-nocbs",
                          g_strdup_printf (_("CPU %s is not in rcu_nocbs: RCU callbacks run there."), list));
    }
  if (irq != NULL && refract_cpu_set_intersects (irq, &check->vcpu_cpus))
    {
      RefractCpuSet both = *irq;
      g_autofree char *list = NULL;

      refract_cpu_set_intersect (&both, &check->vcpu_cpus);
      list = fmt (&both);
      add_kernel_finding (check, "irqaffinity-overlap",
                          g_strdup_printf (_("irqaffinity sends interrupts to CPU %s, which runs a vCPU."), list));
    }
}

static void
check_l3 (Check *check)
{
  int first = -2;

  for (int cpu = refract_cpu_set_first (&check->vcpu_cpus); cpu >= 0;
       cpu = refract_cpu_set_next (&check->vcpu_cpus, cpu))
    {
      const RefractHostCpu *info = refract_host_topology_find_cpu (check->topology, cpu);

      if (info == NULL || info->l3 < 0)
        continue;
      if (first == -2)
        first = info->l3;
      else if (info->l3 != first)
        {
          g_autofree char *list = fmt (&check->vcpu_cpus);

          add (check, "l3-span", REFRACT_DSP_SEVERITY_WARN,
               g_strdup_printf (_("The vCPUs' CPUs %s span more than one L3 cache: data moving between them is slower."), list));
          return;
        }
    }
}

/* ---- host kernel and tuning -------------------------------------------------------- */

static void
check_host (Check *check)
{
  gint64 runtime;
  int ksm = refract_host_topology_get_ksm_run (check->topology);

  if (refract_host_topology_get_preempt_rt (check->topology) == REFRACT_TRISTATE_NO)
    add (check, "not-preempt-rt", REFRACT_DSP_SEVERITY_WARN,
         g_strdup (_("The host kernel is not PREEMPT_RT: long non-preemptible sections can delay the vCPUs.")));
  if (refract_host_topology_get_sched_rt_runtime_us (check->topology, &runtime) && runtime != -1)
    {
      RefractDspFinding *f = add (check, "rt-throttling", REFRACT_DSP_SEVERITY_WARN,
                                  g_strdup_printf (_("Real-time throttling is on (sched_rt_runtime_us = %lld): a FIFO vCPU is stopped for a while every second."), (long long) runtime));
      RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_HOST_COMMAND, g_strdup (_("Turn real-time throttling off")));

      fix->command = g_strdup ("sysctl kernel.sched_rt_runtime_us=-1");
    }
  if (ksm >= 0 && ksm != 2)
    {
      RefractDspFinding *f = add (check, "ksm-active", REFRACT_DSP_SEVERITY_WARN,
                                  g_strdup_printf (_("KSM is %s (run = %d): merging pages scans memory and adds copy-on-write faults."),
                                                   ksm == 1 ? _("running") : _("stopped but keeps merged pages"), ksm));
      RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_HOST_COMMAND, g_strdup (_("Stop KSM and unmerge all pages")));

      fix->command = g_strdup ("echo 2 | sudo tee /sys/kernel/mm/ksm/run");
    }
}

/* ---- memory and the rest ------------------------------------------------------------ */

static void
check_hugepages (Check *check)
{
  guint64 size = refract_dsp_config_get_hugepage_size_kib (check->config);
  guint64 memory = refract_dsp_config_get_memory_kib (check->config);
  const RefractHugepages *pages;
  guint64 needed;
  gint64 available;
  g_autofree char *size_text = NULL;

  if (size == 0 || memory == 0)
    return;
  if (size % (MIB_KIB * MIB_KIB) == 0)
    size_text = g_strdup_printf ("%llu GiB", (unsigned long long) (size / (MIB_KIB * MIB_KIB)));
  else if (size % MIB_KIB == 0)
    size_text = g_strdup_printf ("%llu MiB", (unsigned long long) (size / MIB_KIB));
  else
    size_text = g_strdup_printf ("%llu KiB", (unsigned long long) size);
  if (memory % size != 0)
    add (check, "memory-not-page-multiple", REFRACT_DSP_SEVERITY_FAIL,
         g_strdup_printf (_("The memory (%llu KiB) is not a multiple of the %s hugepage size."), (unsigned long long) memory, size_text));
  /* a running machine's pages are taken already: its own, not missing */
  if (refract_dsp_config_get_is_running (check->config))
    return;
  needed = refract_dsp_hugepages_needed (memory, size);
  pages = refract_host_topology_find_hugepages (check->topology, size);
  if (pages == NULL && refract_host_topology_get_hugepages (check->topology)->len == 0 &&
      !refract_host_topology_get_is_local (check->topology))
    return; /* a remote host that didn't say */
  available = pages == NULL ? 0 : pages->free >= 0 ? pages->free - MAX (pages->reserved, 0) : pages->total;
  if (available < 0)
    available = 0;
  if ((guint64) available < needed)
    {
      RefractDspFinding *f;
      RefractDspFix *fix;
      guint64 total = (pages && pages->total > 0 ? pages->total : 0) + (needed - available);
      g_autofree char *sysctl = refract_dsp_hugepages_sysctl (size, total);

      f = add (check, "hugepages-short", REFRACT_DSP_SEVERITY_FAIL,
               g_strdup_printf (_("The machine needs %llu hugepages of %s, but the host has %lld free: it won't start (“unable to map backing store for guest RAM”)."),
                                (unsigned long long) needed, size_text, (long long) available));
      fix = fix_new (f, REFRACT_DSP_FIX_HOST_HUGEPAGES,
                     g_strdup_printf (_("Reserve %llu hugepages of %s"), (unsigned long long) total, size_text));
      fix->value = total;
      fix->size_kib = size;
      fix->command = sysctl ? g_strdup_printf ("sysctl %s", sysctl)
                            : refract_dsp_hugepages_kernel (size, total);
    }
}

static void
check_cpu_model (Check *check)
{
  guint vcpus = refract_dsp_config_get_vcpus (check->config);
  guint s, d, c, t;

  if (refract_dsp_config_get_hint_dedicated (check->config) &&
      !refract_dsp_config_get_host_passthrough (check->config))
    {
      RefractDspFinding *f = add (check, "hint-without-passthrough", REFRACT_DSP_SEVERITY_FAIL,
                                  g_strdup (_("The KVM dedicated-CPU hint needs the host-passthrough CPU model.")));

      fix_new (f, REFRACT_DSP_FIX_HOST_PASSTHROUGH, g_strdup (_("Use the host-passthrough CPU model")));
    }
  if (refract_dsp_config_get_topology (check->config, &s, &d, &c, &t) && s * d * c * t != vcpus)
    {
      RefractDspFinding *f = add (check, "topology-mismatch", REFRACT_DSP_SEVERITY_FAIL,
                                  g_strdup_printf (_("The CPU topology (%u × %u × %u × %u = %u) doesn't match the %u vCPUs."),
                                                   s, d, c, t, s * d * c * t, vcpus));
      RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_SET_TOPOLOGY,
                                    g_strdup_printf (_("Use 1 socket with %u cores"), vcpus));

      fix->value = vcpus;
    }
  if (vcpus == 1)
    add (check, "single-vcpu", REFRACT_DSP_SEVERITY_WARN,
         g_strdup (_("The machine has one vCPU: the guest's own housekeeping shares it with the audio thread.")));
}

static void
check_scheduler (Check *check)
{
  guint priority;
  RefractVcpuSched sched = refract_dsp_config_get_scheduler (check->config, &priority, NULL);

  if (sched == REFRACT_VCPU_SCHED_NONE)
    add (check, "no-rt-scheduler", REFRACT_DSP_SEVERITY_WARN,
         g_strdup (_("The vCPUs run with the normal scheduler, not FIFO or RR: other host tasks can take their turn.")));
  else if (priority < 1 || priority > 99)
    {
      RefractDspFinding *f = add (check, "sched-priority", REFRACT_DSP_SEVERITY_FAIL,
                                  g_strdup_printf (_("The real-time priority %u is outside 1–99."), priority));
      RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_SCHED_PRIORITY, g_strdup (_("Use priority 1")));

      fix->value = 1;
    }
}

static void
check_memory_misc (Check *check)
{
  if (refract_dsp_config_get_locked (check->config) &&
      refract_dsp_config_get_hard_limit_kib (check->config) == 0)
    {
      guint64 memory = refract_dsp_config_get_memory_kib (check->config);
      guint64 limit = memory + MAX (256 * MIB_KIB, memory / 8);
      RefractDspFinding *f = add (check, "locked-without-hard-limit", REFRACT_DSP_SEVERITY_WARN,
                                  g_strdup (_("Memory is locked but has no hard limit: a runaway QEMU could lock all of the host's memory.")));
      RefractDspFix *fix = fix_new (f, REFRACT_DSP_FIX_HARD_LIMIT,
                                    g_strdup_printf (_("Set a hard limit of %llu MiB"), (unsigned long long) (limit / MIB_KIB)));

      fix->value = limit;
    }
  if (refract_dsp_config_get_has_memballoon (check->config))
    {
      RefractDspFinding *f = add (check, "memballoon-present", REFRACT_DSP_SEVERITY_WARN,
                                  g_strdup (_("The machine has a memory balloon: its stats polling and inflation disturb a real-time guest.")));

      fix_new (f, REFRACT_DSP_FIX_REMOVE_BALLOON, g_strdup (_("Remove the memory balloon")));
    }
  if (refract_dsp_config_get_has_usb_controller (check->config))
    add (check, "usb-controller-present", REFRACT_DSP_SEVERITY_WARN,
         g_strdup (_("The machine has an emulated USB controller: its polling adds host work. Pass a USB audio interface as a <hostdev type='usb'>, or the whole controller with VFIO.")));
}

static int
compare_findings (gconstpointer a,
                  gconstpointer b)
{
  const RefractDspFinding *fa = *(RefractDspFinding * const *) a;
  const RefractDspFinding *fb = *(RefractDspFinding * const *) b;

  return (int) fb->severity - (int) fa->severity;
}

GPtrArray *
refract_dsp_validate (RefractDspConfig    *config,
                      RefractHostTopology *topology,
                      GPtrArray           *others)
{
  Check check = { config, topology, others, NULL, { { 0 } }, { { 0 } }, NULL };

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (config), NULL);
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (topology), NULL);

  check.findings = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_dsp_finding_free);
  check.vcpu_cpus = refract_dsp_config_get_vcpu_cpus (config);
  check.isolated = refract_host_topology_get_isolated (topology);
  if (check.isolated != NULL && refract_cpu_set_is_empty (check.isolated) &&
      !refract_host_topology_get_is_local (topology))
    check.isolated = NULL;
  /* housekeeping: online, not isolated, not running a vCPU */
  check.housekeeping = *refract_host_topology_get_online (topology);
  if (check.isolated != NULL)
    refract_cpu_set_subtract (&check.housekeeping, check.isolated);
  refract_cpu_set_subtract (&check.housekeeping, &check.vcpu_cpus);

  check_vcpu_pins (&check);
  check_others (&check);
  check_helpers (&check);
  check_cpu0 (&check);
  check_smt (&check);
  check_kernel_cpus (&check);
  check_l3 (&check);
  check_host (&check);
  check_hugepages (&check);
  check_cpu_model (&check);
  check_scheduler (&check);
  check_memory_misc (&check);
  g_ptr_array_sort (check.findings, compare_findings);
  return check.findings;
}

guint
refract_dsp_count (GPtrArray          *findings,
                   RefractDspSeverity  severity)
{
  guint n = 0;

  for (guint i = 0; i < findings->len; i++)
    if (((RefractDspFinding *) g_ptr_array_index (findings, i))->severity == severity)
      n++;
  return n;
}

const RefractDspFinding *
refract_dsp_find (GPtrArray  *findings,
                  const char *id)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const RefractDspFinding *f = g_ptr_array_index (findings, i);

      if (g_strcmp0 (f->id, id) == 0)
        return f;
    }
  return NULL;
}

gboolean
refract_dsp_fix_is_applicable (const RefractDspFix *fix)
{
  switch (fix->kind)
    {
    case REFRACT_DSP_FIX_HOST_HUGEPAGES:
    case REFRACT_DSP_FIX_HOST_KERNEL:
    case REFRACT_DSP_FIX_HOST_COMMAND:
      return FALSE;
    case REFRACT_DSP_FIX_PIN_VCPUS:
    case REFRACT_DSP_FIX_PIN_EMULATOR:
    case REFRACT_DSP_FIX_PIN_IOTHREAD:
    case REFRACT_DSP_FIX_SET_TOPOLOGY:
    case REFRACT_DSP_FIX_HOST_PASSTHROUGH:
    case REFRACT_DSP_FIX_HARD_LIMIT:
    case REFRACT_DSP_FIX_REMOVE_BALLOON:
    case REFRACT_DSP_FIX_SCHED_PRIORITY:
    case REFRACT_DSP_FIX_ADD_IOTHREAD:
    default:
      return TRUE;
    }
}

static void
apply_vcpu_pins (const RefractDspFix *fix,
                 RefractDspConfig    *config)
{
  guint vcpus = refract_dsp_config_get_vcpus (config);
  int cpu = refract_cpu_set_first (&fix->cpus);

  for (guint v = 0; v < vcpus && cpu >= 0; v++)
    {
      RefractCpuSet one;

      refract_cpu_set_clear (&one);
      refract_cpu_set_add (&one, cpu);
      refract_dsp_config_set_vcpu_pin (config, v, &one);
      cpu = refract_cpu_set_next (&fix->cpus, cpu);
    }
  /* QEMU's own threads move off the vCPUs' new CPUs when they have CPUs left
   * to run on; a fix must not make a new problem */
  for (guint t = 0; t <= refract_dsp_config_get_iothreads (config); t++)
    {
      RefractCpuSet pin;
      gboolean pinned = t == 0 ? refract_dsp_config_get_emulator_pin (config, &pin)
                               : refract_dsp_config_get_iothread_pin (config, t, &pin);
      RefractCpuSet rest = pin;

      refract_cpu_set_subtract (&rest, &fix->cpus);
      if (!pinned || refract_cpu_set_equal (&rest, &pin) || refract_cpu_set_is_empty (&rest))
        continue;
      if (t == 0)
        refract_dsp_config_set_emulator_pin (config, &rest);
      else
        refract_dsp_config_set_iothread_pin (config, t, &rest);
    }
}

gboolean
refract_dsp_fix_apply (const RefractDspFix *fix,
                       RefractDspConfig    *config)
{
  guint priority;

  g_return_val_if_fail (fix != NULL, FALSE);
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (config), FALSE);

  switch (fix->kind)
    {
    case REFRACT_DSP_FIX_PIN_VCPUS:
      apply_vcpu_pins (fix, config);
      return TRUE;
    case REFRACT_DSP_FIX_PIN_EMULATOR:
      refract_dsp_config_set_emulator_pin (config, &fix->cpus);
      return TRUE;
    case REFRACT_DSP_FIX_PIN_IOTHREAD:
      refract_dsp_config_set_iothread_pin (config, fix->id, &fix->cpus);
      return TRUE;
    case REFRACT_DSP_FIX_SET_TOPOLOGY:
      refract_dsp_config_set_topology (config, 1, 1, fix->value, 1);
      return TRUE;
    case REFRACT_DSP_FIX_HOST_PASSTHROUGH:
      refract_dsp_config_set_host_passthrough (config, TRUE);
      return TRUE;
    case REFRACT_DSP_FIX_HARD_LIMIT:
      refract_dsp_config_set_hard_limit_kib (config, fix->value);
      return TRUE;
    case REFRACT_DSP_FIX_REMOVE_BALLOON:
      refract_dsp_config_set_has_memballoon (config, FALSE);
      return TRUE;
    case REFRACT_DSP_FIX_SCHED_PRIORITY:
      refract_dsp_config_set_scheduler (config, refract_dsp_config_get_scheduler (config, &priority, NULL),
                                        fix->value);
      return TRUE;
    case REFRACT_DSP_FIX_ADD_IOTHREAD:
      refract_dsp_config_set_iothreads (config, MAX (refract_dsp_config_get_iothreads (config), 1));
      return TRUE;
    case REFRACT_DSP_FIX_HOST_HUGEPAGES:
    case REFRACT_DSP_FIX_HOST_KERNEL:
    case REFRACT_DSP_FIX_HOST_COMMAND:
    default:
      return FALSE;
    }
}
