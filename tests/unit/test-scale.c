/* test-scale.c: a host with 1,000 machines
 *
 * The time is printed, never asserted: benchmarks/ is where figures go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "refract-test-util.h"

#define N_MACHINES 1000

static char *
write_node (const char *dir)
{
  g_autoptr(GString) xml = g_string_new ("<node>\n"
                                         "  <cpu><nodes>1</nodes><sockets>1</sockets><cores>8</cores>"
                                         "<threads>2</threads><active>16</active><mhz>3000</mhz>"
                                         "<model>x86_64</model></cpu>\n"
                                         "  <memory>1073741824</memory>\n");
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "node-1000.xml", NULL);

  for (guint i = 0; i < N_MACHINES; i++)
    g_string_append_printf (xml,
                            "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
                            "    <name>vm-%04u</name>\n"
                            "    <uuid>00000000-0000-4000-8000-%012u</uuid>\n"
                            "    <title>Machine %u</title>\n"
                            "    <memory unit='MiB'>%u</memory>\n"
                            "    <vcpu>%u</vcpu>\n"
                            "    <os><type arch='x86_64'>hvm</type></os>\n"
                            "    <test:runstate>1</test:runstate>\n"
                            "  </domain>\n",
                            i, i, i, 256 + i, 1 + i % 4);
  g_string_append (xml, "</node>\n");

  g_file_set_contents (path, xml->str, xml->len, &error);
  g_assert_no_error (error);
  return path;
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *n_changes)
{
  (*n_changes)++;
}

static void
test_thousand_machines (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("refract-scale-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(RefractConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  RefractMachineList *machines;
  RefractMachine *machine;
  guint n_changes = 0;
  gint64 start;
  gint64 elapsed;

  g_assert_no_error (error);
  path = write_node (dir);
  uri = g_strconcat ("test://", path, NULL);

  connection = refract_connection_new (uri);
  machines = refract_connection_get_machines (connection);
  g_signal_connect (machines, "items-changed", G_CALLBACK (count_changes), &n_changes);

  start = g_get_monotonic_time ();
  refract_connection_open_async (connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 120, "1,000 machines to be listed");
  elapsed = g_get_monotonic_time () - start;
  refract_connection_open_finish (connection, result, &error);
  g_assert_no_error (error);
  /* the result holds the connection; rt_close() waits for the last reference */
  g_clear_object (&result);
  g_test_message ("opened a host with %u machines in %.3f s", N_MACHINES, elapsed / 1e6);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (machines)), ==, N_MACHINES);
  /* the list view is told once, not a thousand times */
  g_assert_cmpuint (n_changes, ==, 1);
  for (guint i = 0; i < N_MACHINES; i++)
    {
      g_autoptr(RefractMachine) item = g_list_model_get_item (G_LIST_MODEL (machines), i);

      g_assert_cmpint (refract_machine_get_state (item), ==, REFRACT_MACHINE_STATE_RUNNING);
    }
  machine = refract_machine_list_find_by_name (machines, "vm-0999");
  g_assert_nonnull (machine);
  g_assert_cmpstr (refract_machine_get_display_name (machine), ==, "Machine 999");
  g_assert_cmpuint (refract_machine_get_vcpus (machine), ==, 4);
  g_assert_cmpuint (refract_machine_get_memory (machine), ==, (256 + 999) * 1024);
  g_assert_true (refract_machine_list_find_by_uuid (machines, "00000000-0000-4000-8000-000000000500")
                 == refract_machine_list_find_by_name (machines, "vm-0500"));

  g_signal_handlers_disconnect_by_func (machines, count_changes, &n_changes);
  rt_close (g_steal_pointer (&connection));
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/scale/thousand-machines", test_thousand_machines);

  return g_test_run ();
}
