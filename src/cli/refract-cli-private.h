/* refract-cli-private.h: shared by the refract-dsp commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-model.h"
#include "refract-netjack-probe.h"

G_BEGIN_DECLS

/* Runs the default main context until *result is set (by rt-style callbacks). */
void            _refract_cli_store_result (GObject        *source,
                                           GAsyncResult   *result,
                                           gpointer        user_data);
GAsyncResult   *_refract_cli_wait         (GAsyncResult  **result);
void            _refract_cli_print_error  (const GError   *error);
/* "  Manager: yes (jack2)   UDP port bound: yes   Followers: …", then each
 * thing the probe looked at */
void            _refract_cli_print_probe  (const RefractNetjackStatus *probe);

int             _refract_cli_console      (RefractConnection *connection,
                                           RefractMachine    *machine);
int             _refract_cli_restart      (RefractConnection *connection,
                                           RefractMachine    *machine,
                                           gboolean           json);

G_END_DECLS
