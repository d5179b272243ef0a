/* test-connection-list.c: the sidebar's connections, remembered in GSettings
 *
 * Each test has its own in-memory settings store; a second GSettings on the
 * same store is what "the next start" sees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "refract-test-util.h"

#define SCHEMA_ID "io.github.refract.Refract"

static GSettings *
settings_on (GSettingsBackend *store)
{
  GSettings *settings = g_settings_new_with_backend (SCHEMA_ID, store);

  g_assert_true (G_IS_SETTINGS (settings));
  return settings;
}

static gboolean
setting_has (GSettings *settings, const char *key, const char *uri)
{
  g_auto(GStrv) uris = g_settings_get_strv (settings, key);

  return g_strv_contains ((const char * const *) uris, uri);
}

static guint
setting_len (GSettings *settings, const char *key)
{
  g_auto(GStrv) uris = g_settings_get_strv (settings, key);

  return g_strv_length (uris);
}

static void
test_round_trip (void)
{
  g_autoptr(GSettingsBackend) store = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = settings_on (store);
  g_autoptr(RefractConnectionList) list = refract_connection_list_new (settings);
  g_autoptr(RefractConnectionList) next_start = NULL;
  g_autoptr(GSettings) settings2 = NULL;
  g_autofree char *demo_uri = refract_demo_uri ();
  RefractConnection *test_default;
  RefractConnection *demo;
  RefractConnection *temporary;

  test_default = refract_connection_list_add (list, "test:///default", TRUE);
  g_assert_nonnull (test_default);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_true (setting_has (settings, "connections", "test:///default"));
  g_assert_true (setting_has (settings, "autoconnect", "test:///default"));
  g_assert_true (refract_connection_list_get_autoconnect (list, "test:///default"));

  /* adding again finds the same connection and saves nothing twice */
  g_assert_true (refract_connection_list_add (list, "test:///default", TRUE) == test_default);
  g_assert_true (refract_connection_list_find (list, "test:///default") == test_default);
  g_assert_cmpuint (setting_len (settings, "connections"), ==, 1);

  demo = refract_connection_list_add (list, demo_uri, TRUE);
  refract_connection_list_set_autoconnect (list, demo_uri, FALSE);
  g_assert_false (refract_connection_list_get_autoconnect (list, demo_uri));
  g_assert_true (setting_has (settings, "connections", demo_uri));
  g_assert_false (setting_has (settings, "autoconnect", demo_uri));

  /* not remembered: shown now, gone on the next start */
  temporary = refract_connection_list_add (list, "test:///abs/never-saved.xml", FALSE);
  g_assert_nonnull (temporary);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  g_assert_false (setting_has (settings, "connections", "test:///abs/never-saved.xml"));
  g_assert_true (demo != test_default);

  /* the next start, with its own GSettings */
  settings2 = settings_on (store);
  next_start = refract_connection_list_new (settings2);
  refract_connection_list_load_saved (next_start);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (next_start)), ==, 2);
  test_default = refract_connection_list_find (next_start, "test:///default");
  demo = refract_connection_list_find (next_start, demo_uri);
  g_assert_nonnull (test_default);
  g_assert_nonnull (demo);
  g_assert_null (refract_connection_list_find (next_start, "test:///abs/never-saved.xml"));
  /* only the autoconnect one is opened */
  rt_wait_until (refract_connection_get_state (test_default) == REFRACT_CONNECTION_STATE_CONNECTED,
                 30, "the autoconnect connection to open");
  g_assert_cmpint (refract_connection_get_state (demo), ==, REFRACT_CONNECTION_STATE_DISCONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (refract_connection_get_machines (test_default))),
                    ==, 1);

  /* removing forgets it, and closes it */
  g_object_ref (test_default);
  refract_connection_list_remove (next_start, test_default);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (next_start)), ==, 1);
  g_assert_null (refract_connection_list_find (next_start, "test:///default"));
  g_assert_false (setting_has (settings, "connections", "test:///default"));
  g_assert_false (setting_has (settings, "autoconnect", "test:///default"));
  g_assert_true (setting_has (settings, "connections", demo_uri));
  g_assert_cmpint (refract_connection_get_state (test_default), ==, REFRACT_CONNECTION_STATE_DISCONNECTED);
  rt_close (test_default);

  refract_connection_list_set_autoconnect (next_start, demo_uri, TRUE);
  g_assert_true (setting_has (settings, "autoconnect", demo_uri));
}

static void
test_demo_not_saved (void)
{
  g_autoptr(GSettingsBackend) store = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = settings_on (store);
  g_autoptr(RefractConnectionList) list = refract_connection_list_new (settings);
  RefractConnection *demo = refract_connection_list_add_demo (list);
  g_autofree char *demo_uri = refract_demo_uri ();

  g_assert_true (refract_connection_get_is_demo (demo));
  g_assert_cmpstr (refract_connection_get_display_name (demo), ==, "Demo Host");
  g_assert_cmpstr (refract_connection_get_uri (demo), ==, demo_uri);
  g_assert_true (refract_connection_list_add_demo (list) == demo);
  /* "remember" does not make the demo host a saved connection */
  g_assert_true (refract_connection_list_add (list, demo_uri, TRUE) == demo);
  g_assert_cmpuint (setting_len (settings, "connections"), ==, 0);
}

static void
test_no_settings (void)
{
  g_autoptr(RefractConnectionList) list = refract_connection_list_new (NULL);
  RefractConnection *connection = refract_connection_list_add (list, "test:///default", TRUE);

  g_assert_nonnull (connection);
  g_assert_false (refract_connection_list_get_autoconnect (list, "test:///default"));
  refract_connection_list_load_saved (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
}

int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);

  g_test_add_func ("/connection-list/round-trip", test_round_trip);
  g_test_add_func ("/connection-list/demo-not-saved", test_demo_not_saved);
  g_test_add_func ("/connection-list/no-settings", test_no_settings);

  return g_test_run ();
}
