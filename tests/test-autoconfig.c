/* test-autoconfig.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The autoconfig fetcher against web servers in this process: HTTPS with a
 * test certificate authority made with certtool, plain HTTP, and servers
 * that misbehave (errors, huge and slow answers, redirect loops, bad
 * certificates, documents with bad host names).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "certtool.h"
#include "ms-autoconfig-fetcher.h"

#define HUGE_SIZE (50 * 1024 * 1024)
#define HUGE_CHUNK (64 * 1024)

/* The fetchers' deadline (see new_fetcher()). */
#define FETCH_GUARD_MS 60000

typedef struct
{
  char              *dir;
  char              *ca_file;
  char              *other_ca_file;
  MsTlsTrust        *trust;          /* the system's and ca_file */
  SoupServer        *https;          /* good certificate */
  SoupServer        *http;
  SoupServer        *wrong_name;     /* our CA, for other.example.test only */
  SoupServer        *expired;        /* our CA, expired */
  SoupServer        *rogue;          /* another CA, right names */
  GSocketListener   *silent;         /* accepts TCP, never says a word */
  guint16            https_port;
  guint16            http_port;
  guint16            wrong_name_port;
  guint16            expired_port;
  guint16            rogue_port;
  guint16            silent_port;
  GPtrArray         *paused;         /* SoupServerMessage not answered yet */
  char              *last_user_agent;
  char              *last_cookie;
  char              *last_authorization;
  guint              n_requests;
  guint              huge_sent;      /* by the last huge answer, when it ended */
  gboolean           huge_finished;
} TestEnv;

static TestEnv env;

static const char found_doc[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"evil\">\n"
  "    <domain>example.test</domain>\n"
  "    <displayName>Trust me, I am your bank</displayName>\n"
  "    <incomingServer type=\"imap\">\n"
  "      <hostname>IMAP.Example.TEST</hostname>\n"
  "      <port>993</port>\n"
  "      <socketType>SSL</socketType>\n"
  "      <username>%EMAILADDRESS%</username>\n"
  "      <authentication>password-cleartext</authentication>\n"
  "    </incomingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.example.test</hostname>\n"
  "      <port>465</port>\n"
  "      <socketType>SSL</socketType>\n"
  "      <username>%EMAILADDRESS%</username>\n"
  "      <authentication>password-cleartext</authentication>\n"
  "    </outgoingServer>\n"
  "    <documentation url=\"http://example.test/help\"><descr lang=\"en\">Help</descr></documentation>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

/* Only servers the parser skips: POP3, and IMAP without TLS. */
static const char no_imap_doc[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"example.test\">\n"
  "    <domain>example.test</domain>\n"
  "    <displayName>Example</displayName>\n"
  "    <incomingServer type=\"pop3\"><hostname>pop.example.test</hostname><port>995</port><socketType>SSL</socketType></incomingServer>\n"
  "    <incomingServer type=\"imap\"><hostname>imap.example.test</hostname><port>143</port><socketType>plain</socketType></incomingServer>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

/* Nothing Mail Setup can use or speak of: Exchange, SMTP without TLS. */
static const char no_servers_doc[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"example.test\">\n"
  "    <domain>example.test</domain>\n"
  "    <displayName>Example</displayName>\n"
  "    <incomingServer type=\"exchange\"><hostname>ex.example.test</hostname><port>443</port><socketType>SSL</socketType></incomingServer>\n"
  "    <outgoingServer type=\"smtp\"><hostname>smtp.example.test</hostname><port>25</port><socketType>plain</socketType></outgoingServer>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static const char malformed_doc[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"example.test\">\n"
  "    <incomingServer type=\"imap\"><hostname>imap.example.test</port>\n";

static char *
doc_with_imap_host (const char *hostname)
{
  return g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                          "<clientConfig version=\"1.1\">\n"
                          "  <emailProvider id=\"example.test\">\n"
                          "    <domain>example.test</domain>\n"
                          "    <displayName>Example</displayName>\n"
                          "    <incomingServer type=\"imap\"><hostname>%s</hostname><port>993</port><socketType>SSL</socketType></incomingServer>\n"
                          "    <outgoingServer type=\"smtp\"><hostname>smtp.example.test</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>\n"
                          "  </emailProvider>\n"
                          "</clientConfig>\n",
                          hostname);
}

/* Certificates */

static void
write_file (const char *name,
            const char *contents)
{
  certtool_write_file (env.dir, name, contents);
}

static void
run_certtool (const char * const *args)
{
  certtool_run (env.dir, args);
}

static void
make_key (const char *name)
{
  run_certtool ((const char * const[]) { "--generate-privkey", "--key-type=ecdsa",
                                         "--outfile", name, NULL });
}

static void
make_ca (const char *name)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *tmpl = g_strconcat (name, ".tmpl", NULL);
  g_autofree char *contents = g_strdup_printf ("cn = \"Mail Setup %s\"\n"
                                               "organization = \"Mail Setup tests\"\n"
                                               "serial = 1\n"
                                               "expiration_days = 2\n"
                                               "ca\n"
                                               "cert_signing_key\n",
                                               name);

  write_file (tmpl, contents);
  make_key (key);
  run_certtool ((const char * const[]) { "--generate-self-signed", "--load-privkey", key,
                                         "--template", tmpl, "--outfile", pem, NULL });
}

static GTlsCertificate *
make_server_certificate (const char *name,
                         const char *ca,
                         const char *names_and_dates)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *tmpl = g_strconcat (name, ".tmpl", NULL);
  g_autofree char *ca_key = g_strconcat (ca, ".key", NULL);
  g_autofree char *ca_pem = g_strconcat (ca, ".pem", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *pem_path = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  contents = g_strdup_printf ("organization = \"Mail Setup tests\"\n"
                              "serial = 2\n"
                              "tls_www_server\n"
                              "signing_key\n"
                              "encryption_key\n"
                              "%s",
                              names_and_dates);
  write_file (tmpl, contents);
  make_key (key);
  run_certtool ((const char * const[]) { "--generate-certificate", "--load-privkey", key,
                                         "--load-ca-certificate", ca_pem,
                                         "--load-ca-privkey", ca_key,
                                         "--template", tmpl, "--outfile", pem, NULL });

  pem_path = g_build_filename (env.dir, pem, NULL);
  key_path = g_build_filename (env.dir, key, NULL);
  certificate = g_tls_certificate_new_from_files (pem_path, key_path, &error);
  g_assert_no_error (error);

  return certificate;
}

/* The servers */

static void
message_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  g_ptr_array_remove (env.paused, msg);
}

static void
hold (SoupServerMessage *msg)
{
  g_ptr_array_add (env.paused, msg);
  g_signal_connect (msg, "finished", G_CALLBACK (message_finished_cb), NULL);
  soup_server_message_pause (msg);
}

static char huge_chunk[HUGE_CHUNK];

static void
write_huge_chunk (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  guint sent = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "sent"));

  if (sent >= HUGE_SIZE)
    {
      soup_message_body_complete (body);
      return;
    }

  soup_message_body_append (body, SOUP_MEMORY_STATIC, huge_chunk, HUGE_CHUNK);
  g_object_set_data (G_OBJECT (msg), "sent", GUINT_TO_POINTER (sent + HUGE_CHUNK));
}

static void
huge_finished_cb (SoupServerMessage *msg,
                  gpointer           user_data)
{
  env.huge_sent = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "sent"));
  env.huge_finished = TRUE;
}

static void
send_huge (SoupServerMessage *msg,
           gboolean           chunked)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  env.huge_finished = FALSE;
  g_signal_connect (msg, "finished", G_CALLBACK (huge_finished_cb), NULL);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/xml", NULL);
  if (chunked)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  else
    soup_message_headers_set_content_length (headers, HUGE_SIZE);

  /* One chunk at a time, never the whole answer in memory. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (write_huge_chunk), NULL);
  write_huge_chunk (msg);
}

static void
redirect (SoupServerMessage *msg,
          const char        *location)
{
  soup_server_message_set_status (msg, SOUP_STATUS_FOUND, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Location", location);
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);

  env.n_requests++;
  g_free (env.last_user_agent);
  env.last_user_agent = g_strdup (soup_message_headers_get_one (request, "User-Agent"));
  g_free (env.last_cookie);
  env.last_cookie = g_strdup (soup_message_headers_get_one (request, "Cookie"));
  g_free (env.last_authorization);
  env.last_authorization = g_strdup (soup_message_headers_get_one (request, "Authorization"));

  if (g_str_equal (path, "/found"))
    {
      reply (msg, SOUP_STATUS_OK, found_doc);
      soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                   "Set-Cookie", "session=secret; Path=/");
    }
  else if (g_str_equal (path, "/missing"))
    reply (msg, SOUP_STATUS_NOT_FOUND, "<html>nothing</html>");
  else if (g_str_equal (path, "/gone"))
    reply (msg, SOUP_STATUS_GONE, NULL);
  else if (g_str_equal (path, "/error"))
    reply (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "<html>oops</html>");
  else if (g_str_equal (path, "/auth"))
    {
      reply (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Basic realm=\"mail\"");
    }
  else if (g_str_equal (path, "/malformed"))
    reply (msg, SOUP_STATUS_OK, malformed_doc);
  else if (g_str_equal (path, "/no-servers"))
    reply (msg, SOUP_STATUS_OK, no_servers_doc);
  else if (g_str_equal (path, "/no-imap"))
    reply (msg, SOUP_STATUS_OK, no_imap_doc);
  else if (g_str_equal (path, "/space-host"))
    {
      g_autofree char *doc = doc_with_imap_host ("imap.exa mple.test");
      reply (msg, SOUP_STATUS_OK, doc);
    }
  else if (g_str_equal (path, "/long-host"))
    {
      g_autoptr(GString) host = g_string_new (NULL);
      g_autofree char *doc = NULL;

      /* Labels of a valid length, 300 characters in all. */
      while (host->len < 300)
        g_string_append (host, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
      g_string_truncate (host, 296);
      g_string_append (host, ".com");
      doc = doc_with_imap_host (host->str);
      reply (msg, SOUP_STATUS_OK, doc);
    }
  else if (g_str_equal (path, "/placeholder-host"))
    {
      g_autofree char *doc = doc_with_imap_host ("imap.%EMAILDOMAIN%");
      reply (msg, SOUP_STATUS_OK, doc);
    }
  else if (g_str_equal (path, "/local-part-host"))
    {
      g_autofree char *doc = doc_with_imap_host ("%EMAILLOCALPART%.imap.example.test");
      reply (msg, SOUP_STATUS_OK, doc);
    }
  else if (g_str_equal (path, "/ip-host"))
    {
      g_autofree char *doc = doc_with_imap_host ("192.0.2.7");
      reply (msg, SOUP_STATUS_OK, doc);
    }
  else if (g_str_equal (path, "/huge-chunked"))
    send_huge (msg, TRUE);
  else if (g_str_equal (path, "/huge-length"))
    send_huge (msg, FALSE);
  else if (g_str_equal (path, "/slow-headers"))
    {
      reply (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      hold (msg);
    }
  else if (g_str_equal (path, "/slow-body"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_append (soup_server_message_get_response_body (msg),
                                SOUP_MEMORY_STATIC, found_doc, 100);
      /* Paused once the first chunk is out; unpausing it completes. */
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (hold), NULL);
    }
  else if (g_str_equal (path, "/redirect-https"))
    {
      g_autofree char *location = g_strdup_printf ("https://localhost:%u/found", env.https_port);
      redirect (msg, location);
    }
  else if (g_str_equal (path, "/redirect-big"))
    {
      /* A body too long to read before following: dropped. */
      redirect (msg, "/found");
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        huge_chunk, sizeof huge_chunk);
    }
  else if (g_str_equal (path, "/redirect-relative"))
    redirect (msg, "found?from=relative");
  else if (g_str_equal (path, "/redirect-http"))
    {
      g_autofree char *location = g_strdup_printf ("http://127.0.0.1:%u/found", env.http_port);
      redirect (msg, location);
    }
  else if (g_str_equal (path, "/redirect-to-https"))
    {
      g_autofree char *location = g_strdup_printf ("https://127.0.0.1:%u/found", env.https_port);
      redirect (msg, location);
    }
  else if (g_str_equal (path, "/redirect-bad"))
    redirect (msg, "ftp://127.0.0.1/found");
  else if (g_str_equal (path, "/redirect-nowhere"))
    redirect (msg, "https://:443/found");
  else if (g_str_equal (path, "/redirect-empty"))
    soup_server_message_set_status (msg, SOUP_STATUS_MOVED_PERMANENTLY, NULL);
  else if (g_str_equal (path, "/loop"))
    redirect (msg, "/loop");
  else if (g_str_has_prefix (path, "/hops/"))
    {
      guint64 n = g_ascii_strtoull (path + strlen ("/hops/"), NULL, 10);
      g_autofree char *location = n > 1 ? g_strdup_printf ("/hops/%u", (guint)n - 1)
                                        : g_strdup ("/found");
      redirect (msg, location);
    }
  else
    reply (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static guint16
listen_server (SoupServer          *server,
               SoupServerListenOptions options)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  guint16 port;

  soup_server_add_handler (server, NULL, handle_request, NULL, NULL);
  soup_server_listen_local (server, 0, options | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);

  return port;
}

static SoupServer *
new_https_server (GTlsCertificate *certificate,
                  guint16         *port)
{
  SoupServer *server = soup_server_new ("tls-certificate", certificate, NULL);

  *port = listen_server (server, SOUP_SERVER_LISTEN_HTTPS);
  return server;
}

static void
setup_env (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) good = NULL;
  g_autoptr(GTlsCertificate) wrong_name = NULL;
  g_autoptr(GTlsCertificate) expired = NULL;
  g_autoptr(GTlsCertificate) rogue = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  env.dir = g_dir_make_tmp ("test-autoconfig-XXXXXX", &error);
  g_assert_no_error (error);
  env.paused = g_ptr_array_new ();
  memset (huge_chunk, 'x', sizeof huge_chunk);

  make_ca ("ca");
  make_ca ("other-ca");
  env.ca_file = g_build_filename (env.dir, "ca.pem", NULL);
  env.other_ca_file = g_build_filename (env.dir, "other-ca.pem", NULL);
  env.trust = ms_tls_trust_new (env.ca_file, &error);
  g_assert_no_error (error);

  good = make_server_certificate ("server", "ca",
                                  "cn = \"localhost\"\n"
                                  "expiration_days = 2\n"
                                  "dns_name = \"localhost\"\n"
                                  "dns_name = \"autoconfig.example.test\"\n"
                                  "ip_address = \"127.0.0.1\"\n");
  wrong_name = make_server_certificate ("wrong-name", "ca",
                                        "cn = \"other.example.test\"\n"
                                        "expiration_days = 2\n"
                                        "dns_name = \"other.example.test\"\n");
  expired = make_server_certificate ("expired", "ca",
                                     "cn = \"localhost\"\n"
                                     "activation_date = \"2020-01-01 00:00:00 UTC\"\n"
                                     "expiration_date = \"2020-02-01 00:00:00 UTC\"\n"
                                     "dns_name = \"localhost\"\n"
                                     "ip_address = \"127.0.0.1\"\n");
  rogue = make_server_certificate ("rogue", "other-ca",
                                   "cn = \"localhost\"\n"
                                   "expiration_days = 2\n"
                                   "dns_name = \"localhost\"\n"
                                   "ip_address = \"127.0.0.1\"\n");

  env.https = new_https_server (good, &env.https_port);
  env.wrong_name = new_https_server (wrong_name, &env.wrong_name_port);
  env.expired = new_https_server (expired, &env.expired_port);
  env.rogue = new_https_server (rogue, &env.rogue_port);
  env.http = soup_server_new (NULL, NULL);
  env.http_port = listen_server (env.http, 0);

  /* The kernel completes the TCP handshake; the TLS one never comes. */
  env.silent = g_socket_listener_new ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_listener_add_address (env.silent, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  env.silent_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
teardown_env (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_cmpuint (env.paused->len, ==, 0);
  g_clear_pointer (&env.paused, g_ptr_array_unref);

  soup_server_disconnect (env.https);
  soup_server_disconnect (env.http);
  soup_server_disconnect (env.wrong_name);
  soup_server_disconnect (env.expired);
  soup_server_disconnect (env.rogue);
  g_clear_object (&env.https);
  g_clear_object (&env.http);
  g_clear_object (&env.wrong_name);
  g_clear_object (&env.expired);
  g_clear_object (&env.rogue);
  g_socket_listener_close (env.silent);
  g_clear_object (&env.silent);

  while (g_main_context_iteration (NULL, FALSE))
    ;

  dir = g_dir_open (env.dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (env.dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (env.dir);

  g_clear_pointer (&env.dir, g_free);
  g_clear_pointer (&env.ca_file, g_free);
  g_clear_pointer (&env.other_ca_file, g_free);
  g_clear_pointer (&env.trust, ms_tls_trust_unref);
  g_clear_pointer (&env.last_user_agent, g_free);
  g_clear_pointer (&env.last_cookie, g_free);
  g_clear_pointer (&env.last_authorization, g_free);
}

/* Answers what the servers still hold, and lets them finish. */
static void
release_paused (void)
{
  gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (env.paused->len > 0)
    {
      SoupServerMessage *msg = g_ptr_array_steal_index (env.paused, 0);

      g_signal_handlers_disconnect_by_func (msg, message_finished_cb, NULL);
      g_signal_handlers_disconnect_by_func (msg, hold, NULL);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_unpause (msg);
    }

  /* Let the servers notice the closed connections. */
  while (g_get_monotonic_time () < end && g_main_context_iteration (NULL, FALSE))
    ;
}

/* Helpers */

static char *
https_url (guint16     port,
           const char *path)
{
  return g_strdup_printf ("https://127.0.0.1:%u%s", port, path);
}

/* A fetcher that trusts the test authority. The trust is shared: loading
 * the system's authorities for each test takes long under the sanitizers.
 * Its deadline only guards against a hang (the first TLS connection loads
 * GIO's authorities on the main thread, seconds with the sanitizers on a
 * busy machine); the deadline's own test sets a short one. */
static MsAutoconfigFetcher *
new_fetcher (void)
{
  MsAutoconfigFetcher *fetcher = ms_autoconfig_fetcher_new ();

  ms_autoconfig_fetcher_set_trust (fetcher, env.trust);
  ms_autoconfig_fetcher_set_timeout_ms (fetcher, FETCH_GUARD_MS);

  return fetcher;
}

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/* @email_domain: what %EMAILDOMAIN% in a host name stands for, or %NULL */
static MsProvider *
fetch_sync_for (MsAutoconfigFetcher  *fetcher,
                const char           *url,
                const char           *email_domain,
                GCancellable         *cancellable,
                GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  MsProvider *provider;

  ms_autoconfig_fetcher_fetch_async (fetcher, url, email_domain, cancellable, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  provider = ms_autoconfig_fetcher_fetch_finish (fetcher, result, error);
  g_assert_true ((provider == NULL) == (*error != NULL));
  if (*error != NULL)
    {
      /* One line, naming the address, for `lookup --json`'s problems. */
      g_test_message ("%s", (*error)->message);
      g_assert_null (strchr ((*error)->message, '\n'));
      g_assert_true (g_utf8_validate ((*error)->message, -1, NULL));
    }

  return provider;
}

static MsProvider *
fetch_sync (MsAutoconfigFetcher  *fetcher,
            const char           *url,
            GCancellable         *cancellable,
            GError              **error)
{
  return fetch_sync_for (fetcher, url, NULL, cancellable, error);
}

/* Fetches @path of the HTTPS server, expecting the error @code. */
static void
assert_fetch_fails (MsAutoconfigFetcher *fetcher,
                    const char          *url,
                    int                  code)
{
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, code);
  g_assert_null (provider);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

static void
assert_found (MsProvider *provider)
{
  GPtrArray *imap;
  GPtrArray *smtp;
  const MsServer *server;

  g_assert_nonnull (provider);

  imap = ms_provider_get_imap_servers (provider);
  g_assert_cmpuint (imap->len, ==, 1);
  server = g_ptr_array_index (imap, 0);
  g_assert_cmpint (server->protocol, ==, MS_PROTOCOL_IMAP);
  g_assert_cmpstr (server->hostname, ==, "imap.example.test");
  g_assert_cmpuint (server->port, ==, 993);
  g_assert_cmpint (server->security, ==, MS_SECURITY_SSL);
  g_assert_cmpstr (ms_server_get_username_rule (server), ==, "email");

  smtp = ms_provider_get_smtp_servers (provider);
  g_assert_cmpuint (smtp->len, ==, 1);
  server = g_ptr_array_index (smtp, 0);
  g_assert_cmpint (server->protocol, ==, MS_PROTOCOL_SMTP);
  g_assert_cmpstr (server->hostname, ==, "smtp.example.test");
  g_assert_cmpuint (server->port, ==, 465);
  g_assert_cmpint (server->security, ==, MS_SECURITY_SSL);
  g_assert_cmpstr (ms_server_get_username_rule (server), ==, "email");

  /* Nothing but the servers comes from the document. */
  g_assert_cmpstr (ms_provider_get_name (provider), !=, "Trust me, I am your bank");
  g_assert_cmpstr (ms_provider_get_id (provider), !=, "evil");
  g_assert_null (ms_provider_get_website (provider));
  g_assert_null (ms_provider_get_client_note (provider));
  g_assert_cmpuint (ms_provider_get_steps (provider)->len, ==, 0);
  g_assert_null (ms_provider_get_domains (provider)[0]);
}

/* The tests */

static void
test_found (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = https_url (env.https_port, "/found");
  g_autofree char *with_user = g_strdup_printf ("https://me:secret@127.0.0.1:%u/found#top",
                                                env.https_port);
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);
  g_assert_cmpstr (ms_provider_get_id (provider), ==, "127.0.0.1");
  g_assert_cmpstr (env.last_user_agent, ==, "mail-setup/" PACKAGE_VERSION);
  g_assert_null (env.last_authorization);

  /* The cookie the server set is not sent back. */
  g_clear_object (&provider);
  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);
  g_assert_null (env.last_cookie);

  /* A user name and password in the address are never sent, nor shown. */
  g_clear_object (&provider);
  provider = fetch_sync (fetcher, with_user, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);
  g_assert_null (env.last_authorization);
  g_assert_null (strstr (ms_provider_get_origin (provider), "secret"));
}

static void
test_by_name (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = g_strdup_printf ("https://localhost:%u/found", env.https_port);
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);
  g_assert_cmpstr (ms_provider_get_id (provider), ==, "localhost");
}

static void
test_http_status (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *missing = https_url (env.https_port, "/missing");
  g_autofree char *gone = https_url (env.https_port, "/gone");
  g_autofree char *error_url = https_url (env.https_port, "/error");
  g_autofree char *auth = https_url (env.https_port, "/auth");
  g_autofree char *no_path = https_url (env.https_port, "");
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  assert_fetch_fails (fetcher, gone, MS_LOOKUP_ERROR_NOT_FOUND);
  assert_fetch_fails (fetcher, auth, MS_LOOKUP_ERROR_INVALID);
  g_assert_null (env.last_authorization);
  assert_fetch_fails (fetcher, missing, MS_LOOKUP_ERROR_NOT_FOUND);
  assert_fetch_fails (fetcher, no_path, MS_LOOKUP_ERROR_NOT_FOUND);

  provider = fetch_sync (fetcher, error_url, NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "HTTP 500"));
  g_assert_true (g_str_has_prefix (error->message, error_url));
}

static void
test_bad_documents (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  const char *paths[] = {
    "/malformed", "/no-servers", "/space-host", "/long-host", "/placeholder-host",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = https_url (env.https_port, paths[i]);

      g_test_message ("%s", paths[i]);
      assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_INVALID);
    }
}

/* ISPDB entries such as mail.ee's name their servers `%EMAILDOMAIN%` or
 * `mail.%EMAILDOMAIN%`: the address's domain fills them in, and the host
 * is then checked like any other. */
static void
test_placeholder_host (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = https_url (env.https_port, "/placeholder-host");
  g_autofree char *local_part = https_url (env.https_port, "/local-part-host");
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  const MsServer *server;

  provider = fetch_sync_for (fetcher, url, "example.test", NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);

  /* Filled in, the host must still be a host name. */
  g_clear_object (&provider);
  provider = fetch_sync_for (fetcher, url, "xn--fsqu00a.test", NULL, &error);
  g_assert_no_error (error);
  server = g_ptr_array_index (ms_provider_get_imap_servers (provider), 0);
  g_assert_cmpstr (server->hostname, ==, "imap.xn--fsqu00a.test");

  g_clear_object (&provider);
  provider = fetch_sync_for (fetcher, url, "bad domain", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "imap.%emaildomain%"));
  g_assert_null (provider);
  g_clear_error (&error);

  /* A host of the user's own name would be one per address, and lookups
   * answer for a domain. */
  provider = fetch_sync_for (fetcher, local_part, "example.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
  g_assert_null (provider);
}

/* No IMAP server with TLS, but POP3 and IMAP without TLS: not an error,
 * the document has said what there is. */
static void
test_no_imap (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = https_url (env.https_port, "/no-imap");
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ms_provider_get_imap_servers (provider)->len, ==, 0);
  g_assert_cmpuint (ms_provider_get_smtp_servers (provider)->len, ==, 0);
  g_assert_cmpint (ms_provider_get_lookup_note (provider), ==, MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY);
}

static void
test_ip_host (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = https_url (env.https_port, "/ip-host");
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  const MsServer *server;

  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  server = g_ptr_array_index (ms_provider_get_imap_servers (provider), 0);
  g_assert_cmpstr (server->hostname, ==, "192.0.2.7");
}

static void
test_too_large (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  const char *paths[] = { "/huge-chunked", "/huge-length" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = https_url (env.https_port, paths[i]);
      gint64 start = g_get_monotonic_time ();

      g_test_message ("%s", paths[i]);
      assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_TOO_LARGE);
      g_test_message ("refused after %.3f s", (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC);

      /* The connection was dropped long before the end of the answer. */
      while (!env.huge_finished)
        g_main_context_iteration (NULL, TRUE);
      g_test_message ("the server sent %u bytes", env.huge_sent);
      g_assert_cmpuint (env.huge_sent, <, HUGE_SIZE / 2);
    }

  /* The fetcher still works after dropping those connections. */
  {
    g_autofree char *url = https_url (env.https_port, "/found");
    g_autoptr(MsProvider) provider = NULL;
    g_autoptr(GError) error = NULL;

    provider = fetch_sync (fetcher, url, NULL, &error);
    g_assert_no_error (error);
    assert_found (provider);
  }
}

static void
test_timeout (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *headers = https_url (env.https_port, "/slow-headers");
  g_autofree char *body = https_url (env.https_port, "/slow-body");
  g_autofree char *handshake = https_url (env.silent_port, "/");
  const char *urls[] = { headers, body, handshake };

  ms_autoconfig_fetcher_set_timeout_ms (fetcher, 300);

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      assert_fetch_fails (fetcher, urls[i], MS_LOOKUP_ERROR_TIMEOUT);
      elapsed = g_get_monotonic_time () - start;
      g_test_message ("timed out after %.3f s", elapsed / (double)G_USEC_PER_SEC);
      /* Not early; and the 300 ms, not new_fetcher()'s deadline, ended it
       * (the servers hold their answers until the test is over). How late
       * a timer fires on a busy machine is not for this test to say. */
      g_assert_cmpint (elapsed, >=, 250 * 1000);
      g_assert_cmpint (elapsed, <, FETCH_GUARD_MS * 1000);
    }

  release_paused ();
}

static void
test_redirects (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  /* /hops/N redirects N times: as many as allowed, then one more. */
  const char *found_paths[] = {
    "/redirect-https", "/redirect-relative", "/redirect-big", "/hops/5",
  };
  const char *invalid_paths[] = {
    "/loop", "/hops/6", "/redirect-bad", "/redirect-nowhere", "/redirect-empty",
  };

  G_STATIC_ASSERT (MS_AUTOCONFIG_MAX_REDIRECTS == 5);

  for (guint i = 0; i < G_N_ELEMENTS (found_paths); i++)
    {
      g_autofree char *url = https_url (env.https_port, found_paths[i]);
      g_autoptr(MsProvider) provider = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", found_paths[i]);
      provider = fetch_sync (fetcher, url, NULL, &error);
      g_assert_no_error (error);
      assert_found (provider);
      /* Named after the address asked for, not the one it ended at. */
      g_assert_cmpstr (ms_provider_get_id (provider), ==, "127.0.0.1");
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid_paths); i++)
    {
      g_autofree char *url = https_url (env.https_port, invalid_paths[i]);

      g_test_message ("%s", invalid_paths[i]);
      assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_INVALID);
    }
}

static void
test_redirect_to_http (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = https_url (env.https_port, "/redirect-http");
  guint n_requests;

  assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_INSECURE);

  /* Not even when plain HTTP is allowed: an https address never leads
   * to a plain one. */
  ms_autoconfig_fetcher_set_allow_http (fetcher, TRUE);
  n_requests = env.n_requests;
  assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_INSECURE);
  g_assert_cmpuint (env.n_requests, ==, n_requests + 1);
}

static void
test_plain_http (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/found", env.http_port);
  g_autofree char *upgrade = g_strdup_printf ("http://127.0.0.1:%u/redirect-to-https", env.http_port);
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  guint n_requests = env.n_requests;

  assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_INSECURE);
  assert_fetch_fails (fetcher, upgrade, MS_LOOKUP_ERROR_INSECURE);
  g_assert_cmpuint (env.n_requests, ==, n_requests);

  ms_autoconfig_fetcher_set_allow_http (fetcher, TRUE);
  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);

  g_clear_object (&provider);
  provider = fetch_sync (fetcher, upgrade, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);
}

static void
test_bad_urls (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  const char *urls[] = { "ftp://127.0.0.1/x", "not a url", "https://", "file:///etc/passwd" };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(MsProvider) provider = NULL;
      g_autoptr(GError) error = NULL;

      provider = fetch_sync (fetcher, urls[i], NULL, &error);
      g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
    }
}

static void
test_certificates (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autoptr(MsAutoconfigFetcher) system_only = ms_autoconfig_fetcher_new ();
  g_autofree char *good = https_url (env.https_port, "/found");
  g_autofree char *wrong_name = https_url (env.wrong_name_port, "/found");
  g_autofree char *expired = https_url (env.expired_port, "/found");
  g_autofree char *rogue = https_url (env.rogue_port, "/found");
  g_autoptr(GError) error = NULL;
  guint n_requests = env.n_requests;

  /* Our test authority is not the system's. */
  ms_autoconfig_fetcher_set_timeout_ms (system_only, FETCH_GUARD_MS);
  assert_fetch_fails (system_only, good, MS_LOOKUP_ERROR_NETWORK);

  /* With it: still refused for another name, out of date, or from
   * another authority. */
  assert_fetch_fails (fetcher, wrong_name, MS_LOOKUP_ERROR_NETWORK);
  assert_fetch_fails (fetcher, expired, MS_LOOKUP_ERROR_NETWORK);
  assert_fetch_fails (fetcher, rogue, MS_LOOKUP_ERROR_NETWORK);
  g_assert_cmpuint (env.n_requests, ==, n_requests);

  /* The extra authority is the only one of this file: back to none. */
  g_assert_true (ms_autoconfig_fetcher_set_ca_file (fetcher, env.other_ca_file, &error));
  g_assert_no_error (error);
  assert_fetch_fails (fetcher, wrong_name, MS_LOOKUP_ERROR_NETWORK);
}

static void
test_refused (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* A port nobody listens on any more. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = https_url (port, "/found");
  assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_NETWORK);
}

static gboolean
garbage_cb (GSocketService    *service,
            GSocketConnection *connection,
            GObject           *source,
            gpointer           user_data)
{
  static const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, garbage, strlen (garbage), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
test_not_http (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (garbage_cb), NULL);
  g_socket_service_start (service);

  url = g_strdup_printf ("http://127.0.0.1:%u/",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  ms_autoconfig_fetcher_set_allow_http (fetcher, TRUE);
  assert_fetch_fails (fetcher, url, MS_LOOKUP_ERROR_INVALID);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
test_ca_file (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = ms_autoconfig_fetcher_new ();
  g_autofree char *missing = g_build_filename (env.dir, "missing.pem", NULL);
  g_autofree char *not_pem = g_build_filename (env.dir, "ca.tmpl", NULL);
  g_autofree char *url = https_url (env.https_port, "/found");
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  ms_autoconfig_fetcher_set_timeout_ms (fetcher, FETCH_GUARD_MS);
  g_assert_false (ms_autoconfig_fetcher_set_ca_file (fetcher, missing, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing.pem"));
  g_clear_error (&error);

  g_assert_false (ms_autoconfig_fetcher_set_ca_file (fetcher, not_pem, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A good file: its authority is trusted besides the system's. */
  g_assert_true (ms_autoconfig_fetcher_set_ca_file (fetcher, env.ca_file, &error));
  g_assert_no_error (error);
  provider = fetch_sync (fetcher, url, NULL, &error);
  g_assert_no_error (error);
  assert_found (provider);

  /* Back to the system's only. */
  g_assert_true (ms_autoconfig_fetcher_set_ca_file (fetcher, NULL, &error));
  g_assert_no_error (error);
  ms_autoconfig_fetcher_set_trust (fetcher, NULL);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *slow = https_url (env.https_port, "/slow-headers");
  g_autofree char *found = https_url (env.https_port, "/found");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_timeout_add (50, cancel_cb, cancellable);
  provider = fetch_sync (fetcher, slow, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The server holds the answer until the test is over: only the
   * cancellation could end the fetch before its deadline. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, FETCH_GUARD_MS * 1000);
  g_clear_error (&error);

  g_cancellable_cancel (cancelled);
  provider = fetch_sync (fetcher, found, cancelled, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  release_paused ();
}

static void
test_parallel (void)
{
  g_autoptr(MsAutoconfigFetcher) fetcher = new_fetcher ();
  g_autofree char *found = https_url (env.https_port, "/found");
  g_autofree char *missing = https_url (env.https_port, "/missing");
  g_autoptr(GAsyncResult) found_result = NULL;
  g_autoptr(GAsyncResult) missing_result = NULL;
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  ms_autoconfig_fetcher_fetch_async (fetcher, found, NULL, NULL, got_result, &found_result);
  ms_autoconfig_fetcher_fetch_async (fetcher, missing, NULL, NULL, got_result, &missing_result);
  while (found_result == NULL || missing_result == NULL)
    g_main_context_iteration (NULL, TRUE);

  provider = ms_autoconfig_fetcher_fetch_finish (fetcher, found_result, &error);
  g_assert_no_error (error);
  assert_found (provider);

  g_clear_object (&provider);
  provider = ms_autoconfig_fetcher_fetch_finish (fetcher, missing_result, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* HTTPS needs GIO's TLS backend: glib-networking. Not a reason to skip. */
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_printerr ("No TLS support in GIO: install glib-networking\n");
      return 1;
    }

  setup_env ();

  g_test_add_func ("/autoconfig/found", test_found);
  g_test_add_func ("/autoconfig/by-name", test_by_name);
  g_test_add_func ("/autoconfig/http-status", test_http_status);
  g_test_add_func ("/autoconfig/bad-documents", test_bad_documents);
  g_test_add_func ("/autoconfig/placeholder-host", test_placeholder_host);
  g_test_add_func ("/autoconfig/no-imap", test_no_imap);
  g_test_add_func ("/autoconfig/ip-host", test_ip_host);
  g_test_add_func ("/autoconfig/too-large", test_too_large);
  g_test_add_func ("/autoconfig/timeout", test_timeout);
  g_test_add_func ("/autoconfig/redirects", test_redirects);
  g_test_add_func ("/autoconfig/redirect-to-http", test_redirect_to_http);
  g_test_add_func ("/autoconfig/plain-http", test_plain_http);
  g_test_add_func ("/autoconfig/bad-urls", test_bad_urls);
  g_test_add_func ("/autoconfig/certificates", test_certificates);
  g_test_add_func ("/autoconfig/refused", test_refused);
  g_test_add_func ("/autoconfig/not-http", test_not_http);
  g_test_add_func ("/autoconfig/ca-file", test_ca_file);
  g_test_add_func ("/autoconfig/cancel", test_cancel);
  g_test_add_func ("/autoconfig/parallel", test_parallel);

  ret = g_test_run ();

  teardown_env ();

  return ret;
}
