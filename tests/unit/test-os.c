/* test-os.c: operating systems from libosinfo, and telling them from their discs
 *
 * The discs are tiny ISO images made with xorriso, labelled with volume ids
 * that the installed osinfo-db knows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "refract-os.h"
#include "refract-test-util.h"

static char *tmp_dir;

static void
spawn_ok (const char * const *argv)
{
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s: %s\n%s", argv[0], error->message, err);
}

static void
test_lookup (void)
{
  g_autoptr(RefractOsInfo) info = refract_os_info_lookup ("http://debian.org/debian/11");
  g_autoptr(RefractOsInfo) by_short_id = refract_os_info_lookup ("debian11");
  g_autoptr(RefractOsInfo) copy = NULL;

  g_assert_nonnull (info);
  g_assert_cmpstr (info->short_id, ==, "debian11");
  g_assert_cmpstr (info->name, ==, "Debian 11");
  g_assert_cmpstr (info->family, ==, "linux");
  g_assert_cmpuint (info->minimum_ram_mib, >, 0);
  g_assert_cmpuint (info->recommended_ram_mib, >=, info->minimum_ram_mib);
  g_assert_cmpuint (info->minimum_cpus, >=, 1);
  g_assert_cmpuint (info->recommended_cpus, >=, info->minimum_cpus);
  g_assert_cmpuint (info->recommended_storage, >=, 10ull * 1024 * 1024 * 1024);
  g_assert_true (info->virtio_disk);
  g_assert_true (info->virtio_net);
  g_assert_false (info->needs_uefi);

  g_assert_nonnull (by_short_id);
  g_assert_cmpstr (by_short_id->id, ==, info->id);

  copy = refract_os_info_copy (info);
  g_assert_cmpstr (copy->vendor, ==, info->vendor);
  g_assert_true (copy->vendor != info->vendor);

  g_assert_null (refract_os_info_lookup ("http://example.org/no-such-os"));
}

/* Debian 12 is newer than Debian 12's own osinfo-db: its needs are those of
 * the newest release the database has. */
static void
test_lookup_newer_than_db (void)
{
  g_autoptr(RefractOsInfo) info = refract_os_info_lookup ("http://debian.org/debian/12");

  g_assert_nonnull (info);
  g_assert_cmpstr (info->id, ==, "http://debian.org/debian/12");
  g_assert_cmpstr (info->short_id, ==, "debian12");
  g_assert_cmpstr (info->name, ==, "Debian 12");
  g_assert_cmpuint (info->recommended_ram_mib, >, 0);
  g_assert_cmpuint (info->recommended_storage, >, 0);
  g_assert_true (info->virtio_disk);
  g_assert_true (info->virtio_net);
  g_assert_false (info->eol);
}

static void
test_windows_11 (void)
{
  g_autoptr(RefractOsInfo) info = refract_os_info_lookup ("win11");

  g_assert_nonnull (info);
  g_assert_cmpstr (info->family, ==, "winnt");
  g_assert_true (info->needs_uefi);
  g_assert_cmpuint (info->minimum_ram_mib, >=, 4096);
  g_assert_false (info->eol);
}

static gboolean
contains_short_id (GPtrArray *list, const char *short_id)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (((RefractOsInfo *) list->pdata[i])->short_id, short_id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_search (void)
{
  g_autoptr(GPtrArray) debian = refract_os_search ("debian 11", 0);
  g_autoptr(GPtrArray) windows = refract_os_search ("Win 11", 0);
  g_autoptr(GPtrArray) nonsense = refract_os_search ("qwzx frobnicate", 0);
  g_autoptr(GPtrArray) all_debian = refract_os_search ("DEBIAN", 0);
  g_autoptr(GPtrArray) limited = refract_os_search ("debian", 3);
  gboolean seen_eol = FALSE;

  g_assert_true (contains_short_id (debian, "debian11"));
  g_assert_cmpuint (windows->len, >=, 1);
  g_assert_cmpstr (((RefractOsInfo *) windows->pdata[0])->short_id, ==, "win11");
  g_assert_cmpuint (nonsense->len, ==, 0);
  g_assert_cmpuint (limited->len, ==, 3);

  /* newest first, end-of-life releases after all the others */
  g_assert_cmpuint (all_debian->len, >, 10);
  for (guint i = 0; i < all_debian->len; i++)
    {
      RefractOsInfo *info = all_debian->pdata[i];

      if (info->eol)
        seen_eol = TRUE;
      else
        g_assert_false (seen_eol);
    }
  g_assert_true (seen_eol);
  g_assert_cmpstr (((RefractOsInfo *) limited->pdata[0])->id, ==,
                   ((RefractOsInfo *) all_debian->pdata[0])->id);
  g_assert_false (contains_short_id (limited, "debian1.1"));
}

/* ---- discs ----------------------------------------------------------------- */

static char *
make_iso (const char *name, const char *volume_id)
{
  g_autofree char *content = g_build_filename (tmp_dir, "content", NULL);
  g_autofree char *readme = g_build_filename (content, "README.txt", NULL);
  char *iso = g_build_filename (tmp_dir, name, NULL);
  const char *argv[] = { "xorriso", "-as", "mkisofs", "-quiet", "-V", volume_id,
                         "-o", iso, content, NULL };
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (content, 0700);
  g_file_set_contents (readme, "refract test disc\n", -1, &error);
  g_assert_no_error (error);
  spawn_ok (argv);
  return iso;
}

static RefractMediaInfo *
detect (const char *path, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_os_detect_media_async (path, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the disc to be identified");
  return refract_os_detect_media_finish (result, error);
}

static void
test_detect_known (void)
{
  g_autofree char *iso = make_iso ("debian.iso", "Debian 11.6.0 amd64 n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractMediaInfo) info = detect (iso, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->volume_id, ==, "Debian 11.6.0 amd64 n");
  g_assert_cmpstr (info->os->id, ==, "http://debian.org/debian/11");
  g_assert_true (info->installer);
  g_assert_false (info->live);
  g_assert_cmpuint (info->os->recommended_ram_mib, >, 0);
}

static void
test_detect_unknown (void)
{
  g_autofree char *iso = make_iso ("unknown.iso", "REFRACT_NOT_AN_OS");
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractMediaInfo) info = detect (iso, &error);

  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "REFRACT_NOT_AN_OS"));
}

static void
test_detect_not_iso (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.iso", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractMediaInfo) info = NULL;
  g_autofree char *zeros = g_malloc0 (64 * 1024);

  g_file_set_contents (path, zeros, 64 * 1024, &error);
  g_assert_no_error (error);
  info = detect (path, &error);
  g_assert_null (info);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "notes.txt"));
  g_assert_nonnull (refract_error_get_remedy (error));
  g_clear_error (&error);

  info = detect (missing, &error);
  g_assert_null (info);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_nonnull (refract_error_get_remedy (error));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  rt_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("refract-test-os-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/os/lookup", test_lookup);
  g_test_add_func ("/os/lookup-newer-than-db", test_lookup_newer_than_db);
  g_test_add_func ("/os/windows-11", test_windows_11);
  g_test_add_func ("/os/search", test_search);
  g_test_add_func ("/os/detect/known", test_detect_known);
  g_test_add_func ("/os/detect/unknown", test_detect_unknown);
  g_test_add_func ("/os/detect/not-iso", test_detect_not_iso);
  ret = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", "--one-file-system", tmp_dir, NULL };

    spawn_ok (rm);
  }
  g_free (tmp_dir);
  return ret;
}
