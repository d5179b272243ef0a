/* refract-clipboard-bridge.c: the host's clipboards and the guest agent's
 *
 * Everything goes by demand, as the agent protocol wants: a side that copies
 * only announces the types it has (a grab), and the data moves when the other
 * side pastes.
 *
 * Host → guest: a change of a host GdkClipboard (CLIPBOARD, and PRIMARY when
 * the agent has the selection capability) becomes a grab; the agent's request
 * reads the host clipboard asynchronously and answers with a notify (empty on
 * failure, refusal or timeout). One host read per selection at a time.
 *
 * Guest → host: the agent's grab puts a RefractClipboardContent on the host
 * clipboard. When a host application pastes, GDK asks it to write a MIME type;
 * that sends the request, and the write completes when the data arrives,
 * times out, or the agent goes away. One request to the agent per selection at
 * a time; pastes of the same type wait on it together.
 *
 * The content we put on the host clipboard changes it too: "changed" is
 * ignored while the clipboard's content is our own provider. No nested main
 * loops anywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <spice-client.h>
#include <spice/vd_agent.h>

#include "refract-clipboard-bridge.h"
#include "refract-spice-session-private.h"

#define TIMEOUT_SECONDS 5
#define N_SELECTIONS    2   /* CLIPBOARD, PRIMARY */

#define MIME_TEXT "text/plain;charset=utf-8"
#define MIME_PNG  "image/png"

typedef struct _RefractClipboardContent RefractClipboardContent;

typedef struct
{
  RefractClipboardBridge  *bridge;
  guint                    selection;     /* VD_AGENT_CLIPBOARD_SELECTION_* */
  GdkClipboard            *clipboard;
  RefractClipboardContent *ours;          /* the guest's offer on the host clipboard */
  gboolean                 host_grabbed;  /* the guest was told the host has data */
  /* guest → host */
  guint32                  pending_type;  /* requested from the agent; 0: none */
  GPtrArray               *waiters;       /* GTask of RefractClipboardContent writes */
  guint                    timeout_id;
  /* host → guest */
  GCancellable            *reading;
  guint                    read_timeout_id;
} Selection;

struct _RefractClipboardBridge
{
  GObject              parent_instance;

  RefractSpiceSession *session;
  SpiceMainChannel    *main;
  GSignalGroup        *main_signals;
  Selection            sel[N_SELECTIONS];
  guint                size_limit;
  guint                host_to_guest : 1;
  guint                guest_to_host : 1;
  guint                agent_connected : 1;
};

G_DEFINE_FINAL_TYPE (RefractClipboardBridge, refract_clipboard_bridge, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_AGENT_CONNECTED,
  PROP_HOST_TO_GUEST,
  PROP_GUEST_TO_HOST,
  PROP_SIZE_LIMIT,
  N_PROPS
};

enum {
  TRANSFERRED,
  SIZE_LIMIT_EXCEEDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void request_from_guest (Selection *sel, guint32 type, GTask *task);

/* ---- agent types -------------------------------------------------------- */

static const struct { guint32 type; const char *mime; } image_types[] = {
  { VD_AGENT_CLIPBOARD_IMAGE_PNG, MIME_PNG },
  { VD_AGENT_CLIPBOARD_IMAGE_BMP, "image/bmp" },
  { VD_AGENT_CLIPBOARD_IMAGE_TIFF, "image/tiff" },
  { VD_AGENT_CLIPBOARD_IMAGE_JPG, "image/jpeg" },
};

static gboolean
is_image_type (guint32 type)
{
  for (guint i = 0; i < G_N_ELEMENTS (image_types); i++)
    if (image_types[i].type == type)
      return TRUE;
  return FALSE;
}

static const char *
image_mime (guint32 type)
{
  for (guint i = 0; i < G_N_ELEMENTS (image_types); i++)
    if (image_types[i].type == type)
      return image_types[i].mime;
  return NULL;
}

/* LF → CRLF (to = TRUE) or CRLF → LF. */
static GBytes *
convert_lineends (const char *text, gsize len, gboolean to_crlf)
{
  GString *out = g_string_sized_new (len + (to_crlf ? len / 32 : 0));

  for (gsize i = 0; i < len; i++)
    {
      if (to_crlf && text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
        g_string_append_c (out, '\r');
      else if (!to_crlf && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
        continue;
      g_string_append_c (out, text[i]);
    }
  return g_string_free_to_bytes (out);
}

/* ---- the guest's offer on the host clipboard ------------------------------ */

#define REFRACT_TYPE_CLIPBOARD_CONTENT (refract_clipboard_content_get_type ())
G_DECLARE_FINAL_TYPE (RefractClipboardContent, refract_clipboard_content, REFRACT, CLIPBOARD_CONTENT,
                      GdkContentProvider)

struct _RefractClipboardContent
{
  GdkContentProvider  parent_instance;
  Selection          *sel;      /* NULL once it is no longer the bridge's offer */
  GArray             *types;    /* guint32: what the guest offered */
};

G_DEFINE_FINAL_TYPE (RefractClipboardContent, refract_clipboard_content, GDK_TYPE_CONTENT_PROVIDER)

typedef struct
{
  GOutputStream *stream;
  char          *mime;
  guint32        type;     /* asked of the agent */
  int            priority;
  GBytes        *data;     /* being written */
} WriteOp;

static void
write_op_free (WriteOp *op)
{
  g_object_unref (op->stream);
  g_free (op->mime);
  g_clear_pointer (&op->data, g_bytes_unref);
  g_free (op);
}

static gboolean
offers (RefractClipboardContent *self, guint32 type)
{
  for (guint i = 0; i < self->types->len; i++)
    if (g_array_index (self->types, guint32, i) == type)
      return TRUE;
  return FALSE;
}

static GdkContentFormats *
content_ref_formats (GdkContentProvider *provider)
{
  RefractClipboardContent *self = REFRACT_CLIPBOARD_CONTENT (provider);
  GdkContentFormatsBuilder *builder = gdk_content_formats_builder_new ();
  gboolean image = FALSE;

  if (offers (self, VD_AGENT_CLIPBOARD_UTF8_TEXT))
    gdk_content_formats_builder_add_mime_type (builder, MIME_TEXT);
  for (guint i = 0; i < self->types->len; i++)
    image |= is_image_type (g_array_index (self->types, guint32, i));
  /* PNG first: what every host application reads; converted when the guest has another */
  if (image)
    gdk_content_formats_builder_add_mime_type (builder, MIME_PNG);
  for (guint i = 0; i < self->types->len; i++)
    {
      guint32 type = g_array_index (self->types, guint32, i);

      if (is_image_type (type) && type != VD_AGENT_CLIPBOARD_IMAGE_PNG)
        gdk_content_formats_builder_add_mime_type (builder, image_mime (type));
    }
  return gdk_content_formats_builder_free_to_formats (builder);
}

/* The agent type to ask for @mime. */
static guint32
type_for_mime (RefractClipboardContent *self, const char *mime)
{
  if (g_str_equal (mime, MIME_TEXT))
    return offers (self, VD_AGENT_CLIPBOARD_UTF8_TEXT) ? VD_AGENT_CLIPBOARD_UTF8_TEXT : 0;
  for (guint i = 0; i < G_N_ELEMENTS (image_types); i++)
    if (g_str_equal (mime, image_types[i].mime) && offers (self, image_types[i].type))
      return image_types[i].type;
  if (g_str_equal (mime, MIME_PNG))
    for (guint i = 0; i < self->types->len; i++)
      if (is_image_type (g_array_index (self->types, guint32, i)))
        return g_array_index (self->types, guint32, i);
  return 0;
}

static void
content_write_mime_type_async (GdkContentProvider  *provider,
                               const char          *mime_type,
                               GOutputStream       *stream,
                               int                  io_priority,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  RefractClipboardContent *self = REFRACT_CLIPBOARD_CONTENT (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  WriteOp *op = g_new0 (WriteOp, 1);

  g_task_set_source_tag (task, content_write_mime_type_async);
  g_task_set_priority (task, io_priority);
  op->stream = g_object_ref (stream);
  op->mime = g_strdup (mime_type);
  op->priority = io_priority;
  op->type = type_for_mime (self, mime_type);
  g_task_set_task_data (task, op, (GDestroyNotify) write_op_free);

  if (self->sel == NULL || !self->sel->bridge->guest_to_host)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("The machine's clipboard is no longer shared"));
  else if (op->type == 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("The machine's clipboard has no %s"), mime_type);
  else
    request_from_guest (self->sel, op->type, g_steal_pointer (&task));
}

static gboolean
content_write_mime_type_finish (GdkContentProvider  *provider,
                                GAsyncResult        *result,
                                GError             **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
refract_clipboard_content_finalize (GObject *object)
{
  g_array_unref (REFRACT_CLIPBOARD_CONTENT (object)->types);
  G_OBJECT_CLASS (refract_clipboard_content_parent_class)->finalize (object);
}

static void
refract_clipboard_content_class_init (RefractClipboardContentClass *klass)
{
  GdkContentProviderClass *provider_class = GDK_CONTENT_PROVIDER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = refract_clipboard_content_finalize;
  provider_class->ref_formats = content_ref_formats;
  provider_class->write_mime_type_async = content_write_mime_type_async;
  provider_class->write_mime_type_finish = content_write_mime_type_finish;
}

static void
refract_clipboard_content_init (RefractClipboardContent *self)
{
  self->types = g_array_new (FALSE, FALSE, sizeof (guint32));
}

/* NULL when the guest offers nothing the host can take. */
static RefractClipboardContent *
content_new (Selection *sel, const guint32 *types, guint n_types)
{
  RefractClipboardContent *self = g_object_new (REFRACT_TYPE_CLIPBOARD_CONTENT, NULL);

  self->sel = sel;
  for (guint i = 0; i < n_types; i++)
    if (types[i] == VD_AGENT_CLIPBOARD_UTF8_TEXT || is_image_type (types[i]))
      g_array_append_val (self->types, types[i]);
  if (self->types->len == 0)
    g_clear_object (&self);
  return self;
}

/* ---- helpers -------------------------------------------------------------- */

static gboolean
has_cap (RefractClipboardBridge *self, guint32 cap)
{
  return self->main != NULL && spice_main_channel_agent_test_capability (self->main, cap);
}

static Selection *
get_selection (RefractClipboardBridge *self, guint selection)
{
  if (selection >= N_SELECTIONS || self->sel[selection].clipboard == NULL)
    return NULL;
  if (selection == VD_AGENT_CLIPBOARD_SELECTION_PRIMARY
      && !has_cap (self, VD_AGENT_CAP_CLIPBOARD_SELECTION))
    return NULL;
  return &self->sel[selection];
}

/* The largest payload either end takes: ours, and the client's max-clipboard. */
static guint64
effective_limit (RefractClipboardBridge *self)
{
  int max = -1;

  if (self->main != NULL)
    g_object_get (self->main, "max-clipboard", &max, NULL);
  return max >= 0 ? MIN ((guint64) self->size_limit, (guint64) max) : self->size_limit;
}

static gboolean
is_ours (Selection *sel)
{
  return sel->ours != NULL
         && gdk_clipboard_get_content (sel->clipboard) == GDK_CONTENT_PROVIDER (sel->ours);
}

/* Forgets our offer; clears the host clipboard if it still shows it. */
static void
drop_offer (Selection *sel, gboolean clear_host)
{
  gboolean shown = is_ours (sel);

  if (sel->ours == NULL)
    return;
  sel->ours->sel = NULL;
  g_clear_object (&sel->ours);
  if (shown && clear_host)
    gdk_clipboard_set_content (sel->clipboard, NULL);
}

/* ---- guest → host ---------------------------------------------------------- */

static void
fail_waiters (Selection *sel, GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&sel->waiters);

  sel->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  sel->pending_type = 0;
  g_clear_handle_id (&sel->timeout_id, g_source_remove);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_error (waiters->pdata[i], g_error_copy (error));
}

static gboolean
request_timeout (gpointer data)
{
  Selection *sel = data;
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                         _("The machine did not hand over its clipboard in time"));

  sel->timeout_id = 0;
  fail_waiters (sel, error);
  return G_SOURCE_REMOVE;
}

static void
request_from_guest (Selection *sel, guint32 type, GTask *task)
{
  RefractClipboardBridge *self = sel->bridge;

  if (!self->agent_connected)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("The machine's clipboard agent is not running"));
      g_object_unref (task);
      return;
    }
  if (sel->pending_type != 0 && sel->pending_type != type)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("Another paste from the machine is under way"));
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (sel->waiters, task);
  if (sel->pending_type != 0)
    return;
  sel->pending_type = type;
  sel->timeout_id = g_timeout_add_seconds (TIMEOUT_SECONDS, request_timeout, sel);
  spice_main_channel_clipboard_selection_request (self->main, sel->selection, type);
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefractClipboardContent *content = g_task_get_source_object (task);
  WriteOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (content->sel != NULL)
    g_signal_emit (content->sel->bridge, signals[TRANSFERRED], 0,
                   REFRACT_CLIPBOARD_GUEST_TO_HOST, (guint64) g_bytes_get_size (op->data));
  g_task_return_boolean (task, TRUE);
}

/* What the host asked for, from what the guest sent. */
static GBytes *
convert_for_host (RefractClipboardBridge *self, WriteOp *op, const guint8 *data, gsize size,
                  GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  if (op->type == VD_AGENT_CLIPBOARD_UTF8_TEXT)
    {
      g_autofree char *valid = NULL;

      while (size > 0 && data[size - 1] == '\0')
        size--;
      valid = g_utf8_make_valid ((const char *) data, size);
      if (has_cap (self, VD_AGENT_CAP_GUEST_LINEEND_CRLF))
        return convert_lineends (valid, strlen (valid), FALSE);
      return g_bytes_new (valid, strlen (valid));
    }
  if (g_strcmp0 (image_mime (op->type), op->mime) == 0)
    return g_bytes_new (data, size);
  bytes = g_bytes_new (data, size);
  texture = gdk_texture_new_from_bytes (bytes, error);
  if (texture == NULL)
    return NULL;
  return gdk_texture_save_to_png_bytes (texture);
}

static void
deliver (Selection *sel, GTask *task, const guint8 *data, gsize size)
{
  WriteOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->data = convert_for_host (sel->bridge, op, data, size, &error);
  if (op->data == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_output_stream_write_all_async (op->stream, g_bytes_get_data (op->data, NULL),
                                   g_bytes_get_size (op->data), op->priority,
                                   g_task_get_cancellable (task), write_done, task);
}

/* main-clipboard-selection: the agent's answer to our request */
static void
guest_data (SpiceMainChannel       *main,
            guint                   selection,
            guint                   type,
            const guint8           *data,
            guint                   size,
            RefractClipboardBridge *self)
{
  Selection *sel = get_selection (self, selection);
  g_autoptr(GPtrArray) waiters = NULL;

  if (sel == NULL || sel->pending_type == 0)
    return;  /* late: timed out or cancelled */
  if (size == 0 || type != sel->pending_type)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                             _("The machine's clipboard is empty"));
      fail_waiters (sel, error);
      return;
    }
  if (size > effective_limit (self))
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                             _("The machine's clipboard is larger than the limit"));
      fail_waiters (sel, error);
      g_signal_emit (self, signals[SIZE_LIMIT_EXCEEDED], 0, REFRACT_CLIPBOARD_GUEST_TO_HOST,
                     (guint64) size);
      return;
    }
  waiters = g_steal_pointer (&sel->waiters);
  sel->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  sel->pending_type = 0;
  g_clear_handle_id (&sel->timeout_id, g_source_remove);
  for (guint i = 0; i < waiters->len; i++)
    deliver (sel, g_object_ref (waiters->pdata[i]), data, size);
}

/* main-clipboard-selection-grab: the guest copied */
static gboolean
guest_grab (SpiceMainChannel       *main,
            guint                   selection,
            const guint32          *types,
            guint                   n_types,
            RefractClipboardBridge *self)
{
  Selection *sel = get_selection (self, selection);
  RefractClipboardContent *content;

  if (sel == NULL)
    return TRUE;
  sel->host_grabbed = FALSE;   /* the guest owns the selection now */
  if (!self->guest_to_host)
    return TRUE;
  content = content_new (sel, types, n_types);
  drop_offer (sel, content == NULL);
  if (content == NULL)
    return TRUE;
  sel->ours = content;   /* before set_content: its "changed" must see it is ours */
  gdk_clipboard_set_content (sel->clipboard, GDK_CONTENT_PROVIDER (content));
  return TRUE;
}

/* main-clipboard-selection-release: the guest's copy is gone */
static void
guest_release (SpiceMainChannel       *main,
               guint                   selection,
               RefractClipboardBridge *self)
{
  Selection *sel = get_selection (self, selection);

  if (sel != NULL)
    drop_offer (sel, TRUE);
}

/* ---- host → guest ---------------------------------------------------------- */

/* The agent types the host clipboard can give: text and/or PNG. */
static guint
host_types (Selection *sel, guint32 types[2])
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (sel->clipboard);
  g_autoptr(GdkContentFormats) all = gdk_content_formats_union_deserialize_gtypes (
                                       gdk_content_formats_ref (formats));
  guint n = 0;

  if (gdk_content_formats_contain_gtype (all, G_TYPE_STRING))
    types[n++] = VD_AGENT_CLIPBOARD_UTF8_TEXT;
  if (gdk_content_formats_contain_gtype (all, GDK_TYPE_TEXTURE))
    types[n++] = VD_AGENT_CLIPBOARD_IMAGE_PNG;
  return n;
}

static void
release_host_grab (Selection *sel)
{
  RefractClipboardBridge *self = sel->bridge;

  if (sel->host_grabbed && self->agent_connected)
    spice_main_channel_clipboard_selection_release (self->main, sel->selection);
  sel->host_grabbed = FALSE;
}

/* Tells the guest what the host clipboard has now. */
static void
offer_host (Selection *sel)
{
  RefractClipboardBridge *self = sel->bridge;
  guint32 types[2];
  guint n;

  if (!self->host_to_guest || !self->agent_connected || get_selection (self, sel->selection) == NULL
      || is_ours (sel))
    return;
  n = host_types (sel, types);
  if (n == 0)
    {
      release_host_grab (sel);
      return;
    }
  spice_main_channel_clipboard_selection_grab (self->main, sel->selection, types, n);
  sel->host_grabbed = TRUE;
}

static void
host_changed (GdkClipboard *clipboard,
              Selection    *sel)
{
  if (is_ours (sel))
    return;
  drop_offer (sel, FALSE);
  offer_host (sel);
}

typedef struct
{
  RefractClipboardBridge *self;
  guint                   selection;
  guint32                 type;
  GCancellable           *cancellable;
} ReadOp;

static void
read_op_free (ReadOp *op)
{
  g_object_unref (op->self);
  g_object_unref (op->cancellable);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadOp, read_op_free)

static void
notify_guest (RefractClipboardBridge *self, guint selection, guint32 type, GBytes *data)
{
  gsize size = data != NULL ? g_bytes_get_size (data) : 0;

  if (!self->agent_connected)
    return;
  if (size > effective_limit (self))
    {
      g_signal_emit (self, signals[SIZE_LIMIT_EXCEEDED], 0, REFRACT_CLIPBOARD_HOST_TO_GUEST,
                     (guint64) size);
      size = 0;
    }
  spice_main_channel_clipboard_selection_notify (self->main, selection, type,
                                                 size ? g_bytes_get_data (data, NULL) : NULL, size);
  if (size > 0)
    g_signal_emit (self, signals[TRANSFERRED], 0, REFRACT_CLIPBOARD_HOST_TO_GUEST, (guint64) size);
}

/* Ends the host read of @op; FALSE when it was cancelled (timeout, agent gone, dispose). */
static gboolean
finish_read (ReadOp *op)
{
  Selection *sel = &op->self->sel[op->selection];
  gboolean current = sel->reading == op->cancellable;

  if (current)
    {
      g_clear_object (&sel->reading);
      g_clear_handle_id (&sel->read_timeout_id, g_source_remove);
    }
  return current;
}

static void
text_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ReadOp) op = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  g_autoptr(GBytes) data = NULL;

  if (!finish_read (op))
    {
      if (op->self->sel[op->selection].clipboard != NULL)
        notify_guest (op->self, op->selection, op->type, NULL);
      return;
    }
  if (text != NULL && has_cap (op->self, VD_AGENT_CAP_GUEST_LINEEND_CRLF))
    data = convert_lineends (text, strlen (text), TRUE);
  else if (text != NULL)
    data = g_bytes_new (text, strlen (text));
  notify_guest (op->self, op->selection, op->type, data);
}

static void
texture_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ReadOp) op = user_data;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source),
                                                                     result, NULL);
  g_autoptr(GBytes) data = NULL;

  if (!finish_read (op))
    {
      if (op->self->sel[op->selection].clipboard != NULL)
        notify_guest (op->self, op->selection, op->type, NULL);
      return;
    }
  if (texture != NULL)
    data = gdk_texture_save_to_png_bytes (texture);
  notify_guest (op->self, op->selection, op->type, data);
}

static gboolean
read_timeout (gpointer data)
{
  Selection *sel = data;

  sel->read_timeout_id = 0;
  g_cancellable_cancel (sel->reading);
  return G_SOURCE_REMOVE;
}

/* main-clipboard-selection-request: the guest pastes what the host has */
static gboolean
guest_request (SpiceMainChannel       *main,
               guint                   selection,
               guint                   type,
               RefractClipboardBridge *self)
{
  Selection *sel = get_selection (self, selection);
  ReadOp *op;

  if (sel == NULL || !self->host_to_guest || !sel->host_grabbed || sel->reading != NULL
      || (type != VD_AGENT_CLIPBOARD_UTF8_TEXT && type != VD_AGENT_CLIPBOARD_IMAGE_PNG))
    {
      notify_guest (self, selection, type, NULL);
      return TRUE;
    }
  op = g_new0 (ReadOp, 1);
  op->self = g_object_ref (self);
  op->selection = selection;
  op->type = type;
  op->cancellable = g_cancellable_new ();
  sel->reading = g_object_ref (op->cancellable);
  sel->read_timeout_id = g_timeout_add_seconds (TIMEOUT_SECONDS, read_timeout, sel);
  if (type == VD_AGENT_CLIPBOARD_UTF8_TEXT)
    gdk_clipboard_read_text_async (sel->clipboard, op->cancellable, text_read, op);
  else
    gdk_clipboard_read_texture_async (sel->clipboard, op->cancellable, texture_read, op);
  return TRUE;
}

/* ---- the agent ------------------------------------------------------------- */

static void
cancel_read (Selection *sel)
{
  g_clear_handle_id (&sel->read_timeout_id, g_source_remove);
  if (sel->reading != NULL)
    {
      g_cancellable_cancel (sel->reading);
      g_clear_object (&sel->reading);
    }
}

static void
agent_gone (RefractClipboardBridge *self)
{
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                         _("The machine's clipboard agent went away"));

  for (guint i = 0; i < N_SELECTIONS; i++)
    {
      Selection *sel = &self->sel[i];

      if (sel->clipboard == NULL)
        continue;
      fail_waiters (sel, error);
      cancel_read (sel);
      sel->host_grabbed = FALSE;
      drop_offer (sel, TRUE);
    }
}

static void
update_agent (RefractClipboardBridge *self)
{
  gboolean connected = FALSE;

  if (self->main != NULL)
    g_object_get (self->main, "agent-connected", &connected, NULL);
  connected = connected && has_cap (self, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
  if (self->agent_connected == !!connected)
    return;
  self->agent_connected = !!connected;
  if (connected)
    for (guint i = 0; i < N_SELECTIONS; i++)
      {
        if (self->sel[i].clipboard != NULL)
          offer_host (&self->sel[i]);
      }
  else
    agent_gone (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CONNECTED]);
}

static void
main_changed (RefractClipboardBridge *self)
{
  SpiceMainChannel *main = _refract_spice_session_get_main (self->session);

  if (main == self->main)
    return;
  g_set_object (&self->main, main);
  g_signal_group_set_target (self->main_signals, main);
  update_agent (self);
}

/* ---- GObject --------------------------------------------------------------- */

static void
refract_clipboard_bridge_constructed (GObject *object)
{
  RefractClipboardBridge *self = REFRACT_CLIPBOARD_BRIDGE (object);
  GdkDisplay *display = gdk_display_get_default ();

  G_OBJECT_CLASS (refract_clipboard_bridge_parent_class)->constructed (object);
  for (guint i = 0; i < N_SELECTIONS; i++)
    {
      Selection *sel = &self->sel[i];

      sel->bridge = self;
      sel->selection = i;
      sel->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      if (display == NULL)
        continue;
      sel->clipboard = g_object_ref (i == VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD
                                     ? gdk_display_get_clipboard (display)
                                     : gdk_display_get_primary_clipboard (display));
      g_signal_connect (sel->clipboard, "changed", G_CALLBACK (host_changed), sel);
    }
  g_signal_connect_object (self->session, "notify::main-channel", G_CALLBACK (main_changed), self,
                           G_CONNECT_SWAPPED);
  main_changed (self);
}

static void
refract_clipboard_bridge_dispose (GObject *object)
{
  RefractClipboardBridge *self = REFRACT_CLIPBOARD_BRIDGE (object);

  if (self->main_signals != NULL)
    g_signal_group_set_target (self->main_signals, NULL);
  for (guint i = 0; i < N_SELECTIONS; i++)
    {
      Selection *sel = &self->sel[i];
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The console was closed"));

      if (sel->waiters != NULL)
        fail_waiters (sel, error);
      g_clear_pointer (&sel->waiters, g_ptr_array_unref);
      cancel_read (sel);
      if (sel->clipboard != NULL)
        {
          drop_offer (sel, TRUE);
          g_signal_handlers_disconnect_by_data (sel->clipboard, sel);
          g_clear_object (&sel->clipboard);
        }
    }
  g_clear_object (&self->main_signals);
  g_clear_object (&self->main);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (refract_clipboard_bridge_parent_class)->dispose (object);
}

static void
refract_clipboard_bridge_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  RefractClipboardBridge *self = REFRACT_CLIPBOARD_BRIDGE (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_AGENT_CONNECTED: g_value_set_boolean (value, self->agent_connected); break;
    case PROP_HOST_TO_GUEST: g_value_set_boolean (value, self->host_to_guest); break;
    case PROP_GUEST_TO_HOST: g_value_set_boolean (value, self->guest_to_host); break;
    case PROP_SIZE_LIMIT: g_value_set_uint (value, self->size_limit); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_clipboard_bridge_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  RefractClipboardBridge *self = REFRACT_CLIPBOARD_BRIDGE (object);

  switch (prop_id)
    {
    case PROP_SESSION: self->session = g_value_dup_object (value); break;
    case PROP_HOST_TO_GUEST:
      refract_clipboard_bridge_set_host_to_guest (self, g_value_get_boolean (value));
      break;
    case PROP_GUEST_TO_HOST:
      refract_clipboard_bridge_set_guest_to_host (self, g_value_get_boolean (value));
      break;
    case PROP_SIZE_LIMIT:
      refract_clipboard_bridge_set_size_limit (self, g_value_get_uint (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_clipboard_bridge_class_init (RefractClipboardBridgeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = refract_clipboard_bridge_constructed;
  object_class->dispose = refract_clipboard_bridge_dispose;
  object_class->get_property = refract_clipboard_bridge_get_property;
  object_class->set_property = refract_clipboard_bridge_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, REFRACT_TYPE_SPICE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENT_CONNECTED] =
    g_param_spec_boolean ("agent-connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HOST_TO_GUEST] = g_param_spec_boolean ("host-to-guest", NULL, NULL, FALSE, rw);
  properties[PROP_GUEST_TO_HOST] = g_param_spec_boolean ("guest-to-host", NULL, NULL, FALSE, rw);
  properties[PROP_SIZE_LIMIT] =
    g_param_spec_uint ("size-limit", NULL, NULL, 1, G_MAXUINT, REFRACT_CLIPBOARD_DEFAULT_LIMIT, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (direction, bytes): a transfer completed; the toolbar's indicator flashes */
  signals[TRANSFERRED] =
    g_signal_new ("transferred", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_UINT64);
  /* (direction, bytes): a payload over the limit was refused; the page shows a toast */
  signals[SIZE_LIMIT_EXCEEDED] =
    g_signal_new ("size-limit-exceeded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_UINT64);
}

static void
refract_clipboard_bridge_init (RefractClipboardBridge *self)
{
  self->size_limit = REFRACT_CLIPBOARD_DEFAULT_LIMIT;
  self->main_signals = g_signal_group_new (SPICE_TYPE_MAIN_CHANNEL);
  g_signal_group_connect_swapped (self->main_signals, "notify::agent-connected",
                                  G_CALLBACK (update_agent), self);
  g_signal_group_connect_swapped (self->main_signals, "main-agent-update",
                                  G_CALLBACK (update_agent), self);
  g_signal_group_connect (self->main_signals, "main-clipboard-selection-grab",
                          G_CALLBACK (guest_grab), self);
  g_signal_group_connect (self->main_signals, "main-clipboard-selection-request",
                          G_CALLBACK (guest_request), self);
  g_signal_group_connect (self->main_signals, "main-clipboard-selection-release",
                          G_CALLBACK (guest_release), self);
  g_signal_group_connect (self->main_signals, "main-clipboard-selection",
                          G_CALLBACK (guest_data), self);
}

/* ---- public API ---------------------------------------------------------- */

/* Both directions start off: the console turns them on from the settings. */
RefractClipboardBridge *
refract_clipboard_bridge_new (RefractSpiceSession *session)
{
  g_return_val_if_fail (REFRACT_IS_SPICE_SESSION (session), NULL);
  return g_object_new (REFRACT_TYPE_CLIPBOARD_BRIDGE, "session", session, NULL);
}

RefractSpiceSession *
refract_clipboard_bridge_get_session (RefractClipboardBridge *self)
{
  g_return_val_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self), NULL);
  return self->session;
}

/* Whether a guest agent that shares clipboards by demand is there. */
gboolean
refract_clipboard_bridge_get_agent_connected (RefractClipboardBridge *self)
{
  g_return_val_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self), FALSE);
  return self->agent_connected;
}

gboolean
refract_clipboard_bridge_get_host_to_guest (RefractClipboardBridge *self)
{
  g_return_val_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self), FALSE);
  return self->host_to_guest;
}

void
refract_clipboard_bridge_set_host_to_guest (RefractClipboardBridge *self,
                                            gboolean                enabled)
{
  g_return_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self));

  if (self->host_to_guest == !!enabled)
    return;
  self->host_to_guest = !!enabled;
  for (guint i = 0; i < N_SELECTIONS; i++)
    {
      Selection *sel = &self->sel[i];

      if (sel->clipboard == NULL)
        continue;
      if (enabled)
        offer_host (sel);
      else
        {
          cancel_read (sel);
          release_host_grab (sel);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_TO_GUEST]);
}

gboolean
refract_clipboard_bridge_get_guest_to_host (RefractClipboardBridge *self)
{
  g_return_val_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self), FALSE);
  return self->guest_to_host;
}

void
refract_clipboard_bridge_set_guest_to_host (RefractClipboardBridge *self,
                                            gboolean                enabled)
{
  g_return_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self));

  if (self->guest_to_host == !!enabled)
    return;
  self->guest_to_host = !!enabled;
  if (!enabled)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                             _("The machine's clipboard is no longer shared"));

      for (guint i = 0; i < N_SELECTIONS; i++)
        if (self->sel[i].clipboard != NULL)
          {
            fail_waiters (&self->sel[i], error);
            drop_offer (&self->sel[i], TRUE);
          }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUEST_TO_HOST]);
}

guint
refract_clipboard_bridge_get_size_limit (RefractClipboardBridge *self)
{
  g_return_val_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self), 0);
  return self->size_limit;
}

/* The largest clipboard content, in bytes, handed over in either direction. */
void
refract_clipboard_bridge_set_size_limit (RefractClipboardBridge *self,
                                         guint                   bytes)
{
  g_return_if_fail (REFRACT_IS_CLIPBOARD_BRIDGE (self));

  if (self->size_limit == bytes)
    return;
  self->size_limit = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE_LIMIT]);
}
