/* ms-keyring.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Stores a verified password in the user's keyring through the Secret
 * Service API (secret_service_*), never libsecret's simple API: inside
 * Flatpak that one writes a private file no mail program can read.
 *
 * One item per server login, with the attributes of libsecret's network
 * password schema (org.gnome.keyring.NetworkPassword: user, server,
 * protocol, port), so `secret-tool lookup protocol imap server H user U`
 * finds it, plus `mail-setup-address` so that `mail-setup forget` finds what
 * it stored. Storing again replaces the item. After storing, the item is read
 * back and compared.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "ms-error-kind.h"
#include "ms-keyring.h"

#define NETWORK_SCHEMA "org.gnome.keyring.NetworkPassword"
#define ADDRESS_ATTRIBUTE "mail-setup-address"

struct _MsKeyring
{
  GObject parent_instance;
  guint   timeout_seconds;
};

G_DEFINE_FINAL_TYPE (MsKeyring, ms_keyring, G_TYPE_OBJECT)

static void
ms_keyring_class_init (MsKeyringClass *klass)
{
}

static void
ms_keyring_init (MsKeyring *self)
{
  self->timeout_seconds = 60;
}

/**
 * ms_keyring_new:
 * @timeout_seconds: how long an operation may take, unlock prompt included
 *
 * Returns: (transfer full): a keyring
 */
MsKeyring *
ms_keyring_new (guint timeout_seconds)
{
  MsKeyring *self = g_object_new (MS_TYPE_KEYRING, NULL);

  if (timeout_seconds > 0)
    self->timeout_seconds = timeout_seconds;

  return self;
}

typedef struct
{
  GHashTable    *attributes;
  char          *label;
  MsSecret      *secret;
  SecretService *service;
  GCancellable  *cancellable;   /* ours: the caller's, or the timeout */
  gulong         cancelled_id;
  GSource       *timeout;
  gboolean       timed_out;
  guint          found;
} Op;

static void
op_free (Op *op)
{
  if (op->timeout != NULL)
    {
      g_source_destroy (op->timeout);
      g_source_unref (op->timeout);
    }
  g_clear_pointer (&op->attributes, g_hash_table_unref);
  g_clear_pointer (&op->label, g_free);
  g_clear_pointer (&op->secret, ms_secret_unref);
  g_clear_object (&op->service);
  g_clear_object (&op->cancellable);
  g_free (op);
}

static gboolean
op_timeout_cb (gpointer user_data)
{
  Op *op = user_data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);
  g_clear_pointer (&op->timeout, g_source_unref);

  return G_SOURCE_REMOVE;
}

static void
forward_cancel_cb (GCancellable *cancellable,
                   GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static GTask *
op_task_new (MsKeyring           *self,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify)op_free);

  op->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (forward_cancel_cb),
                             op->cancellable, 0);

  op->timeout = g_timeout_source_new_seconds (self->timeout_seconds);
  g_source_set_callback (op->timeout, op_timeout_cb, op, NULL);
  g_source_attach (op->timeout, g_task_get_context (task));

  return task;
}

/* Says what went wrong in words a user can act on. */
static void
return_error (GTask        *task,
              const GError *error)
{
  MsKeyring *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  const char *why;
  g_autofree char *owned = NULL;

  if (op->timed_out)
    why = owned = g_strdup_printf (_("The keyring did not answer within %u seconds."), self->timeout_seconds);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    why = _("Saving in the keyring was cancelled.");
  else if (error->domain == G_DBUS_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
           g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
    why = owned = g_strdup_printf (_("No keyring (Secret Service) is running on this desktop: %s"), error->message);
  else if (error->domain == SECRET_ERROR && error->code == SECRET_ERROR_IS_LOCKED)
    why = _("The keyring is locked and was not unlocked.");
  else
    why = error->message;

  g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED, "%s", why);
}

static GHashTable *
new_attributes (const MsAddress *address)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (char *)ADDRESS_ATTRIBUTE, g_strdup (address->email));
  return attributes;
}

/* Storing */

static void
read_back_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SecretValue *value;
  gsize stored_len, wanted_len;
  const char *stored, *wanted;

  value = secret_service_lookup_finish (SECRET_SERVICE (object), result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  wanted = ms_secret_get_data (op->secret, &wanted_len);
  stored = value ? secret_value_get (value, &stored_len) : NULL;
  if (stored == NULL || stored_len != wanted_len || memcmp (stored, wanted, wanted_len) != 0)
    g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                             _("The keyring did not keep the password: reading it back gave something else."));
  else
    g_task_return_boolean (task, TRUE);

  g_clear_pointer (&value, secret_value_unref);
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_service_store_finish (SECRET_SERVICE (object), result, &error))
    {
      return_error (task, error);
      return;
    }

  secret_service_lookup (op->service, NULL, op->attributes, op->cancellable,
                         read_back_cb, g_object_ref (task));
}

static void
store_in_unlocked (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  gsize len;
  const char *data = ms_secret_get_data (op->secret, &len);
  SecretValue *value = secret_value_new (data, len, "text/plain");

  secret_service_store (op->service, NULL, op->attributes, SECRET_COLLECTION_DEFAULT,
                        op->label, value, op->cancellable, stored_cb, g_object_ref (task));
  secret_value_unref (value);
}

static void
unlocked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *unlocked = NULL;

  secret_service_unlock_finish (SECRET_SERVICE (object), result, &unlocked, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  if (unlocked == NULL)
    {
      /* The user dismissed the prompt. */
      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                               _("The keyring is locked and was not unlocked."));
      return;
    }

  g_list_free_full (unlocked, g_object_unref);
  store_in_unlocked (task);
}

static void
default_collection_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretCollection) collection = NULL;

  collection = secret_collection_for_alias_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  /* A locked keyring asks the user to unlock it (the user may refuse). */
  if (collection != NULL && secret_collection_get_locked (collection))
    {
      GList *objects = g_list_append (NULL, collection);

      g_debug ("The default keyring is locked; asking to unlock it");
      secret_service_unlock (op->service, objects, op->cancellable, unlocked_cb, g_object_ref (task));
      g_list_free (objects);
      return;
    }

  store_in_unlocked (task);
}

static void
service_for_store_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->service = secret_service_get_finish (result, &error);
  if (op->service == NULL)
    {
      return_error (task, error);
      return;
    }

  secret_collection_for_alias (op->service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               op->cancellable, default_collection_cb, g_object_ref (task));
}

/**
 * ms_keyring_store_async:
 * @self: a keyring
 * @address: the account's address (what `forget` looks for)
 * @label: what people see in the keyring's list
 * @server: the server the login is for
 * @username: the login name
 * @secret: the password
 * @cancellable: (nullable): stops it
 * @callback: called when stored and read back
 * @user_data: for @callback
 *
 * Stores or updates the item for this login. A locked keyring is asked to
 * unlock; the user may cancel. Failures are %MS_ERROR_KIND_STORE_FAILED
 * with a readable message; nothing is half-written.
 */
void
ms_keyring_store_async (MsKeyring           *self,
                        const MsAddress     *address,
                        const char          *label,
                        const MsServer      *server,
                        const char          *username,
                        MsSecret            *secret,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  Op *op;

  g_return_if_fail (MS_IS_KEYRING (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (server != NULL);
  g_return_if_fail (username != NULL);
  g_return_if_fail (secret != NULL);

  task = op_task_new (self, ms_keyring_store_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->label = g_strdup (label);
  op->secret = ms_secret_ref (secret);
  op->attributes = new_attributes (address);
  g_hash_table_insert (op->attributes, (char *)"xdg:schema", g_strdup (NETWORK_SCHEMA));
  g_hash_table_insert (op->attributes, (char *)"user", g_strdup (username));
  g_hash_table_insert (op->attributes, (char *)"server", g_strdup (server->hostname));
  g_hash_table_insert (op->attributes, (char *)"protocol", g_strdup (ms_protocol_to_string (server->protocol)));
  g_hash_table_insert (op->attributes, (char *)"port", g_strdup_printf ("%u", server->port));

  secret_service_get (SECRET_SERVICE_OPEN_SESSION, op->cancellable, service_for_store_cb, task);
}

gboolean
ms_keyring_store_finish (MsKeyring     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Forgetting */

static void
cleared_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  secret_service_clear_finish (SECRET_SERVICE (object), result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  g_task_return_int (task, op->found);
}

static void
searched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_service_search_finish (SECRET_SERVICE (object), result, &error);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }

  op->found = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  if (op->found == 0)
    {
      g_task_return_int (task, 0);
      return;
    }

  secret_service_clear (op->service, NULL, op->attributes, op->cancellable,
                        cleared_cb, g_object_ref (task));
}

static void
service_for_forget_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->service = secret_service_get_finish (result, &error);
  if (op->service == NULL)
    {
      return_error (task, error);
      return;
    }

  secret_service_search (op->service, NULL, op->attributes, SECRET_SEARCH_ALL,
                         op->cancellable, searched_cb, g_object_ref (task));
}

/**
 * ms_keyring_forget_async:
 * @self: a keyring
 * @address: the account's address
 * @cancellable: (nullable): stops it
 * @callback: called when done
 * @user_data: for @callback
 *
 * Removes every item ms_keyring_store_async() stored for @address.
 */
void
ms_keyring_forget_async (MsKeyring           *self,
                         const MsAddress     *address,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Op *op;

  g_return_if_fail (MS_IS_KEYRING (self));
  g_return_if_fail (address != NULL);

  task = op_task_new (self, ms_keyring_forget_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->attributes = new_attributes (address);

  secret_service_get (SECRET_SERVICE_NONE, op->cancellable, service_for_forget_cb, task);
}

/**
 * ms_keyring_forget_finish:
 * @self: a keyring
 * @result: the result
 * @error: where to put why the keyring could not be reached
 *
 * Returns: how many items were removed, or -1 on error
 */
gint
ms_keyring_forget_finish (MsKeyring     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  n = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }

  return (gint)n;
}
