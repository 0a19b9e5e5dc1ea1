/* bench-core.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Core benchmarks, off the network:
 *
 *  - loading the catalogue as the app does (ms_catalogue_new_default():
 *    the built-in providers, then a user directory), with 3 extra provider
 *    files (copies of qq.xml under other ids and domains) in a temporary
 *    user directory: 25 providers today;
 *  - MsLookup on a private GMainContext, with FakeResolver as the default
 *    GResolver, no ISPDB and no disk cache: a catalogue hit; an MX lookup
 *    whose DNS answers come after the 1 s deadline; an MX lookup answered at
 *    once, then a cached repeat (same domain, another address).
 *
 *   bench-core [QQ_XML] [--runs N]
 *
 * QQ_XML defaults to $MS_PROVIDERS_SRCDIR/qq.xml. Prints a table of
 * figures, targets and PASS or TARGET MISSED; exits 0 when it ran.
 */

#include <glib/gstdio.h>
#include <string.h>
#include <time.h>

#include "ms-catalogue.h"
#include "ms-lookup.h"
#include "../fake-resolver.h"

#define N_EXTRA 3

static gboolean all_met = TRUE;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (GArray *times)
{
  g_array_sort (times, compare_double);
  if (times->len % 2 == 1)
    return g_array_index (times, double, times->len / 2);
  return (g_array_index (times, double, times->len / 2 - 1) +
          g_array_index (times, double, times->len / 2)) / 2;
}

static void
row (const char *figure,
     double      value_ms,
     guint       runs,
     const char *target,
     gboolean    met)
{
  g_print ("| %-52s | %10.4f ms | %5u | %-12s | %-13s |\n",
           figure, value_ms, runs, target, met ? "PASS" : "TARGET MISSED");
  all_met = all_met && met;
}

/* The catalogue */

static char *
make_user_directory (const char *qq_xml)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  char *dir = g_dir_make_tmp ("bench-core-XXXXXX", &error);

  g_assert_no_error (error);
  g_file_get_contents (qq_xml, &contents, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 1; i <= N_EXTRA; i++)
    {
      g_autofree char *id = g_strdup_printf ("id=\"bench-extra-%u\"", i);
      g_autofree char *domain = g_strdup_printf ("bench-extra-%u.test", i);
      g_autofree char *name = g_strdup_printf ("bench-extra-%u.xml", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GString) text = g_string_new (contents);

      g_assert_cmpuint (g_string_replace (text, "id=\"qq\"", id, 1), ==, 1);
      g_string_replace (text, "foxmail.com", domain, 0);
      g_string_replace (text, "vip.qq.com", domain, 0);
      g_string_replace (text, "qq.com", domain, 0);
      g_file_set_contents (path, text->str, text->len, &error);
      g_assert_no_error (error);
    }

  return dir;
}

static MsCatalogue *
load_catalogue (const char *user_dir)
{
  /* What ms_catalogue_new_default() does, with another user directory. */
  MsCatalogue *catalogue = ms_catalogue_new (NULL);

  ms_catalogue_load_builtin (catalogue);
  ms_catalogue_load_directory (catalogue, user_dir);
  return catalogue;
}

static guint
count_providers (MsCatalogue *catalogue)
{
  static const char *builtin[] = {
    "263", "alibaba-mail", "aliyun-mail", "aliyun-qiye", "china-mobile-139",
    "china-telecom-189", "exmail", "fastmail", "gmail", "gmx", "icloud", "mail-ru",
    "netease-qiye", "netease", "outlook", "qq", "sina", "sohu", "web-de", "yahoo",
    "yandex", "zoho",
  };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (builtin); i++)
    n += ms_catalogue_get_provider (catalogue, builtin[i]) != NULL;
  for (guint i = 1; i <= N_EXTRA; i++)
    {
      g_autofree char *id = g_strdup_printf ("bench-extra-%u", i);
      n += ms_catalogue_get_provider (catalogue, id) != NULL;
    }
  return n;
}

/* Lookups */

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (result);
}

static MsLookupResult *
lookup_on (MsLookup     *lookup,
           GMainContext *context,
           const char   *email,
           double       *elapsed_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAddress) address = ms_address_parse (email, &error);
  g_autoptr(GAsyncResult) async_result = NULL;
  MsLookupResult *result;
  double start;

  g_assert_no_error (error);
  start = now_ms ();
  ms_lookup_lookup_async (lookup, address, NULL, got_result, &async_result);
  while (async_result == NULL)
    g_main_context_iteration (context, TRUE);
  result = ms_lookup_lookup_finish (lookup, async_result, &error);
  *elapsed_ms = now_ms () - start;
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
assert_answer (MsLookupResult *result,
               MsLookupSource  source,
               const char     *provider_id)
{
  MsProvider *provider = ms_lookup_result_get_provider (result);

  g_assert_cmpint (ms_lookup_result_get_source (result), ==, source);
  if (provider_id == NULL)
    g_assert_null (provider);
  else
    g_assert_cmpstr (ms_provider_get_id (provider), ==, provider_id);
}

int
main (int   argc,
      char *argv[])
{
  const char *qq_xml = NULL;
  g_autofree char *default_qq = NULL;
  g_autofree char *user_dir = NULL;
  g_autoptr(MsCatalogue) catalogue = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(FakeResolver) resolver = NULL;
  g_autoptr(MsLookup) lookup = NULL;
  guint runs = 200;
  double t;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
          runs = MAX (runs, 1);
        }
      else
        qq_xml = argv[i];
    }
  if (qq_xml == NULL)
    {
      const char *dir = g_getenv ("MS_PROVIDERS_SRCDIR");

      if (dir == NULL)
        {
          g_printerr ("Usage: bench-core [QQ_XML] [--runs N] (or set MS_PROVIDERS_SRCDIR)\n");
          return 2;
        }
      qq_xml = default_qq = g_build_filename (dir, "qq.xml", NULL);
    }

  g_print ("# Core: catalogue and lookup\n\n");
  g_print ("| %-52s | %13s | %5s | %-12s | %-13s |\n", "figure", "median", "runs", "target", "verdict");
  g_print ("|%s|%s|%s|%s|%s|\n", "------------------------------------------------------",
           "---------------", "-------", "--------------", "---------------");

  /* 1. Catalogue load, 22 built-in + 3 user files */
  user_dir = make_user_directory (qq_xml);
  catalogue = load_catalogue (user_dir);              /* warm-up, and check */
  g_assert_cmpuint (count_providers (catalogue), ==, 22 + N_EXTRA);
  g_assert_null (ms_catalogue_get_problems (catalogue) ?
                 ms_catalogue_get_problems (catalogue)[0] : NULL);
  for (guint i = 0; i < runs; i++)
    {
      double start = now_ms ();
      MsCatalogue *c = load_catalogue (user_dir);

      t = now_ms () - start;
      g_array_append_val (times, t);
      g_object_unref (c);
    }
  t = median (times);
  row ("catalogue load, 25 providers (22 built-in + 3 user)", t, runs, "< 5 ms", t < 5.0);

  /* The lookups, on a private main context, off the network. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  resolver = fake_resolver_new ();
  fake_resolver_add_mx (resolver, "slow.test", 10, "mxbiz1.qq.com");
  fake_resolver_add_mx (resolver, "hosted.test", 10, "mxbiz1.qq.com");
  fake_resolver_add_mx (resolver, "hosted.test", 20, "mxbiz2.qq.com");
  g_resolver_set_default (G_RESOLVER (resolver));

  lookup = ms_lookup_new (catalogue);
  ms_lookup_set_resolver (lookup, G_RESOLVER (resolver));
  ms_lookup_set_ispdb_url (lookup, NULL);
  ms_lookup_set_cache_directory (lookup, NULL);
  ms_lookup_set_timeout (lookup, 1);

  /* 2. A catalogue hit, asynchronous and offline */
  g_array_set_size (times, 0);
  for (guint i = 0; i < runs * 5; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%u@qq.com", i);
      g_autoptr(MsLookupResult) result = lookup_on (lookup, context, email, &t);

      assert_answer (result, MS_LOOKUP_SOURCE_CATALOGUE, "qq");
      g_array_append_val (times, t);
    }
  t = median (times);
  row ("lookup: catalogue hit (qq.com), async", t, runs * 5, "< 1 ms", t < 1.0);

  g_array_set_size (times, 0);
  for (guint i = 0; i < runs * 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *email = g_strdup_printf ("user%u@bench-extra-2.test", i);
      g_autoptr(MsAddress) address = ms_address_parse (email, &error);
      g_autoptr(MsLookupResult) result = NULL;
      double start = now_ms ();

      result = ms_lookup_lookup_offline (lookup, address);
      t = now_ms () - start;
      assert_answer (result, MS_LOOKUP_SOURCE_CATALOGUE, "bench-extra-2");
      g_array_append_val (times, t);
    }
  t = median (times);
  row ("lookup: catalogue hit (user provider), offline", t, runs * 5, "< 1 ms", t < 1.0);

  /* 3. DNS answering after the deadline: 3 s late, deadline 1 s. Such a
   * "nothing found" is not cached, so each run asks again. */
  fake_resolver_set_delay_ms (resolver, 3000);
  g_array_set_size (times, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(MsLookupResult) result = lookup_on (lookup, context, "a@slow.test", &t);

      assert_answer (result, MS_LOOKUP_SOURCE_NONE, NULL);
      g_array_append_val (times, t);
    }
  t = median (times);
  row ("lookup: MX 3 s late, deadline 1 s (ends at)", t, 3, "~ 1000 ms", t >= 950 && t < 1200);

  /* Let the cancelled late answers go before the next figures. */
  while (g_main_context_iteration (context, FALSE))
    ;

  /* 4. MX answered at once (hosted exmail), then a cached repeat. */
  fake_resolver_set_delay_ms (resolver, 0);
  {
    g_autoptr(MsLookupResult) result = lookup_on (lookup, context, "first@hosted.test", &t);

    assert_answer (result, MS_LOOKUP_SOURCE_MX, "exmail");
    row ("lookup: MX answered at once (first, uncached)", t, 1, "(info)", TRUE);
  }
  g_array_set_size (times, 0);
  for (guint i = 0; i < runs * 5; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%u@hosted.test", i);
      g_autoptr(MsLookupResult) result = lookup_on (lookup, context, email, &t);

      assert_answer (result, MS_LOOKUP_SOURCE_MX, "exmail");
      g_array_append_val (times, t);
    }
  t = median (times);
  row ("lookup: cached repeat (same domain, other address)", t, runs * 5, "< 1 ms", t < 1.0);
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "hosted.test"), ==, 1);

  g_main_context_pop_thread_default (context);

  g_print ("\ncore: %s\n", all_met ? "all targets met" : "TARGET MISSED");

  for (guint i = 1; i <= N_EXTRA; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-extra-%u.xml", i);
      g_autofree char *path = g_build_filename (user_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (user_dir);

  return 0;
}
