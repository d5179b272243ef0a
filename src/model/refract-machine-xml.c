/* refract-machine-xml.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libvirt/virterror.h>

#include "refract-machine-xml.h"
#include "refract-model-error.h"
#include "refract-os.h"

#define OSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

static char *
prop (xmlNodePtr node, const char *name)
{
  xmlChar *value;
  char *ret;

  if (node == NULL || (value = xmlGetProp (node, (const xmlChar *) name)) == NULL)
    return NULL;
  ret = g_strdup ((const char *) value);
  xmlFree (value);
  return ret;
}

static xmlNodePtr
child (xmlNodePtr node, const char *name)
{
  for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && g_str_equal ((const char *) c->name, name))
      return c;
  return NULL;
}

static char *
xpath_string (xmlXPathContextPtr ctx, const char *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  char *ret = NULL;

  if (obj != NULL && obj->type == XPATH_STRING && obj->stringval && *obj->stringval)
    ret = g_strdup ((const char *) obj->stringval);
  xmlXPathFreeObject (obj);
  return ret;
}

static void
foreach_node (xmlXPathContextPtr ctx, const char *expr, void (*fn) (xmlNodePtr, GPtrArray *),
              GPtrArray *out)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);

  if (obj != NULL && obj->nodesetval != NULL)
    for (int i = 0; i < obj->nodesetval->nodeNr; i++)
      fn (obj->nodesetval->nodeTab[i], out);
  xmlXPathFreeObject (obj);
}

static char *
disk_source (xmlNodePtr source)
{
  char *value;
  char *pool;

  if (source == NULL)
    return NULL;
  if ((value = prop (source, "file")) || (value = prop (source, "dev"))
      || (value = prop (source, "dir")))
    return value;
  if ((pool = prop (source, "pool")) != NULL)
    {
      g_autofree char *vol = prop (source, "volume");
      g_autofree char *owned = pool;

      return g_strdup_printf ("%s/%s", owned, vol ? vol : "");
    }
  return prop (source, "name");
}

static void
add_disk (xmlNodePtr node, GPtrArray *out)
{
  RefractMachineDisk *disk = g_new0 (RefractMachineDisk, 1);
  xmlNodePtr target = child (node, "target");

  disk->device = prop (node, "device");
  disk->target = prop (target, "dev");
  disk->bus = prop (target, "bus");
  disk->source = disk_source (child (node, "source"));
  disk->format = prop (child (node, "driver"), "type");
  disk->readonly = child (node, "readonly") != NULL || g_strcmp0 (disk->device, "cdrom") == 0;
  disk->capacity = -1;
  g_ptr_array_add (out, disk);
}

static char *
nic_forwards (xmlNodePtr node)
{
  g_autoptr(GString) str = g_string_new (NULL);

  for (xmlNodePtr pf = node->children; pf; pf = pf->next)
    {
      g_autofree char *proto = NULL;

      if (pf->type != XML_ELEMENT_NODE || !g_str_equal ((const char *) pf->name, "portForward"))
        continue;
      proto = prop (pf, "proto");
      for (xmlNodePtr r = pf->children; r; r = r->next)
        {
          g_autofree char *start = prop (r, "start");
          g_autofree char *to = prop (r, "to");

          if (r->type != XML_ELEMENT_NODE || start == NULL)
            continue;
          if (str->len)
            g_string_append (str, ", ");
          g_string_append_printf (str, "%s → %s/%s", start, to ? to : start,
                                  proto ? proto : "tcp");
        }
    }
  return str->len ? g_string_free (g_steal_pointer (&str), FALSE) : NULL;
}

static void
add_nic (xmlNodePtr node, GPtrArray *out)
{
  RefractMachineNic *nic = g_new0 (RefractMachineNic, 1);
  xmlNodePtr source = child (node, "source");

  nic->type = prop (node, "type");
  nic->mac = prop (child (node, "mac"), "address");
  nic->model = prop (child (node, "model"), "type");
  nic->source = prop (source, "network");
  if (nic->source == NULL)
    nic->source = prop (source, "bridge");
  if (nic->source == NULL)
    nic->source = prop (source, "dev");
  nic->forwards = nic_forwards (node);
  g_ptr_array_add (out, nic);
}

static void
add_graphics (xmlNodePtr node, GPtrArray *out)
{
  RefractMachineGraphics *g = g_new0 (RefractMachineGraphics, 1);
  xmlNodePtr listen = child (node, "listen");
  g_autofree char *port = prop (node, "port");
  g_autofree char *listen_type = prop (listen, "type");

  g->type = prop (node, "type");
  g->port = port ? (int) g_ascii_strtoll (port, NULL, 10) : -1;
  if (g_strcmp0 (listen_type, "none") == 0)
    g->listen = g_strdup ("none");
  else if (g_strcmp0 (listen_type, "socket") == 0)
    g->listen = prop (listen, "socket");
  else if ((g->listen = prop (listen, "address")) == NULL)
    g->listen = prop (node, "listen");
  g_ptr_array_add (out, g);
}

static int
count_nodes (xmlXPathContextPtr ctx, const char *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  int n = obj && obj->nodesetval ? obj->nodesetval->nodeNr : 0;

  xmlXPathFreeObject (obj);
  return n;
}

RefractMachineXml *
_refract_machine_xml_parse (const char  *text,
                            GError     **error)
{
  RefractMachineXml *xml;
  xmlDocPtr doc;
  xmlXPathContextPtr ctx;

  doc = xmlReadMemory (text, strlen (text), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                   _("libvirt returned a machine description that is not valid XML."));
      return NULL;
    }

  ctx = xmlXPathNewContext (doc);
  xmlXPathRegisterNs (ctx, (const xmlChar *) "libosinfo", (const xmlChar *) OSINFO_NS);

  xml = g_new0 (RefractMachineXml, 1);
  xml->persistent = TRUE;
  xml->title = xpath_string (ctx, "string(/domain/title)");
  xml->description = xpath_string (ctx, "string(/domain/description)");
  xml->os_id = xpath_string (ctx, "string(/domain/metadata/libosinfo:libosinfo/libosinfo:os/@id)");
  xml->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_machine_disk_free);
  xml->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_machine_nic_free);
  xml->graphics = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_machine_graphics_free);
  foreach_node (ctx, "/domain/devices/disk", add_disk, xml->disks);
  foreach_node (ctx, "/domain/devices/interface", add_nic, xml->nics);
  foreach_node (ctx, "/domain/devices/graphics", add_graphics, xml->graphics);
  xml->has_serial = count_nodes (ctx, "/domain/devices/serial | /domain/devices/console") > 0;

  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return xml;
}

static void
fill_volume (virConnectPtr conn, RefractMachineDisk *disk)
{
  virStorageVolPtr vol = NULL;
  virStorageVolInfo info;

  if (disk->source == NULL)
    return;
  if (disk->source[0] == '/')
    vol = virStorageVolLookupByPath (conn, disk->source);
  else if (strchr (disk->source, '/') != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (disk->source, "/", 2);
      virStoragePoolPtr pool = virStoragePoolLookupByName (conn, parts[0]);

      vol = pool ? virStorageVolLookupByName (pool, parts[1]) : NULL;
      g_clear_pointer (&pool, virStoragePoolFree);
      if (vol != NULL)
        {
          char *path = virStorageVolGetPath (vol);

          g_free (disk->source);
          disk->source = g_strdup (path);
          free (path);
        }
    }

  if (vol != NULL && virStorageVolGetInfo (vol, &info) == 0)
    {
      disk->capacity = info.capacity;
      disk->in_pool = TRUE;
    }
  g_clear_pointer (&vol, virStorageVolFree);
  virResetLastError ();
}

static void
fill_block_info (virDomainPtr dom, RefractMachineDisk *disk)
{
  virDomainBlockInfo info;

  if (disk->capacity >= 0 || disk->target == NULL || disk->source == NULL)
    return;
  if (virDomainGetBlockInfo (dom, disk->target, &info, 0) == 0)
    disk->capacity = info.capacity;
  virResetLastError ();
}

RefractMachineXml *
_refract_machine_xml_load (virDomainPtr   dom,
                           GError       **error)
{
  RefractMachineXml *xml;
  char *text = virDomainGetXMLDesc (dom, 0);
  int autostart = 0;

  if (text == NULL)
    {
      *error = refract_error_from_libvirt (_("Could not read the machine’s configuration"));
      return NULL;
    }
  xml = _refract_machine_xml_parse (text, error);
  free (text);
  if (xml == NULL)
    return NULL;

  xml->persistent = virDomainIsPersistent (dom) == 1;
  xml->autostart = virDomainGetAutostart (dom, &autostart) == 0 && autostart;
  xml->managed_save = virDomainHasManagedSaveImage (dom, 0) == 1;
  xml->os_name = refract_os_name_for_id (xml->os_id);
  virResetLastError ();

  for (guint i = 0; i < xml->disks->len; i++)
    {
      fill_volume (virDomainGetConnect (dom), g_ptr_array_index (xml->disks, i));
      fill_block_info (dom, g_ptr_array_index (xml->disks, i));
    }
  return xml;
}

void
_refract_machine_xml_free (RefractMachineXml *xml)
{
  g_free (xml->title);
  g_free (xml->description);
  g_free (xml->os_id);
  g_free (xml->os_name);
  g_clear_pointer (&xml->disks, g_ptr_array_unref);
  g_clear_pointer (&xml->nics, g_ptr_array_unref);
  g_clear_pointer (&xml->graphics, g_ptr_array_unref);
  g_free (xml);
}
