/* refract-sparkline.c: the last 60 samples of a machine, drawn small
 *
 * While mapped it asks the stats sampler to watch its machine, so only
 * machines on screen are sampled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-sparkline.h"

struct _RefractSparkline
{
  GtkWidget             parent_instance;
  RefractMachine       *machine;
  gulong                notify_id;
  RefractSparklineKind  kind;
  gboolean              watching;
};

G_DEFINE_FINAL_TYPE (RefractSparkline, refract_sparkline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_watch (RefractSparkline *self)
{
  gboolean want = self->machine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want == self->watching)
    return;
  self->watching = want;
  if (want)
    refract_stats_sampler_watch (refract_stats_sampler_get_default (), self->machine);
  else
    refract_stats_sampler_unwatch (refract_stats_sampler_get_default (), self->machine);
}

static void
refract_sparkline_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (refract_sparkline_parent_class)->map (widget);
  update_watch (REFRACT_SPARKLINE (widget));
}

static void
refract_sparkline_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (refract_sparkline_parent_class)->unmap (widget);
  update_watch (REFRACT_SPARKLINE (widget));
}

static void
build_path (cairo_t *cr, const double *values, guint n, double w, double h)
{
  double step = w / (REFRACT_MACHINE_HISTORY_LENGTH - 1);
  double x0 = w - step * (n - 1);

  for (guint i = 0; i < n; i++)
    {
      double y = h - 1 - (h - 2) * CLAMP (values[i], 0, 100) / 100.0;

      if (i == 0)
        cairo_move_to (cr, x0, y);
      else
        cairo_line_to (cr, x0 + step * i, y);
    }
}

static void
refract_sparkline_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  RefractSparkline *self = REFRACT_SPARKLINE (widget);
  double values[REFRACT_MACHINE_HISTORY_LENGTH];
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  GdkRGBA color;
  cairo_t *cr;
  guint n;

  if (self->machine == NULL || w <= 0 || h <= 0)
    return;
  if (self->kind == REFRACT_SPARKLINE_CPU)
    n = refract_machine_get_cpu_history (self->machine, values, G_N_ELEMENTS (values));
  else
    n = refract_machine_get_memory_history (self->machine, values, G_N_ELEMENTS (values));

#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, &color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
#endif
  /* Nothing at all for hosts that report no statistics. Once there is data, the
   * whole time span, so a history that is still filling up reads as such. */
  if (n == 0)
    return;
  gtk_snapshot_append_color (snapshot,
                             &(GdkRGBA) { color.red, color.green, color.blue, color.alpha * 0.07 },
                             &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (n < 2)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  build_path (cr, values, n, w, h);
  cairo_line_to (cr, w, h);
  cairo_line_to (cr, w - (w / (REFRACT_MACHINE_HISTORY_LENGTH - 1.0)) * (n - 1), h);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.2);
  cairo_fill (cr);
  build_path (cr, values, n, w, h);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
machine_sampled (RefractSparkline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
refract_sparkline_set_machine (RefractSparkline *self,
                               RefractMachine   *machine)
{
  g_return_if_fail (REFRACT_IS_SPARKLINE (self));

  if (self->machine == machine)
    return;

  if (self->machine != NULL)
    {
      if (self->watching)
        {
          refract_stats_sampler_unwatch (refract_stats_sampler_get_default (), self->machine);
          self->watching = FALSE;
        }
      g_clear_signal_handler (&self->notify_id, self->machine);
    }
  g_set_object (&self->machine, machine);
  if (machine != NULL)
    {
      self->notify_id = g_signal_connect_object (machine, "sampled", G_CALLBACK (machine_sampled),
                                                 self, G_CONNECT_SWAPPED);
      update_watch (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

RefractMachine *
refract_sparkline_get_machine (RefractSparkline *self)
{
  return self->machine;
}

void
refract_sparkline_set_kind (RefractSparkline     *self,
                            RefractSparklineKind  kind)
{
  g_autoptr(RefractMachine) machine = NULL;

  if (self->kind == kind)
    return;
  machine = self->machine ? g_object_ref (self->machine) : NULL;
  refract_sparkline_set_machine (self, NULL);
  self->kind = kind;
  refract_sparkline_set_machine (self, machine);
  gtk_widget_remove_css_class (GTK_WIDGET (self), kind == REFRACT_SPARKLINE_CPU ? "memory" : "cpu");
  gtk_widget_add_css_class (GTK_WIDGET (self), kind == REFRACT_SPARKLINE_CPU ? "cpu" : "memory");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

static void
refract_sparkline_dispose (GObject *object)
{
  refract_sparkline_set_machine (REFRACT_SPARKLINE (object), NULL);
  G_OBJECT_CLASS (refract_sparkline_parent_class)->dispose (object);
}

static void
refract_sparkline_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RefractSparkline *self = REFRACT_SPARKLINE (object);

  switch (prop_id)
    {
    case PROP_MACHINE: g_value_set_object (value, self->machine); break;
    case PROP_KIND: g_value_set_int (value, self->kind); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_sparkline_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RefractSparkline *self = REFRACT_SPARKLINE (object);

  switch (prop_id)
    {
    case PROP_MACHINE: refract_sparkline_set_machine (self, g_value_get_object (value)); break;
    case PROP_KIND: refract_sparkline_set_kind (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_sparkline_class_init (RefractSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_sparkline_dispose;
  object_class->get_property = refract_sparkline_get_property;
  object_class->set_property = refract_sparkline_set_property;
  widget_class->map = refract_sparkline_map;
  widget_class->unmap = refract_sparkline_unmap;
  widget_class->snapshot = refract_sparkline_snapshot;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, REFRACT_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, 0, 1, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "sparkline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
refract_sparkline_init (RefractSparkline *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "cpu");
}

GtkWidget *
refract_sparkline_new (void)
{
  return g_object_new (REFRACT_TYPE_SPARKLINE, NULL);
}
