/* refract-ui-test.c: the harness of the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "refract-model.h"
#include "refract-os.h"
#include "refract-sidebar-row.h"
#include "refract-test-render.h"
#include "refract-ui-test.h"

static RefractApplication *the_app;

/* ---- start and end ------------------------------------------------------ */

void
rut_init (int    *argc,
          char ***argv)
{
  g_autoptr(GError) error = NULL;

  /* Pixels that do not depend on a GL driver (and no driver's allocations
   * for LeakSanitizer to report), and no accessibility bus to look for on the
   * private session bus the tests run on. */
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);

  /* Not gtk_test_init(): it sets the locale to en_US.UTF-8, which a Debian
   * without locales-all lacks, and leaves the C locale; gtk_init() takes the
   * C.UTF-8 of the test environment. */
  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();
  if (!refract_model_init (&error))
    g_error ("refract_model_init: %s", error->message);

  /* libosinfo leaks a little while it reads its database, which Refract
   * reads once, with the first machine's details, and keeps: read it here,
   * where LeakSanitizer looks away. */
#ifdef __SANITIZE_ADDRESS__
  __lsan_disable ();
#endif
  g_free (refract_os_name_for_id ("http://debian.org/debian/testing"));
#ifdef __SANITIZE_ADDRESS__
  __lsan_enable ();
#endif

  /* Transitions end at once: a leaflet folds, a revealer shows, in one frame. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* The one application of the process. NON_UNIQUE: tests run in parallel,
   * each on its own session bus, and none may find another running. */
  the_app = refract_application_new ();
  g_application_set_flags (G_APPLICATION (the_app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
}

static int
run_tests (GApplication            *app,
           GApplicationCommandLine *cmdline,
           int                     *status)
{
  RefractConnectionList *list = refract_application_get_connections (the_app);

  *status = g_test_run ();
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) > 0)
    {
      g_autoptr(RefractConnection) connection = g_list_model_get_item (G_LIST_MODEL (list), 0);

      refract_connection_list_remove (list, connection);
    }
  return *status;
}

/* Runs the tests inside the application's run, between its startup and its
 * shutdown as when Refract runs, then checks it goes away. The handler takes
 * the place of Refract's own command line handling. */
int
rut_run (void)
{
  int status = 1;

  g_signal_connect (the_app, "command-line", G_CALLBACK (run_tests), &status);
  g_application_run (G_APPLICATION (the_app), 0, NULL);
  rut_drain ();
  g_assert_finalize_object (g_steal_pointer (&the_app));
  return status;
}

RefractApplication *
rut_app (void)
{
  return the_app;
}

/* ---- waiting ------------------------------------------------------------ */

static gboolean
wake_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs one iteration of the main context, blocking at most 10 ms; FALSE once
 * @deadline (monotonic µs) has passed. */
gboolean
rut_iterate_before (gint64 deadline)
{
  gboolean woke = FALSE;
  guint id;

  if (g_get_monotonic_time () >= deadline)
    return FALSE;
  id = g_timeout_add (10, wake_up, &woke);
  g_main_context_iteration (NULL, TRUE);
  if (!woke)
    g_source_remove (id);
  return TRUE;
}

void
rut_timed_out (const char *file,
               int         line,
               const char *func,
               const char *what,
               const char *cond)
{
  g_autofree char *message = g_strdup_printf ("timed out after %d s waiting for %s (%s)",
                                              RUT_TIMEOUT, what, cond);

  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
  g_abort ();
}

/* Dispatches what is ready now: async callbacks that hold references,
 * idles queued by a destroy. */
void
rut_drain (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
count_paint (guint *painted)
{
  (*painted)++;
}

/* Waits until @widget is on screen and its window painted two more frames,
 * so that what a screenshot shows is laid out. */
void
rut_wait_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  guint painted = 0;
  gulong id;

  rut_wait_until (gtk_widget_get_mapped (widget), "the widget to be mapped");
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (count_paint), &painted);
  for (guint i = 1; i <= 2; i++)
    {
      gtk_widget_queue_draw (GTK_WIDGET (gtk_widget_get_native (widget)));
      rut_wait_until (painted >= i, "a frame to be painted");
    }
  g_signal_handler_disconnect (clock, id);
}

/* ---- windows ------------------------------------------------------------ */

/* The frame GTK draws around a window on an X server with no compositor is
 * part of the default size: measured once on a window of its own. */
static void
frame_size (int *frame_width,
            int *frame_height)
{
  static int width = -1, height = -1;

  if (width < 0)
    {
      GtkWidget *probe = adw_window_new ();

      g_object_ref_sink (probe);
      gtk_window_set_default_size (GTK_WINDOW (probe), 400, 300);
      gtk_window_present (GTK_WINDOW (probe));
      rut_wait_drawn (probe);
      width = 400 - gtk_widget_get_width (probe);
      height = 300 - gtk_widget_get_height (probe);
      rut_close_and_finalize (GTK_WINDOW (probe));
    }
  *frame_width = width;
  *frame_height = height;
}

/* A main window of @width×@height, on screen, with no connection opened. */
RefractWindow *
rut_window_new (int width,
                int height)
{
  RefractWindow *window;
  int frame_width, frame_height;

  frame_size (&frame_width, &frame_height);
  window = g_object_ref (refract_window_new (the_app));
  gtk_window_set_default_size (GTK_WINDOW (window), width + frame_width, height + frame_height);
  gtk_window_present (GTK_WINDOW (window));
  rut_wait_drawn (GTK_WIDGET (window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), ==, height);
  return window;
}

/* A window on a fresh demo host (a new connection reloads the node file),
 * once its sidebar lists the host and its machines. */
RefractWindow *
rut_demo_window_new (int width,
                     int height)
{
  RefractWindow *window = rut_window_new (width, height);
  RefractConnectionList *list = refract_application_get_connections (the_app);
  RefractConnection *demo = refract_connection_list_add_demo (list);

  refract_window_open_connection (window, demo, NULL);
  rut_wait_until (refract_connection_get_state (demo) == REFRACT_CONNECTION_STATE_CONNECTED,
                  "the demo host to connect");
  rut_wait_until (rut_sidebar_has (window, "Kali Linux"), "the sidebar to list the machines");
  return window;
}

/* Destroys @window with the windows it left open, then checks nothing else
 * holds it. The caller owns one reference, which this takes. */
void
rut_close_and_finalize (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) other = g_list_model_get_item (toplevels, i - 1);

      if (gtk_window_get_transient_for (other) == window)
        gtk_window_destroy (other);
    }
  gtk_window_destroy (window);
  rut_drain ();
  g_assert_finalize_object (window);
}

/* Closes a window of rut_window_new() and removes every connection, which
 * must then go away with their machines, so that the next test starts from a
 * fresh demo host. */
void
rut_window_close (RefractWindow *window)
{
  RefractConnectionList *list = refract_application_get_connections (the_app);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);

  rut_close_and_finalize (GTK_WINDOW (window));
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) > 0)
    {
      g_autoptr(RefractConnection) connection = g_list_model_get_item (G_LIST_MODEL (list), 0);
      RefractMachineList *machines = refract_connection_get_machines (connection);

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (machines)); i++)
        {
          GObject **weak = g_new0 (GObject *, 1);

          *weak = g_list_model_get_item (G_LIST_MODEL (machines), i);
          g_object_add_weak_pointer (*weak, (gpointer *) weak);
          g_object_unref (*weak);
          g_ptr_array_add (gone, weak);
        }
      refract_connection_list_remove (list, connection);
      g_ptr_array_add (gone, g_new0 (GObject *, 1));
      g_set_weak_pointer ((GObject **) g_ptr_array_index (gone, gone->len - 1), G_OBJECT (connection));
    }
  rut_drain ();
  for (guint i = 0; i < gone->len; i++)
    {
      GObject **weak = g_ptr_array_index (gone, i);

      rut_wait_until (*weak == NULL, "a removed connection or its machine to be finalized");
    }
}

/* ---- finding widgets ---------------------------------------------------- */

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

/* Whether a user can see @widget: it and its ancestors are shown and mapped. */
gboolean
rut_shown (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_mapped (widget) && gtk_widget_get_child_visible (widget);
}

static GtkWidget *
find (GtkWidget *root, Match match, gconstpointer data)
{
  if (!rut_shown (root))
    return NULL;
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
match_type (GtkWidget *widget, gconstpointer data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

GtkWidget *
rut_find_type (GtkWidget *root,
               GType      type)
{
  return find (root, match_type, GSIZE_TO_POINTER (type));
}

static gboolean
match_label_exact (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
match_label_part (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

/* A label on screen under @root that reads @text, or contains it. */
GtkWidget *
rut_find_label (GtkWidget  *root,
                const char *text,
                gboolean    exact)
{
  return find (root, exact ? match_label_exact : match_label_part, text);
}

static gboolean
match_label_class (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, data);
}

GtkWidget *
rut_find_label_with_class (GtkWidget  *root,
                           const char *css_class)
{
  return find (root, match_label_class, css_class);
}

static gboolean
match_action (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

/* The button on screen under @root that activates @action_name. */
GtkWidget *
rut_find_button (GtkWidget  *root,
                 const char *action_name)
{
  return find (root, match_action, action_name);
}

static gboolean
match_button_label (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

/* The button on screen under @root with @label (mnemonic included). */
GtkWidget *
rut_find_button_labelled (GtkWidget  *root,
                          const char *label)
{
  return find (root, match_button_label, label);
}

static gboolean
match_row (GtkWidget *widget, gconstpointer data)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

/* The row on screen under @root titled @title. */
AdwPreferencesRow *
rut_find_row (GtkWidget  *root,
              const char *title)
{
  return (AdwPreferencesRow *) find (root, match_row, title);
}

/* Clicks @button, as a user would: it must be on screen and sensitive. */
void
rut_click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (rut_shown (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* The first shown toplevel of @type (transient for @transient_for, when not
 * NULL), or NULL. */
GtkWindow *
rut_find_toplevel (GType      type,
                   GtkWindow *transient_for)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type)
          && gtk_widget_get_visible (GTK_WIDGET (window))
          && (transient_for == NULL || gtk_window_get_transient_for (window) == transient_for))
        return window;
    }
  return NULL;
}

/* Waits for a toplevel of @type to be mapped; returns it (not referenced). */
GtkWindow *
rut_wait_toplevel (GType      type,
                   GtkWindow *transient_for)
{
  GtkWindow *window = NULL;

  rut_wait_until ((window = rut_find_toplevel (type, transient_for)) != NULL
                  && gtk_widget_get_mapped (GTK_WIDGET (window)),
                  g_type_name (type));
  return window;
}

/* ---- the main window ---------------------------------------------------- */

/* The titles of the sidebar rows on screen, top to bottom. */
GStrv
rut_sidebar_titles (RefractWindow *window)
{
  GtkWidget *list_view = GTK_WIDGET (_refract_window_get_list_view (window));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  if (!rut_shown (list_view))
    return g_strv_builder_end (builder);

  /* GtkListView keeps its row widgets in the order of the list */
  for (GtkWidget *item = gtk_widget_get_first_child (list_view); item; item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = rut_find_type (item, REFRACT_TYPE_SIDEBAR_ROW);
      GtkWidget *title = row ? rut_find_type (row, GTK_TYPE_LABEL) : NULL;

      if (title != NULL)
        g_strv_builder_add (builder, gtk_label_get_text (GTK_LABEL (title)));
    }
  return g_strv_builder_end (builder);
}

gboolean
rut_sidebar_has (RefractWindow *window,
                 const char    *title)
{
  g_auto(GStrv) titles = rut_sidebar_titles (window);

  return g_strv_contains ((const char * const *) titles, title);
}

/* Selects the sidebar row titled @title, as a click on it does. */
void
rut_select (RefractWindow *window,
            const char    *title)
{
  GtkListView *list_view = _refract_window_get_list_view (window);
  GtkSelectionModel *model = gtk_list_view_get_model (list_view);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (REFRACT_IS_MACHINE (item)
          && g_strcmp0 (refract_machine_get_display_name (REFRACT_MACHINE (item)), title) == 0)
        {
          gtk_selection_model_select_item (model, i, TRUE);
          return;
        }
    }
  g_error ("no machine “%s” in the sidebar", title);
}

/* Taps the sidebar row titled @title: selects it, as the list does, and lets
 * the row's own click gesture see the tap end. */
void
rut_tap_row (RefractWindow *window,
             const char    *title)
{
  GtkWidget *list_view = GTK_WIDGET (_refract_window_get_list_view (window));
  GtkWidget *expander = NULL;
  g_autoptr(GListModel) controllers = NULL;
  guint n_clicks = 0;

  for (GtkWidget *item = gtk_widget_get_first_child (list_view); item; item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = rut_find_type (item, REFRACT_TYPE_SIDEBAR_ROW);
      GtkWidget *label = row ? rut_find_type (row, GTK_TYPE_LABEL) : NULL;

      if (label != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), title) == 0)
        expander = gtk_widget_get_ancestor (row, GTK_TYPE_TREE_EXPANDER);
    }
  g_assert_nonnull (expander);

  gtk_widget_activate_action (list_view, "list.select-item", "(ubb)",
                              gtk_tree_list_row_get_position (gtk_tree_expander_get_list_row (GTK_TREE_EXPANDER (expander))),
                              FALSE, FALSE);
  controllers = gtk_widget_observe_controllers (expander);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        {
          g_signal_emit_by_name (controller, "released", 1, 1.0, 1.0);
          n_clicks++;
        }
    }
  g_assert_cmpuint (n_clicks, ==, 1);
}

/* Waits for the machine page to show the machine's disks: they are read
 * after the page shows the machine. */
void
rut_wait_details (RefractWindow *window)
{
  GtkWidget *page = GTK_WIDGET (_refract_window_get_machine_page (window));

  rut_wait_until (rut_find_row (page, "Loading…") == NULL && rut_find_row (page, "Configuration") != NULL,
                  "the machine’s details");
}

/* The machine name the machine page shows in large type. */
const char *
rut_page_name (RefractWindow *window)
{
  GtkWidget *page = GTK_WIDGET (_refract_window_get_machine_page (window));
  GtkWidget *label = rut_find_label_with_class (page, "title-1");

  return label ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

/* The state the machine page shows under the name. */
const char *
rut_page_state (RefractWindow *window)
{
  GtkWidget *page = GTK_WIDGET (_refract_window_get_machine_page (window));
  GtkWidget *label = rut_find_label_with_class (page, "title-1");
  GtkWidget *state = label ? gtk_widget_get_next_sibling (label) : NULL;

  return rut_shown (state) ? gtk_label_get_text (GTK_LABEL (state)) : NULL;
}

/* ---- screenshots -------------------------------------------------------- */

static void
save_png (GdkTexture *texture, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Renders @widget as its window shows it into screenshots/@name in the build
 * directory; with @publish also into data/screenshots/ of the source tree
 * (the images the metainfo names), when that is writable. */
void
rut_screenshot (GtkWidget  *widget,
                const char *name,
                gboolean    publish)
{
  g_autofree char *build_dir = g_build_filename (RUT_BUILDDIR, "screenshots", NULL);
  g_autoptr(GdkTexture) texture = NULL;

  rut_wait_drawn (widget);
  texture = refract_test_render_widget (widget);

  save_png (texture, build_dir, name);
  if (publish)
    {
      if (g_access (RUT_SOURCE_SCREENSHOTS, W_OK) == 0
          || g_access (RUT_SOURCE_DATADIR, W_OK) == 0)
        save_png (texture, RUT_SOURCE_SCREENSHOTS, name);
      else
        g_test_message ("%s is read-only: %s not published", RUT_SOURCE_SCREENSHOTS, name);
    }
}

/* ---- the new-machine wizard ------------------------------------------------ */

GtkWidget *
rut_wizard_next (RefractNewMachineDialog *dialog)
{
  GtkWidget *button = rut_find_button (GTK_WIDGET (dialog), "wizard.next");

  g_assert_nonnull (button);
  return button;
}

gboolean
rut_wizard_can_go_on (RefractNewMachineDialog *dialog)
{
  return gtk_widget_is_sensitive (rut_wizard_next (dialog));
}

static void
wizard_press (RefractNewMachineDialog *dialog,
              GtkWidget               *button,
              const char              *page)
{
  rut_click (button);
  rut_wait_until (g_strcmp0 (_refract_new_machine_dialog_get_page (dialog), page) == 0, page);
}

void
rut_wizard_go_on (RefractNewMachineDialog *dialog,
                  const char              *page)
{
  wizard_press (dialog, rut_wizard_next (dialog), page);
}

void
rut_wizard_go_back (RefractNewMachineDialog *dialog,
                    const char              *page)
{
  wizard_press (dialog, rut_find_button (GTK_WIDGET (dialog), "wizard.back"), page);
}

GtkWidget *
rut_wizard_row (RefractNewMachineDialog *dialog,
                const char              *title)
{
  AdwPreferencesRow *found = rut_find_row (GTK_WIDGET (dialog), title);

  if (found == NULL)
    g_error ("no row “%s” on the %s page", title, _refract_new_machine_dialog_get_page (dialog));
  return GTK_WIDGET (found);
}

void
rut_respond (AdwMessageDialog *dialog,
             const char       *response)
{
  GtkWidget *button = rut_find_button_labelled (GTK_WIDGET (dialog),
                                                adw_message_dialog_get_response_label (dialog, response));

  g_assert_nonnull (button);
  g_object_ref (dialog);
  rut_click (button);
  rut_wait_until (!gtk_widget_get_visible (GTK_WIDGET (dialog)), "the dialog to close");
  rut_drain ();
  g_assert_finalize_object (dialog);
}
