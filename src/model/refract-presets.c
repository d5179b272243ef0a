/* refract-presets.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-presets.h"

#define GiB (G_GUINT64_CONSTANT (1) << 30)
#define MiB (G_GUINT64_CONSTANT (1) << 20)

/* libosinfo has no Kali or OpenWrt entry; the generic recent Linux stands in
 * so the machine still shows a penguin and gets virtio defaults. */
#define OS_GENERIC_LINUX "http://libosinfo.org/linux/2022"

typedef void (*PresetFill) (RefractMachineSpec *spec,
                            RefractHostCaps    *caps);

static void fill_dsp           (RefractMachineSpec *spec, RefractHostCaps *caps);
static void fill_coding        (RefractMachineSpec *spec, RefractHostCaps *caps);
static void fill_kali          (RefractMachineSpec *spec, RefractHostCaps *caps);
static void fill_openwrt       (RefractMachineSpec *spec, RefractHostCaps *caps);
static void fill_windows       (RefractMachineSpec *spec, RefractHostCaps *caps);
static void fill_generic_linux (RefractMachineSpec *spec, RefractHostCaps *caps);

static const struct
{
  RefractPreset preset;
  PresetFill    fill;
} presets[] = {
  { { "dsp-coprocessor", N_("DSP Coprocessor"),
      N_("Real-time audio appliance with NETJACK, headless with a serial console"),
      "audio-x-generic-symbolic", TRUE }, fill_dsp },
  { { "coding-sandbox", N_("Coding Sandbox"),
      N_("Headless Arch Linux for coding agents, SSH on host port 2222"),
      "utilities-terminal-symbolic", TRUE }, fill_coding },
  { { "kali", N_("Kali Linux"),
      N_("Security and penetration testing desktop over SPICE"),
      "security-high-symbolic", TRUE }, fill_kali },
  { { "openwrt", N_("OpenWRT Router"),
      N_("Lightweight router on a host bridge, from an OpenWrt disk image"),
      "network-wired-symbolic", TRUE }, fill_openwrt },
  { { "windows-11", N_("Windows 11"),
      N_("UEFI with secure boot, TPM 2.0 and VirtIO drivers"),
      "computer-symbolic", TRUE }, fill_windows },
  { { "generic-linux", N_("Generic Linux"),
      N_("Any Linux installer ISO with good defaults"),
      "media-optical-symbolic", TRUE }, fill_generic_linux },
};

static RefractPreset translated[G_N_ELEMENTS (presets)];

const RefractPreset *
refract_presets_get_all (guint *n_presets)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
        {
          translated[i] = presets[i].preset;
          translated[i].name = _(presets[i].preset.name);
          translated[i].description = _(presets[i].preset.description);
        }
      g_once_init_leave (&done, 1);
    }
  if (n_presets != NULL)
    *n_presets = G_N_ELEMENTS (presets);
  return translated;
}

const RefractPreset *
refract_preset_lookup (const char *id)
{
  const RefractPreset *all = refract_presets_get_all (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (all[i].id, id) == 0)
      return &all[i];
  return NULL;
}

/* ---- helpers ---- */

static gboolean
has (RefractHostCaps    *caps,
     RefractHostFeature  feature)
{
  return caps == NULL || refract_host_caps_has (caps, feature);
}

static guint
bounded_vcpus (RefractHostCaps *caps,
               guint            wanted)
{
  guint host = caps ? refract_host_caps_get_host_cpus (caps) : 0;

  return host > 0 ? CLAMP (wanted, 1, host) : wanted;
}

static guint64
bounded_memory (RefractHostCaps *caps,
                guint64          wanted_mib)
{
  guint64 host = caps ? refract_host_caps_get_host_memory_mib (caps) : 0;

  return host > 0 ? MAX (MIN (wanted_mib, host), 128) : wanted_mib;
}

/* SPICE + QXL when the host can, else VNC, else a serial console. */
static RefractDisplayKind
best_display (RefractHostCaps *caps)
{
  if (has (caps, REFRACT_HOST_FEATURE_SPICE) && has (caps, REFRACT_HOST_FEATURE_QXL))
    return REFRACT_DISPLAY_SPICE_QXL;
  if (has (caps, REFRACT_HOST_FEATURE_VNC))
    return REFRACT_DISPLAY_VNC;
  return REFRACT_DISPLAY_SERIAL;
}

static void
set_display (RefractMachineSpec *spec,
             RefractHostCaps    *caps,
             RefractDisplayKind  display)
{
  spec->display = display;
  spec->usb_redir_channels = 0;
  if ((display == REFRACT_DISPLAY_SPICE_QXL || display == REFRACT_DISPLAY_SPICE_VIRTIO_GL) &&
      has (caps, REFRACT_HOST_FEATURE_USB_REDIRECTION))
    spec->usb_redir_channels = 2;
}

/* "default" when the host has it (or nothing is known), else its first network. */
static const char *
nat_network (RefractHostCaps *caps)
{
  const char * const *networks = caps ? refract_host_caps_get_networks (caps) : NULL;

  if (networks == NULL || networks[0] == NULL || g_strv_contains (networks, "default"))
    return "default";
  return networks[0];
}

static void
clear_spec (RefractMachineSpec *spec)
{
  RefractMachineSpec *fresh = refract_machine_spec_new ();
  RefractMachineSpec old = *spec;

  *spec = *fresh;
  g_free (fresh);
  /* free what the caller's spec held, through a heap copy of its fields */
  refract_machine_spec_free (g_memdup2 (&old, sizeof old));
}

void
refract_machine_spec_set_defaults (RefractMachineSpec *spec,
                                   RefractHostCaps    *caps)
{
  g_return_if_fail (spec != NULL);

  clear_spec (spec);
  spec->source = REFRACT_SOURCE_INSTALL_MEDIA;
  spec->firmware = REFRACT_FIRMWARE_BIOS;
  spec->vcpus = bounded_vcpus (caps, 2);
  spec->memory_mib = bounded_memory (caps, 2048);
  spec->disk_mode = REFRACT_DISK_NEW;
  spec->disk_size = 20 * GiB;
  spec->disk_bus = REFRACT_DISK_BUS_VIRTIO;
  spec->network = REFRACT_NETWORK_NAT;
  refract_machine_spec_set_string (&spec->network_name, nat_network (caps));
  spec->virtio_nic = TRUE;
  set_display (spec, caps, best_display (caps));
  spec->guest_agent = TRUE;
  spec->sound = FALSE;
}

static void
start (RefractMachineSpec *spec,
       RefractHostCaps    *caps,
       const char         *id,
       const char         *name,
       const char         *title,
       const char         *os_id)
{
  refract_machine_spec_set_defaults (spec, caps);
  refract_machine_spec_set_string (&spec->preset_id, id);
  refract_machine_spec_set_string (&spec->name, name);
  refract_machine_spec_set_string (&spec->title, title);
  refract_machine_spec_set_string (&spec->os_id, os_id);
}

/* ---- the presets ---- */

/* An audio appliance: sound goes over NETJACK on the NAT network, not through
 * an emulated card, and nobody looks at a desktop. A serial console is what
 * the seed's dsp-console attaches to, and no display device means no display
 * interrupts competing with the real-time vCPUs.
 *
 * The two vCPUs are pinned to the host's two highest-numbered CPUs, QEMU's own
 * threads to CPU 0 (the housekeeping CPU, where the kernel and interrupts
 * stay), and the vCPUs run SCHED_FIFO at priority 1. On a host of fewer than 3
 * CPUs (or one whose count is unknown) nothing is pinned and the scheduler
 * stays normal: on a 2-CPU host the real-time vCPUs would take CPU 0 and
 * starve the host. No hugepages: they need pages reserved on the host first;
 * the DSP page's checks offer that fix on the defined machine, and say when
 * the pinned CPUs are not isolated (with the kernel line to add). */
static void
fill_dsp (RefractMachineSpec *spec,
          RefractHostCaps    *caps)
{
  guint host_cpus = caps ? refract_host_caps_get_host_cpus (caps) : 0;

  start (spec, caps, "dsp-coprocessor", "dsp-coprocessor", _("DSP Coprocessor"), "http://nixos.org/nixos/unknown");
  spec->vcpus = bounded_vcpus (caps, 2);
  spec->memory_mib = bounded_memory (caps, 4096);
  spec->disk_size = 20 * GiB;
  set_display (spec, caps, REFRACT_DISPLAY_SERIAL);
  if (host_cpus >= 3 && spec->vcpus == 2)
    {
      g_autofree char *cpus = g_strdup_printf ("%u,%u", host_cpus - 2, host_cpus - 1);

      refract_machine_spec_set_string (&spec->dsp_cpus, cpus);
      refract_machine_spec_set_string (&spec->dsp_emulator_cpus, "0");
      spec->dsp_fifo_priority = 1;
    }
  spec->netjack = TRUE;
}

/* The seed forwards host 2222 to guest 22 with user-mode networking. Only
 * passt can forward ports through libvirt (9.0 drops <portForward> on slirp
 * without a word), so on hosts without passt the sandbox gets NAT and keeps
 * the forward in the spec: refract_machine_spec_get_warnings() says it is
 * ignored and how to reach SSH instead, and switching to user-mode networking
 * shows the host's reason as a problem. */
static void
fill_coding (RefractMachineSpec *spec,
             RefractHostCaps    *caps)
{
  RefractPortForward *ssh = refract_port_forward_parse ("2222:22", NULL);

  start (spec, caps, "coding-sandbox", "coding-sandbox", _("Coding Sandbox"), "http://archlinux.org/archlinux/rolling");
  spec->vcpus = 1;
  spec->memory_mib = bounded_memory (caps, 3072);
  spec->disk_size = 64 * GiB;
  set_display (spec, caps, REFRACT_DISPLAY_SERIAL);
  g_ptr_array_add (spec->port_forwards, ssh);
  if (caps == NULL || refract_host_caps_has (caps, REFRACT_HOST_FEATURE_PASST))
    spec->network = REFRACT_NETWORK_USER;
}

static void
fill_kali (RefractMachineSpec *spec,
           RefractHostCaps    *caps)
{
  start (spec, caps, "kali", "kali-linux", _("Kali Linux"), OS_GENERIC_LINUX);
  spec->vcpus = 1;
  spec->memory_mib = bounded_memory (caps, 4096);
  spec->disk_size = 80 * GiB;
  spec->sound = has (caps, REFRACT_HOST_FEATURE_SOUND);
}

/* OpenWrt ships disk images, not installers: the seed converts the combined
 * ext4 image to qcow2, which is what REFRACT_IMPORT_CONVERT does. Headless:
 * OpenWrt's x86 console is on ttyS0. */
static void
fill_openwrt (RefractMachineSpec *spec,
              RefractHostCaps    *caps)
{
  const char * const *bridges = caps ? refract_host_caps_get_bridges (caps) : NULL;

  start (spec, caps, "openwrt", "openwrt-router", _("OpenWRT Router"), OS_GENERIC_LINUX);
  spec->source = REFRACT_SOURCE_EXISTING_IMAGE;
  spec->disk_mode = REFRACT_DISK_EXISTING;
  spec->import_mode = REFRACT_IMPORT_CONVERT;
  spec->disk_size = 512 * MiB;
  spec->vcpus = 1;
  spec->memory_mib = 512;
  spec->guest_agent = FALSE;
  set_display (spec, caps, REFRACT_DISPLAY_SERIAL);
  spec->network = REFRACT_NETWORK_BRIDGE;
  /* br0 as in the seed; else the host's first bridge. With none, validation
   * says how to create br0. */
  if (bridges != NULL && bridges[0] != NULL && !g_strv_contains (bridges, "br0"))
    refract_machine_spec_set_string (&spec->bridge, bridges[0]);
  else
    refract_machine_spec_set_string (&spec->bridge, "br0");
}

/* Windows has no VirtIO drivers of its own: with the virtio-win disc attached
 * the installer can load them (the seed's performance tip); without it, SATA
 * and e1000e, which Windows drives out of the box. */
static void
fill_windows (RefractMachineSpec *spec,
              RefractHostCaps    *caps)
{
  const char *drivers = caps ? refract_host_caps_get_virtio_win_iso (caps) : NULL;

  start (spec, caps, "windows-11", "windows-11", _("Windows 11"), "http://microsoft.com/win/11");
  spec->vcpus = bounded_vcpus (caps, 4);
  spec->memory_mib = bounded_memory (caps, 4096);
  spec->disk_size = 64 * GiB;
  if (has (caps, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT))
    spec->firmware = REFRACT_FIRMWARE_UEFI_SECURE;
  else if (has (caps, REFRACT_HOST_FEATURE_UEFI))
    spec->firmware = REFRACT_FIRMWARE_UEFI;
  spec->tpm = has (caps, REFRACT_HOST_FEATURE_TPM_EMULATOR);
  spec->hyperv = TRUE;
  spec->sound = has (caps, REFRACT_HOST_FEATURE_SOUND);
  if (drivers != NULL)
    refract_machine_spec_set_string (&spec->drivers_path, drivers);
  else
    {
      spec->disk_bus = REFRACT_DISK_BUS_SATA;
      spec->virtio_nic = FALSE;
    }
}

static void
fill_generic_linux (RefractMachineSpec *spec,
                    RefractHostCaps    *caps)
{
  start (spec, caps, "generic-linux", "linux", _("Linux"), OS_GENERIC_LINUX);
}

gboolean
refract_preset_apply (const char         *id,
                      RefractMachineSpec *spec,
                      RefractHostCaps    *caps)
{
  g_return_val_if_fail (spec != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strcmp0 (presets[i].preset.id, id) == 0)
      {
        presets[i].fill (spec, caps);
        return TRUE;
      }
  return FALSE;
}
