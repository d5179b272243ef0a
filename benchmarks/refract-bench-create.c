/* refract-bench-create.c: how long creating a machine and reading a disc take
 *
 *   build/benchmarks/refract-bench-create [RUNS]
 *
 * On the private libvirtd of the integration tests: define + start of a
 * disk-less machine through RefractMachineCreator (median of RUNS, 5 by
 * default; target ≤ 2 s), and libosinfo detection of a ~50 MiB ISO with a
 * known volume id (the first run loads the OS database; target ≤ 1 s).
 * Prints figures; never fails on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "refract-machine-creator.h"
#include "refract-os.h"
#include "refract-presets.h"
#include "refract-test-harness.h"

#define ISO_PAYLOAD_MIB 50

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static RefractHostCaps *
load_caps (RthHarness *h)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractHostCaps *caps;

  refract_host_caps_load_async (h->connection, FALSE, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the host capabilities");
  caps = refract_host_caps_load_finish (result, &error);
  g_assert_no_error (error);
  return caps;
}

static void
remove_machine (RthHarness *h, const char *name)
{
  virConnectPtr conn = _refract_connection_ref_handle (h->connection);
  virDomainPtr dom = virDomainLookupByName (conn, name);

  if (dom != NULL)
    {
      virDomainDestroy (dom);
      virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_TPM);
      virDomainFree (dom);
    }
  virResetLastError ();
  virConnectClose (conn);
}

/* ms for one define + start, or -1 with error set */
static double
time_create (RthHarness *h, RefractMachineSpec *spec, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *uuid = NULL;
  gint64 begin = g_get_monotonic_time ();
  double ms;

  refract_machine_create_async (h->connection, spec, TRUE, NULL, NULL, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 120, "the machine to be created");
  uuid = refract_machine_create_finish (result, error);
  ms = (g_get_monotonic_time () - begin) / 1000.0;
  remove_machine (h, spec->name);
  return uuid != NULL ? ms : -1;
}

static void
bench_define_start (RthHarness *h, guint runs)
{
  g_autoptr(RefractHostCaps) caps = load_caps (h);
  g_autoptr(RefractMachineSpec) spec = refract_machine_spec_new ();
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  g_assert_true (refract_preset_apply ("generic-linux", spec, caps));
  refract_machine_spec_set_string (&spec->name, "bench-create");
  spec->source = REFRACT_SOURCE_NONE;
  spec->disk_mode = REFRACT_DISK_NONE;
  spec->network = REFRACT_NETWORK_NONE;

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      double ms = time_create (h, spec, &error);

      if (ms < 0)
        g_error ("define + start failed: %s", error->message);
      g_array_append_val (times, ms);
      g_print ("define_start_run_%u_ms=%.1f\n", i + 1, ms);
    }
  g_print ("define_start_domain_type=%s\n", refract_host_caps_get_domain_type (caps));
  g_print ("define_start_median_ms=%.1f (target <= 2000)\n", median (times));
}

static char *
make_iso (const char *dir)
{
  g_autofree char *content = g_build_filename (dir, "content", NULL);
  g_autofree char *payload = g_build_filename (content, "payload.bin", NULL);
  char *iso = g_build_filename (dir, "bench.iso", NULL);
  const char *argv[] = { "xorriso", "-as", "mkisofs", "-quiet", "-V", "Debian 11.6.0 amd64 n",
                         "-o", iso, content, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_malloc (1024 * 1024);
  FILE *f;

  g_assert_cmpint (g_mkdir (content, 0700), ==, 0);
  f = g_fopen (payload, "wb");
  g_assert_nonnull (f);
  for (guint i = 0; i < 1024 * 1024; i++)
    data[i] = (char) g_random_int ();
  for (guint i = 0; i < ISO_PAYLOAD_MIB; i++)
    g_assert_cmpuint (fwrite (data, 1, 1024 * 1024, f), ==, 1024 * 1024);
  fclose (f);
  g_assert_true (rth_run_clean (argv, NULL, &error));
  g_assert_no_error (error);
  return iso;
}

static double
time_detect (const char *iso)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RefractMediaInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gint64 begin = g_get_monotonic_time ();

  refract_os_detect_media_async (iso, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the disc to be identified");
  info = refract_os_detect_media_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->os->short_id, ==, "debian11");
  return (g_get_monotonic_time () - begin) / 1000.0;
}

static void
bench_detect (guint runs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("refract-bench-iso-XXXXXX", &error);
  g_autofree char *iso = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  const char *rm[] = { "rm", "-rf", "--one-file-system", dir, NULL };
  GStatBuf st;

  g_assert_no_error (error);
  iso = make_iso (dir);
  g_assert_cmpint (g_stat (iso, &st), ==, 0);
  g_print ("detect_iso_size_mib=%.1f\n", st.st_size / 1048576.0);

  /* the OS database is loaded once per process, by the first detection */
  g_print ("detect_first_ms=%.1f (loads the OS database; target <= 1000)\n", time_detect (iso));
  for (guint i = 0; i < runs; i++)
    {
      double ms = time_detect (iso);

      g_array_append_val (times, ms);
    }
  g_print ("detect_median_ms=%.1f (target <= 1000)\n", median (times));

  g_assert_true (rth_run_clean (rm, NULL, &error));
}

int
main (int argc, char *argv[])
{
  RthHarness h = { NULL, };
  guint runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 5;

  rt_init (&argc, &argv);
  runs = MAX (runs, 1);

  /* before anything else touches libosinfo, so the first figure is cold */
  bench_detect (runs);

  rth_setup (&h, HARNESS_DIR);
  h.connection = rt_open (h.uri);
  bench_define_start (&h, runs);
  rth_teardown (&h, NULL);
  return 0;
}
