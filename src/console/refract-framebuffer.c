/* refract-framebuffer.c: the guest's primary surface as damage-tracked texture tiles
 *
 * SPICE's invalidates arrive many times a frame; they only mark tiles. Once per
 * frame (when the widget snapshots) the dirty tiles are copied out of the live
 * primary into new immutable GdkMemoryTextures, forcing the unused X byte of
 * the BGRX pixels to opaque alpha. The live buffer itself is never wrapped in a
 * texture: it keeps changing under the renderer.
 *
 * Tile format: BGRA premultiplied is GL's native upload format. GTK 4.8's
 * cairo renderer instead converts every texture to cairo's ARGB32 through
 * floats unless it is 3-byte RGB/BGR (measured at 1920×1080: 15 ms for
 * BGRA premultiplied, 2.2 ms for BGR), so under cairo the tiles are BGR,
 * which drops the X byte instead of forcing it.
 *
 * Direct mode (for GTK 4.8's cairo renderer, refract_framebuffer_set_direct):
 * no tiles at all. The snapshot appends a cairo node that paints the live
 * primary, wrapped in a cairo RGB24 image surface, and the renderer's replay
 * copies it straight into its paint surface: one pass over the pixels instead
 * of four (our tile copy, GTK's texture download into a new ARGB32 surface,
 * its composite, plus the allocations). The node reads the primary when it is
 * rendered, which is right after the snapshot on the same thread that writes
 * the primary; the recording holds a cairo snapshot of the wrapper that is
 * copied (once) only when the wrapper is finished, i.e. before the channel
 * frees the primary, so an old node never reads freed memory. The wrapper is
 * never drawn to and never flushed or marked dirty, which would make cairo
 * copy the whole primary into that snapshot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <tmmintrin.h>
#define HAVE_SSSE3_PATH 1
#endif

#include "refract-framebuffer.h"

#define TILE REFRACT_FRAMEBUFFER_TILE_SIZE
#define OPAQUE 0xff000000u

typedef struct
{
  GdkTexture *texture;
  gboolean    dirty;
} Tile;

struct _RefractFramebuffer
{
  GObject       parent_instance;

  const guint8 *data;     /* borrowed from the display channel until it is destroyed */
  int           width;
  int           height;
  int           stride;
  guint         n_tiles_x;
  guint         n_tiles_y;
  Tile         *tiles;
  guint         n_dirty;
  GdkMemoryFormat format;
  gboolean      direct;
  cairo_surface_t *surface; /* direct mode: wraps data, created at the first snapshot */
  gint64        last_big_damage_us;
  gint64        fast_until_us;   /* direct mode: scale with the cheap filter until then */
};

/* Two paints with a quarter of the screen or more damaged this close together
 * are a stream (video, scrolling, a moving window): a scaled picture is drawn
 * with cairo's bilinear filter, about three times cheaper than the default
 * one at 1920×1080 → 1280×720, and the default comes back this long after the
 * stream stops (refract_framebuffer_get_fast_until ()). */
#define STREAM_GAP_US (200 * 1000)

G_DEFINE_FINAL_TYPE (RefractFramebuffer, refract_framebuffer, G_TYPE_OBJECT)

static void
free_tiles (RefractFramebuffer *self)
{
  for (guint i = 0; i < self->n_tiles_x * self->n_tiles_y; i++)
    g_clear_object (&self->tiles[i].texture);
  g_clear_pointer (&self->tiles, g_free);
  self->n_tiles_x = self->n_tiles_y = 0;
  self->n_dirty = 0;
}

/* Lets go of the wrapper of the primary; cairo first copies the pixels into the
 * snapshot a render node may still hold, while they are still there. */
static void
drop_surface (RefractFramebuffer *self)
{
  if (self->surface == NULL)
    return;
  cairo_surface_finish (self->surface);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
}

static void
refract_framebuffer_finalize (GObject *object)
{
  drop_surface (REFRACT_FRAMEBUFFER (object));
  free_tiles (REFRACT_FRAMEBUFFER (object));
  G_OBJECT_CLASS (refract_framebuffer_parent_class)->finalize (object);
}

static void
refract_framebuffer_class_init (RefractFramebufferClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = refract_framebuffer_finalize;
}

static void
refract_framebuffer_init (RefractFramebuffer *self)
{
  self->format = GDK_MEMORY_B8G8R8A8_PREMULTIPLIED;
}

RefractFramebuffer *
refract_framebuffer_new (void)
{
  return g_object_new (REFRACT_TYPE_FRAMEBUFFER, NULL);
}

static Tile *
tile_at (RefractFramebuffer *self, guint tx, guint ty)
{
  g_assert (tx < self->n_tiles_x && ty < self->n_tiles_y);
  return &self->tiles[ty * self->n_tiles_x + tx];
}

/**
 * refract_framebuffer_set_primary:
 * @data: (transfer none): BGRX pixels (SPICE_SURFACE_FMT_32_xRGB), valid until
 *   refract_framebuffer_clear_primary () or the next set_primary
 *
 * Takes a new primary surface; every tile is dirty afterwards.
 */
void
refract_framebuffer_set_primary (RefractFramebuffer *self,
                                 int                 width,
                                 int                 height,
                                 int                 stride,
                                 const guint8       *data)
{
  g_return_if_fail (REFRACT_IS_FRAMEBUFFER (self));
  g_return_if_fail (width > 0 && height > 0 && stride >= width * 4 && data != NULL);

  drop_surface (self);
  free_tiles (self);
  self->data = data;
  self->width = width;
  self->height = height;
  self->stride = stride;
  self->n_tiles_x = (width + TILE - 1) / TILE;
  self->n_tiles_y = (height + TILE - 1) / TILE;
  self->tiles = g_new0 (Tile, self->n_tiles_x * self->n_tiles_y);
  refract_framebuffer_invalidate (self, 0, 0, width, height);
}

void
refract_framebuffer_clear_primary (RefractFramebuffer *self)
{
  g_return_if_fail (REFRACT_IS_FRAMEBUFFER (self));

  drop_surface (self);
  free_tiles (self);
  self->data = NULL;
  self->width = self->height = self->stride = 0;
}

void
refract_framebuffer_set_tile_format (RefractFramebuffer *self,
                                     GdkMemoryFormat     format)
{
  g_return_if_fail (REFRACT_IS_FRAMEBUFFER (self));
  g_return_if_fail (format == GDK_MEMORY_B8G8R8A8_PREMULTIPLIED || format == GDK_MEMORY_B8G8R8);

  if (self->format == format)
    return;
  self->format = format;
  refract_framebuffer_invalidate (self, 0, 0, self->width, self->height);
}

/**
 * refract_framebuffer_set_direct:
 * @direct: whether the snapshot paints the live primary with a cairo node
 *   instead of tiles (see the top of this file); right for GTK 4.8's cairo
 *   renderer, wrong for GL, which would upload the whole node every frame
 */
void
refract_framebuffer_set_direct (RefractFramebuffer *self,
                                gboolean            direct)
{
  g_return_if_fail (REFRACT_IS_FRAMEBUFFER (self));

  direct = !!direct;
  if (self->direct == direct)
    return;
  self->direct = direct;
  drop_surface (self);
  /* the tiles were not kept up to date in direct mode */
  refract_framebuffer_invalidate (self, 0, 0, self->width, self->height);
}

/* Direct mode: a scaled picture drawn before this time (monotonic, µs) used
 * the stream's cheaper filter; draw again then for the sharper one. 0 or a
 * past time when there is nothing to redraw. */
gint64
refract_framebuffer_get_fast_until (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), 0);
  return self->fast_until_us;
}

gboolean
refract_framebuffer_get_direct (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), FALSE);
  return self->direct;
}

GdkMemoryFormat
refract_framebuffer_get_tile_format (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), GDK_MEMORY_B8G8R8A8_PREMULTIPLIED);
  return self->format;
}

gboolean
refract_framebuffer_has_primary (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), FALSE);
  return self->data != NULL;
}

int
refract_framebuffer_get_width (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), 0);
  return self->width;
}

int
refract_framebuffer_get_height (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), 0);
  return self->height;
}

/* Cheap: called for every display-invalidate; only marks tiles. */
void
refract_framebuffer_invalidate (RefractFramebuffer *self,
                                int                 x,
                                int                 y,
                                int                 width,
                                int                 height)
{
  int x1, y1;

  g_return_if_fail (REFRACT_IS_FRAMEBUFFER (self));

  x1 = MIN (x + width, self->width);
  y1 = MIN (y + height, self->height);
  x = MAX (x, 0);
  y = MAX (y, 0);
  if (self->data == NULL || x >= x1 || y >= y1)
    return;

  for (guint ty = y / TILE; ty <= (guint) (y1 - 1) / TILE; ty++)
    for (guint tx = x / TILE; tx <= (guint) (x1 - 1) / TILE; tx++)
      {
        Tile *tile = tile_at (self, tx, ty);

        self->n_dirty += !tile->dirty;
        tile->dirty = TRUE;
      }
}

gboolean
refract_framebuffer_is_dirty (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), FALSE);
  return self->n_dirty > 0;
}

/* Two pixels at a time: this loop is most of the cost of a full-frame update. */
static void
copy_row_opaque (guint32 *dst, const guint32 *src, int n)
{
  const guint64 opaque2 = ((guint64) OPAQUE << 32) | OPAQUE;
  int i = 0;

  for (; i + 2 <= n; i += 2)
    {
      guint64 pair;

      memcpy (&pair, src + i, sizeof pair);
      pair |= opaque2;
      memcpy (dst + i, &pair, sizeof pair);
    }
  for (; i < n; i++)
    dst[i] = src[i] | OPAQUE;
}

#ifdef HAVE_SSSE3_PATH
/* BGRX → BGR, sixteen pixels at a time: each group of four is packed into
 * twelve bytes by one byte shuffle, and four groups make three stores.
 * Returns how many pixels it did; the caller finishes the row. */
__attribute__ ((target ("ssse3")))
static int
copy_row_bgr_ssse3 (guint8 *dst, const guint32 *src, int n)
{
  const __m128i pack = _mm_setr_epi8 (0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
  int i = 0;

  for (; i + 16 <= n; i += 16)
    {
      __m128i a = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (src + i)), pack);
      __m128i b = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (src + i + 4)), pack);
      __m128i c = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (src + i + 8)), pack);
      __m128i d = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (src + i + 12)), pack);
      guint8 *out = dst + (gsize) i * 3;

      _mm_storeu_si128 ((__m128i *) out, _mm_or_si128 (a, _mm_slli_si128 (b, 12)));
      _mm_storeu_si128 ((__m128i *) (out + 16), _mm_or_si128 (_mm_srli_si128 (b, 4), _mm_slli_si128 (c, 8)));
      _mm_storeu_si128 ((__m128i *) (out + 32), _mm_or_si128 (_mm_srli_si128 (c, 8), _mm_slli_si128 (d, 4)));
    }
  return i;
}

static gboolean
have_ssse3 (void)
{
  static int have = -1;

  if (have < 0)
    have = __builtin_cpu_supports ("ssse3") ? 1 : 0;
  return have == 1;
}
#endif

/* BGRX → BGR, four pixels (three words) at a time. */
static void
copy_row_bgr (guint8 *dst, const guint32 *src, int n)
{
  int i = 0;

#ifdef HAVE_SSSE3_PATH
  if (have_ssse3 ())
    i = copy_row_bgr_ssse3 (dst, src, n);
#endif

  for (; i + 4 <= n; i += 4)
    {
      guint32 p[4], w[3];

      memcpy (p, src + i, sizeof p);
      w[0] = (p[0] & 0xffffff) | (p[1] << 24);
      w[1] = ((p[1] >> 8) & 0xffff) | (p[2] << 16);
      w[2] = ((p[2] >> 16) & 0xff) | (p[3] << 8);
      memcpy (dst + (gsize) i * 3, w, sizeof w);
    }
  for (; i < n; i++)
    {
      guint32 p = src[i];

      dst[i * 3] = p & 0xff;
      dst[i * 3 + 1] = (p >> 8) & 0xff;
      dst[i * 3 + 2] = (p >> 16) & 0xff;
    }
}

/* Copies a rectangle of the primary into an opaque texture of @format. */
static GdkTexture *
copy_rect (RefractFramebuffer *self, GdkMemoryFormat format, int x, int y, int width, int height)
{
  gboolean bgr = format == GDK_MEMORY_B8G8R8;
  gsize row = (gsize) width * (bgr ? 3 : 4);
  guint8 *pixels = g_malloc (row * height);
  g_autoptr(GBytes) bytes = NULL;

  for (int j = 0; j < height; j++)
    {
      const guint32 *src = (const guint32 *) (self->data + (gsize) (y + j) * self->stride + x * 4);

      if (bgr)
        copy_row_bgr (pixels + (gsize) j * row, src, width);
      else
        copy_row_opaque ((guint32 *) (pixels + (gsize) j * row), src, width);
    }

  bytes = g_bytes_new_take (pixels, row * height);
  /* opaque, so premultiplying changes nothing */
  return gdk_memory_texture_new (width, height, format, bytes, row);
}

static void
rebuild_tile (RefractFramebuffer *self, guint tx, guint ty)
{
  Tile *tile = tile_at (self, tx, ty);
  int x = tx * TILE, y = ty * TILE;

  g_clear_object (&tile->texture);
  tile->texture = copy_rect (self, self->format, x, y, MIN (TILE, self->width - x), MIN (TILE, self->height - y));
  tile->dirty = FALSE;
}

/**
 * refract_framebuffer_update:
 *
 * Rebuilds the textures of the dirty tiles; call once per frame.
 *
 * Returns: how many tiles were rebuilt
 */
guint
refract_framebuffer_update (RefractFramebuffer *self)
{
  guint rebuilt = 0;

  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), 0);

  if (self->n_dirty == 0)
    return 0;
  for (guint ty = 0; ty < self->n_tiles_y; ty++)
    for (guint tx = 0; tx < self->n_tiles_x; tx++)
      if (tile_at (self, tx, ty)->dirty)
        {
          rebuild_tile (self, tx, ty);
          rebuilt++;
        }
  self->n_dirty = 0;
  return rebuilt;
}

static double
snap (double value, int device_scale)
{
  return round (value * device_scale) / device_scale;
}

static gboolean
is_integer_scale (double ratio)
{
  return ratio >= 1 && fabs (ratio - round (ratio)) < 1e-6;
}

static void
append_tile (GtkSnapshot *snapshot, GdkTexture *texture, const graphene_rect_t *bounds,
             gboolean nearest)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_snapshot_append_scaled_texture (snapshot, texture,
                                      nearest ? GSK_SCALING_FILTER_NEAREST : GSK_SCALING_FILTER_LINEAR,
                                      bounds);
#else
  /* 4.8 has no filter choice: tiles on whole device pixels are exact at 1:1 */
  (void) nearest;
  gtk_snapshot_append_texture (snapshot, texture, bounds);
#endif
}

static gboolean
snapshot_direct (RefractFramebuffer    *self,
                 GtkSnapshot           *snapshot,
                 const graphene_rect_t *dest,
                 double                 sx,
                 double                 sy,
                 gboolean               nearest)
{
  cairo_pattern_t *pattern;
  cairo_matrix_t matrix;
  cairo_t *cr;

  if (self->surface == NULL)
    {
      if (self->stride % 4 != 0
          || self->stride < cairo_format_stride_for_width (CAIRO_FORMAT_RGB24, self->width))
        return FALSE;
      /* RGB24 is BGRX in memory: the unused byte is ignored, no alpha to force */
      self->surface = cairo_image_surface_create_for_data ((guint8 *) self->data,
                                                           CAIRO_FORMAT_RGB24, self->width,
                                                           self->height, self->stride);
    }
  if (self->n_dirty * 4 >= self->n_tiles_x * self->n_tiles_y)
    {
      gint64 now = g_get_monotonic_time ();

      if (now - self->last_big_damage_us < STREAM_GAP_US)
        self->fast_until_us = now + STREAM_GAP_US;
      self->last_big_damage_us = now;
    }
  /* the damage is drawn; the tiles go stale, and leaving direct mode
   * invalidates them all */
  for (guint i = 0; i < self->n_tiles_x * self->n_tiles_y; i++)
    self->tiles[i].dirty = FALSE;
  self->n_dirty = 0;

  cr = gtk_snapshot_append_cairo (snapshot, dest);
  pattern = cairo_pattern_create_for_surface (self->surface);
  cairo_matrix_init_scale (&matrix, 1 / sx, 1 / sy);
  cairo_matrix_translate (&matrix, -dest->origin.x, -dest->origin.y);
  cairo_pattern_set_matrix (pattern, &matrix);
  /* as GTK draws a scaled texture with cairo: the edges do not fade out */
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  if (nearest)
    cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  else if (g_get_monotonic_time () < self->fast_until_us)
    cairo_pattern_set_filter (pattern, CAIRO_FILTER_BILINEAR);
  cairo_set_source (cr, pattern);
  cairo_rectangle (cr, dest->origin.x, dest->origin.y, dest->size.width, dest->size.height);
  cairo_fill (cr);
  cairo_pattern_destroy (pattern);
  cairo_destroy (cr);
  return TRUE;
}

/**
 * refract_framebuffer_snapshot:
 * @dest: where the whole primary goes, in widget coordinates
 * @device_scale: the surface's scale factor
 *
 * Draws the tiles (rebuilding the dirty ones first). Tile edges are put on
 * whole device pixels so neighbours meet without seams, and integer scales
 * use nearest-neighbour sampling where GTK offers it.
 */
void
refract_framebuffer_snapshot (RefractFramebuffer    *self,
                              GtkSnapshot           *snapshot,
                              const graphene_rect_t *dest,
                              int                    device_scale)
{
  double sx, sy;
  gboolean nearest;

  g_return_if_fail (REFRACT_IS_FRAMEBUFFER (self));

  if (self->data == NULL || dest->size.width <= 0 || dest->size.height <= 0)
    return;

  device_scale = MAX (device_scale, 1);
  sx = dest->size.width / self->width;
  sy = dest->size.height / self->height;
  nearest = is_integer_scale (sx * device_scale) && is_integer_scale (sy * device_scale);

  if (self->direct && snapshot_direct (self, snapshot, dest, sx, sy, nearest))
    return;
  refract_framebuffer_update (self);

  for (guint ty = 0; ty < self->n_tiles_y; ty++)
    for (guint tx = 0; tx < self->n_tiles_x; tx++)
      {
        double x0 = snap (dest->origin.x + tx * TILE * sx, device_scale);
        double y0 = snap (dest->origin.y + ty * TILE * sy, device_scale);
        double x1 = snap (dest->origin.x + MIN ((tx + 1) * TILE, (guint) self->width) * sx, device_scale);
        double y1 = snap (dest->origin.y + MIN ((ty + 1) * TILE, (guint) self->height) * sy, device_scale);

        append_tile (snapshot, tile_at (self, tx, ty)->texture,
                     &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0), nearest);
      }
}

/**
 * refract_framebuffer_dup_texture:
 *
 * Returns: (transfer full) (nullable): the whole current primary, opaque
 */
GdkTexture *
refract_framebuffer_dup_texture (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), NULL);

  if (self->data == NULL)
    return NULL;
  return copy_rect (self, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, 0, 0, self->width, self->height);
}

guint
refract_framebuffer_get_n_tiles_x (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), 0);
  return self->n_tiles_x;
}

guint
refract_framebuffer_get_n_tiles_y (RefractFramebuffer *self)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), 0);
  return self->n_tiles_y;
}

gboolean
refract_framebuffer_tile_is_dirty (RefractFramebuffer *self,
                                   guint               tx,
                                   guint               ty)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), FALSE);
  g_return_val_if_fail (tx < self->n_tiles_x && ty < self->n_tiles_y, FALSE);
  return tile_at (self, tx, ty)->dirty;
}

/* Returns: (transfer none) (nullable): the tile's texture as last rebuilt */
GdkTexture *
refract_framebuffer_get_tile (RefractFramebuffer *self,
                              guint               tx,
                              guint               ty)
{
  g_return_val_if_fail (REFRACT_IS_FRAMEBUFFER (self), NULL);
  g_return_val_if_fail (tx < self->n_tiles_x && ty < self->n_tiles_y, NULL);
  return tile_at (self, tx, ty)->texture;
}
