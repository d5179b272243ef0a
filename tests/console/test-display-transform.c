/* test-display-transform.c: framebuffer ↔ widget coordinates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-display-transform.h"

static void
assert_corners (const RefractDisplayTransform *t)
{
  double wx, wy;
  int gx, gy;

  /* widget corners → guest corners */
  g_assert_true (refract_display_transform_to_guest (t, t->x, t->y, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  g_assert_cmpint (gy, ==, 0);
  g_assert_true (refract_display_transform_to_guest (t, t->x + t->width - 1, t->y + t->height - 1,
                                                     &gx, &gy));
  g_assert_cmpint (gx, ==, t->fb_width - 1);
  g_assert_cmpint (gy, ==, t->fb_height - 1);

  /* guest corners → widget corners */
  refract_display_transform_to_widget (t, 0, 0, &wx, &wy);
  g_assert_cmpfloat (wx, ==, t->x);
  g_assert_cmpfloat (wy, ==, t->y);
  refract_display_transform_to_widget (t, t->fb_width - 1, t->fb_height - 1, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, t->x + t->width - 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (wy, t->y + t->height - 1, 1e-9);
}

/* Every guest column and row survives guest → widget → guest. */
static void
assert_round_trip (const RefractDisplayTransform *t)
{
  for (int g = 0; g < MAX (t->fb_width, t->fb_height); g++)
    {
      int gx = MIN (g, t->fb_width - 1), gy = MIN (g, t->fb_height - 1), bx, by;
      double wx, wy;

      refract_display_transform_to_widget (t, gx, gy, &wx, &wy);
      refract_display_transform_to_guest (t, wx, wy, &bx, &by);
      g_assert_cmpint (bx, ==, gx);
      g_assert_cmpint (by, ==, gy);
    }
}

static void
test_fit_letterbox (void)
{
  RefractDisplayTransform t;
  int gx, gy;

  /* SeaBIOS' 720×400 in a 1280×800 widget: bars top and bottom */
  refract_display_transform_fit (&t, 720, 400, 1280, 800, 1);
  g_assert_cmpfloat (t.x, ==, 0);
  g_assert_cmpfloat (t.width, ==, 1280);
  g_assert_cmpfloat (t.height, ==, 711);
  g_assert_cmpfloat (t.y, ==, 45);  /* (800 - 711) / 2 rounded to a device pixel */
  assert_corners (&t);
  assert_round_trip (&t);
  g_assert_false (refract_display_transform_is_integer (&t));

  /* in the bars: outside, clamped to the nearest edge */
  g_assert_false (refract_display_transform_to_guest (&t, 640, 10, &gx, &gy));
  g_assert_cmpint (gy, ==, 0);
  g_assert_false (refract_display_transform_to_guest (&t, 640, 790, &gx, &gy));
  g_assert_cmpint (gy, ==, 399);

  /* a tall widget: bars left and right */
  refract_display_transform_fit (&t, 800, 600, 1000, 1200, 1);
  g_assert_cmpfloat (t.width, ==, 1000);
  g_assert_cmpfloat (t.height, ==, 750);
  g_assert_cmpfloat (t.x, ==, 0);
  g_assert_cmpfloat (t.y, ==, 225);
  assert_corners (&t);

  refract_display_transform_fit (&t, 1920, 1080, 1280, 800, 1);
  g_assert_cmpfloat (t.width, ==, 1280);
  g_assert_cmpfloat (t.height, ==, 720);
  g_assert_cmpfloat (t.y, ==, 40);
  assert_corners (&t);
}

static void
test_integer_scale (void)
{
  RefractDisplayTransform t;

  refract_display_transform_fit (&t, 640, 400, 1280, 800, 1);
  g_assert_cmpfloat (t.x, ==, 0);
  g_assert_cmpfloat (t.y, ==, 0);
  g_assert_true (refract_display_transform_is_integer (&t));
  g_assert_cmpfloat (refract_display_transform_device_ratio (&t), ==, 2);
  assert_corners (&t);
  assert_round_trip (&t);

  /* 1:1, centred in a larger widget */
  refract_display_transform_zoom (&t, 800, 600, 1000, 700, 1.0, 1);
  g_assert_cmpfloat (t.width, ==, 800);
  g_assert_cmpfloat (t.x, ==, 100);
  g_assert_cmpfloat (t.y, ==, 50);
  g_assert_true (refract_display_transform_is_integer (&t));
  assert_corners (&t);
  assert_round_trip (&t);

  /* larger than the widget (it scrolls): starts at the origin */
  refract_display_transform_zoom (&t, 1920, 1080, 1000, 700, 1.0, 1);
  g_assert_cmpfloat (t.x, ==, 0);
  g_assert_cmpfloat (t.y, ==, 0);
  g_assert_cmpfloat (t.width, ==, 1920);
}

/* HiDPI: at scale factor 2, 1:1 means one guest pixel per device pixel. */
static void
test_hidpi (void)
{
  RefractDisplayTransform t;

  refract_display_transform_zoom (&t, 800, 600, 1000, 700, 1.0, 2);
  g_assert_cmpfloat (t.width, ==, 400);
  g_assert_cmpfloat (t.height, ==, 300);
  g_assert_cmpfloat (refract_display_transform_device_ratio (&t), ==, 1);
  g_assert_true (refract_display_transform_is_integer (&t));
  assert_corners (&t);

  /* fit at scale 2: offsets on half logical pixels are whole device pixels */
  refract_display_transform_fit (&t, 720, 400, 641, 400, 2);
  g_assert_cmpfloat (t.x * 2, ==, (int) (t.x * 2));
  g_assert_cmpfloat (t.y * 2, ==, (int) (t.y * 2));
  assert_corners (&t);
}

static void
test_degenerate (void)
{
  RefractDisplayTransform t;
  int gx = -1, gy = -1;

  refract_display_transform_fit (&t, 0, 0, 100, 100, 1);
  g_assert_false (refract_display_transform_to_guest (&t, 50, 50, &gx, &gy));
  g_assert_cmpint (gx, ==, 0);
  refract_display_transform_fit (&t, 720, 400, 0, 0, 1);
  g_assert_cmpfloat (t.width, ==, 0);
  g_assert_false (refract_display_transform_is_integer (&t));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/display-transform/fit-letterbox", test_fit_letterbox);
  g_test_add_func ("/display-transform/integer-scale", test_integer_scale);
  g_test_add_func ("/display-transform/hidpi", test_hidpi);
  g_test_add_func ("/display-transform/degenerate", test_degenerate);
  return g_test_run ();
}
