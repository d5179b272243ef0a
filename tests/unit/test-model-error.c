/* test-model-error.c: why a connection failed, and what to do about it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libvirt/virterror.h>

#include "refract-test-util.h"

#define SOCKET_FAILURE(...) \
  ((RefractConnectFailure) { .uri = "qemu:///system", .user_name = "alice", \
                             .socket_known = TRUE, __VA_ARGS__ })

static void
test_no_daemon (void)
{
  RefractConnectFailure f = SOCKET_FAILURE (.socket_exists = FALSE,
                                            .vir_code = VIR_ERR_SYSTEM_ERROR,
                                            .vir_domain = VIR_FROM_RPC,
                                            .message = "Failed to connect socket to "
                                                       "'/run/libvirt/libvirt-sock': "
                                                       "No such file or directory");
  g_autofree char *remedy = NULL;
  g_autofree char *title = NULL;

  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_NO_DAEMON);
  remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_NO_DAEMON, &f);
  g_assert_nonnull (strstr (remedy, "systemctl enable --now libvirtd"));
  title = refract_connect_error_title (REFRACT_MODEL_ERROR_NO_DAEMON, f.uri);
  g_assert_cmpstr (title, ==, "The libvirt service for QEMU/KVM is not running");

  /* without socket facts, libvirt's words decide */
  f.socket_known = FALSE;
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_NO_DAEMON);
  f.message = "Failed to connect socket to '/run/libvirt/libvirt-sock': Connection refused";
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_NO_DAEMON);
}

static void
test_socket_not_writable (void)
{
  RefractConnectFailure f = SOCKET_FAILURE (.socket_exists = TRUE, .socket_writable = FALSE,
                                            .socket_group = "libvirt",
                                            .vir_code = VIR_ERR_SYSTEM_ERROR,
                                            .message = "Failed to connect socket to "
                                                       "'/run/libvirt/libvirt-sock': "
                                                       "Permission denied");
  g_autofree char *remedy = NULL;
  g_autofree char *title = NULL;

  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_PERMISSION_DENIED);
  remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_PERMISSION_DENIED, &f);
  g_assert_nonnull (strstr (remedy, "“alice”"));
  g_assert_nonnull (strstr (remedy, "“libvirt” group"));
  g_assert_nonnull (strstr (remedy, "sudo usermod -aG libvirt alice"));
  title = refract_connect_error_title (REFRACT_MODEL_ERROR_PERMISSION_DENIED, f.uri);
  g_assert_cmpstr (title, ==, "You are not allowed to manage QEMU/KVM");

  /* the socket's real group is named, whatever the distribution calls it */
  f.socket_group = "kvm";
  g_clear_pointer (&remedy, g_free);
  remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_PERMISSION_DENIED, &f);
  g_assert_nonnull (strstr (remedy, "sudo usermod -aG kvm alice"));
  g_assert_null (strstr (remedy, "libvirt"));
}

static void
test_polkit (void)
{
  RefractConnectFailure f = {
    .uri = "qemu:///system",
    .user_name = "alice",
    .vir_code = VIR_ERR_AUTH_FAILED,
    .vir_domain = VIR_FROM_POLKIT,
    .message = "authentication unavailable: no polkit agent available to authenticate "
               "action 'org.libvirt.unix.manage'",
  };

  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_PERMISSION_DENIED);

  /* a writable socket that polkit still refuses */
  f.socket_known = f.socket_exists = f.socket_writable = TRUE;
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_PERMISSION_DENIED);

  f.message = NULL;
  f.vir_code = VIR_ERR_AUTH_UNAVAILABLE;
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_PERMISSION_DENIED);
}

static void
test_remote_auth (void)
{
  RefractConnectFailure f = {
    .uri = "qemu+ssh://alice@server.example.org/system",
    .vir_code = VIR_ERR_AUTH_FAILED,
    .vir_domain = VIR_FROM_REMOTE,
    .message = "authentication failed: Failed to start SSH session",
  };
  g_autofree char *remedy = NULL;
  g_autofree char *title = NULL;

  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_AUTH_FAILED);
  remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_AUTH_FAILED, &f);
  g_assert_nonnull (strstr (remedy, "“ssh server.example.org”"));
  title = refract_connect_error_title (REFRACT_MODEL_ERROR_AUTH_FAILED, f.uri);
  g_assert_cmpstr (title, ==, "Authentication to QEMU/KVM on server.example.org failed");

  /* ssh's own words for a refused key */
  f.vir_code = VIR_ERR_SYSTEM_ERROR;
  f.message = "Cannot recv data: alice@server.example.org: Permission denied (publickey).";
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_AUTH_FAILED);
}

static void
test_host_unreachable (void)
{
  RefractConnectFailure f = {
    .uri = "qemu+ssh://nowhere/system",
    .vir_code = VIR_ERR_SYSTEM_ERROR,
    .vir_domain = VIR_FROM_RPC,
    .message = "Cannot recv data: ssh: Could not resolve hostname nowhere: "
               "Name or service not known: Connection reset by peer",
  };
  g_autofree char *remedy = NULL;
  g_autofree char *title = NULL;

  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_HOST_UNREACHABLE);
  remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_HOST_UNREACHABLE, &f);
  g_assert_nonnull (strstr (remedy, "“ssh nowhere”"));
  title = refract_connect_error_title (REFRACT_MODEL_ERROR_HOST_UNREACHABLE, f.uri);
  g_assert_cmpstr (title, ==, "Could not reach QEMU/KVM on nowhere");

  f.vir_code = 0;
  f.vir_domain = 0;
  f.message = "unable to connect to server at 'h:16509': No route to host";
  f.uri = "qemu+tcp://h/system";
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_HOST_UNREACHABLE);
}

static void
test_bad_uri (void)
{
  RefractConnectFailure f = { .uri = "qemu:///bogus" };
  g_autofree char *title = NULL;
  g_autofree char *remedy = NULL;

  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_INVALID_URI);
  title = refract_connect_error_title (REFRACT_MODEL_ERROR_INVALID_URI, f.uri);
  g_assert_cmpstr (title, ==, "“qemu:///bogus” is not a valid connection address");
  remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_INVALID_URI, &f);
  g_assert_nonnull (strstr (remedy, "qemu:///system"));

  /* a well-formed address that libvirt has no driver for */
  f.uri = "xen:///system";
  f.vir_code = VIR_ERR_NO_SUPPORT;
  g_assert_cmpint (refract_diagnose_connect (&f), ==, REFRACT_MODEL_ERROR_INVALID_URI);
}

static void
test_error_new (void)
{
  RefractConnectFailure f = SOCKET_FAILURE (.socket_exists = TRUE, .socket_writable = FALSE,
                                            .socket_group = "libvirt");
  g_autoptr(GError) error = refract_connect_error_new (&f);
  g_autoptr(GError) copy = NULL;
  g_autofree char *remedy = refract_connect_remedy (REFRACT_MODEL_ERROR_PERMISSION_DENIED, &f);
  g_autoptr(GError) plain = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "other");

  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "You are not allowed to manage QEMU/KVM");
  g_assert_cmpstr (refract_error_get_remedy (error), ==, remedy);

  /* the remedy travels with copies (the connection hands out copies) */
  copy = g_error_copy (error);
  g_assert_cmpstr (refract_error_get_remedy (copy), ==, remedy);

  g_assert_null (refract_error_get_remedy (plain));
  g_assert_null (refract_error_get_remedy (NULL));
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/model-error/no-daemon", test_no_daemon);
  g_test_add_func ("/model-error/socket-not-writable", test_socket_not_writable);
  g_test_add_func ("/model-error/polkit", test_polkit);
  g_test_add_func ("/model-error/remote-auth", test_remote_auth);
  g_test_add_func ("/model-error/host-unreachable", test_host_unreachable);
  g_test_add_func ("/model-error/bad-uri", test_bad_uri);
  g_test_add_func ("/model-error/error-new", test_error_new);

  return g_test_run ();
}
