/* ms-service.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * io.github.mailsetup.MailSetup1 on the session bus: what the command line
 * prints (ListProviders, Lookup) and the assistant for other programs
 * (SetupAccount, answered through an MsRequest). The interface is described
 * in data/io.github.mailsetup.MailSetup1.xml and docs/dbus-api.md.
 *
 * Everything a caller sends is checked before anything happens: a bad call
 * gets a D-Bus error saying what is wrong, and opens no window.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#ifdef GDK_WINDOWING_WAYLAND
#include <gdk/wayland/gdkwayland.h>
#endif

#include "ms-application.h"
#include "ms-lookup.h"
#include "ms-request.h"
#include "ms-service.h"
#include "ms-window.h"

#define INTERFACE "io.github.mailsetup.MailSetup1"
#define REQUEST_INTERFACE "io.github.mailsetup.MailSetup1.Request"

struct _MsService
{
  GObject          parent_instance;

  MsApplication   *application;      /* weak: the application owns us */
  GDBusConnection *connection;
  GDBusNodeInfo   *node;
  guint            registration_id;
  guint            name_owner_id;
  MsLookup        *lookup;
  GHashTable      *requests;         /* object path → MsRequest */
  guint            serial;
};

G_DEFINE_FINAL_TYPE (MsService, ms_service, G_TYPE_OBJECT)

static const GDBusErrorEntry error_entries[] = {
  { MS_SERVICE_ERROR_INVALID_ADDRESS, INTERFACE ".Error.InvalidAddress" },
  { MS_SERVICE_ERROR_UNKNOWN_PROVIDER, INTERFACE ".Error.UnknownProvider" },
  { MS_SERVICE_ERROR_INVALID_HANDLE, INTERFACE ".Error.InvalidHandle" },
  { MS_SERVICE_ERROR_INVALID_OPTION, INTERFACE ".Error.InvalidOption" },
};

GQuark
ms_service_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("ms-service-error-quark", &quark,
                                      error_entries, G_N_ELEMENTS (error_entries));
  return (GQuark)quark;
}

/* D-Bus has no maybe type: a key whose value is "nothing" is left out,
 * and "just x" becomes x. The command line's JSON prints them as null, so
 * the two say the same. Returns a full reference, or NULL for "nothing". */
static GVariant *
without_maybes (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_MAYBE))
    {
      g_autoptr(GVariant) child = g_variant_get_maybe (value);

      return child != NULL ? without_maybes (child) : NULL;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) child = g_variant_get_variant (value);
      g_autoptr(GVariant) inner = without_maybes (child);

      return inner != NULL ? g_variant_ref_sink (g_variant_new_variant (inner)) : NULL;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DICT_ENTRY))
    {
      g_autoptr(GVariant) key = g_variant_get_child_value (value, 0);
      g_autoptr(GVariant) child = g_variant_get_child_value (value, 1);
      g_autoptr(GVariant) inner = without_maybes (child);

      return inner != NULL ? g_variant_ref_sink (g_variant_new_dict_entry (key, inner)) : NULL;
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_ARRAY))
    {
      GVariantBuilder builder;
      GVariantIter iter;
      GVariant *child;

      /* Maybes only ever sit in a{sv} values here: the types stay. */
      g_variant_builder_init (&builder, g_variant_get_type (value));
      g_variant_iter_init (&iter, value);
      while ((child = g_variant_iter_next_value (&iter)) != NULL)
        {
          g_autoptr(GVariant) inner = without_maybes (child);

          if (inner != NULL)
            g_variant_builder_add_value (&builder, inner);
          g_variant_unref (child);
        }

      return g_variant_ref_sink (g_variant_builder_end (&builder));
    }

  return g_variant_ref (value);
}

/* @value (floating or not) as a D-Bus reply's one value. */
static GVariant *
reply_of (GVariant *value)
{
  g_autoptr(GVariant) sunk = g_variant_ref_sink (value);
  g_autoptr(GVariant) clean = without_maybes (sunk);

  return g_variant_new_tuple (&clean, 1);
}

/* ListProviders, Lookup */

static void
list_providers (MsService             *self,
                GDBusMethodInvocation *invocation)
{
  MsCatalogue *catalogue = ms_application_get_catalogue (self->application);
  GListModel *model = G_LIST_MODEL (catalogue);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(MsProvider) provider = g_list_model_get_item (model, i);

      g_variant_builder_add_value (&builder, ms_provider_to_variant (provider));
    }

  g_dbus_method_invocation_return_value (invocation, reply_of (g_variant_builder_end (&builder)));
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  GApplication *application = g_object_get_data (G_OBJECT (invocation), "ms-application");
  g_autoptr(MsLookupResult) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = ms_lookup_lookup_finish (MS_LOOKUP (object), result, &error);
  if (answer == NULL)
    g_dbus_method_invocation_return_gerror (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, reply_of (ms_lookup_result_to_variant (answer)));

  g_application_release (application);
}

static MsAddress *
parse_address (const char             *text,
               GDBusMethodInvocation  *invocation)
{
  g_autoptr(GError) error = NULL;
  MsAddress *address = ms_address_parse (text, &error);

  if (address == NULL)
    g_dbus_method_invocation_return_error (invocation, MS_SERVICE_ERROR,
                                           MS_SERVICE_ERROR_INVALID_ADDRESS,
                                           "“%s” is not an e-mail address: %s", text, error->message);

  return address;
}

static void
lookup (MsService             *self,
        GVariant              *parameters,
        GDBusMethodInvocation *invocation)
{
  g_autoptr(MsAddress) address = NULL;
  const char *text;

  g_variant_get (parameters, "(&s)", &text);
  address = parse_address (text, invocation);
  if (address == NULL)
    return;

  if (self->lookup == NULL)
    self->lookup = ms_lookup_new (ms_application_get_catalogue (self->application));

  /* A network lookup takes a while: the service stays up for it. */
  g_application_hold (G_APPLICATION (self->application));
  g_object_set_data_full (G_OBJECT (invocation), "ms-application",
                          g_object_ref (self->application), g_object_unref);
  ms_lookup_lookup_async (self->lookup, address, NULL, looked_up_cb, g_object_ref (invocation));
}

/* SetupAccount */

typedef struct
{
  MsProvider   *provider;
  MsStoreFlags  store;
  const char   *token;
} SetupOptions;

static gboolean
parse_options (MsService     *self,
               GVariant      *options,
               SetupOptions  *out,
               GError       **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  out->store = MS_STORE_KEYRING;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      if (g_str_equal (key, "provider") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          const char *id = g_variant_get_string (value, NULL);

          out->provider = ms_catalogue_get_provider (ms_application_get_catalogue (self->application), id);
          if (out->provider == NULL)
            {
              g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_UNKNOWN_PROVIDER,
                           "Unknown provider “%s”; ListProviders gives the ids", id);
              g_variant_unref (value);
              return FALSE;
            }
        }
      else if (g_str_equal (key, "store") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const char **places = g_variant_get_strv (value, NULL);

          out->store = 0;
          for (guint i = 0; places[i] != NULL; i++)
            {
              if (g_str_equal (places[i], "keyring"))
                out->store |= MS_STORE_KEYRING;
              else if (g_str_equal (places[i], "goa"))
                out->store |= MS_STORE_ONLINE_ACCOUNTS;
              else
                {
                  g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_OPTION,
                               "The option “store” takes “keyring” and “goa”, not “%s”", places[i]);
                  g_variant_unref (value);
                  return FALSE;
                }
            }
          if (out->store == 0)
            {
              g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_OPTION,
                           "The option “store” needs “keyring”, “goa” or both");
              g_variant_unref (value);
              return FALSE;
            }
        }
      else if (g_str_equal (key, "handle_token") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        {
          const char *token = g_variant_get_string (value, NULL);

          /* It becomes an element of an object path. */
          if (token[0] == '\0' || strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != strlen (token))
            {
              g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_OPTION,
                           "The option “handle_token” may hold only ASCII letters, digits and “_”");
              g_variant_unref (value);
              return FALSE;
            }
          out->token = token;
        }
      else
        {
          if (g_str_equal (key, "provider") || g_str_equal (key, "store") || g_str_equal (key, "handle_token"))
            g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_OPTION,
                         "The option “%s” must be of type %s, not %s", key,
                         g_str_equal (key, "store") ? "as" : "s", g_variant_get_type_string (value));
          else
            g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_OPTION,
                         "Unknown option “%s”; SetupAccount takes “provider”, “store” and “handle_token”",
                         key);
          g_variant_unref (value);
          return FALSE;
        }
    }

  return TRUE;
}

typedef enum
{
  PARENT_NONE,
  PARENT_X11,
  PARENT_WAYLAND,
} ParentKind;

static gboolean
parse_parent (const char  *handle,
              ParentKind  *kind,
              guint64     *xid,
              GError     **error)
{
  *kind = PARENT_NONE;

  if (handle[0] == '\0')
    return TRUE;

  if (g_str_has_prefix (handle, "x11:"))
    {
      const char *hex = handle + strlen ("x11:");

      if (hex[0] != '\0' && strspn (hex, "0123456789abcdefABCDEF") == strlen (hex) && strlen (hex) <= 8 &&
          (*xid = g_ascii_strtoull (hex, NULL, 16)) != 0)
        {
          *kind = PARENT_X11;
          return TRUE;
        }
    }
  else if (g_str_has_prefix (handle, "wayland:"))
    {
      const char *exported = handle + strlen ("wayland:");

      if (exported[0] != '\0' && strlen (exported) < 256 && g_str_is_ascii (exported) &&
          strpbrk (exported, " \t\r\n") == NULL)
        {
          *kind = PARENT_WAYLAND;
          return TRUE;
        }
    }

  g_set_error (error, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_HANDLE,
               "“%s” is not a window handle: give \"\", \"x11:XID\" (hexadecimal) or \"wayland:HANDLE\"",
               handle);
  return FALSE;
}

/* Puts the assistant over the caller's window, where the display allows. */
static void
set_parent (GtkWindow  *window,
            ParentKind  kind,
            const char *handle,
            guint64     xid)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));

  if (surface == NULL)
    return;

#ifdef GDK_WINDOWING_X11
  if (kind == PARENT_X11 && GDK_IS_X11_DISPLAY (display))
    {
      Display *xdisplay = gdk_x11_display_get_xdisplay (display);

      XSetTransientForHint (xdisplay, gdk_x11_surface_get_xid (surface), (Window)xid);
      return;
    }
#endif
#ifdef GDK_WINDOWING_WAYLAND
  if (kind == PARENT_WAYLAND && GDK_IS_WAYLAND_DISPLAY (display))
    {
      if (!gdk_wayland_toplevel_set_transient_for_exported (GDK_TOPLEVEL (surface),
                                                             handle + strlen ("wayland:")))
        g_debug ("Cannot put the assistant over %s", handle);
      return;
    }
#endif

  g_debug ("The window handle %s is not for this display; the assistant opens on its own", handle);
}

static void
request_done_cb (MsRequest *request,
                 MsService *self)
{
  g_hash_table_remove (self->requests, ms_request_get_object_path (request));
}

static void
setup_account (MsService             *self,
               GVariant              *parameters,
               GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) options = NULL;
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  SetupOptions setup = { NULL, 0, NULL };
  const char *parent, *text;
  ParentKind kind;
  guint64 xid = 0;
  MsRequest *request;
  MsWindow *window;

  g_variant_get (parameters, "(&s&s@a{sv})", &parent, &text, &options);

  if (!parse_parent (parent, &kind, &xid, &error) ||
      !parse_options (self, options, &setup, &error))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }

  address = parse_address (text, invocation);
  if (address == NULL)
    return;

  /* The portals' request path: the caller can watch it before calling. */
  sender = g_strdelimit (g_strdup (g_dbus_method_invocation_get_sender (invocation) + 1), ".", '_');
  token = setup.token ? g_strdup (setup.token) : g_strdup_printf ("mail_setup%u", ++self->serial);
  path = g_strdup_printf ("%s/request/%s/%s", MS_SERVICE_OBJECT_PATH, sender, token);

  window = ms_window_new (GTK_APPLICATION (self->application),
                          ms_application_get_catalogue (self->application),
                          ms_application_get_launcher (self->application));
  request = ms_request_new (self->connection,
                            g_dbus_node_info_lookup_interface (self->node, REQUEST_INTERFACE),
                            path, g_dbus_method_invocation_get_sender (invocation), window, &error);
  if (request == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_dbus_method_invocation_return_error (invocation, MS_SERVICE_ERROR, MS_SERVICE_ERROR_INVALID_OPTION,
                                             "The request %s exists already: use another handle_token", path);
      return;
    }
  g_hash_table_insert (self->requests, g_strdup (path), request);
  g_signal_connect_object (request, "done", G_CALLBACK (request_done_cb), self, 0);

  g_debug ("SetupAccount from %s: %s", g_dbus_method_invocation_get_sender (invocation), path);

  ms_window_set_store_flags (window, setup.store);
  ms_window_set_email (window, address->email);
  if (setup.provider != NULL)
    ms_window_show_provider (window, ms_provider_get_id (setup.provider));

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));

  gtk_window_present (GTK_WINDOW (window));
  if (kind != PARENT_NONE)
    set_parent (GTK_WINDOW (window), kind, parent, xid);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  MsService *self = user_data;

  /* GDBus has checked the signature against the introspection data. */
  if (g_str_equal (method_name, "ListProviders"))
    list_providers (self, invocation);
  else if (g_str_equal (method_name, "Lookup"))
    lookup (self, parameters, invocation);
  else if (g_str_equal (method_name, "SetupAccount"))
    setup_account (self, parameters, invocation);
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static const GDBusInterfaceVTable vtable = {
  method_call_cb,
  NULL,
  NULL,
  { 0 }
};

/* The caller left the bus: its assistants are of no use to anyone. */
static void
name_owner_changed_cb (GDBusConnection *connection,
                       const char      *sender_name,
                       const char      *object_path,
                       const char      *interface_name,
                       const char      *signal_name,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  MsService *self = user_data;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  const char *name, *old_owner, *new_owner;
  GHashTableIter iter;
  gpointer value;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (name[0] != ':' || new_owner[0] != '\0')
    return;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_str_equal (ms_request_get_caller (value), name))
      g_ptr_array_add (gone, g_object_ref (value));

  for (guint i = 0; i < gone->len; i++)
    ms_request_close (g_ptr_array_index (gone, i));
}

static void
ms_service_dispose (GObject *object)
{
  MsService *self = (MsService *)object;

  ms_service_unexport (self);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_object (&self->lookup);

  G_OBJECT_CLASS (ms_service_parent_class)->dispose (object);
}

static void
ms_service_finalize (GObject *object)
{
  MsService *self = (MsService *)object;

  g_clear_pointer (&self->node, g_dbus_node_info_unref);

  G_OBJECT_CLASS (ms_service_parent_class)->finalize (object);
}

static void
ms_service_class_init (MsServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_service_dispose;
  object_class->finalize = ms_service_finalize;
}

static void
ms_service_init (MsService *self)
{
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GError) error = NULL;

  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  xml = g_resources_lookup_data (RESOURCE_PREFIX "/io.github.mailsetup.MailSetup1.xml",
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  self->node = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), &error);
  g_assert_no_error (error);
}

/**
 * ms_service_new:
 * @application: the application whose catalogue and windows it serves
 *
 * Returns: (transfer full): the service, not on the bus yet
 */
MsService *
ms_service_new (GtkApplication *application)
{
  MsService *self;

  g_return_val_if_fail (MS_IS_APPLICATION (application), NULL);

  self = g_object_new (MS_TYPE_SERVICE, NULL);
  self->application = MS_APPLICATION (application);

  return self;
}

/**
 * ms_service_export:
 * @self: a service
 * @connection: the session bus
 * @error: where to put why it cannot be exported
 *
 * Puts io.github.mailsetup.MailSetup1 at %MS_SERVICE_OBJECT_PATH.
 *
 * Returns: whether it is on the bus
 */
gboolean
ms_service_export (MsService        *self,
                   GDBusConnection  *connection,
                   GError          **error)
{
  g_return_val_if_fail (MS_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  self->registration_id =
    g_dbus_connection_register_object (connection, MS_SERVICE_OBJECT_PATH,
                                       g_dbus_node_info_lookup_interface (self->node, INTERFACE),
                                       &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  self->name_owner_id =
    g_dbus_connection_signal_subscribe (connection, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                        "NameOwnerChanged", "/org/freedesktop/DBus", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, name_owner_changed_cb, self, NULL);
  return TRUE;
}

/**
 * ms_service_unexport:
 * @self: a service
 *
 * Takes the interface off the bus and closes the requests still open.
 */
void
ms_service_unexport (MsService *self)
{
  g_return_if_fail (MS_IS_SERVICE (self));

  if (self->connection == NULL)
    return;

  if (self->requests != NULL)
    {
      GList *open = g_hash_table_get_values (self->requests);

      g_list_foreach (open, (GFunc)g_object_ref, NULL);
      for (GList *l = open; l != NULL; l = l->next)
        ms_request_close (l->data);
      g_list_free_full (open, g_object_unref);
    }

  g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_dbus_connection_signal_unsubscribe (self->connection, self->name_owner_id);
  self->name_owner_id = 0;
  g_clear_object (&self->connection);
}
