/* test-connection-dialog.c: adding a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-connection-dialog.h"
#include "refract-ui-test.h"

enum { KIND_SYSTEM, KIND_SESSION, KIND_SSH, KIND_CUSTOM };

/* A socket no daemon listens on: the attempt fails at once, without any
 * network, the way a host without libvirt does. */
#define FAILING_URI "qemu:///system?socket=/nonexistent/sock"

/* Opens the dialog with the “Add Connection…” button of a window with no
 * connection (the header bar's “+” makes a machine); returns it referenced. */
static RefractConnectionDialog *
open_dialog (RefractWindow *window)
{
  GtkWidget *add = rut_find_button (GTK_WIDGET (window), "win.add-connection");
  GtkWindow *dialog;

  g_assert_nonnull (add);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (add)), ==, "_Add Connection…");
  rut_click (add);
  dialog = rut_wait_toplevel (REFRACT_TYPE_CONNECTION_DIALOG, GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (dialog));
  return g_object_ref (REFRACT_CONNECTION_DIALOG (dialog));
}

static GtkWidget *
connect_button (RefractConnectionDialog *dialog)
{
  GtkWidget *button = rut_find_button (GTK_WIDGET (dialog), "dialog.connect");

  g_assert_nonnull (button);
  return button;
}

/* The error line under the fields, or NULL when none shows. */
static const char *
shown_message (RefractConnectionDialog *dialog)
{
  const char *message = refract_connection_dialog_get_message (dialog);
  GtkWidget *label = message ? rut_find_label (GTK_WIDGET (dialog), message, TRUE) : NULL;

  return label != NULL && gtk_widget_has_css_class (label, "error") ? message : NULL;
}

static void
set_custom_uri (RefractConnectionDialog *dialog, const char *uri)
{
  refract_connection_dialog_set_kind (dialog, KIND_CUSTOM);
  refract_connection_dialog_set_fields (dialog, NULL, NULL, uri);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* What the model says when it cannot open @uri: the message, then the remedy. */
static char *
expected_failure (const char *uri)
{
  g_autoptr(RefractConnection) connection = refract_connection_new (uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  refract_connection_open_async (connection, NULL, store_result, &result);
  rut_wait_until (result != NULL, "the model to try the connection");
  g_assert_false (refract_connection_open_finish (connection, result, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (refract_error_get_remedy (error));
  refract_connection_close (connection);
  return g_strdup_printf ("%s\n%s", error->message, refract_error_get_remedy (error));
}

/* The kinds of connection build their address; the SSH one is the picture
 * the metainfo shows. */
static void
test_dialog_addresses (void)
{
  RefractWindow *window = rut_window_new (1000, 680);
  RefractConnectionDialog *dialog = open_dialog (window);

  /* no connection yet: the window says so */
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "no-connections");

  g_assert_nonnull (rut_find_label (GTK_WIDGET (dialog), "Address: qemu:///system", TRUE));
  g_assert_true (gtk_widget_is_sensitive (connect_button (dialog)));

  refract_connection_dialog_set_kind (dialog, KIND_SSH);
  g_assert_false (gtk_widget_is_sensitive (connect_button (dialog)));
  g_assert_null (shown_message (dialog));   /* empty is not an error yet */
  refract_connection_dialog_set_fields (dialog, "alice", "server.example.org", NULL);
  rut_wait_until (rut_find_row (GTK_WIDGET (dialog), "Host") != NULL, "the SSH fields");
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dialog),
                                    "Address: qemu+ssh://alice@server.example.org/system", TRUE));
  g_assert_true (gtk_widget_is_sensitive (connect_button (dialog)));
  rut_screenshot (GTK_WIDGET (dialog), "connection-dialog.png", TRUE);

  rut_close_and_finalize (GTK_WINDOW (dialog));
  rut_window_close (window);
}

/* A malformed address shows why in place and disables Connect; a good one
 * connects, joins the sidebar and closes the dialog. */
static void
test_dialog_connects (void)
{
  RefractWindow *window = rut_window_new (1000, 680);
  RefractConnectionList *list = refract_application_get_connections (rut_app ());
  RefractConnectionDialog *dialog = open_dialog (window);
  AdwPreferencesRow *uri_row;

  set_custom_uri (dialog, "qemu:/// system");
  rut_wait_until (shown_message (dialog) != NULL, "the error line");
  g_assert_nonnull (strstr (shown_message (dialog), "it contains spaces"));
  g_assert_false (gtk_widget_is_sensitive (connect_button (dialog)));
  uri_row = rut_find_row (GTK_WIDGET (dialog), "libvirt URI");
  g_assert_nonnull (uri_row);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (uri_row), "error"));
  rut_screenshot (GTK_WIDGET (dialog), "connection-dialog-invalid.png", FALSE);

  set_custom_uri (dialog, "test:///default");
  g_assert_null (shown_message (dialog));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (uri_row), "error"));
  rut_click (connect_button (dialog));
  rut_wait_until (!gtk_widget_get_visible (GTK_WIDGET (dialog)), "the dialog to close");
  rut_drain ();
  g_assert_finalize_object (dialog);

  rut_wait_until (rut_sidebar_has (window, "Test Host"), "the new connection in the sidebar");
  g_assert_nonnull (refract_connection_list_find (list, "test:///default"));
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "list");
  rut_wait_until (rut_sidebar_has (window, "test"), "the test host’s machine");
  rut_screenshot (GTK_WIDGET (window), "connected.png", FALSE);

  rut_window_close (window);
}

/* A connection that fails shows libvirt's reason and what to do about it in
 * the dialog, and leaves nothing behind in the sidebar. */
static void
test_dialog_failure (void)
{
  RefractWindow *window = rut_window_new (1000, 680);
  RefractConnectionList *list = refract_application_get_connections (rut_app ());
  g_autofree char *expected = expected_failure (FAILING_URI);
  RefractConnectionDialog *dialog = open_dialog (window);

  set_custom_uri (dialog, FAILING_URI);
  g_assert_null (shown_message (dialog));
  rut_click (connect_button (dialog));
  rut_wait_until (shown_message (dialog) != NULL, "the failure in the dialog");
  g_assert_cmpstr (shown_message (dialog), ==, expected);
  rut_wait_until (gtk_widget_is_sensitive (connect_button (dialog)), "Connect to come back");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  rut_screenshot (GTK_WIDGET (dialog), "connection-dialog-failed.png", FALSE);

  rut_drain ();
  g_assert_null (refract_connection_list_find (list, FAILING_URI));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpstr (_refract_window_get_sidebar_name (window), ==, "no-connections");

  /* Cancel closes it */
  rut_click (rut_find_button (GTK_WIDGET (dialog), "window.close"));
  rut_wait_until (!gtk_widget_get_visible (GTK_WIDGET (dialog)), "the dialog to close");
  rut_drain ();
  g_assert_finalize_object (dialog);

  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  rut_init (&argc, &argv);

  g_test_add_func ("/ui/connection-dialog/addresses", test_dialog_addresses);
  g_test_add_func ("/ui/connection-dialog/connects", test_dialog_connects);
  g_test_add_func ("/ui/connection-dialog/failure", test_dialog_failure);

  return rut_run ();
}
