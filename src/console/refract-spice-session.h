/* refract-spice-session.h: one machine's SPICE session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-model.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_SPICE_STATE_DISCONNECTED,   /* machine off, or not asked to connect */
  REFRACT_SPICE_STATE_CONNECTING,
  REFRACT_SPICE_STATE_CONNECTED,      /* the display channel has a primary surface */
  REFRACT_SPICE_STATE_NEEDS_PASSWORD,
  REFRACT_SPICE_STATE_FAILED,         /* see refract_spice_session_get_error_message () */
} RefractSpiceState;

#define REFRACT_TYPE_SPICE_SESSION (refract_spice_session_get_type ())

G_DECLARE_FINAL_TYPE (RefractSpiceSession, refract_spice_session, REFRACT, SPICE_SESSION, GObject)

RefractSpiceSession *refract_spice_session_new               (RefractMachine      *machine);
RefractMachine      *refract_spice_session_get_machine       (RefractSpiceSession *self);
RefractSpiceState    refract_spice_session_get_state         (RefractSpiceSession *self);
const char          *refract_spice_session_get_error_message (RefractSpiceSession *self);
/* Opens the display (libvirt graphics FD first, the listen address from the domain
 * XML when that is refused) and keeps it open across guest reboots and starts. */
void                 refract_spice_session_connect           (RefractSpiceSession *self);
void                 refract_spice_session_disconnect        (RefractSpiceSession *self);
void                 refract_spice_session_set_password      (RefractSpiceSession *self,
                                                              const char          *password);
gboolean             refract_spice_session_get_agent_connected (RefractSpiceSession *self);
/* The underlying SpiceSession (spice-client-glib), for the display widget. */
gpointer             refract_spice_session_get_spice         (RefractSpiceSession *self);

G_END_DECLS
