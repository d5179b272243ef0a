/* refract-machine-xml.h: what the overview needs from a domain's XML
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libvirt/libvirt.h>

#include "refract-machine.h"

G_BEGIN_DECLS

typedef struct
{
  char      *title;
  char      *description;
  char      *os_id;
  char      *os_name;
  GPtrArray *disks;
  GPtrArray *nics;
  GPtrArray *graphics;
  gboolean   autostart;
  gboolean   persistent;
  gboolean   managed_save;
  gboolean   has_serial;
} RefractMachineXml;

RefractMachineXml *_refract_machine_xml_parse (const char        *xml,
                                               GError           **error);
RefractMachineXml *_refract_machine_xml_load  (virDomainPtr       dom,
                                               GError           **error);
void               _refract_machine_xml_free  (RefractMachineXml *xml);

G_END_DECLS
