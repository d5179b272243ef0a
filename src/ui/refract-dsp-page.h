/* refract-dsp-page.h: a machine's CPU pinning, hugepages and real-time settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-model.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_DSP_PAGE (refract_dsp_page_get_type ())

G_DECLARE_FINAL_TYPE (RefractDspPage, refract_dsp_page, REFRACT, DSP_PAGE, AdwBin)

/* The page reads the machine's settings the first time it is shown. */
void            refract_dsp_page_set_machine (RefractDspPage *self,
                                              RefractMachine *machine);
RefractMachine *refract_dsp_page_get_machine (RefractDspPage *self);
/* TRUE once the host and the machine's settings are read and shown */
gboolean        refract_dsp_page_get_loaded  (RefractDspPage *self);
/* Edits not applied yet (the "modified" property). Going to another machine
 * keeps them for when the page comes back to this one. */
gboolean        refract_dsp_page_get_modified    (RefractDspPage *self);
void            refract_dsp_page_discard_changes (RefractDspPage *self);

G_END_DECLS
