/* ispdb-fixtures.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "certtool.h"
#include "ispdb-fixtures.h"
#include "ms-client-config.h"

struct _IspdbServer
{
  SoupServer *server;
  GHashTable *fixtures;
  char       *dir;
  char       *ca_file;
  char       *url;
};

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

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  IspdbServer *self = user_data;
  const char *doc = NULL;

  if (g_str_has_prefix (path, "/v1.1/"))
    doc = g_hash_table_lookup (self->fixtures, path + strlen ("/v1.1/"));

  if (doc == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY, doc, strlen (doc));
}

/* Serves tests/ispdb/ at https://ispdb.test:PORT/v1.1/DOMAIN from this
 * thread's main context, with a certificate from an authority of its own
 * (ispdb_server_get_ca_file()). */
IspdbServer *
ispdb_server_new (void)
{
  static const char * const names[] = { "ispdb.test", NULL };
  IspdbServer *self = g_new0 (IspdbServer, 1);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->dir = g_dir_make_tmp ("ispdb-server-XXXXXX", &error);
  g_assert_no_error (error);
  self->ca_file = g_build_filename (self->dir, "ca.pem", NULL);
  self->fixtures = ispdb_fixtures_load ();
  certificate = certtool_make_web_certificate (self->dir, names);

  self->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->url = g_strdup_printf ("https://ispdb.test:%d/v1.1/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  return self;
}

/* The ISPDB's address, to which a domain is appended. */
const char *
ispdb_server_get_url (IspdbServer *self)
{
  return self->url;
}

/* The authority to trust for the server's certificate. */
const char *
ispdb_server_get_ca_file (IspdbServer *self)
{
  return self->ca_file;
}

void
ispdb_server_free (IspdbServer *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self == NULL)
    return;

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->fixtures, g_hash_table_unref);

  dir = g_dir_open (self->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (self->dir);

  g_free (self->dir);
  g_free (self->ca_file);
  g_free (self->url);
  g_free (self);
}
