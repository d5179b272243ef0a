/* refract-bench-hooks.c: measuring a running Refract from the inside
 *
 * Nothing here changes what Refract does: it listens to GtkApplication
 * ::window-added, to the window's GdkFrameClock and to the sidebar's list
 * model, counts a few libvirt calls on their way through (by defining them
 * and forwarding to libvirt with dlsym (RTLD_NEXT)), writes one JSON object
 * to $REFRACT_BENCH_OUT and quits the application.
 *
 * Modes ($REFRACT_BENCH_MODE):
 *   startup  stop at the first frame painted after the sidebar model holds
 *            $REFRACT_BENCH_EXPECT rows (connections + machines);
 *   idle     then wait $REFRACT_BENCH_SETTLE_MS, and measure the process over
 *            $REFRACT_BENCH_IDLE_MS without touching anything;
 *   scroll   then wait $REFRACT_BENCH_SETTLE_MS and scroll the sidebar from
 *            top to bottom over $REFRACT_BENCH_SCROLL_MS, one step per frame,
 *            recording every frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libvirt/libvirt.h>

#include "refract-bench-hooks.h"

#ifdef RB_IN_PROCESS
#include "refract-stats-sampler.h"
#include "refract-window-private.h"
#endif

typedef enum
{
  MODE_STARTUP,
  MODE_IDLE,
  MODE_SCROLL,
} Mode;

typedef struct
{
  gint64   cpu_ns;           /* CLOCK_PROCESS_CPUTIME_ID, all threads */
  guint64  proc_ticks;       /* utime + stime from /proc/self/stat */
  guint64  xvfb_ticks;       /* utime + stime of the X server, if known */
  guint64  vol_ctxsw;        /* main thread, /proc/self/status */
  guint64  invol_ctxsw;
  guint    frames;
  guint    polls;            /* main-loop wake-ups */
  guint    stats_calls;      /* virDomainListGetStats */
  guint    stats_ticks;      /* groups of calls more than 0.5 s apart */
  guint64  stats_doms;
  gint64   wall_us;
#ifdef RB_IN_PROCESS
  guint64  sampler_calls;    /* refract_stats_sampler_get_n_calls () */
#endif
} Counters;

static struct
{
  gboolean      enabled;
  Mode          mode;
  char         *out_path;
  guint         expect;
  guint         settle_ms;
  guint         idle_ms;
  guint         scroll_ms;
  guint         timeout_ms;
  int           xvfb_pid;

  GApplication *app;
  GtkWidget    *window;
  GtkListView  *list_view;
  GListModel   *model;
  GdkFrameClock *clock;

  gint64        t0;                /* the runner's spawn time, else process start */
  gboolean      t0_from_runner;
  gint64        t_proc_start;      /* from /proc/self/stat (10 ms resolution) */
  gint64        t_hooks;           /* rb_hooks_install (), i.e. main () */
  gint64        t_window;          /* ::window-added */
  gint64        t_first_paint;
  gint64        t_model;           /* the sidebar model reached the expected size */
  gint64        t_painted;         /* first frame painted after that */
  guint         n_frames;
  gint64        frame_begin;
  gint64        frame_work_us;     /* summed over the frames before t_painted */
  guint         n_polls;
  gboolean      done;
  guint         watchdog_id;

  /* scrolling */
  gboolean      scrolling;
  gboolean      scroll_finished;
  gint64        scroll_start_frame_time;
  gint64        last_after_paint;
  GArray       *intervals;         /* double, ms between two painted frames */
  GArray       *work;              /* double, ms from before-paint to after-paint */
  double        scroll_final_value;
  double        scroll_final_max;
  guint         scroll_steps;

  Counters      idle_start;
  GString      *json;
} B;

static guint64 status_value (const char *key);

/* ---- libvirt calls, counted on their way through ---------------------- */

static GMutex vir_lock;
static gint64 vir_open_begin, vir_open_end, vir_list_end, vir_info_last;
static guint64 vir_rss_before_open, vir_rss_after_open;
static guint  vir_info_calls;
static guint  vir_stats_calls, vir_stats_ticks;
static guint64 vir_stats_doms;
static gint64 vir_stats_last;
static double vir_stats_max_ms;

static gpointer
real_symbol (const char *name)
{
  gpointer sym = dlsym (RTLD_NEXT, name);

  if (sym == NULL)
    {
      fprintf (stderr, "refract-bench: cannot find %s: %s\n", name, dlerror ());
      abort ();
    }
  return sym;
}

virConnectPtr
virConnectOpenAuth (const char        *name,
                    virConnectAuthPtr  auth,
                    unsigned int       flags)
{
  static virConnectPtr (*real) (const char *, virConnectAuthPtr, unsigned int);
  virConnectPtr conn;
  guint64 rss = status_value ("VmRSS");
  gint64 begin = g_get_monotonic_time ();

  if (real == NULL)
    real = real_symbol ("virConnectOpenAuth");
  conn = real (name, auth, flags);
  g_mutex_lock (&vir_lock);
  if (vir_open_begin == 0)
    {
      vir_open_begin = begin;
      vir_open_end = g_get_monotonic_time ();
      vir_rss_before_open = rss;
      vir_rss_after_open = status_value ("VmRSS");
    }
  g_mutex_unlock (&vir_lock);
  return conn;
}

int
virConnectListAllDomains (virConnectPtr   conn,
                          virDomainPtr  **domains,
                          unsigned int    flags)
{
  static int (*real) (virConnectPtr, virDomainPtr **, unsigned int);
  int ret;

  if (real == NULL)
    real = real_symbol ("virConnectListAllDomains");
  ret = real (conn, domains, flags);
  g_mutex_lock (&vir_lock);
  if (vir_list_end == 0)
    vir_list_end = g_get_monotonic_time ();
  g_mutex_unlock (&vir_lock);
  return ret;
}

int
virDomainGetInfo (virDomainPtr     domain,
                  virDomainInfoPtr info)
{
  static int (*real) (virDomainPtr, virDomainInfoPtr);
  int ret;

  if (real == NULL)
    real = real_symbol ("virDomainGetInfo");
  ret = real (domain, info);
  g_mutex_lock (&vir_lock);
  vir_info_calls++;
  vir_info_last = g_get_monotonic_time ();
  g_mutex_unlock (&vir_lock);
  return ret;
}

int
virDomainListGetStats (virDomainPtr              *doms,
                       unsigned int               stats,
                       virDomainStatsRecordPtr  **retStats,
                       unsigned int               flags)
{
  static int (*real) (virDomainPtr *, unsigned int, virDomainStatsRecordPtr **, unsigned int);
  gint64 begin = g_get_monotonic_time ();
  guint n = 0;
  int ret;

  if (real == NULL)
    real = real_symbol ("virDomainListGetStats");
  for (virDomainPtr *d = doms; d && *d; d++)
    n++;
  ret = real (doms, stats, retStats, flags);
  g_mutex_lock (&vir_lock);
  vir_stats_calls++;
  vir_stats_doms += n;
  if (begin - vir_stats_last > 500000)
    vir_stats_ticks++;
  vir_stats_last = begin;
  vir_stats_max_ms = MAX (vir_stats_max_ms, (g_get_monotonic_time () - begin) / 1000.0);
  g_mutex_unlock (&vir_lock);
  return ret;
}

/* ---- /proc ------------------------------------------------------------ */

static gboolean
read_stat (int pid, guint64 *ticks, guint64 *start_ticks)
{
  g_autofree char *path = pid > 0 ? g_strdup_printf ("/proc/%d/stat", pid) : g_strdup ("/proc/self/stat");
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  /* the command name may contain spaces: start after its ')' */
  if ((p = strrchr (text, ')')) == NULL)
    return FALSE;
  fields = g_strsplit (p + 2, " ", -1);
  if (g_strv_length (fields) < 20)
    return FALSE;
  /* fields[0] is field 3 (state): utime is 14, stime 15, starttime 22 */
  if (ticks)
    *ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  if (start_ticks)
    *start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

static guint64
status_value (const char *key)
{
  g_autofree char *text = NULL;
  g_autofree char *needle = g_strconcat ("\n", key, ":", NULL);
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      || (p = strstr (text, needle)) == NULL)
    return 0;
  p += strlen (needle);
  while (*p == ' ' || *p == '\t')
    p++;
  return g_ascii_strtoull (p, NULL, 10);
}

static gint64
process_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* When this process started, on the g_get_monotonic_time () clock. */
static gint64
process_start_monotonic (void)
{
  guint64 start_ticks = 0;
  struct timespec boot, mono;
  long hz = sysconf (_SC_CLK_TCK);
  gint64 now_boot_us, now_mono_us, start_boot_us;

  if (!read_stat (0, NULL, &start_ticks) || hz <= 0)
    return 0;
  clock_gettime (CLOCK_BOOTTIME, &boot);
  clock_gettime (CLOCK_MONOTONIC, &mono);
  now_boot_us = (gint64) boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000;
  now_mono_us = (gint64) mono.tv_sec * G_USEC_PER_SEC + mono.tv_nsec / 1000;
  start_boot_us = (gint64) (start_ticks * G_USEC_PER_SEC / hz);
  return now_mono_us - (now_boot_us - start_boot_us);
}

static void
read_counters (Counters *c)
{
  memset (c, 0, sizeof *c);
  c->cpu_ns = process_cpu_ns ();
  read_stat (0, &c->proc_ticks, NULL);
  if (B.xvfb_pid > 0)
    read_stat (B.xvfb_pid, &c->xvfb_ticks, NULL);
  c->vol_ctxsw = status_value ("voluntary_ctxt_switches");
  c->invol_ctxsw = status_value ("nonvoluntary_ctxt_switches");
  c->frames = B.n_frames;
  c->polls = B.n_polls;
  g_mutex_lock (&vir_lock);
  c->stats_calls = vir_stats_calls;
  c->stats_ticks = vir_stats_ticks;
  c->stats_doms = vir_stats_doms;
  g_mutex_unlock (&vir_lock);
  c->wall_us = g_get_monotonic_time ();
#ifdef RB_IN_PROCESS
  c->sampler_calls = refract_stats_sampler_get_n_calls (refract_stats_sampler_get_default ());
#endif
}

/* ---- the JSON report -------------------------------------------------- */

static void
json_key (const char *key)
{
  g_string_append (B.json, B.json->len > 1 ? ",\n  " : "\n  ");
  g_string_append_printf (B.json, "\"%s\": ", key);
}

static void
json_int (const char *key, gint64 value)
{
  json_key (key);
  g_string_append_printf (B.json, "%" G_GINT64_FORMAT, value);
}

static void
json_double (const char *key, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  json_key (key);
  g_string_append (B.json, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

static void
json_str (const char *key, const char *value)
{
  json_key (key);
  g_string_append_c (B.json, '"');
  for (const char *p = value; p && *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (B.json, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (B.json, "\\u%04x", *p);
      else
        g_string_append_c (B.json, *p);
    }
  g_string_append_c (B.json, '"');
}

static double
ms_since_t0 (gint64 t)
{
  return t > 0 ? (t - B.t0) / 1000.0 : -1;
}

static void
write_report_and_quit (const char *error)
{
  g_autofree char *tmp = NULL;
  g_autoptr(GError) err = NULL;

  if (B.done)
    return;
  B.done = TRUE;

  if (error != NULL)
    json_str ("error", error);
  json_double ("cpu_ms_total", process_cpu_ns () / 1e6);
  json_double ("wall_ms_total", ms_since_t0 (g_get_monotonic_time ()));
  g_string_append (B.json, "\n}\n");
  tmp = g_strconcat (B.out_path, ".tmp", NULL);
  if (!g_file_set_contents (tmp, B.json->str, B.json->len, &err) || g_rename (tmp, B.out_path) != 0)
    fprintf (stderr, "refract-bench: cannot write %s: %s\n", B.out_path,
             err ? err->message : g_strerror (errno));

  if (g_getenv ("REFRACT_BENCH_KEEP_RUNNING") == NULL)
    g_application_quit (B.app);
}

/* ---- the widget tree --------------------------------------------------- */

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_list_view (c);

      if (found)
        return found;
    }
  return NULL;
}

typedef struct
{
  guint rows;              /* row widgets the list view holds */
  guint rows_on_screen;    /* ...of which intersect its visible area */
  guint sparklines_watching;   /* mapped, with a machine: what the sampler watches */
  guint sparklines_on_screen;
} RowCount;

static void
count_sparklines (GtkWidget *widget, GType sparkline_type, gboolean on_screen, RowCount *rc)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      if (sparkline_type != 0 && G_TYPE_CHECK_INSTANCE_TYPE (c, sparkline_type) && gtk_widget_get_mapped (c))
        {
          g_autoptr(GObject) machine = NULL;

          g_object_get (c, "machine", &machine, NULL);
          if (machine != NULL)
            {
              rc->sparklines_watching++;
              if (on_screen)
                rc->sparklines_on_screen++;
            }
        }
      count_sparklines (c, sparkline_type, on_screen, rc);
    }
}

static RowCount
count_rows (void)
{
  RowCount rc = { 0 };
  GType sparkline_type = g_type_from_name ("RefractSparkline");
  GtkWidget *lv = GTK_WIDGET (B.list_view);
  int height = gtk_widget_get_height (lv);

  for (GtkWidget *c = gtk_widget_get_first_child (lv); c; c = gtk_widget_get_next_sibling (c))
    {
      graphene_rect_t bounds;
      gboolean on_screen = FALSE;

      rc.rows++;
      if (gtk_widget_get_mapped (c) && gtk_widget_compute_bounds (c, lv, &bounds))
        on_screen = bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height;
      if (on_screen)
        rc.rows_on_screen++;
      count_sparklines (c, sparkline_type, on_screen, &rc);
    }
  return rc;
}

static guint
count_all_watching (void)
{
  RowCount rc = { 0 };

  count_sparklines (B.window, g_type_from_name ("RefractSparkline"), FALSE, &rc);
  return rc.sparklines_watching;
}

/* ---- stages ----------------------------------------------------------- */

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
report_series (const char *prefix, GArray *values)
{
  g_autofree char *k_mean = g_strconcat (prefix, "_mean_ms", NULL);
  g_autofree char *k_p50 = g_strconcat (prefix, "_p50_ms", NULL);
  g_autofree char *k_p95 = g_strconcat (prefix, "_p95_ms", NULL);
  g_autofree char *k_max = g_strconcat (prefix, "_max_ms", NULL);
  g_autofree char *k_over33 = g_strconcat (prefix, "_over_33ms", NULL);
  g_autofree char *k_over50 = g_strconcat (prefix, "_over_50ms", NULL);
  g_autofree char *k_n = g_strconcat (prefix, "_n", NULL);
  double sum = 0;
  guint over33 = 0, over50 = 0, n = values->len;

  if (n == 0)
    return;
  g_array_sort (values, compare_doubles);
  for (guint i = 0; i < n; i++)
    {
      double v = g_array_index (values, double, i);

      sum += v;
      over33 += v > 1000.0 / 30;
      over50 += v > 50;
    }
  json_int (k_n, n);
  json_double (k_mean, sum / n);
  json_double (k_p50, g_array_index (values, double, n / 2));
  json_double (k_p95, g_array_index (values, double, MIN (n - 1, (guint) (n * 0.95))));
  json_double (k_max, g_array_index (values, double, n - 1));
  json_int (k_over33, over33);
  json_int (k_over50, over50);
}

typedef struct
{
  char   *name;
  guint64 rss_kib;
} Mapping;

static int
compare_mappings (gconstpointer a, gconstpointer b)
{
  const Mapping *x = a, *y = b;

  return x->rss_kib < y->rss_kib ? 1 : x->rss_kib > y->rss_kib ? -1 : 0;
}

/* The biggest resident mappings, by file name ("[anon]" for anonymous memory,
 * i.e. malloc arenas other than [heap], and GL buffers). */
static char *
rss_breakdown (void)
{
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (Mapping));
  g_auto(GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  const char *current = "[anon]";
  GHashTableIter iter;
  gpointer key, value;

  if (!g_file_get_contents ("/proc/self/smaps", &text, NULL, NULL))
    return g_string_free (out, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *line = *l;

      if (g_ascii_isxdigit (line[0]) && strchr (line, '-') && strchr (line, '-') < strchr (line, ' '))
        {
          /* address perms offset dev inode [path] */
          char *p = line;
          for (int field = 0; field < 5 && p; field++)
            p = strchr (p + 1, ' ');
          while (p && *p == ' ')
            p++;
          current = p && *p ? p : "[anon]";
          if (g_str_has_prefix (current, "/"))
            current = strrchr (current, '/') + 1;
        }
      else if (g_str_has_prefix (line, "Rss:"))
        {
          guint64 *kib = g_hash_table_lookup (by_name, current);

          if (kib == NULL)
            {
              kib = g_new0 (guint64, 1);
              g_hash_table_insert (by_name, g_strdup (current), kib);
            }
          *kib += g_ascii_strtoull (line + 4, NULL, 10);
        }
    }
  g_hash_table_iter_init (&iter, by_name);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Mapping m = { key, *(guint64 *) value };

      g_array_append_val (list, m);
    }
  g_array_sort (list, compare_mappings);
  for (guint i = 0; i < MIN (list->len, 8); i++)
    {
      Mapping *m = &g_array_index (list, Mapping, i);

      g_string_append_printf (out, "%s%s %.1f", i ? ", " : "", m->name, m->rss_kib / 1024.0);
    }
  return g_string_free (out, FALSE);
}

static void
report_memory (void)
{
  g_autofree char *breakdown = rss_breakdown ();

  json_double ("vm_hwm_mib", status_value ("VmHWM") / 1024.0);
  json_double ("vm_rss_mib", status_value ("VmRSS") / 1024.0);
  json_double ("rss_anon_mib", status_value ("RssAnon") / 1024.0);
  json_double ("rss_file_mib", status_value ("RssFile") / 1024.0);
  json_double ("rss_shmem_mib", status_value ("RssShmem") / 1024.0);
  json_str ("rss_top_mappings_mib", breakdown);
  json_int ("threads", status_value ("Threads"));
}

static void
report_watch (const char *prefix)
{
  RowCount rc = count_rows ();
  g_autofree char *k_rows = g_strconcat (prefix, "rows_instantiated", NULL);
  g_autofree char *k_screen = g_strconcat (prefix, "rows_on_screen", NULL);
  g_autofree char *k_watch = g_strconcat (prefix, "sparklines_watching", NULL);
  g_autofree char *k_watch_screen = g_strconcat (prefix, "sparklines_watching_on_screen", NULL);
  g_autofree char *k_watch_all = g_strconcat (prefix, "sparklines_watching_in_window", NULL);

  json_int (k_rows, rc.rows);
  json_int (k_screen, rc.rows_on_screen);
  json_int (k_watch, rc.sparklines_watching);
  json_int (k_watch_screen, rc.sparklines_on_screen);
  json_int (k_watch_all, count_all_watching ());
#ifdef RB_IN_PROCESS
  {
    g_autofree char *k_api = g_strconcat (prefix, "sampler_n_watched", NULL);

    json_int (k_api, refract_stats_sampler_get_n_watched (refract_stats_sampler_get_default ()));
  }
#endif
}

static gboolean
idle_end (gpointer data)
{
  Counters end, *s = &B.idle_start;
  double wall_s;
  long hz = sysconf (_SC_CLK_TCK);
  guint ticks;

  read_counters (&end);
  wall_s = (end.wall_us - s->wall_us) / 1e6;
  ticks = end.stats_ticks - s->stats_ticks;

  json_double ("idle_seconds", wall_s);
  json_double ("idle_cpu_percent", 100.0 * (end.cpu_ns - s->cpu_ns) / 1e9 / wall_s);
  json_double ("idle_cpu_percent_proc_stat", 100.0 * (end.proc_ticks - s->proc_ticks) / hz / wall_s);
  if (B.xvfb_pid > 0)
    json_double ("idle_xvfb_cpu_percent", 100.0 * (end.xvfb_ticks - s->xvfb_ticks) / hz / wall_s);
  json_int ("idle_frames", end.frames - s->frames);
  json_int ("idle_mainloop_wakeups", end.polls - s->polls);
  json_int ("idle_main_thread_voluntary_ctxsw", end.vol_ctxsw - s->vol_ctxsw);
  json_int ("idle_main_thread_involuntary_ctxsw", end.invol_ctxsw - s->invol_ctxsw);
  json_int ("idle_stats_calls", end.stats_calls - s->stats_calls);
  json_int ("idle_stats_ticks", ticks);
  json_double ("idle_stats_calls_per_tick", ticks ? (double) (end.stats_calls - s->stats_calls) / ticks : 0);
  json_double ("idle_stats_domains_per_call",
               end.stats_calls > s->stats_calls
               ? (double) (end.stats_doms - s->stats_doms) / (end.stats_calls - s->stats_calls) : 0);
  g_mutex_lock (&vir_lock);
  json_double ("stats_call_max_ms", vir_stats_max_ms);
  g_mutex_unlock (&vir_lock);
#ifdef RB_IN_PROCESS
  json_int ("idle_sampler_n_calls", end.sampler_calls - s->sampler_calls);
  json_double ("idle_sampler_n_calls_per_tick",
               ticks ? (double) (end.sampler_calls - s->sampler_calls) / ticks : 0);
  json_int ("sampler_interval_s", refract_stats_sampler_get_interval (refract_stats_sampler_get_default ()));
#endif
  report_watch ("idle_");
  report_memory ();
  write_report_and_quit (NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_begin (gpointer data)
{
  read_counters (&B.idle_start);
  g_timeout_add (B.idle_ms, idle_end, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (B.list_view));
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double lower = gtk_adjustment_get_lower (adj);
  double max = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  double progress;

  if (B.scroll_start_frame_time == 0)
    {
      B.scroll_start_frame_time = now;
      B.scrolling = TRUE;
      B.last_after_paint = 0;
    }
  progress = (now - B.scroll_start_frame_time) / (B.scroll_ms * 1000.0);
  B.scroll_steps++;
  if (progress >= 1)
    {
      gtk_adjustment_set_value (adj, max);
      B.scroll_finished = TRUE;
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (adj, lower + progress * (max - lower));
  return G_SOURCE_CONTINUE;
}

static gboolean
scroll_report (gpointer data)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (B.list_view));

  json_int ("scroll_steps", B.scroll_steps);
  json_int ("scroll_begin_monotonic_us", B.scroll_start_frame_time);
  json_int ("scroll_end_monotonic_us", B.last_after_paint);
  json_double ("scroll_duration_ms", B.scroll_ms);
  json_double ("scroll_final_value", gtk_adjustment_get_value (adj));
  json_double ("scroll_final_max", gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  json_double ("scroll_upper", gtk_adjustment_get_upper (adj));
  report_series ("scroll_frame_interval", B.intervals);
  report_series ("scroll_frame_work", B.work);
  report_watch ("after_scroll_");
  report_memory ();
  write_report_and_quit (NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
scroll_begin (gpointer data)
{
  B.intervals = g_array_new (FALSE, FALSE, sizeof (double));
  B.work = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_widget_add_tick_callback (GTK_WIDGET (B.list_view), scroll_tick, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
startup_report (gpointer data)
{
  report_memory ();
  write_report_and_quit (NULL);
  return G_SOURCE_REMOVE;
}

static void
populated_and_painted (void)
{
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (B.window));

  B.t_painted = g_get_monotonic_time ();
  g_clear_handle_id (&B.watchdog_id, g_source_remove);

  json_str ("mode", B.mode == MODE_IDLE ? "idle" : B.mode == MODE_SCROLL ? "scroll" : "startup");
#if defined (RB_IN_PROCESS)
  json_str ("binary", "refract-bench (in-process)");
#elif defined (RB_FLOOR)
  json_str ("binary", "refract-bench-floor");
#else
  json_str ("binary", "refract (LD_PRELOAD)");
#endif
  json_str ("renderer", renderer ? G_OBJECT_TYPE_NAME (renderer) : "none");
  json_int ("t0_from_runner", B.t0_from_runner);
  json_int ("expect_rows", B.expect);
  json_int ("model_rows", g_list_model_get_n_items (B.model));
  json_int ("window_width", gtk_widget_get_width (B.window));
  json_int ("window_height", gtk_widget_get_height (B.window));
  json_double ("start_to_painted_ms", ms_since_t0 (B.t_painted));
  json_double ("proc_start_to_painted_ms",
               B.t_proc_start ? (B.t_painted - B.t_proc_start) / 1000.0 : -1);
  json_double ("start_to_main_ms", ms_since_t0 (B.t_hooks));
  json_double ("start_to_window_ms", ms_since_t0 (B.t_window));
  json_double ("start_to_first_paint_ms", ms_since_t0 (B.t_first_paint));
  json_double ("start_to_model_ms", ms_since_t0 (B.t_model));
  g_mutex_lock (&vir_lock);
  json_double ("start_to_open_ms", ms_since_t0 (vir_open_begin));
  json_double ("open_connect_ms", (vir_open_end - vir_open_begin) / 1000.0);
  json_double ("open_to_listed_ms", vir_list_end ? (vir_list_end - vir_open_begin) / 1000.0 : -1);
  json_double ("open_to_snapshots_done_ms", vir_info_last ? (vir_info_last - vir_open_begin) / 1000.0 : -1);
  json_int ("domain_info_calls", vir_info_calls);
  /* the test driver lives in this process: what opening it cost (roughly:
   * the main thread allocates too meanwhile) */
  json_double ("rss_growth_during_open_mib", ((gint64) vir_rss_after_open - (gint64) vir_rss_before_open) / 1024.0);
  json_double ("open_to_model_ms", vir_open_begin ? (B.t_model - vir_open_begin) / 1000.0 : -1);
  json_double ("open_to_painted_ms", vir_open_begin ? (B.t_painted - vir_open_begin) / 1000.0 : -1);
  json_double ("connected_to_painted_ms", vir_open_end ? (B.t_painted - vir_open_end) / 1000.0 : -1);
  g_mutex_unlock (&vir_lock);
  json_double ("model_to_painted_ms", (B.t_painted - B.t_model) / 1000.0);
  json_int ("frames_until_painted", B.n_frames);
  json_double ("cpu_ms_until_painted", process_cpu_ns () / 1e6);
  json_double ("main_thread_cpu_ms_until_painted", thread_cpu_ns () / 1e6);
  json_double ("frame_work_ms_until_painted", B.frame_work_us / 1000.0);
  report_watch ("");

  switch (B.mode)
    {
    case MODE_IDLE:
      g_timeout_add (B.settle_ms, idle_begin, NULL);
      break;
    case MODE_SCROLL:
      g_timeout_add (B.settle_ms, scroll_begin, NULL);
      break;
    case MODE_STARTUP:
    default:
      g_idle_add (startup_report, NULL);
      break;
    }
}

static void find_sidebar (void);

static void
before_paint (GdkFrameClock *clock, gpointer data)
{
  B.frame_begin = g_get_monotonic_time ();
}

static void
after_paint (GdkFrameClock *clock, gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  B.n_frames++;
  if (B.t_first_paint == 0)
    B.t_first_paint = now;
  if (B.t_painted == 0 && B.frame_begin != 0)
    B.frame_work_us += now - B.frame_begin;
  find_sidebar ();

  if (B.scrolling)
    {
      double work = (now - B.frame_begin) / 1000.0;

      if (B.last_after_paint != 0)
        {
          double interval = (now - B.last_after_paint) / 1000.0;

          g_array_append_val (B.intervals, interval);
        }
      g_array_append_val (B.work, work);
      B.last_after_paint = now;
      if (B.scroll_finished)
        {
          B.scrolling = FALSE;
          g_timeout_add (500, scroll_report, NULL);
        }
    }

  /* The model can't change between layout and here, so a frame that sees
   * the rows here is a frame that laid them out and painted them. */
  if (B.t_painted == 0 && B.t_model != 0 && B.list_view != NULL
      && gtk_widget_get_first_child (GTK_WIDGET (B.list_view)) != NULL)
    populated_and_painted ();
}

static void
model_items_changed (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  if (B.t_model == 0 && g_list_model_get_n_items (model) >= B.expect)
    B.t_model = g_get_monotonic_time ();
}

static void
list_model_changed (GtkListView *list_view, GParamSpec *pspec, gpointer data)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list_view));

  if (model == NULL || model == B.model)
    return;
  B.model = model;
  g_signal_connect (model, "items-changed", G_CALLBACK (model_items_changed), NULL);
  model_items_changed (model, 0, 0, 0, NULL);
}

static void
window_realized (GtkWidget *window, gpointer data)
{
  B.clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (B.clock, "before-paint", G_CALLBACK (before_paint), NULL);
  g_signal_connect_after (B.clock, "after-paint", G_CALLBACK (after_paint), NULL);
}

/* The list view may only be put in the window after ::window-added (it is in
 * refract-bench-floor), so this is tried again until it is found. */
static void
find_sidebar (void)
{
  if (B.list_view != NULL || B.window == NULL)
    return;
  B.list_view = GTK_LIST_VIEW (find_list_view (B.window));
  if (B.list_view == NULL)
    return;
#ifdef RB_IN_PROCESS
  g_assert (B.list_view == _refract_window_get_list_view (REFRACT_WINDOW (B.window)));
#endif
  g_signal_connect (B.list_view, "notify::model", G_CALLBACK (list_model_changed), NULL);
  list_model_changed (B.list_view, NULL, NULL);
}

static void
window_added (GtkApplication *app, GtkWindow *window, gpointer data)
{
  if (B.window != NULL)
    return;
  B.t_window = g_get_monotonic_time ();
  B.window = GTK_WIDGET (window);
  find_sidebar ();
  if (gtk_widget_get_realized (B.window))
    window_realized (B.window, NULL);
  else
    g_signal_connect_after (B.window, "realize", G_CALLBACK (window_realized), NULL);
}

static gboolean
watchdog (gpointer data)
{
  B.watchdog_id = 0;
  if (B.t_painted == 0)
    write_report_and_quit ("timed out before the list was populated and painted");
  return G_SOURCE_REMOVE;
}

/* Counts main-loop wake-ups. */
static GPollFunc real_poll;

static int
counting_poll (GPollFD *fds, guint nfds, int timeout)
{
  B.n_polls++;
  return real_poll (fds, nfds, timeout);
}

static guint
env_uint (const char *name, guint fallback)
{
  const char *value = g_getenv (name);

  return value && *value ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

void
rb_hooks_install (GApplication *app)
{
  const char *mode = g_getenv ("REFRACT_BENCH_MODE");
  const char *t0 = g_getenv ("REFRACT_BENCH_T0");

  B.t_hooks = g_get_monotonic_time ();
  B.out_path = g_strdup (g_getenv ("REFRACT_BENCH_OUT"));
  if (B.out_path == NULL || !GTK_IS_APPLICATION (app))
    return;

  B.enabled = TRUE;
  B.app = app;
  B.mode = g_strcmp0 (mode, "idle") == 0 ? MODE_IDLE
           : g_strcmp0 (mode, "scroll") == 0 ? MODE_SCROLL : MODE_STARTUP;
  B.expect = MAX (env_uint ("REFRACT_BENCH_EXPECT", 2), 1);
  B.settle_ms = env_uint ("REFRACT_BENCH_SETTLE_MS", B.mode == MODE_IDLE ? 3000 : 1000);
  B.idle_ms = env_uint ("REFRACT_BENCH_IDLE_MS", 20000);
  B.scroll_ms = MAX (env_uint ("REFRACT_BENCH_SCROLL_MS", 5000), 100);
  B.timeout_ms = env_uint ("REFRACT_BENCH_TIMEOUT_MS", 60000);
  B.xvfb_pid = (int) env_uint ("REFRACT_BENCH_XVFB_PID", 0);
  B.t_proc_start = process_start_monotonic ();
  B.t0_from_runner = t0 != NULL && *t0;
  B.t0 = B.t0_from_runner ? g_ascii_strtoll (t0, NULL, 10) : B.t_proc_start;
  B.json = g_string_new ("{");

  real_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, counting_poll);

  g_signal_connect (app, "window-added", G_CALLBACK (window_added), NULL);
  B.watchdog_id = g_timeout_add (B.timeout_ms, watchdog, NULL);
}
