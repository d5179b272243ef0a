/* refract-netjack-page.h: a machine's NETJACK2 audio link
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-model.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_NETJACK_PAGE (refract_netjack_page_get_type ())

G_DECLARE_FINAL_TYPE (RefractNetjackPage, refract_netjack_page, REFRACT, NETJACK_PAGE, AdwBin)

/* The page reads the machine's settings the first time it is shown. */
void            refract_netjack_page_set_machine (RefractNetjackPage *self,
                                                  RefractMachine     *machine);
RefractMachine *refract_netjack_page_get_machine (RefractNetjackPage *self);
/* TRUE once the machine's settings are read and shown */
gboolean        refract_netjack_page_get_loaded  (RefractNetjackPage *self);
/* Edits not saved yet (the "modified" property). Going to another machine
 * keeps them for when the page comes back to this one. */
gboolean        refract_netjack_page_get_modified    (RefractNetjackPage *self);
void            refract_netjack_page_discard_changes (RefractNetjackPage *self);

G_END_DECLS
