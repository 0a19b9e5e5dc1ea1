/* lookup-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `mail-setup`'s command line, the very same code, with the network
 * lookups pointed at the test's own world: DNS answers from a key file
 * (MS_TEST_DNS, see fake-resolver.h), well-known ports moved to the test
 * servers' (MS_TEST_PORTS="443=40001,993=40002"), the ISPDB at a local
 * address (MS_TEST_ISPDB). Nothing leaves loopback: a name the file does
 * not list does not resolve.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "fake-resolver.h"
#include "ms-cli.h"
#include "ms-lookup-private.h"

static GHashTable *ports;
static const char *ispdb;

static void
setup_lookup (MsLookup *lookup)
{
  GHashTableIter iter;
  gpointer from, to;

  g_hash_table_iter_init (&iter, ports);
  while (g_hash_table_iter_next (&iter, &from, &to))
    ms_lookup_map_port (lookup, GPOINTER_TO_UINT (from), GPOINTER_TO_UINT (to));

  ms_lookup_set_ispdb_url (lookup, ispdb);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pairs = NULL;
  const char *dns = g_getenv ("MS_TEST_DNS");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("mail-setup");
  g_log_writer_default_set_use_stderr (TRUE);

  if (dns == NULL)
    {
      g_printerr ("lookup-cli: MS_TEST_DNS must name the fake DNS file\n");
      return 2;
    }

  resolver = G_RESOLVER (fake_resolver_new_from_file (dns, &error));
  if (resolver == NULL)
    {
      g_printerr ("lookup-cli: %s\n", error->message);
      return 2;
    }
  g_resolver_set_default (resolver);

  ports = g_hash_table_new (NULL, NULL);
  pairs = g_strsplit (g_getenv ("MS_TEST_PORTS") ? g_getenv ("MS_TEST_PORTS") : "", ",", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      guint64 from, to;
      g_auto(GStrv) pair = g_strsplit (pairs[i], "=", 2);

      if (pair[0] == NULL || pair[0][0] == '\0')
        continue;
      if (pair[1] == NULL ||
          !g_ascii_string_to_unsigned (pair[0], 10, 1, 65535, &from, NULL) ||
          !g_ascii_string_to_unsigned (pair[1], 10, 1, 65535, &to, NULL))
        {
          g_printerr ("lookup-cli: bad MS_TEST_PORTS entry “%s”\n", pairs[i]);
          return 2;
        }
      g_hash_table_insert (ports, GUINT_TO_POINTER (from), GUINT_TO_POINTER (to));
    }

  /* No ISPDB unless the test runs one: the real one is not on loopback. */
  ispdb = g_getenv ("MS_TEST_ISPDB");
  ms_lookup_set_setup_func (setup_lookup);

  if (!ms_cli_handles (argc, argv))
    {
      g_printerr ("lookup-cli: give a command, e.g. lookup ADDRESS\n");
      return 2;
    }

  return ms_cli_run (argc, argv);
}
