/* ispdb-fixtures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ispdb-fixtures.h"
#include "ms-client-config.h"

/* The contents of tests/ispdb/@name; a missing file ends the test. */
char *
ispdb_fixture_read (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "ispdb", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* Every fixture, by each `<domain>` it names (as the ISPDB serves an entry
 * for each of its domains): domain → contents. */
GHashTable *
ispdb_fixtures_load (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "ispdb", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *fixtures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *contents = NULL;
      g_autoptr(MsProvider) document = NULL;
      const char * const *domains;

      if (!g_str_has_suffix (name, ".xml"))
        continue;

      contents = ispdb_fixture_read (name);
      document = ms_client_config_parse (contents, -1, name, MS_CLIENT_CONFIG_NONE, NULL, &error);
      g_assert_no_error (error);

      domains = ms_provider_get_domains (document);
      g_assert_nonnull (domains[0]);
      for (guint i = 0; domains[i] != NULL; i++)
        g_hash_table_insert (fixtures, g_strdup (domains[i]), g_strdup (contents));
    }

  g_assert_cmpuint (g_hash_table_size (fixtures), >, 0);
  return fixtures;
}
