/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "refract-test-util.h"
int
main (int argc, char *argv[])
{
  rt_init (&argc, &argv);
  return g_test_run ();
}
