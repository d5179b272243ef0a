/* refract-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "refract-cli.h"
#include "refract-model.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} Wait;

static void
opened (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Wait *wait = user_data;

  wait->ok = refract_connection_open_finish (REFRACT_CONNECTION (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
print_machine (RefractMachine *machine)
{
  g_autofree char *state = refract_machine_dup_state_text (machine);
  g_autofree char *memory = g_format_size_full (refract_machine_get_memory (machine) * 1024,
                                                G_FORMAT_SIZE_IEC_UNITS);

  /* Translators: name, display name, state, vCPUs, memory */
  g_print (_("%-24s %-24s %-22s %2u vCPU  %s\n"), refract_machine_get_name (machine),
           refract_machine_get_display_name (machine), state,
           refract_machine_get_vcpus (machine), memory);
}

static int
status (const char *uri, const char *name)
{
  g_autoptr(RefractConnection) connection = refract_connection_new (uri);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, FALSE, NULL };
  RefractMachineList *machines;
  guint n;

  refract_connection_open_async (connection, NULL, opened, &wait);
  g_main_loop_run (loop);
  if (!wait.ok)
    {
      const char *remedy = refract_error_get_remedy (wait.error);

      g_printerr ("%s\n%s%s", wait.error->message, remedy ? remedy : "", remedy ? "\n" : "");
      g_clear_error (&wait.error);
      return 1;
    }

  machines = refract_connection_get_machines (connection);
  if (name != NULL)
    {
      RefractMachine *machine = refract_machine_list_find_by_name (machines, name);

      if (machine == NULL)
        {
          g_printerr (_("There is no machine called “%s” on %s.\n"), name, uri);
          return 1;
        }
      print_machine (machine);
      return refract_machine_is_active (machine) ? 0 : 3;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (machines));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RefractMachine) machine = g_list_model_get_item (G_LIST_MODEL (machines), i);
      print_machine (machine);
    }
  return 0;
}

int
refract_cli_run (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, N_("libvirt URI (default qemu:///system)"), N_("URI") },
    { NULL }
  };

  context = g_option_context_new (_("status [NAME] — show the state of the machines"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Commands for a DSP coprocessor machine. Exit status of "
                                           "“status NAME”: 0 running, 3 not running, 1 error."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc < 2 || g_strcmp0 (argv[1], "status") != 0 || argc > 3)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return 2;
    }
  if (uri != NULL && !refract_uri_validate (uri, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!refract_model_init (&error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return status (uri ? uri : "qemu:///system", argc == 3 ? argv[2] : NULL);
}
