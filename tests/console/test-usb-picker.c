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

#include "refract-test-render.h"
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
  label = _refract_usb_picker_get_row_error (f->picker, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (label)));
  g_assert_nonnull (strstr (gtk_label_get_label (label), "Not authorized"));
  g_assert_nonnull (strstr (refract_usb_device_get_error_remedy (a),
                            "org.spice-space.lowlevelusbaccess"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_refract_usb_picker_get_row_error (f->picker,
                                                                                         1))));

  refract_usb_source_fake_fail_next (f->source, c, busy);
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 2), TRUE);
  wait_for (refract_usb_device_get_error_message (c) != NULL);
  g_assert_nonnull (strstr (refract_usb_device_get_error_remedy (c), "Another program"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_refract_usb_picker_get_row_error (f->picker,
                                                                                         1))));
  screenshot (f, "errors");

  /* success clears the row's error */
  gtk_switch_set_active (_refract_usb_picker_get_row_switch (f->picker, 2), TRUE);
  wait_for (refract_usb_device_get_redirected (c));
  g_assert_null (refract_usb_device_get_error_message (c));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_refract_usb_picker_get_row_error (f->picker,
                                                                                         2))));
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
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/usb/filter-strings", test_filter_strings);
  g_test_add_func ("/usb/rules-settings", test_rules_settings);
  g_test_add_func ("/usb/error-explain", test_error_explain);
  g_test_add ("/usb-picker/empty", Fixture, NULL, fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/usb-picker/live", Fixture, NULL, fixture_setup, test_live, fixture_teardown);
  g_test_add ("/usb-picker/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/usb-picker/no-channels", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_no_channels, fixture_teardown);
  g_test_add ("/usb-picker/share-cd", Fixture, NULL, fixture_setup, test_share_cd,
              fixture_teardown);
  g_test_add ("/usb-picker/rules", Fixture, NULL, fixture_setup, test_rules_applied,
              fixture_teardown);
  g_test_add_func ("/usb-picker/unavailable", test_unavailable);
  return g_test_run ();
}
