/* refract-machine-creator.h: spec → volumes → defined (→ started) machine
 *
 * One async operation. Any failure rolls back what was made: volumes created
 * or copied are deleted, a defined domain is undefined (with its NVRAM and
 * TPM state). The error carries libvirt's message and a remedy
 * (refract_error_get_remedy()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-machine-spec.h"
#include "refract-model-types.h"
#include "refract-storage.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_CREATE_STEP_STORAGE,
  REFRACT_CREATE_STEP_DEFINE,
  REFRACT_CREATE_STEP_START,
} RefractCreateStep;

/* For tests: make creation fail right after the given step succeeded. */
void            refract_machine_creator_set_fail_after (int                  step); /* -1: never */

void            refract_machine_create_async  (RefractConnection        *connection,
                                               const RefractMachineSpec *spec,
                                               gboolean                  start,
                                               RefractProgressFunc       progress,
                                               gpointer                  progress_data,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
/* The new machine's UUID. */
char           *refract_machine_create_finish (GAsyncResult             *result,
                                               GError                  **error);

G_END_DECLS
