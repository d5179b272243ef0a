/* test-spice-resize.c: "Resize Guest to Window" through the guest agent
 *
 * An in-process libspice-server (refract-test-spice-server.c) with a QXL
 * display and a vdagent char device; the test plays the guest's agent and
 * reads the monitor configurations the client sends it. In resize-guest mode
 * the widget asks for its own size in device pixels (so twice its logical
 * size when the test runs with GDK_SCALE=2), again whenever it is resized,
 * and never in the other modes or without an agent. Its own process: the
 * server is one per process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <spice/vd_agent.h>

#include "refract-spice-display-private.h"
#include "refract-spice-session-private.h"
#include "refract-test-spice-server.h"
#include "refract-test-util.h"

#define GUEST_W 640
#define GUEST_H 480

static const guint32 agent_caps[] = { VD_AGENT_CAP_MONITORS_CONFIG, VD_AGENT_CAP_MONITORS_CONFIG_POSITION };

static guint
count_configs (RtsServer *server)
{
  GPtrArray *log = rts_agent_get_messages (server);
  guint n = 0;

  for (guint i = 0; i < log->len; i++)
    if (((RtsAgentMessage *) log->pdata[i])->type == VD_AGENT_MONITORS_CONFIG)
      n++;
  return n;
}

/* The last monitor configuration the client sent, as width × height of its
 * first monitor; FALSE when there is none. */
static gboolean
last_config (RtsServer *server, guint *width, guint *height, guint *n_monitors)
{
  GPtrArray *log = rts_agent_get_messages (server);

  for (guint i = log->len; i > 0; i--)
    {
      const RtsAgentMessage *message = log->pdata[i - 1];
      gsize size;
      const guint8 *data;
      VDAgentMonitorsConfig config;
      VDAgentMonConfig monitor;

      if (message->type != VD_AGENT_MONITORS_CONFIG)
        continue;
      data = g_bytes_get_data (message->data, &size);
      g_assert_cmpuint (size, >=, sizeof config + sizeof monitor);
      memcpy (&config, data, sizeof config);
      memcpy (&monitor, data + sizeof config, sizeof monitor);
      *n_monitors = config.num_of_monitors;
      *width = monitor.width;
      *height = monitor.height;
      return TRUE;
    }
  return FALSE;
}

static void
wait_for_config (RtsServer *server, guint want_w, guint want_h, const char *what)
{
  guint width = 0, height = 0, n = 0;

  /* spice-client-glib lets the size settle for a second before it sends */
  rt_wait_until (last_config (server, &width, &height, &n) && width == want_w && height == want_h,
                 10, what);
  g_assert_cmpuint (n, ==, 1);
}

static void
test_resize_guest (void)
{
  g_autoptr(RtsServer) server = rts_server_new ();
  g_autoptr(RefractSpiceSession) session = NULL;
  RefractSpiceDisplay *display;
  GtkWindow *window;
  int scale;
  guint before;

  rts_server_add_display (server, GUEST_W, GUEST_H, "off");
  rts_server_add_agent (server, agent_caps, G_N_ELEMENTS (agent_caps));
  session = _refract_spice_session_new_for_unix_path (rts_server_get_path (server));
  display = REFRACT_SPICE_DISPLAY (refract_spice_display_new ());
  refract_spice_display_set_session (display, session);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 400, 300);
  gtk_window_set_child (window, GTK_WIDGET (display));
  gtk_window_present (window);
  refract_spice_session_connect (session);

  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED, 10,
                 "the display to connect");
  rt_wait_until (refract_spice_session_get_agent_connected (session), 10, "the guest agent");
  rt_wait_until (gtk_widget_get_width (GTK_WIDGET (display)) == 400
                 && gtk_widget_get_height (GTK_WIDGET (display)) == 300, 10, "the allocation");
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (display));
  g_test_message ("scale factor %d", scale);
  if (g_strcmp0 (g_getenv ("GDK_SCALE"), "2") == 0)
    g_assert_cmpint (scale, ==, 2);

  /* fit (the default) leaves the guest's resolution alone */
  g_assert_cmpint (refract_spice_display_get_scale_mode (display), ==, REFRACT_SCALE_FIT);
  rt_spin (1300);
  g_assert_cmpuint (count_configs (server), ==, 0);

  /* resize-guest asks for the widget's size, in device pixels */
  refract_spice_display_set_scale_mode (display, REFRACT_SCALE_RESIZE_GUEST);
  wait_for_config (server, 400 * scale, 300 * scale, "the guest to be asked for the window's size");

  /* and again when the window changes size */
  gtk_window_set_default_size (window, 512, 320);
  rt_wait_until (gtk_widget_get_width (GTK_WIDGET (display)) == 512, 10, "the new allocation");
  wait_for_config (server, 512 * scale, 320 * scale, "the guest to be asked for the new size");

  /* back to fit: no more requests while the window changes */
  refract_spice_display_set_scale_mode (display, REFRACT_SCALE_FIT);
  rt_spin (300);
  before = count_configs (server);
  gtk_window_set_default_size (window, 350, 225);
  rt_wait_until (gtk_widget_get_width (GTK_WIDGET (display)) == 350, 10, "the smaller allocation");
  rt_spin (1300);
  g_assert_cmpuint (count_configs (server), ==, before);

  /* without an agent nothing can be asked; when it comes back, the size is */
  refract_spice_display_set_scale_mode (display, REFRACT_SCALE_RESIZE_GUEST);
  rts_server_remove_agent (server);
  rt_wait_until (!refract_spice_session_get_agent_connected (session), 10, "the agent to go");
  g_ptr_array_set_size (rts_agent_get_messages (server), 0);
  gtk_window_set_default_size (window, 360, 200);
  rt_wait_until (gtk_widget_get_width (GTK_WIDGET (display)) == 360, 10, "the allocation without agent");
  rt_spin (1300);
  g_assert_cmpuint (count_configs (server), ==, 0);
  rts_server_add_agent (server, agent_caps, G_N_ELEMENTS (agent_caps));
  rt_wait_until (refract_spice_session_get_agent_connected (session), 10, "the agent to return");
  wait_for_config (server, 360 * scale, 200 * scale, "the size once the agent is back");

  gtk_window_destroy (window);
  refract_spice_session_disconnect (session);
  rt_spin (100);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  rt_init (&argc, &argv);
  gtk_init ();
  g_test_add_func ("/spice-resize/resize-guest", test_resize_guest);
  return g_test_run ();
}
