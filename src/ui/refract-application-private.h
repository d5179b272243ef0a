/* refract-application-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-application.h"

G_BEGIN_DECLS

void _refract_application_install_actions (RefractApplication *self);

G_END_DECLS
