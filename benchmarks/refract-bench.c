/* refract-bench.c: src/main.c, plus the measuring hooks
 *
 * The application is built exactly as src/main.c builds it; the hooks only
 * watch. This build can also read RefractStatsSampler's counters directly,
 * which the LD_PRELOAD build (used on the real binary) can't.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-bench-hooks.h"
#include "refract-main.h"

int
main (int   argc,
      char *argv[])
{
  return refract_main (argc, argv, rb_hooks_install);
}
