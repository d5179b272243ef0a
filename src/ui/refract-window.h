/* refract-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-application.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_WINDOW (refract_window_get_type ())

G_DECLARE_FINAL_TYPE (RefractWindow, refract_window, REFRACT, WINDOW, AdwApplicationWindow)

RefractWindow  *refract_window_new                     (RefractApplication *application);
void            refract_window_startup                 (RefractWindow      *self);
void            refract_window_open_connection         (RefractWindow      *self,
                                                        RefractConnection  *connection,
                                                        const char         *machine_name);
void            refract_window_connect_uri             (RefractWindow      *self,
                                                        const char         *uri,
                                                        const char         *machine_name);
gboolean        refract_window_select_machine_by_name  (RefractWindow      *self,
                                                        const char         *name);
void            refract_window_show_console_by_name    (RefractWindow      *self,
                                                        const char         *name);
void            refract_window_select_machine          (RefractWindow      *self,
                                                        RefractMachine     *machine);
void            refract_window_show_new_machine        (RefractWindow      *self,
                                                        RefractConnection  *connection,
                                                        const char         *uuid);
RefractMachine *refract_window_get_selected_machine    (RefractWindow      *self);
gboolean        refract_window_confirm_close           (RefractWindow      *self,
                                                        gboolean            quit);
void            refract_window_show_toast              (RefractWindow      *self,
                                                        const char         *text);
void            refract_window_show_error              (RefractWindow      *self,
                                                        const char         *text);
/* For pages inside a main window: a toast or an error (with its remedy) on the
 * window that holds @widget, and "Copied" after putting @text on the clipboard.
 * An error is logged when @widget is in no main window. */
void            refract_window_toast_for               (GtkWidget          *widget,
                                                        const char         *text);
void            refract_window_error_for               (GtkWidget          *widget,
                                                        const GError       *error);
void            refract_window_copy_for                (GtkWidget          *widget,
                                                        const char         *text);
void            refract_window_show_banner             (RefractWindow      *self,
                                                        const char         *text,
                                                        const char         *button_label,
                                                        const char         *action_name);

G_END_DECLS
