/* refract-display-transform.c: where the guest's framebuffer goes in the widget, and back
 *
 * The image is scaled by s = MIN (ww / fbw, wh / fbh) and centred; offsets are
 * rounded to whole device pixels so that 1:1 and integer scales stay sharp.
 * Input maps back with (fbw - 1) / (dw - 1) so both last pixels are reachable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "refract-display-transform.h"

static double
snap (double value, int device_scale)
{
  return round (value * device_scale) / device_scale;
}

static void
place (RefractDisplayTransform *t,
       double                   widget_width,
       double                   widget_height,
       double                   width,
       double                   height)
{
  t->width = width;
  t->height = height;
  t->x = snap (MAX (0.0, (widget_width - width) / 2), t->device_scale);
  t->y = snap (MAX (0.0, (widget_height - height) / 2), t->device_scale);
}

static void
init (RefractDisplayTransform *t,
      int                      fb_width,
      int                      fb_height,
      int                      device_scale)
{
  g_assert (t != NULL);

  t->fb_width = MAX (fb_width, 0);
  t->fb_height = MAX (fb_height, 0);
  t->device_scale = MAX (device_scale, 1);
  t->x = t->y = t->width = t->height = 0;
}

void
refract_display_transform_fit (RefractDisplayTransform *t,
                               int                      fb_width,
                               int                      fb_height,
                               double                   widget_width,
                               double                   widget_height,
                               int                      device_scale)
{
  double s;

  init (t, fb_width, fb_height, device_scale);
  if (t->fb_width == 0 || t->fb_height == 0 || widget_width <= 0 || widget_height <= 0)
    return;

  s = MIN (widget_width / t->fb_width, widget_height / t->fb_height);
  /* whole device pixels, so that an exact fit is exactly 1:1 */
  place (t, widget_width, widget_height,
         snap (t->fb_width * s, t->device_scale), snap (t->fb_height * s, t->device_scale));
}

/* @zoom guest pixels per device pixel: 1.0 is one guest pixel on one screen pixel. */
void
refract_display_transform_zoom (RefractDisplayTransform *t,
                                int                      fb_width,
                                int                      fb_height,
                                double                   widget_width,
                                double                   widget_height,
                                double                   zoom,
                                int                      device_scale)
{
  init (t, fb_width, fb_height, device_scale);
  if (zoom <= 0)
    zoom = 1.0;
  place (t, widget_width, widget_height,
         snap (t->fb_width * zoom / t->device_scale, t->device_scale),
         snap (t->fb_height * zoom / t->device_scale, t->device_scale));
}

static int
axis_to_guest (double w, double origin, double size, int fb, gboolean *inside)
{
  double g;

  if (fb <= 1 || size <= 1)
    return 0;
  if (w < origin || w > origin + size - 1)
    *inside = FALSE;
  g = round ((w - origin) * (fb - 1) / (size - 1));
  return (int) CLAMP (g, 0, fb - 1);
}

/* Returns whether (@wx, @wy) lies on the image; the guest position is clamped either way. */
gboolean
refract_display_transform_to_guest (const RefractDisplayTransform *t,
                                    double                         wx,
                                    double                         wy,
                                    int                           *gx,
                                    int                           *gy)
{
  gboolean inside = t->fb_width > 0 && t->fb_height > 0;

  *gx = axis_to_guest (wx, t->x, t->width, t->fb_width, &inside);
  *gy = axis_to_guest (wy, t->y, t->height, t->fb_height, &inside);
  return inside;
}

void
refract_display_transform_to_widget (const RefractDisplayTransform *t,
                                     int                            gx,
                                     int                            gy,
                                     double                        *wx,
                                     double                        *wy)
{
  *wx = t->x + (t->fb_width > 1 ? gx * (t->width - 1) / (t->fb_width - 1) : 0);
  *wy = t->y + (t->fb_height > 1 ? gy * (t->height - 1) / (t->fb_height - 1) : 0);
}

/* Device pixels per guest pixel. */
double
refract_display_transform_device_ratio (const RefractDisplayTransform *t)
{
  if (t->fb_width == 0)
    return 0;
  return t->width * t->device_scale / t->fb_width;
}

/* Whether each guest pixel covers a whole number of device pixels on both axes,
 * so nearest-neighbour sampling shows it without blur. */
gboolean
refract_display_transform_is_integer (const RefractDisplayTransform *t)
{
  double rx, ry;

  if (t->fb_width == 0 || t->fb_height == 0)
    return FALSE;
  rx = t->width * t->device_scale / t->fb_width;
  ry = t->height * t->device_scale / t->fb_height;
  return rx >= 1 && fabs (rx - round (rx)) < 1e-9 && fabs (ry - round (ry)) < 1e-9;
}
