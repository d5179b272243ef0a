/* refract-bench-console.c: the display stack's client-side costs
 *
 *   refract-bench-console [--frames N] [--keys N]
 *
 * 1. Client work per frame from invalidate to textures ready, on a
 *    1920×1080 primary: the damage is written into the primary (not timed),
 *    then the invalidates and RefractFramebuffer's once-per-frame tile rebuild
 *    are timed. Cases: a 256×256 rect on the tile grid, one straddling four
 *    tiles, 64 scattered 32×32 rects, and the full frame.
 * 2. Key press in GTK → scancode at the server: the widget's key controller
 *    is signalled and the clock stops when an in-process libspice-server's
 *    keyboard gets the first byte (an upper bound of "leaving the client").
 *    Needs a display (run under Xvfb); skipped without one.
 *
 * See CONSOLE.md. SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "refract-framebuffer.h"
#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-spice-server.h"

#define WIDTH  1920
#define HEIGHT 1080

static int n_frames = 300;
static int n_keys = 200;

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what, double *ms, int n, double target)
{
  double sum = 0;

  qsort (ms, n, sizeof (double), compare_doubles);
  for (int i = 0; i < n; i++)
    sum += ms[i];
  printf ("%-44s mean %6.3f ms  median %6.3f  p95 %6.3f  max %6.3f  (target <= %.1f ms) %s\n",
          what, sum / n, ms[n / 2], ms[(int) (n * 0.95)], ms[n - 1], target,
          ms[n / 2] <= target ? "ok" : "OVER");
}

/* The "guest" draws: new pixel values in the rect, as a server update would. */
static void
paint (guint8 *data, int x, int y, int w, int h, guint8 value)
{
  for (int j = y; j < y + h; j++)
    memset (data + ((gsize) j * WIDTH + x) * 4, value, (gsize) w * 4);
}

typedef struct { int x, y, w, h; } Rect;

static void
bench_damage_format (const char *what, GdkMemoryFormat format, const Rect *rects, int n_rects, double target)
{
  g_autoptr(RefractFramebuffer) fb = refract_framebuffer_new ();
  g_autofree guint8 *data = g_malloc0 ((gsize) WIDTH * HEIGHT * 4);
  g_autofree double *ms = g_new (double, n_frames);

  refract_framebuffer_set_tile_format (fb, format);
  refract_framebuffer_set_primary (fb, WIDTH, HEIGHT, WIDTH * 4, data);
  refract_framebuffer_update (fb);
  for (int f = 0; f < n_frames; f++)
    {
      gint64 start;

      for (int r = 0; r < n_rects; r++)
        paint (data, rects[r].x, rects[r].y, rects[r].w, rects[r].h, f & 0xff);
      start = g_get_monotonic_time ();
      for (int r = 0; r < n_rects; r++)
        refract_framebuffer_invalidate (fb, rects[r].x, rects[r].y, rects[r].w, rects[r].h);
      refract_framebuffer_update (fb);
      ms[f] = (g_get_monotonic_time () - start) / 1000.0;
    }
  report (what, ms, n_frames, target);
}

static void
bench_damage (const char *what, const Rect *rects, int n_rects, double target)
{
  bench_damage_format (what, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, rects, n_rects, target);
}

static void
bench_framebuffer (void)
{
  Rect scattered[64];

  for (int i = 0; i < 64; i++)
    scattered[i] = (Rect) { (i * 397) % (WIDTH - 32), (i * 211) % (HEIGHT - 32), 32, 32 };

  printf ("Invalidate → textures ready, %dx%d primary, %d frames each\n", WIDTH, HEIGHT, n_frames);
  bench_damage ("256x256 damage on the tile grid", (Rect[]) { { 512, 256, 256, 256 } }, 1, 1.0);
  bench_damage ("256x256 damage across four tiles", (Rect[]) { { 600, 300, 256, 256 } }, 1, 1.0);
  bench_damage ("64 scattered 32x32 rects", scattered, 64, 3.0);
  bench_damage ("full-frame damage", (Rect[]) { { 0, 0, WIDTH, HEIGHT } }, 1, 3.0);
  /* the tiles the widget uses under the cairo renderer (no GPU) */
  bench_damage_format ("256x256 damage, BGR tiles (cairo renderer)", GDK_MEMORY_B8G8R8,
                       (Rect[]) { { 600, 300, 256, 256 } }, 1, 1.0);
  bench_damage_format ("full-frame damage, BGR tiles (cairo renderer)", GDK_MEMORY_B8G8R8,
                       (Rect[]) { { 0, 0, WIDTH, HEIGHT } }, 1, 3.0);
}

/* ---- key latency ---------------------------------------------------------- */

typedef struct
{
  gint64 arrived;
} KeyProbe;

static void
key_arrived (guint8 byte, gpointer user_data)
{
  KeyProbe *probe = user_data;

  if (probe->arrived == 0)
    probe->arrived = g_get_monotonic_time ();
}

static void
iterate_until (gboolean (*done) (gpointer), gpointer data, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
inputs_ready (gpointer data)
{
  return _refract_spice_session_get_inputs (data) != NULL;
}

static gboolean
key_done (gpointer data)
{
  return ((KeyProbe *) data)->arrived != 0;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static double
one_key (GtkEventController *keys, KeyProbe *probe, guint keycode)
{
  gboolean handled;
  gint64 start;

  probe->arrived = 0;
  start = g_get_monotonic_time ();
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_a, keycode, 0, &handled);
  iterate_until (key_done, probe, 2);
  if (probe->arrived == 0)
    return -1;
  g_signal_emit_by_name (keys, "key-released", GDK_KEY_a, keycode, 0);
  iterate_until (never, NULL, 0.005);
  return (probe->arrived - start) / 1000.0;
}

static void
bench_keys (void)
{
  g_autoptr(RtsServer) server = rts_server_new ();
  g_autoptr(RefractSpiceSession) session =
    _refract_spice_session_new_for_unix_path (rts_server_get_path (server));
  RefractSpiceDisplay *display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autofree double *ms = g_new (double, n_keys);
  GtkEventController *keys;
  KeyProbe probe = { 0 };
  int n = 0;

  refract_spice_display_set_session (display, session);
  gtk_window_set_child (window, GTK_WIDGET (display));
  gtk_window_present (window);
  refract_spice_session_connect (session);
  iterate_until (inputs_ready, session, 10);
  keys = _refract_spice_display_get_controller (display, GTK_TYPE_EVENT_CONTROLLER_KEY);
  rts_server_set_key_hook (server, key_arrived, &probe);
  /* warm up: the channel drops keys until it is up */
  for (int i = 0; i < 100 && one_key (keys, &probe, 38) < 0; i++)
    ;
  for (int i = 0; i < n_keys; i++)
    {
      double t = one_key (keys, &probe, 38);

      if (t >= 0)
        ms[n++] = t;
    }
  printf ("\nKey press in GTK → first scancode byte at an in-process server, %d presses\n", n);
  if (n > 0)
    report ("key press → scancode", ms, n, 1.0);
  rts_server_set_key_hook (server, NULL, NULL);
  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  iterate_until (never, NULL, 0.2);
}

int
main (int argc, char *argv[])
{
  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--frames"))
        n_frames = MAX (atoi (argv[i + 1]), 10);
      else if (g_str_equal (argv[i], "--keys"))
        n_keys = MAX (atoi (argv[i + 1]), 10);
    }

  bench_framebuffer ();
  g_setenv ("GTK_A11Y", "none", FALSE);
  if (!gtk_init_check ())
    {
      printf ("\nNo display: key latency skipped (run under Xvfb)\n");
      return 0;
    }
  bench_keys ();
  return 0;
}
