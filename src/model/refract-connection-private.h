/* refract-connection-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "refract-connection.h"

G_BEGIN_DECLS

gboolean      _refract_connection_is_up      (RefractConnection *self);
virConnectPtr _refract_connection_ref_handle (RefractConnection *self);
void          _refract_connection_forget     (RefractConnection *self,
                                              RefractMachine    *machine);

G_END_DECLS
