/* refract-console-page.c: the Console page of a machine, and of its own window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-console-page.h"
#include "refract-keymap.h"
#include "refract-console-window.h"
#include "refract-usb-picker.h"

struct _RefractConsolePage
{
  AdwBin          parent_instance;

  RefractConsole *console;
  GSignalGroup   *machine_signals;
  GSignalGroup   *session_signals;
  GSignalGroup   *serial_signals;
  GSignalGroup   *display_signals;
  GSignalGroup   *console_signals;
  GSignalGroup   *clipboard_signals;
  GBindingGroup  *clipboard_bindings;
  AdwAnimation   *flash;
  char           *view;        /* "display" or "serial" */
  char           *action;      /* what the status button does */
  gboolean        in_window;

  GtkRevealer    *toolbar_revealer;
  GtkWidget      *toolbar;
  AdwHeaderBar   *header;      /* the console window's, on top of the page: the tools go there */
  GtkWidget      *view_switch;
  GtkLabel       *grab_hint;
  GtkWidget      *clipboard_button;
  GtkWidget      *clipboard_indicator;
  GtkWidget      *clipboard_switches;
  GtkWidget      *host_to_guest_switch;
  GtkWidget      *guest_to_host_switch;
  GtkWidget      *needs_agent_label;
  GtkWidget      *usb_button;
  AdwToastOverlay *toast_overlay;
  GtkWidget      *send_keys_button;
  GtkWidget      *screenshot_button;
  GtkWidget      *view_button;
  GtkWidget      *detach_button;
  GtkStack       *stack;
  AdwStatusPage  *status_page;
  GtkSpinner     *status_spinner;
  GtkWidget      *password_entry;
  GtkButton      *status_button;
  GtkScrolledWindow *display_scroller;
  AdwBin         *display_bin;
  AdwBin         *serial_bin;
  GMenu          *fkeys_section;
  char           *scale_mode;
  GtkWindow      *watched_window;
};

G_DEFINE_FINAL_TYPE (RefractConsolePage, refract_console_page, ADW_TYPE_BIN)

static void update (RefractConsolePage *self);

/* ---- keys --------------------------------------------------------------- */

static const guint ctrl_alt_del[] = { 0x1d, 0x38, 0x153 };
static const guint ctrl_alt_backspace[] = { 0x1d, 0x38, 0x0e };
static const guint print_screen[] = { 0x137 };
static const guint sysrq[] = { 0x38, 0x54 };

static guint
fkey_scancode (guint n)
{
  return n <= 10 ? 0x3a + n : n == 11 ? 0x57 : 0x58;
}

static void
send_keys_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  RefractConsolePage *self = REFRACT_CONSOLE_PAGE (widget);
  RefractSpiceDisplay *display = refract_console_get_display (self->console);
  const char *name = g_variant_get_string (param, NULL);
  guint fkey[3] = { 0x1d, 0x38, 0 };
  guint64 n;

  if (g_str_equal (name, "ctrl-alt-del"))
    refract_spice_display_send_keys (display, ctrl_alt_del, G_N_ELEMENTS (ctrl_alt_del));
  else if (g_str_equal (name, "ctrl-alt-backspace"))
    refract_spice_display_send_keys (display, ctrl_alt_backspace, G_N_ELEMENTS (ctrl_alt_backspace));
  else if (g_str_equal (name, "print"))
    refract_spice_display_send_keys (display, print_screen, G_N_ELEMENTS (print_screen));
  else if (g_str_equal (name, "sysrq"))
    refract_spice_display_send_keys (display, sysrq, G_N_ELEMENTS (sysrq));
  else if (g_str_has_prefix (name, "ctrl-alt-f")
           && g_ascii_string_to_unsigned (name + strlen ("ctrl-alt-f"), 10, 1, 12, &n, NULL))
    {
      fkey[2] = fkey_scancode ((guint) n);
      refract_spice_display_send_keys (display, fkey, G_N_ELEMENTS (fkey));
    }
}

/* ---- clipboard ------------------------------------------------------------- */

static void
show_toast (RefractConsolePage *self, const char *text)
{
  /* toast titles are markup in libadwaita 1.2 */
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
clipboard_transferred (RefractConsolePage *self)
{
  adw_animation_reset (self->flash);
  adw_animation_play (self->flash);
}

static void
clipboard_too_large (RefractConsolePage *self,
                     int                 direction,
                     guint64             size)
{
  RefractClipboardBridge *bridge = refract_console_get_clipboard (self->console);
  g_autofree char *got = g_format_size (size);
  g_autofree char *limit = g_format_size (refract_clipboard_bridge_get_size_limit (bridge));
  g_autofree char *text = NULL;

  if (direction == REFRACT_CLIPBOARD_HOST_TO_GUEST)
    /* Translators: sizes, e.g. "20.0 MB is more than the 16.8 MB limit" */
    text = g_strdup_printf (_("The clipboard was not shared with the machine: %s is more than the %s limit"),
                            got, limit);
  else
    text = g_strdup_printf (_("The machine's clipboard was not shared: %s is more than the %s limit"),
                            got, limit);
  show_toast (self, text);
}

/* Types @text with US layout keys; returns what had no key, at most a few. */
static guint
type_text (RefractSpiceDisplay *display, const char *text, GString *skipped)
{
  guint n_skipped = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint keys[2] = { REFRACT_XT_SHIFT_L, 0 };
      gboolean shift;

      if (c == '\r')
        continue;
      if (!refract_keymap_char_to_xt (c, &keys[1], &shift))
        {
          if (n_skipped++ < 8)
            g_string_append_unichar (g_string_append (skipped, skipped->len ? " " : ""), c);
          continue;
        }
      refract_spice_display_send_keys (display, shift ? keys : keys + 1, shift ? 2 : 1);
    }
  return n_skipped;
}

static void
clipboard_text_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RefractConsolePage) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  g_autoptr(GString) skipped = g_string_new (NULL);
  g_autofree char *message = NULL;
  guint n;

  if (self->console == NULL)
    return;
  if (text == NULL || *text == '\0')
    {
      show_toast (self, _("The clipboard has no text to type"));
      return;
    }
  n = type_text (refract_console_get_display (self->console), text, skipped);
  if (n == 0)
    return;
  message = g_strdup_printf (ngettext ("%u character has no key on a US keyboard and was not typed: %s",
                                       "%u characters have no key on a US keyboard and were not typed: %s",
                                       n), n, skipped->str);
  show_toast (self, message);
}

static void
type_clipboard_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_text_read,
                                 g_object_ref (widget));
}

static void
setup_clipboard (RefractConsolePage *self)
{
  GBindingGroup *b = self->clipboard_bindings = g_binding_group_new ();

  g_binding_group_bind (b, "host-to-guest", self->host_to_guest_switch, "active",
                        G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_binding_group_bind (b, "guest-to-host", self->guest_to_host_switch, "active",
                        G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_binding_group_bind (b, "agent-connected", self->clipboard_switches, "sensitive",
                        G_BINDING_SYNC_CREATE);
  g_binding_group_bind (b, "agent-connected", self->needs_agent_label, "visible",
                        G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  self->clipboard_signals = g_signal_group_new (REFRACT_TYPE_CLIPBOARD_BRIDGE);
  g_signal_group_connect_swapped (self->clipboard_signals, "transferred",
                                  G_CALLBACK (clipboard_transferred), self);
  g_signal_group_connect_swapped (self->clipboard_signals, "size-limit-exceeded",
                                  G_CALLBACK (clipboard_too_large), self);
  self->flash = adw_timed_animation_new (self->clipboard_indicator, 1.0, 0.0, 900,
                                         adw_property_animation_target_new (G_OBJECT (self->clipboard_indicator),
                                                                            "opacity"));
  adw_timed_animation_set_easing (ADW_TIMED_ANIMATION (self->flash), ADW_EASE_IN_QUAD);
}

/* ---- USB ------------------------------------------------------------------ */

static void
usb_popup_create (GtkMenuButton *button, gpointer user_data)
{
  RefractConsolePage *self = user_data;
  GtkWidget *popover;

  /* called on every opening; the picker, once made, stays until the console changes */
  if (self->console == NULL || gtk_menu_button_get_popover (button) != NULL)
    return;
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover),
                         refract_usb_picker_new_for_source (refract_console_get_usb_source (self->console),
                                                            refract_console_get_machine (self->console)));
  gtk_menu_button_set_popover (button, popover);
}

static gboolean
has_spice_graphics (RefractMachine *machine)
{
  GPtrArray *graphics = refract_machine_get_graphics (machine);

  for (guint i = 0; graphics != NULL && i < graphics->len; i++)
    if (g_strcmp0 (((RefractMachineGraphics *) g_ptr_array_index (graphics, i))->type, "spice") == 0)
      return TRUE;
  return FALSE;
}

static void
fill_fkeys (GMenu *section)
{
  for (guint i = 1; i <= 12; i++)
    {
      g_autofree char *label = g_strdup_printf ("Ctrl+Alt+F%u", i);
      g_autofree char *target = g_strdup_printf ("ctrl-alt-f%u", i);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "console.send-keys", g_variant_new_string (target));
      g_menu_append_item (section, item);
    }
}

/* ---- screenshot ----------------------------------------------------------- */

static void
screenshot_response (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(GdkTexture) texture = user_data;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL
      && (path = g_file_get_path (file)) != NULL
      && !gdk_texture_save_to_png (texture, path))
    g_warning ("Could not save the screenshot to %s", path);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
screenshot_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  RefractConsolePage *self = REFRACT_CONSOLE_PAGE (widget);
  GdkTexture *texture = refract_spice_display_get_frame (refract_console_get_display (self->console));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  g_autofree char *name = NULL;
  GtkFileChooserNative *dialog;

  if (texture == NULL)
    return;
  name = g_strdup_printf ("%s %s.png", refract_machine_get_display_name (refract_console_get_machine (self->console)),
                          stamp);
  dialog = gtk_file_chooser_native_new (_("Save Screenshot"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (screenshot_response), texture);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- view, zoom, scale -------------------------------------------------- */

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RefractConsolePage *self = REFRACT_CONSOLE_PAGE (widget);
  RefractSpiceDisplay *display = refract_console_get_display (self->console);
  double zoom = refract_spice_display_get_zoom (display);

  if (g_str_equal (action_name, "console.zoom-in"))
    zoom = MIN (zoom * 1.25, 4.0);
  else if (g_str_equal (action_name, "console.zoom-out"))
    zoom = MAX (zoom / 1.25, 0.25);
  else
    zoom = 1.0;
  refract_spice_display_set_zoom (display, zoom);
}

static const char * const scale_names[] = { "fit", "original", "resize" };

static void
apply_scale (RefractConsolePage *self, RefractScaleMode mode)
{
  gboolean scroll = mode == REFRACT_SCALE_ORIGINAL;

  refract_spice_display_set_scale_mode (refract_console_get_display (self->console), mode);
  gtk_scrolled_window_set_policy (self->display_scroller,
                                  scroll ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER,
                                  scroll ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.zoom-in", mode != REFRACT_SCALE_RESIZE_GUEST);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.zoom-out", mode != REFRACT_SCALE_RESIZE_GUEST);
}

enum {
  PROP_0,
  PROP_SCALE_MODE,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_scale_mode (RefractConsolePage *self, const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (scale_names); i++)
    if (g_strcmp0 (name, scale_names[i]) == 0)
      {
        g_free (self->scale_mode);
        self->scale_mode = g_strdup (name);
        if (self->console != NULL)
          apply_scale (self, (RefractScaleMode) i);
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE_MODE]);
      }
}

static void
set_view (RefractConsolePage *self, const char *view)
{
  if (g_strcmp0 (view, "display") != 0 && g_strcmp0 (view, "serial") != 0)
    return;
  g_free (self->view);
  self->view = g_strdup (view);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

static void
refract_console_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SCALE_MODE: g_value_set_string (value, REFRACT_CONSOLE_PAGE (object)->scale_mode); break;
    case PROP_VIEW: g_value_set_string (value, REFRACT_CONSOLE_PAGE (object)->view); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_console_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SCALE_MODE: set_scale_mode (REFRACT_CONSOLE_PAGE (object), g_value_get_string (value)); break;
    case PROP_VIEW: set_view (REFRACT_CONSOLE_PAGE (object), g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}


static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  RefractConsolePage *self = REFRACT_CONSOLE_PAGE (widget);
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (widget));

  if (!self->in_window)
    {
      /* fullscreen belongs to the console's own window, with nothing else in it */
      if (self->console != NULL)
        gtk_window_fullscreen (GTK_WINDOW (refract_console_window_present (self->console, window)));
      return;
    }
  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

/* Moves the live console into its own window (or raises that window). */
void
refract_console_page_detach (RefractConsolePage *self)
{
  g_return_if_fail (REFRACT_IS_CONSOLE_PAGE (self));

  if (self->console != NULL)
    refract_console_window_present (self->console, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
}

/* ---- the toolbar hides in fullscreen until the pointer reaches the top ---- */

/* In the console window the tools sit in its header bar, one row instead of
 * two; in fullscreen (no header bar) and over a status page (the header bar
 * shows the window title) they go back to the page's own revealer. */
static void
place_toolbar (RefractConsolePage *self)
{
  gboolean fullscreen = self->watched_window != NULL && gtk_window_is_fullscreen (self->watched_window);
  gboolean live = !g_str_equal (gtk_stack_get_visible_child_name (self->stack), "status");
  gboolean in_header = self->header != NULL && !fullscreen && live;
  GtkWidget *parent = gtk_widget_get_parent (self->toolbar);

  if (in_header && parent == GTK_WIDGET (self->toolbar_revealer))
    {
      g_object_ref (self->toolbar);
      gtk_revealer_set_child (self->toolbar_revealer, NULL);
      gtk_widget_set_hexpand (self->toolbar, TRUE);
      adw_header_bar_set_title_widget (self->header, self->toolbar);
      g_object_unref (self->toolbar);
    }
  else if (!in_header && parent != GTK_WIDGET (self->toolbar_revealer))
    {
      g_object_ref (self->toolbar);
      if (self->header != NULL)
        adw_header_bar_set_title_widget (self->header, NULL);
      gtk_revealer_set_child (self->toolbar_revealer, self->toolbar);
      g_object_unref (self->toolbar);
    }
  /* the tools act on a live console; over a status page they would only confuse */
  gtk_widget_set_visible (GTK_WIDGET (self->toolbar_revealer), live && !in_header);
}

static void
fullscreen_changed (RefractConsolePage *self)
{
  place_toolbar (self);
  gtk_revealer_set_reveal_child (self->toolbar_revealer,
                                 self->watched_window == NULL
                                 || !gtk_window_is_fullscreen (self->watched_window));
}

/**
 * refract_console_page_set_header_bar:
 * @header: the header bar of the window the page fills
 *
 * Puts @header on top of the page (the tools' actions are the page's, so the
 * header bar must be inside it) and the page's tools into it while the
 * console is live and the window is not fullscreen. Once.
 */
void
refract_console_page_set_header_bar (RefractConsolePage *self,
                                     AdwHeaderBar       *header)
{
  g_return_if_fail (REFRACT_IS_CONSOLE_PAGE (self));
  g_return_if_fail (ADW_IS_HEADER_BAR (header));
  g_return_if_fail (self->header == NULL);

  self->header = header;
  /* the template's layout box, AdwBin's child (not bound: dispose_template
   * would unparent it behind AdwBin's back) */
  gtk_box_prepend (GTK_BOX (adw_bin_get_child (ADW_BIN (self))), GTK_WIDGET (header));
  place_toolbar (self);
}

static void
pointer_moved (GtkEventControllerMotion *motion,
               double                    x,
               double                    y,
               RefractConsolePage       *self)
{
  if (self->watched_window == NULL || !gtk_window_is_fullscreen (self->watched_window))
    return;
  if (y < 6)
    gtk_revealer_set_reveal_child (self->toolbar_revealer, TRUE);
  else if (y > gtk_widget_get_height (GTK_WIDGET (self->toolbar_revealer)) + 48)
    gtk_revealer_set_reveal_child (self->toolbar_revealer, FALSE);
}

static void
refract_console_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (refract_console_page_parent_class)->map (widget);
  update (REFRACT_CONSOLE_PAGE (widget));
}

static void
refract_console_page_root (GtkWidget *widget)
{
  RefractConsolePage *self = REFRACT_CONSOLE_PAGE (widget);

  GTK_WIDGET_CLASS (refract_console_page_parent_class)->root (widget);
  self->watched_window = GTK_WINDOW (gtk_widget_get_root (widget));
  g_signal_connect_object (self->watched_window, "notify::fullscreened", G_CALLBACK (fullscreen_changed),
                           self, G_CONNECT_SWAPPED);
  fullscreen_changed (self);
}

static void
refract_console_page_unroot (GtkWidget *widget)
{
  RefractConsolePage *self = REFRACT_CONSOLE_PAGE (widget);

  g_signal_handlers_disconnect_by_func (self->watched_window, fullscreen_changed, self);
  self->watched_window = NULL;
  GTK_WIDGET_CLASS (refract_console_page_parent_class)->unroot (widget);
}

static void
detach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  refract_console_page_detach (REFRACT_CONSOLE_PAGE (widget));
}

/* ---- hosting the widgets -------------------------------------------------- */

static void
take_child (AdwBin *bin, GtkWidget *child)
{
  GtkWidget *parent = gtk_widget_get_parent (child);

  if (parent == GTK_WIDGET (bin))
    return;
  if (ADW_IS_BIN (parent))
    adw_bin_set_child (ADW_BIN (parent), NULL);
  adw_bin_set_child (bin, child);
}

static gboolean
hosts_widgets (RefractConsolePage *self)
{
  return self->console != NULL && refract_console_get_detached (self->console) == self->in_window;
}

/* ---- state -> what is shown ------------------------------------------------ */

static void
show_status (RefractConsolePage *self,
             const char         *icon,
             const char         *title,
             const char         *description,
             const char         *button,
             const char         *action,
             gboolean            spinning,
             gboolean            password)
{
  adw_status_page_set_icon_name (self->status_page, icon);
  adw_status_page_set_title (self->status_page, title);
  if (description != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (description, -1);
      adw_status_page_set_description (self->status_page, escaped);
    }
  else
    adw_status_page_set_description (self->status_page, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->status_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->status_button, button);
  g_free (self->action);
  self->action = g_strdup (action);
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), spinning);
  gtk_spinner_set_spinning (self->status_spinner, spinning);
  gtk_widget_set_visible (self->password_entry, password);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
update_display_view (RefractConsolePage *self)
{
  RefractSpiceSession *session = refract_console_get_session (self->console);

  switch (refract_spice_session_get_state (session))
    {
    case REFRACT_SPICE_STATE_CONNECTED:
      gtk_stack_set_visible_child_name (self->stack, "display");
      break;
    case REFRACT_SPICE_STATE_NEEDS_PASSWORD:
      show_status (self, "dialog-password-symbolic", _("The Display Needs a Password"),
                   _("Enter the SPICE password set for this machine."), _("C_onnect"), "password",
                   FALSE, TRUE);
      break;
    case REFRACT_SPICE_STATE_FAILED:
      show_status (self, "dialog-warning-symbolic", _("Could Not Open the Display"),
                   refract_spice_session_get_error_message (session), _("_Retry"), "retry", FALSE, FALSE);
      break;
    case REFRACT_SPICE_STATE_DISCONNECTED:
    case REFRACT_SPICE_STATE_CONNECTING:
    default:
      show_status (self, "video-display-symbolic", _("Connecting to the Display…"), NULL, NULL, NULL,
                   TRUE, FALSE);
      break;
    }
}

static void
update_serial_view (RefractConsolePage *self)
{
  RefractSerialConsole *serial = refract_console_get_serial (self->console);

  switch (refract_serial_console_get_state (serial))
    {
    case REFRACT_SERIAL_STATE_CONNECTED:
      gtk_stack_set_visible_child_name (self->stack, "serial");
      break;
    case REFRACT_SERIAL_STATE_FAILED:
      show_status (self, "dialog-warning-symbolic", _("Could Not Open the Text Console"),
                   refract_serial_console_get_error_message (serial), _("_Retry"), "retry", FALSE, FALSE);
      break;
    case REFRACT_SERIAL_STATE_DISCONNECTED:
    case REFRACT_SERIAL_STATE_CONNECTING:
    default:
      show_status (self, "utilities-terminal-symbolic", _("Connecting to the Text Console…"), NULL,
                   NULL, NULL, TRUE, FALSE);
      break;
    }
}

static const char *
effective_view (RefractConsolePage *self)
{
  RefractMachine *machine = refract_console_get_machine (self->console);
  gboolean graphics = refract_machine_get_has_graphics (machine);
  gboolean serial = refract_console_has_serial (self->console);

  if (g_strcmp0 (self->view, "serial") == 0 && serial)
    return "serial";
  if (graphics)
    return "display";
  return "serial";
}

static void
update_toolbar (RefractConsolePage *self, const char *view, gboolean live)
{
  RefractMachine *machine = refract_console_get_machine (self->console);
  gboolean display = g_str_equal (view, "display");
  gboolean both = refract_machine_get_has_graphics (machine) && refract_console_has_serial (self->console);
  gboolean grabbed = refract_spice_display_get_keyboard_grabbed (refract_console_get_display (self->console));

  gtk_widget_set_visible (self->view_switch, both);
  gtk_widget_set_visible (self->send_keys_button, display);
  gtk_widget_set_visible (self->clipboard_button, display);
  /* USB redirection goes through SPICE channels; a VNC display has none */
  gtk_widget_set_visible (self->usb_button, display);
  gtk_widget_set_sensitive (self->usb_button, has_spice_graphics (machine));
  gtk_widget_set_tooltip_text (self->usb_button,
                               has_spice_graphics (machine)
                               ? _("USB Devices")
                               : _("USB redirection needs a SPICE display; this machine has none"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.type-clipboard", display && live);
  gtk_widget_set_visible (self->screenshot_button, display);
  gtk_widget_set_visible (self->view_button, display);
  gtk_widget_set_visible (self->detach_button, !self->in_window);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.send-keys", display && live);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "console.screenshot", display && live);
  if (display && live && grabbed)
    {
      g_autofree char *keys = NULL;
      g_autofree char *names = NULL;
      g_autofree char *hint = NULL;

      g_object_get (refract_console_get_display (self->console), "release-keys", &keys, NULL);
      names = refract_console_describe_keys (keys);
      /* Translators: %s is a key combination such as Ctrl+Alt */
      hint = g_strdup_printf (_("The keyboard goes to the machine. Press %s to release it."), names);
      gtk_label_set_label (self->grab_hint, hint);
      gtk_widget_remove_css_class (GTK_WIDGET (self->grab_hint), "title");
      gtk_widget_add_css_class (GTK_WIDGET (self->grab_hint), "dim-label");
    }
  else if (self->header != NULL)
    {
      /* in the header bar the hint's place is the title's */
      gtk_label_set_label (self->grab_hint, refract_machine_get_display_name (machine));
      gtk_widget_remove_css_class (GTK_WIDGET (self->grab_hint), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->grab_hint), "title");
    }
  else
    gtk_label_set_label (self->grab_hint, "");
}

static void
update (RefractConsolePage *self)
{
  RefractMachine *machine;
  const char *view;

  if (self->console == NULL)
    return;
  machine = refract_console_get_machine (self->console);
  view = effective_view (self);
  update_toolbar (self, view, FALSE);

  if (!refract_machine_get_details_loaded (machine))
    show_status (self, "computer-symbolic", _("Loading…"), NULL, NULL, NULL, TRUE, FALSE);
  else if (!hosts_widgets (self))
    show_status (self, "window-new-symbolic", _("The Console Is in Its Own Window"), NULL,
                 _("_Show Window"), "show-window", FALSE, FALSE);
  else if (!refract_machine_is_active (machine))
    show_status (self, "system-shutdown-symbolic", _("The Machine Is Off"),
                 _("Start it to see its console here."), _("_Start"), "start", FALSE, FALSE);
  else
    {
      take_child (self->display_bin, GTK_WIDGET (refract_console_get_display (self->console)));
      take_child (self->serial_bin, GTK_WIDGET (refract_console_get_serial (self->console)));
      /* the display opens when somebody looks at it, not when the machine is selected */
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        refract_console_start (self->console);
      if (g_str_equal (view, "display"))
        update_display_view (self);
      else
        update_serial_view (self);
      update_toolbar (self, view, g_str_equal (gtk_stack_get_visible_child_name (self->stack), view));
    }
  place_toolbar (self);
}

static void
start_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!refract_machine_run_finish (REFRACT_MACHINE (object), result, &error))
    g_message ("%s", error->message);
}

static void
status_button_cb (RefractConsolePage *self)
{
  RefractMachine *machine = refract_console_get_machine (self->console);
  const char *view = effective_view (self);

  if (g_strcmp0 (self->action, "start") == 0)
    refract_machine_run_async (machine, REFRACT_MACHINE_ACTION_START, NULL, start_done, NULL);
  else if (g_strcmp0 (self->action, "show-window") == 0)
    refract_console_page_detach (self);
  else if (g_strcmp0 (self->action, "password") == 0)
    {
      /* cleared first: setting it changes the state, and with it the action */
      g_autofree char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_entry)));

      gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
      refract_spice_session_set_password (refract_console_get_session (self->console), password);
      memset (password, 0, strlen (password));
    }
  else if (g_strcmp0 (self->action, "retry") == 0 && g_str_equal (view, "display"))
    {
      refract_spice_session_disconnect (refract_console_get_session (self->console));
      refract_spice_session_connect (refract_console_get_session (self->console));
    }
  else if (g_strcmp0 (self->action, "retry") == 0)
    {
      refract_serial_console_set_machine (refract_console_get_serial (self->console), NULL);
      refract_serial_console_set_machine (refract_console_get_serial (self->console), machine);
    }
}

static void
password_activate_cb (RefractConsolePage *self)
{
  status_button_cb (self);
}

/* ---- plumbing ----------------------------------------------------------- */

RefractConsole *
refract_console_page_get_console (RefractConsolePage *self)
{
  g_return_val_if_fail (REFRACT_IS_CONSOLE_PAGE (self), NULL);
  return self->console;
}

void
refract_console_page_set_console (RefractConsolePage *self,
                                  RefractConsole     *console)
{
  g_return_if_fail (REFRACT_IS_CONSOLE_PAGE (self));

  if (self->console == console)
    return;
  g_set_object (&self->console, console);
  /* the picker is the console's: the next opening makes a new one */
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->usb_button), NULL);
  g_signal_group_set_target (self->console_signals, console);
  g_signal_group_set_target (self->machine_signals, console ? refract_console_get_machine (console) : NULL);
  g_signal_group_set_target (self->session_signals, console ? refract_console_get_session (console) : NULL);
  g_signal_group_set_target (self->serial_signals, console ? refract_console_get_serial (console) : NULL);
  g_signal_group_set_target (self->display_signals, console ? refract_console_get_display (console) : NULL);
  g_binding_group_set_source (self->clipboard_bindings, console ? refract_console_get_clipboard (console) : NULL);
  g_signal_group_set_target (self->clipboard_signals, console ? refract_console_get_clipboard (console) : NULL);
  if (console != NULL)
    set_scale_mode (self, scale_names[refract_spice_display_get_scale_mode (refract_console_get_display (console))]);
  update (self);
}

/* Which child is shown: "status", "display" or "serial". */
const char *
refract_console_page_get_shown (RefractConsolePage *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

static void
refract_console_page_dispose (GObject *object)
{
  RefractConsolePage *self = (RefractConsolePage *)object;

  /* the tools back where the template put them; the header bar goes with the layout */
  if (self->header != NULL)
    {
      AdwHeaderBar *header = g_steal_pointer (&self->header);

      if (self->toolbar != NULL && gtk_widget_get_parent (self->toolbar) != GTK_WIDGET (self->toolbar_revealer))
        {
          g_object_ref (self->toolbar);
          adw_header_bar_set_title_widget (header, NULL);
          gtk_revealer_set_child (self->toolbar_revealer, self->toolbar);
          g_object_unref (self->toolbar);
        }
    }
  if (self->console_signals != NULL)
    refract_console_page_set_console (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), REFRACT_TYPE_CONSOLE_PAGE);
  g_clear_object (&self->console_signals);
  g_clear_object (&self->machine_signals);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->serial_signals);
  g_clear_object (&self->display_signals);
  g_clear_object (&self->clipboard_signals);
  g_clear_object (&self->clipboard_bindings);
  g_clear_object (&self->flash);
  g_clear_pointer (&self->view, g_free);
  g_clear_pointer (&self->action, g_free);
  g_clear_pointer (&self->scale_mode, g_free);

  G_OBJECT_CLASS (refract_console_page_parent_class)->dispose (object);
}

static void
refract_console_page_class_init (RefractConsolePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_console_page_dispose;
  object_class->get_property = refract_console_page_get_property;
  object_class->set_property = refract_console_page_set_property;
  widget_class->root = refract_console_page_root;
  widget_class->map = refract_console_page_map;
  widget_class->unroot = refract_console_page_unroot;

  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "display",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SCALE_MODE] =
    g_param_spec_string ("scale-mode", NULL, NULL, "fit",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/refract-console-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, toolbar_revealer);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, toolbar);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, view_switch);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, grab_hint);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, clipboard_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, clipboard_indicator);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, clipboard_switches);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, host_to_guest_switch);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, guest_to_host_switch);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, needs_agent_label);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, usb_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, send_keys_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, screenshot_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, view_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, detach_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, stack);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, password_entry);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, status_button);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, display_scroller);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, display_bin);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, serial_bin);
  gtk_widget_class_bind_template_child (widget_class, RefractConsolePage, fkeys_section);
  gtk_widget_class_bind_template_callback (widget_class, status_button_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_activate_cb);

  gtk_widget_class_install_action (widget_class, "console.send-keys", "s", send_keys_action);
  gtk_widget_class_install_action (widget_class, "console.screenshot", NULL, screenshot_action);
  gtk_widget_class_install_action (widget_class, "console.type-clipboard", NULL, type_clipboard_action);
  gtk_widget_class_install_action (widget_class, "console.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "console.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "console.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_property_action (widget_class, "console.scale-mode", "scale-mode");
  gtk_widget_class_install_property_action (widget_class, "console.view", "view");
  gtk_widget_class_install_action (widget_class, "console.detach", NULL, detach_action);
  gtk_widget_class_install_action (widget_class, "console.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "console.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "console.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "console.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "console.zoom-reset", NULL);
}

static void
refract_console_page_init (RefractConsolePage *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  fill_fkeys (self->fkeys_section);
  setup_clipboard (self);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->usb_button), usb_popup_create,
                                         self, NULL);
  self->view = g_strdup ("display");
  self->scale_mode = g_strdup ("fit");
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_CAPTURE);
  g_signal_connect (motion, "motion", G_CALLBACK (pointer_moved), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  self->console_signals = g_signal_group_new (REFRACT_TYPE_CONSOLE);
  g_signal_group_connect_swapped (self->console_signals, "notify::detached", G_CALLBACK (update), self);
  self->machine_signals = g_signal_group_new (REFRACT_TYPE_MACHINE);
  g_signal_group_connect_swapped (self->machine_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->machine_signals, "notify::details-loaded", G_CALLBACK (update), self);
  self->session_signals = g_signal_group_new (REFRACT_TYPE_SPICE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::state", G_CALLBACK (update), self);
  self->serial_signals = g_signal_group_new (REFRACT_TYPE_SERIAL_CONSOLE);
  g_signal_group_connect_swapped (self->serial_signals, "notify::state", G_CALLBACK (update), self);
  self->display_signals = g_signal_group_new (REFRACT_TYPE_SPICE_DISPLAY);
  g_signal_group_connect_swapped (self->display_signals, "notify::keyboard-grabbed", G_CALLBACK (update), self);
}

GtkWidget *
refract_console_page_new (gboolean in_window)
{
  RefractConsolePage *self = g_object_new (REFRACT_TYPE_CONSOLE_PAGE, NULL);

  self->in_window = in_window;
  return GTK_WIDGET (self);
}
