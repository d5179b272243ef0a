/* refract-os.c: operating systems from libosinfo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <osinfo/osinfo.h>

#include "refract-model-error.h"
#include "refract-os.h"

#define MIB (1024 * 1024)

/* PCI ids of the virtio devices a guest has drivers for, legacy and 1.0 */
static const char * const virtio_block_ids[] = {
  "http://pcisig.com/pci/1af4/1001",
  "http://pcisig.com/pci/1af4/1042",
  NULL
};
static const char * const virtio_net_ids[] = {
  "http://pcisig.com/pci/1af4/1000",
  "http://pcisig.com/pci/1af4/1041",
  NULL
};

/* Loading the database reads hundreds of files: done once, off the main thread
 * (callers are worker threads). The database is only read afterwards. */
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

static OsinfoDb *
get_db (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, load_db, NULL);
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

static gboolean
has_short_id (OsinfoOs *os, const char *short_id)
{
  g_autoptr(GList) ids = osinfo_product_get_short_id_list (OSINFO_PRODUCT (os));

  for (GList *l = ids; l != NULL; l = l->next)
    if (g_strcmp0 (l->data, short_id) == 0)
      return TRUE;
  return FALSE;
}

/* By libosinfo id, or by short id ("debian11"). */
static OsinfoOs *
find_os (OsinfoDb *db, const char *os_id)
{
  g_autoptr(OsinfoOsList) list = NULL;
  OsinfoOs *os = osinfo_db_get_os (db, os_id);

  if (os != NULL || strchr (os_id, '/') != NULL)
    return os;

  list = osinfo_db_get_os_list (db);
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoOs *candidate = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (list), i));

      if (has_short_id (candidate, os_id))
        return candidate;
    }
  return NULL;
}

/* "10" > "9.1" > "9"; a non-numeric part ends the comparison. */
static int
compare_versions (const char *a, const char *b)
{
  while (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
    {
      guint64 x = g_ascii_strtoull (a, (char **) &a, 10);
      guint64 y = g_ascii_strtoull (b, (char **) &b, 10);

      if (x != y)
        return x < y ? -1 : 1;
      if (*a == '.')
        a++;
      if (*b == '.')
        b++;
    }
  return (g_ascii_isdigit (*a) ? 1 : 0) - (g_ascii_isdigit (*b) ? 1 : 0);
}

/* An OS newer than the installed database (Debian 12 on a 2022 osinfo-db):
 * the newest older release of the same line, whose needs are the best guess. */
static OsinfoOs *
find_older_release (OsinfoDb *db, const char *os_id)
{
  g_autoptr(OsinfoOsList) list = osinfo_db_get_os_list (db);
  const char *slash = strrchr (os_id, '/');
  g_autofree char *prefix = NULL;
  const char *version;
  OsinfoOs *best = NULL;
  const char *best_version = NULL;

  if (slash == NULL || !g_ascii_isdigit (slash[1]))
    return NULL;
  prefix = g_strndup (os_id, slash + 1 - os_id);
  version = slash + 1;

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoEntity *entity = osinfo_list_get_nth (OSINFO_LIST (list), i);
      const char *id = osinfo_entity_get_id (entity);
      const char *v;

      if (!g_str_has_prefix (id, prefix) || strchr (id + strlen (prefix), '/') != NULL)
        continue;
      v = id + strlen (prefix);
      if (!g_ascii_isdigit (*v) || compare_versions (v, version) >= 0)
        continue;
      if (best_version == NULL || compare_versions (v, best_version) > 0)
        {
          best = OSINFO_OS (entity);
          best_version = v;
        }
    }
  return best;
}

/* "Arch Linux" for http://archlinux.org/archlinux/rolling; NULL for NULL. */
char *
refract_os_name_for_id (const char *os_id)
{
  OsinfoDb *db;
  OsinfoOs *os;

  if (os_id == NULL || *os_id == '\0')
    return NULL;
  db = get_db ();
  os = db ? osinfo_db_get_os (db, os_id) : NULL;
  if (os == NULL)
    return fallback_name (os_id);
  return g_strdup (osinfo_product_get_name (OSINFO_PRODUCT (os)));
}

/* ---- resources, devices, firmware ---------------------------------------- */

static gboolean
is_x86_64 (const char *arch)
{
  return g_strcmp0 (arch, "x86_64") == 0 || g_strcmp0 (arch, "all") == 0;
}

/* The x86_64 entry of a resources list, else the "all" one. */
static OsinfoResources *
pick_resources (OsinfoResourcesList *list)
{
  OsinfoResources *all = NULL;

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoResources *res = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *arch = osinfo_resources_get_architecture (res);

      if (g_strcmp0 (arch, "x86_64") == 0)
        return res;
      if (g_strcmp0 (arch, "all") == 0)
        all = res;
    }
  return all;
}

static void
apply_resources (RefractOsInfo *info, OsinfoResources *res, gboolean minimum)
{
  gint64 ram = osinfo_resources_get_ram (res);
  gint64 storage = osinfo_resources_get_storage (res);
  gint cpus = osinfo_resources_get_n_cpus (res);
  guint64 *ram_field = minimum ? &info->minimum_ram_mib : &info->recommended_ram_mib;
  guint64 *storage_field = minimum ? &info->minimum_storage : &info->recommended_storage;
  guint *cpus_field = minimum ? &info->minimum_cpus : &info->recommended_cpus;

  if (ram > 0 && *ram_field == 0)
    *ram_field = (guint64) ram / MIB;
  if (storage > 0 && *storage_field == 0)
    *storage_field = (guint64) storage;
  if (cpus > 0 && *cpus_field == 0)
    *cpus_field = (guint) cpus;
}

/* An OS without its own figures inherits those of what it derives from. */
static void
fill_resources (RefractOsInfo *info, OsinfoOs *os)
{
  for (guint depth = 0; os != NULL && depth < 8; depth++)
    {
      g_autoptr(OsinfoResourcesList) min = osinfo_os_get_minimum_resources (os);
      g_autoptr(OsinfoResourcesList) rec = osinfo_os_get_recommended_resources (os);
      g_autoptr(OsinfoProductList) parents = NULL;
      OsinfoResources *res;

      if ((res = pick_resources (min)) != NULL)
        apply_resources (info, res, TRUE);
      if ((res = pick_resources (rec)) != NULL)
        apply_resources (info, res, FALSE);
      if (info->minimum_ram_mib > 0 && info->recommended_ram_mib > 0)
        break;

      parents = osinfo_product_get_related (OSINFO_PRODUCT (os),
                                            OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM);
      os = osinfo_list_get_length (OSINFO_LIST (parents)) > 0
           ? OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (parents), 0)) : NULL;
    }

  /* a recommendation is never below the minimum */
  info->recommended_ram_mib = MAX (info->recommended_ram_mib, info->minimum_ram_mib);
  info->recommended_cpus = MAX (info->recommended_cpus, info->minimum_cpus);
  info->recommended_storage = MAX (info->recommended_storage, info->minimum_storage);
}

static gboolean
has_device (OsinfoDeviceList *devices, const char * const *ids)
{
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (devices)); i++)
    {
      const char *id = osinfo_entity_get_id (osinfo_list_get_nth (OSINFO_LIST (devices), i));

      if (g_strv_contains (ids, id))
        return TRUE;
    }
  return FALSE;
}

/* Device links are inherited along derives-from, which get_all_devices follows. */
static void
fill_devices (RefractOsInfo *info, OsinfoOs *os)
{
  g_autoptr(OsinfoDeviceList) devices = osinfo_os_get_all_devices (os, NULL);

  info->virtio_disk = has_device (devices, virtio_block_ids);
  info->virtio_net = has_device (devices, virtio_net_ids);
}

/* UEFI only: the OS lists EFI firmware for x86_64 and marks BIOS unsupported. */
static gboolean
needs_uefi (OsinfoOs *os)
{
  g_autoptr(OsinfoFirmwareList) list = osinfo_os_get_complete_firmware_list (os, NULL);
  gboolean efi = FALSE;
  gboolean no_bios = FALSE;

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoFirmware *fw = OSINFO_FIRMWARE (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *type = osinfo_firmware_get_firmware_type (fw);

      if (!is_x86_64 (osinfo_firmware_get_architecture (fw)))
        continue;
      if (g_strcmp0 (type, "efi") == 0 && osinfo_firmware_is_supported (fw))
        efi = TRUE;
      else if (g_strcmp0 (type, "bios") == 0 && !osinfo_firmware_is_supported (fw))
        no_bios = TRUE;
    }
  return efi && no_bios;
}

static gboolean
is_eol (OsinfoOs *os)
{
  g_autoptr(GDate) eol = osinfo_product_get_eol_date (OSINFO_PRODUCT (os));
  g_autoptr(GDateTime) now = NULL;
  GDate today;

  if (eol == NULL)
    return FALSE;
  now = g_date_time_new_now_utc ();
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
  return g_date_compare (eol, &today) < 0;
}

static RefractOsInfo *
info_from_os (OsinfoOs *os)
{
  OsinfoProduct *product = OSINFO_PRODUCT (os);
  RefractOsInfo *info = g_new0 (RefractOsInfo, 1);

  info->id = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));
  info->short_id = g_strdup (osinfo_product_get_short_id (product));
  info->name = g_strdup (osinfo_product_get_name (product));
  info->vendor = g_strdup (osinfo_product_get_vendor (product));
  info->family = g_strdup (osinfo_os_get_family (os));
  fill_resources (info, os);
  fill_devices (info, os);
  info->needs_uefi = needs_uefi (os);
  info->eol = is_eol (os);
  return info;
}

/* What libosinfo knows about os_id (a libosinfo id or short id). An id newer
 * than the database gets the needs of its newest older release, with its own
 * id and name. NULL when nothing fits. */
RefractOsInfo *
refract_os_info_lookup (const char *os_id)
{
  OsinfoDb *db;
  OsinfoOs *os;
  RefractOsInfo *info;
  g_auto(GStrv) parts = NULL;
  guint n;

  g_return_val_if_fail (os_id != NULL, NULL);

  if ((db = get_db ()) == NULL)
    return NULL;
  if ((os = find_os (db, os_id)) != NULL)
    return info_from_os (os);
  if ((os = find_older_release (db, os_id)) == NULL)
    return NULL;

  info = info_from_os (os);
  parts = g_strsplit (os_id, "/", -1);
  n = g_strv_length (parts);
  g_free (info->id);
  g_free (info->short_id);
  g_free (info->name);
  info->id = g_strdup (os_id);
  info->short_id = g_strconcat (parts[n - 2], parts[n - 1], NULL);
  info->name = fallback_name (os_id);
  /* the family and vendor are the same; the name follows the older one's style */
  if (osinfo_product_get_version (OSINFO_PRODUCT (os)) != NULL)
    {
      const char *old_name = osinfo_product_get_name (OSINFO_PRODUCT (os));
      const char *old_version = osinfo_product_get_version (OSINFO_PRODUCT (os));

      if (g_str_has_suffix (old_name, old_version))
        {
          g_free (info->name);
          info->name = g_strdup_printf ("%.*s%s", (int) (strlen (old_name) - strlen (old_version)),
                                        old_name, parts[n - 1]);
        }
    }
  info->eol = FALSE;
  return info;
}

RefractOsInfo *
refract_os_info_copy (const RefractOsInfo *info)
{
  RefractOsInfo *copy;

  if (info == NULL)
    return NULL;
  copy = g_memdup2 (info, sizeof *info);
  copy->id = g_strdup (info->id);
  copy->short_id = g_strdup (info->short_id);
  copy->name = g_strdup (info->name);
  copy->vendor = g_strdup (info->vendor);
  copy->family = g_strdup (info->family);
  return copy;
}

void
refract_os_info_free (RefractOsInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->short_id);
  g_free (info->name);
  g_free (info->vendor);
  g_free (info->family);
  g_free (info);
}

/* ---- search -------------------------------------------------------------- */

typedef struct
{
  OsinfoOs *os;
  GDate    *release;  /* may be NULL */
  gboolean  eol;
  char     *name_key;
} SearchHit;

static char *
haystack_for (OsinfoOs *os)
{
  OsinfoProduct *product = OSINFO_PRODUCT (os);
  g_autoptr(GList) ids = osinfo_product_get_short_id_list (product);
  g_autoptr(GString) text = g_string_new (osinfo_product_get_name (product));

  for (GList *l = ids; l != NULL; l = l->next)
    g_string_append_printf (text, " %s", (const char *) l->data);
  if (osinfo_product_get_vendor (product) != NULL)
    g_string_append_printf (text, " %s", osinfo_product_get_vendor (product));
  return g_utf8_casefold (text->str, -1);
}

static gboolean
matches_all (const char *haystack, char **words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0' && strstr (haystack, words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static int
compare_hits (gconstpointer a, gconstpointer b)
{
  const SearchHit *x = a;
  const SearchHit *y = b;

  if (x->eol != y->eol)
    return x->eol ? 1 : -1;
  if (x->release != NULL && y->release != NULL && g_date_compare (x->release, y->release) != 0)
    return g_date_compare (y->release, x->release);
  if ((x->release == NULL) != (y->release == NULL))
    return x->release == NULL ? 1 : -1;
  return strcmp (x->name_key, y->name_key);
}

static void
clear_hit (gpointer data)
{
  SearchHit *hit = data;

  g_free (hit->name_key);
  g_clear_pointer (&hit->release, g_date_free);
}

/* Every OS whose name, short id or vendor contains all words of query
 * (case-folded); newest first, EOL ones last; at most limit (0: no limit). */
GPtrArray *
refract_os_search (const char *query,
                   guint       limit)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_os_info_free);
  g_autoptr(GArray) hits = g_array_new (FALSE, FALSE, sizeof (SearchHit));
  g_autoptr(OsinfoOsList) list = NULL;
  g_autofree char *folded = g_utf8_casefold (query ? query : "", -1);
  g_auto(GStrv) words = g_strsplit_set (folded, " \t\n", -1);
  OsinfoDb *db = get_db ();

  if (db == NULL)
    return result;

  g_array_set_clear_func (hits, clear_hit);
  list = osinfo_db_get_os_list (db);
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoOs *os = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (list), i));
      g_autofree char *haystack = haystack_for (os);
      SearchHit hit;

      if (!matches_all (haystack, words))
        continue;
      hit.os = os;
      hit.release = osinfo_product_get_release_date (OSINFO_PRODUCT (os));
      hit.eol = is_eol (os);
      hit.name_key = g_utf8_collate_key (osinfo_product_get_name (OSINFO_PRODUCT (os)), -1);
      g_array_append_val (hits, hit);
    }

  g_array_sort (hits, compare_hits);
  for (guint i = 0; i < hits->len && (limit == 0 || i < limit); i++)
    g_ptr_array_add (result, info_from_os (g_array_index (hits, SearchHit, i).os));
  return result;
}

/* ---- install media --------------------------------------------------------- */

void
refract_media_info_free (RefractMediaInfo *info)
{
  if (info == NULL)
    return;
  refract_os_info_free (info->os);
  g_free (info->volume_id);
  g_free (info);
}

static GError *
unreadable_error (const char *path, const GError *cause)
{
  g_autofree char *base = g_filename_display_basename (path);
  GError *error;

  if (cause->domain == OSINFO_MEDIA_ERROR)
    error = g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                         _("“%s” is not an installation disc image: %s"), base, cause->message);
  else
    error = g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                         _("Could not read “%s”: %s"), base, cause->message);
  refract_error_set_remedy (error, _("Choose an ISO image of an installation or live disc "
                                     "that you can read, or pick the operating system "
                                     "from the list."));
  return error;
}

static RefractMediaInfo *
detect_media (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr(OsinfoMedia) media = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(RefractMediaInfo) info = g_new0 (RefractMediaInfo, 1);
  g_autofree char *base = NULL;
  OsinfoDb *db;
  OsinfoOs *os;

  /* The "synchronous" call runs a main loop on the thread-default context,
   * which in a worker thread is the global default one that the main thread
   * is iterating: the two then wait on each other. Give it a context of its own.
   * The boot record is not needed to tell what a disc is. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  media = osinfo_media_create_from_location_with_flags (path, cancellable, 0, &local_error);
  g_main_context_pop_thread_default (context);
  if (media == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        *error = unreadable_error (path, local_error);
      return NULL;
    }

  /* identifying replaces the media's fields by the database entry's */
  info->volume_id = g_strdup (osinfo_media_get_volume_id (media));
  base = g_filename_display_basename (path);
  db = get_db ();
  if (db == NULL || !osinfo_db_identify_media (db, media)
      || (os = osinfo_media_get_os (media)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Refract does not recognise the system on “%s” (volume “%s”). "
                     "Choose the operating system from the list."),
                   base, info->volume_id ? info->volume_id : "");
      return NULL;
    }

  info->os = info_from_os (os);
  info->installer = osinfo_media_get_installer (media);
  info->live = osinfo_media_get_live (media);
  g_object_unref (os);
  return g_steal_pointer (&info);
}

static void
detect_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  RefractMediaInfo *info = detect_media (task_data, cancellable, &error);

  if (info != NULL)
    g_task_return_pointer (task, info, (GDestroyNotify) refract_media_info_free);
  else
    g_task_return_error (task, error);
}

/* What's on an install medium, from its ISO header, in a worker thread. */
void
refract_os_detect_media_async (const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_os_detect_media_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, detect_thread);
}

RefractMediaInfo *
refract_os_detect_media_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
