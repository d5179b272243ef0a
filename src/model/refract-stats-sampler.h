/* refract-stats-sampler.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-machine.h"

G_BEGIN_DECLS

#define REFRACT_TYPE_STATS_SAMPLER (refract_stats_sampler_get_type ())

G_DECLARE_FINAL_TYPE (RefractStatsSampler, refract_stats_sampler, REFRACT, STATS_SAMPLER, GObject)

RefractStatsSampler *refract_stats_sampler_get_default     (void);
void                 refract_stats_sampler_watch           (RefractStatsSampler *self,
                                                            RefractMachine      *machine);
void                 refract_stats_sampler_unwatch         (RefractStatsSampler *self,
                                                            RefractMachine      *machine);
guint                refract_stats_sampler_get_n_watched   (RefractStatsSampler *self);
gboolean             refract_stats_sampler_get_running     (RefractStatsSampler *self);
guint                refract_stats_sampler_get_interval    (RefractStatsSampler *self);
void                 refract_stats_sampler_set_interval    (RefractStatsSampler *self,
                                                            guint                seconds);
guint64              refract_stats_sampler_get_n_calls     (RefractStatsSampler *self);
void                 refract_stats_sampler_sample_now      (RefractStatsSampler *self);

G_END_DECLS
