/* refract-dsp-config.h: a domain's real-time settings, edited in its XML
 *
 * Reads and writes <vcpu>, <iothreads>, <cputune>, <memoryBacking>, <memtune>,
 * <numatune>, <features> pmu / kvm hint-dedicated, <cpu> topology and
 * tsc-deadline, and the memballoon, through libxml2 on the domain XML.
 * libvirt-gconfig has no API for most of these. Everything the setters don't
 * touch is kept byte for byte: refract_dsp_config_to_xml() of an unchanged
 * config returns the original text, and a change rewrites only its element.
 *
 * Every setter emits ::changed; the getters read the edited XML.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "refract-host-topology.h"
#include "refract-model-types.h"

G_BEGIN_DECLS

typedef enum
{
  REFRACT_VCPU_SCHED_NONE,
  REFRACT_VCPU_SCHED_FIFO,
  REFRACT_VCPU_SCHED_RR,
} RefractVcpuSched;

typedef struct
{
  gboolean  defined;       /* the persistent definition was replaced */
  gboolean  applied_live;  /* pinning changed on the running machine */
  /* Translated descriptions of changes that wait for the next start */
  GStrv     needs_restart;
} RefractDspApplyResult;

void refract_dsp_apply_result_free (RefractDspApplyResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefractDspApplyResult, refract_dsp_apply_result_free)

#define REFRACT_TYPE_DSP_CONFIG (refract_dsp_config_get_type ())

G_DECLARE_FINAL_TYPE (RefractDspConfig, refract_dsp_config, REFRACT, DSP_CONFIG, GObject)

RefractDspConfig *refract_dsp_config_new_from_xml     (const char           *xml,
                                                       GError              **error);
/* The machine's XML: the persistent definition (@live FALSE), or what runs. */
void              refract_dsp_config_load_async       (RefractMachine       *machine,
                                                       gboolean              live,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
RefractDspConfig *refract_dsp_config_load_finish      (GAsyncResult         *result,
                                                       GError              **error);
/* The original text with the edits spliced in. */
char             *refract_dsp_config_to_xml           (RefractDspConfig     *self);
const char       *refract_dsp_config_get_original_xml (RefractDspConfig     *self);
gboolean          refract_dsp_config_get_modified     (RefractDspConfig     *self);
RefractDspConfig *refract_dsp_config_copy             (RefractDspConfig     *self);

/* Defines the edited XML; when the machine runs and @live, pins its vCPUs,
 * emulator and iothreads at once too. Reports what waits for a restart. */
void              refract_dsp_config_apply_async      (RefractDspConfig     *self,
                                                       RefractMachine       *machine,
                                                       gboolean              live,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
RefractDspApplyResult *refract_dsp_config_apply_finish (RefractDspConfig    *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* read-only facts */
const char       *refract_dsp_config_get_name         (RefractDspConfig     *self);
const char       *refract_dsp_config_get_domain_type  (RefractDspConfig     *self);
guint64           refract_dsp_config_get_memory_kib   (RefractDspConfig     *self);
/* The XML of a running machine (libvirt gives it an id), not a definition */
gboolean          refract_dsp_config_get_is_running   (RefractDspConfig     *self);
gboolean          refract_dsp_config_get_has_usb_controller (RefractDspConfig *self);

guint             refract_dsp_config_get_vcpus        (RefractDspConfig     *self);
void              refract_dsp_config_set_vcpus        (RefractDspConfig     *self,
                                                       guint                 vcpus);
guint             refract_dsp_config_get_iothreads    (RefractDspConfig     *self);
void              refract_dsp_config_set_iothreads    (RefractDspConfig     *self,
                                                       guint                 iothreads);

/* Pins: FALSE (and @set cleared) when there is none. Setting NULL removes it. */
gboolean          refract_dsp_config_get_vcpu_pin     (RefractDspConfig     *self,
                                                       guint                 vcpu,
                                                       RefractCpuSet        *set);
void              refract_dsp_config_set_vcpu_pin     (RefractDspConfig     *self,
                                                       guint                 vcpu,
                                                       const RefractCpuSet  *set);
gboolean          refract_dsp_config_get_emulator_pin (RefractDspConfig     *self,
                                                       RefractCpuSet        *set);
void              refract_dsp_config_set_emulator_pin (RefractDspConfig     *self,
                                                       const RefractCpuSet  *set);
gboolean          refract_dsp_config_get_iothread_pin (RefractDspConfig     *self,
                                                       guint                 iothread,
                                                       RefractCpuSet        *set);
void              refract_dsp_config_set_iothread_pin (RefractDspConfig     *self,
                                                       guint                 iothread,
                                                       const RefractCpuSet  *set);
/* All the host CPUs the vCPUs are pinned to */
RefractCpuSet     refract_dsp_config_get_vcpu_cpus    (RefractDspConfig     *self);

/* One <vcpusched> for all vCPUs; @vcpus may be NULL. */
RefractVcpuSched  refract_dsp_config_get_scheduler    (RefractDspConfig     *self,
                                                       guint                *priority,
                                                       char                **vcpus);
void              refract_dsp_config_set_scheduler    (RefractDspConfig     *self,
                                                       RefractVcpuSched      sched,
                                                       guint                 priority);

/* 0: no hugepages. <hugepages/> without a size is reported as 2048. */
guint64           refract_dsp_config_get_hugepage_size_kib (RefractDspConfig *self);
void              refract_dsp_config_set_hugepage_size_kib (RefractDspConfig *self,
                                                       guint64               size_kib);
gboolean          refract_dsp_config_get_locked       (RefractDspConfig     *self);
void              refract_dsp_config_set_locked       (RefractDspConfig     *self,
                                                       gboolean              locked);
gboolean          refract_dsp_config_get_nosharepages (RefractDspConfig     *self);
void              refract_dsp_config_set_nosharepages (RefractDspConfig     *self,
                                                       gboolean              nosharepages);
/* 0: no limit */
guint64           refract_dsp_config_get_hard_limit_kib (RefractDspConfig   *self);
void              refract_dsp_config_set_hard_limit_kib (RefractDspConfig   *self,
                                                       guint64               kib);
/* <numatune><memory mode nodeset/>: NULL when absent */
char             *refract_dsp_config_dup_numa_nodeset (RefractDspConfig     *self,
                                                       char                **mode);
void              refract_dsp_config_set_numa_nodeset (RefractDspConfig     *self,
                                                       const char           *mode,
                                                       const char           *nodeset);

/* <pmu state='off'/> present */
gboolean          refract_dsp_config_get_pmu_off      (RefractDspConfig     *self);
void              refract_dsp_config_set_pmu_off      (RefractDspConfig     *self,
                                                       gboolean              off);
gboolean          refract_dsp_config_get_hint_dedicated (RefractDspConfig   *self);
void              refract_dsp_config_set_hint_dedicated (RefractDspConfig   *self,
                                                       gboolean              on);
/* <cpu mode>, NULL when there is no <cpu> */
const char       *refract_dsp_config_get_cpu_mode     (RefractDspConfig     *self);
gboolean          refract_dsp_config_get_host_passthrough (RefractDspConfig *self);
void              refract_dsp_config_set_host_passthrough (RefractDspConfig *self,
                                                       gboolean              on);
/* FALSE when there is no <topology> */
gboolean          refract_dsp_config_get_topology     (RefractDspConfig     *self,
                                                       guint                *sockets,
                                                       guint                *dies,
                                                       guint                *cores,
                                                       guint                *threads);
void              refract_dsp_config_set_topology     (RefractDspConfig     *self,
                                                       guint                 sockets,
                                                       guint                 dies,
                                                       guint                 cores,
                                                       guint                 threads);
gboolean          refract_dsp_config_get_tsc_deadline (RefractDspConfig     *self);
void              refract_dsp_config_set_tsc_deadline (RefractDspConfig     *self,
                                                       gboolean              required);
/* TRUE unless there is <memballoon model='none'/> */
gboolean          refract_dsp_config_get_has_memballoon (RefractDspConfig   *self);
void              refract_dsp_config_set_has_memballoon (RefractDspConfig   *self,
                                                       gboolean              has);

const char       *refract_vcpu_sched_to_string        (RefractVcpuSched      sched);

G_END_DECLS
