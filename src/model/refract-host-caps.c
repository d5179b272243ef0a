/* refract-host-caps.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <sys/utsname.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "refract-connection-private.h"
#include "refract-host-caps.h"
#include "refract-model-error.h"
#include "refract-uri.h"

#define CACHE_KEY "refract-host-caps"
#define VIRTIO_WIN_ISO "/usr/share/virtio-win/virtio-win.iso"
/* libvirt learnt <backend type='passt'/> after 9.0: Debian 12's 9.0 rejects
 * it, and silently drops <portForward> from slirp interfaces. */
#define PASST_MIN_LIBVIRT 9002000

typedef struct
{
  gboolean  available;
  char     *reason;
} Feature;

struct _RefractHostCaps
{
  GObject    parent_instance;

  Feature    features[REFRACT_HOST_FEATURE_N_FEATURES];
  char      *arch;
  char      *domain_type;
  char      *machine_type;
  char      *emulator;
  guint      host_cpus;
  guint64    host_memory_mib;
  guint      max_vcpus;
  char      *loaders[2];      /* [secure_boot] */
  char      *vars[2];
  GStrv      networks;
  GStrv      bridges;
  GPtrArray *pools;
  char      *virtio_win_iso;
  gboolean   is_local;
  gboolean   is_nested;
  GStrv      hyperv;          /* NULL: not reported */
};

G_DEFINE_FINAL_TYPE (RefractHostCaps, refract_host_caps, G_TYPE_OBJECT)

static void
refract_host_caps_finalize (GObject *object)
{
  RefractHostCaps *self = REFRACT_HOST_CAPS (object);

  for (guint i = 0; i < REFRACT_HOST_FEATURE_N_FEATURES; i++)
    g_free (self->features[i].reason);
  g_free (self->arch);
  g_free (self->domain_type);
  g_free (self->machine_type);
  g_free (self->emulator);
  for (guint i = 0; i < 2; i++)
    {
      g_free (self->loaders[i]);
      g_free (self->vars[i]);
    }
  g_strfreev (self->networks);
  g_strfreev (self->bridges);
  g_ptr_array_unref (self->pools);
  g_free (self->virtio_win_iso);
  g_strfreev (self->hyperv);

  G_OBJECT_CLASS (refract_host_caps_parent_class)->finalize (object);
}

static void
refract_host_caps_class_init (RefractHostCapsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = refract_host_caps_finalize;
}

static void
refract_host_caps_init (RefractHostCaps *self)
{
  self->arch = g_strdup ("x86_64");
  self->domain_type = g_strdup ("kvm");
  self->machine_type = g_strdup ("q35");
  self->networks = g_new0 (char *, 1);
  self->bridges = g_new0 (char *, 1);
  self->pools = g_ptr_array_new_with_free_func ((GDestroyNotify) refract_pool_info_free);
  for (guint i = 0; i < REFRACT_HOST_FEATURE_N_FEATURES; i++)
    self->features[i].reason = g_strdup (_("This host's capabilities are not known yet."));
}

void
refract_pool_info_free (RefractPoolInfo *pool)
{
  if (pool == NULL)
    return;
  g_free (pool->name);
  g_free (pool->path);
  g_free (pool);
}

static RefractPoolInfo *
pool_info_copy (const RefractPoolInfo *pool)
{
  RefractPoolInfo *copy = g_memdup2 (pool, sizeof *pool);

  copy->name = g_strdup (pool->name);
  copy->path = g_strdup (pool->path);
  return copy;
}

void
refract_host_caps_set_feature (RefractHostCaps    *self,
                               RefractHostFeature  feature,
                               gboolean            available,
                               const char         *reason)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  g_return_if_fail (feature < REFRACT_HOST_FEATURE_N_FEATURES);

  self->features[feature].available = available;
  g_free (self->features[feature].reason);
  self->features[feature].reason = available ? NULL : g_strdup (reason);
}

static void
set_feature (RefractHostCaps    *self,
             RefractHostFeature  feature,
             gboolean            available,
             const char         *reason)
{
  refract_host_caps_set_feature (self, feature, available, reason);
}

/* ---- XML ---- */

static xmlXPathObjectPtr
xpath_eval (xmlXPathContextPtr  ctx,
            const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);

  if (obj != NULL && obj->type == XPATH_NODESET && !xmlXPathNodeSetIsEmpty (obj->nodesetval))
    return obj;
  xmlXPathFreeObject (obj);
  return NULL;
}

static gboolean
xpath_exists (xmlXPathContextPtr  ctx,
              const char         *expr)
{
  xmlXPathObjectPtr obj = xpath_eval (ctx, expr);

  xmlXPathFreeObject (obj);
  return obj != NULL;
}

/* The text of the first node, or of a string() expression; NULL if empty. */
static char *
xpath_string (xmlXPathContextPtr  ctx,
              const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  char *result = NULL;

  if (obj != NULL && obj->type == XPATH_STRING && obj->stringval[0] != '\0')
    result = g_strdup ((const char *) obj->stringval);
  else if (obj != NULL && obj->type == XPATH_NODESET && !xmlXPathNodeSetIsEmpty (obj->nodesetval))
    {
      xmlChar *content = xmlNodeGetContent (obj->nodesetval->nodeTab[0]);

      result = g_strstrip (g_strdup ((const char *) content));
      xmlFree (content);
    }
  xmlXPathFreeObject (obj);
  return result;
}

static GStrv
xpath_strings (xmlXPathContextPtr  ctx,
               const char         *expr)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  xmlXPathObjectPtr obj = xpath_eval (ctx, expr);

  for (int i = 0; obj != NULL && i < obj->nodesetval->nodeNr; i++)
    {
      xmlChar *content = xmlNodeGetContent (obj->nodesetval->nodeTab[i]);

      g_strv_builder_add (builder, g_strstrip ((char *) content));
      xmlFree (content);
    }
  xmlXPathFreeObject (obj);
  return g_strv_builder_end (builder);
}

static gboolean
xpath_has_value (xmlXPathContextPtr  ctx,
                 const char         *enum_path,
                 const char         *value)
{
  g_auto(GStrv) values = xpath_strings (ctx, enum_path);

  return g_strv_contains ((const char * const *) values, value);
}

static gboolean
xpath_supported (xmlXPathContextPtr  ctx,
                 const char         *element)
{
  g_autofree char *expr = g_strdup_printf ("string(%s/@supported)", element);
  g_autofree char *value = xpath_string (ctx, expr);

  return g_strcmp0 (value, "yes") == 0;
}

static void
take_str (char **field,
          char  *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = value;
}

static void
set_str (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static xmlDocPtr
parse_xml (const char  *text,
           const char  *root,
           GError     **error)
{
  xmlDocPtr doc = xmlReadMemory (text, strlen (text), "caps.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNodePtr node = doc ? xmlDocGetRootElement (doc) : NULL;

  if (node == NULL || g_strcmp0 ((const char *) node->name, root) != 0)
    {
      g_set_error (error, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_FAILED, "%s",
                   _("libvirt reported this host's capabilities in a form Refract can't read."));
      xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

static void
parse_firmware (RefractHostCaps    *self,
                xmlXPathContextPtr  ctx)
{
  g_auto(GStrv) loaders = xpath_strings (ctx, "/domainCapabilities/os/loader/value");
  gboolean efi = xpath_has_value (ctx, "/domainCapabilities/os/enum[@name='firmware']/value", "efi");
  gboolean secure = xpath_has_value (ctx, "/domainCapabilities/os/loader/enum[@name='secure']/value", "yes");

  for (guint i = 0; loaders[i] != NULL; i++)
    {
      gboolean is_secure = strstr (loaders[i], "secboot") != NULL || strstr (loaders[i], ".ms.") != NULL;

      if (self->loaders[is_secure] == NULL)
        self->loaders[is_secure] = g_strdup (loaders[i]);
    }
  /* Debian's OVMF names its templates after the code: CODE_4M.fd → VARS_4M.fd,
   * and the secure-boot variables with Microsoft keys are VARS_4M.ms.fd. */
  for (guint i = 0; i < 2; i++)
    if (self->loaders[i] != NULL && strstr (self->loaders[i], "CODE") != NULL)
      {
        g_autoptr(GString) vars = g_string_new (self->loaders[i]);

        g_string_replace (vars, "CODE", "VARS", 1);
        g_string_replace (vars, ".secboot.fd", ".ms.fd", 1);
        self->vars[i] = g_string_free (g_steal_pointer (&vars), FALSE);
      }

  efi = efi || self->loaders[0] != NULL || self->loaders[1] != NULL;
  set_feature (self, REFRACT_HOST_FEATURE_UEFI, efi,
               _("This host has no UEFI firmware for QEMU: install OVMF (apt install ovmf)."));
  set_feature (self, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT, efi && secure && self->loaders[1] != NULL,
               efi ? _("This host's UEFI firmware has no secure-boot build: install a current OVMF (apt install ovmf).")
                   : _("Secure boot needs UEFI firmware, and this host has none: install OVMF (apt install ovmf)."));
}

static void
parse_display (RefractHostCaps    *self,
               xmlXPathContextPtr  ctx)
{
  const char *graphics = "/domainCapabilities/devices/graphics/enum[@name='type']/value";
  const char *video = "/domainCapabilities/devices/video/enum[@name='modelType']/value";
  gboolean spice = xpath_has_value (ctx, graphics, "spice");

  set_feature (self, REFRACT_HOST_FEATURE_SPICE, spice,
               _("This QEMU was built without SPICE; install a QEMU with SPICE support "
                 "(on Debian, qemu-system-x86)."));
  set_feature (self, REFRACT_HOST_FEATURE_VNC, xpath_has_value (ctx, graphics, "vnc"),
               _("This QEMU was built without VNC."));
  if (!xpath_has_value (ctx, video, "qxl"))
    set_feature (self, REFRACT_HOST_FEATURE_QXL, FALSE,
                 _("QXL VGA not available: this QEMU was built without QXL."));
  else
    set_feature (self, REFRACT_HOST_FEATURE_QXL, spice,
                 _("QXL needs SPICE, and this QEMU was built without SPICE."));
  if (!spice)
    set_feature (self, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL, FALSE,
                 _("3D acceleration needs SPICE, and this QEMU was built without SPICE."));
  else
    set_feature (self, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL, xpath_has_value (ctx, video, "virtio"),
                 _("This QEMU was built without virtio-gpu-gl (no virtio video device)."));
  set_feature (self, REFRACT_HOST_FEATURE_USB_REDIRECTION,
               spice && xpath_supported (ctx, "/domainCapabilities/devices/redirdev"),
               spice ? _("This QEMU can't redirect USB devices (no usb-redir support).")
                     : _("USB redirection needs SPICE, and this QEMU was built without SPICE."));
}

static void
parse_devices (RefractHostCaps    *self,
               xmlXPathContextPtr  ctx)
{
  const char *fs = "/domainCapabilities/devices/filesystem/enum[@name='driverType']/value";
  const char *backends = "/domainCapabilities/devices/interface/enum[@name='backendType']/value";
  gboolean tpm = xpath_supported (ctx, "/domainCapabilities/devices/tpm") &&
                 xpath_has_value (ctx, "/domainCapabilities/devices/tpm/enum[@name='backendModel']/value",
                                  "emulator");

  set_feature (self, REFRACT_HOST_FEATURE_TPM_EMULATOR, tpm,
               _("This host can't emulate a TPM: install swtpm (apt install swtpm swtpm-tools)."));
  set_feature (self, REFRACT_HOST_FEATURE_VIRTIOFS, xpath_has_value (ctx, fs, "virtiofs"),
               _("This host can't share folders with virtiofs: install virtiofsd, or share with 9p."));
  set_feature (self, REFRACT_HOST_FEATURE_9P, xpath_has_value (ctx, fs, "path"),
               _("This QEMU was built without 9p folder sharing."));
  /* libvirt 9.0 reports no sound models; every QEMU with q35 has ich9. */
  set_feature (self, REFRACT_HOST_FEATURE_SOUND, TRUE, NULL);
  set_feature (self, REFRACT_HOST_FEATURE_PASST, xpath_has_value (ctx, backends, "passt"),
               _("Port forwards need user-mode networking with passt, which this host's libvirt "
                 "can't use (libvirt 9.2 or newer with passt installed); without it the forwards would "
                 "be silently ignored. Use NAT and connect to the machine's address instead."));
}

static gboolean
parse_domcaps (RefractHostCaps  *self,
               const char       *xml,
               GError          **error)
{
  xmlDocPtr doc = parse_xml (xml, "domainCapabilities", error);
  xmlXPathContextPtr ctx;
  g_autofree char *max = NULL;

  if (doc == NULL)
    return FALSE;
  ctx = xmlXPathNewContext (doc);

  take_str (&self->emulator, xpath_string (ctx, "/domainCapabilities/path"));
  take_str (&self->domain_type, xpath_string (ctx, "/domainCapabilities/domain"));
  take_str (&self->machine_type, xpath_string (ctx, "/domainCapabilities/machine"));
  take_str (&self->arch, xpath_string (ctx, "/domainCapabilities/arch"));
  max = xpath_string (ctx, "string(/domainCapabilities/vcpu/@max)");
  if (max != NULL)
    self->max_vcpus = (guint) g_ascii_strtoull (max, NULL, 10);
  if (xpath_supported (ctx, "/domainCapabilities/features/hyperv"))
    {
      g_strfreev (self->hyperv);
      self->hyperv = xpath_strings (ctx, "/domainCapabilities/features/hyperv/enum[@name='features']/value");
    }
  self->is_nested = xpath_exists (ctx, "/domainCapabilities/cpu/mode[@name='host-model']"
                                       "/feature[@name='hypervisor']");

  set_feature (self, REFRACT_HOST_FEATURE_KVM, g_strcmp0 (self->domain_type, "kvm") == 0,
               _("KVM is not available on this host: /dev/kvm is missing or not accessible; "
                 "machines will run slower under emulation."));
  parse_firmware (self, ctx);
  parse_display (self, ctx);
  parse_devices (self, ctx);

  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return TRUE;
}

static guint64
xpath_sum (xmlXPathContextPtr  ctx,
           const char         *expr)
{
  xmlXPathObjectPtr obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  guint64 result = 0;

  if (obj != NULL && obj->type == XPATH_NUMBER && obj->floatval > 0)
    result = (guint64) obj->floatval;
  xmlXPathFreeObject (obj);
  return result;
}

static void
parse_caps (RefractHostCaps *self,
            const char      *xml)
{
  xmlDocPtr doc = parse_xml (xml, "capabilities", NULL);
  xmlXPathContextPtr ctx;
  guint64 cpus, memory_kib;

  if (doc == NULL)
    return;
  ctx = xmlXPathNewContext (doc);
  cpus = xpath_sum (ctx, "sum(/capabilities/host/topology/cells/cell/cpus/@num)");
  if (cpus == 0)
    cpus = xpath_sum (ctx, "/capabilities/host/cpu/topology/@sockets * "
                           "/capabilities/host/cpu/topology/@cores * "
                           "/capabilities/host/cpu/topology/@threads");
  memory_kib = xpath_sum (ctx, "sum(/capabilities/host/topology/cells/cell/memory)");
  if (cpus > 0)
    self->host_cpus = (guint) cpus;
  if (memory_kib > 0)
    self->host_memory_mib = memory_kib / 1024;
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
}

static void
update_network_features (RefractHostCaps *self)
{
  set_feature (self, REFRACT_HOST_FEATURE_NAT, self->networks[0] != NULL,
               _("This host has no libvirt network for NAT. Define the default one with "
                 "“virsh net-define /usr/share/libvirt/networks/default.xml” and start it."));
  set_feature (self, REFRACT_HOST_FEATURE_BRIDGE, self->bridges[0] != NULL,
               _("This host has no network bridge. Create one with “ip link add br0 type bridge” "
                 "and add the wired interface to it with “ip link set eth0 master br0”."));
}

RefractHostCaps *
refract_host_caps_new_from_xml (const char  *domcaps_xml,
                                const char  *caps_xml,
                                GError     **error)
{
  g_autoptr(RefractHostCaps) self = g_object_new (REFRACT_TYPE_HOST_CAPS, NULL);

  g_return_val_if_fail (domcaps_xml != NULL, NULL);

  if (!parse_domcaps (self, domcaps_xml, error))
    return NULL;
  if (caps_xml != NULL)
    parse_caps (self, caps_xml);
  update_network_features (self);
  return g_steal_pointer (&self);
}

/* ---- live ---- */

static void
mark_all_unavailable (RefractHostCaps *self,
                      const char      *reason)
{
  for (guint i = 0; i < REFRACT_HOST_FEATURE_N_FEATURES; i++)
    set_feature (self, i, FALSE, reason);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Bridges as the kernel sees them when the host is this machine; through
 * libvirt's interface driver otherwise, which may not exist (then none). */
static GStrv
list_bridges (virConnectPtr conn,
              gboolean      is_local)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (is_local)
    {
      g_autoptr(GDir) dir = g_dir_open ("/sys/class/net", 0, NULL);
      const char *name;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename ("/sys/class/net", name, "bridge", NULL);

          if (g_file_test (path, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (names, g_strdup (name));
        }
      g_ptr_array_sort (names, compare_strings);
      for (guint i = 0; i < names->len; i++)
        g_strv_builder_add (builder, g_ptr_array_index (names, i));
    }
  else
    {
      virInterfacePtr *ifaces = NULL;
      int n = virConnectListAllInterfaces (conn, &ifaces, 0);

      for (int i = 0; i < n; i++)
        {
          g_autofree char *xml = virInterfaceGetXMLDesc (ifaces[i], 0);

          if (xml != NULL && strstr (xml, "type='bridge'") != NULL)
            g_strv_builder_add (builder, virInterfaceGetName (ifaces[i]));
          virInterfaceFree (ifaces[i]);
        }
      free (ifaces);
      virResetLastError ();
    }
  return g_strv_builder_end (builder);
}

static GStrv
list_networks (virConnectPtr conn)
{
  g_autoptr(GStrvBuilder) active = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) inactive = g_strv_builder_new ();
  virNetworkPtr *nets = NULL;
  int n = virConnectListAllNetworks (conn, &nets, 0);
  g_auto(GStrv) tail = NULL;

  for (int i = 0; i < n; i++)
    {
      g_strv_builder_add (virNetworkIsActive (nets[i]) == 1 ? active : inactive,
                          virNetworkGetName (nets[i]));
      virNetworkFree (nets[i]);
    }
  free (nets);
  virResetLastError ();
  tail = g_strv_builder_end (inactive);
  g_strv_builder_addv (active, (const char **) tail);
  return g_strv_builder_end (active);
}

static void
list_pools (RefractHostCaps *self,
            virConnectPtr    conn)
{
  virStoragePoolPtr *pools = NULL;
  int n = virConnectListAllStoragePools (conn, &pools, 0);

  for (int i = 0; i < n; i++)
    {
      RefractPoolInfo info = { (char *) virStoragePoolGetName (pools[i]), NULL, FALSE, -1, -1 };
      virStoragePoolInfo vinfo;
      g_autofree char *xml = virStoragePoolGetXMLDesc (pools[i], 0);
      xmlDocPtr doc = xml ? parse_xml (xml, "pool", NULL) : NULL;

      if (doc != NULL)
        {
          xmlXPathContextPtr ctx = xmlXPathNewContext (doc);

          info.path = xpath_string (ctx, "/pool/target/path");
          xmlXPathFreeContext (ctx);
          xmlFreeDoc (doc);
        }
      info.active = virStoragePoolIsActive (pools[i]) == 1;
      if (virStoragePoolGetInfo (pools[i], &vinfo) == 0 && info.active)
        {
          info.capacity = (gint64) vinfo.capacity;
          info.available = (gint64) vinfo.available;
        }
      refract_host_caps_add_pool (self, &info);
      g_free (info.path);
      virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
}

static char *
get_domcaps (virConnectPtr  conn,
             const char    *virttype)
{
  char *xml = virConnectGetDomainCapabilities (conn, NULL, "x86_64", "q35", virttype, 0);

  if (xml == NULL)
    virResetLastError ();
  return xml;
}

/* The running kernel's configuration, from /proc/config.gz or /boot. */
static char *
read_kernel_config (void)
{
  g_autoptr(GFile) proc = g_file_new_for_path ("/proc/config.gz");
  g_autoptr(GInputStream) raw = G_INPUT_STREAM (g_file_read (proc, NULL, NULL));
  struct utsname uts;
  char *text = NULL;

  if (raw != NULL)
    {
      g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      g_autoptr(GInputStream) in = g_converter_input_stream_new (raw, G_CONVERTER (gunzip));
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, NULL) >= 0 &&
          g_output_stream_write (out, "", 1, NULL, NULL) == 1 &&
          g_output_stream_close (out, NULL, NULL))
        return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    }
  if (uname (&uts) == 0)
    {
      g_autofree char *path = g_strconcat ("/boot/config-", uts.release, NULL);

      g_file_get_contents (path, &text, NULL, NULL);
    }
  return text;
}

/* What only the host's own file system can tell: binaries libvirt needs at
 * start time (swtpm, passt), a GPU render node for GL, the drivers ISO. */
static void
check_local_files (RefractHostCaps *self,
                   unsigned long    libvirt_version)
{
  g_autofree char *swtpm = g_find_program_in_path ("swtpm");
  g_autofree char *passt = g_find_program_in_path ("passt");

  if (refract_host_caps_has (self, REFRACT_HOST_FEATURE_TPM_EMULATOR) && swtpm == NULL)
    set_feature (self, REFRACT_HOST_FEATURE_TPM_EMULATOR, FALSE,
                 _("This host can't emulate a TPM: install swtpm (apt install swtpm swtpm-tools)."));
  if (!refract_host_caps_has (self, REFRACT_HOST_FEATURE_PASST) && passt != NULL &&
      libvirt_version >= PASST_MIN_LIBVIRT)
    set_feature (self, REFRACT_HOST_FEATURE_PASST, TRUE, NULL);
  if (refract_host_caps_has (self, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL) &&
      !g_file_test ("/dev/dri/renderD128", G_FILE_TEST_EXISTS))
    set_feature (self, REFRACT_HOST_FEATURE_VIRTIO_GPU_GL, FALSE,
                 _("3D acceleration (virtio-gpu-gl) needs a GPU render node, and this host has "
                   "none (/dev/dri/renderD128 is missing)."));
  if (g_file_test (VIRTIO_WIN_ISO, G_FILE_TEST_IS_REGULAR))
    self->virtio_win_iso = g_strdup (VIRTIO_WIN_ISO);

  /* Secure-boot OVMF needs SMM, which kernels since 6.2 may leave out of
   * KVM; domcapabilities can't tell, QEMU only fails at start. */
  if (refract_host_caps_has (self, REFRACT_HOST_FEATURE_KVM) &&
      refract_host_caps_has (self, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT))
    {
      g_autofree char *config = read_kernel_config ();

      if (config != NULL && strstr (config, "# CONFIG_KVM_SMM is not set") != NULL)
        set_feature (self, REFRACT_HOST_FEATURE_UEFI_SECURE_BOOT, FALSE,
                     _("This host's kernel was built without SMM support in KVM (CONFIG_KVM_SMM), "
                       "which secure-boot UEFI firmware needs; use UEFI without secure boot."));
    }
}

static void
load_live (RefractHostCaps *self,
           virConnectPtr    conn,
           const char      *uri)
{
  g_autofree char *domcaps = get_domcaps (conn, "kvm");
  g_autofree char *caps = virConnectGetCapabilities (conn);
  unsigned long version = 0;
  virNodeInfo node;

  virResetLastError ();
  self->is_local = refract_uri_is_local (uri) && !refract_uri_is_test (uri);
  if (domcaps == NULL)
    domcaps = get_domcaps (conn, "qemu");

  if (refract_uri_is_test (uri))
    {
      set_str (&self->domain_type, "test");
      mark_all_unavailable (self, _("The demo host can't run machines."));
    }
  else if (domcaps == NULL || !parse_domcaps (self, domcaps, NULL))
    mark_all_unavailable (self, _("libvirt could not say what this host can run; "
                                  "check that QEMU is installed on it (qemu-system-x86)."));
  if (domcaps != NULL && strstr (domcaps, "<domain>kvm</domain>") == NULL)
    set_feature (self, REFRACT_HOST_FEATURE_KVM, FALSE,
                 _("KVM is not available on this host: /dev/kvm is missing or not accessible; "
                   "machines will run slower under emulation."));

  if (caps != NULL)
    parse_caps (self, caps);
  if (virNodeGetInfo (conn, &node) == 0)
    {
      self->host_cpus = node.cpus;
      self->host_memory_mib = node.memory / 1024;
    }
  virResetLastError ();

  g_strfreev (self->networks);
  self->networks = list_networks (conn);
  g_strfreev (self->bridges);
  self->bridges = list_bridges (conn, self->is_local);
  list_pools (self, conn);
  if (virConnectGetLibVersion (conn, &version) < 0)
    virResetLastError ();
  if (self->is_local)
    check_local_files (self, version);
  update_network_features (self);
  if (refract_uri_is_test (uri))
    set_feature (self, REFRACT_HOST_FEATURE_BRIDGE, FALSE, _("The demo host can't run machines."));
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  RefractConnection *connection = task_data;
  virConnectPtr conn = _refract_connection_ref_handle (connection);
  g_autoptr(RefractHostCaps) self = NULL;

  if (conn == NULL)
    {
      g_task_return_new_error (task, REFRACT_MODEL_ERROR, REFRACT_MODEL_ERROR_DISCONNECTED,
                               _("The connection is closed; connect to the host first."));
      return;
    }
  self = g_object_new (REFRACT_TYPE_HOST_CAPS, NULL);
  load_live (self, conn, refract_connection_get_uri (connection));
  virConnectClose (conn);

  /* qdata is thread-safe; a concurrent load just replaces an equal object. */
  g_object_set_data_full (G_OBJECT (connection), CACHE_KEY, g_object_ref (self), g_object_unref);
  g_task_return_pointer (task, g_steal_pointer (&self), g_object_unref);
}

void
refract_host_caps_load_async (RefractConnection   *connection,
                              gboolean             refresh,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RefractHostCaps *cached;

  g_return_if_fail (connection != NULL);

  g_task_set_source_tag (task, refract_host_caps_load_async);
  cached = g_object_get_data (G_OBJECT (connection), CACHE_KEY);
  if (cached != NULL && !refresh)
    {
      g_task_return_pointer (task, g_object_ref (cached), g_object_unref);
      return;
    }
  g_task_set_task_data (task, g_object_ref (connection), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

RefractHostCaps *
refract_host_caps_load_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- accessors ---- */

gboolean
refract_host_caps_has (RefractHostCaps    *self,
                       RefractHostFeature  feature)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), FALSE);
  g_return_val_if_fail (feature < REFRACT_HOST_FEATURE_N_FEATURES, FALSE);
  return self->features[feature].available;
}

const char *
refract_host_caps_get_reason (RefractHostCaps    *self,
                              RefractHostFeature  feature)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  g_return_val_if_fail (feature < REFRACT_HOST_FEATURE_N_FEATURES, NULL);
  return self->features[feature].available ? NULL : self->features[feature].reason;
}

const char *
refract_host_caps_get_arch (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->arch;
}

const char *
refract_host_caps_get_domain_type (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->domain_type;
}

const char *
refract_host_caps_get_machine_type (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->machine_type;
}

const char *
refract_host_caps_get_emulator (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->emulator;
}

guint
refract_host_caps_get_host_cpus (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), 0);
  return self->host_cpus;
}

guint64
refract_host_caps_get_host_memory_mib (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), 0);
  return self->host_memory_mib;
}

guint
refract_host_caps_get_max_vcpus (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), 0);
  return self->max_vcpus;
}

const char *
refract_host_caps_get_uefi_loader (RefractHostCaps *self,
                                   gboolean         secure_boot)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->loaders[secure_boot != FALSE];
}

const char *
refract_host_caps_get_uefi_vars (RefractHostCaps *self,
                                 gboolean         secure_boot)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->vars[secure_boot != FALSE];
}

const char * const *
refract_host_caps_get_networks (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return (const char * const *) self->networks;
}

const char * const *
refract_host_caps_get_bridges (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return (const char * const *) self->bridges;
}

GPtrArray *
refract_host_caps_get_pools (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->pools;
}

RefractPoolInfo *
refract_host_caps_find_pool (RefractHostCaps *self,
                             const char      *name)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);

  for (guint i = 0; i < self->pools->len; i++)
    {
      RefractPoolInfo *pool = g_ptr_array_index (self->pools, i);

      if (g_strcmp0 (pool->name, name) == 0)
        return pool;
    }
  return NULL;
}

const char *
refract_host_caps_get_virtio_win_iso (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return self->virtio_win_iso;
}

const char * const *
refract_host_caps_get_hyperv_features (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), NULL);
  return (const char * const *) self->hyperv;
}

gboolean
refract_host_caps_get_is_nested (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), FALSE);
  return self->is_nested;
}

gboolean
refract_host_caps_get_is_local (RefractHostCaps *self)
{
  g_return_val_if_fail (REFRACT_IS_HOST_CAPS (self), FALSE);
  return self->is_local;
}

void
refract_host_caps_set_resources (RefractHostCaps *self,
                                 guint            host_cpus,
                                 guint64          host_memory_mib)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  self->host_cpus = host_cpus;
  self->host_memory_mib = host_memory_mib;
}

void
refract_host_caps_set_bridges (RefractHostCaps    *self,
                               const char * const *bridges)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  g_strfreev (self->bridges);
  self->bridges = bridges ? g_strdupv ((GStrv) bridges) : g_new0 (char *, 1);
  update_network_features (self);
}

void
refract_host_caps_set_networks (RefractHostCaps    *self,
                                const char * const *networks)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  g_strfreev (self->networks);
  self->networks = networks ? g_strdupv ((GStrv) networks) : g_new0 (char *, 1);
  update_network_features (self);
}

void
refract_host_caps_add_pool (RefractHostCaps       *self,
                            const RefractPoolInfo *pool)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  g_return_if_fail (pool != NULL);
  g_ptr_array_add (self->pools, pool_info_copy (pool));
}

void
refract_host_caps_set_virtio_win_iso (RefractHostCaps *self,
                                      const char      *path)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  set_str (&self->virtio_win_iso, path);
}

void
refract_host_caps_set_is_local (RefractHostCaps *self,
                                gboolean         is_local)
{
  g_return_if_fail (REFRACT_IS_HOST_CAPS (self));
  self->is_local = is_local;
}
