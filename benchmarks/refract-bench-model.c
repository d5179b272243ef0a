/* refract-bench-model.c: the same host opened without any UI
 *
 *   refract-bench-model driver URI   libvirt alone: virConnectOpen + ListAllDomains
 *   refract-bench-model model URI    RefractConnection: open_async until listed,
 *                                    then one sort of the machines by name
 *
 * Prints one JSON object. run-benchmarks uses it to split the figures of the
 * real application into what libvirt's test driver costs (it runs inside the
 * process), what the model layer costs, and what is left for GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "refract-model.h"

static double
status_mib (const char *key)
{
  g_autofree char *text = NULL;
  g_autofree char *needle = g_strconcat ("\n", key, ":", NULL);
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      || (p = strstr (text, needle)) == NULL)
    return -1;
  return g_ascii_strtoull (p + strlen (needle), NULL, 10) / 1024.0;
}

static double
ms_since (gint64 t)
{
  return (g_get_monotonic_time () - t) / 1000.0;
}

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static int
compare_by_name (gconstpointer a, gconstpointer b)
{
  return refract_machine_compare (*(RefractMachine **) a, *(RefractMachine **) b, REFRACT_SORT_BY_NAME);
}

static int
run_driver (const char *uri)
{
  double rss0 = status_mib ("VmRSS");
  gint64 t = g_get_monotonic_time ();
  virConnectPtr conn = virConnectOpen (uri);
  virDomainPtr *doms = NULL;
  double open_ms = ms_since (t);
  int n;

  if (conn == NULL)
    return 1;
  n = virConnectListAllDomains (conn, &doms, 0);
  printf ("{\"what\": \"driver\", \"domains\": %d, \"open_ms\": %.1f, \"open_list_ms\": %.1f, "
          "\"rss_before_mib\": %.1f, \"vm_hwm_mib\": %.1f, \"cpu_ms\": %.1f}\n",
          n, open_ms, ms_since (t), rss0, status_mib ("VmHWM"), cpu_ms ());
  for (int i = 0; i < n; i++)
    virDomainFree (doms[i]);
  free (doms);
  virConnectClose (conn);
  return 0;
}

static int
run_model (const char *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) machines = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GRand) rand = NULL;
  GListModel *list;
  double rss0, open_ms, sort_ms, hwm;
  gint64 t;

  if (!refract_model_init (&error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  rss0 = status_mib ("VmRSS");
  connection = refract_connection_new (uri);
  t = g_get_monotonic_time ();
  refract_connection_open_async (connection, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  open_ms = ms_since (t);
  if (!refract_connection_open_finish (connection, result, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  hwm = status_mib ("VmHWM");

  list = G_LIST_MODEL (refract_connection_get_machines (connection));
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    g_ptr_array_add (machines, g_list_model_get_item (list, i));
  /* shuffle (deterministically), then time one sort the way the sidebar sorts */
  rand = g_rand_new_with_seed (42);
  for (guint i = machines->len; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      gpointer tmp = machines->pdata[i - 1];

      machines->pdata[i - 1] = machines->pdata[j];
      machines->pdata[j] = tmp;
    }
  t = g_get_monotonic_time ();
  g_ptr_array_sort (machines, compare_by_name);
  sort_ms = ms_since (t);

  printf ("{\"what\": \"model\", \"machines\": %u, \"open_to_listed_ms\": %.1f, \"sort_by_name_ms\": %.1f, "
          "\"rss_before_mib\": %.1f, \"vm_hwm_mib\": %.1f, \"cpu_ms\": %.1f}\n",
          machines->len, open_ms, sort_ms, rss0, hwm, cpu_ms ());
  return 0;
}

int
main (int argc, char *argv[])
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: %s driver|model URI\n", argv[0]);
      return 2;
    }
  if (strcmp (argv[1], "driver") == 0)
    return run_driver (argv[2]);
  return run_model (argv[2]);
}
