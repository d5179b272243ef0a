/* refract-stats-sampler.c: CPU and memory for the machines someone watches
 *
 * One virDomainListGetStats() per connection per interval covers every watched
 * machine; nothing is polled per machine, and the timer stops when nobody watches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "refract-connection-private.h"
#include "refract-machine-private.h"
#include "refract-stats-sampler.h"

struct _RefractStatsSampler
{
  GObject     parent_instance;
  GHashTable *watched;   /* RefractMachine* (ref) → watch count */
  guint       interval;
  guint       timer_id;
  guint64     n_calls;
  gboolean    in_flight;
};

G_DEFINE_FINAL_TYPE (RefractStatsSampler, refract_stats_sampler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  RefractMachine *machine;
  virDomainPtr    dom;
  gint64          cpu_time;
  gint64          memory;
} Sample;

typedef struct
{
  GArray *samples;   /* of Sample, grouped by connection */
  gint64  now_us;
  guint   n_calls;
} Batch;

static void
batch_free (Batch *batch)
{
  for (guint i = 0; i < batch->samples->len; i++)
    {
      Sample *s = &g_array_index (batch->samples, Sample, i);

      g_clear_object (&s->machine);
      g_clear_pointer (&s->dom, virDomainFree);
    }
  g_array_unref (batch->samples);
  g_free (batch);
}

static void
refract_stats_sampler_finalize (GObject *object)
{
  RefractStatsSampler *self = (RefractStatsSampler *)object;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_pointer (&self->watched, g_hash_table_unref);

  G_OBJECT_CLASS (refract_stats_sampler_parent_class)->finalize (object);
}

static void
refract_stats_sampler_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  RefractStatsSampler *self = REFRACT_STATS_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_INTERVAL: g_value_set_uint (value, self->interval); break;
    case PROP_RUNNING: g_value_set_boolean (value, self->timer_id != 0); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_stats_sampler_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_INTERVAL:
      refract_stats_sampler_set_interval (REFRACT_STATS_SAMPLER (object), g_value_get_uint (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_stats_sampler_class_init (RefractStatsSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = refract_stats_sampler_finalize;
  object_class->get_property = refract_stats_sampler_get_property;
  object_class->set_property = refract_stats_sampler_set_property;

  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, 60, 2,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
refract_stats_sampler_init (RefractStatsSampler *self)
{
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->interval = 2;
}

RefractStatsSampler *
refract_stats_sampler_get_default (void)
{
  static RefractStatsSampler *instance;

  if (instance == NULL)
    {
      instance = g_object_new (REFRACT_TYPE_STATS_SAMPLER, NULL);
      g_object_add_weak_pointer (G_OBJECT (instance), (gpointer *) &instance);
    }
  return instance;
}

/* ---- the worker ------------------------------------------------------- */

static gint64
typed_param_ll (virTypedParameterPtr params, int n, const char *name)
{
  unsigned long long ull;

  if (virTypedParamsGetULLong (params, n, name, &ull) == 1)
    return (gint64) ull;
  return -1;
}

static gboolean
same_domain (virDomainPtr a, virDomainPtr b)
{
  unsigned char ua[VIR_UUID_BUFLEN], ub[VIR_UUID_BUFLEN];

  if (a == b)
    return TRUE;
  return virDomainGetUUID (a, ua) == 0 && virDomainGetUUID (b, ub) == 0
         && memcmp (ua, ub, VIR_UUID_BUFLEN) == 0;
}

static void
read_records (Sample *samples, guint n, virDomainStatsRecordPtr *records)
{
  for (virDomainStatsRecordPtr *r = records; r && *r; r++)
    for (guint i = 0; i < n; i++)
      {
        if (!same_domain (samples[i].dom, (*r)->dom))
          continue;
        samples[i].cpu_time = typed_param_ll ((*r)->params, (*r)->nparams, "cpu.time");
        samples[i].memory = typed_param_ll ((*r)->params, (*r)->nparams, "balloon.rss");
        if (samples[i].memory < 0)
          samples[i].memory = typed_param_ll ((*r)->params, (*r)->nparams, "balloon.current");
        break;
      }
}

static void
sample_group (Batch *batch, guint start, guint end)
{
  g_autofree virDomainPtr *doms = g_new0 (virDomainPtr, end - start + 1);
  virDomainStatsRecordPtr *records = NULL;
  Sample *samples = &g_array_index (batch->samples, Sample, start);

  for (guint i = start; i < end; i++)
    doms[i - start] = g_array_index (batch->samples, Sample, i).dom;

  batch->n_calls++;
  if (virDomainListGetStats (doms, VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON,
                             &records, 0) >= 0)
    read_records (samples, end - start, records);
  virDomainStatsRecordListFree (records);
  virResetLastError ();
}

static void
sample_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Batch *batch = task_data;
  guint start = 0;

  for (guint i = 1; i <= batch->samples->len; i++)
    {
      if (i < batch->samples->len
          && virDomainGetConnect (g_array_index (batch->samples, Sample, i).dom)
             == virDomainGetConnect (g_array_index (batch->samples, Sample, start).dom))
        continue;
      sample_group (batch, start, i);
      start = i;
    }
  batch->now_us = g_get_monotonic_time ();
  g_task_return_boolean (task, TRUE);
}

static void
sample_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RefractStatsSampler *self = REFRACT_STATS_SAMPLER (object);
  Batch *batch = g_task_get_task_data (G_TASK (result));

  self->in_flight = FALSE;
  self->n_calls += batch->n_calls;
  for (guint i = 0; i < batch->samples->len; i++)
    {
      Sample *s = &g_array_index (batch->samples, Sample, i);

      if (g_hash_table_contains (self->watched, s->machine) && refract_machine_is_active (s->machine))
        _refract_machine_push_sample (s->machine, s->cpu_time, s->memory, batch->now_us);
    }
}

static gint
compare_by_connection (gconstpointer a, gconstpointer b)
{
  const Sample *sa = a, *sb = b;
  gintptr ca = (gintptr) virDomainGetConnect (sa->dom);
  gintptr cb = (gintptr) virDomainGetConnect (sb->dom);

  return ca < cb ? -1 : ca > cb;
}

void
refract_stats_sampler_sample_now (RefractStatsSampler *self)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  RefractMachine *machine;
  Batch *batch;

  if (self->in_flight)
    return;

  batch = g_new0 (Batch, 1);
  batch->samples = g_array_new (FALSE, TRUE, sizeof (Sample));
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, (gpointer *) &machine, NULL))
    {
      Sample s = { NULL, NULL, -1, -1 };

      if (!refract_machine_is_active (machine)
          || !_refract_connection_is_up (refract_machine_get_connection (machine))
          || (s.dom = _refract_machine_ref_domain (machine)) == NULL)
        continue;
      s.machine = g_object_ref (machine);
      g_array_append_val (batch->samples, s);
    }

  if (batch->samples->len == 0)
    {
      batch_free (batch);
      return;
    }
  g_array_sort (batch->samples, compare_by_connection);

  self->in_flight = TRUE;
  task = g_task_new (self, NULL, sample_done, NULL);
  g_task_set_source_tag (task, refract_stats_sampler_sample_now);
  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);
  g_task_run_in_thread (task, sample_thread);
}

static gboolean
tick (gpointer user_data)
{
  refract_stats_sampler_sample_now (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_timer (RefractStatsSampler *self)
{
  gboolean want = g_hash_table_size (self->watched) > 0;
  gboolean was = self->timer_id != 0;

  if (want && !was)
    {
      self->timer_id = g_timeout_add_seconds (self->interval, tick, self);
      refract_stats_sampler_sample_now (self);
    }
  else if (!want && was)
    g_clear_handle_id (&self->timer_id, g_source_remove);

  if (want != was)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
refract_stats_sampler_watch (RefractStatsSampler *self,
                             RefractMachine      *machine)
{
  guint count;

  g_return_if_fail (REFRACT_IS_STATS_SAMPLER (self));
  g_return_if_fail (REFRACT_IS_MACHINE (machine));

  /* insert() keeps the old key and drops the new reference when present */
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->watched, machine));
  g_hash_table_insert (self->watched, g_object_ref (machine), GUINT_TO_POINTER (count + 1));
  update_timer (self);
}

void
refract_stats_sampler_unwatch (RefractStatsSampler *self,
                               RefractMachine      *machine)
{
  guint count;

  g_return_if_fail (REFRACT_IS_STATS_SAMPLER (self));

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->watched, machine));
  g_return_if_fail (count > 0);
  if (count == 1)
    g_hash_table_remove (self->watched, machine);
  else
    g_hash_table_insert (self->watched, g_object_ref (machine), GUINT_TO_POINTER (count - 1));
  update_timer (self);
}

guint
refract_stats_sampler_get_n_watched (RefractStatsSampler *self)
{
  return g_hash_table_size (self->watched);
}

gboolean
refract_stats_sampler_get_running (RefractStatsSampler *self)
{
  return self->timer_id != 0;
}

guint
refract_stats_sampler_get_interval (RefractStatsSampler *self)
{
  return self->interval;
}

guint64
refract_stats_sampler_get_n_calls (RefractStatsSampler *self)
{
  return self->n_calls;
}

void
refract_stats_sampler_set_interval (RefractStatsSampler *self,
                                    guint                seconds)
{
  g_return_if_fail (REFRACT_IS_STATS_SAMPLER (self));

  seconds = CLAMP (seconds, 1, 60);
  if (self->interval == seconds)
    return;
  self->interval = seconds;
  if (self->timer_id != 0)
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      self->timer_id = g_timeout_add_seconds (self->interval, tick, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}
