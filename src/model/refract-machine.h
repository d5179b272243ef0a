/* refract-machine.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-model-types.h"

G_BEGIN_DECLS

#define REFRACT_MACHINE_HISTORY_LENGTH 60

typedef enum
{
  REFRACT_MACHINE_ACTION_START,
  REFRACT_MACHINE_ACTION_SHUTDOWN,
  REFRACT_MACHINE_ACTION_FORCE_OFF,
  REFRACT_MACHINE_ACTION_REBOOT,
  REFRACT_MACHINE_ACTION_PAUSE,
  REFRACT_MACHINE_ACTION_RESUME,
  REFRACT_MACHINE_ACTION_SAVE,
  REFRACT_MACHINE_ACTION_DELETE,
} RefractMachineAction;

typedef struct
{
  char    *target;   /* vda, sda, hdc */
  char    *bus;      /* virtio, sata, ide, scsi, usb */
  char    *device;   /* disk, cdrom, floppy, lun */
  char    *source;   /* file path, volume "pool/vol", block device; NULL if empty */
  char    *format;   /* qcow2, raw; may be NULL */
  gint64   capacity; /* bytes, -1 when unknown */
  gboolean readonly;
  gboolean in_pool;  /* the source is a libvirt storage volume and can be deleted */
} RefractMachineDisk;

typedef struct
{
  char *type;    /* network, bridge, user, direct */
  char *source;  /* network or bridge name; may be NULL */
  char *mac;
  char *model;   /* virtio, e1000e; may be NULL */
  char *forwards; /* "2222→22/tcp" for user networking; may be NULL */
} RefractMachineNic;

typedef struct
{
  char *type;    /* spice, vnc */
  char *listen;  /* address, "none" or socket path; may be NULL */
  int   port;    /* -1 when automatic and not yet known */
} RefractMachineGraphics;

#define REFRACT_TYPE_MACHINE (refract_machine_get_type ())

G_DECLARE_FINAL_TYPE (RefractMachine, refract_machine, REFRACT, MACHINE, GObject)

RefractConnection   *refract_machine_get_connection        (RefractMachine       *self);
const char          *refract_machine_get_name              (RefractMachine       *self);
const char          *refract_machine_get_uuid              (RefractMachine       *self);
const char          *refract_machine_get_title             (RefractMachine       *self);
const char          *refract_machine_get_display_name      (RefractMachine       *self);
const char          *refract_machine_get_description       (RefractMachine       *self);
RefractMachineState  refract_machine_get_state             (RefractMachine       *self);
int                  refract_machine_get_state_reason      (RefractMachine       *self);
char                *refract_machine_dup_state_text        (RefractMachine       *self);
const char          *refract_machine_state_to_string       (RefractMachineState   state);
const char          *refract_machine_state_icon_name       (RefractMachineState   state);
gboolean             refract_machine_is_active             (RefractMachine       *self);
guint                refract_machine_get_vcpus             (RefractMachine       *self);
guint64              refract_machine_get_memory            (RefractMachine       *self);
guint64              refract_machine_get_max_memory        (RefractMachine       *self);
const char          *refract_machine_get_os_id             (RefractMachine       *self);
const char          *refract_machine_get_os_name           (RefractMachine       *self);
gboolean             refract_machine_get_has_graphics      (RefractMachine       *self);
gboolean             refract_machine_get_has_serial        (RefractMachine       *self);
gboolean             refract_machine_get_autostart         (RefractMachine       *self);
gboolean             refract_machine_get_persistent        (RefractMachine       *self);
gboolean             refract_machine_get_has_managed_save  (RefractMachine       *self);
gboolean             refract_machine_get_details_loaded    (RefractMachine       *self);
gboolean             refract_machine_get_busy              (RefractMachine       *self);
double               refract_machine_get_cpu_usage         (RefractMachine       *self);
guint64              refract_machine_get_memory_used       (RefractMachine       *self);
guint                refract_machine_get_cpu_history       (RefractMachine       *self,
                                                            double               *out,
                                                            guint                 max);
guint                refract_machine_get_memory_history    (RefractMachine       *self,
                                                            double               *out,
                                                            guint                 max);
GPtrArray           *refract_machine_get_disks             (RefractMachine       *self);
GPtrArray           *refract_machine_get_nics              (RefractMachine       *self);
GPtrArray           *refract_machine_get_graphics          (RefractMachine       *self);
gboolean             refract_machine_can                   (RefractMachine       *self,
                                                            RefractMachineAction  action);
int                  refract_machine_compare               (RefractMachine       *a,
                                                            RefractMachine       *b,
                                                            RefractSortKey        key);
gboolean             refract_machine_matches               (RefractMachine       *self,
                                                            const char           *folded_needle);

void                 refract_machine_load_details_async    (RefractMachine       *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             refract_machine_load_details_finish   (RefractMachine       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                 refract_machine_run_async             (RefractMachine       *self,
                                                            RefractMachineAction  action,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             refract_machine_run_finish            (RefractMachine       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                 refract_machine_shutdown_async        (RefractMachine       *self,
                                                            guint                 timeout_seconds,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             refract_machine_shutdown_finish       (RefractMachine       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                 refract_machine_list_storage_async    (RefractMachine       *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
GPtrArray           *refract_machine_list_storage_finish   (RefractMachine       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
void                 refract_machine_delete_async          (RefractMachine       *self,
                                                            GStrv                 volumes,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             refract_machine_delete_finish         (RefractMachine       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

void                 refract_machine_disk_free             (RefractMachineDisk   *disk);
void                 refract_machine_nic_free              (RefractMachineNic    *nic);
void                 refract_machine_graphics_free         (RefractMachineGraphics *graphics);

G_END_DECLS
