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
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "refract-test-util.h"

#define MACHINE_NAME "refract-it"
/* what the harness puts under DIR; sun_path holds 108 bytes with the NUL */
#define SOCKET_SUFFIX "/run/libvirt/libvirt-sock"
#define SUN_PATH_MAX 108

typedef struct
{
  char              *dir;
  gboolean           dir_is_temp;
  char              *uri;
  char              *domain_type;
  GPid               watchdog;
  RefractConnection *connection;
  gint64             started_us;
} Harness;

static void
step (Harness *h, const char *what)
{
  g_test_message ("[%6.1f s] %s", (g_get_monotonic_time () - h->started_us) / 1e6, what);
}

static const char *
harness_path (void)
{
  const char *env = g_getenv ("REFRACT_HARNESS");

  return env != NULL && *env ? env : HARNESS_PATH;
}

/* Runs "refract-libvirtd-harness COMMAND DIR"; its stderr goes to the test log. */
static gboolean
harness_run (Harness *h, const char *command, char **out)
{
  const char *argv[] = { harness_path (), command, h->dir, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                     &status, &error))
    {
      g_test_message ("could not run %s: %s", argv[0], error->message);
      return FALSE;
    }
  if (err != NULL && *err)
    g_test_message ("harness %s:\n%s", command, err);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("harness %s %s: %s", command, h->dir, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
usable_dir (const char *dir)
{
  if (dir == NULL || dir[0] != '/' || strlen (dir) + strlen (SOCKET_SUFFIX) >= SUN_PATH_MAX)
    return FALSE;
  /* the harness accepts only these */
  for (const char *p = dir; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("._/-", *p))
      return FALSE;
  return TRUE;
}

static char *
env_value (const char *output, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (output ? output : "", "\n", -1);
  g_autofree char *prefix = g_strconcat (key, "=", NULL);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

/* A process outside our session that stops the harness once this test is
 * gone, however it went: an assertion abort, a crash, or meson's timeout
 * killing our process group. The normal path stops it first. */
static void
start_watchdog (Harness *h)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = {
    "setsid", "/bin/sh", "-c",
    "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; exec \"$2\" stop \"$3\"",
    "refract-harness-watchdog", pid, harness_path (), h->dir, NULL
  };
  g_autoptr(GError) error = NULL;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL
                 | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &h->watchdog, &error);
  g_assert_no_error (error);
}

static void
stop_watchdog (Harness *h)
{
  if (h->watchdog == 0)
    return;
  kill (h->watchdog, SIGTERM);
  while (waitpid (h->watchdog, NULL, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (h->watchdog);
  h->watchdog = 0;
}

static void
harness_setup (Harness *h, gconstpointer data)
{
  const char *wanted = g_getenv ("REFRACT_HARNESS_DIR");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  h->started_us = g_get_monotonic_time ();
  if (wanted == NULL || *wanted == '\0')
    wanted = HARNESS_DIR;

  if (usable_dir (wanted))
    {
      h->dir = g_strdup (wanted);
      /* a previous run that crashed may have left its daemons behind */
      harness_run (h, "stop", NULL);
    }
  else
    {
      g_test_message ("%s is too long for a unix socket path; using a directory in /tmp", wanted);
      h->dir = g_dir_make_tmp ("refract-it-XXXXXX", &error);
      g_assert_no_error (error);
      h->dir_is_temp = TRUE;
    }

  step (h, "starting libvirtd");
  if (!harness_run (h, "start", &out))
    g_error ("the libvirtd harness did not start in %s (see the messages above); "
             "the integration tests need libvirtd and QEMU", h->dir);
  start_watchdog (h);

  h->uri = env_value (out, "URI");
  h->domain_type = env_value (out, "DOMAIN_TYPE");
  g_assert_nonnull (h->uri);
  g_assert_true (g_strcmp0 (h->domain_type, "kvm") == 0 || g_strcmp0 (h->domain_type, "qemu") == 0);
  g_test_message ("harness: %s, domain type %s", h->uri, h->domain_type);
}

static void
harness_teardown (Harness *h, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (h->connection != NULL)
    rt_close (g_steal_pointer (&h->connection));
  stop_watchdog (h);
  step (h, "stopping libvirtd");
  g_assert_true (harness_run (h, "stop", NULL));

  if (h->dir_is_temp)
    {
      const char *argv[] = { "rm", "-rf", "--one-file-system", h->dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, &error);
      g_assert_no_error (error);
    }
  g_free (h->dir);
  g_free (h->uri);
  g_free (h->domain_type);
}

/* ---- the steps ---------------------------------------------------------- */

static RefractMachine *
define_machine (Harness *h)
{
  RefractMachineList *machines = refract_connection_get_machines (h->connection);
  virConnectPtr conn = _refract_connection_ref_handle (h->connection);
  g_autofree char *xml = g_markup_printf_escaped (
    "<domain type='%s'>"
    "  <name>" MACHINE_NAME "</name>"
    "  <memory unit='MiB'>128</memory>"
    "  <vcpu>1</vcpu>"
    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "  <features><acpi/></features>"
    "  <on_poweroff>destroy</on_poweroff>"
    "  <devices><serial type='pty'/></devices>"
    "</domain>", h->domain_type);
  virDomainPtr dom;
  RefractMachine *machine;

  g_assert_nonnull (conn);
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("virDomainDefineXML: %s", virGetLastErrorMessage ());
  virDomainFree (dom);
  virConnectClose (conn);

  rt_wait_until (refract_machine_list_find_by_name (machines, MACHINE_NAME) != NULL, 30,
                 "the defined event to add the machine");
  machine = refract_machine_list_find_by_name (machines, MACHINE_NAME);
  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_SHUTOFF);
  g_assert_cmpuint (refract_machine_get_vcpus (machine), ==, 1);
  g_assert_cmpuint (refract_machine_get_max_memory (machine), ==, 128 * 1024);
  return g_object_ref (machine);
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
check_statistics (Harness *h, RefractMachine *machine)
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
check_daemon_crash (Harness *h, RefractMachine *machine)
{
  RefractMachineList *machines = refract_connection_get_machines (h->connection);
  ConnectionLog log = { g_array_new (FALSE, FALSE, sizeof (RefractConnectionState)), NULL };
  g_autofree char *uuid = g_strdup (refract_machine_get_uuid (machine));
  g_autoptr(GError) error = NULL;
  gulong id;
  gint64 restarted;

  id = g_signal_connect (h->connection, "notify::state", G_CALLBACK (connection_state_changed), &log);

  step (h, "killing libvirtd");
  g_assert_true (harness_run (h, "kill-daemon", NULL));
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

  step (h, "restarting libvirtd");
  g_assert_true (harness_run (h, "restart-daemon", NULL));
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
check_delete (Harness *h, RefractMachine *machine)
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
test_machine_lifecycle (Harness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;

  step (h, "connecting");
  h->connection = rt_open (h->uri);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (h->connection))),
                    ==, 0);

  step (h, "defining " MACHINE_NAME);
  machine = define_machine (h);

  step (h, "start");
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  step (h, "pause and resume");
  run_expecting (machine, REFRACT_MACHINE_ACTION_PAUSE, REFRACT_MACHINE_STATE_PAUSED);
  run_expecting (machine, REFRACT_MACHINE_ACTION_RESUME, REFRACT_MACHINE_STATE_RUNNING);

  step (h, "statistics");
  check_statistics (h, machine);

  step (h, "shutdown (expected to time out)");
  check_shutdown_times_out (machine);
  step (h, "force off");
  run_expecting (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  step (h, "start again");
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

  check_daemon_crash (h, machine);

  /* events flow again on the new connection */
  step (h, "pause and resume after reconnecting");
  run_expecting (machine, REFRACT_MACHINE_ACTION_PAUSE, REFRACT_MACHINE_STATE_PAUSED);
  run_expecting (machine, REFRACT_MACHINE_ACTION_RESUME, REFRACT_MACHINE_STATE_RUNNING);

  step (h, "delete");
  check_delete (h, machine);
  step (h, "done");
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add ("/integration/machine-lifecycle", Harness, NULL,
              harness_setup, test_machine_lifecycle, harness_teardown);

  return g_test_run ();
}
