/* refract-machine-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-model.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_MACHINE_PAGE (refract_machine_page_get_type ())

G_DECLARE_FINAL_TYPE (RefractMachinePage, refract_machine_page, REFRACT, MACHINE_PAGE, AdwBin)

RefractMachine *refract_machine_page_get_machine (RefractMachinePage *self);
void            refract_machine_page_set_machine (RefractMachinePage *self,
                                                  RefractMachine     *machine);
void            refract_machine_page_show_console   (RefractMachinePage *self);
void            refract_machine_page_detach_console (RefractMachinePage *self);
const char     *refract_machine_page_get_tab        (RefractMachinePage *self);
gboolean        refract_machine_page_get_modified   (RefractMachinePage *self);
void            refract_machine_page_discard_changes (RefractMachinePage *self);
void            refract_machine_page_show_changes   (RefractMachinePage *self);

G_END_DECLS
