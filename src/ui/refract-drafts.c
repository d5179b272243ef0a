/* refract-drafts.c: settings edited on a machine's page and not applied yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-drafts.h"

typedef struct
{
  RefractMachine *machine;  /* weak */
  char           *kind;
  gpointer        data;
  GDestroyNotify  free_func;
} Draft;

/* few at a time: a person edits one or two machines */
static GPtrArray *drafts;

static void machine_gone (gpointer user_data, GObject *where_the_object_was);

static void
draft_free (gpointer data)
{
  Draft *draft = data;

  if (draft->machine != NULL)
    g_object_weak_unref (G_OBJECT (draft->machine), machine_gone, NULL);
  if (draft->free_func != NULL)
    draft->free_func (draft->data);
  g_free (draft->kind);
  g_free (draft);
}

static void
machine_gone (gpointer  user_data,
              GObject  *where_the_object_was)
{
  for (guint i = drafts->len; i > 0; i--)
    {
      Draft *draft = g_ptr_array_index (drafts, i - 1);

      if ((GObject *) draft->machine == where_the_object_was)
        {
          draft->machine = NULL;
          g_ptr_array_remove_index (drafts, i - 1);
        }
    }
}

static guint
find (RefractMachine *machine,
      const char     *kind)
{
  for (guint i = 0; drafts != NULL && i < drafts->len; i++)
    {
      Draft *draft = g_ptr_array_index (drafts, i);

      if (draft->machine == machine && g_str_equal (draft->kind, kind))
        return i;
    }
  return G_MAXUINT;
}

void
refract_drafts_put (RefractMachine *machine,
                    const char     *kind,
                    gpointer        data,
                    GDestroyNotify  free_func)
{
  Draft *draft;
  guint i;

  g_return_if_fail (REFRACT_IS_MACHINE (machine));
  g_return_if_fail (kind != NULL);

  if (drafts == NULL)
    drafts = g_ptr_array_new_with_free_func (draft_free);
  i = find (machine, kind);
  if (i != G_MAXUINT)
    g_ptr_array_remove_index (drafts, i);
  draft = g_new0 (Draft, 1);
  draft->machine = machine;
  draft->kind = g_strdup (kind);
  draft->data = data;
  draft->free_func = free_func;
  g_object_weak_ref (G_OBJECT (machine), machine_gone, NULL);
  g_ptr_array_add (drafts, draft);
}

gpointer
refract_drafts_take (RefractMachine *machine,
                     const char     *kind)
{
  guint i = find (machine, kind);
  Draft *draft;
  gpointer data;

  if (i == G_MAXUINT)
    return NULL;
  draft = g_ptr_array_index (drafts, i);
  data = g_steal_pointer (&draft->data);
  draft->free_func = NULL;
  g_ptr_array_remove_index (drafts, i);
  return data;
}

gboolean
refract_drafts_has (RefractMachine *machine,
                    const char     *kind)
{
  return find (machine, kind) != G_MAXUINT;
}

GPtrArray *
refract_drafts_get_machines (void)
{
  GPtrArray *machines = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; drafts != NULL && i < drafts->len; i++)
    {
      Draft *draft = g_ptr_array_index (drafts, i);

      if (!g_ptr_array_find (machines, draft->machine, NULL))
        g_ptr_array_add (machines, g_object_ref (draft->machine));
    }
  return machines;
}

void
refract_drafts_clear (void)
{
  if (drafts != NULL)
    g_ptr_array_set_size (drafts, 0);
}
