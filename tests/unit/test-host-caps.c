/* test-host-caps.c: what the wizard learns about a host
 *
 * The fixtures under data/ are virsh domcapabilities/capabilities output of
 * Debian 12's libvirt 9.0 + QEMU 7.2, captured from a private libvirtd; the
 * "minimal" one is trimmed to a QEMU without SPICE, QXL, OVMF and swtpm.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-host-caps.h"
#include "refract-test-util.h"

static char *
fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "unit", "data", name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static RefractHostCaps *
caps_from (const char *domcaps,
           const char *caps)
{
  g_autofree char *domcaps_xml = fixture (domcaps);
  g_autofree char *caps_xml = caps ? fixture (caps) : NULL;
  g_autoptr(GError) error = NULL;
  RefractHostCaps *result = refract_host_caps_new_from_xml (domcaps_xml, caps_xml, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
assert_has (RefractHostCaps    *caps,
            RefractHostFeature  feature)
{
  if (!refract_host_caps_has (caps, feature))
    g_error ("feature %d unavailable: %s", feature, refract_host_caps_get_reason (caps, feature));
  g_assert_null (refract_host_caps_get_reason (caps, feature));
}

static void
assert_lacks (RefractHostCaps    *caps,
              RefractHostFeature  feature,
              const char         *reason_part)
{
  const char *reason = refract_host_caps_get_reason (caps, feature);

  g_assert_false (refract_host_caps_has (caps, feature));
  g_assert_nonnull (reason);
  if (strstr (reason, reason_part) == NULL)
    g_error ("feature %d: reason “%s” lacks “%s”", feature, reason, reason_part);
}

static void
test_kvm_host (void)
{
  g_autoptr(RefractHostCaps) caps = caps_from ("domcaps-kvm.xml", "caps-kvm.xml");

  g_assert_cmpstr (refract_host_caps_get_domain_type (caps), ==, "kvm");
  g_assert_cmpstr (refract_host_caps_get_arch (caps), ==, "x86_64");
  g_assert_cmpstr (refract_host_caps_get_machine_type (caps), ==, "pc-q35-7.2");
  g_assert_cmpstr (refract_host_caps_get_emulator (caps), ==, "/usr/bin/qemu-system-x86_64");
  g_assert_cmpuint (refract_host_caps_get_max_vcpus (caps), ==, 288);
  g_assert_cmpuint (refract_host_caps_get_host_cpus (caps), ==, 2);
  g_assert_cmpuint (refract_host_caps_get_host_memory_mib (caps), ==, 9005268 / 1024);
  g_assert_false (refract_host_caps_get_is_local (caps));
  /* captured inside a VM: host-model CPU has the hypervisor flag */
  g_assert_true (refract_host_caps_get_is_nested (caps));

  assert_has (caps, REFRACT_HOST_FEATURE_KVM);
  assert_has (caps, REFRACT_HOST_FEATURE_SPICE);
  assert_has (caps, REFRACT_HOST_FEATURE_QXL);
  assert_has (caps, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL);
  assert_has (caps, REFRACT_HOST_FEATURE_VNC);
  assert_has (caps, REFRACT_HOST_FEATURE_TPM_EMULATOR);
  assert_has (caps, REFRACT_HOST_FEATURE_UEFI);
  assert_has (caps, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT);
  assert_has (caps, REFRACT_HOST_FEATURE_VIRTIOFS);
  assert_has (caps, REFRACT_HOST_FEATURE_9P);
  assert_has (caps, REFRACT_HOST_FEATURE_SOUND);
  assert_has (caps, REFRACT_HOST_FEATURE_USB_REDIRECTION);
  /* libvirt 9.0's domcaps list no interface backends: no passt */
  assert_lacks (caps, REFRACT_HOST_FEATURE_PASST, "passt");

  g_assert_cmpstr (refract_host_caps_get_uefi_loader (caps, FALSE), ==, "/usr/share/OVMF/OVMF_CODE_4M.fd");
  g_assert_cmpstr (refract_host_caps_get_uefi_loader (caps, TRUE), ==, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
  g_assert_cmpstr (refract_host_caps_get_uefi_vars (caps, FALSE), ==, "/usr/share/OVMF/OVMF_VARS_4M.fd");
  g_assert_cmpstr (refract_host_caps_get_uefi_vars (caps, TRUE), ==, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
}

static void
test_tcg_host (void)
{
  g_autoptr(RefractHostCaps) caps = caps_from ("domcaps-qemu.xml", NULL);

  g_assert_cmpstr (refract_host_caps_get_domain_type (caps), ==, "qemu");
  assert_lacks (caps, REFRACT_HOST_FEATURE_KVM, "/dev/kvm is missing or not accessible");
  assert_has (caps, REFRACT_HOST_FEATURE_SPICE);
  /* without capabilities XML nothing is known about the host's size */
  g_assert_cmpuint (refract_host_caps_get_host_cpus (caps), ==, 0);
  g_assert_cmpuint (refract_host_caps_get_host_memory_mib (caps), ==, 0);
}

static void
test_minimal_qemu (void)
{
  g_autoptr(RefractHostCaps) caps = caps_from ("domcaps-minimal.xml", NULL);

  assert_lacks (caps, REFRACT_HOST_FEATURE_SPICE, "This QEMU was built without SPICE");
  assert_lacks (caps, REFRACT_HOST_FEATURE_QXL, "QXL VGA not available");
  assert_lacks (caps, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL, "without SPICE");
  assert_lacks (caps, REFRACT_HOST_FEATURE_UEFI, "OVMF");
  assert_lacks (caps, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT, "UEFI");
  assert_lacks (caps, REFRACT_HOST_FEATURE_TPM_EMULATOR, "swtpm");
  assert_lacks (caps, REFRACT_HOST_FEATURE_VIRTIOFS, "virtiofs");
  assert_lacks (caps, REFRACT_HOST_FEATURE_USB_REDIRECTION, "SPICE");
  g_assert_false (refract_host_caps_get_is_nested (caps));
  assert_has (caps, REFRACT_HOST_FEATURE_VNC);
  assert_has (caps, REFRACT_HOST_FEATURE_9P);
  g_assert_null (refract_host_caps_get_uefi_loader (caps, FALSE));
  g_assert_null (refract_host_caps_get_uefi_loader (caps, TRUE));
}

static void
test_networks_and_bridges (void)
{
  g_autoptr(RefractHostCaps) caps = caps_from ("domcaps-kvm.xml", NULL);
  const char *bridges[] = { "br0", "virbr1", NULL };
  const char *networks[] = { "default", NULL };

  assert_lacks (caps, REFRACT_HOST_FEATURE_BRIDGE, "ip link add br0 type bridge");
  assert_lacks (caps, REFRACT_HOST_FEATURE_NAT, "net-define");
  refract_host_caps_set_bridges (caps, bridges);
  refract_host_caps_set_networks (caps, networks);
  assert_has (caps, REFRACT_HOST_FEATURE_BRIDGE);
  assert_has (caps, REFRACT_HOST_FEATURE_NAT);
  g_assert_cmpstrv (refract_host_caps_get_bridges (caps), bridges);
  g_assert_cmpstrv (refract_host_caps_get_networks (caps), networks);
  refract_host_caps_set_bridges (caps, NULL);
  assert_lacks (caps, REFRACT_HOST_FEATURE_BRIDGE, "ip link add");
}

static void
test_pools (void)
{
  g_autoptr(RefractHostCaps) caps = caps_from ("domcaps-kvm.xml", NULL);
  RefractPoolInfo pool = { (char *) "default", (char *) "/var/lib/libvirt/images", TRUE, 100, 40 };
  RefractPoolInfo *found;

  g_assert_null (refract_host_caps_find_pool (caps, "default"));
  refract_host_caps_add_pool (caps, &pool);
  found = refract_host_caps_find_pool (caps, "default");
  g_assert_nonnull (found);
  g_assert_true (found != &pool);
  g_assert_cmpstr (found->path, ==, "/var/lib/libvirt/images");
  g_assert_cmpint (found->available, ==, 40);
  g_assert_cmpuint (refract_host_caps_get_pools (caps)->len, ==, 1);
}

static void
test_overrides (void)
{
  g_autoptr(RefractHostCaps) caps = caps_from ("domcaps-kvm.xml", NULL);

  refract_host_caps_set_feature (caps, REFRACT_HOST_FEATURE_SPICE, FALSE, "no spice here");
  assert_lacks (caps, REFRACT_HOST_FEATURE_SPICE, "no spice here");
  refract_host_caps_set_feature (caps, REFRACT_HOST_FEATURE_SPICE, TRUE, "ignored");
  assert_has (caps, REFRACT_HOST_FEATURE_SPICE);
  refract_host_caps_set_resources (caps, 16, 32768);
  g_assert_cmpuint (refract_host_caps_get_host_cpus (caps), ==, 16);
  g_assert_cmpuint (refract_host_caps_get_host_memory_mib (caps), ==, 32768);
}

static void
test_bad_xml (void)
{
  g_autoptr(GError) error = NULL;
  RefractHostCaps *caps;

  caps = refract_host_caps_new_from_xml ("<capabilities/>", NULL, &error);
  g_assert_null (caps);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_clear_error (&error);
  caps = refract_host_caps_new_from_xml ("not xml at all", NULL, &error);
  g_assert_null (caps);
  g_assert_nonnull (error);
}

static RefractHostCaps *
load (RefractConnection *connection,
      gboolean           refresh)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractHostCaps *caps;

  refract_host_caps_load_async (connection, refresh, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "host capabilities");
  caps = refract_host_caps_load_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (caps);
  return caps;
}

/* The test driver has no domcapabilities: the wizard still gets caps it can
 * work with, every feature off for a reason, and the host's real lists. */
static void
test_demo_host (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  g_autoptr(RefractHostCaps) caps = load (connection, FALSE);
  g_autoptr(RefractHostCaps) again = load (connection, FALSE);
  g_autoptr(RefractHostCaps) fresh = load (connection, TRUE);
  GPtrArray *pools;

  g_assert_true (caps == again);
  g_assert_true (fresh != caps);
  g_assert_cmpstr (refract_host_caps_get_domain_type (caps), ==, "test");
  g_assert_false (refract_host_caps_get_is_local (caps));
  assert_lacks (caps, REFRACT_HOST_FEATURE_SPICE, "The demo host can't run machines");
  assert_lacks (caps, REFRACT_HOST_FEATURE_KVM, "The demo host can't run machines");
  assert_lacks (caps, REFRACT_HOST_FEATURE_UEFI, "The demo host can't run machines");
  g_assert_cmpuint (refract_host_caps_get_host_cpus (caps), >, 0);
  g_assert_cmpuint (refract_host_caps_get_host_memory_mib (caps), >, 0);
  g_assert_true (g_strv_length ((GStrv) refract_host_caps_get_networks (caps)) > 0);
  assert_has (caps, REFRACT_HOST_FEATURE_NAT);
  pools = refract_host_caps_get_pools (caps);
  g_assert_cmpuint (pools->len, >, 0);
  g_assert_cmpint (((RefractPoolInfo *) g_ptr_array_index (pools, 0))->available, >, 0);

  g_clear_object (&caps);
  g_clear_object (&again);
  g_clear_object (&fresh);
  rt_close (connection);
}

int
main (int   argc,
      char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/host-caps/kvm-host", test_kvm_host);
  g_test_add_func ("/host-caps/tcg-host", test_tcg_host);
  g_test_add_func ("/host-caps/minimal-qemu", test_minimal_qemu);
  g_test_add_func ("/host-caps/networks-and-bridges", test_networks_and_bridges);
  g_test_add_func ("/host-caps/pools", test_pools);
  g_test_add_func ("/host-caps/overrides", test_overrides);
  g_test_add_func ("/host-caps/bad-xml", test_bad_xml);
  g_test_add_func ("/host-caps/demo-host", test_demo_host);

  return g_test_run ();
}
