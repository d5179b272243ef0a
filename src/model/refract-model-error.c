/* refract-model-error.c: errors a person can act on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "refract-model-error.h"
#include "refract-uri.h"

typedef struct
{
  char *remedy;
} RefractModelErrorPrivate;

static void
refract_model_error_private_init (RefractModelErrorPrivate *priv)
{
  priv->remedy = NULL;
}

static void
refract_model_error_private_copy (const RefractModelErrorPrivate *src,
                                  RefractModelErrorPrivate       *dest)
{
  dest->remedy = g_strdup (src->remedy);
}

static void
refract_model_error_private_clear (RefractModelErrorPrivate *priv)
{
  g_clear_pointer (&priv->remedy, g_free);
}

G_DEFINE_EXTENDED_ERROR (RefractModelError, refract_model_error)

/* The remedy sentence of an error from this layer, or NULL. */
const char *
refract_error_get_remedy (const GError *error)
{
  RefractModelErrorPrivate *priv;

  if (error == NULL || error->domain != REFRACT_MODEL_ERROR)
    return NULL;
  priv = refract_model_error_get_private (error);
  return priv ? priv->remedy : NULL;
}

/* Replaces the remedy of an error from this layer (one made with g_error_new()
 * or refract_error_from_libvirt()); other domains have no room for one. */
void
refract_error_set_remedy (GError     *error,
                          const char *remedy)
{
  RefractModelErrorPrivate *priv;

  g_return_if_fail (error != NULL && error->domain == REFRACT_MODEL_ERROR);
  priv = refract_model_error_get_private (error);
  g_free (priv->remedy);
  priv->remedy = g_strdup (remedy);
}

static gboolean
message_has (const char *message, const char *needle)
{
  return message != NULL && strstr (message, needle) != NULL;
}

static gboolean
is_auth_code (int code)
{
  return code == VIR_ERR_AUTH_FAILED || code == VIR_ERR_AUTH_CANCELLED
         || code == VIR_ERR_AUTH_UNAVAILABLE;
}

static RefractModelError
diagnose_local (const RefractConnectFailure *f)
{
  if (f->socket_known && !f->socket_exists)
    return REFRACT_MODEL_ERROR_NO_DAEMON;
  if (f->socket_known && !f->socket_writable)
    return REFRACT_MODEL_ERROR_PERMISSION_DENIED;
  /* polkit refusing org.libvirt.unix.manage means the user lacks the group */
  if (f->vir_code == VIR_ERR_AUTH_UNAVAILABLE || message_has (f->message, "polkit")
      || message_has (f->message, "Permission denied"))
    return REFRACT_MODEL_ERROR_PERMISSION_DENIED;
  if (is_auth_code (f->vir_code))
    return REFRACT_MODEL_ERROR_AUTH_FAILED;
  if (message_has (f->message, "No such file or directory")
      || message_has (f->message, "Connection refused"))
    return REFRACT_MODEL_ERROR_NO_DAEMON;
  if (f->vir_code == VIR_ERR_SYSTEM_ERROR || f->vir_code == VIR_ERR_NO_CONNECT)
    return REFRACT_MODEL_ERROR_NO_DAEMON;
  return REFRACT_MODEL_ERROR_FAILED;
}

static RefractModelError
diagnose_remote (const RefractConnectFailure *f)
{
  if (is_auth_code (f->vir_code) || message_has (f->message, "Permission denied")
      || message_has (f->message, "authentication"))
    return REFRACT_MODEL_ERROR_AUTH_FAILED;
  if (f->vir_code == VIR_ERR_SYSTEM_ERROR || f->vir_code == VIR_ERR_RPC
      || f->vir_code == VIR_ERR_NO_CONNECT || f->vir_domain == VIR_FROM_RPC
      || message_has (f->message, "Could not resolve") || message_has (f->message, "No route")
      || message_has (f->message, "unreachable") || message_has (f->message, "timed out"))
    return REFRACT_MODEL_ERROR_HOST_UNREACHABLE;
  return REFRACT_MODEL_ERROR_FAILED;
}

RefractModelError
refract_diagnose_connect (const RefractConnectFailure *failure)
{
  g_autoptr(GError) uri_error = NULL;

  g_return_val_if_fail (failure != NULL, REFRACT_MODEL_ERROR_FAILED);

  if (!refract_uri_validate (failure->uri, &uri_error) || failure->vir_code == VIR_ERR_INVALID_ARG
      || failure->vir_code == VIR_ERR_NO_SUPPORT)
    return REFRACT_MODEL_ERROR_INVALID_URI;
  if (refract_uri_is_local (failure->uri))
    return diagnose_local (failure);
  return diagnose_remote (failure);
}

char *
refract_connect_error_title (RefractModelError  code,
                             const char        *uri)
{
  g_autofree char *name = refract_uri_describe (uri);

  switch (code)
    {
    case REFRACT_MODEL_ERROR_INVALID_URI:
      return g_strdup_printf (_("“%s” is not a valid connection address"), uri);
    case REFRACT_MODEL_ERROR_NO_DAEMON:
      return g_strdup_printf (_("The libvirt service for %s is not running"), name);
    case REFRACT_MODEL_ERROR_PERMISSION_DENIED:
      return g_strdup_printf (_("You are not allowed to manage %s"), name);
    case REFRACT_MODEL_ERROR_AUTH_FAILED:
      return g_strdup_printf (_("Authentication to %s failed"), name);
    case REFRACT_MODEL_ERROR_HOST_UNREACHABLE:
      return g_strdup_printf (_("Could not reach %s"), name);
    case REFRACT_MODEL_ERROR_FAILED:
    case REFRACT_MODEL_ERROR_NOT_FOUND:
    case REFRACT_MODEL_ERROR_INVALID_STATE:
    case REFRACT_MODEL_ERROR_TIMED_OUT:
    case REFRACT_MODEL_ERROR_DISCONNECTED:
    default:
      return g_strdup_printf (_("Could not connect to %s"), name);
    }
}

static char *
remedy_permission (const RefractConnectFailure *f)
{
  const char *group = f->socket_group ? f->socket_group : "libvirt";
  const char *user = f->user_name ? f->user_name : g_get_user_name ();

  return g_strdup_printf (_("Your user “%s” is not in the “%s” group. Add it with "
                            "“sudo usermod -aG %s %s”, then log out and back in."),
                          user, group, group, user);
}

char *
refract_connect_remedy (RefractModelError            code,
                        const RefractConnectFailure *f)
{
  g_autofree char *host = refract_uri_get_host (f->uri);

  switch (code)
    {
    case REFRACT_MODEL_ERROR_INVALID_URI:
      return g_strdup (_("Use an address such as qemu:///system, qemu:///session or "
                         "qemu+ssh://user@host/system."));
    case REFRACT_MODEL_ERROR_NO_DAEMON:
      return g_strdup (_("Install and start libvirt: “sudo apt install libvirt-daemon-system”, "
                         "then “sudo systemctl enable --now libvirtd”."));
    case REFRACT_MODEL_ERROR_PERMISSION_DENIED:
      return remedy_permission (f);
    case REFRACT_MODEL_ERROR_AUTH_FAILED:
      if (host != NULL)
        return g_strdup_printf (_("Check that “ssh %s” logs you in without a password prompt "
                                  "(an SSH key) and that your user there may manage libvirt."),
                                host);
      return g_strdup (_("Check your polkit rules, or add your user to the “libvirt” group."));
    case REFRACT_MODEL_ERROR_HOST_UNREACHABLE:
      return g_strdup_printf (_("Check the host name, that “ssh %s” works from a terminal, and "
                                "that libvirt is installed on that host."),
                              host ? host : "");
    case REFRACT_MODEL_ERROR_FAILED:
    case REFRACT_MODEL_ERROR_NOT_FOUND:
    case REFRACT_MODEL_ERROR_INVALID_STATE:
    case REFRACT_MODEL_ERROR_TIMED_OUT:
    case REFRACT_MODEL_ERROR_DISCONNECTED:
    default:
      return g_strdup (_("Check the address and that libvirt runs on that host, then try again."));
    }
}

static GError *
error_with_remedy (RefractModelError  code,
                   const char        *message,
                   char              *remedy)
{
  GError *error = g_error_new_literal (REFRACT_MODEL_ERROR, code, message);
  RefractModelErrorPrivate *priv = refract_model_error_get_private (error);

  priv->remedy = remedy;
  return error;
}

GError *
refract_connect_error_new (const RefractConnectFailure *failure)
{
  RefractModelError code = refract_diagnose_connect (failure);
  g_autofree char *title = refract_connect_error_title (code, failure->uri);

  return error_with_remedy (code, title, refract_connect_remedy (code, failure));
}

static RefractModelError
code_for_libvirt (int code)
{
  switch (code)
    {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_STORAGE_POOL:
      return REFRACT_MODEL_ERROR_NOT_FOUND;
    case VIR_ERR_OPERATION_INVALID:
      return REFRACT_MODEL_ERROR_INVALID_STATE;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_RPC:
      return REFRACT_MODEL_ERROR_DISCONNECTED;
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
    case VIR_ERR_ACCESS_DENIED:
      return REFRACT_MODEL_ERROR_PERMISSION_DENIED;
    default:
      return REFRACT_MODEL_ERROR_FAILED;
    }
}

/* Wraps libvirt's last error of this thread: "what" says what we were doing,
 * libvirt's own text says why. */
GError *
refract_error_from_libvirt (const char *what)
{
  virErrorPtr err = virGetLastError ();
  RefractModelError code = err ? code_for_libvirt (err->code) : REFRACT_MODEL_ERROR_FAILED;
  g_autofree char *message = NULL;
  char *remedy = NULL;

  if (err != NULL && err->message != NULL)
    message = g_strdup_printf ("%s: %s", what, err->message);
  else
    message = g_strdup (what);

  if (code == REFRACT_MODEL_ERROR_DISCONNECTED)
    remedy = g_strdup (_("The connection to libvirt was lost. Refract reconnects by itself; "
                         "try again in a moment."));
  else if (code == REFRACT_MODEL_ERROR_NOT_FOUND)
    remedy = g_strdup (_("The machine was probably deleted by another program."));

  virResetLastError ();
  return error_with_remedy (code, message, remedy);
}
