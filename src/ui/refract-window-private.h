/* refract-window-private.h: for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-machine-page.h"
#include "refract-window.h"

G_BEGIN_DECLS

GtkListView        *_refract_window_get_list_view     (RefractWindow *self);
RefractMachinePage *_refract_window_get_machine_page  (RefractWindow *self);
const char         *_refract_window_get_content_name  (RefractWindow *self);
const char         *_refract_window_get_sidebar_name  (RefractWindow *self);
void                _refract_window_set_search        (RefractWindow *self,
                                                       const char    *text);
gboolean            _refract_window_banner_shown      (RefractWindow *self);

G_END_DECLS
