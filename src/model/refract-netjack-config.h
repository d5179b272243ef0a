/* refract-netjack-config.h: a machine's NETJACK2 audio link
 *
 * Stored in the domain's <metadata> as
 *   <refract:netjack xmlns:refract="https://refract.github.io/xmlns/refract/1.0"
 *                    backend="pipewire" address="225.3.19.154" port="19000" …/>
 * A plain struct: panels edit the fields, then call refract_netjack_validate()
 * and the computed getters again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-dsp-validate.h"
#include "refract-model-types.h"

G_BEGIN_DECLS

#define REFRACT_XMLNS_URI    "https://refract.github.io/xmlns/refract/1.0"
#define REFRACT_XMLNS_PREFIX "refract"

#define REFRACT_NETJACK_DEFAULT_PORT      19000
#define REFRACT_NETJACK_DEFAULT_MULTICAST "225.3.19.154"
#define REFRACT_NETJACK_PULSEAUDIO_PORT   4713

typedef enum
{
  REFRACT_NETJACK_BACKEND_PIPEWIRE,  /* libpipewire-module-netjack2-manager / -driver */
  REFRACT_NETJACK_BACKEND_JACK2,     /* jack_load netmanager / jackd -d net */
} RefractNetjackBackend;

typedef enum
{
  REFRACT_NETJACK_ENCODING_FLOAT,
  REFRACT_NETJACK_ENCODING_OPUS,
  REFRACT_NETJACK_ENCODING_INT,
} RefractNetjackEncoding;

typedef struct
{
  gboolean               enabled;
  RefractNetjackBackend  backend;
  char                  *address;            /* multicast group or the master's unicast address */
  guint                  port;               /* UDP */
  guint                  sample_rate;        /* set by the master (host) */
  guint                  period;             /* frames, set by the master */
  guint                  channels_to_guest;  /* host → VM audio ports */
  guint                  channels_from_guest;/* VM → host */
  int                    midi_to_guest;      /* -1: the master's count */
  int                    midi_from_guest;
  guint                  latency_cycles;     /* network buffering, in periods */
  guint                  mtu;
  RefractNetjackEncoding encoding;
  guint                  kbps;               /* opus only */
  char                  *client_name;        /* the follower's name on the host */
  char                  *ifname;             /* PipeWire local.ifname, may be NULL */
  char                  *restart_command;    /* may be NULL */
  char                  *restart_unit;       /* systemd user unit, may be NULL */
} RefractNetjackConfig;

typedef struct
{
  const char        *id;       /* stable: "port-pulseaudio", "period-not-power-of-two", … */
  const char        *field;    /* the struct field it is about: "port", "period", … */
  RefractDspSeverity severity;
  char              *message;  /* translated */
} RefractNetjackProblem;

RefractNetjackConfig *refract_netjack_config_new            (void);
RefractNetjackConfig *refract_netjack_config_copy           (const RefractNetjackConfig *self);
void                  refract_netjack_config_free           (RefractNetjackConfig       *self);

/* The <refract:netjack> element alone; NULL and an error when it isn't one. */
RefractNetjackConfig *refract_netjack_config_parse          (const char                 *element_xml,
                                                             GError                    **error);
char                 *refract_netjack_config_to_xml         (const RefractNetjackConfig *self);
/* From a whole domain XML: NULL when it has no NETJACK settings. */
RefractNetjackConfig *refract_netjack_config_from_domain_xml (const char                *domain_xml);

/* virDomainGetMetadata / SetMetadata, in a worker thread. Load returns a
 * disabled default config for a machine without settings. Save changes the
 * persistent definition, and the running one too when the machine runs. */
void                  refract_netjack_config_load_async     (RefractMachine             *machine,
                                                             GCancellable               *cancellable,
                                                             GAsyncReadyCallback         callback,
                                                             gpointer                    user_data);
RefractNetjackConfig *refract_netjack_config_load_finish    (GAsyncResult               *result,
                                                             GError                    **error);
void                  refract_netjack_config_save_async     (const RefractNetjackConfig *self,
                                                             RefractMachine             *machine,
                                                             GCancellable               *cancellable,
                                                             GAsyncReadyCallback         callback,
                                                             gpointer                    user_data);
gboolean              refract_netjack_config_save_finish    (GAsyncResult               *result,
                                                             GError                    **error);

/* RefractNetjackProblem*, FAILs first */
GPtrArray            *refract_netjack_validate              (const RefractNetjackConfig *self);
void                  refract_netjack_problem_free          (RefractNetjackProblem      *problem);

/* Estimates */
double                refract_netjack_config_get_period_ms  (const RefractNetjackConfig *self);
double                refract_netjack_config_get_network_ms (const RefractNetjackConfig *self);
double                refract_netjack_config_get_round_trip_ms (const RefractNetjackConfig *self);
/* Mbit/s; @to_guest chooses the direction */
double                refract_netjack_config_get_bandwidth_mbps (const RefractNetjackConfig *self,
                                                             gboolean                    to_guest);
/* "128 frames @ 96 kHz = 1.33 ms per period; ≈ 4.00 ms round trip with 2 network cycles (estimate)" */
char                 *refract_netjack_config_describe_latency (const RefractNetjackConfig *self);
gboolean              refract_netjack_config_is_multicast   (const RefractNetjackConfig *self);

/* What to paste: jackd -R -d net … or a PipeWire netjack2-driver fragment */
char                 *refract_netjack_config_guest_snippet  (const RefractNetjackConfig *self);
/* jack_load netmanager -i "…" or a PipeWire netjack2-manager fragment */
char                 *refract_netjack_config_host_snippet   (const RefractNetjackConfig *self);

const char           *refract_netjack_backend_to_string     (RefractNetjackBackend       backend);
const char           *refract_netjack_encoding_to_string    (RefractNetjackEncoding      encoding);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractNetjackConfig, refract_netjack_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractNetjackProblem, refract_netjack_problem_free)

G_END_DECLS
