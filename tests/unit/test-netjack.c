/* test-netjack.c: NETJACK settings, validation, figures, snippets and the probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "refract-netjack-config.h"
#include "refract-netjack-probe.h"
#include "refract-test-util.h"

static RefractNetjackConfig *
seed (void)
{
  RefractNetjackConfig *config = refract_netjack_config_new ();

  config->enabled = TRUE;
  config->port = 4713;
  config->period = 128;
  config->sample_rate = 96000;
  config->channels_to_guest = config->channels_from_guest = 2;
  return config;
}

static gboolean
has (GPtrArray          *problems,
     const char         *id,
     RefractDspSeverity  severity)
{
  for (guint i = 0; i < problems->len; i++)
    {
      RefractNetjackProblem *p = g_ptr_array_index (problems, i);

      if (g_strcmp0 (p->id, id) == 0)
        return p->severity == severity;
    }
  return FALSE;
}

static void
test_math (void)
{
  g_autoptr(RefractNetjackConfig) config = seed ();
  g_autofree char *text = NULL;

  /* jack2: -l 2 cycles over the whole loop, plus the asynchronous period */
  config->backend = REFRACT_NETJACK_BACKEND_JACK2;
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_period_ms (config), 1.333, 0.001);
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_network_ms (config), 2.667, 0.001);
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_round_trip_ms (config), 4.0, 0.001);
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_bandwidth_mbps (config, TRUE), 6.144, 0.001);
  text = refract_netjack_config_describe_latency (config);
  g_assert_cmpstr (text, ==, "128 frames @ 96 kHz = 1.33 ms per period; ≈ 4.00 ms round trip with 2 network cycles (estimate)");
  g_clear_pointer (&text, g_free);
  /* PipeWire: netjack2.latency 2 cycles in each direction */
  config->backend = REFRACT_NETJACK_BACKEND_PIPEWIRE;
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_network_ms (config), 5.333, 0.001);
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_round_trip_ms (config), 5.333, 0.001);
  text = refract_netjack_config_describe_latency (config);
  g_assert_cmpstr (text, ==, "128 frames @ 96 kHz = 1.33 ms per period; ≈ 5.33 ms round trip with 2 network cycles each way (estimate)");
  config->latency_cycles = 1;
  g_clear_pointer (&text, g_free);
  text = refract_netjack_config_describe_latency (config);
  g_assert_cmpstr (text, ==, "128 frames @ 96 kHz = 1.33 ms per period; ≈ 2.67 ms round trip with 1 network cycle each way (estimate)");
  config->encoding = REFRACT_NETJACK_ENCODING_OPUS;
  config->kbps = 128;
  g_assert_cmpfloat_with_epsilon (refract_netjack_config_get_bandwidth_mbps (config, FALSE), 0.256, 0.001);
}

static void
test_validation (void)
{
  g_autoptr(RefractNetjackConfig) config = seed ();
  g_autoptr(GPtrArray) problems = refract_netjack_validate (config);
  g_autoptr(RefractNetjackConfig) good = refract_netjack_config_new ();
  g_autoptr(GPtrArray) none = refract_netjack_validate (good);

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_true (has (problems, "port-pulseaudio", REFRACT_DSP_SEVERITY_WARN));
  g_assert_nonnull (strstr (((RefractNetjackProblem *) problems->pdata[0])->message, "PulseAudio"));
  g_assert_cmpuint (problems->len, ==, 1);

#define EXPECT(field_set, id, sev) \
  G_STMT_START { \
    g_autoptr(RefractNetjackConfig) c = refract_netjack_config_new (); \
    g_autoptr(GPtrArray) p = NULL; \
    field_set; \
    p = refract_netjack_validate (c); \
    g_assert_true (has (p, id, sev)); \
  } G_STMT_END

  EXPECT (c->period = 96, "period-not-power-of-two", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->period = 8, "period-out-of-range", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->period = 16384, "period-out-of-range", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->period = 8192, "period-large", REFRACT_DSP_SEVERITY_WARN);
  EXPECT (c->sample_rate = 22050, "rate-unsupported", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->channels_to_guest = 65, "channels-too-many", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT ((c->channels_to_guest = 0, c->channels_from_guest = 0), "channels-none", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->port = 80, "port-out-of-range", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT ((g_free (c->address), c->address = g_strdup ("studio")), "address-invalid", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT ((g_free (c->address), c->address = g_strdup ("127.0.0.1")), "address-unusable", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->latency_cycles = 31, "latency-out-of-range", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->mtu = 1000, "mtu-out-of-range", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->encoding = REFRACT_NETJACK_ENCODING_OPUS, "opus-no-bitrate", REFRACT_DSP_SEVERITY_FAIL);
  EXPECT (c->midi_to_guest = -2, "midi-out-of-range", REFRACT_DSP_SEVERITY_FAIL);
  /* a unicast master is fine */
  g_free (good->address);
  good->address = g_strdup ("192.168.122.1");
  g_clear_pointer (&none, g_ptr_array_unref);
  none = refract_netjack_validate (good);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_false (refract_netjack_config_is_multicast (good));
}

static void
test_xml (void)
{
  g_autoptr(RefractNetjackConfig) config = seed ();
  g_autofree char *xml = NULL;
  g_autoptr(RefractNetjackConfig) back = NULL;
  g_autoptr(RefractNetjackConfig) demo = NULL;
  g_autofree char *demo_xml = NULL;
  g_autoptr(GError) error = NULL;

  config->backend = REFRACT_NETJACK_BACKEND_JACK2;
  config->client_name = g_strdup ("dsp & co");
  config->restart_unit = g_strdup ("jack-netmanager.service");
  xml = refract_netjack_config_to_xml (config);
  back = refract_netjack_config_parse (xml, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->backend, ==, REFRACT_NETJACK_BACKEND_JACK2);
  g_assert_cmpuint (back->port, ==, 4713);
  g_assert_cmpuint (back->sample_rate, ==, 96000);
  g_assert_cmpstr (back->client_name, ==, "dsp & co");
  g_assert_cmpstr (back->restart_unit, ==, "jack-netmanager.service");
  /* someone else's element is refused; a bare <netjack> is what
   * virDomainGetMetadata () returns for ours */
  g_assert_null (refract_netjack_config_parse ("<netjack xmlns='urn:example:other'/>", &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (refract_netjack_config_parse ("<jack/>", &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);

  /* the demo host's DSP Coprocessor carries the seed's values */
  g_assert_true (g_file_get_contents (g_getenv ("REFRACT_DEMO_NODE"), &demo_xml, NULL, NULL));
  /* the first machine of the node: the DSP Coprocessor */
  strstr (demo_xml, "</domain>")[strlen ("</domain>")] = '\0';
  demo = refract_netjack_config_from_domain_xml (strstr (demo_xml, "<domain"));
  g_assert_nonnull (demo);
  g_assert_cmpuint (demo->port, ==, 4713);
  g_assert_cmpuint (demo->period, ==, 128);
  g_assert_cmpuint (demo->sample_rate, ==, 96000);
  g_assert_cmpuint (demo->channels_to_guest, ==, 2);
}

static void
test_snippets (void)
{
  g_autoptr(RefractNetjackConfig) config = refract_netjack_config_new ();
  g_autofree char *pw_guest = NULL;
  g_autofree char *pw_host = NULL;
  g_autofree char *jack_guest = NULL;
  g_autofree char *jack_host = NULL;

  config->sample_rate = 96000;
  config->client_name = g_strdup ("dsp");
  pw_guest = refract_netjack_config_guest_snippet (config);
  pw_host = refract_netjack_config_host_snippet (config);
  g_assert_nonnull (strstr (pw_guest, "libpipewire-module-netjack2-driver"));
  g_assert_nonnull (strstr (pw_guest, "net.port = 19000"));
  g_assert_nonnull (strstr (pw_host, "libpipewire-module-netjack2-manager"));
  g_assert_nonnull (strstr (pw_host, "netjack2.sample-rate = 96000"));
  g_assert_nonnull (strstr (pw_host, "netjack2.period-size = 128"));
  config->backend = REFRACT_NETJACK_BACKEND_JACK2;
  jack_guest = refract_netjack_config_guest_snippet (config);
  jack_host = refract_netjack_config_host_snippet (config);
  g_assert_cmpstr (jack_guest, ==, "jackd -R -d net -a 225.3.19.154 -p 19000 -M 1500 -C 2 -P 2 -i 0 -o 0 -l 2 -n dsp");
  g_assert_cmpstr (jack_host, ==, "jack_load netmanager -i \"-a 225.3.19.154 -p 19000 -c\"");
}

static void
test_probe (void)
{
  g_autofree char *bound = g_test_build_filename (G_TEST_DIST, "unit", "data", "netjack", "proc-bound", NULL);
  g_autofree char *free_root = g_test_build_filename (G_TEST_DIST, "unit", "data", "netjack", "proc-free", NULL);
  g_autofree char *json = g_test_build_filename (G_TEST_DIST, "unit", "data", "netjack", "pw-dump.json", NULL);
  g_autofree char *lsp = g_test_build_filename (G_TEST_DIST, "unit", "data", "netjack", "jack_lsp.txt", NULL);
  g_autoptr(RefractNetjackProbe) probe = refract_netjack_probe_new (bound);
  g_autoptr(RefractNetjackConfig) config = refract_netjack_config_new ();
  g_autoptr(RefractNetjackStatus) status = NULL;
  g_autoptr(RefractNetjackStatus) missing = NULL;
  g_autoptr(RefractNetjackStatus) jack = NULL;

  g_assert_cmpint (refract_netjack_probe_udp_bound (bound, 19000), ==, REFRACT_TRISTATE_YES);
  g_assert_cmpint (refract_netjack_probe_udp_bound (free_root, 19000), ==, REFRACT_TRISTATE_NO);
  g_assert_cmpint (refract_netjack_probe_udp_bound ("/nonexistent", 19000), ==, REFRACT_TRISTATE_UNKNOWN);

  refract_netjack_probe_set_pw_dump (probe, (const char *[]) { "cat", json, NULL });
  refract_netjack_probe_set_jack_lsp (probe, NULL);
  status = refract_netjack_probe_run (probe, config);
  g_assert_cmpint (status->manager, ==, REFRACT_TRISTATE_YES);
  g_assert_cmpstr (status->manager_kind, ==, "PipeWire");
  g_assert_cmpint (status->port_bound, ==, REFRACT_TRISTATE_YES);
  g_assert_cmpuint (g_strv_length (status->followers), ==, 1);
  g_assert_cmpstr (status->followers[0], ==, "dsp-coprocessor");

  /* tools that aren't there: unknown, not a failure */
  refract_netjack_probe_set_pw_dump (probe, (const char *[]) { "/nonexistent/pw-dump", NULL });
  refract_netjack_probe_set_jack_lsp (probe, (const char *[]) { "/nonexistent/jack_lsp", NULL });
  missing = refract_netjack_probe_run (probe, config);
  g_assert_cmpint (missing->manager, ==, REFRACT_TRISTATE_UNKNOWN);
  g_assert_cmpuint (g_strv_length (missing->checked), ==, 3);
  g_assert_nonnull (strstr (missing->checked[0], "unknown"));

  config->backend = REFRACT_NETJACK_BACKEND_JACK2;
  refract_netjack_probe_set_jack_lsp (probe, (const char *[]) { "cat", lsp, NULL });
  jack = refract_netjack_probe_run (probe, config);
  g_assert_cmpint (jack->manager, ==, REFRACT_TRISTATE_YES);
  g_assert_cmpstr (jack->manager_kind, ==, "jack2");
  g_assert_cmpstr (jack->followers[0], ==, "dsp-coprocessor");
}

static void
test_restart (void)
{
  g_autoptr(RefractNetjackConfig) config = refract_netjack_config_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  config->restart_command = g_strdup ("sh -c 'echo restarted'");
  refract_netjack_restart_async (config, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 10, "the restart command");
  out = refract_netjack_restart_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "restarted\n");

  g_free (config->restart_command);
  config->restart_command = g_strdup ("sh -c 'echo no such unit; exit 5'");
  refract_netjack_restart_async (config, NULL, rt_store_result, &failed);
  rt_wait_until (failed != NULL, 10, "the failing restart command");
  g_assert_null (refract_netjack_restart_finish (failed, &error));
  g_assert_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no such unit"));
  g_assert_nonnull (refract_error_get_remedy (error));
}

/* Through libvirt's metadata API, as the NETJACK page loads it: the demo
 * host's DSP Coprocessor has the seed's settings. */
static void
test_load_metadata (void)
{
  g_autofree char *uri = refract_demo_uri ();
  RefractConnection *connection = rt_open (uri);
  RefractMachine *machine = rt_find (connection, "dsp-coprocessor");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  RefractNetjackConfig *config;

  refract_netjack_config_load_async (machine, NULL, rt_store_result, &result);
  rt_wait_until (result != NULL, 10, "the NETJACK settings");
  config = refract_netjack_config_load_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpuint (config->port, ==, 4713);
  g_assert_cmpuint (config->period, ==, 128);
  g_assert_cmpuint (config->sample_rate, ==, 96000);
  refract_netjack_config_free (config);
  rt_close (connection);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  g_test_add_func ("/netjack/math", test_math);
  g_test_add_func ("/netjack/validation", test_validation);
  g_test_add_func ("/netjack/xml", test_xml);
  g_test_add_func ("/netjack/snippets", test_snippets);
  g_test_add_func ("/netjack/probe", test_probe);
  g_test_add_func ("/netjack/restart", test_restart);
  g_test_add_func ("/netjack/load-metadata", test_load_metadata);
  return g_test_run ();
}
