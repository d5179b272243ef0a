/* refract-bench-hooks.h: measuring a running Refract from the inside
 *
 * The same code serves two builds:
 *  - refract-bench-preload.so, LD_PRELOADed into the real `refract` binary
 *    (it wraps g_application_run() to call rb_hooks_install());
 *  - refract-bench, a copy of src/main.c linked against ui_dep that calls
 *    rb_hooks_install() itself and can also ask RefractStatsSampler directly.
 *
 * Everything is configured through REFRACT_BENCH_* environment variables set
 * by run-benchmarks; see benchmarks/README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void rb_hooks_install (GApplication *app);

G_END_DECLS
