/* refract-test-spice-server.h: an in-process libspice-server for tests and benchmarks
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

/* ---- a QXL display (optional; input tests don't add one) ----------------
 *
 * rts_server_add_display () gives the server a QXL device with a primary
 * surface of the given size, before clients connect. rts_server_start_stream ()
 * then starts a frame generator: a thread that, fps times a second, makes a new
 * full-screen bitmap and hands it to the server's worker as one QXL_DRAW_COPY.
 * A frame the worker has not taken by the next tick is replaced, never queued:
 * frames sent are the ones the worker took. Every frame carries its number and
 * the CLOCK_MONOTONIC time it was made in the first pixels of row 0, see
 * rts_frame_decode (). Image compression: "off" (the default here), "quic",
 * "lz", "glz", "auto_lz", "auto_glz", "lz4"; video streaming is off. */

#define RTS_FRAME_HEADER_PIXELS 4

void        rts_server_add_display        (RtsServer   *server,
                                           int          width,
                                           int          height,
                                           const char  *compression);
void        rts_server_start_stream       (RtsServer   *server,
                                           double       fps);
void        rts_server_stop_stream        (RtsServer   *server);
guint64     rts_server_get_frames_sent    (RtsServer   *server);
guint64     rts_server_get_frames_dropped (RtsServer   *server);
/* Reads what the generator wrote into row 0 of a BGRX/xRGB frame. */
gboolean    rts_frame_decode              (const guint8 *row0,
                                           guint64      *number,
                                           gint64       *made_us);

/* Also listen on TCP 127.0.0.1 (a free port), and what went out on it: the
 * bytes the clients' kernels acknowledged (TCP_INFO), closed connections
 * included. */
void        rts_server_listen_tcp         (RtsServer   *server);
int         rts_server_get_port           (RtsServer   *server);
guint64     rts_server_get_bytes_sent     (RtsServer   *server);

/* Client mouse mode: a tablet device, and the primary created with client mouse
 * allowed; call before rts_server_add_display (). Positions arrive in the tablet
 * log: x, y, buttons. */
void        rts_server_enable_tablet      (RtsServer   *server);
GArray     *rts_server_get_tablet         (RtsServer   *server);
/* Sends a cursor shape (non-premultiplied ARGB32 in native byte order) through
 * the QXL cursor ring; needs rts_server_add_display (). */
void        rts_server_set_cursor         (RtsServer     *server,
                                           int            width,
                                           int            height,
                                           int            hot_x,
                                           int            hot_y,
                                           const guint32 *argb);

typedef struct
{
  int   x;
  int   y;
  guint buttons;
} RtsTabletEvent;

/* ---- a guest agent (optional) ----------------------------------------------
 *
 * rts_server_add_agent () plugs a "vdagent" char device into the server that
 * speaks the agent protocol (VDIChunkHeader + VDAgentMessage framing): it
 * answers the client's capability announce with @caps (VD_AGENT_CAP_*
 * indices) and logs every other message the client sends. The test plays the
 * guest with rts_agent_send () and the clipboard helpers, which put the
 * selection prefix in when the agent announced VD_AGENT_CAP_CLIPBOARD_SELECTION.
 * rts_server_remove_agent () unplugs it, as QEMU does when the guest's agent
 * goes away. */

typedef struct
{
  guint32  type;        /* VD_AGENT_* */
  guint8   selection;   /* clipboard messages: VD_AGENT_CLIPBOARD_SELECTION_* */
  guint32  clip_type;   /* VD_AGENT_CLIPBOARD and _REQUEST: VD_AGENT_CLIPBOARD_* */
  GBytes  *data;        /* CLIPBOARD: the payload; GRAB: the guint32 types; else the message */
} RtsAgentMessage;

typedef void (*RtsAgentHook) (const RtsAgentMessage *message, gpointer user_data);

void        rts_server_add_agent          (RtsServer     *server,
                                           const guint32 *caps,
                                           guint          n_caps);
void        rts_server_remove_agent       (RtsServer     *server);
gboolean    rts_server_has_agent          (RtsServer     *server);
/* RtsAgentMessage*, oldest first; the test may clear it. */
GPtrArray  *rts_agent_get_messages        (RtsServer     *server);
void        rts_agent_set_hook            (RtsServer     *server,
                                           RtsAgentHook   hook,
                                           gpointer       user_data);
/* Whether the client announced @cap to the agent. */
gboolean    rts_agent_client_has_cap      (RtsServer     *server,
                                           guint          cap);
void        rts_agent_send                (RtsServer     *server,
                                           guint32        type,
                                           const void    *data,
                                           gsize          size);
void        rts_agent_clipboard_grab      (RtsServer     *server,
                                           guint8         selection,
                                           const guint32 *types,
                                           guint          n_types);
void        rts_agent_clipboard_request   (RtsServer     *server,
                                           guint8         selection,
                                           guint32        type);
void        rts_agent_clipboard_data      (RtsServer     *server,
                                           guint8         selection,
                                           guint32        type,
                                           const void    *data,
                                           gsize          size);
void        rts_agent_clipboard_release   (RtsServer     *server,
                                           guint8         selection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtsServer, rts_server_free)

G_END_DECLS
