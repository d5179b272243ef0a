/* refract-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libvirt-gobject/libvirt-gobject.h>
#include <signal.h>
#include <libvirt/virterror.h>

#include "refract-model.h"

static void
quiet_error_func (void *user_data, virErrorPtr error)
{
  /* errors reach the user as GErrors; libvirt's default prints them to stderr */
}

/* Registers libvirt-glib's event loop on the default main context; call once
 * before opening connections. */
gboolean
refract_model_init (GError **error)
{
  static gboolean done;

  if (done)
    return TRUE;
  if (!gvir_init_object_check (NULL, NULL, error))
    return FALSE;
  /* libvirt's RPC client writes to its socket with write(); when libvirtd dies
   * mid-call that raises SIGPIPE, which would kill us instead of turning into
   * the "connection lost" state and a reconnect. */
  signal (SIGPIPE, SIG_IGN);
  virSetErrorFunc (NULL, quiet_error_func);
  done = TRUE;
  return TRUE;
}
