/* test-dsp-config.c: DSP settings edited in a real domain XML, the rest untouched
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-dsp-config.h"
#include "refract-test-util.h"

/* virsh dumpxml of a QEMU guest, as libvirt writes it (single quotes) */
static const char domain_xml[] =
  "<domain type='kvm' id='3'>\n"
  "  <name>audio</name>\n"
  "  <uuid>0f1c9a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b</uuid>\n"
  "  <metadata>\n"
  "    <libosinfo:libosinfo xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
  "      <libosinfo:os id=\"http://archlinux.org/archlinux/rolling\"/>\n"
  "    </libosinfo:libosinfo>\n"
  "  </metadata>\n"
  "  <memory unit='KiB'>4194304</memory>\n"
  "  <currentMemory unit='KiB'>4194304</currentMemory>\n"
  "  <vcpu placement='static'>2</vcpu>\n"
  "  <!-- a comment with <tags> inside -->\n"
  "  <os>\n"
  "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n"
  "    <boot dev='hd'/>\n"
  "  </os>\n"
  "  <features>\n"
  "    <acpi/>\n"
  "    <apic/>\n"
  "  </features>\n"
  "  <cpu mode='host-model' check='partial'/>\n"
  "  <clock offset='utc'/>\n"
  "  <devices>\n"
  "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
  "    <controller type='usb' index='0' model='qemu-xhci'/>\n"
  "    <serial type='pty'>\n"
  "      <target type='isa-serial' port='0'/>\n"
  "    </serial>\n"
  "    <memballoon model='virtio'>\n"
  "      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/>\n"
  "    </memballoon>\n"
  "  </devices>\n"
  "</domain>\n";

static RefractDspConfig *
parse (const char *xml)
{
  g_autoptr(GError) error = NULL;
  RefractDspConfig *config = refract_dsp_config_new_from_xml (xml, &error);

  g_assert_no_error (error);
  return config;
}

/* The output equals the input outside [from, to) of the input. */
static void
assert_only_between (const char *in,
                     const char *out,
                     const char *from,
                     const char *to)
{
  const char *start = strstr (in, from);
  const char *end = strstr (in, to);
  gsize prefix = start - in;
  gsize suffix = strlen (end);

  g_assert_nonnull (start);
  g_assert_nonnull (end);
  g_assert_cmpint (strncmp (in, out, prefix), ==, 0);
  g_assert_cmpstr (out + strlen (out) - suffix, ==, end);
}

static void
test_round_trip (void)
{
  g_autoptr(RefractDspConfig) config = parse (domain_xml);
  g_autofree char *out = refract_dsp_config_to_xml (config);

  g_assert_cmpstr (out, ==, domain_xml);
  g_assert_false (refract_dsp_config_get_modified (config));
  g_assert_cmpuint (refract_dsp_config_get_vcpus (config), ==, 2);
  g_assert_cmpuint (refract_dsp_config_get_memory_kib (config), ==, 4194304);
  g_assert_true (refract_dsp_config_get_has_usb_controller (config));
  g_assert_true (refract_dsp_config_get_has_memballoon (config));
  g_assert_cmpstr (refract_dsp_config_get_cpu_mode (config), ==, "host-model");
}

static void
test_demo_round_trip (void)
{
  g_autofree char *demo = NULL;
  g_autofree char *out = NULL;
  g_autoptr(RefractDspConfig) config = NULL;
  const char *start, *end;
  g_autofree char *domain = NULL;

  g_assert_true (g_file_get_contents (g_getenv ("REFRACT_DEMO_NODE"), &demo, NULL, NULL));
  start = strstr (demo, "<domain");
  end = strstr (demo, "</domain>");
  domain = g_strndup (start, end + strlen ("</domain>") - start);
  config = parse (domain);
  out = refract_dsp_config_to_xml (config);
  g_assert_cmpstr (out, ==, domain);
}

static void
test_vcpu_pin (void)
{
  g_autoptr(RefractDspConfig) config = parse (domain_xml);
  g_autofree char *out = NULL;
  RefractCpuSet set;
  guint changes = 0;

  g_signal_connect_swapped (config, "changed", G_CALLBACK (g_atomic_int_inc), &changes);
  refract_cpu_set_parse (&set, "2", NULL);
  refract_dsp_config_set_vcpu_pin (config, 0, &set);
  refract_cpu_set_parse (&set, "3", NULL);
  refract_dsp_config_set_vcpu_pin (config, 1, &set);
  refract_cpu_set_parse (&set, "0-1", NULL);
  refract_dsp_config_set_emulator_pin (config, &set);
  g_assert_cmpuint (changes, ==, 3);
  out = refract_dsp_config_to_xml (config);
  g_assert_nonnull (strstr (out, "<cputune>\n    <vcpupin vcpu=\"0\" cpuset=\"2\"/>\n"
                                 "    <vcpupin vcpu=\"1\" cpuset=\"3\"/>\n"
                                 "    <emulatorpin cpuset=\"0-1\"/>\n  </cputune>"));
  /* everything else byte for byte */
  assert_only_between (domain_xml, out, "\n  <!-- a comment", "\n  <!-- a comment");

  {
    g_autoptr(RefractDspConfig) again = parse (out);
    RefractCpuSet got;
    g_autofree char *text = NULL;

    g_assert_true (refract_dsp_config_get_vcpu_pin (again, 1, &got));
    text = refract_cpu_set_format (&got);
    g_assert_cmpstr (text, ==, "3");
    got = refract_dsp_config_get_vcpu_cpus (again);
    g_free (text);
    text = refract_cpu_set_format (&got);
    g_assert_cmpstr (text, ==, "2-3");
    /* removing the last pins removes <cputune> */
    refract_dsp_config_set_vcpu_pin (again, 0, NULL);
    refract_dsp_config_set_vcpu_pin (again, 1, NULL);
    refract_dsp_config_set_emulator_pin (again, NULL);
    g_free (text);
    text = refract_dsp_config_to_xml (again);
    g_assert_cmpstr (text, ==, domain_xml);
  }
}

static void
test_single_edits (void)
{
  g_autoptr(RefractDspConfig) config = parse (domain_xml);
  g_autofree char *out = NULL;

  /* a change of text touches only its element */
  refract_dsp_config_set_vcpus (config, 4);
  g_free (out);
  out = refract_dsp_config_to_xml (config);
  assert_only_between (domain_xml, out, "<vcpu placement", "\n  <!--");
  g_assert_nonnull (strstr (out, "<vcpu placement=\"static\">4</vcpu>"));

  g_clear_object (&config);
  config = parse (domain_xml);
  refract_dsp_config_set_has_memballoon (config, FALSE);
  g_free (out);
  out = refract_dsp_config_to_xml (config);
  assert_only_between (domain_xml, out, "<memballoon", "\n  </devices>");
  g_assert_nonnull (strstr (out, "<memballoon model=\"none\"/>"));
  g_assert_false (refract_dsp_config_get_has_memballoon (config));

  g_clear_object (&config);
  config = parse (domain_xml);
  refract_dsp_config_set_host_passthrough (config, TRUE);
  refract_dsp_config_set_topology (config, 1, 1, 2, 1);
  refract_dsp_config_set_tsc_deadline (config, TRUE);
  g_free (out);
  out = refract_dsp_config_to_xml (config);
  assert_only_between (domain_xml, out, "<cpu mode", "\n  <clock");
  g_assert_true (refract_dsp_config_get_host_passthrough (config));
  g_assert_true (refract_dsp_config_get_tsc_deadline (config));
}

static void
test_memory_and_features (void)
{
  g_autoptr(RefractDspConfig) config = parse (domain_xml);
  g_autofree char *out = NULL;
  g_autoptr(RefractDspConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  guint priority, cores;
  g_autofree char *vcpus = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *nodeset = NULL;

  refract_dsp_config_set_iothreads (config, 1);
  refract_dsp_config_set_iothread_pin (config, 1, &(RefractCpuSet) { { 1 << 3 } });
  refract_dsp_config_set_scheduler (config, REFRACT_VCPU_SCHED_FIFO, 1);
  refract_dsp_config_set_hugepage_size_kib (config, 2048);
  refract_dsp_config_set_locked (config, TRUE);
  refract_dsp_config_set_nosharepages (config, TRUE);
  refract_dsp_config_set_hard_limit_kib (config, 4718592);
  refract_dsp_config_set_numa_nodeset (config, "strict", "0");
  refract_dsp_config_set_pmu_off (config, TRUE);
  refract_dsp_config_set_host_passthrough (config, TRUE);
  refract_dsp_config_set_hint_dedicated (config, TRUE);
  out = refract_dsp_config_to_xml (config);

  /* the result is well-formed and reads back the same */
  again = refract_dsp_config_new_from_xml (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refract_dsp_config_get_iothreads (again), ==, 1);
  g_assert_cmpint (refract_dsp_config_get_scheduler (again, &priority, &vcpus), ==, REFRACT_VCPU_SCHED_FIFO);
  g_assert_cmpuint (priority, ==, 1);
  g_assert_cmpstr (vcpus, ==, "0-1");
  g_assert_cmpuint (refract_dsp_config_get_hugepage_size_kib (again), ==, 2048);
  g_assert_true (refract_dsp_config_get_locked (again));
  g_assert_true (refract_dsp_config_get_nosharepages (again));
  g_assert_cmpuint (refract_dsp_config_get_hard_limit_kib (again), ==, 4718592);
  nodeset = refract_dsp_config_dup_numa_nodeset (again, &mode);
  g_assert_cmpstr (nodeset, ==, "0");
  g_assert_cmpstr (mode, ==, "strict");
  g_assert_true (refract_dsp_config_get_pmu_off (again));
  g_assert_true (refract_dsp_config_get_hint_dedicated (again));
  g_assert_false (refract_dsp_config_get_topology (again, NULL, NULL, &cores, NULL));
  /* untouched parts stay as they were */
  g_assert_nonnull (strstr (out, "  <!-- a comment with <tags> inside -->\n  <os>\n    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>"));
  g_assert_nonnull (strstr (out, "<controller type='usb' index='0' model='qemu-xhci'/>"));

  /* and undoing everything gives the original back */
  refract_dsp_config_set_iothread_pin (again, 1, NULL);
  refract_dsp_config_set_iothreads (again, 0);
  refract_dsp_config_set_scheduler (again, REFRACT_VCPU_SCHED_NONE, 0);
  refract_dsp_config_set_hugepage_size_kib (again, 0);
  refract_dsp_config_set_locked (again, FALSE);
  refract_dsp_config_set_nosharepages (again, FALSE);
  refract_dsp_config_set_hard_limit_kib (again, 0);
  refract_dsp_config_set_numa_nodeset (again, NULL, NULL);
  g_free (out);
  out = refract_dsp_config_to_xml (again);
  g_assert_null (strstr (out, "cputune"));
  g_assert_null (strstr (out, "memoryBacking"));
  g_assert_null (strstr (out, "memtune"));
  g_assert_null (strstr (out, "numatune"));
  g_assert_null (strstr (out, "iothreads"));
}

static void
test_not_a_domain (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (refract_dsp_config_new_from_xml ("<network/>", &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (refract_dsp_config_new_from_xml ("<domain><name>x</name>", &error));
  g_assert_nonnull (error);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  g_test_add_func ("/dsp-config/round-trip", test_round_trip);
  g_test_add_func ("/dsp-config/demo-round-trip", test_demo_round_trip);
  g_test_add_func ("/dsp-config/vcpu-pin", test_vcpu_pin);
  g_test_add_func ("/dsp-config/single-edits", test_single_edits);
  g_test_add_func ("/dsp-config/memory-and-features", test_memory_and_features);
  g_test_add_func ("/dsp-config/not-a-domain", test_not_a_domain);
  return g_test_run ();
}
