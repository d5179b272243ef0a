/* refract-test-harness.c: a private libvirtd + QEMU for integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE 1  /* unshare () */

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "refract-test-harness.h"

/* what the harness puts under DIR; sun_path holds 108 bytes with the NUL */
#define SOCKET_SUFFIX "/run/libvirt/libvirt-sock"
#define SUN_PATH_MAX  108

void
rth_step (RthHarness *h, const char *what)
{
  g_test_message ("[%6.1f s] %s", (g_get_monotonic_time () - h->started_us) / 1e6, what);
}

static const char *
harness_path (void)
{
  const char *env = g_getenv ("REFRACT_HARNESS");

  return env != NULL && *env ? env : HARNESS_PATH;
}

/* Runs a helper with a clean environment: not our ASan preload nor options.
 * Its stderr goes to the test log. */
gboolean
rth_run_clean (const char *const *argv, char **out, GError **error)
{
  const char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         "LC_ALL=C", NULL };
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH_FROM_ENVP, NULL, NULL,
                     out, &err, &status, error))
    return FALSE;
  if (err != NULL && *err)
    g_test_message ("%s: %s", argv[0], err);
  return g_spawn_check_wait_status (status, error);
}

/* Runs "refract-libvirtd-harness COMMAND DIR"; its stderr goes to the test log. */
gboolean
rth_run (RthHarness *h, const char *command, char **out)
{
  g_autofree char *port = h->tcp_port ? g_strdup_printf ("%u", h->tcp_port) : NULL;
  const char *argv[] = { harness_path (), command, h->dir, NULL, NULL, NULL, NULL };
  guint n = 3;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (port != NULL && g_str_equal (command, "start"))
    {
      argv[n++] = "--tcp-port";
      argv[n++] = port;
    }
  if (h->spice_tls && g_str_equal (command, "start"))
    argv[n++] = "--spice-tls";
  if (h->clean_env)
    {
      if (!rth_run_clean (argv, out, &error))
        {
          g_test_message ("harness %s %s: %s", command, h->dir, error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                     &status, &error))
    {
      g_test_message ("could not run %s: %s", argv[0], error->message);
      return FALSE;
    }
  if (err != NULL && *err)
    g_test_message ("harness %s:\n%s", command, err);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("harness %s %s: %s", command, h->dir, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
usable_dir (const char *dir)
{
  if (dir == NULL || dir[0] != '/' || strlen (dir) + strlen (SOCKET_SUFFIX) >= SUN_PATH_MAX)
    return FALSE;
  /* the harness accepts only these */
  for (const char *p = dir; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("._/-", *p))
      return FALSE;
  return TRUE;
}

static char *
env_value (const char *output, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (output ? output : "", "\n", -1);
  g_autofree char *prefix = g_strconcat (key, "=", NULL);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

/* A process outside our session that stops the harness once this test is
 * gone, however it went: an assertion abort, a crash, or meson's timeout
 * killing our process group. The normal path stops it first. */
static void
start_watchdog (RthHarness *h)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = {
    "setsid", "/bin/sh", "-c",
    "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; exec \"$2\" stop \"$3\"",
    "refract-harness-watchdog", pid, harness_path (), h->dir, NULL
  };
  g_autoptr(GError) error = NULL;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL
                 | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &h->watchdog, &error);
  g_assert_no_error (error);
}

static void
stop_watchdog (RthHarness *h)
{
  if (h->watchdog == 0)
    return;
  kill (h->watchdog, SIGTERM);
  while (waitpid (h->watchdog, NULL, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (h->watchdog);
  h->watchdog = 0;
}

/* Starts the daemon in $REFRACT_HARNESS_DIR, else in @dir_hint, else (when
 * the socket path would be too long) in a new directory in /tmp. */
void
rth_setup (RthHarness *h, const char *dir_hint)
{
  const char *wanted = g_getenv ("REFRACT_HARNESS_DIR");
  g_autofree char *test = g_path_get_basename (g_get_prgname ());
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  h->started_us = g_get_monotonic_time ();
  if (wanted == NULL || *wanted == '\0')
    wanted = dir_hint;

  if (usable_dir (wanted))
    {
      h->dir = g_strdup (wanted);
      /* a previous run that crashed may have left its daemons behind */
      rth_run (h, "stop", NULL);
    }
  else
    {
      g_test_message ("%s is too long for a unix socket path; using a directory in /tmp", wanted);
      h->dir = g_dir_make_tmp ("refract-it-XXXXXX", &error);
      g_assert_no_error (error);
      h->dir_is_temp = TRUE;
    }

  rth_step (h, "starting libvirtd");
  if (!rth_run (h, "start", &out))
    g_error ("the libvirtd harness did not start in %s (see the messages above); "
             "%s needs libvirtd and QEMU", h->dir, test);
  start_watchdog (h);

  h->uri = env_value (out, "URI");
  h->domain_type = env_value (out, "DOMAIN_TYPE");
  g_assert_nonnull (h->uri);
  g_assert_true (g_strcmp0 (h->domain_type, "kvm") == 0 || g_strcmp0 (h->domain_type, "qemu") == 0);
  g_test_message ("harness: %s, domain type %s", h->uri, h->domain_type);
  if (h->tcp_port)
    {
      h->tcp_uri = env_value (out, "TCP_URI");
      g_assert_nonnull (h->tcp_uri);
      g_test_message ("harness: also %s", h->tcp_uri);
    }
  if (h->spice_tls)
    {
      h->spice_ca = env_value (out, "SPICE_CA");
      g_assert_nonnull (h->spice_ca);
    }
}

void
rth_teardown (RthHarness *h, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (h->connection != NULL)
    rt_close (g_steal_pointer (&h->connection));
  stop_watchdog (h);
  rth_step (h, "stopping libvirtd");
  g_assert_true (rth_run (h, "stop", NULL));

  if (h->dir_is_temp)
    {
      const char *argv[] = { "rm", "-rf", "--one-file-system", h->dir, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    NULL, &error);
      g_assert_no_error (error);
    }
  g_clear_pointer (&h->dir, g_free);
  g_clear_pointer (&h->uri, g_free);
  g_clear_pointer (&h->domain_type, g_free);
  g_clear_pointer (&h->tcp_uri, g_free);
  g_clear_pointer (&h->spice_ca, g_free);
}

/* Defines @domain through the test's connection and waits for the model to
 * list it; returns a reference to the machine. */
RefractMachine *
rth_define_machine (RthHarness *h, const RthDomain *domain)
{
  RefractMachineList *machines = refract_connection_get_machines (h->connection);
  virConnectPtr conn = _refract_connection_ref_handle (h->connection);
  g_autofree char *name = g_markup_escape_text (domain->name, -1);
  g_autofree char *features = NULL;
  g_autofree char *xml = NULL;
  virDomainPtr dom;

  if (domain->features != NULL)
    features = g_strdup_printf ("  <features>%s</features>", domain->features);
  xml = g_strdup_printf (
    "<domain type='%s'>"
    "  <name>%s</name>"
    "  <memory unit='MiB'>%u</memory>"
    "  <vcpu>1</vcpu>"
    "  <os>"
    "    <type arch='x86_64' machine='pc'>hvm</type>"
    "    %s"
    "  </os>"
    "%s"
    "  <on_poweroff>destroy</on_poweroff>"
    "  <devices>%s</devices>"
    "</domain>", h->domain_type, name, domain->memory_mib ? domain->memory_mib : 128,
    domain->os ? domain->os : "", features ? features : "",
    domain->devices ? domain->devices : "");

  g_assert_nonnull (conn);
  dom = virDomainDefineXML (conn, xml);
  if (dom == NULL)
    g_error ("virDomainDefineXML %s: %s", domain->name, virGetLastErrorMessage ());
  virDomainFree (dom);
  virConnectClose (conn);

  rt_wait_until (refract_machine_list_find_by_name (machines, domain->name) != NULL, 30,
                 "the defined event to add the machine");
  return g_object_ref (refract_machine_list_find_by_name (machines, domain->name));
}

/* Moves the calling process (a single thread: call it first thing in main())
 * into a network namespace of its own with only the loopback interface, up.
 * Everything it starts afterwards, the harness's libvirtd and QEMU included,
 * is in there too, so their TCP ports and wildcard listens reach nobody
 * else. Needs root (CAP_SYS_ADMIN); fails the test otherwise. */
void
rth_private_network (void)
{
  struct ifreq ifr = { 0 };
  int fd;

  if (unshare (CLONE_NEWNET) != 0)
    g_error ("unshare(CLONE_NEWNET): %s; this test needs root for a network namespace "
             "of its own", g_strerror (errno));
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    g_error ("socket: %s", g_strerror (errno));
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) != 0)
    g_error ("SIOCGIFFLAGS lo: %s", g_strerror (errno));
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) != 0)
    g_error ("SIOCSIFFLAGS lo up: %s", g_strerror (errno));
  close (fd);
}
