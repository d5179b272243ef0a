/* test-machine-list.c: the order and the search of the machine list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-test-util.h"

static RefractSortKey sort_key;

static int
compare_machines (gconstpointer a,
                  gconstpointer b)
{
  return refract_machine_compare (*(RefractMachine **) a, *(RefractMachine **) b, sort_key);
}

/* The display names of @connection's machines in @key order, joined by "|". */
static char *
sorted_names (RefractConnection *connection,
              RefractSortKey     key)
{
  GListModel *model = G_LIST_MODEL (refract_connection_get_machines (connection));
  g_autoptr(GPtrArray) machines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (machines, g_list_model_get_item (model, i));
  sort_key = key;
  g_ptr_array_sort (machines, compare_machines);
  for (guint i = 0; i < machines->len; i++)
    g_string_append_printf (names, "%s%s", i ? "|" : "",
                            refract_machine_get_display_name (g_ptr_array_index (machines, i)));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static RefractMachine *
fake_machine (const char *uuid, const char *name, const char *title, RefractMachineState state)
{
  RefractDomainSnapshot snap = { 0 };

  g_strlcpy (snap.uuid, uuid, sizeof snap.uuid);
  snap.name = (char *) name;
  snap.title = (char *) title;
  snap.state = state;
  snap.vcpus = 1;
  snap.memory = snap.max_memory = 1024;
  snap.ok = TRUE;
  return _refract_machine_new (NULL, &snap);
}

static void
test_sort_demo (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  g_autofree char *by_name = sorted_names (connection, REFRACT_SORT_BY_NAME);
  g_autofree char *by_state = sorted_names (connection, REFRACT_SORT_BY_STATE);

  g_assert_cmpstr (by_name, ==, "Coding Sandbox|DSP Coprocessor|Kali Linux|OpenWRT Router");
  /* running first, then shut off; by name within a state */
  g_assert_cmpstr (by_state, ==, "Coding Sandbox|DSP Coprocessor|OpenWRT Router|Kali Linux");
  rt_close (connection);
}

static void
test_sort_rules (void)
{
  g_autoptr(RefractMachine) paused = fake_machine ("00000000-0000-0000-0000-000000000001", "b-paused",
                                                   NULL, REFRACT_MACHINE_STATE_PAUSED);
  g_autoptr(RefractMachine) crashed = fake_machine ("00000000-0000-0000-0000-000000000002", "a-crashed",
                                                    NULL, REFRACT_MACHINE_STATE_CRASHED);
  g_autoptr(RefractMachine) running = fake_machine ("00000000-0000-0000-0000-000000000003", "z-running",
                                                    NULL, REFRACT_MACHINE_STATE_RUNNING);
  g_autoptr(RefractMachine) off = fake_machine ("00000000-0000-0000-0000-000000000004", "c-off",
                                                NULL, REFRACT_MACHINE_STATE_SHUTOFF);
  /* two machines showing the same name still have one order */
  g_autoptr(RefractMachine) twin_a = fake_machine ("00000000-0000-0000-0000-00000000000a", "twin-1",
                                                   "Twin", REFRACT_MACHINE_STATE_SHUTOFF);
  g_autoptr(RefractMachine) twin_b = fake_machine ("00000000-0000-0000-0000-00000000000b", "twin-2",
                                                   "Twin", REFRACT_MACHINE_STATE_SHUTOFF);
  /* the title, not the name, is what is sorted on when there is one */
  g_autoptr(RefractMachine) titled = fake_machine ("00000000-0000-0000-0000-000000000005", "zzz",
                                                   "Aardvark", REFRACT_MACHINE_STATE_SHUTOFF);

  g_assert_cmpint (refract_machine_compare (running, paused, REFRACT_SORT_BY_STATE), <, 0);
  g_assert_cmpint (refract_machine_compare (paused, crashed, REFRACT_SORT_BY_STATE), <, 0);
  g_assert_cmpint (refract_machine_compare (crashed, off, REFRACT_SORT_BY_STATE), <, 0);
  g_assert_cmpint (refract_machine_compare (off, running, REFRACT_SORT_BY_STATE), >, 0);
  g_assert_cmpint (refract_machine_compare (crashed, paused, REFRACT_SORT_BY_NAME), <, 0);
  g_assert_cmpint (refract_machine_compare (running, off, REFRACT_SORT_BY_NAME), >, 0);

  g_assert_cmpint (refract_machine_compare (twin_a, twin_b, REFRACT_SORT_BY_NAME), <, 0);
  g_assert_cmpint (refract_machine_compare (twin_b, twin_a, REFRACT_SORT_BY_NAME), >, 0);
  g_assert_cmpint (refract_machine_compare (twin_a, twin_a, REFRACT_SORT_BY_NAME), ==, 0);

  g_assert_cmpstr (refract_machine_get_display_name (titled), ==, "Aardvark");
  g_assert_cmpint (refract_machine_compare (titled, crashed, REFRACT_SORT_BY_NAME), <, 0);
}

static gboolean
matches (RefractMachine *machine, const char *typed)
{
  g_autofree char *folded = g_utf8_casefold (typed, -1);

  return refract_machine_matches (machine, folded);
}

static void
test_matches (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  RefractMachine *dsp = rt_find (connection, "dsp-coprocessor");
  RefractMachine *kali = rt_find (connection, "kali-linux");
  RefractMachine *router = rt_find (connection, "openwrt-router");
  g_autoptr(RefractMachine) accented = fake_machine ("00000000-0000-0000-0000-000000000006", "cafe",
                                                     "Café Ünïcødé", REFRACT_MACHINE_STATE_SHUTOFF);

  /* case-insensitive, on the title */
  g_assert_true (matches (router, "ROUTER"));
  g_assert_true (matches (router, "openwrt r"));
  g_assert_true (matches (dsp, "coprocessor"));
  g_assert_false (matches (kali, "router"));
  /* and on the name, which has no spaces */
  g_assert_true (matches (dsp, "DSP-CO"));
  g_assert_true (matches (kali, "kali-l"));
  g_assert_false (matches (kali, "zzz"));
  /* the start of the UUID, as virsh shows it */
  g_assert_true (matches (router, "6f3c2a1e-8d4b-4e0f-9a57-1c2d3e4f5a04"));
  g_assert_false (matches (kali, "6f3c2a1e-8d4b-4e0f-9a57-1c2d3e4f5a04"));
  /* nothing typed matches everything */
  g_assert_true (refract_machine_matches (kali, ""));
  g_assert_true (refract_machine_matches (kali, NULL));
  /* non-ASCII letters fold too */
  g_assert_true (matches (accented, "CAFÉ ÜNÏ"));
  g_assert_false (matches (accented, "cafe unicode"));

  rt_close (connection);
}

static void
on_state_changed (RefractMachineList *list,
                  RefractMachine     *machine,
                  GPtrArray          *seen)
{
  g_ptr_array_add (seen, machine);
}

static void
test_state_changed_signal (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  RefractMachineList *list = refract_connection_get_machines (connection);
  RefractMachine *kali = rt_find (connection, "kali-linux");
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gulong id;

  /* a list sorted by state re-sorts on this */
  id = g_signal_connect (list, "machine-state-changed", G_CALLBACK (on_state_changed), seen);
  g_assert_true (rt_run (kali, REFRACT_MACHINE_ACTION_START, &error));
  g_assert_no_error (error);
  rt_wait_until (seen->len > 0, 10, "machine-state-changed");
  g_assert_true (g_ptr_array_index (seen, 0) == kali);
  g_signal_handler_disconnect (list, id);
  rt_close (connection);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/machine-list/sort-demo", test_sort_demo);
  g_test_add_func ("/machine-list/sort-rules", test_sort_rules);
  g_test_add_func ("/machine-list/matches", test_matches);
  g_test_add_func ("/machine-list/state-changed-signal", test_state_changed_signal);

  return g_test_run ();
}
