/* refract-test-spice-server.c: an in-process libspice-server for input tests
 *
 * The server's core interface runs its timers and watches on the default
 * GMainContext, the same one the client uses, so one thread drives both ends.
 * Clients connect to a unix socket; each accepted connection is handed to
 * spice_server_add_client (). A keyboard and a mouse record what arrives.
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
};

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

/* ---- the socket ---------------------------------------------------------- */

static gboolean
incoming (GSocketService     *service,
          GSocketConnection  *connection,
          GObject            *source,
          RtsServer          *self)
{
  int fd = dup (g_socket_get_fd (g_socket_connection_get_socket (connection)));

  g_assert_cmpint (fd, >=, 0);
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
  return the_server;
}

/* Forgets the records and hooks; the server itself lives until exit. */
void
rts_server_free (RtsServer *self)
{
  g_assert (self == the_server);
  g_byte_array_set_size (self->keys, 0);
  g_array_set_size (self->mouse_events, 0);
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
