/* refract-host-topology.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "refract-connection-private.h"
#include "refract-connection.h"
#include "refract-dsp-config-private.h"
#include "refract-host-topology.h"
#include "refract-model-error.h"
#include "refract-uri.h"

/* ---- CPU sets ---------------------------------------------------------------- */

void
refract_cpu_set_clear (RefractCpuSet *set)
{
  memset (set, 0, sizeof *set);
}

void
refract_cpu_set_add (RefractCpuSet *set,
                     guint          cpu)
{
  g_return_if_fail (cpu < REFRACT_CPU_SET_MAX);
  set->bits[cpu / 64] |= G_GUINT64_CONSTANT (1) << (cpu % 64);
}

void
refract_cpu_set_remove (RefractCpuSet *set,
                        guint          cpu)
{
  if (cpu < REFRACT_CPU_SET_MAX)
    set->bits[cpu / 64] &= ~(G_GUINT64_CONSTANT (1) << (cpu % 64));
}

gboolean
refract_cpu_set_has (const RefractCpuSet *set,
                     guint                cpu)
{
  return cpu < REFRACT_CPU_SET_MAX && (set->bits[cpu / 64] >> (cpu % 64)) & 1;
}

guint
refract_cpu_set_count (const RefractCpuSet *set)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (set->bits); i++)
    n += __builtin_popcountll (set->bits[i]);
  return n;
}

gboolean
refract_cpu_set_is_empty (const RefractCpuSet *set)
{
  return refract_cpu_set_first (set) < 0;
}

gboolean
refract_cpu_set_equal (const RefractCpuSet *a,
                       const RefractCpuSet *b)
{
  return memcmp (a, b, sizeof *a) == 0;
}

int
refract_cpu_set_next (const RefractCpuSet *set,
                      int                  cpu)
{
  for (guint i = cpu + 1; i < REFRACT_CPU_SET_MAX; i++)
    {
      if (set->bits[i / 64] == 0)
        {
          i |= 63;
          continue;
        }
      if (refract_cpu_set_has (set, i))
        return i;
    }
  return -1;
}

int
refract_cpu_set_first (const RefractCpuSet *set)
{
  return refract_cpu_set_next (set, -1);
}

void
refract_cpu_set_union (RefractCpuSet       *set,
                       const RefractCpuSet *other)
{
  for (guint i = 0; i < G_N_ELEMENTS (set->bits); i++)
    set->bits[i] |= other->bits[i];
}

void
refract_cpu_set_intersect (RefractCpuSet       *set,
                           const RefractCpuSet *other)
{
  for (guint i = 0; i < G_N_ELEMENTS (set->bits); i++)
    set->bits[i] &= other->bits[i];
}

void
refract_cpu_set_subtract (RefractCpuSet       *set,
                          const RefractCpuSet *other)
{
  for (guint i = 0; i < G_N_ELEMENTS (set->bits); i++)
    set->bits[i] &= ~other->bits[i];
}

gboolean
refract_cpu_set_intersects (const RefractCpuSet *a,
                            const RefractCpuSet *b)
{
  for (guint i = 0; i < G_N_ELEMENTS (a->bits); i++)
    if (a->bits[i] & b->bits[i])
      return TRUE;
  return FALSE;
}

gboolean
refract_cpu_set_is_subset (const RefractCpuSet *set,
                           const RefractCpuSet *of)
{
  for (guint i = 0; i < G_N_ELEMENTS (set->bits); i++)
    if (set->bits[i] & ~of->bits[i])
      return FALSE;
  return TRUE;
}

static gboolean
parse_cpu_number (const char *text,
                  guint      *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, REFRACT_CPU_SET_MAX - 1, &value, NULL))
    return FALSE;
  *out = value;
  return TRUE;
}

gboolean
refract_cpu_set_parse (RefractCpuSet  *set,
                       const char     *text,
                       GError        **error)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (set != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  refract_cpu_set_clear (set);
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return TRUE;
  parts = g_strsplit (stripped, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) range = g_strsplit (g_strstrip (parts[i]), "-", 2);
      guint from, to;

      if (!parse_cpu_number (range[0], &from) ||
          !parse_cpu_number (range[1] ? range[1] : range[0], &to) || to < from)
        {
          refract_cpu_set_clear (set);
          g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                       _("“%s” is not a list of CPUs such as “2-3” or “0,4”."), text);
          return FALSE;
        }
      for (guint cpu = from; cpu <= to; cpu++)
        refract_cpu_set_add (set, cpu);
    }
  return TRUE;
}

char *
refract_cpu_set_format (const RefractCpuSet *set)
{
  GString *out = g_string_new (NULL);
  int cpu = refract_cpu_set_first (set);

  while (cpu >= 0)
    {
      int last = cpu;
      int next;

      while ((next = refract_cpu_set_next (set, last)) == last + 1)
        last = next;
      if (out->len > 0)
        g_string_append_c (out, ',');
      if (last == cpu)
        g_string_append_printf (out, "%d", cpu);
      else
        g_string_append_printf (out, "%d-%d", cpu, last);
      cpu = next;
    }
  return g_string_free (out, FALSE);
}

/* ---- the object -------------------------------------------------------------- */

enum
{
  SET_ISOLATED,
  SET_NOHZ_FULL,
  SET_CMD_ISOLCPUS,
  SET_CMD_NOHZ_FULL,
  SET_CMD_RCU_NOCBS,
  SET_CMD_IRQAFFINITY,
  N_SETS
};

struct _RefractHostTopology
{
  GObject          parent_instance;

  gboolean         is_local;
  GArray          *cpus;        /* RefractHostCpu, by id */
  RefractCpuSet    all;
  RefractCpuSet    online;
  RefractCpuSet    sets[N_SETS];
  gboolean         known[N_SETS];
  char            *cmdline;
  char            *kernel_version;
  GPtrArray       *hugepages;
  RefractTristate  preempt_rt;
  gboolean         has_rt_runtime;
  gint64           rt_runtime_us;
  int              ksm_run;
  guint64          memory_kib;
};

G_DEFINE_FINAL_TYPE (RefractHostTopology, refract_host_topology, G_TYPE_OBJECT)

static void
refract_host_topology_finalize (GObject *object)
{
  RefractHostTopology *self = REFRACT_HOST_TOPOLOGY (object);

  g_array_unref (self->cpus);
  g_ptr_array_unref (self->hugepages);
  g_free (self->cmdline);
  g_free (self->kernel_version);

  G_OBJECT_CLASS (refract_host_topology_parent_class)->finalize (object);
}

static void
refract_host_topology_class_init (RefractHostTopologyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = refract_host_topology_finalize;
}

static void
refract_host_topology_init (RefractHostTopology *self)
{
  self->cpus = g_array_new (FALSE, TRUE, sizeof (RefractHostCpu));
  self->hugepages = g_ptr_array_new_with_free_func (g_free);
  self->preempt_rt = REFRACT_TRISTATE_UNKNOWN;
  self->ksm_run = -1;
}

/* ---- reading files below the root ---------------------------------------------- */

static char *
read_text (const char *root,
           const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (full, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

static gboolean
read_int (const char *root,
          const char *path,
          gint64     *out)
{
  g_autofree char *text = read_text (root, path);

  return text != NULL && g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out, NULL);
}

static int
read_small_int (const char *root,
                const char *path)
{
  gint64 value;

  return read_int (root, path, &value) && value >= -1 && value < G_MAXINT ? (int) value : -1;
}

static gboolean
read_cpu_set (const char    *root,
              const char    *path,
              RefractCpuSet *set)
{
  g_autofree char *text = read_text (root, path);

  return text != NULL && refract_cpu_set_parse (set, text, NULL);
}

static RefractHostCpu *
cpu_slot (RefractHostTopology *self,
          guint                id)
{
  for (guint i = 0; i < self->cpus->len; i++)
    if (g_array_index (self->cpus, RefractHostCpu, i).id == id)
      return &g_array_index (self->cpus, RefractHostCpu, i);
  return NULL;
}

static RefractHostCpu *
add_cpu (RefractHostTopology *self,
         guint                id)
{
  RefractHostCpu cpu = { id, TRUE, -1, -1, -1, -1, -1, { { 0 } } };

  if (cpu_slot (self, id) == NULL && id < REFRACT_CPU_SET_MAX)
    {
      g_array_append_val (self->cpus, cpu);
      refract_cpu_set_add (&self->all, id);
    }
  return cpu_slot (self, id);
}

static int
compare_cpus (gconstpointer a,
              gconstpointer b)
{
  return (int) ((const RefractHostCpu *) a)->id - (int) ((const RefractHostCpu *) b)->id;
}

static int
read_l3 (const char *root,
         guint       id)
{
  for (guint index = 0; index < 8; index++)
    {
      g_autofree char *dir = g_strdup_printf ("sys/devices/system/cpu/cpu%u/cache/index%u", id, index);
      g_autofree char *level_path = g_build_filename (dir, "level", NULL);
      g_autofree char *shared_path = g_build_filename (dir, "shared_cpu_list", NULL);
      RefractCpuSet shared;

      if (read_small_int (root, level_path) == 3 && read_cpu_set (root, shared_path, &shared))
        return refract_cpu_set_first (&shared);
    }
  return -1;
}

static void
read_one_cpu (RefractHostCpu *cpu,
              const char     *root)
{
  g_autofree char *dir = g_strdup_printf ("sys/devices/system/cpu/cpu%u/topology", cpu->id);
  g_autofree char *package = g_build_filename (dir, "physical_package_id", NULL);
  g_autofree char *die = g_build_filename (dir, "die_id", NULL);
  g_autofree char *core = g_build_filename (dir, "core_id", NULL);
  g_autofree char *core_cpus = g_build_filename (dir, "core_cpus_list", NULL);
  g_autofree char *siblings = g_build_filename (dir, "thread_siblings_list", NULL);

  cpu->package = read_small_int (root, package);
  cpu->die = read_small_int (root, die);
  cpu->core = read_small_int (root, core);
  if (!read_cpu_set (root, core_cpus, &cpu->siblings) &&
      !read_cpu_set (root, siblings, &cpu->siblings))
    refract_cpu_set_clear (&cpu->siblings);
  cpu->l3 = read_l3 (root, cpu->id);
}

static void
read_nodes (RefractHostTopology *self,
            const char          *root)
{
  g_autofree char *path = g_build_filename (root, "sys/devices/system/node", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *list = NULL;
      RefractCpuSet cpus;
      guint64 node;

      if (!g_str_has_prefix (name, "node") ||
          !g_ascii_string_to_unsigned (name + 4, 10, 0, 4095, &node, NULL))
        continue;
      list = g_strdup_printf ("sys/devices/system/node/%s/cpulist", name);
      if (!read_cpu_set (root, list, &cpus))
        continue;
      for (int cpu = refract_cpu_set_first (&cpus); cpu >= 0; cpu = refract_cpu_set_next (&cpus, cpu))
        {
          RefractHostCpu *slot = cpu_slot (self, cpu);

          if (slot != NULL)
            slot->node = node;
        }
    }
}

static gboolean
read_cpus (RefractHostTopology *self,
           const char          *root)
{
  g_autofree char *path = g_build_filename (root, "sys/devices/system/cpu", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      guint64 id;

      if (g_str_has_prefix (name, "cpu") &&
          g_ascii_string_to_unsigned (name + 3, 10, 0, REFRACT_CPU_SET_MAX - 1, &id, NULL))
        add_cpu (self, id);
    }
  if (self->cpus->len == 0)
    return FALSE;
  g_array_sort (self->cpus, compare_cpus);

  if (!read_cpu_set (root, "sys/devices/system/cpu/online", &self->online))
    self->online = self->all;
  for (guint i = 0; i < self->cpus->len; i++)
    {
      RefractHostCpu *cpu = &g_array_index (self->cpus, RefractHostCpu, i);

      cpu->online = refract_cpu_set_has (&self->online, cpu->id);
      read_one_cpu (cpu, root);
    }
  read_nodes (self, root);
  return TRUE;
}

/* isolcpus=managed_irq,domain,2-3: the flags are words, the rest the list */
static gboolean
parse_cmdline_list (const char    *value,
                    RefractCpuSet *set)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0' && !g_ascii_isdigit (parts[i][0]))
        continue;
      if (list->len > 0)
        g_string_append_c (list, ',');
      g_string_append (list, parts[i]);
    }
  return refract_cpu_set_parse (set, list->str, NULL);
}

static void
read_cmdline (RefractHostTopology *self,
              const char          *root)
{
  static const struct { const char *key; int set; } keys[] = {
    { "isolcpus=", SET_CMD_ISOLCPUS },
    { "nohz_full=", SET_CMD_NOHZ_FULL },
    { "rcu_nocbs=", SET_CMD_RCU_NOCBS },
    { "irqaffinity=", SET_CMD_IRQAFFINITY },
  };
  g_auto(GStrv) words = NULL;

  self->cmdline = read_text (root, "proc/cmdline");
  if (self->cmdline == NULL)
    return;
  words = g_strsplit_set (self->cmdline, " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
      if (g_str_has_prefix (words[i], keys[k].key))
        self->known[keys[k].set] = parse_cmdline_list (words[i] + strlen (keys[k].key),
                                                       &self->sets[keys[k].set]);
}

static RefractHugepages *
hugepages_new (guint64 size_kib,
               int     node)
{
  RefractHugepages *pages = g_new0 (RefractHugepages, 1);

  pages->size_kib = size_kib;
  pages->node = node;
  pages->total = pages->free = pages->reserved = pages->surplus = -1;
  return pages;
}

static gint64
read_count (const char *root,
            const char *dir,
            const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  gint64 value;

  return read_int (root, path, &value) ? value : -1;
}

/* hugepages-2048kB directories below @dir; @node -1 for the host */
static void
read_hugepage_dir (RefractHostTopology *self,
                   const char          *root,
                   const char          *dir,
                   int                  node)
{
  g_autofree char *path = g_build_filename (root, dir, NULL);
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *sub = NULL;
      RefractHugepages *pages;
      guint64 size;
      char *end;

      if (!g_str_has_prefix (name, "hugepages-"))
        continue;
      size = g_ascii_strtoull (name + 10, &end, 10);
      if (size == 0 || g_strcmp0 (end, "kB") != 0)
        continue;
      sub = g_build_filename (dir, name, NULL);
      pages = hugepages_new (size, node);
      pages->total = read_count (root, sub, "nr_hugepages");
      pages->free = read_count (root, sub, "free_hugepages");
      pages->reserved = read_count (root, sub, "resv_hugepages");
      pages->surplus = read_count (root, sub, "surplus_hugepages");
      g_ptr_array_add (self->hugepages, pages);
    }
}

static int
compare_hugepages (gconstpointer a,
                   gconstpointer b)
{
  const RefractHugepages *pa = *(RefractHugepages * const *) a;
  const RefractHugepages *pb = *(RefractHugepages * const *) b;

  if (pa->node != pb->node)
    return pa->node - pb->node;
  return pa->size_kib < pb->size_kib ? -1 : pa->size_kib > pb->size_kib;
}

static void
read_hugepages (RefractHostTopology *self,
                const char          *root)
{
  g_autofree char *nodes = g_build_filename (root, "sys/devices/system/node", NULL);
  g_autoptr(GDir) dir = g_dir_open (nodes, 0, NULL);
  const char *name;

  read_hugepage_dir (self, root, "sys/kernel/mm/hugepages", -1);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *sub = NULL;
      guint64 node;

      if (!g_str_has_prefix (name, "node") ||
          !g_ascii_string_to_unsigned (name + 4, 10, 0, 4095, &node, NULL))
        continue;
      sub = g_strdup_printf ("sys/devices/system/node/%s/hugepages", name);
      read_hugepage_dir (self, root, sub, node);
    }
  g_ptr_array_sort (self->hugepages, compare_hugepages);
}

static void
read_memory (RefractHostTopology *self,
             const char          *root)
{
  g_autofree char *meminfo = read_text (root, "proc/meminfo");
  const char *line;

  if (meminfo == NULL || (line = strstr (meminfo, "MemTotal:")) == NULL)
    return;
  self->memory_kib = g_ascii_strtoull (line + strlen ("MemTotal:"), NULL, 10);
}

static void
read_kernel (RefractHostTopology *self,
             const char          *root)
{
  g_autofree char *realtime = read_text (root, "sys/kernel/realtime");
  gint64 value;

  self->kernel_version = read_text (root, "proc/sys/kernel/version");
  if (self->kernel_version == NULL && g_strcmp0 (root, "/") == 0)
    {
      struct utsname name;

      if (uname (&name) == 0)
        self->kernel_version = g_strdup (name.version);
    }
  if (g_strcmp0 (realtime, "1") == 0)
    self->preempt_rt = REFRACT_TRISTATE_YES;
  else if (self->kernel_version != NULL)
    self->preempt_rt = strstr (self->kernel_version, "PREEMPT_RT") ? REFRACT_TRISTATE_YES
                                                                   : REFRACT_TRISTATE_NO;

  self->has_rt_runtime = read_int (root, "proc/sys/kernel/sched_rt_runtime_us", &self->rt_runtime_us);
  if (read_int (root, "sys/kernel/mm/ksm/run", &value) && value >= 0 && value <= 2)
    self->ksm_run = value;
}

RefractHostTopology *
refract_host_topology_new_from_root (const char  *root,
                                     GError     **error)
{
  g_autoptr(RefractHostTopology) self = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  self = g_object_new (REFRACT_TYPE_HOST_TOPOLOGY, NULL);
  self->is_local = TRUE;
  if (!read_cpus (self, root))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND,
                   _("No CPUs were found in %s/sys/devices/system/cpu."),
                   g_strcmp0 (root, "/") == 0 ? "" : root);
      return NULL;
    }
  self->known[SET_ISOLATED] = read_cpu_set (root, "sys/devices/system/cpu/isolated",
                                            &self->sets[SET_ISOLATED]);
  self->known[SET_NOHZ_FULL] = read_cpu_set (root, "sys/devices/system/cpu/nohz_full",
                                             &self->sets[SET_NOHZ_FULL]);
  read_cmdline (self, root);
  read_hugepages (self, root);
  read_memory (self, root);
  read_kernel (self, root);
  return g_steal_pointer (&self);
}

/* ---- from libvirt's capabilities ------------------------------------------------ */

static int
xml_int (xmlNode    *node,
         const char *attr)
{
  g_autofree char *value = (char *) xmlGetProp (node, (const xmlChar *) attr);
  gint64 number;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, -1, G_MAXINT, &number, NULL))
    return -1;
  return number;
}

static guint64
xml_text_u64 (xmlNode *node)
{
  g_autofree char *text = (char *) xmlNodeGetContent (node);

  return text ? g_ascii_strtoull (text, NULL, 10) : 0;
}

static void
caps_read_cell (RefractHostTopology *self,
                xmlXPathContext     *ctx,
                xmlNode             *cell)
{
  int node = xml_int (cell, "id");
  g_autoptr(xmlXPathObject) cpus = NULL;
  g_autoptr(xmlXPathObject) pages = NULL;
  g_autoptr(xmlXPathObject) memory = NULL;

  ctx->node = cell;
  memory = xmlXPathEvalExpression ((const xmlChar *) "memory", ctx);
  if (memory && memory->nodesetval && memory->nodesetval->nodeNr > 0)
    self->memory_kib += xml_text_u64 (memory->nodesetval->nodeTab[0]);

  cpus = xmlXPathEvalExpression ((const xmlChar *) "cpus/cpu", ctx);
  for (int i = 0; cpus && cpus->nodesetval && i < cpus->nodesetval->nodeNr; i++)
    {
      xmlNode *c = cpus->nodesetval->nodeTab[i];
      g_autofree char *siblings = (char *) xmlGetProp (c, (const xmlChar *) "siblings");
      int id = xml_int (c, "id");
      RefractHostCpu *cpu;

      if (id < 0 || (cpu = add_cpu (self, id)) == NULL)
        continue;
      cpu->node = node;
      cpu->package = xml_int (c, "socket_id");
      cpu->die = xml_int (c, "die_id");
      cpu->core = xml_int (c, "core_id");
      if (siblings == NULL || !refract_cpu_set_parse (&cpu->siblings, siblings, NULL))
        refract_cpu_set_clear (&cpu->siblings);
      refract_cpu_set_add (&self->online, id);
    }

  ctx->node = cell;
  pages = xmlXPathEvalExpression ((const xmlChar *) "pages", ctx);
  for (int i = 0; pages && pages->nodesetval && i < pages->nodesetval->nodeNr; i++)
    {
      xmlNode *p = pages->nodesetval->nodeTab[i];
      int size = xml_int (p, "size");
      RefractHugepages *entry;

      if (size <= 4)
        continue;
      entry = hugepages_new (size, node);
      entry->total = xml_text_u64 (p);
      g_ptr_array_add (self->hugepages, entry);
    }
}

/* host-wide totals from the per-node ones */
static void
sum_hugepages (RefractHostTopology *self)
{
  guint n = self->hugepages->len;

  for (guint i = 0; i < n; i++)
    {
      RefractHugepages *node = g_ptr_array_index (self->hugepages, i);
      RefractHugepages *total = (RefractHugepages *) refract_host_topology_find_hugepages (self, node->size_kib);

      if (total == NULL)
        {
          total = hugepages_new (node->size_kib, -1);
          total->total = 0;
          g_ptr_array_add (self->hugepages, total);
        }
      total->total += node->total;
    }
  g_ptr_array_sort (self->hugepages, compare_hugepages);
}

RefractHostTopology *
refract_host_topology_new_from_capabilities (const char  *caps_xml,
                                             GError     **error)
{
  g_autoptr(RefractHostTopology) self = g_object_new (REFRACT_TYPE_HOST_TOPOLOGY, NULL);
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(xmlXPathContext) ctx = NULL;
  g_autoptr(xmlXPathObject) cells = NULL;

  g_return_val_if_fail (caps_xml != NULL, NULL);

  doc = xmlReadMemory (caps_xml, strlen (caps_xml), "capabilities.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc != NULL)
    {
      ctx = xmlXPathNewContext (doc);
      cells = xmlXPathEvalExpression ((const xmlChar *) "/capabilities/host/topology/cells/cell", ctx);
    }
  for (int i = 0; cells && cells->nodesetval && i < cells->nodesetval->nodeNr; i++)
    caps_read_cell (self, ctx, cells->nodesetval->nodeTab[i]);
  if (self->cpus->len == 0)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND,
                   _("The host's capabilities don't describe its CPUs."));
      return NULL;
    }
  g_array_sort (self->cpus, compare_cpus);
  sum_hugepages (self);
  return g_steal_pointer (&self);
}

/* Hosts whose capabilities list no CPUs (the test driver): the counts of
 * virNodeGetInfo, numbered as Linux numbers them (second threads after all
 * first threads). */
RefractHostTopology *
refract_host_topology_new_from_counts (guint   sockets,
                                       guint   cores,
                                       guint   threads,
                                       guint64 memory_kib)
{
  RefractHostTopology *self = g_object_new (REFRACT_TYPE_HOST_TOPOLOGY, NULL);
  guint n_cores = MAX (sockets, 1) * MAX (cores, 1);
  guint n = MIN (n_cores * MAX (threads, 1), REFRACT_CPU_SET_MAX);

  for (guint id = 0; id < n; id++)
    {
      RefractHostCpu *cpu = add_cpu (self, id);

      cpu->package = (id % n_cores) / MAX (cores, 1);
      cpu->core = id % n_cores;
      cpu->die = 0;
      for (guint t = 0; t < MAX (threads, 1); t++)
        if ((id % n_cores) + t * n_cores < REFRACT_CPU_SET_MAX)
          refract_cpu_set_add (&cpu->siblings, (id % n_cores) + t * n_cores);
      refract_cpu_set_add (&self->online, id);
    }
  self->memory_kib = memory_kib;
  return self;
}

/* ---- loading for a connection ---------------------------------------------------- */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  RefractConnection *connection = task_data;
  const char *uri = refract_connection_get_uri (connection);
  virConnectPtr conn;
  g_autofree char *caps = NULL;
  GError *error = NULL;
  RefractHostTopology *self;

  if (refract_uri_is_local (uri) && !refract_uri_is_test (uri))
    {
      self = refract_host_topology_new_from_root ("/", &error);
      if (self != NULL)
        g_task_return_pointer (task, self, g_object_unref);
      else
        g_task_return_error (task, error);
      return;
    }
  conn = _refract_connection_ref_handle (connection);
  if (conn == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The connection is closed; connect to the host first."));
      return;
    }
  caps = virConnectGetCapabilities (conn);
  if (caps == NULL)
    {
      virConnectClose (conn);
      g_task_return_error (task, refract_error_from_libvirt (_("Could not read the host's capabilities")));
      return;
    }
  self = refract_host_topology_new_from_capabilities (caps, &error);
  if (self == NULL)
    {
      virNodeInfo info;

      if (virNodeGetInfo (conn, &info) == 0)
        {
          g_clear_error (&error);
          self = refract_host_topology_new_from_counts (info.nodes * info.sockets, info.cores,
                                                        info.threads, info.memory);
        }
    }
  virConnectClose (conn);
  if (self != NULL)
    g_task_return_pointer (task, self, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
refract_host_topology_load_async (RefractConnection   *connection,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (connection != NULL);

  g_task_set_source_tag (task, refract_host_topology_load_async);
  g_task_set_task_data (task, g_object_ref (connection), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

RefractHostTopology *
refract_host_topology_load_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- accessors ------------------------------------------------------------------- */

gboolean
refract_host_topology_get_is_local (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), FALSE);
  return self->is_local;
}

guint
refract_host_topology_get_n_cpus (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), 0);
  return self->cpus->len;
}

const RefractHostCpu *
refract_host_topology_get_cpu (RefractHostTopology *self,
                               guint                index)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  g_return_val_if_fail (index < self->cpus->len, NULL);
  return &g_array_index (self->cpus, RefractHostCpu, index);
}

const RefractHostCpu *
refract_host_topology_find_cpu (RefractHostTopology *self,
                                guint                cpu)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return cpu_slot (self, cpu);
}

static guint
count_distinct (RefractHostTopology *self,
                gint64             (*key) (const RefractHostCpu *cpu))
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *keys = g_new (gint64, self->cpus->len + 1);

  for (guint i = 0; i < self->cpus->len; i++)
    {
      keys[i] = key (&g_array_index (self->cpus, RefractHostCpu, i));
      if (keys[i] != G_MININT64)
        g_hash_table_add (seen, &keys[i]);
    }
  return g_hash_table_size (seen);
}

static gint64
package_key (const RefractHostCpu *cpu)
{
  return cpu->package < 0 ? G_MININT64 : cpu->package;
}

static gint64
core_key (const RefractHostCpu *cpu)
{
  if (cpu->core < 0)
    return G_MININT64;
  return ((gint64) MAX (cpu->package, 0) << 40) | ((gint64) MAX (cpu->die, 0) << 20) | cpu->core;
}

static gint64
node_key (const RefractHostCpu *cpu)
{
  return cpu->node < 0 ? G_MININT64 : cpu->node;
}

guint
refract_host_topology_get_n_packages (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), 0);
  return count_distinct (self, package_key);
}

guint
refract_host_topology_get_n_cores (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), 0);
  return count_distinct (self, core_key);
}

guint
refract_host_topology_get_n_nodes (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), 0);
  return count_distinct (self, node_key);
}

guint
refract_host_topology_get_threads_per_core (RefractHostTopology *self)
{
  guint most = 1;

  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), 1);
  for (guint i = 0; i < self->cpus->len; i++)
    most = MAX (most, refract_cpu_set_count (&g_array_index (self->cpus, RefractHostCpu, i).siblings));
  return most;
}

const RefractCpuSet *
refract_host_topology_get_all (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return &self->all;
}

const RefractCpuSet *
refract_host_topology_get_online (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return &self->online;
}

guint64
refract_host_topology_get_memory_kib (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), 0);
  return self->memory_kib;
}

static const RefractCpuSet *
get_set (RefractHostTopology *self,
         int                  which)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return self->known[which] ? &self->sets[which] : NULL;
}

const RefractCpuSet *
refract_host_topology_get_isolated (RefractHostTopology *self)
{
  return get_set (self, SET_ISOLATED);
}

const RefractCpuSet *
refract_host_topology_get_nohz_full (RefractHostTopology *self)
{
  return get_set (self, SET_NOHZ_FULL);
}

const RefractCpuSet *
refract_host_topology_get_cmdline_isolcpus (RefractHostTopology *self)
{
  return get_set (self, SET_CMD_ISOLCPUS);
}

const RefractCpuSet *
refract_host_topology_get_cmdline_nohz_full (RefractHostTopology *self)
{
  return get_set (self, SET_CMD_NOHZ_FULL);
}

const RefractCpuSet *
refract_host_topology_get_cmdline_rcu_nocbs (RefractHostTopology *self)
{
  return get_set (self, SET_CMD_RCU_NOCBS);
}

const RefractCpuSet *
refract_host_topology_get_cmdline_irqaffinity (RefractHostTopology *self)
{
  return get_set (self, SET_CMD_IRQAFFINITY);
}

const char *
refract_host_topology_get_cmdline (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return self->cmdline;
}

GPtrArray *
refract_host_topology_get_hugepages (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return self->hugepages;
}

const RefractHugepages *
refract_host_topology_find_hugepages (RefractHostTopology *self,
                                      guint64              size_kib)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  for (guint i = 0; i < self->hugepages->len; i++)
    {
      const RefractHugepages *pages = g_ptr_array_index (self->hugepages, i);

      if (pages->node == -1 && pages->size_kib == size_kib)
        return pages;
    }
  return NULL;
}

RefractTristate
refract_host_topology_get_preempt_rt (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), REFRACT_TRISTATE_UNKNOWN);
  return self->preempt_rt;
}

const char *
refract_host_topology_get_kernel_version (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), NULL);
  return self->kernel_version;
}

gboolean
refract_host_topology_get_sched_rt_runtime_us (RefractHostTopology *self,
                                               gint64              *value)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), FALSE);
  if (self->has_rt_runtime && value != NULL)
    *value = self->rt_runtime_us;
  return self->has_rt_runtime;
}

int
refract_host_topology_get_ksm_run (RefractHostTopology *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_TOPOLOGY (self), -1);
  return self->ksm_run;
}
