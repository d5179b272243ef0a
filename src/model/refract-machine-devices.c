/* refract-machine-devices.c: USB redirection channels and USB passthrough
 *
 * All libvirt calls run in a GTask thread on a reference to the domain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "refract-machine-devices.h"
#include "refract-machine-private.h"
#include "refract-model-error.h"

#define MAX_CHANNELS 8

char *
refract_usb_hostdev_xml (guint16 vendor,
                         guint16 product)
{
  return g_strdup_printf ("<hostdev mode='subsystem' type='usb' managed='yes'>"
                          "<source><vendor id='0x%04x'/><product id='0x%04x'/></source>"
                          "</hostdev>", vendor, product);
}

/* ---- XML ----------------------------------------------------------------- */

static gboolean
is_named (xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && g_strcmp0 ((const char *) node->name, name) == 0;
}

static gboolean
prop_is (xmlNode *node, const char *name, const char *value)
{
  xmlChar *actual = xmlGetProp (node, (const xmlChar *) name);
  gboolean same = g_strcmp0 ((const char *) actual, value) == 0;

  xmlFree (actual);
  return same;
}

static xmlNode *
find_devices (xmlDoc *doc)
{
  xmlNode *root = doc ? xmlDocGetRootElement (doc) : NULL;

  for (xmlNode *node = root ? root->children : NULL; node != NULL; node = node->next)
    if (is_named (node, "devices"))
      return node;
  return NULL;
}

char *
refract_machine_xml_add_usb_redirection (const char  *domain_xml,
                                         guint        channels,
                                         GError     **error)
{
  xmlDoc *doc = xmlReadMemory (domain_xml, strlen (domain_xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *devices = find_devices (doc);
  xmlNode *usb_controller = NULL;
  guint have = 0;
  xmlChar *out = NULL;
  int len = 0;
  char *result;

  if (devices == NULL)
    {
      g_set_error_literal (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED,
                           _("The machine's definition has no devices section"));
      g_clear_pointer (&doc, xmlFreeDoc);
      return NULL;
    }
  for (xmlNode *node = devices->children; node != NULL; node = node->next)
    {
      if (is_named (node, "redirdev") && prop_is (node, "bus", "usb")
          && prop_is (node, "type", "spicevmc"))
        have++;
      else if (is_named (node, "controller") && prop_is (node, "type", "usb"))
        usb_controller = node;
    }
  if (usb_controller == NULL)
    {
      xmlNode *controller = xmlNewChild (devices, NULL, (const xmlChar *) "controller", NULL);

      xmlNewProp (controller, (const xmlChar *) "type", (const xmlChar *) "usb");
      xmlNewProp (controller, (const xmlChar *) "model", (const xmlChar *) "qemu-xhci");
    }
  else if (prop_is (usb_controller, "model", "none") || prop_is (usb_controller, "model", "piix3-uhci"))
    {
      /* libvirt's default for a 'pc' machine is the PIIX3's USB 1.1 function:
       * 12 Mb/s, too slow for a stick and too coarse for an audio interface.
       * An xHCI controller takes USB 1 to 3; it gets a PCI slot of its own. */
      xmlSetProp (usb_controller, (const xmlChar *) "model", (const xmlChar *) "qemu-xhci");
      for (xmlNode *child = usb_controller->children, *next; child != NULL; child = next)
        {
          next = child->next;
          if (is_named (child, "address"))
            {
              xmlUnlinkNode (child);
              xmlFreeNode (child);
            }
        }
    }
  for (; have < MIN (channels, MAX_CHANNELS); have++)
    {
      xmlNode *redirdev = xmlNewChild (devices, NULL, (const xmlChar *) "redirdev", NULL);

      xmlNewProp (redirdev, (const xmlChar *) "bus", (const xmlChar *) "usb");
      xmlNewProp (redirdev, (const xmlChar *) "type", (const xmlChar *) "spicevmc");
    }
  xmlDocDumpMemory (doc, &out, &len);
  result = g_strndup ((const char *) out, len);
  xmlFree (out);
  xmlFreeDoc (doc);
  return result;
}

/* ---- operations ---------------------------------------------------------- */

typedef enum { OP_ADD_REDIRECTION, OP_ATTACH, OP_DETACH } OpKind;

typedef struct
{
  OpKind       kind;
  virDomainPtr dom;
  guint        channels;
  guint16      vendor;
  guint16      product;
  gboolean     live;
} DevOp;

static void
dev_op_free (DevOp *op)
{
  g_clear_pointer (&op->dom, virDomainFree);
  g_free (op);
}

static gboolean
add_redirection (DevOp *op, GError **error)
{
  g_autofree char *xml = virDomainGetXMLDesc (op->dom, VIR_DOMAIN_XML_INACTIVE
                                                       | VIR_DOMAIN_XML_SECURE);
  g_autofree char *changed = NULL;
  virDomainPtr defined;

  if (xml == NULL)
    {
      *error = refract_error_from_libvirt (_("Could not read the machine's definition"));
      return FALSE;
    }
  if ((changed = refract_machine_xml_add_usb_redirection (xml, op->channels, error)) == NULL)
    return FALSE;
  defined = virDomainDefineXML (virDomainGetConnect (op->dom), changed);
  if (defined == NULL)
    {
      *error = refract_error_from_libvirt (_("Could not add USB redirection channels"));
      return FALSE;
    }
  virDomainFree (defined);
  return TRUE;
}

static unsigned int
hostdev_flags (DevOp *op)
{
  unsigned int flags = 0;

  if (virDomainIsPersistent (op->dom) == 1)
    flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (op->live && virDomainIsActive (op->dom) == 1)
    flags |= VIR_DOMAIN_AFFECT_LIVE;
  return flags;
}

static gboolean
change_hostdev (DevOp *op, GError **error)
{
  g_autofree char *xml = refract_usb_hostdev_xml (op->vendor, op->product);
  unsigned int flags = hostdev_flags (op);
  int ret;

  if (op->kind == OP_ATTACH)
    ret = virDomainAttachDeviceFlags (op->dom, xml, flags);
  else
    ret = virDomainDetachDeviceFlags (op->dom, xml, flags);
  if (ret == 0)
    return TRUE;
  *error = refract_error_from_libvirt (op->kind == OP_ATTACH
                                       ? _("Could not attach the USB device to the machine")
                                       : _("Could not detach the USB device from the machine"));
  return FALSE;
}

static void
dev_op_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DevOp *op = task_data;
  GError *error = NULL;
  gboolean ok;

  if (op->kind == OP_ADD_REDIRECTION)
    ok = add_redirection (op, &error);
  else
    ok = change_hostdev (op, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
dev_op_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  _refract_machine_refresh (REFRACT_MACHINE (object));
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_dev_op (RefractMachine      *self,
            DevOp               *op,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (task, source_tag);
  op->dom = _refract_machine_ref_domain (self);
  if (op->dom == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The machine is no longer available"));
      dev_op_free (op);
      return;
    }
  inner = g_task_new (self, cancellable, dev_op_done, g_steal_pointer (&task));
  g_task_set_task_data (inner, op, (GDestroyNotify) dev_op_free);
  g_task_run_in_thread (inner, dev_op_thread);
}

static gboolean
dev_op_finish (RefractMachine *self, GAsyncResult *result, gpointer tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
refract_machine_add_usb_redirection_async (RefractMachine      *self,
                                           guint                channels,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  DevOp *op;

  g_return_if_fail (REFRACT_IS_MACHINE (self));
  op = g_new0 (DevOp, 1);
  op->kind = OP_ADD_REDIRECTION;
  op->channels = channels;
  run_dev_op (self, op, cancellable, callback, user_data,
              refract_machine_add_usb_redirection_async);
}

gboolean
refract_machine_add_usb_redirection_finish (RefractMachine  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  return dev_op_finish (self, result, refract_machine_add_usb_redirection_async, error);
}

static void
hostdev_async (RefractMachine *self, OpKind kind, guint16 vendor, guint16 product, gboolean live,
               GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data,
               gpointer tag)
{
  DevOp *op = g_new0 (DevOp, 1);

  op->kind = kind;
  op->vendor = vendor;
  op->product = product;
  op->live = live;
  run_dev_op (self, op, cancellable, callback, user_data, tag);
}

void
refract_machine_attach_usb_hostdev_async (RefractMachine      *self,
                                          guint16              vendor,
                                          guint16              product,
                                          gboolean             live,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (REFRACT_IS_MACHINE (self));
  hostdev_async (self, OP_ATTACH, vendor, product, live, cancellable, callback, user_data,
                 refract_machine_attach_usb_hostdev_async);
}

gboolean
refract_machine_attach_usb_hostdev_finish (RefractMachine  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return dev_op_finish (self, result, refract_machine_attach_usb_hostdev_async, error);
}

void
refract_machine_detach_usb_hostdev_async (RefractMachine      *self,
                                          guint16              vendor,
                                          guint16              product,
                                          gboolean             live,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (REFRACT_IS_MACHINE (self));
  hostdev_async (self, OP_DETACH, vendor, product, live, cancellable, callback, user_data,
                 refract_machine_detach_usb_hostdev_async);
}

gboolean
refract_machine_detach_usb_hostdev_finish (RefractMachine  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return dev_op_finish (self, result, refract_machine_detach_usb_hostdev_async, error);
}
