/* test-spice-input.c: input typed into the widget reaches a real SPICE server
 *
 * An in-process libspice-server (refract-test-spice-server.c) records the
 * scancode bytes its keyboard gets and its mouse events. Keys are "typed" by
 * emitting the widget's key controller signals (GTK 4 has no way to
 * synthesize events), as GTK would with X11 hardware keycodes. Without a QXL
 * device the server stays in server mouse mode: the first click grabs, then
 * motion is relative.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-keymap.h"
#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-spice-server.h"
#include "refract-test-util.h"

typedef struct
{
  RtsServer           *server;
  RefractSpiceSession *session;
  RefractSpiceDisplay *display;
  GtkWindow           *window;
  guint8              *pixels;
} Fixture;

#define KC_ESCAPE    9
#define KC_A        38
#define KC_CONTROL_L 37
#define KC_SHIFT_L  50
#define KC_ALT_L    64
#define KC_CONTROL_R 105
#define KC_PRINT   107
#define KC_PAUSE   127
#define KC_DELETE  119

static GtkEventController *
controller (Fixture *f, GType type)
{
  GtkEventController *c = _refract_spice_display_get_controller (f->display, type);

  g_assert_nonnull (c);
  return c;
}

static gboolean
press (Fixture *f, guint keyval, guint keycode, GdkModifierType state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (controller (f, GTK_TYPE_EVENT_CONTROLLER_KEY), "key-pressed",
                         keyval, keycode, state, &handled);
  return handled;
}

static void
release (Fixture *f, guint keyval, guint keycode, GdkModifierType state)
{
  g_signal_emit_by_name (controller (f, GTK_TYPE_EVENT_CONTROLLER_KEY), "key-released",
                         keyval, keycode, state);
}

static char *
hex (const guint8 *data, gsize len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%s%02x", i ? " " : "", data[i]);
  return g_string_free (s, FALSE);
}

/* Waits for the server to have received exactly @expected, then forgets it. */
static void
expect_keys (Fixture *f, const guint8 *expected, gsize len)
{
  GByteArray *keys = rts_server_get_keys (f->server);
  g_autofree char *want = hex (expected, len);
  g_autofree char *got = NULL;

  rt_wait_until (keys->len >= len, 10, want);
  rt_spin (100);  /* nothing more may follow */
  got = hex (keys->data, keys->len);
  g_assert_cmpstr (got, ==, want);
  g_byte_array_set_size (keys, 0);
}

#define EXPECT_KEYS(f, ...) \
  expect_keys ((f), (const guint8[]) { __VA_ARGS__ }, sizeof ((const guint8[]) { __VA_ARGS__ }))

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  const int width = 640, height = 480;
  GByteArray *keys;

  f->server = rts_server_new ();
  f->session = _refract_spice_session_new_for_unix_path (rts_server_get_path (f->server));
  f->display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  refract_spice_display_set_session (f->display, f->session);
  /* a stand-in primary so pointer positions map to guest pixels 1:1 */
  f->pixels = g_malloc0 (width * height * 4);
  refract_framebuffer_set_primary (f->display->framebuffer, width, height, width * 4, f->pixels);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, width, height);
  gtk_window_set_child (f->window, GTK_WIDGET (f->display));
  gtk_window_present (f->window);
  refract_spice_session_connect (f->session);

  rt_wait_until (_refract_spice_session_get_inputs (f->session) != NULL, 10, "an inputs channel");
  rt_wait_until (gtk_widget_get_width (GTK_WIDGET (f->display)) == width, 10, "the allocation");
  /* the inputs channel drops keys until it is up: probe with Esc until one arrives */
  keys = rts_server_get_keys (f->server);
  rt_wait_until ((refract_spice_display_send_keys (f->display, (guint[]) { REFRACT_XT_ESCAPE }, 1),
                  rt_spin (50), keys->len > 0), 10, "the inputs channel to be ready");
  rt_spin (200);
  g_byte_array_set_size (keys, 0);
  g_array_set_size (rts_server_get_mouse (f->server), 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  refract_spice_session_disconnect (f->session);
  rt_spin (100);
  g_assert_finalize_object (f->session);
  rts_server_free (f->server);
  rt_spin (50);
  g_free (f->pixels);
}

static void
test_keys (Fixture *f, gconstpointer data)
{
  g_assert_true (press (f, GDK_KEY_a, KC_A, 0));
  release (f, GDK_KEY_a, KC_A, 0);
  EXPECT_KEYS (f, 0x1e, 0x9e);

  g_assert_true (press (f, GDK_KEY_Control_R, KC_CONTROL_R, 0));
  release (f, GDK_KEY_Control_R, KC_CONTROL_R, GDK_CONTROL_MASK);
  EXPECT_KEYS (f, 0xe0, 0x1d, 0xe0, 0x9d);

  press (f, GDK_KEY_Delete, KC_DELETE, 0);
  release (f, GDK_KEY_Delete, KC_DELETE, 0);
  EXPECT_KEYS (f, 0xe0, 0x53, 0xe0, 0xd3);

  /* Pause: the whole sequence on press, nothing on release */
  press (f, GDK_KEY_Pause, KC_PAUSE, 0);
  release (f, GDK_KEY_Pause, KC_PAUSE, 0);
  EXPECT_KEYS (f, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);

  press (f, GDK_KEY_Print, KC_PRINT, 0);
  release (f, GDK_KEY_Print, KC_PRINT, 0);
  EXPECT_KEYS (f, 0xe0, 0x37, 0xe0, 0xb7);

  /* Alt+Print is SysRq; released as what was pressed even if Alt went first */
  press (f, GDK_KEY_Sys_Req, KC_PRINT, GDK_ALT_MASK);
  release (f, GDK_KEY_Sys_Req, KC_PRINT, 0);
  EXPECT_KEYS (f, 0x54, 0xd4);

  /* a release without a press is not sent */
  release (f, GDK_KEY_a, KC_A, 0);
  rt_spin (100);
  g_assert_cmpuint (rts_server_get_keys (f->server)->len, ==, 0);
}

static void
test_send_keys (Fixture *f, gconstpointer data)
{
  static const guint ctrl_alt_del[] = { REFRACT_XT_CONTROL_L, REFRACT_XT_ALT_L, REFRACT_XT_DELETE };
  static const guint ctrl_alt_f1[] = { REFRACT_XT_CONTROL_L, REFRACT_XT_ALT_L, REFRACT_XT_F1 };

  refract_spice_display_send_keys (f->display, ctrl_alt_del, G_N_ELEMENTS (ctrl_alt_del));
  EXPECT_KEYS (f, 0x1d, 0x38, 0xe0, 0x53, 0xe0, 0xd3, 0xb8, 0x9d);
  refract_spice_display_send_keys (f->display, ctrl_alt_f1, G_N_ELEMENTS (ctrl_alt_f1));
  EXPECT_KEYS (f, 0x1d, 0x38, 0x3b, 0xbb, 0xb8, 0x9d);
}

static void
test_focus_out_releases (Fixture *f, gconstpointer data)
{
  press (f, GDK_KEY_Shift_L, KC_SHIFT_L, 0);
  press (f, GDK_KEY_A, KC_A, GDK_SHIFT_MASK);
  EXPECT_KEYS (f, 0x2a, 0x1e);
  g_signal_emit_by_name (controller (f, GTK_TYPE_EVENT_CONTROLLER_FOCUS), "leave");
  EXPECT_KEYS (f, 0x9e, 0xaa);
  /* the late releases GTK may still deliver are not sent twice */
  release (f, GDK_KEY_A, KC_A, GDK_SHIFT_MASK);
  release (f, GDK_KEY_Shift_L, KC_SHIFT_L, GDK_SHIFT_MASK);
  rt_spin (100);
  g_assert_cmpuint (rts_server_get_keys (f->server)->len, ==, 0);
}

static void
test_release_keys (Fixture *f, gconstpointer data)
{
  _refract_spice_display_button (f->display, GDK_BUTTON_PRIMARY, TRUE);
  _refract_spice_display_button (f->display, GDK_BUTTON_PRIMARY, FALSE);
  g_assert_true (f->display->pointer_grabbed);

  press (f, GDK_KEY_Control_L, KC_CONTROL_L, 0);
  g_assert_true (press (f, GDK_KEY_Alt_L, KC_ALT_L, GDK_CONTROL_MASK));
  /* the guest saw both go down and, on release of the grab, both go up */
  EXPECT_KEYS (f, 0x1d, 0x38, 0x9d, 0xb8);
  g_assert_false (f->display->pointer_grabbed);
  g_assert_false (refract_spice_display_get_keyboard_grabbed (f->display));
}

static RtsMouseEvent *
mouse_event (Fixture *f, guint i)
{
  return &g_array_index (rts_server_get_mouse (f->server), RtsMouseEvent, i);
}

/* Waits for @n button states, checks them and forgets all mouse events. */
static void
expect_buttons (Fixture *f, const guint *states, guint n)
{
  GArray *events = rts_server_get_mouse (f->server);
  guint seen = 0;

  rt_wait_until (events->len >= n, 10, "button events");
  rt_spin (100);
  for (guint i = 0; i < events->len; i++)
    if (mouse_event (f, i)->dz == 0)
      {
        g_assert_cmpuint (seen, <, n);
        g_assert_cmphex (mouse_event (f, i)->buttons, ==, states[seen]);
        seen++;
      }
  g_assert_cmpuint (seen, ==, n);
  g_array_set_size (events, 0);
}

static void
test_pointer (Fixture *f, gconstpointer data)
{
  GtkEventController *motion = controller (f, GTK_TYPE_EVENT_CONTROLLER_MOTION);
  GArray *events = rts_server_get_mouse (f->server);
  int dx = 0, dy = 0;

  /* server mode: the first click only grabs */
  _refract_spice_display_button (f->display, GDK_BUTTON_PRIMARY, TRUE);
  _refract_spice_display_button (f->display, GDK_BUTTON_PRIMARY, FALSE);
  g_assert_true (f->display->pointer_grabbed);
  rt_spin (200);
  g_assert_cmpuint (events->len, ==, 0);

  /* relative motion from the guest cursor (0, 0) to (100, 50), then to the last pixel */
  g_signal_emit_by_name (motion, "motion", 100.0, 50.0);
  rt_wait_until (events->len > 0, 10, "motion");
  g_signal_emit_by_name (motion, "motion", 639.0, 479.0);
  rt_spin (300);
  for (guint i = 0; i < events->len; i++)
    dx += mouse_event (f, i)->dx, dy += mouse_event (f, i)->dy;
  g_assert_cmpint (dx, ==, 639);
  g_assert_cmpint (dy, ==, 479);
  g_array_set_size (events, 0);

  /* a chord: left, +right, -left, -right; then side and extra */
  _refract_spice_display_button (f->display, GDK_BUTTON_PRIMARY, TRUE);
  _refract_spice_display_button (f->display, GDK_BUTTON_SECONDARY, TRUE);
  _refract_spice_display_button (f->display, GDK_BUTTON_PRIMARY, FALSE);
  _refract_spice_display_button (f->display, GDK_BUTTON_SECONDARY, FALSE);
  expect_buttons (f, (guint[]) { 0x1, 0x3, 0x2, 0x0 }, 4);
  _refract_spice_display_button (f->display, GDK_BUTTON_MIDDLE, TRUE);
  _refract_spice_display_button (f->display, GDK_BUTTON_MIDDLE, FALSE);
  expect_buttons (f, (guint[]) { 0x4, 0x0 }, 2);
  _refract_spice_display_button (f->display, 8, TRUE);
  _refract_spice_display_button (f->display, 9, TRUE);
  _refract_spice_display_button (f->display, 9, FALSE);
  _refract_spice_display_button (f->display, 8, FALSE);
  /* the server shifts side and extra up by one bit in its layout */
  expect_buttons (f, (guint[]) { 0x40, 0xc0, 0x40, 0x0 }, 4);
}

static void
test_wheel (Fixture *f, gconstpointer data)
{
  GtkEventController *scroll = controller (f, GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  GArray *events = rts_server_get_mouse (f->server);
  gboolean handled = FALSE;
  int down = 0, up = 0;

  g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
  g_assert_true (handled);
  g_signal_emit_by_name (scroll, "scroll", 0.0, -2.0, &handled);
  rt_wait_until (events->len >= 3, 10, "wheel events");
  rt_spin (200);
  for (guint i = 0; i < events->len; i++)
    {
      down += mouse_event (f, i)->dz > 0;
      up += mouse_event (f, i)->dz < 0;
    }
  g_assert_cmpint (down, ==, 1);
  g_assert_cmpint (up, ==, 2);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  rt_init (&argc, &argv);
  gtk_init ();

  g_test_add ("/spice-input/keys", Fixture, NULL, fixture_setup, test_keys, fixture_teardown);
  g_test_add ("/spice-input/send-keys", Fixture, NULL, fixture_setup, test_send_keys,
              fixture_teardown);
  g_test_add ("/spice-input/focus-out-releases", Fixture, NULL, fixture_setup,
              test_focus_out_releases, fixture_teardown);
  g_test_add ("/spice-input/release-keys", Fixture, NULL, fixture_setup, test_release_keys,
              fixture_teardown);
  g_test_add ("/spice-input/pointer", Fixture, NULL, fixture_setup, test_pointer,
              fixture_teardown);
  g_test_add ("/spice-input/wheel", Fixture, NULL, fixture_setup, test_wheel, fixture_teardown);
  return g_test_run ();
}
