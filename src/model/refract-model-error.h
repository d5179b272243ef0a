/* refract-model-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REFRACT_MODEL_ERROR (refract_model_error_quark ())

typedef enum
{
  REFRACT_MODEL_ERROR_FAILED,
  REFRACT_MODEL_ERROR_INVALID_URI,
  REFRACT_MODEL_ERROR_NO_DAEMON,
  REFRACT_MODEL_ERROR_PERMISSION_DENIED,
  REFRACT_MODEL_ERROR_AUTH_FAILED,
  REFRACT_MODEL_ERROR_HOST_UNREACHABLE,
  REFRACT_MODEL_ERROR_NOT_FOUND,
  REFRACT_MODEL_ERROR_INVALID_STATE,
  REFRACT_MODEL_ERROR_TIMED_OUT,
  REFRACT_MODEL_ERROR_DISCONNECTED,
} RefractModelError;

/* What a failed connection attempt looked like, gathered where it happened. */
typedef struct
{
  const char *uri;
  int         vir_code;     /* virErrorNumber, 0 when none */
  int         vir_domain;   /* virErrorDomain */
  const char *message;      /* libvirt's message, may be NULL */
  gboolean    socket_known; /* a local unix socket path was worked out */
  gboolean    socket_exists;
  gboolean    socket_writable;
  const char *socket_group; /* group owning the socket, may be NULL */
  const char *user_name;
} RefractConnectFailure;

GQuark            refract_model_error_quark   (void);
RefractModelError refract_diagnose_connect    (const RefractConnectFailure *failure);
char             *refract_connect_error_title (RefractModelError            code,
                                               const char                  *uri);
char             *refract_connect_remedy      (RefractModelError            code,
                                               const RefractConnectFailure *failure);
GError           *refract_error_from_libvirt  (const char                  *what);
GError           *refract_connect_error_new   (const RefractConnectFailure *failure);
const char       *refract_error_get_remedy    (const GError                *error);
void              refract_error_set_remedy    (GError                      *error,
                                               const char                  *remedy);

G_END_DECLS
