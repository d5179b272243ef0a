/* refract-bench-usb.c: the USB picker opening with 20 devices (issue 5: ≤ 50 ms)
 *
 *   xvfb-run -a build/benchmarks/refract-bench-usb [RUNS]
 *
 * Per run: a popover holding a new RefractUsbPicker over a fake source with
 * 20 devices (this machine has no USB bus) is popped up from a button in a
 * shown window; the time is from popup () to the end of the popover's first
 * painted frame. Prints the median and the worst run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <stdlib.h>

#include "refract-usb-picker.h"
#include "refract-usb-source-fake.h"

#define N_DEVICES 20

static gint64 painted_at;
static double built_ms;

static void
after_paint (GdkFrameClock *clock, gpointer user_data)
{
  if (painted_at == 0)
    painted_at = g_get_monotonic_time ();
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

static double
one_run (GtkWidget *anchor)
{
  g_autoptr(RefractUsbSourceFake) source = fake_with_devices ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *picker;
  GdkFrameClock *clock;
  gulong handler;
  gint64 start;
  double ms;

  gtk_widget_set_parent (popover, anchor);
  start = g_get_monotonic_time ();
  picker = refract_usb_picker_new ();
  refract_usb_picker_set_source (REFRACT_USB_PICKER (picker), REFRACT_USB_SOURCE (source));
  gtk_popover_set_child (GTK_POPOVER (popover), picker);
  built_ms = (g_get_monotonic_time () - start) / 1000.0;
  gtk_popover_popup (GTK_POPOVER (popover));
  painted_at = 0;
  clock = gtk_widget_get_frame_clock (popover);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), NULL);
  while (painted_at == 0)
    g_main_context_iteration (NULL, TRUE);
  ms = (painted_at - start) / 1000.0;
  g_signal_handler_disconnect (clock, handler);
  gtk_popover_popdown (GTK_POPOVER (popover));
  gtk_widget_unparent (popover);
  return ms;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 15;
  GtkWidget *window, *button;
  double *times;

  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_init ();
  runs = MAX (runs, 3);
  times = g_new0 (double, runs);
  window = gtk_window_new ();
  button = gtk_button_new_with_label ("USB");
  gtk_window_set_child (GTK_WINDOW (window), button);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (button))
    g_main_context_iteration (NULL, TRUE);

  one_run (button);  /* warm-up: theme, icons, fonts */
  for (guint i = 0; i < runs; i++)
    times[i] = one_run (button);
  qsort (times, runs, sizeof (double), compare_double);
  g_print ("building the picker (last run): %.1f ms\n", built_ms);
  g_print ("USB picker, %d devices, popup → first frame: median %.1f ms, worst %.1f ms "
           "(%u runs; target ≤ 50 ms)\n", N_DEVICES, times[runs / 2], times[runs - 1], runs);
  g_free (times);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
