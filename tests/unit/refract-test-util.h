/* refract-test-util.h: waiting on the main loop with a deadline, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "refract-connection-private.h"
#include "refract-machine-private.h"
#include "refract-model.h"

G_BEGIN_DECLS

/* Iterates the default main context until @cond holds; fails the test with
 * @what after @seconds. Never blocks longer than the deadline. */
#define rt_wait_until(cond, seconds, what) \
  G_STMT_START { \
    gint64 rt_deadline_ = rt_deadline_in ((seconds)); \
    while (!(cond)) \
      { \
        if (!rt_iterate_before (rt_deadline_)) \
          { \
            rt_timed_out (__FILE__, __LINE__, G_STRFUNC, (seconds), (what), #cond); \
            break; \
          } \
      } \
  } G_STMT_END

void                rt_init                (int                 *argc,
                                            char              ***argv);
gint64              rt_deadline_in         (double               seconds);
gboolean            rt_iterate_before      (gint64               deadline);
G_NORETURN void     rt_timed_out           (const char          *file,
                                            int                  line,
                                            const char          *func,
                                            double               seconds,
                                            const char          *what,
                                            const char          *cond);
void                rt_spin                (guint                milliseconds);
void                rt_store_result        (GObject             *source,
                                            GAsyncResult        *result,
                                            gpointer             user_data);

RefractConnection  *rt_open                (const char          *uri);
void                rt_close               (RefractConnection   *connection);
void                rt_unref_and_wait      (gpointer             object);
RefractMachine     *rt_find               (RefractConnection   *connection,
                                            const char          *name);
gboolean            rt_run                 (RefractMachine      *machine,
                                            RefractMachineAction action,
                                            GError             **error);
void                rt_run_and_wait        (RefractMachine      *machine,
                                            RefractMachineAction action,
                                            RefractMachineState  state);
void                rt_load_details        (RefractMachine      *machine);
void                rt_wait_state          (RefractMachine      *machine,
                                            RefractMachineState  state,
                                            double               seconds);

/* Records every state a machine announces with notify::state. */
typedef struct
{
  RefractMachine *machine;
  GArray         *states;
  gulong          handler;
} RtStateLog;

RtStateLog         *rt_state_log_new       (RefractMachine      *machine);
gboolean            rt_state_log_has       (RtStateLog          *log,
                                            RefractMachineState  state);
void                rt_state_log_clear     (RtStateLog          *log);
void                rt_state_log_free      (RtStateLog          *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtStateLog, rt_state_log_free)

G_END_DECLS
