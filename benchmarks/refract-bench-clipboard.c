/* refract-bench-clipboard.c: the shared clipboard's round trip
 *
 *   xvfb-run -a refract-bench-clipboard [--runs N] [--size BYTES]
 *
 * Host → guest → host with 1 MiB of text (80-column lines) through an
 * in-process libspice-server and a vdagent device that plays the guest agent
 * (refract-test-spice-server.c), over its unix socket. The clock starts when
 * the host clipboard is set; RefractClipboardBridge grabs for the guest, the
 * "guest" requests the text as soon as the grab arrives, receives it, grabs it
 * back, and answers the host's request; the clock stops when the host's
 * gdk_clipboard_read_text_async () returns the text, which is compared.
 * The agent announces LF line ends, so no conversion changes the bytes.
 *
 * See CONSOLE.md. SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <spice/vd_agent.h>
#include <stdio.h>
#include <stdlib.h>

#include "refract-clipboard-bridge.h"
#include "refract-spice-session-private.h"
#include "refract-test-spice-server.h"

static int n_runs = 20;
static int size = 1024 * 1024;

typedef struct
{
  RtsServer *server;
  GBytes    *received;   /* what the guest got; it hands it back */
} Guest;

static void
guest_hook (const RtsAgentMessage *message, gpointer user_data)
{
  Guest *guest = user_data;
  guint32 type = VD_AGENT_CLIPBOARD_UTF8_TEXT;

  switch (message->type)
    {
    case VD_AGENT_CLIPBOARD_GRAB:
      rts_agent_clipboard_request (guest->server, message->selection, type);
      break;
    case VD_AGENT_CLIPBOARD:
      g_clear_pointer (&guest->received, g_bytes_unref);
      guest->received = g_bytes_ref (message->data);
      rts_agent_clipboard_grab (guest->server, message->selection, &type, 1);
      break;
    case VD_AGENT_CLIPBOARD_REQUEST:
      rts_agent_clipboard_data (guest->server, message->selection, type,
                                g_bytes_get_data (guest->received, NULL),
                                g_bytes_get_size (guest->received));
      break;
    default:
      break;
    }
}

static gboolean
wait_for (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
    }
  return TRUE;
}

static gboolean
agent_ready (gpointer bridge)
{
  return refract_clipboard_bridge_get_agent_connected (bridge);
}

static gboolean
offer_changed (gpointer before)
{
  GdkContentProvider *now = gdk_clipboard_get_content (gdk_display_get_clipboard (gdk_display_get_default ()));

  return now != NULL && now != before;
}

static gboolean
is_set (gpointer slot)
{
  return *(char **) slot != NULL;
}

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (*out == NULL)
    *out = g_strdup_printf ("<error: %s>", error->message);
}

static char *
make_text (int run)
{
  GString *text = g_string_sized_new (size);

  while ((int) text->len < size)
    {
      gsize col = text->len % 81;

      g_string_append_c (text, col == 80 ? '\n' : 'a' + (char) ((text->len / 81 + run) % 26));
    }
  return g_string_free (text, FALSE);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* One round trip in ms; < 0 when it failed. */
static double
round_trip (int run)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());
  g_autofree char *text = make_text (run);
  g_autofree char *back = NULL;
  GdkContentProvider *ours;
  gint64 start;

  start = g_get_monotonic_time ();
  gdk_clipboard_set_text (clipboard, text);
  ours = gdk_clipboard_get_content (clipboard);
  if (!wait_for (offer_changed, ours, 10))
    return -1;
  gdk_clipboard_read_text_async (clipboard, NULL, read_done, &back);
  if (!wait_for (is_set, &back, 10))
    return -1;
  if (g_strcmp0 (back, text) != 0)
    {
      g_printerr ("run %d: the text came back changed (%zu bytes)\n", run, strlen (back));
      return -1;
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int argc, char *argv[])
{
  static const guint32 caps[] = {
    VD_AGENT_CAP_CLIPBOARD_BY_DEMAND, VD_AGENT_CAP_CLIPBOARD_SELECTION, VD_AGENT_CAP_GUEST_LINEEND_LF,
  };
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Round trips (20)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Bytes of text (1048576)", "BYTES" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RefractSpiceSession) session = NULL;
  g_autoptr(RefractClipboardBridge) bridge = NULL;
  g_autofree double *ms = NULL;
  Guest guest = { NULL, NULL };
  RtsServer *server;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("refract-bench-clipboard needs a display (xvfb-run -a)\n");
      return 77;
    }
  server = rts_server_new ();
  rts_server_add_agent (server, caps, G_N_ELEMENTS (caps));
  guest.server = server;
  rts_agent_set_hook (server, guest_hook, &guest);
  session = _refract_spice_session_new_for_unix_path (rts_server_get_path (server));
  bridge = refract_clipboard_bridge_new (session);
  refract_clipboard_bridge_set_host_to_guest (bridge, TRUE);
  refract_clipboard_bridge_set_guest_to_host (bridge, TRUE);
  refract_spice_session_connect (session);
  if (!wait_for (agent_ready, bridge, 10))
    {
      g_printerr ("the agent did not connect\n");
      return 1;
    }

  ms = g_new0 (double, n_runs);
  round_trip (-1);   /* warm-up: first PNG/text paths, page faults */
  for (int i = 0; i < n_runs; i++)
    if ((ms[i] = round_trip (i)) < 0)
      {
        g_printerr ("run %d failed\n", i);
        return 1;
      }
  qsort (ms, n_runs, sizeof *ms, compare_doubles);
  printf ("clipboard round trip, host → guest → host, %d bytes of text, %d runs:\n", size, n_runs);
  printf ("  median %.1f ms   min %.1f ms   max %.1f ms   (target ≤ 100 ms)\n",
          ms[n_runs / 2], ms[0], ms[n_runs - 1]);

  rts_agent_set_hook (server, NULL, NULL);
  g_clear_pointer (&guest.received, g_bytes_unref);
  refract_spice_session_disconnect (session);
  return 0;
}
