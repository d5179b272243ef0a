/* refract-dsp-config.c
 *
 * The parsed document is the only state: getters read it, setters edit it and
 * remember which elements they touched. Each element keeps the byte range it
 * had in the original text (scanned once, in document order, matched to the
 * DOM's elements in the same order), so to_xml() copies untouched ranges and
 * serializes only the touched elements.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "refract-dsp-config-private.h"
#include "refract-dsp-config.h"
#include "refract-machine-private.h"
#include "refract-model-error.h"

typedef struct
{
  gsize start;       /* '<' */
  gsize open_end;    /* after the start tag's '>' */
  gsize close_start; /* '<' of the end tag; == end for <empty/> */
  gsize end;         /* after the last '>' */
} Range;

struct _RefractDspConfig
{
  GObject     parent_instance;

  char       *xml;
  xmlDoc     *doc;
  GArray     *ranges;   /* Range, in document order; nodes point into it */
  GHashTable *dirty;    /* xmlNode* rewritten whole */
  GArray     *removed;  /* Range of original elements that were removed */
};

G_DEFINE_FINAL_TYPE (RefractDspConfig, refract_dsp_config, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
refract_dsp_config_finalize (GObject *object)
{
  RefractDspConfig *self = REFRACT_DSP_CONFIG (object);

  g_free (self->xml);
  g_clear_pointer (&self->doc, xmlFreeDoc);
  g_array_unref (self->ranges);
  g_array_unref (self->removed);
  g_hash_table_unref (self->dirty);

  G_OBJECT_CLASS (refract_dsp_config_parent_class)->finalize (object);
}

static void
refract_dsp_config_class_init (RefractDspConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = refract_dsp_config_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
refract_dsp_config_init (RefractDspConfig *self)
{
  self->ranges = g_array_new (FALSE, TRUE, sizeof (Range));
  self->removed = g_array_new (FALSE, TRUE, sizeof (Range));
  self->dirty = g_hash_table_new (NULL, NULL);
}

void
refract_dsp_apply_result_free (RefractDspApplyResult *result)
{
  if (result == NULL)
    return;
  g_strfreev (result->needs_restart);
  g_free (result);
}

/* ---- scanning the original text ----------------------------------------------- */

static gsize
skip_past (const char *text,
           gsize       pos,
           const char *marker)
{
  const char *found = strstr (text + pos, marker);

  return found ? (gsize) (found - text) + strlen (marker) : strlen (text);
}

/* The end of a tag starting at @pos, quotes respected: the index after '>'. */
static gsize
tag_end (const char *text,
         gsize       pos,
         gboolean   *empty)
{
  char quote = 0;

  for (gsize i = pos; text[i] != '\0'; i++)
    {
      if (quote != 0)
        {
          if (text[i] == quote)
            quote = 0;
        }
      else if (text[i] == '"' || text[i] == '\'')
        quote = text[i];
      else if (text[i] == '>')
        {
          *empty = i > pos && text[i - 1] == '/';
          return i + 1;
        }
    }
  *empty = TRUE;
  return strlen (text);
}

static gboolean
scan_ranges (const char *text,
             GArray     *ranges)
{
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize i = 0;

  while (text[i] != '\0')
    {
      if (text[i] != '<')
        i++;
      else if (g_str_has_prefix (text + i, "<!--"))
        i = skip_past (text, i, "-->");
      else if (g_str_has_prefix (text + i, "<![CDATA["))
        i = skip_past (text, i, "]]>");
      else if (text[i + 1] == '?')
        i = skip_past (text, i, "?>");
      else if (text[i + 1] == '!')
        i = skip_past (text, i, ">");
      else if (text[i + 1] == '/')
        {
          gboolean empty;
          gsize end = tag_end (text, i, &empty);
          Range *r;

          if (open->len == 0)
            return FALSE;
          r = &g_array_index (ranges, Range, g_array_index (open, guint, open->len - 1));
          g_array_set_size (open, open->len - 1);
          r->close_start = i;
          r->end = end;
          i = end;
        }
      else
        {
          gboolean empty;
          Range r = { i, 0, 0, 0 };
          guint index = ranges->len;

          r.open_end = tag_end (text, i, &empty);
          if (empty)
            r.close_start = r.end = r.open_end;
          g_array_append_val (ranges, r);
          if (!empty)
            g_array_append_val (open, index);
          i = r.open_end;
        }
    }
  return open->len == 0;
}

static void
assign_ranges (xmlNode *node,
               GArray  *ranges,
               guint   *index)
{
  for (; node != NULL; node = node->next)
    {
      if (node->type != XML_ELEMENT_NODE)
        continue;
      node->_private = *index < ranges->len ? &g_array_index (ranges, Range, *index) : NULL;
      (*index)++;
      assign_ranges (node->children, ranges, index);
    }
}

RefractDspConfig *
refract_dsp_config_new_from_xml (const char  *xml,
                                 GError     **error)
{
  g_autoptr(RefractDspConfig) self = g_object_new (REFRACT_TYPE_DSP_CONFIG, NULL);
  xmlNode *root;
  guint index = 0;

  g_return_val_if_fail (xml != NULL, NULL);

  self->xml = g_strdup (xml);
  self->doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = self->doc ? xmlDocGetRootElement (self->doc) : NULL;
  if (root == NULL || !xmlStrEqual (root->name, (const xmlChar *) "domain") ||
      !scan_ranges (xml, self->ranges))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("The machine's definition is not a libvirt domain XML document."));
      return NULL;
    }
  /* g_array_append_val may have moved the data: assign pointers only now */
  assign_ranges (self->doc->children, self->ranges, &index);
  if (index != self->ranges->len)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("The machine's definition could not be read element by element."));
      return NULL;
    }
  return g_steal_pointer (&self);
}

RefractDspConfig *
refract_dsp_config_copy (RefractDspConfig *self)
{
  g_autofree char *xml = NULL;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);
  xml = refract_dsp_config_to_xml (self);
  return refract_dsp_config_new_from_xml (xml, NULL);
}

/* ---- writing the text back ----------------------------------------------------- */

static Range *
range_of (xmlNode *node)
{
  return node->_private;
}

static gboolean
changed_within (RefractDspConfig *self,
                xmlNode          *node)
{
  Range *r = range_of (node);

  if (r == NULL || g_hash_table_contains (self->dirty, node))
    return TRUE;
  for (guint i = 0; i < self->removed->len; i++)
    {
      Range *gone = &g_array_index (self->removed, Range, i);

      if (gone->start >= r->open_end && gone->end <= r->close_start)
        return TRUE;
    }
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && changed_within (self, child))
      return TRUE;
  return FALSE;
}

/* Original text between two elements, minus the elements removed there. */
static void
copy_gap (RefractDspConfig *self,
          GString          *out,
          gsize             from,
          gsize             to)
{
  gsize pos = from;

  for (guint i = 0; i < self->removed->len; i++)
    {
      Range *gone = &g_array_index (self->removed, Range, i);

      if (gone->start < pos || gone->end > to)
        continue;
      g_string_append_len (out, self->xml + pos, gone->start - pos);
      pos = gone->end;
    }
  g_string_append_len (out, self->xml + pos, to - pos);
}

static void
dump_node (RefractDspConfig *self,
           GString          *out,
           xmlNode          *node)
{
  xmlBuffer *buffer = xmlBufferCreate ();

  xmlNodeDump (buffer, self->doc, node, 0, 0);
  g_string_append_len (out, (const char *) xmlBufferContent (buffer), xmlBufferLength (buffer));
  xmlBufferFree (buffer);
}

static void emit_node (RefractDspConfig *self, GString *out, xmlNode *node);

static void
emit_children (RefractDspConfig *self,
               GString          *out,
               xmlNode          *node)
{
  Range *r = range_of (node);
  gsize cursor = r->open_end;

  for (xmlNode *child = node->children; child != NULL; child = child->next)
    {
      Range *cr;

      if (child->type != XML_ELEMENT_NODE)
        continue;
      cr = range_of (child);
      if (cr != NULL)
        {
          copy_gap (self, out, cursor, cr->start);
          cursor = cr->end;
        }
      else
        {
          /* new: on a line of its own, indented like the text before it */
          copy_gap (self, out, cursor, cursor);
          g_string_append_c (out, '\n');
          for (xmlNode *up = node; up->parent && up->parent->type == XML_ELEMENT_NODE; up = up->parent)
            g_string_append (out, "  ");
          g_string_append (out, "  ");
        }
      emit_node (self, out, child);
    }
  copy_gap (self, out, cursor, r->close_start);
}

static void
emit_node (RefractDspConfig *self,
           GString          *out,
           xmlNode          *node)
{
  Range *r = range_of (node);

  if (r == NULL || g_hash_table_contains (self->dirty, node))
    dump_node (self, out, node);
  else if (!changed_within (self, node))
    g_string_append_len (out, self->xml + r->start, r->end - r->start);
  else
    {
      g_string_append_len (out, self->xml + r->start, r->open_end - r->start);
      emit_children (self, out, node);
      g_string_append_len (out, self->xml + r->close_start, r->end - r->close_start);
    }
}

/* outer ranges before the ones inside them */
static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const Range *ra = a;
  const Range *rb = b;

  if (ra->start != rb->start)
    return ra->start < rb->start ? -1 : 1;
  return ra->end > rb->end ? -1 : ra->end < rb->end;
}

char *
refract_dsp_config_to_xml (RefractDspConfig *self)
{
  xmlNode *root;
  Range *r;
  GString *out;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);

  root = xmlDocGetRootElement (self->doc);
  r = range_of (root);
  if (!changed_within (self, root))
    return g_strdup (self->xml);
  g_array_sort (self->removed, compare_ranges);
  out = g_string_new (NULL);
  g_string_append_len (out, self->xml, r->start);
  emit_node (self, out, root);
  g_string_append (out, self->xml + r->end);
  return g_string_free (out, FALSE);
}

const char *
refract_dsp_config_get_original_xml (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);
  return self->xml;
}

gboolean
refract_dsp_config_get_modified (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return changed_within (self, xmlDocGetRootElement (self->doc));
}

/* ---- editing helpers ----------------------------------------------------------- */

static xmlNode *
child_element (xmlNode    *parent,
               const char *name)
{
  if (parent == NULL)
    return NULL;
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, (const xmlChar *) name))
      return child;
  return NULL;
}

/* the first child @name whose @attr is @value */
static xmlNode *
child_with (xmlNode    *parent,
            const char *name,
            const char *attr,
            const char *value)
{
  if (parent == NULL)
    return NULL;
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    {
      g_autofree char *v = NULL;

      if (child->type != XML_ELEMENT_NODE || !xmlStrEqual (child->name, (const xmlChar *) name))
        continue;
      v = (char *) xmlGetProp (child, (const xmlChar *) attr);
      if (g_strcmp0 (v, value) == 0)
        return child;
    }
  return NULL;
}

static xmlNode *
root_of (RefractDspConfig *self)
{
  return xmlDocGetRootElement (self->doc);
}

static void
touch (RefractDspConfig *self,
       xmlNode          *node)
{
  if (range_of (node) != NULL)
    g_hash_table_add (self->dirty, node);
}

static void
forget_subtree (RefractDspConfig *self,
                xmlNode          *node)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    forget_subtree (self, child);
  g_hash_table_remove (self->dirty, node);
}

/* Removes an element and the whitespace before it on its line. */
static void
remove_element (RefractDspConfig *self,
                xmlNode          *node)
{
  Range *r = range_of (node);
  xmlNode *prev = node->prev;

  if (r != NULL)
    {
      Range gone = *r;

      while (gone.start > 0 && g_ascii_isspace (self->xml[gone.start - 1]) &&
             self->xml[gone.start - 1] != '\n')
        gone.start--;
      if (gone.start > 0 && self->xml[gone.start - 1] == '\n')
        gone.start--;
      g_array_append_val (self->removed, gone);
    }
  /* for when the parent is serialized whole */
  if (prev != NULL && prev->type == XML_TEXT_NODE && xmlIsBlankNode (prev))
    {
      xmlUnlinkNode (prev);
      xmlFreeNode (prev);
    }
  forget_subtree (self, node);
  xmlUnlinkNode (node);
  xmlFreeNode (node);
}

static int
indent_of (xmlNode *node)
{
  int depth = 0;

  for (xmlNode *up = node; up->parent && up->parent->type == XML_ELEMENT_NODE; up = up->parent)
    depth++;
  return depth * 2;
}

/* A new child of @parent, after the last child named in @after (or first). */
static xmlNode *
add_element (RefractDspConfig   *self,
             xmlNode            *parent,
             const char         *name,
             const char * const *after)
{
  xmlNode *node = xmlNewDocNode (self->doc, NULL, (const xmlChar *) name, NULL);
  xmlNode *anchor = NULL;
  Range *pr = range_of (parent);

  for (guint i = 0; after != NULL && after[i] != NULL; i++)
    for (xmlNode *child = parent->children; child != NULL; child = child->next)
      if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, (const xmlChar *) after[i]))
        anchor = child;
  if (anchor != NULL)
    xmlAddNextSibling (anchor, node);
  else if (parent->children != NULL)
    {
      xmlNode *first = parent->children;

      while (first->next && first->type != XML_ELEMENT_NODE)
        first = first->next;
      if (first->type == XML_ELEMENT_NODE)
        xmlAddPrevSibling (first, node);
      else
        xmlAddChild (parent, node);
    }
  else
    xmlAddChild (parent, node);

  /* a parent that was <empty/> in the text, or is rewritten whole anyway,
   * gets its formatting from text nodes */
  if (pr == NULL || pr->open_end == pr->end || g_hash_table_contains (self->dirty, parent))
    {
      g_autofree char *ws = g_strdup_printf ("\n%*s", indent_of (node), "");
      xmlAddPrevSibling (node, xmlNewDocText (self->doc, (const xmlChar *) ws));
      if (node->next == NULL)
        {
          g_autofree char *close = g_strdup_printf ("\n%*s", indent_of (parent), "");
          xmlAddNextSibling (node, xmlNewDocText (self->doc, (const xmlChar *) close));
        }
      touch (self, parent);
    }
  return node;
}

static xmlNode *
ensure_element (RefractDspConfig   *self,
                xmlNode            *parent,
                const char         *name,
                const char * const *after)
{
  xmlNode *node = child_element (parent, name);

  return node ? node : add_element (self, parent, name, after);
}

static void
set_prop (RefractDspConfig *self,
          xmlNode          *node,
          const char       *name,
          const char       *value)
{
  g_autofree char *old = (char *) xmlGetProp (node, (const xmlChar *) name);

  if (g_strcmp0 (old, value) == 0)
    return;
  if (value == NULL)
    xmlUnsetProp (node, (const xmlChar *) name);
  else
    xmlSetProp (node, (const xmlChar *) name, (const xmlChar *) value);
  touch (self, node);
}

static void
set_text (RefractDspConfig *self,
          xmlNode          *node,
          const char       *text)
{
  g_autofree char *old = (char *) xmlNodeGetContent (node);

  if (g_strcmp0 (old, text) == 0)
    return;
  xmlNodeSetContent (node, (const xmlChar *) text);
  touch (self, node);
}

/* Drops an element when it has no element children left. */
static void
remove_if_empty (RefractDspConfig *self,
                 xmlNode          *node)
{
  if (node == NULL)
    return;
  for (xmlNode *child = node->children; child != NULL; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      return;
  remove_element (self, node);
}

static void
changed (RefractDspConfig *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static char *
prop (xmlNode    *node,
      const char *name)
{
  return node ? (char *) xmlGetProp (node, (const xmlChar *) name) : NULL;
}

static guint64
text_u64 (xmlNode *node)
{
  g_autofree char *text = node ? (char *) xmlNodeGetContent (node) : NULL;

  return text ? g_ascii_strtoull (g_strstrip (text), NULL, 10) : 0;
}

/* A memory element's value in KiB, with its unit attribute */
static guint64
memory_kib (xmlNode *node)
{
  static const struct { const char *unit; guint64 factor_bytes; } units[] = {
    { "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
    { "MB", 1000000 }, { "M", 1048576 }, { "MiB", 1048576 },
    { "GB", 1000000000 }, { "G", 1073741824 }, { "GiB", 1073741824 },
  };
  g_autofree char *unit = prop (node, "unit");
  guint64 value = text_u64 (node);

  if (unit == NULL)
    return value;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (unit, units[i].unit) == 0 && strcmp (unit, units[i].unit) == 0)
      return value * units[i].factor_bytes / 1024;
  return value;
}

static const char * const after_memory[] = { "name", "uuid", "title", "description", "metadata",
                                             "maxMemory", "memory", "currentMemory", "blkiotune",
                                             NULL };
static const char * const after_backing[] = { "memory", "currentMemory", "blkiotune", "memtune", NULL };
static const char * const after_vcpu[] = { "memory", "currentMemory", "memtune", "memoryBacking",
                                           "vcpu", NULL };
static const char * const after_iothreads[] = { "memory", "currentMemory", "memtune",
                                                "memoryBacking", "vcpu", "vcpus", "iothreads",
                                                "iothreadids", NULL };
static const char * const after_cputune[] = { "vcpu", "vcpus", "iothreads", "iothreadids",
                                              "cputune", NULL };
static const char * const after_os[] = { "os", "idmap", NULL };
static const char * const after_features[] = { "os", "features", NULL };

/* ---- read-only facts ------------------------------------------------------------ */

const char *
refract_dsp_config_get_domain_type (RefractDspConfig *self)
{
  xmlAttr *type;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);
  type = xmlHasProp (root_of (self), (const xmlChar *) "type");
  return type && type->children ? (const char *) type->children->content : NULL;
}

gboolean
refract_dsp_config_get_is_running (RefractDspConfig *self)
{
  g_autofree char *id = NULL;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  id = (char *) xmlGetProp (root_of (self), (const xmlChar *) "id");
  return id != NULL && g_strcmp0 (id, "-1") != 0;
}

const char *
refract_dsp_config_get_name (RefractDspConfig *self)
{
  xmlNode *name;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);
  name = child_element (root_of (self), "name");
  return name && name->children ? (const char *) name->children->content : NULL;
}

guint64
refract_dsp_config_get_memory_kib (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), 0);
  return memory_kib (child_element (root_of (self), "memory"));
}

gboolean
refract_dsp_config_get_has_usb_controller (RefractDspConfig *self)
{
  xmlNode *devices;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  devices = child_element (root_of (self), "devices");
  for (xmlNode *c = devices ? devices->children : NULL; c != NULL; c = c->next)
    {
      g_autofree char *type = NULL;
      g_autofree char *model = NULL;

      if (c->type != XML_ELEMENT_NODE || !xmlStrEqual (c->name, (const xmlChar *) "controller"))
        continue;
      type = prop (c, "type");
      model = prop (c, "model");
      if (g_strcmp0 (type, "usb") == 0 && g_strcmp0 (model, "none") != 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- vcpu, iothreads ------------------------------------------------------------- */

guint
refract_dsp_config_get_vcpus (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), 0);
  return MAX (text_u64 (child_element (root_of (self), "vcpu")), 1);
}

void
refract_dsp_config_set_vcpus (RefractDspConfig *self,
                              guint             vcpus)
{
  g_autofree char *text = g_strdup_printf ("%u", vcpus);

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  g_return_if_fail (vcpus > 0);
  set_text (self, ensure_element (self, root_of (self), "vcpu", after_memory), text);
  changed (self);
}

guint
refract_dsp_config_get_iothreads (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), 0);
  return text_u64 (child_element (root_of (self), "iothreads"));
}

void
refract_dsp_config_set_iothreads (RefractDspConfig *self,
                                  guint             iothreads)
{
  xmlNode *node;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  node = child_element (root_of (self), "iothreads");
  if (iothreads == 0)
    {
      if (node != NULL)
        remove_element (self, node);
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("%u", iothreads);

      set_text (self, node ? node : add_element (self, root_of (self), "iothreads", after_vcpu), text);
    }
  changed (self);
}

/* ---- cputune ---------------------------------------------------------------------- */

static xmlNode *
cputune (RefractDspConfig *self,
         gboolean          create)
{
  xmlNode *node = child_element (root_of (self), "cputune");

  if (node == NULL && create)
    node = add_element (self, root_of (self), "cputune", after_iothreads);
  return node;
}

static gboolean
read_cpuset (xmlNode       *node,
             RefractCpuSet *set)
{
  g_autofree char *cpuset = prop (node, "cpuset");

  refract_cpu_set_clear (set);
  return cpuset != NULL && refract_cpu_set_parse (set, cpuset, NULL);
}

/* Sets or removes <@name @key=@id cpuset/> in <cputune>. */
static void
set_pin (RefractDspConfig    *self,
         const char          *name,
         const char          *key,
         guint                id,
         const RefractCpuSet *set)
{
  static const char * const pin_order[] = { "shares", "period", "quota", "global_period",
                                            "global_quota", "vcpupin", "emulatorpin",
                                            "iothreadpin", NULL };
  g_autofree char *id_text = key ? g_strdup_printf ("%u", id) : NULL;
  xmlNode *tune = cputune (self, set != NULL);
  xmlNode *pin = key ? child_with (tune, name, key, id_text) : child_element (tune, name);

  if (set == NULL || refract_cpu_set_is_empty (set))
    {
      if (pin != NULL)
        {
          remove_element (self, pin);
          remove_if_empty (self, tune);
        }
    }
  else
    {
      g_autofree char *cpus = refract_cpu_set_format (set);

      if (pin == NULL)
        {
          pin = add_element (self, tune, name, pin_order);
          if (key)
            xmlSetProp (pin, (const xmlChar *) key, (const xmlChar *) id_text);
        }
      set_prop (self, pin, "cpuset", cpus);
    }
  changed (self);
}

gboolean
refract_dsp_config_get_vcpu_pin (RefractDspConfig *self,
                                 guint             vcpu,
                                 RefractCpuSet    *set)
{
  g_autofree char *id = g_strdup_printf ("%u", vcpu);

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return read_cpuset (child_with (cputune (self, FALSE), "vcpupin", "vcpu", id), set);
}

void
refract_dsp_config_set_vcpu_pin (RefractDspConfig    *self,
                                 guint                vcpu,
                                 const RefractCpuSet *set)
{
  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  set_pin (self, "vcpupin", "vcpu", vcpu, set);
}

gboolean
refract_dsp_config_get_emulator_pin (RefractDspConfig *self,
                                     RefractCpuSet    *set)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return read_cpuset (child_element (cputune (self, FALSE), "emulatorpin"), set);
}

void
refract_dsp_config_set_emulator_pin (RefractDspConfig    *self,
                                     const RefractCpuSet *set)
{
  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  set_pin (self, "emulatorpin", NULL, 0, set);
}

gboolean
refract_dsp_config_get_iothread_pin (RefractDspConfig *self,
                                     guint             iothread,
                                     RefractCpuSet    *set)
{
  g_autofree char *id = g_strdup_printf ("%u", iothread);

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return read_cpuset (child_with (cputune (self, FALSE), "iothreadpin", "iothread", id), set);
}

void
refract_dsp_config_set_iothread_pin (RefractDspConfig    *self,
                                     guint                iothread,
                                     const RefractCpuSet *set)
{
  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  set_pin (self, "iothreadpin", "iothread", iothread, set);
}

RefractCpuSet
refract_dsp_config_get_vcpu_cpus (RefractDspConfig *self)
{
  RefractCpuSet all;
  guint n = refract_dsp_config_get_vcpus (self);

  refract_cpu_set_clear (&all);
  for (guint v = 0; v < n; v++)
    {
      RefractCpuSet one;

      if (refract_dsp_config_get_vcpu_pin (self, v, &one))
        refract_cpu_set_union (&all, &one);
    }
  return all;
}

const char *
refract_vcpu_sched_to_string (RefractVcpuSched sched)
{
  switch (sched)
    {
    case REFRACT_VCPU_SCHED_FIFO:
      return "fifo";
    case REFRACT_VCPU_SCHED_RR:
      return "rr";
    case REFRACT_VCPU_SCHED_NONE:
    default:
      return "none";
    }
}

RefractVcpuSched
refract_dsp_config_get_scheduler (RefractDspConfig  *self,
                                  guint             *priority,
                                  char             **vcpus)
{
  xmlNode *sched;
  g_autofree char *name = NULL;
  g_autofree char *prio = NULL;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), REFRACT_VCPU_SCHED_NONE);
  sched = child_element (cputune (self, FALSE), "vcpusched");
  name = prop (sched, "scheduler");
  prio = prop (sched, "priority");
  if (priority != NULL)
    *priority = prio ? g_ascii_strtoull (prio, NULL, 10) : 0;
  if (vcpus != NULL)
    *vcpus = prop (sched, "vcpus");
  if (g_strcmp0 (name, "fifo") == 0)
    return REFRACT_VCPU_SCHED_FIFO;
  if (g_strcmp0 (name, "rr") == 0)
    return REFRACT_VCPU_SCHED_RR;
  return REFRACT_VCPU_SCHED_NONE;
}

void
refract_dsp_config_set_scheduler (RefractDspConfig *self,
                                  RefractVcpuSched  sched,
                                  guint             priority)
{
  static const char * const sched_order[] = { "vcpupin", "emulatorpin", "iothreadpin",
                                              "vcpusched", NULL };
  xmlNode *tune;
  xmlNode *node;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  tune = cputune (self, sched != REFRACT_VCPU_SCHED_NONE);
  node = child_element (tune, "vcpusched");
  /* libvirt defines one <vcpusched> per vCPU ("0-1" comes back as "0" and
   * "1"): all of them go, but the first, which then covers every vCPU */
  for (xmlNode *extra = node ? node->next : NULL, *next; extra != NULL; extra = next)
    {
      next = extra->next;
      if (extra->type == XML_ELEMENT_NODE && xmlStrEqual (extra->name, (const xmlChar *) "vcpusched"))
        remove_element (self, extra);
    }
  if (sched == REFRACT_VCPU_SCHED_NONE)
    {
      if (node != NULL)
        {
          remove_element (self, node);
          remove_if_empty (self, tune);
        }
    }
  else
    {
      guint n = refract_dsp_config_get_vcpus (self);
      g_autofree char *vcpus = n > 1 ? g_strdup_printf ("0-%u", n - 1) : g_strdup ("0");
      g_autofree char *prio = g_strdup_printf ("%u", priority);

      if (node == NULL)
        node = add_element (self, tune, "vcpusched", sched_order);
      set_prop (self, node, "vcpus", vcpus);
      set_prop (self, node, "scheduler", refract_vcpu_sched_to_string (sched));
      set_prop (self, node, "priority", prio);
    }
  changed (self);
}

/* ---- memory ----------------------------------------------------------------------- */

static xmlNode *
backing (RefractDspConfig *self,
         gboolean          create)
{
  xmlNode *node = child_element (root_of (self), "memoryBacking");

  if (node == NULL && create)
    node = add_element (self, root_of (self), "memoryBacking", after_backing);
  return node;
}

guint64
refract_dsp_config_get_hugepage_size_kib (RefractDspConfig *self)
{
  xmlNode *huge;
  xmlNode *page;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), 0);
  huge = child_element (backing (self, FALSE), "hugepages");
  if (huge == NULL)
    return 0;
  page = child_element (huge, "page");
  if (page == NULL)
    return 2048;
  {
    g_autofree char *size = prop (page, "size");
    g_autofree char *unit = prop (page, "unit");
    guint64 value = size ? g_ascii_strtoull (size, NULL, 10) : 2048;

    if (unit && (g_ascii_strcasecmp (unit, "M") == 0 || g_ascii_strcasecmp (unit, "MiB") == 0))
      value *= 1024;
    else if (unit && (g_ascii_strcasecmp (unit, "G") == 0 || g_ascii_strcasecmp (unit, "GiB") == 0))
      value *= 1024 * 1024;
    return value;
  }
}

void
refract_dsp_config_set_hugepage_size_kib (RefractDspConfig *self,
                                          guint64           size_kib)
{
  xmlNode *mb;
  xmlNode *huge;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  mb = backing (self, size_kib != 0);
  huge = child_element (mb, "hugepages");
  if (size_kib == 0)
    {
      if (huge != NULL)
        {
          remove_element (self, huge);
          remove_if_empty (self, mb);
        }
    }
  else
    {
      g_autofree char *size = g_strdup_printf ("%" G_GUINT64_FORMAT, size_kib);
      xmlNode *page;

      if (huge == NULL)
        huge = add_element (self, mb, "hugepages", NULL);
      page = child_element (huge, "page");
      if (page == NULL)
        page = add_element (self, huge, "page", NULL);
      set_prop (self, page, "size", size);
      set_prop (self, page, "unit", "KiB");
    }
  changed (self);
}

static void
set_flag_element (RefractDspConfig *self,
                  xmlNode          *parent,
                  const char       *name,
                  gboolean          on)
{
  xmlNode *node = child_element (parent, name);

  if (on && node == NULL)
    add_element (self, parent, name, (const char * const[]) { "hugepages", "nosharepages", "locked", NULL });
  else if (!on && node != NULL)
    {
      remove_element (self, node);
      remove_if_empty (self, parent);
    }
  changed (self);
}

gboolean
refract_dsp_config_get_locked (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return child_element (backing (self, FALSE), "locked") != NULL;
}

void
refract_dsp_config_set_locked (RefractDspConfig *self,
                               gboolean          locked)
{
  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  set_flag_element (self, backing (self, locked), "locked", locked);
}

gboolean
refract_dsp_config_get_nosharepages (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return child_element (backing (self, FALSE), "nosharepages") != NULL;
}

void
refract_dsp_config_set_nosharepages (RefractDspConfig *self,
                                     gboolean          nosharepages)
{
  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  set_flag_element (self, backing (self, nosharepages), "nosharepages", nosharepages);
}

guint64
refract_dsp_config_get_hard_limit_kib (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), 0);
  return memory_kib (child_element (child_element (root_of (self), "memtune"), "hard_limit"));
}

void
refract_dsp_config_set_hard_limit_kib (RefractDspConfig *self,
                                       guint64           kib)
{
  xmlNode *tune;
  xmlNode *limit;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  tune = child_element (root_of (self), "memtune");
  limit = child_element (tune, "hard_limit");
  if (kib == 0)
    {
      if (limit != NULL)
        {
          remove_element (self, limit);
          remove_if_empty (self, tune);
        }
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, kib);

      if (tune == NULL)
        tune = add_element (self, root_of (self), "memtune", after_memory);
      if (limit == NULL)
        limit = add_element (self, tune, "hard_limit", NULL);
      set_prop (self, limit, "unit", "KiB");
      set_text (self, limit, text);
    }
  changed (self);
}

char *
refract_dsp_config_dup_numa_nodeset (RefractDspConfig  *self,
                                     char             **mode)
{
  xmlNode *memory;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);
  memory = child_element (child_element (root_of (self), "numatune"), "memory");
  if (mode != NULL)
    *mode = prop (memory, "mode");
  return prop (memory, "nodeset");
}

void
refract_dsp_config_set_numa_nodeset (RefractDspConfig *self,
                                     const char       *mode,
                                     const char       *nodeset)
{
  xmlNode *tune;
  xmlNode *memory;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  tune = child_element (root_of (self), "numatune");
  memory = child_element (tune, "memory");
  if (nodeset == NULL)
    {
      if (memory != NULL)
        {
          remove_element (self, memory);
          remove_if_empty (self, tune);
        }
    }
  else
    {
      if (tune == NULL)
        tune = add_element (self, root_of (self), "numatune", after_cputune);
      if (memory == NULL)
        memory = add_element (self, tune, "memory", NULL);
      set_prop (self, memory, "mode", mode ? mode : "strict");
      set_prop (self, memory, "nodeset", nodeset);
    }
  changed (self);
}

/* ---- features, cpu, memballoon ------------------------------------------------------ */

static xmlNode *
features (RefractDspConfig *self,
          gboolean          create)
{
  xmlNode *node = child_element (root_of (self), "features");

  if (node == NULL && create)
    node = add_element (self, root_of (self), "features", after_os);
  return node;
}

static gboolean
state_is (xmlNode    *node,
          const char *state)
{
  g_autofree char *value = prop (node, "state");

  return node != NULL && g_strcmp0 (value, state) == 0;
}

gboolean
refract_dsp_config_get_pmu_off (RefractDspConfig *self)
{
  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  return state_is (child_element (features (self, FALSE), "pmu"), "off");
}

void
refract_dsp_config_set_pmu_off (RefractDspConfig *self,
                                gboolean          off)
{
  xmlNode *feats;
  xmlNode *pmu;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  feats = features (self, off);
  pmu = child_element (feats, "pmu");
  if (off)
    set_prop (self, pmu ? pmu : add_element (self, feats, "pmu", NULL), "state", "off");
  else if (pmu != NULL)
    remove_element (self, pmu);
  changed (self);
}

gboolean
refract_dsp_config_get_hint_dedicated (RefractDspConfig *self)
{
  xmlNode *kvm;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  kvm = child_element (features (self, FALSE), "kvm");
  return state_is (child_element (kvm, "hint-dedicated"), "on");
}

void
refract_dsp_config_set_hint_dedicated (RefractDspConfig *self,
                                       gboolean          on)
{
  xmlNode *feats;
  xmlNode *kvm;
  xmlNode *hint;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  feats = features (self, on);
  kvm = child_element (feats, "kvm");
  hint = child_element (kvm, "hint-dedicated");
  if (on)
    {
      if (kvm == NULL)
        kvm = add_element (self, feats, "kvm", NULL);
      set_prop (self, hint ? hint : add_element (self, kvm, "hint-dedicated", NULL), "state", "on");
    }
  else if (hint != NULL)
    {
      remove_element (self, hint);
      remove_if_empty (self, kvm);
    }
  changed (self);
}

static xmlNode *
cpu_element (RefractDspConfig *self,
             gboolean          create)
{
  xmlNode *node = child_element (root_of (self), "cpu");

  if (node == NULL && create)
    node = add_element (self, root_of (self), "cpu", after_features);
  return node;
}

const char *
refract_dsp_config_get_cpu_mode (RefractDspConfig *self)
{
  xmlNode *cpu;
  xmlAttr *mode;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), NULL);
  cpu = cpu_element (self, FALSE);
  if (cpu == NULL)
    return NULL;
  mode = xmlHasProp (cpu, (const xmlChar *) "mode");
  return mode && mode->children ? (const char *) mode->children->content : "custom";
}

gboolean
refract_dsp_config_get_host_passthrough (RefractDspConfig *self)
{
  return g_strcmp0 (refract_dsp_config_get_cpu_mode (self), "host-passthrough") == 0;
}

void
refract_dsp_config_set_host_passthrough (RefractDspConfig *self,
                                         gboolean          on)
{
  xmlNode *cpu;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  cpu = cpu_element (self, on);
  if (cpu == NULL)
    return;
  if (on)
    {
      xmlNode *model = child_element (cpu, "model");

      set_prop (self, cpu, "mode", "host-passthrough");
      set_prop (self, cpu, "check", "none");
      if (model != NULL)
        remove_element (self, model);
    }
  else
    set_prop (self, cpu, "mode", "host-model");
  changed (self);
}

static guint
uint_prop (xmlNode    *node,
           const char *name,
           guint       fallback)
{
  g_autofree char *value = prop (node, name);

  return value ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

gboolean
refract_dsp_config_get_topology (RefractDspConfig *self,
                                 guint            *sockets,
                                 guint            *dies,
                                 guint            *cores,
                                 guint            *threads)
{
  xmlNode *topology;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  topology = child_element (cpu_element (self, FALSE), "topology");
  if (sockets)
    *sockets = uint_prop (topology, "sockets", 1);
  if (dies)
    *dies = uint_prop (topology, "dies", 1);
  if (cores)
    *cores = uint_prop (topology, "cores", 1);
  if (threads)
    *threads = uint_prop (topology, "threads", 1);
  return topology != NULL;
}

void
refract_dsp_config_set_topology (RefractDspConfig *self,
                                 guint             sockets,
                                 guint             dies,
                                 guint             cores,
                                 guint             threads)
{
  xmlNode *cpu;
  xmlNode *topology;
  char text[16];

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  cpu = cpu_element (self, TRUE);
  topology = child_element (cpu, "topology");
  if (topology == NULL)
    topology = add_element (self, cpu, "topology", (const char * const[]) { "model", "vendor", NULL });
  g_snprintf (text, sizeof text, "%u", sockets);
  set_prop (self, topology, "sockets", text);
  g_snprintf (text, sizeof text, "%u", dies);
  set_prop (self, topology, "dies", text);
  g_snprintf (text, sizeof text, "%u", cores);
  set_prop (self, topology, "cores", text);
  g_snprintf (text, sizeof text, "%u", threads);
  set_prop (self, topology, "threads", text);
  changed (self);
}

gboolean
refract_dsp_config_get_tsc_deadline (RefractDspConfig *self)
{
  xmlNode *feature;
  g_autofree char *policy = NULL;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), FALSE);
  feature = child_with (cpu_element (self, FALSE), "feature", "name", "tsc-deadline");
  policy = prop (feature, "policy");
  return feature != NULL && (policy == NULL || g_strcmp0 (policy, "require") == 0 ||
                             g_strcmp0 (policy, "force") == 0);
}

void
refract_dsp_config_set_tsc_deadline (RefractDspConfig *self,
                                     gboolean          required)
{
  xmlNode *cpu;
  xmlNode *feature;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  cpu = cpu_element (self, required);
  feature = child_with (cpu, "feature", "name", "tsc-deadline");
  if (required)
    {
      if (feature == NULL)
        {
          feature = add_element (self, cpu, "feature",
                                 (const char * const[]) { "model", "vendor", "topology", "feature", NULL });
          xmlSetProp (feature, (const xmlChar *) "name", (const xmlChar *) "tsc-deadline");
        }
      set_prop (self, feature, "policy", "require");
    }
  else if (feature != NULL)
    remove_element (self, feature);
  changed (self);
}

gboolean
refract_dsp_config_get_has_memballoon (RefractDspConfig *self)
{
  xmlNode *balloon;
  g_autofree char *model = NULL;

  g_return_val_if_fail (REFRACT_IS_DSP_CONFIG (self), TRUE);
  balloon = child_element (child_element (root_of (self), "devices"), "memballoon");
  model = prop (balloon, "model");
  /* libvirt adds a virtio balloon when there is no element */
  return g_strcmp0 (model, "none") != 0;
}

void
refract_dsp_config_set_has_memballoon (RefractDspConfig *self,
                                       gboolean          has)
{
  xmlNode *devices;
  xmlNode *balloon;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  devices = child_element (root_of (self), "devices");
  if (devices == NULL)
    devices = add_element (self, root_of (self), "devices", NULL);
  balloon = child_element (devices, "memballoon");
  if (has)
    {
      if (balloon != NULL)
        remove_element (self, balloon);
      changed (self);
      return;
    }
  if (balloon == NULL)
    balloon = add_element (self, devices, "memballoon", (const char * const[]) { "memballoon", "video", "sound", "input", "graphics", "console", "serial", "interface", "disk", NULL });
  else
    {
      g_autofree char *model = prop (balloon, "model");

      if (g_strcmp0 (model, "none") == 0)
        return;
      /* stats, address and driver belong to a real balloon */
      while (balloon->children != NULL)
        {
          xmlNode *child = balloon->children;

          forget_subtree (self, child);
          xmlUnlinkNode (child);
          xmlFreeNode (child);
        }
    }
  set_prop (self, balloon, "model", "none");
  touch (self, balloon);
  changed (self);
}

/* ---- loading and applying ------------------------------------------------------------ */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  virDomainPtr dom = task_data;
  gboolean live = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "live"));
  g_autofree char *xml = NULL;
  GError *error = NULL;
  RefractDspConfig *config;

  xml = virDomainGetXMLDesc (dom, live ? 0 : VIR_DOMAIN_XML_INACTIVE);
  if (xml == NULL)
    {
      g_task_return_error (task, refract_error_from_libvirt (_("Could not read the machine's definition")));
      return;
    }
  config = refract_dsp_config_new_from_xml (xml, &error);
  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, g_object_unref);
}

void
refract_dsp_config_load_async (RefractMachine      *machine,
                               gboolean             live,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  virDomainPtr dom;

  g_return_if_fail (REFRACT_IS_MACHINE (machine));

  g_task_set_source_tag (task, refract_dsp_config_load_async);
  dom = _refract_machine_ref_domain (machine);
  if (dom == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND,
                               _("The machine “%s” is gone."), refract_machine_get_name (machine));
      return;
    }
  g_object_set_data (G_OBJECT (task), "live", GINT_TO_POINTER (live));
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, load_thread);
}

RefractDspConfig *
refract_dsp_config_load_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  virDomainPtr dom;
  char        *base_xml;
  char        *xml;
  gboolean     live;
} ApplyData;

static void
apply_data_free (ApplyData *data)
{
  virDomainFree (data->dom);
  g_free (data->base_xml);
  g_free (data->xml);
  g_free (data);
}

/* A libvirt cpumap for @set, or all host CPUs when @set is NULL or empty. */
static guchar *
make_cpumap (virConnectPtr        conn,
             const RefractCpuSet *set,
             int                 *maplen)
{
  int ncpus = virNodeGetCPUMap (conn, NULL, NULL, 0);
  guchar *map;

  if (ncpus <= 0)
    ncpus = REFRACT_CPU_SET_MAX;
  *maplen = VIR_CPU_MAPLEN (ncpus);
  map = g_malloc0 (*maplen);
  for (int cpu = 0; cpu < ncpus; cpu++)
    if (set == NULL || refract_cpu_set_is_empty (set) || refract_cpu_set_has (set, cpu))
      VIR_USE_CPU (map, cpu);
  return map;
}

typedef enum { PIN_VCPU, PIN_EMULATOR, PIN_IOTHREAD } PinKind;

static int
pin_with_flags (virDomainPtr  dom,
                PinKind       kind,
                guint         id,
                guchar       *map,
                int           maplen,
                unsigned int  flags)
{
  switch (kind)
    {
    case PIN_VCPU:
      return virDomainPinVcpuFlags (dom, id, map, maplen, flags);
    case PIN_EMULATOR:
      return virDomainPinEmulator (dom, map, maplen, flags);
    case PIN_IOTHREAD:
      return virDomainPinIOThread (dom, id, map, maplen, flags);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
pin_live (virDomainPtr         dom,
          PinKind              kind,
          guint                id,
          const RefractCpuSet *set)
{
  int maplen;
  g_autofree guchar *map = make_cpumap (virDomainGetConnect (dom), set, &maplen);
  virErrorPtr error;

  if (pin_with_flags (dom, kind, id, map, maplen, VIR_DOMAIN_AFFECT_LIVE) == 0)
    return TRUE;
  /* Drivers that take no flags (libvirt's test driver, which the demo host
   * runs on) refuse AFFECT_LIVE; on a running machine AFFECT_CURRENT is the
   * same thing. */
  error = virGetLastError ();
  if (error == NULL || error->code != VIR_ERR_INVALID_ARG || virDomainIsActive (dom) != 1)
    return FALSE;
  return pin_with_flags (dom, kind, id, map, maplen, VIR_DOMAIN_AFFECT_CURRENT) == 0;
}

typedef struct
{
  RefractDspConfig *base;
  RefractDspConfig *next;
  GPtrArray        *restart;
  gboolean          live;
  gboolean          pinned;
  virDomainPtr      dom;
  GError           *error;
} Diff;

static void
diff_pin (Diff                *diff,
          PinKind              kind,
          guint                id,
          gboolean             had,
          const RefractCpuSet *before,
          gboolean             has,
          const RefractCpuSet *after,
          char                *what)
{
  g_autofree char *label = what;

  if (had == has && (!has || refract_cpu_set_equal (before, after)))
    return;
  if (!diff->live)
    {
      g_ptr_array_add (diff->restart, g_steal_pointer (&label));
      return;
    }
  if (diff->error == NULL && !pin_live (diff->dom, kind, id, has ? after : NULL))
    {
      g_autofree char *message = g_strdup_printf (_("Could not change “%s” on the running machine"), label);

      diff->error = refract_error_from_libvirt (message);
    }
  diff->pinned = TRUE;
}

static void
diff_pins (Diff *diff)
{
  guint vcpus = MIN (refract_dsp_config_get_vcpus (diff->base), refract_dsp_config_get_vcpus (diff->next));
  guint iothreads = MIN (refract_dsp_config_get_iothreads (diff->base),
                         refract_dsp_config_get_iothreads (diff->next));
  RefractCpuSet a, b;
  gboolean had, has;

  for (guint v = 0; v < vcpus; v++)
    {
      had = refract_dsp_config_get_vcpu_pin (diff->base, v, &a);
      has = refract_dsp_config_get_vcpu_pin (diff->next, v, &b);
      diff_pin (diff, PIN_VCPU, v, had, &a, has, &b, g_strdup_printf (_("pinning of vCPU %u"), v));
    }
  had = refract_dsp_config_get_emulator_pin (diff->base, &a);
  has = refract_dsp_config_get_emulator_pin (diff->next, &b);
  diff_pin (diff, PIN_EMULATOR, 0, had, &a, has, &b, g_strdup (_("pinning of the emulator")));
  for (guint t = 1; t <= iothreads; t++)
    {
      had = refract_dsp_config_get_iothread_pin (diff->base, t, &a);
      has = refract_dsp_config_get_iothread_pin (diff->next, t, &b);
      diff_pin (diff, PIN_IOTHREAD, t, had, &a, has, &b, g_strdup_printf (_("pinning of iothread %u"), t));
    }
}

#define DIFF_VALUE(diff, getter, label) \
  G_STMT_START { \
    if (getter ((diff)->base) != getter ((diff)->next)) \
      g_ptr_array_add ((diff)->restart, g_strdup (label)); \
  } G_STMT_END

static guint64
sched_key (RefractDspConfig *config)
{
  guint priority;
  RefractVcpuSched sched = refract_dsp_config_get_scheduler (config, &priority, NULL);

  return ((guint64) sched << 32) | priority;
}

static guint64
topology_key (RefractDspConfig *config)
{
  guint s, d, c, t;
  gboolean has = refract_dsp_config_get_topology (config, &s, &d, &c, &t);

  return has ? ((guint64) s << 48 | (guint64) d << 32 | (guint64) c << 16 | t) : 0;
}

static guint64
numa_key (RefractDspConfig *config)
{
  g_autofree char *mode = NULL;
  g_autofree char *nodeset = refract_dsp_config_dup_numa_nodeset (config, &mode);
  g_autofree char *both = g_strconcat (mode ? mode : "", "/", nodeset ? nodeset : "", NULL);

  return g_str_hash (both);
}

static guint64
cpu_mode_key (RefractDspConfig *config)
{
  const char *mode = refract_dsp_config_get_cpu_mode (config);

  return mode ? g_str_hash (mode) : 0;
}

static void
diff_restart (Diff *diff)
{
  DIFF_VALUE (diff, refract_dsp_config_get_vcpus, _("the number of vCPUs"));
  DIFF_VALUE (diff, refract_dsp_config_get_iothreads, _("the number of iothreads"));
  DIFF_VALUE (diff, sched_key, _("the real-time scheduler"));
  DIFF_VALUE (diff, refract_dsp_config_get_hugepage_size_kib, _("hugepages"));
  DIFF_VALUE (diff, refract_dsp_config_get_locked, _("locked memory"));
  DIFF_VALUE (diff, refract_dsp_config_get_nosharepages, _("memory sharing (KSM)"));
  DIFF_VALUE (diff, refract_dsp_config_get_hard_limit_kib, _("the memory hard limit"));
  DIFF_VALUE (diff, numa_key, _("NUMA memory placement"));
  DIFF_VALUE (diff, refract_dsp_config_get_pmu_off, _("the virtual PMU"));
  DIFF_VALUE (diff, refract_dsp_config_get_hint_dedicated, _("the KVM dedicated-CPU hint"));
  DIFF_VALUE (diff, cpu_mode_key, _("the CPU model"));
  DIFF_VALUE (diff, topology_key, _("the CPU topology"));
  DIFF_VALUE (diff, refract_dsp_config_get_tsc_deadline, _("the TSC deadline timer"));
  DIFF_VALUE (diff, refract_dsp_config_get_has_memballoon, _("the memory balloon"));
}

static void
apply_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ApplyData *data = task_data;
  g_autoptr(RefractDspApplyResult) result = g_new0 (RefractDspApplyResult, 1);
  g_autoptr(RefractDspConfig) base = refract_dsp_config_new_from_xml (data->base_xml, NULL);
  g_autoptr(RefractDspConfig) next = refract_dsp_config_new_from_xml (data->xml, NULL);
  g_autoptr(GPtrArray) restart = g_ptr_array_new_with_free_func (g_free);
  gboolean active = virDomainIsActive (data->dom) == 1;
  Diff diff = { base, next, restart, data->live && active, FALSE, data->dom, NULL };
  virDomainPtr defined;

  g_assert (base != NULL && next != NULL);
  if (virDomainIsPersistent (data->dom) == 1 || !active)
    {
      defined = virDomainDefineXML (virDomainGetConnect (data->dom), data->xml);
      if (defined == NULL)
        {
          g_task_return_error (task, refract_error_from_libvirt (_("libvirt refused the new settings")));
          return;
        }
      virDomainFree (defined);
      result->defined = TRUE;
    }
  if (active)
    {
      diff_pins (&diff);
      diff_restart (&diff);
    }
  if (diff.error != NULL)
    {
      g_task_return_error (task, diff.error);
      return;
    }
  result->applied_live = diff.pinned;
  g_ptr_array_add (restart, NULL);
  result->needs_restart = (GStrv) g_ptr_array_steal (restart, NULL);
  g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) refract_dsp_apply_result_free);
}

void
refract_dsp_config_apply_async (RefractDspConfig    *self,
                                RefractMachine      *machine,
                                gboolean             live,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ApplyData *data;
  virDomainPtr dom;

  g_return_if_fail (REFRACT_IS_DSP_CONFIG (self));
  g_return_if_fail (REFRACT_IS_MACHINE (machine));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, refract_dsp_config_apply_async);
  dom = _refract_machine_ref_domain (machine);
  if (dom == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND,
                               _("The machine “%s” is gone."), refract_machine_get_name (machine));
      return;
    }
  data = g_new0 (ApplyData, 1);
  data->dom = dom;
  data->base_xml = g_strdup (self->xml);
  data->xml = refract_dsp_config_to_xml (self);
  data->live = live;
  g_task_set_task_data (task, data, (GDestroyNotify) apply_data_free);
  g_task_run_in_thread (task, apply_thread);
}

RefractDspApplyResult *
refract_dsp_config_apply_finish (RefractDspConfig  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
