/* test-dsp-cli.c: `refract-dsp console` and `netjack-restart` against a
 * private libvirtd + QEMU, and the NETJACK probe against a real jack2
 *
 * The real refract-dsp binary runs on a pseudo-terminal, as a person would
 * run it: `console NAME` on a disk-less guest whose SeaBIOS writes to its
 * serial port (started paused, so that nothing is printed before the
 * console is attached) shows SeaBIOS' text, takes Esc to the guest (the
 * boot menu opens), leaves on Ctrl+] with exit status 0 and gives the
 * terminal back as it found it; a machine that does not exist, is not
 * running or has no console is an error that says so, with exit status 1.
 *
 * `netjack-restart NAME` runs the restart command stored in the machine's
 * NETJACK settings (the domain's metadata), a script that leaves a marker file
 * and prints; its output, the exit status and the probe's lines after it
 * are checked, as are a failing command and a machine without NETJACK.
 *
 * Then a real jack2: jackd with the dummy driver in a private network
 * namespace ("the host", with a multicast route on a veth), its netmanager
 * loaded by the machine's restart command, and a follower (jackd -d net) in
 * a second namespace ("the guest") at the other end of the veth. The probe
 * must see the manager, the bound UDP port and the follower. Needs jackd2,
 * and root or unprivileged user namespaces (as a user the namespaces belong
 * to a user namespace of the test's, in which jackd runs as its root);
 * without them the test fails, it does not skip.
 *
 * If the harness cannot start, the test fails: a skipped integration test
 * hides a broken CI host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE /* setns, posix_openpt */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "refract-netjack-config.h"
#include "refract-test-harness.h"

#define SERIAL_NAME    "refract-cli-serial"
#define NO_SERIAL_NAME "refract-cli-no-serial"
#define NETJACK_NAME   "refract-cli-netjack"
/* seconds; generous for ASan and TCG */
#define TEXT_SECS      60
#define EXIT_SECS      30

static RthHarness harness;
static gboolean harness_started;

static RthHarness *
get_harness (void)
{
  if (!harness_started)
    {
      rth_setup (&harness, HARNESS_DIR);
      harness.connection = rt_open (harness.uri);
      harness_started = TRUE;
    }
  return &harness;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, haystack ? haystack : "(nothing)");
}

/* ---- machines --------------------------------------------------------------- */

static RefractMachine *
find_or_define (RthHarness *h, const char *name, gboolean serial)
{
  /* the boot menu waits long enough for the test to press Esc */
  const RthDomain domain = {
    .name = name,
    .memory_mib = 128,
    .os = serial ? "<bootmenu enable='yes' timeout='30000'/><bios useserial='yes'/>" : NULL,
    .devices = serial ? "<serial type='pty'/><console type='pty'/>" : NULL,
  };
  RefractMachine *machine = refract_machine_list_find_by_name (refract_connection_get_machines (h->connection),
                                                               name);

  return machine ? g_object_ref (machine) : rth_define_machine (h, &domain);
}

static void
run_expecting (RefractMachine *machine, RefractMachineAction action, RefractMachineState state)
{
  g_autoptr(GError) error = NULL;

  if (!rt_run (machine, action, &error))
    g_error ("action %d on %s: %s", action, refract_machine_get_name (machine), error->message);
  rt_wait_state (machine, state, 60);
}

/* Started paused, so that SeaBIOS has printed nothing yet */
static void
start_paused (RthHarness *h, RefractMachine *machine)
{
  virConnectPtr conn = _refract_connection_ref_handle (h->connection);
  virDomainPtr dom = virDomainLookupByName (conn, refract_machine_get_name (machine));

  g_assert_nonnull (dom);
  if (virDomainCreateWithFlags (dom, VIR_DOMAIN_START_PAUSED) < 0)
    g_error ("start %s paused: %s", refract_machine_get_name (machine), virGetLastErrorMessage ());
  virDomainFree (dom);
  virConnectClose (conn);
  rt_wait_state (machine, REFRACT_MACHINE_STATE_PAUSED, 60);
}

/* ---- refract-dsp on a pseudo-terminal ----------------------------------------- */

typedef struct
{
  int            master;
  int            slave;        /* kept open: its settings are read after the child exits */
  GPid           pid;
  GString       *screen;       /* everything the terminal received */
  struct termios cooked;       /* the settings before the command ran */
} Term;

static void
term_child_setup (gpointer data)
{
  /* a session of its own with the terminal as its controlling terminal */
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

static char **
dsp_argv (RthHarness *h, const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, g_strdup (REFRACT_DSP_PATH));
  g_ptr_array_add (argv, g_strdup ("--connect"));
  g_ptr_array_add (argv, g_strdup (h->uri));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

static void
term_start (Term *t, RthHarness *h, const char *const *args)
{
  g_auto(GStrv) argv = dsp_argv (h, args);
  g_autofree char *command = g_strjoinv (" ", argv);
  g_autoptr(GError) error = NULL;
  struct winsize size = { .ws_row = 25, .ws_col = 80 };

  t->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (t->master, >=, 0);
  g_assert_cmpint (grantpt (t->master), ==, 0);
  g_assert_cmpint (unlockpt (t->master), ==, 0);
  t->slave = open (ptsname (t->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (t->slave, >=, 0);
  g_assert_cmpint (ioctl (t->slave, TIOCSWINSZ, &size), ==, 0);
  g_assert_cmpint (tcgetattr (t->slave, &t->cooked), ==, 0);
  /* a new terminal is cooked: lines, echo */
  g_assert_true (t->cooked.c_lflag & ICANON);
  g_assert_true (t->cooked.c_lflag & ECHO);
  t->screen = g_string_new (NULL);

  g_test_message ("on a terminal: %s", command);
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, term_child_setup, NULL,
                                         t->slave, t->slave, t->slave, NULL, NULL, 0,
                                         &t->pid, NULL, NULL, NULL, &error))
    g_error ("%s: %s", REFRACT_DSP_PATH, error->message);
}

/* Reads what the terminal got for up to @ms milliseconds */
static void
term_read (Term *t, int ms)
{
  struct pollfd fd = { .fd = t->master, .events = POLLIN };
  char buffer[4096];

  if (poll (&fd, 1, ms) > 0 && (fd.revents & POLLIN))
    {
      ssize_t got = read (t->master, buffer, sizeof buffer);

      if (got > 0)
        g_string_append_len (t->screen, buffer, got);
    }
}

static void
term_dump (Term *t, const char *why)
{
  g_autofree char *shown = g_strescape (t->screen->str, "\n");

  g_test_message ("%s; the terminal got:\n%s", why, shown);
}

static gboolean
term_shows (Term *t, const char *needle)
{
  return strstr (t->screen->str, needle) != NULL;
}

static void
term_wait_text (Term *t, const char *needle, double seconds, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!term_shows (t, needle))
    {
      if (g_get_monotonic_time () > deadline)
        {
          term_dump (t, what);
          g_error ("%s: “%s” did not arrive on the terminal within %.0f s", what, needle, seconds);
        }
      term_read (t, 100);
    }
}

static void
term_type (Term *t, const char *bytes, gsize n)
{
  g_assert_cmpint (write (t->master, bytes, n), ==, (gssize) n);
}

static gboolean
term_is_raw (Term *t)
{
  struct termios now;

  g_assert_cmpint (tcgetattr (t->slave, &now), ==, 0);
  return !(now.c_lflag & (ICANON | ECHO | ISIG));
}

/* Keys go to the guest as typed: the terminal turns raw once attached (what
 * is typed before then, while it is still cooked, is dropped) */
static void
term_wait_raw (Term *t)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!term_is_raw (t))
    {
      if (g_get_monotonic_time () > deadline)
        {
          term_dump (t, "still cooked");
          g_error ("the terminal did not turn raw within 10 s of the console's greeting");
        }
      term_read (t, 20);
    }
}

/* The child's exit status, reading the terminal until it ends */
static int
term_wait_exit (Term *t, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  int status = 0;
  pid_t done;

  while ((done = waitpid (t->pid, &status, WNOHANG)) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          term_dump (t, "refract-dsp did not end");
          kill (t->pid, SIGKILL);
          waitpid (t->pid, NULL, 0);
          g_error ("refract-dsp did not end within %.0f s", seconds);
        }
      term_read (t, 50);
    }
  g_assert_cmpint (done, ==, t->pid);
  g_spawn_close_pid (t->pid);
  t->pid = 0;
  /* what it wrote last */
  for (guint i = 0; i < 5; i++)
    term_read (t, 20);
  if (!WIFEXITED (status))
    {
      term_dump (t, "refract-dsp died");
      g_error ("refract-dsp died: wait status %d", status);
    }
  return WEXITSTATUS (status);
}

/* The terminal is as the command found it: cooked, echoing, same flags */
static void
term_assert_restored (Term *t)
{
  struct termios after;

  g_assert_cmpint (tcgetattr (t->slave, &after), ==, 0);
  g_assert_cmphex (after.c_lflag, ==, t->cooked.c_lflag);
  g_assert_cmphex (after.c_iflag, ==, t->cooked.c_iflag);
  g_assert_cmphex (after.c_oflag, ==, t->cooked.c_oflag);
  g_assert_cmphex (after.c_cflag, ==, t->cooked.c_cflag);
  g_assert_cmpint (after.c_cc[VMIN], ==, t->cooked.c_cc[VMIN]);
  g_assert_cmpint (after.c_cc[VTIME], ==, t->cooked.c_cc[VTIME]);
}

static void
term_close (Term *t)
{
  g_assert_cmpint (t->pid, ==, 0);
  close (t->master);
  close (t->slave);
  g_string_free (t->screen, TRUE);
}

/* Runs refract-dsp @args on a terminal to its end: its exit status, and the
 * terminal's text in @screen */
static int
term_run (RthHarness *h, const char *const *args, char **screen)
{
  Term t = { 0 };
  int status;

  term_start (&t, h, args);
  status = term_wait_exit (&t, EXIT_SECS);
  term_assert_restored (&t);
  *screen = g_strdup (t.screen->str);
  term_close (&t);
  return status;
}

/* ---- refract-dsp with pipes ------------------------------------------------------ */

typedef struct
{
  int   netns;      /* a network namespace to run in, or -1 */
  int   userns;     /* as a user: the user namespace that owns it, or -1 */
  char *jack_server;/* JACK_DEFAULT_SERVER, or NULL */
} Place;

static void
place_child_setup (gpointer data)
{
  const Place *place = data;

  /* end with the test (SIGTERM: jackd then removes its files from /dev/shm);
   * join its namespaces */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (place != NULL && place->userns >= 0 && setns (place->userns, CLONE_NEWUSER) != 0)
    _exit (125);
  if (place != NULL && place->netns >= 0 && setns (place->netns, CLONE_NEWNET) != 0)
    _exit (126);
}

static char **
place_envp (const Place *place)
{
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, "JACK_NO_AUDIO_RESERVATION", "1", TRUE);
  envp = g_environ_setenv (envp, "JACK_NO_START_SERVER", "1", TRUE);
  if (place != NULL && place->jack_server != NULL)
    envp = g_environ_setenv (envp, "JACK_DEFAULT_SERVER", place->jack_server, TRUE);
  return envp;
}

/* refract-dsp @args (in @place when not NULL): its exit status, stdout, stderr */
static int
dsp_run (RthHarness *h, const Place *place, const char *const *args, char **out, char **err)
{
  g_auto(GStrv) dsp = dsp_argv (h, args);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = place_envp (place);
  g_autofree char *command = g_strjoinv (" ", dsp);
  g_autoptr(GError) error = NULL;
  int status = 0;

  /* a hang (of refract-dsp, or of a jack2 tool it runs) fails the test with
   * what it printed instead of blocking it until meson's timeout */
  g_strv_builder_addv (builder, (const char **) (const char *[]) { "timeout", "--kill-after=5", "90", NULL });
  g_strv_builder_addv (builder, (const char **) dsp);
  argv = g_strv_builder_end (builder);
  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_SEARCH_PATH, place_child_setup, (gpointer) place,
                     out, err, &status, &error))
    g_error ("%s: %s", REFRACT_DSP_PATH, error->message);
  g_test_message ("%s\n(wait status %d)\n--- stdout:\n%s--- stderr:\n%s", command, status, *out, *err);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) == 124 || WEXITSTATUS (status) == 137)
    g_error ("%s did not end within 90 s", command);
  return WEXITSTATUS (status);
}

/* ---- 1. console ----------------------------------------------------------------- */

static void
test_console (void)
{
  RthHarness *h = get_harness ();
  g_autoptr(RefractMachine) machine = find_or_define (h, SERIAL_NAME, TRUE);
  const char *args[] = { "console", SERIAL_NAME, NULL };
  g_autofree char *connected = g_strdup_printf ("Connected to the console of “%s”. Press Ctrl+] to leave.",
                                                SERIAL_NAME);
  gint64 deadline;
  Term t = { 0 };
  int status;

  rth_step (h, "console: starting the machine paused");
  start_paused (h, machine);

  term_start (&t, h, args);
  term_wait_text (&t, connected, EXIT_SECS, "the console's greeting");
  term_wait_raw (&t);

  rth_step (h, "console: attached; resuming the machine");
  run_expecting (machine, REFRACT_MACHINE_ACTION_RESUME, REFRACT_MACHINE_STATE_RUNNING);
  term_wait_text (&t, "SeaBIOS", TEXT_SECS, "SeaBIOS' banner");
  term_wait_text (&t, "Press ESC for boot menu", TEXT_SECS, "SeaBIOS' boot menu prompt");
  rth_step (h, "console: SeaBIOS is on the terminal; pressing Esc");

  /* SeaBIOS reads the key only while it waits; press until the menu shows */
  deadline = g_get_monotonic_time () + TEXT_SECS * G_USEC_PER_SEC;
  while (!term_shows (&t, "Select boot device"))
    {
      if (g_get_monotonic_time () > deadline)
        {
          term_dump (&t, "no boot menu");
          g_error ("Esc typed on the terminal did not open SeaBIOS' boot menu");
        }
      term_type (&t, "\033", 1);
      for (guint i = 0; i < 3; i++)
        term_read (&t, 100);
    }
  rth_step (h, "console: the boot menu is open; pressing Ctrl+]");

  /* Ctrl+] leaves: exit status 0 and the terminal as it was */
  term_type (&t, "\035", 1);
  status = term_wait_exit (&t, EXIT_SECS);
  if (status != 0)
    term_dump (&t, "Ctrl+] did not leave with exit status 0");
  g_assert_cmpint (status, ==, 0);
  term_assert_restored (&t);
  term_close (&t);
  /* the machine runs on: leaving the console is not switching it off */
  g_assert_cmpint (refract_machine_get_state (machine), ==, REFRACT_MACHINE_STATE_RUNNING);

  /* attaching again to the running machine: Ctrl+] in the middle of typed
   * text leaves (what comes after it is not sent) */
  rth_step (h, "console: attaching again");
  term_start (&t, h, args);
  term_wait_text (&t, connected, EXIT_SECS, "the console's greeting, again");
  term_wait_raw (&t);
  term_type (&t, "x\035y", 3);
  status = term_wait_exit (&t, EXIT_SECS);
  g_assert_cmpint (status, ==, 0);
  term_assert_restored (&t);
  term_close (&t);

  /* a second session takes the console over (as the app's console or
   * virsh console --force would): the first one ends saying so */
  rth_step (h, "console: another session takes over");
  {
    Term second = { 0 };

    term_start (&t, h, args);
    term_wait_text (&t, connected, EXIT_SECS, "the first session's greeting");
    term_wait_raw (&t);
    term_start (&second, h, args);
    term_wait_text (&second, connected, EXIT_SECS, "the second session's greeting");
    term_wait_raw (&second);
    status = term_wait_exit (&t, EXIT_SECS);
    term_dump (&t, "the first session");
    g_assert_cmpint (status, ==, 1);
    assert_contains (t.screen->str, "The console of “" SERIAL_NAME "” was closed while the machine runs (");
    assert_contains (t.screen->str, "may have taken it over.");
    term_assert_restored (&t);
    term_close (&t);
    /* the second one works on: its keys reach the guest, Ctrl+] leaves */
    term_type (&second, "\035", 1);
    g_assert_cmpint (term_wait_exit (&second, EXIT_SECS), ==, 0);
    g_assert_null (strstr (second.screen->str, "was closed"));
    term_assert_restored (&second);
    term_close (&second);
  }

  /* SIGTERM from elsewhere while attached: the terminal is given back
   * cooked, and the exit status is the shell's for SIGTERM */
  rth_step (h, "console: SIGTERM while attached");
  term_start (&t, h, args);
  term_wait_text (&t, connected, EXIT_SECS, "the console's greeting before SIGTERM");
  term_wait_raw (&t);
  g_assert_cmpint (kill (t.pid, SIGTERM), ==, 0);
  status = term_wait_exit (&t, EXIT_SECS);
  g_assert_cmpint (status, ==, 128 + SIGTERM);
  term_assert_restored (&t);
  term_close (&t);

  /* not on a terminal, with input that ends at once (a script's
   * `< /dev/null`): attaches, leaves at the end of its input, exit 0 */
  rth_step (h, "console: input at its end");
  {
    g_auto(GStrv) argv = dsp_argv (h, args);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int wait_status;

    g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out, &err,
                                 &wait_status, &error));
    g_assert_no_error (error);
    g_test_message ("console < /dev/null: wait status %d\n%s%s", wait_status, out, err);
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
    assert_contains (err, connected);
    g_assert_null (strstr (err, "CRITICAL"));
    g_assert_null (strstr (err, "WARNING"));
  }

  /* the machine stops while attached: the console ends by itself, saying why */
  rth_step (h, "console: the machine stops while attached");
  term_start (&t, h, args);
  term_wait_text (&t, connected, EXIT_SECS, "the console's greeting, once more");
  term_wait_raw (&t);
  run_expecting (machine, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);
  status = term_wait_exit (&t, EXIT_SECS);
  term_dump (&t, "after the machine stopped");
  g_assert_cmpint (status, ==, 0);
  assert_contains (t.screen->str, "“" SERIAL_NAME "” stopped; its console is closed.");
  term_assert_restored (&t);
  term_close (&t);
}

static void
test_console_errors (void)
{
  RthHarness *h = get_harness ();
  g_autoptr(RefractMachine) serial = find_or_define (h, SERIAL_NAME, TRUE);
  g_autoptr(RefractMachine) plain = find_or_define (h, NO_SERIAL_NAME, FALSE);
  g_autofree char *screen = NULL;
  g_autofree char *expected = NULL;
  int status;

  /* no such machine */
  rth_step (h, "console: a machine that does not exist");
  {
    const char *args[] = { "console", "refract-cli-nonexistent", NULL };

    status = term_run (h, args, &screen);
    g_test_message ("exit %d:\n%s", status, screen);
    g_assert_cmpint (status, ==, 1);
    expected = g_strdup_printf ("There is no machine called “refract-cli-nonexistent” on %s.", h->uri);
    assert_contains (screen, expected);
    g_assert_null (strstr (screen, "Connected to the console"));
    g_clear_pointer (&screen, g_free);
    g_clear_pointer (&expected, g_free);
  }

  /* a machine that is switched off */
  rth_step (h, "console: a machine that is switched off");
  g_assert_cmpint (refract_machine_get_state (serial), ==, REFRACT_MACHINE_STATE_SHUTOFF);
  {
    const char *args[] = { "console", SERIAL_NAME, NULL };

    status = term_run (h, args, &screen);
    g_test_message ("exit %d:\n%s", status, screen);
    g_assert_cmpint (status, ==, 1);
    assert_contains (screen, "“" SERIAL_NAME "” is not running; start it first.");
    g_assert_null (strstr (screen, "Connected to the console"));
    g_clear_pointer (&screen, g_free);
  }

  /* a running machine without a serial port or console */
  rth_step (h, "console: a running machine without a console");
  run_expecting (plain, REFRACT_MACHINE_ACTION_START, REFRACT_MACHINE_STATE_RUNNING);
  {
    const char *args[] = { "console", NO_SERIAL_NAME, NULL };

    status = term_run (h, args, &screen);
    g_test_message ("exit %d:\n%s", status, screen);
    g_assert_cmpint (status, ==, 1);
    assert_contains (screen, "“" NO_SERIAL_NAME "” has no serial console");
    g_assert_null (strstr (screen, "Connected to the console"));
    g_clear_pointer (&screen, g_free);
  }
  run_expecting (plain, REFRACT_MACHINE_ACTION_FORCE_OFF, REFRACT_MACHINE_STATE_SHUTOFF);

  /* wrong use: exit status 2 and the usage */
  {
    const char *args[] = { "console", NULL };

    status = term_run (h, args, &screen);
    g_assert_cmpint (status, ==, 2);
    assert_contains (screen, "console NAME");
  }
}

/* ---- 2. netjack-restart ------------------------------------------------------------ */

/* The machine's NETJACK settings saved as the NETJACK page saves them (the
 * domain's metadata), and read back as refract-dsp reads them */
static void
save_netjack (RefractMachine *machine, const RefractNetjackConfig *config)
{
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractNetjackConfig) loaded = NULL;

  refract_netjack_config_save_async (config, machine, NULL, rt_store_result, &saved);
  rt_wait_until (saved != NULL, 30, "the NETJACK settings to be saved");
  g_assert_true (refract_netjack_config_save_finish (saved, &error));
  g_assert_no_error (error);

  refract_netjack_config_load_async (machine, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 30, "the NETJACK settings");
  loaded = refract_netjack_config_load_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (loaded->enabled);
  g_assert_cmpint (loaded->backend, ==, config->backend);
  g_assert_cmpuint (loaded->port, ==, config->port);
  g_assert_cmpstr (loaded->restart_command, ==, config->restart_command);
}

static void
rm_rf (const char *path)
{
  const char *argv[] = { "rm", "-rf", "--one-file-system", path, NULL };
  g_autoptr(GError) error = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static char *
write_script (const char *dir, const char *name, const char *body)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", body, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

/* A UDP port bound by this process, on all addresses */
static int
bind_udp (guint *port)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  *port = ntohs (address.sin_port);
  return fd;
}

static void
test_netjack_restart (void)
{
  RthHarness *h = get_harness ();
  g_autoptr(RefractMachine) machine = find_or_define (h, NETJACK_NAME, FALSE);
  g_autoptr(RefractMachine) plain = find_or_define (h, NO_SERIAL_NAME, FALSE);
  g_autoptr(RefractNetjackConfig) config = refract_netjack_config_new ();
  g_autoptr(GError) error = NULL;
  /* a directory with a space, as a user's may have */
  /* in the harness's directory: nothing left elsewhere when the test dies */
  g_autofree char *tmp = g_build_filename (h->dir, "netjack-restart", NULL);
  g_autofree char *dir = g_build_filename (tmp, "restart scripts", NULL);
  g_autofree char *marker = g_build_filename (tmp, "restarted", NULL);
  g_autofree char *script = NULL;
  g_autofree char *failing = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *contents = NULL;
  const char *args[] = { "netjack-restart", NETJACK_NAME, NULL };
  guint port = 0;
  int socket_fd;
  int status;
  /* no JACK server by that name: jack_lsp can't tell, whatever runs here */
  g_autofree char *no_server = g_strdup_printf ("refract-it-none-%d", (int) getpid ());
  const Place nowhere = { -1, -1, no_server };

  rm_rf (tmp);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  script = write_script (dir, "restart.sh",
                         "# a stand-in for jack_load netmanager: a marker and some output\n"
                         "printf '%s|%s\\n' \"$1\" \"$2\" >> \"$REFRACT_MARKER\"\n"
                         "echo \"netmanager reloaded on $2\"\n"
                         "echo 'a warning on stderr' >&2\n");
  failing = write_script (dir, "fail.sh",
                          "echo 'Cannot connect to server socket'\n"
                          "echo 'jack server is not running' >&2\n"
                          "exit 3\n");
  g_setenv ("REFRACT_MARKER", marker, TRUE);

  /* ---- a machine without NETJACK: refused, nothing run */
  rth_step (h, "netjack-restart: a machine without NETJACK settings");
  {
    const char *plain_args[] = { "netjack-restart", NO_SERIAL_NAME, NULL };

    status = dsp_run (h, NULL, plain_args, &out, &err);
    g_assert_cmpint (status, ==, 1);
    assert_contains (err, "NETJACK is not set up for “" NO_SERIAL_NAME "”");
    g_assert_cmpstr (out, ==, "");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* ---- a machine on the demo host (nothing real) or on another host: the
   * command would run on this computer, so refused before anything runs */
  rth_step (h, "netjack-restart: the demo host and a remote host");
  {
    g_autofree char *demo = refract_demo_uri ();
    const char *demo_argv[] = { REFRACT_DSP_PATH, "--connect", demo, "netjack-restart", "dsp-coprocessor", NULL };
    const char *remote_argv[] = { REFRACT_DSP_PATH, "--connect", "qemu+ssh://refract@dsp-host.invalid/system",
                                  "netjack-restart", "dsp-coprocessor", NULL };
    int wait_status;

    /* the demo's DSP Coprocessor has NETJACK settings (PipeWire, no command) */
    g_assert_true (g_spawn_sync (NULL, (char **) demo_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                 &wait_status, &error));
    g_test_message ("demo host: wait status %d\n%s%s", wait_status, out, err);
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
    assert_contains (err, "is a test host: its machines have no NETJACK bridge to restart.");
    g_assert_cmpstr (out, ==, "");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);

    g_assert_true (g_spawn_sync (NULL, (char **) remote_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                 &wait_status, &error));
    g_test_message ("remote host: wait status %d\n%s%s", wait_status, out, err);
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
    assert_contains (err, "The NETJACK bridge runs on dsp-host.invalid, not on this computer");
    g_assert_cmpstr (out, ==, "");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* ---- a command that works; the probe checks a port this test holds */
  rth_step (h, "netjack-restart: a command that works");
  socket_fd = bind_udp (&port);
  config->enabled = TRUE;
  config->backend = REFRACT_NETJACK_BACKEND_JACK2;
  config->port = port;
  config->restart_command = g_strdup_printf ("'%s' --port %u", script, port);
  save_netjack (machine, config);

  status = dsp_run (h, &nowhere, args, &out, &err);
  g_assert_cmpint (status, ==, 0);
  /* the command's output, stdout and stderr, then what the probe found */
  line = g_strdup_printf ("netmanager reloaded on %u\n", port);
  assert_contains (out, line);
  assert_contains (out, "a warning on stderr\n");
  assert_contains (out, "The NETJACK bridge was restarted.\n");
  g_assert_true (strstr (out, line) < strstr (out, "The NETJACK bridge was restarted."));
  g_clear_pointer (&line, g_free);
  /* this process holds the port; its name is the test's */
  /* the port is held, by no manager; jack_lsp finds no server to ask */
  assert_contains (out, "The NETJACK bridge was restarted.\n"
                        "  Manager: unknown   UDP port bound: yes   Followers: none\n");
  assert_contains (out, "    jack_lsp: unknown (");
  line = g_strdup_printf ("    UDP port %u (/proc/net/udp): bound by ", port);
  assert_contains (out, line);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("(process %d)\n", (int) getpid ());
  assert_contains (out, line);
  g_clear_pointer (&line, g_free);
  /* it ran once, with its arguments as written */
  g_assert_true (g_file_get_contents (marker, &contents, NULL, NULL));
  line = g_strdup_printf ("--port|%u\n", port);
  g_assert_cmpstr (contents, ==, line);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the port let go: the probe says so */
  close (socket_fd);
  status = dsp_run (h, &nowhere, args, &out, &err);
  g_assert_cmpint (status, ==, 0);
  assert_contains (out, "  Manager: unknown   UDP port bound: no   Followers: none\n");
  line = g_strdup_printf ("    UDP port %u (/proc/net/udp): not bound\n", port);
  assert_contains (out, line);
  g_clear_pointer (&line, g_free);
  g_assert_true (g_file_get_contents (marker, &contents, NULL, NULL));
  line = g_strdup_printf ("--port|%u\n--port|%u\n", port, port);
  g_assert_cmpstr (contents, ==, line);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ---- a command that fails: its output, its status, exit status 1 */
  rth_step (h, "netjack-restart: a command that fails");
  g_free (config->restart_command);
  config->restart_command = g_strdup_printf ("'%s'", failing);
  save_netjack (machine, config);
  status = dsp_run (h, &nowhere, args, &out, &err);
  g_assert_cmpint (status, ==, 1);
  assert_contains (err, "The NETJACK restart command failed (exit status 3): ");
  assert_contains (err, "Cannot connect to server socket");
  assert_contains (err, "jack server is not running");
  assert_contains (err, "Check the restart command or unit in the machine's NETJACK settings.");
  g_assert_null (strstr (out, "was restarted"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ---- a command that is not there */
  g_free (config->restart_command);
  line = g_build_filename (dir, "missing.sh", NULL);
  config->restart_command = g_strdup_printf ("'%s' --port %u", line, port);
  save_netjack (machine, config);
  status = dsp_run (h, &nowhere, args, &out, &err);
  g_assert_cmpint (status, ==, 1);
  assert_contains (err, "Could not run the NETJACK restart command: ");
  assert_contains (err, line);
  assert_contains (err, "No such file or directory");
  assert_contains (err, "Check the restart command or unit in the machine's NETJACK settings.");
  g_clear_pointer (&line, g_free);
  g_assert_null (strstr (out, "was restarted"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the successful command ran twice, the others never touched the marker */
  g_assert_true (g_file_get_contents (marker, &contents, NULL, NULL));
  line = g_strdup_printf ("--port|%u\n--port|%u\n", port, port);
  g_assert_cmpstr (contents, ==, line);

  g_unsetenv ("REFRACT_MARKER");
  rm_rf (tmp);
}

/* ---- 3. a real jack2 -------------------------------------------------------------- */

#define JACK_SECS 30

typedef struct
{
  GPid pid;     /* sleeps in the namespace until the test ends */
  int  fd;      /* keeps it, for setns () */
  int  user_fd; /* as a user: the user namespace that owns it; else -1 */
} Netns;

/* What the sleeper does before it sleeps; formatted before the fork */
typedef struct
{
  int  join_user;   /* a user namespace to join first, or -1 */
  gboolean new_user;/* a user namespace of its own, mapping us to its root */
  char uid_map[64];
  char gid_map[64];
} NetnsSetup;

static gboolean
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (ssize_t) strlen (text);
  close (fd);
  return ok;
}

static void
netns_child_setup (gpointer data)
{
  const NetnsSetup *setup = data;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* the exit status says what failed */
  if (setup->join_user >= 0 && setns (setup->join_user, CLONE_NEWUSER) != 0)
    _exit (100 + (errno & 0x7f));
  if (unshare (CLONE_NEWNET | (setup->new_user ? CLONE_NEWUSER : 0)) != 0)
    _exit (100 + (errno & 0x7f));
  if (setup->new_user &&
      !(write_file ("/proc/self/setgroups", "deny") && write_file ("/proc/self/uid_map", setup->uid_map) &&
        write_file ("/proc/self/gid_map", setup->gid_map)))
    _exit (99);
}

static int
open_ns (GPid pid, const char *which)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/ns/%s", (int) pid, which);
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

/* A network namespace. As root, of the test's user namespace; as a user, of
 * a user namespace of its own (in which the user is root, so that ip may
 * set it up), or of @owner's. */
static void
netns_new (Netns *ns, const Netns *owner)
{
  const char *argv[] = { "sleep", "3600", NULL };
  NetnsSetup setup = { .join_user = -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *ours = g_file_read_link ("/proc/self/ns/net", NULL);
  g_autofree char *path = NULL;
  g_autofree char *theirs = NULL;
  int status;

  if (geteuid () != 0 && owner == NULL)
    {
      setup.new_user = TRUE;
      g_snprintf (setup.uid_map, sizeof setup.uid_map, "0 %u 1", (guint) geteuid ());
      g_snprintf (setup.gid_map, sizeof setup.gid_map, "0 %u 1", (guint) getegid ());
    }
  else if (owner != NULL)
    setup.join_user = owner->user_fd;
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                      netns_child_setup, &setup, &ns->pid, &error))
    g_error ("sleep: %s", error->message);
  /* GLib returns once the child has run the setup and exec'd, or died */
  if (waitpid (ns->pid, &status, WNOHANG) == ns->pid)
    g_error ("no private network namespace for jackd (%s: %s)",
             geteuid () == 0 ? "unshare (CLONE_NEWNET)" : "a user namespace with a network namespace",
             WIFEXITED (status) && WEXITSTATUS (status) >= 100 ? g_strerror (WEXITSTATUS (status) - 100)
             : WIFEXITED (status) && WEXITSTATUS (status) == 99 ? "its uid_map could not be written"
             : "the child died");
  path = g_strdup_printf ("/proc/%d/ns/net", (int) ns->pid);
  theirs = g_file_read_link (path, NULL);
  g_assert_nonnull (ours);
  g_assert_nonnull (theirs);
  g_assert_cmpstr (theirs, !=, ours);
  ns->fd = open_ns (ns->pid, "net");
  ns->user_fd = geteuid () == 0 ? -1 : owner != NULL ? fcntl (owner->user_fd, F_DUPFD_CLOEXEC, 0) : open_ns (ns->pid, "user");
}

static void
netns_free (Netns *ns)
{
  close (ns->fd);
  if (ns->user_fd >= 0)
    close (ns->user_fd);
  kill (ns->pid, SIGKILL);
  waitpid (ns->pid, NULL, 0);
  g_spawn_close_pid (ns->pid);
}

/* @argv in @place, to its end; FALSE (and its output in the log) when it fails */
static gboolean
place_run (const Place *place, const char *const *argv, char **out)
{
  g_auto(GStrv) envp = place_envp (place);
  g_autofree char *command = g_strjoinv (" ", (char **) argv);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     place_child_setup, (gpointer) place, &text, NULL, &status, &error))
    g_error ("%s: %s", argv[0], error->message);
  if (out != NULL)
    *out = g_strdup (text);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("%s: %s\n%s", command, error->message, text);
      return FALSE;
    }
  return TRUE;
}

static void
place_must (const Place *place, const char *const *argv)
{
  if (!place_run (place, argv, NULL))
    g_error ("%s failed (see above)", argv[0]);
}

/* A long-running program in @place, its output in @log; it dies with the test */
static GPid
place_spawn (const Place *place, const char *command, const char *log)
{
  g_autofree char *line = g_strdup_printf ("exec %s >'%s' 2>&1", command, log);
  const char *argv[] = { "/bin/sh", "-c", line, NULL };
  g_auto(GStrv) envp = place_envp (place);
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_test_message ("starting: %s", command);
  if (!g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                      place_child_setup, (gpointer) place, &pid, &error))
    g_error ("%s: %s", command, error->message);
  return pid;
}

static void
log_tail (const char *log)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents (log, &text, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
      g_autoptr(GString) kept = g_string_new (NULL);
      guint n = g_strv_length (lines);

      /* the dummy driver's xruns say nothing */
      for (guint i = n > 200 ? n - 200 : 0; i < n; i++)
        if (strstr (lines[i], "XRun") == NULL)
          g_string_append_printf (kept, "%s\n", lines[i]);
      g_test_message ("--- %s:\n%s", log, kept->str);
    }
}

static void
stop (GPid *pid, const char *log)
{
  int status;

  if (*pid == 0)
    return;
  kill (*pid, SIGTERM);
  for (guint i = 0; i < 100 && waitpid (*pid, &status, WNOHANG) == 0; i++)
    g_usleep (100 * 1000);
  if (waitpid (*pid, &status, WNOHANG) == 0)
    {
      kill (*pid, SIGKILL);
      waitpid (*pid, &status, 0);
    }
  g_spawn_close_pid (*pid);
  *pid = 0;
  if (log != NULL)
    log_tail (log);
}

/* Waits until jack_lsp in @place lists a port containing @port (or, with
 * NULL, answers at all) */
static void
wait_jack (const Place *place, const char *port, const char *const *logs, const char *what)
{
  const char *argv[] = { "jack_lsp", NULL };
  gint64 deadline = g_get_monotonic_time () + JACK_SECS * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *out = NULL;

      if (place_run (place, argv, &out) && (port == NULL || strstr (out, port) != NULL))
        return;
      if (g_get_monotonic_time () > deadline)
        {
          for (guint i = 0; logs[i] != NULL; i++)
            log_tail (logs[i]);
          g_error ("%s: not there after %d s; jack_lsp says:\n%s", what, JACK_SECS, out ? out : "");
        }
      g_usleep (200 * 1000);
    }
}

static void
test_netjack_jack2 (void)
{
  RthHarness *h = get_harness ();
  g_autoptr(RefractMachine) machine = find_or_define (h, NETJACK_NAME, FALSE);
  g_autoptr(RefractNetjackConfig) config = refract_netjack_config_new ();
  g_autofree char *logs = g_build_filename (h->dir, "jack", NULL);
  g_autofree char *master_log = g_build_filename (logs, "jackd-host.log", NULL);
  g_autofree char *follower_log = g_build_filename (logs, "jackd-guest.log", NULL);
  const char *logs_to_show[] = { master_log, follower_log, NULL };
  g_autofree char *master_name = g_strdup_printf ("refract-it-host-%d", (int) getpid ());
  g_autofree char *follower_name = g_strdup_printf ("refract-it-guest-%d", (int) getpid ());
  g_autofree char *command = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *peer = NULL;
  const char *restart_args[] = { "netjack-restart", NETJACK_NAME, NULL };
  const char *status_args[] = { "status", NETJACK_NAME, NULL };
  const char *json_args[] = { "--json", "status", NETJACK_NAME, NULL };
  Netns host_ns, guest_ns;
  Place host, guest;
  GPid master = 0, follower = 0;
  int status;

  g_autofree char *jackd = g_find_program_in_path ("jackd");
  g_autofree char *jack_load = g_find_program_in_path ("jack_load");

  if (jackd == NULL || jack_load == NULL)
    g_error ("jackd and jack_load are not installed: build-aux/deps.sh test installs jackd2");
  g_assert_cmpint (g_mkdir_with_parents (logs, 0755), ==, 0);

  /* ---- two network namespaces, "host" and "guest", on a veth pair, with
   * the multicast route NETJACK2 needs; nothing changes in the test's own */
  rth_step (h, "jack2: network namespaces");
  netns_new (&host_ns, NULL);
  netns_new (&guest_ns, &host_ns);
  host = (Place) { host_ns.fd, host_ns.user_fd, master_name };
  guest = (Place) { guest_ns.fd, guest_ns.user_fd, follower_name };
  peer = g_strdup_printf ("%d", (int) guest_ns.pid);
  {
    const char *lo[] = { "ip", "link", "set", "lo", "up", NULL };
    const char *veth[] = { "ip", "link", "add", "rfjh0", "type", "veth", "peer", "name", "rfjg0", "netns", peer, NULL };
    const char *host_addr[] = { "ip", "addr", "add", "10.77.0.1/24", "dev", "rfjh0", NULL };
    const char *host_up[] = { "ip", "link", "set", "rfjh0", "up", NULL };
    const char *host_route[] = { "ip", "route", "add", "224.0.0.0/4", "dev", "rfjh0", NULL };
    const char *guest_addr[] = { "ip", "addr", "add", "10.77.0.2/24", "dev", "rfjg0", NULL };
    const char *guest_up[] = { "ip", "link", "set", "rfjg0", "up", NULL };
    const char *guest_route[] = { "ip", "route", "add", "224.0.0.0/4", "dev", "rfjg0", NULL };

    place_must (&host, lo);
    place_must (&guest, lo);
    place_must (&host, veth);
    place_must (&host, host_addr);
    place_must (&host, host_up);
    place_must (&host, host_route);
    place_must (&guest, guest_addr);
    place_must (&guest, guest_up);
    place_must (&guest, guest_route);
  }

  /* ---- the host's jackd, on the dummy driver, no netmanager yet */
  rth_step (h, "jack2: the host's jackd");
  command = g_strdup_printf ("jackd --no-realtime --name %s -d dummy -r 48000 -p 1024", master_name);
  master = place_spawn (&host, command, master_log);
  g_clear_pointer (&command, g_free);
  wait_jack (&host, NULL, logs_to_show, "the host's jackd");

  config->enabled = TRUE;
  config->backend = REFRACT_NETJACK_BACKEND_JACK2;
  config->sample_rate = 48000;
  config->period = 1024;
  config->client_name = g_strdup ("refract-guest");
  /* what a user would put there: reload jack2's netmanager */
  config->restart_command = g_strdup_printf ("sh -c 'timeout 20 jack_unload netmanager >/dev/null 2>&1; "
                                             "timeout 20 jack_load netmanager -i \"-a %s -p %u -c\"'",
                                             config->address, config->port);
  save_netjack (machine, config);

  status = dsp_run (h, &host, status_args, &out, &err);
  g_assert_cmpint (status, <=, 1);
  assert_contains (out, "  jack2, 225.3.19.154:19000, 2 → / 2 ← channels, float\n");
  assert_contains (out, "  Manager: no   UDP port bound: no   Followers: none\n");
  assert_contains (out, "    jack2 (jack_lsp): 0 NETJACK2 clients\n");
  assert_contains (out, "    UDP port 19000 (/proc/net/udp): not bound\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ---- netjack-restart loads the netmanager: present, the port bound by
   * jackd, no follower yet */
  rth_step (h, "jack2: netjack-restart loads the netmanager");
  status = dsp_run (h, &host, restart_args, &out, &err);
  g_assert_cmpint (status, ==, 0);
  assert_contains (out, "netmanager is running.\n");
  assert_contains (out, "The NETJACK bridge was restarted.\n");
  assert_contains (out, "The NETJACK bridge was restarted.\n"
                        "  Manager: yes (jack2)   UDP port bound: yes   Followers: none\n");
  assert_contains (out, "    jack2 (jack_lsp): 0 NETJACK2 clients\n");
  line = g_strdup_printf ("    UDP port 19000 (/proc/net/udp): bound by jackd (process %d)\n", (int) master);
  assert_contains (out, line);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = dsp_run (h, &host, status_args, &out, &err);
  g_assert_cmpint (status, <=, 1);
  assert_contains (out, "  Manager: yes (jack2)   UDP port bound: yes   Followers: none\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ---- the guest's follower joins over the veth */
  rth_step (h, "jack2: a follower joins from the guest's namespace");
  command = g_strdup_printf ("jackd --no-realtime --name %s -d net -a %s -p %u -n refract-guest -l 2",
                             follower_name, config->address, config->port);
  follower = place_spawn (&guest, command, follower_log);
  g_clear_pointer (&command, g_free);
  wait_jack (&host, "refract-guest:from_slave_1", logs_to_show, "the follower's ports on the host");

  status = dsp_run (h, &host, status_args, &out, &err);
  assert_contains (out, "  Manager: yes (jack2)   UDP port bound: yes   Followers: refract-guest\n");
  assert_contains (out, "    jack2 (jack_lsp): 1 NETJACK2 clients\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *root, *netjack;
    int json_status = dsp_run (h, &host, json_args, &out, &err);

    g_assert_cmpint (json_status, ==, status);
    json_parser_load_from_data (parser, out, -1, &error);
    g_assert_no_error (error);
    root = json_node_get_object (json_parser_get_root (parser));
    netjack = json_object_get_object_member (root, "netjack");
    g_assert_nonnull (netjack);
    g_assert_cmpstr (json_object_get_string_member (netjack, "backend"), ==, "jack2");
    g_assert_cmpint (json_object_get_int_member (netjack, "port"), ==, 19000);
    g_assert_cmpstr (json_object_get_string_member (netjack, "manager"), ==, "yes");
    g_assert_cmpstr (json_object_get_string_member (netjack, "port_bound"), ==, "yes");
    g_assert_cmpint (json_object_get_boolean_member (root, "ok"), ==, status == 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* ---- restarting the bridge drops the follower, which joins again */
  rth_step (h, "jack2: netjack-restart with a follower");
  status = dsp_run (h, &host, restart_args, &out, &err);
  g_assert_cmpint (status, ==, 0);
  assert_contains (out, "netmanager is running.\n");
  assert_contains (out, "  Manager: yes (jack2)   UDP port bound: yes   Followers: ");
  line = g_strdup_printf ("    UDP port 19000 (/proc/net/udp): bound by jackd (process %d)\n", (int) master);
  assert_contains (out, line);
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  wait_jack (&host, "refract-guest:from_slave_1", logs_to_show, "the follower back after the restart");
  rth_step (h, "jack2: the follower is back");

  /* ---- the follower leaves: the manager waits on, with no follower */
  stop (&follower, follower_log);
  {
    gint64 deadline = g_get_monotonic_time () + JACK_SECS * G_USEC_PER_SEC;

    /* the manager notices when the follower's packets stop */
    for (;;)
      {
        status = dsp_run (h, &host, status_args, &out, &err);
        if (strstr (out, "Followers: none") != NULL || g_get_monotonic_time () > deadline)
          break;
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
        g_usleep (500 * 1000);
      }
    assert_contains (out, "  Manager: yes (jack2)   UDP port bound: yes   Followers: none\n");
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* ---- no jackd at all: jack_lsp can't tell, the port is free */
  rth_step (h, "jack2: the host's jackd stopped");
  stop (&master, master_log);
  status = dsp_run (h, &host, status_args, &out, &err);
  assert_contains (out, "  Manager: unknown   UDP port bound: no   Followers: none\n");
  assert_contains (out, "    jack_lsp: unknown (jack_lsp exited with status 1)\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* and restarting then fails, saying why */
  status = dsp_run (h, &host, restart_args, &out, &err);
  g_assert_cmpint (status, ==, 1);
  assert_contains (err, "The NETJACK restart command failed (exit status 1): ");
  g_assert_null (strstr (out, "was restarted"));

  netns_free (&guest_ns);
  netns_free (&host_ns);
}

int
main (int argc, char *argv[])
{
  int ret;

  rt_init (&argc, &argv);
  g_test_add_func ("/integration/dsp-cli/console", test_console);
  g_test_add_func ("/integration/dsp-cli/console-errors", test_console_errors);
  g_test_add_func ("/integration/dsp-cli/netjack-restart", test_netjack_restart);
  g_test_add_func ("/integration/dsp-cli/netjack-jack2", test_netjack_jack2);
  ret = g_test_run ();
  if (harness_started)
    rth_teardown (&harness, NULL);
  return ret;
}
