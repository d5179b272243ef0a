/* refract-machine-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-machine.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_MACHINE_LIST (refract_machine_list_get_type ())

G_DECLARE_FINAL_TYPE (RefractMachineList, refract_machine_list, REFRACT, MACHINE_LIST, GObject)

RefractMachineList *refract_machine_list_new              (void);
RefractMachine     *refract_machine_list_find_by_uuid     (RefractMachineList *self,
                                                           const char         *uuid);
RefractMachine     *refract_machine_list_find_by_name     (RefractMachineList *self,
                                                           const char         *name);
void                _refract_machine_list_add             (RefractMachineList *self,
                                                           RefractMachine     *machine);
void                _refract_machine_list_remove          (RefractMachineList *self,
                                                           RefractMachine     *machine);
void                _refract_machine_list_replace_all     (RefractMachineList *self,
                                                           GPtrArray          *machines);

G_END_DECLS
