/* refract-uri.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  refract_uri_validate        (const char  *uri,
                                       GError     **error);
char     *refract_uri_build_ssh       (const char  *user,
                                       const char  *host,
                                       gboolean     session,
                                       GError     **error);
gboolean  refract_uri_is_local        (const char  *uri);
gboolean  refract_uri_is_test         (const char  *uri);
char     *refract_uri_get_host        (const char  *uri);
char     *refract_uri_describe        (const char  *uri);
char     *refract_uri_local_socket    (const char  *uri);

G_END_DECLS
