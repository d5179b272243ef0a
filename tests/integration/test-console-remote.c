/* test-console-remote.c: the console of a machine on a remote connection
 *
 * Over a remote connection (qemu+tcp://, qemu+ssh://) libvirt cannot pass
 * file descriptors, so virDomainOpenGraphicsFD is refused and
 * RefractSpiceSession falls back to the listen address and port of the domain
 * XML: a wildcard listen means the URI's host, a loopback listen is
 * unreachable from another computer (a clear error at once, not a hang).
 *
 * The private libvirtd (refract-libvirtd-harness) also listens on plain TCP
 * on 127.0.0.1, and the test connects through qemu+tcp://127.0.0.1:PORT/system:
 * the real remote protocol. So that a guest listening on 0.0.0.0 (and the
 * unauthenticated libvirtd port) reach nobody else, the test runs in a
 * network namespace of its own with only lo, entered first thing in main();
 * the harness's libvirtd and QEMU inherit it, which each test checks.
 *
 *   /integration/console-remote/wildcard  the guest listens on 0.0.0.0: the
 *       graphics FD is refused, the app's console page connects to the URI's
 *       host and the domain's port, shows SeaBIOS as `virsh screenshot` does,
 *       and keys reach the guest
 *   /integration/console-remote/loopback  the guest listens on 127.0.0.1:
 *       FAILED at once with "no display address this computer can reach" and
 *       libvirt's reason, no SPICE connection attempted, no retries
 *   /integration/console-remote/password  passwd='…' on 0.0.0.0: the page
 *       asks for the password, a wrong one is refused, the right one given
 *       in the page's password entry connects; no log message contains it
 *   /integration/console-remote/tls  defaultMode='secure' (the harness gives
 *       QEMU a certificate): the session goes to the TLS port, the only one,
 *       and fails with the TLS message since nothing makes it trust the CA
 *
 * Each test also checks that opening the console leaves the app's
 * connection alone (asking for the graphics FD over TCP used to close it).
 *
 * Runs on an Xvfb of its own (tests/ui/run-headless.sh). Needs root for the
 * network namespace and the TCP listener; fails otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>
#include <libvirt/virterror.h>

#include "refract-console-page.h"
#include "refract-console.h"
#include "refract-spice-session-private.h"
#include "refract-test-console.h"
#include "refract-test-harness.h"

/* the namespace is ours alone, so a fixed port cannot collide */
#define TCP_PORT 16509
#define WILDCARD_NAME "refract-remote-any-it"
#define LOOPBACK_NAME "refract-remote-lo-it"
#define PASSWORD_NAME "refract-remote-pw-it"
#define TLS_NAME "refract-remote-tls-it"
#define PASSWORD "r3mote-s3cret"

/* ---- the log: the password must never be written ------------------------ */

/* spice-client-glib's warnings when it refuses a certificate are expected
 * (and swallowed) while this is set; any other warning still aborts */
static gboolean expect_tls_warning;
static guint tls_warnings;

/* After rtc_guard_log ()'s check for the password */
static GLogWriterOutput
tls_warning_filter (GLogLevelFlags   level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  if (expect_tls_warning && (level & G_LOG_LEVEL_WARNING))
    {
      const char *domain = NULL, *message = NULL;

      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
          domain = fields[i].value;
        else if (g_str_equal (fields[i].key, "MESSAGE"))
          message = fields[i].value;
      if (message != NULL
          && ((g_strcmp0 (domain, "Spice") == 0
               && strstr (message, "certificate chain verification") != NULL)
              || (g_strcmp0 (domain, "GSpice") == 0 && strstr (message, "SSL_connect") != NULL)))
        {
          g_atomic_int_inc (&tls_warnings);
          return G_LOG_WRITER_HANDLED;
        }
      g_log_writer_default (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_UNHANDLED;
}

/* ---- namespaces --------------------------------------------------------- */

static char *
net_ns_of (const char *pid)
{
  g_autofree char *link = g_strdup_printf ("/proc/%s/ns/net", pid);
  g_autoptr(GError) error = NULL;
  char *ns = g_file_read_link (link, &error);

  g_assert_no_error (error);
  return ns;
}

/* The process whose pid is in @pid_file is in our network namespace. */
static void
assert_in_our_namespace (const char *what, const char *pid_file)
{
  g_autofree char *pid = NULL;
  g_autofree char *ours = net_ns_of ("self");
  g_autofree char *theirs = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (pid_file, &pid, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (pid);
  theirs = net_ns_of (pid);
  g_test_message ("%s (pid %s) is in %s, as this test", what, pid, theirs);
  g_assert_cmpstr (theirs, ==, ours);
}

static void
harness_setup (RthHarness *h, gconstpointer data)
{
  g_autofree char *pid_file = NULL;

  /* the harness and virsh run without our environment */
  h->clean_env = TRUE;
  h->tcp_port = TCP_PORT;
  rth_setup (h, HARNESS_DIR);
  pid_file = g_build_filename (h->dir, "libvirtd.pid", NULL);
  assert_in_our_namespace ("libvirtd", pid_file);
}

/* ---- the guest ---------------------------------------------------------- */

/* Connects over qemu+tcp://, defines a disk-less SeaBIOS guest with a SPICE
 * display of @graphics_attrs listening on @address, and starts it. */
static RefractMachine *
start_remote_machine (RthHarness *h, const char *name, const char *address, const char *graphics_attrs)
{
  g_autofree char *devices = g_strdup_printf ("<graphics type='spice' autoport='yes'%s>"
                                              "<listen type='address' address='%s'/></graphics>"
                                              "<video><model type='qxl'/></video>",
                                              graphics_attrs, address);
  /* the boot menu waits 60 s for Esc; there is nothing to boot */
  const RthDomain domain = {
    .name = name,
    .memory_mib = 64,
    .os = "<bootmenu enable='yes' timeout='60000'/>",
    .devices = devices,
  };
  g_autofree char *pid_file = NULL;
  RefractMachine *machine;

  rth_step (h, "connecting over TCP, defining and starting the guest");
  g_assert_false (refract_uri_is_local (h->tcp_uri));
  h->connection = rt_open (h->tcp_uri);
  machine = rth_define_machine (h, &domain);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  /* what the console page gets from the machine page before it is shown */
  rt_load_details (machine);
  g_assert_true (refract_machine_get_has_graphics (machine));

  pid_file = g_strdup_printf ("%s/run/libvirt/qemu/%s.pid", h->dir, name);
  assert_in_our_namespace ("QEMU", pid_file);
  return machine;
}

static virDomainPtr
lookup (RthHarness *h, const char *name)
{
  virConnectPtr conn = _refract_connection_ref_handle (h->connection);
  virDomainPtr dom;

  g_assert_nonnull (conn);
  dom = virDomainLookupByName (conn, name);
  if (dom == NULL)
    g_error ("virDomainLookupByName %s: %s", name, virGetLastErrorMessage ());
  virConnectClose (conn);
  return dom;
}

/* The port QEMU's SPICE server was given (autoport), from the live XML;
 * the TLS port with @tls. */
static int
spice_port_of (RthHarness *h, const char *name, gboolean tls)
{
  virDomainPtr dom = lookup (h, name);
  g_autofree char *xml = virDomainGetXMLDesc (dom, 0);
  g_autoptr(GRegex) regex = g_regex_new (tls ? "<graphics type='spice'[^>]* tlsPort='([0-9]+)'"
                                             : "<graphics type='spice' port='([0-9]+)'", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *port = NULL;

  virDomainFree (dom);
  g_assert_nonnull (xml);
  if (!g_regex_match (regex, xml, 0, &match))
    g_error ("no SPICE port in the XML of %s:\n%s", name, xml);
  port = g_match_info_fetch (match, 1);
  return atoi (port);
}

static int
spice_port (RthHarness *h, const char *name)
{
  return spice_port_of (h, name, FALSE);
}

/* What libvirt does with virDomainOpenGraphicsFD over the remote protocol
 * on TCP, on a connection of its own: it refuses (the transport cannot
 * receive file descriptors), and then the whole connection is closed, as
 * the daemon's reply carried the descriptor. Returns libvirt's message. */
static char *
assert_graphics_fd_refused (RthHarness *h, const char *name)
{
  virConnectPtr conn = virConnectOpen (h->tcp_uri);
  virDomainPtr dom;
  virErrorPtr error;
  char *message;
  int fd;

  if (conn == NULL)
    g_error ("virConnectOpen %s: %s", h->tcp_uri, virGetLastErrorMessage ());
  dom = virDomainLookupByName (conn, name);
  if (dom == NULL)
    g_error ("virDomainLookupByName %s: %s", name, virGetLastErrorMessage ());
  fd = virDomainOpenGraphicsFD (dom, 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
  error = virSaveLastError ();  /* the next call resets it */
  if (fd >= 0)
    g_error ("libvirt passed a graphics FD over %s", h->tcp_uri);
  g_assert_nonnull (error);
  g_test_message ("virDomainOpenGraphicsFD over %s: code %d, domain %d: %s", h->tcp_uri,
                  error->code, error->domain, error->message);
  /* the remote protocol's transport says no, not QEMU nor the driver */
  g_assert_cmpint (error->domain, ==, VIR_FROM_RPC);
  message = g_strdup (error->message);
  virFreeError (error);
  g_test_message ("the connection is %s afterwards",
                  virConnectIsAlive (conn) == 1 ? "alive" : "closed");
  virDomainFree (dom);
  virConnectClose (conn);
  return message;
}

/* QEMU's SPICE server listens on @address_hex:@port in our namespace
 * (/proc/net/tcp is the reading process's namespace). */
static void
assert_listening (const char *address_hex, int port)
{
  g_autofree char *table = NULL;
  g_autofree char *local = g_strdup_printf (" %s:%04X ", address_hex, port);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  g_file_get_contents ("/proc/net/tcp", &table, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (table, "\n", -1);
  for (guint i = 0; lines[i] != NULL && !found; i++)
    {
      char *at = strstr (lines[i], local);

      /* the state column follows the remote address: 0A is LISTEN */
      found = at != NULL && strstr (at, " 0A ") != NULL;
    }
  if (!found)
    g_error ("nothing listens on%s:\n%s", local, table);
}

/* ---- the console page --------------------------------------------------- */

static GtkWidget *
find_type (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  RefractConnection   *connection;
  gulong               state_handler;
  guint                connection_changes;
  RefractConsole      *console;
  RefractSpiceSession *session;
  RefractSpiceDisplay *display;
  GtkWindow           *window;
  RefractConsolePage  *page;
} Page;

static void
connection_state_changed (RefractConnection *connection, GParamSpec *pspec, Page *p)
{
  const GError *error = refract_connection_get_error (connection);

  p->connection_changes++;
  g_test_message ("the connection went to state %d: %s", refract_connection_get_state (connection),
                  error != NULL ? error->message : "no error");
}

/* Opening the console must not cost the connection: the app's connection
 * (the one the machine is on) stayed connected all the time the page was open. */
static void
assert_connection_kept (Page *p)
{
  virConnectPtr conn = _refract_connection_ref_handle (p->connection);

  g_assert_cmpuint (p->connection_changes, ==, 0);
  g_assert_cmpint (refract_connection_get_state (p->connection), ==,
                   REFRACT_CONNECTION_STATE_CONNECTED);
  g_assert_nonnull (conn);
  g_assert_cmpint (virConnectIsAlive (conn), ==, 1);
  virConnectClose (conn);
}

/* The app's console page for @machine in a window; the page opens the
 * display itself once it is mapped. */
static void
page_open (Page *p, RefractMachine *machine)
{
  p->connection = refract_machine_get_connection (machine);
  g_assert_cmpint (refract_connection_get_state (p->connection), ==,
                   REFRACT_CONNECTION_STATE_CONNECTED);
  p->state_handler = g_signal_connect (p->connection, "notify::state",
                                       G_CALLBACK (connection_state_changed), p);
  p->console = refract_console_get_for_machine (machine);
  p->session = refract_console_get_session (p->console);
  p->display = refract_console_get_display (p->console);
  p->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_title (p->window, "Remote console");
  gtk_window_set_default_size (p->window, 1000, 680);
  p->page = REFRACT_CONSOLE_PAGE (refract_console_page_new (FALSE));
  refract_console_page_set_console (p->page, p->console);
  adw_window_set_content (ADW_WINDOW (p->window), GTK_WIDGET (p->page));
  gtk_window_present (p->window);
}

static void
page_close (Page *p)
{
  assert_connection_kept (p);
  g_clear_signal_handler (&p->state_handler, p->connection);
  gtk_window_destroy (p->window);
  refract_spice_session_disconnect (p->session);
  g_clear_object (&p->console);
}

static AdwStatusPage *
page_status (Page *p)
{
  return ADW_STATUS_PAGE (find_type (GTK_WIDGET (p->page), ADW_TYPE_STATUS_PAGE));
}

/* The SpiceSession went to the URI's host and the port of the domain XML. */
static void
assert_fallback_address (RefractSpiceSession *session, int port)
{
  SpiceSession *spice = refract_spice_session_get_spice (session);
  g_autofree char *host = NULL, *spice_port = NULL, *tls_port = NULL, *unix_path = NULL;
  g_autofree char *expected_port = g_strdup_printf ("%d", port);

  g_assert_nonnull (spice);
  g_assert_false (_refract_spice_session_uses_graphics_fd (session));
  g_object_get (spice, "host", &host, "port", &spice_port, "tls-port", &tls_port,
                "unix-path", &unix_path, NULL);
  g_test_message ("the session went to host %s, port %s", host, spice_port);
  g_assert_cmpstr (host, ==, "127.0.0.1");   /* the host of qemu+tcp://127.0.0.1:…/ */
  g_assert_cmpstr (spice_port, ==, expected_port);
  g_assert_null (tls_port);
  g_assert_null (unix_path);
}

/* ---- the tests ---------------------------------------------------------- */

static void
test_wildcard (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autoptr(GdkTexture) frame = NULL;
  g_autofree char *refusal = NULL;
  Page p = { 0 };
  int port;

  machine = start_remote_machine (h, WILDCARD_NAME, "0.0.0.0", "");
  port = spice_port (h, WILDCARD_NAME);
  assert_listening ("00000000", port);
  refusal = assert_graphics_fd_refused (h, WILDCARD_NAME);

  rth_step (h, "the console page over qemu+tcp");
  page_open (&p, machine);
  rtc_wait_session_state (p.session, REFRACT_SPICE_STATE_CONNECTED, "the display to connect");
  g_assert_cmpstr (refract_spice_session_get_error_message (p.session), ==, NULL);
  assert_fallback_address (p.session, port);
  frame = rtc_wait_frame (p.display);
  g_assert_cmpint (gdk_texture_get_width (frame), ==, 720);
  g_assert_cmpint (gdk_texture_get_height (frame), ==, 400);
  rt_wait_until (g_strcmp0 (refract_console_page_get_shown (p.page), "display") == 0, 10,
                 "the page to show the display");

  rth_step (h, "comparing with virsh screenshot");
  rtc_assert_matches_qemu (h, p.display, WILDCARD_NAME);
  rtc_screenshot (GTK_WIDGET (p.window), SCREENSHOT_DIR, "console-remote.png");

  rth_step (h, "Esc over the TCP connection opens the boot menu");
  g_clear_object (&frame);
  frame = g_object_ref (refract_spice_display_get_frame (p.display));
  rt_wait_until (_refract_spice_session_get_inputs (p.session) != NULL, 10, "the inputs channel");
  rtc_type_escape (p.display);
  rt_wait_until (rtc_textures_differ (refract_spice_display_get_frame (p.display), frame), 20,
                 "SeaBIOS to show its boot menu");
  rt_spin (300);
  rtc_assert_matches_qemu (h, p.display, WILDCARD_NAME);
  /* still on the fallback path, no reconnection in between */
  g_assert_cmpint (refract_spice_session_get_state (p.session), ==, REFRACT_SPICE_STATE_CONNECTED);
  assert_fallback_address (p.session, port);

  rth_step (h, "closing");
  page_close (&p);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "done");
}

static void
test_loopback (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autofree char *refusal = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *escaped = NULL;
  RefractSpiceState state;
  const char *message;
  gint64 started;
  Page p = { 0 };

  machine = start_remote_machine (h, LOOPBACK_NAME, "127.0.0.1", "");
  /* it is there, but on the remote host's loopback as far as the app knows */
  assert_listening ("0100007F", spice_port (h, LOOPBACK_NAME));
  refusal = assert_graphics_fd_refused (h, LOOPBACK_NAME);

  rth_step (h, "the console page over qemu+tcp");
  started = g_get_monotonic_time ();
  page_open (&p, machine);
  rt_wait_until ((state = refract_spice_session_get_state (p.session)) != REFRACT_SPICE_STATE_DISCONNECTED
                 && state != REFRACT_SPICE_STATE_CONNECTING,
                 10, "the session to give up (it must not hang)");
  g_test_message ("%s after %.2f s: %s", state == REFRACT_SPICE_STATE_FAILED ? "FAILED" : "not FAILED",
                  (g_get_monotonic_time () - started) / 1e6,
                  refract_spice_session_get_error_message (p.session));
  g_assert_cmpint (state, ==, REFRACT_SPICE_STATE_FAILED);
  message = refract_spice_session_get_error_message (p.session);
  /* the session does not even ask for the graphics FD: see assert_connection_kept () */
  expected = g_strdup ("libvirt could not open the display, and the machine has no display "
                       "address this computer can reach: a remote connection cannot pass the "
                       "display's socket");
  g_assert_cmpstr (message, ==, expected);
  escaped = g_markup_escape_text (expected, -1);
  /* no SPICE connection was even tried */
  g_assert_null (refract_spice_session_get_spice (p.session));

  rth_step (h, "the page says so, and stays so");
  rt_wait_until (g_strcmp0 (refract_console_page_get_shown (p.page), "status") == 0
                 && g_strcmp0 (adw_status_page_get_title (page_status (&p)),
                               "Could Not Open the Display") == 0, 10, "the page's error");
  /* AdwStatusPage:description is markup */
  g_assert_cmpstr (adw_status_page_get_description (page_status (&p)), ==, escaped);
  rt_spin (2000);
  g_assert_cmpint (refract_spice_session_get_state (p.session), ==, REFRACT_SPICE_STATE_FAILED);
  g_assert_null (refract_spice_session_get_spice (p.session));

  rth_step (h, "closing");
  page_close (&p);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  rth_step (h, "done");
}

/* Types @text into the page's password entry and presses Enter. */
static void
enter_password (Page *p, const char *text)
{
  GtkWidget *entry = find_type (GTK_WIDGET (p->page), GTK_TYPE_PASSWORD_ENTRY);

  g_assert_nonnull (entry);
  g_assert_true (gtk_widget_get_visible (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_signal_emit_by_name (entry, "activate");
  /* what was typed does not stay in the entry for the next person to see */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
}

static void
test_password (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autoptr(GdkTexture) frame = NULL;
  g_autofree char *refusal = NULL;
  Page p = { 0 };
  int port;

  machine = start_remote_machine (h, PASSWORD_NAME, "0.0.0.0", " passwd='" PASSWORD "'");
  port = spice_port (h, PASSWORD_NAME);
  refusal = assert_graphics_fd_refused (h, PASSWORD_NAME);

  rth_step (h, "the console page asks for the password");
  page_open (&p, machine);
  rtc_wait_session_state (p.session, REFRACT_SPICE_STATE_NEEDS_PASSWORD,
                          "the display to ask for a password");
  /* nothing was refused yet */
  g_assert_cmpstr (refract_spice_session_get_error_message (p.session), ==, NULL);
  rt_wait_until (g_strcmp0 (refract_console_page_get_shown (p.page), "status") == 0
                 && g_strcmp0 (adw_status_page_get_title (page_status (&p)),
                               "The Display Needs a Password") == 0, 10, "the password page");

  rth_step (h, "a wrong password: asked again, with a message");
  enter_password (&p, "wrong");
  g_assert_cmpint (refract_spice_session_get_state (p.session), ==, REFRACT_SPICE_STATE_CONNECTING);
  rtc_wait_session_state (p.session, REFRACT_SPICE_STATE_NEEDS_PASSWORD,
                          "the display to refuse \"wrong\"");
  g_assert_cmpstr (refract_spice_session_get_error_message (p.session), ==,
                   "The display refused the password");
  g_assert_null (refract_spice_display_get_frame (p.display));

  rth_step (h, "the right password: connected, SeaBIOS on screen");
  rt_wait_until (g_strcmp0 (adw_status_page_get_title (page_status (&p)),
                            "The Display Needs a Password") == 0, 10, "the password page again");
  enter_password (&p, PASSWORD);
  rtc_wait_session_state (p.session, REFRACT_SPICE_STATE_CONNECTED,
                          "the display to take the password");
  g_assert_cmpstr (refract_spice_session_get_error_message (p.session), ==, NULL);
  assert_fallback_address (p.session, port);
  frame = rtc_wait_frame (p.display);
  rt_wait_until (g_strcmp0 (refract_console_page_get_shown (p.page), "display") == 0, 10,
                 "the page to show the display");
  rtc_assert_matches_qemu (h, p.display, PASSWORD_NAME);

  rth_step (h, "closing");
  page_close (&p);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  g_test_message ("%u log messages so far, none with the password",
                  rtc_log_messages_checked ());
  rth_step (h, "done");
}

/* What each SpiceSession of an attempt was told to connect to. */
typedef struct
{
  char *host;
  char *port;
  char *tls_port;
} Target;

static Target target;

/* SpiceSession::channel-new: the main channel, made when it connects */
static void
main_channel_made (SpiceSession *spice, SpiceChannel *channel)
{
  g_clear_pointer (&target.host, g_free);
  g_clear_pointer (&target.port, g_free);
  g_clear_pointer (&target.tls_port, g_free);
  g_object_get (spice, "host", &target.host, "port", &target.port, "tls-port", &target.tls_port,
                NULL);
}

static void
spice_session_changed (RefractSpiceSession *session)
{
  SpiceSession *spice = refract_spice_session_get_spice (session);

  /* the address is set just after the SpiceSession is announced */
  if (spice != NULL)
    g_signal_connect (spice, "channel-new", G_CALLBACK (main_channel_made), NULL);
}

/* A TLS-only display (defaultMode='secure': libvirt gives it a TLS port and no
 * plain one): the session goes to the TLS port, and since nothing tells it
 * to trust the harness's CA, spice-client-glib refuses the certificate:
 * FAILED with the TLS message, at once. */
static void
test_tls (RthHarness *h, gconstpointer data)
{
  g_autoptr(RefractMachine) machine = NULL;
  g_autofree char *refusal = NULL;
  g_autofree char *expected_port = NULL;
  RefractSpiceState state;
  GLogLevelFlags fatal;
  gulong handler;
  int tls_port;
  Page p = { 0 };

  machine = start_remote_machine (h, TLS_NAME, "0.0.0.0", " defaultMode='secure'");
  tls_port = spice_port_of (h, TLS_NAME, TRUE);
  expected_port = g_strdup_printf ("%d", tls_port);
  assert_listening ("00000000", tls_port);
  refusal = assert_graphics_fd_refused (h, TLS_NAME);

  rth_step (h, "the console page over qemu+tcp, TLS only");
  /* G_DEBUG=fatal-warnings would abort before the writer could swallow it */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_always_fatal (fatal & ~G_LOG_LEVEL_WARNING);
  expect_tls_warning = TRUE;
  page_open (&p, machine);
  handler = g_signal_connect (p.session, "notify::spice-session", G_CALLBACK (spice_session_changed),
                              NULL);
  rt_wait_until ((state = refract_spice_session_get_state (p.session)) != REFRACT_SPICE_STATE_DISCONNECTED
                 && state != REFRACT_SPICE_STATE_CONNECTING, 20, "the session to give up");
  g_signal_handler_disconnect (p.session, handler);
  expect_tls_warning = FALSE;
  g_log_set_always_fatal (fatal);
  g_test_message ("session went to host %s, port %s, TLS port %s; state %d: %s", target.host,
                  target.port, target.tls_port, state,
                  refract_spice_session_get_error_message (p.session));
  g_assert_cmpstr (target.host, ==, "127.0.0.1");
  g_assert_null (target.port);
  g_assert_cmpstr (target.tls_port, ==, expected_port);
  g_assert_cmpint (state, ==, REFRACT_SPICE_STATE_FAILED);
  g_assert_cmpstr (refract_spice_session_get_error_message (p.session), ==,
                   "The display's encrypted connection failed: its certificate could not be "
                   "verified, or the TLS handshake did not succeed");
  /* it was the harness's certificate that was refused */
  g_assert_cmpuint (g_atomic_int_get (&tls_warnings), >, 0);

  rth_step (h, "closing");
  page_close (&p);
  rt_run_and_wait (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  g_clear_pointer (&target.host, g_free);
  g_clear_pointer (&target.port, g_free);
  g_clear_pointer (&target.tls_port, g_free);
  rth_step (h, "done");
}

static void
harness_setup_tls (RthHarness *h, gconstpointer data)
{
  h->spice_tls = TRUE;
  harness_setup (h, data);
}

int
main (int argc, char *argv[])
{
  /* first, while this is the only thread: everything started from here on,
   * libvirtd and QEMU included, shares the namespace */
  rth_private_network ();

  /* no message may contain the password, debug ones included */
  rtc_guard_log (PASSWORD, tls_warning_filter);
  rt_init (&argc, &argv);
  /* no accessibility bus on the private session bus */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  adw_init ();
  g_test_add ("/integration/console-remote/wildcard", RthHarness, NULL, harness_setup,
              test_wildcard, rth_teardown);
  g_test_add ("/integration/console-remote/loopback", RthHarness, NULL, harness_setup,
              test_loopback, rth_teardown);
  g_test_add ("/integration/console-remote/password", RthHarness, NULL, harness_setup,
              test_password, rth_teardown);
  g_test_add ("/integration/console-remote/tls", RthHarness, NULL, harness_setup_tls,
              test_tls, rth_teardown);
  return g_test_run ();
}
