/* refract-machine-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "refract-host-topology.h"
#include "refract-machine-spec.h"
#include "refract-model-error.h"
#include "refract-netjack-config.h"

/* libvirt takes far longer names, but they end up in file names (disk,
 * NVRAM, logs) and in every list; 64 keeps them manageable. */
#define NAME_MAX_CHARS 64
#define MIN_MEMORY_MIB 128
#define MAX_USB_CHANNELS 8

G_DEFINE_BOXED_TYPE (RefractMachineSpec, refract_machine_spec,
                     refract_machine_spec_copy, refract_machine_spec_free)

/* ---- port forwards ---- */

void
refract_port_forward_free (RefractPortForward *forward)
{
  if (forward == NULL)
    return;
  g_free (forward->protocol);
  g_free (forward);
}

static RefractPortForward *
port_forward_copy (const RefractPortForward *forward)
{
  RefractPortForward *copy = g_new0 (RefractPortForward, 1);

  copy->host_port = forward->host_port;
  copy->guest_port = forward->guest_port;
  copy->protocol = g_strdup (forward->protocol ? forward->protocol : "tcp");
  return copy;
}

static gboolean
parse_port (const char *text,
            guint      *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

RefractPortForward *
refract_port_forward_parse (const char  *text,
                            GError     **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));
  g_autoptr(RefractPortForward) forward = g_new0 (RefractPortForward, 1);
  char *slash = strchr (copy, '/');
  char *colon;

  if (slash != NULL)
    {
      *slash = '\0';
      if (g_ascii_strcasecmp (slash + 1, "tcp") != 0 && g_ascii_strcasecmp (slash + 1, "udp") != 0)
        {
          g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                       _("“%s” is not a protocol: write /tcp or /udp after the ports (e.g. 2222:22/udp), or nothing for TCP."),
                       slash + 1);
          return NULL;
        }
    }
  forward->protocol = g_ascii_strdown (slash ? slash + 1 : "tcp", -1);
  colon = strchr (copy, ':');
  if (colon == NULL || (*colon = '\0', !parse_port (copy, &forward->host_port)) ||
      !parse_port (colon + 1, &forward->guest_port))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("“%s” is not a port forward: write host port:guest port, each from 1 to "
                     "65535, e.g. 2222:22 or 5353:53/udp."), text ? text : "");
      return NULL;
    }
  return g_steal_pointer (&forward);
}

char *
refract_port_forward_to_string (const RefractPortForward *forward)
{
  g_return_val_if_fail (forward != NULL, NULL);

  if (forward->protocol == NULL || g_str_equal (forward->protocol, "tcp"))
    return g_strdup_printf ("%u:%u", forward->host_port, forward->guest_port);
  return g_strdup_printf ("%u:%u/%s", forward->host_port, forward->guest_port, forward->protocol);
}

/* ---- the boxed spec ---- */

RefractMachineSpec *
refract_machine_spec_new (void)
{
  RefractMachineSpec *spec = g_new0 (RefractMachineSpec, 1);

  spec->port_forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_port_forward_free);
  spec->pool = g_strdup ("default");
  spec->network_name = g_strdup ("default");
  spec->virtio_nic = TRUE;
  spec->vcpus = 1;
  spec->memory_mib = 1024;
  return spec;
}

RefractMachineSpec *
refract_machine_spec_copy (const RefractMachineSpec *spec)
{
  RefractMachineSpec *copy;

  g_return_val_if_fail (spec != NULL, NULL);

  copy = g_memdup2 (spec, sizeof *spec);
  copy->preset_id = g_strdup (spec->preset_id);
  copy->name = g_strdup (spec->name);
  copy->title = g_strdup (spec->title);
  copy->os_id = g_strdup (spec->os_id);
  copy->media_path = g_strdup (spec->media_path);
  copy->drivers_path = g_strdup (spec->drivers_path);
  copy->pool = g_strdup (spec->pool);
  copy->image_path = g_strdup (spec->image_path);
  copy->disk_path = g_strdup (spec->disk_path);
  copy->network_name = g_strdup (spec->network_name);
  copy->bridge = g_strdup (spec->bridge);
  copy->listen_address = g_strdup (spec->listen_address);
  copy->password = g_strdup (spec->password);
  copy->share_path = g_strdup (spec->share_path);
  copy->share_tag = g_strdup (spec->share_tag);
  copy->uuid = g_strdup (spec->uuid);
  copy->dsp_cpus = g_strdup (spec->dsp_cpus);
  copy->dsp_emulator_cpus = g_strdup (spec->dsp_emulator_cpus);
  copy->port_forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_port_forward_free);
  for (guint i = 0; spec->port_forwards != NULL && i < spec->port_forwards->len; i++)
    g_ptr_array_add (copy->port_forwards, port_forward_copy (g_ptr_array_index (spec->port_forwards, i)));
  return copy;
}

void
refract_machine_spec_free (RefractMachineSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->preset_id);
  g_free (spec->name);
  g_free (spec->title);
  g_free (spec->os_id);
  g_free (spec->media_path);
  g_free (spec->drivers_path);
  g_free (spec->pool);
  g_free (spec->image_path);
  g_free (spec->disk_path);
  g_free (spec->network_name);
  g_free (spec->bridge);
  g_clear_pointer (&spec->port_forwards, g_ptr_array_unref);
  g_free (spec->listen_address);
  if (spec->password != NULL)
    memset (spec->password, 0, strlen (spec->password));
  g_free (spec->password);
  g_free (spec->share_path);
  g_free (spec->share_tag);
  g_free (spec->uuid);
  g_free (spec->dsp_cpus);
  g_free (spec->dsp_emulator_cpus);
  g_free (spec);
}

void
refract_machine_spec_set_string (char       **field,
                                 const char  *value)
{
  char *copy;

  g_return_if_fail (field != NULL);
  copy = g_strdup (value);
  g_free (*field);
  *field = copy;
}

char *
refract_machine_spec_unique_name (const char         *base,
                                  const char * const *existing_names)
{
  g_autofree char *stem = g_strdup (base != NULL && *base != '\0' ? base : "machine");

  if (existing_names == NULL || !g_strv_contains (existing_names, stem))
    return g_steal_pointer (&stem);
  for (guint i = 2; ; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u", stem, i);

      if (!g_strv_contains (existing_names, name))
        return g_steal_pointer (&name);
    }
}

const char *
refract_machine_spec_get_disk_format (const RefractMachineSpec *spec)
{
  const char *path;

  g_return_val_if_fail (spec != NULL, NULL);

  if (spec->disk_mode != REFRACT_DISK_EXISTING || spec->import_mode == REFRACT_IMPORT_CONVERT)
    return "qcow2";
  path = spec->disk_path ? spec->disk_path : spec->image_path;
  if (path != NULL && (g_str_has_suffix (path, ".qcow2") || g_str_has_suffix (path, ".qcow")))
    return "qcow2";
  return "raw";
}

/* ---- problems ---- */

void
refract_spec_problem_free (RefractSpecProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->id);
  g_free (problem->message);
  g_free (problem);
}

RefractSpecProblem *
refract_spec_problems_find (GPtrArray        *problems,
                            RefractSpecField  field)
{
  g_return_val_if_fail (problems != NULL, NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      RefractSpecProblem *problem = g_ptr_array_index (problems, i);

      if (problem->field == field)
        return problem;
    }
  return NULL;
}

G_GNUC_PRINTF (4, 5)
static void
add (GPtrArray        *problems,
     RefractSpecField  field,
     const char       *id,
     const char       *format,
     ...)
{
  RefractSpecProblem *problem = g_new0 (RefractSpecProblem, 1);
  va_list args;

  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  problem->field = field;
  problem->id = g_strdup (id);
  g_ptr_array_add (problems, problem);
}

/* Adds the host's reason when it lacks feature; TRUE when it has it. */
static gboolean
need (GPtrArray          *problems,
      RefractHostCaps    *caps,
      RefractHostFeature  feature,
      RefractSpecField    field,
      const char         *id)
{
  if (caps == NULL || refract_host_caps_has (caps, feature))
    return TRUE;
  add (problems, field, id, "%s", refract_host_caps_get_reason (caps, feature));
  return FALSE;
}

static gboolean
is_empty (const char *text)
{
  if (text == NULL)
    return TRUE;
  while (g_ascii_isspace (*text))
    text++;
  return *text == '\0';
}

static gboolean
check_paths (RefractHostCaps *caps)
{
  return caps != NULL && refract_host_caps_get_is_local (caps);
}

static gboolean
name_char_ok (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '+';
}

static void
validate_name (const RefractMachineSpec *spec,
               const RefractSpecContext *context,
               GPtrArray                *problems)
{
  const char *name = spec->name;

  if (is_empty (name))
    {
      add (problems, REFRACT_SPEC_FIELD_NAME, "name-empty", "%s",
           _("Give the machine a name."));
      return;
    }
  if (g_utf8_strlen (name, -1) > NAME_MAX_CHARS)
    add (problems, REFRACT_SPEC_FIELD_NAME, "name-too-long",
         _("Shorten the name to %d characters or fewer; a longer description fits in the title."),
         NAME_MAX_CHARS);
  for (const char *p = name; *p != '\0'; p++)
    if (!name_char_ok (*p) || (p == name && (*p == '.' || *p == '-')))
      {
        add (problems, REFRACT_SPEC_FIELD_NAME, "name-invalid-chars", "%s",
             _("Use only letters, digits and . _ + - in the name, not starting with . or -; "
               "libvirt and file names can't take the rest. Put spaces and the like in the title."));
        break;
      }
  if (context != NULL && context->existing_names != NULL &&
      g_strv_contains (context->existing_names, name))
    add (problems, REFRACT_SPEC_FIELD_NAME, "name-duplicate",
         _("A machine named “%s” already exists on this host; choose another name."), name);
}

static void
validate_title (const RefractMachineSpec *spec,
                GPtrArray                *problems)
{
  if (spec->title != NULL && strpbrk (spec->title, "\r\n") != NULL)
    add (problems, REFRACT_SPEC_FIELD_TITLE, "title-newline", "%s",
         _("Write the title on one line."));
}

static void
check_file (GPtrArray        *problems,
            RefractHostCaps  *caps,
            RefractSpecField  field,
            const char       *id,
            const char       *path)
{
  if (check_paths (caps) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    add (problems, field, id,
         _("There is no file “%s” on this host; choose an existing file."), path);
}

static void
validate_source (const RefractMachineSpec *spec,
                 RefractHostCaps          *caps,
                 GPtrArray                *problems)
{
  switch (spec->source)
    {
    case REFRACT_SOURCE_INSTALL_MEDIA:
      if (is_empty (spec->media_path))
        add (problems, REFRACT_SPEC_FIELD_MEDIA, "media-missing", "%s",
             _("Choose the installation medium (an ISO file) to install from."));
      else
        check_file (problems, caps, REFRACT_SPEC_FIELD_MEDIA, "media-not-found", spec->media_path);
      break;
    case REFRACT_SOURCE_EXISTING_IMAGE:
      if (spec->disk_mode != REFRACT_DISK_EXISTING)
        add (problems, REFRACT_SPEC_FIELD_IMAGE, "image-not-chosen", "%s",
             _("Choose the disk image to boot, or install from media instead."));
      break;
    case REFRACT_SOURCE_NETWORK_BOOT:
      if (spec->network == REFRACT_NETWORK_NONE)
        add (problems, REFRACT_SPEC_FIELD_NETWORK, "network-boot-no-network", "%s",
             _("Network boot needs a network: choose NAT or a bridge."));
      break;
    case REFRACT_SOURCE_NONE:
    default:
      break;
    }
  if (!is_empty (spec->drivers_path))
    check_file (problems, caps, REFRACT_SPEC_FIELD_DRIVERS, "drivers-not-found", spec->drivers_path);
}

static void
validate_firmware (const RefractMachineSpec *spec,
                   RefractHostCaps          *caps,
                   GPtrArray                *problems)
{
  if (spec->firmware == REFRACT_FIRMWARE_UEFI)
    need (problems, caps, REFRACT_HOST_FEATURE_UEFI, REFRACT_SPEC_FIELD_FIRMWARE,
          "firmware-uefi-unavailable");
  else if (spec->firmware == REFRACT_FIRMWARE_UEFI_SECURE &&
           need (problems, caps, REFRACT_HOST_FEATURE_UEFI, REFRACT_SPEC_FIELD_FIRMWARE,
                 "firmware-uefi-unavailable"))
    need (problems, caps, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT, REFRACT_SPEC_FIELD_FIRMWARE,
          "firmware-secure-boot-unavailable");
}

/* A host CPU list that parses and names only CPUs of the host (when its
 * count is known); the problem's id is prefix-invalid or prefix-above-host. */
static gboolean
check_cpu_list (GPtrArray   *problems,
                const char  *text,
                const char  *invalid_id,
                const char  *above_host_id,
                guint        host_cpus,
                RefractCpuSet *set)
{
  int last = -1;

  if (!refract_cpu_set_parse (set, text, NULL))
    {
      add (problems, REFRACT_SPEC_FIELD_VCPUS, invalid_id,
           _("“%s” is not a list of host CPUs; write CPU numbers and ranges like 2,3 or 2-3."),
           text);
      return FALSE;
    }
  for (int cpu = refract_cpu_set_first (set); cpu >= 0; cpu = refract_cpu_set_next (set, cpu))
    last = cpu;
  if (host_cpus > 0 && last >= (int) host_cpus)
    {
      add (problems, REFRACT_SPEC_FIELD_VCPUS, above_host_id,
           g_dngettext (GETTEXT_PACKAGE,
                        "The host has %u CPU, numbered from 0 to %u, but “%s” names CPU %d; choose CPUs the host has.",
                        "The host has %u CPUs, numbered from 0 to %u, but “%s” names CPU %d; choose CPUs the host has.",
                        host_cpus),
           host_cpus, host_cpus - 1, text, last);
      return FALSE;
    }
  return TRUE;
}

/* The real-time settings: pinning one host CPU per vCPU, QEMU's threads, FIFO. */
static void
validate_dsp (const RefractMachineSpec *spec,
              guint                     host_cpus,
              GPtrArray                *problems)
{
  RefractCpuSet set;

  if (!is_empty (spec->dsp_cpus) &&
      check_cpu_list (problems, spec->dsp_cpus, "dsp-cpus-invalid", "dsp-cpus-above-host", host_cpus, &set) &&
      spec->vcpus > 0 && refract_cpu_set_count (&set) != spec->vcpus)
    add (problems, REFRACT_SPEC_FIELD_VCPUS, "dsp-cpus-count",
         g_dngettext (GETTEXT_PACKAGE,
                      "Each virtual CPU is pinned to a host CPU of its own: name %u host CPU for the "
                      "machine's %u virtual CPU (“%s” names %u).",
                      "Each virtual CPU is pinned to a host CPU of its own: name %u host CPUs for the "
                      "machine's %u virtual CPUs (“%s” names %u).",
                      spec->vcpus),
         spec->vcpus, spec->vcpus, spec->dsp_cpus, refract_cpu_set_count (&set));
  if (!is_empty (spec->dsp_emulator_cpus))
    check_cpu_list (problems, spec->dsp_emulator_cpus, "dsp-emulator-cpus-invalid",
                    "dsp-emulator-cpus-above-host", host_cpus, &set);
  if (spec->dsp_fifo_priority > 99)
    add (problems, REFRACT_SPEC_FIELD_VCPUS, "dsp-fifo-priority-invalid",
         _("Real-time priorities go from 1 to 99, not %u; choose one in that range (1 is enough for audio)."),
         spec->dsp_fifo_priority);
}

static void
validate_resources (const RefractMachineSpec *spec,
                    RefractHostCaps          *caps,
                    GPtrArray                *problems)
{
  guint host_cpus = caps ? refract_host_caps_get_host_cpus (caps) : 0;
  guint max_vcpus = caps ? refract_host_caps_get_max_vcpus (caps) : 0;
  guint64 host_mib = caps ? refract_host_caps_get_host_memory_mib (caps) : 0;

  if (spec->vcpus == 0)
    add (problems, REFRACT_SPEC_FIELD_VCPUS, "vcpus-zero", "%s",
         _("Give the machine at least one virtual CPU."));
  else if (max_vcpus > 0 && spec->vcpus > max_vcpus)
    add (problems, REFRACT_SPEC_FIELD_VCPUS, "vcpus-above-max",
         g_dngettext (GETTEXT_PACKAGE,
                      "This host's QEMU can give a machine at most %u virtual CPU; choose fewer.",
                      "This host's QEMU can give a machine at most %u virtual CPUs; choose fewer.",
                      max_vcpus), max_vcpus);
  else if (host_cpus > 0 && spec->vcpus > host_cpus)
    add (problems, REFRACT_SPEC_FIELD_VCPUS, "vcpus-above-host",
         g_dngettext (GETTEXT_PACKAGE,
                      "The host has %u CPU; give the machine %u or fewer, more only slows it down.",
                      "The host has %u CPUs; give the machine %u or fewer, more only slows it down.",
                      host_cpus), host_cpus, host_cpus);

  validate_dsp (spec, host_cpus, problems);

  if (spec->memory_mib == 0)
    add (problems, REFRACT_SPEC_FIELD_MEMORY, "memory-zero", "%s",
         _("Give the machine some memory, at least 128 MiB."));
  else if (spec->memory_mib < MIN_MEMORY_MIB)
    add (problems, REFRACT_SPEC_FIELD_MEMORY, "memory-too-small",
         _("%u MiB is too little for any installer or firmware; give it at least %d MiB."),
         (guint) spec->memory_mib, MIN_MEMORY_MIB);
  else if (host_mib > 0 && spec->memory_mib > host_mib)
    add (problems, REFRACT_SPEC_FIELD_MEMORY, "memory-above-host",
         _("The host has %u MiB of memory; give the machine less than that."),
         (guint) MIN (host_mib, G_MAXUINT));
}

static void
validate_disk (const RefractMachineSpec *spec,
               RefractHostCaps          *caps,
               const RefractSpecContext *context,
               GPtrArray                *problems)
{
  if (spec->disk_mode == REFRACT_DISK_NEW)
    {
      if (spec->disk_size == 0)
        add (problems, REFRACT_SPEC_FIELD_DISK, "disk-size-zero", "%s",
             _("Give the new disk a size, or choose no disk."));
      else if (context != NULL && context->pool_available >= 0 &&
               spec->disk_size > (guint64) context->pool_available)
        {
          g_autofree char *want = g_format_size_full (spec->disk_size, G_FORMAT_SIZE_IEC_UNITS);
          g_autofree char *have = g_format_size_full (context->pool_available, G_FORMAT_SIZE_IEC_UNITS);

          add (problems, REFRACT_SPEC_FIELD_DISK, "disk-too-large",
               _("A %s disk doesn't fit: the storage pool has %s free. Choose a smaller disk or another pool."),
               want, have);
        }
      if (is_empty (spec->pool))
        add (problems, REFRACT_SPEC_FIELD_POOL, "pool-empty", "%s",
             _("Choose the storage pool for the new disk."));
    }
  else if (spec->disk_mode == REFRACT_DISK_EXISTING)
    {
      if (is_empty (spec->image_path))
        add (problems, REFRACT_SPEC_FIELD_IMAGE, "image-missing", "%s",
             _("Choose the disk image to use."));
      else
        check_file (problems, caps, REFRACT_SPEC_FIELD_IMAGE, "image-not-found", spec->image_path);
      if (spec->import_mode != REFRACT_IMPORT_IN_PLACE && is_empty (spec->pool))
        add (problems, REFRACT_SPEC_FIELD_POOL, "pool-empty", "%s",
             _("Choose the storage pool to copy the image into."));
    }
  if (spec->disk_mode != REFRACT_DISK_NONE && spec->disk_bus == REFRACT_DISK_BUS_IDE)
    add (problems, REFRACT_SPEC_FIELD_DISK_BUS, "disk-bus-ide", "%s",
         _("Q35 machines have no IDE controller; choose SATA for guests without VirtIO drivers."));
}

static void
validate_port_forwards (const RefractMachineSpec *spec,
                        RefractHostCaps          *caps,
                        GPtrArray                *problems)
{
  GPtrArray *forwards = spec->port_forwards;

  if (forwards == NULL || forwards->len == 0 || spec->network != REFRACT_NETWORK_USER)
    return;
  need (problems, caps, REFRACT_HOST_FEATURE_PASST, REFRACT_SPEC_FIELD_PORT_FORWARDS,
        "port-forwards-need-passt");
  for (guint i = 0; i < forwards->len; i++)
    {
      RefractPortForward *a = g_ptr_array_index (forwards, i);
      const char *proto = a->protocol ? a->protocol : "tcp";

      if (a->host_port < 1 || a->host_port > 65535 || a->guest_port < 1 || a->guest_port > 65535 ||
          (!g_str_equal (proto, "tcp") && !g_str_equal (proto, "udp")))
        add (problems, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forward-invalid", "%s",
             _("Ports go from 1 to 65535 and the protocol is TCP or UDP; correct the forward."));
      for (guint j = 0; j < i; j++)
        {
          RefractPortForward *b = g_ptr_array_index (forwards, j);

          if (a->host_port == b->host_port && g_strcmp0 (proto, b->protocol ? b->protocol : "tcp") == 0)
            add (problems, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forward-duplicate",
                 _("Host port %u is forwarded twice; each host port can go to one guest port only."),
                 a->host_port);
        }
    }
}

static void
validate_network (const RefractMachineSpec *spec,
                  RefractHostCaps          *caps,
                  GPtrArray                *problems)
{
  const char * const *known;

  switch (spec->network)
    {
    case REFRACT_NETWORK_NAT:
      if (is_empty (spec->network_name))
        add (problems, REFRACT_SPEC_FIELD_NETWORK, "network-empty", "%s",
             _("Choose the libvirt network to connect to."));
      else if (caps != NULL && !g_strv_contains (known = refract_host_caps_get_networks (caps),
                                                 spec->network_name))
        {
          if (known[0] == NULL)
            need (problems, caps, REFRACT_HOST_FEATURE_NAT, REFRACT_SPEC_FIELD_NETWORK, "network-not-found");
          else
            add (problems, REFRACT_SPEC_FIELD_NETWORK, "network-not-found",
                 _("This host has no libvirt network “%s”; choose one of its networks."),
                 spec->network_name);
        }
      break;
    case REFRACT_NETWORK_BRIDGE:
      if (is_empty (spec->bridge))
        {
          if (need (problems, caps, REFRACT_HOST_FEATURE_BRIDGE, REFRACT_SPEC_FIELD_BRIDGE, "bridge-not-found"))
            add (problems, REFRACT_SPEC_FIELD_BRIDGE, "bridge-empty", "%s",
                 _("Choose the host bridge to connect to."));
        }
      else if (caps != NULL && !g_strv_contains (refract_host_caps_get_bridges (caps), spec->bridge))
        add (problems, REFRACT_SPEC_FIELD_BRIDGE, "bridge-not-found",
             _("This host has no bridge “%s”. Create it with “ip link add %s type bridge” and add "
               "the wired interface with “ip link set eth0 master %s”, or choose NAT."),
             spec->bridge, spec->bridge, spec->bridge);
      break;
    case REFRACT_NETWORK_USER:
    case REFRACT_NETWORK_NONE:
    default:
      break;
    }
  validate_port_forwards (spec, caps, problems);
}

static gboolean
is_spice (RefractDisplayKind display)
{
  return display == REFRACT_DISPLAY_SPICE_QXL || display == REFRACT_DISPLAY_SPICE_VIRTIO_GL;
}

static void
validate_display (const RefractMachineSpec *spec,
                  RefractHostCaps          *caps,
                  GPtrArray                *problems)
{
  const RefractSpecField f = REFRACT_SPEC_FIELD_DISPLAY;

  if (spec->display == REFRACT_DISPLAY_SPICE_QXL &&
      need (problems, caps, REFRACT_HOST_FEATURE_SPICE, f, "display-spice-unavailable"))
    need (problems, caps, REFRACT_HOST_FEATURE_QXL, f, "display-qxl-unavailable");
  else if (spec->display == REFRACT_DISPLAY_SPICE_VIRTIO_GL &&
           need (problems, caps, REFRACT_HOST_FEATURE_SPICE, f, "display-spice-unavailable"))
    need (problems, caps, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL, f, "display-virtio-gl-unavailable");
  else if (spec->display == REFRACT_DISPLAY_VNC)
    need (problems, caps, REFRACT_HOST_FEATURE_VNC, f, "display-vnc-unavailable");

  if (spec->display == REFRACT_DISPLAY_SERIAL || is_empty (spec->listen_address))
    return;
  if (spec->display == REFRACT_DISPLAY_SPICE_VIRTIO_GL)
    add (problems, REFRACT_SPEC_FIELD_LISTEN, "listen-with-gl", "%s",
         _("3D acceleration works only for local consoles; clear the listen address or choose SPICE with QXL."));
  else if (!g_hostname_is_ip_address (spec->listen_address))
    add (problems, REFRACT_SPEC_FIELD_LISTEN, "listen-invalid",
         _("“%s” is not an IP address; enter one of the host's addresses, e.g. 127.0.0.1."),
         spec->listen_address);
  if (is_empty (spec->password))
    add (problems, REFRACT_SPEC_FIELD_PASSWORD, "password-required", "%s",
         _("A console that listens on the network needs a password; set one, or clear the listen address."));
  else if (spec->display == REFRACT_DISPLAY_VNC && strlen (spec->password) > 8)
    add (problems, REFRACT_SPEC_FIELD_PASSWORD, "password-vnc-too-long", "%s",
         _("VNC uses only the first 8 characters of a password; shorten it to 8, or use SPICE."));
}

static void
validate_devices (const RefractMachineSpec *spec,
                  RefractHostCaps          *caps,
                  GPtrArray                *problems)
{
  if (spec->sound)
    need (problems, caps, REFRACT_HOST_FEATURE_SOUND, REFRACT_SPEC_FIELD_SOUND, "sound-unavailable");
  if (spec->tpm)
    need (problems, caps, REFRACT_HOST_FEATURE_TPM_EMULATOR, REFRACT_SPEC_FIELD_TPM, "tpm-unavailable");

  if (spec->share != REFRACT_SHARE_NONE)
    {
      if (is_empty (spec->share_path))
        add (problems, REFRACT_SPEC_FIELD_SHARE, "share-path-empty", "%s",
             _("Choose the host folder to share."));
      else if (check_paths (caps) && !g_file_test (spec->share_path, G_FILE_TEST_IS_DIR))
        add (problems, REFRACT_SPEC_FIELD_SHARE, "share-path-not-found",
             _("There is no folder “%s” on this host; choose an existing folder."), spec->share_path);
      if (is_empty (spec->share_tag))
        add (problems, REFRACT_SPEC_FIELD_SHARE, "share-tag-empty", "%s",
             _("Give the shared folder a tag; the guest mounts it by that name."));
      else if (strlen (spec->share_tag) > 31 || strpbrk (spec->share_tag, " /,'\"") != NULL)
        add (problems, REFRACT_SPEC_FIELD_SHARE, "share-tag-invalid", "%s",
             _("Use up to 31 letters, digits, - or _ for the shared folder's tag."));
      if (spec->share == REFRACT_SHARE_VIRTIOFS)
        need (problems, caps, REFRACT_HOST_FEATURE_VIRTIOFS, REFRACT_SPEC_FIELD_SHARE, "share-virtiofs-unavailable");
      else
        need (problems, caps, REFRACT_HOST_FEATURE_9P, REFRACT_SPEC_FIELD_SHARE, "share-9p-unavailable");
    }

  if (spec->usb_redir_channels > 0)
    {
      if (!is_spice (spec->display))
        add (problems, REFRACT_SPEC_FIELD_USB, "usb-needs-spice", "%s",
             _("USB redirection works over SPICE only; choose a SPICE display or no USB channels."));
      else if (spec->usb_redir_channels > MAX_USB_CHANNELS)
        add (problems, REFRACT_SPEC_FIELD_USB, "usb-too-many",
             g_dngettext (GETTEXT_PACKAGE, "Choose at most %d USB redirection channel.",
                          "Choose at most %d USB redirection channels.", MAX_USB_CHANNELS),
             MAX_USB_CHANNELS);
      else
        need (problems, caps, REFRACT_HOST_FEATURE_USB_REDIRECTION, REFRACT_SPEC_FIELD_USB, "usb-unavailable");
    }
}

GPtrArray *
refract_machine_spec_validate (const RefractMachineSpec *spec,
                               RefractHostCaps          *caps,
                               const RefractSpecContext *context)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_spec_problem_free);

  g_return_val_if_fail (spec != NULL, problems);

  validate_name (spec, context, problems);
  validate_title (spec, problems);
  validate_source (spec, caps, problems);
  validate_firmware (spec, caps, problems);
  validate_resources (spec, caps, problems);
  validate_disk (spec, caps, context, problems);
  validate_network (spec, caps, problems);
  validate_display (spec, caps, problems);
  validate_devices (spec, caps, problems);
  return problems;
}

/* Windows 11 refuses to install without TPM 2.0 and secure boot (unless the
 * user bypasses its checks); say so, with the host's reason when it lacks them. */
static void
warn_windows_11 (const RefractMachineSpec *spec,
                 RefractHostCaps          *caps,
                 GPtrArray                *warnings)
{
  if (!spec->tpm)
    {
      const char *reason = caps ? refract_host_caps_get_reason (caps, REFRACT_HOST_FEATURE_TPM_EMULATOR) : NULL;

      add (warnings, REFRACT_SPEC_FIELD_TPM, "windows-11-no-tpm",
           _("Windows 11 installs only with a TPM 2.0. %s"),
           reason ? reason : _("Turn on the TPM."));
    }
  if (spec->firmware != REFRACT_FIRMWARE_UEFI_SECURE)
    {
      const char *reason = caps ? refract_host_caps_get_reason (caps, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT) : NULL;

      add (warnings, REFRACT_SPEC_FIELD_FIRMWARE, "windows-11-no-secure-boot",
           _("Windows 11 installs only with UEFI secure boot. %s"),
           reason ? reason : _("Choose UEFI with secure boot."));
    }
}

GPtrArray *
refract_machine_spec_get_warnings (const RefractMachineSpec *spec,
                                   RefractHostCaps          *caps,
                                   const RefractSpecContext *context)
{
  GPtrArray *warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_spec_problem_free);
  gboolean has_forwards = spec->port_forwards != NULL && spec->port_forwards->len > 0;

  g_return_val_if_fail (spec != NULL, warnings);

  if (caps != NULL && !refract_host_caps_has (caps, REFRACT_HOST_FEATURE_KVM))
    add (warnings, REFRACT_SPEC_FIELD_VCPUS, "kvm-unavailable", "%s",
         refract_host_caps_get_reason (caps, REFRACT_HOST_FEATURE_KVM));
  if (has_forwards && spec->network != REFRACT_NETWORK_USER)
    add (warnings, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forwards-ignored", "%s",
         _("Port forwards apply to user-mode networking only; with this network, connect to the "
           "machine's own address instead (e.g. ssh to its NAT address on port 22)."));
  for (guint i = 0; has_forwards && spec->network == REFRACT_NETWORK_USER && i < spec->port_forwards->len; i++)
    {
      RefractPortForward *forward = g_ptr_array_index (spec->port_forwards, i);

      if (forward->host_port > 0 && forward->host_port < 1024)
        add (warnings, REFRACT_SPEC_FIELD_PORT_FORWARDS, "port-forward-privileged",
             _("Host port %u is below 1024: only privileged processes may use it, so the forward "
               "may fail; a port such as %u works everywhere."), forward->host_port, forward->host_port + 10000);
    }
  if (g_strcmp0 (spec->os_id, "http://microsoft.com/win/11") == 0)
    warn_windows_11 (spec, caps, warnings);
  if (!is_empty (spec->password) && (is_empty (spec->listen_address) || spec->display == REFRACT_DISPLAY_SERIAL))
    add (warnings, REFRACT_SPEC_FIELD_PASSWORD, "password-unused", "%s",
         _("The password is not used: without a listen address the console is reached through "
           "libvirt only, which checks who you are already."));
  return warnings;
}

/* ---- the domain definition ----
 *
 * libvirt-gconfig builds what it has API for; a libxml2 pass adds what it
 * lacks (firmware features, Hyper-V, TPM, RNG, virtiofs, listen types, port
 * forwards, memory backing, CPU pinning and FIFO, NETJACK metadata), then
 * the result is parsed back into a domain. */

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

typedef struct
{
  const RefractMachineSpec *spec;
  RefractHostCaps          *caps;
  GVirConfigDomain         *domain;
  guint                     n_sata;  /* next sdX */
} Build;

static gboolean
use_passt (const Build *b)
{
  return b->spec->network == REFRACT_NETWORK_USER &&
         b->caps != NULL && refract_host_caps_has (b->caps, REFRACT_HOST_FEATURE_PASST);
}

static GVirConfigDomainVirtType
virt_type (RefractHostCaps *caps)
{
  const char *type = caps ? refract_host_caps_get_domain_type (caps) : "kvm";

  if (g_strcmp0 (type, "qemu") == 0)
    return GVIR_CONFIG_DOMAIN_VIRT_QEMU;
  if (g_strcmp0 (type, "test") == 0)
    return GVIR_CONFIG_DOMAIN_VIRT_TEST;
  return GVIR_CONFIG_DOMAIN_VIRT_KVM;
}

static void
add_device (Build   *b,
            gpointer device)
{
  gvir_config_domain_add_device (b->domain, GVIR_CONFIG_DOMAIN_DEVICE (device));
  g_object_unref (device);
}

static void
build_os (Build *b)
{
  GVirConfigDomainOs *os = gvir_config_domain_os_new ();
  g_autoptr(GList) boot = NULL;
  const RefractMachineSpec *spec = b->spec;

  gvir_config_domain_os_set_os_type (os, GVIR_CONFIG_DOMAIN_OS_TYPE_HVM);
  gvir_config_domain_os_set_arch (os, b->caps ? refract_host_caps_get_arch (b->caps) : "x86_64");
  gvir_config_domain_os_set_machine (os, "q35");
  if (spec->firmware != REFRACT_FIRMWARE_BIOS)
    gvir_config_domain_os_set_firmware (os, GVIR_CONFIG_DOMAIN_OS_FIRMWARE_EFI);

  if (spec->source == REFRACT_SOURCE_INSTALL_MEDIA)
    boot = g_list_append (boot, GINT_TO_POINTER (GVIR_CONFIG_DOMAIN_OS_BOOT_DEVICE_CDROM));
  else if (spec->source == REFRACT_SOURCE_NETWORK_BOOT)
    boot = g_list_append (boot, GINT_TO_POINTER (GVIR_CONFIG_DOMAIN_OS_BOOT_DEVICE_NETWORK));
  if (spec->disk_mode != REFRACT_DISK_NONE)
    boot = g_list_append (boot, GINT_TO_POINTER (GVIR_CONFIG_DOMAIN_OS_BOOT_DEVICE_HD));
  if (boot != NULL)
    gvir_config_domain_os_set_boot_devices (os, boot);
  gvir_config_domain_set_os (b->domain, os);
  g_object_unref (os);
}

static void
build_clock (Build *b)
{
  GVirConfigDomainClock *clock = gvir_config_domain_clock_new ();
  GVirConfigDomainTimerRtc *rtc = gvir_config_domain_timer_rtc_new ();
  GVirConfigDomainTimerPit *pit = gvir_config_domain_timer_pit_new ();
  GVirConfigDomainTimerHpet *hpet = gvir_config_domain_timer_hpet_new ();

  /* Windows keeps its clock in local time; everything else in UTC. */
  gvir_config_domain_clock_set_offset (clock, b->spec->hyperv ? GVIR_CONFIG_DOMAIN_CLOCK_LOCALTIME
                                                              : GVIR_CONFIG_DOMAIN_CLOCK_UTC);
  gvir_config_domain_timer_set_tick_policy (GVIR_CONFIG_DOMAIN_TIMER (rtc),
                                            GVIR_CONFIG_DOMAIN_TIMER_TICK_POLICY_CATCHUP);
  gvir_config_domain_timer_set_tick_policy (GVIR_CONFIG_DOMAIN_TIMER (pit),
                                            GVIR_CONFIG_DOMAIN_TIMER_TICK_POLICY_DELAY);
  gvir_config_domain_timer_set_present (GVIR_CONFIG_DOMAIN_TIMER (hpet), FALSE);
  gvir_config_domain_clock_add_timer (clock, GVIR_CONFIG_DOMAIN_TIMER (rtc));
  gvir_config_domain_clock_add_timer (clock, GVIR_CONFIG_DOMAIN_TIMER (pit));
  gvir_config_domain_clock_add_timer (clock, GVIR_CONFIG_DOMAIN_TIMER (hpet));
  gvir_config_domain_set_clock (b->domain, clock);
  g_object_unref (clock);
  g_object_unref (rtc);
  g_object_unref (pit);
  g_object_unref (hpet);
}

static GVirConfigDomainDiskBus
disk_bus (RefractDiskBus bus)
{
  switch (bus)
    {
    case REFRACT_DISK_BUS_SATA:
      return GVIR_CONFIG_DOMAIN_DISK_BUS_SATA;
    case REFRACT_DISK_BUS_SCSI:
      return GVIR_CONFIG_DOMAIN_DISK_BUS_SCSI;
    case REFRACT_DISK_BUS_IDE:
      return GVIR_CONFIG_DOMAIN_DISK_BUS_IDE;
    case REFRACT_DISK_BUS_VIRTIO:
    default:
      return GVIR_CONFIG_DOMAIN_DISK_BUS_VIRTIO;
    }
}

static void
build_main_disk (Build *b)
{
  const RefractMachineSpec *spec = b->spec;
  GVirConfigDomainDisk *disk = gvir_config_domain_disk_new ();
  GVirConfigDomainDiskDriver *driver = gvir_config_domain_disk_driver_new ();
  gboolean qcow2 = g_str_equal (refract_machine_spec_get_disk_format (spec), "qcow2");
  g_autofree char *dev = NULL;

  if (spec->disk_bus == REFRACT_DISK_BUS_VIRTIO)
    dev = g_strdup ("vda");
  else
    dev = g_strdup_printf ("sd%c", 'a' + b->n_sata++);

  gvir_config_domain_disk_set_type (disk, GVIR_CONFIG_DOMAIN_DISK_FILE);
  gvir_config_domain_disk_set_guest_device_type (disk, GVIR_CONFIG_DOMAIN_DISK_GUEST_DEVICE_DISK);
  gvir_config_domain_disk_set_source (disk, spec->disk_path);
  /* Default cache (writeback): cache='none' needs O_DIRECT, which tmpfs and
   * some FUSE file systems refuse at start. discard keeps qcow2 files thin. */
  gvir_config_domain_disk_driver_set_name (driver, "qemu");
  gvir_config_domain_disk_driver_set_format (driver, qcow2 ? GVIR_CONFIG_DOMAIN_DISK_FORMAT_QCOW2
                                                           : GVIR_CONFIG_DOMAIN_DISK_FORMAT_RAW);
  gvir_config_domain_disk_driver_set_discard (driver, GVIR_CONFIG_DOMAIN_DISK_DRIVER_DISCARD_UNMAP);
  gvir_config_domain_disk_set_driver (disk, driver);
  g_object_unref (driver);
  gvir_config_domain_disk_set_target_bus (disk, disk_bus (spec->disk_bus));
  gvir_config_domain_disk_set_target_dev (disk, dev);
  add_device (b, disk);
}

static void
build_cdrom (Build      *b,
             const char *path)
{
  GVirConfigDomainDisk *disk = gvir_config_domain_disk_new ();
  GVirConfigDomainDiskDriver *driver = gvir_config_domain_disk_driver_new ();
  g_autofree char *dev = g_strdup_printf ("sd%c", 'a' + b->n_sata++);

  gvir_config_domain_disk_set_type (disk, GVIR_CONFIG_DOMAIN_DISK_FILE);
  gvir_config_domain_disk_set_guest_device_type (disk, GVIR_CONFIG_DOMAIN_DISK_GUEST_DEVICE_CDROM);
  gvir_config_domain_disk_set_source (disk, path);
  gvir_config_domain_disk_driver_set_name (driver, "qemu");
  gvir_config_domain_disk_driver_set_format (driver, GVIR_CONFIG_DOMAIN_DISK_FORMAT_RAW);
  gvir_config_domain_disk_set_driver (disk, driver);
  g_object_unref (driver);
  gvir_config_domain_disk_set_target_bus (disk, GVIR_CONFIG_DOMAIN_DISK_BUS_SATA);
  gvir_config_domain_disk_set_target_dev (disk, dev);
  gvir_config_domain_disk_set_readonly (disk, TRUE);
  add_device (b, disk);
}

static void
build_disks (Build *b)
{
  const RefractMachineSpec *spec = b->spec;

  /* SATA main disk first so it is sda and the discs follow it. */
  if (spec->disk_mode != REFRACT_DISK_NONE && spec->disk_path != NULL)
    build_main_disk (b);
  if (spec->source == REFRACT_SOURCE_INSTALL_MEDIA && spec->media_path != NULL)
    build_cdrom (b, spec->media_path);
  if (spec->drivers_path != NULL && *spec->drivers_path != '\0')
    build_cdrom (b, spec->drivers_path);
}

static void
build_interface (Build *b)
{
  const RefractMachineSpec *spec = b->spec;
  GVirConfigDomainInterface *iface = NULL;

  switch (spec->network)
    {
    case REFRACT_NETWORK_NAT:
      iface = GVIR_CONFIG_DOMAIN_INTERFACE (gvir_config_domain_interface_network_new ());
      gvir_config_domain_interface_network_set_source (GVIR_CONFIG_DOMAIN_INTERFACE_NETWORK (iface),
                                                       spec->network_name);
      break;
    case REFRACT_NETWORK_BRIDGE:
      iface = GVIR_CONFIG_DOMAIN_INTERFACE (gvir_config_domain_interface_bridge_new ());
      gvir_config_domain_interface_bridge_set_source (GVIR_CONFIG_DOMAIN_INTERFACE_BRIDGE (iface),
                                                      spec->bridge);
      break;
    case REFRACT_NETWORK_USER:
      iface = GVIR_CONFIG_DOMAIN_INTERFACE (gvir_config_domain_interface_user_new ());
      break;
    case REFRACT_NETWORK_NONE:
    default:
      return;
    }
  gvir_config_domain_interface_set_model (iface, spec->virtio_nic ? "virtio" : "e1000e");
  add_device (b, iface);
}

static gboolean
is_spice_display (const RefractMachineSpec *spec)
{
  return spec->display == REFRACT_DISPLAY_SPICE_QXL || spec->display == REFRACT_DISPLAY_SPICE_VIRTIO_GL;
}

static gboolean
listens (const RefractMachineSpec *spec)
{
  return spec->listen_address != NULL && *spec->listen_address != '\0' &&
         spec->display != REFRACT_DISPLAY_SPICE_VIRTIO_GL;
}

static void
build_graphics (Build *b)
{
  const RefractMachineSpec *spec = b->spec;
  GVirConfigDomainVideo *video;

  if (spec->display == REFRACT_DISPLAY_SERIAL)
    return;

  if (is_spice_display (spec))
    {
      GVirConfigDomainGraphicsSpice *spice = gvir_config_domain_graphics_spice_new ();

      gvir_config_domain_graphics_spice_set_autoport (spice, TRUE);
      if (listens (spec) && spec->password != NULL)
        gvir_config_domain_graphics_spice_set_password (spice, spec->password);
      if (spec->display == REFRACT_DISPLAY_SPICE_VIRTIO_GL)
        gvir_config_domain_graphics_spice_set_gl (spice, TRUE);
      add_device (b, spice);
    }
  else
    {
      GVirConfigDomainGraphicsVnc *vnc = gvir_config_domain_graphics_vnc_new ();

      gvir_config_domain_graphics_vnc_set_autoport (vnc, TRUE);
      if (listens (spec) && spec->password != NULL)
        gvir_config_domain_graphics_vnc_set_password (vnc, spec->password);
      add_device (b, vnc);
    }

  video = gvir_config_domain_video_new ();
  gvir_config_domain_video_set_model (video, spec->display == REFRACT_DISPLAY_SPICE_QXL
                                             ? GVIR_CONFIG_DOMAIN_VIDEO_MODEL_QXL
                                             : GVIR_CONFIG_DOMAIN_VIDEO_MODEL_VIRTIO);
  if (spec->display == REFRACT_DISPLAY_SPICE_VIRTIO_GL)
    gvir_config_domain_video_set_accel3d (video, TRUE);
  add_device (b, video);
}

static void
add_chardev_device (Build                    *b,
                    GVirConfigDomainChardev  *chardev,
                    gpointer                  source)
{
  gvir_config_domain_chardev_set_source (chardev, GVIR_CONFIG_DOMAIN_CHARDEV_SOURCE (source));
  g_object_unref (source);
  add_device (b, chardev);
}

static void
add_channel (Build      *b,
             const char *target,
             gpointer    source)
{
  GVirConfigDomainChannel *channel = gvir_config_domain_channel_new ();

  gvir_config_domain_channel_set_target_type (channel, GVIR_CONFIG_DOMAIN_CHANNEL_TARGET_VIRTIO);
  gvir_config_domain_channel_set_target_name (channel, target);
  add_chardev_device (b, GVIR_CONFIG_DOMAIN_CHARDEV (channel), source);
}

static void
build_chardevs (Build *b)
{
  const RefractMachineSpec *spec = b->spec;
  GVirConfigDomainConsole *console = gvir_config_domain_console_new ();

  /* A serial console on every machine: the only console of headless ones,
   * and a way in when a graphical guest's display is stuck. */
  add_chardev_device (b, GVIR_CONFIG_DOMAIN_CHARDEV (gvir_config_domain_serial_new ()),
                      gvir_config_domain_chardev_source_pty_new ());
  gvir_config_domain_console_set_target_type (console, GVIR_CONFIG_DOMAIN_CONSOLE_TARGET_SERIAL);
  add_chardev_device (b, GVIR_CONFIG_DOMAIN_CHARDEV (console), gvir_config_domain_chardev_source_pty_new ());

  if (spec->guest_agent)
    add_channel (b, "org.qemu.guest_agent.0", gvir_config_domain_chardev_source_unix_new ());
  if (is_spice_display (spec))
    add_channel (b, "com.redhat.spice.0", gvir_config_domain_chardev_source_spicevmc_new ());
  for (guint i = 0; is_spice_display (spec) && i < spec->usb_redir_channels; i++)
    {
      GVirConfigDomainRedirdev *redir = gvir_config_domain_redirdev_new ();

      gvir_config_domain_redirdev_set_bus (redir, GVIR_CONFIG_DOMAIN_REDIRDEV_BUS_USB);
      add_chardev_device (b, GVIR_CONFIG_DOMAIN_CHARDEV (redir),
                          gvir_config_domain_chardev_source_spicevmc_new ());
    }
}

static void
build_misc_devices (Build *b)
{
  const RefractMachineSpec *spec = b->spec;
  GVirConfigDomainMemballoon *balloon = gvir_config_domain_memballoon_new ();

  /* An explicit USB 3 controller: the tablet and the redirection channels
   * need one, and not every driver adds it by itself (the test driver of the
   * demo host refuses redirdevs without it). */
  if (spec->display != REFRACT_DISPLAY_SERIAL
      || (is_spice_display (spec) && spec->usb_redir_channels > 0))
    {
      GVirConfigDomainControllerUsb *usb = gvir_config_domain_controller_usb_new ();

      gvir_config_domain_controller_usb_set_model (usb, GVIR_CONFIG_DOMAIN_CONTROLLER_USB_MODEL_QEMU_XHCI);
      gvir_config_domain_controller_set_index (GVIR_CONFIG_DOMAIN_CONTROLLER (usb), 0);
      add_device (b, usb);
    }

  if (spec->display != REFRACT_DISPLAY_SERIAL)
    {
      GVirConfigDomainInput *tablet = gvir_config_domain_input_new ();

      gvir_config_domain_input_set_device_type (tablet, GVIR_CONFIG_DOMAIN_INPUT_DEVICE_TABLET);
      gvir_config_domain_input_set_bus (tablet, GVIR_CONFIG_DOMAIN_INPUT_BUS_USB);
      add_device (b, tablet);
    }
  if (spec->sound)
    {
      GVirConfigDomainSound *sound = gvir_config_domain_sound_new ();

      gvir_config_domain_sound_set_model (sound, GVIR_CONFIG_DOMAIN_SOUND_MODEL_ICH9);
      add_device (b, sound);
    }
  if (spec->share == REFRACT_SHARE_9P)
    {
      GVirConfigDomainFilesys *fs = gvir_config_domain_filesys_new ();

      gvir_config_domain_filesys_set_type (fs, GVIR_CONFIG_DOMAIN_FILESYS_MOUNT);
      gvir_config_domain_filesys_set_access_type (fs, GVIR_CONFIG_DOMAIN_FILESYS_ACCESS_MAPPED);
      gvir_config_domain_filesys_set_source (fs, spec->share_path);
      gvir_config_domain_filesys_set_target (fs, spec->share_tag);
      add_device (b, fs);
    }
  gvir_config_domain_memballoon_set_model (balloon, GVIR_CONFIG_DOMAIN_MEMBALLOON_MODEL_VIRTIO);
  add_device (b, balloon);
}

static void
build_metadata (Build *b)
{
  g_autofree char *xml = NULL;
  g_autofree char *escaped = NULL;

  if (b->spec->os_id == NULL || *b->spec->os_id == '\0')
    return;
  escaped = g_markup_escape_text (b->spec->os_id, -1);
  xml = g_strdup_printf ("<libosinfo><os id=\"%s\"/></libosinfo>", escaped);
  gvir_config_domain_set_custom_xml_ns_children (b->domain, xml, "libosinfo", LIBOSINFO_NS, NULL);
}

/* ---- the libxml2 pass ---- */

static xmlNodePtr
find_child (xmlNodePtr  parent,
            const char *name)
{
  for (xmlNodePtr n = parent->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && g_str_equal ((const char *) n->name, name))
      return n;
  return NULL;
}

static xmlNodePtr
ensure_child (xmlNodePtr  parent,
              const char *name)
{
  xmlNodePtr node = find_child (parent, name);

  return node ? node : xmlNewChild (parent, NULL, (const xmlChar *) name, NULL);
}

static xmlNodePtr
new_child (xmlNodePtr  parent,
           const char *name,
           ...) G_GNUC_NULL_TERMINATED;

/* A new element with attribute name/value pairs. */
static xmlNodePtr
new_child (xmlNodePtr  parent,
           const char *name,
           ...)
{
  xmlNodePtr node = xmlNewChild (parent, NULL, (const xmlChar *) name, NULL);
  const char *attr;
  va_list args;

  va_start (args, name);
  while ((attr = va_arg (args, const char *)) != NULL)
    xmlSetProp (node, (const xmlChar *) attr, (const xmlChar *) va_arg (args, const char *));
  va_end (args);
  return node;
}

static void
patch_firmware (const Build *b,
                xmlNodePtr   root)
{
  xmlNodePtr os = find_child (root, "os");
  xmlNodePtr firmware;
  gboolean secure = b->spec->firmware == REFRACT_FIRMWARE_UEFI_SECURE;

  if (os == NULL || b->spec->firmware == REFRACT_FIRMWARE_BIOS)
    return;
  /* libvirt's firmware autoselection (from QEMU's descriptors) picks OVMF; the
   * features pin which build, so plain UEFI doesn't land on a secure one. */
  firmware = xmlNewNode (NULL, (const xmlChar *) "firmware");
  xmlAddPrevSibling (find_child (os, "boot") ? find_child (os, "boot") : os->children, firmware);
  if (os->children == NULL)
    xmlAddChild (os, firmware);
  new_child (firmware, "feature", "enabled", secure ? "yes" : "no", "name", "secure-boot", NULL);
  new_child (firmware, "feature", "enabled", secure ? "yes" : "no", "name", "enrolled-keys", NULL);
}

static void
patch_features (const Build *b,
                xmlNodePtr   root)
{
  xmlNodePtr features = ensure_child (root, "features");
  static const char * const enlightenments[] = {
    "relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset", "frequencies",
  };

  if (b->spec->hyperv)
    {
      xmlNodePtr hyperv = new_child (features, "hyperv", "mode", "custom", NULL);
      const char * const *offered = b->caps ? refract_host_caps_get_hyperv_features (b->caps) : NULL;

      /* Only what KVM offers: QEMU refuses to start with the rest (e.g.
       * "kernel doesn't allow setting HyperV VP_INDEX" without CONFIG_KVM_HYPERV). */
      for (guint i = 0; i < G_N_ELEMENTS (enlightenments); i++)
        if (offered == NULL || g_strv_contains (offered, enlightenments[i]))
          {
            if (g_str_equal (enlightenments[i], "spinlocks"))
              new_child (hyperv, "spinlocks", "state", "on", "retries", "8191", NULL);
            else
              new_child (hyperv, enlightenments[i], "state", "on", NULL);
          }
      new_child (features, "vmport", "state", "off", NULL);
      /* the Hyper-V clock comes with KVM's full Hyper-V emulation */
      if (offered == NULL || g_strv_contains (offered, "runtime"))
        new_child (find_child (root, "clock"), "timer", "name", "hypervclock", "present", "yes", NULL);
    }
  /* OVMF's secure-boot build keeps its variables safe only in SMM. */
  if (b->spec->firmware == REFRACT_FIRMWARE_UEFI_SECURE)
    new_child (features, "smm", "state", "on", NULL);
}

static void
patch_cpu (const Build *b,
           xmlNodePtr   root)
{
  xmlNodePtr cpu;

  if (virt_type (b->caps) != GVIR_CONFIG_DOMAIN_VIRT_KVM)
    return;
  cpu = xmlNewNode (NULL, (const xmlChar *) "cpu");
  xmlAddNextSibling (find_child (root, "features"), cpu);
  xmlSetProp (cpu, (const xmlChar *) "mode", (const xmlChar *) "host-passthrough");
  xmlSetProp (cpu, (const xmlChar *) "check", (const xmlChar *) "none");
  xmlSetProp (cpu, (const xmlChar *) "migratable", (const xmlChar *) "on");
  /* Nested KVM (Refract inside a VM, CI) often can't set the guest's
   * IA32_ARCH_CAPABILITIES MSR and QEMU 7.2 aborts at start ("failed to set
   * MSR 0x10a"); without the feature guests just assume the worst about
   * speculative-execution bugs. */
  if (b->caps != NULL && refract_host_caps_get_is_nested (b->caps))
    new_child (cpu, "feature", "policy", "disable", "name", "arch-capabilities", NULL);
}

static void
patch_graphics (const Build *b,
                xmlNodePtr   devices)
{
  const RefractMachineSpec *spec = b->spec;

  for (xmlNodePtr n = devices->children; n != NULL; n = n->next)
    {
      if (n->type != XML_ELEMENT_NODE || !g_str_equal ((const char *) n->name, "graphics"))
        continue;
      if (listens (spec))
        {
          xmlSetProp (n, (const xmlChar *) "listen", (const xmlChar *) spec->listen_address);
          new_child (n, "listen", "type", "address", "address", spec->listen_address, NULL);
        }
      else
        {
          /* No TCP port: the console is reached through libvirt's graphics FD. */
          xmlNodePtr listen = xmlNewNode (NULL, (const xmlChar *) "listen");

          xmlSetProp (listen, (const xmlChar *) "type", (const xmlChar *) "none");
          xmlUnsetProp (n, (const xmlChar *) "autoport");
          if (n->children != NULL)
            xmlAddPrevSibling (n->children, listen);
          else
            xmlAddChild (n, listen);
        }
    }
}

static void
patch_interface (const Build *b,
                 xmlNodePtr   devices)
{
  xmlNodePtr iface = find_child (devices, "interface");
  GPtrArray *forwards = b->spec->port_forwards;

  /* Only passt forwards ports; libvirt would silently drop them from slirp,
   * so without it none are written and validation says why. */
  if (iface == NULL || !use_passt (b))
    return;
  new_child (iface, "backend", "type", "passt", NULL);
  for (guint i = 0; forwards != NULL && i < forwards->len; i++)
    {
      RefractPortForward *forward = g_ptr_array_index (forwards, i);
      char host[16], guest[16];
      xmlNodePtr node;

      g_snprintf (host, sizeof host, "%u", forward->host_port);
      g_snprintf (guest, sizeof guest, "%u", forward->guest_port);
      node = new_child (iface, "portForward", "proto", forward->protocol ? forward->protocol : "tcp", NULL);
      new_child (node, "range", "start", host, "to", guest, NULL);
    }
}

static void
patch_devices (const Build *b,
               xmlNodePtr   root)
{
  const RefractMachineSpec *spec = b->spec;
  xmlNodePtr devices = ensure_child (root, "devices");
  xmlNodePtr balloon = find_child (devices, "memballoon");
  xmlNodePtr node = NULL, anchor;

  patch_graphics (b, devices);
  patch_interface (b, devices);

  /* New devices go before the balloon, which libvirt lists last. */
  anchor = xmlNewNode (NULL, (const xmlChar *) "anchor");
  if (balloon != NULL)
    xmlAddPrevSibling (balloon, anchor);
  else
    xmlAddChild (devices, anchor);

  if (spec->share == REFRACT_SHARE_VIRTIOFS)
    {
      node = new_child (devices, "filesystem", "type", "mount", "accessmode", "passthrough", NULL);
      new_child (node, "driver", "type", "virtiofs", NULL);
      new_child (node, "source", "dir", spec->share_path, NULL);
      new_child (node, "target", "dir", spec->share_tag, NULL);
      xmlAddPrevSibling (anchor, node);
    }
  if (spec->tpm)
    {
      node = new_child (devices, "tpm", "model", "tpm-crb", NULL);
      new_child (node, "backend", "type", "emulator", "version", "2.0", NULL);
      xmlAddPrevSibling (anchor, node);
    }
  node = new_child (devices, "rng", "model", "virtio", NULL);
  xmlNodeSetContent (new_child (node, "backend", "model", "random", NULL), (const xmlChar *) "/dev/urandom");
  xmlAddPrevSibling (anchor, node);

  xmlUnlinkNode (anchor);
  xmlFreeNode (anchor);
}

static void
patch_memory_backing (const Build *b,
                      xmlNodePtr   root)
{
  xmlNodePtr backing;

  /* virtiofsd maps guest memory, so it must be shared. */
  if (b->spec->share != REFRACT_SHARE_VIRTIOFS)
    return;
  backing = xmlNewNode (NULL, (const xmlChar *) "memoryBacking");
  xmlAddNextSibling (find_child (root, "currentMemory") ? find_child (root, "currentMemory")
                                                        : find_child (root, "memory"), backing);
  new_child (backing, "source", "type", "memfd", NULL);
  new_child (backing, "access", "mode", "shared", NULL);
}

/* <cputune>: one host CPU per vCPU (in ascending order), QEMU's threads,
 * and SCHED_FIFO for every vCPU. */
static gboolean
patch_cputune (const Build  *b,
               xmlNodePtr    root,
               GError      **error)
{
  const RefractMachineSpec *spec = b->spec;
  gboolean pin = !is_empty (spec->dsp_cpus);
  gboolean emulator = !is_empty (spec->dsp_emulator_cpus);
  guint vcpus = MAX (spec->vcpus, 1);
  RefractCpuSet cpus, emulator_cpus;
  xmlNodePtr cputune;
  int cpu = -1;

  if (!pin && !emulator && spec->dsp_fifo_priority == 0)
    return TRUE;
  if ((pin && (!refract_cpu_set_parse (&cpus, spec->dsp_cpus, NULL) ||
               refract_cpu_set_count (&cpus) != vcpus)) ||
      (emulator && !refract_cpu_set_parse (&emulator_cpus, spec->dsp_emulator_cpus, NULL)))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED, "%s",
                   _("The host CPUs to pin the machine to are not valid; correct them."));
      return FALSE;
    }
  cputune = xmlNewNode (NULL, (const xmlChar *) "cputune");
  xmlAddNextSibling (find_child (root, "vcpu"), cputune);
  for (guint i = 0; pin && i < vcpus; i++)
    {
      char vcpu[16], cpuset[16];

      cpu = refract_cpu_set_next (&cpus, cpu);
      g_snprintf (vcpu, sizeof vcpu, "%u", i);
      g_snprintf (cpuset, sizeof cpuset, "%d", cpu);
      new_child (cputune, "vcpupin", "vcpu", vcpu, "cpuset", cpuset, NULL);
    }
  if (emulator)
    {
      g_autofree char *cpuset = refract_cpu_set_format (&emulator_cpus);

      new_child (cputune, "emulatorpin", "cpuset", cpuset, NULL);
    }
  if (spec->dsp_fifo_priority > 0)
    {
      g_autofree char *which = vcpus > 1 ? g_strdup_printf ("0-%u", vcpus - 1) : g_strdup ("0");
      char priority[16];

      g_snprintf (priority, sizeof priority, "%u", spec->dsp_fifo_priority);
      new_child (cputune, "vcpusched", "vcpus", which, "scheduler", "fifo", "priority", priority, NULL);
    }
  return TRUE;
}

/* The NETJACK defaults, enabled, as <refract:netjack> in <metadata>, where
 * RefractNetjackConfig and the NETJACK page read them. */
static gboolean
patch_netjack (const Build  *b,
               xmlNodePtr    root,
               GError      **error)
{
  g_autoptr(RefractNetjackConfig) config = NULL;
  g_autofree char *text = NULL;
  xmlDocPtr doc;
  xmlNodePtr metadata, node;

  if (!b->spec->netjack)
    return TRUE;
  config = refract_netjack_config_new ();
  config->enabled = TRUE;
  /* the follower's name on the host: the machine's, so two machines differ */
  refract_machine_spec_set_string (&config->client_name, b->spec->name);
  text = refract_netjack_config_to_xml (config);
  doc = xmlReadMemory (text, strlen (text), "netjack.xml", NULL, XML_PARSE_NONET);
  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      if (doc != NULL)
        xmlFreeDoc (doc);
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED, "%s",
                   _("Could not build the machine's definition."));
      return FALSE;
    }
  metadata = find_child (root, "metadata");
  if (metadata == NULL)
    {
      xmlNodePtr after = find_child (root, "title") ? find_child (root, "title")
                       : find_child (root, "uuid") ? find_child (root, "uuid")
                       : find_child (root, "name");

      metadata = xmlNewNode (NULL, (const xmlChar *) "metadata");
      if (after != NULL)
        xmlAddNextSibling (after, metadata);
      else
        xmlAddChild (root, metadata);
    }
  node = xmlDocCopyNode (xmlDocGetRootElement (doc), root->doc, 1);
  xmlAddChild (metadata, node);
  xmlFreeDoc (doc);
  return TRUE;
}

static void
reindent (xmlNodePtr node)
{
  for (xmlNodePtr n = node->children; n != NULL; )
    {
      xmlNodePtr next = n->next;

      if (n->type == XML_TEXT_NODE && xmlIsBlankNode (n))
        {
          xmlUnlinkNode (n);
          xmlFreeNode (n);
        }
      else if (n->type == XML_ELEMENT_NODE)
        reindent (n);
      n = next;
    }
}

static GVirConfigDomain *
patch (const Build  *b,
       GError      **error)
{
  g_autofree char *text = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (b->domain));
  xmlDocPtr doc = xmlReadMemory (text, strlen (text), "domain.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  xmlNodePtr root;
  xmlChar *out = NULL;
  int len = 0;
  GVirConfigDomain *domain;

  if (doc == NULL)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED, "%s",
                   _("Could not build the machine's definition."));
      return NULL;
    }
  root = xmlDocGetRootElement (doc);
  if (!patch_cputune (b, root, error) || !patch_netjack (b, root, error))
    {
      xmlFreeDoc (doc);
      return NULL;
    }
  patch_firmware (b, root);
  patch_features (b, root);
  patch_cpu (b, root);
  patch_memory_backing (b, root);
  patch_devices (b, root);
  reindent (root);

  xmlDocDumpFormatMemory (doc, &out, &len, 1);
  xmlFreeDoc (doc);
  domain = gvir_config_domain_new_from_xml ((const char *) out, error);
  xmlFree (out);
  return domain;
}

GVirConfigDomain *
refract_machine_spec_to_config (const RefractMachineSpec  *spec,
                                RefractHostCaps           *caps,
                                GError                   **error)
{
  GVirConfigDomain *domain;
  GVirConfigDomain *result;
  const char *features[] = { "acpi", "apic", NULL };
  Build b = { spec, caps, NULL, 0 };

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (caps == NULL || REFRACT_IS_HOST_CAPS (caps), NULL);

  if (spec->name == NULL || *spec->name == '\0')
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED, "%s",
                   _("Give the machine a name."));
      return NULL;
    }
  b.domain = domain = gvir_config_domain_new ();
  gvir_config_domain_set_virt_type (domain, virt_type (caps));
  gvir_config_domain_set_name (domain, spec->name);
  if (spec->uuid != NULL)
    gvir_config_domain_set_uuid (domain, spec->uuid);
  if (spec->title != NULL && *spec->title != '\0')
    gvir_config_domain_set_title (domain, spec->title);
  build_metadata (&b);
  gvir_config_domain_set_memory (domain, spec->memory_mib * 1024);
  gvir_config_domain_set_current_memory (domain, spec->memory_mib * 1024);
  gvir_config_domain_set_vcpus (domain, MAX (spec->vcpus, 1));
  build_os (&b);
  gvir_config_domain_set_features (domain, (const GStrv) features);
  build_clock (&b);

  build_disks (&b);
  build_interface (&b);
  build_graphics (&b);
  build_chardevs (&b);
  build_misc_devices (&b);
  result = patch (&b, error);
  g_object_unref (domain);
  return result;
}

char *
refract_machine_spec_to_xml (const RefractMachineSpec  *spec,
                             RefractHostCaps           *caps,
                             GError                   **error)
{
  GVirConfigDomain *domain = refract_machine_spec_to_config (spec, caps, error);
  char *xml;

  if (domain == NULL)
    return NULL;
  xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));
  g_object_unref (domain);
  return xml;
}
