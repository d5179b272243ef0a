/* refract-test-spice-server.c: an in-process libspice-server for input tests
 *
 * The server's core interface runs its timers and watches on the default
 * GMainContext, the same one the client uses, so one thread drives both ends.
 * Clients connect to a unix socket; each accepted connection is handed to
 * spice_server_add_client (). A keyboard and a mouse record what arrives.
 *
 * Optionally (rts_server_add_display ()) a QXL device with a primary surface,
 * and a frame generator for benchmarks: QXL commands are fetched by
 * libspice-server's own worker thread, so the generator hands frames over
 * under a lock and wakes the worker with spice_qxl_wakeup ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <spice.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refract-test-spice-server.h"

struct _RtsServer
{
  SpiceServer        *spice;
  SpiceKbdInstance    kbd;
  SpiceMouseInstance  mouse;
  GSocketService     *service;
  char               *dir;
  char               *path;
  GByteArray         *keys;
  GArray             *mouse_events;
  RtsKeyHook          key_hook;
  gpointer            key_hook_data;

  /* the display, once added */
  SpiceTabletInstance tablet;
  gboolean            has_tablet;
  GArray             *tablet_events;
  QXLInstance         qxl;
  gboolean            has_display;
  int                 width;
  int                 height;
  guint8             *surface;
  GMutex              lock;           /* what the worker thread shares */
  struct RtsFrame    *pending;        /* made, not yet taken by the worker */
  GQueue              cursor_cmds;
  GPtrArray          *spare;          /* released frame buffers for reuse */
  guint64             made;
  guint64             sent;
  guint64             dropped;
  GThread            *generator;
  gboolean            stop;
  double              fps;

  /* TCP on loopback, for benchmarks */
  int                 port;
  GArray             *tcp;            /* TcpConn: the fds libspice-server owns */
};

typedef struct
{
  int     fd;
  ino_t   ino;        /* to notice that the server closed fd and it was reused */
  guint64 acked;      /* last tcpi_bytes_acked read */
  gboolean gone;
} TcpConn;

/* One server per process, never destroyed: the interfaces' callbacks have no
 * user data, and libspice-server 0.15 can neither remove a keyboard or mouse
 * nor free their state in spice_server_destroy (). */
static RtsServer *the_server;

/* ---- core interface on GLib ---------------------------------------------- */

struct SpiceTimer
{
  SpiceTimerFunc func;
  void          *opaque;
  GSource       *source;
};

static SpiceTimer *
timer_add (SpiceTimerFunc func, void *opaque)
{
  SpiceTimer *timer = g_new0 (SpiceTimer, 1);

  timer->func = func;
  timer->opaque = opaque;
  return timer;
}

static void
timer_cancel (SpiceTimer *timer)
{
  if (timer->source != NULL)
    {
      g_source_destroy (timer->source);
      g_clear_pointer (&timer->source, g_source_unref);
    }
}

static gboolean
timer_fired (gpointer data)
{
  SpiceTimer *timer = data;

  g_clear_pointer (&timer->source, g_source_unref);
  timer->func (timer->opaque);
  return G_SOURCE_REMOVE;
}

static void
timer_start (SpiceTimer *timer, uint32_t ms)
{
  timer_cancel (timer);
  timer->source = g_timeout_source_new (ms);
  g_source_set_callback (timer->source, timer_fired, timer, NULL);
  g_source_attach (timer->source, NULL);
}

static void
timer_remove (SpiceTimer *timer)
{
  timer_cancel (timer);
  g_free (timer);
}

struct SpiceWatch
{
  int            fd;
  SpiceWatchFunc func;
  void          *opaque;
  GSource       *source;
};

static gboolean
watch_ready (int fd, GIOCondition condition, gpointer data)
{
  SpiceWatch *watch = data;
  int events = 0;

  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    events |= SPICE_WATCH_EVENT_READ;
  if (condition & G_IO_OUT)
    events |= SPICE_WATCH_EVENT_WRITE;
  watch->func (fd, events, watch->opaque);
  return G_SOURCE_CONTINUE;
}

static void
watch_update_mask (SpiceWatch *watch, int mask)
{
  GIOCondition condition = 0;

  if (watch->source != NULL)
    {
      g_source_destroy (watch->source);
      g_clear_pointer (&watch->source, g_source_unref);
    }
  if (mask & SPICE_WATCH_EVENT_READ)
    condition |= G_IO_IN | G_IO_HUP | G_IO_ERR;
  if (mask & SPICE_WATCH_EVENT_WRITE)
    condition |= G_IO_OUT;
  if (condition == 0)
    return;
  watch->source = g_unix_fd_source_new (watch->fd, condition);
  g_source_set_callback (watch->source, (GSourceFunc) (void (*) (void)) watch_ready, watch, NULL);
  g_source_attach (watch->source, NULL);
}

static SpiceWatch *
watch_add (int fd, int mask, SpiceWatchFunc func, void *opaque)
{
  SpiceWatch *watch = g_new0 (SpiceWatch, 1);

  watch->fd = fd;
  watch->func = func;
  watch->opaque = opaque;
  watch_update_mask (watch, mask);
  return watch;
}

static void
watch_remove (SpiceWatch *watch)
{
  watch_update_mask (watch, 0);
  g_free (watch);
}

static void
channel_event (int event, SpiceChannelEventInfo *info)
{
}

static SpiceCoreInterface core = {
  .base = { .major_version = SPICE_INTERFACE_CORE_MAJOR, .minor_version = SPICE_INTERFACE_CORE_MINOR },
  .timer_add = timer_add,
  .timer_start = timer_start,
  .timer_cancel = timer_cancel,
  .timer_remove = timer_remove,
  .watch_add = watch_add,
  .watch_update_mask = watch_update_mask,
  .watch_remove = watch_remove,
  .channel_event = channel_event,
};

/* ---- keyboard and mouse -------------------------------------------------- */

static void
kbd_push (SpiceKbdInstance *sin, uint8_t frag)
{
  g_byte_array_append (the_server->keys, &frag, 1);
  if (the_server->key_hook != NULL)
    the_server->key_hook (frag, the_server->key_hook_data);
}

static uint8_t
kbd_leds (SpiceKbdInstance *sin)
{
  return 0;
}

static const SpiceKbdInterface kbd_interface = {
  .base = { .type = SPICE_INTERFACE_KEYBOARD, .description = "refract test keyboard",
            .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
            .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR },
  .push_scan_freg = kbd_push,
  .get_leds = kbd_leds,
};

static void
mouse_motion (SpiceMouseInstance *sin, int dx, int dy, int dz, uint32_t buttons)
{
  RtsMouseEvent event = { dx, dy, dz, buttons, FALSE };

  g_array_append_val (the_server->mouse_events, event);
}

static void
mouse_buttons (SpiceMouseInstance *sin, uint32_t buttons)
{
  RtsMouseEvent event = { 0, 0, 0, buttons, TRUE };

  g_array_append_val (the_server->mouse_events, event);
}

static const SpiceMouseInterface mouse_interface = {
  .base = { .type = SPICE_INTERFACE_MOUSE, .description = "refract test mouse",
            .major_version = SPICE_INTERFACE_MOUSE_MAJOR,
            .minor_version = SPICE_INTERFACE_MOUSE_MINOR },
  .motion = mouse_motion,
  .buttons = mouse_buttons,
};

/* ---- the QXL display ----------------------------------------------------- */

/* One frame: a QXL_DRAW_COPY of one full-screen bitmap. The worker hands
 * release_info back in release_resource (); it is the first member. */
typedef struct RtsFrame
{
  QXLDrawable   drawable;
  QXLImage      image;
  QXLDataChunk *chunk;            /* followed by the pixels */
} RtsFrame;

typedef struct
{
  QXLCursorCmd  cmd;
  QXLCursor    *cursor;           /* followed by the pixels */
} RtsCursorCmd;

#define MEMSLOT_GROUP 0

static void
qxl_attached_worker (QXLInstance *qin)
{
}

static void
qxl_set_compression_level (QXLInstance *qin, int level)
{
}

static void
qxl_get_init_info (QXLInstance *qin, QXLDevInitInfo *info)
{
  /* guest "physical" addresses are our own pointers: one slot covering
   * everything, slot id and generation 0 in the top bits of user addresses */
  memset (info, 0, sizeof *info);
  info->num_memslots_groups = 1;
  info->num_memslots = 1;
  info->memslot_gen_bits = 1;
  info->memslot_id_bits = 1;
  info->qxl_ram_size = G_MAXUINT32;
  info->internal_groupslot_id = 0;
  info->n_surfaces = 1;
}

static void
free_frame (RtsServer *self, RtsFrame *frame)
{
  g_mutex_lock (&self->lock);
  if (self->spare->len < 4)
    {
      g_ptr_array_add (self->spare, frame->chunk);
      frame->chunk = NULL;
    }
  g_mutex_unlock (&self->lock);
  g_free (frame->chunk);
  g_free (frame);
}

/* Worker thread. */
static int
qxl_get_command (QXLInstance *qin, struct QXLCommandExt *ext)
{
  RtsServer *self = the_server;
  RtsFrame *frame;

  g_mutex_lock (&self->lock);
  frame = g_steal_pointer (&self->pending);
  if (frame != NULL)
    self->sent++;
  g_mutex_unlock (&self->lock);
  if (frame == NULL)
    return 0;
  memset (ext, 0, sizeof *ext);
  ext->cmd.type = QXL_CMD_DRAW;
  ext->cmd.data = (QXLPHYSICAL) (uintptr_t) &frame->drawable;
  ext->group_id = MEMSLOT_GROUP;
  return 1;
}

static int
qxl_req_cmd_notification (QXLInstance *qin)
{
  RtsServer *self = the_server;
  gboolean empty;

  g_mutex_lock (&self->lock);
  empty = self->pending == NULL;
  g_mutex_unlock (&self->lock);
  /* TRUE: nothing to do now, we will wake the worker */
  return empty;
}

/* release_info.id is the frame, or the cursor command with the low bit set. */
static void
qxl_release_resource (QXLInstance *qin, struct QXLReleaseInfoExt info)
{
  guint64 id = info.info->id;

  if (id & 1)
    {
      RtsCursorCmd *cursor = (RtsCursorCmd *) (uintptr_t) (id & ~(guint64) 1);

      g_free (cursor->cursor);
      g_free (cursor);
    }
  else if (id != 0)
    free_frame (the_server, (RtsFrame *) (uintptr_t) id);
}

static int
qxl_get_cursor_command (QXLInstance *qin, struct QXLCommandExt *ext)
{
  RtsServer *self = the_server;
  RtsCursorCmd *cmd;

  g_mutex_lock (&self->lock);
  cmd = g_queue_pop_head (&self->cursor_cmds);
  g_mutex_unlock (&self->lock);
  if (cmd == NULL)
    return 0;
  memset (ext, 0, sizeof *ext);
  ext->cmd.type = QXL_CMD_CURSOR;
  ext->cmd.data = (QXLPHYSICAL) (uintptr_t) &cmd->cmd;
  ext->group_id = MEMSLOT_GROUP;
  return 1;
}

static int
qxl_req_cursor_notification (QXLInstance *qin)
{
  RtsServer *self = the_server;
  gboolean empty;

  g_mutex_lock (&self->lock);
  empty = g_queue_is_empty (&self->cursor_cmds);
  g_mutex_unlock (&self->lock);
  return empty;
}

static void
qxl_notify_update (QXLInstance *qin, uint32_t update_id)
{
}

static int
qxl_flush_resources (QXLInstance *qin)
{
  return 0;
}

static void
qxl_async_complete (QXLInstance *qin, uint64_t cookie)
{
}

static void
qxl_update_area_complete (QXLInstance *qin, uint32_t surface_id, struct QXLRect *rects,
                          uint32_t n_rects)
{
}

static void
qxl_set_client_capabilities (QXLInstance *qin, uint8_t client_present,
                             uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
}

static int
qxl_client_monitors_config (QXLInstance *qin, VDAgentMonitorsConfig *config)
{
  return 0;
}

static const QXLInterface qxl_interface = {
  .base = { .type = SPICE_INTERFACE_QXL, .description = "refract test display",
            .major_version = SPICE_INTERFACE_QXL_MAJOR,
            .minor_version = SPICE_INTERFACE_QXL_MINOR },
  .attached_worker = qxl_attached_worker,
  .set_compression_level = qxl_set_compression_level,
  .get_init_info = qxl_get_init_info,
  .get_command = qxl_get_command,
  .req_cmd_notification = qxl_req_cmd_notification,
  .release_resource = qxl_release_resource,
  .get_cursor_command = qxl_get_cursor_command,
  .req_cursor_notification = qxl_req_cursor_notification,
  .notify_update = qxl_notify_update,
  .flush_resources = qxl_flush_resources,
  .async_complete = qxl_async_complete,
  .update_area_complete = qxl_update_area_complete,
  .set_client_capabilities = qxl_set_client_capabilities,
  .client_monitors_config = qxl_client_monitors_config,
};

static void
tablet_set_logical_size (SpiceTabletInstance *tablet, int width, int height)
{
}

static void
tablet_position (SpiceTabletInstance *tablet, int x, int y, uint32_t buttons)
{
  RtsTabletEvent event = { x, y, buttons };

  g_array_append_val (the_server->tablet_events, event);
}

static void
tablet_wheel (SpiceTabletInstance *tablet, int motion, uint32_t buttons)
{
}

static void
tablet_buttons (SpiceTabletInstance *tablet, uint32_t buttons)
{
}

static const SpiceTabletInterface tablet_interface = {
  .base = { .type = SPICE_INTERFACE_TABLET, .description = "refract test tablet",
            .major_version = SPICE_INTERFACE_TABLET_MAJOR,
            .minor_version = SPICE_INTERFACE_TABLET_MINOR },
  .set_logical_size = tablet_set_logical_size,
  .position = tablet_position,
  .wheel = tablet_wheel,
  .buttons = tablet_buttons,
};

void
rts_server_enable_tablet (RtsServer *self)
{
  g_assert (self == the_server);
  if (self->has_tablet)
    return;
  g_assert_false (self->has_display);
  self->tablet.base.sif = &tablet_interface.base;
  g_assert_cmpint (spice_server_add_interface (self->spice, &self->tablet.base), ==, 0);
  self->has_tablet = TRUE;
}

GArray *
rts_server_get_tablet (RtsServer *self)
{
  return self->tablet_events;
}

static SpiceImageCompression
parse_compression (const char *name)
{
  static const struct { const char *name; SpiceImageCompression value; } names[] = {
    { "off", SPICE_IMAGE_COMPRESSION_OFF }, { "quic", SPICE_IMAGE_COMPRESSION_QUIC },
    { "lz", SPICE_IMAGE_COMPRESSION_LZ }, { "glz", SPICE_IMAGE_COMPRESSION_GLZ },
    { "auto_lz", SPICE_IMAGE_COMPRESSION_AUTO_LZ },
    { "auto_glz", SPICE_IMAGE_COMPRESSION_AUTO_GLZ }, { "lz4", SPICE_IMAGE_COMPRESSION_LZ4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i].name))
      return names[i].value;
  g_error ("unknown image compression \"%s\"", name);
  return SPICE_IMAGE_COMPRESSION_OFF;
}

/* Before clients connect; once per process. */
void
rts_server_add_display (RtsServer  *self,
                        int         width,
                        int         height,
                        const char *compression)
{
  QXLDevMemSlot slot = { 0 };
  QXLDevSurfaceCreate create = { 0 };

  g_assert (self == the_server);
  if (self->has_display)
    {
      g_assert_cmpint (width, ==, self->width);
      g_assert_cmpint (height, ==, self->height);
      return;
    }
  g_assert_cmpint (spice_server_set_image_compression (self->spice,
                                                       parse_compression (compression ? compression : "off")),
                   ==, 0);
  spice_server_set_streaming_video (self->spice, SPICE_STREAM_VIDEO_OFF);
  self->width = width;
  self->height = height;
  self->surface = g_malloc0 ((gsize) width * height * 4);
  self->qxl.base.sif = &qxl_interface.base;
  self->qxl.id = 0;
  g_assert_cmpint (spice_server_add_interface (self->spice, &self->qxl.base), ==, 0);

  slot.slot_group_id = MEMSLOT_GROUP;
  slot.slot_id = 0;
  slot.generation = 0;
  slot.virt_start = 0;
  slot.virt_end = ~(uintptr_t) 0;
  slot.addr_delta = 0;
  slot.qxl_ram_size = G_MAXUINT32;
  spice_qxl_add_memslot (&self->qxl, &slot);

  create.width = width;
  create.height = height;
  create.stride = width * 4;
  create.format = SPICE_SURFACE_FMT_32_xRGB;
  create.position = 0;
  create.mouse_mode = self->has_tablet;   /* client mouse allowed */
  create.flags = 0;
  create.type = QXL_SURF_TYPE_PRIMARY;
  create.mem = (uint64_t) (uintptr_t) self->surface;
  create.group_id = MEMSLOT_GROUP;
  spice_qxl_create_primary_surface (&self->qxl, 0, &create);
  spice_server_vm_start (self->spice);
  self->has_display = TRUE;
}

/* Row 0: the frame number, then its time in µs, 24 bits a pixel (the X byte
 * of xRGB need not survive); the rest is a pattern that moves every frame. */
static void
draw_frame (RtsServer *self, guint32 *pixels, guint64 number, gint64 made_us)
{
  int w = self->width, h = self->height;
  int bar = (int) ((number * 16) % (guint64) w);

  for (int y = 0; y < h; y++)
    {
      guint32 *row = pixels + (gsize) y * w;
      guint32 colour = ((guint32) ((y + number * 3) & 0xff) << 16)
                       | ((guint32) ((y / 4 + number) & 0xff) << 8)
                       | (guint32) ((number * 5) & 0xff);

      for (int x = 0; x < w; x++)
        row[x] = colour;
      for (int x = bar; x < MIN (bar + 64, w); x++)
        row[x] = 0xffffff;
    }
  pixels[0] = number & 0xffffff;
  pixels[1] = (guint64) made_us & 0xffffff;
  pixels[2] = ((guint64) made_us >> 24) & 0xffffff;
  pixels[3] = ((guint64) made_us >> 48) & 0xffff;
}

gboolean
rts_frame_decode (const guint8 *row0, guint64 *number, gint64 *made_us)
{
  guint32 px[RTS_FRAME_HEADER_PIXELS];

  memcpy (px, row0, sizeof px);
  *number = px[0] & 0xffffff;
  *made_us = (gint64) ((guint64) (px[1] & 0xffffff) | ((guint64) (px[2] & 0xffffff) << 24)
                       | ((guint64) (px[3] & 0xffff) << 48));
  return *made_us != 0;
}

static RtsFrame *
make_frame (RtsServer *self, guint64 number)
{
  gsize size = (gsize) self->width * self->height * 4;
  RtsFrame *frame = g_new0 (RtsFrame, 1);
  QXLDrawable *d = &frame->drawable;
  QXLImage *image = &frame->image;

  g_mutex_lock (&self->lock);
  if (self->spare->len > 0)
    frame->chunk = g_ptr_array_steal_index_fast (self->spare, self->spare->len - 1);
  g_mutex_unlock (&self->lock);
  if (frame->chunk == NULL)
    frame->chunk = g_malloc (sizeof (QXLDataChunk) + size);
  frame->chunk->data_size = size;
  frame->chunk->prev_chunk = frame->chunk->next_chunk = 0;
  draw_frame (self, (guint32 *) frame->chunk->data, number, g_get_monotonic_time ());

  image->descriptor.id = ((guint64) number << 32) | 1;
  image->descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
  image->descriptor.flags = 0;
  image->descriptor.width = self->width;
  image->descriptor.height = self->height;
  image->bitmap.format = SPICE_BITMAP_FMT_32BIT;
  image->bitmap.flags = QXL_BITMAP_TOP_DOWN;
  image->bitmap.x = self->width;
  image->bitmap.y = self->height;
  image->bitmap.stride = self->width * 4;
  image->bitmap.palette = 0;
  image->bitmap.data = (QXLPHYSICAL) (uintptr_t) frame->chunk;

  d->release_info.id = (uint64_t) (uintptr_t) frame;
  d->surface_id = 0;
  d->effect = QXL_EFFECT_OPAQUE;
  d->type = QXL_DRAW_COPY;
  d->bbox = (QXLRect) { .top = 0, .left = 0, .bottom = self->height, .right = self->width };
  d->clip.type = SPICE_CLIP_TYPE_NONE;
  for (int i = 0; i < 3; i++)
    d->surfaces_dest[i] = -1;
  d->u.copy.src_bitmap = (QXLPHYSICAL) (uintptr_t) image;
  d->u.copy.src_area = (QXLRect) { .top = 0, .left = 0, .bottom = self->height, .right = self->width };
  d->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
  d->u.copy.scale_mode = SPICE_IMAGE_SCALE_MODE_NEAREST;
  return frame;
}

static gpointer
generator_thread (gpointer data)
{
  RtsServer *self = data;
  gint64 period = (gint64) (G_USEC_PER_SEC / self->fps);
  gint64 next = g_get_monotonic_time ();

  for (;;)
    {
      RtsFrame *frame, *old;
      gint64 now;

      g_mutex_lock (&self->lock);
      if (self->stop)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_mutex_unlock (&self->lock);

      frame = make_frame (self, ++self->made);
      g_mutex_lock (&self->lock);
      old = self->pending;
      self->pending = frame;
      if (old != NULL)
        self->dropped++;
      g_mutex_unlock (&self->lock);
      if (old != NULL)
        free_frame (self, old);
      spice_qxl_wakeup (&self->qxl);

      next += period;
      now = g_get_monotonic_time ();
      if (next > now)
        g_usleep (next - now);
      else if (now - next > period)
        next = now;   /* fell behind: don't try to catch up */
    }
  return NULL;
}

void
rts_server_start_stream (RtsServer *self, double fps)
{
  g_assert (self->has_display);
  g_assert (self->generator == NULL);
  self->fps = fps;
  self->stop = FALSE;
  self->generator = g_thread_new ("rts-frames", generator_thread, self);
}

void
rts_server_stop_stream (RtsServer *self)
{
  if (self->generator == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_mutex_unlock (&self->lock);
  g_thread_join (g_steal_pointer (&self->generator));
}

guint64
rts_server_get_frames_sent (RtsServer *self)
{
  guint64 sent;

  g_mutex_lock (&self->lock);
  sent = self->sent;
  g_mutex_unlock (&self->lock);
  return sent;
}

guint64
rts_server_get_frames_dropped (RtsServer *self)
{
  guint64 dropped;

  g_mutex_lock (&self->lock);
  dropped = self->dropped;
  g_mutex_unlock (&self->lock);
  return dropped;
}

void
rts_server_set_cursor (RtsServer     *self,
                       int            width,
                       int            height,
                       int            hot_x,
                       int            hot_y,
                       const guint32 *argb)
{
  gsize size = (gsize) width * height * 4;
  RtsCursorCmd *cmd = g_new0 (RtsCursorCmd, 1);
  static guint64 unique;

  g_assert (self->has_display);
  cmd->cursor = g_malloc0 (sizeof (QXLCursor) + size);
  cmd->cursor->header.unique = ++unique;
  cmd->cursor->header.type = SPICE_CURSOR_TYPE_ALPHA;
  cmd->cursor->header.width = width;
  cmd->cursor->header.height = height;
  cmd->cursor->header.hot_spot_x = hot_x;
  cmd->cursor->header.hot_spot_y = hot_y;
  cmd->cursor->data_size = size;
  cmd->cursor->chunk.data_size = size;
  memcpy (cmd->cursor->chunk.data, argb, size);
  cmd->cmd.release_info.id = (uint64_t) (uintptr_t) cmd | 1;
  cmd->cmd.type = QXL_CURSOR_SET;
  cmd->cmd.u.set.position.x = 0;
  cmd->cmd.u.set.position.y = 0;
  cmd->cmd.u.set.visible = 1;
  cmd->cmd.u.set.shape = (QXLPHYSICAL) (uintptr_t) cmd->cursor;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->cursor_cmds, cmd);
  g_mutex_unlock (&self->lock);
  spice_qxl_wakeup (&self->qxl);
}

/* ---- TCP on loopback ------------------------------------------------------ */

static void
track_tcp (RtsServer *self, int fd)
{
  struct stat st;
  TcpConn conn = { fd, 0, 0, FALSE };

  if (fstat (fd, &st) == 0)
    conn.ino = st.st_ino;
  g_array_append_val (self->tcp, conn);
}

/* Bytes the clients' kernels have acknowledged on every TCP connection so far,
 * closed ones included (their last reading). Main thread. */
guint64
rts_server_get_bytes_sent (RtsServer *self)
{
  guint64 total = 0;

  for (guint i = 0; i < self->tcp->len; i++)
    {
      TcpConn *conn = &g_array_index (self->tcp, TcpConn, i);
      struct tcp_info info;
      socklen_t len = sizeof info;
      struct stat st;

      if (!conn->gone)
        {
          if (fstat (conn->fd, &st) != 0 || st.st_ino != conn->ino
              || getsockopt (conn->fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
            conn->gone = TRUE;
          else
            conn->acked = info.tcpi_bytes_acked;
        }
      total += conn->acked;
    }
  return total;
}

/* Also listens on 127.0.0.1: a free port, see rts_server_get_port (). */
void
rts_server_listen_tcp (RtsServer *self)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  if (self->port != 0)
    return;
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

int
rts_server_get_port (RtsServer *self)
{
  return self->port;
}

/* ---- the socket ---------------------------------------------------------- */

static gboolean
incoming (GSocketService     *service,
          GSocketConnection  *connection,
          GObject            *source,
          RtsServer          *self)
{
  int fd = dup (g_socket_get_fd (g_socket_connection_get_socket (connection)));

  g_assert_cmpint (fd, >=, 0);
  if (g_socket_get_family (g_socket_connection_get_socket (connection)) == G_SOCKET_FAMILY_IPV4)
    track_tcp (self, fd);
  /* the server owns fd from here on */
  spice_server_add_client (self->spice, fd, 0);
  return TRUE;
}

static RtsServer *
server_new (void)
{
  RtsServer *self = g_new0 (RtsServer, 1);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  the_server = self;
  self->keys = g_byte_array_new ();
  self->mouse_events = g_array_new (FALSE, TRUE, sizeof (RtsMouseEvent));
  self->tablet_events = g_array_new (FALSE, TRUE, sizeof (RtsTabletEvent));
  g_mutex_init (&self->lock);
  g_queue_init (&self->cursor_cmds);
  self->spare = g_ptr_array_new ();
  self->tcp = g_array_new (FALSE, TRUE, sizeof (TcpConn));
  self->dir = g_dir_make_tmp ("refract-spice-XXXXXX", &error);
  g_assert_no_error (error);
  self->path = g_build_filename (self->dir, "spice.sock", NULL);

  self->spice = spice_server_new ();
  spice_server_set_noauth (self->spice);
  g_assert_cmpint (spice_server_init (self->spice, &core), ==, 0);
  self->kbd.base.sif = &kbd_interface.base;
  self->mouse.base.sif = &mouse_interface.base;
  g_assert_cmpint (spice_server_add_interface (self->spice, &self->kbd.base), ==, 0);
  g_assert_cmpint (spice_server_add_interface (self->spice, &self->mouse.base), ==, 0);

  self->service = g_socket_service_new ();
  address = g_unix_socket_address_new (self->path);
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming), self);
  g_socket_service_start (self->service);
  return self;
}

static void
remove_socket (void)
{
  if (the_server != NULL)
    {
      g_unlink (the_server->path);
      g_rmdir (the_server->dir);
    }
}

/* The process's server, started on first use; its records start empty. */
RtsServer *
rts_server_new (void)
{
  if (the_server == NULL)
    {
      server_new ();
      atexit (remove_socket);
    }
  g_byte_array_set_size (the_server->keys, 0);
  g_array_set_size (the_server->mouse_events, 0);
  g_array_set_size (the_server->tablet_events, 0);
  return the_server;
}

/* Forgets the records and hooks; the server itself lives until exit. */
void
rts_server_free (RtsServer *self)
{
  g_assert (self == the_server);
  g_byte_array_set_size (self->keys, 0);
  g_array_set_size (self->mouse_events, 0);
  g_array_set_size (self->tablet_events, 0);
  self->key_hook = NULL;
  self->key_hook_data = NULL;
}

const char *
rts_server_get_path (RtsServer *self)
{
  return self->path;
}

GByteArray *
rts_server_get_keys (RtsServer *self)
{
  return self->keys;
}

GArray *
rts_server_get_mouse (RtsServer *self)
{
  return self->mouse_events;
}

void
rts_server_set_key_hook (RtsServer  *self,
                         RtsKeyHook  hook,
                         gpointer    user_data)
{
  self->key_hook = hook;
  self->key_hook_data = user_data;
}

/* ---- a guest agent: the "vdagent" char device ------------------------------
 *
 * What the server writes is a stream of VDIChunkHeader + payload; the
 * payloads of one port, put together, are VDAgentMessages. What the agent
 * says goes out the same way, in chunks the server accepts (≤ 2 KiB). */

#include <spice/vd_agent.h>

#define AGENT_CHUNK_MAX (VD_AGENT_MAX_DATA_SIZE - sizeof (VDIChunkHeader))

typedef struct
{
  SpiceCharDeviceInstance sin;
  gboolean     plugged;
  guint32      caps[VD_AGENT_CAPS_SIZE];
  guint32      client_caps[VD_AGENT_CAPS_SIZE];
  GByteArray  *in;          /* chunk stream from the server, not parsed yet */
  GByteArray  *message;     /* a message being put together from chunks */
  GByteArray  *out;         /* chunk stream to the server, not read yet */
  GPtrArray   *log;
  RtsAgentHook hook;
  gpointer     hook_data;
  guint        wakeup_id;
} RtsAgent;

static RtsAgent the_agent;

static void
agent_message_free (gpointer data)
{
  RtsAgentMessage *message = data;

  g_bytes_unref (message->data);
  g_free (message);
}

static gboolean
agent_has_cap (guint cap)
{
  return VD_AGENT_HAS_CAPABILITY (the_agent.caps, VD_AGENT_CAPS_SIZE, cap);
}

static gboolean
agent_wakeup_cb (gpointer data)
{
  the_agent.wakeup_id = 0;
  if (the_agent.plugged)
    spice_server_char_device_wakeup (&the_agent.sin);
  return G_SOURCE_REMOVE;
}

/* Never from inside the server's own read or write: it would re-enter. */
static void
agent_queue (guint32 type, const void *data, gsize size)
{
  VDAgentMessage header = { VD_AGENT_PROTOCOL, type, 0, (guint32) size };
  g_autoptr(GByteArray) message = g_byte_array_sized_new (sizeof header + size);

  g_byte_array_append (message, (const guint8 *) &header, sizeof header);
  if (size > 0)
    g_byte_array_append (message, data, size);
  for (gsize pos = 0; pos < message->len; pos += AGENT_CHUNK_MAX)
    {
      VDIChunkHeader chunk = { VDP_CLIENT_PORT, (guint32) MIN (AGENT_CHUNK_MAX, message->len - pos) };

      g_byte_array_append (the_agent.out, (const guint8 *) &chunk, sizeof chunk);
      g_byte_array_append (the_agent.out, message->data + pos, chunk.size);
    }
  if (the_agent.wakeup_id == 0)
    the_agent.wakeup_id = g_idle_add (agent_wakeup_cb, NULL);
}

static void
agent_announce (gboolean request)
{
  guint8 buf[sizeof (VDAgentAnnounceCapabilities) + sizeof the_agent.caps];
  VDAgentAnnounceCapabilities *announce = (VDAgentAnnounceCapabilities *) buf;

  announce->request = request;
  memcpy (buf + sizeof *announce, the_agent.caps, sizeof the_agent.caps);
  agent_queue (VD_AGENT_ANNOUNCE_CAPABILITIES, buf, sizeof buf);
}

static void
agent_log (const guint8 *data, gsize size)
{
  const VDAgentMessage *header = (const VDAgentMessage *) data;
  const guint8 *body = data + sizeof *header;
  gsize len = header->size;
  RtsAgentMessage *message = g_new0 (RtsAgentMessage, 1);
  gboolean clip = header->type == VD_AGENT_CLIPBOARD || header->type == VD_AGENT_CLIPBOARD_GRAB
                  || header->type == VD_AGENT_CLIPBOARD_REQUEST
                  || header->type == VD_AGENT_CLIPBOARD_RELEASE;

  message->type = header->type;
  if (clip && agent_has_cap (VD_AGENT_CAP_CLIPBOARD_SELECTION) && len >= 4)
    {
      message->selection = body[0];
      body += 4, len -= 4;
    }
  if ((header->type == VD_AGENT_CLIPBOARD || header->type == VD_AGENT_CLIPBOARD_REQUEST) && len >= 4)
    {
      memcpy (&message->clip_type, body, 4);
      body += 4, len -= 4;
    }
  message->data = g_bytes_new (body, len);
  g_ptr_array_add (the_agent.log, message);
  if (the_agent.hook != NULL)
    the_agent.hook (message, the_agent.hook_data);
}

static void
agent_handle (const guint8 *data, gsize size)
{
  const VDAgentMessage *header = (const VDAgentMessage *) data;

  if (header->type == VD_AGENT_ANNOUNCE_CAPABILITIES && header->size >= 4)
    {
      const VDAgentAnnounceCapabilities *announce = (const void *) (data + sizeof *header);
      gsize n = MIN (VD_AGENT_CAPS_SIZE_FROM_MSG_SIZE (header->size), VD_AGENT_CAPS_SIZE);

      memset (the_agent.client_caps, 0, sizeof the_agent.client_caps);
      memcpy (the_agent.client_caps, data + sizeof *header + sizeof *announce, n * 4);
      if (announce->request)
        agent_announce (FALSE);
      return;
    }
  agent_log (data, size);
}

/* Takes the complete messages of client port chunks out of the stream. */
static void
agent_parse (void)
{
  while (the_agent.in->len >= sizeof (VDIChunkHeader))
    {
      VDIChunkHeader chunk;

      memcpy (&chunk, the_agent.in->data, sizeof chunk);
      if (the_agent.in->len < sizeof chunk + chunk.size)
        return;
      if (chunk.port == VDP_CLIENT_PORT)
        g_byte_array_append (the_agent.message, the_agent.in->data + sizeof chunk, chunk.size);
      g_byte_array_remove_range (the_agent.in, 0, sizeof chunk + chunk.size);

      while (the_agent.message->len >= sizeof (VDAgentMessage))
        {
          VDAgentMessage header;
          gsize total;

          memcpy (&header, the_agent.message->data, sizeof header);
          total = sizeof header + header.size;
          if (the_agent.message->len < total)
            break;
          agent_handle (the_agent.message->data, total);
          g_byte_array_remove_range (the_agent.message, 0, total);
        }
    }
}

static int
agent_write (SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
  g_byte_array_append (the_agent.in, buf, len);
  agent_parse ();
  return len;
}

static int
agent_read (SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
  int n = MIN ((guint) len, the_agent.out->len);

  if (n == 0)
    return 0;
  memcpy (buf, the_agent.out->data, n);
  g_byte_array_remove_range (the_agent.out, 0, n);
  return n;
}

static void
agent_state (SpiceCharDeviceInstance *sin, int connected)
{
}

static const SpiceCharDeviceInterface agent_interface = {
  .base = { .type = SPICE_INTERFACE_CHAR_DEVICE, .description = "refract test agent",
            .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
            .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR },
  .state = agent_state,
  .write = agent_write,
  .read = agent_read,
};

void
rts_server_add_agent (RtsServer *self, const guint32 *caps, guint n_caps)
{
  g_assert (self == the_server);
  g_assert_false (the_agent.plugged);
  if (the_agent.log == NULL)
    {
      the_agent.in = g_byte_array_new ();
      the_agent.message = g_byte_array_new ();
      the_agent.out = g_byte_array_new ();
      the_agent.log = g_ptr_array_new_with_free_func (agent_message_free);
    }
  g_byte_array_set_size (the_agent.in, 0);
  g_byte_array_set_size (the_agent.message, 0);
  g_byte_array_set_size (the_agent.out, 0);
  g_ptr_array_set_size (the_agent.log, 0);
  memset (the_agent.caps, 0, sizeof the_agent.caps);
  memset (the_agent.client_caps, 0, sizeof the_agent.client_caps);
  for (guint i = 0; i < n_caps; i++)
    VD_AGENT_SET_CAPABILITY (the_agent.caps, caps[i]);
  the_agent.sin.base.sif = &agent_interface.base;
  the_agent.sin.subtype = "vdagent";
  g_assert_cmpint (spice_server_add_interface (self->spice, &the_agent.sin.base), ==, 0);
  the_agent.plugged = TRUE;
  /* as spice-vdagent does when it starts; the client's announce gets an answer too */
  agent_announce (TRUE);
}

void
rts_server_remove_agent (RtsServer *self)
{
  g_assert (self == the_server);
  if (!the_agent.plugged)
    return;
  spice_server_remove_interface (&the_agent.sin.base);
  the_agent.plugged = FALSE;
  g_clear_handle_id (&the_agent.wakeup_id, g_source_remove);
  g_byte_array_set_size (the_agent.out, 0);
}

gboolean
rts_server_has_agent (RtsServer *self)
{
  return the_agent.plugged;
}

GPtrArray *
rts_agent_get_messages (RtsServer *self)
{
  g_assert (the_agent.log != NULL);
  return the_agent.log;
}

void
rts_agent_set_hook (RtsServer *self, RtsAgentHook hook, gpointer user_data)
{
  the_agent.hook = hook;
  the_agent.hook_data = user_data;
}

gboolean
rts_agent_client_has_cap (RtsServer *self, guint cap)
{
  return VD_AGENT_HAS_CAPABILITY (the_agent.client_caps, VD_AGENT_CAPS_SIZE, cap);
}

void
rts_agent_send (RtsServer *self, guint32 type, const void *data, gsize size)
{
  g_assert (the_agent.plugged);
  agent_queue (type, data, size);
}

/* The selection prefix, when the agent has the capability, then @body. */
static void
agent_send_clipboard (guint32 type, guint8 selection, const void *head, gsize head_size,
                      const void *body, gsize body_size)
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  guint8 prefix[4] = { selection, 0, 0, 0 };

  g_assert (the_agent.plugged);
  if (agent_has_cap (VD_AGENT_CAP_CLIPBOARD_SELECTION))
    g_byte_array_append (message, prefix, sizeof prefix);
  if (head_size > 0)
    g_byte_array_append (message, head, head_size);
  if (body_size > 0)
    g_byte_array_append (message, body, body_size);
  agent_queue (type, message->data, message->len);
}

void
rts_agent_clipboard_grab (RtsServer *self, guint8 selection, const guint32 *types, guint n_types)
{
  agent_send_clipboard (VD_AGENT_CLIPBOARD_GRAB, selection, types, n_types * sizeof (guint32),
                        NULL, 0);
}

void
rts_agent_clipboard_request (RtsServer *self, guint8 selection, guint32 type)
{
  agent_send_clipboard (VD_AGENT_CLIPBOARD_REQUEST, selection, &type, sizeof type, NULL, 0);
}

void
rts_agent_clipboard_data (RtsServer *self, guint8 selection, guint32 type, const void *data,
                          gsize size)
{
  agent_send_clipboard (VD_AGENT_CLIPBOARD, selection, &type, sizeof type, data, size);
}

void
rts_agent_clipboard_release (RtsServer *self, guint8 selection)
{
  agent_send_clipboard (VD_AGENT_CLIPBOARD_RELEASE, selection, NULL, 0, NULL, 0);
}
