/* refract-spice-display-input.c: keyboard, pointer and grabs of the display widget
 *
 * Keys are caught in the capture phase and always claimed, so the app's
 * shortcuts do not fire while the guest has the keyboard; only the release
 * keys (Control_L+Alt_L by default, as in virt-manager) are acted on here.
 * Every key and button sent as pressed is released on focus-out and unmap, so
 * the guest is never left with a stuck modifier.
 *
 * Pointer: in client mouse mode absolute positions are sent. In server mode
 * (no tablet, e.g. SeaBIOS) a click grabs the pointer and motion goes out as
 * the difference between where the pointer is and where the guest's cursor is.
 * GTK 4 can neither confine nor warp the pointer, so at the edge of the
 * screen the guest's cursor stops too; press the release keys to let go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-keymap.h"
#include "refract-spice-display-private.h"

/* ---- keyboard ------------------------------------------------------------ */

static void
key_down (RefractSpiceDisplay *self, guint scancode)
{
  const RefractXtStep *steps;
  gsize n;

  if (self->inputs == NULL)
    return;
  if (scancode != REFRACT_XT_PAUSE)
    {
      spice_inputs_channel_key_press (self->inputs, scancode);
      return;
    }
  n = refract_keymap_pause_sequence (&steps);
  for (gsize i = 0; i < n; i++)
    {
      if (steps[i].press)
        spice_inputs_channel_key_press (self->inputs, steps[i].scancode);
      else
        spice_inputs_channel_key_release (self->inputs, steps[i].scancode);
    }
}

static void
key_up (RefractSpiceDisplay *self, guint scancode)
{
  /* Pause has no break code: its whole sequence went out on press */
  if (self->inputs != NULL && scancode != REFRACT_XT_PAUSE)
    spice_inputs_channel_key_release (self->inputs, scancode);
}

/* What a PC keyboard sends for the key with these modifiers held. */
static guint
scancode_for (guint keycode, GdkModifierType state)
{
  guint scancode = refract_keymap_keycode_to_xt (keycode);

  if (scancode == REFRACT_XT_PRINT && (state & GDK_ALT_MASK))
    return REFRACT_XT_SYSRQ;
  if (scancode == REFRACT_XT_PAUSE && (state & GDK_CONTROL_MASK))
    return REFRACT_XT_BREAK;
  return scancode;
}

void
_refract_spice_display_release_all (RefractSpiceDisplay *self)
{
  static const struct { guint mask; int button; } buttons[] = {
    { SPICE_MOUSE_BUTTON_MASK_LEFT, SPICE_MOUSE_BUTTON_LEFT },
    { SPICE_MOUSE_BUTTON_MASK_MIDDLE, SPICE_MOUSE_BUTTON_MIDDLE },
    { SPICE_MOUSE_BUTTON_MASK_RIGHT, SPICE_MOUSE_BUTTON_RIGHT },
    { SPICE_MOUSE_BUTTON_MASK_SIDE, SPICE_MOUSE_BUTTON_SIDE },
    { SPICE_MOUSE_BUTTON_MASK_EXTRA, SPICE_MOUSE_BUTTON_EXTRA },
  };

  for (guint keycode = 0; keycode < REFRACT_N_KEYCODES; keycode++)
    if (self->sent[keycode] != 0)
      {
        key_up (self, self->sent[keycode]);
        self->sent[keycode] = 0;
      }
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (self->button_mask & buttons[i].mask)
      {
        self->button_mask &= ~buttons[i].mask;
        if (self->inputs != NULL)
          spice_inputs_channel_button_release (self->inputs, buttons[i].button, self->button_mask);
      }
  self->n_held_keyvals = 0;
}

static gboolean
release_keys_held (RefractSpiceDisplay *self)
{
  guint found = 0;

  for (guint i = 0; i < self->n_release_keyvals; i++)
    for (guint j = 0; j < self->n_held_keyvals; j++)
      if (self->held_keyvals[j] == self->release_keyvals[i])
        {
          found++;
          break;
        }
  return self->n_release_keyvals > 0 && found == self->n_release_keyvals;
}

static void
hold_keyval (RefractSpiceDisplay *self, guint keyval, gboolean held)
{
  for (guint i = 0; i < self->n_held_keyvals; i++)
    if (self->held_keyvals[i] == keyval)
      {
        if (!held)
          self->held_keyvals[i] = self->held_keyvals[--self->n_held_keyvals];
        return;
      }
  if (held && self->n_held_keyvals < REFRACT_N_KEYCODES)
    self->held_keyvals[self->n_held_keyvals++] = keyval;
}

static gboolean
key_pressed (RefractSpiceDisplay   *self,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             GtkEventControllerKey *controller)
{
  guint scancode = scancode_for (keycode, state);

  hold_keyval (self, keyval, TRUE);
  if (keycode < REFRACT_N_KEYCODES && scancode != 0)
    {
      key_down (self, scancode);
      if (scancode != REFRACT_XT_PAUSE)
        self->sent[keycode] = scancode;
    }
  if (release_keys_held (self))
    refract_spice_display_release_grab (self);
  return TRUE;
}

static void
key_released (RefractSpiceDisplay   *self,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              GtkEventControllerKey *controller)
{
  hold_keyval (self, keyval, FALSE);
  if (keycode < REFRACT_N_KEYCODES && self->sent[keycode] != 0)
    {
      key_up (self, self->sent[keycode]);
      self->sent[keycode] = 0;
    }
}

/**
 * refract_spice_display_send_keys:
 * @scancodes: XT set-1 scancodes, E0 keys as 0x100 | code, or %REFRACT_XT_PAUSE
 *
 * Presses the keys in order and releases them in reverse: the send-key menu.
 */
void
refract_spice_display_send_keys (RefractSpiceDisplay *self,
                                 const guint         *scancodes,
                                 guint                n_scancodes)
{
  g_return_if_fail (REFRACT_IS_SPICE_DISPLAY (self));
  g_return_if_fail (scancodes != NULL || n_scancodes == 0);

  for (guint i = 0; i < n_scancodes; i++)
    key_down (self, scancodes[i]);
  for (guint i = n_scancodes; i > 0; i--)
    key_up (self, scancodes[i - 1]);
}

static void
sync_lock_keys (RefractSpiceDisplay *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GdkSeat *seat = gdk_display_get_default_seat (display);
  GdkDevice *keyboard = seat ? gdk_seat_get_keyboard (seat) : NULL;
  guint locks = 0;

  if (self->inputs == NULL || keyboard == NULL)
    return;
  if (gdk_device_get_caps_lock_state (keyboard))
    locks |= SPICE_INPUTS_CAPS_LOCK;
  if (gdk_device_get_num_lock_state (keyboard))
    locks |= SPICE_INPUTS_NUM_LOCK;
  if (gdk_device_get_scroll_lock_state (keyboard))
    locks |= SPICE_INPUTS_SCROLL_LOCK;
  spice_inputs_channel_set_key_locks (self->inputs, locks);
}

/* ---- grabs --------------------------------------------------------------- */

static void
set_keyboard_grabbed (RefractSpiceDisplay *self, gboolean grabbed)
{
  if (self->keyboard_grabbed == !!grabbed)
    return;
  self->keyboard_grabbed = !!grabbed;
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_KEYBOARD_GRABBED);
}

static void
set_pointer_grabbed (RefractSpiceDisplay *self, gboolean grabbed)
{
  if (self->pointer_grabbed == !!grabbed)
    return;
  self->pointer_grabbed = !!grabbed;
  _refract_spice_display_update_cursor (self);
  _refract_spice_display_notify (self, REFRACT_SPICE_DISPLAY_PROP_POINTER_GRABBED);
}

static void
shortcuts_inhibited_changed (RefractSpiceDisplay *self,
                             GParamSpec          *pspec,
                             GdkToplevel         *toplevel)
{
  gboolean inhibited = FALSE;

  g_object_get (toplevel, "shortcuts-inhibited", &inhibited, NULL);
  set_keyboard_grabbed (self, inhibited);
}

static void
grab_keyboard (RefractSpiceDisplay *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;

  if (self->inhibited != NULL || !GDK_IS_TOPLEVEL (surface))
    return;
  self->inhibited = g_object_ref (GDK_TOPLEVEL (surface));
  g_signal_connect_object (self->inhibited, "notify::shortcuts-inhibited",
                           G_CALLBACK (shortcuts_inhibited_changed), self, G_CONNECT_SWAPPED);
  gdk_toplevel_inhibit_system_shortcuts (self->inhibited, NULL);
  shortcuts_inhibited_changed (self, NULL, self->inhibited);
}

static void
ungrab_keyboard (RefractSpiceDisplay *self)
{
  if (self->inhibited != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->inhibited, self);
      gdk_toplevel_restore_system_shortcuts (self->inhibited);
      g_clear_object (&self->inhibited);
    }
  set_keyboard_grabbed (self, FALSE);
}

/**
 * refract_spice_display_release_grab:
 *
 * Lets go of the keyboard and the pointer, releasing in the guest every key
 * and button it holds. Keys still reach the guest while the display has focus.
 */
void
refract_spice_display_release_grab (RefractSpiceDisplay *self)
{
  g_return_if_fail (REFRACT_IS_SPICE_DISPLAY (self));

  _refract_spice_display_release_all (self);
  ungrab_keyboard (self);
  set_pointer_grabbed (self, FALSE);
}

static void
focus_enter (RefractSpiceDisplay *self)
{
  sync_lock_keys (self);
  grab_keyboard (self);
}

static void
focus_leave (RefractSpiceDisplay *self)
{
  refract_spice_display_release_grab (self);
}

/* ---- the pointer --------------------------------------------------------- */

void
_refract_spice_display_update_cursor (RefractSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->mouse_mode == SPICE_MOUSE_MODE_CLIENT)
    {
      if (self->cursor_hidden)
        gtk_widget_set_cursor_from_name (widget, "none");
      else
        gtk_widget_set_cursor (widget, self->cursor_shape);
    }
  else
    /* server mode: the guest's cursor is drawn; hide ours while grabbed */
    gtk_widget_set_cursor_from_name (widget, self->pointer_grabbed ? "none" : NULL);
  gtk_widget_queue_draw (widget);
}

static void
motion (RefractSpiceDisplay      *self,
        double                    x,
        double                    y,
        GtkEventControllerMotion *controller)
{
  int gx, gy;

  if (self->inputs == NULL || refract_framebuffer_get_width (self->framebuffer) == 0)
    return;
  refract_display_transform_to_guest (&self->transform, x, y, &gx, &gy);
  if (self->mouse_mode == SPICE_MOUSE_MODE_CLIENT)
    spice_inputs_channel_position (self->inputs, gx, gy, 0, self->button_mask);
  else if (self->pointer_grabbed && (gx != self->cursor_x || gy != self->cursor_y))
    {
      spice_inputs_channel_motion (self->inputs, gx - self->cursor_x, gy - self->cursor_y,
                                   self->button_mask);
      /* where the guest will be; its cursor-move corrects this */
      self->cursor_x = gx;
      self->cursor_y = gy;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
spice_button (guint gdk_button, int *button, guint *mask)
{
  switch (gdk_button)
    {
    case GDK_BUTTON_PRIMARY:
      *button = SPICE_MOUSE_BUTTON_LEFT, *mask = SPICE_MOUSE_BUTTON_MASK_LEFT;
      return TRUE;
    case GDK_BUTTON_MIDDLE:
      *button = SPICE_MOUSE_BUTTON_MIDDLE, *mask = SPICE_MOUSE_BUTTON_MASK_MIDDLE;
      return TRUE;
    case GDK_BUTTON_SECONDARY:
      *button = SPICE_MOUSE_BUTTON_RIGHT, *mask = SPICE_MOUSE_BUTTON_MASK_RIGHT;
      return TRUE;
    case 8:
      *button = SPICE_MOUSE_BUTTON_SIDE, *mask = SPICE_MOUSE_BUTTON_MASK_SIDE;
      return TRUE;
    case 9:
      *button = SPICE_MOUSE_BUTTON_EXTRA, *mask = SPICE_MOUSE_BUTTON_MASK_EXTRA;
      return TRUE;
    default:
      return FALSE;
    }
}

/* A press or release of GDK button @gdk_button; any buttons may be held at once. */
void
_refract_spice_display_button (RefractSpiceDisplay *self,
                               guint                gdk_button,
                               gboolean             press)
{
  int button;
  guint mask;

  if (press)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self));
      grab_keyboard (self);
    }
  if (self->inputs == NULL || !spice_button (gdk_button, &button, &mask))
    return;
  if (press && self->mouse_mode == SPICE_MOUSE_MODE_SERVER && !self->pointer_grabbed)
    {
      /* this click only grabs: the guest does not know where it happened */
      set_pointer_grabbed (self, TRUE);
      return;
    }
  if (press && !(self->button_mask & mask))
    {
      self->button_mask |= mask;
      spice_inputs_channel_button_press (self->inputs, button, self->button_mask);
    }
  else if (!press && (self->button_mask & mask))
    {
      self->button_mask &= ~mask;
      spice_inputs_channel_button_release (self->inputs, button, self->button_mask);
    }
}

static gboolean
legacy_event (RefractSpiceDisplay      *self,
              GdkEvent                 *event,
              GtkEventControllerLegacy *controller)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type != GDK_BUTTON_PRESS && type != GDK_BUTTON_RELEASE)
    return FALSE;
  _refract_spice_display_button (self, gdk_button_event_get_button (event),
                                 type == GDK_BUTTON_PRESS);
  return TRUE;
}

static gboolean
scroll (RefractSpiceDisplay      *self,
        double                    dx,
        double                    dy,
        GtkEventControllerScroll *controller)
{
  int button = dy < 0 ? SPICE_MOUSE_BUTTON_UP : SPICE_MOUSE_BUTTON_DOWN;
  guint mask = dy < 0 ? SPICE_MOUSE_BUTTON_MASK_UP : SPICE_MOUSE_BUTTON_MASK_DOWN;
  int steps = (int) MIN (ABS (dy), 10.0);

  if (self->inputs == NULL)
    return FALSE;
  for (int i = 0; i < steps; i++)
    {
      spice_inputs_channel_button_press (self->inputs, button, self->button_mask | mask);
      spice_inputs_channel_button_release (self->inputs, button, self->button_mask);
    }
  return TRUE;
}

/* ---- setup --------------------------------------------------------------- */

static void
unmapped (RefractSpiceDisplay *self)
{
  refract_spice_display_release_grab (self);
}

void
_refract_spice_display_init_input (RefractSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;

  self->held_keyvals = g_new0 (guint, REFRACT_N_KEYCODES);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (key_pressed), self);
  g_signal_connect_swapped (controller, "key-released", G_CALLBACK (key_released), self);
  self->key_controller = controller;
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (focus_enter), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (focus_leave), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (motion), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_legacy_new ();
  g_signal_connect_swapped (controller, "event", G_CALLBACK (legacy_event), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL
                                                | GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (scroll), self);
  gtk_widget_add_controller (widget, controller);

  g_signal_connect (widget, "unmap", G_CALLBACK (unmapped), NULL);
}

void
_refract_spice_display_dispose_input (RefractSpiceDisplay *self)
{
  ungrab_keyboard (self);
  self->key_controller = NULL;
}

/* "Control_L+Alt_L" → keyvals; FALSE if unchanged or not valid. */
gboolean
_refract_spice_display_set_release_keys (RefractSpiceDisplay *self,
                                         const char          *keys)
{
  g_auto(GStrv) names = g_strsplit (keys ? keys : "", "+", -1);
  g_autofree guint *keyvals = g_new0 (guint, g_strv_length (names) + 1);
  guint n = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      guint keyval = gdk_keyval_from_name (g_strstrip (names[i]));

      if (keyval == GDK_KEY_VoidSymbol || keyval == 0)
        return FALSE;
      keyvals[n++] = keyval;
    }
  if (n == self->n_release_keyvals && memcmp (keyvals, self->release_keyvals, n * sizeof (guint)) == 0)
    return FALSE;
  g_free (self->release_keyvals);
  self->release_keyvals = g_steal_pointer (&keyvals);
  self->n_release_keyvals = n;
  return TRUE;
}

char *
_refract_spice_display_dup_release_keys (RefractSpiceDisplay *self)
{
  GString *keys = g_string_new (NULL);

  for (guint i = 0; i < self->n_release_keyvals; i++)
    g_string_append_printf (keys, "%s%s", i ? "+" : "", gdk_keyval_name (self->release_keyvals[i]));
  return g_string_free (keys, FALSE);
}

GtkEventController *
_refract_spice_display_get_controller (RefractSpiceDisplay *self,
                                       GType                type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (self));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  return NULL;
}
