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
#include <stdio.h>

#include "ms-address.h"
#include "ms-catalogue.h"
#include "ms-cli.h"
#include "ms-json.h"

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

static const Command commands[] = {
  { "providers", "", N_("List the providers Mail Setup knows"), cmd_providers },
  { "lookup", N_("ADDRESS"), N_("Find the server settings for an address"), cmd_lookup },
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

static int
cmd_lookup (int    argc,
            char **argv)
{
  g_autoptr(MsCatalogue) catalogue = NULL;
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  MsProvider *provider;

  if (!parse_options (&commands[1], entries, &argc, &argv))
    return MS_CLI_EXIT_USAGE;

  if (argc != 3)
    {
      g_printerr (_("Usage: %s lookup ADDRESS [--json]\n"), g_get_prgname ());
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
  result = ms_catalogue_lookup (catalogue, address);
  provider = ms_lookup_result_get_provider (result);

  if (json)
    print_json (ms_lookup_result_to_variant (result));
  else if (!ms_lookup_result_is_found (result))
    g_printerr (_("No settings known for %s.\n"), address->domain_unicode);
  else
    {
      if (provider != NULL)
        g_print ("%s (%s)\n", ms_provider_get_name (provider), ms_provider_get_id (provider));
      print_servers ("IMAP", ms_lookup_result_get_imap_servers (result), address);
      print_servers ("SMTP", ms_lookup_result_get_smtp_servers (result), address);
    }

  return ms_lookup_result_is_found (result) ? MS_CLI_EXIT_OK : MS_CLI_EXIT_FAILED;
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
