/* test-create.c: new machines on a real, private libvirtd and QEMU
 *
 * One harness for the whole program: the default storage pool is made in it
 * (as root, libvirtd's /var/lib/libvirt is a bind mount of the harness
 * directory, so the pool's directory is there too), every preset is defined
 * by the QEMU driver, started and stopped, disks are created and imported, and forced failures must leave
 * nothing behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "refract-machine-creator.h"
#include "refract-presets.h"
#include "refract-test-harness.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define GIB (G_GUINT64_CONSTANT (1) << 30)

static RthHarness harness;
static RefractHostCaps *caps;

/* ---- helpers ----------------------------------------------------------------- */

typedef struct
{
  GArray   *fractions;
  gboolean  all_on_main;
} ProgressLog;

static void
record_progress (double fraction, const char *what, gpointer user_data)
{
  ProgressLog *log = user_data;

  if (!g_main_context_is_owner (g_main_context_default ()))
    log->all_on_main = FALSE;
  g_assert_nonnull (what);
  g_array_append_val (log->fractions, fraction);
}

static char *
create (const RefractMachineSpec *spec, gboolean start, ProgressLog *log, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_machine_create_async (harness.connection, spec, start, log ? record_progress : NULL, log,
                                NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 120, "the machine to be created");
  return refract_machine_create_finish (result, error);
}

static virConnectPtr
conn (void)
{
  virConnectPtr c = _refract_connection_ref_handle (harness.connection);

  g_assert_nonnull (c);
  /* the caller's reference is dropped at once: the connection keeps its own */
  virConnectClose (c);
  return c;
}

static virDomainPtr
lookup_domain (const char *name)
{
  virDomainPtr dom = virDomainLookupByName (conn (), name);

  virResetLastError ();
  return dom;
}

static char *
domain_xml (const char *name)
{
  virDomainPtr dom = lookup_domain (name);
  char *xml;
  char *copy;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom);
  g_assert_nonnull (xml);
  copy = g_strdup (xml);
  free (xml);
  return copy;
}

static virStorageVolPtr
lookup_volume (const char *pool_name, const char *name)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn (), pool_name);
  virStorageVolPtr vol;

  g_assert_nonnull (pool);
  virStoragePoolRefresh (pool, 0);
  vol = virStorageVolLookupByName (pool, name);
  virStoragePoolFree (pool);
  virResetLastError ();
  return vol;
}

static char *
volume_format (virStorageVolPtr vol)
{
  char *xml = virStorageVolGetXMLDesc (vol, 0);
  const char *start;
  char *format;

  g_assert_nonnull (xml);
  start = strstr (xml, "<format type='");
  g_assert_nonnull (start);
  start += strlen ("<format type='");
  format = g_strndup (start, strchr (start, '\'') - start);
  free (xml);
  return format;
}

static void
assert_volume (const char *name, guint64 capacity, const char *format)
{
  virStorageVolPtr vol = lookup_volume ("default", name);
  g_autofree char *actual = NULL;
  virStorageVolInfo info;

  if (vol == NULL)
    g_error ("volume %s is missing", name);
  g_assert_cmpint (virStorageVolGetInfo (vol, &info), ==, 0);
  g_assert_cmpuint (info.capacity, ==, capacity);
  actual = volume_format (vol);
  g_assert_cmpstr (actual, ==, format);
  virStorageVolFree (vol);
}

static void
assert_no_volume (const char *name)
{
  virStorageVolPtr vol = lookup_volume ("default", name);

  if (vol != NULL)
    g_error ("volume %s was left behind", name);
}

/* Stops and undefines a machine the test made, with its NVRAM and TPM state. */
static void
remove_machine (const char *name)
{
  virDomainPtr dom = lookup_domain (name);

  g_assert_nonnull (dom);
  if (virDomainIsActive (dom) == 1)
    g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  g_assert_cmpint (virDomainUndefineFlags (dom, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_TPM),
                   ==, 0);
  virDomainFree (dom);
}

static void
remove_volume (const char *name)
{
  virStorageVolPtr vol = lookup_volume ("default", name);

  g_assert_nonnull (vol);
  g_assert_cmpint (virStorageVolDelete (vol, 0), ==, 0);
  virStorageVolFree (vol);
}

static void write_file (const char *path, gsize size, const char *marker);

static char *media_dir;
static char *install_iso;
static char *appliance_image;

/* An installer disc and an appliance image for the presets that need one. */
static void
make_media (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *content = NULL;
  g_autofree char *readme = NULL;

  media_dir = g_dir_make_tmp ("refract-it-media-XXXXXX", &error);
  g_assert_no_error (error);
  content = g_build_filename (media_dir, "content", NULL);
  readme = g_build_filename (content, "README", NULL);
  install_iso = g_build_filename (media_dir, "install.iso", NULL);
  appliance_image = g_build_filename (media_dir, "appliance.img", NULL);

  g_assert_cmpint (g_mkdir (content, 0700), ==, 0);
  g_file_set_contents (readme, "refract", -1, &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { "xorriso", "-as", "mkisofs", "-quiet", "-V", "REFRACT_IT",
                           "-o", install_iso, content, NULL };

    g_assert_true (rth_run_clean (argv, NULL, &error));
    g_assert_no_error (error);
  }
  write_file (appliance_image, 8 * MIB, "REFRACT");
}

static void
remove_media (void)
{
  const char *argv[] = { "rm", "-rf", "--one-file-system", media_dir, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (rth_run_clean (argv, NULL, &error));
  g_clear_pointer (&media_dir, g_free);
  g_clear_pointer (&install_iso, g_free);
  g_clear_pointer (&appliance_image, g_free);
}

static RefractMachineSpec *
spec_for_preset (const char *preset, const char *name)
{
  RefractMachineSpec *spec = refract_machine_spec_new ();

  g_assert_true (refract_preset_apply (preset, spec, caps));
  refract_machine_spec_set_string (&spec->name, name);
  if (spec->disk_mode == REFRACT_DISK_NEW)
    spec->disk_size = GIB;
  if (spec->source == REFRACT_SOURCE_INSTALL_MEDIA && spec->media_path == NULL)
    refract_machine_spec_set_string (&spec->media_path, install_iso);
  if (spec->disk_mode == REFRACT_DISK_EXISTING && spec->image_path == NULL)
    refract_machine_spec_set_string (&spec->image_path, appliance_image);
  return spec;
}

static void
write_file (const char *path, gsize size, const char *marker)
{
  int fd = g_open (path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  g_assert_cmpint (pwrite (fd, marker, strlen (marker), MIB), ==, (gssize) strlen (marker));
  close (fd);
}

/* ---- the tests ---------------------------------------------------------------- */

static gboolean
ensure_default_pool (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  refract_storage_ensure_default_pool_async (harness.connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the default pool");
  return refract_storage_ensure_default_pool_finish (result, error);
}

/* As root the daemon's /var/lib/libvirt is the harness's lib/libvirt; a
 * session daemon's data directory is not ours, so its pool is made here. */
static void
prepare_session_pool (void)
{
  g_autofree char *path = g_build_filename (harness.dir, "data", "libvirt", "images", NULL);
  g_autofree char *xml = g_strdup_printf ("<pool type='dir'><name>default</name>"
                                          "<target><path>%s</path></target></pool>", path);
  virStoragePoolPtr pool = virStoragePoolDefineXML (conn (), xml, 0);

  g_assert_nonnull (pool);
  g_assert_cmpint (virStoragePoolBuild (pool, 0), ==, 0);
  virStoragePoolFree (pool);
}

static void
test_default_pool (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) pools = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  RefractPoolInfo *found = NULL;

  if (geteuid () != 0)
    prepare_session_pool ();

  g_assert_true (ensure_default_pool (&error));
  g_assert_no_error (error);
  /* again: it is there now */
  g_assert_true (ensure_default_pool (&error));
  g_assert_no_error (error);

  refract_storage_list_pools_async (harness.connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the pools");
  pools = refract_storage_list_pools_finish (result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < pools->len; i++)
    if (g_str_equal (((RefractPoolInfo *) pools->pdata[i])->name, "default"))
      found = pools->pdata[i];
  g_assert_nonnull (found);
  g_assert_true (found->active);
  g_assert_cmpint (found->available, >, 0);

  if (geteuid () == 0)
    {
      /* made inside the harness, never in the host's /var/lib/libvirt/images */
      g_autofree char *inside = g_build_filename (harness.dir, "lib", "libvirt", "images", NULL);

      g_assert_cmpstr (found->path, ==, "/var/lib/libvirt/images");
      g_assert_true (g_file_test (inside, G_FILE_TEST_IS_DIR));
    }
}

static gboolean
boot_ready_network (const RefractMachineSpec *spec)
{
  const char * const *networks = refract_host_caps_get_networks (caps);
  const char * const *bridges = refract_host_caps_get_bridges (caps);

  switch (spec->network)
    {
    case REFRACT_NETWORK_NAT:
      return networks != NULL && g_strv_contains (networks, spec->network_name);
    case REFRACT_NETWORK_BRIDGE:
      return bridges != NULL && g_strv_contains (bridges, spec->bridge);
    case REFRACT_NETWORK_USER:
    case REFRACT_NETWORK_NONE:
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static void
check_preset (const RefractPreset *preset)
{
  g_autofree char *name = g_strdup_printf ("it-%s", preset->id);
  g_autofree char *volume = g_strconcat (name, ".qcow2", NULL);
  g_autoptr(RefractMachineSpec) spec = spec_for_preset (preset->id, name);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  virDomainPtr dom;
  int state, reason;
  /* Every preset starts: the test's disc and image hold no system, but QEMU
   * runs the firmware all the same, which is what proves this host's QEMU
   * takes the preset's hardware. */
  gboolean boot = TRUE;

  rth_step (&harness, name);
  if (boot && !boot_ready_network (spec))
    {
      g_test_message ("%s: no network (the harness has no libvirt network nor host bridge)",
                      preset->id);
      spec->network = REFRACT_NETWORK_NONE;
    }
  uuid = create (spec, boot, NULL, &error);
  if (uuid == NULL)
    g_error ("preset %s: %s (%s)", preset->id, error->message,
             refract_error_get_remedy (error) ? refract_error_get_remedy (error) : "no remedy");

  dom = lookup_domain (name);
  g_assert_nonnull (dom);
  g_assert_cmpint (virDomainGetState (dom, &state, &reason, 0), ==, 0);
  if (boot && state == VIR_DOMAIN_PAUSED)
    /* QEMU took the hardware and ran; the firmware of a machine with no
     * system can then stop it (seen once under nested KVM), which is the
     * guest's business, not the preset's */
    g_test_message ("%s: running, then paused by QEMU (reason %d)", preset->id, reason);
  else
    g_assert_cmpint (state, ==, boot ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_SHUTOFF);
  if (boot)
    g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);

  remove_machine (name);
  if (spec->disk_mode == REFRACT_DISK_NEW
      || (spec->disk_mode == REFRACT_DISK_EXISTING && spec->import_mode != REFRACT_IMPORT_IN_PLACE))
    remove_volume (volume);
}

static void
test_presets (void)
{
  guint n = 0;
  const RefractPreset *presets = refract_presets_get_all (&n);

  g_assert_cmpuint (n, >=, 6);
  for (guint i = 0; i < n; i++)
    check_preset (&presets[i]);
}

static void
test_new_disk (void)
{
  g_autoptr(RefractMachineSpec) spec = spec_for_preset ("generic-linux", "it-new-disk");
  ProgressLog log = { g_array_new (FALSE, FALSE, sizeof (double)), TRUE };
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *xml = NULL;

  spec->disk_mode = REFRACT_DISK_NEW;
  spec->disk_size = 3 * GIB;
  refract_machine_spec_set_string (&spec->pool, "default");
  uuid = create (spec, FALSE, &log, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uuid);

  assert_volume ("it-new-disk.qcow2", 3 * GIB, "qcow2");
  xml = domain_xml ("it-new-disk");
  g_assert_nonnull (strstr (xml, "it-new-disk.qcow2"));
  g_assert_nonnull (strstr (xml, uuid));

  /* progress on our thread, never backwards, from 0 to 1 */
  rt_spin (50);
  g_assert_true (log.all_on_main);
  g_assert_cmpuint (log.fractions->len, >=, 3);
  g_assert_cmpfloat (g_array_index (log.fractions, double, 0), ==, 0);
  g_assert_cmpfloat (g_array_index (log.fractions, double, log.fractions->len - 1), ==, 1);
  for (guint i = 1; i < log.fractions->len; i++)
    g_assert_cmpfloat (g_array_index (log.fractions, double, i), >=,
                       g_array_index (log.fractions, double, i - 1));
  g_array_unref (log.fractions);

  remove_machine ("it-new-disk");
  remove_volume ("it-new-disk.qcow2");
}

static void
check_failure_after (RefractCreateStep step, gboolean start)
{
  g_autoptr(RefractMachineSpec) spec = spec_for_preset ("generic-linux", "it-rollback");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  virDomainPtr dom;

  spec->disk_mode = REFRACT_DISK_NEW;
  spec->disk_size = GIB;
  spec->source = REFRACT_SOURCE_NONE;
  spec->network = REFRACT_NETWORK_NONE;
  refract_machine_creator_set_fail_after (step);
  uuid = create (spec, start, NULL, &error);
  refract_machine_creator_set_fail_after (-1);

  g_assert_null (uuid);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  /* the step itself worked: it is the forced failure that was rolled back */
  if (strstr (error->message, "as the test asked") == NULL)
    g_error ("step %d failed by itself: %s", step, error->message);
  dom = lookup_domain ("it-rollback");
  if (dom != NULL)
    g_error ("a failure after step %d left the machine behind", step);
  assert_no_volume ("it-rollback.qcow2");
}

/* A start that fails for real (its disc is gone) takes the machine and its
 * new volume with it, and says what libvirt said. */
static void
check_start_failure (void)
{
  g_autoptr(RefractMachineSpec) spec = spec_for_preset ("generic-linux", "it-no-disc");
  g_autofree char *missing = g_build_filename (media_dir, "missing.iso", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;

  spec->disk_size = GIB;
  spec->network = REFRACT_NETWORK_NONE;
  refract_machine_spec_set_string (&spec->media_path, missing);
  uuid = create (spec, TRUE, NULL, &error);
  g_assert_null (uuid);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_test_message ("%s — %s", error->message, refract_error_get_remedy (error));
  g_assert_nonnull (strstr (error->message, "missing.iso"));
  g_assert_nonnull (refract_error_get_remedy (error));
  g_assert_null (lookup_domain ("it-no-disc"));
  assert_no_volume ("it-no-disc.qcow2");
}

static void
test_rollback (void)
{
  rth_step (&harness, "a start that fails");
  check_start_failure ();
  rth_step (&harness, "failing after the volume was made");
  check_failure_after (REFRACT_CREATE_STEP_STORAGE, FALSE);
  rth_step (&harness, "failing after the definition");
  check_failure_after (REFRACT_CREATE_STEP_DEFINE, FALSE);
  rth_step (&harness, "failing after the start");
  check_failure_after (REFRACT_CREATE_STEP_START, TRUE);
}

/* A name libvirt already has: its error, a remedy, and no volume left. */
static void
test_define_refused (void)
{
  g_autoptr(RefractMachineSpec) spec = spec_for_preset ("generic-linux", "it-taken");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;

  spec->disk_mode = REFRACT_DISK_NONE;
  uuid = create (spec, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&uuid, g_free);

  spec->disk_mode = REFRACT_DISK_NEW;
  spec->disk_size = GIB;
  uuid = create (spec, FALSE, NULL, &error);
  g_assert_null (uuid);
  g_assert_nonnull (error);
  g_test_message ("%s — %s", error->message, refract_error_get_remedy (error));
  g_assert_nonnull (strstr (error->message, "it-taken"));
  g_assert_nonnull (refract_error_get_remedy (error));
  assert_no_volume ("it-taken.qcow2");
  remove_machine ("it-taken");
}

static void
test_windows_11 (void)
{
  g_autoptr(RefractMachineSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *xml = NULL;

  /* swtpm and OVMF are installed on the test hosts */
  g_assert_true (refract_host_caps_has (caps, REFRACT_HOST_FEATURE_TPM_EMULATOR));
  g_assert_true (refract_host_caps_has (caps, REFRACT_HOST_FEATURE_UEFI));

  spec = spec_for_preset ("windows-11", "it-windows-11");
  g_assert_true (spec->tpm);
  g_assert_cmpint (spec->firmware, !=, REFRACT_FIRMWARE_BIOS);
  uuid = create (spec, FALSE, NULL, &error);
  g_assert_no_error (error);

  xml = domain_xml ("it-windows-11");
  g_assert_nonnull (strstr (xml, "<tpm"));
  g_assert_nonnull (strstr (xml, "emulator"));
  g_assert_true (strstr (xml, "firmware='efi'") != NULL || strstr (xml, "OVMF") != NULL);
  g_test_message ("%s", xml);

  remove_machine ("it-windows-11");
  if (spec->disk_mode == REFRACT_DISK_NEW)
    remove_volume ("it-windows-11.qcow2");
}

static void
test_import (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("refract-it-import-XXXXXX", &error);
  g_autofree char *raw = g_build_filename (dir, "appliance.img", NULL);
  g_autofree char *qcow2 = g_build_filename (dir, "appliance.qcow2", NULL);
  const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", qcow2, "2G", NULL };
  g_autoptr(RefractMachineSpec) spec = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *xml = NULL;

  g_assert_no_error (error);
  write_file (raw, 16 * MIB, "REFRACT");
  g_assert_true (rth_run_clean (qemu_img, NULL, &error));
  g_assert_no_error (error);

  rth_step (&harness, "raw image converted to qcow2");
  spec = spec_for_preset ("generic-linux", "it-convert");
  spec->source = REFRACT_SOURCE_EXISTING_IMAGE;
  spec->disk_mode = REFRACT_DISK_EXISTING;
  spec->import_mode = REFRACT_IMPORT_CONVERT;
  refract_machine_spec_set_string (&spec->image_path, raw);
  refract_machine_spec_set_string (&spec->pool, "default");
  uuid = create (spec, FALSE, NULL, &error);
  g_assert_no_error (error);
  assert_volume ("it-convert.qcow2", 16 * MIB, "qcow2");
  xml = domain_xml ("it-convert");
  g_assert_nonnull (strstr (xml, "it-convert.qcow2"));
  g_assert_nonnull (strstr (xml, "qcow2"));
  remove_machine ("it-convert");
  remove_volume ("it-convert.qcow2");
  g_clear_pointer (&uuid, g_free);
  g_clear_pointer (&xml, g_free);

  rth_step (&harness, "qcow2 image copied");
  spec->import_mode = REFRACT_IMPORT_COPY;
  refract_machine_spec_set_string (&spec->name, "it-copy");
  refract_machine_spec_set_string (&spec->image_path, qcow2);
  uuid = create (spec, FALSE, NULL, &error);
  g_assert_no_error (error);
  assert_volume ("it-copy.qcow2", 2 * GIB, "qcow2");
  remove_machine ("it-copy");
  remove_volume ("it-copy.qcow2");
  g_clear_pointer (&uuid, g_free);

  rth_step (&harness, "image used in place survives a failure");
  spec->import_mode = REFRACT_IMPORT_IN_PLACE;
  refract_machine_spec_set_string (&spec->name, "it-in-place");
  refract_machine_creator_set_fail_after (REFRACT_CREATE_STEP_DEFINE);
  uuid = create (spec, FALSE, NULL, &error);
  refract_machine_creator_set_fail_after (-1);
  g_assert_null (uuid);
  g_clear_error (&error);
  g_assert_null (lookup_domain ("it-in-place"));
  g_assert_true (g_file_test (qcow2, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (g_remove (raw), ==, 0);
  g_assert_cmpint (g_remove (qcow2), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A cancelled import keeps no partial volume. */
static void
test_import_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("refract-it-cancel-XXXXXX", &error);
  g_autofree char *raw = g_build_filename (dir, "big.img", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  ProgressLog log = { g_array_new (FALSE, FALSE, sizeof (double)), TRUE };

  g_assert_no_error (error);
  write_file (raw, 512 * MIB, "REFRACT");
  refract_storage_import_async (harness.connection, "default", raw, "it-cancelled", FALSE,
                                record_progress, &log, cancellable, rt_store_result, &result);
  /* cancel once the copy is under way (or at once if it is very fast) */
  rt_wait_until (result != NULL || log.fractions->len >= 2, 60, "the copy to start");
  g_cancellable_cancel (cancellable);
  rt_wait_until (result != NULL, 60, "the cancelled import");
  path = refract_storage_import_finish (result, &error);
  if (path != NULL)
    {
      g_test_message ("the copy finished before it could be cancelled");
      remove_volume ("it-cancelled.img");
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      assert_no_volume ("it-cancelled.img");
    }
  g_array_unref (log.fractions);
  g_assert_cmpint (g_remove (raw), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static RefractHostCaps *
load_caps (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractHostCaps *loaded;

  refract_host_caps_load_async (harness.connection, FALSE, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 60, "the host capabilities");
  loaded = refract_host_caps_load_finish (result, &error);
  g_assert_no_error (error);
  return loaded;
}

int
main (int argc, char *argv[])
{
  int ret;

  rt_init (&argc, &argv);

  rth_setup (&harness, HARNESS_DIR);
  harness.connection = rt_open (harness.uri);
  caps = load_caps ();
  make_media ();

  g_test_add_func ("/create/default-pool", test_default_pool);
  g_test_add_func ("/create/presets", test_presets);
  g_test_add_func ("/create/new-disk", test_new_disk);
  g_test_add_func ("/create/rollback", test_rollback);
  g_test_add_func ("/create/define-refused", test_define_refused);
  g_test_add_func ("/create/windows-11", test_windows_11);
  g_test_add_func ("/create/import", test_import);
  g_test_add_func ("/create/import-cancelled", test_import_cancelled);
  ret = g_test_run ();

  remove_media ();
  g_clear_object (&caps);
  rth_teardown (&harness, NULL);
  return ret;
}
