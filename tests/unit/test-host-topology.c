/* test-host-topology.c: RefractHostTopology over fixture trees and capabilities
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-host-topology.h"
#include "refract-test-util.h"

static RefractHostTopology *
load (const char *name)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "unit", "data", "topology", name, NULL);
  g_autoptr(GError) error = NULL;
  RefractHostTopology *topology = refract_host_topology_new_from_root (root, &error);

  g_assert_no_error (error);
  g_assert_true (refract_host_topology_get_is_local (topology));
  return topology;
}

static char *
fmt (const RefractCpuSet *set)
{
  return set ? refract_cpu_set_format (set) : g_strdup ("(unknown)");
}

static void
test_cpu_set (void)
{
  RefractCpuSet set;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (refract_cpu_set_parse (&set, "0-3,8,10-11", NULL));
  g_assert_cmpuint (refract_cpu_set_count (&set), ==, 7);
  text = refract_cpu_set_format (&set);
  g_assert_cmpstr (text, ==, "0-3,8,10-11");
  g_assert_true (refract_cpu_set_parse (&set, "", NULL));
  g_assert_true (refract_cpu_set_is_empty (&set));
  g_assert_false (refract_cpu_set_parse (&set, "3-1", &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_false (refract_cpu_set_parse (&set, "x", NULL));
  g_assert_true (refract_cpu_set_parse (&set, "1000-1023", NULL));
  g_assert_cmpint (refract_cpu_set_first (&set), ==, 1000);
}

static void
test_vm (void)
{
  g_autoptr(RefractHostTopology) t = load ("vm-2cpu");
  g_autofree char *isolated = fmt (refract_host_topology_get_isolated (t));

  g_assert_cmpuint (refract_host_topology_get_n_cpus (t), ==, 2);
  g_assert_cmpuint (refract_host_topology_get_n_cores (t), ==, 2);
  g_assert_cmpuint (refract_host_topology_get_threads_per_core (t), ==, 1);
  g_assert_cmpstr (isolated, ==, "");
  g_assert_null (refract_host_topology_get_cmdline_isolcpus (t));
  g_assert_cmpint (refract_host_topology_get_preempt_rt (t), ==, REFRACT_TRISTATE_NO);
  g_assert_cmpuint (refract_host_topology_get_memory_kib (t), ==, 32768000);
}

static void
test_desktop_smt (void)
{
  g_autoptr(RefractHostTopology) t = load ("desktop-4c8t");
  const RefractHostCpu *cpu5 = refract_host_topology_find_cpu (t, 5);
  g_autofree char *siblings = fmt (&cpu5->siblings);
  gint64 runtime;

  g_assert_cmpuint (refract_host_topology_get_n_cpus (t), ==, 8);
  g_assert_cmpuint (refract_host_topology_get_n_cores (t), ==, 4);
  g_assert_cmpuint (refract_host_topology_get_n_packages (t), ==, 1);
  g_assert_cmpuint (refract_host_topology_get_threads_per_core (t), ==, 2);
  g_assert_cmpstr (siblings, ==, "1,5");
  g_assert_cmpint (cpu5->core, ==, 1);
  g_assert_cmpint (cpu5->l3, ==, 0);
  g_assert_true (refract_host_topology_get_sched_rt_runtime_us (t, &runtime));
  g_assert_cmpint (runtime, ==, 950000);
  g_assert_cmpint (refract_host_topology_get_ksm_run (t), ==, 0);
}

static void
test_numa (void)
{
  g_autoptr(RefractHostTopology) t = load ("numa-2s");
  g_autofree char *online = fmt (refract_host_topology_get_online (t));
  GPtrArray *pages = refract_host_topology_get_hugepages (t);

  g_assert_cmpuint (refract_host_topology_get_n_cpus (t), ==, 16);
  g_assert_cmpuint (refract_host_topology_get_n_packages (t), ==, 2);
  g_assert_cmpuint (refract_host_topology_get_n_nodes (t), ==, 2);
  g_assert_cmpuint (refract_host_topology_get_n_cores (t), ==, 8);
  g_assert_cmpstr (online, ==, "0-14");
  g_assert_false (refract_host_topology_find_cpu (t, 15)->online);
  g_assert_cmpint (refract_host_topology_find_cpu (t, 12)->node, ==, 1);
  g_assert_cmpint (refract_host_topology_find_cpu (t, 12)->l3, ==, 4);
  /* host-wide first, then one per node */
  g_assert_cmpuint (pages->len, ==, 3);
  g_assert_cmpint (((RefractHugepages *) g_ptr_array_index (pages, 0))->node, ==, -1);
  g_assert_cmpint (((RefractHugepages *) g_ptr_array_index (pages, 2))->node, ==, 1);
}

static void
test_isolated (void)
{
  g_autoptr(RefractHostTopology) t = load ("isolated-rt");
  g_autofree char *isolated = fmt (refract_host_topology_get_isolated (t));
  g_autofree char *nohz = fmt (refract_host_topology_get_nohz_full (t));
  g_autofree char *isolcpus = fmt (refract_host_topology_get_cmdline_isolcpus (t));
  g_autofree char *rcu = fmt (refract_host_topology_get_cmdline_rcu_nocbs (t));
  g_autofree char *irq = fmt (refract_host_topology_get_cmdline_irqaffinity (t));
  const RefractHugepages *pages = refract_host_topology_find_hugepages (t, 2048);
  gint64 runtime;

  g_assert_cmpstr (isolated, ==, "2-3,6-7");
  g_assert_cmpstr (nohz, ==, "2-3,6-7");
  g_assert_cmpstr (isolcpus, ==, "2-3,6-7");
  g_assert_cmpstr (rcu, ==, "2-3,6-7");
  g_assert_cmpstr (irq, ==, "0-1,4-5");
  g_assert_cmpint (refract_host_topology_get_preempt_rt (t), ==, REFRACT_TRISTATE_YES);
  g_assert_true (refract_host_topology_get_sched_rt_runtime_us (t, &runtime));
  g_assert_cmpint (runtime, ==, -1);
  g_assert_cmpint (refract_host_topology_get_ksm_run (t), ==, 2);
  g_assert_nonnull (pages);
  g_assert_cmpint (pages->total, ==, 2048);
  g_assert_cmpint (pages->free, ==, 2048);
}

static void
test_missing_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractHostTopology) t = refract_host_topology_new_from_root ("/nonexistent-root", &error);

  g_assert_null (t);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND);
}

static void
test_capabilities (void)
{
  static const char caps[] =
    "<capabilities><host><cpu><arch>x86_64</arch><pages unit='KiB' size='4'/><pages unit='KiB' size='2048'/></cpu>"
    "<topology><cells num='1'><cell id='0'><memory unit='KiB'>16000000</memory>"
    "<pages unit='KiB' size='4'>4000000</pages><pages unit='KiB' size='2048'>512</pages>"
    "<cpus num='4'>"
    "<cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>"
    "<cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1,3'/>"
    "<cpu id='2' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>"
    "<cpu id='3' socket_id='0' die_id='0' core_id='1' siblings='1,3'/>"
    "</cpus></cell></cells></topology></host></capabilities>";
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractHostTopology) t = refract_host_topology_new_from_capabilities (caps, &error);
  const RefractHugepages *pages;

  g_assert_no_error (error);
  g_assert_false (refract_host_topology_get_is_local (t));
  g_assert_cmpuint (refract_host_topology_get_n_cpus (t), ==, 4);
  g_assert_cmpuint (refract_host_topology_get_n_cores (t), ==, 2);
  g_assert_cmpuint (refract_host_topology_get_threads_per_core (t), ==, 2);
  g_assert_null (refract_host_topology_get_isolated (t));
  g_assert_cmpint (refract_host_topology_get_preempt_rt (t), ==, REFRACT_TRISTATE_UNKNOWN);
  g_assert_cmpint (refract_host_topology_get_ksm_run (t), ==, -1);
  pages = refract_host_topology_find_hugepages (t, 2048);
  g_assert_nonnull (pages);
  g_assert_cmpint (pages->total, ==, 512);
  g_assert_cmpint (pages->free, ==, -1);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  g_test_add_func ("/host-topology/cpu-set", test_cpu_set);
  g_test_add_func ("/host-topology/vm", test_vm);
  g_test_add_func ("/host-topology/desktop-smt", test_desktop_smt);
  g_test_add_func ("/host-topology/numa", test_numa);
  g_test_add_func ("/host-topology/isolated", test_isolated);
  g_test_add_func ("/host-topology/missing-root", test_missing_root);
  g_test_add_func ("/host-topology/capabilities", test_capabilities);
  return g_test_run ();
}
