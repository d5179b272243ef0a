/* refract-bench-preload.c: LD_PRELOAD this into the real `refract`
 *
 * It wraps g_application_run (), which src/main.c calls through the PLT, to
 * install the measuring hooks, and defines the few libvirt entry points that
 * refract-bench-hooks.c counts. Without $REFRACT_BENCH_OUT it does nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "refract-bench-hooks.h"

int
g_application_run (GApplication  *application,
                   int            argc,
                   char         **argv)
{
  int (*real) (GApplication *, int, char **) = dlsym (RTLD_NEXT, "g_application_run");

  if (real == NULL)
    {
      fprintf (stderr, "refract-bench-preload: no g_application_run: %s\n", dlerror ());
      abort ();
    }
  rb_hooks_install (application);
  return real (application, argc, argv);
}
