/* refract-framebuffer.h: the guest's primary surface as damage-tracked texture tiles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define REFRACT_FRAMEBUFFER_TILE_SIZE 256

#define REFRACT_TYPE_FRAMEBUFFER (refract_framebuffer_get_type ())

G_DECLARE_FINAL_TYPE (RefractFramebuffer, refract_framebuffer, REFRACT, FRAMEBUFFER, GObject)

RefractFramebuffer *refract_framebuffer_new            (void);
void                refract_framebuffer_set_primary    (RefractFramebuffer    *self,
                                                        int                    width,
                                                        int                    height,
                                                        int                    stride,
                                                        const guint8          *data);
void                refract_framebuffer_clear_primary  (RefractFramebuffer    *self);
/* The tiles' GdkMemoryFormat: GDK_MEMORY_B8G8R8A8_PREMULTIPLIED (the default,
 * native for GL) or GDK_MEMORY_B8G8R8 (what GTK 4.8's cairo renderer converts
 * fastest); a change rebuilds every tile on the next update. */
void                refract_framebuffer_set_tile_format (RefractFramebuffer *self,
                                                         GdkMemoryFormat     format);
GdkMemoryFormat     refract_framebuffer_get_tile_format (RefractFramebuffer *self);
/* Draw the live primary with a cairo node instead of tiles: for GTK 4.8's
 * cairo renderer (see refract-framebuffer.c). */
void                refract_framebuffer_set_direct     (RefractFramebuffer    *self,
                                                        gboolean               direct);
gboolean            refract_framebuffer_get_direct     (RefractFramebuffer    *self);
gint64              refract_framebuffer_get_fast_until (RefractFramebuffer    *self);
gboolean            refract_framebuffer_has_primary    (RefractFramebuffer    *self);
int                 refract_framebuffer_get_width      (RefractFramebuffer    *self);
int                 refract_framebuffer_get_height     (RefractFramebuffer    *self);
void                refract_framebuffer_invalidate     (RefractFramebuffer    *self,
                                                        int                    x,
                                                        int                    y,
                                                        int                    width,
                                                        int                    height);
gboolean            refract_framebuffer_is_dirty       (RefractFramebuffer    *self);
guint               refract_framebuffer_update         (RefractFramebuffer    *self);
void                refract_framebuffer_snapshot       (RefractFramebuffer    *self,
                                                        GtkSnapshot           *snapshot,
                                                        const graphene_rect_t *dest,
                                                        int                    device_scale);
GdkTexture         *refract_framebuffer_dup_texture    (RefractFramebuffer    *self);
guint               refract_framebuffer_get_n_tiles_x  (RefractFramebuffer    *self);
guint               refract_framebuffer_get_n_tiles_y  (RefractFramebuffer    *self);
gboolean            refract_framebuffer_tile_is_dirty  (RefractFramebuffer    *self,
                                                        guint                  tx,
                                                        guint                  ty);
GdkTexture         *refract_framebuffer_get_tile       (RefractFramebuffer    *self,
                                                        guint                  tx,
                                                        guint                  ty);

G_END_DECLS
