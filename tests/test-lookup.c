/* test-lookup.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MsLookup's own logic, in this process (test-lookup.py runs the command
 * line against real servers): the catalogue answers at once and offline;
 * the layers' order (MX, autoconfig, SRV) decides, not their speed: a
 * better layer that is slower is waited for, a worse one is not; the
 * deadline; cancellation, with answers still on their way; the cache in
 * memory and on disk, for "nothing found" and for plain-HTTP answers; a
 * malformed document is reported and the next layer answers; the MX
 * host's base domain; the ISPDB, with documents in its own format
 * (tests/ispdb/): host names made of %EMAILDOMAIN%; POP3 only and IMAP
 * without TLS only, which leave the search to the worse layers and say
 * why when they find nothing; servers that take OAuth 2.0 only.
 *
 * DNS is FakeResolver, installed as GIO's default resolver too, so that
 * libsoup reaches the test's web server (HTTPS with a test authority made
 * with certtool, and plain HTTP) by any name.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "certtool.h"
#include "fake-resolver.h"
#include "ispdb-fixtures.h"
#include "ms-lookup.h"

#define AUTOCONFIG_PATH "/mail/config-v1.1.xml"

/* How long the slow web answers take (the stalled ones wait for the test
 * to let them go). */
#define SLOW_MS  600

/* The deadline of the tests' lookups (see new_lookup()). */
#define LOOKUP_GUARD_S 60

static const char * const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };

/* Every name the web server answers for: they resolve to 127.0.0.1, and
 * its certificate is valid for them. */
static const char * const web_names[] = {
  "autoconfig.ac.test",
  "autoconfig.exmail-hosted.test",
  "autoconfig.mx-fast.test",
  "autoconfig.late-mx.test",
  "autoconfig.both.test",
  "autoconfig.known.test",
  "autoconfig.bad.test",
  "autoconfig.slow.test",
  "autoconfig.stalled.test",
  "autoconfig.hoster.test",
  "autoconfig.plain.test",
  "ispdb.test",
  NULL
};

/* The test's DNS records (fake-resolver.h's format); no other name has any. */
static const char dns_records[] =
  "[mx]\n"
  "exmail-hosted.test=10 mxbiz1.qq.com;20 mxbiz2.qq.com\n"
  "mx-fast.test=10 mxbiz1.qq.com\n"
  "late-mx.test=10 mxbiz1.qq.com\n"
  "customer.test=10 mx1.hoster.test\n"
  "hosted-by-emaildomain.test=10 mx1.emaildomain.test\n"
  "[srv]\n"
  "_imaps._tcp.srv.test=0 1 993 imap.srv.test\n"
  "_submissions._tcp.srv.test=0 1 465 smtp.srv.test\n"
  "_imaps._tcp.srv-known.test=0 1 993 imap.exmail.qq.com\n"
  "_imaps._tcp.both.test=0 1 993 imap.srv.test\n"
  "_imaps._tcp.bad.test=0 1 993 imap.srv.test\n"
  "_imaps._tcp.slow.test=0 1 993 imap.srv.test\n"
  "_imaps._tcp.late-mx.test=0 1 993 imap.srv.test\n"
  "_imaps._tcp.pop3only-srv.test=0 1 993 imap.srv.test\n";

typedef struct
{
  char         *dir;
  char         *ca_file;
  MsCatalogue  *catalogue;
  GResolver    *system_resolver;
  SoupServer   *server;
  guint16       https_port;
  guint16       http_port;
  char         *ispdb_url;
  GHashTable   *ispdb;             /* domain → document, from tests/ispdb/ */
  GPtrArray    *requests;          /* "SCHEME HOST PATH" of each request */
  GPtrArray    *held;              /* SoupServerMessage to be answered later */
  GCancellable *cancel_when_held;  /* cancelled 100 ms after a request is held */
  gint64        cancelled_at;
} TestEnv;

static TestEnv env;

/* Documents */

static char *
client_config (const char *imap_host,
               const char *smtp_host,
               const char *username)
{
  return g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<clientConfig version=\"1.1\">\n"
                          "  <emailProvider id=\"example.test\">\n"
                          "    <domain>example.test</domain>\n"
                          "    <displayName>Example</displayName>\n"
                          "    <incomingServer type=\"imap\">\n"
                          "      <hostname>%s</hostname><port>993</port><socketType>SSL</socketType>\n"
                          "      <username>%s</username><authentication>password-cleartext</authentication>\n"
                          "    </incomingServer>\n"
                          "    <outgoingServer type=\"smtp\">\n"
                          "      <hostname>%s</hostname><port>465</port><socketType>SSL</socketType>\n"
                          "      <username>%s</username><authentication>password-cleartext</authentication>\n"
                          "    </outgoingServer>\n"
                          "  </emailProvider>\n"
                          "</clientConfig>\n",
                          imap_host, username, smtp_host, username);
}

static const char malformed_doc[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"bad.test\">\n"
  "    <incomingServer type=\"imap\"><hostname>imap.bad.test</port>\n";

static char *
https_url (const char *host)
{
  return g_strdup_printf ("https://%s:%u%s", host, env.https_port, AUTOCONFIG_PATH);
}

static char *
http_url (const char *host)
{
  return g_strdup_printf ("http://%s:%u%s", host, env.http_port, AUTOCONFIG_PATH);
}

/* The web server */

static void
held_finished_cb (SoupServerMessage *msg,
                  gpointer           user_data)
{
  g_ptr_array_remove (env.held, msg);
}

static gboolean
release_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  if (g_ptr_array_remove (env.held, msg))
    {
      g_signal_handlers_disconnect_by_func (msg, held_finished_cb, NULL);
      soup_server_message_unpause (msg);
    }

  return G_SOURCE_REMOVE;
}

static gboolean
cancel_cb (gpointer user_data)
{
  env.cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Sends the answer already set, @delay_ms later; with 0, when the test
 * lets it go (release_held()). */
static void
answer_later (SoupServerMessage *msg,
              guint              delay_ms)
{
  g_ptr_array_add (env.held, msg);
  g_signal_connect (msg, "finished", G_CALLBACK (held_finished_cb), NULL);
  soup_server_message_pause (msg);
  if (delay_ms > 0)
    g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, release_cb, g_object_ref (msg), g_object_unref);

  if (env.cancel_when_held != NULL)
    {
      g_timeout_add_full (G_PRIORITY_DEFAULT, 100, cancel_cb,
                          g_steal_pointer (&env.cancel_when_held), g_object_unref);
    }
}

static void
reply (SoupServerMessage *msg,
       const char        *body)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY, body, strlen (body));
}

/* Answers by scheme, Host and path: what each name does is the test's
 * world. Anything else is a 404. */
static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);
  gboolean https = g_str_equal (scheme, "https");
  g_autofree char *doc = NULL;

  g_ptr_array_add (env.requests, g_strdup_printf ("%s %s %s", scheme, host, path));

  if (https && g_str_equal (host, "ispdb.test") && g_str_equal (path, "/v1.1/isp.test"))
    {
      doc = client_config ("imap.isp.test", "smtp.isp.test", "%EMAILADDRESS%");
      reply (msg, doc);
      return;
    }

  if (https && g_str_equal (host, "ispdb.test") && g_str_has_prefix (path, "/v1.1/") &&
      g_hash_table_contains (env.ispdb, path + strlen ("/v1.1/")))
    {
      reply (msg, g_hash_table_lookup (env.ispdb, path + strlen ("/v1.1/")));
      return;
    }

  if (!g_str_equal (path, AUTOCONFIG_PATH))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (!https)
    {
      /* Over plain HTTP, autoconfig.plain.test only (and only there). */
      if (g_str_equal (host, "autoconfig.plain.test"))
        doc = client_config ("imap.plain.test", "smtp.plain.test", "%EMAILADDRESS%");
    }
  else if (g_str_equal (host, "autoconfig.ac.test"))
    doc = client_config ("imap.ac.test", "smtp.ac.test", "%EMAILLOCALPART%");
  else if (g_str_equal (host, "autoconfig.exmail-hosted.test"))
    doc = client_config ("imap.exmail-hosted.test", "smtp.exmail-hosted.test", "%EMAILADDRESS%");
  else if (g_str_equal (host, "autoconfig.late-mx.test"))
    doc = client_config ("imap.late-mx.test", "smtp.late-mx.test", "%EMAILADDRESS%");
  else if (g_str_equal (host, "autoconfig.both.test"))
    doc = client_config ("imap.both.test", "smtp.both.test", "%EMAILADDRESS%");
  else if (g_str_equal (host, "autoconfig.known.test"))
    doc = client_config ("imap.exmail.qq.com", "smtp.exmail.qq.com", "%EMAILADDRESS%");
  else if (g_str_equal (host, "autoconfig.hoster.test"))
    doc = client_config ("imap.hoster.test", "smtp.hoster.test", "%EMAILADDRESS%");
  else if (g_str_equal (host, "autoconfig.bad.test"))
    doc = g_strdup (malformed_doc);
  else if (g_str_equal (host, "autoconfig.slow.test"))
    {
      doc = client_config ("imap.slow.test", "smtp.slow.test", "%EMAILADDRESS%");
      reply (msg, doc);
      answer_later (msg, SLOW_MS);
      return;
    }
  else if (g_str_equal (host, "autoconfig.mx-fast.test") ||
           g_str_equal (host, "autoconfig.stalled.test"))
    {
      doc = client_config ("imap.stalled.test", "smtp.stalled.test", "%EMAILADDRESS%");
      reply (msg, doc);
      answer_later (msg, 0);
      return;
    }

  if (doc != NULL)
    reply (msg, doc);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static guint16
listen_server (SoupServerListenOptions options)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint16 port = 0;

  soup_server_listen_local (env.server, 0, options | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  /* The listener just added is the last one. */
  uris = soup_server_get_uris (env.server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      gboolean https = g_str_equal (g_uri_get_scheme (l->data), "https");

      if (https == ((options & SOUP_SERVER_LISTEN_HTTPS) != 0))
        port = g_uri_get_port (l->data);
    }
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  g_assert_cmpuint (port, >, 0);

  return port;
}

/* Lets the server's held answers go out now, to whoever still listens. */
static void
release_held (void)
{
  while (env.held->len > 0)
    release_cb (g_ptr_array_index (env.held, 0));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
setup_env (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  env.dir = g_dir_make_tmp ("test-lookup-XXXXXX", &error);
  g_assert_no_error (error);
  env.ca_file = g_build_filename (env.dir, "ca.pem", NULL);
  env.requests = g_ptr_array_new_with_free_func (g_free);
  env.held = g_ptr_array_new ();
  env.system_resolver = g_resolver_get_default ();

  env.catalogue = ms_catalogue_new (english);
  ms_catalogue_load_builtin (env.catalogue);
  g_assert_cmpstrv (ms_catalogue_get_problems (env.catalogue), ((const char * const[]) { NULL }));

  certificate = certtool_make_web_certificate (env.dir, web_names);
  env.server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (env.server, NULL, handle_request, NULL, NULL);
  env.https_port = listen_server (SOUP_SERVER_LISTEN_HTTPS);
  env.http_port = listen_server (0);
  env.ispdb_url = g_strdup_printf ("https://ispdb.test:%u/v1.1/", env.https_port);
  env.ispdb = ispdb_fixtures_load ();
}

static void
teardown_env (void)
{
  release_held ();

  soup_server_disconnect (env.server);
  g_clear_object (&env.server);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_resolver_set_default (env.system_resolver);
  g_clear_object (&env.system_resolver);
  g_clear_object (&env.catalogue);
  g_clear_pointer (&env.requests, g_ptr_array_unref);
  g_clear_pointer (&env.held, g_ptr_array_unref);
  remove_tree (env.dir);
  g_clear_pointer (&env.dir, g_free);
  g_clear_pointer (&env.ca_file, g_free);
  g_clear_pointer (&env.ispdb_url, g_free);
  g_clear_pointer (&env.ispdb, g_hash_table_unref);
}

/* Fixture: a fresh resolver (its query counts start at zero) and a lookup
 * that uses it, trusts the test authority, reaches the web server for
 * ports 443 and 80, asks its ISPDB and has no disk cache (but see
 * cache_fixture_set_up()). */

typedef struct
{
  FakeResolver *resolver;
  MsLookup     *lookup;
  char         *cache_dir;   /* for the tests that want one */
} Fixture;

static FakeResolver *
new_resolver (void)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  FakeResolver *resolver = fake_resolver_new ();

  g_key_file_load_from_data (key_file, dns_records, -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  fake_resolver_load_key_file (resolver, key_file, &error);
  g_assert_no_error (error);
  for (guint i = 0; web_names[i] != NULL; i++)
    g_assert_true (fake_resolver_add_host (resolver, web_names[i], "127.0.0.1"));

  return resolver;
}

static MsLookup *
new_lookup (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  MsLookup *lookup = ms_lookup_new (env.catalogue);

  ms_lookup_set_resolver (lookup, G_RESOLVER (fixture->resolver));
  g_assert_true (ms_lookup_set_ca_file (lookup, env.ca_file, &error));
  g_assert_no_error (error);
  ms_lookup_map_port (lookup, 443, env.https_port);
  ms_lookup_map_port (lookup, 80, env.http_port);
  ms_lookup_set_ispdb_url (lookup, env.ispdb_url);
  ms_lookup_set_cache_directory (lookup, fixture->cache_dir);
  /* Only a guard against a hang: no test but the deadline's waits for it,
   * and the order of the layers must not depend on how fast the machine
   * is (a TLS handshake of the sanitizer build on a loaded machine takes
   * seconds). */
  ms_lookup_set_timeout (lookup, LOOKUP_GUARD_S);

  return lookup;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->resolver = new_resolver ();
  g_resolver_set_default (G_RESOLVER (fixture->resolver));
  g_ptr_array_set_size (env.requests, 0);
  fixture->lookup = new_lookup (fixture);
}

/* Lets everything still on its way finish. */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* Drops @lookup, which must then go away once its layers have stopped: no
 * task may keep it (or itself) alive. */
static void
release_lookup (MsLookup **lookup)
{
  /* Long enough for the sanitizers' slow TLS handshakes on a loaded
   * machine: only a guard against a hang. */
  gint64 end = g_get_monotonic_time () + LOOKUP_GUARD_S * G_USEC_PER_SEC;
  MsLookup *weak = *lookup;

  g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *)&weak);
  g_clear_object (lookup);
  while (weak != NULL && g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_null (weak);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  release_lookup (&fixture->lookup);
  release_held ();
  g_resolver_set_default (env.system_resolver);
  g_clear_object (&fixture->resolver);
  if (fixture->cache_dir != NULL)
    remove_tree (fixture->cache_dir);
  g_clear_pointer (&fixture->cache_dir, g_free);
}

/* A resolver whose MX records come @delay_ms late; everything else comes
 * from @inner as it answers. */

typedef struct
{
  GResolver  parent_instance;
  GResolver *inner;
  guint      mx_delay_ms;
} LateMxResolver;

typedef GResolverClass LateMxResolverClass;

static GType late_mx_resolver_get_type (void);
G_DEFINE_TYPE (LateMxResolver, late_mx_resolver, G_TYPE_RESOLVER)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LateMxResolver, g_object_unref)

static void
inner_records_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *records;

  records = g_resolver_lookup_records_finish (G_RESOLVER (object), result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, records, NULL);
}

static void
ask_inner (GTask *task)
{
  LateMxResolver *self = g_task_get_source_object (task);
  GResolverRecordType type = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "type"));

  g_resolver_lookup_records_async (self->inner, g_task_get_task_data (task), type,
                                   g_task_get_cancellable (task), inner_records_cb, task);
}

static gboolean
late_cb (gpointer user_data)
{
  ask_inner (user_data);
  return G_SOURCE_REMOVE;
}

static void
late_mx_lookup_records_async (GResolver           *resolver,
                              const char          *rrname,
                              GResolverRecordType  record_type,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  LateMxResolver *self = (LateMxResolver *)resolver;
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_task_data (task, g_strdup (rrname), g_free);
  g_object_set_data (G_OBJECT (task), "type", GINT_TO_POINTER (record_type));

  if (record_type == G_RESOLVER_RECORD_MX)
    g_timeout_add (self->mx_delay_ms, late_cb, task);
  else
    ask_inner (task);
}

static GList *
late_mx_lookup_records_finish (GResolver     *resolver,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
late_mx_resolver_finalize (GObject *object)
{
  g_clear_object (&((LateMxResolver *)object)->inner);

  G_OBJECT_CLASS (late_mx_resolver_parent_class)->finalize (object);
}

static void
late_mx_resolver_class_init (LateMxResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = late_mx_resolver_finalize;
  klass->lookup_records_async = late_mx_lookup_records_async;
  klass->lookup_records_finish = late_mx_lookup_records_finish;
}

static void
late_mx_resolver_init (LateMxResolver *self)
{
}

static GResolver *
late_mx_resolver_new (GResolver *inner,
                      guint      mx_delay_ms)
{
  LateMxResolver *self = g_object_new (late_mx_resolver_get_type (), NULL);

  self->inner = g_object_ref (inner);
  self->mx_delay_ms = mx_delay_ms;

  return G_RESOLVER (self);
}

/* Helpers */

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static MsAddress *
parse_address (const char *email)
{
  g_autoptr(GError) error = NULL;
  MsAddress *address = ms_address_parse (email, &error);

  g_assert_no_error (error);
  return address;
}

static MsLookupResult *
lookup_sync (MsLookup      *lookup,
             const char    *email,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(MsAddress) address = parse_address (email);
  g_autoptr(GAsyncResult) result = NULL;

  ms_lookup_lookup_async (lookup, address, cancellable, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ms_lookup_lookup_finish (lookup, result, error);
}

/* A lookup that must give an answer (found or not), with its problems in
 * the test's log. */
static MsLookupResult *
lookup_answer (MsLookup   *lookup,
               const char *email)
{
  g_autoptr(GError) error = NULL;
  MsLookupResult *result = lookup_sync (lookup, email, NULL, &error);
  const char * const *problems;

  g_assert_no_error (error);
  g_assert_nonnull (result);

  problems = ms_lookup_result_get_problems (result);
  g_test_message ("%s: %s, %s", email,
                  ms_lookup_source_to_string (ms_lookup_result_get_source (result)),
                  ms_lookup_result_get_detail (result));
  for (guint i = 0; problems[i] != NULL; i++)
    g_test_message ("  problem: %s", problems[i]);

  return result;
}

static MsLookupResult *
lookup_offline (MsLookup   *lookup,
                const char *email)
{
  g_autoptr(MsAddress) address = parse_address (email);

  return ms_lookup_lookup_offline (lookup, address);
}

static void
flush_sync (MsLookup *lookup)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ms_lookup_flush_async (lookup, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ms_lookup_flush_finish (lookup, result, &error));
  g_assert_no_error (error);
}

static void
assert_answer (MsLookupResult *result,
               MsLookupSource  source,
               const char     *provider_id,
               const char     *detail)
{
  MsProvider *provider = ms_lookup_result_get_provider (result);

  g_assert_cmpstr (ms_lookup_source_to_string (ms_lookup_result_get_source (result)), ==,
                   ms_lookup_source_to_string (source));
  g_assert_cmpstr (provider != NULL ? ms_provider_get_id (provider) : NULL, ==, provider_id);
  g_assert_cmpstr (ms_lookup_result_get_detail (result), ==, detail);
}

static void
assert_server (GPtrArray  *servers,
               const char *host,
               guint16     port)
{
  const MsServer *server;

  g_assert_cmpuint (servers->len, >, 0);
  server = g_ptr_array_index (servers, 0);
  g_assert_cmpstr (server->hostname, ==, host);
  g_assert_cmpuint (server->port, ==, port);
  g_assert_cmpint (server->security, ==, MS_SECURITY_SSL);
}

static void
assert_servers (MsLookupResult *result,
                const char     *imap_host,
                const char     *smtp_host)
{
  assert_server (ms_lookup_result_get_imap_servers (result), imap_host, 993);
  if (smtp_host != NULL)
    assert_server (ms_lookup_result_get_smtp_servers (result), smtp_host, 465);
  else
    g_assert_cmpuint (ms_lookup_result_get_smtp_servers (result)->len, ==, 0);
}

static void
assert_username (MsLookupResult *result,
                 const char     *username)
{
  g_autofree char *actual = ms_lookup_result_dup_username (result);

  g_assert_cmpstr (actual, ==, username);
}

static void
assert_no_problems (MsLookupResult *result)
{
  g_assert_cmpstrv (ms_lookup_result_get_problems (result), ((const char * const[]) { NULL }));
}

static gboolean
has_problem (MsLookupResult *result,
             const char     *problem)
{
  return g_strv_contains (ms_lookup_result_get_problems (result), problem);
}

/* Every name a lookup of @domain may ask the resolver about. */
static guint
count_queries (FakeResolver *resolver,
               const char   *domain)
{
  static const char * const prefixes[] = {
    "", "autoconfig.", "_imaps._tcp.", "_imap._tcp.", "_submissions._tcp.",
    "_submission._tcp.", "imap.", "mail.", "smtp.", NULL
  };
  guint n = fake_resolver_get_query_count (resolver, "ispdb.test");

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      g_autofree char *name = g_strconcat (prefixes[i], domain, NULL);

      n += fake_resolver_get_query_count (resolver, name);
    }

  return n;
}

static guint
count_requests (const char *scheme,
                const char *host,
                const char *path)
{
  g_autofree char *request = g_strdup_printf ("%s %s %s", scheme, host, path);
  guint n = 0;

  for (guint i = 0; i < env.requests->len; i++)
    n += g_str_equal (g_ptr_array_index (env.requests, i), request);

  return n;
}

static gboolean
was_requested (const char *scheme,
               const char *host,
               const char *path)
{
  return count_requests (scheme, host, path) > 0;
}

/* How many lookups of ac.test went to the network: each asks for its SRV
 * records and its autoconfig document once, at its start. (The other
 * layers' requests, which an answer stops on their way, may still land
 * after it: they cannot tell.) */
static guint
count_ac_test_lookups (FakeResolver *resolver)
{
  guint fetched = count_requests ("https", "autoconfig.ac.test", AUTOCONFIG_PATH);

  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "_imaps._tcp.ac.test"), ==, fetched);
  return fetched;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
}

static void
assert_note (MsLookupResult *result,
             MsLookupNote    note)
{
  g_autoptr(GVariant) variant = g_variant_ref_sink (ms_lookup_result_to_variant (result));
  const char *json_note = NULL;

  g_assert_cmpstr (ms_lookup_note_to_string (ms_lookup_result_get_note (result)), ==,
                   ms_lookup_note_to_string (note));
  /* `note` in the JSON, null when there is none. */
  g_assert_true (g_variant_lookup (variant, "note", "m&s", &json_note));
  g_assert_cmpstr (json_note, ==, ms_lookup_note_to_string (note));
}

/* 1. The catalogue */

static void
test_catalogue (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(MsAddress) address = parse_address ("zhang.wei@QQ.com");
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookupResult) offline = NULL;
  g_autoptr(GError) error = NULL;

  /* The answer is there without waiting for anything. */
  ms_lookup_lookup_async (fixture->lookup, address, NULL, got_result, &async_result);
  while (async_result == NULL && g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_nonnull (async_result);
  result = ms_lookup_lookup_finish (fixture->lookup, async_result, &error);
  g_assert_no_error (error);

  assert_answer (result, MS_LOOKUP_SOURCE_CATALOGUE, "qq", NULL);
  assert_servers (result, "imap.qq.com", "smtp.qq.com");
  assert_username (result, "zhang.wei@qq.com");
  assert_no_problems (result);

  offline = lookup_offline (fixture->lookup, "li@foxmail.com");
  assert_answer (offline, MS_LOOKUP_SOURCE_CATALOGUE, "qq", NULL);
  assert_username (offline, "li@foxmail.com");

  g_assert_cmpuint (count_queries (fixture->resolver, "qq.com"), ==, 0);
  g_assert_cmpuint (count_queries (fixture->resolver, "foxmail.com"), ==, 0);
  g_assert_cmpuint (env.requests->len, ==, 0);
}

/* 2. MX records */

static void
test_mx (Fixture       *fixture,
         gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookupResult) fast = NULL;

  /* autoconfig.exmail-hosted.test has a document too: MX is better. */
  result = lookup_answer (fixture->lookup, "zhang.wei@exmail-hosted.test");
  assert_answer (result, MS_LOOKUP_SOURCE_MX, "exmail", "mxbiz1.qq.com");
  assert_servers (result, "imap.exmail.qq.com", "smtp.exmail.qq.com");
  assert_username (result, "zhang.wei@exmail-hosted.test");
  assert_no_problems (result);
  g_assert_cmpuint (fake_resolver_get_query_count (fixture->resolver, "exmail-hosted.test"), >, 0);
  /* A provider's MX host: its own domain is not asked. */
  g_assert_cmpuint (fake_resolver_get_query_count (fixture->resolver, "autoconfig.qq.com"), ==, 0);

  /* Nor is a worse layer waited for: mx-fast.test's document is held
   * until the test ends, and the answer came before the deadline (which
   * would have said so). */
  fast = lookup_answer (fixture->lookup, "a@mx-fast.test");
  assert_answer (fast, MS_LOOKUP_SOURCE_MX, "exmail", "mxbiz1.qq.com");
  assert_no_problems (fast);
}

/* 3. Autoconfig and SRV */

static void
test_autoconfig_and_srv (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) both = NULL;
  g_autoptr(MsLookupResult) srv = NULL;
  g_autoptr(MsLookupResult) known = NULL;
  g_autoptr(MsLookupResult) srv_known = NULL;
  g_autofree char *both_url = https_url ("autoconfig.both.test");
  g_autofree char *known_url = https_url ("autoconfig.known.test");

  /* Both publish: autoconfig is better. */
  both = lookup_answer (fixture->lookup, "a@both.test");
  assert_answer (both, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, both_url);
  assert_servers (both, "imap.both.test", "smtp.both.test");
  assert_username (both, "a@both.test");
  assert_no_problems (both);

  /* No document: SRV. */
  srv = lookup_answer (fixture->lookup, "bob@srv.test");
  assert_answer (srv, MS_LOOKUP_SOURCE_SRV, NULL, "srv.test");
  assert_servers (srv, "imap.srv.test", "smtp.srv.test");
  assert_username (srv, "bob@srv.test");
  assert_no_problems (srv);
  g_assert_true (was_requested ("https", "ispdb.test", "/v1.1/srv.test"));

  /* A document (or SRV record) naming a catalogue provider's servers
   * gets the provider, from where it came. */
  known = lookup_answer (fixture->lookup, "a@known.test");
  assert_answer (known, MS_LOOKUP_SOURCE_AUTOCONFIG, "exmail", known_url);
  assert_servers (known, "imap.exmail.qq.com", "smtp.exmail.qq.com");
  assert_no_problems (known);

  srv_known = lookup_answer (fixture->lookup, "a@srv-known.test");
  assert_answer (srv_known, MS_LOOKUP_SOURCE_SRV, "exmail", "srv-known.test");
  assert_servers (srv_known, "imap.exmail.qq.com", NULL);
  assert_no_problems (srv_known);
}

/* 4. A better layer that is slower */

static void
test_slower_better_layer (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GResolver) late_dns = late_mx_resolver_new (G_RESOLVER (fixture->resolver), SLOW_MS);
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookupResult) late_mx = NULL;
  g_autofree char *url = https_url ("autoconfig.slow.test");
  gint64 start;

  /* The document comes SLOW_MS late, the SRV records at once. */
  start = g_get_monotonic_time ();
  result = lookup_answer (fixture->lookup, "a@slow.test");
  assert_answer (result, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_servers (result, "imap.slow.test", "smtp.slow.test");
  assert_no_problems (result);
  g_assert_cmpfloat (seconds_since (start), >=, SLOW_MS / 1000.0);

  /* The MX records come SLOW_MS late, the SRV records at once. */
  ms_lookup_set_resolver (fixture->lookup, late_dns);
  start = g_get_monotonic_time ();
  late_mx = lookup_answer (fixture->lookup, "a@late-mx.test");
  assert_answer (late_mx, MS_LOOKUP_SOURCE_MX, "exmail", "mxbiz1.qq.com");
  assert_no_problems (late_mx);
  g_assert_cmpfloat (seconds_since (start), >=, SLOW_MS / 1000.0);
  /* Asked of the fast resolver, which answered at once. */
  g_assert_cmpuint (fake_resolver_get_query_count (fixture->resolver, "_imaps._tcp.late-mx.test"), ==, 1);
}

/* 5. The deadline */

static void
test_deadline (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  const char * const *problems;
  gint64 start;
  double elapsed;

  /* No layer can answer before the resolver does. */
  fake_resolver_set_delay_ms (fixture->resolver, 10000);
  ms_lookup_set_timeout (fixture->lookup, 1);

  start = g_get_monotonic_time ();
  result = lookup_answer (fixture->lookup, "a@ac.test");
  elapsed = seconds_since (start);
  g_test_message ("answered after %.3f s", elapsed);
  /* Not early, and before any layer could answer (how late a timer fires
   * on a loaded machine is not for this test to say). */
  g_assert_cmpfloat (elapsed, >=, 0.95);
  g_assert_cmpfloat (elapsed, <, 10.0);

  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, ==, 0);
  g_assert_true (has_problem (result, "MX records: no answer within 1 s"));
  g_assert_true (has_problem (result, "SRV records: no answer within 1 s"));
  /* The web layers (that stop at the same deadline) say so too. */
  problems = ms_lookup_result_get_problems (result);
  for (guint i = 0; problems[i] != NULL; i++)
    g_assert_nonnull (strstr (problems[i], "no answer within"));

  /* A "nothing found" that came of the deadline is not remembered: the
   * next try asks again. */
  {
    g_autoptr(MsLookupResult) again = NULL;
    guint before = fake_resolver_get_query_count (fixture->resolver, "ac.test");

    fake_resolver_set_delay_ms (fixture->resolver, 0);
    again = lookup_answer (fixture->lookup, "b@ac.test");
    g_assert_cmpuint (fake_resolver_get_query_count (fixture->resolver, "ac.test"), >, before);
  }
}

/* 6. Cancellation */

/* Cancels 100 ms into the lookup, or 100 ms after the web server got a
 * request it holds. What the lookup waits for (the resolver's answers, the
 * held one) comes no sooner than its deadline: only the cancellation can
 * end it before. */
static void
assert_cancelled_promptly (MsLookup   *lookup,
                           const char *email,
                           gboolean    when_held)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  env.cancelled_at = 0;
  if (when_held)
    env.cancel_when_held = g_object_ref (cancellable);
  else
    g_timeout_add_full (G_PRIORITY_DEFAULT, 100, cancel_cb, g_object_ref (cancellable), g_object_unref);

  result = lookup_sync (lookup, email, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_cmpint (env.cancelled_at, >, 0);
  g_assert_cmpfloat (seconds_since (start), <, LOOKUP_GUARD_S);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookupResult) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = https_url ("autoconfig.ac.test");
  guint queries;

  /* While the DNS answers are on their way… */
  fake_resolver_set_delay_ms (fixture->resolver, LOOKUP_GUARD_S * 1000);
  assert_cancelled_promptly (fixture->lookup, "a@ac.test", FALSE);
  queries = count_queries (fixture->resolver, "ac.test");
  iterate_for (300);
  /* …what was on its way ends, and nothing more is asked. */
  g_assert_cmpuint (count_queries (fixture->resolver, "ac.test"), ==, queries);

  /* …and while the web server holds its answer, which goes out after. */
  fake_resolver_set_delay_ms (fixture->resolver, 0);
  assert_cancelled_promptly (fixture->lookup, "a@stalled.test", TRUE);
  queries = count_queries (fixture->resolver, "stalled.test");
  g_assert_cmpuint (env.held->len, ==, 1);
  release_held ();
  iterate_for (200);
  g_assert_cmpuint (count_queries (fixture->resolver, "stalled.test"), ==, queries);

  /* Cancelled before it starts. */
  g_cancellable_cancel (cancelled);
  result = lookup_sync (fixture->lookup, "a@both.test", cancelled, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);

  /* Nothing of the cancelled lookups was cached, and the lookup still
   * works. */
  after = lookup_offline (fixture->lookup, "a@ac.test");
  assert_answer (after, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_clear_object (&after);
  after = lookup_answer (fixture->lookup, "a@ac.test");
  assert_answer (after, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_servers (after, "imap.ac.test", "smtp.ac.test");
}

/* 7. The cache */

static void
test_cache_memory (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) first = NULL;
  g_autoptr(MsLookupResult) second = NULL;
  g_autoptr(MsLookupResult) offline = NULL;
  g_autoptr(MsLookupResult) before = NULL;
  g_autofree char *url = https_url ("autoconfig.ac.test");

  /* Offline knows nothing yet. */
  before = lookup_offline (fixture->lookup, "a@ac.test");
  assert_answer (before, MS_LOOKUP_SOURCE_NONE, NULL, NULL);

  first = lookup_answer (fixture->lookup, "alice@ac.test");
  assert_answer (first, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_username (first, "alice");
  g_assert_cmpuint (count_ac_test_lookups (fixture->resolver), ==, 1);

  /* Another address at the domain: its own login name, nothing asked. */
  second = lookup_answer (fixture->lookup, "bob@ac.test");
  assert_answer (second, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_servers (second, "imap.ac.test", "smtp.ac.test");
  assert_username (second, "bob");
  assert_no_problems (second);
  g_assert_cmpuint (count_ac_test_lookups (fixture->resolver), ==, 1);

  offline = lookup_offline (fixture->lookup, "carol@ac.test");
  assert_answer (offline, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_username (offline, "carol");
}

static void
test_cache_nothing_found (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  guint queries;

  result = lookup_answer (fixture->lookup, "a@nothing.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  assert_no_problems (result);
  queries = count_queries (fixture->resolver, "nothing.test");
  g_assert_cmpuint (queries, >, 0);

  /* "Nothing found" is remembered (in memory, for ten minutes). */
  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "b@nothing.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_cmpuint (count_queries (fixture->resolver, "nothing.test"), ==, queries);

  /* But it said nothing about plain HTTP: with it allowed the lookup asks
   * again, and what it finds then (nothing) is not remembered either. */
  ms_lookup_set_allow_http (fixture->lookup, TRUE);
  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "c@nothing.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_cmpuint (count_queries (fixture->resolver, "nothing.test"), >, queries);
  queries = count_queries (fixture->resolver, "nothing.test");

  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "d@nothing.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_cmpuint (count_queries (fixture->resolver, "nothing.test"), >, queries);
  queries = count_queries (fixture->resolver, "nothing.test");

  /* Without plain HTTP, the first answer is still the one remembered. */
  ms_lookup_set_allow_http (fixture->lookup, FALSE);
  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "e@nothing.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_cmpuint (count_queries (fixture->resolver, "nothing.test"), ==, queries);
}

static void
cache_fixture_set_up (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->cache_dir = g_dir_make_tmp ("test-lookup-cache-XXXXXX", &error);
  g_assert_no_error (error);
  fixture_set_up (fixture, user_data);
}

static void
test_cache_disk (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) first = NULL;
  g_autoptr(MsLookupResult) offline = NULL;
  g_autoptr(MsLookupResult) second = NULL;
  g_autoptr(MsLookup) next = NULL;
  g_autoptr(FakeResolver) next_resolver = new_resolver ();
  g_autofree char *url = https_url ("autoconfig.ac.test");
  g_autofree char *file = g_build_filename (fixture->cache_dir, "ac.test", NULL);

  first = lookup_answer (fixture->lookup, "alice@ac.test");
  assert_answer (first, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  flush_sync (fixture->lookup);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_ac_test_lookups (fixture->resolver), ==, 1);

  /* Another run: a new lookup, with a resolver that was never asked. */
  g_clear_object (&fixture->resolver);
  fixture->resolver = g_object_ref (next_resolver);
  g_resolver_set_default (G_RESOLVER (next_resolver));
  next = new_lookup (fixture);

  /* Offline is memory only… */
  offline = lookup_offline (next, "bob@ac.test");
  assert_answer (offline, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_clear_object (&offline);

  /* …the lookup reads the disk, and asks nobody. */
  second = lookup_answer (next, "bob@ac.test");
  assert_answer (second, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_servers (second, "imap.ac.test", "smtp.ac.test");
  assert_username (second, "bob");
  g_assert_cmpuint (count_queries (next_resolver, "ac.test"), ==, 0);
  g_assert_cmpuint (count_requests ("https", "autoconfig.ac.test", AUTOCONFIG_PATH), ==, 1);

  offline = lookup_offline (next, "carol@ac.test");
  assert_answer (offline, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_username (offline, "carol");

  release_lookup (&next);
}

/* A document fetched over plain HTTP, with the user's consent, must not
 * reach a lookup without it: neither from memory nor from the disk. */
static void
test_cache_plain_http (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookup) next = NULL;
  g_autofree char *url = http_url ("autoconfig.plain.test");
  g_autofree char *file = g_build_filename (fixture->cache_dir, "plain.test", NULL);
  guint queries;

  ms_lookup_set_allow_http (fixture->lookup, TRUE);
  result = lookup_answer (fixture->lookup, "a@plain.test");
  assert_answer (result, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_servers (result, "imap.plain.test", "smtp.plain.test");
  assert_no_problems (result);
  flush_sync (fixture->lookup);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));

  ms_lookup_set_allow_http (fixture->lookup, FALSE);
  g_clear_object (&result);
  result = lookup_offline (fixture->lookup, "b@plain.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);

  queries = count_queries (fixture->resolver, "plain.test");
  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "b@plain.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_cmpuint (count_queries (fixture->resolver, "plain.test"), >, queries);

  next = new_lookup (fixture);
  g_clear_object (&result);
  result = lookup_answer (next, "c@plain.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  release_lookup (&next);
}

/* 8. A malformed document */

static void
test_malformed (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autofree char *url = https_url ("autoconfig.bad.test");
  g_autofree char *prefix = g_strconcat ("autoconfig: ", url, NULL);
  const char * const *problems;

  result = lookup_answer (fixture->lookup, "a@bad.test");
  assert_answer (result, MS_LOOKUP_SOURCE_SRV, NULL, "bad.test");
  assert_servers (result, "imap.srv.test", NULL);

  problems = ms_lookup_result_get_problems (result);
  g_assert_cmpuint (g_strv_length ((GStrv)problems), ==, 1);
  g_assert_true (g_str_has_prefix (problems[0], prefix));
}

/* 9. The MX host's base domain */

static void
test_mx_base_domain (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autofree char *url = https_url ("autoconfig.hoster.test");

  result = lookup_answer (fixture->lookup, "a@customer.test");
  assert_answer (result, MS_LOOKUP_SOURCE_AUTOCONFIG, NULL, url);
  assert_servers (result, "imap.hoster.test", "smtp.hoster.test");
  assert_username (result, "a@customer.test");
  assert_no_problems (result);
  /* The domain's own ISPDB entry, a better layer, was asked first. */
  g_assert_true (was_requested ("https", "ispdb.test", "/v1.1/customer.test"));
}

/* 10. The ISPDB */

static void
test_ispdb (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookupResult) without = NULL;
  g_autofree char *url = g_strconcat (env.ispdb_url, "isp.test", NULL);

  result = lookup_answer (fixture->lookup, "a@isp.test");
  assert_answer (result, MS_LOOKUP_SOURCE_ISPDB, NULL, url);
  assert_servers (result, "imap.isp.test", "smtp.isp.test");
  assert_username (result, "a@isp.test");
  assert_no_problems (result);

  /* No ISPDB, no answer. */
  release_lookup (&fixture->lookup);
  fixture->lookup = new_lookup (fixture);
  ms_lookup_set_ispdb_url (fixture->lookup, NULL);
  g_ptr_array_set_size (env.requests, 0);
  without = lookup_answer (fixture->lookup, "a@isp.test");
  assert_answer (without, MS_LOOKUP_SOURCE_NONE, NULL, NULL);
  g_assert_false (was_requested ("https", "ispdb.test", "/v1.1/isp.test"));
}

/* 11. ISPDB entries in the ISPDB's own format */

static char *
ispdb_url (const char *domain)
{
  return g_strconcat (env.ispdb_url, domain, NULL);
}

/* mail.ee, inbox.lv and others name their servers after the address's
 * domain: `mail.%EMAILDOMAIN%`. */
static void
test_ispdb_emaildomain (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsAddress) address = parse_address ("Ann@emaildomain.test");
  g_autofree char *url = ispdb_url ("emaildomain.test");
  g_autofree char *smtp_user = NULL;

  result = lookup_answer (fixture->lookup, "Ann@emaildomain.test");
  assert_answer (result, MS_LOOKUP_SOURCE_ISPDB, NULL, url);
  assert_servers (result, "mail.emaildomain.test", "emaildomain.test");
  assert_no_problems (result);
  /* The login names' placeholders, as the ISPDB uses them. */
  assert_username (result, "Ann.emaildomain.test");
  smtp_user = ms_server_expand_username (g_ptr_array_index (ms_lookup_result_get_smtp_servers (result), 0),
                                         address);
  g_assert_cmpstr (smtp_user, ==, "Ann@emaildomain.test");

  /* The same entry serves its other domain, with that domain's hosts. */
  g_clear_object (&result);
  g_clear_pointer (&url, g_free);
  url = ispdb_url ("emaildomain-alias.test");
  result = lookup_answer (fixture->lookup, "bo@emaildomain-alias.test");
  assert_answer (result, MS_LOOKUP_SOURCE_ISPDB, NULL, url);
  assert_servers (result, "mail.emaildomain-alias.test", "emaildomain-alias.test");
  assert_username (result, "bo.emaildomain-alias.test");

  /* Found through the MX host's domain, the entry still stands for the
   * address's own domain, as in Thunderbird. */
  g_clear_object (&result);
  g_clear_pointer (&url, g_free);
  url = ispdb_url ("emaildomain.test");
  result = lookup_answer (fixture->lookup, "cy@hosted-by-emaildomain.test");
  assert_answer (result, MS_LOOKUP_SOURCE_ISPDB, NULL, url);
  assert_servers (result, "mail.hosted-by-emaildomain.test", "hosted-by-emaildomain.test");
}

/* A document that offers POP3 only is no answer: SRV and the guess are
 * asked, and answer if they can; if not, the lookup says why. Its SMTP
 * server alone is not kept: it would set up nothing. */
static void
test_ispdb_pop3_only (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autofree char *url = ispdb_url ("pop3only.test");
  g_autofree char *message = NULL;
  guint queries;

  result = lookup_answer (fixture->lookup, "a@pop3only.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, url);
  g_assert_false (ms_lookup_result_is_found (result));
  assert_note (result, MS_LOOKUP_NOTE_POP3_ONLY);
  g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, ==, 0);
  g_assert_cmpuint (ms_lookup_result_get_smtp_servers (result)->len, ==, 0);
  assert_no_problems (result);
  /* The guess had its turn: it asked for imap.pop3only.test. */
  g_assert_cmpuint (fake_resolver_get_query_count (fixture->resolver, "imap.pop3only.test"), >, 0);
  message = ms_lookup_result_dup_note_message (result);
  g_assert_nonnull (strstr (message, "pop3only.test"));
  g_assert_nonnull (strstr (message, "only POP3"));

  /* Remembered like any "nothing found", with its reason. (Every layer
   * had finished before it was given: nothing more is on its way.) */
  queries = count_queries (fixture->resolver, "pop3only.test");
  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "b@pop3only.test");
  assert_note (result, MS_LOOKUP_NOTE_POP3_ONLY);
  g_assert_cmpuint (count_queries (fixture->resolver, "pop3only.test"), ==, queries);

  /* The same entry, for a domain with SRV records: they answer. */
  g_clear_object (&result);
  result = lookup_answer (fixture->lookup, "a@pop3only-srv.test");
  assert_answer (result, MS_LOOKUP_SOURCE_SRV, NULL, "pop3only-srv.test");
  assert_servers (result, "imap.srv.test", NULL);
  assert_note (result, MS_LOOKUP_NOTE_NONE);
}

/* peoplepc.com's shape: IMAP and POP3 on port 143 and 110, plain text. */
static void
test_ispdb_plain_imap_only (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autofree char *url = ispdb_url ("plainimap.test");
  g_autofree char *message = NULL;

  result = lookup_answer (fixture->lookup, "a@plainimap.test");
  assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL, url);
  assert_note (result, MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY);
  g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, ==, 0);
  g_assert_cmpuint (ms_lookup_result_get_smtp_servers (result)->len, ==, 0);
  g_assert_cmpuint (fake_resolver_get_query_count (fixture->resolver, "imap.plainimap.test"), >, 0);
  message = ms_lookup_result_dup_note_message (result);
  g_assert_nonnull (strstr (message, "without encryption"));
}

/* office365.com's shape: every server takes OAuth2 only. Like the
 * catalogue's Outlook entry, the servers are named and the answer says no
 * password works; nothing else is asked for another. */
static void
test_ispdb_oauth_only (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autoptr(MsLookupResult) outlook = NULL;
  g_autofree char *url = ispdb_url ("oauthonly.test");
  g_autofree char *message = NULL;
  const MsServer *smtp;

  result = lookup_answer (fixture->lookup, "a@oauthonly.test");
  assert_answer (result, MS_LOOKUP_SOURCE_ISPDB, NULL, url);
  assert_note (result, MS_LOOKUP_NOTE_OAUTH_ONLY);
  g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, ==, 1);
  assert_server (ms_lookup_result_get_imap_servers (result), "outlook.oauthonly.test", 993);
  g_assert_cmpuint (ms_lookup_result_get_smtp_servers (result)->len, ==, 1);
  smtp = g_ptr_array_index (ms_lookup_result_get_smtp_servers (result), 0);
  g_assert_cmpstr (smtp->hostname, ==, "smtp.oauthonly.test");
  g_assert_cmpuint (smtp->port, ==, 587);
  g_assert_cmpint (smtp->security, ==, MS_SECURITY_STARTTLS);
  message = ms_lookup_result_dup_note_message (result);
  g_assert_nonnull (strstr (message, "takes no password"));

  /* What the catalogue's OAuth-only provider says, through its MX or its
   * domain. */
  outlook = lookup_answer (fixture->lookup, "a@outlook.com");
  assert_answer (outlook, MS_LOOKUP_SOURCE_CATALOGUE, "outlook", NULL);
  assert_note (outlook, MS_LOOKUP_NOTE_OAUTH_ONLY);
}

/* Servers with OAuth2 only beside servers that also take a password: the
 * latter are offered, the former not at all. */
static void
test_ispdb_mixed (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(MsLookupResult) result = NULL;
  g_autofree char *url = ispdb_url ("mixed.test");

  result = lookup_answer (fixture->lookup, "a@mixed.test");
  assert_answer (result, MS_LOOKUP_SOURCE_ISPDB, NULL, url);
  assert_note (result, MS_LOOKUP_NOTE_NONE);
  assert_servers (result, "imap.mixed.test", "smtp.mixed.test");
  g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, ==, 1);
  g_assert_cmpuint (ms_lookup_result_get_smtp_servers (result)->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_printerr ("No TLS support in GIO: install glib-networking\n");
      return 1;
    }

  setup_env ();

#define ADD(path, func) \
  g_test_add ("/lookup/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_CACHE(path, func) \
  g_test_add ("/lookup/" path, Fixture, NULL, cache_fixture_set_up, func, fixture_tear_down)

  ADD ("catalogue", test_catalogue);
  ADD ("mx", test_mx);
  ADD ("autoconfig-and-srv", test_autoconfig_and_srv);
  ADD ("slower-better-layer", test_slower_better_layer);
  ADD ("deadline", test_deadline);
  ADD ("cancel", test_cancel);
  ADD ("cache/memory", test_cache_memory);
  ADD ("cache/nothing-found", test_cache_nothing_found);
  ADD_CACHE ("cache/disk", test_cache_disk);
  ADD_CACHE ("cache/plain-http", test_cache_plain_http);
  ADD ("malformed", test_malformed);
  ADD ("mx-base-domain", test_mx_base_domain);
  ADD ("ispdb", test_ispdb);
  ADD ("ispdb/emaildomain", test_ispdb_emaildomain);
  ADD ("ispdb/pop3-only", test_ispdb_pop3_only);
  ADD ("ispdb/plain-imap-only", test_ispdb_plain_imap_only);
  ADD ("ispdb/oauth-only", test_ispdb_oauth_only);
  ADD ("ispdb/mixed", test_ispdb_mixed);

#undef ADD
#undef ADD_CACHE

  ret = g_test_run ();

  teardown_env ();

  return ret;
}
