/* test-uri.c: the connection addresses a person types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-test-util.h"

static void
test_valid (void)
{
  static const char * const uris[] = {
    "qemu:///system",
    "qemu:///session",
    "qemu+ssh://user@host/system",
    "qemu+ssh://host:2222/system?keyfile=/x",
    "test:///default",
    "test:///abs/file.xml",
    "qemu+tcp://h/system",
  };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("valid: %s", uris[i]);
      g_assert_true (refract_uri_validate (uris[i], &error));
      g_assert_no_error (error);
    }
}

static void
test_invalid (void)
{
  /* the input, and a word of the reason the person is given */
  static const struct { const char *uri; const char *why; } cases[] = {
    { "", "empty" },
    { "hello", "well-formed" },
    { "qemu://", "/system" },
    { "qemu:///bogus", "/system" },
    { "qemu+ssh:///system", "host name" },
    { "foo:///system", "driver" },
    { "qemu+carrier://h/system", "transport" },
    { "qemu:///system ", "spaces" },
    { "qemu+ssh://my host/system", "spaces" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", cases[i].uri);

      g_test_message ("invalid: '%s'", cases[i].uri);
      g_assert_false (refract_uri_validate (cases[i].uri, &error));
      g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI);
      g_assert_nonnull (strstr (error->message, quoted));
      g_assert_nonnull (strstr (error->message, cases[i].why));
      /* and an example of what would work */
      g_assert_nonnull (strstr (error->message, "qemu:///system"));
    }

  /* NULL is refused like the empty string, without a critical */
  g_assert_false (refract_uri_validate (NULL, NULL));
}

static void
test_build_ssh (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *with_user = NULL;
  g_autofree char *no_user = NULL;
  g_autofree char *session = NULL;
  g_autofree char *bad_host = NULL;
  g_autofree char *bad_user = NULL;

  with_user = refract_uri_build_ssh ("alice", "server.example.org", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (with_user, ==, "qemu+ssh://alice@server.example.org/system");
  g_assert_true (refract_uri_validate (with_user, NULL));

  /* what was typed is trimmed; an empty user leaves it to ssh */
  no_user = refract_uri_build_ssh ("  ", " 192.0.2.10 ", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (no_user, ==, "qemu+ssh://192.0.2.10/system");

  session = refract_uri_build_ssh (NULL, "h", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (session, ==, "qemu+ssh://h/session");

  bad_host = refract_uri_build_ssh ("alice", "a b", FALSE, &error);
  g_assert_null (bad_host);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI);
  g_assert_nonnull (strstr (error->message, "“a b”"));
  g_assert_nonnull (strstr (error->message, "host name"));
  g_clear_error (&error);

  g_assert_null (refract_uri_build_ssh ("alice", "", FALSE, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI);
  g_clear_error (&error);

  bad_user = refract_uri_build_ssh ("x;rm", "server", FALSE, &error);
  g_assert_null (bad_user);
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI);
  g_assert_nonnull (strstr (error->message, "“x;rm”"));
  g_assert_nonnull (strstr (error->message, "user name"));
}

static void
test_describe (void)
{
  static const struct { const char *uri; const char *name; } cases[] = {
    { "qemu:///system", "QEMU/KVM" },
    { "qemu:///session", "QEMU/KVM User Session" },
    { "qemu+ssh://user@host/system", "QEMU/KVM on host" },
    { "qemu+ssh://host:2222/session", "QEMU/KVM on host (user session)" },
    { "qemu+tcp://h/system", "QEMU/KVM on h" },
    { "test:///default", "Test Host" },
    { "test:///abs/file.xml", "Demo Host" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = refract_uri_describe (cases[i].uri);

      g_assert_cmpstr (name, ==, cases[i].name);
    }
}

static void
test_local_and_host (void)
{
  static const struct { const char *uri; gboolean local; const char *host; } cases[] = {
    { "qemu:///system", TRUE, NULL },
    { "qemu:///session", TRUE, NULL },
    { "qemu+unix:///system", TRUE, NULL },
    { "test:///default", TRUE, NULL },
    { "qemu+ssh://user@host/system", FALSE, "host" },
    { "qemu+ssh://host:2222/system?keyfile=/x", FALSE, "host" },
    { "qemu+tcp://h/system", FALSE, "h" },
    { "qemu://remote.example.org/system", FALSE, "remote.example.org" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *host = refract_uri_get_host (cases[i].uri);

      g_test_message ("%s", cases[i].uri);
      g_assert_cmpint (refract_uri_is_local (cases[i].uri), ==, cases[i].local);
      g_assert_cmpstr (host, ==, cases[i].host);
    }

  g_assert_true (refract_uri_is_test ("test:///default"));
  g_assert_false (refract_uri_is_test ("qemu:///system"));
}

static void
test_local_socket (void)
{
  g_autofree char *custom = refract_uri_local_socket ("qemu:///system?socket=/tmp/x/libvirt-sock");
  g_autofree char *system = refract_uri_local_socket ("qemu:///system");
  g_autofree char *session = refract_uri_local_socket ("qemu:///session");
  g_autofree char *remote = refract_uri_local_socket ("qemu+ssh://h/system");
  g_autofree char *test = refract_uri_local_socket ("test:///default");

  g_assert_cmpstr (custom, ==, "/tmp/x/libvirt-sock");
  g_assert_nonnull (system);
  g_assert_true (g_str_has_prefix (system, "/run/libvirt/"));
  g_assert_null (session);
  g_assert_null (remote);
  g_assert_null (test);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/uri/valid", test_valid);
  g_test_add_func ("/uri/invalid", test_invalid);
  g_test_add_func ("/uri/build-ssh", test_build_ssh);
  g_test_add_func ("/uri/describe", test_describe);
  g_test_add_func ("/uri/local-and-host", test_local_and_host);
  g_test_add_func ("/uri/local-socket", test_local_socket);

  return g_test_run ();
}
