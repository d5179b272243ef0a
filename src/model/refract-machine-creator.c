/* refract-machine-creator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-machine-creator.h"
