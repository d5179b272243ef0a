/* refract-test-spice-server.h: an in-process libspice-server for input tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int   dx;
  int   dy;
  int   dz;
  guint buttons;   /* in the server's "local" layout: left 1, right 2, middle 4 */
  gboolean is_buttons;  /* a buttons-only event, not a motion */
} RtsMouseEvent;

typedef struct _RtsServer RtsServer;

typedef void (*RtsKeyHook) (guint8 byte, gpointer user_data);

RtsServer  *rts_server_new          (void);
void        rts_server_free         (RtsServer  *server);
const char *rts_server_get_path     (RtsServer  *server);
GByteArray *rts_server_get_keys     (RtsServer  *server);
GArray     *rts_server_get_mouse    (RtsServer  *server);
void        rts_server_set_key_hook (RtsServer  *server,
                                     RtsKeyHook  hook,
                                     gpointer    user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtsServer, rts_server_free)

G_END_DECLS
