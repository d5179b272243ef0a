/* refract-bench-usb.c: the USB picker opening with 20 devices (issue 5: ≤ 50 ms)
 *
 *   xvfb-run -a build/benchmarks/refract-bench-usb [RUNS [DEVICES]]
 *
 * Cold: per run, a popover holding a new RefractUsbPicker over a fake source
 * with 20 devices (this machine has no USB bus) is popped up from a button in
 * a shown window; the time is from making the picker to the end of the
 * popover's first painted frame, which has rows for the first 10 devices (the
 * list shows about 8); "every row" is until the end of the first frame that
 * has a row for each device (the next one). Warm: the console's button keeps
 * its popover and picker between openings, so the same popover is popped down
 * and up again. Prints medians and the worst run, as wall-clock time and as
 * the main thread's CPU time (steadier on a shared machine: it leaves out the
 * time other processes and the X server take).
 *
 * Like Refract on a machine without a GPU (refract-main.c) it uses the cairo
 * renderer unless GSK_RENDERER says otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <stdlib.h>
#include <time.h>

#include "refract-usb-picker-private.h"
#include "refract-usb-source-fake.h"

static guint N_DEVICES = 20;

typedef struct
{
  double wall;
  double cpu;
} Sample;

static gint64 painted_at;
static gint64 painted_cpu;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
after_paint (GdkFrameClock *clock, gpointer user_data)
{
  if (painted_at == 0)
    {
      painted_at = g_get_monotonic_time ();
      painted_cpu = thread_cpu_us ();
    }
}

static RefractUsbSourceFake *
fake_with_devices (void)
{
  RefractUsbSourceFake *source = refract_usb_source_fake_new (4);

  for (guint i = 0; i < N_DEVICES; i++)
    {
      g_autofree char *name = g_strdup_printf ("Bench Device %u", i);
      g_autoptr(RefractUsbDevice) device = refract_usb_device_new (name, 0x1d6b, 0x0100 + i,
                                                                   1 + i / 8, 2 + i);

      refract_usb_device_set_classes (device, 0, 1u << (i % 3 == 0 ? 1 : 8));
      refract_usb_source_fake_add (source, device);
    }
  return source;
}

static guint
n_rows (GtkWidget *popover)
{
  GtkWidget *picker = gtk_popover_get_child (GTK_POPOVER (popover));
  GtkListBox *list = _refract_usb_picker_get_list (REFRACT_USB_PICKER (picker));
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;
  return n;
}

static Sample
wait_for_frame (GdkFrameClock *clock, gint64 start, gint64 start_cpu)
{
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), NULL);
  Sample sample;

  painted_at = 0;
  while (painted_at == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  sample.wall = (painted_at - start) / 1000.0;
  sample.cpu = (painted_cpu - start_cpu) / 1000.0;
  return sample;
}

/* pops @popover up and waits for its first frame, and with @all for the end
 * of the first frame with a row for every device; times from @start */
static Sample
popup_and_wait (GtkWidget *popover, gint64 start, gint64 start_cpu, Sample *all)
{
  GdkFrameClock *clock;
  Sample sample;

  gtk_popover_popup (GTK_POPOVER (popover));
  clock = gtk_widget_get_frame_clock (popover);
  sample = wait_for_frame (clock, start, start_cpu);
  if (all != NULL)
    {
      *all = sample;
      while (n_rows (popover) < N_DEVICES)
        *all = wait_for_frame (clock, start, start_cpu);
    }
  return sample;
}

static void
settle (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static Sample
cold_run (GtkWidget *anchor, double *built, Sample *all)
{
  g_autoptr(RefractUsbSourceFake) source = fake_with_devices ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *picker;
  gint64 start, start_cpu;
  Sample sample;

  gtk_widget_set_parent (popover, anchor);
  settle ();
  start = g_get_monotonic_time ();
  start_cpu = thread_cpu_us ();
  picker = refract_usb_picker_new ();
  refract_usb_picker_set_source (REFRACT_USB_PICKER (picker), REFRACT_USB_SOURCE (source));
  gtk_popover_set_child (GTK_POPOVER (popover), picker);
  *built = (thread_cpu_us () - start_cpu) / 1000.0;
  sample = popup_and_wait (popover, start, start_cpu, all);
  gtk_popover_popdown (GTK_POPOVER (popover));
  gtk_widget_unparent (popover);
  settle ();
  return sample;
}

static Sample
warm_run (GtkWidget *popover)
{
  Sample sample;

  settle ();
  sample = popup_and_wait (popover, g_get_monotonic_time (), thread_cpu_us (), NULL);
  gtk_popover_popdown (GTK_POPOVER (popover));
  settle ();
  return sample;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values, guint n, double *worst)
{
  qsort (values, n, sizeof (double), compare_double);
  *worst = values[n - 1];
  return values[n / 2];
}

static void
report (const char *what, Sample *samples, guint runs)
{
  g_autofree double *wall = g_new (double, runs);
  g_autofree double *cpu = g_new (double, runs);
  double wall_worst, cpu_worst, wall_median, cpu_median;

  for (guint i = 0; i < runs; i++)
    {
      wall[i] = samples[i].wall;
      cpu[i] = samples[i].cpu;
    }
  wall_median = median (wall, runs, &wall_worst);
  cpu_median = median (cpu, runs, &cpu_worst);
  g_print ("%s: wall median %.1f ms (worst %.1f), main-thread CPU median %.1f ms (worst %.1f)\n",
           what, wall_median, wall_worst, cpu_median, cpu_worst);
}

int
main (int argc, char **argv)
{
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 15;
  g_autoptr(RefractUsbSourceFake) source = NULL;
  GtkWidget *window, *box, *cold_anchor, *warm_anchor, *popover, *picker;
  g_autofree Sample *cold = NULL;
  g_autofree Sample *warm = NULL;
  g_autofree Sample *all = NULL;
  g_autofree double *built = NULL;
  double built_worst;

  if (argc > 2)
    N_DEVICES = (guint) atoi (argv[2]);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_init ();
  runs = MAX (runs, 3);
  cold = g_new0 (Sample, runs);
  warm = g_new0 (Sample, runs);
  all = g_new0 (Sample, runs);
  built = g_new0 (double, runs);
  window = gtk_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  cold_anchor = gtk_button_new_with_label ("USB (cold)");
  warm_anchor = gtk_button_new_with_label ("USB (warm)");
  gtk_box_append (GTK_BOX (box), cold_anchor);
  gtk_box_append (GTK_BOX (box), warm_anchor);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (cold_anchor))
    g_main_context_iteration (NULL, TRUE);

  cold_run (cold_anchor, &built[0], &all[0]);  /* warm-up: theme, icons, fonts */
  for (guint i = 0; i < runs; i++)
    cold[i] = cold_run (cold_anchor, &built[i], &all[i]);

  source = fake_with_devices ();
  popover = gtk_popover_new ();
  picker = refract_usb_picker_new ();
  refract_usb_picker_set_source (REFRACT_USB_PICKER (picker), REFRACT_USB_SOURCE (source));
  gtk_popover_set_child (GTK_POPOVER (popover), picker);
  gtk_widget_set_parent (popover, warm_anchor);
  warm_run (popover);  /* the first opening is the cold case */
  for (guint i = 0; i < runs; i++)
    warm[i] = warm_run (popover);

  g_print ("USB picker, %u devices, GSK_RENDERER=%s, %u runs; target ≤ 50 ms\n", N_DEVICES,
           g_getenv ("GSK_RENDERER"), runs);
  g_print ("building the picker: main-thread CPU median %.1f ms",
           median (built, runs, &built_worst));
  g_print (" (worst %.1f)\n", built_worst);
  report ("cold (new picker), making → first frame", cold, runs);
  report ("cold (new picker), making → every row drawn", all, runs);
  report ("warm (kept popover), popup → first frame", warm, runs);
  gtk_widget_unparent (popover);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
