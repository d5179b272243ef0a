/* refract-new-machine-dialog-private.h: for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-host-caps.h"
#include "refract-machine-spec.h"
#include "refract-new-machine-dialog.h"

G_BEGIN_DECLS

/* The name of the page on screen: source, os, resources, storage, network,
 * summary, customize or progress. */
const char         *_refract_new_machine_dialog_get_page         (RefractNewMachineDialog *self);
/* NULL while the host's capabilities are being read. */
RefractHostCaps    *_refract_new_machine_dialog_get_caps         (RefractNewMachineDialog *self);
RefractMachineSpec *_refract_new_machine_dialog_get_spec         (RefractNewMachineDialog *self);
RefractConnection  *_refract_new_machine_dialog_get_connection   (RefractNewMachineDialog *self);
/* Validate again, after a test changed the caps. */
void                _refract_new_machine_dialog_revalidate       (RefractNewMachineDialog *self);
/* The card of preset @id in the Source page. */
GtkWidget          *_refract_new_machine_dialog_get_preset_card  (RefractNewMachineDialog *self,
                                                                  const char              *id);
/* The reason at the bottom why Next is insensitive, or NULL. */
const char         *_refract_new_machine_dialog_get_problem      (RefractNewMachineDialog *self);
/* The label under the row of @field on the page on screen, when shown. */
GtkLabel           *_refract_new_machine_dialog_get_field_error  (RefractNewMachineDialog *self,
                                                                  RefractSpecField         field);
GtkTextView        *_refract_new_machine_dialog_get_xml_view     (RefractNewMachineDialog *self);
void                _refract_new_machine_dialog_preview_progress (RefractNewMachineDialog *self,
                                                                  gboolean                 preview);

G_END_DECLS
