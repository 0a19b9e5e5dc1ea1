/* ms-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command line for scripts and tests: `providers` and `lookup`, as the
 * contract in docs/cli.md says. It runs without a display and without
 * registering on D-Bus, on the core library alone.
 */

#define G_LOG_DOMAIN "mail-setup-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ms-account-store.h"
#include "ms-address.h"
#include "ms-keyring.h"
#include "ms-catalogue.h"
#include "ms-cli.h"
#include "ms-json.h"
#include "ms-lookup.h"
#include "ms-secret.h"
#include "ms-verifier.h"

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char  *name;
  const char  *args;
  const char  *summary;
  CommandFunc  func;
} Command;

static int cmd_providers (int argc, char **argv);
static int cmd_lookup    (int argc, char **argv);
static int cmd_verify    (int argc, char **argv);
static int cmd_forget    (int argc, char **argv);

static const Command commands[] = {
  { "providers", "", N_("List the providers Mail Setup knows"), cmd_providers },
  { "lookup", N_("ADDRESS"), N_("Find the server settings for an address"), cmd_lookup },
  { "verify", N_("ADDRESS"), N_("Check the IMAP and SMTP logins; the password is read from standard input"), cmd_verify },
  { "forget", N_("ADDRESS"), N_("Remove the passwords “verify --store=keyring” saved for an address"), cmd_forget },
};

static void
print_json (GVariant *value)
{
  g_autoptr(GVariant) sunk = g_variant_ref_sink (value);
  g_autofree char *json = ms_json_from_variant (sunk);

  fputs (json, stdout);
  fflush (stdout);
}

static void
warn_problems (MsCatalogue *catalogue)
{
  const char * const *problems = ms_catalogue_get_problems (catalogue);

  for (guint i = 0; problems[i]; i++)
    /* Translators: a provider file could not be read; %s is “FILE:LINE: reason” */
    g_printerr (_("Warning: skipped a provider file: %s\n"), problems[i]);
}

static gboolean
parse_options (const Command  *command,
               GOptionEntry   *entries,
               int            *argc,
               char         ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *usage = NULL;

  usage = g_strdup_printf ("%s %s", command->name, command->args[0] ? _(command->args) : "");
  context = g_option_context_new (usage);
  g_option_context_set_summary (context, _(command->summary));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }

  return TRUE;
}

static int
cmd_providers (int    argc,
               char **argv)
{
  g_autoptr(MsCatalogue) catalogue = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  guint n;

  if (!parse_options (&commands[0], entries, &argc, &argv))
    return MS_CLI_EXIT_USAGE;

  if (argc > 2)
    {
      g_printerr (_("“providers” takes no arguments\n"));
      return MS_CLI_EXIT_USAGE;
    }

  catalogue = ms_catalogue_new_default ();
  warn_problems (catalogue);
  n = g_list_model_get_n_items (G_LIST_MODEL (catalogue));

  if (json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(MsProvider) provider = g_list_model_get_item (G_LIST_MODEL (catalogue), i);
          g_variant_builder_add_value (&builder, ms_provider_to_variant (provider));
        }
      print_json (g_variant_builder_end (&builder));
      return MS_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsProvider) provider = g_list_model_get_item (G_LIST_MODEL (catalogue), i);
      const char * const *domains = ms_provider_get_domains (provider);
      g_autofree char *joined = g_strjoinv (", ", (char **)domains);

      g_print ("%-14s %s\n", ms_provider_get_id (provider), ms_provider_get_name (provider));
      if (joined[0] != '\0')
        g_print ("%-14s %s\n", "", joined);
      else
        /* Translators: shown for providers that host company domains */
        g_print ("%-14s %s\n", "", _("(company domains, found by their mail servers)"));
    }

  return MS_CLI_EXIT_OK;
}

static void
print_servers (const char      *label,
               GPtrArray       *servers,
               const MsAddress *address)
{
  for (guint i = 0; i < servers->len; i++)
    {
      const MsServer *server = g_ptr_array_index (servers, i);
      g_autofree char *host = ms_server_to_string (server);
      g_autofree char *username = ms_server_expand_username (server, address);

      g_print ("%-6s %s  %s  %s%s\n",
               i == 0 ? label : "",
               host,
               server->security == MS_SECURITY_SSL ? "SSL/TLS" : "STARTTLS",
               username,
               /* Translators: marks a backup server in `mail-setup lookup` */
               i > 0 ? _(" (backup)") : "");
    }
}

typedef struct
{
  gboolean        done;
  MsLookupResult *result;
  GError         *error;
} LookupWait;

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LookupWait *wait = user_data;

  wait->result = ms_lookup_lookup_finish (MS_LOOKUP (object), result, &wait->error);
  wait->done = TRUE;
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  LookupWait *wait = user_data;

  ms_lookup_flush_finish (MS_LOOKUP (object), result, NULL);
  wait->done = TRUE;
}

/* Runs a whole lookup (catalogue, MX, autoconfig, SRV, guess) to its end. */
static MsLookupResult *
run_lookup (MsCatalogue      *catalogue,
            const MsAddress  *address,
            const char       *ca_file,
            gboolean          allow_http,
            guint             timeout,
            GError          **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(MsLookup) lookup = ms_lookup_new (catalogue);
  LookupWait wait = { FALSE, NULL, NULL };

  if (!ms_lookup_set_ca_file (lookup, ca_file, error))
    return NULL;
  ms_lookup_set_allow_http (lookup, allow_http);
  ms_lookup_set_timeout (lookup, timeout);

  g_main_context_push_thread_default (context);
  ms_lookup_lookup_async (lookup, address, NULL, looked_up_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);

  /* The answer is cached for the next run: let it reach the disk. */
  wait.done = FALSE;
  ms_lookup_flush_async (lookup, NULL, flushed_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  if (wait.error != NULL)
    g_propagate_error (error, wait.error);

  return wait.result;
}

static const char *
describe_source (MsLookupSource source)
{
  switch (source)
    {
    case MS_LOOKUP_SOURCE_CATALOGUE:
      return _("Found in Mail Setup’s provider list");
    case MS_LOOKUP_SOURCE_MX:
      return _("Found from the domain’s mail server records (MX)");
    case MS_LOOKUP_SOURCE_AUTOCONFIG:
      return _("Found in the domain’s configuration file (autoconfig)");
    case MS_LOOKUP_SOURCE_ISPDB:
      return _("Found in Thunderbird’s provider database (ISPDB)");
    case MS_LOOKUP_SOURCE_SRV:
      return _("Found from the domain’s service records (SRV)");
    case MS_LOOKUP_SOURCE_GUESS:
      return _("Guessed: these servers answered, but nothing published them");
    case MS_LOOKUP_SOURCE_NONE:
    default:
      return NULL;
    }
}

static int
cmd_lookup (int    argc,
            char **argv)
{
  g_autoptr(MsCatalogue) catalogue = NULL;
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_file = NULL;
  gboolean json = FALSE;
  gboolean offline = FALSE;
  gboolean allow_http = FALSE;
  int timeout = MS_LOOKUP_DEFAULT_TIMEOUT_S;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline, N_("Use the provider list and cached answers only"), NULL },
    { "allow-http", 0, 0, G_OPTION_ARG_NONE, &allow_http, N_("Also fetch configuration files over unencrypted HTTP"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Trust these certificate authorities too"), N_("PEM") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Deadline for the whole lookup (default 10)"), N_("SECONDS") },
    { NULL }
  };
  MsProvider *provider;
  const char *source_text;
  g_autofree char *note_message = NULL;

  if (!parse_options (&commands[1], entries, &argc, &argv))
    return MS_CLI_EXIT_USAGE;

  if (argc != 3)
    {
      g_printerr (_("Usage: %s lookup ADDRESS [--json]\n"), g_get_prgname ());
      return MS_CLI_EXIT_USAGE;
    }

  if (timeout <= 0 || timeout > 3600)
    {
      g_printerr (_("--timeout must be a number of seconds from 1 to 3600.\n"));
      return MS_CLI_EXIT_USAGE;
    }

  address = ms_address_parse (argv[2], &error);
  if (address == NULL)
    {
      if (json)
        {
          GVariantBuilder builder;

          g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
          g_variant_builder_add (&builder, "{sv}", "email", g_variant_new_string (argv[2]));
          g_variant_builder_add (&builder, "{sv}", "error", g_variant_new_string ("malformed-address"));
          g_variant_builder_add (&builder, "{sv}", "message", g_variant_new_string (error->message));
          print_json (g_variant_builder_end (&builder));
        }
      g_printerr (_("Not an e-mail address: %s\n"), error->message);
      return MS_CLI_EXIT_USAGE;
    }

  catalogue = ms_catalogue_new_default ();
  warn_problems (catalogue);

  if (offline)
    {
      g_autoptr(MsLookup) lookup = ms_lookup_new (catalogue);

      result = ms_lookup_lookup_offline (lookup, address);
    }
  else
    {
      result = run_lookup (catalogue, address, ca_file, allow_http, timeout, &error);
      if (result == NULL)
        {
          g_printerr ("%s\n", error->message);
          return MS_CLI_EXIT_USAGE;
        }
    }
  provider = ms_lookup_result_get_provider (result);

  if (!json)
    {
      const char * const *problems = ms_lookup_result_get_problems (result);

      for (guint i = 0; problems[i] != NULL; i++)
        /* Translators: a lookup layer that failed, e.g. a malformed file */
        g_printerr (_("Note: %s\n"), problems[i]);
    }

  source_text = describe_source (ms_lookup_result_get_source (result));

  note_message = ms_lookup_result_dup_note_message (result);

  if (json)
    print_json (ms_lookup_result_to_variant (result));
  else if (!ms_lookup_result_is_found (result) && note_message != NULL)
    g_printerr ("%s\n", note_message);
  else if (!ms_lookup_result_is_found (result))
    g_printerr (_("No settings found for %s. Ask the mail provider for the IMAP and SMTP servers.\n"),
                address->domain_unicode);
  else
    {
      const char *detail = ms_lookup_result_get_detail (result);

      if (provider != NULL)
        g_print ("%s (%s)\n", ms_provider_get_name (provider), ms_provider_get_id (provider));
      print_servers ("IMAP", ms_lookup_result_get_imap_servers (result), address);
      print_servers ("SMTP", ms_lookup_result_get_smtp_servers (result), address);
      if (detail != NULL)
        g_printerr ("%s: %s\n", source_text, detail);
      else
        g_printerr ("%s\n", source_text);
      /* Servers that take no password: named, and said so. */
      if (note_message != NULL)
        g_printerr ("%s\n", note_message);
    }

  return ms_lookup_result_is_found (result) ? MS_CLI_EXIT_OK : MS_CLI_EXIT_FAILED;
}

/* `verify` for servers that take no password from mail programs (a
 * catalogue provider's, or those a domain's settings name with OAuth 2.0
 * only): the result of a check that could not be made, in the contract's
 * shape. @provider, when known, says what to do instead. */
static int
refuse_oauth_only (const MsAddress *address,
                   MsProvider      *provider,
                   MsLookupResult  *looked_up,
                   gboolean         imap,
                   gboolean         smtp,
                   gboolean         json)
{
  g_autofree char *message = NULL;

  if (provider != NULL && ms_provider_get_oauth_only (provider))
    /* Translators: %1$s is the provider, %2$s its advice */
    message = g_strdup_printf (_("%s no longer lets mail programs sign in with a password, not even an app password. %s"),
                               ms_provider_get_name (provider), ms_provider_get_client_note (provider));
  else
    message = ms_lookup_result_dup_note_message (looked_up);

  if (json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "email", g_variant_new_string (address->email));
      g_variant_builder_add (&builder, "{sv}", "ok", g_variant_new_boolean (FALSE));
      for (MsProtocol protocol = MS_PROTOCOL_IMAP; protocol <= MS_PROTOCOL_SMTP; protocol++)
        {
          gboolean wanted = protocol == MS_PROTOCOL_IMAP ? imap : smtp;
          GPtrArray *servers;
          g_autofree char *server = NULL;
          GVariantBuilder side;

          if (looked_up != NULL)
            servers = protocol == MS_PROTOCOL_IMAP ? ms_lookup_result_get_imap_servers (looked_up)
                                                   : ms_lookup_result_get_smtp_servers (looked_up);
          else
            servers = protocol == MS_PROTOCOL_IMAP ? ms_provider_get_imap_servers (provider)
                                                   : ms_provider_get_smtp_servers (provider);
          /* A document may name no SMTP server: then there is none to name. */
          if (servers->len > 0)
            server = ms_server_to_string (g_ptr_array_index (servers, 0));

          if (!wanted)
            {
              g_variant_builder_add (&builder, "{sv}", ms_protocol_to_string (protocol),
                                     g_variant_new_maybe (G_VARIANT_TYPE_VARDICT, NULL));
              continue;
            }

          g_variant_builder_init (&side, G_VARIANT_TYPE_VARDICT);
          g_variant_builder_add (&side, "{sv}", "ok", g_variant_new_boolean (FALSE));
          g_variant_builder_add (&side, "{sv}", "server",
                                 server != NULL ? g_variant_new_string (server)
                                                : g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL));
          g_variant_builder_add (&side, "{sv}", "error", g_variant_new_string ("login-disabled"));
          g_variant_builder_add (&side, "{sv}", "message",
                                 g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL));
          g_variant_builder_add (&side, "{sv}", "advice", g_variant_new_string (message));
          g_variant_builder_add (&builder, "{sv}", ms_protocol_to_string (protocol),
                                 g_variant_new_maybe (G_VARIANT_TYPE_VARDICT, g_variant_builder_end (&side)));
        }
      g_variant_builder_add (&builder, "{sv}", "stored", g_variant_new_array (G_VARIANT_TYPE_VARDICT, NULL, 0));
      print_json (g_variant_builder_end (&builder));
    }

  g_printerr ("%s\n", message);
  return MS_CLI_EXIT_FAILED;
}

#define MAX_PASSWORD_INPUT (64 * 1024)

/* Reads the password from standard input: the first line without its line
 * break, or all of it when there is none. It goes straight into wiped
 * memory; stdio's buffers never see it. */
static MsSecret *
read_password (GError **error)
{
  char *buf = g_malloc0 (MAX_PASSWORD_INPUT + 1);
  gsize len = 0;
  char *nl;
  MsSecret *secret = NULL;

  while (len <= MAX_PASSWORD_INPUT)
    {
      gssize n = read (STDIN_FILENO, buf + len, MAX_PASSWORD_INPUT + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("Cannot read the password from standard input: %s"), g_strerror (errno));
          goto out;
        }
      if (n == 0)
        break;
      len += n;
      if (memchr (buf, '\n', len) != NULL)
        break;
    }

  nl = memchr (buf, '\n', len);
  if (nl != NULL)
    {
      len = nl - buf;
      if (len > 0 && buf[len - 1] == '\r')
        len--;
    }
  else if (len > MAX_PASSWORD_INPUT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password on standard input is longer than %d bytes."), MAX_PASSWORD_INPUT);
      goto out;
    }

  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("No password on standard input. Pipe it in, for example: secret-tool lookup … | mail-setup verify ADDRESS"));
      goto out;
    }

  secret = ms_secret_new (buf, len);

out:
  ms_wipe (buf, MAX_PASSWORD_INPUT + 1);
  g_free (buf);
  return secret;
}

/* HOST, HOST:PORT, [V6] or [V6]:PORT */
static MsServer *
parse_server (MsProtocol   protocol,
              const char  *spec,
              const char  *security_name,
              const char  *username,
              GError     **error)
{
  g_autofree char *host = NULL;
  const char *port_text = NULL;
  MsSecurity security = MS_SECURITY_SSL;
  guint64 port;

  if (security_name != NULL && !ms_security_from_string (security_name, &security))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The security must be “ssl” or “starttls”, not “%s”."), security_name);
      return NULL;
    }

  if (spec[0] == '[')
    {
      const char *close = strchr (spec, ']');

      if (close == NULL || (close[1] != '\0' && close[1] != ':'))
        goto bad;
      host = g_strndup (spec + 1, close - spec - 1);
      port_text = close[1] == ':' ? close + 2 : NULL;
    }
  else
    {
      const char *colon = strchr (spec, ':');

      if (colon != NULL && strchr (colon + 1, ':') != NULL)
        goto bad;
      host = colon ? g_strndup (spec, colon - spec) : g_strdup (spec);
      port_text = colon ? colon + 1 : NULL;
    }

  if (host[0] == '\0' || (!g_hostname_is_ip_address (host) && !ms_normalize_domain (host, NULL) &&
                           g_ascii_strcasecmp (host, "localhost") != 0))
    goto bad;

  if (port_text == NULL)
    port = protocol == MS_PROTOCOL_IMAP ? (security == MS_SECURITY_SSL ? 993 : 143)
                                        : (security == MS_SECURITY_SSL ? 465 : 587);
  else if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
    goto bad;

  return ms_server_new (protocol, host, (guint16)port, security, username);

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a server (HOST or HOST:PORT)."), spec);
  return NULL;
}

typedef struct
{
  gboolean      done;
  GError       *error;
  GAsyncResult *result;
} VerifyWait;

static void
store_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  VerifyWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static void
print_stored (GVariant *stored)
{
  GVariantIter iter;
  GVariant *entry;

  g_variant_iter_init (&iter, stored);
  while ((entry = g_variant_iter_next_value (&iter)))
    {
      const char *where = "?", *message = NULL, *hint = NULL, *account = NULL, *protocol = NULL;
      gboolean ok = FALSE;

      g_variant_lookup (entry, "where", "&s", &where);
      g_variant_lookup (entry, "ok", "b", &ok);
      g_variant_lookup (entry, "message", "&s", &message);
      g_variant_lookup (entry, "hint", "&s", &hint);
      g_variant_lookup (entry, "account", "&s", &account);
      g_variant_lookup (entry, "protocol", "&s", &protocol);

      if (g_str_equal (where, "keyring") && ok)
        g_print (_("Saved the %s password in the keyring.\n"), protocol ? protocol : "");
      else if (g_str_equal (where, "keyring"))
        g_print (_("Could not save the %s password in the keyring.\n"), protocol ? protocol : "");
      else if (ok)
        g_print (_("Added to GNOME Online Accounts: %s\n"), account ? account : "");
      else
        g_print ("%s\n", _("Could not add the account to GNOME Online Accounts."));
      if (message != NULL)
        g_print ("  %s\n", message);
      if (hint != NULL)
        g_print ("  %s\n", hint);
      g_variant_unref (entry);
    }
}

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  VerifyWait *wait = user_data;

  ms_verifier_verify_finish (MS_VERIFIER (object), result, &wait->error);
  wait->done = TRUE;
}

static void
print_side (const char          *label,
            const MsCheckResult *result)
{
  if (result == NULL)
    return;

  g_autofree char *words = ms_check_result_dup_words (result);

  if (result->ok)
    /* Translators: e.g. “IMAP imap.qq.com:993: the login works” */
    g_print (_("%s %s: the login works\n"), label, result->server);
  else
    g_print (_("%s %s: failed (%s)\n"), label, result->server, ms_error_kind_to_string (result->kind));

  if (result->kind == MS_ERROR_KIND_NONE)
    return;
  if (words != NULL)
    g_print ("  %s\n", words);
  if (result->advice != NULL)
    g_print ("  %s\n", result->advice);
}

static int
cmd_verify (int    argc,
            char **argv)
{
  g_autoptr(MsCatalogue) catalogue = NULL;
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsVerifier) verifier = NULL;
  g_autoptr(MsSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autofree char *provider_id = NULL, *imap = NULL, *smtp = NULL;
  g_autofree char *imap_security = NULL, *smtp_security = NULL;
  g_autofree char *username = NULL, *ca_file = NULL, *only = NULL;
  g_auto(GStrv) store = NULL;
  gboolean json = FALSE;
  int timeout = 20;
  gboolean check_imap = TRUE, check_smtp = TRUE;
  MsProvider *provider = NULL;
  VerifyWait wait = { FALSE, NULL, NULL };
  MsStoreFlags store_flags = 0;
  g_autoptr(GVariant) stored = NULL;
  g_autoptr(MsLookupResult) looked_up = NULL;
  gboolean stored_ok = TRUE;
  gboolean verified;
  GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_id, N_("Use this catalogue entry instead of looking the address up"), N_("ID") },
    { "imap", 0, 0, G_OPTION_ARG_STRING, &imap, N_("Check this IMAP server"), N_("HOST[:PORT]") },
    { "smtp", 0, 0, G_OPTION_ARG_STRING, &smtp, N_("Check this SMTP server"), N_("HOST[:PORT]") },
    { "imap-security", 0, 0, G_OPTION_ARG_STRING, &imap_security, N_("TLS for --imap: ssl (default) or starttls"), "ssl|starttls" },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &smtp_security, N_("TLS for --smtp: ssl (default) or starttls"), "ssl|starttls" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("Log in with this name"), N_("NAME") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Trust these certificate authorities too"), N_("PEM") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Deadline for the whole check (default 20)"), N_("SECONDS") },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, N_("Check one side only"), "imap|smtp" },
    { "store", 0, 0, G_OPTION_ARG_STRING_ARRAY, &store, N_("After success, store the password there"), "keyring|goa" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!parse_options (&commands[2], entries, &argc, &argv))
    return MS_CLI_EXIT_USAGE;

  if (argc != 3)
    {
      g_printerr (_("Usage: %s verify ADDRESS [OPTION…] < password\n"), g_get_prgname ());
      return MS_CLI_EXIT_USAGE;
    }

  for (guint i = 0; store != NULL && store[i]; i++)
    {
      if (g_str_equal (store[i], "keyring"))
        store_flags |= MS_STORE_KEYRING;
      else if (g_str_equal (store[i], "goa"))
        store_flags |= MS_STORE_ONLINE_ACCOUNTS;
      else
        {
          g_printerr (_("--store must be “keyring” or “goa”, not “%s”.\n"), store[i]);
          return MS_CLI_EXIT_USAGE;
        }
    }

  if (timeout <= 0 || timeout > 3600)
    {
      g_printerr (_("--timeout must be a number of seconds from 1 to 3600.\n"));
      return MS_CLI_EXIT_USAGE;
    }

  if (only != NULL)
    {
      if (g_str_equal (only, "imap"))
        check_smtp = FALSE;
      else if (g_str_equal (only, "smtp"))
        check_imap = FALSE;
      else
        {
          g_printerr (_("--only must be “imap” or “smtp”.\n"));
          return MS_CLI_EXIT_USAGE;
        }
    }

  address = ms_address_parse (argv[2], &error);
  if (address == NULL)
    {
      g_printerr (_("Not an e-mail address: %s\n"), error->message);
      return MS_CLI_EXIT_USAGE;
    }

  catalogue = ms_catalogue_new_default ();
  warn_problems (catalogue);

  if (provider_id != NULL)
    {
      provider = ms_catalogue_get_provider (catalogue, provider_id);
      if (provider == NULL)
        {
          g_printerr (_("Unknown provider “%s”; “mail-setup providers” lists them.\n"), provider_id);
          return MS_CLI_EXIT_USAGE;
        }
    }
  else if ((imap == NULL && check_imap) || (smtp == NULL && check_smtp))
    {
      /* A company domain hosted by Exmail & co. is found by its MX records,
       * others by autoconfig, SRV or a guess. */
      looked_up = run_lookup (catalogue, address, ca_file, FALSE, MIN (timeout, MS_LOOKUP_DEFAULT_TIMEOUT_S), &error);
      if (looked_up == NULL)
        {
          g_printerr ("%s\n", error->message);
          return MS_CLI_EXIT_USAGE;
        }
      provider = ms_lookup_result_get_provider (looked_up);
    }
  else
    provider = ms_catalogue_find_by_domain (catalogue, address->domain);

  /* Outlook.com & co. take no password at all, nor do servers whose
   * settings say OAuth 2.0 only: say so, try nothing. */
  if (imap == NULL && smtp == NULL &&
      (looked_up != NULL ? ms_lookup_result_get_note (looked_up) == MS_LOOKUP_NOTE_OAUTH_ONLY
                         : provider != NULL && ms_provider_get_oauth_only (provider)))
    return refuse_oauth_only (address, provider, looked_up, check_imap, check_smtp, json);

  verifier = ms_verifier_new (address, provider);

  {
    const char *specs[2] = { imap, smtp };
    const char *securities[2] = { imap_security, smtp_security };
    gboolean wanted[2] = { check_imap, check_smtp };

    for (MsProtocol protocol = MS_PROTOCOL_IMAP; protocol <= MS_PROTOCOL_SMTP; protocol++)
      {
        g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
        GPtrArray *known = NULL;
        const char *rule = NULL;
        MsServer *server;

        if (looked_up != NULL)
          {
            known = protocol == MS_PROTOCOL_IMAP ? ms_lookup_result_get_imap_servers (looked_up)
                                                 : ms_lookup_result_get_smtp_servers (looked_up);
            rule = known->len > 0 ? ((MsServer *)g_ptr_array_index (known, 0))->username : NULL;
            if (specs[protocol] == NULL && known->len > 0)
              ms_verifier_set_servers (verifier, protocol, known);
          }
        else if (provider != NULL)
          {
            known = protocol == MS_PROTOCOL_IMAP ? ms_provider_get_imap_servers (provider)
                                                 : ms_provider_get_smtp_servers (provider);
            rule = known->len > 0 ? ((MsServer *)g_ptr_array_index (known, 0))->username : NULL;
          }

        if (specs[protocol] == NULL)
          {
            if (securities[protocol] != NULL)
              {
                g_printerr (_("--%s-security needs --%s.\n"), ms_protocol_to_string (protocol),
                            ms_protocol_to_string (protocol));
                return MS_CLI_EXIT_USAGE;
              }
            if (wanted[protocol] && (known == NULL || known->len == 0))
              {
                g_autofree char *why = looked_up ? ms_lookup_result_dup_note_message (looked_up) : NULL;

                /* POP3 only, say, or IMAP without TLS only. */
                if (why != NULL)
                  g_printerr ("%s\n", why);
                g_printerr (_("No %s server is known for %s; give one with --%s=HOST[:PORT].\n"),
                            protocol == MS_PROTOCOL_IMAP ? "IMAP" : "SMTP", address->domain_unicode,
                            ms_protocol_to_string (protocol));
                return MS_CLI_EXIT_USAGE;
              }
            continue;
          }

        server = parse_server (protocol, specs[protocol], securities[protocol], rule, &error);
        if (server == NULL)
          {
            g_printerr ("%s\n", error->message);
            return MS_CLI_EXIT_USAGE;
          }
        g_ptr_array_add (servers, server);
        ms_verifier_set_servers (verifier, protocol, servers);
      }
  }

  ms_verifier_set_username (verifier, username);
  ms_verifier_set_timeout (verifier, timeout);
  if (!ms_verifier_set_ca_file (verifier, ca_file, &error))
    {
      g_printerr ("%s\n", error->message);
      return MS_CLI_EXIT_USAGE;
    }

  secret = read_password (&error);
  if (secret == NULL)
    {
      g_printerr ("%s\n", error->message);
      return MS_CLI_EXIT_USAGE;
    }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  ms_verifier_verify_async (verifier, check_imap, check_smtp, secret, NULL, verified_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);

  {
    const MsCheckResult *a = ms_verifier_get_result (verifier, MS_PROTOCOL_IMAP);
    const MsCheckResult *b = ms_verifier_get_result (verifier, MS_PROTOCOL_SMTP);

    verified = (a == NULL || a->ok) && (b == NULL || b->ok) && (a != NULL || b != NULL);
  }

  /* Only a password that worked is stored. */
  if (verified && store_flags != 0)
    {
      g_autoptr(MsAccountStore) account_store = ms_account_store_new (timeout);

      wait.done = FALSE;
      ms_account_store_save_async (account_store, verifier, secret, store_flags, NULL,
                                   store_saved_cb, &wait);
      while (!wait.done)
        g_main_context_iteration (context, TRUE);
      stored = ms_account_store_save_finish (account_store, wait.result, &stored_ok);
      g_clear_object (&wait.result);
    }
  g_clear_pointer (&secret, ms_secret_unref);
  g_main_context_pop_thread_default (context);

  /* A failed login is a result; an error here means no check was made. */
  if (wait.error != NULL && wait.error->domain != MS_ERROR)
    {
      g_printerr ("%s\n", wait.error->message);
      g_clear_error (&wait.error);
      return MS_CLI_EXIT_USAGE;
    }
  g_clear_error (&wait.error);

  if (json)
    {
      g_autoptr(GVariant) base = g_variant_ref_sink (ms_verifier_to_variant (verifier));
      GVariantBuilder builder;
      GVariantIter iter;
      const char *key;
      GVariant *value;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_iter_init (&iter, base);
      while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
        {
          g_variant_builder_add (&builder, "{sv}", key, value);
          g_variant_unref (value);
        }
      g_variant_builder_add (&builder, "{sv}", "stored",
                             stored ? g_variant_ref (stored) : g_variant_new ("aa{sv}", NULL));
      print_json (g_variant_builder_end (&builder));
    }
  else
    {
      print_side ("IMAP", ms_verifier_get_result (verifier, MS_PROTOCOL_IMAP));
      print_side ("SMTP", ms_verifier_get_result (verifier, MS_PROTOCOL_SMTP));
      if (stored != NULL)
        print_stored (stored);
    }

  return verified && stored_ok ? MS_CLI_EXIT_OK : MS_CLI_EXIT_FAILED;
}

static int
cmd_forget (int    argc,
            char **argv)
{
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsKeyring) keyring = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  VerifyWait wait = { FALSE, NULL, NULL };
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int removed;

  if (!parse_options (&commands[3], entries, &argc, &argv))
    return MS_CLI_EXIT_USAGE;

  if (argc != 3)
    {
      g_printerr (_("Usage: %s forget ADDRESS [--json]\n"), g_get_prgname ());
      return MS_CLI_EXIT_USAGE;
    }

  address = ms_address_parse (argv[2], &error);
  if (address == NULL)
    {
      g_printerr (_("Not an e-mail address: %s\n"), error->message);
      return MS_CLI_EXIT_USAGE;
    }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  keyring = ms_keyring_new (30);
  ms_keyring_forget_async (keyring, address, NULL, store_saved_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  removed = ms_keyring_forget_finish (keyring, wait.result, &error);
  g_clear_object (&wait.result);
  g_main_context_pop_thread_default (context);

  if (removed < 0)
    {
      g_printerr ("%s\n", error->message);
      return MS_CLI_EXIT_FAILED;
    }

  if (json)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "email", g_variant_new_string (address->email));
      g_variant_builder_add (&builder, "{sv}", "removed", g_variant_new_uint32 (removed));
      print_json (g_variant_builder_end (&builder));
    }
  else
    g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %d saved password for %s.\n",
                          "Removed %d saved passwords for %s.\n", removed),
             removed, address->email);

  return MS_CLI_EXIT_OK;
}

/**
 * ms_cli_handles:
 * @argc: the program's argc
 * @argv: the program's argv
 *
 * Returns: %TRUE if the first argument is a command (a word, not an
 *   option): then the command line runs instead of the application
 */
gboolean
ms_cli_handles (int    argc,
                char **argv)
{
  return argc > 1 && argv[1][0] != '-' && argv[1][0] != '\0';
}

int
ms_cli_run (int    argc,
            char **argv)
{
  g_return_val_if_fail (ms_cli_handles (argc, argv), MS_CLI_EXIT_USAGE);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].func (argc, argv);
    }

  g_printerr (_("Unknown command “%s”. Commands:\n"), argv[1]);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("  %-10s %-8s %s\n", commands[i].name,
                commands[i].args[0] ? _(commands[i].args) : "", _(commands[i].summary));

  return MS_CLI_EXIT_USAGE;
}
