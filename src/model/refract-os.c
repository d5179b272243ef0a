/* refract-os.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <osinfo/osinfo.h>

#include "refract-os.h"

/* Loading the database reads hundreds of files: done once, off the main thread
 * (callers are worker threads). */
static gpointer
load_db (gpointer data)
{
  g_autoptr(OsinfoLoader) loader = osinfo_loader_new ();
  g_autoptr(GError) error = NULL;
  OsinfoDb *db;

  osinfo_loader_process_default_path (loader, &error);
  if (error != NULL)
    g_debug ("libosinfo database incomplete: %s", error->message);
  db = osinfo_loader_get_db (loader);
  return db ? g_object_ref (db) : NULL;
}

static char *
fallback_name (const char *os_id)
{
  g_auto(GStrv) parts = g_strsplit (os_id, "/", -1);
  guint n = g_strv_length (parts);

  if (n >= 2)
    return g_strdup_printf ("%s %s", parts[n - 2], parts[n - 1]);
  return g_strdup (os_id);
}

/* "Arch Linux" for http://archlinux.org/archlinux/rolling; NULL for NULL. */
char *
refract_os_name_for_id (const char *os_id)
{
  static GOnce once = G_ONCE_INIT;
  OsinfoDb *db;
  OsinfoOs *os;

  if (os_id == NULL || *os_id == '\0')
    return NULL;
  db = g_once (&once, load_db, NULL);
  os = db ? osinfo_db_get_os (db, os_id) : NULL;
  if (os == NULL)
    return fallback_name (os_id);
  return g_strdup (osinfo_product_get_name (OSINFO_PRODUCT (os)));
}
