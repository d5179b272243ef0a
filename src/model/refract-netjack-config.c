/* refract-netjack-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "refract-dsp-config-private.h"
#include "refract-machine-private.h"
#include "refract-model-error.h"
#include "refract-netjack-config.h"

static const guint rates[] = { 44100, 48000, 88200, 96000, 176400, 192000 };

RefractNetjackConfig *
refract_netjack_config_new (void)
{
  RefractNetjackConfig *self = g_new0 (RefractNetjackConfig, 1);

  self->backend = REFRACT_NETJACK_BACKEND_PIPEWIRE;
  self->address = g_strdup (REFRACT_NETJACK_DEFAULT_MULTICAST);
  self->port = REFRACT_NETJACK_DEFAULT_PORT;
  self->sample_rate = 48000;
  self->period = 128;
  self->channels_to_guest = 2;
  self->channels_from_guest = 2;
  self->midi_to_guest = 0;
  self->midi_from_guest = 0;
  self->latency_cycles = 2;
  self->mtu = 1500;
  self->encoding = REFRACT_NETJACK_ENCODING_FLOAT;
  return self;
}

RefractNetjackConfig *
refract_netjack_config_copy (const RefractNetjackConfig *self)
{
  RefractNetjackConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_memdup2 (self, sizeof *self);
  copy->address = g_strdup (self->address);
  copy->client_name = g_strdup (self->client_name);
  copy->ifname = g_strdup (self->ifname);
  copy->restart_command = g_strdup (self->restart_command);
  copy->restart_unit = g_strdup (self->restart_unit);
  return copy;
}

void
refract_netjack_config_free (RefractNetjackConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->address);
  g_free (self->client_name);
  g_free (self->ifname);
  g_free (self->restart_command);
  g_free (self->restart_unit);
  g_free (self);
}

void
refract_netjack_problem_free (RefractNetjackProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

const char *
refract_netjack_backend_to_string (RefractNetjackBackend backend)
{
  return backend == REFRACT_NETJACK_BACKEND_JACK2 ? "jack2" : "pipewire";
}

const char *
refract_netjack_encoding_to_string (RefractNetjackEncoding encoding)
{
  switch (encoding)
    {
    case REFRACT_NETJACK_ENCODING_OPUS:
      return "opus";
    case REFRACT_NETJACK_ENCODING_INT:
      return "int";
    case REFRACT_NETJACK_ENCODING_FLOAT:
    default:
      return "float";
    }
}

/* ---- XML ----------------------------------------------------------------------- */

static guint
attr_uint (xmlNode    *node,
           const char *name,
           guint       fallback)
{
  g_autofree char *value = (char *) xmlGetProp (node, (const xmlChar *) name);
  guint64 number;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &number, NULL))
    return fallback;
  return number;
}

static int
attr_int (xmlNode    *node,
          const char *name,
          int         fallback)
{
  g_autofree char *value = (char *) xmlGetProp (node, (const xmlChar *) name);
  gint64 number;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, -1, G_MAXINT, &number, NULL))
    return fallback;
  return number;
}

static void
attr_str (xmlNode     *node,
          const char  *name,
          char       **field)
{
  char *value = (char *) xmlGetProp (node, (const xmlChar *) name);

  if (value != NULL)
    {
      g_free (*field);
      *field = value;
    }
}

static RefractNetjackConfig *
from_node (xmlNode *node)
{
  RefractNetjackConfig *self = refract_netjack_config_new ();
  g_autofree char *backend = (char *) xmlGetProp (node, (const xmlChar *) "backend");
  g_autofree char *encoding = (char *) xmlGetProp (node, (const xmlChar *) "encoding");
  g_autofree char *enabled = (char *) xmlGetProp (node, (const xmlChar *) "enabled");

  self->enabled = g_strcmp0 (enabled, "no") != 0;
  self->backend = g_strcmp0 (backend, "jack2") == 0 ? REFRACT_NETJACK_BACKEND_JACK2
                                                    : REFRACT_NETJACK_BACKEND_PIPEWIRE;
  if (g_strcmp0 (encoding, "opus") == 0)
    self->encoding = REFRACT_NETJACK_ENCODING_OPUS;
  else if (g_strcmp0 (encoding, "int") == 0)
    self->encoding = REFRACT_NETJACK_ENCODING_INT;
  attr_str (node, "address", &self->address);
  self->port = attr_uint (node, "port", self->port);
  self->sample_rate = attr_uint (node, "sample-rate", self->sample_rate);
  self->period = attr_uint (node, "period", self->period);
  self->channels_to_guest = attr_uint (node, "channels-to-guest", self->channels_to_guest);
  self->channels_from_guest = attr_uint (node, "channels-from-guest", self->channels_from_guest);
  self->midi_to_guest = attr_int (node, "midi-to-guest", self->midi_to_guest);
  self->midi_from_guest = attr_int (node, "midi-from-guest", self->midi_from_guest);
  self->latency_cycles = attr_uint (node, "latency-cycles", self->latency_cycles);
  self->mtu = attr_uint (node, "mtu", self->mtu);
  self->kbps = attr_uint (node, "kbps", self->kbps);
  attr_str (node, "client-name", &self->client_name);
  attr_str (node, "ifname", &self->ifname);
  attr_str (node, "restart-command", &self->restart_command);
  attr_str (node, "restart-unit", &self->restart_unit);
  return self;
}

static gboolean
is_netjack_element (xmlNode *node)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         xmlStrEqual (node->name, (const xmlChar *) "netjack") && node->ns != NULL &&
         xmlStrEqual (node->ns->href, (const xmlChar *) REFRACT_XMLNS_URI);
}

RefractNetjackConfig *
refract_netjack_config_parse (const char  *element_xml,
                              GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *root;

  g_return_val_if_fail (element_xml != NULL, NULL);
  doc = xmlReadMemory (element_xml, strlen (element_xml), "netjack.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = doc ? xmlDocGetRootElement (doc) : NULL;
  /* virDomainGetMetadata () hands back the element without its namespace
   * (the namespace is what it was asked for), so a bare <netjack> is ours too */
  if (!is_netjack_element (root)
      && !(root != NULL && root->type == XML_ELEMENT_NODE && root->ns == NULL
           && xmlStrEqual (root->name, (const xmlChar *) "netjack")))
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("The machine's NETJACK settings are not a <refract:netjack> element."));
      return NULL;
    }
  return from_node (root);
}

static xmlNode *
find_netjack (xmlNode *node)
{
  for (; node != NULL; node = node->next)
    {
      xmlNode *found;

      if (is_netjack_element (node))
        return node;
      if (node->type == XML_ELEMENT_NODE && (found = find_netjack (node->children)) != NULL)
        return found;
    }
  return NULL;
}

RefractNetjackConfig *
refract_netjack_config_from_domain_xml (const char *domain_xml)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *metadata = NULL;

  g_return_val_if_fail (domain_xml != NULL, NULL);
  doc = xmlReadMemory (domain_xml, strlen (domain_xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    return NULL;
  for (xmlNode *c = xmlDocGetRootElement (doc)->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrEqual (c->name, (const xmlChar *) "metadata"))
      metadata = c;
  metadata = metadata ? find_netjack (metadata->children) : NULL;
  return metadata ? from_node (metadata) : NULL;
}

static void
append_attr (GString    *out,
             const char *name,
             const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_markup_escape_text (value, -1);
  g_string_append_printf (out, " %s=\"%s\"", name, escaped);
}

static void
append_uint (GString    *out,
             const char *name,
             gint64      value)
{
  g_string_append_printf (out, " %s=\"%" G_GINT64_FORMAT "\"", name, value);
}

static char *build_xml (const RefractNetjackConfig *self, gboolean with_namespace);

char *
refract_netjack_config_to_xml (const RefractNetjackConfig *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return build_xml (self, TRUE);
}

/* @with_namespace: the element in Refract's namespace, as it sits in a domain
 * definition; without, as virDomainSetMetadata() takes it (libvirt puts it in
 * the namespace itself and refuses an element that already declares it). */
static char *
build_xml (const RefractNetjackConfig *self,
           gboolean                    with_namespace)
{
  GString *out = g_string_new (with_namespace ? "<" REFRACT_XMLNS_PREFIX ":netjack xmlns:" REFRACT_XMLNS_PREFIX
                                                "=\"" REFRACT_XMLNS_URI "\""
                                              : "<netjack");

  append_attr (out, "enabled", self->enabled ? "yes" : "no");
  append_attr (out, "backend", refract_netjack_backend_to_string (self->backend));
  append_attr (out, "address", self->address);
  append_uint (out, "port", self->port);
  append_uint (out, "sample-rate", self->sample_rate);
  append_uint (out, "period", self->period);
  append_uint (out, "channels-to-guest", self->channels_to_guest);
  append_uint (out, "channels-from-guest", self->channels_from_guest);
  append_uint (out, "midi-to-guest", self->midi_to_guest);
  append_uint (out, "midi-from-guest", self->midi_from_guest);
  append_uint (out, "latency-cycles", self->latency_cycles);
  append_uint (out, "mtu", self->mtu);
  append_attr (out, "encoding", refract_netjack_encoding_to_string (self->encoding));
  if (self->encoding == REFRACT_NETJACK_ENCODING_OPUS)
    append_uint (out, "kbps", self->kbps);
  append_attr (out, "client-name", self->client_name);
  append_attr (out, "ifname", self->ifname);
  append_attr (out, "restart-command", self->restart_command);
  append_attr (out, "restart-unit", self->restart_unit);
  g_string_append (out, "/>");
  return g_string_free (out, FALSE);
}

/* ---- validation ------------------------------------------------------------------- */

static void
problem (GPtrArray          *problems,
         const char         *id,
         const char         *field,
         RefractDspSeverity  severity,
         char               *message)
{
  RefractNetjackProblem *p = g_new0 (RefractNetjackProblem, 1);

  p->id = id;
  p->field = field;
  p->severity = severity;
  p->message = message;
  g_ptr_array_add (problems, p);
}

static gboolean
rate_supported (guint rate)
{
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    if (rates[i] == rate)
      return TRUE;
  return FALSE;
}

static void
validate_audio (const RefractNetjackConfig *self,
                GPtrArray                  *problems)
{
  guint period = self->period;

  if (period == 0 || (period & (period - 1)) != 0)
    problem (problems, "period-not-power-of-two", "period", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("A period of %u frames is not a power of two (64, 128, 256, …)."), period));
  else if (period < 16 || period > 8192)
    problem (problems, "period-out-of-range", "period", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("A period of %u frames is outside 16–8192."), period));
  else if (period > 4096)
    problem (problems, "period-large", "period", REFRACT_DSP_SEVERITY_WARN,
             g_strdup_printf (_("A period of %u frames is above 4096: not every backend accepts it."), period));
  if (!rate_supported (self->sample_rate))
    problem (problems, "rate-unsupported", "sample_rate", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("%u Hz is not a NETJACK2 sample rate (44100, 48000, 88200, 96000, 176400 or 192000)."),
                              self->sample_rate));
  if (self->channels_to_guest > 64 || self->channels_from_guest > 64)
    problem (problems, "channels-too-many", "channels_to_guest", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("%u channels is more than the 64 NETJACK2 carries each way."),
                              MAX (self->channels_to_guest, self->channels_from_guest)));
  if (self->channels_to_guest == 0 && self->channels_from_guest == 0)
    problem (problems, "channels-none", "channels_to_guest", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup (_("No audio channels in either direction.")));
  if (self->midi_to_guest < -1 || self->midi_from_guest < -1 ||
      self->midi_to_guest > 16 || self->midi_from_guest > 16)
    problem (problems, "midi-out-of-range", "midi_to_guest", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup (_("MIDI ports must be 0–16 each way, or -1 for the master's count.")));
  if (self->encoding == REFRACT_NETJACK_ENCODING_OPUS && self->kbps == 0)
    problem (problems, "opus-no-bitrate", "kbps", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup (_("Opus encoding needs a bit rate in kbit/s.")));
}

static void
validate_network (const RefractNetjackConfig *self,
                  GPtrArray                  *problems)
{
  g_autoptr(GInetAddress) address = self->address ? g_inet_address_new_from_string (self->address) : NULL;

  if (self->port == REFRACT_NETJACK_PULSEAUDIO_PORT)
    problem (problems, "port-pulseaudio", "port", REFRACT_DSP_SEVERITY_WARN,
             g_strdup_printf (_("Port %u is PulseAudio's native protocol port (TCP), not NETJACK2's: NETJACK2 uses UDP %u with multicast %s. Use %u unless both ends are set to the same other port."),
                              self->port, REFRACT_NETJACK_DEFAULT_PORT, REFRACT_NETJACK_DEFAULT_MULTICAST,
                              REFRACT_NETJACK_DEFAULT_PORT));
  else if (self->port < 1024 || self->port > 65535)
    problem (problems, "port-out-of-range", "port", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("UDP port %u is outside 1024–65535."), self->port));
  if (address == NULL)
    problem (problems, "address-invalid", "address", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("“%s” is not an IP address: use a multicast group (224.0.0.0/4, default %s) or the master's address."),
                              self->address ? self->address : "", REFRACT_NETJACK_DEFAULT_MULTICAST));
  else if (g_inet_address_get_is_any (address) || g_inet_address_get_is_loopback (address))
    problem (problems, "address-unusable", "address", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("%s can't reach the host from the machine."), self->address));
  if (self->latency_cycles > 30)
    problem (problems, "latency-out-of-range", "latency_cycles", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("%u network cycles is more than the 30 NETJACK2 allows."), self->latency_cycles));
  if (self->mtu < 1500 || self->mtu > 9000)
    problem (problems, "mtu-out-of-range", "mtu", REFRACT_DSP_SEVERITY_FAIL,
             g_strdup_printf (_("An MTU of %u is outside 1500–9000."), self->mtu));
}

static int
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  return (int) (*(RefractNetjackProblem * const *) b)->severity -
         (int) (*(RefractNetjackProblem * const *) a)->severity;
}

GPtrArray *
refract_netjack_validate (const RefractNetjackConfig *self)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_netjack_problem_free);

  g_return_val_if_fail (self != NULL, problems);
  validate_audio (self, problems);
  validate_network (self, problems);
  g_ptr_array_sort (problems, compare_problems);
  return problems;
}

/* ---- figures ------------------------------------------------------------------------ */

double
refract_netjack_config_get_period_ms (const RefractNetjackConfig *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->sample_rate ? 1000.0 * self->period / self->sample_rate : 0;
}

/* The network cycles as time, both ways together. jack2's -l counts the
 * cycles over the whole loop (N/2 each way); PipeWire's netjack2.latency
 * buffers N cycles in each direction (DSP-NETJACK.md). */
double
refract_netjack_config_get_network_ms (const RefractNetjackConfig *self)
{
  guint cycles;

  g_return_val_if_fail (self != NULL, 0);
  cycles = self->backend == REFRACT_NETJACK_BACKEND_PIPEWIRE ? 2 * self->latency_cycles : self->latency_cycles;
  return cycles * refract_netjack_config_get_period_ms (self);
}

/* jack2's net driver runs asynchronously by default: one more period for
 * the hand-over. PipeWire's driver follows the graph: none. */
double
refract_netjack_config_get_round_trip_ms (const RefractNetjackConfig *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return refract_netjack_config_get_network_ms (self)
         + (self->backend == REFRACT_NETJACK_BACKEND_PIPEWIRE ? 0 : refract_netjack_config_get_period_ms (self));
}

double
refract_netjack_config_get_bandwidth_mbps (const RefractNetjackConfig *self,
                                           gboolean                    to_guest)
{
  guint channels;

  g_return_val_if_fail (self != NULL, 0);
  channels = to_guest ? self->channels_to_guest : self->channels_from_guest;
  switch (self->encoding)
    {
    case REFRACT_NETJACK_ENCODING_OPUS:
      return channels * self->kbps / 1000.0;
    case REFRACT_NETJACK_ENCODING_INT:
      return channels * (double) self->sample_rate * 16 / 1e6;
    case REFRACT_NETJACK_ENCODING_FLOAT:
    default:
      return channels * (double) self->sample_rate * 32 / 1e6;
    }
}

char *
refract_netjack_config_describe_latency (const RefractNetjackConfig *self)
{
  g_autofree char *rate = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->sample_rate % 1000 == 0)
    rate = g_strdup_printf ("%u", self->sample_rate / 1000);
  else
    rate = g_strdup_printf ("%.1f", self->sample_rate / 1000.0);
  if (self->backend == REFRACT_NETJACK_BACKEND_PIPEWIRE)
    /* Translators: "128 frames @ 96 kHz = 1.33 ms per period; ≈ 5.33 ms round trip with 2 network cycles each way (estimate)" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u frames @ %s kHz = %.2f ms per period; ≈ %.2f ms round trip with %u network cycle each way (estimate)",
                                         "%u frames @ %s kHz = %.2f ms per period; ≈ %.2f ms round trip with %u network cycles each way (estimate)",
                                         self->latency_cycles),
                            self->period, rate, refract_netjack_config_get_period_ms (self),
                            refract_netjack_config_get_round_trip_ms (self), self->latency_cycles);
  /* Translators: "128 frames @ 96 kHz = 1.33 ms per period; ≈ 4.00 ms round trip with 2 network cycles (estimate)" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u frames @ %s kHz = %.2f ms per period; ≈ %.2f ms round trip with %u network cycle (estimate)",
                                       "%u frames @ %s kHz = %.2f ms per period; ≈ %.2f ms round trip with %u network cycles (estimate)",
                                       self->latency_cycles),
                          self->period, rate, refract_netjack_config_get_period_ms (self),
                          refract_netjack_config_get_round_trip_ms (self), self->latency_cycles);
}

gboolean
refract_netjack_config_is_multicast (const RefractNetjackConfig *self)
{
  g_autoptr(GInetAddress) address = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  address = self->address ? g_inet_address_new_from_string (self->address) : NULL;
  return address != NULL && g_inet_address_get_is_multicast (address);
}

/* ---- snippets ---------------------------------------------------------------------- */

static const char *
address_or_default (const RefractNetjackConfig *self)
{
  return self->address && *self->address ? self->address : REFRACT_NETJACK_DEFAULT_MULTICAST;
}

static const char *
client_name (const RefractNetjackConfig *self)
{
  return self->client_name && *self->client_name ? self->client_name : "refract-dsp";
}

char *
refract_netjack_config_guest_snippet (const RefractNetjackConfig *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->backend == REFRACT_NETJACK_BACKEND_JACK2)
    {
      out = g_string_new ("jackd -R -d net");
      g_string_append_printf (out, " -a %s -p %u -M %u -C %u -P %u -i %d -o %d -l %u -n %s",
                              address_or_default (self), self->port, self->mtu,
                              self->channels_to_guest, self->channels_from_guest,
                              self->midi_to_guest, self->midi_from_guest, self->latency_cycles,
                              client_name (self));
      if (self->encoding == REFRACT_NETJACK_ENCODING_OPUS)
        g_string_append_printf (out, " -O %u", self->kbps);
      return g_string_free (out, FALSE);
    }
  out = g_string_new ("# ~/.config/pipewire/pipewire.conf.d/netjack2-driver.conf\n"
                      "context.modules = [\n"
                      "  { name = libpipewire-module-netjack2-driver\n"
                      "    args = {\n"
                      "      driver.mode = duplex\n");
  g_string_append_printf (out, "      net.ip = %s\n      net.port = %u\n      net.mtu = %u\n",
                          address_or_default (self), self->port, self->mtu);
  g_string_append_printf (out, "      netjack2.client-name = %s\n      netjack2.latency = %u\n",
                          client_name (self), self->latency_cycles);
  g_string_append_printf (out, "      midi.ports = %d\n", MAX (self->midi_from_guest, 0));
  g_string_append_printf (out, "      source.props = { audio.channels = %u }\n"
                               "      sink.props = { audio.channels = %u }\n",
                          self->channels_to_guest, self->channels_from_guest);
  g_string_append (out, "    }\n  }\n]\n");
  return g_string_free (out, FALSE);
}

char *
refract_netjack_config_host_snippet (const RefractNetjackConfig *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->backend == REFRACT_NETJACK_BACKEND_JACK2)
    return g_strdup_printf ("jack_load netmanager -i \"-a %s -p %u -c\"",
                            address_or_default (self), self->port);
  out = g_string_new ("# ~/.config/pipewire/pipewire.conf.d/netjack2-manager.conf\n"
                      "context.modules = [\n"
                      "  { name = libpipewire-module-netjack2-manager\n"
                      "    args = {\n");
  g_string_append_printf (out, "      net.ip = %s\n      net.port = %u\n      net.mtu = %u\n      net.ttl = 1\n",
                          address_or_default (self), self->port, self->mtu);
  if (self->ifname != NULL && *self->ifname)
    g_string_append_printf (out, "      local.ifname = %s\n", self->ifname);
  g_string_append_printf (out, "      netjack2.sample-rate = %u\n      netjack2.period-size = %u\n",
                          self->sample_rate, self->period);
  g_string_append_printf (out, "      netjack2.encoding = %s\n",
                          refract_netjack_encoding_to_string (self->encoding));
  if (self->encoding == REFRACT_NETJACK_ENCODING_OPUS)
    g_string_append_printf (out, "      netjack2.kbps = %u\n", self->kbps);
  g_string_append_printf (out, "      netjack2.connect = true\n      audio.ports = %u\n      midi.ports = %d\n",
                          MAX (self->channels_to_guest, self->channels_from_guest),
                          MAX (self->midi_to_guest, 0));
  g_string_append (out, "    }\n  }\n]\n");
  return g_string_free (out, FALSE);
}

/* ---- libvirt ---------------------------------------------------------------------- */

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  virDomainPtr dom = task_data;
  g_autofree char *xml = virDomainGetMetadata (dom, VIR_DOMAIN_METADATA_ELEMENT, REFRACT_XMLNS_URI,
                                               VIR_DOMAIN_AFFECT_CURRENT);
  GError *error = NULL;
  RefractNetjackConfig *config;

  if (xml == NULL)
    {
      virErrorPtr err = virGetLastError ();

      if (err != NULL && err->code != VIR_ERR_NO_DOMAIN_METADATA)
        {
          g_task_return_error (task, refract_error_from_libvirt (_("Could not read the machine's NETJACK settings")));
          return;
        }
      virResetLastError ();
      g_task_return_pointer (task, refract_netjack_config_new (), (GDestroyNotify) refract_netjack_config_free);
      return;
    }
  config = refract_netjack_config_parse (xml, &error);
  if (config == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, config, (GDestroyNotify) refract_netjack_config_free);
}

static virDomainPtr
ref_domain (GTask          *task,
            RefractMachine *machine)
{
  virDomainPtr dom = _refract_machine_ref_domain (machine);

  if (dom == NULL)
    g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_NOT_FOUND,
                             _("The machine “%s” is gone."), refract_machine_get_name (machine));
  return dom;
}

void
refract_netjack_config_load_async (RefractMachine      *machine,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  virDomainPtr dom;

  g_return_if_fail (REFRACT_IS_MACHINE (machine));
  g_task_set_source_tag (task, refract_netjack_config_load_async);
  if ((dom = ref_domain (task, machine)) == NULL)
    return;
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, load_thread);
}

RefractNetjackConfig *
refract_netjack_config_load_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  virDomainPtr dom = task_data;
  const char *xml = g_object_get_data (G_OBJECT (task), "xml");
  unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG;

  if (virDomainIsActive (dom) == 1)
    flags |= VIR_DOMAIN_AFFECT_LIVE;
  if (virDomainIsPersistent (dom) != 1)
    flags &= ~VIR_DOMAIN_AFFECT_CONFIG;
  if (virDomainSetMetadata (dom, VIR_DOMAIN_METADATA_ELEMENT, xml, REFRACT_XMLNS_PREFIX,
                            REFRACT_XMLNS_URI, flags) < 0)
    {
      g_task_return_error (task, refract_error_from_libvirt (_("Could not save the machine's NETJACK settings")));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
refract_netjack_config_save_async (const RefractNetjackConfig *self,
                                   RefractMachine             *machine,
                                   GCancellable               *cancellable,
                                   GAsyncReadyCallback         callback,
                                   gpointer                    user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  virDomainPtr dom;

  g_return_if_fail (self != NULL);
  g_return_if_fail (REFRACT_IS_MACHINE (machine));
  g_task_set_source_tag (task, refract_netjack_config_save_async);
  if ((dom = ref_domain (task, machine)) == NULL)
    return;
  g_object_set_data_full (G_OBJECT (task), "xml", build_xml (self, FALSE), g_free);
  g_task_set_task_data (task, dom, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, save_thread);
}

gboolean
refract_netjack_config_save_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
