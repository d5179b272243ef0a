/* test-new-machine-libvirtd.c: the new-machine wizard against a private
 * libvirtd and QEMU (tests/integration's harness): the Coding Sandbox preset,
 * the "create the default pool?" question, and the machine in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "refract-new-machine-dialog-private.h"
#include "refract-test-harness.h"
#include "refract-ui-test.h"

typedef RefractNewMachineDialog Dialog;

static RthHarness harness;
static char *media_path;

/* Next once it may be pressed: the checks against libvirtd take a while */
static void
go_on (Dialog     *dialog,
       const char *page)
{
  rut_wait_until (rut_wizard_can_go_on (dialog), _refract_new_machine_dialog_get_problem (dialog));
  rut_wizard_go_on (dialog, page);
}

static void
test_wizard_libvirtd (void)
{
  RefractWindow *window = rut_window_new (1000, 680);
  RefractConnectionList *list = refract_application_get_connections (rut_app ());
  RefractConnection *connection;
  RefractMachineSpec *spec;
  RefractMachine *machine;
  GtkWidget *create_pool;
  Dialog *dialog;

  refract_window_connect_uri (window, harness.uri, NULL);
  connection = refract_connection_list_find (list, harness.uri);
  g_assert_nonnull (connection);
  rut_wait_until (refract_connection_get_state (connection) == REFRACT_CONNECTION_STATE_CONNECTED,
                  "the private libvirtd to connect");

  rut_click (rut_find_button (GTK_WIDGET (window), "win.new-machine"));
  dialog = g_object_ref (REFRACT_NEW_MACHINE_DIALOG (rut_wait_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG,
                                                                        GTK_WINDOW (window))));
  g_assert_true (_refract_new_machine_dialog_get_connection (dialog) == connection);
  rut_wait_until (_refract_new_machine_dialog_get_caps (dialog) != NULL, "the host’s capabilities");
  spec = _refract_new_machine_dialog_get_spec (dialog);

  gtk_widget_activate (_refract_new_machine_dialog_get_preset_card (dialog, "coding-sandbox"));
  gtk_editable_set_text (GTK_EDITABLE (rut_wizard_row (dialog, "Installation Medium (ISO)")), media_path);
  go_on (dialog, "os");
  go_on (dialog, "resources");
  go_on (dialog, "storage");

  /* a fresh libvirtd has no default pool: the wizard offers to make it */
  create_pool = rut_find_button_labelled (GTK_WIDGET (dialog), "C_reate It");
  if (create_pool != NULL)
    {
      g_assert_false (rut_wizard_can_go_on (dialog));
      rut_screenshot (GTK_WIDGET (dialog), "new-machine-libvirtd-no-pool.png", FALSE);
      rut_click (create_pool);
      rut_wait_until (rut_find_button_labelled (GTK_WIDGET (dialog), "C_reate It") == NULL,
                      "the default pool to be made");
    }
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rut_find_type (rut_wizard_row (dialog, "Disk Size (GiB)"), GTK_TYPE_SPIN_BUTTON)), 1);
  rut_screenshot (GTK_WIDGET (dialog), "new-machine-libvirtd-storage.png", FALSE);
  go_on (dialog, "network");
  /* the harness's libvirtd may have no "default" network */
  if (!rut_wizard_can_go_on (dialog))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (rut_find_type (rut_wizard_row (dialog, "No Network"), GTK_TYPE_CHECK_BUTTON)),
                                 TRUE);
  go_on (dialog, "summary");
  gtk_editable_set_text (GTK_EDITABLE (rut_wizard_row (dialog, "Name")), "wizard-it");
  gtk_editable_set_text (GTK_EDITABLE (rut_wizard_row (dialog, "Title (optional)")), "Wizard IT");
  gtk_switch_set_active (GTK_SWITCH (rut_find_type (rut_wizard_row (dialog, "Start After Creating"), GTK_TYPE_SWITCH)), FALSE);
  rut_screenshot (GTK_WIDGET (dialog), "new-machine-libvirtd-summary.png", FALSE);
  g_assert_cmpstr (spec->name, ==, "wizard-it");

  rut_wait_until (rut_wizard_can_go_on (dialog), _refract_new_machine_dialog_get_problem (dialog));
  rut_click (rut_wizard_next (dialog));
  rut_wait_until (rut_find_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, NULL) == NULL
                  || rut_find_button_labelled (GTK_WIDGET (dialog), "_Go Back and Change It") != NULL,
                  "the machine to be created");
  if (rut_find_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, NULL) != NULL)
    g_error ("creation failed: %s",
             adw_status_page_get_description (ADW_STATUS_PAGE (rut_find_type (GTK_WIDGET (dialog), ADW_TYPE_STATUS_PAGE))));
  rut_drain ();
  g_assert_finalize_object (dialog);

  rut_wait_until (rut_sidebar_has (window, "Wizard IT"), "the new machine in the sidebar");
  rut_wait_until ((machine = refract_window_get_selected_machine (window)) != NULL
                  && g_strcmp0 (refract_machine_get_name (machine), "wizard-it") == 0,
                  "the new machine to be selected");
  rut_screenshot (GTK_WIDGET (window), "new-machine-libvirtd-created.png", FALSE);

  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rut_init (&argc, &argv);
  rth_setup (&harness, HARNESS_DIR);

  /* define only, never booted: any file is an installation medium here */
  media_path = g_build_filename (harness.dir, "wizard-sandbox.iso", NULL);
  g_assert_true (g_file_set_contents (media_path, "not really a disc", -1, NULL));

  g_test_add_func ("/ui/new-machine/libvirtd", test_wizard_libvirtd);
  status = rut_run ();

  g_unlink (media_path);
  g_free (media_path);
  rth_teardown (&harness, NULL);
  return status;
}
