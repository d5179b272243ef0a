/* refract-bench.c: src/main.c, plus the measuring hooks
 *
 * The application is built exactly as src/main.c builds it; the hooks only
 * watch. This build can also read RefractStatsSampler's counters directly,
 * which the LD_PRELOAD build (used on the real binary) can't.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "refract-application.h"
#include "refract-bench-hooks.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RefractApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = refract_application_new ();
  rb_hooks_install (G_APPLICATION (app));
  return g_application_run (G_APPLICATION (app), argc, argv);
}
