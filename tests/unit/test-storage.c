/* test-storage.c: disk images and volumes for new machines
 *
 * Image headers are read from files made with qemu-img; volumes are made in
 * the libvirt test driver's pools (test:///default has "default-pool", the
 * demo host a "default" one). Uploads, which the test driver lacks, are in
 * tests/integration/test-create.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "refract-machine-creator.h"
#include "refract-presets.h"
#include "refract-storage.h"
#include "refract-test-util.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

static char *tmp_dir;

typedef struct
{
  RefractConnection *connection;
  GArray            *fractions;
  GPtrArray         *whats;
} Fixture;

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
fixture_setup (Fixture *f, gconstpointer data)
{
  f->connection = rt_open (data ? data : "test:///default");
  f->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  f->whats = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rt_close (g_steal_pointer (&f->connection));
  g_array_unref (f->fractions);
  g_ptr_array_unref (f->whats);
}

static void
record_progress (double fraction, const char *what, gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_array_append_val (f->fractions, fraction);
  g_ptr_array_add (f->whats, g_strdup (what));
}

/* ---- image headers --------------------------------------------------------- */

static void
test_probe_qcow2 (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "probe.qcow2", NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "3G", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  guint64 size = 0;

  spawn_ok (argv);
  format = refract_storage_probe_format (path, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "qcow2");
  g_assert_cmpuint (size, ==, 3 * GIB);
}

static void
test_probe_raw (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "probe.img", NULL);
  g_autofree char *format = NULL;
  g_autoptr(GError) error = NULL;
  guint64 size = 0;
  int fd;

  fd = g_open (path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 5 * 1024 * 1024), ==, 0);
  close (fd);

  format = refract_storage_probe_format (path, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "raw");
  g_assert_cmpuint (size, ==, 5 * 1024 * 1024);
}

static void
test_probe_unreadable (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.qcow2", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (refract_storage_probe_format (missing, NULL, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "missing.qcow2"));
  g_assert_nonnull (refract_error_get_remedy (error));
  g_clear_error (&error);

  g_assert_null (refract_storage_probe_format (tmp_dir, NULL, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
}

/* ---- volumes on the test driver ------------------------------------------------ */

static char *
create_volume (Fixture *f, const char *pool, const char *name, guint64 capacity, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_storage_create_volume_async (f->connection, pool, name, capacity, "qcow2",
                                       record_progress, f, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the volume to be created");
  return refract_storage_create_volume_finish (result, error);
}

static gboolean
volume_exists (Fixture *f, const char *path)
{
  virConnectPtr conn = _refract_connection_ref_handle (f->connection);
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);
  gboolean exists = vol != NULL;

  g_clear_pointer (&vol, virStorageVolFree);
  virResetLastError ();
  virConnectClose (conn);
  return exists;
}

static void
test_create_volume (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = create_volume (f, "default-pool", "refract-disk.qcow2", 8 * GIB, &error);
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "/default-pool/refract-disk.qcow2");
  g_assert_true (volume_exists (f, first));

  /* progress: 0 and 1 at least, on our main context, with what is done */
  rt_spin (50);
  g_assert_cmpuint (f->fractions->len, >=, 2);
  g_assert_cmpfloat (g_array_index (f->fractions, double, 0), ==, 0.0);
  g_assert_cmpfloat (g_array_index (f->fractions, double, f->fractions->len - 1), ==, 1.0);
  g_assert_cmpstr (f->whats->pdata[0], ==, "Creating the disk");

  /* a taken name gets the first free variant */
  second = create_volume (f, "default-pool", "refract-disk.qcow2", GIB, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, "/default-pool/refract-disk-2.qcow2");
  third = create_volume (f, "default-pool", "refract-disk.qcow2", GIB, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, ==, "/default-pool/refract-disk-3.qcow2");

  g_assert_true (refract_storage_delete_volume_path (f->connection, second, &error));
  g_assert_no_error (error);
  g_assert_false (volume_exists (f, second));
  g_assert_true (refract_storage_delete_volume_path (f->connection, first, &error));
  g_assert_true (refract_storage_delete_volume_path (f->connection, third, &error));
  g_assert_no_error (error);

  /* gone: deleting again says so */
  g_assert_false (refract_storage_delete_volume_path (f->connection, first, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND);
}

static void
test_create_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *size = g_format_size (500 * GIB);

  /* the test pool has 100 GiB */
  path = create_volume (f, "default-pool", "too-big.qcow2", 500 * GIB, &error);
  g_assert_null (path);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, size));
  g_assert_nonnull (refract_error_get_remedy (error));
  g_assert_false (volume_exists (f, "/default-pool/too-big.qcow2"));
  g_clear_error (&error);

  path = create_volume (f, "no-such-pool", "disk.qcow2", GIB, &error);
  g_assert_null (path);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-pool"));
  g_assert_nonnull (strstr (refract_error_get_remedy (error), "pool"));
}

static void
test_create_cancelled (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_cancellable_cancel (cancellable);
  refract_storage_create_volume_async (f->connection, "default-pool", "cancelled.qcow2", GIB,
                                       "qcow2", NULL, NULL, cancellable, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the cancelled creation");
  path = refract_storage_create_volume_finish (result, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (volume_exists (f, "/default-pool/cancelled.qcow2"));
}

static RefractPoolInfo *
find_pool (GPtrArray *pools, const char *name)
{
  for (guint i = 0; i < pools->len; i++)
    if (g_strcmp0 (((RefractPoolInfo *) pools->pdata[i])->name, name) == 0)
      return pools->pdata[i];
  return NULL;
}

static GPtrArray *
list_pools (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *pools;

  refract_storage_list_pools_async (f->connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the pools");
  pools = refract_storage_list_pools_finish (result, &error);
  g_assert_no_error (error);
  return pools;
}

static gboolean
ensure_default_pool (Fixture *f, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_storage_ensure_default_pool_async (f->connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the default pool");
  return refract_storage_ensure_default_pool_finish (result, error);
}

static void
test_pools (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) before = list_pools (f);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *default_path = refract_storage_default_pool_path (f->connection);
  RefractPoolInfo *pool = find_pool (before, "default-pool");

  g_assert_nonnull (pool);
  g_assert_true (pool->active);
  g_assert_cmpstr (pool->path, ==, "/default-pool");
  g_assert_cmpint (pool->capacity, ==, 100 * GIB);
  g_assert_cmpint (pool->available, >, 0);
  g_assert_cmpint (pool->available, <=, pool->capacity);

  /* the test driver is in-process: defining a pool there touches no directory */
  g_assert_cmpstr (default_path, ==, "/var/lib/libvirt/images");
  g_assert_null (find_pool (before, "default"));
  g_assert_true (ensure_default_pool (f, &error));
  g_assert_no_error (error);
  after = list_pools (f);
  pool = find_pool (after, "default");
  g_assert_nonnull (pool);
  g_assert_true (pool->active);
  g_assert_cmpstr (pool->path, ==, default_path);

  /* a second time finds it */
  g_assert_true (ensure_default_pool (f, &error));
  g_assert_no_error (error);
}

/* The demo host has its "default" pool; creating there works as on a real host. */
static void
test_demo_host (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) pools = list_pools (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  RefractPoolInfo *pool = find_pool (pools, "default");

  g_assert_nonnull (pool);
  g_assert_cmpint (pool->available, >, 0);
  g_assert_true (ensure_default_pool (f, &error));
  g_assert_no_error (error);

  /* the demo's coding-sandbox.qcow2 is taken */
  path = create_volume (f, "default", "coding-sandbox.qcow2", GIB, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/var/lib/libvirt/images/coding-sandbox-2.qcow2");
  g_assert_true (refract_storage_delete_volume_path (f->connection, path, &error));
  g_assert_no_error (error);
}

/* The whole creation on the demo host: the test driver's pool takes the
 * disk, the test driver defines and starts the machine. */
static void
test_create_machine_on_demo (Fixture *f, gconstpointer data)
{
  g_autoptr(RefractMachineSpec) spec = refract_machine_spec_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  virConnectPtr conn;
  virDomainPtr dom;
  int state;

  g_assert_true (refract_preset_apply ("generic-linux", spec, NULL));
  refract_machine_spec_set_string (&spec->name, "demo-created");
  refract_machine_spec_set_string (&spec->media_path, "/var/lib/libvirt/images/install.iso");
  spec->disk_size = 4 * GIB;
  refract_machine_create_async (f->connection, spec, TRUE, record_progress, f, NULL,
                                rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the machine to be created");
  uuid = refract_machine_create_finish (result, &error);
  /* a failure takes its new volume with it */
  if (error != NULL)
    g_assert_false (volume_exists (f, "/var/lib/libvirt/images/demo-created.qcow2"));
  g_assert_no_error (error);
  g_assert_nonnull (uuid);
  g_assert_true (volume_exists (f, "/var/lib/libvirt/images/demo-created.qcow2"));

  conn = _refract_connection_ref_handle (f->connection);
  dom = virDomainLookupByUUIDString (conn, uuid);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainGetState (dom, &state, NULL, 0), ==, 0);
  g_assert_cmpint (state, ==, VIR_DOMAIN_RUNNING);
  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);
  virConnectClose (conn);
  g_assert_true (refract_storage_delete_volume_path (f->connection,
                                                     "/var/lib/libvirt/images/demo-created.qcow2",
                                                     &error));
  g_assert_no_error (error);
}

/* The test driver cannot upload: the import fails, and leaves no volume. */
static void
test_import_failure_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autofree char *image = g_build_filename (tmp_dir, "import.qcow2", NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", image, "1G", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  spawn_ok (argv);
  refract_storage_import_async (f->connection, "default-pool", image, "imported", FALSE,
                                record_progress, f, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the import");
  path = refract_storage_import_finish (result, &error);
  g_assert_null (path);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_false (volume_exists (f, "/default-pool/imported.qcow2"));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *demo = g_getenv ("REFRACT_DEMO_NODE");
  g_autofree char *demo_uri = NULL;
  int ret;

  rt_init (&argc, &argv);
  g_assert_nonnull (demo);
  demo_uri = g_strconcat ("test://", demo, NULL);
  tmp_dir = g_dir_make_tmp ("refract-test-storage-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/storage/probe/qcow2", test_probe_qcow2);
  g_test_add_func ("/storage/probe/raw", test_probe_raw);
  g_test_add_func ("/storage/probe/unreadable", test_probe_unreadable);
  g_test_add ("/storage/volume/create", Fixture, NULL, fixture_setup, test_create_volume,
              fixture_teardown);
  g_test_add ("/storage/volume/refused", Fixture, NULL, fixture_setup, test_create_refused,
              fixture_teardown);
  g_test_add ("/storage/volume/cancelled", Fixture, NULL, fixture_setup, test_create_cancelled,
              fixture_teardown);
  g_test_add ("/storage/volume/import-failure", Fixture, NULL, fixture_setup,
              test_import_failure_leaves_nothing, fixture_teardown);
  g_test_add ("/storage/pools", Fixture, NULL, fixture_setup, test_pools, fixture_teardown);
  g_test_add ("/storage/demo-host", Fixture, demo_uri, fixture_setup, test_demo_host,
              fixture_teardown);
  g_test_add ("/storage/demo/create-machine", Fixture, demo_uri, fixture_setup,
              test_create_machine_on_demo, fixture_teardown);
  ret = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", "--one-file-system", tmp_dir, NULL };

    spawn_ok (rm);
  }
  g_free (tmp_dir);
  return ret;
}
