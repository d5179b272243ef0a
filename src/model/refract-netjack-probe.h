/* refract-netjack-probe.h: is the host's NETJACK2 end up? (no root needed)
 *
 * Each source is optional: PipeWire's nodes and modules through pw-dump,
 * jack2's ports through jack_lsp, the UDP port through /proc/net/udp{,6}
 * below a root directory, and the process holding it through
 * /proc/PID/fd (of the processes we may look into): a jack2 netmanager no
 * follower has joined yet has no ports, and is known by its jackd holding
 * the port. A tool that is missing or fails leaves its answer unknown; it
 * never fails the probe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-host-topology.h"
#include "refract-netjack-config.h"

G_BEGIN_DECLS

typedef struct
{
  RefractTristate manager;      /* a netjack2 manager / netmanager runs */
  char           *manager_kind; /* "PipeWire", "jack2"; NULL when unknown */
  RefractTristate port_bound;   /* something listens on the UDP port */
  GStrv           followers;    /* connected follower (slave) names; may be empty */
  GStrv           checked;      /* translated: what was looked at and what it said */
} RefractNetjackStatus;

#define REFRACT_TYPE_NETJACK_PROBE (refract_netjack_probe_get_type ())

G_DECLARE_FINAL_TYPE (RefractNetjackProbe, refract_netjack_probe, REFRACT, NETJACK_PROBE, GObject)

/* @root is "/" for this machine */
RefractNetjackProbe  *refract_netjack_probe_new              (const char                 *root);
/* Replace the commands (tests run `cat fixture`); NULL disables a source. */
void                  refract_netjack_probe_set_pw_dump      (RefractNetjackProbe        *self,
                                                              const char * const         *argv);
void                  refract_netjack_probe_set_jack_lsp     (RefractNetjackProbe        *self,
                                                              const char * const         *argv);

/* In the calling thread: runs the tools and reads /proc. */
RefractNetjackStatus *refract_netjack_probe_run              (RefractNetjackProbe        *self,
                                                              const RefractNetjackConfig *config);
void                  refract_netjack_probe_run_async        (RefractNetjackProbe        *self,
                                                              const RefractNetjackConfig *config,
                                                              GCancellable               *cancellable,
                                                              GAsyncReadyCallback         callback,
                                                              gpointer                    user_data);
RefractNetjackStatus *refract_netjack_probe_run_finish       (RefractNetjackProbe        *self,
                                                              GAsyncResult               *result,
                                                              GError                    **error);

/* The parts, for tests */
RefractTristate       refract_netjack_probe_udp_bound        (const char                 *root,
                                                              guint                       port);
void                  refract_netjack_parse_pw_dump          (const char                 *json,
                                                              RefractNetjackStatus       *status);
void                  refract_netjack_parse_jack_lsp         (const char                 *output,
                                                              RefractNetjackStatus       *status);

RefractNetjackStatus *refract_netjack_status_new             (void);
void                  refract_netjack_status_free            (RefractNetjackStatus       *status);

/* Restarts the bridge: config->restart_command, else
 * `systemctl --user restart` config->restart_unit (pipewire.service for the
 * PipeWire backend when none is set). Returns the command's output. */
void                  refract_netjack_restart_async          (const RefractNetjackConfig *config,
                                                              GCancellable               *cancellable,
                                                              GAsyncReadyCallback         callback,
                                                              gpointer                    user_data);
char                 *refract_netjack_restart_finish         (GAsyncResult               *result,
                                                              GError                    **error);
/* The systemd user unit a restart without a command restarts: restart_unit,
 * else pipewire.service for the PipeWire backend; NULL when there is none. */
const char           *refract_netjack_restart_unit           (const RefractNetjackConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractNetjackStatus, refract_netjack_status_free)

G_END_DECLS
