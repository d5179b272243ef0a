/* test-model.c: connections and machines against the libvirt test driver
 *
 * Every test opens its own connection to the demo node, and the test driver
 * gives each connection to a node file a private copy of it, so the tests
 * can change machines without affecting each other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libvirt/virterror.h>

#include "refract-test-util.h"

#define GiB (G_GINT64_CONSTANT (1) << 30)
#define MiB (G_GINT64_CONSTANT (1) << 20)
#define KALI_DISK "/var/lib/libvirt/images/kali-linux.qcow2"

static RefractConnection *
open_demo (void)
{
  g_autofree char *uri = refract_demo_uri ();

  return rt_open (uri);
}

static guint
n_machines (RefractConnection *connection)
{
  return g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (connection)));
}

/* What the machine list shows as the state, e.g. "Shut Off (forced off)". */
static gboolean
state_text_is (RefractMachine *machine,
               const char     *expected)
{
  g_autofree char *text = refract_machine_dup_state_text (machine);

  return g_strcmp0 (text, expected) == 0;
}

/* ---- opening ----------------------------------------------------------- */

static void
test_open_default (void)
{
  RefractConnection *connection = rt_open ("test:///default");
  RefractMachine *machine;

  g_assert_cmpstr (refract_connection_get_display_name (connection), ==, "Test Host");
  g_assert_cmpuint (n_machines (connection), ==, 1);
  machine = rt_find (connection, "test");
  g_assert_cmpstr (refract_machine_get_display_name (machine), ==, "test");
  g_assert_null (refract_machine_get_title (machine));
  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_RUNNING);
  g_assert_true (refract_machine_is_active (machine));
  g_assert_cmpuint (refract_machine_get_vcpus (machine), ==, 2);
  g_assert_cmpuint (refract_machine_get_memory (machine), ==, 2097152);
  g_assert_cmpuint (refract_machine_get_max_memory (machine), ==, 8388608);
  g_assert_cmpuint (strlen (refract_machine_get_uuid (machine)), ==, 36);
  g_assert_true (refract_machine_get_connection (machine) == connection);
  rt_close (connection);
}

static void
test_open_invalid_uri (void)
{
  RefractConnection *connection = refract_connection_new ("qemu:///bogus");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const GError *state_error;

  refract_connection_open_async (connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "opening qemu:///bogus to fail");
  g_assert_false (refract_connection_open_finish (connection, result, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI);
  g_assert_nonnull (strstr (error->message, "qemu:///bogus"));
  g_assert_cmpint (refract_connection_get_state (connection), ==, REFRACT_CONNECTION_STATE_FAILED);
  state_error = refract_connection_get_error (connection);
  g_assert_error ((GError *) state_error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI);
  /* no retrying an address that can never work */
  g_assert_cmpuint (refract_connection_get_retry_seconds (connection), ==, 0);
  g_clear_object (&result);
  rt_close (connection);
}

static void
test_open_no_daemon (void)
{
  RefractConnection *connection =
    refract_connection_new ("qemu:///system?socket=/nonexistent/refract-test/libvirt-sock");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  refract_connection_open_async (connection, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "opening a missing socket to fail");
  g_assert_false (refract_connection_open_finish (connection, result, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NO_DAEMON);
  g_assert_cmpstr (error->message, ==, "The libvirt service for QEMU/KVM is not running");
  g_assert_nonnull (strstr (refract_error_get_remedy (error), "systemctl"));
  g_assert_cmpint (refract_connection_get_state (connection), ==, REFRACT_CONNECTION_STATE_FAILED);
  g_assert_cmpuint (n_machines (connection), ==, 0);
  g_clear_object (&result);
  rt_close (connection);
}

/* ---- the demo host ------------------------------------------------------ */

static void
test_demo_listing (void)
{
  static const struct {
    const char *name;
    const char *title;
    RefractMachineState state;
    guint vcpus;
    guint64 memory_kib;
  } expected[] = {
    { "dsp-coprocessor", "DSP Coprocessor", REFRACT_MACHINE_STATE_RUNNING, 2, 4096 * 1024 },
    { "coding-sandbox", "Coding Sandbox", REFRACT_MACHINE_STATE_RUNNING, 1, 3072 * 1024 },
    { "kali-linux", "Kali Linux", REFRACT_MACHINE_STATE_SHUTOFF, 2, 4096 * 1024 },
    { "openwrt-router", "OpenWRT Router", REFRACT_MACHINE_STATE_RUNNING, 1, 512 * 1024 },
  };
  RefractConnection *connection = open_demo ();

  g_assert_cmpuint (n_machines (connection), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      RefractMachine *machine = rt_find (connection, expected[i].name);

      g_assert_cmpstr (refract_machine_get_name (machine), ==, expected[i].name);
      g_assert_cmpstr (refract_machine_get_title (machine), ==, expected[i].title);
      g_assert_cmpstr (refract_machine_get_display_name (machine), ==, expected[i].title);
      g_assert_cmpint (refract_machine_get_state (machine), ==, expected[i].state);
      g_assert_cmpuint (refract_machine_get_vcpus (machine), ==, expected[i].vcpus);
      g_assert_cmpuint (refract_machine_get_memory (machine), ==, expected[i].memory_kib);
      g_assert_cmpuint (refract_machine_get_max_memory (machine), ==, expected[i].memory_kib);
      /* the title finds it too, as the search and the command line do */
      g_assert_true (refract_machine_list_find_by_name (refract_connection_get_machines (connection),
                                                        expected[i].title) == machine);
    }
  g_assert_true (refract_machine_list_find_by_uuid (refract_connection_get_machines (connection),
                                                    "6f3c2a1e-8d4b-4e0f-9a57-1c2d3e4f5a03")
                 == rt_find (connection, "kali-linux"));
  rt_close (connection);
}

static RefractMachineDisk *
only_disk (RefractMachine *machine)
{
  GPtrArray *disks = refract_machine_get_disks (machine);

  g_assert_nonnull (disks);
  g_assert_cmpuint (disks->len, ==, 1);
  return g_ptr_array_index (disks, 0);
}

static RefractMachineNic *
only_nic (RefractMachine *machine)
{
  GPtrArray *nics = refract_machine_get_nics (machine);

  g_assert_nonnull (nics);
  g_assert_cmpuint (nics->len, ==, 1);
  return g_ptr_array_index (nics, 0);
}

static void
test_demo_details (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachine *dsp = rt_find (connection, "dsp-coprocessor");
  RefractMachine *sandbox = rt_find (connection, "coding-sandbox");
  RefractMachine *kali = rt_find (connection, "kali-linux");
  RefractMachine *router = rt_find (connection, "openwrt-router");
  RefractMachineDisk *disk;
  RefractMachineNic *nic;
  RefractMachineGraphics *graphics;

  g_assert_false (refract_machine_get_details_loaded (sandbox));
  rt_load_details (dsp);
  rt_load_details (sandbox);
  rt_load_details (kali);
  rt_load_details (router);

  g_assert_cmpstr (refract_machine_get_description (sandbox), ==,
                   "Headless Arch Linux for coding agents. SSH: ssh -p 2222 localhost");
  g_assert_cmpstr (refract_machine_get_os_id (sandbox), ==, "http://archlinux.org/archlinux/rolling");
  g_assert_cmpstr (refract_machine_get_os_id (kali), ==, "http://debian.org/debian/testing");
  g_assert_true (refract_machine_get_persistent (sandbox));
  g_assert_false (refract_machine_get_autostart (sandbox));
  g_assert_false (refract_machine_get_has_managed_save (kali));

  /* disks, with the capacity of their pool volume */
  disk = only_disk (sandbox);
  g_assert_cmpstr (disk->target, ==, "vda");
  g_assert_cmpstr (disk->bus, ==, "virtio");
  g_assert_cmpstr (disk->device, ==, "disk");
  g_assert_cmpstr (disk->source, ==, "/var/lib/libvirt/images/coding-sandbox.qcow2");
  g_assert_cmpstr (disk->format, ==, "qcow2");
  g_assert_cmpint (disk->capacity, ==, 64 * GiB);
  g_assert_true (disk->in_pool);
  g_assert_false (disk->readonly);
  g_assert_cmpint (only_disk (dsp)->capacity, ==, 20 * GiB);
  g_assert_cmpint (only_disk (kali)->capacity, ==, 80 * GiB);
  g_assert_cmpint (only_disk (router)->capacity, ==, 512 * MiB);

  /* NICs */
  nic = only_nic (router);
  g_assert_cmpstr (nic->type, ==, "bridge");
  g_assert_cmpstr (nic->source, ==, "br0");
  g_assert_cmpstr (nic->mac, ==, "52:54:00:3a:1c:04");
  g_assert_cmpstr (nic->model, ==, "virtio");
  g_assert_null (nic->forwards);

  nic = only_nic (sandbox);
  g_assert_cmpstr (nic->type, ==, "user");
  g_assert_null (nic->source);
  g_assert_cmpstr (nic->forwards, ==, "2222 → 22/tcp");

  nic = only_nic (dsp);
  g_assert_cmpstr (nic->type, ==, "network");
  g_assert_cmpstr (nic->source, ==, "default");

  /* graphics: only Kali has a display */
  g_assert_true (refract_machine_get_has_graphics (kali));
  g_assert_cmpuint (refract_machine_get_graphics (kali)->len, ==, 1);
  graphics = g_ptr_array_index (refract_machine_get_graphics (kali), 0);
  g_assert_cmpstr (graphics->type, ==, "spice");
  g_assert_cmpstr (graphics->listen, ==, "none");
  g_assert_cmpint (graphics->port, ==, -1);
  g_assert_false (refract_machine_get_has_graphics (sandbox));
  g_assert_false (refract_machine_get_has_graphics (router));
  g_assert_false (refract_machine_get_has_graphics (dsp));

  rt_close (connection);
}

/* Runs @action through the model and waits for the lifecycle event to bring
 * the machine to @state. */
static void
run_expecting (RefractMachine       *machine,
               RefractMachineAction  action,
               RefractMachineState   state,
               const char           *state_text)
{
  g_autoptr(RtStateLog) log = rt_state_log_new (machine);
  g_autoptr(GError) error = NULL;

  g_assert_true (refract_machine_can (machine, action));
  g_assert_true (rt_run (machine, action, &error));
  g_assert_no_error (error);
  rt_wait_until (rt_state_log_has (log, state), 10, "notify::state with the new state");
  g_assert_cmpint (refract_machine_get_state (machine), ==, state);
  g_assert_false (refract_machine_get_busy (machine));
  /* the reason arrives with the refresh that follows the event */
  rt_wait_until (state_text_is (machine, state_text), 10, state_text);
}

static void
test_demo_lifecycle (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachine *kali = rt_find (connection, "kali-linux");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  rt_load_details (kali);
  g_assert_false (refract_machine_can (kali, REFRACT_MACHINE_ACTION_RESUME));
  g_assert_false (refract_machine_can (kali, REFRACT_MACHINE_ACTION_SHUTDOWN));

  run_expecting (kali, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING, "Running");
  g_assert_false (refract_machine_can (kali, REFRACT_MACHINE_ACTION_START));
  run_expecting (kali, REFRACT_MACHINE_ACTION_PAUSE, REFRACT_MACHINE_STATE_PAUSED,
                 "Paused (by the user)");
  run_expecting (kali, REFRACT_MACHINE_ACTION_RESUME, REFRACT_MACHINE_STATE_RUNNING, "Running");
  run_expecting (kali, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF,
                 "Shut Off (forced off)");

  /* managed save, and starting again from it */
  run_expecting (kali, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING, "Running");
  run_expecting (kali, REFRACT_MACHINE_ACTION_SAVE, REFRACT_MACHINE_STATE_SHUTOFF,
                 "Shut Off (saved)");
  /* details are reloaded after the refresh that follows the event */
  rt_wait_until (refract_machine_get_has_managed_save (kali), 10, "the saved state to show");
  run_expecting (kali, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING, "Running");
  rt_wait_until (!refract_machine_get_has_managed_save (kali), 10, "the saved state to be used up");

  /* the test driver's guests shut down at once */
  refract_machine_shutdown_async (kali, 5, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the shutdown to complete");
  g_assert_true (refract_machine_shutdown_finish (kali, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (refract_machine_get_state (kali), ==, REFRACT_MACHINE_STATE_SHUTOFF);
  rt_wait_until (state_text_is (kali, "Shut Off (shut down by the guest)"), 10,
                 "the shutdown reason");

  rt_close (connection);
}

static void
test_demo_refused (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachine *sandbox = rt_find (connection, "coding-sandbox");
  g_autoptr(GError) error = NULL;

  /* the UI would not offer these; a stale view might still ask */
  g_assert_false (refract_machine_can (sandbox, REFRACT_MACHINE_ACTION_RESUME));
  g_assert_false (rt_run (sandbox, REFRACT_MACHINE_ACTION_RESUME, &error));
  /* the test driver calls this an internal error, QEMU an invalid operation */
  g_assert_true (g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_STATE)
                 || g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED));
  g_test_message ("resume: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Could not resume the machine: "));
  g_assert_nonnull (strstr (error->message, "not paused"));
  g_clear_error (&error);

  g_assert_false (rt_run (sandbox, REFRACT_MACHINE_ACTION_START, &error));
  g_assert_true (g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_STATE)
                 || g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED));
  g_test_message ("start: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Could not start the machine: "));
  g_assert_nonnull (strstr (error->message, "already running"));

  /* nothing changed, and the machine can be used again */
  g_assert_cmpint (refract_machine_get_state (sandbox), ==, REFRACT_MACHINE_STATE_RUNNING);
  g_assert_false (refract_machine_get_busy (sandbox));
  g_assert_true (refract_machine_can (sandbox, REFRACT_MACHINE_ACTION_PAUSE));
  rt_close (connection);
}

static virDomainPtr
raw_lookup (RefractConnection *connection, const char *name)
{
  virConnectPtr conn = _refract_connection_ref_handle (connection);
  virDomainPtr dom;

  g_assert_nonnull (conn);
  dom = virDomainLookupByName (conn, name);
  g_assert_nonnull (dom);
  virConnectClose (conn);
  return dom;
}

static void
test_demo_changed_elsewhere (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachine *sandbox = rt_find (connection, "coding-sandbox");
  g_autoptr(RtStateLog) log = rt_state_log_new (sandbox);
  virDomainPtr dom = raw_lookup (connection, "coding-sandbox");

  /* only the lifecycle event can tell the model about these */
  g_assert_cmpint (virDomainSuspend (dom), ==, 0);
  rt_wait_until (refract_machine_get_state (sandbox) == REFRACT_MACHINE_STATE_PAUSED, 10,
                 "the suspend event");
  g_assert_true (rt_state_log_has (log, REFRACT_MACHINE_STATE_PAUSED));
  g_assert_true (refract_machine_can (sandbox, REFRACT_MACHINE_ACTION_RESUME));

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  rt_wait_until (refract_machine_get_state (sandbox) == REFRACT_MACHINE_STATE_SHUTOFF, 10,
                 "the stopped event");
  g_assert_true (refract_machine_can (sandbox, REFRACT_MACHINE_ACTION_START));

  virDomainFree (dom);
  rt_close (connection);
}

static void
test_demo_delete_with_storage (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachineList *machines = refract_connection_get_machines (connection);
  g_autoptr(RefractMachine) kali = g_object_ref (rt_find (connection, "kali-linux"));
  g_autoptr(GAsyncResult) storage_result = NULL;
  g_autoptr(GAsyncResult) delete_result = NULL;
  g_autoptr(GPtrArray) storage = NULL;
  g_autoptr(GError) error = NULL;
  RefractMachineDisk *disk;
  const char *volumes[] = { KALI_DISK, NULL };
  virConnectPtr conn;
  virStorageVolPtr vol;

  refract_machine_list_storage_async (kali, NULL, rt_store_result, &storage_result);
  rt_wait_until (storage_result != NULL, 30, "the storage list");
  storage = refract_machine_list_storage_finish (kali, storage_result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (storage->len, ==, 1);
  disk = g_ptr_array_index (storage, 0);
  g_assert_cmpstr (disk->source, ==, KALI_DISK);
  g_assert_cmpint (disk->capacity, ==, 80 * GiB);

  refract_machine_delete_async (kali, (GStrv) volumes, NULL, rt_store_result, &delete_result);
  rt_wait_until (delete_result != NULL, 30, "the deletion");
  g_assert_true (refract_machine_delete_finish (kali, delete_result, &error));
  g_assert_no_error (error);
  rt_wait_until (refract_machine_list_find_by_uuid (machines, refract_machine_get_uuid (kali)) == NULL,
                 10, "kali-linux to leave the list");
  g_assert_cmpuint (n_machines (connection), ==, 3);
  g_assert_null (refract_machine_list_find_by_name (machines, "kali-linux"));

  conn = _refract_connection_ref_handle (connection);
  vol = virStorageVolLookupByPath (conn, KALI_DISK);
  g_assert_null (vol);
  g_assert_cmpint (virGetLastErrorCode (), ==, VIR_ERR_NO_STORAGE_VOL);
  virResetLastError ();
  /* only that one */
  vol = virStorageVolLookupByPath (conn, "/var/lib/libvirt/images/coding-sandbox.qcow2");
  g_assert_nonnull (vol);
  virStorageVolFree (vol);
  virConnectClose (conn);

  rt_close (connection);
}

static void
test_demo_delete_running (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachineList *machines = refract_connection_get_machines (connection);
  g_autoptr(RefractMachine) router = g_object_ref (rt_find (connection, "openwrt-router"));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* a running machine is forced off first; its disk stays when not asked for */
  refract_machine_delete_async (router, NULL, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the deletion");
  g_assert_true (refract_machine_delete_finish (router, result, &error));
  g_assert_no_error (error);
  rt_wait_until (refract_machine_list_find_by_name (machines, "openwrt-router") == NULL, 10,
                 "openwrt-router to leave the list");
  g_assert_cmpuint (n_machines (connection), ==, 3);
  rt_close (connection);
}

static void
test_demo_undefined_elsewhere (void)
{
  RefractConnection *connection = open_demo ();
  RefractMachineList *machines = refract_connection_get_machines (connection);
  g_autoptr(RefractMachine) kali = g_object_ref (rt_find (connection, "kali-linux"));
  g_autoptr(RefractMachine) dsp = g_object_ref (rt_find (connection, "dsp-coprocessor"));
  virDomainPtr dom;

  /* a shut-off machine undefined by another program disappears */
  dom = raw_lookup (connection, "kali-linux");
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  virDomainFree (dom);
  rt_wait_until (refract_machine_list_find_by_name (machines, "kali-linux") == NULL, 10,
                 "kali-linux to leave the list");
  g_assert_cmpuint (n_machines (connection), ==, 3);
  /* a view still holding it can show it */
  g_assert_cmpstr (refract_machine_get_display_name (kali), ==, "Kali Linux");

  /* a running one stays, as a transient machine, until it stops */
  dom = raw_lookup (connection, "dsp-coprocessor");
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  rt_wait_until (!refract_machine_get_persistent (dsp), 10, "dsp-coprocessor to become transient");
  g_assert_true (refract_machine_list_find_by_name (machines, "dsp-coprocessor") == dsp);
  g_assert_cmpint (refract_machine_get_state (dsp), ==, REFRACT_MACHINE_STATE_RUNNING);
  g_assert_false (refract_machine_can (dsp, REFRACT_MACHINE_ACTION_SAVE));

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  virDomainFree (dom);
  rt_wait_until (refract_machine_list_find_by_name (machines, "dsp-coprocessor") == NULL, 10,
                 "the stopped transient machine to leave the list");
  g_assert_cmpuint (n_machines (connection), ==, 2);

  rt_close (connection);
}

static void
test_demo_unusual_name (void)
{
  static const char name[] = "weird «name» & 'quotes' ünïcødé";
  RefractConnection *connection = open_demo ();
  RefractMachineList *machines = refract_connection_get_machines (connection);
  virConnectPtr conn = _refract_connection_ref_handle (connection);
  g_autofree char *xml = g_markup_printf_escaped ("<domain type='test'>"
                                                   "<name>%s</name>"
                                                   "<memory unit='MiB'>256</memory>"
                                                   "<vcpu>1</vcpu>"
                                                   "<os><type arch='x86_64'>hvm</type></os>"
                                                   "</domain>", name);
  g_autofree char *needle = g_utf8_casefold ("ÜNÏCØDÉ", -1);
  g_autoptr(GError) error = NULL;
  virDomainPtr dom;
  RefractMachine *machine;

  dom = virDomainDefineXML (conn, xml);
  g_assert_nonnull (dom);
  rt_wait_until (refract_machine_list_find_by_name (machines, name) != NULL, 10,
                 "the defined event to add the machine");
  machine = refract_machine_list_find_by_name (machines, name);
  g_assert_cmpstr (refract_machine_get_name (machine), ==, name);
  g_assert_cmpstr (refract_machine_get_display_name (machine), ==, name);
  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_SHUTOFF);
  g_assert_cmpuint (refract_machine_get_memory (machine), ==, 256 * 1024);
  g_assert_cmpuint (n_machines (connection), ==, 5);
  g_assert_true (refract_machine_matches (machine, needle));

  /* and it can be used like any other */
  run_expecting (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING, "Running");

  virDomainFree (dom);
  virConnectClose (conn);
  rt_close (connection);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/model/open/default", test_open_default);
  g_test_add_func ("/model/open/invalid-uri", test_open_invalid_uri);
  g_test_add_func ("/model/open/no-daemon", test_open_no_daemon);
  g_test_add_func ("/model/demo/listing", test_demo_listing);
  g_test_add_func ("/model/demo/details", test_demo_details);
  g_test_add_func ("/model/demo/lifecycle", test_demo_lifecycle);
  g_test_add_func ("/model/demo/refused", test_demo_refused);
  g_test_add_func ("/model/demo/changed-elsewhere", test_demo_changed_elsewhere);
  g_test_add_func ("/model/demo/delete-with-storage", test_demo_delete_with_storage);
  g_test_add_func ("/model/demo/delete-running", test_demo_delete_running);
  g_test_add_func ("/model/demo/undefined-elsewhere", test_demo_undefined_elsewhere);
  g_test_add_func ("/model/demo/unusual-name", test_demo_unusual_name);

  return g_test_run ();
}
