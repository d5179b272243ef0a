/* test-usb.c: USB redirection and passthrough against a private libvirtd + QEMU
 *
 * This machine has no USB bus, so the redirected device is a shared CD made
 * from an ISO (spice-client-glib emulates it): it goes through the product's
 * RefractUsbSourceSpice (share-CD, then connect) over a SPICE session to a
 * disk-less guest with two usbredir channels; the free channels drop and
 * QEMU's monitor ("info usb", HMP through libvirt) shows the device attached
 * to the guest's USB bus.
 * Then the machine's definition: a permanent <hostdev> (made-up
 * vendor/product, on a shut-off machine) goes through the QEMU driver's
 * define, and a machine without channels gets them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/libvirt-qemu.h>

#include "refract-machine-devices.h"
#include "refract-machine-private.h"
#include "refract-spice-session.h"
#include "refract-test-harness.h"
#include "refract-usb-source-spice.h"

#define MACHINE_NAME  "refract-usb-it"
#define PLAIN_NAME    "refract-usb-it-plain"

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  /* the harness and virsh run without our environment */
  h->clean_env = TRUE;
  rth_setup (h, HARNESS_DIR);
}

static char *
inactive_xml (RefractMachine *machine)
{
  virDomainPtr dom = _refract_machine_ref_domain (machine);
  char *xml;

  g_assert_nonnull (dom);
  xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom);
  g_assert_nonnull (xml);
  return xml;
}

/* "info usb" through libvirt: one line per device on the guest's buses */
static char *
monitor_info_usb (RefractMachine *machine)
{
  virDomainPtr dom = _refract_machine_ref_domain (machine);
  char *out = NULL;

  g_assert_nonnull (dom);
  if (virDomainQemuMonitorCommand (dom, "info usb", &out, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0)
    g_error ("info usb: %s", virGetLastErrorMessage ());
  virDomainFree (dom);
  return out;
}

/* QEMU lists each usbredir channel as a "USB Redirection Device"; while no
 * device comes through it, it is detached from the guest's bus and reports
 * full speed (1.5 Mb/s). A redirected device attaches it to the bus with the
 * device's own speed: 480 Mb/s for the CD. The bus address ("Device 0.N") is
 * the guest's to give: SeaBIOS only enumerates USB while it boots, so a device
 * that arrives after that keeps 0.0; the test does not depend on that race. */
#define ATTACHED_CD "Speed 480 Mb/s"

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* an ISO of one small file, made with xorriso */
static char *
make_iso (void)
{
  g_autofree char *dir = g_dir_make_tmp ("refract-usb-it-XXXXXX", NULL);
  g_autofree char *content = g_build_filename (dir, "content", NULL);
  g_autofree char *readme = g_build_filename (content, "README.TXT", NULL);
  char *iso = g_build_filename (dir, "shared.iso", NULL);
  const char *argv[] = { "xorriso", "-as", "mkisofs", "-quiet", "-V", "REFRACT_IT", "-o", iso,
                         content, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir (content, 0755), ==, 0);
  g_assert_true (g_file_set_contents (readme, "shared by Refract's USB test\n", -1, NULL));
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("xorriso: %s", error->message);
  g_unlink (readme);
  g_rmdir (content);
  return iso;
}

static void
remove_iso (const char *iso)
{
  g_autofree char *dir = g_path_get_dirname (iso);

  g_unlink (iso);
  g_rmdir (dir);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Wait;

static void
source_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  w->ok = refract_usb_source_connect_finish (REFRACT_USB_SOURCE (object), result, &w->error);
  w->done = TRUE;
}

static void
machine_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;
  GTask *task = G_TASK (result);

  if (g_task_get_source_tag (task) == refract_machine_attach_usb_hostdev_async)
    w->ok = refract_machine_attach_usb_hostdev_finish (REFRACT_MACHINE (object), result, &w->error);
  else
    w->ok = refract_machine_add_usb_redirection_finish (REFRACT_MACHINE (object), result,
                                                        &w->error);
  w->done = TRUE;
}

static void
test_usb (RthHarness *h, gconstpointer data)
{
  const RthDomain domain = {
    .name = MACHINE_NAME,
    .memory_mib = 64,
    .devices = "<controller type='usb' model='qemu-xhci'/>"
               "<graphics type='spice' autoport='yes'/>"
               "<video><model type='qxl'/></video>"
               "<redirdev bus='usb' type='spicevmc'/>"
               "<redirdev bus='usb' type='spicevmc'/>",
  };
  const RthDomain plain = {
    .name = PLAIN_NAME,
    .memory_mib = 64,
    .devices = "<graphics type='spice' autoport='yes'/>",
  };
  g_autoptr(RefractMachine) machine = NULL;
  g_autoptr(RefractMachine) bare = NULL;
  g_autoptr(RefractSpiceSession) session = NULL;
  g_autoptr(RefractUsbSource) source = NULL;
  g_autoptr(RefractUsbDevice) cd = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *devices;
  Wait w = { 0 };

  rth_step (h, "connecting, defining and starting " MACHINE_NAME);
  h->connection = rt_open (h->uri);
  machine = rth_define_machine (h, &domain);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);

  rth_step (h, "the SPICE session with its USB source");
  session = refract_spice_session_new (machine);
  /* as RefractConsole does: before connecting, so usbredir is enabled */
  source = refract_usb_source_spice_new (session);
  refract_spice_session_connect (session);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED
                 || refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_FAILED,
                 30, "the session to connect");
  g_assert_cmpint (refract_spice_session_get_state (session), ==, REFRACT_SPICE_STATE_CONNECTED);
  rt_wait_until (refract_usb_source_get_channels (source) == 2, 20, "two usbredir channels");
  rt_wait_until (refract_usb_source_get_free_channels (source) == 2, 20, "two free channels");
  g_assert_true (refract_usb_source_get_available (source));
  before = monitor_info_usb (machine);
  g_test_message ("info usb before:\n%s", before);

  rth_step (h, "sharing an ISO as a USB CD");
  iso = make_iso ();
  devices = refract_usb_source_get_devices (source);
  g_assert_true (refract_usb_source_can_share_cd (source));
  if (!refract_usb_source_share_cd (source, iso, &error))
    g_error ("share-cd: %s", error->message);
  rt_wait_until (g_list_model_get_n_items (devices) >= 1, 10, "the shared CD in the list");
  for (guint i = 0; i < g_list_model_get_n_items (devices) && cd == NULL; i++)
    {
      g_autoptr(RefractUsbDevice) device = g_list_model_get_item (devices, i);

      if (refract_usb_device_is_shared_cd (device))
        cd = g_steal_pointer (&device);
    }
  g_assert_nonnull (cd);
  g_test_message ("shared CD: %s", refract_usb_device_get_name (cd));

  rth_step (h, "redirecting it");
  refract_usb_source_connect_async (source, cd, NULL, source_done, &w);
  rt_wait_until (w.done, 30, "the connect");
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_true (refract_usb_device_get_redirected (cd));
  g_assert_null (refract_usb_device_get_error_message (cd));
  rt_wait_until (refract_usb_source_get_free_channels (source) == 1, 10, "one free channel");

  rth_step (h, "the guest sees it");
  {
    gint64 deadline = rt_deadline_in (20);

    do
      {
        g_free (after);
        rt_spin (200);
        after = monitor_info_usb (machine);
      }
    while (count (after, ATTACHED_CD) == 0 && g_get_monotonic_time () < deadline);
  }
  g_test_message ("info usb after:\n%s", after);
  g_assert_cmpuint (count (before, "USB Redirection Device"), ==, 2);
  g_assert_cmpuint (count (before, ATTACHED_CD), ==, 0);
  g_assert_cmpuint (count (after, "USB Redirection Device"), ==, 2);
  g_assert_cmpuint (count (after, ATTACHED_CD), ==, 1);

  rth_step (h, "and gives it back");
  w = (Wait) { 0 };
  refract_usb_source_disconnect_async (source, cd, NULL, source_done, &w);
  rt_wait_until (w.done, 30, "the disconnect");
  g_assert_no_error (w.error);
  rt_wait_until (refract_usb_source_get_free_channels (source) == 2, 10, "two free channels");
  {
    gint64 deadline = rt_deadline_in (20);

    do
      {
        g_free (after);
        rt_spin (200);
        after = monitor_info_usb (machine);
      }
    while (count (after, ATTACHED_CD) > 0 && g_get_monotonic_time () < deadline);
  }
  g_test_message ("info usb after giving it back:\n%s", after);
  g_assert_cmpuint (count (after, ATTACHED_CD), ==, 0);

  g_clear_object (&cd);
  g_clear_object (&source);
  refract_spice_session_disconnect (session);
  g_clear_object (&session);
  remove_iso (iso);

  rth_step (h, "a permanent hostdev on the shut-off machine");
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  w = (Wait) { 0 };
  refract_machine_attach_usb_hostdev_async (machine, 0x1d6b, 0x0bad, TRUE, NULL, machine_done, &w);
  rt_wait_until (w.done, 30, "the attach");
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  xml = inactive_xml (machine);
  g_assert_nonnull (strstr (xml, "<hostdev mode='subsystem' type='usb'"));
  g_assert_nonnull (strstr (xml, "<vendor id='0x1d6b'/>"));
  g_assert_nonnull (strstr (xml, "<product id='0x0bad'/>"));
  g_clear_pointer (&xml, g_free);

  rth_step (h, "USB redirection for a machine without channels");
  bare = rth_define_machine (h, &plain);
  xml = inactive_xml (bare);
  g_assert_cmpuint (count (xml, "<redirdev"), ==, 0);
  g_clear_pointer (&xml, g_free);
  w = (Wait) { 0 };
  refract_machine_add_usb_redirection_async (bare, 2, NULL, machine_done, &w);
  rt_wait_until (w.done, 30, "adding the channels");
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  xml = inactive_xml (bare);
  g_assert_cmpuint (count (xml, "<redirdev bus='usb' type='spicevmc'"), ==, 2);
  /* the 'pc' machine's USB 1.1 controller became a USB 3 one, and it starts */
  g_assert_nonnull (strstr (xml, "<controller type='usb' index='0' model='qemu-xhci'"));
  g_assert_null (strstr (xml, "piix3-uhci"));
  g_test_message ("with channels:\n%s", xml);
  rt_run_and_wait (bare, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  g_clear_pointer (&after, g_free);
  after = monitor_info_usb (bare);
  g_test_message ("info usb:\n%s", after);
  g_assert_cmpuint (count (after, "USB Redirection Device"), ==, 2);
  rt_run_and_wait (bare, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "done");
}

/* Under ASan: spice-client-glib + libvirt + GLib make more than 2048 quarks,
 * and GLib abandons its first quark block (allocated in its library
 * constructor) by design, as tests/console/lsan.supp explains; matching it
 * needs the full unwinder (GLib has no frame pointers), affordable for this
 * one process (no GL here, see tests/console/test-usb-picker.c). */
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0:malloc_context_size=10";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:_dl_init\n";
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  g_test_add ("/integration/usb", RthHarness, NULL, harness_setup, test_usb, rth_teardown);
  return g_test_run ();
}
