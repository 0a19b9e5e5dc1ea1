/* ms-online-accounts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hands a verified account to GNOME Online Accounts (goa-daemon on the
 * session bus), so Evolution, Geary and GNOME see it: Manager.AddAccount
 * with the imap_smtp provider, mail enabled, the servers, login names, TLS
 * mode and the password for both sides. An account that already exists for
 * the address is found and reported, never duplicated.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ms-error-kind.h"
#include "ms-online-accounts.h"

#define GOA_NAME "org.gnome.OnlineAccounts"
#define GOA_PATH "/org/gnome/OnlineAccounts"
#define GOA_MANAGER_PATH "/org/gnome/OnlineAccounts/Manager"

struct _MsOnlineAccounts
{
  GObject parent_instance;
  guint   timeout_seconds;
};

G_DEFINE_FINAL_TYPE (MsOnlineAccounts, ms_online_accounts, G_TYPE_OBJECT)

static void
ms_online_accounts_class_init (MsOnlineAccountsClass *klass)
{
}

static void
ms_online_accounts_init (MsOnlineAccounts *self)
{
  self->timeout_seconds = 30;
}

MsOnlineAccounts *
ms_online_accounts_new (guint timeout_seconds)
{
  MsOnlineAccounts *self = g_object_new (MS_TYPE_ONLINE_ACCOUNTS, NULL);

  if (timeout_seconds > 0)
    self->timeout_seconds = timeout_seconds;

  return self;
}

typedef struct
{
  GDBusConnection *bus;
  char            *email;
  GVariant        *details;       /* a{ss} */
  MsSecret        *secret;
  char            *path;          /* the account added */
} AddData;

static void
add_data_free (AddData *data)
{
  g_clear_object (&data->bus);
  g_clear_pointer (&data->email, g_free);
  g_clear_pointer (&data->details, g_variant_unref);
  g_clear_pointer (&data->secret, ms_secret_unref);
  g_clear_pointer (&data->path, g_free);
  g_free (data);
}

typedef struct
{
  char     *path;
  gboolean  existing;
} AddResult;

static void
add_result_free (AddResult *result)
{
  g_free (result->path);
  g_free (result);
}

static void
return_path (GTask      *task,
             const char *path,
             gboolean    existing)
{
  AddResult *result = g_new0 (AddResult, 1);

  result->path = g_strdup (path);
  result->existing = existing;
  g_task_return_pointer (task, result, (GDestroyNotify)add_result_free);
}

static void
return_error (GTask        *task,
              const GError *error)
{
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND))
    g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                             _("GNOME Online Accounts is not running on this desktop."));
  else
    g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                             _("GNOME Online Accounts did not take the account: %s"), error->message);
}

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    g_debug ("Could not remove the half-added account: %s", error->message);

  g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                           _("GNOME Online Accounts could not keep the password (is its keyring locked?); the account was not added."));
}

static void
read_back_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MsOnlineAccounts *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *stored = NULL;
  gsize len;
  const char *wanted = ms_secret_get_data (data->secret, &len);

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply != NULL)
    g_variant_get (reply, "(&s)", &stored);

  if (stored != NULL && strlen (stored) == len && memcmp (stored, wanted, len) == 0)
    {
      return_path (task, data->path, FALSE);
      return;
    }

  /* Nothing half-written: an account without its password would only
   * fail later in the mail program. */
  g_debug ("GNOME Online Accounts did not keep the password: %s",
           error ? error->message : "it reads back different");
  g_dbus_connection_call (data->bus, GOA_NAME, data->path,
                          "org.gnome.OnlineAccounts.Account", "Remove",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NONE,
                          self->timeout_seconds * 1000, NULL,
                          removed_cb, g_object_ref (task));
}

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MsOnlineAccounts *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *path;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      return_error (task, error);
      return;
    }

  g_variant_get (reply, "(&o)", &path);
  g_debug ("GNOME Online Accounts added %s", path);
  data->path = g_strdup (path);

  /* goa-daemon keeps the password in the keyring and says nothing when
   * that fails: read it back to be sure. */
  g_dbus_connection_call (data->bus, GOA_NAME, path,
                          "org.gnome.OnlineAccounts.PasswordBased", "GetPassword",
                          g_variant_new ("(s)", "imap-password"), G_VARIANT_TYPE ("(s)"),
                          G_DBUS_CALL_FLAGS_NONE, self->timeout_seconds * 1000,
                          g_task_get_cancellable (task), read_back_cb, g_object_ref (task));
}

static void
add_account (GTask *task)
{
  MsOnlineAccounts *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  GVariantBuilder credentials;
  gsize len;
  const char *password = ms_secret_get_data (data->secret, &len);

  /* D-Bus strings are UTF-8; so are the passwords Online Accounts keeps. */
  if (!g_utf8_validate (password, len, NULL) || memchr (password, '\0', len) != NULL)
    {
      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                               _("GNOME Online Accounts can only keep passwords that are text."));
      return;
    }

  g_variant_builder_init (&credentials, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&credentials, "{sv}", "imap-password", g_variant_new_string (password));
  g_variant_builder_add (&credentials, "{sv}", "smtp-password", g_variant_new_string (password));

  g_dbus_connection_call (data->bus, GOA_NAME, GOA_MANAGER_PATH,
                          "org.gnome.OnlineAccounts.Manager", "AddAccount",
                          g_variant_new ("(sssa{sv}@a{ss})", "imap_smtp", data->email, data->email,
                                         &credentials, data->details),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE,
                          self->timeout_seconds * 1000, g_task_get_cancellable (task),
                          added_cb, g_object_ref (task));
}

static void
objects_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) objects = NULL;
  const char *path;
  GVariant *interfaces;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      return_error (task, error);
      return;
    }

  /* An account with this address already: say so, do not add another. */
  g_variant_get (reply, "(a{oa{sa{sv}}})", &objects);
  while (g_variant_iter_next (objects, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) mail = g_variant_lookup_value (interfaces, "org.gnome.OnlineAccounts.Mail",
                                                         G_VARIANT_TYPE_VARDICT);
      g_autoptr(GVariant) account = g_variant_lookup_value (interfaces, "org.gnome.OnlineAccounts.Account",
                                                            G_VARIANT_TYPE_VARDICT);
      const char *email = NULL, *provider = NULL, *identity = NULL;
      gboolean same = FALSE;

      /* The Mail interface shows once goa-daemon has loaded the account;
       * an IMAP/SMTP account's identity is its address from the start. */
      if (mail != NULL && g_variant_lookup (mail, "EmailAddress", "&s", &email))
        same = g_ascii_strcasecmp (email, data->email) == 0;
      if (!same && account != NULL &&
          g_variant_lookup (account, "ProviderType", "&s", &provider) &&
          g_str_equal (provider, "imap_smtp") &&
          g_variant_lookup (account, "Identity", "&s", &identity))
        same = g_ascii_strcasecmp (identity, data->email) == 0;

      if (same)
        {
          g_debug ("GNOME Online Accounts already has %s at %s", data->email, path);
          return_path (task, path, TRUE);
          g_variant_unref (interfaces);
          return;
        }
      g_variant_unref (interfaces);
    }

  add_account (task);
}

static void
bus_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MsOnlineAccounts *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->bus = g_bus_get_finish (result, &error);
  if (data->bus == NULL)
    {
      return_error (task, error);
      return;
    }

  g_dbus_connection_call (data->bus, GOA_NAME, GOA_PATH,
                          "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                          NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE,
                          self->timeout_seconds * 1000, g_task_get_cancellable (task),
                          objects_cb, g_object_ref (task));
}

static const char *
bool_string (gboolean value)
{
  return value ? "true" : "false";
}

/**
 * ms_online_accounts_add_async:
 * @self: the Online Accounts client
 * @address: the account's address
 * @imap: the IMAP server that was verified
 * @imap_username: its login name
 * @smtp: the SMTP server that was verified
 * @smtp_username: its login name
 * @secret: the password (sent to goa-daemon only)
 * @cancellable: (nullable): stops it
 * @callback: called with the account's object path
 * @user_data: for @callback
 */
void
ms_online_accounts_add_async (MsOnlineAccounts    *self,
                              const MsAddress     *address,
                              const MsServer      *imap,
                              const char          *imap_username,
                              const MsServer      *smtp,
                              const char          *smtp_username,
                              MsSecret            *secret,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  AddData *data;
  GVariantBuilder details;
  g_autofree char *imap_host = NULL;
  g_autofree char *smtp_host = NULL;

  g_return_if_fail (MS_IS_ONLINE_ACCOUNTS (self));
  g_return_if_fail (address != NULL && imap != NULL && smtp != NULL);
  g_return_if_fail (imap_username != NULL && smtp_username != NULL && secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_online_accounts_add_async);

  imap_host = ms_server_to_string (imap);
  smtp_host = ms_server_to_string (smtp);

  g_variant_builder_init (&details, G_VARIANT_TYPE ("a{ss}"));
  /* MailEnabled turns on the account's mail; Enabled is the key the
   * IMAP/SMTP provider itself reads. */
  g_variant_builder_add (&details, "{ss}", "MailEnabled", "true");
  g_variant_builder_add (&details, "{ss}", "Enabled", "true");
  g_variant_builder_add (&details, "{ss}", "EmailAddress", address->email);
  g_variant_builder_add (&details, "{ss}", "Name", address->local_part);
  g_variant_builder_add (&details, "{ss}", "ImapHost", imap_host);
  g_variant_builder_add (&details, "{ss}", "ImapUserName", imap_username);
  g_variant_builder_add (&details, "{ss}", "ImapUseSsl", bool_string (imap->security == MS_SECURITY_SSL));
  g_variant_builder_add (&details, "{ss}", "ImapUseTls", bool_string (imap->security == MS_SECURITY_STARTTLS));
  g_variant_builder_add (&details, "{ss}", "ImapAcceptSslErrors", "false");
  g_variant_builder_add (&details, "{ss}", "SmtpHost", smtp_host);
  g_variant_builder_add (&details, "{ss}", "SmtpUseAuth", "true");
  g_variant_builder_add (&details, "{ss}", "SmtpUserName", smtp_username);
  g_variant_builder_add (&details, "{ss}", "SmtpAuthLogin", "false");
  g_variant_builder_add (&details, "{ss}", "SmtpAuthPlain", "true");
  g_variant_builder_add (&details, "{ss}", "SmtpUseSsl", bool_string (smtp->security == MS_SECURITY_SSL));
  g_variant_builder_add (&details, "{ss}", "SmtpUseTls", bool_string (smtp->security == MS_SECURITY_STARTTLS));
  g_variant_builder_add (&details, "{ss}", "SmtpAcceptSslErrors", "false");

  data = g_new0 (AddData, 1);
  data->email = g_strdup (address->email);
  data->details = g_variant_ref_sink (g_variant_builder_end (&details));
  data->secret = ms_secret_ref (secret);
  g_task_set_task_data (task, data, (GDestroyNotify)add_data_free);

  g_bus_get (G_BUS_TYPE_SESSION, cancellable, bus_cb, task);
}

/**
 * ms_online_accounts_add_finish:
 * @self: the Online Accounts client
 * @result: the result
 * @existing: (out) (optional): %TRUE when the account was there already
 * @error: where to put why it could not be added (%MS_ERROR_KIND_STORE_FAILED)
 *
 * Returns: (transfer full): the account's object path, or %NULL
 */
char *
ms_online_accounts_add_finish (MsOnlineAccounts  *self,
                               GAsyncResult      *result,
                               gboolean          *existing,
                               GError           **error)
{
  AddResult *added;
  char *path;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  added = g_task_propagate_pointer (G_TASK (result), error);
  if (added == NULL)
    return NULL;

  if (existing != NULL)
    *existing = added->existing;
  path = g_steal_pointer (&added->path);
  add_result_free (added);

  return path;
}
