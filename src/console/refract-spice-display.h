/* refract-spice-display.h: the GTK 4 widget that shows and drives a SPICE display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-spice-session.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_SCALE_FIT,           /* letterboxed, the default */
  REFRACT_SCALE_ORIGINAL,      /* 1:1 (times zoom), no blur; put the widget in a GtkScrolledWindow */
  REFRACT_SCALE_RESIZE_GUEST,  /* ask the agent to resize the guest to the widget */
} RefractScaleMode;

#define REFRACT_TYPE_SPICE_DISPLAY (refract_spice_display_get_type ())

G_DECLARE_FINAL_TYPE (RefractSpiceDisplay, refract_spice_display, REFRACT, SPICE_DISPLAY, GtkWidget)

GtkWidget           *refract_spice_display_new              (void);
RefractSpiceSession *refract_spice_display_get_session      (RefractSpiceDisplay *self);
void                 refract_spice_display_set_session      (RefractSpiceDisplay *self,
                                                             RefractSpiceSession *session);
RefractScaleMode     refract_spice_display_get_scale_mode   (RefractSpiceDisplay *self);
void                 refract_spice_display_set_scale_mode   (RefractSpiceDisplay *self,
                                                             RefractScaleMode     mode);
double               refract_spice_display_get_zoom         (RefractSpiceDisplay *self);
void                 refract_spice_display_set_zoom         (RefractSpiceDisplay *self,
                                                             double               zoom);
/* XT set-1 scancodes (E0 keys as 0x100 | code): pressed in order, released in reverse. */
void                 refract_spice_display_send_keys        (RefractSpiceDisplay *self,
                                                             const guint         *scancodes,
                                                             guint                n_scancodes);
/* The guest's current frame at its own size, or NULL when there is none. */
GdkTexture          *refract_spice_display_get_frame        (RefractSpiceDisplay *self);
gboolean             refract_spice_display_get_keyboard_grabbed (RefractSpiceDisplay *self);
void                 refract_spice_display_release_grab     (RefractSpiceDisplay *self);

G_END_DECLS
