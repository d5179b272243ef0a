/* refract-spice-session-private.h: what the display widget and the tests use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <spice-client.h>

#include "refract-spice-session.h"

G_BEGIN_DECLS

/* A session on a SPICE server's unix socket, with no machine behind it (tests). */
RefractSpiceSession *_refract_spice_session_new_for_unix_path (const char          *path);
/* The same on spice://HOST:PORT (benchmarks: TCP on loopback). */
RefractSpiceSession *_refract_spice_session_new_for_uri       (const char          *uri);
SpiceMainChannel    *_refract_spice_session_get_main          (RefractSpiceSession *self);
SpiceDisplayChannel *_refract_spice_session_get_display       (RefractSpiceSession *self);
SpiceInputsChannel  *_refract_spice_session_get_inputs        (RefractSpiceSession *self);
SpiceCursorChannel  *_refract_spice_session_get_cursor        (RefractSpiceSession *self);
/* Whether the current connection came from libvirt's graphics FD (not the listen address). */
gboolean             _refract_spice_session_uses_graphics_fd  (RefractSpiceSession *self);

G_END_DECLS
