/* refract-presets.h: the seed's machines as wizard presets
 *
 * Each preset is a function that fills a RefractMachineSpec with good
 * defaults for this host (VirtIO disk and NIC wherever the guest has drivers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-host-caps.h"
#include "refract-machine-spec.h"

G_BEGIN_DECLS

typedef struct
{
  const char *id;           /* "dsp-coprocessor", "coding-sandbox", "kali", "openwrt", "windows-11", "generic-linux" */
  const char *name;         /* translated */
  const char *description;  /* translated, one line */
  const char *icon_name;
  gboolean    needs_media;  /* cannot boot without an ISO or image */
} RefractPreset;

/* All presets, in the order the wizard shows them; n_presets may be NULL. */
const RefractPreset *refract_presets_get_all  (guint                *n_presets);
const RefractPreset *refract_preset_lookup    (const char           *id);

/* Resets spec to the preset's defaults. caps may be NULL (no host adaptation).
 * FALSE when id is unknown. */
gboolean             refract_preset_apply     (const char           *id,
                                               RefractMachineSpec   *spec,
                                               RefractHostCaps      *caps);

/* The defaults with no preset: what "Install from an ISO" starts from. */
void                 refract_machine_spec_set_defaults (RefractMachineSpec *spec,
                                                        RefractHostCaps    *caps);

G_END_DECLS
