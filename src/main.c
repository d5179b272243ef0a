/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "refract-main.h"

int
main (int   argc,
      char *argv[])
{
  return refract_main (argc, argv, NULL);
}
