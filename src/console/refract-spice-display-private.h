/* refract-spice-display-private.h: shared by the display widget's files and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <spice-client.h>

#include "refract-display-transform.h"
#include "refract-framebuffer.h"
#include "refract-spice-display.h"

G_BEGIN_DECLS

#define REFRACT_N_KEYCODES 256

struct _RefractSpiceDisplay
{
  GtkWidget            parent_instance;

  RefractSpiceSession *session;
  RefractFramebuffer  *framebuffer;
  GdkTexture          *frame;           /* what get_frame () returned last */
  SpiceMainChannel    *main;
  SpiceDisplayChannel *display;
  SpiceInputsChannel  *inputs;
  SpiceCursorChannel  *cursor;
  guint                sharp_redraw_id;

  RefractScaleMode     scale_mode;
  double               zoom;
  RefractDisplayTransform transform;
  int                  sent_width;      /* last size asked of the guest agent */
  int                  sent_height;

  /* the guest's pointer */
  int                  mouse_mode;
  GdkTexture          *cursor_texture;
  GdkCursor           *cursor_shape;
  int                  cursor_hot_x;
  int                  cursor_hot_y;
  int                  cursor_x;        /* server mode, guest pixels */
  int                  cursor_y;
  gboolean             cursor_hidden;

  /* input */
  GtkEventController  *key_controller;
  guint16              sent[REFRACT_N_KEYCODES];   /* scancode sent for each held keycode */
  guint                button_mask;
  guint               *release_keyvals;
  guint                n_release_keyvals;
  guint               *held_keyvals;
  guint                n_held_keyvals;
  GdkToplevel         *inhibited;
  guint                keyboard_grabbed : 1;
  guint                pointer_grabbed : 1;
};

/* refract-spice-display-input.c */
void                _refract_spice_display_init_input         (RefractSpiceDisplay *self);
void                _refract_spice_display_dispose_input      (RefractSpiceDisplay *self);
void                _refract_spice_display_release_all        (RefractSpiceDisplay *self);
void                _refract_spice_display_update_cursor      (RefractSpiceDisplay *self);
gboolean            _refract_spice_display_set_release_keys   (RefractSpiceDisplay *self,
                                                               const char          *keys);
char               *_refract_spice_display_dup_release_keys   (RefractSpiceDisplay *self);
void                _refract_spice_display_notify             (RefractSpiceDisplay *self,
                                                               int                  prop);

/* for tests: GTK 4 cannot synthesize button events */
GtkEventController *_refract_spice_display_get_controller     (RefractSpiceDisplay *self,
                                                               GType                type);
void                _refract_spice_display_button             (RefractSpiceDisplay *self,
                                                               guint                gdk_button,
                                                               gboolean             press);

enum {
  REFRACT_SPICE_DISPLAY_PROP_0,
  REFRACT_SPICE_DISPLAY_PROP_SESSION,
  REFRACT_SPICE_DISPLAY_PROP_SCALE_MODE,
  REFRACT_SPICE_DISPLAY_PROP_ZOOM,
  REFRACT_SPICE_DISPLAY_PROP_KEYBOARD_GRABBED,
  REFRACT_SPICE_DISPLAY_PROP_POINTER_GRABBED,
  REFRACT_SPICE_DISPLAY_PROP_RELEASE_KEYS,
  REFRACT_SPICE_DISPLAY_PROP_GUEST_WIDTH,
  REFRACT_SPICE_DISPLAY_PROP_GUEST_HEIGHT,
  REFRACT_SPICE_DISPLAY_N_PROPS
};

G_END_DECLS
