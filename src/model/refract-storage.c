/* refract-storage.c: volumes for new machines, through libvirt's storage API
 *
 * Everything goes through libvirt, never the pool's directory: the pool may
 * be on another host, or in a daemon's private mount namespace. Copies are
 * uploaded over a libvirt stream; raw → qcow2 conversion is libvirt cloning
 * an uploaded raw volume into a qcow2 one (it runs qemu-img convert).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "refract-connection-private.h"
#include "refract-model-error.h"
#include "refract-storage-private.h"
#include "refract-uri.h"

#define CHUNK_SIZE       (4 * 1024 * 1024)
#define PROGRESS_STEP_US (100 * 1000)
#define QCOW2_MAGIC      "QFI\xfb"

/* ---- progress ------------------------------------------------------------ */

struct _RefractProgress
{
  GMainContext        *context;
  RefractProgressFunc  func;
  gpointer             data;
  gint64               last_us;
  double               from;
  double               to;
};

typedef struct
{
  RefractProgressFunc  func;
  gpointer             data;
  double               fraction;
  char                *what;
} ProgressCall;

RefractProgress *
_refract_progress_new (RefractProgressFunc func,
                       gpointer            data)
{
  RefractProgress *self = g_new0 (RefractProgress, 1);

  self->context = g_main_context_ref_thread_default ();
  self->func = func;
  self->data = data;
  self->to = 1;
  return self;
}

void
_refract_progress_set_range (RefractProgress *self,
                             double           from,
                             double           to)
{
  self->from = from;
  self->to = to;
}

void
_refract_progress_free (RefractProgress *self)
{
  if (self == NULL)
    return;
  g_main_context_unref (self->context);
  g_free (self);
}

static gboolean
progress_dispatch (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->func (call->fraction, call->what, call->data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer user_data)
{
  ProgressCall *call = user_data;

  g_free (call->what);
  g_free (call);
}

void
_refract_progress_report (RefractProgress *self,
                          double           fraction,
                          const char      *what)
{
  gint64 now = g_get_monotonic_time ();
  ProgressCall *call;

  if (self == NULL || self->func == NULL)
    return;
  if (fraction > 0 && fraction < 1 && now - self->last_us < PROGRESS_STEP_US)
    return;
  self->last_us = now;

  call = g_new0 (ProgressCall, 1);
  call->func = self->func;
  call->data = self->data;
  call->fraction = self->from + (self->to - self->from) * CLAMP (fraction, 0, 1);
  call->what = g_strdup (what);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, progress_dispatch, call,
                              progress_call_free);
}

/* ---- errors ---------------------------------------------------------------- */

static GError *
libvirt_error (const char *what, const char *remedy)
{
  GError *error = refract_error_from_libvirt (what);

  if (remedy != NULL)
    refract_error_set_remedy (error, remedy);
  return error;
}

static GError *
no_pool_error (const char *pool)
{
  g_autofree char *what = g_strdup_printf (_("There is no storage pool “%s”"), pool);

  return libvirt_error (what, _("Choose another storage pool, or let Refract create the "
                                "default one."));
}

static GError *
no_space_error (const char *pool, guint64 needed, gint64 available)
{
  g_autofree char *need = g_format_size (needed);
  g_autofree char *have = g_format_size (available);
  GError *error = g_error_new (REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                               _("The disk needs %s, but the storage pool “%s” has only %s free"),
                               need, pool, have);

  refract_error_set_remedy (error, _("Choose a smaller disk, free space in the pool, or use "
                                     "another pool."));
  return error;
}

static gboolean
check_cancelled (GCancellable *cancellable, GError **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* ---- pools ----------------------------------------------------------------- */

/* The directory libvirt uses for the default pool of a connection URI: the
 * system one, or the session one of the local user. NULL for a remote session. */
char *
_refract_storage_default_path_for_uri (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NON_DNS | G_URI_FLAGS_ENCODED, NULL);

  if (parsed == NULL || g_strcmp0 (g_uri_get_path (parsed), "/session") != 0)
    return g_strdup ("/var/lib/libvirt/images");
  if (!refract_uri_is_local (uri))
    return NULL;
  return g_build_filename (g_get_user_data_dir (), "libvirt", "images", NULL);
}

/* The directory libvirt uses for the default pool on this connection
 * (/var/lib/libvirt/images for system, ~/.local/share/libvirt/images for
 * session); NULL for a session on another host, whose home we can't know. */
char *
refract_storage_default_pool_path (RefractConnection *connection)
{
  g_return_val_if_fail (REFRACT_IS_CONNECTION (connection), NULL);

  return _refract_storage_default_path_for_uri (refract_connection_get_uri (connection));
}

static char *
xpath_string (const char *xml, const char *expression)
{
  g_autofree char *result = NULL;
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
  xmlXPathContextPtr ctx;
  xmlXPathObjectPtr obj;

  if (doc == NULL)
    return NULL;
  ctx = xmlXPathNewContext (doc);
  obj = xmlXPathEvalExpression ((const xmlChar *) expression, ctx);
  if (obj != NULL && obj->type == XPATH_STRING && obj->stringval != NULL && *obj->stringval)
    result = g_strdup ((const char *) obj->stringval);
  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return g_steal_pointer (&result);
}

/* Free bytes of an active pool after a refresh; -1 unknown. */
static gint64
pool_available (virStoragePoolPtr pool)
{
  virStoragePoolInfo info;

  if (virStoragePoolIsActive (pool) == 1 && virStoragePoolRefresh (pool, 0) < 0)
    virResetLastError ();
  if (virStoragePoolGetInfo (pool, &info) < 0)
    {
      virResetLastError ();
      return -1;
    }
  if (info.state != VIR_STORAGE_POOL_RUNNING || info.capacity == 0)
    return -1;
  return (gint64) MIN (info.available, (unsigned long long) G_MAXINT64);
}

static void
pool_info_free (gpointer data)
{
  RefractPoolInfo *info = data;

  g_free (info->name);
  g_free (info->path);
  g_free (info);
}

static RefractPoolInfo *
describe_pool (virStoragePoolPtr pool)
{
  RefractPoolInfo *info = g_new0 (RefractPoolInfo, 1);
  virStoragePoolInfo vinfo;
  char *xml;

  info->name = g_strdup (virStoragePoolGetName (pool));
  info->available = pool_available (pool);
  info->active = virStoragePoolIsActive (pool) == 1;
  info->capacity = -1;
  if (virStoragePoolGetInfo (pool, &vinfo) == 0 && vinfo.capacity > 0)
    info->capacity = (gint64) MIN (vinfo.capacity, (unsigned long long) G_MAXINT64);
  if ((xml = virStoragePoolGetXMLDesc (pool, 0)) != NULL)
    {
      info->path = xpath_string (xml, "string(/pool/target/path)");
      free (xml);
    }
  virResetLastError ();
  return info;
}

static GPtrArray *
list_pools (virConnectPtr conn, GError **error)
{
  virStoragePoolPtr *pools = NULL;
  GPtrArray *result;
  int n = virConnectListAllStoragePools (conn, &pools, 0);

  if (n < 0)
    {
      *error = libvirt_error (_("Could not list the storage pools"), NULL);
      return NULL;
    }
  result = g_ptr_array_new_with_free_func (pool_info_free);
  for (int i = 0; i < n; i++)
    {
      g_ptr_array_add (result, describe_pool (pools[i]));
      virStoragePoolFree (pools[i]);
    }
  free (pools);
  return result;
}

static gboolean
start_pool (virStoragePoolPtr pool, GError **error)
{
  g_autofree char *what = NULL;

  if (virStoragePoolIsActive (pool) == 1 || virStoragePoolCreate (pool, 0) == 0)
    return TRUE;
  what = g_strdup_printf (_("Could not start the storage pool “%s”"), virStoragePoolGetName (pool));
  *error = libvirt_error (what, _("Check that the pool’s directory or device exists and that "
                                  "libvirt may use it."));
  return FALSE;
}

static gboolean
define_default_pool (virConnectPtr conn, const char *path, GError **error)
{
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *xml = g_strdup_printf ("<pool type='dir'>"
                                          "<name>default</name>"
                                          "<target><path>%s</path></target>"
                                          "</pool>", escaped);
  virStoragePoolPtr pool = virStoragePoolDefineXML (conn, xml, 0);
  const char *failed = NULL;

  if (pool == NULL)
    {
      *error = libvirt_error (_("Could not create the default storage pool"), NULL);
      return FALSE;
    }

  if (virStoragePoolBuild (pool, 0) < 0)
    failed = _("Could not create the directory of the default storage pool");
  else if (virStoragePoolCreate (pool, 0) < 0)
    failed = _("Could not start the default storage pool");
  else if (virStoragePoolSetAutostart (pool, 1) < 0)
    failed = _("Could not make the default storage pool start with the host");

  if (failed != NULL)
    {
      *error = libvirt_error (failed, _("Check that libvirt may create and use the directory."));
      /* leave nothing half-made behind */
      if (virStoragePoolIsActive (pool) == 1)
        virStoragePoolDestroy (pool);
      virStoragePoolUndefine (pool);
      virResetLastError ();
    }
  virStoragePoolFree (pool);
  return failed == NULL;
}

gboolean
_refract_storage_ensure_default_pool (virConnectPtr   conn,
                                      const char     *path,
                                      GError        **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, "default");
  gboolean ok;

  if (pool != NULL)
    {
      ok = start_pool (pool, error);
      virStoragePoolFree (pool);
      return ok;
    }
  virResetLastError ();

  if (path == NULL)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND, "%s",
                   _("This connection has no default storage pool, and Refract can’t tell "
                     "where the remote user’s one should be"));
      refract_error_set_remedy (*error, _("Create a storage pool on that host, or choose an "
                                          "existing disk image."));
      return FALSE;
    }
  return define_default_pool (conn, path, error);
}

/* ---- volumes ----------------------------------------------------------------- */

static virStoragePoolPtr
open_pool (virConnectPtr conn, const char *name, GError **error)
{
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, name);

  if (pool == NULL)
    {
      *error = no_pool_error (name);
      return NULL;
    }
  if (!start_pool (pool, error))
    g_clear_pointer (&pool, virStoragePoolFree);
  return pool;
}

static gboolean
check_space (virStoragePoolPtr pool, guint64 needed, GError **error)
{
  gint64 available = pool_available (pool);

  if (available < 0 || needed <= (guint64) available)
    return TRUE;
  *error = no_space_error (virStoragePoolGetName (pool), needed, available);
  return FALSE;
}

/* "disk.qcow2", "disk-2.qcow2", … the first one the pool doesn't have. */
static char *
free_name (virStoragePoolPtr pool, const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
  const char *ext = dot && dot != name ? dot : "";

  for (guint i = 1; i < 10000; i++)
    {
      g_autofree char *candidate = i == 1 ? g_strdup (name)
                                          : g_strdup_printf ("%s-%u%s", stem, i, ext);
      virStorageVolPtr vol = virStorageVolLookupByName (pool, candidate);

      if (vol == NULL)
        {
          virResetLastError ();
          return g_steal_pointer (&candidate);
        }
      virStorageVolFree (vol);
    }
  return NULL;
}

static char *
volume_xml (const char *name, guint64 capacity, const char *format)
{
  g_autofree char *escaped = g_markup_escape_text (name, -1);

  return g_strdup_printf ("<volume>"
                          "<name>%s</name>"
                          "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                          "<allocation unit='bytes'>0</allocation>"
                          "<target><format type='%s'/></target>"
                          "</volume>", escaped, capacity, format);
}

/* A new volume with a free variant of name; retries when another program
 * takes the name between the look-up and the creation. */
static virStorageVolPtr
create_volume (virStoragePoolPtr  pool,
               const char        *name,
               guint64            capacity,
               const char        *format,
               virStorageVolPtr   clone_from,
               GError           **error)
{
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_autofree char *unique = free_name (pool, name);
      g_autofree char *xml = NULL;
      virStorageVolPtr vol;

      if (unique == NULL)
        break;
      xml = volume_xml (unique, capacity, format);
      vol = clone_from ? virStorageVolCreateXMLFrom (pool, xml, clone_from, 0)
                       : virStorageVolCreateXML (pool, xml, 0);
      if (vol != NULL)
        return vol;
      if (virGetLastErrorCode () != VIR_ERR_STORAGE_VOL_EXIST)
        {
          *error = libvirt_error (clone_from ? _("Could not convert the disk image")
                                             : _("Could not create the disk"), NULL);
          return NULL;
        }
      virResetLastError ();
    }
  g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
               _("Could not find a free name for the disk “%s”"), name);
  return NULL;
}

static void
delete_volume (virStorageVolPtr vol)
{
  if (virStorageVolDelete (vol, 0) < 0)
    {
      g_warning ("Could not delete the unfinished volume %s: %s", virStorageVolGetName (vol),
                 virGetLastErrorMessage ());
      virResetLastError ();
    }
}

static char *
volume_path (virStorageVolPtr vol, GError **error)
{
  char *path = virStorageVolGetPath (vol);
  char *copy;

  if (path == NULL)
    {
      *error = libvirt_error (_("Could not find where the disk was created"), NULL);
      return NULL;
    }
  copy = g_strdup (path);
  free (path);
  return copy;
}

char *
_refract_storage_create_volume (virConnectPtr     conn,
                                const char       *pool_name,
                                const char       *name,
                                guint64           capacity,
                                const char       *format,
                                RefractProgress  *progress,
                                GCancellable     *cancellable,
                                GError          **error)
{
  const char *what = _("Creating the disk");
  virStoragePoolPtr pool;
  virStorageVolPtr vol = NULL;
  char *path = NULL;

  _refract_progress_report (progress, 0, what);
  if (check_cancelled (cancellable, error) || (pool = open_pool (conn, pool_name, error)) == NULL)
    return NULL;

  if (check_space (pool, capacity, error)
      && (vol = create_volume (pool, name, capacity, format, NULL, error)) != NULL)
    {
      if (!check_cancelled (cancellable, error))
        path = volume_path (vol, error);
      if (path == NULL)
        delete_volume (vol);
      virStorageVolFree (vol);
    }
  virStoragePoolFree (pool);

  if (path != NULL)
    _refract_progress_report (progress, 1, what);
  return path;
}

gboolean
_refract_storage_delete_path (virConnectPtr   conn,
                              const char     *path,
                              GError        **error)
{
  virStorageVolPtr vol = virStorageVolLookupByPath (conn, path);
  g_autofree char *what = NULL;

  if (vol != NULL && virStorageVolDelete (vol, 0) == 0)
    {
      virStorageVolFree (vol);
      return TRUE;
    }
  g_clear_pointer (&vol, virStorageVolFree);
  what = g_strdup_printf (_("Could not delete the disk “%s”"), path);
  *error = libvirt_error (what, NULL);
  return FALSE;
}

/* ---- probing local images ------------------------------------------------------ */

typedef struct
{
  const char *format;
  guint64     virtual_size;
  guint64     file_size;
  gboolean    has_backing_file;
} ImageHeader;

static gboolean
read_header (const char *path, ImageHeader *header, GError **error)
{
  guchar buf[32] = { 0 };
  g_autofree char *base = g_filename_display_basename (path);
  const char *why = NULL;
  struct stat st;
  gssize n;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fstat (fd, &st) < 0)
    why = g_strerror (errno);
  else if (!S_ISREG (st.st_mode))
    why = _("it is not a regular file");
  if (why != NULL)
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("Could not read the disk image “%s”: %s"), base, why);
      refract_error_set_remedy (*error, _("Choose a disk image file that you can read."));
      return FALSE;
    }
  n = read (fd, buf, sizeof buf);
  close (fd);

  header->file_size = (guint64) st.st_size;
  if (n >= 32 && memcmp (buf, QCOW2_MAGIC, 4) == 0)
    {
      header->format = "qcow2";
      header->virtual_size = GUINT64_FROM_BE (*(guint64 *) (buf + 24));
      header->has_backing_file = GUINT64_FROM_BE (*(guint64 *) (buf + 8)) != 0;
    }
  else
    {
      header->format = "raw";
      header->virtual_size = header->file_size;
    }
  return TRUE;
}

/* The format of an image file on the local host ("qcow2" or "raw") from its
 * header; NULL with an error when it can't be read. */
char *
refract_storage_probe_format (const char  *path,
                              guint64     *virtual_size,
                              GError     **error)
{
  ImageHeader header = { NULL, };

  g_return_val_if_fail (path != NULL, NULL);

  if (!read_header (path, &header, error))
    return NULL;
  if (virtual_size != NULL)
    *virtual_size = header.virtual_size;
  return g_strdup (header.format);
}

/* ---- importing --------------------------------------------------------------- */

/* Sends the whole file over a libvirt stream into vol, reporting progress
 * between from and to. */
static gboolean
upload (virStorageVolPtr  vol,
        const char       *source_path,
        guint64           size,
        RefractProgress  *progress,
        double            from,
        double            to,
        const char       *what,
        GCancellable     *cancellable,
        GError          **error)
{
  virStreamPtr stream = virStreamNew (virStorageVolGetConnect (vol), 0);
  g_autofree char *buf = g_malloc (CHUNK_SIZE);
  g_autofree char *base = g_filename_display_basename (source_path);
  guint64 sent = 0;
  gboolean ok = FALSE;
  int fd = -1;

  if (stream == NULL || virStorageVolUpload (vol, stream, 0, size, 0) < 0)
    {
      *error = libvirt_error (_("Could not copy the disk image into the pool"), NULL);
      g_clear_pointer (&stream, virStreamFree);
      return FALSE;
    }

  if ((fd = g_open (source_path, O_RDONLY | O_CLOEXEC, 0)) < 0)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("Could not read the disk image “%s”: %s"), base, g_strerror (errno));
      goto out;
    }

  while (sent < size)
    {
      gssize n = read (fd, buf, MIN (CHUNK_SIZE, size - sent));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                       _("Could not read the disk image “%s”: %s"), base,
                       n < 0 ? g_strerror (errno) : _("it became shorter while copying"));
          goto out;
        }
      if (check_cancelled (cancellable, error))
        goto out;
      for (gssize done = 0; done < n;)
        {
          int ret = virStreamSend (stream, buf + done, n - done);

          if (ret < 0)
            {
              *error = libvirt_error (_("Could not copy the disk image into the pool"), NULL);
              goto out;
            }
          done += ret;
        }
      sent += (guint64) n;
      _refract_progress_report (progress, from + (to - from) * sent / (double) size, what);
    }

  if (virStreamFinish (stream) < 0)
    *error = libvirt_error (_("Could not copy the disk image into the pool"), NULL);
  else
    ok = TRUE;

out:
  if (!ok)
    {
      virStreamAbort (stream);
      virResetLastError ();
    }
  if (fd >= 0)
    close (fd);
  virStreamFree (stream);
  return ok;
}

/* An uploaded raw volume cloned into a new qcow2 one: libvirt runs qemu-img
 * convert where the pool is. */
static virStorageVolPtr
convert_to_qcow2 (virStoragePoolPtr  pool,
                  virStorageVolPtr   raw,
                  const char        *name,
                  guint64            capacity,
                  GError           **error)
{
  return create_volume (pool, name, capacity, "qcow2", raw, error);
}

static char *
with_extension (const char *name, const char *format)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
  const char *ext = g_str_equal (format, "qcow2") ? ".qcow2" : ".img";

  return g_strconcat (stem, ext, NULL);
}

static virStorageVolPtr
import_copy (virStoragePoolPtr  pool,
             const char        *source_path,
             const char        *name,
             const ImageHeader *header,
             RefractProgress   *progress,
             double             to,
             const char        *what,
             GCancellable      *cancellable,
             GError           **error)
{
  /* the volume's size is the image's own; the upload replaces its content */
  guint64 capacity = g_str_equal (header->format, "qcow2") ? header->virtual_size : header->file_size;
  virStorageVolPtr vol = create_volume (pool, name, capacity, header->format, NULL, error);

  if (vol == NULL)
    return NULL;
  if (!upload (vol, source_path, header->file_size, progress, 0, to, what, cancellable, error))
    {
      delete_volume (vol);
      g_clear_pointer (&vol, virStorageVolFree);
    }
  return vol;
}

static gboolean
check_importable (const char *source_path, const ImageHeader *header, GError **error)
{
  g_autofree char *base = g_filename_display_basename (source_path);

  if (!header->has_backing_file)
    return TRUE;
  g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
               _("The disk image “%s” is an overlay of another image and can’t be copied alone"),
               base);
  refract_error_set_remedy (*error, _("Use the image in place, or merge it with its backing "
                                      "image first (qemu-img convert)."));
  return FALSE;
}

static virStorageVolPtr
import_into (virStoragePoolPtr  pool,
             const char        *source_path,
             const char        *name,
             gboolean           convert,
             RefractProgress   *progress,
             GCancellable      *cancellable,
             GError           **error)
{
  ImageHeader header = { NULL, };
  g_autofree char *tmp_name = NULL;
  g_autofree char *final_name = NULL;
  virStorageVolPtr tmp;
  virStorageVolPtr vol;
  const char *copying = _("Copying the disk image");
  const char *converting = _("Converting the disk image to QCOW2");

  if (!read_header (source_path, &header, error) || !check_importable (source_path, &header, error))
    return NULL;
  convert = convert && g_str_equal (header.format, "raw");
  final_name = with_extension (name, convert ? "qcow2" : header.format);

  /* a conversion holds the raw copy and the qcow2 one at the same time */
  if (!check_space (pool, header.file_size * (convert ? 2 : 1), error))
    return NULL;

  _refract_progress_report (progress, 0, convert ? converting : copying);
  if (!convert)
    return import_copy (pool, source_path, final_name, &header, progress, 1, copying,
                        cancellable, error);

  tmp_name = g_strdup_printf (".refract-import-%08x.img", g_random_int ());
  if ((tmp = import_copy (pool, source_path, tmp_name, &header, progress, 0.7, converting,
                          cancellable, error)) == NULL)
    return NULL;
  vol = convert_to_qcow2 (pool, tmp, final_name, header.virtual_size, error);
  delete_volume (tmp);
  virStorageVolFree (tmp);
  return vol;
}

char *
_refract_storage_import (virConnectPtr     conn,
                         const char       *pool_name,
                         const char       *source_path,
                         const char       *name,
                         gboolean          convert,
                         RefractProgress  *progress,
                         GCancellable     *cancellable,
                         GError          **error)
{
  virStoragePoolPtr pool;
  virStorageVolPtr vol;
  char *path = NULL;

  if (check_cancelled (cancellable, error) || (pool = open_pool (conn, pool_name, error)) == NULL)
    return NULL;

  vol = import_into (pool, source_path, name, convert, progress, cancellable, error);
  if (vol != NULL)
    {
      if (!check_cancelled (cancellable, error))
        path = volume_path (vol, error);
      if (path == NULL)
        delete_volume (vol);
      virStorageVolFree (vol);
    }
  virStoragePoolFree (pool);

  if (path != NULL)
    _refract_progress_report (progress, 1, convert ? _("Converting the disk image to QCOW2")
                                                   : _("Copying the disk image"));
  return path;
}

/* ---- async wrappers ---------------------------------------------------------- */

typedef enum
{
  OP_ENSURE_DEFAULT,
  OP_LIST,
  OP_CREATE,
  OP_IMPORT,
} OpKind;

typedef struct
{
  OpKind           kind;
  virConnectPtr    conn;
  char            *pool;
  char            *name;
  char            *source_path;
  char            *format;
  guint64          capacity;
  gboolean         convert;
  RefractProgress *progress;
} OpData;

static void
op_data_free (OpData *data)
{
  g_clear_pointer (&data->conn, virConnectClose);
  g_free (data->pool);
  g_free (data->name);
  g_free (data->source_path);
  g_free (data->format);
  g_clear_pointer (&data->progress, _refract_progress_free);
  g_free (data);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  OpData *data = task_data;
  GError *error = NULL;
  gpointer result = NULL;
  GDestroyNotify free_func = g_free;

  switch (data->kind)
    {
    case OP_ENSURE_DEFAULT:
      if (_refract_storage_ensure_default_pool (data->conn, data->pool, &error))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      break;
    case OP_LIST:
      result = list_pools (data->conn, &error);
      free_func = (GDestroyNotify) g_ptr_array_unref;
      break;
    case OP_CREATE:
      result = _refract_storage_create_volume (data->conn, data->pool, data->name, data->capacity,
                                               data->format, data->progress, cancellable, &error);
      break;
    case OP_IMPORT:
      result = _refract_storage_import (data->conn, data->pool, data->source_path, data->name,
                                        data->convert, data->progress, cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, free_func);
}

static void
run_op (RefractConnection   *connection,
        OpData              *data,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data,
        gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (connection, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* the worker may hold the only reference to a caller's pointers: ours are copies */
  g_task_set_return_on_cancel (task, FALSE);
  data->conn = _refract_connection_ref_handle (connection);
  if (data->conn == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The connection to libvirt is down."));
      op_data_free (data);
      return;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);
  g_task_run_in_thread (task, op_thread);
}

/* Define, build, start and autostart the "default" pool at
 * refract_storage_default_pool_path(); succeeds at once when it exists
 * (and starts it if inactive). */
void
refract_storage_ensure_default_pool_async (RefractConnection   *connection,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  OpData *data;

  g_return_if_fail (REFRACT_IS_CONNECTION (connection));

  data = g_new0 (OpData, 1);
  data->kind = OP_ENSURE_DEFAULT;
  data->pool = refract_storage_default_pool_path (connection);
  run_op (connection, data, cancellable, callback, user_data,
          refract_storage_ensure_default_pool_async);
}

gboolean
refract_storage_ensure_default_pool_finish (GAsyncResult  *result,
                                            GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Current pools with free space (refreshes them first). */
void
refract_storage_list_pools_async (RefractConnection   *connection,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  OpData *data;

  g_return_if_fail (REFRACT_IS_CONNECTION (connection));

  data = g_new0 (OpData, 1);
  data->kind = OP_LIST;
  run_op (connection, data, cancellable, callback, user_data, refract_storage_list_pools_async);
}

GPtrArray *
refract_storage_list_pools_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
refract_storage_create_volume_async (RefractConnection   *connection,
                                     const char          *pool,
                                     const char          *name,
                                     guint64              capacity,
                                     const char          *format,
                                     RefractProgressFunc  progress,
                                     gpointer             progress_data,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  OpData *data;

  g_return_if_fail (REFRACT_IS_CONNECTION (connection));
  g_return_if_fail (pool != NULL && name != NULL);
  g_return_if_fail (g_strcmp0 (format, "qcow2") == 0 || g_strcmp0 (format, "raw") == 0);

  data = g_new0 (OpData, 1);
  data->kind = OP_CREATE;
  data->pool = g_strdup (pool);
  data->name = g_strdup (name);
  data->capacity = capacity;
  data->format = g_strdup (format);
  data->progress = _refract_progress_new (progress, progress_data);
  run_op (connection, data, cancellable, callback, user_data, refract_storage_create_volume_async);
}

char *
refract_storage_create_volume_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
refract_storage_import_async (RefractConnection   *connection,
                              const char          *pool,
                              const char          *source_path,
                              const char          *name,
                              gboolean             convert,
                              RefractProgressFunc  progress,
                              gpointer             progress_data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OpData *data;

  g_return_if_fail (REFRACT_IS_CONNECTION (connection));
  g_return_if_fail (pool != NULL && source_path != NULL && name != NULL);

  data = g_new0 (OpData, 1);
  data->kind = OP_IMPORT;
  data->pool = g_strdup (pool);
  data->source_path = g_strdup (source_path);
  data->name = g_strdup (name);
  data->convert = convert;
  data->progress = _refract_progress_new (progress, progress_data);
  run_op (connection, data, cancellable, callback, user_data, refract_storage_import_async);
}

char *
refract_storage_import_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Delete the volume at path (synchronous, for rollback; also used by tests). */
gboolean
refract_storage_delete_volume_path (RefractConnection  *connection,
                                    const char         *path,
                                    GError            **error)
{
  virConnectPtr conn;
  gboolean ok;

  g_return_val_if_fail (REFRACT_IS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if ((conn = _refract_connection_ref_handle (connection)) == NULL)
    {
      g_set_error_literal (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                           _("The connection to libvirt is down."));
      return FALSE;
    }
  ok = _refract_storage_delete_path (conn, path, error);
  virConnectClose (conn);
  return ok;
}
