/* ms-account-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After a check, puts the password where mail programs find it: one keyring
 * item per server login, and/or an account in GNOME Online Accounts. Each
 * place is tried in turn and reported on its own; one failing does not stop
 * the others, and the caller keeps the password for a retry.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-account-store.h"
#include "ms-keyring.h"
#include "ms-online-accounts.h"

struct _MsAccountStore
{
  GObject           parent_instance;
  MsKeyring        *keyring;
  MsOnlineAccounts *online_accounts;
};

G_DEFINE_FINAL_TYPE (MsAccountStore, ms_account_store, G_TYPE_OBJECT)

static void
ms_account_store_finalize (GObject *object)
{
  MsAccountStore *self = (MsAccountStore *)object;

  g_clear_object (&self->keyring);
  g_clear_object (&self->online_accounts);

  G_OBJECT_CLASS (ms_account_store_parent_class)->finalize (object);
}

static void
ms_account_store_class_init (MsAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ms_account_store_finalize;
}

static void
ms_account_store_init (MsAccountStore *self)
{
}

/**
 * ms_account_store_new:
 * @timeout_seconds: how long each place may take (a keyring's unlock
 *   prompt included)
 *
 * Returns: (transfer full): a store
 */
MsAccountStore *
ms_account_store_new (guint timeout_seconds)
{
  MsAccountStore *self = g_object_new (MS_TYPE_ACCOUNT_STORE, NULL);

  self->keyring = ms_keyring_new (timeout_seconds);
  self->online_accounts = ms_online_accounts_new (timeout_seconds);

  return self;
}

typedef struct
{
  MsVerifier      *verifier;
  MsSecret        *secret;
  MsStoreFlags     where;
  GVariantBuilder  entries;
  gboolean         all_ok;
  guint            step;        /* 0: keyring IMAP, 1: keyring SMTP, 2: GOA */
} Save;

static void
save_free (Save *save)
{
  g_clear_object (&save->verifier);
  g_clear_pointer (&save->secret, ms_secret_unref);
  g_variant_builder_clear (&save->entries);
  g_free (save);
}

static void next_step (GTask *task);

static void
add_failure (Save         *save,
             const char   *where,
             const char   *protocol,
             const GError *error)
{
  GVariantBuilder entry;

  save->all_ok = FALSE;
  g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&entry, "{sv}", "where", g_variant_new_string (where));
  g_variant_builder_add (&entry, "{sv}", "ok", g_variant_new_boolean (FALSE));
  if (protocol != NULL)
    g_variant_builder_add (&entry, "{sv}", "protocol", g_variant_new_string (protocol));
  g_variant_builder_add (&entry, "{sv}", "error",
                         g_variant_new_string (ms_error_kind_to_string (MS_ERROR_KIND_STORE_FAILED)));
  g_variant_builder_add (&entry, "{sv}", "message", g_variant_new_string (error->message));
  g_variant_builder_add_value (&save->entries, g_variant_builder_end (&entry));
}

static void
keyring_stored_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Save *save = g_task_get_task_data (task);
  MsProtocol protocol = save->step == 0 ? MS_PROTOCOL_IMAP : MS_PROTOCOL_SMTP;
  g_autoptr(GError) error = NULL;

  if (!ms_keyring_store_finish (MS_KEYRING (object), result, &error))
    add_failure (save, "keyring", ms_protocol_to_string (protocol), error);
  else
    {
      const char *username;
      const MsServer *server = ms_verifier_get_login (save->verifier, protocol, &username);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "where", g_variant_new_string ("keyring"));
      g_variant_builder_add (&entry, "{sv}", "ok", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&entry, "{sv}", "protocol", g_variant_new_string (ms_protocol_to_string (protocol)));
      g_variant_builder_add (&entry, "{sv}", "server", g_variant_new_string (server->hostname));
      g_variant_builder_add (&entry, "{sv}", "port", g_variant_new_uint16 (server->port));
      g_variant_builder_add (&entry, "{sv}", "user", g_variant_new_string (username));
      g_variant_builder_add_value (&save->entries, g_variant_builder_end (&entry));
    }

  save->step++;
  next_step (task);
}

static void
goa_added_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Save *save = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  gboolean existing = FALSE;
  MsProvider *provider = ms_verifier_get_provider (save->verifier);

  path = ms_online_accounts_add_finish (MS_ONLINE_ACCOUNTS (object), result, &existing, &error);
  if (path == NULL)
    add_failure (save, "goa", NULL, error);
  else
    {
      GVariantBuilder entry;
      const char *note;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "where", g_variant_new_string ("goa"));
      g_variant_builder_add (&entry, "{sv}", "ok", g_variant_new_boolean (TRUE));
      g_variant_builder_add (&entry, "{sv}", "account", g_variant_new_string (path));
      g_variant_builder_add (&entry, "{sv}", "existing", g_variant_new_boolean (existing));
      /* What the provider's file says mail programs need (NetEase: an
       * Evolution option), now that one of them will use the account. */
      note = provider != NULL ? ms_provider_get_client_note (provider) : NULL;
      if (note != NULL)
        g_variant_builder_add (&entry, "{sv}", "hint", g_variant_new_string (note));
      if (existing)
        g_variant_builder_add (&entry, "{sv}", "message",
                               g_variant_new_string (_("GNOME Online Accounts already has this address; it was left as it is.")));
      g_variant_builder_add_value (&save->entries, g_variant_builder_end (&entry));
    }

  save->step++;
  next_step (task);
}

static char *
make_label (MsVerifier *verifier,
            MsProtocol  protocol)
{
  MsProvider *provider = ms_verifier_get_provider (verifier);
  const MsAddress *address = ms_verifier_get_address (verifier);
  g_autofree char *display = ms_address_to_display (address);

  /* Translators: the keyring item's name, e.g. “QQ Mail IMAP password for a@qq.com” */
  return g_strdup_printf (_("%s %s password for %s"),
                          provider ? ms_provider_get_short_name (provider) : _("Mail"),
                          protocol == MS_PROTOCOL_IMAP ? "IMAP" : "SMTP",
                          display);
}

static void
next_step (GTask *task)
{
  MsAccountStore *self = g_task_get_source_object (task);
  Save *save = g_task_get_task_data (task);

  for (; save->step < 3; save->step++)
    {
      if (save->step < 2 && (save->where & MS_STORE_KEYRING))
        {
          MsProtocol protocol = save->step == 0 ? MS_PROTOCOL_IMAP : MS_PROTOCOL_SMTP;
          const char *username;
          const MsServer *server = ms_verifier_get_login (save->verifier, protocol, &username);
          g_autofree char *label = NULL;

          if (server == NULL)
            continue;   /* that side was not checked */

          label = make_label (save->verifier, protocol);
          ms_keyring_store_async (self->keyring, ms_verifier_get_address (save->verifier), label,
                                  server, username, save->secret, g_task_get_cancellable (task),
                                  keyring_stored_cb, g_object_ref (task));
          return;
        }

      if (save->step == 2 && (save->where & MS_STORE_ONLINE_ACCOUNTS))
        {
          const char *imap_user, *smtp_user;
          const MsServer *imap = ms_verifier_get_login (save->verifier, MS_PROTOCOL_IMAP, &imap_user);
          const MsServer *smtp = ms_verifier_get_login (save->verifier, MS_PROTOCOL_SMTP, &smtp_user);

          if (imap == NULL || smtp == NULL)
            {
              g_autoptr(GError) error =
                g_error_new_literal (MS_ERROR, MS_ERROR_KIND_STORE_FAILED,
                                     _("GNOME Online Accounts needs both the IMAP and the SMTP login checked."));
              add_failure (save, "goa", NULL, error);
              continue;
            }

          ms_online_accounts_add_async (self->online_accounts, ms_verifier_get_address (save->verifier),
                                        imap, imap_user, smtp, smtp_user, save->secret,
                                        g_task_get_cancellable (task), goa_added_cb, g_object_ref (task));
          return;
        }
    }

  g_task_return_pointer (task, g_variant_ref_sink (g_variant_builder_end (&save->entries)),
                         (GDestroyNotify)g_variant_unref);
}

/**
 * ms_account_store_save_async:
 * @self: a store
 * @verifier: a verifier whose check succeeded: the servers and login names
 *   that worked are what is stored
 * @secret: the password that worked
 * @where: the keyring, GNOME Online Accounts, or both
 * @cancellable: (nullable): stops it
 * @callback: called with what was stored where
 * @user_data: for @callback
 */
void
ms_account_store_save_async (MsAccountStore      *self,
                             MsVerifier          *verifier,
                             MsSecret            *secret,
                             MsStoreFlags         where,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  Save *save;

  g_return_if_fail (MS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (MS_IS_VERIFIER (verifier));
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_account_store_save_async);
  /* Each place says how it went; cancelling shows there as a failure. */
  g_task_set_check_cancellable (task, FALSE);

  save = g_new0 (Save, 1);
  save->verifier = g_object_ref (verifier);
  save->secret = ms_secret_ref (secret);
  save->where = where;
  save->all_ok = TRUE;
  g_variant_builder_init (&save->entries, G_VARIANT_TYPE ("aa{sv}"));
  g_task_set_task_data (task, save, (GDestroyNotify)save_free);

  next_step (task);
  g_object_unref (task);
}

/**
 * ms_account_store_save_finish:
 * @self: a store
 * @result: the result
 * @all_ok: (out) (optional): whether every place took the password
 *
 * Returns: (transfer full): an aa{sv}: one entry per keyring item
 *   (`where`, `ok`, `protocol`, `server`, `port`, `user`) and one for Online
 *   Accounts (`where`, `ok`, `account`, `existing`, and `hint`: the
 *   provider's client note, when it has one); a failed one has `error` and
 *   `message`. Never the password.
 */
GVariant *
ms_account_store_save_finish (MsAccountStore *self,
                              GAsyncResult   *result,
                              gboolean       *all_ok)
{
  Save *save;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  save = g_task_get_task_data (G_TASK (result));
  if (all_ok != NULL)
    *all_ok = save->all_ok;

  return g_task_propagate_pointer (G_TASK (result), NULL);
}
