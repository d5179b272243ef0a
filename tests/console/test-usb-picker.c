/* test-usb-picker.c: the USB picker over the fake source, under Xvfb
 *
 * This machine has no USB bus (no /dev/bus/usb), so the devices are the fake
 * source's (refract-usb-source-fake.h): plugged and unplugged while the picker
 * shows them, switched on and off, failing. The real path, over
 * spice-client-glib and QEMU, is tests/integration/test-usb.c.
 *
 * Screenshots of the picker with devices, empty, with errors, and with no
 * channels go to screenshots/ of the build directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "refract-console-page.h"
#include "refract-spice-session-private.h"
#include "refract-test-render.h"
#include "refract-test-spice-server.h"
#include "refract-test-util.h"
#include "refract-usb-picker-private.h"
#include "refract-usb-rules.h"
#include "refract-usb-source-fake.h"

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

#define wait_for(cond) \
  G_STMT_START { \
    gint64 end_ = g_get_monotonic_time () + 5 * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < end_) \
      g_main_context_iteration (NULL, FALSE); \
    g_assert_true (cond); \
  } G_STMT_END

static RefractUsbDevice *
device (const char *name, guint16 vendor, guint16 product, guint bus, guint address,
        guint klass, guint32 interfaces)
{
  RefractUsbDevice *dev = refract_usb_device_new (name, vendor, product, bus, address);

  refract_usb_device_set_classes (dev, klass, interfaces);
  return dev;
}

typedef struct
{
  GtkWindow            *window;
  RefractUsbPicker     *picker;
  RefractUsbSourceFake *source;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->source = refract_usb_source_fake_new (GPOINTER_TO_INT (data) ? 0 : 2);
  f->picker = REFRACT_USB_PICKER (refract_usb_picker_new ());
  refract_usb_picker_set_source (f->picker, REFRACT_USB_SOURCE (f->source));
  f->window = GTK_WINDOW (gtk_window_new ());
  /* a window does not grow after it is shown; the popover would */
  gtk_window_set_default_size (f->window, 460, 560);
  gtk_window_set_child (f->window, GTK_WIDGET (f->picker));
  gtk_window_present (f->window);
  spin (50);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  spin (20);
  g_assert_finalize_object (f->source);
}

static void
screenshot (Fixture *f, const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s/usb-picker-%s.png", SCREENSHOT_DIR, name);

  spin (100);
  texture = refract_test_render_widget (GTK_WIDGET (f->picker));
  g_mkdir_with_parents (SCREENSHOT_DIR, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);
}

/* a row makes its error labels when it first fails */
static gboolean
row_error_shown (Fixture *f, guint index)
{
  GtkLabel *label = _refract_usb_picker_get_row_error (f->picker, index);

  return label != NULL && gtk_widget_get_visible (GTK_WIDGET (label));
}

/* the row's title, its switch's tooltip and the name a screen reader gives it */
static void
assert_row_shows (Fixture *f, guint index, const char *name, const char *where)
{
  GtkLabel *title = _refract_usb_picker_get_row_title (f->picker, index);
  GtkSwitch *toggle = _refract_usb_picker_get_row_switch (f->picker, index);
  g_autofree char *expected = g_strdup_printf ("%s\n%s", name, where);

  g_assert_nonnull (title);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (title)));
  g_assert_cmpstr (gtk_label_get_text (title), ==, expected);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (toggle)), ==,
                   "Redirect to the machine");
  gtk_test_accessible_assert_property (toggle, GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  gtk_test_accessible_assert_property (_refract_usb_picker_get_row_menu_button (f->picker, index),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "More");
}

static guint
n_rows (Fixture *f)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (_refract_usb_picker_get_list (f->picker), n) != NULL)
    n++;
  return n;
}

static void
test_empty (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (n_rows (f), ==, 0);
  g_assert_cmpstr (gtk_label_get_label (_refract_usb_picker_get_channels_label (f->picker)), ==,
                   "2 of 2 channels free");
  screenshot (f, "empty");
}

static void
test_live (Fixture *f, gconstpointer data)
{
  g_autoptr(RefractUsbDevice) stick = device ("SanDisk Cruzer", 0x0781, 0x5567, 1, 4, 0, 1u << 8);
  g_autoptr(RefractUsbDevice) audio = device ("Focusrite Scarlett 2i2", 0x1235, 0x8210, 3, 2,
                                              0xef, 1u << 1);
  GtkSwitch *toggle;

  refract_usb_source_fake_add (f->source, stick);
  spin (20);
  g_assert_cmpuint (n_rows (f), ==, 1);
  refract_usb_source_fake_add (f->source, audio);
  spin (20);
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_true (refract_usb_device_is_audio (audio));
  g_assert_cmpstr (refract_usb_device_get_icon_name (audio), ==, "audio-card-symbolic");
  assert_row_shows (f, 1, "Focusrite Scarlett 2i2", "1235:8210 · Bus 3, device 2");

  /* the switch connects, and the channel count follows */
  toggle = _refract_usb_picker_get_row_switch (f->picker, 1);
  gtk_switch_set_active (toggle, TRUE);
  g_assert_cmpuint (refract_usb_source_fake_get_connects (f->source), ==, 1);
  wait_for (refract_usb_device_get_redirected (audio));
  g_assert_cmpstr (gtk_label_get_label (_refract_usb_picker_get_channels_label (f->picker)), ==,
                   "1 of 2 channels free");
  screenshot (f, "devices");

  /* and disconnects */
  gtk_switch_set_active (toggle, FALSE);
  g_assert_cmpuint (refract_usb_source_fake_get_disconnects (f->source), ==, 1);
  wait_for (!refract_usb_device_get_redirected (audio));
  g_assert_cmpstr (gtk_label_get_label (_refract_usb_picker_get_channels_label (f->picker)), ==,
                   "2 of 2 channels free");

  /* unplugged while redirected: the row goes, the channel comes back */
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 0), TRUE);
  wait_for (refract_usb_device_get_redirected (stick));
  refract_usb_source_fake_remove (f->source, stick);
  spin (20);
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (refract_usb_source_get_free_channels (REFRACT_USB_SOURCE (f->source)), ==, 2);
  refract_usb_source_fake_remove (f->source, audio);
  spin (20);
  g_assert_cmpuint (n_rows (f), ==, 0);
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(RefractUsbDevice) a = device ("Logitech Webcam C920", 0x046d, 0x082d, 1, 5, 0xef,
                                          1u << 14);
  g_autoptr(RefractUsbDevice) b = device ("Yubico YubiKey", 0x1050, 0x0407, 1, 6, 0, 1u << 3);
  g_autoptr(RefractUsbDevice) c = device ("Generic Flash Disk", 0x058f, 0x6387, 2, 3, 0, 1u << 8);
  g_autoptr(GError) acl = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                               "Error setting USB device node ACL: "
                                               "'Not authorized'");
  g_autoptr(GError) busy = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                "Could not claim interface 0: Resource busy");
  GtkLabel *label;

  refract_usb_source_fake_add (f->source, a);
  refract_usb_source_fake_add (f->source, b);
  refract_usb_source_fake_add (f->source, c);
  spin (20);

  refract_usb_source_fake_fail_next (f->source, a, acl);
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 0), TRUE);
  wait_for (refract_usb_device_get_error_message (a) != NULL);
  /* the failed switch goes back off; the error is in that row, not the others */
  g_assert_false (gtk_switch_get_active (_refract_usb_picker_get_row_switch (f->picker, 0)));
  g_assert_true (row_error_shown (f, 0));
  label = _refract_usb_picker_get_row_error (f->picker, 0);
  g_assert_nonnull (strstr (gtk_label_get_label (label), "Not authorized"));
  g_assert_nonnull (strstr (refract_usb_device_get_error_remedy (a),
                            "org.spice-space.lowlevelusbaccess"));
  g_assert_false (row_error_shown (f, 1));

  refract_usb_source_fake_fail_next (f->source, c, busy);
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 2), TRUE);
  wait_for (refract_usb_device_get_error_message (c) != NULL);
  g_assert_nonnull (strstr (refract_usb_device_get_error_remedy (c), "Another program"));
  g_assert_false (row_error_shown (f, 1));
  screenshot (f, "errors");

  /* success clears the row's error */
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 2), TRUE);
  wait_for (refract_usb_device_get_redirected (c));
  g_assert_null (refract_usb_device_get_error_message (c));
  g_assert_false (row_error_shown (f, 2));
}

/* the row's menu is made on first opening; its items act on that row's device */
static void
test_row_menu (Fixture *f, gconstpointer data)
{
  g_autoptr(RefractUsbDevice) stick = device ("SanDisk Cruzer", 0x0781, 0x5567, 1, 4, 0, 1u << 8);
  g_autoptr(RefractUsbDevice) audio = device ("Focusrite Scarlett 2i2", 0x1235, 0x8210, 3, 2,
                                              0xef, 1u << 1);
  GtkMenuButton *button;
  GMenuModel *model;

  refract_usb_source_fake_add (f->source, stick);
  refract_usb_source_fake_add (f->source, audio);
  spin (20);
  button = GTK_MENU_BUTTON (_refract_usb_picker_get_row_menu_button (f->picker, 1));
  g_assert_null (gtk_menu_button_get_menu_model (button));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));
  gtk_menu_button_popup (button);
  spin (50);
  model = gtk_menu_button_get_menu_model (button);
  g_assert_nonnull (model);
  g_assert_cmpint (g_menu_model_get_n_items (model), ==, 3);  /* the audio item too */
  gtk_menu_button_popdown (button);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (button), "usb.auto-device", "(qq)",
                                             0x1235, 0x8210));
  g_assert_cmpuint (_refract_usb_picker_get_n_rules (f->picker), ==, 1);
  g_assert_cmpstr (refract_usb_source_fake_get_filter (f->source), ==,
                   "-1,0x1235,0x8210,-1,1|0x03,-1,-1,-1,0");

  button = GTK_MENU_BUTTON (_refract_usb_picker_get_row_menu_button (f->picker, 0));
  gtk_menu_button_popup (button);
  spin (20);
  g_assert_cmpint (g_menu_model_get_n_items (gtk_menu_button_get_menu_model (button)), ==, 2);
  gtk_menu_button_popdown (button);
  /* no machine: "Attach" is disabled and does nothing */
  gtk_widget_activate_action (GTK_WIDGET (button), "usb.attach", "(qq)", 0x0781, 0x5567);
  spin (20);
}

/* The first frame has rows for the first devices only (what the list shows);
 * the frame after has a row for every device, each acting on its own device. */
static void
test_many (void)
{
  g_autoptr(RefractUsbSourceFake) source = refract_usb_source_fake_new (30);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_object_unref);
  Fixture f = { NULL, NULL, source };
  GtkWidget *scroller;

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *name = i == 1 ? g_strdup ("Realtek Semiconductor Corp. RTL8153 Gigabit "
                                                 "Ethernet Adapter")
                                     : g_strdup_printf ("Device %u", i);

      g_ptr_array_add (devices, device (name, 0x1d6b, 0x0100 + i, 1 + i / 8, 2 + i, 0, 1u << 8));
      refract_usb_source_fake_add (source, g_ptr_array_index (devices, i));
    }
  f.picker = REFRACT_USB_PICKER (refract_usb_picker_new ());
  refract_usb_picker_set_source (f.picker, REFRACT_USB_SOURCE (source));
  g_assert_cmpuint (n_rows (&f), <=, 10);
  f.window = GTK_WINDOW (gtk_window_new ());
  /* as wide as the picker asks, as a popover is */
  gtk_window_set_default_size (f.window, -1, 560);
  gtk_window_set_child (f.window, GTK_WIDGET (f.picker));
  gtk_window_present (f.window);
  wait_for (n_rows (&f) == 24);
  assert_row_shows (&f, 0, "Device 0", "1d6b:0100 · Bus 1, device 2");

  /* the list scrolls; the last row is its device's */
  scroller = gtk_widget_get_ancestor (GTK_WIDGET (_refract_usb_picker_get_list (f.picker)),
                                      GTK_TYPE_SCROLLED_WINDOW);
  spin (50);
  g_assert_cmpint (gtk_widget_get_height (scroller), <=, 380);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (_refract_usb_picker_get_list (f.picker))),
                   >, 24 * 40);
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f.picker, 23), TRUE);
  wait_for (refract_usb_device_get_redirected (g_ptr_array_index (devices, 23)));
  g_assert_false (refract_usb_device_get_redirected (g_ptr_array_index (devices, 9)));

  /* unplugging a device the first frame had no row for takes its row */
  refract_usb_source_fake_remove (source, g_ptr_array_index (devices, 20));
  spin (20);
  g_assert_cmpuint (n_rows (&f), ==, 23);
  g_assert_cmpstr (gtk_label_get_text (_refract_usb_picker_get_row_title (f.picker, 20)),
                   ==, "Device 21\n1d6b:0115 · Bus 3, device 23");
  screenshot (&f, "many");
  gtk_window_destroy (f.window);
  spin (20);
}

static void
test_no_channels (Fixture *f, gconstpointer data)
{
  g_autoptr(RefractUsbDevice) stick = device ("SanDisk Cruzer", 0x0781, 0x5567, 1, 4, 0, 1u << 8);
  GtkLabel *status = _refract_usb_picker_get_status_label (f->picker);

  refract_usb_source_fake_add (f->source, stick);
  g_assert_true (gtk_widget_get_visible (_refract_usb_picker_get_add_channels_button (f->picker)));
  g_assert_nonnull (strstr (gtk_label_get_label (status), "no USB redirection channels"));
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 0), TRUE);
  wait_for (refract_usb_device_get_error_message (stick) != NULL);
  g_assert_nonnull (strstr (refract_usb_device_get_error_remedy (stick), "add USB redirection"));
  screenshot (f, "no-channels");
}

static void
test_share_cd (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_refract_usb_picker_share_iso (f->picker, "/tmp/debian.iso", &error));
  g_assert_no_error (error);
  spin (20);
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpstr (refract_usb_source_fake_get_shared_cd (f->source), ==, "/tmp/debian.iso");
}

static void
test_rules_applied (Fixture *f, gconstpointer data)
{
  _refract_usb_picker_set_redirect_new (f->picker, TRUE);
  g_assert_true (refract_usb_source_fake_get_auto_redirect (f->source));
  g_assert_cmpstr (refract_usb_source_fake_get_filter (f->source), ==,
                   "0x03,-1,-1,-1,0|-1,-1,-1,-1,1");
  _refract_usb_picker_add_rule (f->picker, "1235:8210");
  _refract_usb_picker_add_rule (f->picker, "class:01");
  _refract_usb_picker_add_rule (f->picker, "class:01");
  _refract_usb_picker_add_rule (f->picker, "nonsense");
  g_assert_cmpuint (_refract_usb_picker_get_n_rules (f->picker), ==, 2);
  g_assert_cmpstr (refract_usb_source_fake_get_filter (f->source), ==,
                   "-1,0x1235,0x8210,-1,1|0x03,-1,-1,-1,0|0x01,-1,-1,-1,1");
  _refract_usb_picker_set_redirect_new (f->picker, FALSE);
  g_assert_false (refract_usb_source_fake_get_auto_redirect (f->source));
}

static void
test_unavailable (void)
{
  GtkWidget *picker = refract_usb_picker_new ();
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s/usb-picker-demo-host.png", SCREENSHOT_DIR);

  refract_usb_picker_set_unavailable (REFRACT_USB_PICKER (picker), "The demo host has no USB "
                                      "redirection.");
  gtk_window_set_child (window, picker);
  gtk_window_present (window);
  spin (100);
  g_assert_cmpstr (gtk_label_get_label (_refract_usb_picker_get_status_label (REFRACT_USB_PICKER (picker))),
                   ==, "The demo host has no USB redirection.");
  g_assert_false (gtk_widget_is_visible (
                    GTK_WIDGET (_refract_usb_picker_get_list (REFRACT_USB_PICKER (picker)))));
  texture = refract_test_render_widget (picker);
  g_mkdir_with_parents (SCREENSHOT_DIR, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  gtk_window_destroy (window);
}

/* ---- the console toolbar's button ---------------------------------------- */

static GtkWidget *
find_widget (GtkWidget *root, GType type, const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static RefractMachine *
machine_with_display (RefractConnection *connection)
{
  GListModel *machines = G_LIST_MODEL (refract_connection_get_machines (connection));

  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (machines, i);

      rt_load_details (machine);
      if (refract_machine_get_has_graphics (machine))
        return g_steal_pointer (&machine);
    }
  g_assert_not_reached ();
  return NULL;
}

/* The console page over an in-process SPICE server: the button is in the
 * toolbar, its picker is made on first opening, over the console's source,
 * and kept. */
static GtkWidget *
rule_remove_button (GtkWidget *root, const char *rule)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (g_object_get_data (G_OBJECT (root), "refract-usb-rule"), rule) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = rule_remove_button (child, rule);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The console page's picker and the detached window's, over one machine:
 * rules edited in one are shown and applied by the other at once. */
static void
test_rules_shared (void)
{
  g_autofree char *uri = g_strconcat ("test://", g_getenv ("REFRACT_DEMO_NODE"), NULL);
  g_autoptr(RefractConnection) connection = rt_open (uri);
  g_autoptr(RefractMachine) machine = machine_with_display (connection);
  Fixture a = { 0 }, b = { 0 };

  fixture_setup (&a, NULL);
  fixture_setup (&b, NULL);
  refract_usb_picker_set_machine (a.picker, machine);
  refract_usb_picker_set_machine (b.picker, machine);
  g_assert_cmpuint (_refract_usb_picker_get_n_rules (b.picker), ==, 0);

  _refract_usb_picker_add_rule (a.picker, "1235:8210");
  wait_for (_refract_usb_picker_get_n_rules (b.picker) == 1);
  g_assert_cmpstr (refract_usb_source_fake_get_filter (b.source), ==,
                   refract_usb_source_fake_get_filter (a.source));
  g_assert_nonnull (strstr (refract_usb_source_fake_get_filter (b.source), "0x1235,0x8210"));

  _refract_usb_picker_set_redirect_new (b.picker, TRUE);
  wait_for (refract_usb_source_fake_get_auto_redirect (a.source));
  _refract_usb_picker_set_redirect_new (b.picker, FALSE);
  wait_for (!refract_usb_source_fake_get_auto_redirect (a.source));
  g_assert_cmpuint (_refract_usb_picker_get_n_rules (a.picker), ==, 1);

  /* forget them, for the cases after this one: the rule's remove button */
  g_signal_emit_by_name (rule_remove_button (GTK_WIDGET (b.picker), "1235:8210"), "clicked");
  wait_for (_refract_usb_picker_get_n_rules (a.picker) == 0);
  fixture_teardown (&a, NULL);
  fixture_teardown (&b, NULL);
}

static void
test_console_button (void)
{
  g_autofree char *uri = g_strconcat ("test://", g_getenv ("REFRACT_DEMO_NODE"), NULL);
  g_autoptr(RefractConnection) connection = rt_open (uri);
  g_autoptr(RefractMachine) machine = machine_with_display (connection);
  RtsServer *server = rts_server_new ();
  g_autoptr(RefractSpiceSession) session = NULL;
  g_autoptr(RefractConsole) console = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = refract_console_page_new (FALSE);
  GtkWidget *button, *popover, *picker;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s/usb-console-toolbar.png", SCREENSHOT_DIR);

  rts_server_add_display (server, 640, 400, "off");
  session = _refract_spice_session_new_for_unix_path (rts_server_get_path (server));
  /* the page connects it when shown (refract_console_start) */
  console = _refract_console_new_for_session (machine, session);
  g_assert_nonnull (refract_console_get_usb_source (console));
  if (!refract_machine_is_active (machine))
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (rt_run (machine, REFRACT_MACHINE_ACTION_START, &error));
      g_assert_no_error (error);
      rt_wait_state (machine, REFRACT_MACHINE_STATE_RUNNING, 10);
    }
  gtk_window_set_default_size (window, 800, 500);
  gtk_window_set_child (window, page);
  refract_console_page_set_console (REFRACT_CONSOLE_PAGE (page), console);
  gtk_window_present (window);
  rt_wait_until (refract_spice_session_get_state (session) == REFRACT_SPICE_STATE_CONNECTED, 10,
                 "the display");
  button = find_widget (page, GTK_TYPE_MENU_BUTTON, "usb-button");
  g_assert_nonnull (button);
  rt_wait_until (gtk_widget_get_mapped (button), 10, "the USB button");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "USB Devices");
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_null (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  g_assert_nonnull (popover);
  picker = gtk_popover_get_child (GTK_POPOVER (popover));
  g_assert_true (REFRACT_IS_USB_PICKER (picker));
  rt_wait_until (gtk_widget_get_mapped (picker), 10, "the picker");
  rt_spin (300);
  texture = refract_test_render_widget (GTK_WIDGET (window));
  g_mkdir_with_parents (SCREENSHOT_DIR, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);
  g_clear_object (&texture);
  g_free (file);
  file = g_strdup_printf ("%s/usb-console-popover.png", SCREENSHOT_DIR);
  texture = refract_test_render_widget (popover);
  g_assert_true (gdk_texture_save_to_png (texture, file));

  /* kept between openings */
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  rt_spin (50);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))) == popover);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));

  gtk_window_destroy (window);
  rt_spin (100);
  g_clear_object (&console);
  refract_spice_session_disconnect (session);
  g_clear_object (&session);
  rt_spin (100);
  rts_server_free (server);
  g_clear_object (&machine);
  rt_close (g_steal_pointer (&connection));
}

/* ---- pure parts ---------------------------------------------------------- */

static void
test_filter_strings (void)
{
  const char *none[] = { NULL };
  const char *device_rule[] = { "046d:c52b", NULL };
  const char *mixed[] = { "class:08", "1235:8210", "bad:rule:x", "class:1ff", NULL };
  g_autofree char *a = refract_usb_rules_to_filter (none, TRUE);
  g_autofree char *b = refract_usb_rules_to_filter (none, FALSE);
  g_autofree char *c = refract_usb_rules_to_filter (device_rule, TRUE);
  g_autofree char *d = refract_usb_rules_to_filter (mixed, TRUE);
  g_autofree char *e = refract_usb_rules_to_filter (NULL, TRUE);
  int klass, vendor, product;

  g_assert_cmpstr (a, ==, "0x03,-1,-1,-1,0|-1,-1,-1,-1,1");
  g_assert_cmpstr (b, ==, "-1,-1,-1,-1,1");
  /* an explicitly named keyboard is still redirected: device rules come first */
  g_assert_cmpstr (c, ==, "-1,0x046d,0xc52b,-1,1|0x03,-1,-1,-1,0");
  g_assert_cmpstr (d, ==, "-1,0x1235,0x8210,-1,1|0x03,-1,-1,-1,0|0x08,-1,-1,-1,1");
  g_assert_cmpstr (e, ==, a);

  g_assert_true (refract_usb_rule_parse ("class:01", &klass, &vendor, &product));
  g_assert_cmpint (klass, ==, 1);
  g_assert_cmpint (vendor, ==, -1);
  g_assert_true (refract_usb_rule_parse ("1235:8210", &klass, &vendor, &product));
  g_assert_cmpint (klass, ==, -1);
  g_assert_cmpint (vendor, ==, 0x1235);
  g_assert_cmpint (product, ==, 0x8210);
  g_assert_false (refract_usb_rule_parse ("12345:1", NULL, NULL, NULL));
  g_assert_false (refract_usb_rule_parse ("class:", NULL, NULL, NULL));
  g_assert_false (refract_usb_rule_parse ("", NULL, NULL, NULL));
}

static void
test_rules_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.refract.Refract");
  const char *rules[] = { "class:01", "046d:c52b", NULL };
  g_auto(GStrv) loaded = NULL;
  g_auto(GStrv) other = NULL;

  refract_usb_rules_save (settings, "uuid-a", TRUE, rules);
  refract_usb_rules_save (settings, "uuid-b", FALSE, (const char *[]) { "class:08", NULL });
  g_assert_true (refract_usb_rules_load (settings, "uuid-a", &loaded));
  g_assert_cmpstrv (loaded, rules);
  g_assert_false (refract_usb_rules_load (settings, "uuid-b", &other));
  g_assert_cmpstr (other[0], ==, "class:08");
  g_clear_pointer (&other, g_strfreev);
  g_assert_false (refract_usb_rules_load (settings, "unknown", &other));
  g_assert_cmpuint (g_strv_length (other), ==, 0);
}

static void
test_error_explain (void)
{
  struct { const char *message; gboolean flatpak; RefractUsbError code; const char *remedy; } cases[] = {
    { "Error setting USB device node ACL: 'Not authorized'", FALSE,
      REFRACT_USB_ERROR_POLKIT_DENIED, "polkit" },
    { "Failed to execute child process “/usr/libexec/spice-client-glib-usb-acl-helper” "
      "(No such file or directory)", FALSE, REFRACT_USB_ERROR_ACL_HELPER,
      "spice-client-glib-usb-acl-helper" },
    { "Error setting USB device node ACL: 'Error setting facl: Operation not permitted'", FALSE,
      REFRACT_USB_ERROR_ACL_HELPER, "--reinstall" },
    { "There are no free USB channels", FALSE, REFRACT_USB_ERROR_NO_CHANNELS, "channels" },
    { "The connected VM is not configured for USB redirection", FALSE,
      REFRACT_USB_ERROR_NO_CHANNELS, "channels" },
    { "Could not claim interface 0: Resource busy", FALSE, REFRACT_USB_ERROR_IN_USE, "Another" },
    { "Some USB devices are blocked by host policy", FALSE, REFRACT_USB_ERROR_BLOCKED, "Keyboards" },
    { "Could not open device: Access denied (insufficient permissions)", FALSE,
      REFRACT_USB_ERROR_PERMISSION, "udev" },
    { "Could not open device: Access denied (insufficient permissions)", TRUE,
      REFRACT_USB_ERROR_SANDBOX, "--device=all" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) in = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, cases[i].message);
      g_autofree char *remedy = NULL;
      g_autoptr(GError) out = refract_usb_error_explain (in, cases[i].flatpak, &remedy);

      g_assert_error (out, REFRACT_USB_ERROR, (int) cases[i].code);
      g_assert_nonnull (strstr (out->message, cases[i].message));
      g_assert_nonnull (remedy);
      g_assert_nonnull (strstr (remedy, cases[i].remedy));
    }
}

int
main (int argc, char **argv)
{
  /* The renderer Refract itself picks on a machine without a GPU (refract-main.c),
   * as every other widget test does. GTK's GL renderer would run on llvmpipe,
   * whose JIT registers its code's unwind tables with libgcc; under ASan with
   * fast_unwind_on_malloc=0 (run-headless.sh) libgcc's _Unwind_Find_FDE then
   * mallocs while holding its unwinder lock, ASan unwinds that malloc, and the
   * process waits on that lock for ever. */
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  /* no accessibility bus, but the accessible properties are kept to check */
  g_setenv ("GTK_A11Y", "test", TRUE);
  rt_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/usb/filter-strings", test_filter_strings);
  g_test_add_func ("/usb/rules-settings", test_rules_settings);
  g_test_add_func ("/usb/error-explain", test_error_explain);
  g_test_add ("/usb-picker/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/usb-picker/live", Fixture, NULL, fixture_setup, test_live, fixture_teardown);
  g_test_add ("/usb-picker/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/usb-picker/row-menu", Fixture, NULL, fixture_setup, test_row_menu,
              fixture_teardown);
  g_test_add ("/usb-picker/no-channels", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_no_channels, fixture_teardown);
  g_test_add ("/usb-picker/share-cd", Fixture, NULL, fixture_setup, test_share_cd,
              fixture_teardown);
  g_test_add ("/usb-picker/rules", Fixture, NULL, fixture_setup, test_rules_applied,
              fixture_teardown);
  g_test_add_func ("/usb-picker/unavailable", test_unavailable);
  g_test_add_func ("/usb-picker/many", test_many);
  g_test_add_func ("/usb-picker/rules-shared", test_rules_shared);
  g_test_add_func ("/usb-picker/console-button", test_console_button);
  return g_test_run ();
}
