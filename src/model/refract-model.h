/* refract-model.h: the model layer, no GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-connection.h"
#include "refract-connection-list.h"
#include "refract-machine.h"
#include "refract-machine-list.h"
#include "refract-model-error.h"
#include "refract-model-types.h"
#include "refract-stats-sampler.h"
#include "refract-uri.h"

G_BEGIN_DECLS

gboolean refract_model_init (GError **error);

G_END_DECLS
