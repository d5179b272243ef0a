/* refract-machine-list.c: the machines of one connection, kept in step with events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-machine-list.h"

struct _RefractMachineList
{
  GObject     parent_instance;
  GPtrArray  *items;
  GHashTable *by_uuid;
};

static GType
list_get_item_type (GListModel *model)
{
  return REFRACT_TYPE_MACHINE;
}

static guint
list_get_n_items (GListModel *model)
{
  return REFRACT_MACHINE_LIST (model)->items->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  RefractMachineList *self = REFRACT_MACHINE_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (RefractMachineList, refract_machine_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MACHINE_STATE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
machine_state_changed (RefractMachine     *machine,
                       GParamSpec         *pspec,
                       RefractMachineList *self)
{
  g_signal_emit (self, signals[MACHINE_STATE_CHANGED], 0, machine);
}

static void
track (RefractMachineList *self, RefractMachine *machine)
{
  g_ptr_array_add (self->items, g_object_ref (machine));
  g_hash_table_insert (self->by_uuid, (gpointer) refract_machine_get_uuid (machine), machine);
  g_signal_connect_object (machine, "notify::state", G_CALLBACK (machine_state_changed), self, 0);
}

static void
untrack (gpointer data, gpointer user_data)
{
  g_signal_handlers_disconnect_by_func (data, machine_state_changed, user_data);
}

static void
refract_machine_list_finalize (GObject *object)
{
  RefractMachineList *self = (RefractMachineList *)object;

  g_ptr_array_foreach (self->items, untrack, self);
  g_clear_pointer (&self->by_uuid, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (refract_machine_list_parent_class)->finalize (object);
}

static void
refract_machine_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  RefractMachineList *self = REFRACT_MACHINE_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
refract_machine_list_class_init (RefractMachineListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = refract_machine_list_finalize;
  object_class->get_property = refract_machine_list_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Sorting by state needs to know; GTK's sort models don't watch items. */
  signals[MACHINE_STATE_CHANGED] =
    g_signal_new ("machine-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, REFRACT_TYPE_MACHINE);
}

static void
refract_machine_list_init (RefractMachineList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
}

RefractMachineList *
refract_machine_list_new (void)
{
  return g_object_new (REFRACT_TYPE_MACHINE_LIST, NULL);
}

RefractMachine *
refract_machine_list_find_by_uuid (RefractMachineList *self,
                                   const char         *uuid)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE_LIST (self), NULL);
  return uuid ? g_hash_table_lookup (self->by_uuid, uuid) : NULL;
}

RefractMachine *
refract_machine_list_find_by_name (RefractMachineList *self,
                                   const char         *name)
{
  g_return_val_if_fail (REFRACT_IS_MACHINE_LIST (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      RefractMachine *machine = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (refract_machine_get_name (machine), name) == 0
          || g_strcmp0 (refract_machine_get_title (machine), name) == 0)
        return machine;
    }
  return NULL;
}

static void
changed (RefractMachineList *self, guint position, guint removed, guint added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
_refract_machine_list_add (RefractMachineList *self,
                           RefractMachine     *machine)
{
  if (g_hash_table_contains (self->by_uuid, refract_machine_get_uuid (machine)))
    return;
  track (self, machine);
  changed (self, self->items->len - 1, 0, 1);
}

void
_refract_machine_list_remove (RefractMachineList *self,
                              RefractMachine     *machine)
{
  guint position;

  if (!g_ptr_array_find (self->items, machine, &position))
    return;
  g_hash_table_remove (self->by_uuid, refract_machine_get_uuid (machine));
  untrack (machine, self);
  g_ptr_array_remove_index (self->items, position);
  changed (self, position, 1, 0);
}

/* One items-changed for a whole listing, so 10,000 machines cost one update. */
void
_refract_machine_list_replace_all (RefractMachineList *self,
                                   GPtrArray          *machines)
{
  guint old_len = self->items->len;

  g_hash_table_remove_all (self->by_uuid);
  g_ptr_array_foreach (self->items, untrack, self);
  g_ptr_array_set_size (self->items, 0);
  for (guint i = 0; i < machines->len; i++)
    track (self, g_ptr_array_index (machines, i));
  if (old_len != 0 || self->items->len != 0)
    changed (self, 0, old_len, self->items->len);
}
