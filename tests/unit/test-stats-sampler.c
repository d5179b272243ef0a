/* test-stats-sampler.c: one libvirt call per connection per tick, and none
 * when nobody watches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-test-util.h"

static void
on_running_notify (RefractStatsSampler *sampler,
                   GParamSpec          *pspec,
                   guint               *count)
{
  (*count)++;
}

/* Waits until the sample in flight (if any) is done: n_calls stops moving. */
static guint64
settle (RefractStatsSampler *sampler, guint64 expected)
{
  rt_wait_until (refract_stats_sampler_get_n_calls (sampler) >= expected, 10, "a sample to complete");
  rt_spin (100);
  return refract_stats_sampler_get_n_calls (sampler);
}

static void
test_one_call_per_tick (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  RefractMachine *dsp = rt_find (connection, "dsp-coprocessor");
  RefractMachine *sandbox = rt_find (connection, "coding-sandbox");
  RefractMachine *router = rt_find (connection, "openwrt-router");
  RefractStatsSampler *sampler = g_object_new (REFRACT_TYPE_STATS_SAMPLER, NULL);
  guint running_notifies = 0;
  guint64 before;

  /* no timer ticks during the test: only sample_now() samples */
  refract_stats_sampler_set_interval (sampler, 60);
  g_assert_cmpuint (refract_stats_sampler_get_interval (sampler), ==, 60);
  g_signal_connect (sampler, "notify::running", G_CALLBACK (on_running_notify), &running_notifies);
  g_assert_false (refract_stats_sampler_get_running (sampler));
  g_assert_cmpuint (refract_stats_sampler_get_n_calls (sampler), ==, 0);

  /* the first watcher starts the timer and samples at once */
  refract_stats_sampler_watch (sampler, dsp);
  g_assert_true (refract_stats_sampler_get_running (sampler));
  g_assert_cmpuint (running_notifies, ==, 1);
  refract_stats_sampler_watch (sampler, sandbox);
  refract_stats_sampler_watch (sampler, router);
  /* watched twice (overview and details page), counted once */
  refract_stats_sampler_watch (sampler, router);
  g_assert_cmpuint (refract_stats_sampler_get_n_watched (sampler), ==, 3);
  g_assert_cmpuint (running_notifies, ==, 1);
  before = settle (sampler, 1);
  g_assert_cmpuint (before, ==, 1);

  /* three machines on one connection: one bulk call */
  refract_stats_sampler_sample_now (sampler);
  g_assert_cmpuint (settle (sampler, before + 1), ==, before + 1);
  before += 1;
  refract_stats_sampler_sample_now (sampler);
  g_assert_cmpuint (settle (sampler, before + 1), ==, before + 1);
  before += 1;

  /* one unwatch of the doubly watched machine keeps it watched */
  refract_stats_sampler_unwatch (sampler, router);
  g_assert_cmpuint (refract_stats_sampler_get_n_watched (sampler), ==, 3);
  refract_stats_sampler_unwatch (sampler, router);
  refract_stats_sampler_unwatch (sampler, sandbox);
  g_assert_true (refract_stats_sampler_get_running (sampler));
  refract_stats_sampler_unwatch (sampler, dsp);
  g_assert_cmpuint (refract_stats_sampler_get_n_watched (sampler), ==, 0);
  g_assert_false (refract_stats_sampler_get_running (sampler));
  g_assert_cmpuint (running_notifies, ==, 2);

  /* nobody watches: nothing is asked of libvirt */
  refract_stats_sampler_sample_now (sampler);
  rt_spin (100);
  g_assert_cmpuint (refract_stats_sampler_get_n_calls (sampler), ==, before);

  rt_unref_and_wait (sampler);
  rt_close (connection);
}

static void
test_stopped_machines_cost_nothing (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  RefractMachine *kali = rt_find (connection, "kali-linux");
  RefractStatsSampler *sampler = g_object_new (REFRACT_TYPE_STATS_SAMPLER, NULL);

  refract_stats_sampler_set_interval (sampler, 60);
  g_assert_cmpint (refract_machine_get_state (kali), ==, REFRACT_MACHINE_STATE_SHUTOFF);
  refract_stats_sampler_watch (sampler, kali);
  g_assert_true (refract_stats_sampler_get_running (sampler));
  refract_stats_sampler_sample_now (sampler);
  rt_spin (100);
  g_assert_cmpuint (refract_stats_sampler_get_n_calls (sampler), ==, 0);
  /* a stopped machine shows no usage */
  g_assert_cmpfloat (refract_machine_get_cpu_usage (kali), <, 0);
  g_assert_cmpuint (refract_machine_get_memory_used (kali), ==, 0);
  refract_stats_sampler_unwatch (sampler, kali);

  rt_unref_and_wait (sampler);
  rt_close (connection);
}

static void
test_default_instance (void)
{
  RefractStatsSampler *sampler = refract_stats_sampler_get_default ();

  g_assert_true (REFRACT_IS_STATS_SAMPLER (sampler));
  g_assert_true (refract_stats_sampler_get_default () == sampler);
  g_assert_cmpuint (refract_stats_sampler_get_interval (sampler), ==, 2);
  refract_stats_sampler_set_interval (sampler, 0);
  g_assert_cmpuint (refract_stats_sampler_get_interval (sampler), ==, 1);
  refract_stats_sampler_set_interval (sampler, 600);
  g_assert_cmpuint (refract_stats_sampler_get_interval (sampler), ==, 60);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/stats-sampler/one-call-per-tick", test_one_call_per_tick);
  g_test_add_func ("/stats-sampler/stopped-machines-cost-nothing", test_stopped_machines_cost_nothing);
  g_test_add_func ("/stats-sampler/default-instance", test_default_instance);

  return g_test_run ();
}
