/* refract-main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-application.h"
#include "refract-main.h"

/* Without a GPU render node GTK's GL renderer runs on llvmpipe: measured here it
 * draws our frames three times slower than the cairo renderer, and loading Mesa
 * at all keeps ~100 MiB more resident (benchmarks/README.md). The user's own
 * GSK_RENDERER or GDK_DEBUG wins. */
void
refract_choose_renderer (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;
  if ((dir = g_dir_open ("/dev/dri", 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (name, "renderD"))
        return;
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
}

/* Sets up translations and the renderer, then runs the application; @hook,
 * when given, sees the application before it runs. */
int
refract_main (int             argc,
              char          **argv,
              RefractAppHook  hook)
{
  g_autoptr(RefractApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  refract_choose_renderer ();
  app = refract_application_new ();
  if (hook != NULL)
    hook (G_APPLICATION (app));
  return g_application_run (G_APPLICATION (app), argc, argv);
}
