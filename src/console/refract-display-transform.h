/* refract-display-transform.h: where the guest's framebuffer goes in the widget, and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int    fb_width;       /* guest pixels */
  int    fb_height;
  double x;              /* destination rectangle in widget coordinates */
  double y;
  double width;
  double height;
  int    device_scale;   /* the surface's scale factor */
} RefractDisplayTransform;

void     refract_display_transform_fit        (RefractDisplayTransform *t,
                                               int                      fb_width,
                                               int                      fb_height,
                                               double                   widget_width,
                                               double                   widget_height,
                                               int                      device_scale);
void     refract_display_transform_zoom       (RefractDisplayTransform *t,
                                               int                      fb_width,
                                               int                      fb_height,
                                               double                   widget_width,
                                               double                   widget_height,
                                               double                   zoom,
                                               int                      device_scale);
gboolean refract_display_transform_to_guest   (const RefractDisplayTransform *t,
                                               double                   wx,
                                               double                   wy,
                                               int                     *gx,
                                               int                     *gy);
void     refract_display_transform_to_widget  (const RefractDisplayTransform *t,
                                               int                      gx,
                                               int                      gy,
                                               double                  *wx,
                                               double                  *wy);
double   refract_display_transform_device_ratio (const RefractDisplayTransform *t);
gboolean refract_display_transform_is_integer (const RefractDisplayTransform *t);

G_END_DECLS
