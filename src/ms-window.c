/* ms-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The assistant. Its pages, in the order a setup meets them:
 *
 *   start     the address, or a provider picked from the list
 *   guide     the provider's steps (administrator's, then the user's)
 *   manual    the servers, for a domain nothing knows
 *   password  the client password
 *   checking  IMAP and SMTP logins in progress
 *   done      the settings, where the password went, Online Accounts
 *   failed    the diagnosis and the buttons that fix it
 *
 * The window keeps the history for Back, runs the check (MsVerifier) and
 * the saving (MsAccountStore), and cancels whatever is in flight when it
 * closes. The password is held (as an MsSecret) from the check until the
 * user leaves the done page, so Online Accounts or another try at the
 * keyring need not ask for it again; any other page forgets that copy.
 *
 * The password page is told the account (address, provider, servers
 * entered by hand) each time the user goes on to it from the start or the
 * manual page (set_account()): a password typed for another is wiped
 * there, so Back, a new address and Enter never send it elsewhere.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-account-store.h"
#include "ms-checking-page.h"
#include "ms-done-page.h"
#include "ms-failed-page.h"
#include "ms-manual-page.h"
#include "ms-password-page.h"
#include "ms-provider-page.h"
#include "ms-start-page.h"
#include "ms-window.h"

#define STORE_TIMEOUT_SECONDS 120

/* How long a person waits for a check: longer than a script's default, as
 * a provider may take its time over a wrong password; the checking page
 * says what it waits for meanwhile. */
#define CHECK_TIMEOUT_S 30

struct _MsWindow
{
  AdwApplicationWindow  parent_instance;

  MsCatalogue          *catalogue;
  MsLookup             *lookup;
  MsStoreFlags          store_flags;    /* where a working password goes */
  gboolean              finished;       /* ::finished was emitted */
  MsLauncher           *launcher;
  char                 *ca_file;
  GPtrArray            *history;

  MsProvider           *provider;
  gboolean              manual;
  MsVerifier           *verifier;
  MsSecret             *secret;
  GCancellable         *cancellable;
  MsAccountStore       *store;
  guint                 goa_watch;
  gboolean              goa_available;

  AdwToastOverlay      *toast_overlay;
  GtkButton            *back_button;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  MsStartPage          *start_page;
  GtkWidget            *guide_page;
  MsManualPage         *manual_page;
  MsPasswordPage       *password_page;
  MsCheckingPage       *checking_page;
  MsDonePage           *done_page;
  MsFailedPage         *failed_page;
};

G_DEFINE_FINAL_TYPE (MsWindow, ms_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CATALOGUE,
  PROP_LAUNCHER,
  PROP_CA_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
top_page (MsWindow *self)
{
  return g_ptr_array_index (self->history, self->history->len - 1);
}

static gboolean
on_page (MsWindow   *self,
         const char *name)
{
  return g_str_equal (top_page (self), name);
}

static void
update_header (MsWindow *self)
{
  gboolean can_go_back = self->history->len > 1 && !on_page (self, "done");
  const char *subtitle = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), can_go_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", can_go_back);

  if (!on_page (self, "start"))
    subtitle = self->provider != NULL ? ms_provider_get_name (self->provider) : _("Manual Settings");
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
forget_secret (MsWindow *self)
{
  g_clear_pointer (&self->secret, ms_secret_unref);
}

/* Makes the page on top of the history the one shown. The window's copy
 * of the password is for the check and the done page only. */
static void
show_top_page (MsWindow *self)
{
  if (!on_page (self, "checking") && !on_page (self, "done"))
    forget_secret (self);

  gtk_stack_set_visible_child_name (self->stack, top_page (self));
  update_header (self);
}

/* Shows page @name: on top of the history (@replace FALSE), or in place of
 * the page on top (a finished check is not a place to go back to). */
static void
show_page (MsWindow   *self,
           const char *name,
           gboolean    replace)
{
  if (replace && self->history->len > 1)
    g_ptr_array_remove_index (self->history, self->history->len - 1);
  g_ptr_array_add (self->history, (gpointer)g_intern_string (name));

  show_top_page (self);
}

static void
cancel_work (MsWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
go_back (MsWindow *self)
{
  if (self->history->len <= 1)
    return;

  if (on_page (self, "checking"))
    cancel_work (self);

  g_ptr_array_remove_index (self->history, self->history->len - 1);
  show_top_page (self);

  if (on_page (self, "start"))
    ms_start_page_focus (self->start_page);
  else if (on_page (self, "password"))
    ms_password_page_focus (self->password_page);
}

static void
start_over (MsWindow *self)
{
  cancel_work (self);
  forget_secret (self);
  ms_password_page_clear_password (self->password_page);
  g_clear_object (&self->verifier);
  g_ptr_array_set_size (self->history, 0);
  show_page (self, "start", FALSE);
  ms_start_page_focus (self->start_page);
}

/* Tells the password page whose password it takes: the address on the
 * start page (or, with @email_from_start FALSE, the one already on the
 * password page), the provider, and the manual page's servers if they are
 * used. A password typed for another account is wiped there. */
static void
set_account (MsWindow *self,
             gboolean  email_from_start)
{
  g_autofree char *servers = NULL;

  if (self->manual)
    servers = ms_manual_page_dup_summary (self->manual_page);

  ms_password_page_set_account (self->password_page,
                                email_from_start ? ms_start_page_get_email (self->start_page) : NULL,
                                self->provider, servers);
}

/* Starts again from the start page with what it chose: page @name after
 * it, nothing in flight. */
static void
go_on_from_start (MsWindow   *self,
                  const char *name)
{
  cancel_work (self);
  set_account (self, TRUE);
  g_ptr_array_set_size (self->history, 1);
  show_page (self, name, FALSE);
}

static void
guide_continue_cb (MsWindow *self)
{
  show_page (self, "password", FALSE);
  ms_password_page_focus (self->password_page);
}

static void
choose_provider (MsWindow   *self,
                 MsProvider *provider)
{
  g_set_object (&self->provider, provider);
  self->manual = FALSE;

  if (self->guide_page != NULL)
    gtk_stack_remove (self->stack, self->guide_page);
  self->guide_page = ms_provider_page_new (provider, self->launcher);
  g_signal_connect_object (self->guide_page, "continue",
                           G_CALLBACK (guide_continue_cb), self, G_CONNECT_SWAPPED);
  gtk_stack_add_named (self->stack, self->guide_page, "guide");

  go_on_from_start (self, "guide");
}

static void
provider_chosen_cb (MsWindow    *self,
                    MsProvider  *provider,
                    MsStartPage *page)
{
  choose_provider (self, provider);
}

static void
manual_requested_cb (MsWindow    *self,
                     MsStartPage *page)
{
  g_autoptr(MsAddress) address = ms_address_parse (ms_start_page_get_email (page), NULL);

  g_clear_object (&self->provider);
  self->manual = TRUE;
  ms_manual_page_set_origin (self->manual_page, NULL);
  ms_manual_page_set_domain (self->manual_page, address ? address->domain : NULL);

  go_on_from_start (self, "manual");
}

/* Autoconfig, SRV or a guess found servers, but no provider claims the
 * domain: the user checks them on the manual page. */
static void
settings_found_cb (MsWindow       *self,
                   MsLookupResult *result,
                   MsStartPage    *page)
{
  const MsAddress *address = ms_lookup_result_get_address (result);
  GPtrArray *imap = ms_lookup_result_get_imap_servers (result);
  GPtrArray *smtp = ms_lookup_result_get_smtp_servers (result);
  g_autofree char *username = ms_lookup_result_dup_username (result);
  g_autofree char *origin = NULL;

  g_clear_object (&self->provider);
  self->manual = TRUE;

  switch (ms_lookup_result_get_source (result))
    {
    case MS_LOOKUP_SOURCE_GUESS:
      /* Translators: %s is a mail domain */
      origin = g_strdup_printf (_("These servers at %s answered, but the domain does not publish them. Check them before you go on."),
                                address->domain_unicode);
      break;
    case MS_LOOKUP_SOURCE_ISPDB:
      origin = g_strdup (_("Found in Thunderbird’s database of mail providers. Check them before you go on."));
      break;
    default:
      /* Translators: %s is a mail domain */
      origin = g_strdup_printf (_("Found in what %s publishes about its mail servers. Check them before you go on."),
                                address->domain_unicode);
      break;
    }

  ms_manual_page_set_domain (self->manual_page, address->domain);
  ms_manual_page_set_servers (self->manual_page,
                              imap->len > 0 ? g_ptr_array_index (imap, 0) : NULL,
                              smtp->len > 0 ? g_ptr_array_index (smtp, 0) : NULL,
                              username != NULL && g_strcmp0 (username, address->email) != 0 ? username : "");
  ms_manual_page_set_origin (self->manual_page, origin);

  go_on_from_start (self, "manual");
}

static void
manual_continue_cb (MsWindow *self)
{
  /* The servers as they are now: any change since the password was typed
   * wipes it. */
  self->manual = TRUE;
  set_account (self, FALSE);
  show_page (self, "password", FALSE);
  ms_password_page_focus (self->password_page);
}

static void
progress_cb (MsWindow   *self,
             guint       protocol,
             const char *server,
             const char *stage)
{
  ms_checking_page_set_progress (self->checking_page, protocol, server, stage);
}

static void
show_toast (MsWindow   *self,
            const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* The server and login name that worked for @protocol. */
static GVariant *
login_to_variant (MsVerifier *verifier,
                  MsProtocol  protocol)
{
  const char *username = NULL;
  const MsServer *server = ms_verifier_get_login (verifier, protocol, &username);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  if (server != NULL)
    {
      g_variant_builder_add (&builder, "{sv}", "host", g_variant_new_string (server->hostname));
      g_variant_builder_add (&builder, "{sv}", "port", g_variant_new_uint32 (server->port));
      g_variant_builder_add (&builder, "{sv}", "security",
                             g_variant_new_string (ms_security_to_string (server->security)));
      g_variant_builder_add (&builder, "{sv}", "username", g_variant_new_string (username ? username : ""));
    }

  return g_variant_builder_end (&builder);
}

/* Says once how the setup ended: 0 the account works (@stored: where the
 * password went), 1 closed before that, 2 closed after a failed check. */
static void
finish (MsWindow *self,
        guint     code,
        GVariant *stored)
{
  GVariantBuilder builder;

  if (self->finished)
    return;
  self->finished = TRUE;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  if (code == 0 && self->verifier != NULL)
    {
      const MsAddress *address = ms_verifier_get_address (self->verifier);
      MsProvider *provider = ms_verifier_get_provider (self->verifier);

      g_variant_builder_add (&builder, "{sv}", "address", g_variant_new_string (address->email));
      if (provider != NULL)
        g_variant_builder_add (&builder, "{sv}", "provider",
                               g_variant_new_string (ms_provider_get_id (provider)));
      g_variant_builder_add (&builder, "{sv}", "imap", login_to_variant (self->verifier, MS_PROTOCOL_IMAP));
      g_variant_builder_add (&builder, "{sv}", "smtp", login_to_variant (self->verifier, MS_PROTOCOL_SMTP));
      g_variant_builder_add (&builder, "{sv}", "stored",
                             stored ? stored : g_variant_new_array (G_VARIANT_TYPE_VARDICT, NULL, 0));
    }
  else if (code == 2 && self->verifier != NULL)
    {
      for (MsProtocol protocol = MS_PROTOCOL_IMAP; protocol <= MS_PROTOCOL_SMTP; protocol++)
        {
          const MsCheckResult *result = ms_verifier_get_result (self->verifier, protocol);

          if (result != NULL && !result->ok)
            {
              g_variant_builder_add (&builder, "{sv}", "error",
                                     g_variant_new_string (ms_error_kind_to_string (result->kind)));
              g_variant_builder_add (&builder, "{sv}", "message",
                                     g_variant_new_string (result->message ? result->message : ""));
              break;
            }
        }
    }

  g_signal_emit (self, signals[FINISHED], 0, code, g_variant_builder_end (&builder));
}

static gboolean
ms_window_close_request (GtkWindow *window)
{
  MsWindow *self = MS_WINDOW (window);

  finish (self, on_page (self, "failed") ? 2 : 1, NULL);

  return GTK_WINDOW_CLASS (ms_window_parent_class)->close_request (window);
}

/* A destroyed window goes at once: its check and its saving stop with it,
 * rather than keeping it alive until the servers answer. */
static void
ms_window_unrealize (GtkWidget *widget)
{
  cancel_work (MS_WINDOW (widget));

  GTK_WIDGET_CLASS (ms_window_parent_class)->unrealize (widget);
}

/* After any save, first (from the checking page) or again (from the done
 * page: Save Again, Online Accounts): the done page says where it went. */
static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MsWindow) self = user_data;
  g_autoptr(GVariant) stored = NULL;

  stored = ms_account_store_save_finish (MS_ACCOUNT_STORE (object), result, NULL);
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (on_page (self, "checking"))
    {
      ms_done_page_show (self->done_page, self->verifier);
      ms_done_page_set_goa_state (self->done_page,
                                  self->goa_available ? MS_GOA_STATE_AVAILABLE : MS_GOA_STATE_UNAVAILABLE,
                                  NULL);
      /* The field is emptied (its buffer wipes it); the window keeps the
       * one copy it needs for Online Accounts. */
      ms_password_page_clear_password (self->password_page);
      show_page (self, "done", TRUE);
      finish (self, 0, stored);
    }

  ms_done_page_show_stored (self->done_page, stored);
}

/* Servers to try, without @failed when another is left: after a network
 * failure, the backup goes first. */
static GPtrArray *
servers_without (GPtrArray  *servers,
                 const char *failed)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);

  for (guint i = 0; i < servers->len; i++)
    {
      g_autofree char *name = ms_server_to_string (g_ptr_array_index (servers, i));

      if (g_strcmp0 (name, failed) != 0)
        g_ptr_array_add (out, ms_server_copy (g_ptr_array_index (servers, i)));
    }

  if (out->len == 0)
    for (guint i = 0; i < servers->len; i++)
      g_ptr_array_add (out, ms_server_copy (g_ptr_array_index (servers, i)));

  return out;
}

static GPtrArray *
get_servers (MsWindow   *self,
             MsProtocol  protocol)
{
  GPtrArray *servers;

  if (self->manual)
    {
      servers = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
      g_ptr_array_add (servers, ms_manual_page_dup_server (self->manual_page, protocol));
      return servers;
    }

  g_assert (self->provider != NULL);

  servers = protocol == MS_PROTOCOL_IMAP ? ms_provider_get_imap_servers (self->provider)
                                         : ms_provider_get_smtp_servers (self->provider);
  return g_ptr_array_ref (servers);
}

static gboolean
can_try_backup (MsWindow *self)
{
  const MsProtocol protocols[] = { MS_PROTOCOL_IMAP, MS_PROTOCOL_SMTP };

  if (self->manual || self->provider == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      const MsCheckResult *result = ms_verifier_get_result (self->verifier, protocols[i]);
      g_autoptr(GPtrArray) servers = get_servers (self, protocols[i]);

      if (result != NULL && !result->ok && servers->len > 1)
        return TRUE;
    }

  return FALSE;
}

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MsWindow) self = user_data;
  MsVerifier *verifier = MS_VERIFIER (object);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = ms_verifier_verify_finish (verifier, result, &error);

  /* Cancelled: Back or Cancel already left the page, or the window closed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      verifier != self->verifier || !on_page (self, "checking"))
    return;

  if (!ok)
    {
      forget_secret (self);
      ms_failed_page_show (self->failed_page, verifier, can_try_backup (self));
      show_page (self, "failed", TRUE);
      return;
    }

  /* Signed in, with something to say all the same (no inbox yet). */
  for (guint i = MS_PROTOCOL_IMAP; i <= MS_PROTOCOL_SMTP; i++)
    {
      const MsCheckResult *side = ms_verifier_get_result (verifier, i);

      if (side != NULL && side->kind != MS_ERROR_KIND_NONE && side->advice != NULL)
        show_toast (self, side->advice);
    }

  ms_checking_page_set_saving (self->checking_page);
  ms_account_store_save_async (self->store, verifier, self->secret, self->store_flags,
                               self->cancellable, saved_cb, g_object_ref (self));
}

/* Checks the password on the page against the provider's servers (or the
 * manual ones). With @skip_failed, servers that could not be reached last
 * time go last. */
static void
start_check (MsWindow *self,
             gboolean  skip_failed)
{
  const MsProtocol protocols[] = { MS_PROTOCOL_IMAP, MS_PROTOCOL_SMTP };
  g_autoptr(MsVerifier) previous = g_steal_pointer (&self->verifier);
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSecret) secret = NULL;

  address = ms_password_page_dup_address (self->password_page, &error);
  if (address == NULL)
    {
      show_toast (self, error->message);
      return;
    }

  secret = ms_password_page_dup_secret (self->password_page);
  if (secret == NULL)
    {
      show_toast (self, _("Enter the password first"));
      return;
    }

  self->verifier = ms_verifier_new (address, self->provider);

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(GPtrArray) servers = get_servers (self, protocols[i]);
      const MsCheckResult *last = previous ? ms_verifier_get_result (previous, protocols[i]) : NULL;

      if (skip_failed && last != NULL && !last->ok)
        {
          g_autoptr(GPtrArray) rest = servers_without (servers, last->server);
          ms_verifier_set_servers (self->verifier, protocols[i], rest);
        }
      else
        ms_verifier_set_servers (self->verifier, protocols[i], servers);
    }

  if (self->manual)
    {
      g_autofree char *username = ms_manual_page_dup_username (self->manual_page);

      if (username != NULL)
        ms_verifier_set_username (self->verifier, username);
    }

  if (self->ca_file != NULL && !ms_verifier_set_ca_file (self->verifier, self->ca_file, &error))
    {
      show_toast (self, error->message);
      return;
    }

  g_signal_connect_object (self->verifier, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);

  cancel_work (self);
  forget_secret (self);
  self->secret = g_steal_pointer (&secret);
  self->cancellable = g_cancellable_new ();

  ms_verifier_set_timeout (self->verifier, CHECK_TIMEOUT_S);
  ms_checking_page_start (self->checking_page, CHECK_TIMEOUT_S);
  show_page (self, "checking", on_page (self, "failed"));

  ms_verifier_verify_async (self->verifier, TRUE, TRUE, self->secret, self->cancellable,
                            verified_cb, g_object_ref (self));
}

static void
verify_cb (MsWindow *self)
{
  start_check (self, FALSE);
}

static void
cancel_cb (MsWindow *self)
{
  go_back (self);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  go_back (MS_WINDOW (widget));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  if (on_page (self, "failed"))
    go_back (self);
  ms_password_page_focus (self->password_page);
}

static void
retry_backup_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  start_check (MS_WINDOW (widget), TRUE);
}

/* After a check that found a port expecting the other security mode, the
 * manual page offers the switch for that server. */
static void
offer_security_fixes (MsWindow *self)
{
  const MsProtocol protocols[] = { MS_PROTOCOL_IMAP, MS_PROTOCOL_SMTP };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      const MsCheckResult *result = ms_verifier_get_result (self->verifier, protocols[i]);
      g_autoptr(MsServer) shown = NULL;

      if (result == NULL || result->kind != MS_ERROR_KIND_WRONG_SECURITY_MODE)
        continue;

      /* Only when the form shows the server that was found out. */
      shown = ms_manual_page_dup_server (self->manual_page, protocols[i]);
      if (shown != NULL)
        {
          g_autofree char *name = ms_server_to_string (shown);

          if (g_strcmp0 (name, result->server) == 0)
            ms_manual_page_offer_security (self->manual_page, protocols[i],
                                           shown->security == MS_SECURITY_SSL ? MS_SECURITY_STARTTLS
                                                                              : MS_SECURITY_SSL);
        }
    }
}

static void
edit_settings_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);
  const MsServer *imap = NULL;
  const MsServer *smtp = NULL;
  const char *username = NULL;

  if (self->verifier != NULL)
    {
      g_autoptr(GPtrArray) imap_servers = get_servers (self, MS_PROTOCOL_IMAP);
      g_autoptr(GPtrArray) smtp_servers = get_servers (self, MS_PROTOCOL_SMTP);
      const MsAddress *address = ms_verifier_get_address (self->verifier);
      g_autofree char *login = NULL;

      /* What was tried first, as a starting point. */
      imap = imap_servers->len > 0 ? g_ptr_array_index (imap_servers, 0) : NULL;
      smtp = smtp_servers->len > 0 ? g_ptr_array_index (smtp_servers, 0) : NULL;
      /* The manual page keeps its own user name; a provider's comes from
       * its rule. */
      if (imap != NULL && !self->manual)
        login = ms_server_expand_username (imap, address);
      if (login != NULL && g_strcmp0 (login, address->email) != 0)
        username = login;
      ms_manual_page_set_servers (self->manual_page, imap, smtp, username);
      ms_manual_page_set_domain (self->manual_page, address->domain);
      offer_security_fixes (self);
    }

  show_page (self, "manual", FALSE);
}

static void
open_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  ms_launcher_open (self->launcher, GTK_WINDOW (self), g_variant_get_string (param, NULL));
}

static void
copy_admin_steps_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);
  g_autofree char *text = NULL;

  if (self->provider == NULL || (text = ms_provider_dup_admin_text (self->provider)) == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  show_toast (self, _("Steps copied; paste them into a message to your administrator"));
}

static void
save (MsWindow     *self,
      MsStoreFlags  where)
{
  if (self->secret == NULL || self->verifier == NULL || !on_page (self, "done"))
    return;

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  ms_account_store_save_async (self->store, self->verifier, self->secret, where,
                               self->cancellable, saved_cb, g_object_ref (self));
}

static void
add_to_goa_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  ms_done_page_set_goa_state (self->done_page, MS_GOA_STATE_ADDING, NULL);
  save (self, MS_STORE_ONLINE_ACCOUNTS);
}

static void
save_keyring_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  save (MS_WINDOW (widget), MS_STORE_KEYRING);
}

static void
start_over_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  start_over (MS_WINDOW (widget));
}

static void
launch_failed_cb (MsWindow   *self,
                  const char *uri,
                  const char *message,
                  MsLauncher *launcher)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), uri);
  show_toast (self, _("No browser could open the page; its address was copied instead"));
}

static void
goa_appeared_cb (GDBusConnection *connection,
                 const char      *name,
                 const char      *owner,
                 gpointer         user_data)
{
  MsWindow *self = user_data;

  self->goa_available = TRUE;
  if (ms_done_page_get_goa_state (self->done_page) == MS_GOA_STATE_UNAVAILABLE && on_page (self, "done"))
    ms_done_page_set_goa_state (self->done_page, MS_GOA_STATE_AVAILABLE, NULL);
}

static void
goa_vanished_cb (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  MsWindow *self = user_data;

  self->goa_available = FALSE;
  if (ms_done_page_get_goa_state (self->done_page) == MS_GOA_STATE_AVAILABLE)
    ms_done_page_set_goa_state (self->done_page, MS_GOA_STATE_UNAVAILABLE, NULL);
}

static void
ms_window_constructed (GObject *object)
{
  MsWindow *self = (MsWindow *)object;

  G_OBJECT_CLASS (ms_window_parent_class)->constructed (object);

  g_assert (self->catalogue != NULL);
  if (self->launcher == NULL)
    self->launcher = ms_launcher_new ();

  g_signal_connect_object (self->launcher, "failed",
                           G_CALLBACK (launch_failed_cb), self,
                           G_CONNECT_SWAPPED);

  self->lookup = ms_lookup_new (self->catalogue);
  if (self->ca_file != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!ms_lookup_set_ca_file (self->lookup, self->ca_file, &error))
        g_warning ("%s", error->message);
    }

  self->start_page = MS_START_PAGE (ms_start_page_new (self->lookup));
  g_signal_connect_object (self->start_page, "settings-found",
                           G_CALLBACK (settings_found_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->start_page, "provider-chosen",
                           G_CALLBACK (provider_chosen_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->start_page, "manual-requested",
                           G_CALLBACK (manual_requested_cb), self, G_CONNECT_SWAPPED);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->start_page), "start");

  self->store = ms_account_store_new (STORE_TIMEOUT_SECONDS);

  /* Whether GNOME Online Accounts runs (or can be started) here. */
  self->goa_watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.gnome.OnlineAccounts",
                                      G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                      goa_appeared_cb, goa_vanished_cb, self, NULL);

  show_page (self, "start", FALSE);
}

static void
ms_window_dispose (GObject *object)
{
  MsWindow *self = (MsWindow *)object;

  /* Closing the window stops whatever is in flight. */
  cancel_work (self);
  forget_secret (self);
  finish (self, 1, NULL);

  if (self->goa_watch != 0)
    {
      g_bus_unwatch_name (self->goa_watch);
      self->goa_watch = 0;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_WINDOW);

  g_clear_object (&self->verifier);
  g_clear_object (&self->store);
  g_clear_object (&self->provider);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->launcher);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_object (&self->lookup);
  g_clear_pointer (&self->history, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_window_parent_class)->dispose (object);
}

static void
ms_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsWindow *self = MS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_LAUNCHER:
      g_value_set_object (value, self->launcher);
      break;

    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MsWindow *self = MS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      self->catalogue = g_value_dup_object (value);
      break;

    case PROP_LAUNCHER:
      self->launcher = g_value_dup_object (value);
      break;

    case PROP_CA_FILE:
      g_free (self->ca_file);
      self->ca_file = g_value_dup_string (value);
      if (self->lookup != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!ms_lookup_set_ca_file (self->lookup, self->ca_file, &error))
            g_warning ("%s", error->message);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_window_class_init (MsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ms_window_constructed;
  object_class->dispose = ms_window_dispose;
  object_class->get_property = ms_window_get_property;
  object_class->set_property = ms_window_set_property;
  window_class->close_request = ms_window_close_request;
  widget_class->unrealize = ms_window_unrealize;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         MS_TYPE_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAUNCHER] =
    g_param_spec_object ("launcher", NULL, NULL,
                         MS_TYPE_LAUNCHER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * MsWindow:ca-file:
   *
   * A PEM file of further certificate authorities the servers' certificates
   * may chain to (a company's own, or a test server's).
   */
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsWindow::finished:
   * @self: the window
   * @response: 0 the account works and the password is stored, 1 the
   *   window was closed before, 2 it was closed after a failed check
   * @results: (type GVariant): a{sv} as the D-Bus Response gives it (see
   *   data/io.github.mailsetup.MailSetup1.xml); never the password
   *
   * Emitted once, for a program that asked for the setup over D-Bus.
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_VARIANT);

  g_type_ensure (MS_TYPE_CHECKING_PAGE);
  g_type_ensure (MS_TYPE_DONE_PAGE);
  g_type_ensure (MS_TYPE_FAILED_PAGE);
  g_type_ensure (MS_TYPE_MANUAL_PAGE);
  g_type_ensure (MS_TYPE_PASSWORD_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, manual_page);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, password_page);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, checking_page);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, failed_page);
  gtk_widget_class_bind_template_callback (widget_class, manual_continue_cb);
  gtk_widget_class_bind_template_callback (widget_class, verify_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_cb);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.retry-backup", NULL, retry_backup_action);
  gtk_widget_class_install_action (widget_class, "win.edit-settings", NULL, edit_settings_action);
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_action);
  gtk_widget_class_install_action (widget_class, "win.copy-admin-steps", NULL, copy_admin_steps_action);
  gtk_widget_class_install_action (widget_class, "win.add-to-goa", NULL, add_to_goa_action);
  gtk_widget_class_install_action (widget_class, "win.save-keyring", NULL, save_keyring_action);
  gtk_widget_class_install_action (widget_class, "win.start-over", NULL, start_over_action);
}

static void
ms_window_init (MsWindow *self)
{
  self->history = g_ptr_array_new ();
  self->store_flags = MS_STORE_KEYRING;

  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

MsWindow *
ms_window_new (GtkApplication *application,
               MsCatalogue    *catalogue,
               MsLauncher     *launcher)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (MS_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (!launcher || MS_IS_LAUNCHER (launcher), NULL);

  return g_object_new (MS_TYPE_WINDOW,
                       "application", application,
                       "catalogue", catalogue,
                       "launcher", launcher,
                       NULL);
}

/**
 * ms_window_show_provider:
 * @self: a window
 * @provider_id: a provider id
 *
 * Returns: %TRUE if the catalogue has @provider_id and its guide is shown
 */
gboolean
ms_window_show_provider (MsWindow   *self,
                         const char *provider_id)
{
  MsProvider *provider;

  g_return_val_if_fail (MS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (provider_id != NULL, FALSE);

  provider = ms_catalogue_get_provider (self->catalogue, provider_id);
  if (provider == NULL)
    return FALSE;

  choose_provider (self, provider);
  return TRUE;
}

/**
 * ms_window_set_store_flags:
 * @self: a window
 * @where: where a password that works goes: the keyring (the default),
 *   GNOME Online Accounts, or both
 */
void
ms_window_set_store_flags (MsWindow     *self,
                           MsStoreFlags  where)
{
  g_return_if_fail (MS_IS_WINDOW (self));
  g_return_if_fail (where != 0);

  self->store_flags = where;
}

/**
 * ms_window_set_email:
 * @self: a window
 * @email: an address, as given on the command line
 *
 * Puts @email in the address field and, if its domain is in the catalogue,
 * goes on to that provider's guide.
 */
void
ms_window_set_email (MsWindow   *self,
                     const char *email)
{
  g_return_if_fail (MS_IS_WINDOW (self));
  g_return_if_fail (email != NULL);

  start_over (self);
  ms_start_page_set_email (self->start_page, email);
  /* The guide, or the found settings, as soon as the address's provider is
   * known; a domain nothing knows stays on the first page. */
  ms_start_page_activate (self->start_page);
}

/**
 * ms_window_get_visible_page:
 * @self: a window
 *
 * Returns: (transfer none): the page shown
 */
GtkWidget *
ms_window_get_visible_page (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child (self->stack);
}

/**
 * ms_window_get_page_name:
 * @self: a window
 *
 * Returns: the name of the page shown: `start`, `guide`, `manual`,
 *   `password`, `checking`, `done` or `failed`
 */
const char *
ms_window_get_page_name (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return top_page (self);
}

/**
 * ms_window_get_page:
 * @self: a window
 * @name: a page name, as ms_window_get_page_name()
 *
 * Returns: (transfer none) (nullable): that page
 */
GtkWidget *
ms_window_get_page (MsWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return gtk_stack_get_child_by_name (self->stack, name);
}
