/* refract-uri.c: validating and describing libvirt URIs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-model-error.h"
#include "refract-uri.h"

static const char * const drivers[] = {
  "qemu", "test", "lxc", "xen", "libxl", "ch", "bhyve", "vbox", "vz", "openvz",
  "esx", "vpx", "gsx", "hyperv", "vmwarews", "vmwareplayer", "vmwarefusion", NULL
};

static const char * const transports[] = {
  "unix", "ssh", "libssh", "libssh2", "tcp", "tls", "ext", NULL
};

static gboolean
transport_is_remote (const char *transport)
{
  return transport != NULL && g_strcmp0 (transport, "unix") != 0;
}

static gboolean
fail (GError **error, const char *uri, const char *why)
{
  g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI,
               /* Translators: the first %s is what was typed, the second why it is wrong */
               _("“%s” is not a libvirt address: %s Use for example qemu:///system, "
                 "qemu:///session or qemu+ssh://user@host/system."),
               uri, why);
  return FALSE;
}

static gboolean
check_path (const char *uri, const char *driver, const char *path, GError **error)
{
  if (g_str_equal (driver, "qemu") || g_str_equal (driver, "lxc") || g_str_equal (driver, "ch"))
    {
      if (g_strcmp0 (path, "/system") != 0 && g_strcmp0 (path, "/session") != 0
          && g_strcmp0 (path, "/embed") != 0)
        return fail (error, uri, _("the path must be /system or /session."));
    }
  else if (g_str_equal (driver, "test"))
    {
      if (path == NULL || path[0] != '/' || path[1] == '\0')
        return fail (error, uri, _("the test driver needs /default or the absolute path of a node file."));
    }
  return TRUE;
}

gboolean
refract_uri_validate (const char  *uri,
                      GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_auto(GStrv) scheme_parts = NULL;
  const char *scheme;
  const char *transport;
  const char *host;

  if (uri == NULL || *uri == '\0')
    return fail (error, "", _("it is empty."));

  if (strchr (uri, ' ') != NULL || strchr (uri, '\n') != NULL)
    return fail (error, uri, _("it contains spaces."));

  parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return fail (error, uri, _("it is not a well-formed URI."));

  scheme = g_uri_get_scheme (parsed);
  scheme_parts = g_strsplit (scheme, "+", 3);
  if (g_strv_length (scheme_parts) > 2)
    return fail (error, uri, _("the scheme has more than one transport."));
  if (!g_strv_contains (drivers, scheme_parts[0]))
    return fail (error, uri, _("the hypervisor driver is unknown."));

  transport = scheme_parts[1];
  if (transport != NULL && !g_strv_contains (transports, transport))
    return fail (error, uri, _("the transport is unknown."));

  host = g_uri_get_host (parsed);
  if (transport_is_remote (transport) && (host == NULL || *host == '\0'))
    return fail (error, uri, _("a remote transport needs a host name."));

  return check_path (uri, scheme_parts[0], g_uri_get_path (parsed), error);
}

static gboolean
is_valid_host (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;
  for (const char *p = host; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && !strchr (".-_:[]", *p))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_valid_user (const char *user)
{
  for (const char *p = user; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && !strchr (".-_$", *p))
        return FALSE;
    }
  return TRUE;
}

char *
refract_uri_build_ssh (const char  *user,
                       const char  *host,
                       gboolean     session,
                       GError     **error)
{
  g_autofree char *trimmed_host = g_strstrip (g_strdup (host ? host : ""));
  g_autofree char *trimmed_user = g_strstrip (g_strdup (user ? user : ""));
  const char *path = session ? "session" : "system";

  if (!is_valid_host (trimmed_host))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI,
                   _("“%s” is not a host name. Enter a name such as server.example.org "
                     "or an address such as 192.0.2.10."), trimmed_host);
      return NULL;
    }
  if (!is_valid_user (trimmed_user))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_URI,
                   _("“%s” is not a user name. Use letters, digits, “.”, “-” and “_” only."),
                   trimmed_user);
      return NULL;
    }

  if (*trimmed_user)
    return g_strdup_printf ("qemu+ssh://%s@%s/%s", trimmed_user, trimmed_host, path);
  return g_strdup_printf ("qemu+ssh://%s/%s", trimmed_host, path);
}

static char *
get_transport (const char *uri)
{
  const char *colon = strchr (uri, ':');
  const char *plus = strchr (uri, '+');

  if (colon == NULL || plus == NULL || plus > colon)
    return NULL;
  return g_strndup (plus + 1, colon - plus - 1);
}

gboolean
refract_uri_is_local (const char *uri)
{
  g_autofree char *transport = get_transport (uri);
  g_autofree char *host = refract_uri_get_host (uri);

  return !transport_is_remote (transport) && (host == NULL || *host == '\0');
}

gboolean
refract_uri_is_test (const char *uri)
{
  return g_str_has_prefix (uri, "test:") || g_str_has_prefix (uri, "test+");
}

char *
refract_uri_get_host (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    return NULL;
  return g_strdup (g_uri_get_host (parsed));
}

char *
refract_uri_describe (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *host = refract_uri_get_host (uri);
  const char *path;

  if (parsed == NULL)
    return g_strdup (uri);

  path = g_uri_get_path (parsed);
  if (refract_uri_is_test (uri))
    return g_strdup (g_strcmp0 (path, "/default") == 0 ? _("Test Host") : _("Demo Host"));

  if (g_str_has_prefix (uri, "qemu"))
    {
      gboolean session = g_strcmp0 (path, "/session") == 0;

      if (host != NULL)
        /* Translators: %s is a host name */
        return session ? g_strdup_printf (_("QEMU/KVM on %s (user session)"), host)
                       : g_strdup_printf (_("QEMU/KVM on %s"), host);
      return g_strdup (session ? _("QEMU/KVM User Session") : _("QEMU/KVM"));
    }

  return g_strdup (uri);
}

static char *
get_query_param (GUri *parsed, const char *name)
{
  g_autoptr(GHashTable) params = NULL;
  const char *query = g_uri_get_query (parsed);

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, name));
}

/* The socket a local system URI talks to, so a failure can be diagnosed by looking
 * at the file rather than at libvirt's (translated) message. Session URIs spawn
 * their daemon on demand, so they have none worth checking. */
char *
refract_uri_local_socket (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *socket = NULL;
  static const char * const candidates[] = {
    "/run/libvirt/libvirt-sock", "/run/libvirt/virtqemud-sock", NULL
  };

  if (parsed == NULL || !refract_uri_is_local (uri) || refract_uri_is_test (uri))
    return NULL;

  socket = get_query_param (parsed, "socket");
  if (socket != NULL)
    return g_steal_pointer (&socket);

  if (g_strcmp0 (g_uri_get_path (parsed), "/system") != 0)
    return NULL;

  for (guint i = 0; candidates[i]; i++)
    if (g_file_test (candidates[i], G_FILE_TEST_EXISTS))
      return g_strdup (candidates[i]);
  return g_strdup (candidates[0]);
}
