/* refract-dsp-validate.h: is this machine and its host set up for real-time audio?
 *
 * The FAIL/WARN rules of DSP-NETJACK.md. Each finding has a stable id (for
 * tests, scripts and --json), a severity, a translated message naming the
 * CPUs and values involved, and where possible a structured fix: one the
 * config can take (refract_dsp_fix_apply()), or one for the host (a command
 * or kernel parameters to show).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-dsp-config.h"
#include "refract-host-topology.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_DSP_SEVERITY_WARN,
  REFRACT_DSP_SEVERITY_FAIL,
} RefractDspSeverity;

typedef enum
{
  REFRACT_DSP_FIX_PIN_VCPUS,        /* vCPU i to the i-th CPU of @cpus */
  REFRACT_DSP_FIX_PIN_EMULATOR,     /* @cpus */
  REFRACT_DSP_FIX_PIN_IOTHREAD,     /* iothread @id to @cpus */
  REFRACT_DSP_FIX_SET_TOPOLOGY,     /* 1 socket, @value cores */
  REFRACT_DSP_FIX_HOST_PASSTHROUGH,
  REFRACT_DSP_FIX_HARD_LIMIT,       /* @value KiB */
  REFRACT_DSP_FIX_REMOVE_BALLOON,
  REFRACT_DSP_FIX_SCHED_PRIORITY,   /* @value */
  REFRACT_DSP_FIX_ADD_IOTHREAD,
  /* host side: nothing to apply to the config; show @command */
  REFRACT_DSP_FIX_HOST_HUGEPAGES,   /* @value pages of @size_kib */
  REFRACT_DSP_FIX_HOST_KERNEL,      /* kernel parameters for @cpus */
  REFRACT_DSP_FIX_HOST_COMMAND,
} RefractDspFixKind;

typedef struct
{
  RefractDspFixKind kind;
  char             *label;    /* translated: "Pin the emulator to 0-1" */
  guint             id;
  RefractCpuSet     cpus;
  guint64           value;
  guint64           size_kib;
  char             *command;  /* host-side fixes: what to run or add; else NULL */
} RefractDspFix;

typedef struct
{
  const char        *id;      /* stable: "cpu0-isolated", "emulator-unpinned", … */
  RefractDspSeverity severity;
  char              *message; /* translated */
  RefractDspFix     *fix;     /* may be NULL */
} RefractDspFinding;

/* RefractDspFinding*, FAILs first. @others: RefractDspConfig* of the host's
 * other machines (may be NULL), for CPUs pinned by two machines. */
GPtrArray  *refract_dsp_validate             (RefractDspConfig        *config,
                                              RefractHostTopology     *topology,
                                              GPtrArray               *others);
guint       refract_dsp_count                (GPtrArray               *findings,
                                              RefractDspSeverity       severity);
const RefractDspFinding *refract_dsp_find    (GPtrArray               *findings,
                                              const char              *id);
/* FALSE for host-side fixes, which the config can't take. */
gboolean    refract_dsp_fix_is_applicable    (const RefractDspFix     *fix);
gboolean    refract_dsp_fix_apply            (const RefractDspFix     *fix,
                                              RefractDspConfig        *config);
const char *refract_dsp_severity_to_string   (RefractDspSeverity       severity);
void        refract_dsp_finding_free         (RefractDspFinding       *finding);

/* The highest-numbered whole cores covering @n CPUs, never CPU 0 when avoidable. */
RefractCpuSet refract_dsp_suggest_cpus       (RefractHostTopology     *topology,
                                              guint                    n);
/* Kernel parameters isolating @cpus, as tuned writes them:
 * "isolcpus=managed_irq,domain,2-3 nohz=on nohz_full=2-3 rcu_nocbs=2-3
 *  irqaffinity=0-1 nosoftlockup". */
char       *refract_dsp_kernel_line          (RefractHostTopology     *topology,
                                              const RefractCpuSet     *cpus);
/* The same as NixOS: boot.kernelParams = [ "isolcpus=…" … ]; */
char       *refract_dsp_kernel_line_nixos    (RefractHostTopology     *topology,
                                              const RefractCpuSet     *cpus);
/* "hugepagesz=2M hugepages=2048" for the kernel line */
char       *refract_dsp_hugepages_kernel     (guint64                  size_kib,
                                              guint64                  pages);
/* "vm.nr_hugepages = 2048" (2 MiB pages only; others need the kernel line) */
char       *refract_dsp_hugepages_sysctl     (guint64                  size_kib,
                                              guint64                  pages);
/* pages needed for @memory_kib, rounded up */
guint64     refract_dsp_hugepages_needed     (guint64                  memory_kib,
                                              guint64                  size_kib);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractDspFinding, refract_dsp_finding_free)

G_END_DECLS
