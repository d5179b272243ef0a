/* refract-ui-test.h: the harness of the UI tests
 *
 * Waiting on the main loop with a deadline that fails the test, finding the
 * widgets a user would look at, clicking them, and saving screenshots.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "refract-application.h"
#include "refract-new-machine-dialog-private.h"
#include "refract-window-private.h"

G_BEGIN_DECLS

/* Seconds any one wait may take before the test fails; generous for ASan. */
#define RUT_TIMEOUT 20

/* Iterates the default main context until @cond holds; fails the test,
 * naming @what, after RUT_TIMEOUT seconds. */
#define rut_wait_until(cond, what) \
  G_STMT_START { \
    gint64 rut_deadline_ = g_get_monotonic_time () + RUT_TIMEOUT * G_USEC_PER_SEC; \
    while (!(cond)) \
      if (!rut_iterate_before (rut_deadline_)) \
        rut_timed_out (__FILE__, __LINE__, G_STRFUNC, (what), #cond); \
  } G_STMT_END

void                rut_init                 (int                *argc,
                                              char             ***argv);
int                 rut_run                  (void);
RefractApplication *rut_app                  (void);

gboolean            rut_iterate_before       (gint64              deadline);
G_NORETURN void     rut_timed_out            (const char         *file,
                                              int                 line,
                                              const char         *func,
                                              const char         *what,
                                              const char         *cond);
void                rut_drain                (void);
void                rut_wait_drawn           (GtkWidget          *widget);

RefractWindow      *rut_window_new           (int                 width,
                                              int                 height);
RefractWindow      *rut_demo_window_new      (int                 width,
                                              int                 height);
void                rut_window_close         (RefractWindow      *window);
void                rut_close_and_finalize   (GtkWindow          *window);

GtkWidget          *rut_find_type            (GtkWidget          *root,
                                              GType               type);
GtkWidget          *rut_find_label           (GtkWidget          *root,
                                              const char         *text,
                                              gboolean            exact);
GtkWidget          *rut_find_label_with_class (GtkWidget         *root,
                                              const char         *css_class);
GtkWidget          *rut_find_button          (GtkWidget          *root,
                                              const char         *action_name);
GtkWidget          *rut_find_button_labelled (GtkWidget          *root,
                                              const char         *label);
AdwPreferencesRow  *rut_find_row             (GtkWidget          *root,
                                              const char         *title);
gboolean            rut_shown                (GtkWidget          *widget);
void                rut_click                (GtkWidget          *button);
GtkWindow          *rut_find_toplevel        (GType               type,
                                              GtkWindow          *transient_for);
GtkWindow          *rut_wait_toplevel        (GType               type,
                                              GtkWindow          *transient_for);
/* Clicks the button of @response in @dialog, waits for it to go away and
 * checks that it is finalized. */
void                rut_respond              (AdwMessageDialog   *dialog,
                                              const char         *response);

GStrv               rut_sidebar_titles       (RefractWindow      *window);
gboolean            rut_sidebar_has          (RefractWindow      *window,
                                              const char         *title);
void                rut_select               (RefractWindow      *window,
                                              const char         *title);
void                rut_tap_row              (RefractWindow      *window,
                                              const char         *title);
void                rut_wait_details         (RefractWindow      *window);
const char         *rut_page_name            (RefractWindow      *window);
const char         *rut_page_state           (RefractWindow      *window);

/* The new-machine wizard: its Next button, whether it may be pressed, a
 * press of Next (or Back) then a wait for @page, and the row titled @title on
 * the current page (a failure when there is none) */
GtkWidget          *rut_wizard_next          (RefractNewMachineDialog *dialog);
gboolean            rut_wizard_can_go_on     (RefractNewMachineDialog *dialog);
void                rut_wizard_go_on         (RefractNewMachineDialog *dialog,
                                              const char         *page);
void                rut_wizard_go_back       (RefractNewMachineDialog *dialog,
                                              const char         *page);
GtkWidget          *rut_wizard_row           (RefractNewMachineDialog *dialog,
                                              const char         *title);

void                rut_screenshot           (GtkWidget          *widget,
                                              const char         *name,
                                              gboolean            publish);

G_END_DECLS
