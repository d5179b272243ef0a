/* refract-cli-console.c: refract-dsp console and netjack-restart
 *
 * The console is virsh console's job done over a libvirt stream in
 * non-blocking mode, driven by the GLib main loop libvirt-glib registered:
 * the terminal goes raw, Ctrl+] leaves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "refract-cli-private.h"
#include "refract-connection-private.h"
#include "refract-netjack-config.h"
#include "refract-netjack-probe.h"

#define ESCAPE_CHAR 0x1d /* Ctrl+] */

typedef enum
{
  END_NONE,
  END_ESCAPE,         /* Ctrl+] */
  END_INPUT_CLOSED,   /* stdin reached its end */
  END_STREAM_CLOSED,  /* the machine stopped, or another session took the console */
  END_FAILED,
  END_SIGNAL,         /* SIGTERM, SIGHUP or SIGINT from elsewhere (raw mode makes no SIGINT) */
} ConsoleEnd;

typedef struct
{
  GMainLoop   *loop;
  virStreamPtr stream;
  guint        watch;   /* stdin; 0 once removed */
  ConsoleEnd   end;
  char        *error;   /* END_FAILED: what libvirt said */
  int          signum;  /* END_SIGNAL */
} Console;

static void
console_end (Console    *console,
             ConsoleEnd  end)
{
  if (console->end == END_NONE)
    {
      console->end = end;
      if (end == END_FAILED)
        console->error = g_strdup (virGetLastErrorMessage ());
    }
  g_main_loop_quit (console->loop);
}

static void
stream_event (virStreamPtr stream,
              int          events,
              void        *opaque)
{
  Console *console = opaque;
  char buffer[4096];

  while (events & VIR_STREAM_EVENT_READABLE)
    {
      int got = virStreamRecv (stream, buffer, sizeof buffer);

      if (got == -2)
        break;
      if (got <= 0)
        {
          console_end (console, got < 0 ? END_FAILED : END_STREAM_CLOSED);
          return;
        }
      if (write (STDOUT_FILENO, buffer, got) < 0 && errno != EAGAIN)
        break;
    }
  if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
    console_end (console, END_STREAM_CLOSED);
}

typedef struct
{
  Console *console;
  int      signum;
} SignalWatch;

/* A signal must not leave the terminal raw: leave as after Ctrl+] */
static gboolean
signalled (gpointer user_data)
{
  SignalWatch *watch = user_data;

  if (watch->console->end == END_NONE)
    watch->console->signum = watch->signum;
  console_end (watch->console, END_SIGNAL);
  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_ready (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  Console *console = user_data;
  char buffer[1024];
  ssize_t got = read (fd, buffer, sizeof buffer);
  ssize_t sent = 0;

  if (got <= 0)
    {
      console->watch = 0;
      console_end (console, END_INPUT_CLOSED);
      return G_SOURCE_REMOVE;
    }
  for (ssize_t i = 0; i < got; i++)
    if (buffer[i] == ESCAPE_CHAR)
      {
        got = i;
        console_end (console, END_ESCAPE);
      }
  while (sent < got)
    {
      int n = virStreamSend (console->stream, buffer + sent, got - sent);

      if (n == -2)
        continue;  /* rare: a full stream; the guest reads soon */
      if (n < 0)
        {
          console->watch = 0;
          console_end (console, END_FAILED);
          return G_SOURCE_REMOVE;
        }
      sent += n;
    }
  return G_SOURCE_CONTINUE;
}

/* The devices libvirt opens a console on: the first <console>, else the
 * first <serial>. Without one, libvirt only says "cannot find character
 * device <null>". -1 when the XML can't be read. */
static int
count_console_devices (virDomainPtr dom)
{
  g_autofree char *xml = virDomainGetXMLDesc (dom, 0);
  xmlDocPtr doc = xml ? xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                      : NULL;
  xmlXPathContextPtr ctx = doc ? xmlXPathNewContext (doc) : NULL;
  xmlXPathObjectPtr result = NULL;
  int count = -1;

  if (ctx != NULL)
    result = xmlXPathEvalExpression ((const xmlChar *) "count(/domain/devices/console"
                                     " | /domain/devices/serial)", ctx);
  if (result != NULL && result->type == XPATH_NUMBER)
    count = (int) result->floatval;
  xmlXPathFreeObject (result);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return count;
}

static int
console_attach (virDomainPtr dom,
                const char  *name)
{
  virStreamPtr stream = virStreamNew (virDomainGetConnect (dom), VIR_STREAM_NONBLOCK);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Console console = { loop, stream, 0, END_NONE, NULL };
  struct termios saved, raw;
  gboolean tty = isatty (STDIN_FILENO);
  SignalWatch signals[] = { { NULL, SIGTERM }, { NULL, SIGHUP }, { NULL, SIGINT } };
  guint signal_ids[G_N_ELEMENTS (signals)];
  int ret = 0;

  if (stream == NULL || virDomainOpenConsole (dom, NULL, stream, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
      virStreamEventAddCallback (stream, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR |
                                 VIR_STREAM_EVENT_HANGUP, stream_event, &console, NULL) < 0)
    {
      g_printerr (_("Could not open the serial console of “%s”: %s\n"), name, virGetLastErrorMessage ());
      if (stream)
        virStreamFree (stream);
      return 1;
    }
  /* before the greeting: a signal that comes once it is shown must find the
   * watches in place, or it ends the process with the terminal raw */
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      signals[i].console = &console;
      signal_ids[i] = g_unix_signal_add (signals[i].signum, signalled, &signals[i]);
    }
  g_printerr (_("Connected to the console of “%s”. Press Ctrl+] to leave.\n"), name);
  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      raw = saved;
      cfmakeraw (&raw);
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw);
    }
  else
    tty = FALSE;
  console.watch = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP, stdin_ready, &console);
  g_main_loop_run (loop);
  if (console.watch != 0)
    g_source_remove (console.watch);
  if (tty)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    g_source_remove (signal_ids[i]);
  virStreamEventRemoveCallback (stream);
  if (console.end == END_ESCAPE || console.end == END_INPUT_CLOSED || console.end == END_SIGNAL)
    virStreamFinish (stream);
  else
    virStreamAbort (stream);
  virStreamFree (stream);
  g_printerr ("\n");
  switch (console.end)
    {
    case END_STREAM_CLOSED:
    case END_FAILED:
      /* the end of the stream comes as QEMU exits, a moment before libvirt
       * has the machine shut off */
      for (guint i = 0; console.end == END_STREAM_CLOSED && i < 50 && virDomainIsActive (dom) == 1; i++)
        g_usleep (100 * 1000);
      if (virDomainIsActive (dom) != 1)
        {
          g_printerr (_("“%s” stopped; its console is closed.\n"), name);
          break;
        }
      /* with VIR_DOMAIN_CONSOLE_FORCE a newer session takes the console,
       * and libvirt only says "stream had I/O failure" */
      /* Translators: the second %s is libvirt's message, e.g. "stream had I/O failure" */
      g_printerr (_("The console of “%s” was closed while the machine runs (%s): another session, "
                    "such as Refract's console or virsh console, may have taken it over.\n"),
                  name, console.error ? console.error : _("closed by libvirt"));
      ret = 1;
      break;
    case END_SIGNAL:
      /* as the shell reports a program the signal ended */
      ret = 128 + console.signum;
      break;
    case END_NONE:
    case END_ESCAPE:
    case END_INPUT_CLOSED:
    default:
      break;
    }
  g_free (console.error);
  return ret;
}

int
_refract_cli_console (RefractConnection *connection,
                      RefractMachine    *machine)
{
  virConnectPtr conn = _refract_connection_ref_handle (connection);
  virDomainPtr dom;
  int ret;

  if (conn == NULL)
    return 1;
  dom = virDomainLookupByName (conn, refract_machine_get_name (machine));
  virConnectClose (conn);
  if (dom == NULL)
    {
      g_printerr ("%s\n", virGetLastErrorMessage ());
      return 1;
    }
  if (virDomainIsActive (dom) != 1)
    {
      g_printerr (_("“%s” is not running; start it first.\n"), refract_machine_get_name (machine));
      virDomainFree (dom);
      return 1;
    }
  if (count_console_devices (dom) == 0)
    {
      g_printerr (_("“%s” has no serial console.\n"), refract_machine_get_name (machine));
      g_printerr ("%s\n", _("Add a serial port to its hardware (<serial type='pty'/>) to use one."));
      virDomainFree (dom);
      return 1;
    }
  ret = console_attach (dom, refract_machine_get_name (machine));
  virDomainFree (dom);
  return ret;
}

/* ---- netjack-restart ------------------------------------------------------------------- */

int
_refract_cli_restart (RefractConnection *connection,
                      RefractMachine    *machine,
                      gboolean           json)
{
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GAsyncResult) restarted = NULL;
  g_autoptr(RefractNetjackConfig) config = NULL;
  g_autoptr(RefractNetjackProbe) probe = NULL;
  g_autoptr(RefractNetjackStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  refract_netjack_config_load_async (machine, NULL, _refract_cli_store_result, &loaded);
  config = refract_netjack_config_load_finish (_refract_cli_wait (&loaded), &error);
  if (config == NULL)
    {
      _refract_cli_print_error (error);
      return 1;
    }
  /* a machine without NETJACK (the defaults come back) must not restart
   * the user's PipeWire */
  if (!config->enabled)
    {
      g_printerr (_("NETJACK is not set up for “%s”: there is no bridge to restart.\n"),
                  refract_machine_get_name (machine));
      g_printerr ("%s\n", _("Turn it on in the machine's NETJACK settings in Refract."));
      return 1;
    }
  refract_netjack_restart_async (config, NULL, _refract_cli_store_result, &restarted);
  output = refract_netjack_restart_finish (_refract_cli_wait (&restarted), &error);
  if (output == NULL)
    {
      _refract_cli_print_error (error);
      return 1;
    }
  if (*output)
    g_print ("%s", output);
  g_print (_("The NETJACK bridge was restarted.\n"));
  probe = refract_netjack_probe_new ("/");
  status = refract_netjack_probe_run (probe, config);
  _refract_cli_print_probe (status);
  return 0;
}
