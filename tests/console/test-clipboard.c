/* test-clipboard.c: the shared clipboard through a real SPICE server
 *
 * An in-process libspice-server (refract-test-spice-server.c) with a vdagent
 * char device that speaks the agent protocol; the test plays the guest's
 * agent, RefractClipboardBridge the host side on this process's X11
 * clipboards (Xvfb). Its own process: the server is one per process.
 * Screenshots of the console toolbar's clipboard popover go to
 * SCREENSHOT_DIR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <spice/vd_agent.h>

#include "refract-clipboard-bridge.h"
#include "refract-console-page.h"
#include "refract-console.h"
#include "refract-keymap.h"
#include "refract-spice-session-private.h"
#include "refract-test-render.h"
#include "refract-test-spice-server.h"
#include "refract-test-util.h"

#define SEL_CLIPBOARD VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD
#define SEL_PRIMARY   VD_AGENT_CLIPBOARD_SELECTION_PRIMARY

static RtsServer              *server;
static RefractSpiceSession    *session;
static RefractClipboardBridge *bridge;
static GArray                 *transfers;   /* int directions */
static GArray                 *refusals;    /* int directions */

static const guint32 caps_crlf[] = {
  VD_AGENT_CAP_CLIPBOARD_BY_DEMAND, VD_AGENT_CAP_CLIPBOARD_SELECTION, VD_AGENT_CAP_GUEST_LINEEND_CRLF,
};
static const guint32 caps_lf[] = {
  VD_AGENT_CAP_CLIPBOARD_BY_DEMAND, VD_AGENT_CAP_CLIPBOARD_SELECTION, VD_AGENT_CAP_GUEST_LINEEND_LF,
};
static const guint32 caps_no_selection[] = {
  VD_AGENT_CAP_CLIPBOARD_BY_DEMAND, VD_AGENT_CAP_GUEST_LINEEND_LF,
};

/* ---- helpers --------------------------------------------------------------- */

static GdkClipboard *
host (guint selection)
{
  GdkDisplay *display = gdk_display_get_default ();

  return selection == SEL_PRIMARY ? gdk_display_get_primary_clipboard (display)
                                  : gdk_display_get_clipboard (display);
}

static GPtrArray *
agent_log (void)
{
  return rts_agent_get_messages (server);
}

/* The first message of @type on @selection the agent got, or NULL. */
static const RtsAgentMessage *
agent_find (guint32 type, guint selection)
{
  GPtrArray *log = agent_log ();

  for (guint i = 0; i < log->len; i++)
    {
      const RtsAgentMessage *message = log->pdata[i];

      if (message->type == type && message->selection == selection)
        return message;
    }
  return NULL;
}

/* The guest copies @types: waits for its offer to replace the host clipboard's content. */
static void
guest_copy (guint selection, const guint32 *types, guint n_types)
{
  GdkContentProvider *before = gdk_clipboard_get_content (host (selection));

  rts_agent_clipboard_grab (server, selection, types, n_types);
  rt_wait_until (gdk_clipboard_get_content (host (selection)) != NULL
                 && gdk_clipboard_get_content (host (selection)) != before,
                 10, "the guest's offer on the host clipboard");
}

static const RtsAgentMessage *
agent_wait (guint32 type, guint selection, const char *what)
{
  rt_wait_until (agent_find (type, selection) != NULL, 10, what);
  return agent_find (type, selection);
}

static gboolean
grab_has (const RtsAgentMessage *grab, guint32 type)
{
  gsize n = g_bytes_get_size (grab->data) / 4;
  const guint32 *types = g_bytes_get_data (grab->data, NULL);

  for (gsize i = 0; i < n; i++)
    if (types[i] == type)
      return TRUE;
  return FALSE;
}

static void
plug_agent (const guint32 *caps, guint n_caps)
{
  if (rts_server_has_agent (server))
    {
      rts_server_remove_agent (server);
      rt_wait_until (!refract_clipboard_bridge_get_agent_connected (bridge), 10, "the agent to go");
    }
  rts_server_add_agent (server, caps, n_caps);
  rt_wait_until (refract_clipboard_bridge_get_agent_connected (bridge), 10, "the agent");
  /* what the bridge tells a new agent about the host clipboard (its offer of
   * the current content) may still be on the way: let it land before the log
   * is cleared, or a case can take it for the answer to its own request */
  rt_spin (300);
  g_ptr_array_set_size (agent_log (), 0);
}

static void
reset (void)
{
  rts_agent_set_hook (server, NULL, NULL);
  refract_clipboard_bridge_set_host_to_guest (bridge, TRUE);
  refract_clipboard_bridge_set_guest_to_host (bridge, TRUE);
  refract_clipboard_bridge_set_size_limit (bridge, REFRACT_CLIPBOARD_DEFAULT_LIMIT);
  g_array_set_size (transfers, 0);
  g_array_set_size (refusals, 0);
  g_ptr_array_set_size (agent_log (), 0);
}

static void
on_transferred (RefractClipboardBridge *b, int direction, guint64 bytes, gpointer data)
{
  g_array_append_val (transfers, direction);
}

static void
on_refused (RefractClipboardBridge *b, int direction, guint64 bytes, gpointer data)
{
  g_array_append_val (refusals, direction);
}

/* Host → guest: the host copies @text, the agent pastes it. */
static GBytes *
guest_paste_text (guint selection, const char *text)
{
  const RtsAgentMessage *grab;
  const RtsAgentMessage *data;

  g_ptr_array_set_size (agent_log (), 0);
  gdk_clipboard_set_text (host (selection), text);
  grab = agent_wait (VD_AGENT_CLIPBOARD_GRAB, selection, "the host's grab");
  g_assert_true (grab_has (grab, VD_AGENT_CLIPBOARD_UTF8_TEXT));
  rts_agent_clipboard_request (server, selection, VD_AGENT_CLIPBOARD_UTF8_TEXT);
  data = agent_wait (VD_AGENT_CLIPBOARD, selection, "the host's clipboard data");
  g_assert_cmpuint (data->clip_type, ==, VD_AGENT_CLIPBOARD_UTF8_TEXT);
  return g_bytes_ref (data->data);
}

/* The agent answers every request with what the hook's data says. */
typedef struct
{
  guint32  type;
  GBytes  *payload;
  guint    requests;
} Answer;

static void
answer_hook (const RtsAgentMessage *message, gpointer user_data)
{
  Answer *answer = user_data;

  if (message->type != VD_AGENT_CLIPBOARD_REQUEST)
    return;
  answer->requests++;
  if (answer->payload != NULL)
    rts_agent_clipboard_data (server, message->selection, answer->type,
                              g_bytes_get_data (answer->payload, NULL),
                              g_bytes_get_size (answer->payload));
}

static void
read_text_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (*out == NULL)
    *out = g_strdup_printf ("<error: %s>", error->message);
}

static char *
host_read_text (guint selection)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (host (selection), NULL, read_text_cb, &text);
  rt_wait_until (text != NULL, 10, "the host's paste");
  return text;
}

/* Guest → host: the agent copies @payload as @type, the host pastes text. */
static char *
host_paste_text (guint selection, const char *payload, gsize size)
{
  Answer answer = { VD_AGENT_CLIPBOARD_UTF8_TEXT, g_bytes_new (payload, size), 0 };
  guint32 type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
  char *text;

  rts_agent_set_hook (server, answer_hook, &answer);
  guest_copy (selection, &type, 1);
  text = host_read_text (selection);
  rts_agent_set_hook (server, NULL, NULL);
  g_bytes_unref (answer.payload);
  return text;
}

static void
assert_bytes_str (GBytes *bytes, const char *want)
{
  g_autofree char *got = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_assert_cmpstr (got, ==, want);
}

/* ---- cases ------------------------------------------------------------------ */

static void
test_host_to_guest_text (void)
{
  g_autoptr(GBytes) got = NULL;

  reset ();
  plug_agent (caps_crlf, G_N_ELEMENTS (caps_crlf));
  got = guest_paste_text (SEL_CLIPBOARD, "héllo\nworld\n");
  assert_bytes_str (got, "héllo\r\nworld\r\n");
  g_assert_cmpuint (transfers->len, ==, 1);
  g_assert_cmpint (g_array_index (transfers, int, 0), ==, REFRACT_CLIPBOARD_HOST_TO_GUEST);
}

static void
test_guest_to_host_text (void)
{
  static const char payload[] = "from\r\nthe guest\r\n";   /* with the NUL */
  g_autofree char *text = NULL;

  reset ();
  plug_agent (caps_crlf, G_N_ELEMENTS (caps_crlf));
  text = host_paste_text (SEL_CLIPBOARD, payload, sizeof payload);
  g_assert_cmpstr (text, ==, "from\nthe guest\n");
  rt_wait_until (transfers->len == 1, 10, "the transferred signal");
  g_assert_cmpint (g_array_index (transfers, int, 0), ==, REFRACT_CLIPBOARD_GUEST_TO_HOST);

  /* the guest lets go: the host clipboard no longer offers it */
  rts_agent_clipboard_release (server, SEL_CLIPBOARD);
  rt_wait_until (gdk_clipboard_get_content (host (SEL_CLIPBOARD)) == NULL, 10, "the release");
}

/* A guest whose lines end in LF gets and gives text unchanged. */
static void
test_lineends_lf (void)
{
  g_autoptr(GBytes) got = NULL;
  g_autofree char *text = NULL;

  reset ();
  plug_agent (caps_lf, G_N_ELEMENTS (caps_lf));
  got = guest_paste_text (SEL_CLIPBOARD, "a\nb\r\nc");
  assert_bytes_str (got, "a\nb\r\nc");
  text = host_paste_text (SEL_CLIPBOARD, "x\r\ny\n", 5);
  g_assert_cmpstr (text, ==, "x\r\ny\n");
  plug_agent (caps_crlf, G_N_ELEMENTS (caps_crlf));
}

static GdkTexture *
make_texture (int width, int height)
{
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 4);
  g_autoptr(GBytes) bytes = NULL;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + ((gsize) y * width + x) * 4;

        p[0] = x * 255 / width, p[1] = y * 255 / height, p[2] = 0x40, p[3] = 0xff;
      }
  bytes = g_bytes_new_take (g_steal_pointer (&pixels), (gsize) width * height * 4);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, width * 4);
}

static void
assert_same_pixels (GdkTexture *a, GdkTexture *b)
{
  int w = gdk_texture_get_width (a), h = gdk_texture_get_height (a);
  g_autofree guint8 *pa = g_malloc ((gsize) w * h * 4);
  g_autofree guint8 *pb = g_malloc ((gsize) w * h * 4);

  g_assert_cmpint (gdk_texture_get_width (b), ==, w);
  g_assert_cmpint (gdk_texture_get_height (b), ==, h);
  gdk_texture_download (a, pa, w * 4);
  gdk_texture_download (b, pb, w * 4);
  g_assert_cmpmem (pa, (gsize) w * h * 4, pb, (gsize) w * h * 4);
}

static void
read_texture_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GdkTexture **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

/* The guest copies an image as @type (PNG or BMP); the host pastes a texture. */
static void
guest_to_host_image (GdkTexture *image, guint32 type, const char *format)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_get_from_texture (image);
  g_autofree char *encoded = NULL;
  gsize size = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) pasted = NULL;
  Answer answer = { type, NULL, 0 };

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &encoded, &size, format, &error, NULL));
  g_assert_no_error (error);
  answer.payload = g_bytes_new (encoded, size);
  rts_agent_set_hook (server, answer_hook, &answer);
  guest_copy (SEL_CLIPBOARD, &type, 1);
  gdk_clipboard_read_texture_async (host (SEL_CLIPBOARD), NULL, read_texture_cb, &pasted);
  rt_wait_until (pasted != NULL, 10, "the host's image paste");
  assert_same_pixels (image, pasted);
  g_assert_cmpuint (answer.requests, ==, 1);
  rts_agent_set_hook (server, NULL, NULL);
  g_bytes_unref (answer.payload);
}

static void
test_image (void)
{
  g_autoptr(GdkTexture) image = make_texture (40, 30);
  g_autoptr(GdkTexture) received = NULL;
  const RtsAgentMessage *grab, *data;
  g_autoptr(GError) error = NULL;
  static const guint8 png_magic[] = { 0x89, 'P', 'N', 'G' };

  reset ();
  /* host → guest: a texture goes out as PNG */
  gdk_clipboard_set_texture (host (SEL_CLIPBOARD), image);
  grab = agent_wait (VD_AGENT_CLIPBOARD_GRAB, SEL_CLIPBOARD, "the host's image grab");
  g_assert_true (grab_has (grab, VD_AGENT_CLIPBOARD_IMAGE_PNG));
  rts_agent_clipboard_request (server, SEL_CLIPBOARD, VD_AGENT_CLIPBOARD_IMAGE_PNG);
  data = agent_wait (VD_AGENT_CLIPBOARD, SEL_CLIPBOARD, "the PNG");
  g_assert_cmpuint (data->clip_type, ==, VD_AGENT_CLIPBOARD_IMAGE_PNG);
  g_assert_cmpmem (g_bytes_get_data (data->data, NULL), 4, png_magic, 4);
  received = gdk_texture_new_from_bytes (data->data, &error);
  g_assert_no_error (error);
  assert_same_pixels (image, received);

  /* guest → host: PNG as is, BMP converted to PNG */
  guest_to_host_image (image, VD_AGENT_CLIPBOARD_IMAGE_PNG, "png");
  guest_to_host_image (image, VD_AGENT_CLIPBOARD_IMAGE_BMP, "bmp");
}

static void
test_size_limit (void)
{
  g_autofree char *big = g_strnfill (3000, 'x');
  const RtsAgentMessage *data;
  g_autofree char *text = NULL;

  reset ();
  refract_clipboard_bridge_set_size_limit (bridge, 2000);
  /* host → guest: refused with an empty answer */
  gdk_clipboard_set_text (host (SEL_CLIPBOARD), big);
  agent_wait (VD_AGENT_CLIPBOARD_GRAB, SEL_CLIPBOARD, "the host's grab");
  rts_agent_clipboard_request (server, SEL_CLIPBOARD, VD_AGENT_CLIPBOARD_UTF8_TEXT);
  data = agent_wait (VD_AGENT_CLIPBOARD, SEL_CLIPBOARD, "the refusal");
  g_assert_cmpuint (g_bytes_get_size (data->data), ==, 0);
  g_assert_cmpuint (refusals->len, ==, 1);
  g_assert_cmpint (g_array_index (refusals, int, 0), ==, REFRACT_CLIPBOARD_HOST_TO_GUEST);
  g_assert_cmpuint (transfers->len, ==, 0);

  /* guest → host: the paste gets nothing */
  text = host_paste_text (SEL_CLIPBOARD, big, 3000);
  g_assert_true (g_str_has_prefix (text, "<error") || *text == '\0');
  g_assert_cmpuint (refusals->len, ==, 2);
  g_assert_cmpint (g_array_index (refusals, int, 1), ==, REFRACT_CLIPBOARD_GUEST_TO_HOST);
  g_assert_cmpuint (transfers->len, ==, 0);
}

/* The agent goes away while the host waits for its data: the paste ends at
 * once (not at the timeout) with nothing, and the host clipboard is cleared. */
static void
test_agent_gone (void)
{
  guint32 type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
  char *text = NULL;
  gint64 start;

  reset ();
  guest_copy (SEL_CLIPBOARD, &type, 1);
  gdk_clipboard_read_text_async (host (SEL_CLIPBOARD), NULL, read_text_cb, &text);
  agent_wait (VD_AGENT_CLIPBOARD_REQUEST, SEL_CLIPBOARD, "the request");
  start = g_get_monotonic_time ();
  rts_server_remove_agent (server);
  rt_wait_until (text != NULL, 4, "the paste to end");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_true (g_str_has_prefix (text, "<error") || *text == '\0');
  g_free (text);
  g_assert_false (refract_clipboard_bridge_get_agent_connected (bridge));
  g_assert_null (gdk_clipboard_get_content (host (SEL_CLIPBOARD)));
  plug_agent (caps_crlf, G_N_ELEMENTS (caps_crlf));
}

static void
test_switches (void)
{
  guint32 type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
  const RtsAgentMessage *data;
  GdkContentProvider *before;

  reset ();
  /* host → guest off: no grab, and a request anyway gets nothing */
  refract_clipboard_bridge_set_host_to_guest (bridge, FALSE);
  gdk_clipboard_set_text (host (SEL_CLIPBOARD), "secret");
  rt_spin (300);
  g_assert_null (agent_find (VD_AGENT_CLIPBOARD_GRAB, SEL_CLIPBOARD));
  rts_agent_clipboard_request (server, SEL_CLIPBOARD, VD_AGENT_CLIPBOARD_UTF8_TEXT);
  data = agent_wait (VD_AGENT_CLIPBOARD, SEL_CLIPBOARD, "the empty answer");
  g_assert_cmpuint (g_bytes_get_size (data->data), ==, 0);
  /* on again: the host's current content is offered */
  g_ptr_array_set_size (agent_log (), 0);
  refract_clipboard_bridge_set_host_to_guest (bridge, TRUE);
  agent_wait (VD_AGENT_CLIPBOARD_GRAB, SEL_CLIPBOARD, "the grab once allowed");
  /* and off again: the guest is told the host has nothing */
  refract_clipboard_bridge_set_host_to_guest (bridge, FALSE);
  agent_wait (VD_AGENT_CLIPBOARD_RELEASE, SEL_CLIPBOARD, "the release");

  /* guest → host off: the guest's copy does not reach the host clipboard */
  refract_clipboard_bridge_set_guest_to_host (bridge, FALSE);
  before = gdk_clipboard_get_content (host (SEL_CLIPBOARD));
  rts_agent_clipboard_grab (server, SEL_CLIPBOARD, &type, 1);
  rt_spin (300);
  g_assert_true (gdk_clipboard_get_content (host (SEL_CLIPBOARD)) == before);
  g_assert_cmpuint (transfers->len, ==, 0);
}

static void
test_primary (void)
{
  g_autoptr(GBytes) got = NULL;
  g_autofree char *text = NULL;

  reset ();
  got = guest_paste_text (SEL_PRIMARY, "selected");
  assert_bytes_str (got, "selected");
  text = host_paste_text (SEL_PRIMARY, "guest selection", 15);
  g_assert_cmpstr (text, ==, "guest selection");

  /* an agent without the selection capability: PRIMARY stays on the host */
  plug_agent (caps_no_selection, G_N_ELEMENTS (caps_no_selection));
  g_clear_pointer (&got, g_bytes_unref);
  gdk_clipboard_set_text (host (SEL_PRIMARY), "not for the guest");
  rt_spin (200);
  got = guest_paste_text (SEL_CLIPBOARD, "for the guest");
  assert_bytes_str (got, "for the guest");
  plug_agent (caps_crlf, G_N_ELEMENTS (caps_crlf));
}

/* "Type Clipboard Text": the US layout table */
static void
test_typing_table (void)
{
  guint scancode = 0;
  gboolean shift = TRUE;

  g_assert_true (refract_keymap_char_to_xt ('a', &scancode, &shift));
  g_assert_cmphex (scancode, ==, 0x1e);
  g_assert_false (shift);
  g_assert_true (refract_keymap_char_to_xt ('A', &scancode, &shift));
  g_assert_cmphex (scancode, ==, 0x1e);
  g_assert_true (shift);
  g_assert_true (refract_keymap_char_to_xt ('\n', &scancode, &shift));
  g_assert_cmphex (scancode, ==, 0x1c);
  g_assert_true (refract_keymap_char_to_xt ('~', &scancode, &shift));
  g_assert_cmphex (scancode, ==, 0x29);
  g_assert_true (shift);
  g_assert_false (refract_keymap_char_to_xt (0xe9 /* é */, &scancode, &shift));
}

/* ---- the console page's clipboard popover ---------------------------------- */

static void
save_screenshot (GtkWidget *widget, const char *name)
{
  g_autofree char *path = g_build_filename (SCREENSHOT_DIR, name, NULL);
  g_autoptr(GdkTexture) texture = NULL;

  rt_wait_until (gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0, 10,
                 "the widget on screen");
  rt_spin (300);
  texture = refract_test_render_widget (widget);
  g_assert_cmpint (g_mkdir_with_parents (SCREENSHOT_DIR, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static RefractMachine *
demo_machine_with_display (RefractConnection *connection)
{
  GListModel *machines = G_LIST_MODEL (refract_connection_get_machines (connection));

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (machines, i);

      rt_load_details (machine);
      if (refract_machine_get_has_graphics (machine))
        return g_steal_pointer (&machine);
    }
  g_assert_not_reached ();
  return NULL;
}

static GtkWidget *
find_widget (GtkWidget *root, GType type, const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_popover (void)
{
  g_autofree char *uri = g_strconcat ("test://", g_getenv ("REFRACT_DEMO_NODE"), NULL);
  g_autoptr(RefractConnection) connection = rt_open (uri);
  g_autoptr(RefractMachine) machine = demo_machine_with_display (connection);
  g_autoptr(RefractConsole) console = _refract_console_new_for_session (machine, session);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = refract_console_page_new (FALSE);
  GtkWidget *button, *popover, *host_switch, *needs_agent;

  reset ();
  if (!refract_machine_is_active (machine))
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (rt_run (machine, REFRACT_MACHINE_ACTION_START, &error));
      g_assert_no_error (error);
      rt_wait_state (machine, REFRACT_MACHINE_STATE_RUNNING, 10);
    }
  gtk_window_set_default_size (window, 800, 500);
  gtk_window_set_child (window, page);
  refract_console_page_set_console (REFRACT_CONSOLE_PAGE (page), console);
  gtk_window_present (window);
  button = find_widget (page, GTK_TYPE_MENU_BUTTON, "clipboard-button");
  g_assert_nonnull (button);
  rt_wait_until (gtk_widget_get_mapped (button), 10, "the clipboard button");

  /* the console follows the bridge's switches and the other way round */
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  host_switch = find_widget (popover, GTK_TYPE_SWITCH, "host-to-guest-switch");
  needs_agent = find_widget (popover, GTK_TYPE_LABEL, "needs-agent-label");
  g_assert_nonnull (host_switch);
  g_assert_nonnull (needs_agent);
  rt_wait_until (gtk_widget_is_sensitive (host_switch), 10, "the switches sensitive with an agent");
  g_assert_false (gtk_widget_get_visible (needs_agent));
  refract_clipboard_bridge_set_host_to_guest (refract_console_get_clipboard (console), FALSE);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (host_switch)));
  gtk_switch_set_active (GTK_SWITCH (host_switch), TRUE);
  g_assert_true (refract_clipboard_bridge_get_host_to_guest (refract_console_get_clipboard (console)));
  save_screenshot (popover, "clipboard-popover.png");

  /* no agent: the switches go insensitive and the popover says why */
  rts_server_remove_agent (server);
  rt_wait_until (gtk_widget_get_visible (needs_agent), 10, "the needs-agent text");
  g_assert_false (gtk_widget_is_sensitive (host_switch));
  save_screenshot (popover, "clipboard-needs-agent.png");
  save_screenshot (GTK_WIDGET (window), "clipboard-console-toolbar.png");

  gtk_popover_popdown (GTK_POPOVER (popover));
  gtk_window_destroy (window);
  rt_spin (100);
  g_clear_object (&console);
  plug_agent (caps_crlf, G_N_ELEMENTS (caps_crlf));
  g_clear_object (&machine);
  rt_close (g_steal_pointer (&connection));
}

int
main (int argc, char *argv[])
{
  int status;

  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  rt_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  server = rts_server_new ();
  /* a primary surface: the console page shows its toolbar once the display is live */
  rts_server_add_display (server, 640, 400, "off");
  rts_server_add_agent (server, caps_crlf, G_N_ELEMENTS (caps_crlf));
  session = _refract_spice_session_new_for_unix_path (rts_server_get_path (server));
  bridge = refract_clipboard_bridge_new (session);
  transfers = g_array_new (FALSE, FALSE, sizeof (int));
  refusals = g_array_new (FALSE, FALSE, sizeof (int));
  g_signal_connect (bridge, "transferred", G_CALLBACK (on_transferred), NULL);
  g_signal_connect (bridge, "size-limit-exceeded", G_CALLBACK (on_refused), NULL);
  refract_spice_session_connect (session);
  rt_wait_until (refract_clipboard_bridge_get_agent_connected (bridge), 10, "the agent");

  g_test_add_func ("/clipboard/host-to-guest-text", test_host_to_guest_text);
  g_test_add_func ("/clipboard/guest-to-host-text", test_guest_to_host_text);
  g_test_add_func ("/clipboard/lineends-lf", test_lineends_lf);
  g_test_add_func ("/clipboard/image", test_image);
  g_test_add_func ("/clipboard/size-limit", test_size_limit);
  g_test_add_func ("/clipboard/agent-gone", test_agent_gone);
  g_test_add_func ("/clipboard/switches", test_switches);
  g_test_add_func ("/clipboard/primary", test_primary);
  g_test_add_func ("/clipboard/typing-table", test_typing_table);
  g_test_add_func ("/clipboard/popover", test_popover);
  status = g_test_run ();

  g_assert_finalize_object (bridge);
  refract_spice_session_disconnect (session);
  g_assert_finalize_object (session);
  g_array_unref (transfers);
  g_array_unref (refusals);
  return status;
}
