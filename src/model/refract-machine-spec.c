/* refract-machine-spec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-machine-spec.h"
