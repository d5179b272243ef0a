/* refract-test-harness.h: a private libvirtd + QEMU for integration tests
 *
 * Drives refract-libvirtd-harness: starts the daemon in a directory of the
 * build tree (or in /tmp when that path is too long for the daemon's unix
 * socket), keeps a watchdog that stops it if the test dies, and defines
 * disk-less machines on it. If the harness cannot start, the test fails: a
 * skipped integration test hides a broken CI host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-test-util.h"

G_BEGIN_DECLS

/* The fixture of a test: zeroed by g_test_add(), filled by rth_setup(). */
typedef struct
{
  char              *dir;
  gboolean           dir_is_temp;
  char              *uri;
  char              *domain_type;     /* "kvm" or "qemu" */
  GPid               watchdog;
  RefractConnection *connection;      /* the test's; closed by rth_teardown() */
  gint64             started_us;
  /* run the harness without our environment (ASan options and the like);
   * set before rth_setup() */
  gboolean           clean_env;
  /* set before rth_setup(): libvirtd also listens on 127.0.0.1:tcp_port
   * (plain TCP, no authentication; root only, so use rth_private_network()
   * first), and tcp_uri is its qemu+tcp:// URI, a remote connection */
  guint              tcp_port;
  char              *tcp_uri;
  /* set before rth_setup(): SPICE servers also offer TLS, with a certificate
   * for 127.0.0.1 signed by the CA in spice_ca */
  gboolean           spice_tls;
  char              *spice_ca;
} RthHarness;

/* A disk-less domain: SeaBIOS and whatever the devices do. */
typedef struct
{
  const char *name;
  guint       memory_mib;             /* 128 if 0 */
  const char *os;                     /* elements in <os> after <type>, or NULL */
  const char *features;               /* the content of <features>, or NULL for none */
  const char *devices;                /* the content of <devices>, or NULL */
} RthDomain;

void             rth_setup           (RthHarness         *h,
                                      const char         *dir_hint);
void             rth_teardown        (RthHarness         *h,
                                      gconstpointer       data);
void             rth_step            (RthHarness         *h,
                                      const char         *what);
gboolean         rth_run             (RthHarness         *h,
                                      const char         *command,
                                      char              **out);
gboolean         rth_run_clean       (const char *const  *argv,
                                      char              **out,
                                      GError            **error);
RefractMachine  *rth_define_machine  (RthHarness         *h,
                                      const RthDomain    *domain);
void             rth_private_network (void);

G_END_DECLS
