/* refract-spice-display.c: the GTK 4 widget that shows a SPICE display
 *
 * Drawing and sizing live here; keyboard, pointer and grabs in
 * refract-spice-display-input.c. The primary surface goes through a
 * RefractFramebuffer: invalidates only mark tiles, and the snapshot rebuilds the
 * dirty ones once per frame, or, under GTK 4.8's cairo renderer, paints the
 * live primary with one cairo node (benchmarks/CONSOLE.md, "60 fps").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#if CAIRO_HAS_XLIB_SURFACE
#include <cairo-xlib.h>
#define HAVE_CAIRO_XLIB_SHM_PIN 1
#endif
#endif

#define ZOOM_MIN 0.25
#define ZOOM_MAX 8.0

G_DEFINE_FINAL_TYPE (RefractSpiceDisplay, refract_spice_display, GTK_TYPE_WIDGET)

static GParamSpec *properties[REFRACT_SPICE_DISPLAY_N_PROPS];

void
_refract_spice_display_notify (RefractSpiceDisplay *self, int prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* ---- the display channel ------------------------------------------------- */

static void
notify_guest_size (RefractSpiceDisplay *self)
{
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_GUEST_WIDTH);
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_GUEST_HEIGHT);
}

static void
primary_create (RefractSpiceDisplay *self,
                int                  format,
                int                  width,
                int                  height,
                int                  stride,
                int                  shmid,
                gpointer             data,
                SpiceChannel        *channel)
{
  if (format != SPICE_SURFACE_FMT_32_xRGB && format != SPICE_SURFACE_FMT_32_ARGB)
    {
      g_debug ("Unsupported SPICE surface format %d", format);
      refract_framebuffer_clear_primary (self->framebuffer);
      return;
    }
  refract_framebuffer_set_primary (self->framebuffer, width, height, stride, data);
  notify_guest_size (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
primary_destroy (RefractSpiceDisplay *self,
                 SpiceChannel        *channel)
{
  refract_framebuffer_clear_primary (self->framebuffer);
  notify_guest_size (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Many times a frame: keep it cheap. */
static void
invalidate (RefractSpiceDisplay *self,
            int                  x,
            int                  y,
            int                  width,
            int                  height,
            SpiceChannel        *channel)
{
  refract_framebuffer_invalidate (self->framebuffer, x, y, width, height);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Every full-screen frame allocates and frees buffers of the primary's size
 * several times: spice-client-glib's message (the raw bitmap) and the pixman
 * image it decodes it into, GTK's paint surface, our tiles. glibc serves
 * blocks that large with a fresh mmap () and unmaps them on free (or trims
 * its heap), so every frame first-touches ~6,000 new pages: measured here that
 * was most of the client's CPU (a page fault costs far more than copying the
 * page, above all in a virtual machine). Keep blocks up to 32 MiB (glibc's
 * ceiling: a 3840×2160 primary) on the heap and the heap from shrinking, so
 * the same pages are reused every frame. The cost is that the heap keeps its
 * high-water mark (a few frames' worth) until the process ends. Once per
 * process, when the first display channel is attached. */
static void
keep_frame_memory (void)
{
#ifdef __GLIBC__
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      if (mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024) != 1
          || mallopt (M_TRIM_THRESHOLD, 256 * 1024 * 1024) != 1)
        g_debug ("mallopt refused the frame-memory thresholds");
      g_once_init_leave (&done, 1);
    }
#endif
}

static void
attach_display (RefractSpiceDisplay *self, SpiceDisplayChannel *display)
{
  SpiceDisplayPrimary primary;

  if (self->display != NULL)
    g_signal_handlers_disconnect_by_data (self->display, self);
  refract_framebuffer_clear_primary (self->framebuffer);
  g_set_object (&self->display, display);
  if (display != NULL)
    {
      keep_frame_memory ();
      g_signal_connect_object (display, "display-primary-create", G_CALLBACK (primary_create),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (display, "display-primary-destroy", G_CALLBACK (primary_destroy),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (display, "display-invalidate", G_CALLBACK (invalidate),
                               self, G_CONNECT_SWAPPED);
      /* attached late: the primary is already there */
      if (spice_display_channel_get_primary (SPICE_CHANNEL (display), 0, &primary))
        primary_create (self, primary.format, primary.width, primary.height, primary.stride,
                        primary.shmid, primary.data, SPICE_CHANNEL (display));
    }
  notify_guest_size (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* ---- the cursor channel -------------------------------------------------- */

static void
cursor_shape_changed (RefractSpiceDisplay *self,
                      GParamSpec          *pspec,
                      SpiceCursorChannel  *cursor)
{
  g_autoptr(GBytes) bytes = NULL;
  SpiceCursorShape *shape = NULL;

  g_object_get (cursor, "cursor", &shape, NULL);
  g_clear_object (&self->cursor_texture);
  g_clear_object (&self->cursor_shape);
  if (shape != NULL && shape->data != NULL && shape->width > 0 && shape->height > 0)
    {
      /* RGBA, not premultiplied */
      bytes = g_bytes_new (shape->data, (gsize) shape->width * shape->height * 4);
      self->cursor_texture = gdk_memory_texture_new (shape->width, shape->height,
                                                     GDK_MEMORY_R8G8B8A8, bytes,
                                                     shape->width * 4);
      self->cursor_hot_x = shape->hot_spot_x;
      self->cursor_hot_y = shape->hot_spot_y;
      self->cursor_shape = gdk_cursor_new_from_texture (self->cursor_texture, shape->hot_spot_x,
                                                        shape->hot_spot_y, NULL);
      self->cursor_hidden = FALSE;
    }
  if (shape != NULL)
    g_boxed_free (SPICE_TYPE_CURSOR_SHAPE, shape);
  _refract_spice_display_update_cursor (self);
}

static void
cursor_move (RefractSpiceDisplay *self,
             int                  x,
             int                  y,
             SpiceCursorChannel  *cursor)
{
  self->cursor_x = x;
  self->cursor_y = y;
  if (self->mouse_mode == SPICE_MOUSE_MODE_SERVER)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cursor_hide (RefractSpiceDisplay *self, SpiceCursorChannel *cursor)
{
  self->cursor_hidden = TRUE;
  _refract_spice_display_update_cursor (self);
}

static void
cursor_reset (RefractSpiceDisplay *self, SpiceCursorChannel *cursor)
{
  g_clear_object (&self->cursor_texture);
  g_clear_object (&self->cursor_shape);
  self->cursor_hidden = FALSE;
  _refract_spice_display_update_cursor (self);
}

static void
attach_cursor (RefractSpiceDisplay *self, SpiceCursorChannel *cursor)
{
  if (self->cursor != NULL)
    g_signal_handlers_disconnect_by_data (self->cursor, self);
  g_set_object (&self->cursor, cursor);
  g_clear_object (&self->cursor_texture);
  g_clear_object (&self->cursor_shape);
  if (cursor != NULL)
    {
      g_signal_connect_object (cursor, "notify::cursor", G_CALLBACK (cursor_shape_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (cursor, "cursor-move", G_CALLBACK (cursor_move),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (cursor, "cursor-hide", G_CALLBACK (cursor_hide),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (cursor, "cursor-reset", G_CALLBACK (cursor_reset),
                               self, G_CONNECT_SWAPPED);
    }
  _refract_spice_display_update_cursor (self);
}

/* ---- the main channel ---------------------------------------------------- */

static void
request_guest_size (RefractSpiceDisplay *self)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  int height = gtk_widget_get_height (GTK_WIDGET (self)) * scale;

  if (self->scale_mode != REFRACT_SCALE_RESIZE_GUEST || self->main == NULL
      || self->session == NULL || !refract_spice_session_get_agent_connected (self->session)
      || width <= 0 || height <= 0
      || (width == self->sent_width && height == self->sent_height))
    return;

  self->sent_width = width;
  self->sent_height = height;
  spice_main_channel_update_display_enabled (self->main, 0, TRUE, FALSE);
  /* spice-client-glib waits a second for the size to settle before it sends */
  spice_main_channel_update_display (self->main, 0, 0, 0, width, height, TRUE);
}

static void
mouse_mode_changed (RefractSpiceDisplay *self,
                    GParamSpec          *pspec,
                    SpiceMainChannel    *main)
{
  int mode = SPICE_MOUSE_MODE_SERVER;

  g_object_get (main, "mouse-mode", &mode, NULL);
  self->mouse_mode = mode;
  if (mode == SPICE_MOUSE_MODE_CLIENT && self->pointer_grabbed)
    {
      self->pointer_grabbed = FALSE;
      _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_POINTER_GRABBED);
    }
  _refract_spice_display_update_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
attach_main (RefractSpiceDisplay *self, SpiceMainChannel *main)
{
  if (self->main != NULL)
    g_signal_handlers_disconnect_by_data (self->main, self);
  g_set_object (&self->main, main);
  self->sent_width = self->sent_height = 0;
  self->mouse_mode = SPICE_MOUSE_MODE_SERVER;
  if (main != NULL)
    {
      g_signal_connect_object (main, "notify::mouse-mode", G_CALLBACK (mouse_mode_changed),
                               self, G_CONNECT_SWAPPED);
      mouse_mode_changed (self, NULL, main);
    }
}

/* ---- the session --------------------------------------------------------- */

static void
channels_changed (RefractSpiceDisplay *self)
{
  RefractSpiceSession *session = self->session;

  if (session == NULL || _refract_spice_session_get_display (session) != self->display)
    attach_display (self, session ? _refract_spice_session_get_display (session) : NULL);
  if (session == NULL || _refract_spice_session_get_cursor (session) != self->cursor)
    attach_cursor (self, session ? _refract_spice_session_get_cursor (session) : NULL);
  if (session == NULL || _refract_spice_session_get_main (session) != self->main)
    attach_main (self, session ? _refract_spice_session_get_main (session) : NULL);
  if (session == NULL || _refract_spice_session_get_inputs (session) != self->inputs)
    {
      /* The old channel's SpiceSession may already be gone, and sending on it
       * then trips spice-client-glib's assertions: forget what was held
       * without sending; the guest starts from nothing on the new channel. */
      g_clear_object (&self->inputs);
      _refract_spice_display_release_all (self);
      g_set_object ((GObject **) &self->inputs,
                    session ? G_OBJECT (_refract_spice_session_get_inputs (session)) : NULL);
    }
}

static void
agent_changed (RefractSpiceDisplay *self)
{
  self->sent_width = self->sent_height = 0;
  request_guest_size (self);
}

/* ---- drawing and size ---------------------------------------------------- */

static void
update_transform (RefractSpiceDisplay *self, int width, int height)
{
  int fbw = refract_framebuffer_get_width (self->framebuffer);
  int fbh = refract_framebuffer_get_height (self->framebuffer);
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  if (self->scale_mode == REFRACT_SCALE_ORIGINAL)
    refract_display_transform_zoom (&self->transform, fbw, fbh, width, height, self->zoom, scale);
  else
    refract_display_transform_fit (&self->transform, fbw, fbh, width, height, scale);
}

static void
snapshot_cursor (RefractSpiceDisplay *self, GtkSnapshot *snapshot)
{
  const RefractDisplayTransform *t = &self->transform;
  double ratio = refract_display_transform_device_ratio (t) / t->device_scale;
  double x, y;

  if (self->mouse_mode != SPICE_MOUSE_MODE_SERVER || self->cursor_texture == NULL
      || self->cursor_hidden || ratio <= 0)
    return;
  refract_display_transform_to_widget (t, self->cursor_x, self->cursor_y, &x, &y);
  gtk_snapshot_append_texture (snapshot, self->cursor_texture,
                               &GRAPHENE_RECT_INIT (x - self->cursor_hot_x * ratio,
                                                    y - self->cursor_hot_y * ratio,
                                                    gdk_texture_get_width (self->cursor_texture) * ratio,
                                                    gdk_texture_get_height (self->cursor_texture) * ratio));
}

/* Black where the guest's screen is not: only the bands around it, since a
 * rectangle under the whole screen costs the cairo renderer a fill of every
 * pixel each frame. The bands reach a whole pixel under the screen's edges,
 * which is drawn over them: GTK 4.8 renders the screen's cairo node with
 * soft edges, and a band that only met them left a light line at each edge. */
static void
snapshot_letterbox (RefractSpiceDisplay *self, GtkSnapshot *snapshot, int width, int height)
{
  const RefractDisplayTransform *t = &self->transform;
  const GdkRGBA black = { 0, 0, 0, 1 };
  double top = ceil (t->y) + 1, bottom = floor (t->y + t->height) - 1;
  double left = ceil (t->x) + 1, right = floor (t->x + t->width) - 1;

  if (!refract_framebuffer_has_primary (self->framebuffer) || t->width <= 0 || t->height <= 0)
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }
  if (top > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, top));
  if (bottom < height)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (0, bottom, width, height - bottom));
  if (left > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, left, height));
  if (right < width)
    gtk_snapshot_append_color (snapshot, &black,
                               &GRAPHENE_RECT_INIT (right, 0, width - right, height));
}

static gboolean
sharp_redraw (gpointer user_data)
{
  RefractSpiceDisplay *self = user_data;

  self->sharp_redraw_id = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

/* While a stream runs, scaled frames are drawn with the cheaper filter; once
 * it stops, the last one is drawn again with the sharp one. */
static void
schedule_sharp_redraw (RefractSpiceDisplay *self)
{
  gint64 wait = refract_framebuffer_get_fast_until (self->framebuffer) - g_get_monotonic_time ();

  if (wait <= 0 || self->sharp_redraw_id != 0)
    return;
  self->sharp_redraw_id = g_timeout_add ((guint) (wait / 1000) + 1, sharp_redraw, self);
}

static void
refract_spice_display_snapshot (GtkWidget   *widget,
                                GtkSnapshot *snapshot)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const RefractDisplayTransform *t = &self->transform;

  update_transform (self, width, height);
  snapshot_letterbox (self, snapshot, width, height);
  refract_framebuffer_snapshot (self->framebuffer, snapshot,
                                &GRAPHENE_RECT_INIT (t->x, t->y, t->width, t->height),
                                t->device_scale);
  snapshot_cursor (self, snapshot);
  schedule_sharp_redraw (self);
}

static void
refract_spice_display_measure (GtkWidget      *widget,
                               GtkOrientation  orientation,
                               int             for_size,
                               int            *minimum,
                               int            *natural,
                               int            *minimum_baseline,
                               int            *natural_baseline)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  int guest = orientation == GTK_ORIENTATION_HORIZONTAL
              ? refract_framebuffer_get_width (self->framebuffer)
              : refract_framebuffer_get_height (self->framebuffer);

  *minimum = 0;
  *natural = 0;
  /* 1:1 is one guest pixel on one device pixel */
  if (self->scale_mode == REFRACT_SCALE_ORIGINAL)
    *minimum = *natural = (int) ceil (guest * self->zoom / scale);
}

static void
refract_spice_display_size_allocate (GtkWidget *widget,
                                     int        width,
                                     int        height,
                                     int        baseline)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (widget);

  update_transform (self, width, height);
  request_guest_size (self);
}

#ifdef HAVE_CAIRO_XLIB_SHM_PIN
/* GTK 4.8's cairo renderer on X11 paints each frame into an image and hands
 * it to a cairo-xlib window surface, which copies it into a MIT-SHM segment
 * from cairo's pool for XShmPutImage. cairo destroys a pool as soon as nothing
 * in it is in use, i.e. after every frame, and the next frame shmget ()s a new
 * segment whose every page faults on first touch: 2,000 page faults a
 * full-screen frame, measured here most of the client's remaining CPU. One
 * shm image of the largest monitor's size, held per display, keeps a pool
 * (cairo makes pools eight times the first request) alive, so each frame's
 * upload reuses pages already mapped. Costs that image (shared memory, once
 * cleared) for as long as the display is open. */
static void
keep_xshm_pool (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  GListModel *monitors;
  cairo_surface_t *root, *pin;
  Display *xdisplay;
  int width = 0, height = 0;

  if (!GDK_IS_X11_DISPLAY (display) || g_object_get_data (G_OBJECT (display), "refract-xshm-tried"))
    return;
  monitors = gdk_display_get_monitors (display);
  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;
      int scale = gdk_monitor_get_scale_factor (monitor);

      gdk_monitor_get_geometry (monitor, &geometry);
      if ((gint64) geometry.width * geometry.height * scale * scale > (gint64) width * height)
        {
          width = geometry.width * scale;
          height = geometry.height * scale;
        }
    }
  if (width <= 0 || height <= 0)
    return;
  g_object_set_data (G_OBJECT (display), "refract-xshm-tried", GINT_TO_POINTER (1));
  xdisplay = gdk_x11_display_get_xdisplay (display);
  root = cairo_xlib_surface_create (xdisplay, gdk_x11_display_get_xrootwindow (display),
                                    DefaultVisual (xdisplay, DefaultScreen (xdisplay)), 1, 1);
  /* an image from cairo's shm pool when the server has MIT-SHM (it belongs to
   * the xlib device then); else a plain image, of no use to keep */
  pin = cairo_surface_create_similar_image (root, CAIRO_FORMAT_RGB24, width, height);
  cairo_surface_destroy (root);
  if (cairo_surface_get_device (pin) == NULL)
    {
      cairo_surface_destroy (pin);
      pin = NULL;
    }
  g_object_set_data_full (G_OBJECT (display), "refract-xshm-pin", pin,
                          pin ? (GDestroyNotify) cairo_surface_destroy : NULL);
}
#endif

/* What costs the renderer least: a cairo node of the live primary for cairo,
 * BGRA premultiplied tiles for GL (see refract-framebuffer.c). */
static void
refract_spice_display_realize (GtkWidget *widget)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (widget);
  GskRenderer *renderer;

  GTK_WIDGET_CLASS (refract_spice_display_parent_class)->realize (widget);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
#ifdef HAVE_CAIRO_XLIB_SHM_PIN
  if (renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer))
    keep_xshm_pool (widget);
#endif
  /* cairo: the live primary through a cairo node, no tiles at all */
  refract_framebuffer_set_direct (self->framebuffer,
                                  renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer));
  refract_framebuffer_set_tile_format (self->framebuffer, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED);
}

/* ---- GObject ------------------------------------------------------------- */

static void
refract_spice_display_dispose (GObject *object)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (object);

  refract_spice_display_set_session (self, NULL);
  _refract_spice_display_dispose_input (self);
  g_clear_handle_id (&self->sharp_redraw_id, g_source_remove);
  g_clear_object (&self->cursor_texture);
  g_clear_object (&self->cursor_shape);
  g_clear_object (&self->frame);
  G_OBJECT_CLASS (refract_spice_display_parent_class)->dispose (object);
}

static void
refract_spice_display_finalize (GObject *object)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (object);

  g_clear_object (&self->framebuffer);
  g_free (self->release_keyvals);
  g_free (self->held_keyvals);
  G_OBJECT_CLASS (refract_spice_display_parent_class)->finalize (object);
}

static void
refract_spice_display_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (object);

  switch (prop_id)
    {
    case REFRACT_SPICE_DISPLAY_PROP_SESSION: g_value_set_object (value, self->session); break;
    case REFRACT_SPICE_DISPLAY_PROP_SCALE_MODE: g_value_set_int (value, self->scale_mode); break;
    case REFRACT_SPICE_DISPLAY_PROP_ZOOM: g_value_set_double (value, self->zoom); break;
    case REFRACT_SPICE_DISPLAY_PROP_KEYBOARD_GRABBED:
      g_value_set_boolean (value, self->keyboard_grabbed);
      break;
    case REFRACT_SPICE_DISPLAY_PROP_POINTER_GRABBED:
      g_value_set_boolean (value, self->pointer_grabbed);
      break;
    case REFRACT_SPICE_DISPLAY_PROP_RELEASE_KEYS:
      g_value_take_string (value, _refract_spice_display_dup_release_keys (self));
      break;
    case REFRACT_SPICE_DISPLAY_PROP_GUEST_WIDTH:
      g_value_set_int (value, refract_framebuffer_get_width (self->framebuffer));
      break;
    case REFRACT_SPICE_DISPLAY_PROP_GUEST_HEIGHT:
      g_value_set_int (value, refract_framebuffer_get_height (self->framebuffer));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_spice_display_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  RefractSpiceDisplay *self = REFRACT_SPICE_DISPLAY (object);

  switch (prop_id)
    {
    case REFRACT_SPICE_DISPLAY_PROP_SESSION:
      refract_spice_display_set_session (self, g_value_get_object (value));
      break;
    case REFRACT_SPICE_DISPLAY_PROP_SCALE_MODE:
      refract_spice_display_set_scale_mode (self, g_value_get_int (value));
      break;
    case REFRACT_SPICE_DISPLAY_PROP_ZOOM:
      refract_spice_display_set_zoom (self, g_value_get_double (value));
      break;
    case REFRACT_SPICE_DISPLAY_PROP_RELEASE_KEYS:
      if (_refract_spice_display_set_release_keys (self, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_properties (GObjectClass *object_class)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  properties[REFRACT_SPICE_DISPLAY_PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, REFRACT_TYPE_SPICE_SESSION, rw);
  /* RefractScaleMode */
  properties[REFRACT_SPICE_DISPLAY_PROP_SCALE_MODE] =
    g_param_spec_int ("scale-mode", NULL, NULL, REFRACT_SCALE_FIT, REFRACT_SCALE_RESIZE_GUEST,
                      REFRACT_SCALE_FIT, rw);
  properties[REFRACT_SPICE_DISPLAY_PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, ZOOM_MIN, ZOOM_MAX, 1.0, rw);
  properties[REFRACT_SPICE_DISPLAY_PROP_KEYBOARD_GRABBED] =
    g_param_spec_boolean ("keyboard-grabbed", NULL, NULL, FALSE, ro);
  properties[REFRACT_SPICE_DISPLAY_PROP_POINTER_GRABBED] =
    g_param_spec_boolean ("pointer-grabbed", NULL, NULL, FALSE, ro);
  /* keyval names joined by "+", all held together release the grabs */
  properties[REFRACT_SPICE_DISPLAY_PROP_RELEASE_KEYS] =
    g_param_spec_string ("release-keys", NULL, NULL, "Control_L+Alt_L", rw);
  properties[REFRACT_SPICE_DISPLAY_PROP_GUEST_WIDTH] =
    g_param_spec_int ("guest-width", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[REFRACT_SPICE_DISPLAY_PROP_GUEST_HEIGHT] =
    g_param_spec_int ("guest-height", NULL, NULL, 0, G_MAXINT, 0, ro);
  g_object_class_install_properties (object_class, REFRACT_SPICE_DISPLAY_N_PROPS, properties);
}

static void
refract_spice_display_class_init (RefractSpiceDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_spice_display_dispose;
  object_class->finalize = refract_spice_display_finalize;
  object_class->get_property = refract_spice_display_get_property;
  object_class->set_property = refract_spice_display_set_property;
  widget_class->realize = refract_spice_display_realize;
  widget_class->snapshot = refract_spice_display_snapshot;
  widget_class->measure = refract_spice_display_measure;
  widget_class->size_allocate = refract_spice_display_size_allocate;
  install_properties (object_class);
  gtk_widget_class_set_css_name (widget_class, "refract-spice-display");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
refract_spice_display_init (RefractSpiceDisplay *self)
{
  self->framebuffer = refract_framebuffer_new ();
  self->zoom = 1.0;
  self->mouse_mode = SPICE_MOUSE_MODE_SERVER;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  _refract_spice_display_set_release_keys (self, "Control_L+Alt_L");
  _refract_spice_display_init_input (self);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
refract_spice_display_new (void)
{
  return g_object_new (REFRACT_TYPE_SPICE_DISPLAY, NULL);
}

RefractSpiceSession *
refract_spice_display_get_session (RefractSpiceDisplay *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_DISPLAY (self), NULL);
  return self->session;
}

void
refract_spice_display_set_session (RefractSpiceDisplay *self,
                                   RefractSpiceSession *session)
{
  static const char *const channel_props[] = {
    "notify::display-channel", "notify::cursor-channel", "notify::main-channel",
    "notify::inputs-channel",
  };

  g_return_if_fail (REFRACT_IS_SPICE_DISPLAY (self));
  g_return_if_fail (session == NULL || REFRACT_IS_SPICE_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (channel_props); i++)
        g_signal_connect_object (session, channel_props[i], G_CALLBACK (channels_changed),
                                 self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::agent-connected", G_CALLBACK (agent_changed),
                               self, G_CONNECT_SWAPPED);
    }
  channels_changed (self);
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_SESSION);
}

RefractScaleMode
refract_spice_display_get_scale_mode (RefractSpiceDisplay *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_DISPLAY (self), REFRACT_SCALE_FIT);
  return self->scale_mode;
}

void
refract_spice_display_set_scale_mode (RefractSpiceDisplay *self,
                                      RefractScaleMode     mode)
{
  g_return_if_fail (REFRACT_IS_SPICE_DISPLAY (self));
  g_return_if_fail (mode <= REFRACT_SCALE_RESIZE_GUEST);

  if (self->scale_mode == mode)
    return;
  self->scale_mode = mode;
  self->sent_width = self->sent_height = 0;
  if (self->main != NULL && mode != REFRACT_SCALE_RESIZE_GUEST)
    spice_main_channel_update_display_enabled (self->main, 0, TRUE, FALSE);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_SCALE_MODE);
}

double
refract_spice_display_get_zoom (RefractSpiceDisplay *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_DISPLAY (self), 1.0);
  return self->zoom;
}

/* Guest pixels per device pixel in REFRACT_SCALE_ORIGINAL; clamped to 0.25–8. */
void
refract_spice_display_set_zoom (RefractSpiceDisplay *self,
                                double               zoom)
{
  g_return_if_fail (REFRACT_IS_SPICE_DISPLAY (self));

  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (self->zoom == zoom)
    return;
  self->zoom = zoom;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_ZOOM);
}

/**
 * refract_spice_display_get_frame:
 *
 * A copy taken now (for screenshots): later frames do not change it.
 *
 * Returns: (transfer none) (nullable): the guest's current frame at its own
 *   size, owned by @self until the next call; ref it to keep it longer
 */
GdkTexture *
refract_spice_display_get_frame (RefractSpiceDisplay *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_DISPLAY (self), NULL);

  g_clear_object (&self->frame);
  self->frame = refract_framebuffer_dup_texture (self->framebuffer);
  return self->frame;
}

gboolean
refract_spice_display_get_keyboard_grabbed (RefractSpiceDisplay *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_DISPLAY (self), FALSE);
  return self->keyboard_grabbed;
}
