/* test-framebuffer.c: damage → dirty tiles → opaque textures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-framebuffer.h"

#define TILE REFRACT_FRAMEBUFFER_TILE_SIZE

/* BGRX with the X byte 0, as SPICE delivers it; each pixel encodes its position. */
static guint8 *
make_primary (int width, int height, int stride)
{
  guint8 *data = g_malloc0 ((gsize) stride * height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = data + (gsize) y * stride + x * 4;

        p[0] = x & 0xff;
        p[1] = y & 0xff;
        p[2] = (x + y) & 0xff;
        p[3] = 0;
      }
  return data;
}

/* Asserts that exactly the tiles in [tx0, tx1] × [ty0, ty1] are dirty. */
static void
assert_dirty (RefractFramebuffer *fb, guint tx0, guint ty0, guint tx1, guint ty1)
{
  for (guint ty = 0; ty < refract_framebuffer_get_n_tiles_y (fb); ty++)
    for (guint tx = 0; tx < refract_framebuffer_get_n_tiles_x (fb); tx++)
      {
        gboolean want = tx >= tx0 && tx <= tx1 && ty >= ty0 && ty <= ty1;

        if (refract_framebuffer_tile_is_dirty (fb, tx, ty) != want)
          g_error ("tile %u,%u: dirty %d, want %d", tx, ty, !want, want);
      }
}

static void
test_damage (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  g_autofree guint8 *data = make_primary (600, 300, 600 * 4);

  refract_framebuffer_set_primary (fb, 600, 300, 600 * 4, data);
  g_assert_cmpuint (refract_framebuffer_get_n_tiles_x (fb), ==, 3);
  g_assert_cmpuint (refract_framebuffer_get_n_tiles_y (fb), ==, 2);
  assert_dirty (fb, 0, 0, 2, 1);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 6);
  g_assert_false (refract_framebuffer_is_dirty (fb));
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 0);

  refract_framebuffer_invalidate (fb, 300, 10, 10, 10);
  assert_dirty (fb, 1, 0, 1, 0);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 1);

  /* across a corner shared by four tiles */
  refract_framebuffer_invalidate (fb, 250, 250, 10, 10);
  assert_dirty (fb, 0, 0, 1, 1);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 4);

  /* the edges: the last pixel of a tile and the first of the next */
  refract_framebuffer_invalidate (fb, TILE - 1, 0, 1, 1);
  assert_dirty (fb, 0, 0, 0, 0);
  refract_framebuffer_update (fb);
  refract_framebuffer_invalidate (fb, TILE, TILE, 1, 1);
  assert_dirty (fb, 1, 1, 1, 1);
  refract_framebuffer_update (fb);

  /* clipped to the surface; empty and outside rects mark nothing */
  refract_framebuffer_invalidate (fb, 590, -50, 100, 60);
  assert_dirty (fb, 2, 0, 2, 0);
  refract_framebuffer_update (fb);
  refract_framebuffer_invalidate (fb, 700, 0, 10, 10);
  refract_framebuffer_invalidate (fb, 10, 10, 0, 5);
  refract_framebuffer_invalidate (fb, -20, -20, 10, 10);
  g_assert_false (refract_framebuffer_is_dirty (fb));

  /* many invalidates in one frame rebuild each tile once */
  for (int i = 0; i < 100; i++)
    refract_framebuffer_invalidate (fb, i, i, 3, 3);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 1);
}

static void
assert_pixels (GdkTexture *texture, int x0, int y0)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 4);

  /* cairo ARGB32: B G R A in memory on little-endian */
  gdk_texture_download (texture, pixels, width * 4);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + ((gsize) y * width + x) * 4;

        g_assert_cmpuint (p[3], ==, 0xff);
        g_assert_cmpuint (p[0], ==, (x0 + x) & 0xff);
        g_assert_cmpuint (p[1], ==, (y0 + y) & 0xff);
        g_assert_cmpuint (p[2], ==, (x0 + x + y0 + y) & 0xff);
      }
}

static void
test_alpha_and_content (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  /* a stride wider than the image, as surfaces may have */
  g_autofree guint8 *data = make_primary (600, 300, 640 * 4);
  g_autoptr(GdkTexture) frame = NULL;
  GdkTexture *corner;

  refract_framebuffer_set_primary (fb, 600, 300, 640 * 4, data);
  refract_framebuffer_update (fb);

  corner = refract_framebuffer_get_tile (fb, 2, 1);
  g_assert_cmpint (gdk_texture_get_width (corner), ==, 600 - 2 * TILE);
  g_assert_cmpint (gdk_texture_get_height (corner), ==, 300 - TILE);
  assert_pixels (corner, 2 * TILE, TILE);
  assert_pixels (refract_framebuffer_get_tile (fb, 0, 0), 0, 0);

  frame = refract_framebuffer_dup_texture (fb);
  g_assert_cmpint (gdk_texture_get_width (frame), ==, 600);
  g_assert_cmpint (gdk_texture_get_height (frame), ==, 300);
  assert_pixels (frame, 0, 0);
}

/* BGR tiles (the cairo renderer's): same pixels, opaque; a format change
 * rebuilds every tile; odd widths take the per-pixel tail of the row copy. */
static void
test_bgr_tiles (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  g_autofree guint8 *data = make_primary (603, 300, 640 * 4);

  refract_framebuffer_set_primary (fb, 603, 300, 640 * 4, data);
  refract_framebuffer_update (fb);
  refract_framebuffer_set_tile_format (fb, GDK_MEMORY_B8G8R8);
  g_assert_cmpint (refract_framebuffer_get_tile_format (fb), ==, GDK_MEMORY_B8G8R8);
  assert_dirty (fb, 0, 0, 2, 1);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 6);
  assert_pixels (refract_framebuffer_get_tile (fb, 0, 0), 0, 0);
  assert_pixels (refract_framebuffer_get_tile (fb, 2, 1), 2 * TILE, TILE);
  refract_framebuffer_set_tile_format (fb, GDK_MEMORY_B8G8R8);
  g_assert_false (refract_framebuffer_is_dirty (fb));
}

static void
test_recreate (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  g_autofree guint8 *small = make_primary (720, 400, 720 * 4);
  g_autofree guint8 *large = make_primary (1024, 768, 1024 * 4);

  g_assert_false (refract_framebuffer_has_primary (fb));
  g_assert_null (refract_framebuffer_dup_texture (fb));

  refract_framebuffer_set_primary (fb, 720, 400, 720 * 4, small);
  refract_framebuffer_update (fb);
  refract_framebuffer_clear_primary (fb);
  g_assert_false (refract_framebuffer_has_primary (fb));
  g_assert_cmpuint (refract_framebuffer_get_n_tiles_x (fb), ==, 0);
  refract_framebuffer_invalidate (fb, 0, 0, 10, 10);  /* ignored: no surface */
  g_assert_false (refract_framebuffer_is_dirty (fb));

  refract_framebuffer_set_primary (fb, 1024, 768, 1024 * 4, large);
  g_assert_cmpint (refract_framebuffer_get_width (fb), ==, 1024);
  g_assert_cmpint (refract_framebuffer_get_height (fb), ==, 768);
  g_assert_cmpuint (refract_framebuffer_get_n_tiles_x (fb), ==, 4);
  g_assert_cmpuint (refract_framebuffer_get_n_tiles_y (fb), ==, 3);
  assert_dirty (fb, 0, 0, 3, 2);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 12);
  assert_pixels (refract_framebuffer_get_tile (fb, 3, 2), 3 * TILE, 2 * TILE);

  /* a new primary at the same size replaces every tile too */
  refract_framebuffer_set_primary (fb, 1024, 768, 1024 * 4, large);
  assert_dirty (fb, 0, 0, 3, 2);
}

static void
collect_textures (GskRenderNode *node, GPtrArray *out)
{
  if (gsk_render_node_get_node_type (node) == GSK_TEXTURE_NODE)
    g_ptr_array_add (out, node);
  else if (gsk_render_node_get_node_type (node) == GSK_CONTAINER_NODE)
    for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
      collect_textures (gsk_container_node_get_child (node, i), out);
}

/* At 2× the tiles cover the destination exactly, edge to edge. */
static void
test_snapshot (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  g_autofree guint8 *data = make_primary (600, 300, 600 * 4);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GPtrArray) tiles = g_ptr_array_new ();
  double area = 0;

  refract_framebuffer_set_primary (fb, 600, 300, 600 * 4, data);
  refract_framebuffer_snapshot (fb, snapshot, &GRAPHENE_RECT_INIT (10, 20, 1200, 600), 1);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_false (refract_framebuffer_is_dirty (fb));
  collect_textures (node, tiles);
  g_assert_cmpuint (tiles->len, ==, 6);
  for (guint i = 0; i < tiles->len; i++)
    {
      graphene_rect_t bounds;

      gsk_render_node_get_bounds (tiles->pdata[i], &bounds);
      area += bounds.size.width * bounds.size.height;
      g_assert_cmpfloat (bounds.origin.x, >=, 10);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, 1210);
    }
  g_assert_cmpfloat_with_epsilon (area, 1200.0 * 600.0, 0.5);
}

/* Renders @node into a new RGB24 image of @width × @height device pixels at
 * @scale, as GTK's cairo renderer does (gsk_render_node_draw on its paint
 * surface). */
static cairo_surface_t *
draw_node_scaled (GskRenderNode *node, int width, int height, int scale)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr;

  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);

  /* something under it, as the window's background is */
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static cairo_surface_t *
draw_node (GskRenderNode *node, int width, int height)
{
  return draw_node_scaled (node, width, height, 1);
}

/* Pixel (x, y) of @surface is the primary's (gx, gy) as make_primary () made it,
 * plus @shift on its blue byte. */
static void
assert_guest_pixel (cairo_surface_t *surface, int x, int y, int gx, int gy, int shift)
{
  const guint8 *p = cairo_image_surface_get_data (surface)
                    + (gsize) y * cairo_image_surface_get_stride (surface) + x * 4;

  if (p[0] != ((gx + shift) & 0xff) || p[1] != (gy & 0xff) || p[2] != ((gx + gy) & 0xff))
    g_error ("pixel %d,%d is %02x%02x%02x, want guest pixel %d,%d", x, y, p[2], p[1], p[0], gx, gy);
}

static GskRenderNode *
snapshot_node_scaled (RefractFramebuffer *fb, const graphene_rect_t *dest, int scale)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  refract_framebuffer_snapshot (fb, snapshot, dest, scale);
  return gtk_snapshot_free_to_node (snapshot);
}

static GskRenderNode *
snapshot_node (RefractFramebuffer *fb, const graphene_rect_t *dest)
{
  return snapshot_node_scaled (fb, dest, 1);
}

/* Direct mode (the cairo renderer's): one cairo node of the live primary;
 * exact pixels at 1:1 and at 2× (nearest), new pixels after new damage, and a
 * node made before the primary went away still draws the old pixels (cairo
 * copied them when the wrapper was finished) rather than freed memory. */
static void
test_direct (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  guint8 *data = make_primary (300, 200, 320 * 4);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderNode) scaled = NULL;
  g_autoptr(GskRenderNode) old = NULL;
  cairo_surface_t *out;

  refract_framebuffer_set_primary (fb, 300, 200, 320 * 4, data);
  refract_framebuffer_set_direct (fb, TRUE);
  g_assert_true (refract_framebuffer_get_direct (fb));
  g_assert_true (refract_framebuffer_is_dirty (fb));

  node = snapshot_node (fb, &GRAPHENE_RECT_INIT (10, 20, 300, 200));
  g_assert_false (refract_framebuffer_is_dirty (fb));
  g_assert_cmpint (gsk_render_node_get_node_type (node), ==, GSK_CAIRO_NODE);
  out = draw_node (node, 330, 230);
  for (int y = 0; y < 200; y += 7)
    for (int x = 0; x < 300; x += 3)
      assert_guest_pixel (out, 10 + x, 20 + y, x, y, 0);
  assert_guest_pixel (out, 10 + 299, 20 + 199, 299, 199, 0);
  cairo_surface_destroy (out);

  /* 2×: every guest pixel is a sharp 2×2 block */
  scaled = snapshot_node (fb, &GRAPHENE_RECT_INIT (0, 0, 600, 400));
  out = draw_node (scaled, 600, 400);
  for (int y = 0; y < 400; y += 5)
    for (int x = 0; x < 600; x += 3)
      assert_guest_pixel (out, x, y, x / 2, y / 2, 0);
  cairo_surface_destroy (out);

  /* a scale-2 surface, the guest at half its size in widget units: one guest
   * pixel on one device pixel, exact */
  g_clear_pointer (&scaled, gsk_render_node_unref);
  scaled = snapshot_node_scaled (fb, &GRAPHENE_RECT_INIT (5, 10, 150, 100), 2);
  out = draw_node_scaled (scaled, 320, 240, 2);
  for (int y = 0; y < 200; y += 3)
    for (int x = 0; x < 300; x += 7)
      assert_guest_pixel (out, 10 + x, 20 + y, x, y, 0);
  cairo_surface_destroy (out);

  /* the guest draws: the next node shows it */
  for (int y = 0; y < 200; y++)
    for (int x = 0; x < 300; x++)
      data[(gsize) y * 320 * 4 + x * 4] += 1;
  refract_framebuffer_invalidate (fb, 0, 0, 300, 200);
  g_assert_true (refract_framebuffer_is_dirty (fb));
  old = snapshot_node (fb, &GRAPHENE_RECT_INIT (0, 0, 300, 200));
  out = draw_node (old, 300, 200);
  assert_guest_pixel (out, 17, 33, 17, 33, 1);
  cairo_surface_destroy (out);

  /* the primary goes away and its memory is reused */
  refract_framebuffer_clear_primary (fb);
  memset (data, 0xee, (gsize) 320 * 4 * 200);
  g_free (data);
  out = draw_node (old, 300, 200);
  for (int y = 0; y < 200; y += 11)
    for (int x = 0; x < 300; x += 13)
      assert_guest_pixel (out, x, y, x, y, 1);
  cairo_surface_destroy (out);

  /* back to tiles: all of them rebuilt from the new primary */
  data = make_primary (300, 200, 300 * 4);
  refract_framebuffer_set_primary (fb, 300, 200, 300 * 4, data);
  refract_framebuffer_set_direct (fb, FALSE);
  g_assert_cmpuint (refract_framebuffer_update (fb), ==, 2);
  assert_pixels (refract_framebuffer_get_tile (fb, 0, 0), 0, 0);
  refract_framebuffer_clear_primary (fb);
  g_free (data);
}

static guint64
image_difference (cairo_surface_t *a, cairo_surface_t *b)
{
  int height = cairo_image_surface_get_height (a);
  int stride = cairo_image_surface_get_stride (a);
  const guint8 *pa = cairo_image_surface_get_data (a), *pb = cairo_image_surface_get_data (b);
  guint64 sum = 0;

  for (gsize i = 0; i < (gsize) height * stride; i++)
    sum += ABS (pa[i] - pb[i]);
  return sum;
}

/* Direct mode, scaled to 2/3: one frame is drawn with cairo's good filter; a
 * stream of full-screen frames (two big damages 200 ms apart or closer) with
 * the cheaper bilinear one, which shows on one-pixel stripes; after the stream
 * stops, the same frame is sharp again, exactly as before. */
static void
test_direct_stream (void)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  g_autofree guint8 *data = g_malloc ((gsize) 1200 * 4 * 800);
  const graphene_rect_t dest = GRAPHENE_RECT_INIT (0, 0, 800, 533);
  GskRenderNode *node;
  cairo_surface_t *sharp, *fast, *again;
  gint64 until;

  for (int y = 0; y < 800; y++)
    for (int x = 0; x < 1200; x++)
      memset (data + (gsize) y * 1200 * 4 + x * 4, x % 2 ? 0xff : 0x00, 4);
  refract_framebuffer_set_primary (fb, 1200, 800, 1200 * 4, data);
  refract_framebuffer_set_direct (fb, TRUE);

  node = snapshot_node (fb, &dest);
  g_assert_cmpint (refract_framebuffer_get_fast_until (fb), <, g_get_monotonic_time ());
  sharp = draw_node (node, 800, 533);
  gsk_render_node_unref (node);

  /* a small change is no stream */
  refract_framebuffer_invalidate (fb, 0, 0, 40, 40);
  node = snapshot_node (fb, &dest);
  g_assert_cmpint (refract_framebuffer_get_fast_until (fb), <, g_get_monotonic_time ());
  gsk_render_node_unref (node);

  refract_framebuffer_invalidate (fb, 0, 0, 1200, 800);
  node = snapshot_node (fb, &dest);
  until = refract_framebuffer_get_fast_until (fb);
  g_assert_cmpint (until, >, g_get_monotonic_time ());
  g_assert_cmpint (until, <=, g_get_monotonic_time () + 200 * 1000);
  fast = draw_node (node, 800, 533);
  gsk_render_node_unref (node);
  g_assert_cmpuint (image_difference (sharp, fast), >, 800 * 533);

  /* the stream stopped: drawn again, it is the sharp frame */
  while (g_get_monotonic_time () <= until)
    g_usleep (10 * 1000);
  node = snapshot_node (fb, &dest);
  again = draw_node (node, 800, 533);
  gsk_render_node_unref (node);
  g_assert_cmpuint (image_difference (sharp, again), ==, 0);

  cairo_surface_destroy (sharp);
  cairo_surface_destroy (fast);
  cairo_surface_destroy (again);
  refract_framebuffer_clear_primary (fb);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* render nodes without gtk_init (): no display is needed here */
  g_type_ensure (GSK_TYPE_TEXTURE_NODE);
  g_type_ensure (GSK_TYPE_CONTAINER_NODE);
  g_type_ensure (GSK_TYPE_CAIRO_NODE);
  g_test_add_func ("/framebuffer/damage", test_damage);
  g_test_add_func ("/framebuffer/alpha-and-content", test_alpha_and_content);
  g_test_add_func ("/framebuffer/bgr-tiles", test_bgr_tiles);
  g_test_add_func ("/framebuffer/recreate", test_recreate);
  g_test_add_func ("/framebuffer/snapshot", test_snapshot);
  g_test_add_func ("/framebuffer/direct", test_direct);
  g_test_add_func ("/framebuffer/direct-stream", test_direct_stream);
  return g_test_run ();
}
