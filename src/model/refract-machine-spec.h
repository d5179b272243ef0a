/* refract-machine-spec.h: everything the new-machine wizard collects
 *
 * A plain, copyable description of a machine that does not exist yet. The
 * wizard fills it (presets are functions that fill it), validates it against
 * what the host can do, and turns it into a libvirt domain definition.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <libvirt-gconfig/libvirt-gconfig.h>

#include "refract-host-caps.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_SOURCE_INSTALL_MEDIA,   /* boot an ISO once, install onto a new disk */
  REFRACT_SOURCE_EXISTING_IMAGE,  /* boot an existing disk image */
  REFRACT_SOURCE_NETWORK_BOOT,    /* PXE */
  REFRACT_SOURCE_NONE,            /* empty machine (disk-less is allowed) */
} RefractSourceKind;

typedef enum
{
  REFRACT_FIRMWARE_BIOS,
  REFRACT_FIRMWARE_UEFI,
  REFRACT_FIRMWARE_UEFI_SECURE,
} RefractFirmware;

typedef enum
{
  REFRACT_DISK_NEW,       /* a new qcow2 volume of disk_size in pool */
  REFRACT_DISK_EXISTING,  /* image_path, see import_mode */
  REFRACT_DISK_NONE,
} RefractDiskMode;

typedef enum
{
  REFRACT_IMPORT_IN_PLACE,  /* use image_path where it is */
  REFRACT_IMPORT_COPY,      /* copy it into pool, same format */
  REFRACT_IMPORT_CONVERT,   /* copy it into pool as qcow2 (raw → qcow2) */
} RefractImportMode;

typedef enum
{
  REFRACT_DISK_BUS_VIRTIO,
  REFRACT_DISK_BUS_SATA,
  REFRACT_DISK_BUS_SCSI,
  REFRACT_DISK_BUS_IDE,
} RefractDiskBus;

typedef enum
{
  REFRACT_NETWORK_NAT,     /* <interface type='network'> on network_name */
  REFRACT_NETWORK_BRIDGE,  /* <interface type='bridge'> on bridge */
  REFRACT_NETWORK_USER,    /* user-mode (passt when the host has it), port_forwards */
  REFRACT_NETWORK_NONE,
} RefractNetworkKind;

typedef enum
{
  REFRACT_DISPLAY_SPICE_QXL,
  REFRACT_DISPLAY_SPICE_VIRTIO_GL,
  REFRACT_DISPLAY_VNC,
  REFRACT_DISPLAY_SERIAL,  /* headless, serial console only */
} RefractDisplayKind;

typedef enum
{
  REFRACT_SHARE_NONE,
  REFRACT_SHARE_VIRTIOFS,
  REFRACT_SHARE_9P,
} RefractShareKind;

typedef struct
{
  guint  host_port;   /* 1..65535 */
  guint  guest_port;  /* 1..65535 */
  char  *protocol;    /* "tcp" or "udp" */
} RefractPortForward;

typedef struct
{
  char               *preset_id;     /* which preset filled it, or NULL */
  char               *name;          /* libvirt name */
  char               *title;         /* may be NULL */
  char               *os_id;         /* libosinfo id, e.g. http://debian.org/debian/12; may be NULL */

  RefractSourceKind   source;
  char               *media_path;    /* ISO for REFRACT_SOURCE_INSTALL_MEDIA */
  char               *drivers_path;  /* extra CD-ROM (virtio-win), may be NULL */

  RefractFirmware     firmware;
  guint               vcpus;
  guint64             memory_mib;

  RefractDiskMode     disk_mode;
  guint64             disk_size;     /* bytes, for REFRACT_DISK_NEW */
  char               *pool;          /* storage pool name, "default" */
  char               *image_path;    /* for REFRACT_DISK_EXISTING */
  RefractImportMode   import_mode;
  RefractDiskBus      disk_bus;
  char               *disk_path;     /* resolved path of the main disk; filled by the creator */

  RefractNetworkKind  network;
  char               *network_name;  /* libvirt network for NAT, "default" */
  char               *bridge;        /* host bridge for REFRACT_NETWORK_BRIDGE */
  GPtrArray          *port_forwards; /* RefractPortForward*, user-mode networking */
  gboolean            virtio_nic;    /* FALSE: e1000e */

  RefractDisplayKind  display;
  char               *listen_address; /* NULL: no TCP port, console through libvirt's FD */
  char               *password;       /* SPICE/VNC ticket, required with listen_address */

  gboolean            sound;
  gboolean            tpm;            /* TPM 2.0, emulated by swtpm */
  gboolean            hyperv;         /* Hyper-V enlightenments (Windows guests) */
  RefractShareKind    share;
  char               *share_path;     /* host directory */
  char               *share_tag;      /* mount tag in the guest */
  guint               usb_redir_channels;
  gboolean            guest_agent;
  gboolean            autostart;
  char               *uuid;           /* NULL: libvirt makes one */

  /* Real-time (DSP coprocessor) settings; the DSP and NETJACK pages edit them
   * further on the defined machine. */
  char               *dsp_cpus;          /* host CPUs the vCPUs are pinned to one-to-one, in
                                          * ascending order, kernel list syntax ("2,3");
                                          * NULL: no pinning */
  char               *dsp_emulator_cpus; /* host CPUs of QEMU's own threads; NULL: not pinned */
  guint               dsp_fifo_priority; /* 0: normal scheduling, else SCHED_FIFO priority
                                          * (1-99) for every vCPU */
  gboolean            netjack;           /* write NETJACK settings (the defaults, enabled)
                                          * into the machine's metadata */
} RefractMachineSpec;

/* Which part of the spec a problem belongs to, so the wizard can put the
 * message next to the right control. */
typedef enum
{
  REFRACT_SPEC_FIELD_NAME,
  REFRACT_SPEC_FIELD_TITLE,
  REFRACT_SPEC_FIELD_OS,
  REFRACT_SPEC_FIELD_SOURCE,
  REFRACT_SPEC_FIELD_MEDIA,
  REFRACT_SPEC_FIELD_DRIVERS,
  REFRACT_SPEC_FIELD_FIRMWARE,
  REFRACT_SPEC_FIELD_VCPUS,
  REFRACT_SPEC_FIELD_MEMORY,
  REFRACT_SPEC_FIELD_DISK,
  REFRACT_SPEC_FIELD_POOL,
  REFRACT_SPEC_FIELD_IMAGE,
  REFRACT_SPEC_FIELD_DISK_BUS,
  REFRACT_SPEC_FIELD_NETWORK,
  REFRACT_SPEC_FIELD_BRIDGE,
  REFRACT_SPEC_FIELD_PORT_FORWARDS,
  REFRACT_SPEC_FIELD_DISPLAY,
  REFRACT_SPEC_FIELD_LISTEN,
  REFRACT_SPEC_FIELD_PASSWORD,
  REFRACT_SPEC_FIELD_SOUND,
  REFRACT_SPEC_FIELD_TPM,
  REFRACT_SPEC_FIELD_SHARE,
  REFRACT_SPEC_FIELD_USB,
  REFRACT_SPEC_FIELD_AUTOSTART,
} RefractSpecField;

typedef struct
{
  RefractSpecField  field;
  char             *id;       /* stable, e.g. "name-empty", "memory-above-host" */
  char             *message;  /* translated, says what to do */
} RefractSpecProblem;

/* What validation checks a spec against besides the host's capabilities. */
typedef struct
{
  const char * const *existing_names; /* machines already on the connection; may be NULL */
  gint64              pool_available; /* bytes free in spec->pool, -1 unknown */
} RefractSpecContext;

#define REFRACT_TYPE_MACHINE_SPEC (refract_machine_spec_get_type ())

GType               refract_machine_spec_get_type        (void) G_GNUC_CONST;
RefractMachineSpec *refract_machine_spec_new             (void);
RefractMachineSpec *refract_machine_spec_copy            (const RefractMachineSpec *spec);
void                refract_machine_spec_free            (RefractMachineSpec       *spec);

void                refract_machine_spec_set_string      (char                    **field,
                                                          const char               *value);

/* "2222:22", "2222:22/udp"; NULL and a translated error when malformed. */
RefractPortForward *refract_port_forward_parse           (const char               *text,
                                                          GError                  **error);
char               *refract_port_forward_to_string       (const RefractPortForward *forward);
void                refract_port_forward_free            (RefractPortForward       *forward);

/* Every problem, in field order; an empty array when the spec is good.
 * caps and context may be NULL (checks that need them are skipped). */
GPtrArray          *refract_machine_spec_validate        (const RefractMachineSpec *spec,
                                                          RefractHostCaps          *caps,
                                                          const RefractSpecContext *context);
void                refract_spec_problem_free            (RefractSpecProblem       *problem);
/* What is worth saying but does not stop creation (no KVM, forwards that
 * NAT ignores, a password nobody will be asked for, host ports below 1024).
 * Same form as validate(); never part of its result. */
GPtrArray          *refract_machine_spec_get_warnings    (const RefractMachineSpec *spec,
                                                          RefractHostCaps          *caps,
                                                          const RefractSpecContext *context);
/* The first problem for field, or NULL. */
RefractSpecProblem *refract_spec_problems_find           (GPtrArray                *problems,
                                                          RefractSpecField          field);
/* "qcow2" or "raw": what the main disk at spec->disk_path holds. */
const char         *refract_machine_spec_get_disk_format (const RefractMachineSpec *spec);

/* The domain definition. spec->disk_path must be set when a disk is wanted. */
GVirConfigDomain   *refract_machine_spec_to_config       (const RefractMachineSpec *spec,
                                                          RefractHostCaps          *caps,
                                                          GError                  **error);
char               *refract_machine_spec_to_xml          (const RefractMachineSpec *spec,
                                                          RefractHostCaps          *caps,
                                                          GError                  **error);

/* A name not in existing_names, from base ("debian12", "debian12-2", …). */
char               *refract_machine_spec_unique_name     (const char               *base,
                                                          const char * const       *existing_names);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractMachineSpec, refract_machine_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractSpecProblem, refract_spec_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractPortForward, refract_port_forward_free)

G_END_DECLS
