/* refract-model-types.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _RefractConnection     RefractConnection;
typedef struct _RefractConnectionList RefractConnectionList;
typedef struct _RefractMachine        RefractMachine;
typedef struct _RefractMachineList    RefractMachineList;
typedef struct _RefractStatsSampler   RefractStatsSampler;

/* Mirrors virDomainState so values can be passed through unchanged. */
typedef enum
{
  REFRACT_MACHINE_STATE_UNKNOWN = 0,
  REFRACT_MACHINE_STATE_RUNNING = 1,
  REFRACT_MACHINE_STATE_BLOCKED = 2,
  REFRACT_MACHINE_STATE_PAUSED = 3,
  REFRACT_MACHINE_STATE_SHUTTING_DOWN = 4,
  REFRACT_MACHINE_STATE_SHUTOFF = 5,
  REFRACT_MACHINE_STATE_CRASHED = 6,
  REFRACT_MACHINE_STATE_SUSPENDED = 7,
} RefractMachineState;

typedef enum
{
  REFRACT_CONNECTION_STATE_DISCONNECTED,
  REFRACT_CONNECTION_STATE_CONNECTING,
  REFRACT_CONNECTION_STATE_CONNECTED,
  REFRACT_CONNECTION_STATE_FAILED,
} RefractConnectionState;

typedef enum
{
  REFRACT_SORT_BY_NAME,
  REFRACT_SORT_BY_STATE,
} RefractSortKey;

G_END_DECLS
