/* refract-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>

#include "refract-os.h"
#include "refract-test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define RT_LSAN 1
#else
#define RT_LSAN 0
#endif

/* libosinfo keeps part of the database it loads (once per process) out of
 * reach. LSan's suppressions can't see that: GLib has no frame pointers, so
 * the fast unwinder stops at g_malloc0(). Load it here with LSan off. */
static void
load_osinfo_db_unchecked (void)
{
#if RT_LSAN
  __lsan_disable ();
  g_free (refract_os_name_for_id ("http://debian.org/debian/12"));
  __lsan_enable ();
#endif
}

void
rt_init (int    *argc,
         char ***argv)
{
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);
  if (!refract_model_init (&error))
    g_error ("refract_model_init: %s", error->message);
  load_osinfo_db_unchecked ();
}

gint64
rt_deadline_in (double seconds)
{
  return g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
}

static gboolean
wake_up (gpointer user_data)
{
  *(guint *) user_data = 0;
  return G_SOURCE_REMOVE;
}

/* One blocking iteration of the default context, woken after 50 ms at the
 * latest: what is waited for may change in another thread without waking the
 * main loop (a GTask's worker can drop the last reference to its source
 * object). FALSE once @deadline has passed. */
gboolean
rt_iterate_before (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();
  guint id;

  if (left <= 0)
    return FALSE;
  id = g_timeout_add ((guint) CLAMP (left / 1000, 1, 50), wake_up, &id);
  g_main_context_iteration (NULL, TRUE);
  g_clear_handle_id (&id, g_source_remove);
  return TRUE;
}

void
rt_timed_out (const char *file,
              int         line,
              const char *func,
              double      seconds,
              const char *what,
              const char *cond)
{
  g_autofree char *message = g_strdup_printf ("timed out after %.1f s waiting for %s (%s)",
                                              seconds, what, cond);

  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
  g_abort ();
}

/* Lets the main loop run for a while, e.g. to see that nothing else happens. */
void
rt_spin (guint milliseconds)
{
  gint64 deadline = rt_deadline_in (milliseconds / 1000.0);

  while (rt_iterate_before (deadline))
    ;
}

void
rt_store_result (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

RefractConnection *
rt_open (const char *uri)
{
  RefractConnection *connection = refract_connection_new (uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  refract_connection_open_async (connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, uri);
  refract_connection_open_finish (connection, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (refract_connection_get_state (connection), ==, REFRACT_CONNECTION_STATE_CONNECTED);
  g_assert_null (refract_connection_get_error (connection));
  return connection;
}

/* Closes and drops @connection, and waits until its pending work has let go
 * of it, so a test leaves nothing running behind. */
void
rt_close (RefractConnection *connection)
{
  refract_connection_close (connection);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (connection))),
                    ==, 0);
  rt_unref_and_wait (connection);
  /* the handle is closed in a thread; let its completion run */
  rt_spin (50);
}

/* Drops the caller's (last) reference and waits until @object is finalized:
 * a GTask's worker may still hold it for a moment after its callback ran.
 * Like g_assert_finalize_object(), but without that race. */
void
rt_unref_and_wait (gpointer object)
{
  GObject *weak = G_OBJECT (object);
  g_autofree char *what = g_strdup_printf ("the %s to be finalized", G_OBJECT_TYPE_NAME (object));

  g_object_add_weak_pointer (weak, (gpointer *) &weak);
  g_object_unref (object);
  rt_wait_until (weak == NULL, 30, what);
}

RefractMachine *
rt_find (RefractConnection *connection,
         const char        *name)
{
  RefractMachine *machine = refract_machine_list_find_by_name (refract_connection_get_machines (connection),
                                                               name);

  if (machine == NULL)
    g_error ("no machine named “%s” on %s", name, refract_connection_get_uri (connection));
  return machine;
}

gboolean
rt_run (RefractMachine        *machine,
        RefractMachineAction   action,
        GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_machine_run_async (machine, action, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 120, "a machine action to complete");
  return refract_machine_run_finish (machine, result, error);
}

/* rt_run (), failing the test when the action does, then up to 60 s for @state */
void
rt_run_and_wait (RefractMachine       *machine,
                 RefractMachineAction  action,
                 RefractMachineState   state)
{
  g_autoptr(GError) error = NULL;

  if (!rt_run (machine, action, &error))
    g_error ("action %d: %s", action, error->message);
  rt_wait_state (machine, state, 60);
}

void
rt_load_details (RefractMachine *machine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  refract_machine_load_details_async (machine, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the machine details");
  refract_machine_load_details_finish (machine, result, &error);
  g_assert_no_error (error);
  g_assert_true (refract_machine_get_details_loaded (machine));
}

void
rt_wait_state (RefractMachine      *machine,
               RefractMachineState  state,
               double               seconds)
{
  g_autofree char *what = g_strdup_printf ("“%s” to be %s", refract_machine_get_name (machine),
                                           refract_machine_state_to_string (state));

  rt_wait_until (refract_machine_get_state (machine) == state, seconds, what);
}

static void
state_notified (RefractMachine *machine,
                GParamSpec     *pspec,
                RtStateLog     *log)
{
  RefractMachineState state = refract_machine_get_state (machine);

  g_array_append_val (log->states, state);
}

RtStateLog *
rt_state_log_new (RefractMachine *machine)
{
  RtStateLog *log = g_new0 (RtStateLog, 1);

  log->machine = g_object_ref (machine);
  log->states = g_array_new (FALSE, FALSE, sizeof (RefractMachineState));
  log->handler = g_signal_connect (machine, "notify::state", G_CALLBACK (state_notified), log);
  return log;
}

gboolean
rt_state_log_has (RtStateLog          *log,
                  RefractMachineState  state)
{
  for (guint i = 0; i < log->states->len; i++)
    if (g_array_index (log->states, RefractMachineState, i) == state)
      return TRUE;
  return FALSE;
}

void
rt_state_log_clear (RtStateLog *log)
{
  g_array_set_size (log->states, 0);
}

void
rt_state_log_free (RtStateLog *log)
{
  g_clear_signal_handler (&log->handler, log->machine);
  g_clear_object (&log->machine);
  g_array_unref (log->states);
  g_free (log);
}
