/* refract-test-console.h: the SPICE display against a guest of the harness
 *
 * The log checked for the display's password; the display widget's frame
 * compared with `virsh screenshot` of the same domain, Esc typed into it,
 * waiting for its session; windows painted and saved as screenshots. Shared
 * by console-remote (here) and console-libvirtd and serial-console
 * (tests/console/).
 *
 * Tolerance of the pixel comparison: mean absolute difference ≤ 2/255 over
 * all channels, and ≥ 99 % of pixels within 8/255 on every channel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-spice-display.h"
#include "refract-spice-session.h"
#include "refract-test-harness.h"

G_BEGIN_DECLS

/* Before anything logs: every message, debug ones included (spice-client-glib's
 * debugging is turned on), is checked for @password, and the test aborts if
 * one contains it. @filter, if not NULL, then sees each message and may
 * handle it (G_LOG_WRITER_HANDLED); the others are written as GLib would,
 * debug and info ones only with G_MESSAGES_DEBUG. */
void         rtc_guard_log              (const char          *password,
                                         GLogWriterFunc       filter);
/* How many messages rtc_guard_log () has checked. */
guint        rtc_log_messages_checked   (void);

/* @texture's pixels, 4 bytes each, rows without padding; g_free() them */
guint8      *rtc_download               (GdkTexture          *texture);
/* `virsh screenshot` of the domain @name on the harness's daemon */
GdkTexture  *rtc_virsh_screenshot       (RthHarness          *h,
                                         const char          *name);
/* Nothing brighter than 0x40 on any channel. */
gboolean     rtc_is_blank               (GdkTexture          *texture);
/* Not the same size, or not the same pixels. */
gboolean     rtc_textures_differ        (GdkTexture          *a,
                                         GdkTexture          *b);
/* The widget's frame, once SeaBIOS has written something (30 s at most). */
GdkTexture  *rtc_wait_frame             (RefractSpiceDisplay *display);
/* The widget's frame matches `virsh screenshot` of @name within 10 s. */
void         rtc_assert_matches_qemu    (RthHarness          *h,
                                         RefractSpiceDisplay *display,
                                         const char          *name);
/* Esc pressed and released on the widget's key controller. */
void         rtc_type_escape            (RefractSpiceDisplay *display);
/* Waits 30 s for @state; FAILED ends the wait too, its message says more
 * than a timeout. */
void         rtc_wait_session_state     (RefractSpiceSession *session,
                                         RefractSpiceState    state,
                                         const char          *what);
/* @widget mapped and two frames painted by its window: what it shows is on
 * screen. */
void         rtc_wait_drawn             (GtkWidget           *widget);
/* Renders @widget as its window shows it into @dir/@name (PNG). */
void         rtc_screenshot             (GtkWidget           *widget,
                                         const char          *dir,
                                         const char          *name);

G_END_DECLS
