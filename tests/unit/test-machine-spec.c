/* test-machine-spec.c: validation, port forwards, presets and the domain XML
 *
 * Golden files: golden/spec-NAME.xml is what the spec of that name turns
 * into on the host of data/domcaps-kvm.xml. REFRACT_UPDATE_GOLDEN=1 rewrites
 * them; review the diff and check that libvirt defines them (see
 * tests/integration).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-machine-spec.h"
#include "refract-netjack-config.h"
#include "refract-presets.h"
#include "refract-test-util.h"

#define GiB (G_GUINT64_CONSTANT (1) << 30)
#define IMAGES "/var/lib/libvirt/images/"

typedef enum
{
  HOST_FULL,     /* the captured KVM host with br0 and "default" */
  HOST_MINIMAL,  /* a QEMU without SPICE, QXL, OVMF, swtpm, virtiofs */
  HOST_LOCAL,    /* FULL, but its paths are ours, so they are checked */
  HOST_PASST,    /* FULL, with a libvirt that can use passt */
  HOST_TCG,      /* the captured host's QEMU without KVM */
} HostKind;

static char *
read_data (const char *dir,
           const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "unit", dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static RefractHostCaps *
make_host (HostKind kind)
{
  const char *file = kind == HOST_MINIMAL ? "domcaps-minimal.xml"
                   : kind == HOST_TCG ? "domcaps-qemu.xml" : "domcaps-kvm.xml";
  g_autofree char *domcaps = read_data ("data", file);
  const char *networks[] = { "default", "isolated", NULL };
  const char *bridges[] = { "br0", NULL };
  g_autoptr(GError) error = NULL;
  RefractHostCaps *caps = refract_host_caps_new_from_xml (domcaps, NULL, &error);

  g_assert_no_error (error);
  refract_host_caps_set_resources (caps, 8, 16384);
  refract_host_caps_set_networks (caps, networks);
  refract_host_caps_set_bridges (caps, bridges);
  if (kind == HOST_LOCAL)
    refract_host_caps_set_is_local (caps, TRUE);
  if (kind == HOST_PASST)
    refract_host_caps_set_feature (caps, REFRACT_HOST_FEATURE_PASST, TRUE, NULL);
  return caps;
}

/* A spec with nothing wrong on that host. */
static RefractMachineSpec *
good_spec (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = refract_machine_spec_new ();

  refract_machine_spec_set_defaults (spec, caps);
  refract_machine_spec_set_string (&spec->name, "good");
  refract_machine_spec_set_string (&spec->media_path, IMAGES "install.iso");
  /* a local host checks that files exist: any file of the source tree */
  if (refract_host_caps_get_is_local (caps))
    refract_machine_spec_set_string (&spec->media_path, g_test_get_filename (G_TEST_DIST, "meson.build", NULL));
  return spec;
}

static void
add_forward (RefractMachineSpec *spec,
             const char         *text)
{
  g_autoptr(GError) error = NULL;
  RefractPortForward *forward = refract_port_forward_parse (text, &error);

  g_assert_no_error (error);
  g_ptr_array_add (spec->port_forwards, forward);
}

static char *
describe (GPtrArray *problems)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      RefractSpecProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (text, "\n  field %d %s: %s", problem->field, problem->id, problem->message);
    }
  return g_string_free (text, FALSE);
}

/* ---- port forwards ---- */

static void
test_port_forward_parse (void)
{
  static const struct { const char *text; guint host, guest; const char *proto, *back; } good[] = {
    { "2222:22", 2222, 22, "tcp", "2222:22" },
    { "2222:22/udp", 2222, 22, "udp", "2222:22/udp" },
    { " 8080:80/TCP ", 8080, 80, "tcp", "8080:80" },
    { "65535:1", 65535, 1, "tcp", "65535:1" },
  };
  static const char * const bad[] = {
    "22:", "99999:22", "0:22", ":22", "22", "abc", "22:abc", "22:22/sctp", "22:22:33",
    "", "-1:22", "2222:22/", "22:65536", "+22:22", "2222 :22",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RefractPortForward) forward = refract_port_forward_parse (good[i].text, &error);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (forward->host_port, ==, good[i].host);
      g_assert_cmpuint (forward->guest_port, ==, good[i].guest);
      g_assert_cmpstr (forward->protocol, ==, good[i].proto);
      text = refract_port_forward_to_string (forward);
      g_assert_cmpstr (text, ==, good[i].back);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      RefractPortForward *forward = refract_port_forward_parse (bad[i], &error);

      if (forward != NULL)
        g_error ("“%s” was accepted as a port forward", bad[i]);
      g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "2222:22"));
    }
  g_assert_null (refract_port_forward_parse (NULL, NULL));
}

static void
test_unique_name (void)
{
  const char *none[] = { NULL };
  const char *one[] = { "debian12", NULL };
  const char *two[] = { "debian12-2", "debian12", NULL };
  g_autofree char *a = refract_machine_spec_unique_name ("debian12", NULL);
  g_autofree char *b = refract_machine_spec_unique_name ("debian12", none);
  g_autofree char *c = refract_machine_spec_unique_name ("debian12", one);
  g_autofree char *d = refract_machine_spec_unique_name ("debian12", two);
  g_autofree char *e = refract_machine_spec_unique_name ("", one);

  g_assert_cmpstr (a, ==, "debian12");
  g_assert_cmpstr (b, ==, "debian12");
  g_assert_cmpstr (c, ==, "debian12-2");
  g_assert_cmpstr (d, ==, "debian12-3");
  g_assert_cmpstr (e, ==, "machine");
}

static void
test_copy (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_FULL);
  g_autoptr(RefractMachineSpec) spec = good_spec (caps);
  g_autoptr(RefractMachineSpec) copy = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *copy_xml = NULL;

  add_forward (spec, "2222:22");
  refract_machine_spec_set_string (&spec->disk_path, IMAGES "good.qcow2");
  copy = refract_machine_spec_copy (spec);
  xml = refract_machine_spec_to_xml (spec, caps, NULL);
  copy_xml = refract_machine_spec_to_xml (copy, caps, NULL);
  g_assert_cmpstr (xml, ==, copy_xml);
  g_assert_cmpuint (copy->port_forwards->len, ==, 1);
  g_assert_true (g_ptr_array_index (copy->port_forwards, 0) != g_ptr_array_index (spec->port_forwards, 0));
  g_assert_true (copy->name != spec->name);
  g_ptr_array_set_size (copy->port_forwards, 0);
  g_assert_cmpuint (spec->port_forwards->len, ==, 1);
  g_assert_true (G_TYPE_IS_BOXED (REFRACT_TYPE_MACHINE_SPEC));
}

/* ---- validation ---- */

typedef void (*Mutate) (RefractMachineSpec *spec);

typedef struct
{
  const char       *path;
  HostKind          host;
  Mutate            mutate;
  RefractSpecField  field;
  const char       *id;
  const char       *message_part;  /* what the user must be told, or NULL */
} Case;

#define MUTATOR(fn, body) static void fn (RefractMachineSpec *s) { body; }

MUTATOR (m_name_null, g_clear_pointer (&s->name, g_free))
MUTATOR (m_name_blank, refract_machine_spec_set_string (&s->name, "   "))
MUTATOR (m_name_long, g_free (s->name); s->name = g_strnfill (65, 'a'))
MUTATOR (m_name_slash, refract_machine_spec_set_string (&s->name, "web/server"))
MUTATOR (m_name_space, refract_machine_spec_set_string (&s->name, "my vm"))
MUTATOR (m_name_dot, refract_machine_spec_set_string (&s->name, ".hidden"))
MUTATOR (m_name_dup, refract_machine_spec_set_string (&s->name, "kali-linux"))
MUTATOR (m_title_newline, refract_machine_spec_set_string (&s->title, "two\nlines"))
MUTATOR (m_vcpus_zero, s->vcpus = 0)
MUTATOR (m_vcpus_max, s->vcpus = 289)
MUTATOR (m_vcpus_host, s->vcpus = 9)
MUTATOR (m_memory_zero, s->memory_mib = 0)
MUTATOR (m_memory_small, s->memory_mib = 64)
MUTATOR (m_memory_host, s->memory_mib = 16385)
MUTATOR (m_disk_zero, s->disk_size = 0)
MUTATOR (m_disk_large, s->disk_size = 31 * GiB)
MUTATOR (m_pool_empty, refract_machine_spec_set_string (&s->pool, ""))
MUTATOR (m_image_missing, s->disk_mode = REFRACT_DISK_EXISTING)
MUTATOR (m_image_not_found, s->disk_mode = REFRACT_DISK_EXISTING;
         refract_machine_spec_set_string (&s->image_path, "/nonexistent/disk.qcow2"))
MUTATOR (m_image_not_chosen, s->source = REFRACT_SOURCE_EXISTING_IMAGE)
MUTATOR (m_media_missing, g_clear_pointer (&s->media_path, g_free))
MUTATOR (m_media_not_found, refract_machine_spec_set_string (&s->media_path, "/nonexistent/install.iso"))
MUTATOR (m_drivers_not_found, refract_machine_spec_set_string (&s->drivers_path, "/nonexistent/virtio-win.iso"))
MUTATOR (m_bus_ide, s->disk_bus = REFRACT_DISK_BUS_IDE)
MUTATOR (m_uefi, s->firmware = REFRACT_FIRMWARE_UEFI)
MUTATOR (m_secure, s->firmware = REFRACT_FIRMWARE_UEFI_SECURE)
MUTATOR (m_network_unknown, refract_machine_spec_set_string (&s->network_name, "nosuch"))
MUTATOR (m_network_empty, refract_machine_spec_set_string (&s->network_name, ""))
MUTATOR (m_bridge_unknown, s->network = REFRACT_NETWORK_BRIDGE; refract_machine_spec_set_string (&s->bridge, "br9"))
MUTATOR (m_bridge_empty, s->network = REFRACT_NETWORK_BRIDGE)
MUTATOR (m_forwards_no_passt, s->network = REFRACT_NETWORK_USER; add_forward (s, "2222:22"))
MUTATOR (m_forwards_dup, s->network = REFRACT_NETWORK_USER; add_forward (s, "2222:22"); add_forward (s, "2222:23"))
MUTATOR (m_forwards_invalid, s->network = REFRACT_NETWORK_USER; add_forward (s, "2222:22");
         ((RefractPortForward *) g_ptr_array_index (s->port_forwards, 0))->guest_port = 70000)
MUTATOR (m_pxe_no_network, s->source = REFRACT_SOURCE_NETWORK_BOOT; s->network = REFRACT_NETWORK_NONE)
MUTATOR (m_spice, s->display = REFRACT_DISPLAY_SPICE_QXL)
MUTATOR (m_virtio_gl, s->display = REFRACT_DISPLAY_SPICE_VIRTIO_GL; s->usb_redir_channels = 0)
MUTATOR (m_listen_no_password, refract_machine_spec_set_string (&s->listen_address, "0.0.0.0"))
MUTATOR (m_listen_invalid, refract_machine_spec_set_string (&s->listen_address, "everywhere");
         refract_machine_spec_set_string (&s->password, "secret"))
MUTATOR (m_listen_gl, s->display = REFRACT_DISPLAY_SPICE_VIRTIO_GL;
         refract_machine_spec_set_string (&s->listen_address, "127.0.0.1");
         refract_machine_spec_set_string (&s->password, "secret"))
MUTATOR (m_vnc_long_password, s->display = REFRACT_DISPLAY_VNC; s->usb_redir_channels = 0;
         refract_machine_spec_set_string (&s->listen_address, "127.0.0.1");
         refract_machine_spec_set_string (&s->password, "longer-than-8"))
MUTATOR (m_tpm, s->tpm = TRUE)
MUTATOR (m_share_path_empty, s->share = REFRACT_SHARE_9P; refract_machine_spec_set_string (&s->share_tag, "work"))
MUTATOR (m_share_path_missing, s->share = REFRACT_SHARE_9P; refract_machine_spec_set_string (&s->share_tag, "work");
         refract_machine_spec_set_string (&s->share_path, "/nonexistent/folder"))
MUTATOR (m_share_tag_empty, s->share = REFRACT_SHARE_9P; refract_machine_spec_set_string (&s->share_path, "/srv"))
MUTATOR (m_share_tag_invalid, s->share = REFRACT_SHARE_9P; refract_machine_spec_set_string (&s->share_path, "/srv");
         refract_machine_spec_set_string (&s->share_tag, "my work"))
MUTATOR (m_share_virtiofs, s->share = REFRACT_SHARE_VIRTIOFS; refract_machine_spec_set_string (&s->share_path, "/srv");
         refract_machine_spec_set_string (&s->share_tag, "work"))
MUTATOR (m_usb_vnc, s->display = REFRACT_DISPLAY_VNC; s->usb_redir_channels = 2)
MUTATOR (m_usb_many, s->usb_redir_channels = 9)
MUTATOR (m_dsp_cpus_invalid, refract_machine_spec_set_string (&s->dsp_cpus, "2-x"))
MUTATOR (m_dsp_cpus_count, s->vcpus = 2; refract_machine_spec_set_string (&s->dsp_cpus, "2-4"))
MUTATOR (m_dsp_cpus_host, s->vcpus = 2; refract_machine_spec_set_string (&s->dsp_cpus, "7,8"))
MUTATOR (m_dsp_emulator_host, refract_machine_spec_set_string (&s->dsp_emulator_cpus, "0,9"))
MUTATOR (m_dsp_fifo, s->dsp_fifo_priority = 100)

static const Case cases[] = {
  { "name/empty", HOST_FULL, m_name_null, REFRACT_SPEC_FIELD_NAME, "name-empty", "name" },
  { "name/blank", HOST_FULL, m_name_blank, REFRACT_SPEC_FIELD_NAME, "name-empty", "name" },
  { "name/too-long", HOST_FULL, m_name_long, REFRACT_SPEC_FIELD_NAME, "name-too-long", "64" },
  { "name/slash", HOST_FULL, m_name_slash, REFRACT_SPEC_FIELD_NAME, "name-invalid-chars", "title" },
  { "name/space", HOST_FULL, m_name_space, REFRACT_SPEC_FIELD_NAME, "name-invalid-chars", NULL },
  { "name/leading-dot", HOST_FULL, m_name_dot, REFRACT_SPEC_FIELD_NAME, "name-invalid-chars", NULL },
  { "name/duplicate", HOST_FULL, m_name_dup, REFRACT_SPEC_FIELD_NAME, "name-duplicate", "“kali-linux” already exists" },
  { "title/newline", HOST_FULL, m_title_newline, REFRACT_SPEC_FIELD_TITLE, "title-newline", NULL },
  { "vcpus/zero", HOST_FULL, m_vcpus_zero, REFRACT_SPEC_FIELD_VCPUS, "vcpus-zero", NULL },
  { "vcpus/above-max", HOST_FULL, m_vcpus_max, REFRACT_SPEC_FIELD_VCPUS, "vcpus-above-max", "288" },
  { "vcpus/above-host", HOST_FULL, m_vcpus_host, REFRACT_SPEC_FIELD_VCPUS, "vcpus-above-host", "8 CPUs" },
  { "memory/zero", HOST_FULL, m_memory_zero, REFRACT_SPEC_FIELD_MEMORY, "memory-zero", "128 MiB" },
  { "memory/too-small", HOST_FULL, m_memory_small, REFRACT_SPEC_FIELD_MEMORY, "memory-too-small", "128 MiB" },
  { "memory/above-host", HOST_FULL, m_memory_host, REFRACT_SPEC_FIELD_MEMORY, "memory-above-host", "16384 MiB" },
  { "disk/size-zero", HOST_FULL, m_disk_zero, REFRACT_SPEC_FIELD_DISK, "disk-size-zero", NULL },
  { "disk/too-large", HOST_FULL, m_disk_large, REFRACT_SPEC_FIELD_DISK, "disk-too-large", "30.0" },
  { "disk/pool-empty", HOST_FULL, m_pool_empty, REFRACT_SPEC_FIELD_POOL, "pool-empty", NULL },
  { "disk/bus-ide", HOST_FULL, m_bus_ide, REFRACT_SPEC_FIELD_DISK_BUS, "disk-bus-ide", "SATA" },
  { "image/missing", HOST_FULL, m_image_missing, REFRACT_SPEC_FIELD_IMAGE, "image-missing", NULL },
  { "image/not-found", HOST_LOCAL, m_image_not_found, REFRACT_SPEC_FIELD_IMAGE, "image-not-found", "/nonexistent/disk.qcow2" },
  { "image/not-chosen", HOST_FULL, m_image_not_chosen, REFRACT_SPEC_FIELD_IMAGE, "image-not-chosen", NULL },
  { "media/missing", HOST_FULL, m_media_missing, REFRACT_SPEC_FIELD_MEDIA, "media-missing", "ISO" },
  { "media/not-found", HOST_LOCAL, m_media_not_found, REFRACT_SPEC_FIELD_MEDIA, "media-not-found", "/nonexistent/install.iso" },
  { "drivers/not-found", HOST_LOCAL, m_drivers_not_found, REFRACT_SPEC_FIELD_DRIVERS, "drivers-not-found", NULL },
  { "firmware/uefi-without-ovmf", HOST_MINIMAL, m_uefi, REFRACT_SPEC_FIELD_FIRMWARE, "firmware-uefi-unavailable", "OVMF" },
  { "firmware/secure-without-uefi", HOST_MINIMAL, m_secure, REFRACT_SPEC_FIELD_FIRMWARE, "firmware-uefi-unavailable", "OVMF" },
  { "network/unknown", HOST_FULL, m_network_unknown, REFRACT_SPEC_FIELD_NETWORK, "network-not-found", "“nosuch”" },
  { "network/empty", HOST_FULL, m_network_empty, REFRACT_SPEC_FIELD_NETWORK, "network-empty", NULL },
  { "network/pxe-without-network", HOST_FULL, m_pxe_no_network, REFRACT_SPEC_FIELD_NETWORK, "network-boot-no-network", NULL },
  { "bridge/unknown", HOST_FULL, m_bridge_unknown, REFRACT_SPEC_FIELD_BRIDGE, "bridge-not-found", "ip link add br9 type bridge" },
  { "bridge/empty", HOST_FULL, m_bridge_empty, REFRACT_SPEC_FIELD_BRIDGE, "bridge-empty", NULL },
  { "forwards/no-passt", HOST_FULL, m_forwards_no_passt, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forwards-need-passt", "passt" },
  { "forwards/duplicate", HOST_PASST, m_forwards_dup, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forward-duplicate", "2222" },
  { "forwards/invalid", HOST_PASST, m_forwards_invalid, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forward-invalid", "65535" },
  { "display/no-spice", HOST_MINIMAL, m_spice, REFRACT_SPEC_FIELD_DISPLAY, "display-spice-unavailable", "This QEMU was built without SPICE" },
  { "display/no-virtio-gl", HOST_MINIMAL, m_virtio_gl, REFRACT_SPEC_FIELD_DISPLAY, "display-spice-unavailable", "without SPICE" },
  { "listen/no-password", HOST_FULL, m_listen_no_password, REFRACT_SPEC_FIELD_PASSWORD, "password-required", "password" },
  { "listen/invalid", HOST_FULL, m_listen_invalid, REFRACT_SPEC_FIELD_LISTEN, "listen-invalid", "“everywhere”" },
  { "listen/with-gl", HOST_FULL, m_listen_gl, REFRACT_SPEC_FIELD_LISTEN, "listen-with-gl", NULL },
  { "password/vnc-too-long", HOST_FULL, m_vnc_long_password, REFRACT_SPEC_FIELD_PASSWORD, "password-vnc-too-long", "8" },
  { "tpm/no-swtpm", HOST_MINIMAL, m_tpm, REFRACT_SPEC_FIELD_TPM, "tpm-unavailable", "swtpm" },
  { "share/path-empty", HOST_FULL, m_share_path_empty, REFRACT_SPEC_FIELD_SHARE, "share-path-empty", NULL },
  { "share/path-missing", HOST_LOCAL, m_share_path_missing, REFRACT_SPEC_FIELD_SHARE, "share-path-not-found", "/nonexistent/folder" },
  { "share/tag-empty", HOST_FULL, m_share_tag_empty, REFRACT_SPEC_FIELD_SHARE, "share-tag-empty", "tag" },
  { "share/tag-invalid", HOST_FULL, m_share_tag_invalid, REFRACT_SPEC_FIELD_SHARE, "share-tag-invalid", NULL },
  { "share/no-virtiofs", HOST_MINIMAL, m_share_virtiofs, REFRACT_SPEC_FIELD_SHARE, "share-virtiofs-unavailable", "9p" },
  { "usb/needs-spice", HOST_FULL, m_usb_vnc, REFRACT_SPEC_FIELD_USB, "usb-needs-spice", "SPICE" },
  { "usb/too-many", HOST_FULL, m_usb_many, REFRACT_SPEC_FIELD_USB, "usb-too-many", "8" },
  { "dsp/cpus-invalid", HOST_FULL, m_dsp_cpus_invalid, REFRACT_SPEC_FIELD_VCPUS, "dsp-cpus-invalid", "“2-x”" },
  { "dsp/cpus-count", HOST_FULL, m_dsp_cpus_count, REFRACT_SPEC_FIELD_VCPUS, "dsp-cpus-count", "name 2 host CPUs" },
  { "dsp/cpus-above-host", HOST_FULL, m_dsp_cpus_host, REFRACT_SPEC_FIELD_VCPUS, "dsp-cpus-above-host", "CPU 8" },
  { "dsp/emulator-above-host", HOST_FULL, m_dsp_emulator_host, REFRACT_SPEC_FIELD_VCPUS, "dsp-emulator-cpus-above-host", "0 to 7" },
  { "dsp/fifo-priority", HOST_FULL, m_dsp_fifo, REFRACT_SPEC_FIELD_VCPUS, "dsp-fifo-priority-invalid", "99" },
};

static void
test_good_spec (void)
{
  for (HostKind kind = HOST_FULL; kind <= HOST_TCG; kind++)
    {
      g_autoptr(RefractHostCaps) caps = make_host (kind);
      g_autoptr(RefractMachineSpec) spec = good_spec (caps);
      g_autoptr(GPtrArray) problems = NULL;
      g_autofree char *text = NULL;

      problems = refract_machine_spec_validate (spec, caps, NULL);
      text = describe (problems);
      if (problems->len != 0)
        g_error ("host %d: a good spec has problems:%s", kind, text);
    }
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(RefractHostCaps) caps = make_host (c->host);
  g_autoptr(RefractMachineSpec) spec = good_spec (caps);
  const char *existing[] = { "kali-linux", "openwrt-router", NULL };
  RefractSpecContext context = { existing, 30 * (gint64) GiB };
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *text = NULL;
  RefractSpecProblem *problem;

  c->mutate (spec);
  problems = refract_machine_spec_validate (spec, caps, &context);
  text = describe (problems);
  if (problems->len != 1)
    g_error ("expected exactly %s, got %u problems:%s", c->id, problems->len, text);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->id, ==, c->id);
  g_assert_cmpint (problem->field, ==, c->field);
  g_assert_true (refract_spec_problems_find (problems, c->field) == problem);
  g_assert_cmpuint (strlen (problem->message), >, 20);
  if (c->message_part != NULL && strstr (problem->message, c->message_part) == NULL)
    g_error ("%s: “%s” does not mention “%s”", c->id, problem->message, c->message_part);
}

/* Every problem comes back at once, each at its field, in field order. */
static void
test_every_problem (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_MINIMAL);
  g_autoptr(RefractMachineSpec) spec = good_spec (caps);
  g_autoptr(GPtrArray) problems = NULL;
  static const RefractSpecField expected[] = {
    REFRACT_SPEC_FIELD_NAME, REFRACT_SPEC_FIELD_MEDIA, REFRACT_SPEC_FIELD_FIRMWARE,
    REFRACT_SPEC_FIELD_VCPUS, REFRACT_SPEC_FIELD_MEMORY, REFRACT_SPEC_FIELD_BRIDGE,
    REFRACT_SPEC_FIELD_DISPLAY, REFRACT_SPEC_FIELD_TPM,
  };

  refract_machine_spec_set_string (&spec->name, "a/b");
  g_clear_pointer (&spec->media_path, g_free);
  spec->firmware = REFRACT_FIRMWARE_UEFI_SECURE;
  spec->vcpus = 0;
  spec->memory_mib = 1 << 20;
  spec->network = REFRACT_NETWORK_BRIDGE;
  refract_machine_spec_set_string (&spec->bridge, "nobridge");
  spec->display = REFRACT_DISPLAY_SPICE_QXL;
  spec->tpm = TRUE;

  problems = refract_machine_spec_validate (spec, caps, NULL);
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < problems->len; i++)
    g_assert_cmpint (((RefractSpecProblem *) g_ptr_array_index (problems, i))->field, ==, expected[i]);
}

static gboolean
has_problem (GPtrArray  *problems,
             const char *id)
{
  for (guint i = 0; i < problems->len; i++)
    if (g_str_equal (((RefractSpecProblem *) g_ptr_array_index (problems, i))->id, id))
      return TRUE;
  return FALSE;
}

static void
test_warnings (void)
{
  g_autoptr(RefractHostCaps) full = make_host (HOST_FULL);
  g_autoptr(RefractHostCaps) passt = make_host (HOST_PASST);
  g_autoptr(RefractHostCaps) tcg = make_host (HOST_MINIMAL);
  g_autoptr(RefractMachineSpec) spec = good_spec (full);
  g_autoptr(GPtrArray) warnings = refract_machine_spec_get_warnings (spec, full, NULL);

  g_assert_cmpuint (warnings->len, ==, 0);
  g_clear_pointer (&warnings, g_ptr_array_unref);

  /* a password nobody is asked for; forwards NAT ignores */
  refract_machine_spec_set_string (&spec->password, "secret");
  add_forward (spec, "80:8080");
  warnings = refract_machine_spec_get_warnings (spec, full, NULL);
  g_assert_true (has_problem (warnings, "password-unused"));
  g_assert_true (has_problem (warnings, "port-forwards-ignored"));
  g_assert_false (has_problem (warnings, "port-forward-privileged"));
  g_clear_pointer (&warnings, g_ptr_array_unref);

  spec->network = REFRACT_NETWORK_USER;
  warnings = refract_machine_spec_get_warnings (spec, passt, NULL);
  g_assert_true (has_problem (warnings, "port-forward-privileged"));
  g_assert_false (has_problem (warnings, "port-forwards-ignored"));
  g_clear_pointer (&warnings, g_ptr_array_unref);
  /* warnings never block */
  spec->display = REFRACT_DISPLAY_VNC;
  spec->usb_redir_channels = 0;
  {
    g_autoptr(GPtrArray) problems = refract_machine_spec_validate (spec, passt, NULL);
    g_autofree char *text = describe (problems);

    if (problems->len != 0)
      g_error ("warnings became problems:%s", text);
  }

  warnings = refract_machine_spec_get_warnings (spec, tcg, NULL);
  g_assert_true (has_problem (warnings, "kvm-unavailable"));
}

/* ---- presets ---- */

static void
set_paths (RefractMachineSpec *spec)
{
  g_autofree char *disk = g_strconcat (IMAGES, spec->name, ".qcow2", NULL);

  refract_machine_spec_set_string (&spec->disk_path, disk);
  if (spec->source == REFRACT_SOURCE_INSTALL_MEDIA)
    refract_machine_spec_set_string (&spec->media_path, IMAGES "install.iso");
  if (spec->disk_mode == REFRACT_DISK_EXISTING)
    refract_machine_spec_set_string (&spec->image_path, IMAGES "image.img");
}

static void
test_presets_table (void)
{
  guint n = 0;
  const RefractPreset *all = refract_presets_get_all (&n);
  static const char * const ids[] = {
    "dsp-coprocessor", "coding-sandbox", "kali", "openwrt", "windows-11", "generic-linux",
  };

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (all[i].id, ==, ids[i]);
      g_assert_true (refract_preset_lookup (ids[i]) == &all[i]);
      g_assert_nonnull (all[i].name);
      g_assert_nonnull (all[i].description);
    }
  g_assert_null (refract_preset_lookup ("nosuch"));
  {
    g_autoptr(RefractMachineSpec) spec = refract_machine_spec_new ();

    g_assert_false (refract_preset_apply ("nosuch", spec, NULL));
  }
}

/* Every preset is a valid machine on a capable host once it has its media. */
static void
test_presets_valid (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_FULL);
  guint n = 0;
  const RefractPreset *all = refract_presets_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RefractMachineSpec) spec = refract_machine_spec_new ();
      g_autoptr(GPtrArray) problems = NULL;
      g_autofree char *text = NULL;

      g_assert_true (refract_preset_apply (all[i].id, spec, caps));
      g_assert_cmpstr (spec->preset_id, ==, all[i].id);
      problems = refract_machine_spec_validate (spec, caps, NULL);
      g_assert_true (has_problem (problems, spec->disk_mode == REFRACT_DISK_EXISTING ? "image-missing"
                                                                                    : "media-missing"));
      g_clear_pointer (&problems, g_ptr_array_unref);
      set_paths (spec);
      problems = refract_machine_spec_validate (spec, caps, NULL);
      text = describe (problems);
      if (problems->len != 0)
        g_error ("preset %s has problems:%s", all[i].id, text);
    }
}

static RefractMachineSpec *
preset (const char      *id,
        RefractHostCaps *caps)
{
  RefractMachineSpec *spec = refract_machine_spec_new ();

  g_assert_true (refract_preset_apply (id, spec, caps));
  return spec;
}

static void
test_preset_seed_values (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_FULL);
  g_autoptr(RefractMachineSpec) dsp = preset ("dsp-coprocessor", caps);
  g_autoptr(RefractMachineSpec) sandbox = preset ("coding-sandbox", caps);
  g_autoptr(RefractMachineSpec) kali = preset ("kali", caps);
  g_autoptr(RefractMachineSpec) openwrt = preset ("openwrt", caps);
  g_autoptr(RefractMachineSpec) windows = preset ("windows-11", caps);
  g_autofree char *forward = NULL;

  g_assert_cmpuint (dsp->vcpus, ==, 2);
  g_assert_cmpuint (dsp->memory_mib, ==, 4096);
  g_assert_cmpuint (dsp->disk_size, ==, 20 * GiB);
  g_assert_cmpint (dsp->display, ==, REFRACT_DISPLAY_SERIAL);

  g_assert_cmpuint (sandbox->vcpus, ==, 1);
  g_assert_cmpuint (sandbox->memory_mib, ==, 3072);
  g_assert_cmpuint (sandbox->disk_size, ==, 64 * GiB);
  g_assert_cmpint (sandbox->display, ==, REFRACT_DISPLAY_SERIAL);
  g_assert_cmpuint (sandbox->port_forwards->len, ==, 1);
  forward = refract_port_forward_to_string (g_ptr_array_index (sandbox->port_forwards, 0));
  g_assert_cmpstr (forward, ==, "2222:22");
  /* no passt on this host: NAT, and the user is told the forward is ignored */
  g_assert_cmpint (sandbox->network, ==, REFRACT_NETWORK_NAT);
  {
    g_autoptr(GPtrArray) warnings = refract_machine_spec_get_warnings (sandbox, caps, NULL);

    g_assert_true (has_problem (warnings, "port-forwards-ignored"));
  }

  g_assert_cmpuint (kali->vcpus, ==, 1);
  g_assert_cmpuint (kali->memory_mib, ==, 4096);
  g_assert_cmpuint (kali->disk_size, ==, 80 * GiB);
  g_assert_cmpint (kali->display, ==, REFRACT_DISPLAY_SPICE_QXL);
  g_assert_cmpuint (kali->usb_redir_channels, ==, 2);

  g_assert_cmpuint (openwrt->memory_mib, ==, 512);
  g_assert_cmpuint (openwrt->disk_size, ==, 512 << 20);
  g_assert_cmpint (openwrt->network, ==, REFRACT_NETWORK_BRIDGE);
  g_assert_cmpstr (openwrt->bridge, ==, "br0");

  g_assert_cmpint (windows->firmware, ==, REFRACT_FIRMWARE_UEFI_SECURE);
  g_assert_true (windows->tpm);
  g_assert_true (windows->hyperv);
  g_assert_cmpuint (windows->vcpus, ==, 4);
  g_assert_cmpuint (windows->memory_mib, >=, 4096);
  /* no virtio-win ISO on this host: drivers Windows has */
  g_assert_null (windows->drivers_path);
  g_assert_cmpint (windows->disk_bus, ==, REFRACT_DISK_BUS_SATA);
  g_assert_false (windows->virtio_nic);
}

static void
test_presets_adapt (void)
{
  g_autoptr(RefractHostCaps) minimal = make_host (HOST_MINIMAL);
  g_autoptr(RefractHostCaps) passt = make_host (HOST_PASST);
  g_autoptr(RefractHostCaps) small = make_host (HOST_FULL);
  const char *no_bridges[] = { NULL };
  const char *other_bridge[] = { "lan0", NULL };
  g_autoptr(RefractMachineSpec) kali = preset ("kali", minimal);
  g_autoptr(RefractMachineSpec) windows = preset ("windows-11", minimal);
  g_autoptr(RefractMachineSpec) sandbox = preset ("coding-sandbox", passt);
  g_autoptr(RefractMachineSpec) openwrt = NULL;
  g_autoptr(RefractMachineSpec) generic = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  g_assert_cmpint (kali->display, ==, REFRACT_DISPLAY_VNC);
  g_assert_cmpuint (kali->usb_redir_channels, ==, 0);
  g_assert_cmpint (windows->firmware, ==, REFRACT_FIRMWARE_BIOS);
  g_assert_false (windows->tpm);
  g_assert_cmpint (sandbox->network, ==, REFRACT_NETWORK_USER);

  /* Windows 11 without TPM/secure boot says why, in the host's words */
  {
    g_autoptr(GPtrArray) warnings = refract_machine_spec_get_warnings (windows, minimal, NULL);
    RefractSpecProblem *tpm = refract_spec_problems_find (warnings, REFRACT_SPEC_FIELD_TPM);

    g_assert_nonnull (tpm);
    g_assert_nonnull (strstr (tpm->message, "swtpm"));
    g_assert_nonnull (refract_spec_problems_find (warnings, REFRACT_SPEC_FIELD_FIRMWARE));
  }

  refract_host_caps_set_bridges (small, other_bridge);
  openwrt = preset ("openwrt", small);
  g_assert_cmpstr (openwrt->bridge, ==, "lan0");
  g_clear_pointer (&openwrt, refract_machine_spec_free);
  refract_host_caps_set_bridges (small, no_bridges);
  openwrt = preset ("openwrt", small);
  set_paths (openwrt);
  problems = refract_machine_spec_validate (openwrt, small, NULL);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_nonnull (strstr (((RefractSpecProblem *) g_ptr_array_index (problems, 0))->message,
                            "ip link add br0 type bridge"));

  refract_host_caps_set_resources (small, 1, 1024);
  generic = preset ("generic-linux", small);
  g_assert_cmpuint (generic->vcpus, ==, 1);
  g_assert_cmpuint (generic->memory_mib, ==, 1024);
  refract_host_caps_set_virtio_win_iso (small, "/usr/share/virtio-win/virtio-win.iso");
  g_clear_pointer (&generic, refract_machine_spec_free);
  generic = preset ("windows-11", small);
  g_assert_cmpstr (generic->drivers_path, ==, "/usr/share/virtio-win/virtio-win.iso");
  g_assert_cmpint (generic->disk_bus, ==, REFRACT_DISK_BUS_VIRTIO);
  g_assert_true (generic->virtio_nic);
}

/* The DSP preset on a 4-CPU host: vCPUs on the two highest CPUs, QEMU's
 * threads on CPU 0, FIFO 1, and NETJACK settings the NETJACK page reads. */
static void
test_preset_dsp_pinning (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_FULL);
  g_autoptr(RefractMachineSpec) dsp = NULL;
  g_autoptr(RefractMachineSpec) copy = NULL;
  g_autoptr(RefractNetjackConfig) netjack = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *text = NULL;
  static const char * const dsp_has[] = {
    "<vcpupin vcpu=\"0\" cpuset=\"2\"/>", "<vcpupin vcpu=\"1\" cpuset=\"3\"/>",
    "<emulatorpin cpuset=\"0\"/>", "<vcpusched vcpus=\"0-1\" scheduler=\"fifo\" priority=\"1\"/>",
  };

  refract_host_caps_set_resources (caps, 4, 16384);
  dsp = preset ("dsp-coprocessor", caps);
  set_paths (dsp);
  g_assert_cmpuint (dsp->vcpus, ==, 2);
  g_assert_cmpstr (dsp->dsp_cpus, ==, "2,3");
  g_assert_cmpstr (dsp->dsp_emulator_cpus, ==, "0");
  g_assert_cmpuint (dsp->dsp_fifo_priority, ==, 1);
  g_assert_true (dsp->netjack);
  problems = refract_machine_spec_validate (dsp, caps, NULL);
  text = describe (problems);
  if (problems->len != 0)
    g_error ("the DSP preset has problems:%s", text);

  copy = refract_machine_spec_copy (dsp);
  g_assert_cmpstr (copy->dsp_cpus, ==, "2,3");
  g_assert_true (copy->dsp_cpus != dsp->dsp_cpus);
  g_assert_cmpstr (copy->dsp_emulator_cpus, ==, "0");
  g_assert_true (copy->dsp_emulator_cpus != dsp->dsp_emulator_cpus);
  g_assert_cmpuint (copy->dsp_fifo_priority, ==, 1);
  g_assert_true (copy->netjack);

  xml = refract_machine_spec_to_xml (dsp, caps, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (dsp_has); i++)
    if (strstr (xml, dsp_has[i]) == NULL)
      g_error ("DSP XML lacks %s:\n%s", dsp_has[i], xml);
  g_assert_null (strstr (xml, "<hugepages"));
  netjack = refract_netjack_config_from_domain_xml (xml);
  g_assert_nonnull (netjack);
  g_assert_true (netjack->enabled);
  g_assert_cmpint (netjack->backend, ==, REFRACT_NETJACK_BACKEND_PIPEWIRE);
  g_assert_cmpstr (netjack->address, ==, REFRACT_NETJACK_DEFAULT_MULTICAST);
  g_assert_cmpuint (netjack->port, ==, REFRACT_NETJACK_DEFAULT_PORT);
  g_assert_cmpuint (netjack->period, ==, 128);
  g_assert_cmpstr (netjack->client_name, ==, "dsp-coprocessor");
  /* the libosinfo entry stays next to it */
  g_assert_nonnull (strstr (xml, "http://nixos.org/nixos/unknown"));

  /* a bad list is refused by the builder too, not written */
  refract_machine_spec_set_string (&dsp->dsp_cpus, "2");
  g_clear_pointer (&xml, g_free);
  xml = refract_machine_spec_to_xml (dsp, caps, &error);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_null (xml);
}

/* Too few CPUs, or none known: no pinning and no FIFO (the real-time vCPUs
 * would take CPU 0), NETJACK all the same. */
static void
test_preset_dsp_small_host (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_FULL);
  g_autoptr(RefractMachineSpec) two = NULL;
  g_autoptr(RefractMachineSpec) unknown = NULL;
  g_autoptr(RefractNetjackConfig) netjack = NULL;
  g_autofree char *xml = NULL;

  refract_host_caps_set_resources (caps, 2, 16384);
  two = preset ("dsp-coprocessor", caps);
  set_paths (two);
  g_assert_cmpuint (two->vcpus, ==, 2);
  g_assert_null (two->dsp_cpus);
  g_assert_null (two->dsp_emulator_cpus);
  g_assert_cmpuint (two->dsp_fifo_priority, ==, 0);
  g_assert_true (two->netjack);
  xml = refract_machine_spec_to_xml (two, caps, NULL);
  g_assert_null (strstr (xml, "<cputune"));
  netjack = refract_netjack_config_from_domain_xml (xml);
  g_assert_nonnull (netjack);

  unknown = preset ("dsp-coprocessor", NULL);
  g_assert_null (unknown->dsp_cpus);
  g_assert_cmpuint (unknown->dsp_fifo_priority, ==, 0);
  g_assert_true (unknown->netjack);
}

/* ---- golden XML ---- */

typedef RefractMachineSpec *(*GoldenBuild) (RefractHostCaps *caps);

static RefractMachineSpec *
variant (RefractHostCaps *caps,
         const char      *name)
{
  RefractMachineSpec *spec = preset ("generic-linux", caps);

  refract_machine_spec_set_string (&spec->name, name);
  refract_machine_spec_set_string (&spec->os_id, "http://debian.org/debian/12");
  set_paths (spec);
  return spec;
}

#define PRESET_GOLDEN(fn, id) \
  static RefractMachineSpec *fn (RefractHostCaps *caps) \
  { RefractMachineSpec *s = preset (id, caps); set_paths (s); return s; }

PRESET_GOLDEN (g_dsp, "dsp-coprocessor")
PRESET_GOLDEN (g_sandbox, "coding-sandbox")
PRESET_GOLDEN (g_kali, "kali")
PRESET_GOLDEN (g_openwrt, "openwrt")
PRESET_GOLDEN (g_windows, "windows-11")
PRESET_GOLDEN (g_generic, "generic-linux")

static RefractMachineSpec *
g_windows_virtio (RefractHostCaps *caps)
{
  RefractMachineSpec *spec;

  refract_host_caps_set_virtio_win_iso (caps, "/usr/share/virtio-win/virtio-win.iso");
  spec = preset ("windows-11", caps);
  refract_machine_spec_set_string (&spec->name, "windows-11-virtio");
  set_paths (spec);
  return spec;
}

static RefractMachineSpec *
g_sandbox_passt (RefractHostCaps *caps)
{
  RefractMachineSpec *spec;

  refract_host_caps_set_feature (caps, REFRACT_HOST_FEATURE_PASST, TRUE, NULL);
  spec = preset ("coding-sandbox", caps);
  refract_machine_spec_set_string (&spec->name, "coding-sandbox-passt");
  add_forward (spec, "5353:53/udp");
  set_paths (spec);
  return spec;
}

static RefractMachineSpec *
g_uefi (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "uefi");

  spec->firmware = REFRACT_FIRMWARE_UEFI;
  return spec;
}

static RefractMachineSpec *
g_uefi_secure (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "uefi-secure");

  spec->firmware = REFRACT_FIRMWARE_UEFI_SECURE;
  spec->tpm = TRUE;
  return spec;
}

static RefractMachineSpec *
g_bridge (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "bridge");

  spec->network = REFRACT_NETWORK_BRIDGE;
  refract_machine_spec_set_string (&spec->bridge, "br0");
  spec->virtio_nic = FALSE;
  return spec;
}

static RefractMachineSpec *
g_vnc (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "vnc");

  spec->display = REFRACT_DISPLAY_VNC;
  spec->usb_redir_channels = 0;
  return spec;
}

static RefractMachineSpec *
g_vnc_listen (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = g_vnc (caps);

  refract_machine_spec_set_string (&spec->name, "vnc-listen");
  refract_machine_spec_set_string (&spec->listen_address, "127.0.0.1");
  refract_machine_spec_set_string (&spec->password, "s3cret");
  return spec;
}

static RefractMachineSpec *
g_spice_listen (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "spice-listen");

  refract_machine_spec_set_string (&spec->listen_address, "0.0.0.0");
  refract_machine_spec_set_string (&spec->password, "s3cret-pass");
  spec->sound = TRUE;
  return spec;
}

static RefractMachineSpec *
g_serial (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "serial");

  spec->display = REFRACT_DISPLAY_SERIAL;
  spec->usb_redir_channels = 0;
  spec->guest_agent = FALSE;
  spec->network = REFRACT_NETWORK_NONE;
  return spec;
}

static RefractMachineSpec *
g_virtio_gl (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "virtio-gl");

  spec->display = REFRACT_DISPLAY_SPICE_VIRTIO_GL;
  return spec;
}

static RefractMachineSpec *
g_share_9p (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "share-9p");

  spec->share = REFRACT_SHARE_9P;
  refract_machine_spec_set_string (&spec->share_path, "/srv/share");
  refract_machine_spec_set_string (&spec->share_tag, "share");
  return spec;
}

static RefractMachineSpec *
g_share_virtiofs (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = g_share_9p (caps);

  refract_machine_spec_set_string (&spec->name, "share-virtiofs");
  spec->share = REFRACT_SHARE_VIRTIOFS;
  return spec;
}

static RefractMachineSpec *
g_existing_image (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "existing-image");

  spec->source = REFRACT_SOURCE_EXISTING_IMAGE;
  spec->disk_mode = REFRACT_DISK_EXISTING;
  spec->import_mode = REFRACT_IMPORT_IN_PLACE;
  refract_machine_spec_set_string (&spec->image_path, "/srv/vms/appliance.img");
  refract_machine_spec_set_string (&spec->disk_path, "/srv/vms/appliance.img");
  spec->disk_bus = REFRACT_DISK_BUS_SATA;
  return spec;
}

static RefractMachineSpec *
g_pxe (RefractHostCaps *caps)
{
  RefractMachineSpec *spec = variant (caps, "pxe");

  spec->source = REFRACT_SOURCE_NETWORK_BOOT;
  spec->disk_mode = REFRACT_DISK_NONE;
  g_clear_pointer (&spec->disk_path, g_free);
  refract_machine_spec_set_string (&spec->uuid, "6c4e1b0e-7a51-4d38-9d1e-2f1f1f6b5a01");
  return spec;
}

static RefractMachineSpec *
g_tcg (RefractHostCaps *caps)
{
  return variant (caps, "tcg");
}

static const struct
{
  const char  *name;
  GoldenBuild  build;
  HostKind     host;
} goldens[] = {
  { "preset-dsp-coprocessor", g_dsp, HOST_FULL },
  { "preset-coding-sandbox", g_sandbox, HOST_FULL },
  { "preset-coding-sandbox-passt", g_sandbox_passt, HOST_FULL },
  { "preset-kali", g_kali, HOST_FULL },
  { "preset-openwrt", g_openwrt, HOST_FULL },
  { "preset-windows-11", g_windows, HOST_FULL },
  { "preset-windows-11-virtio-win", g_windows_virtio, HOST_FULL },
  { "preset-generic-linux", g_generic, HOST_FULL },
  { "uefi", g_uefi, HOST_FULL },
  { "uefi-secure", g_uefi_secure, HOST_FULL },
  { "bridge", g_bridge, HOST_FULL },
  { "vnc", g_vnc, HOST_FULL },
  { "vnc-listen", g_vnc_listen, HOST_FULL },
  { "spice-listen", g_spice_listen, HOST_FULL },
  { "serial", g_serial, HOST_FULL },
  { "virtio-gl", g_virtio_gl, HOST_FULL },
  { "share-9p", g_share_9p, HOST_FULL },
  { "share-virtiofs", g_share_virtiofs, HOST_FULL },
  { "existing-image", g_existing_image, HOST_FULL },
  { "pxe", g_pxe, HOST_FULL },
  { "tcg", g_tcg, HOST_TCG },
};

static void
report_difference (const char *name,
                   const char *expected,
                   const char *actual)
{
  g_auto(GStrv) want = g_strsplit (expected, "\n", -1);
  g_auto(GStrv) got = g_strsplit (actual, "\n", -1);
  guint i = 0;

  while (want[i] != NULL && got[i] != NULL && g_str_equal (want[i], got[i]))
    i++;
  g_error ("golden/spec-%s.xml differs at line %u:\n- %s\n+ %s\n"
           "(REFRACT_UPDATE_GOLDEN=1 rewrites the golden files)",
           name, i + 1, want[i] ? want[i] : "(end of file)", got[i] ? got[i] : "(end of file)");
}

static void
run_golden (gconstpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  g_autoptr(RefractHostCaps) caps = make_host (goldens[index].host);
  g_autoptr(RefractMachineSpec) spec = goldens[index].build (caps);
  g_autofree char *file = g_strdup_printf ("spec-%s.xml", goldens[index].name);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "unit", "golden", file, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = refract_machine_spec_to_xml (spec, caps, &error);
  g_autofree char *expected = NULL;
  GVirConfigDomain *reparsed;

  g_assert_no_error (error);
  g_assert_nonnull (xml);
  /* what libvirt-gconfig reads back is the same definition */
  reparsed = gvir_config_domain_new_from_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gvir_config_domain_get_name (reparsed), ==, spec->name);
  g_assert_cmpuint (gvir_config_domain_get_memory (reparsed), ==, spec->memory_mib * 1024);
  g_assert_cmpuint (gvir_config_domain_get_vcpus (reparsed), ==, spec->vcpus);
  g_object_unref (reparsed);

  if (g_strcmp0 (g_getenv ("REFRACT_UPDATE_GOLDEN"), "1") == 0)
    {
      g_file_set_contents (path, xml, -1, &error);
      g_assert_no_error (error);
      g_test_message ("rewrote %s", path);
      return;
    }
  if (!g_file_get_contents (path, &expected, NULL, NULL))
    g_error ("%s is missing; REFRACT_UPDATE_GOLDEN=1 creates it", path);
  if (!g_str_equal (expected, xml))
    report_difference (goldens[index].name, expected, xml);
}

/* A few facts the golden files must keep, so a careless regeneration fails. */
static void
test_xml_facts (void)
{
  g_autoptr(RefractHostCaps) caps = make_host (HOST_FULL);
  g_autoptr(RefractMachineSpec) windows = g_windows (caps);
  g_autoptr(RefractMachineSpec) sandbox = g_sandbox (caps);
  g_autoptr(RefractMachineSpec) kali = g_kali (caps);
  g_autofree char *w = refract_machine_spec_to_xml (windows, caps, NULL);
  g_autofree char *s = refract_machine_spec_to_xml (sandbox, caps, NULL);
  g_autofree char *k = refract_machine_spec_to_xml (kali, caps, NULL);
  static const char * const windows_has[] = {
    "<domain type=\"kvm\"", "firmware=\"efi\"", "name=\"secure-boot\"", "<smm state=\"on\"/>",
    "<tpm model=\"tpm-crb\">", "version=\"2.0\"", "<spinlocks state=\"on\" retries=\"8191\"/>",
    "bus=\"sata\"", "<model type=\"e1000e\"/>", "host-passthrough", "http://microsoft.com/win/11",
  };
  static const char * const kali_has[] = {
    "<graphics type=\"spice\"", "<listen type=\"none\"/>", "<model type=\"qxl\"", "com.redhat.spice.0",
    "org.qemu.guest_agent.0", "<redirdev type=\"spicevmc\" bus=\"usb\"/>", "<boot dev=\"cdrom\"/>",
    "<input type=\"tablet\" bus=\"usb\"/>", "<rng model=\"virtio\">", "bus=\"virtio\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (windows_has); i++)
    if (strstr (w, windows_has[i]) == NULL)
      g_error ("Windows 11 XML lacks %s:\n%s", windows_has[i], w);
  for (guint i = 0; i < G_N_ELEMENTS (kali_has); i++)
    if (strstr (k, kali_has[i]) == NULL)
      g_error ("Kali XML lacks %s:\n%s", kali_has[i], k);
  /* the captured host's KVM offers only spinlocks and vendor_id; QEMU refuses the rest */
  g_assert_null (strstr (w, "<relaxed"));
  g_assert_null (strstr (w, "hypervclock"));
  /* a host that doesn't say gets every enlightenment */
  {
    g_autofree char *unknown = refract_machine_spec_to_xml (windows, NULL, NULL);

    g_assert_nonnull (strstr (unknown, "<relaxed state=\"on\"/>"));
    g_assert_nonnull (strstr (unknown, "<synic state=\"on\"/>"));
    g_assert_nonnull (strstr (unknown, "name=\"hypervclock\""));
  }
  /* the sandbox is headless and, without passt, has no forward libvirt would drop */
  g_assert_null (strstr (s, "<graphics"));
  g_assert_null (strstr (s, "portForward"));
  g_assert_nonnull (strstr (s, "<console type=\"pty\">"));
  g_assert_nonnull (strstr (s, "<source network=\"default\"/>"));
  g_assert_null (strstr (s, "<autostart"));
}

int
main (int   argc,
      char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/machine-spec/port-forward/parse", test_port_forward_parse);
  g_test_add_func ("/machine-spec/unique-name", test_unique_name);
  g_test_add_func ("/machine-spec/copy", test_copy);
  g_test_add_func ("/machine-spec/validate/good", test_good_spec);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/machine-spec/validate/", cases[i].path, NULL);

      g_test_add_data_func (path, &cases[i], run_case);
    }
  g_test_add_func ("/machine-spec/validate/every-problem", test_every_problem);
  g_test_add_func ("/machine-spec/warnings", test_warnings);
  g_test_add_func ("/machine-spec/presets/table", test_presets_table);
  g_test_add_func ("/machine-spec/presets/valid", test_presets_valid);
  g_test_add_func ("/machine-spec/presets/seed-values", test_preset_seed_values);
  g_test_add_func ("/machine-spec/presets/adapt", test_presets_adapt);
  g_test_add_func ("/machine-spec/presets/dsp-pinning", test_preset_dsp_pinning);
  g_test_add_func ("/machine-spec/presets/dsp-small-host", test_preset_dsp_small_host);
  g_test_add_func ("/machine-spec/xml/facts", test_xml_facts);
  for (guint i = 0; i < G_N_ELEMENTS (goldens); i++)
    {
      g_autofree char *path = g_strconcat ("/machine-spec/xml/golden/", goldens[i].name, NULL);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), run_golden);
    }

  return g_test_run ();
}
