/* refract-bench-stream.c: the console on a live 1920×1080 SPICE stream
 *
 *   refract-bench-stream [--fps 60] [--seconds 20] [--warmup 3]
 *                        [--size 1920x1080] [--window 1920x1080]
 *                        [--compression off] [--no-remote-viewer]
 *   refract-bench-stream --server [--fps 60] [--size WxH] [--compression C]
 *
 * Run without --server (under an X server: run-stream-benchmark starts an
 * Xvfb), it starts itself with --server in a child process: an in-process
 * libspice-server with a QXL device whose frame generator changes the whole
 * screen every frame (one QXL_DRAW_COPY of a new bitmap, see
 * refract-test-spice-server.h) on TCP 127.0.0.1 (or its unix socket with
 * --unix). The parent is the client:
 * the real RefractSpiceDisplay in a GtkWindow, over RefractSpiceSession.
 * After --warmup seconds it measures for --seconds:
 *
 * - client work per shown frame on the framebuffer path: the widget's
 *   snapshot when its framebuffer was dirty (the once-per-frame tile rebuild,
 *   i.e. "textures ready", plus appending the nodes); and the latency from
 *   the frame's first display-invalidate to the end of that snapshot;
 * - frames the server sent per second (the generator's count of frames
 *   libspice-server's worker took), frames that reached the client (distinct
 *   frame numbers read from the primary at display-invalidate), and frames
 *   shown (snapshots of a new framebuffer generation, by frame number);
 * - backlog: every frame carries the CLOCK_MONOTONIC time it was made; the
 *   age of the frame shown (made → snapshot) over the first and the last 2 s;
 * - client CPU: getrusage (RUSAGE_SELF), all threads, over the window; the
 *   server's CPU over the same window comes from its status lines;
 * - what went over the wire: the client connects over TCP on loopback (as to
 *   QEMU's default SPICE port; --unix for the unix socket), and the server
 *   reads the bytes each client's kernel acknowledged (TCP_INFO), so frames
 *   delivered are known for remote-viewer too (with --compression off, one
 *   frame is width × height × 4 bytes plus a few headers).
 *
 * Then the widget goes away and `remote-viewer spice+unix://SOCKET` (spice-gtk)
 * is started on the same source: after the same warm-up (+2 s to start), its
 * CPU over the same length of window from /proc/PID/stat, and the bytes the
 * server delivered to it. The two are printed side by side.
 *
 * See CONSOLE.md. SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>

#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-spice-server.h"

static double fps = 60;
static double seconds = 20;
static double warmup = 3;
static int width = 1920, height = 1080;
static int window_width = 1920, window_height = 1080;
static const char *compression = "off";
static gboolean run_remote_viewer = TRUE;
static gboolean use_unix = FALSE;
static FILE *trace;   /* --trace FILE: one line per frame received / paint, µs */

static double
cpu_seconds_self (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
cpu_seconds_this_thread (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* minor page faults of the whole process: first touches of fresh memory,
 * which cost more than the copy itself on a virtual machine */
static long
minor_faults_self (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/* ---- the server (child process) ------------------------------------------ */

static volatile sig_atomic_t server_quit;

static void
on_term (int signum)
{
  server_quit = 1;
}

static gboolean
print_status (gpointer data)
{
  RtsServer *server = data;

  printf ("status %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %.3f %"
          G_GUINT64_FORMAT "\n", g_get_monotonic_time (), rts_server_get_frames_sent (server),
          rts_server_get_frames_dropped (server), cpu_seconds_self (),
          rts_server_get_bytes_sent (server));
  if (fflush (stdout) != 0)
    server_quit = 1;
  return G_SOURCE_CONTINUE;
}

static int
run_server (void)
{
  g_autoptr(RtsServer) server = rts_server_new ();

  signal (SIGTERM, on_term);
  signal (SIGINT, on_term);
  rts_server_listen_tcp (server);
  rts_server_add_display (server, width, height, compression);
  rts_server_start_stream (server, fps);
  printf ("socket %s %d\n", rts_server_get_path (server), rts_server_get_port (server));
  fflush (stdout);
  /* status every 100 ms: monotonic µs, frames made by the generator and
   * taken by the worker, frames replaced before the worker took them, CPU */
  g_timeout_add (100, print_status, server);
  while (!server_quit)
    g_main_context_iteration (NULL, TRUE);
  rts_server_stop_stream (server);
  return 0;
}

/* ---- server status, read by the client ----------------------------------- */

typedef struct
{
  gint64  t_us;
  guint64 sent;
  guint64 dropped;
  double  cpu;
  guint64 bytes;
} Status;

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  char             *socket;
  int               port;
  Status            last;
} ServerProc;

static void read_status (ServerProc *server);

static void
status_line (GObject *source, GAsyncResult *result, gpointer data)
{
  ServerProc *server = data;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, NULL, NULL);
  Status s;

  if (line == NULL)
    return;
  if (sscanf (line, "status %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %lf %"
              G_GUINT64_FORMAT, &s.t_us, &s.sent, &s.dropped, &s.cpu, &s.bytes) == 5)
    server->last = s;
  read_status (server);
}

static void
read_status (ServerProc *server)
{
  g_data_input_stream_read_line_async (server->out, G_PRIORITY_HIGH, NULL, status_line, server);
}

static void
start_server (ServerProc *server, const char *self_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fps_s = g_strdup_printf ("%g", fps);
  g_autofree char *size_s = g_strdup_printf ("%dx%d", width, height);
  g_autofree char *line = NULL;

  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_path,
                                      "--server", "--fps", fps_s, "--size", size_s,
                                      "--compression", compression, NULL);
  if (server->process == NULL)
    g_error ("starting the server: %s", error->message);
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (server->out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "socket "))
    g_error ("the server did not start: %s", error ? error->message : line);
  server->socket = g_strdup (line + strlen ("socket "));
  *strchr (server->socket, ' ') = '\0';
  server->port = atoi (strrchr (line, ' ') + 1);
  read_status (server);
}

/* ---- measuring the widget ------------------------------------------------- */

typedef struct
{
  gint64  t_us;         /* end of the snapshot */
  guint64 number;       /* frame number shown */
  double  work_ms;      /* the snapshot */
  double  latency_ms;   /* first invalidate of this generation → end of snapshot */
  double  age_ms;       /* made by the server → end of snapshot */
  double  paint_ms;     /* the frame clock's paint: before-paint → after-paint */
} Shown;

typedef struct
{
  RefractSpiceDisplay *display;
  gboolean             recording;
  gint64               first_invalidate;
  guint64              last_received;
  guint64              n_received;
  guint64              n_invalidates;
  GArray              *shown;        /* Shown */
  gint64               before_paint;
  gboolean             presented;    /* this paint showed a new generation */
} Probe;

static Probe probe;
static void (*parent_snapshot) (GtkWidget *, GtkSnapshot *);

static const guint8 *
primary_row0 (RefractSpiceDisplay *display)
{
  SpiceDisplayPrimary primary;

  if (display->display == NULL
      || !spice_display_channel_get_primary (SPICE_CHANNEL (display->display), 0, &primary)
      || primary.data == NULL)
    return NULL;
  return primary.data;
}

/* Wraps RefractSpiceDisplay's snapshot: public GTK class machinery, no hook in
 * the product. */
static void
timed_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  RefractSpiceDisplay *display = REFRACT_SPICE_DISPLAY (widget);
  gboolean dirty = refract_framebuffer_is_dirty (display->framebuffer);
  gint64 start = g_get_monotonic_time (), end;
  const guint8 *row0;
  Shown shown = { 0 };
  gint64 made = 0;

  parent_snapshot (widget, snapshot);
  end = g_get_monotonic_time ();
  if (!dirty || display != probe.display || !probe.recording)
    {
      probe.first_invalidate = 0;
      return;
    }
  /* the channel writes the primary on this thread: it is what the tiles copied */
  row0 = primary_row0 (display);
  if (row0 == NULL || !rts_frame_decode (row0, &shown.number, &made))
    return;
  shown.t_us = end;
  shown.work_ms = (end - start) / 1000.0;
  shown.latency_ms = probe.first_invalidate ? (end - probe.first_invalidate) / 1000.0 : 0;
  shown.age_ms = (end - made) / 1000.0;
  g_array_append_val (probe.shown, shown);
  probe.first_invalidate = 0;
  probe.presented = TRUE;
}

static void
before_paint (GdkFrameClock *clock, gpointer data)
{
  probe.before_paint = g_get_monotonic_time ();
  if (trace != NULL && probe.recording)
    fprintf (trace, "paint %" G_GINT64_FORMAT "\n", probe.before_paint);
  probe.presented = FALSE;
}

static void
after_paint (GdkFrameClock *clock, gpointer data)
{
  if (trace != NULL && probe.recording)
    fprintf (trace, "painted %" G_GINT64_FORMAT " %d\n", g_get_monotonic_time (), probe.presented);
  if (probe.presented && probe.before_paint != 0 && probe.shown != NULL && probe.shown->len > 0)
    g_array_index (probe.shown, Shown, probe.shown->len - 1).paint_ms =
      (g_get_monotonic_time () - probe.before_paint) / 1000.0;
  probe.presented = FALSE;
}

static void
on_invalidate (SpiceChannel *channel, int x, int y, int w, int h, gpointer data)
{
  const guint8 *row0 = primary_row0 (probe.display);
  guint64 number;
  gint64 made;

  if (!probe.recording)
    return;
  probe.n_invalidates++;
  if (probe.first_invalidate == 0)
    probe.first_invalidate = g_get_monotonic_time ();
  if (row0 != NULL && y == 0 && rts_frame_decode (row0, &number, &made)
      && number != probe.last_received)
    {
      probe.last_received = number;
      probe.n_received++;
      if (trace != NULL)
        fprintf (trace, "received %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                 g_get_monotonic_time (), number, made);
    }
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Blocks in the main loop (no busy polling: it would count as client CPU),
 * checking done every 10 ms; FALSE after secs. */
static gboolean
wait_for (gboolean (*done) (gpointer), gpointer data, double secs)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (secs * G_USEC_PER_SEC);
  guint ticker = g_timeout_add (10, wake, NULL);
  gboolean ok = TRUE;

  while (done == NULL || !done (data))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          ok = done == NULL;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ticker);
  return ok;
}

static void
spin (double secs)
{
  wait_for (NULL, NULL, secs);
}

static gboolean
has_frame (gpointer data)
{
  RefractSpiceDisplay *display = data;

  return display->display != NULL && refract_framebuffer_has_primary (display->framebuffer)
         && primary_row0 (display) != NULL;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* p50 and p95 of one Shown field over [from, to) µs */
static void
percentiles (GArray *shown, gsize offset, gint64 from, gint64 to, double *p50, double *p95)
{
  g_autofree double *v = g_new (double, MAX (shown->len, 1));
  guint n = 0;

  for (guint i = 0; i < shown->len; i++)
    {
      Shown *s = &g_array_index (shown, Shown, i);

      if (s->t_us >= from && s->t_us < to)
        v[n++] = *(double *) ((guint8 *) s + offset);
    }
  if (n == 0)
    {
      *p50 = *p95 = 0;
      return;
    }
  qsort (v, n, sizeof (double), compare_doubles);
  *p50 = v[n / 2];
  *p95 = v[MIN ((guint) (n * 0.95), n - 1)];
}

typedef struct
{
  double cpu_pct;         /* of one core */
  double main_cpu_pct;    /* the main thread alone: it reads the socket and paints */
  double faults_per_frame; /* minor page faults per frame delivered */
  double cpu_ms_per_frame; /* all threads, per frame delivered: steadier than % on a busy machine */
  double server_fps;      /* frames the worker took */
  double server_dropped;  /* per second, replaced before the worker took them */
  double server_cpu_pct;
  double received_fps;
  double shown_fps;
  double wire_mib_s;      /* server → client, TCP bytes acknowledged */
  double wire_frames_fps; /* the same in raw frames */
} Figures;

/* utime + stime of a process, in seconds; its minor page faults */
static double
read_proc_cpu (GPid pid, unsigned long *minflt)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  unsigned long utime = 0, stime = 0;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return -1;
  /* after "pid (comm)": state is field 3, minflt 10, utime 14, stime 15 */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %*u %*u %lu %lu", minflt, &utime,
              &stime) != 3)
    return -1;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

static double frame_bytes (void);

/* a line of /proc/self/status in MiB, e.g. "VmRSS" */
static double
status_mib (const char *key)
{
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      || (p = strstr (text, key)) == NULL)
    return -1;
  return g_ascii_strtod (p + strlen (key) + 1, NULL) / 1024;
}

static double
frame_bytes (void)
{
  return g_str_equal (compression, "off") ? (double) width * height * 4 : 0;
}

static void
wire_figures (Figures *fig, const Status *s0, const Status *s1)
{
  double secs = (s1->t_us - s0->t_us) / 1e6;

  fig->wire_mib_s = use_unix ? -1 : (s1->bytes - s0->bytes) / secs / (1 << 20);
  fig->wire_frames_fps = use_unix || frame_bytes () <= 0 ? -1
                         : (s1->bytes - s0->bytes) / frame_bytes () / secs;
}

static void
measure_refract (ServerProc *server, Figures *fig)
{
  g_autofree char *uri = g_strdup_printf ("spice://127.0.0.1:%d", server->port);
  g_autoptr(RefractSpiceSession) session = use_unix
    ? _refract_spice_session_new_for_unix_path (server->socket)
    : _refract_spice_session_new_for_uri (uri);
  RefractSpiceDisplay *display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  Status s0, s1;
  gint64 t0, t1;
  double cpu0, cpu1, main0, main1;
  long faults0, faults1;
  double p50, p95;
  double w50, w95, l50, l95, a50s, a95s, a50e, a95e;
  guint64 first_shown = 0, last_shown = 0, gaps = 0;

  probe.display = display;
  probe.shown = g_array_new (FALSE, TRUE, sizeof (Shown));
  refract_spice_display_set_session (display, session);
  gtk_window_set_default_size (window, window_width, window_height);
  gtk_window_set_child (window, GTK_WIDGET (display));
  gtk_window_present (window);
  refract_spice_session_connect (session);
  if (!wait_for (has_frame, display, 20))
    g_error ("no frame from the server (state %d)", refract_spice_session_get_state (session));
  g_signal_connect (display->display, "display-invalidate", G_CALLBACK (on_invalidate), NULL);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "before-paint",
                    G_CALLBACK (before_paint), NULL);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint), NULL);

  spin (warmup);
  probe.recording = TRUE;
  s0 = server->last;
  t0 = g_get_monotonic_time ();
  cpu0 = cpu_seconds_self ();
  main0 = cpu_seconds_this_thread ();
  faults0 = minor_faults_self ();
  spin (seconds);
  faults1 = minor_faults_self ();
  main1 = cpu_seconds_this_thread ();
  cpu1 = cpu_seconds_self ();
  t1 = g_get_monotonic_time ();
  s1 = server->last;
  probe.recording = FALSE;

  fig->cpu_pct = 100 * (cpu1 - cpu0) / ((t1 - t0) / 1e6);
  fig->main_cpu_pct = 100 * (main1 - main0) / ((t1 - t0) / 1e6);
  fig->server_fps = (s1.sent - s0.sent) / ((s1.t_us - s0.t_us) / 1e6);
  fig->server_dropped = (s1.dropped - s0.dropped) / ((s1.t_us - s0.t_us) / 1e6);
  fig->server_cpu_pct = 100 * (s1.cpu - s0.cpu) / ((s1.t_us - s0.t_us) / 1e6);
  fig->received_fps = probe.n_received / ((t1 - t0) / 1e6);
  fig->shown_fps = probe.shown->len / ((t1 - t0) / 1e6);
  fig->faults_per_frame = probe.n_received ? (double) (faults1 - faults0) / probe.n_received : -1;
  fig->cpu_ms_per_frame = probe.n_received ? 1000 * (cpu1 - cpu0) / probe.n_received : -1;
  wire_figures (fig, &s0, &s1);

  percentiles (probe.shown, G_STRUCT_OFFSET (Shown, work_ms), t0, t1, &w50, &w95);
  percentiles (probe.shown, G_STRUCT_OFFSET (Shown, latency_ms), t0, t1, &l50, &l95);
  percentiles (probe.shown, G_STRUCT_OFFSET (Shown, paint_ms), t0, t1, &p50, &p95);
  percentiles (probe.shown, G_STRUCT_OFFSET (Shown, age_ms), t0, t0 + 2000000, &a50s, &a95s);
  percentiles (probe.shown, G_STRUCT_OFFSET (Shown, age_ms), t1 - 2000000, t1, &a50e, &a95e);
  for (guint i = 0; i < probe.shown->len; i++)
    {
      guint64 n = g_array_index (probe.shown, Shown, i).number;

      if (i == 0)
        first_shown = n;
      else if (n > last_shown + 1)
        gaps += n - last_shown - 1;
      last_shown = n;
    }

  printf ("Refract (RefractSpiceDisplay, GSK_RENDERER=%s), %.0f s after %.0f s warm-up\n",
          g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default", seconds, warmup);
  printf ("  client work per shown frame, framebuffer path (snapshot with a dirty framebuffer:\n"
          "  tile rebuild = textures ready, + nodes), full-frame damage:  p50 %.2f ms  p95 %.2f ms"
          "  (target <= 3 ms) %s\n", w50, w95, w50 <= 3 ? "ok" : "OVER");
  printf ("  first invalidate of a frame -> its textures ready (includes waiting for the frame clock):"
          "  p50 %.2f ms  p95 %.2f ms\n", l50, l95);
  printf ("  main thread per shown frame, the frame clock's whole paint (layout, snapshot,\n"
          "  render to the X11 surface):  p50 %.2f ms  p95 %.2f ms\n", p50, p95);
  printf ("  invalidates per received frame: %.2f\n",
          probe.n_received ? (double) probe.n_invalidates / probe.n_received : 0);
  printf ("  frames shown: %u (numbers %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
          ", %" G_GUINT64_FORMAT " numbers skipped between shown frames)\n",
          probe.shown->len, first_shown, last_shown, gaps);
  printf ("  memory at the end: resident %.1f MiB, peak %.1f MiB\n", status_mib ("VmRSS"),
          status_mib ("VmHWM"));
  printf ("  age of the frame shown (made by the server -> snapshot): first 2 s p50 %.1f ms"
          " p95 %.1f ms; last 2 s p50 %.1f ms p95 %.1f ms -> backlog %s\n",
          a50s, a95s, a50e, a95e,
          a50e - a50s > 1000.0 / fps ? "GROWS" : "does not grow");

  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  spin (1);
  probe.display = NULL;
  g_clear_pointer (&probe.shown, g_array_unref);
}

static gboolean
measure_remote_viewer (ServerProc *server, Figures *fig)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) viewer = NULL;
  g_autofree char *uri = use_unix ? g_strdup_printf ("spice+unix://%s", server->socket)
                                  : g_strdup_printf ("spice://127.0.0.1:%d", server->port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE
                                                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  Status s0, s1;
  gint64 t0, t1;
  double cpu0, cpu1;
  unsigned long faults0 = 0, faults1 = 0;
  int pid;

  /* its own defaults: GTK 3 picks its renderer, spice-gtk its paths */
  g_subprocess_launcher_unsetenv (launcher, "GSK_RENDERER");
  viewer = g_subprocess_launcher_spawn (launcher, &error, "remote-viewer", uri, NULL);
  if (viewer == NULL)
    {
      printf ("remote-viewer: not run (%s)\n", error->message);
      return FALSE;
    }
  pid = atoi (g_subprocess_get_identifier (viewer));
  spin (warmup + 2);   /* + start-up */
  if (!g_subprocess_get_identifier (viewer))
    {
      printf ("remote-viewer: exited early\n");
      return FALSE;
    }
  s0 = server->last;
  t0 = g_get_monotonic_time ();
  cpu0 = read_proc_cpu (pid, &faults0);
  spin (seconds);
  cpu1 = read_proc_cpu (pid, &faults1);
  t1 = g_get_monotonic_time ();
  s1 = server->last;
  g_subprocess_send_signal (viewer, SIGTERM);
  g_subprocess_wait (viewer, NULL, NULL);
  if (cpu0 < 0 || cpu1 < 0)
    {
      printf ("remote-viewer: could not read /proc/%d/stat\n", pid);
      return FALSE;
    }
  fig->cpu_pct = 100 * (cpu1 - cpu0) / ((t1 - t0) / 1e6);
  fig->server_fps = (s1.sent - s0.sent) / ((s1.t_us - s0.t_us) / 1e6);
  fig->server_dropped = (s1.dropped - s0.dropped) / ((s1.t_us - s0.t_us) / 1e6);
  fig->server_cpu_pct = 100 * (s1.cpu - s0.cpu) / ((s1.t_us - s0.t_us) / 1e6);
  wire_figures (fig, &s0, &s1);
  fig->received_fps = fig->shown_fps = -1;
  /* its threads are not told apart; frames from the bytes delivered */
  fig->main_cpu_pct = -1;
  fig->faults_per_frame = fig->wire_frames_fps > 0
                          ? (faults1 - faults0) / (fig->wire_frames_fps * (t1 - t0) / 1e6) : -1;
  fig->cpu_ms_per_frame = fig->wire_frames_fps > 0
                          ? 1000 * (cpu1 - cpu0) / (fig->wire_frames_fps * (t1 - t0) / 1e6) : -1;
  return TRUE;
}

static void
cell (const char *unit, double value)
{
  char buf[32];

  if (value < 0)
    g_snprintf (buf, sizeof buf, "-");
  else
    g_snprintf (buf, sizeof buf, "%.1f%s", value, unit);
  printf (" %16s", buf);
}

static void
row (const char *what, const char *unit, const Figures *a, const Figures *b, gsize offset)
{
  printf ("%-52s", what);
  cell (unit, *(const double *) ((const guint8 *) a + offset));
  if (b != NULL)
    cell (unit, *(const double *) ((const guint8 *) b + offset));
  printf ("\n");
}

static int
run_client (const char *self_path)
{
  ServerProc server = { 0 };
  Figures ours = { 0 }, theirs = { 0 };
  gboolean have_theirs = FALSE;

  /* what refract_main () chooses on a machine without a GPU render node */
  if (!g_file_test ("/dev/dri", G_FILE_TEST_EXISTS))
    {
      g_setenv ("GSK_RENDERER", "cairo", FALSE);
      g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
    }
  g_setenv ("GTK_A11Y", "none", FALSE);
  if (!gtk_init_check ())
    {
      printf ("No display: run under Xvfb (benchmarks/run-stream-benchmark)\n");
      return 77;
    }
  parent_snapshot = GTK_WIDGET_CLASS (g_type_class_ref (REFRACT_TYPE_SPICE_DISPLAY))->snapshot;
  GTK_WIDGET_CLASS (g_type_class_peek (REFRACT_TYPE_SPICE_DISPLAY))->snapshot = timed_snapshot;

  start_server (&server, self_path);
  printf ("SPICE stream: %dx%d, full screen redrawn each frame (QXL_DRAW_COPY), target %.0f fps,"
          " image compression %s, video streaming off, %s\n"
          "client window %dx%d, %u CPUs\n\n",
          width, height, fps, compression,
          use_unix ? "unix socket" : "TCP on 127.0.0.1", window_width, window_height, g_get_num_processors ());

  measure_refract (&server, &ours);
  if (run_remote_viewer)
    {
      printf ("\n");
      have_theirs = measure_remote_viewer (&server, &theirs);
    }

  printf ("\n%-52s %16s %16s\n", "", "Refract", have_theirs ? "remote-viewer" : "");
  row ("server: frames made and taken by its worker /s", "", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, server_fps));
  row ("server: frames replaced before the worker took them /s", "", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, server_dropped));
  row ("client: frames received per second (pixels)", "", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, received_fps));
  if (!use_unix)
    row ("server -> client over TCP, MiB/s", "", &ours, have_theirs ? &theirs : NULL,
         G_STRUCT_OFFSET (Figures, wire_mib_s));
  if (!use_unix && frame_bytes () > 0)
    row ("  = raw frames delivered per second", "", &ours, have_theirs ? &theirs : NULL,
         G_STRUCT_OFFSET (Figures, wire_frames_fps));
  row ("client: frames shown per second", "", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, shown_fps));
  row ("client CPU, % of one core (all threads)", " %", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, cpu_pct));
  row ("client CPU per frame received, ms", "", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, cpu_ms_per_frame));
  row ("client main thread CPU, % of one core", " %", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, main_cpu_pct));
  row ("client minor page faults per frame received", "", &ours, have_theirs ? &theirs : NULL,
       G_STRUCT_OFFSET (Figures, faults_per_frame));
  row ("server CPU over the same window, % of one core", " %", &ours,
       have_theirs ? &theirs : NULL, G_STRUCT_OFFSET (Figures, server_cpu_pct));
  printf ("Refract: shown == received: %s (%.1f of %.1f); shown == made at the target rate: %s"
          " (%.1f of %.1f)\n",
          ours.shown_fps >= ours.received_fps - 0.5 ? "yes" : "NO", ours.shown_fps, ours.received_fps,
          ours.shown_fps >= ours.server_fps - 0.5 ? "yes" : "NO", ours.shown_fps, ours.server_fps);

  g_subprocess_send_signal (server.process, SIGTERM);
  g_subprocess_wait (server.process, NULL, NULL);
  g_free (server.socket);
  g_clear_object (&server.out);
  g_clear_object (&server.process);
  return 0;
}

static gboolean
parse_size (const char *s, int *w, int *h)
{
  return sscanf (s, "%dx%d", w, h) == 2 && *w > 0 && *h > 0;
}

int
main (int argc, char *argv[])
{
  gboolean server = FALSE;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

      if (g_str_equal (arg, "--server"))
        server = TRUE;
      else if (g_str_equal (arg, "--unix"))
        use_unix = TRUE;
      else if (g_str_equal (arg, "--no-remote-viewer"))
        run_remote_viewer = FALSE;
      else if (val != NULL && g_str_equal (arg, "--fps") && (fps = g_ascii_strtod (val, NULL)) > 0)
        i++;
      else if (val != NULL && g_str_equal (arg, "--seconds")
               && (seconds = g_ascii_strtod (val, NULL)) >= 4)
        i++;
      else if (val != NULL && g_str_equal (arg, "--warmup")
               && (warmup = g_ascii_strtod (val, NULL)) >= 0)
        i++;
      else if (val != NULL && g_str_equal (arg, "--size") && parse_size (val, &width, &height))
        i++;
      else if (val != NULL && g_str_equal (arg, "--window")
               && parse_size (val, &window_width, &window_height))
        i++;
      else if (val != NULL && g_str_equal (arg, "--trace") && (trace = fopen (val, "w")) != NULL)
        i++;
      else if (val != NULL && g_str_equal (arg, "--compression"))
        compression = argv[++i];
      else
        {
          fprintf (stderr, "usage: %s [--server] [--fps N] [--seconds N] [--warmup N] [--size WxH]"
                   " [--window WxH] [--compression off|quic|lz|glz|auto_lz|auto_glz|lz4]"
                   " [--unix] [--no-remote-viewer] [--trace FILE]\n", argv[0]);
          return 2;
        }
    }
  signal (SIGPIPE, SIG_IGN);
  if (server)
    return run_server ();
  return run_client (argv[0]);
}
