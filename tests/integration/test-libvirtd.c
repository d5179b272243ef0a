/* test-libvirtd.c: the model against a real, private libvirtd and QEMU
 *
 * refract-libvirtd-harness runs the daemon; this test defines a small
 * disk-less machine and drives it through the model: events, lifecycle,
 * statistics, the daemon crashing and coming back, and deletion.
 *
 * If the harness cannot start, the test fails: a skipped integration test
 * hides a broken CI host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libvirt/virterror.h>

#include "refract-test-harness.h"

#define MACHINE_NAME "refract-it"

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  rth_setup (h, HARNESS_DIR);
}

/* ---- the steps ---------------------------------------------------------- */

static RefractMachine *
define_machine (RthHarness *h)
{
  const RthDomain domain = {
    .name = MACHINE_NAME,
    .memory_mib = 128,
    .features = "<acpi/>",
    .devices = "<serial type='pty'/>",
  };
  RefractMachine *machine = rth_define_machine (h, &domain);

  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_SHUTOFF);
  g_assert_cmpuint (refract_machine_get_vcpus (machine), ==, 1);
  g_assert_cmpuint (refract_machine_get_max_memory (machine), ==, 128 * 1024);
  return machine;
}

static void
run_expecting (RefractMachine       *machine,
               RefractMachineAction  action,
               RefractMachineState   state)
{
  g_autoptr(RtStateLog) log = rt_state_log_new (machine);
  g_autoptr(GError) error = NULL;

  g_assert_true (refract_machine_can (machine, action));
  if (!rt_run (machine, action, &error))
    g_error ("action %d on %s failed: %s", action, MACHINE_NAME, error->message);
  rt_wait_until (rt_state_log_has (log, state), 60, "notify::state with the new state");
  g_assert_cmpint (refract_machine_get_state (machine), ==, state);
}

static void
check_statistics (RthHarness *h, RefractMachine *machine)
{
  RefractStatsSampler *sampler = g_object_new (REFRACT_TYPE_STATS_SAMPLER, NULL);
  double history[REFRACT_MACHINE_HISTORY_LENGTH];

  refract_stats_sampler_set_interval (sampler, 1);
  refract_stats_sampler_watch (sampler, machine);
  /* CPU needs two samples; memory is there from the first */
  rt_wait_until (refract_machine_get_cpu_usage (machine) >= 0
                 && refract_machine_get_memory_used (machine) > 0, 30,
                 "CPU and memory figures of the running guest");
  g_assert_cmpfloat (refract_machine_get_cpu_usage (machine), <=, 100);
  g_assert_cmpuint (refract_machine_get_memory_used (machine), <=, 128 * 1024);
  g_assert_cmpuint (refract_machine_get_cpu_history (machine, history, G_N_ELEMENTS (history)), >=, 1);
  g_test_message ("guest CPU %.1f %%, memory %" G_GUINT64_FORMAT " KiB",
                  refract_machine_get_cpu_usage (machine), refract_machine_get_memory_used (machine));
  refract_stats_sampler_unwatch (sampler, machine);
  g_assert_false (refract_stats_sampler_get_running (sampler));
  rt_spin (200);
  rt_unref_and_wait (sampler);
}

static void
check_shutdown_times_out (RefractMachine *machine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* SeaBIOS without an OS ignores the ACPI power button */
  refract_machine_shutdown_async (machine, 3, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the shutdown request to time out");
  g_assert_false (refract_machine_shutdown_finish (machine, result, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_TIMED_OUT);
  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_RUNNING);
  g_assert_true (refract_machine_can (machine, REFRACT_MACHINE_ACTION_FORCE_OFF));
}

typedef struct
{
  GArray *states;
  GError *disconnect_error;
} ConnectionLog;

static void
connection_state_changed (RefractConnection *connection,
                          GParamSpec        *pspec,
                          ConnectionLog     *log)
{
  RefractConnectionState state = refract_connection_get_state (connection);

  g_array_append_val (log->states, state);
  if (state == REFRACT_CONNECTION_STATE_DISCONNECTED && log->disconnect_error == NULL
      && refract_connection_get_error (connection) != NULL)
    log->disconnect_error = g_error_copy (refract_connection_get_error (connection));
}

static gboolean
log_has (ConnectionLog *log, RefractConnectionState state)
{
  for (guint i = 0; i < log->states->len; i++)
    if (g_array_index (log->states, RefractConnectionState, i) == state)
      return TRUE;
  return FALSE;
}

static void
check_daemon_crash (RthHarness *h, RefractMachine *machine)
{
  RefractMachineList *machines = refract_connection_get_machines (h->connection);
  ConnectionLog log = { g_array_new (FALSE, FALSE, sizeof (RefractConnectionState)), NULL };
  g_autofree char *uuid = g_strdup (refract_machine_get_uuid (machine));
  g_autoptr(GError) error = NULL;
  gulong id;
  gint64 restarted;

  id = g_signal_connect (h->connection, "notify::state", G_CALLBACK (connection_state_changed), &log);

  rth_step (h, "killing libvirtd");
  g_assert_true (rth_run (h, "kill-daemon", NULL));
  rt_wait_until (log_has (&log, REFRACT_CONNECTION_STATE_DISCONNECTED), 30,
                 "the connection to notice the dead daemon");
  g_assert_error (log.disconnect_error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED);
  g_test_message ("disconnected: %s", log.disconnect_error->message);
  g_assert_true (g_str_has_prefix (log.disconnect_error->message, "Lost the connection to "));

  /* the machines stay on screen, and say they can't be used for now */
  g_assert_true (refract_machine_list_find_by_uuid (machines, uuid) == machine);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (machines)), ==, 1);
  g_assert_false (refract_machine_can (machine, REFRACT_MACHINE_ACTION_PAUSE));
  g_assert_false (rt_run (machine, REFRACT_MACHINE_ACTION_PAUSE, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED);
  g_clear_error (&error);

  /* let the first retries fail, as when a daemon takes a while to come back */
  rt_spin (2500);
  g_assert_cmpint (refract_connection_get_state (h->connection), !=, REFRACT_CONNECTION_STATE_CONNECTED);

  rth_step (h, "restarting libvirtd");
  g_assert_true (rth_run (h, "restart-daemon", NULL));
  restarted = g_get_monotonic_time ();
  rt_wait_until (refract_connection_get_state (h->connection) == REFRACT_CONNECTION_STATE_CONNECTED,
                 60, "the connection to come back by itself");
  g_test_message ("reconnected %.1f s after the daemon was back",
                  (g_get_monotonic_time () - restarted) / 1e6);
  g_assert_null (refract_connection_get_error (h->connection));

  /* the same object, so open views keep working */
  g_assert_true (refract_machine_list_find_by_uuid (machines, uuid) == machine);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (machines)), ==, 1);
  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_RUNNING);

  g_signal_handler_disconnect (h->connection, id);
  g_clear_error (&log.disconnect_error);
  g_array_unref (log.states);
}

static void
check_delete (RthHarness *h, RefractMachine *machine)
{
  RefractMachineList *machines = refract_connection_get_machines (h->connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  virConnectPtr conn;
  virDomainPtr dom;

  refract_machine_delete_async (machine, NULL, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the deletion");
  g_assert_true (refract_machine_delete_finish (machine, result, &error));
  g_assert_no_error (error);
  rt_wait_until (refract_machine_list_find_by_uuid (machines, refract_machine_get_uuid (machine)) == NULL,
                 30, "the machine to leave the list");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (machines)), ==, 0);

  conn = _refract_connection_ref_handle (h->connection);
  dom = virDomainLookupByName (conn, MACHINE_NAME);
  g_assert_null (dom);
  g_assert_cmpint (virGetLastErrorCode (), ==, VIR_ERR_NO_DOMAIN);
  virResetLastError ();
  virConnectClose (conn);
}

static void
test_machine_lifecycle (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;

  rth_step (h, "connecting");
  h->connection = rt_open (h->uri);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (h->connection))),
                    ==, 0);

  rth_step (h, "defining " MACHINE_NAME);
  machine = define_machine (h);

  rth_step (h, "start");
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  rth_step (h, "pause and resume");
  run_expecting (machine, REFRACT_MACHINE_ACTION_PAUSE, REFRACT_MACHINE_STATE_PAUSED);
  run_expecting (machine, REFRACT_MACHINE_ACTION_RESUME, REFRACT_MACHINE_STATE_RUNNING);

  rth_step (h, "statistics");
  check_statistics (h, machine);

  rth_step (h, "shutdown (expected to time out)");
  check_shutdown_times_out (machine);
  rth_step (h, "force off");
  run_expecting (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "start again");
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

  check_daemon_crash (h, machine);

  /* events flow again on the new connection */
  rth_step (h, "pause and resume after reconnecting");
  run_expecting (machine, REFRACT_MACHINE_ACTION_PAUSE, REFRACT_MACHINE_STATE_PAUSED);
  run_expecting (machine, REFRACT_MACHINE_ACTION_RESUME, REFRACT_MACHINE_STATE_RUNNING);

  rth_step (h, "delete");
  check_delete (h, machine);
  rth_step (h, "done");
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add ("/integration/machine-lifecycle", RthHarness, NULL,
              harness_setup, test_machine_lifecycle, rth_teardown);

  return g_test_run ();
}
