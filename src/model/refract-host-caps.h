/* refract-host-caps.h: what one connection's host can run
 *
 * Read once per connection from domcapabilities + capabilities + node info +
 * the host's networks, bridges and storage pools. Each feature the wizard can
 * offer is either available or unavailable with a translated reason, in the
 * words of the seed's error table ("This QEMU was built without SPICE").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-model-types.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_HOST_FEATURE_KVM,
  REFRACT_HOST_FEATURE_SPICE,
  REFRACT_HOST_FEATURE_QXL,
  REFRACT_HOST_FEATURE_VIRTIO_GPU_GL,
  REFRACT_HOST_FEATURE_VNC,
  REFRACT_HOST_FEATURE_TPM_EMULATOR,
  REFRACT_HOST_FEATURE_UEFI,
  REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT,
  REFRACT_HOST_FEATURE_PASST,
  REFRACT_HOST_FEATURE_VIRTIOFS,
  REFRACT_HOST_FEATURE_9P,
  REFRACT_HOST_FEATURE_SOUND,
  REFRACT_HOST_FEATURE_USB_REDIRECTION,
  REFRACT_HOST_FEATURE_BRIDGE,
  REFRACT_HOST_FEATURE_NAT,
  REFRACT_HOST_FEATURE_N_FEATURES,
} RefractHostFeature;

typedef struct
{
  char    *name;
  char    *path;       /* target directory; may be NULL */
  gboolean active;
  gint64   capacity;   /* bytes, -1 unknown */
  gint64   available;  /* bytes, -1 unknown */
} RefractPoolInfo;

#define REFRACT_TYPE_HOST_CAPS (refract_host_caps_get_type ())

G_DECLARE_FINAL_TYPE (RefractHostCaps, refract_host_caps, REFRACT, HOST_CAPS, GObject)

/* From XML text (tests use fixtures). domcaps_xml is virConnectGetDomainCapabilities
 * output, caps_xml virConnectGetCapabilities output (may be NULL). */
RefractHostCaps *refract_host_caps_new_from_xml     (const char         *domcaps_xml,
                                                     const char         *caps_xml,
                                                     GError            **error);

/* Everything from a live connection, in a worker thread. Cached on the
 * connection: a second call returns the same object unless refresh is TRUE. */
void             refract_host_caps_load_async       (RefractConnection  *connection,
                                                     gboolean            refresh,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
RefractHostCaps *refract_host_caps_load_finish      (GAsyncResult       *result,
                                                     GError            **error);

gboolean         refract_host_caps_has              (RefractHostCaps    *self,
                                                     RefractHostFeature  feature);
/* Translated reason when !has(feature), else NULL. */
const char      *refract_host_caps_get_reason       (RefractHostCaps    *self,
                                                     RefractHostFeature  feature);

const char      *refract_host_caps_get_arch         (RefractHostCaps    *self); /* x86_64 */
const char      *refract_host_caps_get_domain_type  (RefractHostCaps    *self); /* kvm or qemu */
const char      *refract_host_caps_get_machine_type (RefractHostCaps    *self); /* q35 alias */
const char      *refract_host_caps_get_emulator     (RefractHostCaps    *self);
guint            refract_host_caps_get_host_cpus    (RefractHostCaps    *self); /* 0 unknown */
guint64          refract_host_caps_get_host_memory_mib (RefractHostCaps *self); /* 0 unknown */
guint            refract_host_caps_get_max_vcpus    (RefractHostCaps    *self);
/* OVMF firmware/NVRAM template paths; NULL when not found. */
const char      *refract_host_caps_get_uefi_loader  (RefractHostCaps    *self,
                                                     gboolean            secure_boot);
const char      *refract_host_caps_get_uefi_vars    (RefractHostCaps    *self,
                                                     gboolean            secure_boot);
/* The libvirt networks (active ones first) and the host's bridge interfaces. */
const char * const *refract_host_caps_get_networks  (RefractHostCaps    *self);
const char * const *refract_host_caps_get_bridges   (RefractHostCaps    *self);
/* RefractPoolInfo*; may be empty. */
GPtrArray       *refract_host_caps_get_pools        (RefractHostCaps    *self);
RefractPoolInfo *refract_host_caps_find_pool        (RefractHostCaps    *self,
                                                     const char         *name);
/* The virtio-win drivers ISO if installed on this host, else NULL. */
const char      *refract_host_caps_get_virtio_win_iso (RefractHostCaps  *self);
/* Is this connection's host the machine we run on (so local paths are its paths)? */
gboolean         refract_host_caps_get_is_local     (RefractHostCaps    *self);
/* The Hyper-V enlightenments KVM offers ("relaxed", "vapic", …, as in
 * libvirt's <hyperv> element); NULL when libvirt doesn't say. */
const char * const *refract_host_caps_get_hyperv_features (RefractHostCaps *self);
/* The host is itself a virtual machine (its CPU has the hypervisor flag). */
gboolean         refract_host_caps_get_is_nested    (RefractHostCaps    *self);

/* For tests and session-mode hosts: override what was read. */
void             refract_host_caps_set_feature      (RefractHostCaps    *self,
                                                     RefractHostFeature  feature,
                                                     gboolean            available,
                                                     const char         *reason);
void             refract_host_caps_set_resources    (RefractHostCaps    *self,
                                                     guint               host_cpus,
                                                     guint64             host_memory_mib);
void             refract_host_caps_set_bridges      (RefractHostCaps    *self,
                                                     const char * const *bridges);
void             refract_host_caps_set_networks     (RefractHostCaps    *self,
                                                     const char * const *networks);
void             refract_host_caps_add_pool         (RefractHostCaps    *self,
                                                     const RefractPoolInfo *pool);
void             refract_host_caps_set_virtio_win_iso (RefractHostCaps  *self,
                                                     const char         *path);
/* Local hosts get their paths checked (media, images, shared folders). */
void             refract_host_caps_set_is_local     (RefractHostCaps    *self,
                                                     gboolean            is_local);

void             refract_pool_info_free             (RefractPoolInfo    *pool);

G_END_DECLS
