/* refract-usb-picker.c: the console's USB device picker
 *
 * One row per host device (icon by class, "Audio" badge for USB Audio Class,
 * vendor:product, where it is plugged in, a switch), failures inline in the
 * row with what to do, the machine's free redirection channels, "Share an
 * ISO as a USB CD…", and the machine's auto-redirect rules, which become the
 * SPICE USB manager's filter (refract-usb-rules.c).
 *
 * Rows follow their RefractUsbDevice: the source sets redirected/busy/error
 * and the row shows them, so a failure lands in the row of the device that
 * failed whatever started it (the switch, auto-redirect, a guest reset).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-machine-devices.h"
#include "refract-usb-picker-private.h"
#include "refract-usb-rules.h"

#define SCHEMA_ID        "io.github.refract.Refract"
#define RULES_KEY        "usb-auto-redirect"
#define DEFAULT_CHANNELS 4
/* Rows made before the picker's first frame: more than the list shows
 * (max-content-height 380 px, a row ≥ 46 px); the rest come a frame later. */
#define FIRST_ROWS       10

struct _RefractUsbPicker
{
  GtkWidget         parent_instance;

  RefractUsbSource *source;
  RefractMachine   *machine;
  GSettings        *settings;
  GCancellable     *cancellable;
  char             *unavailable;
  GStrv             rules;
  gboolean          redirect_new;

  GtkWidget        *box;
  GtkLabel         *channels_label;
  GtkLabel         *status_label;
  GtkWidget        *add_channels_button;
  GtkLabel         *notice_label;
  GtkWidget        *scroller;
  GtkListBox       *list;
  GtkSliceListModel *rows;   /* the devices the list has rows for */
  guint             grow_tick;
  guint             grow_frames;
  GtkWidget        *share_button;
  GtkWidget        *auto_box;
  GtkSwitch        *redirect_new_switch;
  GtkListBox       *rules_list;
};

G_DEFINE_FINAL_TYPE (RefractUsbPicker, refract_usb_picker, GTK_TYPE_WIDGET)

/* ---- small widgets -------------------------------------------------------- */

static GtkLabel *
new_label (const char *text, const char *css_class, gboolean wrap)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (text));

  gtk_label_set_xalign (label, 0);
  if (wrap)
    {
      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_max_width_chars (label, 48);
    }
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  return label;
}

/* A visible widget given a tooltip asks the X server where the pointer is
 * (gtk_tooltip_trigger_tooltip_query): a round trip, 0.2–0.5 ms here, and two
 * per row were a fifth of opening the picker. Hidden, it does not ask. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  gboolean visible = gtk_widget_get_visible (widget);

  gtk_widget_set_visible (widget, FALSE);
  gtk_widget_set_tooltip_text (widget, text);
  gtk_widget_set_visible (widget, visible);
}

static void
set_notice (RefractUsbPicker *self, const char *text)
{
  gtk_label_set_label (self->notice_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), text != NULL && *text);
}

static void
notice_error (RefractUsbPicker *self, const GError *error)
{
  const char *remedy = error->domain == REFRACT_MODEL_ERROR ? refract_error_get_remedy (error)
                                                            : NULL;
  g_autofree char *text = remedy ? g_strdup_printf ("%s\n%s", error->message, remedy)
                                 : g_strdup (error->message);

  set_notice (self, text);
}

/* ---- a device row -------------------------------------------------------- */

/* What a row costs is what opening the picker costs (benchmarks/CONSOLE.md):
 * the spinner, the error labels and the "more" menu are made when first
 * needed, and the menu's actions are the picker's, with the device as target. */
typedef struct
{
  RefractUsbPicker *picker;   /* weak: the picker owns the list, the list the rows */
  RefractUsbDevice *device;
  GtkWidget        *outer;
  GtkWidget        *line;
  GtkWidget        *title;
  GtkWidget        *menu_button;
  GtkSwitch        *toggle;
  GtkSpinner       *spinner;  /* NULL until the device is first busy */
  GtkLabel         *error;    /* NULL until it first fails */
  GtkLabel         *remedy;
  gboolean          syncing;
} Row;

static void
row_free (Row *row)
{
  g_signal_handlers_disconnect_by_data (row->device, row);
  g_object_unref (row->device);
  g_free (row);
}

static void
row_sync (Row *row)
{
  RefractUsbDevice *device = row->device;
  const char *error = refract_usb_device_get_error_message (device);
  const char *remedy = refract_usb_device_get_error_remedy (device);
  gboolean busy = refract_usb_device_get_busy (device);

  row->syncing = TRUE;
  gtk_switch_set_active (row->toggle, refract_usb_device_get_redirected (device));
  row->syncing = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (row->toggle), !busy);
  if (busy && row->spinner == NULL)
    {
      row->spinner = GTK_SPINNER (gtk_spinner_new ());
      gtk_box_insert_child_after (GTK_BOX (row->line), GTK_WIDGET (row->spinner),
                                  gtk_widget_get_prev_sibling (GTK_WIDGET (row->toggle)));
    }
  if (row->spinner != NULL)
    {
      gtk_spinner_set_spinning (row->spinner, busy);
      gtk_widget_set_visible (GTK_WIDGET (row->spinner), busy);
    }
  if (error != NULL && row->error == NULL)
    {
      row->error = new_label (NULL, "error", TRUE);
      row->remedy = new_label (NULL, "dim-label", TRUE);
      gtk_label_set_selectable (row->remedy, TRUE);
      gtk_box_append (GTK_BOX (row->outer), GTK_WIDGET (row->error));
      gtk_box_append (GTK_BOX (row->outer), GTK_WIDGET (row->remedy));
    }
  if (row->error != NULL)
    {
      gtk_label_set_label (row->error, error);
      gtk_widget_set_visible (GTK_WIDGET (row->error), error != NULL);
      gtk_label_set_label (row->remedy, remedy);
      gtk_widget_set_visible (GTK_WIDGET (row->remedy), error != NULL && remedy != NULL);
    }
}

static void
switched_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  gboolean connect = GPOINTER_TO_INT (user_data);
  g_autoptr(GError) error = NULL;

  /* the device carries the error and its row shows it */
  if (connect)
    refract_usb_source_connect_finish (REFRACT_USB_SOURCE (object), result, &error);
  else
    refract_usb_source_disconnect_finish (REFRACT_USB_SOURCE (object), result, &error);
  if (error != NULL)
    g_debug ("USB %s: %s", connect ? "connect" : "disconnect", error->message);
}

static void
row_switched (Row *row)
{
  RefractUsbPicker *self = row->picker;
  gboolean active = gtk_switch_get_active (row->toggle);

  if (row->syncing || self->source == NULL
      || active == refract_usb_device_get_redirected (row->device))
    return;
  if (active)
    refract_usb_source_connect_async (self->source, row->device, self->cancellable,
                                      switched_done, GINT_TO_POINTER (TRUE));
  else
    refract_usb_source_disconnect_async (self->source, row->device, self->cancellable,
                                         switched_done, GINT_TO_POINTER (FALSE));
  row_sync (row);
}

static void add_rule (RefractUsbPicker *self, const char *rule);

static void
hostdev_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RefractUsbPicker) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = refract_machine_attach_usb_hostdev_finish (REFRACT_MACHINE (object), result,
                                                           &error);

  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ok)
    notice_error (self, error);
  else
    set_notice (self, _("The device is attached to this machine permanently. It is the "
                        "machine's whenever the machine runs and the device is plugged in."));
}

/* usb.auto-device ((qq) vendor, product), usb.auto-audio, usb.attach ((qq)) */
static void
menu_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RefractUsbPicker *self = REFRACT_USB_PICKER (widget);
  guint16 vendor = 0, product = 0;

  if (parameter != NULL)
    g_variant_get (parameter, "(qq)", &vendor, &product);
  if (g_str_equal (action_name, "usb.auto-device"))
    {
      g_autofree char *rule = refract_usb_rule_for_device (vendor, product);
      add_rule (self, rule);
    }
  else if (g_str_equal (action_name, "usb.auto-audio"))
    {
      g_autofree char *rule = refract_usb_rule_for_class (REFRACT_USB_CLASS_AUDIO);
      add_rule (self, rule);
    }
  else if (g_str_equal (action_name, "usb.attach") && self->machine != NULL)
    refract_machine_attach_usb_hostdev_async (self->machine, vendor, product, TRUE,
                                              self->cancellable, hostdev_done,
                                              g_object_ref (self));
}

/* The row's menu, made when it is first opened: a GtkMenuButton with a model
 * makes its GtkPopoverMenu at once, which was a third of opening the picker. */
static void
row_menu_create (GtkMenuButton *button, gpointer user_data)
{
  Row *row = user_data;
  g_autoptr(GMenu) menu = NULL;
  g_autoptr(GMenuItem) device_item = NULL;
  g_autoptr(GMenuItem) attach_item = NULL;
  GVariant *ids;

  /* called on every opening; the menu, once made, stays */
  if (gtk_menu_button_get_popover (button) != NULL)
    return;
  menu = g_menu_new ();
  ids = g_variant_ref_sink (g_variant_new ("(qq)", refract_usb_device_get_vendor_id (row->device),
                                           refract_usb_device_get_product_id (row->device)));
  device_item = g_menu_item_new (_("Redirect This Device Automatically"), NULL);
  g_menu_item_set_action_and_target_value (device_item, "usb.auto-device", ids);
  attach_item = g_menu_item_new (_("Attach to This Machine Permanently"), NULL);
  g_menu_item_set_action_and_target_value (attach_item, "usb.attach", ids);
  g_variant_unref (ids);
  g_menu_append_item (menu, device_item);
  if (refract_usb_device_is_audio (row->device))
    g_menu_append (menu, _("Redirect All Audio Devices Automatically"), "usb.auto-audio");
  g_menu_append_item (menu, attach_item);
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));
}

static GtkWidget *
row_menu_button (Row *row)
{
  GtkWidget *button = gtk_menu_button_new ();

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (button), row_menu_create, row, NULL);
  set_tooltip (button, _("More"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("More"), -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  return button;
}

/* name over "vendor:product · where", one label (a row's widgets are what
 * opening the picker costs) */
static GtkWidget *
row_title (RefractUsbDevice *device)
{
  g_autofree char *ids = refract_usb_device_dup_ids (device);
  g_autofree char *where = refract_usb_device_dup_location (device);
  /* TRANSLATORS: "046d:c52b · Bus 1, device 4" */
  g_autofree char *subtitle = g_strdup_printf (_("%s · %s"), ids, where);
  g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>\n"
                                                     "<span size='small' alpha='55%%'>%s</span>",
                                                     refract_usb_device_get_name (device),
                                                     subtitle);
  GtkLabel *label = new_label (NULL, NULL, FALSE);

  gtk_label_set_markup (label, markup);
  gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
  gtk_label_set_lines (label, 2);
  gtk_widget_set_hexpand (GTK_WIDGET (label), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (label), GTK_ALIGN_CENTER);
  return GTK_WIDGET (label);
}

static GtkWidget *
create_row (gpointer item, gpointer user_data)
{
  RefractUsbPicker *self = user_data;
  Row *row = g_new0 (Row, 1);
  GtkWidget *widget = gtk_list_box_row_new ();
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *icon;

  row->picker = self;
  row->device = g_object_ref (item);
  icon = gtk_image_new_from_icon_name (refract_usb_device_get_icon_name (row->device));
  gtk_box_append (GTK_BOX (line), icon);
  row->title = row_title (row->device);
  gtk_box_append (GTK_BOX (line), row->title);
  if (refract_usb_device_is_audio (row->device))
    {
      GtkLabel *badge = new_label (_("Audio"), "accent", FALSE);

      gtk_widget_add_css_class (GTK_WIDGET (badge), "caption-heading");
      set_tooltip (GTK_WIDGET (badge), _("USB Audio Class device"));
      gtk_box_append (GTK_BOX (line), GTK_WIDGET (badge));
    }
  row->toggle = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->toggle), GTK_ALIGN_CENTER);
  set_tooltip (GTK_WIDGET (row->toggle), _("Redirect to the machine"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  refract_usb_device_get_name (row->device), -1);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (row->toggle));
  row->menu_button = row_menu_button (row);
  gtk_box_append (GTK_BOX (line), row->menu_button);
  gtk_box_append (GTK_BOX (outer), line);
  row->outer = outer;
  row->line = line;

  gtk_widget_set_margin_start (outer, 10);
  gtk_widget_set_margin_end (outer, 6);
  gtk_widget_set_margin_top (outer, 6);
  gtk_widget_set_margin_bottom (outer, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (widget), outer);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (widget), FALSE);
  g_object_set_data_full (G_OBJECT (widget), "refract-usb-row", row, (GDestroyNotify) row_free);

  g_signal_connect_swapped (row->toggle, "notify::active", G_CALLBACK (row_switched), row);
  g_signal_connect_swapped (row->device, "notify", G_CALLBACK (row_sync), row);
  row_sync (row);
  return widget;
}

static Row *
nth_row (RefractUsbPicker *self, guint index)
{
  GtkListBoxRow *widget = gtk_list_box_get_row_at_index (self->list, index);

  return widget ? g_object_get_data (G_OBJECT (widget), "refract-usb-row") : NULL;
}

/* ---- status -------------------------------------------------------------- */

static void
update_status (RefractUsbPicker *self)
{
  g_autofree char *reason = NULL;
  g_autofree char *channels_text = NULL;
  int channels = -1, free_channels = -1;
  gboolean have_source = self->source != NULL;

  if (have_source)
    {
      reason = refract_usb_source_dup_unavailable_reason (self->source);
      channels = refract_usb_source_get_channels (self->source);
      free_channels = refract_usb_source_get_free_channels (self->source);
    }
  else
    reason = g_strdup (self->unavailable ? self->unavailable
                                         : _("USB redirection is not available."));

  if (channels == 0)
    {
      g_free (reason);
      reason = g_strdup (_("This machine has no USB redirection channels. Add them to hand "
                           "USB devices to it; they take effect when the machine next starts."));
    }
  else if (channels > 0 && free_channels >= 0)
    channels_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d of %d channel free",
                                                  "%d of %d channels free", channels),
                                     free_channels, channels);
  gtk_label_set_label (self->channels_label, channels_text);
  gtk_label_set_label (self->status_label, reason);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), reason != NULL);
  gtk_widget_set_visible (self->add_channels_button, channels == 0);
  gtk_widget_set_sensitive (self->add_channels_button, self->machine != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "usb.attach", self->machine != NULL);
  gtk_widget_set_visible (self->scroller, have_source);
  gtk_widget_set_visible (self->share_button,
                          have_source && refract_usb_source_can_share_cd (self->source));
  gtk_widget_set_visible (self->auto_box, have_source);
}

static void
channels_added (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(RefractUsbPicker) self = user_data;
  g_autoptr(GError) error = NULL;

  if (refract_machine_add_usb_redirection_finish (REFRACT_MACHINE (object), result, &error))
    set_notice (self, _("USB redirection channels were added. They take effect when the "
                        "machine next starts."));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    notice_error (self, error);
  gtk_widget_set_sensitive (self->add_channels_button, TRUE);
}

static void
add_channels_clicked (RefractUsbPicker *self)
{
  g_return_if_fail (self->machine != NULL);
  gtk_widget_set_sensitive (self->add_channels_button, FALSE);
  refract_machine_add_usb_redirection_async (self->machine, DEFAULT_CHANNELS, self->cancellable,
                                             channels_added, g_object_ref (self));
}

/* ---- sharing an ISO ------------------------------------------------------ */

static void
iso_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  RefractUsbPicker *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path != NULL && !_refract_usb_picker_share_iso (self, path, &error))
        set_notice (self, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
share_clicked (RefractUsbPicker *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Share an ISO as a USB CD"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Share"), NULL);
  gtk_file_filter_set_name (filter, _("Disc images"));
  gtk_file_filter_add_pattern (filter, "*.iso");
  gtk_file_filter_add_pattern (filter, "*.ISO");
  gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (iso_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- auto-redirect rules ------------------------------------------------- */

static void
apply_rules (RefractUsbPicker *self)
{
  g_autofree char *filter = refract_usb_rules_to_filter ((const char * const *) self->rules, TRUE);

  if (self->source != NULL)
    refract_usb_source_set_auto_redirect (self->source, self->redirect_new, filter);
}

static void
save_rules (RefractUsbPicker *self)
{
  const char *uuid = self->machine ? refract_machine_get_uuid (self->machine) : NULL;

  if (self->settings != NULL && uuid != NULL)
    refract_usb_rules_save (self->settings, uuid, self->redirect_new,
                            (const char * const *) self->rules);
  apply_rules (self);
}

static void rebuild_rules (RefractUsbPicker *self);

static void
remove_rule_clicked (GtkButton *button, RefractUsbPicker *self)
{
  const char *rule = g_object_get_data (G_OBJECT (button), "refract-usb-rule");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->rules[i]; i++)
    if (!g_str_equal (self->rules[i], rule))
      g_strv_builder_add (builder, self->rules[i]);
  g_strfreev (self->rules);
  self->rules = g_strv_builder_end (builder);
  save_rules (self);
  rebuild_rules (self);
}

static GtkWidget *
rule_row (RefractUsbPicker *self, const char *rule)
{
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *text = refract_usb_rule_describe (rule);
  GtkLabel *label = new_label (text, NULL, FALSE);
  GtkWidget *remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");

  gtk_widget_set_hexpand (GTK_WIDGET (label), TRUE);
  gtk_widget_add_css_class (remove, "flat");
  set_tooltip (remove, _("Remove Rule"));
  g_object_set_data_full (G_OBJECT (remove), "refract-usb-rule", g_strdup (rule), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_rule_clicked), self);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (label));
  gtk_box_append (GTK_BOX (line), remove);
  gtk_widget_set_margin_start (line, 10);
  gtk_widget_set_margin_end (line, 6);
  return line;
}

static void
rebuild_rules (RefractUsbPicker *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rules_list))) != NULL)
    gtk_list_box_remove (self->rules_list, child);
  for (guint i = 0; self->rules != NULL && self->rules[i]; i++)
    gtk_list_box_append (self->rules_list, rule_row (self, self->rules[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->rules_list), self->rules && self->rules[0]);
}

static void
add_rule (RefractUsbPicker *self, const char *rule)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (!refract_usb_rule_parse (rule, NULL, NULL, NULL)
      || g_strv_contains ((const char * const *) self->rules, rule))
    return;
  g_strv_builder_addv (builder, (const char **) self->rules);
  g_strv_builder_add (builder, rule);
  g_strfreev (self->rules);
  self->rules = g_strv_builder_end (builder);
  /* a rule only acts with the switch on; adding one says that is wanted */
  self->redirect_new = TRUE;
  gtk_switch_set_active (self->redirect_new_switch, TRUE);
  save_rules (self);
  rebuild_rules (self);
}

static void
redirect_new_switched (RefractUsbPicker *self)
{
  gboolean active = gtk_switch_get_active (self->redirect_new_switch);

  if (active == self->redirect_new)
    return;
  self->redirect_new = active;
  save_rules (self);
}

static void
load_rules (RefractUsbPicker *self)
{
  const char *uuid = self->machine ? refract_machine_get_uuid (self->machine) : NULL;

  g_clear_pointer (&self->rules, g_strfreev);
  if (self->settings != NULL && uuid != NULL)
    self->redirect_new = refract_usb_rules_load (self->settings, uuid, &self->rules);
  else
    {
      self->redirect_new = FALSE;
      self->rules = g_new0 (char *, 1);
    }
  gtk_switch_set_active (self->redirect_new_switch, self->redirect_new);
  rebuild_rules (self);
  apply_rules (self);
}

/* Another picker of this machine (the detached console window's, or the
 * page's) changed the rules: show and apply them here too. */
static void
rules_changed (RefractUsbPicker *self)
{
  const char *uuid = self->machine ? refract_machine_get_uuid (self->machine) : NULL;
  g_auto(GStrv) rules = NULL;
  gboolean redirect_new;

  if (uuid == NULL)
    return;
  redirect_new = refract_usb_rules_load (self->settings, uuid, &rules);
  if (redirect_new == self->redirect_new
      && g_strv_equal ((const char * const *) rules, (const char * const *) self->rules))
    return;
  load_rules (self);
}

/* ---- the rows' first frame ------------------------------------------------ */

/* A row costs ~0.5 ms to make, style, measure and first draw, and the list
 * shows eight. GTK 4.8's GtkListView makes a row for each of the first 200
 * items, visible or not, so the list is a GtkListBox over a slice of the
 * devices: the first FIRST_ROWS for the first frame, all of them from the
 * frame after. */
static gboolean
grow_rows (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  RefractUsbPicker *self = REFRACT_USB_PICKER (widget);

  /* the first tick is the first frame's, before it is drawn */
  if (++self->grow_frames < 2)
    return G_SOURCE_CONTINUE;
  self->grow_tick = 0;
  gtk_slice_list_model_set_size (self->rows, G_MAXUINT);
  return G_SOURCE_REMOVE;
}

static void
refract_usb_picker_map (GtkWidget *widget)
{
  RefractUsbPicker *self = REFRACT_USB_PICKER (widget);

  GTK_WIDGET_CLASS (refract_usb_picker_parent_class)->map (widget);
  if (self->grow_tick == 0 && gtk_slice_list_model_get_size (self->rows) != G_MAXUINT)
    {
      self->grow_frames = 0;
      self->grow_tick = gtk_widget_add_tick_callback (widget, grow_rows, NULL, NULL);
    }
}

static void
refract_usb_picker_unmap (GtkWidget *widget)
{
  RefractUsbPicker *self = REFRACT_USB_PICKER (widget);

  if (self->grow_tick != 0)
    gtk_widget_remove_tick_callback (widget, self->grow_tick);
  self->grow_tick = 0;
  GTK_WIDGET_CLASS (refract_usb_picker_parent_class)->unmap (widget);
}

/* ---- building ------------------------------------------------------------ */

static GtkWidget *
build_header (RefractUsbPicker *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkLabel *title = new_label (_("USB Devices"), "heading", FALSE);

  gtk_widget_set_hexpand (GTK_WIDGET (title), TRUE);
  self->channels_label = new_label (NULL, "dim-label", FALSE);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (title));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->channels_label));
  return header;
}

static GtkWidget *
build_list (RefractUsbPicker *self)
{
  GtkLabel *placeholder = new_label (_("No USB devices are plugged into this computer."),
                                     "dim-label", TRUE);

  gtk_widget_set_margin_top (GTK_WIDGET (placeholder), 18);
  gtk_widget_set_margin_bottom (GTK_WIDGET (placeholder), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (placeholder), 12);
  gtk_label_set_xalign (placeholder, 0.5);
  self->rows = gtk_slice_list_model_new (NULL, 0, FIRST_ROWS);
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_placeholder (self->list, GTK_WIDGET (placeholder));
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->rows), create_row, self, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scroller), 380);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->list));
  return self->scroller;
}

static GtkWidget *
build_auto (RefractUsbPicker *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkLabel *label = new_label (_("Redirect new devices when plugged in"), NULL, FALSE);
  GtkLabel *note = new_label (_("Keyboards and mice stay with this computer. With no rules, "
                                "every other device is redirected."), "dim-label", TRUE);

  gtk_widget_set_hexpand (GTK_WIDGET (label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (note), "caption");
  self->redirect_new_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->redirect_new_switch), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->redirect_new_switch, "notify::active",
                            G_CALLBACK (redirect_new_switched), self);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (label));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->redirect_new_switch));
  self->rules_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->rules_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->rules_list), "boxed-list");
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->rules_list));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (note));
  self->auto_box = box;
  return box;
}

static GSettings *
open_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, SCHEMA_ID,
                                                                                TRUE) : NULL;

  /* an installed schema without the key (an older build) must not abort */
  if (schema == NULL || !g_settings_schema_has_key (schema, RULES_KEY))
    return NULL;
  return g_settings_new (SCHEMA_ID);
}

static void
refract_usb_picker_init (RefractUsbPicker *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);

  self->box = box;
  self->cancellable = g_cancellable_new ();
  self->settings = open_settings ();
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::" RULES_KEY, G_CALLBACK (rules_changed), self,
                             G_CONNECT_SWAPPED);
  self->rules = g_new0 (char *, 1);
  gtk_widget_set_parent (box, GTK_WIDGET (self));
  gtk_widget_set_size_request (box, 400, -1);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), build_header (self));

  self->status_label = new_label (NULL, NULL, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));
  self->add_channels_button = gtk_button_new_with_mnemonic (_("_Add USB Redirection Channels"));
  gtk_widget_set_halign (self->add_channels_button, GTK_ALIGN_START);
  g_signal_connect_swapped (self->add_channels_button, "clicked",
                            G_CALLBACK (add_channels_clicked), self);
  gtk_box_append (GTK_BOX (box), self->add_channels_button);
  self->notice_label = new_label (NULL, "dim-label", TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->notice_label));
  gtk_box_append (GTK_BOX (box), build_list (self));

  self->share_button = gtk_button_new_with_mnemonic (_("_Share an ISO as a USB CD…"));
  gtk_widget_set_halign (self->share_button, GTK_ALIGN_START);
  g_signal_connect_swapped (self->share_button, "clicked", G_CALLBACK (share_clicked), self);
  gtk_box_append (GTK_BOX (box), self->share_button);
  gtk_box_append (GTK_BOX (box), build_auto (self));
  set_notice (self, NULL);
  update_status (self);
}

static void
refract_usb_picker_dispose (GObject *object)
{
  RefractUsbPicker *self = REFRACT_USB_PICKER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->rows);
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->source);
  g_clear_object (&self->machine);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (refract_usb_picker_parent_class)->dispose (object);
}

static void
refract_usb_picker_finalize (GObject *object)
{
  RefractUsbPicker *self = REFRACT_USB_PICKER (object);

  g_strfreev (self->rules);
  g_free (self->unavailable);
  G_OBJECT_CLASS (refract_usb_picker_parent_class)->finalize (object);
}

static void
refract_usb_picker_class_init (RefractUsbPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_usb_picker_dispose;
  object_class->finalize = refract_usb_picker_finalize;
  widget_class->map = refract_usb_picker_map;
  widget_class->unmap = refract_usb_picker_unmap;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "usbpicker");
  gtk_widget_class_install_action (widget_class, "usb.auto-device", "(qq)", menu_action);
  gtk_widget_class_install_action (widget_class, "usb.auto-audio", NULL, menu_action);
  gtk_widget_class_install_action (widget_class, "usb.attach", "(qq)", menu_action);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
refract_usb_picker_new (void)
{
  return g_object_new (REFRACT_TYPE_USB_PICKER, NULL);
}

void
refract_usb_picker_set_source (RefractUsbPicker *self,
                               RefractUsbSource *source)
{
  g_return_if_fail (REFRACT_IS_USB_PICKER (self));
  g_return_if_fail (source == NULL || REFRACT_IS_USB_SOURCE (source));

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_set_object (&self->source, source);
  /* shown already: nothing to wait for */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_slice_list_model_set_size (self->rows, G_MAXUINT);
  gtk_slice_list_model_set_model (self->rows,
                                  source ? refract_usb_source_get_devices (source) : NULL);
  if (source != NULL)
    {
      g_signal_connect_object (source, "notify::free-channels", G_CALLBACK (update_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "notify::channels", G_CALLBACK (update_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "notify::unavailable-reason", G_CALLBACK (update_status),
                               self, G_CONNECT_SWAPPED);
      apply_rules (self);
    }
  update_status (self);
}

void
refract_usb_picker_set_machine (RefractUsbPicker *self,
                                RefractMachine   *machine)
{
  g_return_if_fail (REFRACT_IS_USB_PICKER (self));
  g_return_if_fail (machine == NULL || REFRACT_IS_MACHINE (machine));

  if (!g_set_object (&self->machine, machine))
    return;
  load_rules (self);
  update_status (self);
}

void
refract_usb_picker_set_unavailable (RefractUsbPicker *self,
                                    const char       *reason)
{
  g_return_if_fail (REFRACT_IS_USB_PICKER (self));
  g_free (self->unavailable);
  self->unavailable = g_strdup (reason);
  update_status (self);
}

GtkWidget *
refract_usb_picker_new_for_source (RefractUsbSource *source,
                                   RefractMachine   *machine)
{
  GtkWidget *picker = refract_usb_picker_new ();

  g_return_val_if_fail (source == NULL || REFRACT_IS_USB_SOURCE (source), NULL);
  g_return_val_if_fail (machine == NULL || REFRACT_IS_MACHINE (machine), NULL);

  if (source != NULL)
    refract_usb_picker_set_source (REFRACT_USB_PICKER (picker), source);
  else
    refract_usb_picker_set_unavailable (REFRACT_USB_PICKER (picker),
                                        _("The demo host has no USB redirection: its machines "
                                          "are simulated. Connect to a real host to hand USB "
                                          "devices to a machine."));
  refract_usb_picker_set_machine (REFRACT_USB_PICKER (picker), machine);
  return picker;
}

typedef struct
{
  RefractUsbSource *source;
  RefractMachine   *machine;
} ButtonData;

static void
button_data_free (gpointer data)
{
  ButtonData *bd = data;

  g_clear_object (&bd->source);
  g_clear_object (&bd->machine);
  g_free (bd);
}

static void
button_create_popup (GtkMenuButton *button, gpointer user_data)
{
  ButtonData *bd = user_data;
  GtkWidget *popover;

  /* called on every opening; the picker, once made, stays */
  if (gtk_menu_button_get_popover (button) != NULL)
    return;
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover),
                         refract_usb_picker_new_for_source (bd->source, bd->machine));
  gtk_menu_button_set_popover (button, popover);
}

GtkWidget *
refract_usb_picker_button_new (RefractUsbSource *source,
                               RefractMachine   *machine)
{
  GtkWidget *button = gtk_menu_button_new ();
  ButtonData *bd = g_new0 (ButtonData, 1);

  bd->source = source ? g_object_ref (source) : NULL;
  bd->machine = machine ? g_object_ref (machine) : NULL;
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (button), button_create_popup, bd,
                                         button_data_free);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "media-removable-symbolic");
  gtk_widget_set_tooltip_text (button, _("USB Devices"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("USB Devices"), -1);
  return button;
}

/* ---- for tests ----------------------------------------------------------- */

GtkListBox *
_refract_usb_picker_get_list (RefractUsbPicker *self)
{
  return self->list;
}

GtkSwitch *
_refract_usb_picker_get_row_switch (RefractUsbPicker *self, guint index)
{
  Row *row = nth_row (self, index);

  return row ? row->toggle : NULL;
}

GtkLabel *
_refract_usb_picker_get_row_title (RefractUsbPicker *self, guint index)
{
  Row *row = nth_row (self, index);

  return row ? GTK_LABEL (row->title) : NULL;
}

GtkLabel *
_refract_usb_picker_get_row_error (RefractUsbPicker *self, guint index)
{
  Row *row = nth_row (self, index);

  return row ? row->error : NULL;
}

GtkWidget *
_refract_usb_picker_get_row_menu_button (RefractUsbPicker *self, guint index)
{
  Row *row = nth_row (self, index);

  return row ? row->menu_button : NULL;
}

GtkLabel *
_refract_usb_picker_get_channels_label (RefractUsbPicker *self)
{
  return self->channels_label;
}

GtkLabel *
_refract_usb_picker_get_status_label (RefractUsbPicker *self)
{
  return self->status_label;
}

GtkWidget *
_refract_usb_picker_get_add_channels_button (RefractUsbPicker *self)
{
  return self->add_channels_button;
}

gboolean
_refract_usb_picker_share_iso (RefractUsbPicker  *self,
                               const char        *path,
                               GError           **error)
{
  if (self->source == NULL)
    {
      g_set_error_literal (error, REFRACT_USB_ERROR, REFRACT_USB_ERROR_UNSUPPORTED,
                           self->unavailable ? self->unavailable
                                             : _("USB redirection is not available."));
      return FALSE;
    }
  return refract_usb_source_share_cd (self->source, path, error);
}

void
_refract_usb_picker_add_rule (RefractUsbPicker *self, const char *rule)
{
  add_rule (self, rule);
}

void
_refract_usb_picker_set_redirect_new (RefractUsbPicker *self, gboolean redirect_new)
{
  gtk_switch_set_active (self->redirect_new_switch, redirect_new);
}

guint
_refract_usb_picker_get_n_rules (RefractUsbPicker *self)
{
  return self->rules ? g_strv_length (self->rules) : 0;
}
