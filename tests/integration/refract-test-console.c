/* refract-test-console.c: the SPICE display against a guest of the harness
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "refract-spice-display-private.h"
#include "refract-test-console.h"
#include "refract-test-render.h"

/* ---- the log: the password must never be written ------------------------ */

static const char *guarded_password;
static GLogWriterFunc guard_filter;
static gboolean forward_debug;
static guint messages_checked;

/* Sees every message, debug ones included (see rtc_guard_log ()); aborts on
 * the password, prints what GLib would print anyway. */
static GLogWriterOutput
password_guard (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].value != NULL && fields[i].length != 0
        && g_strstr_len (fields[i].value, fields[i].length, guarded_password) != NULL)
      {
        /* g_error () would come back here */
        g_printerr ("a log message contains the password (field %s)\n", fields[i].key);
        abort ();
      }
  g_atomic_int_inc (&messages_checked);
  if (guard_filter != NULL
      && guard_filter (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  /* debug and info only reach here because of rtc_guard_log (); G_MESSAGES_DEBUG
   * shows them */
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && !forward_debug)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
rtc_guard_log (const char *password, GLogWriterFunc filter)
{
  guarded_password = password;
  guard_filter = filter;
  forward_debug = g_getenv ("G_MESSAGES_DEBUG") != NULL;
  g_log_set_writer_func (password_guard, NULL, NULL);
  spice_util_set_debug (TRUE);
  g_log_set_debug_enabled (TRUE);
}

guint
rtc_log_messages_checked (void)
{
  return (guint) g_atomic_int_get (&messages_checked);
}

/* ---- pixels ------------------------------------------------------------- */

guint8 *
rtc_download (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  guint8 *pixels = g_malloc ((gsize) width * height * 4);

  gdk_texture_download (texture, pixels, width * 4);
  return pixels;
}

GdkTexture *
rtc_virsh_screenshot (RthHarness *h, const char *name)
{
  g_autofree char *base = g_strdup_printf ("%s-%d.ppm", name, (int) getpid ());
  g_autofree char *file = g_build_filename (g_get_tmp_dir (), base, NULL);
  const char *argv[] = { "virsh", "-q", "-c", h->uri, "screenshot", name, file, NULL };
  g_autoptr(GError) error = NULL;
  GdkTexture *texture;

  if (!rth_run_clean (argv, NULL, &error))
    g_error ("virsh screenshot: %s", error->message);
  texture = gdk_texture_new_from_filename (file, &error);
  g_assert_no_error (error);
  g_unlink (file);
  return texture;
}

typedef struct
{
  double mean;          /* mean absolute difference per channel, 0–255 */
  double within;        /* fraction of pixels within 8/255 on every channel */
} Diff;

static gboolean
compare (GdkTexture *a, GdkTexture *b, Diff *diff)
{
  int width = gdk_texture_get_width (a), height = gdk_texture_get_height (a);
  g_autofree guint8 *pa = NULL, *pb = NULL;
  guint64 sum = 0, close = 0;

  if (width != gdk_texture_get_width (b) || height != gdk_texture_get_height (b))
    return FALSE;
  pa = rtc_download (a);
  pb = rtc_download (b);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      int worst = 0;

      for (int c = 0; c < 3; c++)
        {
          int d = ABS ((int) pa[i * 4 + c] - (int) pb[i * 4 + c]);

          sum += d;
          worst = MAX (worst, d);
        }
      close += worst <= 8;
    }
  diff->mean = (double) sum / ((gsize) width * height * 3);
  diff->within = (double) close / ((gsize) width * height);
  return diff->mean <= 2.0 && diff->within >= 0.99;
}

gboolean
rtc_is_blank (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guint8 *pixels = rtc_download (texture);

  for (gsize i = 0; i < (gsize) width * height * 4; i += 4)
    if (pixels[i] > 0x40 || pixels[i + 1] > 0x40 || pixels[i + 2] > 0x40)
      return FALSE;
  return TRUE;
}

gboolean
rtc_textures_differ (GdkTexture *a, GdkTexture *b)
{
  Diff diff;

  return !compare (a, b, &diff) || diff.mean > 0;
}

/* ---- the display -------------------------------------------------------- */

GdkTexture *
rtc_wait_frame (RefractSpiceDisplay *display)
{
  GdkTexture *frame = NULL;

  rt_wait_until ((frame = refract_spice_display_get_frame (display)) != NULL
                 && !rtc_is_blank (frame), 30, "SeaBIOS text in the widget");
  return g_object_ref (frame);
}

/* Screens can change between the two captures; a match within 10 s passes. */
void
rtc_assert_matches_qemu (RthHarness *h, RefractSpiceDisplay *display, const char *name)
{
  gint64 deadline = rt_deadline_in (10);
  Diff diff = { 0 };

  for (;;)
    {
      g_autoptr(GdkTexture) qemu = rtc_virsh_screenshot (h, name);
      g_autoptr(GdkTexture) ours = NULL;

      rt_spin (100);
      ours = g_object_ref (refract_spice_display_get_frame (display));
      if (compare (ours, qemu, &diff))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("the widget's %dx%d frame does not match QEMU's %dx%d screenshot "
                 "(mean diff %.2f, %.1f%% within 8)", gdk_texture_get_width (ours),
                 gdk_texture_get_height (ours), gdk_texture_get_width (qemu),
                 gdk_texture_get_height (qemu), diff.mean, diff.within * 100);
    }
  g_test_message ("frame matches virsh screenshot: mean diff %.3f/255, %.2f%% within 8/255",
                  diff.mean, diff.within * 100);
}

void
rtc_type_escape (RefractSpiceDisplay *display)
{
  GtkEventController *keys = _refract_spice_display_get_controller (display,
                                                                    GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  /* X11 keycode 9 = evdev 1 = Escape */
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Escape, 9, 0, &handled);
  g_assert_true (handled);
  rt_spin (50);
  g_signal_emit_by_name (keys, "key-released", GDK_KEY_Escape, 9, 0);
}

void
rtc_wait_session_state (RefractSpiceSession *session, RefractSpiceState state, const char *what)
{
  RefractSpiceState now;

  rt_wait_until ((now = refract_spice_session_get_state (session)) == state
                 || now == REFRACT_SPICE_STATE_FAILED, 30, what);
  if (now != state)
    g_error ("%s: the session went FAILED: %s", what,
             refract_spice_session_get_error_message (session));
}

/* ---- windows ------------------------------------------------------------ */

void
rtc_wait_drawn (GtkWidget *widget)
{
  refract_test_wait_painted (widget);
}

void
rtc_screenshot (GtkWidget *widget, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GdkTexture) texture = NULL;

  texture = refract_test_render_widget (widget);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
