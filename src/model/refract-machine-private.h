/* refract-machine-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "refract-machine.h"

G_BEGIN_DECLS

/* What one worker-thread look at a domain found; applied on the main thread. */
typedef struct
{
  virDomainPtr dom;
  char         uuid[VIR_UUID_STRING_BUFLEN];
  char        *name;
  char        *title;
  int          state;
  int          reason;
  guint        vcpus;
  guint64      memory;
  guint64      max_memory;
  gboolean     ok;
  gboolean     gone;  /* libvirt no longer knows the domain */
} RefractDomainSnapshot;

void            _refract_domain_snapshot_fill      (RefractDomainSnapshot *snap,
                                                    virDomainPtr           dom);
void            _refract_domain_snapshot_free      (RefractDomainSnapshot *snap);

RefractMachine *_refract_machine_new               (RefractConnection     *connection,
                                                    RefractDomainSnapshot *snap);
void            _refract_machine_apply_snapshot    (RefractMachine        *self,
                                                    RefractDomainSnapshot *snap);
void            _refract_machine_handle_event      (RefractMachine        *self,
                                                    int                    event,
                                                    int                    detail);
void            _refract_machine_set_name          (RefractMachine        *self,
                                                    const char            *name);
void            _refract_machine_refresh           (RefractMachine        *self);
virDomainPtr    _refract_machine_ref_domain        (RefractMachine        *self);
void            _refract_machine_push_sample       (RefractMachine        *self,
                                                    gint64                 cpu_time_ns,
                                                    gint64                 memory_kib,
                                                    gint64                 monotonic_us);
void            _refract_machine_clear_samples     (RefractMachine        *self);
/* virDomainUndefineFlags with everything a deleted machine leaves (managed
 * save, metadata, NVRAM, TPM), again with only the managed save when the
 * driver refuses those; FALSE with libvirt's last error set. */
gboolean        _refract_machine_undefine_domain   (virDomainPtr           dom);

G_END_DECLS

G_BEGIN_DECLS
void            _refract_machine_detach            (RefractMachine        *self);
G_END_DECLS
