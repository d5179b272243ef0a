/* refract-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-application-private.h"
#include "refract-window.h"

struct _RefractApplication
{
  AdwApplication         parent_instance;
  GSettings             *settings;
  RefractConnectionList *connections;
  GStrv                  connect_uris;
  char                  *show_machine;
  gboolean               show_console;
  gboolean               demo;
};

G_DEFINE_FINAL_TYPE (RefractApplication, refract_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_("Connect to a libvirt URI (may be given more than once)"), N_("URI") },
  { "show-machine", 's', 0, G_OPTION_ARG_STRING, NULL,
    N_("Select the machine with this name"), N_("NAME") },
  { "show-console", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Open the console of the machine with this name"), N_("NAME") },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the demo host"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

RefractApplication *
refract_application_new (void)
{
  return g_object_new (REFRACT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

RefractConnectionList *
refract_application_get_connections (RefractApplication *self)
{
  g_return_val_if_fail (REFRACT_IS_APPLICATION (self), NULL);
  return self->connections;
}

GSettings *
refract_application_get_settings (RefractApplication *self)
{
  g_return_val_if_fail (REFRACT_IS_APPLICATION (self), NULL);
  return self->settings;
}

static RefractWindow *
get_window (RefractApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (refract_window_new (self));
  return REFRACT_WINDOW (window);
}

static void
refract_application_activate (GApplication *app)
{
  RefractApplication *self = REFRACT_APPLICATION (app);
  RefractWindow *window = get_window (self);
  gboolean explicit = self->demo || (self->connect_uris && self->connect_uris[0]);

  if (!explicit && g_list_model_get_n_items (G_LIST_MODEL (self->connections)) == 0)
    refract_window_startup (window);

  /* selected now if already listed, else once a connection lists it */
  if (self->show_machine != NULL && self->show_console)
    refract_window_show_console_by_name (window, self->show_machine);
  else if (self->show_machine != NULL)
    refract_window_select_machine_by_name (window, self->show_machine);

  if (self->demo)
    refract_window_open_connection (window, refract_connection_list_add_demo (self->connections), NULL);
  for (guint i = 0; self->connect_uris && self->connect_uris[i]; i++)
    refract_window_connect_uri (window, self->connect_uris[i], NULL);

  g_clear_pointer (&self->connect_uris, g_strfreev);
  g_clear_pointer (&self->show_machine, g_free);
  self->demo = FALSE;

  gtk_window_present (GTK_WINDOW (window));
}

static int
refract_application_command_line (GApplication            *app,
                                  GApplicationCommandLine *cmdline)
{
  RefractApplication *self = REFRACT_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);

  if (g_variant_dict_contains (options, "version"))
    {
      g_application_command_line_print (cmdline, "refract %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_clear_pointer (&self->connect_uris, g_strfreev);
  g_clear_pointer (&self->show_machine, g_free);
  g_variant_dict_lookup (options, "connect", "^as", &self->connect_uris);
  g_variant_dict_lookup (options, "show-machine", "s", &self->show_machine);
  self->show_console = FALSE;
  if (self->show_machine == NULL && g_variant_dict_lookup (options, "show-console", "s", &self->show_machine))
    self->show_console = TRUE;
  self->demo = g_variant_dict_contains (options, "demo");

  for (guint i = 0; self->connect_uris && self->connect_uris[i]; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!refract_uri_validate (self->connect_uris[i], &error))
        {
          g_application_command_line_printerr (cmdline, "%s\n", error->message);
          g_clear_pointer (&self->connect_uris, g_strfreev);
          return 2;
        }
    }

  g_application_activate (app);
  return 0;
}

static void
load_css (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, RESOURCE_BASE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
refract_application_startup (GApplication *app)
{
  RefractApplication *self = REFRACT_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (refract_application_parent_class)->startup (app);

  if (!refract_model_init (&error))
    g_critical ("Could not set up libvirt’s event loop: %s", error->message);

  gtk_window_set_default_icon_name (APPLICATION_ID);
  load_css ();
  self->settings = g_settings_new ("io.github.refract.Refract");
  self->connections = refract_connection_list_new (self->settings);
  g_settings_bind (self->settings, "stats-interval", refract_stats_sampler_get_default (),
                   "interval", G_SETTINGS_BIND_GET);
  _refract_application_install_actions (self);
}

static void
refract_application_shutdown (GApplication *app)
{
  RefractApplication *self = REFRACT_APPLICATION (app);

  g_object_run_dispose (G_OBJECT (self->connections));
  G_APPLICATION_CLASS (refract_application_parent_class)->shutdown (app);
}

static void
refract_application_finalize (GObject *object)
{
  RefractApplication *self = (RefractApplication *)object;

  g_clear_object (&self->connections);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->connect_uris, g_strfreev);
  g_clear_pointer (&self->show_machine, g_free);

  G_OBJECT_CLASS (refract_application_parent_class)->finalize (object);
}

static void
refract_application_class_init (RefractApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = refract_application_finalize;
  app_class->activate = refract_application_activate;
  app_class->command_line = refract_application_command_line;
  app_class->startup = refract_application_startup;
  app_class->shutdown = refract_application_shutdown;
}

static void
refract_application_init (RefractApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Run virtual machines through libvirt."));
}
