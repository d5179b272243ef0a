/* refract-os.h: operating systems from libosinfo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char    *id;              /* http://debian.org/debian/12 */
  char    *short_id;        /* debian12 */
  char    *name;            /* Debian 12 */
  char    *vendor;          /* may be NULL */
  char    *family;          /* linux, winnt, … may be NULL */
  guint64  minimum_ram_mib; /* 0 unknown */
  guint64  recommended_ram_mib;
  guint    minimum_cpus;
  guint    recommended_cpus;
  guint64  minimum_storage; /* bytes */
  guint64  recommended_storage;
  gboolean virtio_disk;     /* the guest has virtio-blk drivers */
  gboolean virtio_net;
  gboolean needs_uefi;      /* firmware efi only */
  gboolean eol;             /* past end of life */
} RefractOsInfo;

char          *refract_os_name_for_id      (const char          *os_id);

RefractOsInfo *refract_os_info_lookup      (const char          *os_id);
RefractOsInfo *refract_os_info_copy        (const RefractOsInfo *info);
void           refract_os_info_free        (RefractOsInfo       *info);

/* Every OS whose name, short id or vendor contains all words of query
 * (case-folded); newest first, EOL ones last; at most limit (0: no limit). */
GPtrArray     *refract_os_search           (const char          *query,
                                            guint                limit); /* RefractOsInfo* */

/* What's on an install medium, from its ISO header, in a worker thread.
 * NULL with G_IO_ERROR_NOT_FOUND when the medium is readable but unknown. */
typedef struct
{
  RefractOsInfo *os;
  char          *volume_id;
  gboolean       installer;
  gboolean       live;
} RefractMediaInfo;

void              refract_os_detect_media_async  (const char         *path,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
RefractMediaInfo *refract_os_detect_media_finish (GAsyncResult       *result,
                                                  GError            **error);
void              refract_media_info_free        (RefractMediaInfo   *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractOsInfo, refract_os_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractMediaInfo, refract_media_info_free)

G_END_DECLS
