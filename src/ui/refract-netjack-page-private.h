/* refract-netjack-page-private.h: hooks for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-netjack-page.h"
#include "refract-netjack-probe.h"

G_BEGIN_DECLS

/* Probe with @probe, whatever the connection (the page probes only a host
 * that is this computer otherwise). NULL goes back to that. */
void _refract_netjack_page_set_probe (RefractNetjackPage  *self,
                                      RefractNetjackProbe *probe);

G_END_DECLS
