/* test-dsp.c: the DSP coprocessor settings against a private libvirtd + QEMU
 *
 * The "dsp-coprocessor" preset's machine (disk-less, 256 MiB) gets its
 * real-time settings through RefractDspConfig: each vCPU pinned to one host
 * CPU, the emulator pinned, FIFO scheduling for the vCPUs, and hugepages
 * (2 MiB pages reserved for the test through /proc/sys/vm/nr_hugepages, on a
 * hugetlbfs mounted in the test's own mount namespace, which the harness's
 * libvirtd inherits: libvirtd looks for hugetlbfs when it starts) or, when none can be had, locked memory with a hard
 * limit. The QEMU driver's define must keep them; QEMU must start with them
 * (the vCPU threads, found through QMP, run SCHED_FIFO on their CPUs); the
 * pinning then changes live and libvirt reports the new maps; refract-dsp
 * status describes the running machine, in text and JSON, with the exit
 * status its findings call for. The machine is deleted and the host's
 * hugepage reservation restored, also when the test dies (a watcher process).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* unshare, sched_getaffinity, SCHED_RESET_ON_FORK */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libvirt/libvirt-qemu.h>

#include "refract-dsp-config.h"
#include "refract-dsp-validate.h"
#include "refract-host-topology.h"
#include "refract-machine-creator.h"
#include "refract-netjack-config.h"
#include "refract-presets.h"
#include "refract-test-harness.h"

#define MACHINE_NAME   "refract-dsp-it"
#define MEMORY_MIB     256
#define PAGE_KIB       2048
#define PAGES_NEEDED   (MEMORY_MIB * 1024 / PAGE_KIB)
#define SCHED_PRIORITY 1
#define NR_HUGEPAGES   "/proc/sys/vm/nr_hugepages"
#define FREE_HUGEPAGES "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"

/* ---- hugepages ---------------------------------------------------------------- */

/* Set up in main() before any thread exists (unshare(CLONE_NEWNS) needs that) */
static char *hugetlbfs_dir;
static char *hugetlbfs_problem;

static gboolean
mount_hugetlbfs (void)
{
  if (geteuid () != 0)
    {
      hugetlbfs_problem = g_strdup ("not root");
      return FALSE;
    }
  /* to try the fallback on a host that has hugepages */
  if (g_getenv ("REFRACT_DSP_IT_NO_HUGEPAGES") != NULL)
    {
      hugetlbfs_problem = g_strdup ("REFRACT_DSP_IT_NO_HUGEPAGES is set");
      return FALSE;
    }
  /* the mount lives as long as this process's mount namespace, and goes
   * with it whatever happens to the test */
  if (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      hugetlbfs_problem = g_strdup_printf ("no private mount namespace: %s", g_strerror (errno));
      return FALSE;
    }
  /* in the build tree, next to the harness: nothing to clean up elsewhere
   * when the test dies */
  hugetlbfs_dir = g_strdup (HARNESS_DIR "-hugepages");
  if (g_mkdir_with_parents (hugetlbfs_dir, 0700) != 0 ||
      mount ("hugetlbfs", hugetlbfs_dir, "hugetlbfs", 0, "pagesize=2M") != 0)
    {
      hugetlbfs_problem = g_strdup_printf ("mount -t hugetlbfs %s: %s", hugetlbfs_dir, g_strerror (errno));
      g_clear_pointer (&hugetlbfs_dir, g_free);
      return FALSE;
    }
  return TRUE;
}

static void
unmount_hugetlbfs (void)
{
  if (hugetlbfs_dir == NULL)
    return;
  umount2 (hugetlbfs_dir, MNT_DETACH);
  g_clear_pointer (&hugetlbfs_dir, g_free);
}

static gint64
read_number (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
write_number (const char *path, gint64 value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", value);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
}

typedef struct
{
  gint64 old;        /* nr_hugepages before the test, -1 when untouched */
  GPid   watcher;
  int    watcher_in; /* closing it (or dying) makes the watcher restore @old */
} Reservation;

static Reservation reservation = { -1, 0, -1 };

/* Reserves the machine's pages unless enough are free; a watcher process
 * puts the old count back when this process ends, however it ends. */
static gboolean
reserve_hugepages (char **why)
{
  gint64 old = read_number (NR_HUGEPAGES);
  gint64 free_pages = read_number (FREE_HUGEPAGES);
  g_autofree char *restore = NULL;
  g_autoptr(GError) error = NULL;

  if (hugetlbfs_dir == NULL)
    {
      *why = g_strdup_printf ("hugetlbfs could not be mounted (%s)", hugetlbfs_problem);
      return FALSE;
    }
  if (old < 0 || free_pages < 0)
    {
      *why = g_strdup ("the kernel has no 2 MiB hugepages");
      return FALSE;
    }
  if (free_pages >= PAGES_NEEDED)
    return TRUE;

  restore = g_strdup_printf ("cat >/dev/null; echo %" G_GINT64_FORMAT " > " NR_HUGEPAGES, old);
  {
    const char *argv[] = { "/bin/sh", "-c", restore, NULL };

    if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                   &reservation.watcher, &reservation.watcher_in, NULL, NULL,
                                   &error))
      {
        *why = g_strdup_printf ("no watcher to restore %s: %s", NR_HUGEPAGES, error->message);
        return FALSE;
      }
  }
  reservation.old = old;
  if (!write_number (NR_HUGEPAGES, old + PAGES_NEEDED - free_pages))
    {
      *why = g_strdup_printf ("%s is not writable: %s", NR_HUGEPAGES, g_strerror (errno));
      return FALSE;
    }
  free_pages = read_number (FREE_HUGEPAGES);
  if (free_pages < PAGES_NEEDED)
    {
      *why = g_strdup_printf ("the kernel reserved only %" G_GINT64_FORMAT " of %d free 2 MiB pages",
                              free_pages, PAGES_NEEDED);
      return FALSE;
    }
  return TRUE;
}

static void
restore_hugepages (void)
{
  int status = 0;

  if (reservation.watcher_in < 0)
    return;
  /* the watcher writes the old count once its input ends */
  close (reservation.watcher_in);
  reservation.watcher_in = -1;
  g_assert_cmpint (waitpid (reservation.watcher, &status, 0), ==, reservation.watcher);
  g_spawn_close_pid (reservation.watcher);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpint (read_number (NR_HUGEPAGES), ==, reservation.old);
  reservation.old = -1;
}

/* ---- helpers ------------------------------------------------------------------- */

static RefractHostCaps *
load_caps (RthHarness *h)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractHostCaps *caps;

  refract_host_caps_load_async (h->connection, FALSE, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the host capabilities");
  caps = refract_host_caps_load_finish (result, &error);
  g_assert_no_error (error);
  return caps;
}

static RefractHostTopology *
load_topology (RthHarness *h)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractHostTopology *topology;

  refract_host_topology_load_async (h->connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the host topology");
  topology = refract_host_topology_load_finish (result, &error);
  g_assert_no_error (error);
  return topology;
}

static RefractDspConfig *
load_config (RefractMachine *machine, gboolean live)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractDspConfig *config;

  refract_dsp_config_load_async (machine, live, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the DSP settings");
  config = refract_dsp_config_load_finish (result, &error);
  g_assert_no_error (error);
  return config;
}

static RefractDspApplyResult *
apply (RefractDspConfig *config, RefractMachine *machine, gboolean live)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractDspApplyResult *applied;

  refract_dsp_config_apply_async (config, machine, live, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the DSP settings to be applied");
  applied = refract_dsp_config_apply_finish (config, result, &error);
  if (applied == NULL)
    g_error ("apply (live %d): %s", live, error->message);
  return applied;
}

static char *
domain_xml (RefractMachine *machine, unsigned int flags)
{
  virDomainPtr dom = _refract_machine_ref_domain (machine);
  char *xml;
  char *copy;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, flags);
  virDomainFree (dom);
  g_assert_nonnull (xml);
  copy = g_strdup (xml);
  free (xml);
  return copy;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, haystack);
}

/* Every vCPU has @scheduler at @priority, and nothing else is in <vcpusched>:
 * one element for all vCPUs ("0-1"), or, as libvirt 9.0 writes it, one each. */
static void
assert_sched (const char *xml, guint n_vcpus, const char *scheduler, int priority)
{
  g_autofree char *all = g_strdup_printf ("<vcpusched vcpus='0-%u' scheduler='%s' priority='%d'/>",
                                          n_vcpus - 1, scheduler, priority);
  guint n = 0;

  for (const char *p = strstr (xml, "<vcpusched "); p != NULL; p = strstr (p + 1, "<vcpusched "))
    n++;
  if (strstr (xml, all) != NULL)
    {
      g_assert_cmpuint (n, ==, 1);
      return;
    }
  g_assert_cmpuint (n, ==, n_vcpus);
  for (guint v = 0; v < n_vcpus; v++)
    {
      g_autofree char *one = g_strdup_printf ("<vcpusched vcpus='%u' scheduler='%s' priority='%d'/>",
                                              v, scheduler, priority);

      assert_contains (xml, one);
    }
}

static RefractCpuSet
single (guint cpu)
{
  RefractCpuSet set;

  refract_cpu_set_clear (&set);
  refract_cpu_set_add (&set, cpu);
  return set;
}

static RefractCpuSet
map_to_set (const unsigned char *map, int maplen)
{
  RefractCpuSet set;

  refract_cpu_set_clear (&set);
  for (int cpu = 0; cpu < maplen * 8; cpu++)
    if (VIR_CPU_USABLE (map, maplen, 0, cpu))
      refract_cpu_set_add (&set, cpu);
  return set;
}

static void
assert_set (const RefractCpuSet *actual, const RefractCpuSet *expected, const char *what)
{
  g_autofree char *a = refract_cpu_set_format (actual);
  g_autofree char *e = refract_cpu_set_format (expected);

  if (!refract_cpu_set_equal (actual, expected))
    g_error ("%s: CPUs %s, expected %s", what, a, e);
}

/* What libvirt says the running machine's pins are (@flags: AFFECT_LIVE or
 * AFFECT_CONFIG), against @vcpu_cpus[v] and @emulator. */
static void
assert_pins (RefractMachine *machine, unsigned int flags, guint n_vcpus,
             const guint *vcpu_cpus, const RefractCpuSet *emulator)
{
  virDomainPtr dom = _refract_machine_ref_domain (machine);
  int ncpus = virNodeGetCPUMap (virDomainGetConnect (dom), NULL, NULL, 0);
  int maplen;
  g_autofree unsigned char *maps = NULL;
  g_autofree unsigned char *emap = NULL;
  const char *scope = flags == VIR_DOMAIN_AFFECT_LIVE ? "live" : "config";

  g_assert_cmpint (ncpus, >, 0);
  maplen = VIR_CPU_MAPLEN (ncpus);
  maps = g_malloc0 ((gsize) maplen * n_vcpus);
  emap = g_malloc0 (maplen);
  if (virDomainGetVcpuPinInfo (dom, n_vcpus, maps, maplen, flags) != (int) n_vcpus)
    g_error ("virDomainGetVcpuPinInfo (%s): %s", scope, virGetLastErrorMessage ());
  for (guint v = 0; v < n_vcpus; v++)
    {
      RefractCpuSet actual = map_to_set (VIR_GET_CPUMAP (maps, maplen, v), maplen);
      RefractCpuSet expected = single (vcpu_cpus[v]);
      g_autofree char *what = g_strdup_printf ("%s pin of vCPU %u", scope, v);

      assert_set (&actual, &expected, what);
    }
  if (virDomainGetEmulatorPinInfo (dom, emap, maplen, flags) != 1)
    g_error ("virDomainGetEmulatorPinInfo (%s): %s", scope, virGetLastErrorMessage ());
  {
    RefractCpuSet actual = map_to_set (emap, maplen);
    g_autofree char *what = g_strdup_printf ("%s pin of the emulator", scope);

    assert_set (&actual, emulator, what);
  }
  virDomainFree (dom);
}

/* The vCPU threads of the running QEMU, from QMP query-cpus-fast */
static GArray *
vcpu_threads (RefractMachine *machine)
{
  virDomainPtr dom = _refract_machine_ref_domain (machine);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GArray *tids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  char *out = NULL;
  JsonArray *cpus;

  g_assert_nonnull (dom);
  if (virDomainQemuMonitorCommand (dom, "{\"execute\":\"query-cpus-fast\"}", &out, 0) < 0)
    g_error ("query-cpus-fast: %s", virGetLastErrorMessage ());
  virDomainFree (dom);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  cpus = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "return");
  for (guint i = 0; i < json_array_get_length (cpus); i++)
    {
      JsonObject *cpu = json_array_get_object_element (cpus, i);
      pid_t tid = json_object_get_int_member (cpu, "thread-id");

      g_assert_cmpint (json_object_get_int_member (cpu, "cpu-index"), ==, i);
      g_array_append_val (tids, tid);
    }
  free (out);
  return tids;
}

/* What the kernel says about the vCPU threads: the CPU each may run on, and
 * FIFO at @priority when @fifo. */
static void
assert_threads (RefractMachine *machine, guint n_vcpus, const guint *vcpu_cpus, gboolean fifo)
{
  g_autoptr(GArray) tids = vcpu_threads (machine);

  g_assert_cmpuint (tids->len, ==, n_vcpus);
  for (guint v = 0; v < n_vcpus; v++)
    {
      pid_t tid = g_array_index (tids, pid_t, v);
      cpu_set_t mask;
      struct sched_param param;
      int policy = sched_getscheduler (tid);

      g_assert_cmpint (sched_getaffinity (tid, sizeof mask, &mask), ==, 0);
      g_assert_cmpint (CPU_COUNT (&mask), ==, 1);
      g_assert_true (CPU_ISSET (vcpu_cpus[v], &mask));
      g_assert_cmpint (sched_getparam (tid, &param), ==, 0);
      if (fifo)
        {
          g_assert_cmpint (policy & ~SCHED_RESET_ON_FORK, ==, SCHED_FIFO);
          g_assert_cmpint (param.sched_priority, ==, SCHED_PRIORITY);
        }
      else
        g_assert_cmpint (policy & ~SCHED_RESET_ON_FORK, ==, SCHED_OTHER);
    }
}

/* refract-dsp with @args after --connect; its stdout and exit status */
static int
refract_dsp (RthHarness *h, const char *const *args, char **out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) REFRACT_DSP_PATH);
  g_ptr_array_add (argv, (char *) "--connect");
  g_ptr_array_add (argv, h->uri);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                     &status, &error))
    g_error ("%s: %s", REFRACT_DSP_PATH, error->message);
  if (err != NULL && *err != '\0')
    g_test_message ("refract-dsp stderr:\n%s", err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* ---- the test ------------------------------------------------------------------- */

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  rth_setup (h, HARNESS_DIR);
  h->connection = rt_open (h->uri);
}

static void
test_dsp (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractHostCaps) caps = load_caps (h);
  g_autoptr(RefractHostTopology) topology = load_topology (h);
  g_autoptr(RefractMachineSpec) spec = refract_machine_spec_new ();
  g_autoptr(RefractDspConfig) config = NULL;
  g_autoptr(RefractDspApplyResult) applied = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *why = NULL;
  g_autofree char *emulator_text = NULL;
  RefractMachine *machine;
  RefractCpuSet suggested, all, emulator, live_emulator;
  guint cpus[2], swapped[2];
  gboolean hugepages, locked, fifo = TRUE;

  /* ---- the preset's machine, disk-less and small */
  rth_step (h, "creating the DSP preset's machine");
  g_assert_true (refract_preset_apply ("dsp-coprocessor", spec, caps));
  refract_machine_spec_set_string (&spec->name, MACHINE_NAME);
  spec->source = REFRACT_SOURCE_NONE;
  spec->disk_mode = REFRACT_DISK_NONE;
  spec->memory_mib = MEMORY_MIB;
  g_assert_cmpuint (spec->vcpus, ==, 2);
  if (spec->network == REFRACT_NETWORK_NAT &&
      (refract_host_caps_get_networks (caps) == NULL ||
       !g_strv_contains (refract_host_caps_get_networks (caps), spec->network_name)))
    {
      g_test_message ("no libvirt network “%s” in the harness: the machine has no NIC", spec->network_name);
      spec->network = REFRACT_NETWORK_NONE;
    }
  refract_machine_create_async (h->connection, spec, FALSE, NULL, NULL, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 120, "the machine to be created");
  uuid = refract_machine_create_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  rt_wait_until (refract_machine_list_find_by_name (refract_connection_get_machines (h->connection),
                                                    MACHINE_NAME) != NULL, 30, "the new machine in the list");
  machine = g_object_ref (rt_find (h->connection, MACHINE_NAME));

  /* ---- host CPUs: what the DSP page would suggest, one per vCPU */
  g_assert_true (refract_host_topology_get_is_local (topology));
  all = *refract_host_topology_get_online (topology);
  g_assert_cmpuint (refract_cpu_set_count (&all), >=, 2);
  suggested = refract_dsp_suggest_cpus (topology, 2);
  g_assert_cmpuint (refract_cpu_set_count (&suggested), ==, 2);
  cpus[0] = refract_cpu_set_first (&suggested);
  cpus[1] = refract_cpu_set_next (&suggested, cpus[0]);
  /* start the other way round, so that the live change swaps them */
  swapped[0] = cpus[0];
  swapped[1] = cpus[1];
  cpus[0] = swapped[1];
  cpus[1] = swapped[0];
  emulator = all;
  live_emulator = single (refract_cpu_set_first (&all));

  /* ---- 1. the settings through RefractDspConfig, defined by the QEMU driver */
  rth_step (h, "DSP settings: pinning, FIFO, memory");
  hugepages = reserve_hugepages (&why);
  config = load_config (machine, FALSE);
  g_assert_cmpuint (refract_dsp_config_get_vcpus (config), ==, 2);
  g_assert_cmpuint (refract_dsp_config_get_memory_kib (config), ==, MEMORY_MIB * 1024);
  for (guint v = 0; v < 2; v++)
    {
      RefractCpuSet pin = single (cpus[v]);

      refract_dsp_config_set_vcpu_pin (config, v, &pin);
    }
  refract_dsp_config_set_emulator_pin (config, &emulator);
  refract_dsp_config_set_scheduler (config, REFRACT_VCPU_SCHED_FIFO, SCHED_PRIORITY);
  if (hugepages)
    {
      g_test_message ("hugepages: %" G_GINT64_FORMAT " free 2 MiB pages on hugetlbfs at %s",
                      read_number (FREE_HUGEPAGES), hugetlbfs_dir);
      refract_dsp_config_set_hugepage_size_kib (config, PAGE_KIB);
      refract_dsp_config_set_nosharepages (config, TRUE);
    }
  else
    {
      g_test_message ("no hugepages (%s): locked memory with a hard limit instead", why);
      refract_dsp_config_set_locked (config, TRUE);
      /* QEMU's own memory comes on top of the guest's (TCG's code buffer alone is large) */
      refract_dsp_config_set_hard_limit_kib (config, (MEMORY_MIB + 2048) * 1024);
    }
  g_assert_true (refract_dsp_config_get_modified (config));
  applied = apply (config, machine, FALSE);
  g_assert_true (applied->defined);
  g_assert_false (applied->applied_live);
  g_clear_pointer (&applied, refract_dsp_apply_result_free);
  g_clear_object (&config);

  xml = domain_xml (machine, VIR_DOMAIN_XML_INACTIVE);
  emulator_text = refract_cpu_set_format (&emulator);
  for (guint v = 0; v < 2; v++)
    {
      g_autofree char *pin = g_strdup_printf ("<vcpupin vcpu='%u' cpuset='%u'/>", v, cpus[v]);

      assert_contains (xml, pin);
    }
  {
    g_autofree char *pin = g_strdup_printf ("<emulatorpin cpuset='%s'/>", emulator_text);

    assert_contains (xml, pin);
    assert_sched (xml, 2, "fifo", SCHED_PRIORITY);
  }
  if (hugepages)
    {
      assert_contains (xml, "<hugepages>");
      assert_contains (xml, "<page size='2048' unit='KiB'/>");
      assert_contains (xml, "<nosharepages/>");
    }
  else
    {
      assert_contains (xml, "<locked/>");
      assert_contains (xml, "<hard_limit unit='KiB'>");
    }
  /* and the model reads back what the driver kept */
  config = load_config (machine, FALSE);
  {
    RefractCpuSet pin;
    guint priority = 0;

    for (guint v = 0; v < 2; v++)
      {
        RefractCpuSet expected = single (cpus[v]);

        g_assert_true (refract_dsp_config_get_vcpu_pin (config, v, &pin));
        assert_set (&pin, &expected, "vCPU pin read back");
      }
    g_assert_true (refract_dsp_config_get_emulator_pin (config, &pin));
    assert_set (&pin, &emulator, "emulator pin read back");
    g_assert_cmpint (refract_dsp_config_get_scheduler (config, &priority, NULL), ==, REFRACT_VCPU_SCHED_FIFO);
    g_assert_cmpuint (priority, ==, SCHED_PRIORITY);
    g_assert_cmpuint (refract_dsp_config_get_hugepage_size_kib (config), ==, hugepages ? PAGE_KIB : 0);
    g_assert_cmpint (refract_dsp_config_get_locked (config), ==, !hugepages);
  }
  /* libvirt keeps one <vcpusched> per vCPU: changing the scheduler must
   * change it for all of them */
  refract_dsp_config_set_scheduler (config, REFRACT_VCPU_SCHED_RR, SCHED_PRIORITY + 1);
  g_clear_pointer (&applied, refract_dsp_apply_result_free);
  applied = apply (config, machine, FALSE);
  g_clear_object (&config);
  g_free (xml);
  xml = domain_xml (machine, VIR_DOMAIN_XML_INACTIVE);
  assert_sched (xml, 2, "rr", SCHED_PRIORITY + 1);
  config = load_config (machine, FALSE);
  refract_dsp_config_set_scheduler (config, REFRACT_VCPU_SCHED_FIFO, SCHED_PRIORITY);
  g_clear_pointer (&applied, refract_dsp_apply_result_free);
  applied = apply (config, machine, FALSE);
  g_clear_object (&config);
  g_free (xml);
  xml = domain_xml (machine, VIR_DOMAIN_XML_INACTIVE);
  assert_sched (xml, 2, "fifo", SCHED_PRIORITY);

  /* ---- 2. start it: pinned, FIFO, then the pinning changes live */
  rth_step (h, "starting the machine");
  locked = !hugepages;
  while (!rt_run (machine, REFRACT_MACHINE_ACTION_START, &error))
    {
      /* What a container may refuse: RT scheduling (CAP_SYS_NICE, RT
       * throttling), or raising RLIMIT_MEMLOCK for <locked/> (libvirt does
       * that with prlimit, which needs CAP_SYS_RESOURCE). Each is dropped
       * for the running part, once; anything else is a failure. */
      g_test_message ("QEMU did not start: %s", error->message);
      config = load_config (machine, FALSE);
      if (fifo && strstr (error->message, "sched") != NULL)
        {
          g_test_message ("dropping <vcpusched> for the running part: RT scheduling is refused here");
          refract_dsp_config_set_scheduler (config, REFRACT_VCPU_SCHED_NONE, 0);
          fifo = FALSE;
        }
      else if (locked && strstr (error->message, "locked memory") != NULL)
        {
          g_test_message ("dropping <locked/> and the hard limit for the running part: "
                          "this host won't raise QEMU's locked-memory limit");
          refract_dsp_config_set_locked (config, FALSE);
          refract_dsp_config_set_hard_limit_kib (config, 0);
          locked = FALSE;
        }
      else
        g_error ("start: %s", error->message);
      g_clear_error (&error);
      g_clear_pointer (&applied, refract_dsp_apply_result_free);
      applied = apply (config, machine, FALSE);
      g_clear_object (&config);
    }
  rt_wait_state (machine, REFRACT_MACHINE_STATE_RUNNING, 60);
  g_clear_pointer (&applied, refract_dsp_apply_result_free);

  assert_pins (machine, VIR_DOMAIN_AFFECT_LIVE, 2, cpus, &emulator);
  assert_threads (machine, 2, cpus, fifo);
  if (hugepages)
    {
      g_autofree char *live_xml = domain_xml (machine, 0);

      assert_contains (live_xml, "<page size='2048' unit='KiB'/>");
      g_test_message ("hugepages in use by QEMU: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " free",
                      read_number (FREE_HUGEPAGES), read_number (NR_HUGEPAGES));
    }

  rth_step (h, "pinning live");
  config = load_config (machine, FALSE);
  for (guint v = 0; v < 2; v++)
    {
      RefractCpuSet pin = single (swapped[v]);

      refract_dsp_config_set_vcpu_pin (config, v, &pin);
    }
  refract_dsp_config_set_emulator_pin (config, &live_emulator);
  applied = apply (config, machine, TRUE);
  g_assert_true (applied->defined);
  g_assert_true (applied->applied_live);
  /* pins are all that changed, and pins change at once */
  g_assert_nonnull (applied->needs_restart);
  if (applied->needs_restart[0] != NULL)
    g_error ("waits for a restart: %s", applied->needs_restart[0]);
  g_clear_pointer (&applied, refract_dsp_apply_result_free);
  g_clear_object (&config);

  assert_pins (machine, VIR_DOMAIN_AFFECT_LIVE, 2, swapped, &live_emulator);
  assert_pins (machine, VIR_DOMAIN_AFFECT_CONFIG, 2, swapped, &live_emulator);
  assert_threads (machine, 2, swapped, fifo);
  /* what runs, as the model reads it */
  config = load_config (machine, TRUE);
  {
    RefractCpuSet pin;

    for (guint v = 0; v < 2; v++)
      {
        RefractCpuSet expected = single (swapped[v]);

        g_assert_true (refract_dsp_config_get_vcpu_pin (config, v, &pin));
        assert_set (&pin, &expected, "live vCPU pin read back");
      }
    g_assert_true (refract_dsp_config_get_emulator_pin (config, &pin));
    assert_set (&pin, &live_emulator, "live emulator pin read back");
  }

  /* ---- 3. refract-dsp status on the running machine */
  rth_step (h, "refract-dsp status");
  {
    g_autoptr(GPtrArray) findings = refract_dsp_validate (config, topology, NULL);
    guint fails = refract_dsp_count (findings, REFRACT_DSP_SEVERITY_FAIL);
    const RefractCpuSet *isolated = refract_host_topology_get_isolated (topology);
    const char *text_args[] = { "status", MACHINE_NAME, NULL };
    const char *json_args[] = { "--json", "status", MACHINE_NAME, NULL };
    g_autofree char *out = NULL;
    g_autofree char *json = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root, *machine_json;
    JsonArray *checks, *pins;
    int status;

    for (guint i = 0; i < findings->len; i++)
      {
        RefractDspFinding *f = g_ptr_array_index (findings, i);

        g_test_message ("expected finding: %s %s", refract_dsp_severity_to_string (f->severity), f->id);
      }
    /* this host isolates no CPU, so the pinned vCPUs are not isolated */
    if (isolated != NULL && !refract_cpu_set_is_subset (&suggested, isolated))
      g_assert_nonnull (refract_dsp_find (findings, "vcpu-not-isolated"));
    /* the running machine holds its hugepages: none are free, none missing */
    g_assert_true (refract_dsp_config_get_is_running (config));
    g_assert_null (refract_dsp_find (findings, "hugepages-short"));

    status = refract_dsp (h, text_args, &out);
    g_test_message ("refract-dsp status %s (exit %d):\n%s", MACHINE_NAME, status, out);
    g_assert_cmpint (status, ==, fails > 0 ? 1 : 0);
    assert_contains (out, "Running");
    g_assert_null (strstr (out, "hugepages-short"));
    if (isolated != NULL && refract_cpu_set_is_empty (isolated))
      assert_contains (out, "Isolated: none");
    for (guint v = 0; v < 2; v++)
      {
        g_autofree char *line = g_strdup_printf ("vCPU %u → CPU %u\n", v, swapped[v]);

        assert_contains (out, line);
      }
    {
      g_autofree char *line = g_strdup_printf ("Emulator → CPU %u\n", refract_cpu_set_first (&live_emulator));
      g_autofree char *sched = g_strdup_printf ("Scheduler: %s, priority %d",
                                                fifo ? "fifo" : "none", fifo ? SCHED_PRIORITY : 0);

      assert_contains (out, line);
      assert_contains (out, sched);
    }
    for (guint i = 0; i < findings->len; i++)
      assert_contains (out, ((RefractDspFinding *) g_ptr_array_index (findings, i))->id);

    status = refract_dsp (h, json_args, &json);
    g_assert_cmpint (status, ==, fails > 0 ? 1 : 0);
    json_parser_load_from_data (parser, json, -1, &error);
    if (error != NULL)
      g_error ("refract-dsp --json: %s:\n%s", error->message, json);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpint (json_object_get_boolean_member (root, "ok"), ==, fails == 0);
    machine_json = json_object_get_object_member (root, "machine");
    g_assert_nonnull (machine_json);
    g_assert_cmpstr (json_object_get_string_member (machine_json, "name"), ==, MACHINE_NAME);
    g_assert_cmpstr (json_object_get_string_member (machine_json, "state"), ==, "running");
    pins = json_object_get_array_member (machine_json, "vcpu_pins");
    g_assert_cmpuint (json_array_get_length (pins), ==, 2);
    for (guint v = 0; v < 2; v++)
      {
        g_autofree char *cpu = g_strdup_printf ("%u", swapped[v]);

        g_assert_cmpstr (json_array_get_string_element (pins, v), ==, cpu);
      }
    {
      g_autofree char *cpu = g_strdup_printf ("%u", refract_cpu_set_first (&live_emulator));

      g_assert_cmpstr (json_object_get_string_member (machine_json, "emulator_pin"), ==, cpu);
    }
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "host"), "cpus"), ==,
                     refract_host_topology_get_n_cpus (topology));
    checks = json_object_get_array_member (root, "checks");
    g_assert_nonnull (checks);
    g_assert_cmpuint (json_array_get_length (checks), ==, findings->len);
    for (guint i = 0; i < findings->len; i++)
      {
        RefractDspFinding *f = g_ptr_array_index (findings, i);
        JsonObject *check = json_array_get_object_element (checks, i);

        g_assert_cmpstr (json_object_get_string_member (check, "id"), ==, f->id);
        g_assert_cmpstr (json_object_get_string_member (check, "severity"), ==,
                         refract_dsp_severity_to_string (f->severity));
        g_assert_cmpstr (json_object_get_string_member (check, "message"), ==, f->message);
      }
  }
  g_clear_object (&config);

  /* ---- 4. NETJACK settings saved as the NETJACK page saves them: through
   * virDomainSetMetadata on the running machine, live and persistent */
  rth_step (h, "NETJACK settings saved on the running machine");
  {
    g_autofree char *inactive = domain_xml (machine, VIR_DOMAIN_XML_INACTIVE);
    g_autoptr(RefractNetjackConfig) netjack = refract_netjack_config_from_domain_xml (inactive);
    g_autoptr(RefractNetjackConfig) read = NULL;
    g_autoptr(GAsyncResult) saved = NULL;
    g_autoptr(GAsyncResult) loaded = NULL;
    g_autofree char *live = NULL;

    /* the preset wrote them into the definition */
    g_assert_nonnull (netjack);
    g_assert_true (netjack->enabled);
    netjack->port = 19001;
    netjack->backend = REFRACT_NETJACK_BACKEND_JACK2;
    g_free (netjack->restart_command);
    netjack->restart_command = g_strdup ("sh -c 'jack_unload netmanager; jack_load netmanager'");
    refract_netjack_config_save_async (netjack, machine, NULL, rt_store_result, &saved);
    rt_wait_until (saved != NULL, 30, "the NETJACK settings to be saved");
    if (!refract_netjack_config_save_finish (saved, &error))
      g_error ("saving the NETJACK settings: %s", error->message);

    /* read back through the metadata API, and from both definitions */
    refract_netjack_config_load_async (machine, NULL, rt_store_result, &loaded);
    rt_wait_until (loaded != NULL, 30, "the NETJACK settings to be read");
    read = refract_netjack_config_load_finish (loaded, &error);
    g_assert_no_error (error);
    g_assert_nonnull (read);
    g_assert_cmpuint (read->port, ==, 19001);
    g_assert_cmpint (read->backend, ==, REFRACT_NETJACK_BACKEND_JACK2);
    g_assert_cmpstr (read->restart_command, ==, netjack->restart_command);
    g_clear_pointer (&read, refract_netjack_config_free);
    g_clear_pointer (&inactive, g_free);
    inactive = domain_xml (machine, VIR_DOMAIN_XML_INACTIVE);
    live = domain_xml (machine, 0);
    g_test_message ("NETJACK metadata in the definition:\n%s", strstr (inactive, "<metadata>"));
    for (guint i = 0; i < 2; i++)
      {
        read = refract_netjack_config_from_domain_xml (i == 0 ? inactive : live);
        g_assert_nonnull (read);
        g_assert_cmpuint (read->port, ==, 19001);
        g_assert_cmpstr (read->restart_command, ==, netjack->restart_command);
        g_clear_pointer (&read, refract_netjack_config_free);
      }
    /* one element, in Refract's namespace, beside libosinfo's */
    g_assert_nonnull (strstr (inactive, "xmlns:refract=\"" REFRACT_XMLNS_URI "\""));
    g_assert_null (strstr (strstr (inactive, "<refract:netjack") + 1, "<refract:netjack"));
    assert_contains (inactive, "<libosinfo:libosinfo");
  }

  /* ---- 5. stop and delete: nothing left behind */
  rth_step (h, "deleting the machine");
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  refract_machine_delete_async (machine, NULL, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the machine to be deleted");
  g_assert_true (refract_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  rt_wait_until (refract_machine_list_find_by_name (refract_connection_get_machines (h->connection),
                                                    MACHINE_NAME) == NULL, 30, "the machine to leave the list");
  g_object_unref (machine);
  {
    virConnectPtr conn = _refract_connection_ref_handle (h->connection);

    g_assert_cmpint (virConnectNumOfDomains (conn), ==, 0);
    g_assert_cmpint (virConnectNumOfDefinedDomains (conn), ==, 0);
    virConnectClose (conn);
  }
  if (hugepages)
    g_assert_cmpint (read_number (FREE_HUGEPAGES), ==, read_number (NR_HUGEPAGES));
  restore_hugepages ();
}

int
main (int argc, char *argv[])
{
  int ret;

  /* before GLib or anything else starts a thread */
  mount_hugetlbfs ();
  rt_init (&argc, &argv);
  g_test_add ("/integration/dsp", RthHarness, NULL, harness_setup, test_dsp, rth_teardown);
  ret = g_test_run ();
  restore_hugepages ();
  unmount_hugetlbfs ();
  return ret;
}
