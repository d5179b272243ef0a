/* refract-netjack-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "refract-model-error.h"
#include "refract-netjack-probe.h"

struct _RefractNetjackProbe
{
  GObject  parent_instance;

  char    *root;
  GStrv    pw_dump;
  GStrv    jack_lsp;
};

G_DEFINE_FINAL_TYPE (RefractNetjackProbe, refract_netjack_probe, G_TYPE_OBJECT)

static void
refract_netjack_probe_finalize (GObject *object)
{
  RefractNetjackProbe *self = REFRACT_NETJACK_PROBE (object);

  g_free (self->root);
  g_strfreev (self->pw_dump);
  g_strfreev (self->jack_lsp);

  G_OBJECT_CLASS (refract_netjack_probe_parent_class)->finalize (object);
}

static void
refract_netjack_probe_class_init (RefractNetjackProbeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = refract_netjack_probe_finalize;
}

static void
refract_netjack_probe_init (RefractNetjackProbe *self)
{
  self->pw_dump = g_strdupv ((char *[]) { (char *) "pw-dump", NULL });
  self->jack_lsp = g_strdupv ((char *[]) { (char *) "jack_lsp", NULL });
}

RefractNetjackProbe *
refract_netjack_probe_new (const char *root)
{
  RefractNetjackProbe *self = g_object_new (REFRACT_TYPE_NETJACK_PROBE, NULL);

  self->root = g_strdup (root ? root : "/");
  return self;
}

void
refract_netjack_probe_set_pw_dump (RefractNetjackProbe *self,
                                   const char * const  *argv)
{
  g_return_if_fail (REFRACT_IS_NETJACK_PROBE (self));
  g_strfreev (self->pw_dump);
  self->pw_dump = g_strdupv ((char **) argv);
}

void
refract_netjack_probe_set_jack_lsp (RefractNetjackProbe *self,
                                    const char * const  *argv)
{
  g_return_if_fail (REFRACT_IS_NETJACK_PROBE (self));
  g_strfreev (self->jack_lsp);
  self->jack_lsp = g_strdupv ((char **) argv);
}

/* ---- status ---------------------------------------------------------------------- */

RefractNetjackStatus *
refract_netjack_status_new (void)
{
  RefractNetjackStatus *status = g_new0 (RefractNetjackStatus, 1);

  status->manager = REFRACT_TRISTATE_UNKNOWN;
  status->port_bound = REFRACT_TRISTATE_UNKNOWN;
  status->followers = g_new0 (char *, 1);
  status->checked = g_new0 (char *, 1);
  return status;
}

void
refract_netjack_status_free (RefractNetjackStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->manager_kind);
  g_strfreev (status->followers);
  g_strfreev (status->checked);
  g_free (status);
}

static void
strv_add (GStrv      *strv,
          const char *value)
{
  guint n = g_strv_length (*strv);

  if (g_strv_contains ((const char * const *) *strv, value))
    return;
  *strv = g_renew (char *, *strv, n + 2);
  (*strv)[n] = g_strdup (value);
  (*strv)[n + 1] = NULL;
}

static void
checked (RefractNetjackStatus *status,
         char                 *line)
{
  strv_add (&status->checked, line);
  g_free (line);
}

static void
set_manager (RefractNetjackStatus *status,
             const char           *kind)
{
  status->manager = REFRACT_TRISTATE_YES;
  g_free (status->manager_kind);
  status->manager_kind = g_strdup (kind);
}

/* ---- /proc/net/udp ----------------------------------------------------------------- */

/* Adds the socket inode of every line of @file whose local port is @port to
 * @inodes (when not NULL). */
static RefractTristate
udp_file_has_port (const char *root,
                   const char *file,
                   guint       port,
                   GArray     *inodes)
{
  g_autofree char *path = g_build_filename (root, "proc/net", file, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  RefractTristate found = REFRACT_TRISTATE_NO;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return REFRACT_TRISTATE_UNKNOWN;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      const char *local = NULL;
      const char *inode = NULL;
      const char *colon;
      guint n = 0;

      /* "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout
       * inode …": the second and the tenth non-empty fields */
      for (guint f = 0; fields[f] != NULL && inode == NULL; f++)
        if (*fields[f] != '\0')
          {
            n++;
            if (n == 2)
              local = fields[f];
            else if (n == 10)
              inode = fields[f];
          }
      if (local == NULL || (colon = strrchr (local, ':')) == NULL)
        continue;
      if (g_ascii_strtoull (colon + 1, NULL, 16) != port)
        continue;
      found = REFRACT_TRISTATE_YES;
      if (inodes != NULL && inode != NULL)
        {
          guint64 number = g_ascii_strtoull (inode, NULL, 10);

          if (number != 0)
            g_array_append_val (inodes, number);
        }
    }
  return found;
}

static RefractTristate
udp_bound (const char *root,
           guint       port,
           GArray     *inodes)
{
  RefractTristate v4 = udp_file_has_port (root, "udp", port, inodes);
  RefractTristate v6 = udp_file_has_port (root, "udp6", port, inodes);

  if (v4 == REFRACT_TRISTATE_YES || v6 == REFRACT_TRISTATE_YES)
    return REFRACT_TRISTATE_YES;
  if (v4 == REFRACT_TRISTATE_NO || v6 == REFRACT_TRISTATE_NO)
    return REFRACT_TRISTATE_NO;
  return REFRACT_TRISTATE_UNKNOWN;
}

RefractTristate
refract_netjack_probe_udp_bound (const char *root,
                                 guint       port)
{
  return udp_bound (root, port, NULL);
}

static gboolean
has_socket (const char   *fd_dir,
            const GArray *inodes)
{
  g_autoptr(GDir) dir = g_dir_open (fd_dir, 0, NULL);
  const char *name;

  /* another user's process: not ours to look into */
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fd_dir, name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      guint64 inode;

      if (target == NULL || !g_str_has_prefix (target, "socket:["))
        continue;
      inode = g_ascii_strtoull (target + strlen ("socket:["), NULL, 10);
      for (guint i = 0; i < inodes->len; i++)
        if (g_array_index (inodes, guint64, i) == inode)
          return TRUE;
    }
  return FALSE;
}

/* The name of the process holding one of the sockets @inodes, from
 * @root/proc/PID/fd (only processes we may look into); NULL when none is
 * found. The jack2 netmanager has no ports of its own until a follower
 * joins, so its jackd holding the port is how it shows. */
static char *
port_owner (const char   *root,
            const GArray *inodes,
            int          *pid)
{
  g_autofree char *proc = g_build_filename (root, "proc", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (inodes->len == 0 || (dir = g_dir_open (proc, 0, NULL)) == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *fd_dir = NULL;
      g_autofree char *comm_path = NULL;
      g_autofree char *comm = NULL;
      guint64 number;

      if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &number, NULL))
        continue;
      fd_dir = g_build_filename (proc, name, "fd", NULL);
      if (!has_socket (fd_dir, inodes))
        continue;
      comm_path = g_build_filename (proc, name, "comm", NULL);
      if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
        continue;
      *pid = (int) number;
      return g_strdup (g_strstrip (comm));
    }
  return NULL;
}

/* "jack2", "PipeWire" or NULL: which NETJACK2 manager a process is */
static const char *
owner_kind (const char *comm)
{
  if (g_strcmp0 (comm, "jackd") == 0 || g_strcmp0 (comm, "jackdbus") == 0)
    return "jack2";
  if (g_strcmp0 (comm, "pipewire") == 0)
    return "PipeWire";
  return NULL;
}

/* ---- pw-dump ------------------------------------------------------------------------ */

static const char *
object_prop (JsonObject *object,
             const char *name)
{
  JsonObject *info = json_object_get_member (object, "info") ?
                     json_object_get_object_member (object, "info") : NULL;
  JsonObject *props = info && json_object_has_member (info, "props") ?
                      json_object_get_object_member (info, "props") : NULL;
  JsonNode *node = props ? json_object_get_member (props, name) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static void
pw_object (JsonObject           *object,
           RefractNetjackStatus *status)
{
  const char *type = json_object_has_member (object, "type") ?
                     json_object_get_string_member (object, "type") : NULL;
  const char *name;

  if (g_strcmp0 (type, "PipeWire:Interface:Module") == 0)
    {
      JsonObject *info = json_object_has_member (object, "info") ?
                         json_object_get_object_member (object, "info") : NULL;
      const char *module = info && json_object_has_member (info, "name") ?
                           json_object_get_string_member (info, "name") : NULL;

      if (g_strcmp0 (module, "libpipewire-module-netjack2-manager") == 0)
        set_manager (status, "PipeWire");
      return;
    }
  if (g_strcmp0 (type, "PipeWire:Interface:Node") != 0)
    return;
  name = object_prop (object, "node.name");
  if (name == NULL || !g_str_has_prefix (name, "netjack2_manager"))
    return;
  set_manager (status, "PipeWire");
  /* one send/recv pair per follower, described after it */
  if (g_str_has_prefix (name, "netjack2_manager_send") || g_str_has_prefix (name, "netjack2_manager_recv"))
    {
      const char *follower = object_prop (object, "netjack2.peer-name");

      if (follower == NULL)
        follower = object_prop (object, "node.description");
      if (follower != NULL)
        strv_add (&status->followers, follower);
    }
}

void
refract_netjack_parse_pw_dump (const char           *json,
                               RefractNetjackStatus *status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      checked (status, g_strdup (_("pw-dump: output not understood")));
      return;
    }
  array = json_node_get_array (root);
  if (status->manager == REFRACT_TRISTATE_UNKNOWN)
    status->manager = REFRACT_TRISTATE_NO;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        pw_object (json_node_get_object (element), status);
    }
  checked (status, g_strdup_printf (_("PipeWire (pw-dump): %u objects, netjack2 manager %s"),
                                    json_array_get_length (array),
                                    g_strcmp0 (status->manager_kind, "PipeWire") == 0 ? _("present") : _("absent")));
}

/* ---- jack_lsp ---------------------------------------------------------------------- */

void
refract_netjack_parse_jack_lsp (const char           *output,
                                RefractNetjackStatus *status)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  guint before = g_strv_length (status->followers);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *port = g_strstrip (lines[i]);
      const char *colon = strchr (port, ':');
      g_autofree char *client = NULL;

      if (colon == NULL || (!g_str_has_prefix (colon + 1, "from_slave_") &&
                            !g_str_has_prefix (colon + 1, "to_slave_")))
        continue;
      client = g_strndup (port, colon - port);
      strv_add (&status->followers, client);
      set_manager (status, "jack2");
    }
  checked (status, g_strdup_printf (_("jack2 (jack_lsp): %u NETJACK2 clients"),
                                    g_strv_length (status->followers) - before));
}

/* ---- running ------------------------------------------------------------------------ */

static char *
run_tool (const char * const  *argv,
          GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, error);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("%s exited with status %d"), argv[0], g_subprocess_get_exit_status (process));
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* FALSE when the tool could not tell (missing, failed). */
static gboolean
probe_tool (const char * const   *argv,
            const char           *what,
            void                (*parse) (const char *, RefractNetjackStatus *),
            RefractNetjackStatus *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (argv == NULL || argv[0] == NULL)
    return FALSE;
  out = run_tool (argv, &error);
  if (out == NULL)
    {
      /* Translators: "pw-dump: unknown (Failed to execute child process …)" */
      checked (status, g_strdup_printf (_("%s: unknown (%s)"), what, error->message));
      return FALSE;
    }
  parse (out, status);
  return TRUE;
}

RefractNetjackStatus *
refract_netjack_probe_run (RefractNetjackProbe        *self,
                           const RefractNetjackConfig *config)
{
  RefractNetjackStatus *status = refract_netjack_status_new ();
  guint port = config ? config->port : REFRACT_NETJACK_DEFAULT_PORT;
  gboolean jack2 = config && config->backend == REFRACT_NETJACK_BACKEND_JACK2;
  g_autoptr(GArray) inodes = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree char *owner = NULL;
  g_autofree char *bound = NULL;
  const char *kind = NULL;
  gboolean jack_told;
  int pid = 0;

  g_return_val_if_fail (REFRACT_IS_NETJACK_PROBE (self), status);

  if (!jack2)
    probe_tool ((const char * const *) self->pw_dump, "pw-dump", refract_netjack_parse_pw_dump, status);
  jack_told = probe_tool ((const char * const *) self->jack_lsp, "jack_lsp",
                          refract_netjack_parse_jack_lsp, status);
  status->port_bound = udp_bound (self->root, port, inodes);
  if (status->port_bound == REFRACT_TRISTATE_YES)
    owner = port_owner (self->root, inodes, &pid);
  if (owner != NULL)
    {
      kind = owner_kind (owner);
      /* Translators: "bound by jackd (process 1234)" */
      bound = g_strdup_printf (_("bound by %s (process %d)"), owner, pid);
    }
  /* a manager that no follower has joined yet has no ports or nodes to
   * list, but holds the port */
  if (kind != NULL && status->manager != REFRACT_TRISTATE_YES)
    set_manager (status, kind);
  /* jack_lsp ran and listed no netmanager's follower, and the port is free
   * or held by something that is no manager: there is none */
  if (jack2 && status->manager == REFRACT_TRISTATE_UNKNOWN && jack_told &&
      (status->port_bound == REFRACT_TRISTATE_NO || (owner != NULL && kind == NULL)))
    status->manager = REFRACT_TRISTATE_NO;
  checked (status, g_strdup_printf (_("UDP port %u (/proc/net/udp): %s"), port,
                                    bound ? bound
                                    : status->port_bound == REFRACT_TRISTATE_YES ? _("bound")
                                    : status->port_bound == REFRACT_TRISTATE_NO ? _("not bound")
                                    : _("unknown")));
  return status;
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_task_return_pointer (task, refract_netjack_probe_run (source_object, task_data),
                         (GDestroyNotify) refract_netjack_status_free);
}

void
refract_netjack_probe_run_async (RefractNetjackProbe        *self,
                                 const RefractNetjackConfig *config,
                                 GCancellable               *cancellable,
                                 GAsyncReadyCallback         callback,
                                 gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (REFRACT_IS_NETJACK_PROBE (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_netjack_probe_run_async);
  if (config != NULL)
    g_task_set_task_data (task, refract_netjack_config_copy (config),
                          (GDestroyNotify) refract_netjack_config_free);
  g_task_run_in_thread (task, probe_thread);
}

RefractNetjackStatus *
refract_netjack_probe_run_finish (RefractNetjackProbe  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- restart ------------------------------------------------------------------------- */

static void
restart_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *out = NULL;
  GError *error = NULL;

  if (!g_subprocess_communicate_utf8_finish (process, result, &out, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_autofree char *how = g_subprocess_get_if_exited (process)
                             ? g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (process))
                             : g_strdup_printf (_("signal %d"), g_subprocess_get_term_sig (process));
      /* Translators: "The NETJACK restart command failed (exit status 1): <its output>" */
      GError *failed = g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                                    _("The NETJACK restart command failed (%s): %s"), how,
                                    out && *out ? g_strstrip (out) : _("no output"));

      refract_error_set_remedy (failed, _("Check the restart command or unit in the machine's NETJACK settings."));
      g_task_return_error (task, failed);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&out), g_free);
}

const char *
refract_netjack_restart_unit (const RefractNetjackConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  if (config->restart_unit != NULL && *config->restart_unit)
    return config->restart_unit;
  return config->backend == REFRACT_NETJACK_BACKEND_PIPEWIRE ? "pipewire.service" : NULL;
}

static GStrv
restart_argv (const RefractNetjackConfig  *config,
              GError                     **error)
{
  const char *unit = refract_netjack_restart_unit (config);
  GStrv argv = NULL;

  if (config->restart_command != NULL && *config->restart_command)
    return g_shell_parse_argv (config->restart_command, NULL, &argv, error) ? argv : NULL;
  if (unit == NULL)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_STATE,
                   _("No restart command or systemd unit is set for this machine's NETJACK bridge."));
      refract_error_set_remedy (*error, _("Set one in the machine's NETJACK settings, e.g. a user unit that runs jack_load netmanager."));
      return NULL;
    }
  return g_strdupv ((char *[]) { (char *) "systemctl", (char *) "--user", (char *) "restart",
                                 (char *) unit, NULL });
}

void
refract_netjack_restart_async (const RefractNetjackConfig *config,
                               GCancellable               *cancellable,
                               GAsyncReadyCallback         callback,
                               gpointer                    user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSubprocess) process = NULL;
  g_auto(GStrv) argv = NULL;
  GError *error = NULL;

  g_return_if_fail (config != NULL);
  g_task_set_source_tag (task, refract_netjack_restart_async);
  if ((argv = restart_argv (config, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  if (process == NULL)
    {
      /* "Failed to execute child process …" alone does not say which */
      GError *failed = g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                                    _("Could not run the NETJACK restart command: %s"), error->message);

      g_error_free (error);
      refract_error_set_remedy (failed, _("Check the restart command or unit in the machine's NETJACK settings."));
      g_task_return_error (task, failed);
      return;
    }
  g_subprocess_communicate_utf8_async (process, NULL, cancellable, restart_done, g_steal_pointer (&task));
}

char *
refract_netjack_restart_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
