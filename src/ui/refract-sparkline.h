/* refract-sparkline.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "refract-model.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_SPARKLINE_CPU,
  REFRACT_SPARKLINE_MEMORY,
} RefractSparklineKind;

#define REFRACT_TYPE_SPARKLINE (refract_sparkline_get_type ())

G_DECLARE_FINAL_TYPE (RefractSparkline, refract_sparkline, REFRACT, SPARKLINE, GtkWidget)

GtkWidget      *refract_sparkline_new         (void);
RefractMachine *refract_sparkline_get_machine (RefractSparkline     *self);
void            refract_sparkline_set_machine (RefractSparkline     *self,
                                               RefractMachine       *machine);
void            refract_sparkline_set_kind    (RefractSparkline     *self,
                                               RefractSparklineKind  kind);

G_END_DECLS
