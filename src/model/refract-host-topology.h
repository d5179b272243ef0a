/* refract-host-topology.h: the host's CPUs, isolation, hugepages and RT state
 *
 * Read from /sys and /proc below a root directory (tests use fixture trees),
 * or, for a remote host, from libvirt's capabilities XML, where what can't be
 * known stays unknown. Immutable once built: reload for fresh figures.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-model-types.h"

G_BEGIN_DECLS

/* ---- CPU sets ---------------------------------------------------------------- */

#define REFRACT_CPU_SET_MAX 1024

/* A set of host CPU numbers, a plain value: copy it with =. */
typedef struct
{
  guint64 bits[REFRACT_CPU_SET_MAX / 64];
} RefractCpuSet;

void      refract_cpu_set_clear      (RefractCpuSet       *set);
void      refract_cpu_set_add        (RefractCpuSet       *set,
                                      guint                cpu);
void      refract_cpu_set_remove     (RefractCpuSet       *set,
                                      guint                cpu);
gboolean  refract_cpu_set_has        (const RefractCpuSet *set,
                                      guint                cpu);
guint     refract_cpu_set_count      (const RefractCpuSet *set);
gboolean  refract_cpu_set_is_empty   (const RefractCpuSet *set);
gboolean  refract_cpu_set_equal      (const RefractCpuSet *a,
                                      const RefractCpuSet *b);
/* -1 when empty */
int       refract_cpu_set_first      (const RefractCpuSet *set);
/* The next CPU after @cpu, -1 at the end; start with -1. */
int       refract_cpu_set_next       (const RefractCpuSet *set,
                                      int                  cpu);
void      refract_cpu_set_union      (RefractCpuSet       *set,
                                      const RefractCpuSet *other);
void      refract_cpu_set_intersect  (RefractCpuSet       *set,
                                      const RefractCpuSet *other);
void      refract_cpu_set_subtract   (RefractCpuSet       *set,
                                      const RefractCpuSet *other);
gboolean  refract_cpu_set_intersects (const RefractCpuSet *a,
                                      const RefractCpuSet *b);
gboolean  refract_cpu_set_is_subset  (const RefractCpuSet *set,
                                      const RefractCpuSet *of);
/* The kernel's list syntax: "0-3,8,10-11". An empty string is the empty set. */
gboolean  refract_cpu_set_parse      (RefractCpuSet       *set,
                                      const char          *text,
                                      GError             **error);
char     *refract_cpu_set_format     (const RefractCpuSet *set);

/* ---- the topology ------------------------------------------------------------ */

typedef enum
{
  REFRACT_TRISTATE_UNKNOWN = -1,
  REFRACT_TRISTATE_NO = 0,
  REFRACT_TRISTATE_YES = 1,
} RefractTristate;

typedef struct
{
  guint    id;
  gboolean online;
  int      package;   /* physical_package_id, -1 unknown */
  int      die;       /* -1 unknown */
  int      core;      /* core_id, -1 unknown */
  int      node;      /* NUMA node, -1 unknown */
  int      l3;        /* the lowest CPU sharing this CPU's L3, -1 unknown */
  RefractCpuSet siblings; /* SMT siblings, this CPU included; empty when unknown */
} RefractHostCpu;

/* One hugepage size, on the whole host (node -1) or one NUMA node. Counts are
 * in pages, -1 when unknown. */
typedef struct
{
  guint64 size_kib;
  int     node;
  gint64  total;
  gint64  free;
  gint64  reserved;
  gint64  surplus;
} RefractHugepages;

#define REFRACT_TYPE_HOST_TOPOLOGY (refract_host_topology_get_type ())

G_DECLARE_FINAL_TYPE (RefractHostTopology, refract_host_topology, REFRACT, HOST_TOPOLOGY, GObject)

/* @root is "/" for this machine. Fails only when no CPU can be found. */
RefractHostTopology *refract_host_topology_new_from_root   (const char           *root,
                                                            GError              **error);
/* virConnectGetCapabilities output. Isolation, kernel and RT facts are unknown. */
RefractHostTopology *refract_host_topology_new_from_capabilities (const char     *caps_xml,
                                                            GError              **error);
/* Only counts (virNodeGetInfo): CPUs numbered like Linux, facts unknown. */
RefractHostTopology *refract_host_topology_new_from_counts (guint                 sockets,
                                                            guint                 cores,
                                                            guint                 threads,
                                                            guint64               memory_kib);
/* Local connections read this machine's files, others the capabilities. */
void                 refract_host_topology_load_async      (RefractConnection    *connection,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
RefractHostTopology *refract_host_topology_load_finish     (GAsyncResult         *result,
                                                            GError              **error);

/* TRUE when read from /sys and /proc, FALSE from capabilities */
gboolean             refract_host_topology_get_is_local    (RefractHostTopology  *self);
guint                refract_host_topology_get_n_cpus      (RefractHostTopology  *self);
const RefractHostCpu *refract_host_topology_get_cpu        (RefractHostTopology  *self,
                                                            guint                 index);
/* NULL when @cpu is not a CPU of this host */
const RefractHostCpu *refract_host_topology_find_cpu       (RefractHostTopology  *self,
                                                            guint                 cpu);
guint                refract_host_topology_get_n_packages  (RefractHostTopology  *self);
guint                refract_host_topology_get_n_cores     (RefractHostTopology  *self);
guint                refract_host_topology_get_n_nodes     (RefractHostTopology  *self);
guint                refract_host_topology_get_threads_per_core (RefractHostTopology *self);
const RefractCpuSet *refract_host_topology_get_all         (RefractHostTopology  *self);
const RefractCpuSet *refract_host_topology_get_online      (RefractHostTopology  *self);
guint64              refract_host_topology_get_memory_kib  (RefractHostTopology  *self); /* 0 unknown */

/* Effective (from /sys): NULL when unknown. */
const RefractCpuSet *refract_host_topology_get_isolated    (RefractHostTopology  *self);
const RefractCpuSet *refract_host_topology_get_nohz_full   (RefractHostTopology  *self);
/* Requested on the kernel command line: NULL when absent or unknown. */
const RefractCpuSet *refract_host_topology_get_cmdline_isolcpus    (RefractHostTopology *self);
const RefractCpuSet *refract_host_topology_get_cmdline_nohz_full   (RefractHostTopology *self);
const RefractCpuSet *refract_host_topology_get_cmdline_rcu_nocbs   (RefractHostTopology *self);
const RefractCpuSet *refract_host_topology_get_cmdline_irqaffinity (RefractHostTopology *self);
/* The whole command line, NULL when unknown */
const char          *refract_host_topology_get_cmdline     (RefractHostTopology  *self);

/* RefractHugepages*: per size for the host (node -1) first, then per node. */
GPtrArray           *refract_host_topology_get_hugepages   (RefractHostTopology  *self);
/* The host-wide entry for one size, NULL when there is none. */
const RefractHugepages *refract_host_topology_find_hugepages (RefractHostTopology *self,
                                                            guint64               size_kib);

RefractTristate      refract_host_topology_get_preempt_rt  (RefractHostTopology  *self);
const char          *refract_host_topology_get_kernel_version (RefractHostTopology *self);
/* FALSE when unknown */
gboolean             refract_host_topology_get_sched_rt_runtime_us (RefractHostTopology *self,
                                                            gint64               *value);
/* -1 unknown */
int                  refract_host_topology_get_ksm_run     (RefractHostTopology  *self);

G_END_DECLS
