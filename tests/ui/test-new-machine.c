/* test-new-machine.c: the new-machine wizard on the demo host, driven as a
 * user drives it, with a screenshot of every page and of its error states
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "refract-machine-creator.h"
#include "refract-new-machine-dialog-private.h"
#include "refract-ui-test.h"

typedef RefractNewMachineDialog Dialog;

static char *media_dir;
static char *media_path;

/* ---- helpers ---------------------------------------------------------------- */

static void
set_text (Dialog     *dialog,
          const char *title,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (rut_wizard_row (dialog, title)), text);
}

static GtkSpinButton *
spin_of (Dialog     *dialog,
         const char *title)
{
  GtkWidget *spin = rut_find_type (rut_wizard_row (dialog, title), GTK_TYPE_SPIN_BUTTON);

  g_assert_nonnull (spin);
  return GTK_SPIN_BUTTON (spin);
}

static void
check (Dialog     *dialog,
       const char *title)
{
  GtkWidget *button = rut_find_type (rut_wizard_row (dialog, title), GTK_TYPE_CHECK_BUTTON);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (button), TRUE);
}

/* The message the spec's validation has for @field, as the wizard would ask. */
static char *
expected_problem (Dialog           *dialog,
                  RefractSpecField  field)
{
  g_autoptr(GPtrArray) problems =
    refract_machine_spec_validate (_refract_new_machine_dialog_get_spec (dialog),
                                   _refract_new_machine_dialog_get_caps (dialog), NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      RefractSpecProblem *problem = g_ptr_array_index (problems, i);

      if (problem->field == field)
        return g_strdup (problem->message);
    }
  return NULL;
}

/* The error under @field's row shows @message, the row is marked, and Next
 * is insensitive with the same reason at the bottom. */
static void
assert_field_error (Dialog           *dialog,
                    RefractSpecField  field,
                    const char       *message)
{
  GtkLabel *label = _refract_new_machine_dialog_get_field_error (dialog, field);

  g_assert_nonnull (message);
  g_assert_nonnull (label);
  rut_wait_until (rut_shown (GTK_WIDGET (label)), "the error under the row");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "error"));
  g_assert_cmpstr (gtk_label_get_label (label), ==, message);
  g_assert_false (rut_wizard_can_go_on (dialog));
  g_assert_cmpstr (_refract_new_machine_dialog_get_problem (dialog), ==, message);
}

static void
shot (Dialog     *dialog,
      const char *name)
{
  rut_screenshot (GTK_WIDGET (dialog), name, FALSE);
}

/* Opens the wizard with the sidebar's “+” and waits for the host's
 * capabilities; returns it referenced. */
static Dialog *
open_wizard (RefractWindow *window)
{
  GtkWidget *add = rut_find_button (GTK_WIDGET (window), "win.new-machine");
  GtkWindow *dialog;

  g_assert_nonnull (add);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (add)), ==, "list-add-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (add), ==, "New Machine");
  rut_click (add);
  dialog = rut_wait_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (dialog));
  rut_wait_until (_refract_new_machine_dialog_get_caps (REFRACT_NEW_MACHINE_DIALOG (dialog)) != NULL,
                  "the host’s capabilities");
  return g_object_ref (REFRACT_NEW_MACHINE_DIALOG (dialog));
}

static void
pick_preset (Dialog     *dialog,
             const char *id)
{
  GtkWidget *card = _refract_new_machine_dialog_get_preset_card (dialog, id);

  g_assert_nonnull (card);
  g_assert_true (rut_shown (card));
  gtk_widget_activate (card);
  g_assert_cmpstr (_refract_new_machine_dialog_get_spec (dialog)->preset_id, ==, id);
}

static const char *
text_of (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  static char *text;

  g_free (text);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return text;
}

/* ---- the tests -------------------------------------------------------------- */

/* The whole way, with the errors a user can make on it: Coding Sandbox preset
 * → every page → a failed create (nothing left) → back → Create → the machine
 * is in the sidebar, selected, on its console. */
static void
test_wizard_end_to_end (void)
{
  RefractWindow *window = rut_demo_window_new (1000, 680);
  Dialog *dialog = open_wizard (window);
  RefractHostCaps *caps = _refract_new_machine_dialog_get_caps (dialog);
  RefractMachineSpec *spec = _refract_new_machine_dialog_get_spec (dialog);
  guint host_cpus = refract_host_caps_get_host_cpus (caps);
  guint64 host_memory = refract_host_caps_get_host_memory_mib (caps);
  g_autofree char *message = NULL;
  g_autofree char *passt_reason = NULL;
  g_autoptr(GError) error = NULL;
  gboolean had_passt;
  RefractMachine *machine;
  guint n_machines;

  /* Source: nothing chosen yet */
  g_assert_cmpstr (_refract_new_machine_dialog_get_page (dialog), ==, "source");
  g_assert_false (rut_wizard_can_go_on (dialog));
  g_assert_cmpstr (_refract_new_machine_dialog_get_problem (dialog), ==,
                   "Choose a preset or how to install the system.");
  shot (dialog, "new-machine-source.png");

  /* the preset wants an installer: the empty medium is the problem */
  pick_preset (dialog, "coding-sandbox");
  message = expected_problem (dialog, REFRACT_SPEC_FIELD_MEDIA);
  assert_field_error (dialog, REFRACT_SPEC_FIELD_MEDIA, message);
  shot (dialog, "new-machine-source-error.png");
  set_text (dialog, "Installation Medium (ISO)", media_path);
  rut_wait_until (rut_wizard_can_go_on (dialog), "Next once the medium is chosen");
  g_assert_null (_refract_new_machine_dialog_get_field_error (dialog, REFRACT_SPEC_FIELD_MEDIA));
  shot (dialog, "new-machine-source-preset.png");
  rut_screenshot (GTK_WIDGET (dialog), "new-machine.png", TRUE);

  /* Operating system: searchable */
  rut_wizard_go_on (dialog, "os");
  rut_wait_until (rut_find_label (GTK_WIDGET (dialog), "Detecting the system on the medium…", TRUE) == NULL,
                  "the medium to be read");
  gtk_editable_set_text (GTK_EDITABLE (rut_find_type (GTK_WIDGET (dialog), GTK_TYPE_SEARCH_ENTRY)), "debian");
  rut_wait_until (rut_find_row (GTK_WIDGET (dialog), "Debian 11") != NULL
                  && rut_find_row (GTK_WIDGET (dialog), "Unknown system") == NULL, "Debian in the OS list");
  shot (dialog, "new-machine-os.png");
  gtk_editable_set_text (GTK_EDITABLE (rut_find_type (GTK_WIDGET (dialog), GTK_TYPE_SEARCH_ENTRY)), "");
  g_assert_true (rut_wizard_can_go_on (dialog));

  /* Resources: on a host with less memory than the preset asks */
  rut_wizard_go_on (dialog, "resources");
  shot (dialog, "new-machine-resources.png");
  refract_host_caps_set_resources (caps, host_cpus, 1024);
  spec->memory_mib = 3072;
  _refract_new_machine_dialog_revalidate (dialog);
  g_clear_pointer (&message, g_free);
  message = expected_problem (dialog, REFRACT_SPEC_FIELD_MEMORY);
  assert_field_error (dialog, REFRACT_SPEC_FIELD_MEMORY, message);
  g_assert_true (gtk_widget_has_css_class (rut_wizard_row (dialog, "Memory (MiB)"), "error"));
  shot (dialog, "new-machine-resources-error.png");
  gtk_spin_button_set_value (spin_of (dialog, "Memory (MiB)"), 1024);
  rut_wait_until (rut_wizard_can_go_on (dialog), "Next once the memory fits");
  g_assert_cmpuint (spec->memory_mib, ==, 1024);
  /* the spin button cannot go past the host any more */
  gtk_spin_button_set_value (spin_of (dialog, "Memory (MiB)"), 4096);
  g_assert_cmpuint (spec->memory_mib, ==, 1024);
  refract_host_caps_set_resources (caps, host_cpus, host_memory);
  _refract_new_machine_dialog_revalidate (dialog);

  /* Storage: a disk that fits */
  rut_wizard_go_on (dialog, "storage");
  gtk_spin_button_set_value (spin_of (dialog, "Disk Size (GiB)"), 2);
  rut_wait_until (rut_wizard_can_go_on (dialog), "Next with a disk that fits");
  shot (dialog, "new-machine-storage.png");

  /* Network: user-mode with a port forward that does not parse */
  rut_wizard_go_on (dialog, "network");
  had_passt = refract_host_caps_has (caps, REFRACT_HOST_FEATURE_PASST);
  passt_reason = g_strdup (refract_host_caps_get_reason (caps, REFRACT_HOST_FEATURE_PASST));
  refract_host_caps_set_feature (caps, REFRACT_HOST_FEATURE_PASST, TRUE, NULL);
  _refract_new_machine_dialog_revalidate (dialog);
  check (dialog, "User-Mode Networking");
  set_text (dialog, "Port Forwards (host:guest)", "2222:22, 22:");
  g_assert_null (refract_port_forward_parse ("22:", &error));
  assert_field_error (dialog, REFRACT_SPEC_FIELD_PORT_FORWARDS, error->message);
  shot (dialog, "new-machine-network-error.png");
  set_text (dialog, "Port Forwards (host:guest)", "2222:22, 8080:80");
  rut_wait_until (rut_wizard_can_go_on (dialog), "Next with good port forwards");
  g_assert_cmpuint (spec->port_forwards->len, ==, 2);
  shot (dialog, "new-machine-network.png");
  /* the demo host's libvirt has no passt: back to what it can do */
  refract_host_caps_set_feature (caps, REFRACT_HOST_FEATURE_PASST, had_passt, passt_reason);
  _refract_new_machine_dialog_revalidate (dialog);
  if (!had_passt)
    check (dialog, "Virtual Network (NAT)");
  rut_wait_until (rut_wizard_can_go_on (dialog), "Next on the network page");

  /* Summary: a unique name is there; an empty one is refused */
  rut_wizard_go_on (dialog, "summary");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rut_wizard_row (dialog, "Name"))), ==, spec->name);
  g_assert_nonnull (spec->name);
  g_assert_null (refract_machine_list_find_by_name (refract_connection_get_machines (_refract_new_machine_dialog_get_connection (dialog)),
                                                    spec->name));
  set_text (dialog, "Name", "");
  g_clear_pointer (&message, g_free);
  message = expected_problem (dialog, REFRACT_SPEC_FIELD_NAME);
  assert_field_error (dialog, REFRACT_SPEC_FIELD_NAME, message);
  shot (dialog, "new-machine-summary-error.png");
  set_text (dialog, "Name", "wizard-sandbox");
  set_text (dialog, "Title (optional)", "Wizard Sandbox");
  rut_wait_until (rut_wizard_can_go_on (dialog), "Create with a name");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (rut_wizard_next (dialog))), ==, "C_reate");
  shot (dialog, "new-machine-summary.png");

  /* Customize: the XML follows the settings; nothing exists yet */
  gtk_switch_set_active (GTK_SWITCH (rut_find_type (rut_wizard_row (dialog, "Customize Before Install"), GTK_TYPE_SWITCH)), TRUE);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (rut_wizard_next (dialog))), ==, "C_ustomize");
  rut_wizard_go_on (dialog, "customize");
  g_assert_nonnull (strstr (text_of (_refract_new_machine_dialog_get_xml_view (dialog)), "<name>wizard-sandbox</name>"));
  gtk_spin_button_set_value (spin_of (dialog, "Processors"), 2);
  g_assert_nonnull (strstr (text_of (_refract_new_machine_dialog_get_xml_view (dialog)), ">2</vcpu>"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (rut_wizard_next (dialog))), ==, "_Begin Installation");
  g_assert_null (refract_machine_list_find_by_name (refract_connection_get_machines (_refract_new_machine_dialog_get_connection (dialog)),
                                                    "wizard-sandbox"));
  shot (dialog, "new-machine-customize.png");
  gtk_widget_grab_focus (GTK_WIDGET (_refract_new_machine_dialog_get_xml_view (dialog)));
  shot (dialog, "new-machine-customize-xml.png");
  rut_wizard_go_back (dialog, "summary");
  gtk_switch_set_active (GTK_SWITCH (rut_find_type (rut_wizard_row (dialog, "Customize Before Install"), GTK_TYPE_SWITCH)), FALSE);

  /* the progress page, as it looks while the disk is made */
  _refract_new_machine_dialog_preview_progress (dialog, TRUE);
  g_assert_cmpstr (_refract_new_machine_dialog_get_page (dialog), ==, "progress");
  g_assert_nonnull (rut_find_label (GTK_WIDGET (dialog), "Creating the disk", TRUE));
  shot (dialog, "new-machine-progress.png");
  _refract_new_machine_dialog_preview_progress (dialog, FALSE);

  /* a failure after the disk was made: said on the page, nothing left, back to fix */
  n_machines = g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (_refract_new_machine_dialog_get_connection (dialog))));
  refract_machine_creator_set_fail_after (REFRACT_CREATE_STEP_STORAGE);
  rut_click (rut_wizard_next (dialog));
  rut_wait_until (rut_find_button (GTK_WIDGET (dialog), "wizard.back") != NULL
                  && rut_find_label (GTK_WIDGET (dialog), "Nothing was left behind on the host", FALSE) != NULL,
                  "the failure on the progress page");
  refract_machine_creator_set_fail_after (-1);
  shot (dialog, "new-machine-failed.png");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (_refract_new_machine_dialog_get_connection (dialog)))),
                    ==, n_machines);
  rut_click (rut_find_button_labelled (GTK_WIDGET (dialog), "_Go Back and Change It"));
  rut_wait_until (g_strcmp0 (_refract_new_machine_dialog_get_page (dialog), "summary") == 0, "the summary again");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rut_wizard_row (dialog, "Name"))), ==, "wizard-sandbox");

  /* Create: the window shows the new machine, selected, on its console */
  rut_click (rut_wizard_next (dialog));
  rut_wait_until (rut_find_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, NULL) == NULL
                  || rut_find_button_labelled (GTK_WIDGET (dialog), "_Go Back and Change It") != NULL,
                  "the wizard to close");
  if (rut_find_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, NULL) != NULL)
    {
      AdwStatusPage *status = ADW_STATUS_PAGE (rut_find_type (GTK_WIDGET (dialog), ADW_TYPE_STATUS_PAGE));

      g_error ("creation failed: %s", adw_status_page_get_description (status));
    }
  rut_drain ();
  g_assert_finalize_object (dialog);
  rut_wait_until (rut_sidebar_has (window, "Wizard Sandbox"), "the new machine in the sidebar");
  rut_wait_until ((machine = refract_window_get_selected_machine (window)) != NULL
                  && g_strcmp0 (refract_machine_get_name (machine), "wizard-sandbox") == 0,
                  "the new machine to be selected");
  g_assert_cmpstr (refract_machine_page_get_tab (_refract_window_get_machine_page (window)), ==, "console");
  rut_screenshot (GTK_WIDGET (window), "new-machine-created.png", FALSE);

  rut_window_close (window);
}

/* At 360 pixels wide every page fits: screenshots of each. */
static void
test_wizard_narrow (void)
{
  RefractWindow *window = rut_demo_window_new (360, 680);
  static const char * const pages[] = { "os", "resources", "storage", "network", "summary", NULL };
  RefractConnection *demo = g_list_model_get_item (G_LIST_MODEL (refract_application_get_connections (rut_app ())), 0);
  Dialog *dialog;

  /* the list keeps it; rut_window_close() checks it goes with the list */
  g_object_unref (demo);

  g_assert_nonnull (demo);
  dialog = g_object_ref (refract_new_machine_dialog_new (rut_app (), demo));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 360, 680);
  gtk_window_present (GTK_WINDOW (dialog));
  rut_wait_until (_refract_new_machine_dialog_get_caps (dialog) != NULL, "the host’s capabilities");
  rut_wait_drawn (GTK_WIDGET (dialog));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);

  shot (dialog, "new-machine-narrow-source.png");
  check (dialog, "Install From an ISO File");
  set_text (dialog, "Installation Medium (ISO)", media_path);
  rut_wait_until (rut_wizard_can_go_on (dialog), "Next once the medium is chosen");
  shot (dialog, "new-machine-narrow-source-iso.png");
  for (guint i = 0; pages[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("new-machine-narrow-%s.png", pages[i]);

      rut_wait_until (rut_wizard_can_go_on (dialog), "Next on a page with good defaults");
      rut_wizard_go_on (dialog, pages[i]);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);
      shot (dialog, name);
    }
  gtk_switch_set_active (GTK_SWITCH (rut_find_type (rut_wizard_row (dialog, "Customize Before Install"), GTK_TYPE_SWITCH)), TRUE);
  rut_wizard_go_on (dialog, "customize");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);
  shot (dialog, "new-machine-narrow-customize.png");

  /* nothing was created: closing leaves the host as it was */
  rut_close_and_finalize (GTK_WINDOW (dialog));
  g_assert_null (refract_machine_list_find_by_name (refract_connection_get_machines (demo), "generic-linux"));
  rut_window_close (window);
}

/* Ctrl+N, the menu and the empty host's page all open the wizard; without a
 * connected host the action is off and says why. */
static void
test_wizard_action (void)
{
  RefractWindow *window = rut_window_new (1000, 680);
  GtkWidget *add = rut_find_button (GTK_WIDGET (window), "win.new-machine");
  GtkWindow *dialog;
  GtkApplication *app = GTK_APPLICATION (rut_app ());
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, "win.new-machine");

  g_assert_cmpstr (accels[0], ==, "<Control>n");
  g_assert_nonnull (add);
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (add), ==, "New Machine: connect to a host first");
  rut_window_close (window);

  window = rut_demo_window_new (1000, 680);
  add = rut_find_button (GTK_WIDGET (window), "win.new-machine");
  rut_wait_until (gtk_widget_is_sensitive (add), "New Machine to be possible");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (add), ==, "New Machine");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-machine", NULL);
  dialog = rut_wait_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, GTK_WINDOW (window));
  g_assert_cmpstr (_refract_new_machine_dialog_get_page (REFRACT_NEW_MACHINE_DIALOG (dialog)), ==, "source");
  /* Escape is Cancel */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  rut_wait_until (rut_find_toplevel (REFRACT_TYPE_NEW_MACHINE_DIALOG, NULL) == NULL, "the wizard to close");
  rut_window_close (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  rut_init (&argc, &argv);

  /* an "installation medium": any file will do for the demo host */
  media_dir = g_dir_make_tmp ("refract-wizard-XXXXXX", &error);
  g_assert_no_error (error);
  media_path = g_build_filename (media_dir, "sandbox.iso", NULL);
  g_assert_true (g_file_set_contents (media_path, "not really a disc", -1, NULL));

  g_test_add_func ("/ui/new-machine/action", test_wizard_action);
  g_test_add_func ("/ui/new-machine/end-to-end", test_wizard_end_to_end);
  g_test_add_func ("/ui/new-machine/narrow", test_wizard_narrow);

  status = rut_run ();
  g_unlink (media_path);
  g_rmdir (media_dir);
  g_free (media_path);
  g_free (media_dir);
  return status;
}
