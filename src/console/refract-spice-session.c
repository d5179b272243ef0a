/* refract-spice-session.c: one machine's SPICE session
 *
 * The display is opened through libvirt (virDomainOpenGraphicsFD, one socket
 * per SPICE channel, asked for with SpiceChannel::open-fd) on a local
 * connection. A remote one (qemu+ssh://, qemu+tcp://) cannot pass sockets, and
 * when libvirt refuses, the listen address and ports of the domain XML are
 * used. libvirt calls run in worker threads; everything else on the main
 * context.
 *
 * The session follows the machine: it goes DISCONNECTED when the machine
 * stops and connects again when it starts, and reconnects when QEMU closes the
 * connection while the machine still runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>

#include "refract-machine-private.h"
#include "refract-spice-session-private.h"

#define RETRY_FIRST_MS 300
#define RETRY_MAX_MS   3000
#define RETRY_LIMIT    12

struct _RefractSpiceSession
{
  GObject              parent_instance;

  RefractMachine      *machine;
  char                *unix_path;      /* tests: a server with no machine */
  char                *uri;            /* tests and benchmarks: spice://HOST:PORT */
  SpiceSession        *spice;
  SpiceMainChannel    *main;
  SpiceDisplayChannel *display;
  SpiceInputsChannel  *inputs;
  SpiceCursorChannel  *cursor;
  GCancellable        *cancellable;    /* of the current attempt */
  RefractSpiceState    state;
  char                *error_message;
  char                *password;       /* never logged */
  int                  graphics_index; /* of the SPICE <graphics> for OpenGraphicsFD */
  guint                retry_id;
  guint                retries;
  guint                wanted : 1;
  guint                use_fd : 1;
  guint                agent_connected : 1;
  guint                had_primary : 1;
};

G_DEFINE_FINAL_TYPE (RefractSpiceSession, refract_spice_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_AGENT_CONNECTED,
  PROP_MAIN_CHANNEL,
  PROP_DISPLAY_CHANNEL,
  PROP_INPUTS_CHANNEL,
  PROP_CURSOR_CHANNEL,
  PROP_SPICE_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void begin_attempt   (RefractSpiceSession *self);
static void connection_lost (RefractSpiceSession *self);

/* ---- what a worker thread finds out about the domain ------------------ */

typedef struct
{
  int       fd;
  int       index;
  char     *host;
  char     *port;
  char     *tls_port;
  char     *socket;
  char     *libvirt_error;
  gboolean  no_spice;
} Probe;

static void
probe_free (Probe *probe)
{
  if (probe->fd >= 0)
    close (probe->fd);
  g_free (probe->host);
  g_free (probe->port);
  g_free (probe->tls_port);
  g_free (probe->socket);
  g_free (probe->libvirt_error);
  g_free (probe);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Probe, probe_free)

/* what the worker thread is asked */
typedef struct
{
  virDomainPtr dom;
  gboolean     pass_fd;
} ProbeRequest;

static void
probe_request_free (ProbeRequest *request)
{
  virDomainFree (request->dom);
  g_free (request);
}

static char *
dup_prop (xmlNode *node, const char *name)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *copy = value != NULL && *value ? g_strdup ((const char *) value) : NULL;

  xmlFree (value);
  return copy;
}

static gboolean
is_named (xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && g_strcmp0 ((const char *) node->name, name) == 0;
}

/* <listen type='address' address=…/> or <listen type='socket' socket=…/> */
static void
read_listen (Probe *probe, xmlNode *graphics)
{
  for (xmlNode *child = graphics->children; child != NULL; child = child->next)
    {
      if (!is_named (child, "listen"))
        continue;
      if (probe->host == NULL)
        probe->host = dup_prop (child, "address");
      if (probe->socket == NULL)
        probe->socket = dup_prop (child, "socket");
    }
}

static void
read_graphics (Probe *probe, xmlNode *graphics, int index)
{
  g_autofree char *port = dup_prop (graphics, "port");
  g_autofree char *tls_port = dup_prop (graphics, "tlsPort");

  probe->index = index;
  probe->no_spice = FALSE;
  probe->host = dup_prop (graphics, "listen");
  /* -1 means "not allocated" (autoport on a stopped machine) */
  if (port != NULL && atoi (port) > 0)
    probe->port = g_steal_pointer (&port);
  if (tls_port != NULL && atoi (tls_port) > 0)
    probe->tls_port = g_steal_pointer (&tls_port);
  read_listen (probe, graphics);
}

static void
parse_domain_xml (Probe *probe, const char *xml)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  int index = 0;

  probe->no_spice = TRUE;
  for (xmlNode *devices = root ? root->children : NULL; devices; devices = devices->next)
    {
      if (!is_named (devices, "devices"))
        continue;
      for (xmlNode *node = devices->children; node != NULL; node = node->next)
        {
          g_autofree char *type = NULL;

          if (!is_named (node, "graphics"))
            continue;
          type = dup_prop (node, "type");
          if (g_strcmp0 (type, "spice") == 0)
            {
              read_graphics (probe, node, index);
              goto out;
            }
          index++;
        }
    }
out:
  if (doc != NULL)
    xmlFreeDoc (doc);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ProbeRequest *request = task_data;
  virDomainPtr dom = request->dom;
  g_autoptr(Probe) probe = g_new0 (Probe, 1);
  g_autofree char *xml = NULL;

  probe->fd = -1;
  xml = virDomainGetXMLDesc (dom, 0);
  if (xml == NULL)
    {
      probe->libvirt_error = g_strdup (virGetLastErrorMessage ());
      g_task_return_pointer (task, g_steal_pointer (&probe), (GDestroyNotify) probe_free);
      return;
    }
  parse_domain_xml (probe, xml);
  if (!probe->no_spice && !request->pass_fd)
    probe->libvirt_error = g_strdup (_("a remote connection cannot pass the display's socket"));
  else if (!probe->no_spice)
    {
      probe->fd = virDomainOpenGraphicsFD (dom, probe->index, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
      if (probe->fd < 0)
        probe->libvirt_error = g_strdup (virGetLastErrorMessage ());
    }
  g_task_return_pointer (task, g_steal_pointer (&probe), (GDestroyNotify) probe_free);
}

/* ---- state --------------------------------------------------------------- */

static void
set_state (RefractSpiceSession *self,
           RefractSpiceState    state,
           const char          *message)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->error_message, message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_agent_connected (RefractSpiceSession *self, gboolean connected)
{
  if (self->agent_connected == !!connected)
    return;
  self->agent_connected = !!connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CONNECTED]);
}

static void
set_channel (RefractSpiceSession *self, gpointer field, gpointer channel, int prop)
{
  if (g_set_object ((GObject **) field, channel))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* A new SpiceSession per attempt: users of it (USB, clipboard) follow notify::spice-session. */
static void
set_spice (RefractSpiceSession *self, SpiceSession *spice)
{
  if (self->spice == spice)
    return;
  g_clear_object (&self->spice);
  self->spice = spice;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPICE_SESSION]);
}

static void
clear_channels (RefractSpiceSession *self)
{
  set_channel (self, &self->main, NULL, PROP_MAIN_CHANNEL);
  set_channel (self, &self->display, NULL, PROP_DISPLAY_CHANNEL);
  set_channel (self, &self->inputs, NULL, PROP_INPUTS_CHANNEL);
  set_channel (self, &self->cursor, NULL, PROP_CURSOR_CHANNEL);
  set_agent_connected (self, FALSE);
}

/* Drops the SpiceSession and any pending work of the current attempt. */
static void
teardown (RefractSpiceSession *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->spice != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->spice, self);
      for (GList *l = spice_session_get_channels (self->spice); l; l = g_list_delete_link (l, l))
        g_signal_handlers_disconnect_by_data (l->data, self);
      spice_session_disconnect (self->spice);
      set_spice (self, NULL);
    }
  self->had_primary = FALSE;
  clear_channels (self);
}

static void
fail (RefractSpiceSession *self, const char *message)
{
  teardown (self);
  set_state (self, REFRACT_SPICE_STATE_FAILED, message);
}

/* ---- channels ------------------------------------------------------------ */

static void
graphics_fd_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (source);
  SpiceChannel *channel = user_data;
  g_autoptr(Probe) probe = g_task_propagate_pointer (G_TASK (result), NULL);

  if (probe != NULL && probe->fd < 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("libvirt could not open the display: %s"), probe->libvirt_error);

      fail (self, message);
    }
  else if (probe != NULL)  /* NULL: cancelled, the attempt is over */
    {
      spice_channel_open_fd (channel, probe->fd);
      probe->fd = -1;
    }
  g_object_unref (channel);
}

static void
open_fd_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefractSpiceSession *self = source_object;
  g_autoptr(Probe) probe = g_new0 (Probe, 1);

  probe->fd = virDomainOpenGraphicsFD (task_data, self->graphics_index,
                                       VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
  if (probe->fd < 0)
    probe->libvirt_error = g_strdup (virGetLastErrorMessage ());
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&probe), (GDestroyNotify) probe_free);
}

/* SpiceChannel::open-fd: every channel after the main one needs its own socket */
static void
channel_open_fd (RefractSpiceSession *self,
                 int                  with_tls,
                 SpiceChannel        *channel)
{
  virDomainPtr dom = self->machine ? _refract_machine_ref_domain (self->machine) : NULL;
  g_autoptr(GTask) task = NULL;

  if (dom == NULL)
    {
      fail (self, _("The machine is no longer available"));
      return;
    }
  task = g_task_new (self, self->cancellable, graphics_fd_ready, g_object_ref (channel));
  g_task_set_source_tag (task, channel_open_fd);
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, open_fd_thread);
}

static const char *
channel_error_text (SpiceChannel *channel)
{
  const GError *error = spice_channel_get_error (channel);

  return error != NULL ? error->message : _("unknown error");
}

static void
channel_failed (RefractSpiceSession *self, SpiceChannelEvent event, SpiceChannel *channel)
{
  const char *reason = channel_error_text (channel);
  g_autofree char *message = NULL;

  if (event == SPICE_CHANNEL_ERROR_TLS && spice_channel_get_error (channel) == NULL)
    /* spice-client-glib gives no reason when it refuses the certificate */
    message = g_strdup (_("The display's encrypted connection failed: its certificate could not "
                          "be verified, or the TLS handshake did not succeed"));
  else if (event == SPICE_CHANNEL_ERROR_TLS)
    message = g_strdup_printf (_("The display's encrypted connection failed: %s"), reason);
  else if (event == SPICE_CHANNEL_ERROR_LINK)
    message = g_strdup_printf (_("The display refused the connection: %s"), reason);
  else
    message = g_strdup_printf (_("Could not connect to the display: %s"), reason);
  fail (self, message);
}

static void
need_password (RefractSpiceSession *self)
{
  /* a password was given and refused, or none was given yet */
  const char *message = self->password != NULL ? _("The display refused the password") : NULL;

  teardown (self);
  set_state (self, REFRACT_SPICE_STATE_NEEDS_PASSWORD, message);
}

static void
channel_event (RefractSpiceSession *self,
               SpiceChannelEvent    event,
               SpiceChannel        *channel)
{
  gboolean is_main = SPICE_IS_MAIN_CHANNEL (channel);
  gboolean essential = is_main || SPICE_IS_DISPLAY_CHANNEL (channel);

  switch (event)
    {
    case SPICE_CHANNEL_OPENED:
      if (is_main)
        self->retries = 0;
      break;
    case SPICE_CHANNEL_ERROR_AUTH:
      need_password (self);
      break;
    case SPICE_CHANNEL_ERROR_TLS:
      channel_failed (self, event, channel);
      break;
    case SPICE_CHANNEL_ERROR_LINK:
      if (essential)
        channel_failed (self, event, channel);
      break;
    case SPICE_CHANNEL_ERROR_CONNECT:
      if (essential && !self->had_primary)
        channel_failed (self, event, channel);
      else if (essential)
        connection_lost (self);
      break;
    case SPICE_CHANNEL_CLOSED:
    case SPICE_CHANNEL_ERROR_IO:
      if (essential)
        connection_lost (self);
      break;
    case SPICE_CHANNEL_NONE:
    case SPICE_CHANNEL_SWITCHING:
    default:
      break;
    }
}

static void
primary_created (RefractSpiceSession *self)
{
  self->had_primary = TRUE;
  self->retries = 0;
  set_state (self, REFRACT_SPICE_STATE_CONNECTED, NULL);
}

static void
agent_changed (RefractSpiceSession *self,
               GParamSpec          *pspec,
               SpiceChannel        *main)
{
  gboolean connected = FALSE;

  g_object_get (main, "agent-connected", &connected, NULL);
  set_agent_connected (self, connected);
}

static void
track_channel (RefractSpiceSession *self, SpiceChannel *channel)
{
  int id = 0;

  g_object_get (channel, "channel-id", &id, NULL);
  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      g_signal_connect_object (channel, "notify::agent-connected", G_CALLBACK (agent_changed),
                               self, G_CONNECT_SWAPPED);
      set_channel (self, &self->main, channel, PROP_MAIN_CHANNEL);
    }
  else if (SPICE_IS_DISPLAY_CHANNEL (channel) && id == 0)
    {
      g_signal_connect_object (channel, "display-primary-create", G_CALLBACK (primary_created),
                               self, G_CONNECT_SWAPPED);
      set_channel (self, &self->display, channel, PROP_DISPLAY_CHANNEL);
    }
  else if (SPICE_IS_INPUTS_CHANNEL (channel))
    set_channel (self, &self->inputs, channel, PROP_INPUTS_CHANNEL);
  else if (SPICE_IS_CURSOR_CHANNEL (channel) && id == 0)
    set_channel (self, &self->cursor, channel, PROP_CURSOR_CHANNEL);
  else
    return;  /* audio, USB, ports: other parts of the app connect those */

  if (!SPICE_IS_MAIN_CHANNEL (channel))
    spice_channel_connect (channel);
}

static void
channel_new (RefractSpiceSession *self,
             SpiceChannel        *channel,
             SpiceSession        *spice)
{
  g_signal_connect_object (channel, "channel-event", G_CALLBACK (channel_event),
                           self, G_CONNECT_SWAPPED);
  if (self->use_fd)
    g_signal_connect_object (channel, "open-fd", G_CALLBACK (channel_open_fd),
                             self, G_CONNECT_SWAPPED);
  track_channel (self, channel);
}

static void
channel_destroy (RefractSpiceSession *self,
                 SpiceChannel        *channel,
                 SpiceSession        *spice)
{
  g_signal_handlers_disconnect_by_data (channel, self);
  if ((gpointer) channel == (gpointer) self->main)
    set_channel (self, &self->main, NULL, PROP_MAIN_CHANNEL);
  else if ((gpointer) channel == (gpointer) self->display)
    set_channel (self, &self->display, NULL, PROP_DISPLAY_CHANNEL);
  else if ((gpointer) channel == (gpointer) self->inputs)
    set_channel (self, &self->inputs, NULL, PROP_INPUTS_CHANNEL);
  else if ((gpointer) channel == (gpointer) self->cursor)
    set_channel (self, &self->cursor, NULL, PROP_CURSOR_CHANNEL);
}

/* ---- attempts ------------------------------------------------------------ */

static SpiceSession *
new_spice (RefractSpiceSession *self)
{
  SpiceSession *spice = spice_session_new ();

  /* GTK 4.8 cannot show dmabufs; the display must come as shared memory */
  g_object_set (spice, "gl-scanout", FALSE, NULL);
  if (self->password != NULL)
    g_object_set (spice, "password", self->password, NULL);
  g_signal_connect_object (spice, "channel-new", G_CALLBACK (channel_new), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (spice, "channel-destroy", G_CALLBACK (channel_destroy),
                           self, G_CONNECT_SWAPPED);
  return spice;
}

static gboolean
is_wildcard (const char *host)
{
  return host == NULL || g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::")
         || g_str_equal (host, "[::]");
}

static gboolean
is_loopback (const char *host)
{
  return host != NULL && (g_str_has_prefix (host, "127.") || g_str_equal (host, "::1")
                          || g_str_equal (host, "localhost"));
}

/* The address to use when libvirt cannot hand over a socket; NULL when there is none. */
static char *
fallback_host (RefractSpiceSession *self, Probe *probe)
{
  const char *uri = refract_connection_get_uri (refract_machine_get_connection (self->machine));

  if (refract_uri_is_local (uri))
    return g_strdup (is_wildcard (probe->host) ? "127.0.0.1" : probe->host);
  if (is_wildcard (probe->host))
    return refract_uri_get_host (uri);
  if (is_loopback (probe->host))
    return NULL;  /* only reachable on the remote host itself */
  return g_strdup (probe->host);
}

static void
connect_to_address (RefractSpiceSession *self, Probe *probe)
{
  g_autofree char *host = fallback_host (self, probe);
  const char *uri = refract_connection_get_uri (refract_machine_get_connection (self->machine));

  set_spice (self, new_spice (self));
  if (probe->socket != NULL && refract_uri_is_local (uri))
    g_object_set (self->spice, "unix-path", probe->socket, NULL);
  else if (host != NULL && (probe->port != NULL || probe->tls_port != NULL))
    g_object_set (self->spice, "host", host, "port", probe->port, "tls-port", probe->tls_port, NULL);
  else
    {
      g_autofree char *message = g_strdup_printf (_("libvirt could not open the display, and "
                                                    "the machine has no display address this "
                                                    "computer can reach: %s"),
                                                  probe->libvirt_error);
      fail (self, message);
      return;
    }
  spice_session_connect (self->spice);
}

static void
probe_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (source);
  g_autoptr(Probe) probe = g_task_propagate_pointer (G_TASK (result), NULL);

  if (probe == NULL)
    return;
  if (probe->no_spice)
    {
      fail (self, probe->libvirt_error ? probe->libvirt_error
                                       : _("The machine has no SPICE display"));
      return;
    }

  self->graphics_index = probe->index;
  self->use_fd = probe->fd >= 0;
  if (!self->use_fd)
    {
      g_debug ("Graphics FD refused (%s); using the listen address", probe->libvirt_error);
      connect_to_address (self, probe);
      return;
    }
  set_spice (self, new_spice (self));
  spice_session_open_fd (self->spice, probe->fd);
  probe->fd = -1;  /* spice-client-glib owns it now */
}

/* Only a local connection (a unix socket) can pass file descriptors. Over
 * TCP, TLS or SSH libvirt refuses virDomainOpenGraphicsFD ("Receiving file
 * descriptors is not supported on this socket") and closes the whole
 * connection on the way, as libvirtd's reply carries the descriptor: so it is
 * not even asked. */
static gboolean
connection_can_pass_fd (RefractSpiceSession *self)
{
  return refract_uri_is_local (refract_connection_get_uri (refract_machine_get_connection (self->machine)));
}

static void
begin_attempt (RefractSpiceSession *self)
{
  virDomainPtr dom;
  ProbeRequest *request;
  g_autoptr(GTask) task = NULL;

  teardown (self);
  set_state (self, REFRACT_SPICE_STATE_CONNECTING, NULL);
  self->cancellable = g_cancellable_new ();

  if (self->unix_path != NULL || self->uri != NULL)
    {
      self->use_fd = FALSE;
      set_spice (self, new_spice (self));
      if (self->unix_path != NULL)
        g_object_set (self->spice, "unix-path", self->unix_path, NULL);
      else
        g_object_set (self->spice, "uri", self->uri, NULL);
      spice_session_connect (self->spice);
      return;
    }
  if ((dom = _refract_machine_ref_domain (self->machine)) == NULL)
    {
      fail (self, _("The machine is no longer available"));
      return;
    }
  request = g_new0 (ProbeRequest, 1);
  request->dom = dom;
  request->pass_fd = connection_can_pass_fd (self);
  task = g_task_new (self, self->cancellable, probe_ready, NULL);
  g_task_set_source_tag (task, begin_attempt);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, request, (GDestroyNotify) probe_request_free);
  g_task_run_in_thread (task, probe_thread);
}

static gboolean
machine_running (RefractSpiceSession *self)
{
  return self->machine == NULL || refract_machine_is_active (self->machine);
}

static gboolean
retry_cb (gpointer data)
{
  RefractSpiceSession *self = data;

  self->retry_id = 0;
  begin_attempt (self);
  return G_SOURCE_REMOVE;
}

/* QEMU closed the connection: the machine stops, resets, or QEMU restarts. */
static void
connection_lost (RefractSpiceSession *self)
{
  guint delay;

  teardown (self);
  if (!self->wanted || !machine_running (self))
    {
      set_state (self, REFRACT_SPICE_STATE_DISCONNECTED, NULL);
      return;
    }
  if (self->retries >= RETRY_LIMIT)
    {
      set_state (self, REFRACT_SPICE_STATE_FAILED, _("Lost the connection to the display"));
      return;
    }
  delay = MIN (RETRY_FIRST_MS << MIN (self->retries, 4), RETRY_MAX_MS);
  self->retries++;
  set_state (self, REFRACT_SPICE_STATE_CONNECTING, NULL);
  self->retry_id = g_timeout_add (delay, retry_cb, self);
}

static void
machine_state_changed (RefractSpiceSession *self)
{
  if (!machine_running (self))
    {
      teardown (self);
      self->retries = 0;
      set_state (self, REFRACT_SPICE_STATE_DISCONNECTED, NULL);
    }
  else if (self->wanted && self->spice == NULL && self->retry_id == 0
           && self->cancellable == NULL && self->state != REFRACT_SPICE_STATE_NEEDS_PASSWORD)
    begin_attempt (self);
}

/* ---- GObject ------------------------------------------------------------- */

static void
refract_spice_session_dispose (GObject *object)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (object);

  teardown (self);
  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_data (self->machine, self);
  g_clear_object (&self->machine);
  G_OBJECT_CLASS (refract_spice_session_parent_class)->dispose (object);
}

static void
refract_spice_session_finalize (GObject *object)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (object);

  g_free (self->unix_path);
  g_free (self->uri);
  g_free (self->error_message);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  G_OBJECT_CLASS (refract_spice_session_parent_class)->finalize (object);
}

static void
refract_spice_session_constructed (GObject *object)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (object);

  G_OBJECT_CLASS (refract_spice_session_parent_class)->constructed (object);
  if (self->machine != NULL)
    g_signal_connect_object (self->machine, "notify::state", G_CALLBACK (machine_state_changed),
                             self, G_CONNECT_SWAPPED);
}

static void
refract_spice_session_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (object);

  switch (prop_id)
    {
    case PROP_MACHINE: g_value_set_object (value, self->machine); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_AGENT_CONNECTED: g_value_set_boolean (value, self->agent_connected); break;
    case PROP_MAIN_CHANNEL: g_value_set_object (value, self->main); break;
    case PROP_DISPLAY_CHANNEL: g_value_set_object (value, self->display); break;
    case PROP_INPUTS_CHANNEL: g_value_set_object (value, self->inputs); break;
    case PROP_CURSOR_CHANNEL: g_value_set_object (value, self->cursor); break;
    case PROP_SPICE_SESSION: g_value_set_object (value, self->spice); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_spice_session_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  RefractSpiceSession *self = REFRACT_SPICE_SESSION (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      self->machine = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
object_pspec (const char *name, GType type)
{
  return g_param_spec_object (name, NULL, NULL, type,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
refract_spice_session_class_init (RefractSpiceSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = refract_spice_session_constructed;
  object_class->dispose = refract_spice_session_dispose;
  object_class->finalize = refract_spice_session_finalize;
  object_class->get_property = refract_spice_session_get_property;
  object_class->set_property = refract_spice_session_set_property;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, REFRACT_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* RefractSpiceState; an int so bindings need no enum type */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, REFRACT_SPICE_STATE_DISCONNECTED,
                      REFRACT_SPICE_STATE_FAILED, REFRACT_SPICE_STATE_DISCONNECTED, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_AGENT_CONNECTED] =
    g_param_spec_boolean ("agent-connected", NULL, NULL, FALSE, ro);
  properties[PROP_MAIN_CHANNEL] = object_pspec ("main-channel", SPICE_TYPE_MAIN_CHANNEL);
  properties[PROP_DISPLAY_CHANNEL] = object_pspec ("display-channel", SPICE_TYPE_DISPLAY_CHANNEL);
  properties[PROP_INPUTS_CHANNEL] = object_pspec ("inputs-channel", SPICE_TYPE_INPUTS_CHANNEL);
  properties[PROP_CURSOR_CHANNEL] = object_pspec ("cursor-channel", SPICE_TYPE_CURSOR_CHANNEL);
  properties[PROP_SPICE_SESSION] = object_pspec ("spice-session", SPICE_TYPE_SESSION);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
refract_spice_session_init (RefractSpiceSession *self)
{
  self->graphics_index = 0;
}

/* ---- public API ---------------------------------------------------------- */

RefractSpiceSession *
refract_spice_session_new (RefractMachine *machine)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE (machine), NULL);
  return g_object_new (REFRACT_TYPE_SPICE_SESSION, "machine", machine, NULL);
}

RefractSpiceSession *
_refract_spice_session_new_for_unix_path (const char *path)
{
  RefractSpiceSession *self = g_object_new (REFRACT_TYPE_SPICE_SESSION, NULL);

  g_return_val_if_fail (path != NULL, NULL);
  self->unix_path = g_strdup (path);
  return self;
}

/* A session on a SPICE URI (spice://HOST:PORT), with no machine behind it. */
RefractSpiceSession *
_refract_spice_session_new_for_uri (const char *uri)
{
  RefractSpiceSession *self;

  g_return_val_if_fail (uri != NULL, NULL);
  self = g_object_new (REFRACT_TYPE_SPICE_SESSION, NULL);
  self->uri = g_strdup (uri);
  return self;
}

RefractMachine *
refract_spice_session_get_machine (RefractSpiceSession *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (self), NULL);
  return self->machine;
}

RefractSpiceState
refract_spice_session_get_state (RefractSpiceSession *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (self), REFRACT_SPICE_STATE_DISCONNECTED);
  return self->state;
}

const char *
refract_spice_session_get_error_message (RefractSpiceSession *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (self), NULL);
  return self->error_message;
}

void
refract_spice_session_connect (RefractSpiceSession *self)
{
  g_return_if_fail (REFRACT_IS_SPICE_SESSION (self));

  self->wanted = TRUE;
  self->retries = 0;
  if (!machine_running (self))
    {
      teardown (self);
      set_state (self, REFRACT_SPICE_STATE_DISCONNECTED, NULL);
      return;
    }
  begin_attempt (self);
}

void
refract_spice_session_disconnect (RefractSpiceSession *self)
{
  g_return_if_fail (REFRACT_IS_SPICE_SESSION (self));

  self->wanted = FALSE;
  teardown (self);
  set_state (self, REFRACT_SPICE_STATE_DISCONNECTED, NULL);
}

/* Tries again with @password (SPICE ticketing). The password is kept for
 * reconnections and never logged. */
void
refract_spice_session_set_password (RefractSpiceSession *self,
                                    const char          *password)
{
  g_return_if_fail (REFRACT_IS_SPICE_SESSION (self));

  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  self->password = g_strdup (password);
  if (self->wanted && machine_running (self))
    begin_attempt (self);
}

gboolean
refract_spice_session_get_agent_connected (RefractSpiceSession *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (self), FALSE);
  return self->agent_connected;
}

/* Returns: (transfer none) (nullable): the SpiceSession of the current attempt;
 * a new one per connection, announced with notify::spice-session. */
gpointer
refract_spice_session_get_spice (RefractSpiceSession *self)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (self), NULL);
  return self->spice;
}

SpiceMainChannel *
_refract_spice_session_get_main (RefractSpiceSession *self)
{
  return self->main;
}

SpiceDisplayChannel *
_refract_spice_session_get_display (RefractSpiceSession *self)
{
  return self->display;
}

SpiceInputsChannel *
_refract_spice_session_get_inputs (RefractSpiceSession *self)
{
  return self->inputs;
}

SpiceCursorChannel *
_refract_spice_session_get_cursor (RefractSpiceSession *self)
{
  return self->cursor;
}

gboolean
_refract_spice_session_uses_graphics_fd (RefractSpiceSession *self)
{
  return self->spice != NULL && self->use_fd;
}
