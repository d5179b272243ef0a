/* test-dsp-validate.c: every DSP rule fires when it should, and only then
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-dsp-validate.h"
#include "refract-test-util.h"

/* The DSP-NETJACK.md example: guest on isolated 2-3, housekeeping 0-1. */
#define GOOD_DOMAIN(vcpupins, extra_tune, backing, features, cpu, devices) \
  "<domain type='kvm'>\n  <name>dsp</name>\n" \
  "  <memory unit='MiB'>2048</memory>\n" \
  backing \
  "  <vcpu placement='static'>2</vcpu>\n  <iothreads>1</iothreads>\n" \
  "  <cputune>\n" vcpupins extra_tune "  </cputune>\n" \
  "  <os><type arch='x86_64'>hvm</type></os>\n" \
  "  <features><acpi/><apic/>" features "</features>\n" \
  cpu \
  "  <devices>" devices "</devices>\n</domain>\n"

#define PINS_23 "    <vcpupin vcpu='0' cpuset='2'/>\n    <vcpupin vcpu='1' cpuset='3'/>\n"
#define HELPERS_01 "    <emulatorpin cpuset='0-1'/>\n    <iothreadpin iothread='1' cpuset='0-1'/>\n" \
                   "    <vcpusched vcpus='0-1' scheduler='fifo' priority='1'/>\n"
#define BACKING "  <memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages><locked/><nosharepages/></memoryBacking>\n" \
                "  <memtune><hard_limit unit='MiB'>2560</hard_limit></memtune>\n"
#define FEATURES "<pmu state='off'/><kvm><hint-dedicated state='on'/></kvm>"
#define CPU "  <cpu mode='host-passthrough' check='none'><topology sockets='1' dies='1' cores='2' threads='1'/>" \
            "<feature policy='require' name='tsc-deadline'/></cpu>\n"
#define DEVICES "<memballoon model='none'/>"

static const char good_xml[] = GOOD_DOMAIN (PINS_23, HELPERS_01, BACKING, FEATURES, CPU, DEVICES);

static RefractHostTopology *
topology (const char *name)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "unit", "data", "topology", name, NULL);
  g_autoptr(GError) error = NULL;
  RefractHostTopology *t = refract_host_topology_new_from_root (root, &error);

  g_assert_no_error (error);
  return t;
}

static GPtrArray *
validate (const char *xml,
          const char *host)
{
  g_autoptr(RefractDspConfig) config = refract_dsp_config_new_from_xml (xml, NULL);
  g_autoptr(RefractHostTopology) t = topology (host);

  g_assert_nonnull (config);
  return refract_dsp_validate (config, t, NULL);
}

static void
dump (GPtrArray *findings)
{
  for (guint i = 0; i < findings->len; i++)
    {
      RefractDspFinding *f = g_ptr_array_index (findings, i);
      g_test_message ("%s %s: %s", refract_dsp_severity_to_string (f->severity), f->id, f->message);
    }
}

static void
assert_has (GPtrArray          *findings,
            const char         *id,
            RefractDspSeverity  severity)
{
  const RefractDspFinding *f = refract_dsp_find (findings, id);

  if (f == NULL)
    dump (findings);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, severity);
  g_assert_nonnull (f->message);
}

/* A tuned host and the doc's example: nothing to say. */
static void
test_clean (void)
{
  g_autoptr(GPtrArray) findings = validate (good_xml, "isolated-rt");

  dump (findings);
  g_assert_cmpuint (findings->len, ==, 0);
}

/* The seed: isolatedCores = [ 0 1 ] */
static void
test_seed_cpu0 (void)
{
  static const char xml[] = GOOD_DOMAIN ("    <vcpupin vcpu='0' cpuset='0'/>\n    <vcpupin vcpu='1' cpuset='1'/>\n",
                                         "    <emulatorpin cpuset='2-3'/>\n    <iothreadpin iothread='1' cpuset='2-3'/>\n"
                                         "    <vcpusched vcpus='0-1' scheduler='fifo' priority='1'/>\n",
                                         BACKING, FEATURES, CPU, DEVICES);
  g_autoptr(GPtrArray) findings = validate (xml, "desktop-4c8t");
  g_autoptr(RefractDspConfig) config = refract_dsp_config_new_from_xml (xml, NULL);
  const RefractDspFinding *f;
  g_autofree char *pins = NULL;
  RefractCpuSet cpus;

  assert_has (findings, "cpu0-isolated", REFRACT_DSP_SEVERITY_WARN);
  f = refract_dsp_find (findings, "cpu0-isolated");
  g_assert_nonnull (strstr (f->message, "CPU 0"));
  g_assert_nonnull (f->fix);
  g_assert_true (refract_dsp_fix_is_applicable (f->fix));
  /* the highest whole core: 3 and its sibling 7 */
  g_assert_true (refract_dsp_fix_apply (f->fix, config));
  cpus = refract_dsp_config_get_vcpu_cpus (config);
  pins = refract_cpu_set_format (&cpus);
  g_assert_cmpstr (pins, ==, "3,7");
  /* QEMU's threads leave CPU 3 for the vCPU, so the fix makes no new problem */
  {
    RefractCpuSet pin;
    g_autofree char *emulator = NULL;
    g_autofree char *iothread = NULL;
    g_autoptr(RefractHostTopology) host = topology ("desktop-4c8t");
    g_autoptr(GPtrArray) after = refract_dsp_validate (config, host, NULL);

    g_assert_true (refract_dsp_config_get_emulator_pin (config, &pin));
    emulator = refract_cpu_set_format (&pin);
    g_assert_true (refract_dsp_config_get_iothread_pin (config, 1, &pin));
    iothread = refract_cpu_set_format (&pin);
    g_assert_cmpstr (emulator, ==, "2");
    g_assert_cmpstr (iothread, ==, "2");
    g_assert_null (refract_dsp_find (after, "cpu0-isolated"));
    g_assert_null (refract_dsp_find (after, "emulator-isolated"));
    g_assert_null (refract_dsp_find (after, "iothread-isolated"));
  }
  /* and the host has no isolation at all */
  assert_has (findings, "vcpu-not-isolated", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "not-nohz-full", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "not-rcu-nocbs", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "not-preempt-rt", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "rt-throttling", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "ksm-active", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "hugepages-short", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "smt-sibling-split", REFRACT_DSP_SEVERITY_WARN);
  g_assert_nonnull (strstr (refract_dsp_find (findings, "smt-sibling-split")->message, "4-5"));
  g_assert_null (refract_dsp_find (findings, "emulator-isolated"));
}

static void
test_unpinned (void)
{
  static const char xml[] = GOOD_DOMAIN ("", "", BACKING, FEATURES, CPU, DEVICES);
  g_autoptr(GPtrArray) findings = validate (xml, "isolated-rt");
  g_autoptr(RefractDspConfig) config = refract_dsp_config_new_from_xml (xml, NULL);
  const RefractDspFinding *f;

  assert_has (findings, "vcpu-unpinned", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "emulator-unpinned", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "iothread-unpinned", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "no-rt-scheduler", REFRACT_DSP_SEVERITY_WARN);
  g_assert_null (refract_dsp_find (findings, "cpu0-isolated"));
  f = refract_dsp_find (findings, "emulator-unpinned");
  g_assert_nonnull (f->fix);
  g_assert_cmpint (f->fix->kind, ==, REFRACT_DSP_FIX_PIN_EMULATOR);
  g_assert_true (refract_dsp_fix_apply (f->fix, config));
  g_assert_true (refract_dsp_config_get_emulator_pin (config, &(RefractCpuSet) { { 0 } }));
}

static void
test_helpers_isolated (void)
{
  static const char xml[] = GOOD_DOMAIN (PINS_23, "    <emulatorpin cpuset='3'/>\n    <iothreadpin iothread='1' cpuset='6'/>\n",
                                         BACKING, FEATURES, CPU, DEVICES);
  g_autoptr(GPtrArray) findings = validate (xml, "isolated-rt");
  const RefractDspFinding *f;

  assert_has (findings, "emulator-isolated", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "iothread-isolated", REFRACT_DSP_SEVERITY_FAIL);
  f = refract_dsp_find (findings, "emulator-isolated");
  g_assert_cmpstr (f->fix->label, ==, "Pin the emulator to 0-1,4-5");
  /* FAILs come first */
  g_assert_cmpint (((RefractDspFinding *) g_ptr_array_index (findings, 0))->severity, ==, REFRACT_DSP_SEVERITY_FAIL);
}

static void
test_pinned_twice (void)
{
  static const char xml[] = GOOD_DOMAIN ("    <vcpupin vcpu='0' cpuset='2'/>\n    <vcpupin vcpu='1' cpuset='2'/>\n",
                                         HELPERS_01, BACKING, FEATURES, CPU, DEVICES);
  g_autoptr(GPtrArray) findings = validate (xml, "isolated-rt");
  g_autoptr(RefractDspConfig) config = refract_dsp_config_new_from_xml (good_xml, NULL);
  g_autoptr(RefractDspConfig) other = refract_dsp_config_new_from_xml (
    "<domain type='kvm'><name>other</name><vcpu>1</vcpu><cputune><vcpupin vcpu='0' cpuset='3'/></cputune></domain>", NULL);
  g_autoptr(RefractHostTopology) t = topology ("isolated-rt");
  g_autoptr(GPtrArray) others = g_ptr_array_new ();
  g_autoptr(GPtrArray) shared = NULL;

  assert_has (findings, "cpu-pinned-twice", REFRACT_DSP_SEVERITY_FAIL);
  g_ptr_array_add (others, other);
  g_ptr_array_add (others, config);
  shared = refract_dsp_validate (config, t, others);
  assert_has (shared, "cpu-shared-with-machine", REFRACT_DSP_SEVERITY_FAIL);
  g_assert_nonnull (strstr (refract_dsp_find (shared, "cpu-shared-with-machine")->message, "other"));
  g_assert_cmpuint (refract_dsp_count (shared, REFRACT_DSP_SEVERITY_FAIL), ==, 1);
}

static void
test_memory_rules (void)
{
  static const char locked[] = GOOD_DOMAIN (PINS_23, HELPERS_01,
                                            "  <memoryBacking><locked/></memoryBacking>\n",
                                            FEATURES, CPU, "<memballoon model='virtio'/><controller type='usb' model='qemu-xhci'/>");
  static const char odd[] =
    "<domain type='kvm'><name>odd</name><memory unit='KiB'>1000</memory><vcpu>2</vcpu>"
    "<memoryBacking><hugepages/></memoryBacking></domain>";
  g_autoptr(GPtrArray) findings = validate (locked, "isolated-rt");
  g_autoptr(GPtrArray) odd_findings = validate (odd, "isolated-rt");
  g_autoptr(RefractDspConfig) config = refract_dsp_config_new_from_xml (locked, NULL);

  assert_has (findings, "locked-without-hard-limit", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "memballoon-present", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "usb-controller-present", REFRACT_DSP_SEVERITY_WARN);
  g_assert_null (refract_dsp_find (findings, "hugepages-short"));
  g_assert_true (refract_dsp_fix_apply (refract_dsp_find (findings, "locked-without-hard-limit")->fix, config));
  g_assert_cmpuint (refract_dsp_config_get_hard_limit_kib (config), ==, (2048 + 256) * 1024);
  g_assert_true (refract_dsp_fix_apply (refract_dsp_find (findings, "memballoon-present")->fix, config));
  g_assert_false (refract_dsp_config_get_has_memballoon (config));
  assert_has (odd_findings, "memory-not-page-multiple", REFRACT_DSP_SEVERITY_FAIL);
}

static void
test_hugepages_short (void)
{
  static const char xml[] = GOOD_DOMAIN (PINS_23, HELPERS_01, BACKING, FEATURES, CPU, DEVICES);
  g_autoptr(GPtrArray) findings = validate (xml, "desktop-4c8t");
  const RefractDspFinding *f = refract_dsp_find (findings, "hugepages-short");

  g_assert_nonnull (f);
  g_assert_false (refract_dsp_fix_is_applicable (f->fix));
  g_assert_cmpuint (f->fix->value, ==, 1024);
  g_assert_cmpstr (f->fix->label, ==, "Reserve 1024 hugepages of 2 MiB");
  g_assert_cmpstr (f->fix->command, ==, "sysctl vm.nr_hugepages = 1024");
}

static void
test_cpu_model_rules (void)
{
  static const char xml[] = GOOD_DOMAIN (PINS_23, HELPERS_01, BACKING, FEATURES,
                                         "  <cpu mode='host-model'><topology sockets='1' dies='1' cores='4' threads='1'/></cpu>\n",
                                         DEVICES);
  static const char one[] =
    "<domain type='kvm'><name>one</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<cputune><vcpupin vcpu='0' cpuset='2'/><emulatorpin cpuset='0'/>"
    "<vcpusched vcpus='0' scheduler='rr' priority='120'/><iothreadpin iothread='1' cpuset='0'/></cputune>"
    "<devices><memballoon model='none'/></devices></domain>";
  g_autoptr(GPtrArray) findings = validate (xml, "isolated-rt");
  g_autoptr(GPtrArray) one_findings = validate (one, "isolated-rt");
  g_autoptr(RefractDspConfig) config = refract_dsp_config_new_from_xml (xml, NULL);
  guint cores;

  assert_has (findings, "hint-without-passthrough", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (findings, "topology-mismatch", REFRACT_DSP_SEVERITY_FAIL);
  g_assert_true (refract_dsp_fix_apply (refract_dsp_find (findings, "topology-mismatch")->fix, config));
  g_assert_true (refract_dsp_fix_apply (refract_dsp_find (findings, "hint-without-passthrough")->fix, config));
  g_assert_true (refract_dsp_config_get_topology (config, NULL, NULL, &cores, NULL));
  g_assert_cmpuint (cores, ==, 2);
  g_assert_true (refract_dsp_config_get_host_passthrough (config));
  assert_has (one_findings, "single-vcpu", REFRACT_DSP_SEVERITY_WARN);
  assert_has (one_findings, "sched-priority", REFRACT_DSP_SEVERITY_FAIL);
  assert_has (one_findings, "iothreadpin-without-iothreads", REFRACT_DSP_SEVERITY_FAIL);
}

static void
test_kernel_rules (void)
{
  /* pinned to 4-5: not isolated, in irqaffinity, on other L3? no: one L3 */
  static const char xml[] = GOOD_DOMAIN ("    <vcpupin vcpu='0' cpuset='2'/>\n    <vcpupin vcpu='1' cpuset='4'/>\n",
                                         HELPERS_01, BACKING, FEATURES, CPU, DEVICES);
  static const char numa[] = GOOD_DOMAIN ("    <vcpupin vcpu='0' cpuset='3'/>\n    <vcpupin vcpu='1' cpuset='4'/>\n",
                                          "    <emulatorpin cpuset='0-1'/>\n    <iothreadpin iothread='1' cpuset='0-1'/>\n",
                                          "", FEATURES, CPU, DEVICES);
  g_autoptr(GPtrArray) findings = validate (xml, "isolated-rt");
  g_autoptr(GPtrArray) numa_findings = validate (numa, "numa-2s");

  assert_has (findings, "irqaffinity-overlap", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "not-nohz-full", REFRACT_DSP_SEVERITY_WARN);
  assert_has (findings, "vcpu-not-isolated", REFRACT_DSP_SEVERITY_FAIL);
  g_assert_null (refract_dsp_find (findings, "l3-span"));
  assert_has (numa_findings, "l3-span", REFRACT_DSP_SEVERITY_WARN);
}

static void
test_kernel_line (void)
{
  g_autoptr(RefractHostTopology) t = topology ("desktop-4c8t");
  RefractCpuSet seed;
  g_autofree char *line = NULL;
  g_autofree char *nixos = NULL;
  g_autofree char *huge = refract_dsp_hugepages_kernel (2048, 2048);
  g_autofree char *sysctl = refract_dsp_hugepages_sysctl (2048, 2048);
  g_autofree char *gig = refract_dsp_hugepages_kernel (1048576, 4);

  refract_cpu_set_parse (&seed, "0-1", NULL);
  line = refract_dsp_kernel_line (t, &seed);
  nixos = refract_dsp_kernel_line_nixos (t, &seed);
  g_assert_cmpstr (line, ==, "isolcpus=managed_irq,domain,0-1 nohz=on nohz_full=0-1 rcu_nocbs=0-1 irqaffinity=2-7 nosoftlockup");
  g_assert_cmpstr (nixos, ==, "boot.kernelParams = [ \"isolcpus=managed_irq,domain,0-1\" \"nohz=on\" \"nohz_full=0-1\" "
                              "\"rcu_nocbs=0-1\" \"irqaffinity=2-7\" \"nosoftlockup\" ];");
  g_assert_cmpstr (huge, ==, "hugepagesz=2M hugepages=2048");
  g_assert_cmpstr (sysctl, ==, "vm.nr_hugepages = 2048");
  g_assert_cmpstr (gig, ==, "hugepagesz=1G hugepages=4");
  g_assert_null (refract_dsp_hugepages_sysctl (1048576, 4));
  /* 2048 pages of 2 MiB are the seed's 4 GiB */
  g_assert_cmpuint (refract_dsp_hugepages_needed (4 * 1024 * 1024, 2048), ==, 2048);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  g_test_add_func ("/dsp-validate/clean", test_clean);
  g_test_add_func ("/dsp-validate/seed-cpu0", test_seed_cpu0);
  g_test_add_func ("/dsp-validate/unpinned", test_unpinned);
  g_test_add_func ("/dsp-validate/helpers-isolated", test_helpers_isolated);
  g_test_add_func ("/dsp-validate/pinned-twice", test_pinned_twice);
  g_test_add_func ("/dsp-validate/memory", test_memory_rules);
  g_test_add_func ("/dsp-validate/hugepages-short", test_hugepages_short);
  g_test_add_func ("/dsp-validate/cpu-model", test_cpu_model_rules);
  g_test_add_func ("/dsp-validate/kernel", test_kernel_rules);
  g_test_add_func ("/dsp-validate/kernel-line", test_kernel_line);
  return g_test_run ();
}
