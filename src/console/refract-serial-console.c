/* refract-serial-console.c: a machine's serial console in a VTE terminal
 *
 * The console is a libvirt stream (virDomainOpenConsole), opened in a worker
 * thread and then driven without blocking from libvirt's event loop, which
 * libvirt-glib runs on the default main context (refract_model_init()).
 *
 * The stream is a plain virStreamPtr rather than a GVirStream: libvirt-glib
 * 4.0 calls virStreamFinish() when a GVirStream is finalized and logs a
 * critical when that fails, which it does for every stream whose open failed
 * or that the daemon ended with an error (the guest was switched off), and
 * its pending GInputStream reads cannot be cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <vte/vte.h>

#include "refract-machine-private.h"
#include "refract-serial-console.h"

#define READ_CHUNK       4096
#define READS_PER_WAKEUP 16
#define RETRY_FIRST_MS   500
#define RETRY_MAX_MS     10000
/* failed opens shown as "connecting" before they are shown as failures: just
 * after a start QEMU may not have told libvirt its PTY yet */
#define QUIET_FAILURES   3
#define ZOOM_STEP        1.2
#define ZOOM_MIN         0.5
#define ZOOM_MAX         3.0

struct _RefractSerialConsole
{
  GtkWidget           parent_instance;

  VteTerminal        *terminal;
  GtkWidget          *scrollbar;

  RefractMachine     *machine;
  gulong              state_handler;
  gboolean            was_active;

  RefractSerialState  state;
  char               *error_message;

  GCancellable       *opening;     /* an open in flight */
  virStreamPtr        stream;      /* the open console */
  int                 events;      /* what we asked libvirt to watch on it */
  GByteArray         *outgoing;    /* typed bytes not yet sent, in order */
  guint               retry_id;
  guint               retry_ms;
  guint               failures;    /* failed opens in a row */
};

G_DEFINE_FINAL_TYPE (RefractSerialConsole, refract_serial_console, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MACHINE,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void open_console (RefractSerialConsole *self);

/* ---- state ---------------------------------------------------------------- */

static void
update_actions (RefractSerialConsole *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serial.copy",
                                 vte_terminal_get_has_selection (self->terminal));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "serial.paste",
                                 self->state == REFRACT_SERIAL_STATE_CONNECTED);
}

static void
set_state (RefractSerialConsole *self,
           RefractSerialState    state,
           const char           *error_message)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      vte_terminal_set_input_enabled (self->terminal, state == REFRACT_SERIAL_STATE_CONNECTED);
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- the stream ----------------------------------------------------------- */

static void
abort_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  /* fails when the daemon already ended the stream; nothing to do then */
  if (virStreamAbort (task_data) < 0)
    virResetLastError ();
}

/* Aborting is a round trip to the daemon: not on the main thread. */
static void
stream_dispose (virStreamPtr stream)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, stream_dispose);
  g_task_set_task_data (task, stream, (GDestroyNotify) virStreamFree);
  g_task_run_in_thread (task, abort_thread);
}

static void
close_stream (RefractSerialConsole *self)
{
  if (self->stream == NULL)
    return;
  virStreamEventRemoveCallback (self->stream);
  stream_dispose (g_steal_pointer (&self->stream));
  self->events = 0;
  g_byte_array_set_size (self->outgoing, 0);
}

static void
stop_everything (RefractSerialConsole *self)
{
  g_cancellable_cancel (self->opening);
  g_clear_object (&self->opening);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  close_stream (self);
}

static gboolean
retry_cb (gpointer user_data)
{
  RefractSerialConsole *self = user_data;

  self->retry_id = 0;
  open_console (self);
  return G_SOURCE_REMOVE;
}

/* Tries again later, waiting longer each time the console would not stay open. */
static void
schedule_retry (RefractSerialConsole *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (self->retry_ms, retry_cb, self);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

/* The daemon ended the stream: the guest rebooted, was switched off, or the
 * daemon went away. While the machine runs, open the console again. */
static void
stream_ended (RefractSerialConsole *self,
              const char           *libvirt_message)
{
  g_debug ("serial console of %s ended: %s", refract_machine_get_name (self->machine),
           libvirt_message ? libvirt_message : "end of stream");
  close_stream (self);
  if (refract_machine_is_active (self->machine))
    {
      set_state (self, REFRACT_SERIAL_STATE_CONNECTING, NULL);
      schedule_retry (self);
    }
  else
    set_state (self, REFRACT_SERIAL_STATE_DISCONNECTED, NULL);
}

static void
update_events (RefractSerialConsole *self)
{
  int events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

  if (self->outgoing->len > 0)
    events |= VIR_STREAM_EVENT_WRITABLE;
  if (events != self->events && virStreamEventUpdateCallback (self->stream, events) == 0)
    self->events = events;
}

/* Sends what was typed, in order, as far as the stream takes it now. */
static gboolean
flush_outgoing (RefractSerialConsole *self)
{
  while (self->outgoing->len > 0)
    {
      int sent = virStreamSend (self->stream, (const char *) self->outgoing->data,
                                self->outgoing->len);

      if (sent == -2)
        break;
      if (sent < 0)
        {
          stream_ended (self, virGetLastErrorMessage ());
          virResetLastError ();
          return FALSE;
        }
      g_byte_array_remove_range (self->outgoing, 0, sent);
    }
  update_events (self);
  return TRUE;
}

/* Feeds what arrived to the terminal; FALSE when the stream is over. */
static gboolean
read_available (RefractSerialConsole *self)
{
  char buffer[READ_CHUNK];

  for (guint i = 0; i < READS_PER_WAKEUP; i++)
    {
      int got = virStreamRecv (self->stream, buffer, sizeof buffer);

      if (got == -2)
        return TRUE;
      if (got <= 0)
        {
          stream_ended (self, got < 0 ? virGetLastErrorMessage () : NULL);
          virResetLastError ();
          return FALSE;
        }
      vte_terminal_feed (self->terminal, buffer, got);
      self->retry_ms = RETRY_FIRST_MS;
    }
  return TRUE;
}

/* Runs on the main thread: libvirt-glib dispatches libvirt's events there. */
static void
stream_event_cb (virStreamPtr stream,
                 int          events,
                 void        *user_data)
{
  RefractSerialConsole *self = user_data;

  g_assert (stream == self->stream);

  if ((events & (VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
      && !read_available (self))
    return;
  if (events & VIR_STREAM_EVENT_WRITABLE)
    flush_outgoing (self);
}

static void
terminal_commit_cb (RefractSerialConsole *self,
                    const char           *text,
                    guint                 size,
                    VteTerminal          *terminal)
{
  if (self->stream == NULL)
    return;
  g_byte_array_append (self->outgoing, (const guint8 *) text, size);
  flush_outgoing (self);
}

/* ---- opening -------------------------------------------------------------- */

/* Counts the devices libvirt picks the default console from: the first
 * <console>, else the first <serial>. */
static double
count_console_devices (const char *xml)
{
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlXPathContextPtr ctx = doc ? xmlXPathNewContext (doc) : NULL;
  xmlXPathObjectPtr result = NULL;
  double count = 0;

  if (ctx != NULL)
    result = xmlXPathEvalExpression ((const xmlChar *) "count(/domain/devices/console"
                                     " | /domain/devices/serial)", ctx);
  if (result != NULL && result->type == XPATH_NUMBER)
    count = result->floatval;
  xmlXPathFreeObject (result);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return count;
}

static gboolean
domain_has_console (virDomainPtr   dom,
                    GError       **error)
{
  g_autofree char *xml = virDomainGetXMLDesc (dom, 0);

  if (xml == NULL)
    {
      const char *what = _("Could not read the machine’s configuration");

      g_propagate_error (error, refract_error_from_libvirt (what));
      return FALSE;
    }
  if (count_console_devices (xml) < 1)
    {
      g_set_error_literal (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND,
                           _("This machine has no serial console. Add a serial or console "
                             "device to its hardware to use it."));
      return FALSE;
    }
  return TRUE;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  virDomainPtr dom = task_data;
  virStreamPtr stream;
  GError *error = NULL;

  if (!domain_has_console (dom, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  stream = virStreamNew (virDomainGetConnect (dom), VIR_STREAM_NONBLOCK);
  /* FORCE: take the console over from a session left behind, e.g. ours
   * before the daemon restarted */
  if (stream == NULL || virDomainOpenConsole (dom, NULL, stream, VIR_DOMAIN_CONSOLE_FORCE) < 0)
    {
      g_task_return_error (task,
                           refract_error_from_libvirt (_("Could not open the serial console")));
      g_clear_pointer (&stream, virStreamFree);
      return;
    }
  g_task_return_pointer (task, stream, (GDestroyNotify) stream_dispose);
}

static void
open_failed (RefractSerialConsole *self,
             GError               *error)
{
  if (!refract_machine_is_active (self->machine)
      || g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_INVALID_STATE))
    {
      /* switched off meanwhile; notify::state follows */
      set_state (self, REFRACT_SERIAL_STATE_DISCONNECTED, NULL);
      return;
    }
  /* a missing device stays missing until the machine starts again */
  if (g_error_matches (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND))
    {
      set_state (self, REFRACT_SERIAL_STATE_FAILED, error->message);
      return;
    }
  g_debug ("could not open the serial console of %s: %s",
           refract_machine_get_name (self->machine), error->message);
  if (++self->failures > QUIET_FAILURES)
    set_state (self, REFRACT_SERIAL_STATE_FAILED, error->message);
  schedule_retry (self);
}

static void
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RefractSerialConsole *self = REFRACT_SERIAL_CONSOLE (object);
  g_autoptr(GError) error = NULL;
  virStreamPtr stream = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->opening);
  if (stream == NULL)
    {
      open_failed (self, error);
      return;
    }

  self->stream = stream;
  self->events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;
  if (virStreamEventAddCallback (stream, self->events, stream_event_cb, self, NULL) < 0)
    {
      g_autoptr(GError) watch_error = NULL;

      watch_error = refract_error_from_libvirt (_("Could not open the serial console"));

      stream_dispose (g_steal_pointer (&self->stream));
      open_failed (self, watch_error);
      return;
    }
  self->failures = 0;
  set_state (self, REFRACT_SERIAL_STATE_CONNECTED, NULL);
}

static void
open_console (RefractSerialConsole *self)
{
  g_autoptr(GTask) task = NULL;
  virDomainPtr dom;

  g_assert (self->stream == NULL && self->opening == NULL);

  if ((dom = _refract_machine_ref_domain (self->machine)) == NULL)
    {
      set_state (self, REFRACT_SERIAL_STATE_DISCONNECTED, NULL);
      return;
    }
  if (self->state != REFRACT_SERIAL_STATE_FAILED)
    set_state (self, REFRACT_SERIAL_STATE_CONNECTING, NULL);
  self->opening = g_cancellable_new ();
  task = g_task_new (self, self->opening, open_done, NULL);
  g_task_set_source_tag (task, open_console);
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, open_thread);
}

/* vte_terminal_reset() keeps what an erase-display pushed off the screen;
 * RIS and "erase saved lines" go through the parser in order, before
 * anything the next stream brings. */
static void
clear_screen (RefractSerialConsole *self)
{
  static const char clear[] = "\033c\033[3J";

  vte_terminal_reset (self->terminal, TRUE, TRUE);
  vte_terminal_feed (self->terminal, clear, sizeof clear - 1);
}

/* Follows the machine: open while it runs, let go when it stops. */
static void
machine_state_changed (RefractSerialConsole *self)
{
  gboolean active = refract_machine_is_active (self->machine);

  if (active && !self->was_active)
    {
      /* a new boot: a clean screen, and a fresh start for the retries */
      stop_everything (self);
      clear_screen (self);
      self->retry_ms = RETRY_FIRST_MS;
      self->failures = 0;
      open_console (self);
    }
  else if (!active)
    {
      stop_everything (self);
      set_state (self, REFRACT_SERIAL_STATE_DISCONNECTED, NULL);
    }
  self->was_active = active;
}

/* ---- actions -------------------------------------------------------------- */

static void
selection_changed_cb (RefractSerialConsole *self)
{
  update_actions (self);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  refract_serial_console_copy (REFRACT_SERIAL_CONSOLE (widget));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  refract_serial_console_paste (REFRACT_SERIAL_CONSOLE (widget));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  int direction = g_str_equal (action_name, "serial.zoom-in") ? 1
                  : g_str_equal (action_name, "serial.zoom-out") ? -1 : 0;

  refract_serial_console_zoom (REFRACT_SERIAL_CONSOLE (widget), direction);
}

/* VTE handles keys in its own controller and would send Ctrl+Shift+C to the
 * guest as ^C; our shortcuts run first, in the capture phase. */
static void
add_shortcuts (RefractSerialConsole *self)
{
  static const struct { guint key; GdkModifierType mods; const char *action; } shortcuts[] = {
    { GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "serial.copy" },
    { GDK_KEY_v, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "serial.paste" },
    { GDK_KEY_plus, GDK_CONTROL_MASK, "serial.zoom-in" },
    { GDK_KEY_equal, GDK_CONTROL_MASK, "serial.zoom-in" },
    { GDK_KEY_KP_Add, GDK_CONTROL_MASK, "serial.zoom-in" },
    { GDK_KEY_minus, GDK_CONTROL_MASK, "serial.zoom-out" },
    { GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "serial.zoom-out" },
    { GDK_KEY_0, GDK_CONTROL_MASK, "serial.zoom-reset" },
    { GDK_KEY_KP_0, GDK_CONTROL_MASK, "serial.zoom-reset" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (shortcuts[i].key, shortcuts[i].mods);
      GtkShortcutAction *action = gtk_named_action_new (shortcuts[i].action);

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (trigger, action));
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* ---- GObject -------------------------------------------------------------- */

static gboolean
refract_serial_console_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (REFRACT_SERIAL_CONSOLE (widget)->terminal));
}

static void
refract_serial_console_dispose (GObject *object)
{
  RefractSerialConsole *self = REFRACT_SERIAL_CONSOLE (object);

  refract_serial_console_set_machine (self, NULL);
  g_clear_pointer (&self->scrollbar, gtk_widget_unparent);
  if (self->terminal != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->terminal));
      self->terminal = NULL;
    }
  G_OBJECT_CLASS (refract_serial_console_parent_class)->dispose (object);
}

static void
refract_serial_console_finalize (GObject *object)
{
  RefractSerialConsole *self = REFRACT_SERIAL_CONSOLE (object);

  g_assert (self->stream == NULL && self->opening == NULL && self->retry_id == 0);
  g_byte_array_unref (self->outgoing);
  g_free (self->error_message);
  G_OBJECT_CLASS (refract_serial_console_parent_class)->finalize (object);
}

static void
refract_serial_console_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  RefractSerialConsole *self = REFRACT_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      g_value_set_object (value, self->machine);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_serial_console_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  RefractSerialConsole *self = REFRACT_SERIAL_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_MACHINE:
      refract_serial_console_set_machine (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_serial_console_class_init (RefractSerialConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = refract_serial_console_dispose;
  object_class->finalize = refract_serial_console_finalize;
  object_class->get_property = refract_serial_console_get_property;
  object_class->set_property = refract_serial_console_set_property;
  widget_class->grab_focus = refract_serial_console_grab_focus;

  properties[PROP_MACHINE] =
    g_param_spec_object ("machine", NULL, NULL, REFRACT_TYPE_MACHINE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* a RefractSerialState; no GEnum type is registered for it */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      REFRACT_SERIAL_STATE_DISCONNECTED, REFRACT_SERIAL_STATE_FAILED,
                      REFRACT_SERIAL_STATE_DISCONNECTED,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "serial.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "serial.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "serial.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "serial.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "serial.zoom-reset", NULL, zoom_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "serialconsole");
}

static void
refract_serial_console_init (RefractSerialConsole *self)
{
  GtkAdjustment *vadjustment;

  self->outgoing = g_byte_array_new ();
  self->retry_ms = RETRY_FIRST_MS;

  self->terminal = VTE_TERMINAL (vte_terminal_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->terminal), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->terminal), TRUE);
  vte_terminal_set_scrollback_lines (self->terminal, 10000);
  vte_terminal_set_input_enabled (self->terminal, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->terminal),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Serial console"),
                                  -1);
  gtk_widget_set_parent (GTK_WIDGET (self->terminal), GTK_WIDGET (self));
  g_signal_connect_object (self->terminal, "commit", G_CALLBACK (terminal_commit_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->terminal, "selection-changed", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);

  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->terminal));
  self->scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_VERTICAL, vadjustment);
  gtk_widget_set_parent (self->scrollbar, GTK_WIDGET (self));

  add_shortcuts (self);
  update_actions (self);
}

/* ---- public API ----------------------------------------------------------- */

GtkWidget *
refract_serial_console_new (void)
{
  return g_object_new (REFRACT_TYPE_SERIAL_CONSOLE, NULL);
}

RefractMachine *
refract_serial_console_get_machine (RefractSerialConsole *self)
{
  g_return_val_if_fail (REFRACT_IS_SERIAL_CONSOLE (self), NULL);
  return self->machine;
}

void
refract_serial_console_set_machine (RefractSerialConsole *self,
                                    RefractMachine       *machine)
{
  g_return_if_fail (REFRACT_IS_SERIAL_CONSOLE (self));
  g_return_if_fail (machine == NULL || REFRACT_IS_MACHINE (machine));

  if (self->machine == machine)
    return;

  stop_everything (self);
  g_clear_signal_handler (&self->state_handler, self->machine);
  g_set_object (&self->machine, machine);
  self->was_active = FALSE;
  clear_screen (self);
  set_state (self, REFRACT_SERIAL_STATE_DISCONNECTED, NULL);

  if (machine != NULL)
    {
      self->state_handler = g_signal_connect_object (machine, "notify::state",
                                                     G_CALLBACK (machine_state_changed), self,
                                                     G_CONNECT_SWAPPED);
      machine_state_changed (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MACHINE]);
}

RefractSerialState
refract_serial_console_get_state (RefractSerialConsole *self)
{
  g_return_val_if_fail (REFRACT_IS_SERIAL_CONSOLE (self), REFRACT_SERIAL_STATE_DISCONNECTED);
  return self->state;
}

const char *
refract_serial_console_get_error_message (RefractSerialConsole *self)
{
  g_return_val_if_fail (REFRACT_IS_SERIAL_CONSOLE (self), NULL);
  return self->error_message;
}

char *
refract_serial_console_dup_text (RefractSerialConsole *self)
{
  g_return_val_if_fail (REFRACT_IS_SERIAL_CONSOLE (self), NULL);
  /* VTE 0.70 has no vte_terminal_get_text_format() (0.76) */
  return vte_terminal_get_text (self->terminal, NULL, NULL, NULL);
}

void
refract_serial_console_copy (RefractSerialConsole *self)
{
  g_return_if_fail (REFRACT_IS_SERIAL_CONSOLE (self));
  if (vte_terminal_get_has_selection (self->terminal))
    vte_terminal_copy_clipboard_format (self->terminal, VTE_FORMAT_TEXT);
}

void
refract_serial_console_paste (RefractSerialConsole *self)
{
  g_return_if_fail (REFRACT_IS_SERIAL_CONSOLE (self));
  /* the pasted text comes back through "commit" */
  if (self->state == REFRACT_SERIAL_STATE_CONNECTED)
    vte_terminal_paste_clipboard (self->terminal);
}

/* @direction: > 0 larger, < 0 smaller, 0 back to the normal size */
void
refract_serial_console_zoom (RefractSerialConsole *self,
                             int                   direction)
{
  double scale;

  g_return_if_fail (REFRACT_IS_SERIAL_CONSOLE (self));

  scale = vte_terminal_get_font_scale (self->terminal);
  if (direction > 0)
    scale *= ZOOM_STEP;
  else if (direction < 0)
    scale /= ZOOM_STEP;
  else
    scale = 1.0;
  vte_terminal_set_font_scale (self->terminal, CLAMP (scale, ZOOM_MIN, ZOOM_MAX));
}
