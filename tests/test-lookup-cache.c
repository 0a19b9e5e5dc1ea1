/* test-lookup-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lookup cache: answers per domain in memory and on disk, their expiry
 * (with a fake clock), negative and catalogue answers, files that are
 * damaged, foreign, huge or name a vanished provider, permissions, clear
 * and cancellation.
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ms-catalogue.h"
#include "ms-client-config.h"
#include "ms-lookup-cache.h"

/* The on-disk format, as ms-lookup-cache.c documents it. */
#define FORMAT_TYPE "(usxssssa(ssqss))"

static const char * const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };

static const char user_provider[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\" xmlns:ms=\"" MS_CLIENT_CONFIG_NAMESPACE "\">\n"
  "  <emailProvider id=\"company\">\n"
  "    <domain>corp.example</domain>\n"
  "    <displayName>Company Mail</displayName>\n"
  "    <incomingServer type=\"imap\"><hostname>imap.corp.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>\n"
  "    <outgoingServer type=\"smtp\"><hostname>smtp.corp.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>\n"
  "    <ms:password><ms:name>password</ms:name></ms:password>\n"
  "    <ms:steps><ms:step id=\"s\" who=\"user\"><ms:title>Do it</ms:title><ms:description>Like this.</ms:description></ms:step></ms:steps>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static gint64 fake_now = 1700000000;

static gint64
get_fake_now (void)
{
  return fake_now;
}

typedef struct
{
  MsCatalogue *catalogue;
  char        *tmp;        /* made by the test, removed after it */
  char        *directory;  /* tmp/cache/lookup: made by the cache */
} Fixture;

static MsCatalogue *
builtin (void)
{
  MsCatalogue *catalogue = ms_catalogue_new (english);

  ms_catalogue_load_builtin (catalogue);
  g_assert_cmpstrv (ms_catalogue_get_problems (catalogue), ((const char * const[]) { NULL }));

  return catalogue;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fake_now = 1700000000;
  fixture->catalogue = builtin ();
  fixture->tmp = g_dir_make_tmp ("test-lookup-cache-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->directory = g_build_filename (fixture->tmp, "cache", "lookup", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_cmpint (g_unlink (child), ==, 0);
    }

  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  remove_tree (fixture->tmp);
  g_clear_pointer (&fixture->tmp, g_free);
  g_clear_pointer (&fixture->directory, g_free);
  g_clear_object (&fixture->catalogue);
}

static MsLookupCache *
new_cache (Fixture    *fixture,
           const char *directory)
{
  MsLookupCache *cache = ms_lookup_cache_new (fixture->catalogue, directory);

  ms_lookup_cache_set_now_func (cache, get_fake_now);
  return cache;
}

static MsAddress *
address (const char *text)
{
  g_autoptr(GError) error = NULL;
  MsAddress *parsed = ms_address_parse (text, &error);

  g_assert_no_error (error);
  return parsed;
}

static char *
file_in (const char *directory,
         const char *domain)
{
  return g_build_filename (directory, domain, NULL);
}

/* The answer an MX lookup could give: two servers of each protocol, with
 * every security, login name rule and an odd port. */
static MsLookupResult *
make_result (const char     *email,
             MsLookupSource  source,
             MsProvider     *provider,
             const char     *detail)
{
  g_autoptr(MsAddress) addr = address (email);
  g_autoptr(GPtrArray) imap = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  g_autoptr(GPtrArray) smtp = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  g_autofree char *imap_host = g_strconcat ("imap.", addr->domain, NULL);
  g_autofree char *smtp_host = g_strconcat ("smtp.", addr->domain, NULL);
  MsLookupResult *result;

  g_ptr_array_add (imap, ms_server_new (MS_PROTOCOL_IMAP, imap_host, 993, MS_SECURITY_SSL, "%EMAILLOCALPART%"));
  g_ptr_array_add (imap, ms_server_new (MS_PROTOCOL_IMAP, "192.0.2.7", 1143, MS_SECURITY_STARTTLS, NULL));
  g_ptr_array_add (smtp, ms_server_new (MS_PROTOCOL_SMTP, smtp_host, 465, MS_SECURITY_SSL, "%EMAILADDRESS%"));
  g_ptr_array_add (smtp, ms_server_new (MS_PROTOCOL_SMTP, "2001:db8::25", 587, MS_SECURITY_STARTTLS,
                                        "%EMAILLOCALPART%+mail@%EMAILDOMAIN%"));

  result = ms_lookup_result_new (addr, source, provider, imap, smtp);
  ms_lookup_result_set_detail (result, detail);
  ms_lookup_result_add_problem (result, "autoconfig: not found");

  return result;
}

static void
assert_same_servers (GPtrArray *a,
                     GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const MsServer *sa = g_ptr_array_index (a, i);
      const MsServer *sb = g_ptr_array_index (b, i);

      g_assert_cmpint (sa->protocol, ==, sb->protocol);
      g_assert_cmpstr (sa->hostname, ==, sb->hostname);
      g_assert_cmpuint (sa->port, ==, sb->port);
      g_assert_cmpint (sa->security, ==, sb->security);
      g_assert_cmpstr (sa->username, ==, sb->username);
    }
}

/* @cached is @original's answer for @email. */
static void
assert_same_answer (MsLookupResult *cached,
                    MsLookupResult *original,
                    const char     *email)
{
  g_autoptr(MsAddress) addr = address (email);
  GPtrArray *imap;
  GPtrArray *smtp;

  g_assert_nonnull (cached);
  g_assert_cmpstr (ms_lookup_result_get_address (cached)->email, ==, email);
  g_assert_cmpint (ms_lookup_result_get_source (cached), ==, ms_lookup_result_get_source (original));
  g_assert_true (ms_lookup_result_get_provider (cached) == ms_lookup_result_get_provider (original));
  g_assert_cmpstr (ms_lookup_result_get_detail (cached), ==, ms_lookup_result_get_detail (original));
  g_assert_cmpint (ms_lookup_result_get_note (cached), ==, ms_lookup_result_get_note (original));
  imap = ms_lookup_result_get_imap_servers (cached);
  smtp = ms_lookup_result_get_smtp_servers (cached);
  assert_same_servers (imap, ms_lookup_result_get_imap_servers (original));
  assert_same_servers (smtp, ms_lookup_result_get_smtp_servers (original));

  /* Login names are the new address's. */
  if (imap->len > 0)
    {
      g_autofree char *username = ms_lookup_result_dup_username (cached);
      g_autofree char *expected = ms_server_expand_username (g_ptr_array_index (imap, 0), addr);

      g_assert_cmpstr (username, ==, expected);
    }
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
flush (MsLookupCache *cache)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ms_lookup_cache_flush_async (cache, NULL, store_cb, &result);
  g_assert_true (ms_lookup_cache_flush_finish (cache, wait_for (&result), &error));
  g_assert_no_error (error);
}

static MsLookupResult *
load_full (MsLookupCache  *cache,
           const char     *email,
           GCancellable   *cancellable,
           gboolean        cancel_after_call,
           GError        **error)
{
  g_autoptr(MsAddress) addr = address (email);
  g_autoptr(GAsyncResult) result = NULL;

  ms_lookup_cache_load_async (cache, addr, cancellable, store_cb, &result);
  if (cancel_after_call)
    g_cancellable_cancel (cancellable);

  return ms_lookup_cache_load_finish (cache, wait_for (&result), error);
}

static MsLookupResult *
load (MsLookupCache *cache,
      const char    *email)
{
  g_autoptr(GError) error = NULL;
  MsLookupResult *result = load_full (cache, email, NULL, FALSE, &error);

  g_assert_no_error (error);
  return result;
}

static MsLookupResult *
get (MsLookupCache *cache,
     const char    *email)
{
  g_autoptr(MsAddress) addr = address (email);

  return ms_lookup_cache_get (cache, addr);
}

static guint
count_files (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_memory_other_address (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  MsProvider *exmail = ms_catalogue_get_provider (fixture->catalogue, "exmail");
  g_autoptr(MsLookupResult) original = make_result ("Alice@example.com", MS_LOOKUP_SOURCE_MX, exmail, "mxbiz1.qq.com");
  g_autoptr(MsLookupResult) expected = make_result ("Alice@example.com", MS_LOOKUP_SOURCE_MX, exmail, "mxbiz1.qq.com");
  g_autoptr(MsLookupResult) cached = NULL;
  g_autoptr(MsLookupResult) again = NULL;
  g_autoptr(MsLookupResult) other = NULL;
  g_autofree char *username = NULL;

  g_assert_nonnull (exmail);
  g_assert_null (get (cache, "bob@example.com"));

  ms_lookup_cache_store (cache, original);
  /* The cache has a copy of its own. */
  ms_lookup_result_set_detail (original, "changed");

  cached = get (cache, "bob@example.com");
  assert_same_answer (cached, expected, "bob@example.com");
  username = ms_lookup_result_dup_username (cached);
  g_assert_cmpstr (username, ==, "bob");
  /* In memory, the problems are kept. */
  g_assert_cmpstrv (ms_lookup_result_get_problems (cached),
                    ((const char * const[]) { "autoconfig: not found", NULL }));

  /* Async, from memory. */
  again = load (cache, "carol@EXAMPLE.com");
  assert_same_answer (again, expected, "carol@example.com");

  other = get (cache, "bob@example.org");
  g_assert_null (other);

  flush (cache);
}

static void
test_disk_round_trip (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupCache) fresh = NULL;
  MsProvider *exmail = ms_catalogue_get_provider (fixture->catalogue, "exmail");
  g_autoptr(MsLookupResult) mx = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, exmail, "mxbiz1.qq.com");
  g_autoptr(MsLookupResult) srv = make_result ("alice@example.net", MS_LOOKUP_SOURCE_SRV, NULL, NULL);
  g_autoptr(MsLookupResult) autoconfig = make_result ("alice@xn--fiqs8s.example", MS_LOOKUP_SOURCE_AUTOCONFIG, NULL,
                                                      "https://autoconfig.xn--fiqs8s.example/mail/config-v1.1.xml");
  g_autoptr(MsLookupResult) oauth = make_result ("alice@oauth.example", MS_LOOKUP_SOURCE_ISPDB, NULL,
                                                 "https://autoconfig.thunderbird.net/v1.1/oauth.example");
  g_autoptr(MsLookupResult) loaded = NULL;
  g_autoptr(MsLookupResult) from_memory = NULL;
  g_autofree char *path = file_in (fixture->directory, "example.com");

  ms_lookup_cache_store (cache, mx);
  ms_lookup_cache_store (cache, srv);
  ms_lookup_cache_store (cache, autoconfig);
  /* Servers that take no password keep saying so. */
  ms_lookup_result_set_note (oauth, MS_LOOKUP_NOTE_OAUTH_ONLY);
  ms_lookup_cache_store (cache, oauth);
  flush (cache);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_files (fixture->directory), ==, 4);

  /* A new cache (a new run of the program) reads them back. */
  fresh = new_cache (fixture, fixture->directory);
  g_assert_null (get (fresh, "bob@example.com"));
  loaded = load (fresh, "bob@example.com");
  assert_same_answer (loaded, mx, "bob@example.com");
  g_assert_cmpstr (ms_provider_get_id (ms_lookup_result_get_provider (loaded)), ==, "exmail");
  /* The disk keeps no problems. */
  g_assert_cmpstrv (ms_lookup_result_get_problems (loaded), ((const char * const[]) { NULL }));

  /* … and keeps them in memory from then on. */
  from_memory = get (fresh, "dave@example.com");
  assert_same_answer (from_memory, mx, "dave@example.com");

  g_clear_object (&loaded);
  loaded = load (fresh, "bob@example.net");
  assert_same_answer (loaded, srv, "bob@example.net");
  g_assert_null (ms_lookup_result_get_detail (loaded));
  g_assert_null (ms_lookup_result_get_provider (loaded));

  g_clear_object (&loaded);
  loaded = load (fresh, "bob@中国.example");
  assert_same_answer (loaded, autoconfig, "bob@xn--fiqs8s.example");

  g_clear_object (&loaded);
  loaded = load (fresh, "bob@oauth.example");
  assert_same_answer (loaded, oauth, "bob@oauth.example");
  g_assert_cmpint (ms_lookup_result_get_note (loaded), ==, MS_LOOKUP_NOTE_OAUTH_ONLY);
  g_assert_cmpint (ms_lookup_result_get_note (mx), ==, MS_LOOKUP_NOTE_NONE);

  g_clear_object (&loaded);
  loaded = load (fresh, "bob@example.org");
  g_assert_null (loaded);
}

static void
test_last_store_wins (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupCache) fresh = NULL;
  g_autoptr(MsLookupResult) loaded = NULL;
  const char * const details[] = { "one", "two", "three", "four" };

  for (guint i = 0; i < G_N_ELEMENTS (details); i++)
    {
      g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_GUESS, NULL, details[i]);

      ms_lookup_cache_store (cache, result);
    }
  flush (cache);
  g_assert_cmpuint (count_files (fixture->directory), ==, 1);

  fresh = new_cache (fixture, fixture->directory);
  loaded = load (fresh, "alice@example.com");
  g_assert_nonnull (loaded);
  g_assert_cmpstr (ms_lookup_result_get_detail (loaded), ==, "four");
}

static void
test_expiry_memory (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, NULL);
  g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_ISPDB, NULL, NULL);
  g_autoptr(MsLookupResult) cached = NULL;
  gint64 stored_at = fake_now;

  ms_lookup_cache_store (cache, result);

  fake_now = stored_at + MS_LOOKUP_CACHE_MAX_AGE_S - 1;
  cached = get (cache, "bob@example.com");
  g_assert_nonnull (cached);
  g_clear_object (&cached);

  fake_now = stored_at + MS_LOOKUP_CACHE_MAX_AGE_S;
  g_assert_null (get (cache, "bob@example.com"));
  g_assert_null (load (cache, "bob@example.com"));

  /* Forgotten: even with the clock turned back. */
  fake_now = stored_at;
  g_assert_null (get (cache, "bob@example.com"));
}

static void
test_expiry_disk (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, NULL, "mx.example.com");
  g_autofree char *path = file_in (fixture->directory, "example.com");
  gint64 stored_at = fake_now;

  ms_lookup_cache_store (cache, result);
  flush (cache);

  /* Just in time. */
  {
    g_autoptr(MsLookupCache) fresh = new_cache (fixture, fixture->directory);
    g_autoptr(MsLookupResult) loaded = NULL;
    g_autoptr(MsLookupResult) cached = NULL;

    fake_now = stored_at + MS_LOOKUP_CACHE_MAX_AGE_S - 1;
    loaded = load (fresh, "bob@example.com");
    assert_same_answer (loaded, result, "bob@example.com");

    /* What was loaded expires in memory when the file would have. */
    fake_now = stored_at + MS_LOOKUP_CACHE_MAX_AGE_S;
    cached = get (fresh, "bob@example.com");
    g_assert_null (cached);
    flush (fresh);
  }

  /* Dated in the future: a clock that was wrong, say. Dropped. */
  {
    g_autoptr(MsLookupCache) fresh = new_cache (fixture, fixture->directory);

    fake_now = stored_at - 1;
    g_assert_null (load (fresh, "bob@example.com"));
    flush (fresh);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }

  /* Expired: dropped. */
  fake_now = stored_at;
  ms_lookup_cache_store (cache, result);
  flush (cache);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  {
    g_autoptr(MsLookupCache) fresh = new_cache (fixture, fixture->directory);

    fake_now = stored_at + MS_LOOKUP_CACHE_MAX_AGE_S;
    g_assert_null (load (fresh, "bob@example.com"));
    flush (fresh);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

static void
test_negative (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupCache) fresh = NULL;
  g_autoptr(MsAddress) addr = address ("alice@nothing.example");
  g_autoptr(MsLookupResult) none = ms_lookup_result_new (addr, MS_LOOKUP_SOURCE_NONE, NULL, NULL, NULL);
  g_autoptr(MsLookupResult) cached = NULL;
  gint64 stored_at = fake_now;

  ms_lookup_result_add_problem (none, "mx: no record");
  ms_lookup_result_set_note (none, MS_LOOKUP_NOTE_POP3_ONLY);
  ms_lookup_cache_store (cache, none);
  flush (cache);

  /* In memory only. */
  g_assert_cmpuint (count_files (fixture->directory), ==, 0);
  fresh = new_cache (fixture, fixture->directory);
  g_assert_null (load (fresh, "bob@nothing.example"));

  fake_now = stored_at + MS_LOOKUP_CACHE_NEGATIVE_MAX_AGE_S - 1;
  cached = get (cache, "bob@nothing.example");
  g_assert_nonnull (cached);
  g_assert_false (ms_lookup_result_is_found (cached));
  g_assert_cmpint (ms_lookup_result_get_source (cached), ==, MS_LOOKUP_SOURCE_NONE);
  g_assert_cmpstr (ms_lookup_result_get_address (cached)->email, ==, "bob@nothing.example");
  g_assert_cmpstrv (ms_lookup_result_get_problems (cached),
                    ((const char * const[]) { "mx: no record", NULL }));
  /* Why nothing was found, too. */
  g_assert_cmpint (ms_lookup_result_get_note (cached), ==, MS_LOOKUP_NOTE_POP3_ONLY);
  g_clear_object (&cached);

  cached = load (cache, "bob@nothing.example");
  g_assert_nonnull (cached);
  g_assert_false (ms_lookup_result_is_found (cached));
  g_clear_object (&cached);

  fake_now = stored_at + MS_LOOKUP_CACHE_NEGATIVE_MAX_AGE_S;
  g_assert_null (get (cache, "bob@nothing.example"));
  g_assert_null (load (cache, "bob@nothing.example"));
}

static void
test_catalogue_not_stored (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsAddress) addr = address ("alice@qq.com");
  g_autoptr(MsLookupResult) result = ms_catalogue_lookup (fixture->catalogue, addr);

  g_assert_cmpint (ms_lookup_result_get_source (result), ==, MS_LOOKUP_SOURCE_CATALOGUE);
  ms_lookup_cache_store (cache, result);
  flush (cache);

  g_assert_null (get (cache, "bob@qq.com"));
  g_assert_null (load (cache, "bob@qq.com"));
  g_assert_false (g_file_test (fixture->directory, G_FILE_TEST_EXISTS));
}

static void
test_not_written (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = NULL;
  g_autoptr(MsCatalogue) with_company = builtin ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAddress) addr = address ("alice@example.com");
  g_autoptr(GPtrArray) imap = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  g_autoptr(MsLookupResult) bad_host = NULL;
  g_autoptr(MsLookupResult) foreign = NULL;
  g_autoptr(MsLookupResult) cached = NULL;

  /* A server a load would refuse: in memory, not on disk. */
  g_ptr_array_add (imap, ms_server_new (MS_PROTOCOL_IMAP, "not a host name", 993, MS_SECURITY_SSL, NULL));
  bad_host = ms_lookup_result_new (addr, MS_LOOKUP_SOURCE_GUESS, NULL, imap, NULL);
  cache = new_cache (fixture, fixture->directory);
  ms_lookup_cache_store (cache, bad_host);
  flush (cache);
  cached = get (cache, "alice@example.com");
  g_assert_nonnull (cached);
  g_assert_cmpuint (count_files (fixture->directory), ==, 0);

  /* A provider the cache's catalogue does not have. */
  g_assert_true (ms_catalogue_add_data (with_company, user_provider, -1, "company.xml", &error));
  g_assert_no_error (error);
  foreign = make_result ("alice@example.org", MS_LOOKUP_SOURCE_MX, ms_catalogue_get_provider (with_company, "company"), NULL);
  ms_lookup_cache_store (cache, foreign);
  flush (cache);
  g_assert_cmpuint (count_files (fixture->directory), ==, 0);
}

/* A file built by hand, in the cache's format. */
static void
write_variant (const char *path,
               GVariant   *variant)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (variant);

  g_assert_true (g_file_set_contents (path, g_variant_get_data (owned), g_variant_get_size (owned), NULL));
}

static GVariant *
make_file_with_note (guint32     version,
                     const char *domain,
                     gint64      stored_at,
                     const char *source,
                     const char *provider,
                     const char *note,
                     const char *protocol,
                     const char *host,
                     guint16     port,
                     const char *security,
                     const char *username)
{
  GVariantBuilder servers;

  g_variant_builder_init (&servers, G_VARIANT_TYPE ("a(ssqss)"));
  if (host != NULL)
    g_variant_builder_add (&servers, "(ssqss)", protocol, host, port, security, username);

  return g_variant_new ("(usxssss@a(ssqss))", version, domain, stored_at, source, provider, "", note,
                        g_variant_builder_end (&servers));
}

static GVariant *
make_file (guint32     version,
           const char *domain,
           gint64      stored_at,
           const char *source,
           const char *provider,
           const char *protocol,
           const char *host,
           guint16     port,
           const char *security,
           const char *username)
{
  return make_file_with_note (version, domain, stored_at, source, provider, "",
                              protocol, host, port, security, username);
}

static void
assert_miss (MsLookupCache *cache,
             const char    *email)
{
  g_autoptr(MsLookupResult) loaded = load (cache, email);

  g_assert_null (loaded);
  g_assert_null (get (cache, email));
}

static void
test_bad_files (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupCache) fresh = NULL;
  g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, NULL, "mx.example.com");
  g_autoptr(MsLookupResult) hand_made = NULL;
  g_autoptr(MsCatalogue) with_company = builtin ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = file_in (fixture->directory, "example.com");
  g_autofree char *good = NULL;
  g_autofree char *huge = NULL;
  gsize good_len;
  gint64 t = fake_now;
  struct
  {
    const char *what;
    GVariant   *file;
  } bad[] = {
    { "version 1, without notes", make_file (1, "example.com", t, "mx", "", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "another domain", make_file (2, "example.org", t, "mx", "", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "unknown source", make_file (2, "example.com", t, "dns", "", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "source none", make_file (2, "example.com", t, "none", "", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "source catalogue", make_file (2, "example.com", t, "catalogue", "", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "unknown provider", make_file (2, "example.com", t, "mx", "no-such", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "unknown protocol", make_file (2, "example.com", t, "mx", "", "pop3", "pop.example.com", 995, "ssl", "%EMAILADDRESS%") },
    { "empty host", make_file (2, "example.com", t, "mx", "", "imap", "", 993, "ssl", "%EMAILADDRESS%") },
    { "bad host", make_file (2, "example.com", t, "mx", "", "imap", "imap.example.com/../x", 993, "ssl", "%EMAILADDRESS%") },
    { "upper-case host", make_file (2, "example.com", t, "mx", "", "imap", "IMAP.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "port 0", make_file (2, "example.com", t, "mx", "", "imap", "imap.example.com", 0, "ssl", "%EMAILADDRESS%") },
    { "plain text", make_file (2, "example.com", t, "mx", "", "imap", "imap.example.com", 143, "none", "%EMAILADDRESS%") },
    { "no login name", make_file (2, "example.com", t, "mx", "", "imap", "imap.example.com", 993, "ssl", "") },
    { "no servers", make_file (2, "example.com", t, "mx", "", NULL, NULL, 0, NULL, NULL) },
    { "unknown note", make_file_with_note (2, "example.com", t, "mx", "", "smtp-only", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%") },
    { "foreign type", g_variant_new ("(us)", 1, "example.com") },
    { "foreign type, same size", g_variant_new ("(uuxssssa(ssqss))", 2, 2, t, "", "", "", "", NULL) },
    { "a string", g_variant_new_string ("example.com") },
  };

  g_assert_cmpint (g_mkdir_with_parents (fixture->directory, 0700), ==, 0);

  /* The format as the test knows it is right. */
  write_variant (path, make_file (2, "example.com", t, "mx", "", "imap", "imap.example.com", 993, "ssl", "%EMAILADDRESS%"));
  fresh = new_cache (fixture, fixture->directory);
  hand_made = load (fresh, "alice@example.com");
  g_assert_nonnull (hand_made);
  g_assert_cmpuint (ms_lookup_result_get_imap_servers (hand_made)->len, ==, 1);
  g_clear_object (&fresh);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("%s", bad[i].what);
      write_variant (path, bad[i].file);
      fresh = new_cache (fixture, fixture->directory);
      assert_miss (fresh, "alice@example.com");
      flush (fresh);
      g_clear_object (&fresh);
      /* Left alone: the next store replaces it. */
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  ms_lookup_cache_store (cache, result);
  flush (cache);
  g_assert_true (g_file_get_contents (path, &good, &good_len, NULL));
  g_assert_cmpuint (good_len, >, 16);

  /* Damaged: random bytes, empty, truncated anywhere, one byte changed. */
  fresh = new_cache (fixture, fixture->directory);
  g_assert_true (g_file_set_contents (path, "\xff\xfe garbage \x00\x01\x02", 15, NULL));
  assert_miss (fresh, "alice@example.com");
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  assert_miss (fresh, "alice@example.com");
  for (gsize len = 1; len < good_len; len++)
    {
      g_assert_true (g_file_set_contents (path, good, len, NULL));
      assert_miss (fresh, "alice@example.com");
    }
  for (gsize i = 0; i < good_len; i++)
    {
      g_autoptr(MsLookupResult) loaded = NULL;
      g_autofree char *changed = g_memdup2 (good, good_len);

      changed[i] ^= 0x5a;
      g_assert_true (g_file_set_contents (path, changed, good_len, NULL));
      /* Some changes still make a valid file (another port, say); none
       * may crash. */
      loaded = load (fresh, "alice@example.com");
      if (loaded != NULL)
        ms_lookup_cache_clear (fresh);
    }
  flush (fresh);
  g_clear_object (&fresh);

  /* Huge: the real file, then a megabyte. */
  huge = g_malloc0 (1024 * 1024);
  memcpy (huge, good, good_len);
  g_assert_true (g_file_set_contents (path, huge, 1024 * 1024, NULL));
  fresh = new_cache (fixture, fixture->directory);
  assert_miss (fresh, "alice@example.com");
  g_clear_object (&fresh);

  /* Not a file. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  fresh = new_cache (fixture, fixture->directory);
  assert_miss (fresh, "alice@example.com");
  g_clear_object (&fresh);
  g_assert_cmpint (g_rmdir (path), ==, 0);

  /* A provider that was in the catalogue when the answer was stored, and
   * is no longer (the user removed their file). */
  g_assert_true (ms_catalogue_add_data (with_company, user_provider, -1, "company.xml", &error));
  g_assert_no_error (error);
  {
    g_autoptr(MsLookupCache) writer = ms_lookup_cache_new (with_company, fixture->directory);
    g_autoptr(MsLookupResult) company = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX,
                                                     ms_catalogue_get_provider (with_company, "company"),
                                                     "mx.corp.example");
    g_autoptr(MsLookupCache) reader = NULL;
    g_autoptr(MsLookupResult) loaded = NULL;

    ms_lookup_cache_set_now_func (writer, get_fake_now);
    ms_lookup_cache_store (writer, company);
    flush (writer);

    /* The same catalogue finds it … */
    reader = ms_lookup_cache_new (with_company, fixture->directory);
    ms_lookup_cache_set_now_func (reader, get_fake_now);
    loaded = load (reader, "bob@example.com");
    assert_same_answer (loaded, company, "bob@example.com");

    /* … one without the provider does not. */
    fresh = new_cache (fixture, fixture->directory);
    assert_miss (fresh, "alice@example.com");
    g_clear_object (&fresh);
  }
}

static void
test_no_directory (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, NULL);
  g_autoptr(MsLookupCache) fresh = new_cache (fixture, NULL);
  g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, NULL, "mx.example.com");
  g_autoptr(MsLookupResult) cached = NULL;
  g_autoptr(MsLookupResult) loaded = NULL;

  ms_lookup_cache_store (cache, result);
  flush (cache);

  cached = get (cache, "bob@example.com");
  assert_same_answer (cached, result, "bob@example.com");
  loaded = load (cache, "bob@example.com");
  assert_same_answer (loaded, result, "bob@example.com");

  g_assert_null (load (fresh, "bob@example.com"));
  g_assert_cmpuint (count_files (fixture->tmp), ==, 0);

  ms_lookup_cache_clear (cache);
  g_assert_null (get (cache, "bob@example.com"));
}

static void
test_permissions (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, NULL, "mx.example.com");
  g_autofree char *parent = g_path_get_dirname (fixture->directory);
  g_autofree char *path = file_in (fixture->directory, "example.com");
  GStatBuf st;
  mode_t old_umask;

  /* Whatever the umask allows. */
  old_umask = umask (0);
  ms_lookup_cache_store (cache, result);
  flush (cache);
  umask (old_umask);

  g_assert_cmpint (g_stat (parent, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (fixture->directory, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* Replaced, still private; no temporary file left behind. */
  old_umask = umask (0);
  ms_lookup_cache_store (cache, result);
  flush (cache);
  umask (old_umask);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (count_files (fixture->directory), ==, 1);
}

static void
test_clear (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupCache) fresh = NULL;
  g_autoptr(MsLookupResult) one = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, NULL, NULL);
  g_autoptr(MsLookupResult) two = make_result ("alice@example.net", MS_LOOKUP_SOURCE_SRV, NULL, NULL);
  g_autoptr(MsAddress) addr = address ("alice@nothing.example");
  g_autoptr(MsLookupResult) none = ms_lookup_result_new (addr, MS_LOOKUP_SOURCE_NONE, NULL, NULL, NULL);
  g_autofree char *readme = file_in (fixture->directory, "README");

  ms_lookup_cache_store (cache, one);
  ms_lookup_cache_store (cache, two);
  ms_lookup_cache_store (cache, none);
  flush (cache);
  g_assert_true (g_file_set_contents (readme, "not the cache's", -1, NULL));
  g_assert_cmpuint (count_files (fixture->directory), ==, 3);

  ms_lookup_cache_clear (cache);
  g_assert_null (get (cache, "alice@example.com"));
  g_assert_null (get (cache, "alice@example.net"));
  g_assert_null (get (cache, "alice@nothing.example"));
  g_assert_null (load (cache, "alice@example.com"));
  /* Only what the cache wrote is removed. */
  g_assert_cmpuint (count_files (fixture->directory), ==, 1);
  g_assert_true (g_file_test (readme, G_FILE_TEST_EXISTS));

  fresh = new_cache (fixture, fixture->directory);
  g_assert_null (load (fresh, "alice@example.com"));
  g_assert_null (load (fresh, "alice@example.net"));

  /* Writes still to come or under way do not bring files back. */
  for (guint i = 0; i < 20; i++)
    {
      ms_lookup_cache_store (cache, one);
      ms_lookup_cache_store (cache, two);
      if (i % 2 == 1)
        g_main_context_iteration (NULL, FALSE);
      ms_lookup_cache_clear (cache);
      flush (cache);
      g_assert_cmpuint (count_files (fixture->directory), ==, 1);
    }

  /* And the cache works on afterwards. */
  ms_lookup_cache_store (cache, one);
  flush (cache);
  g_assert_cmpuint (count_files (fixture->directory), ==, 2);
  g_clear_object (&fresh);
  fresh = new_cache (fixture, fixture->directory);
  {
    g_autoptr(MsLookupResult) loaded = load (fresh, "bob@example.com");

    assert_same_answer (loaded, one, "bob@example.com");
  }
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(MsLookupCache) cache = new_cache (fixture, fixture->directory);
  g_autoptr(MsLookupCache) fresh = NULL;
  g_autoptr(MsLookupResult) result = make_result ("alice@example.com", MS_LOOKUP_SOURCE_MX, NULL, NULL);

  ms_lookup_cache_store (cache, result);
  flush (cache);

  /* Cancelled before: even a memory hit reports it. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(MsLookupResult) loaded = NULL;

    g_cancellable_cancel (cancellable);
    loaded = load_full (cache, "bob@example.com", cancellable, FALSE, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (loaded);
  }

  /* Cancelled while the file is read. */
  fresh = new_cache (fixture, fixture->directory);
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(MsLookupResult) loaded = NULL;

    loaded = load_full (fresh, "bob@example.com", cancellable, TRUE, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (loaded);
  }

  /* Cancelled while there is no file to read. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(MsLookupResult) loaded = NULL;

    loaded = load_full (fresh, "bob@example.org", cancellable, TRUE, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (loaded);
  }

  /* The cache is fine afterwards. */
  {
    g_autoptr(MsLookupResult) loaded = load (fresh, "bob@example.com");

    assert_same_answer (loaded, result, "bob@example.com");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/lookup-cache/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("memory/other-address", test_memory_other_address);
  ADD ("disk/round-trip", test_disk_round_trip);
  ADD ("disk/last-store-wins", test_last_store_wins);
  ADD ("disk/not-written", test_not_written);
  ADD ("disk/bad-files", test_bad_files);
  ADD ("disk/permissions", test_permissions);
  ADD ("expiry/memory", test_expiry_memory);
  ADD ("expiry/disk", test_expiry_disk);
  ADD ("negative", test_negative);
  ADD ("catalogue-not-stored", test_catalogue_not_stored);
  ADD ("no-directory", test_no_directory);
  ADD ("clear", test_clear);
  ADD ("cancel", test_cancel);

#undef ADD

  return g_test_run ();
}
