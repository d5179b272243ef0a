/* refract-new-machine-dialog.h: the new-machine wizard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-application.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_NEW_MACHINE_DIALOG (refract_new_machine_dialog_get_type ())

G_DECLARE_FINAL_TYPE (RefractNewMachineDialog, refract_new_machine_dialog, REFRACT, NEW_MACHINE_DIALOG, AdwWindow)

RefractNewMachineDialog *refract_new_machine_dialog_new (RefractApplication *app,
                                                         RefractConnection  *connection);

G_END_DECLS
