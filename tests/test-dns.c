/* test-dns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The DNS layers against FakeResolver: MX records sorted and cleaned, null
 * MX, missing names, DNS failures, cancellation (also of an answer still on
 * its way); RFC 6186 / 8314 SRV records for the four services, "." targets,
 * priorities, one side only, partial failures; base domains with the
 * public suffix list; the host name rules. The guess layer's candidates,
 * and its rules that need no mail server (test-guess.py probes dovecot):
 * nothing confirmed is NOT_FOUND naming what was tried, the deadline ends a
 * server that never speaks, cancelling ends it all. And FakeResolver
 * itself, as GIO's default resolver (GSocketClient connecting by a
 * made-up name) and read from a key file.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fake-resolver.h"
#include "ms-dns.h"
#include "ms-guess.h"
#include "silent-server.h"

/* Running one async call */

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static void
wait_init (Wait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  wait->result = NULL;
}

static void
wait_clear (Wait *wait)
{
  g_clear_object (&wait->result);
  g_main_loop_unref (wait->loop);
}

static GStrv
lookup_mx (FakeResolver  *resolver,
           const char    *domain,
           GCancellable  *cancellable,
           GError       **error)
{
  Wait wait;
  GStrv hosts;

  wait_init (&wait);
  ms_dns_lookup_mx_async (G_RESOLVER (resolver), domain, cancellable, done_cb, &wait);
  g_main_loop_run (wait.loop);
  hosts = ms_dns_lookup_mx_finish (wait.result, error);
  wait_clear (&wait);

  return hosts;
}

static gboolean
lookup_srv (FakeResolver  *resolver,
            const char    *domain,
            GCancellable  *cancellable,
            GPtrArray    **imap,
            GPtrArray    **smtp,
            GError       **error)
{
  Wait wait;
  gboolean ok;

  wait_init (&wait);
  ms_dns_lookup_srv_async (G_RESOLVER (resolver), domain, cancellable, done_cb, &wait);
  g_main_loop_run (wait.loop);
  ok = ms_dns_lookup_srv_finish (wait.result, imap, smtp, error);
  wait_clear (&wait);

  return ok;
}

static void
assert_server (GPtrArray  *servers,
               guint       index,
               const char *host,
               guint16     port,
               MsSecurity  security)
{
  MsServer *server;

  g_assert_cmpuint (index, <, servers->len);
  server = g_ptr_array_index (servers, index);
  g_assert_cmpstr (server->hostname, ==, host);
  g_assert_cmpuint (server->port, ==, port);
  g_assert_cmpint (server->security, ==, security);
  /* RFC 6186: the login name is the whole address. */
  g_assert_cmpstr (ms_server_get_username_rule (server), ==, "email");
}

/* MX */

static void
test_mx_sorted (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  const char *expected[] = { "mxbiz1.qq.com", "mx-b.qq.com", "mxbiz2.qq.com", NULL };

  fake_resolver_add_mx (resolver, "example.test", 20, "MXBIZ2.QQ.COM.");
  fake_resolver_add_mx (resolver, "example.test", 10, "mxbiz1.qq.com");
  fake_resolver_add_mx (resolver, "example.test", 10, "bad_host.qq.com");
  fake_resolver_add_mx (resolver, "example.test", 5, "-bad.example.test");
  fake_resolver_add_mx (resolver, "example.test", 1, "192.0.2.1");
  fake_resolver_add_mx (resolver, "example.test", 10, "mx-b.qq.com");
  fake_resolver_add_mx (resolver, "example.test", 30, "MXbiz1.qq.com.");

  /* The domain as a user types it. */
  hosts = lookup_mx (resolver, "Example.TEST.", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (hosts, expected);
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "example.test"), ==, 1);
}

static void
test_mx_limit (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *host = g_strdup_printf ("mx%02u.example.test", i);

      fake_resolver_add_mx (resolver, "example.test", 100 - i, host);
    }

  hosts = lookup_mx (resolver, "example.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (hosts), ==, MS_DNS_MAX_HOSTS);
  /* The most preferred ones: the lowest preference values. */
  g_assert_cmpstr (hosts[0], ==, "mx39.example.test");
  g_assert_cmpstr (hosts[MS_DNS_MAX_HOSTS - 1], ==, "mx24.example.test");
}

static void
test_mx_null (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  fake_resolver_add_mx (resolver, "nomail.test", 0, ".");
  fake_resolver_add_mx (resolver, "empty.test", 0, "");

  hosts = lookup_mx (resolver, "nomail.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (hosts);
  g_assert_nonnull (strstr (error->message, "null MX"));
  g_clear_error (&error);

  hosts = lookup_mx (resolver, "empty.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (hosts);
}

static void
test_mx_not_found (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  /* A name with other records but no MX answers as NXDOMAIN does. */
  fake_resolver_add_host (resolver, "web.test", "192.0.2.1");
  fake_resolver_set_failure (resolver, "nxdomain.test", G_RESOLVER_ERROR_NOT_FOUND);

  hosts = lookup_mx (resolver, "web.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (hosts);
  g_clear_error (&error);

  hosts = lookup_mx (resolver, "nxdomain.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (hosts);
}

static void
test_mx_failure (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  fake_resolver_add_mx (resolver, "flaky.test", 10, "mx.flaky.test");
  fake_resolver_set_failure (resolver, "flaky.test", G_RESOLVER_ERROR_TEMPORARY_FAILURE);
  fake_resolver_set_failure (resolver, "broken.test", G_RESOLVER_ERROR_INTERNAL);

  hosts = lookup_mx (resolver, "flaky.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "flaky.test"));
  g_assert_null (hosts);
  g_clear_error (&error);

  hosts = lookup_mx (resolver, "broken.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NETWORK);
  g_assert_null (hosts);
}

static void
test_mx_invalid (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  fake_resolver_add_mx (resolver, "bad.test", 10, "under_score.bad.test");
  fake_resolver_add_mx (resolver, "bad.test", 20, "a..b.test");

  hosts = lookup_mx (resolver, "bad.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
  g_assert_null (hosts);
  g_clear_error (&error);

  /* Not a domain at all: nothing is asked. */
  hosts = lookup_mx (resolver, "not a domain", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
  g_assert_null (hosts);
  g_clear_error (&error);

  hosts = lookup_mx (resolver, "", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
  g_assert_null (hosts);
}

static void
test_mx_idn (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  g_autofree char *ascii = g_hostname_to_ascii ("例子.test");

  fake_resolver_add_mx (resolver, ascii, 10, "mx.example.test");

  hosts = lookup_mx (resolver, "例子.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (hosts), ==, 1);
  g_assert_cmpstr (hosts[0], ==, "mx.example.test");
}

static void
test_mx_cancelled (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;

  fake_resolver_add_mx (resolver, "example.test", 10, "mx.example.test");
  g_cancellable_cancel (cancellable);

  hosts = lookup_mx (resolver, "example.test", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (hosts);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_mx_delayed (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  gint64 start;

  fake_resolver_add_mx (resolver, "example.test", 10, "mx.example.test");

  /* A slow answer still comes. */
  fake_resolver_set_delay_ms (resolver, 100);
  start = g_get_monotonic_time ();
  hosts = lookup_mx (resolver, "example.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hosts[0], ==, "mx.example.test");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 90 * 1000);
  g_clear_pointer (&hosts, g_strfreev);

  /* One that would take 10 s is cancelled at once. */
  fake_resolver_set_delay_ms (resolver, 10000);
  g_timeout_add (50, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  hosts = lookup_mx (resolver, "example.test", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (hosts);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* SRV */

static void
add_all_services (FakeResolver *resolver,
                  const char   *domain)
{
  g_autofree char *imaps = g_strconcat ("_imaps._tcp.", domain, NULL);
  g_autofree char *imap = g_strconcat ("_imap._tcp.", domain, NULL);
  g_autofree char *submissions = g_strconcat ("_submissions._tcp.", domain, NULL);
  g_autofree char *submission = g_strconcat ("_submission._tcp.", domain, NULL);

  fake_resolver_add_srv (resolver, imaps, 0, 1, 993, "imap.x.test.");
  fake_resolver_add_srv (resolver, imap, 0, 1, 143, "IMAP.x.test");
  fake_resolver_add_srv (resolver, submissions, 0, 1, 465, "smtp.x.test");
  fake_resolver_add_srv (resolver, submission, 0, 1, 587, "smtp.x.test");
}

static void
test_srv_all (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;

  add_all_services (resolver, "x.test");

  g_assert_true (lookup_srv (resolver, "x.test", NULL, &imap, &smtp, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (imap->len, ==, 2);
  assert_server (imap, 0, "imap.x.test", 993, MS_SECURITY_SSL);
  assert_server (imap, 1, "imap.x.test", 143, MS_SECURITY_STARTTLS);
  g_assert_cmpint (((MsServer *)g_ptr_array_index (imap, 0))->protocol, ==, MS_PROTOCOL_IMAP);

  g_assert_cmpuint (smtp->len, ==, 2);
  assert_server (smtp, 0, "smtp.x.test", 465, MS_SECURITY_SSL);
  assert_server (smtp, 1, "smtp.x.test", 587, MS_SECURITY_STARTTLS);
  g_assert_cmpint (((MsServer *)g_ptr_array_index (smtp, 0))->protocol, ==, MS_PROTOCOL_SMTP);

  /* Each of the four was asked once. */
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "_imaps._tcp.x.test"), ==, 1);
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "_imap._tcp.x.test"), ==, 1);
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "_submissions._tcp.x.test"), ==, 1);
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "_submission._tcp.x.test"), ==, 1);
}

static void
test_srv_not_offered (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;

  /* RFC 6186: "." says the service is not offered. */
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 0, 0, 0, ".");
  fake_resolver_add_srv (resolver, "_imap._tcp.x.test", 0, 1, 143, "imap.x.test");
  fake_resolver_add_srv (resolver, "_submissions._tcp.x.test", 0, 0, 0, ".");
  fake_resolver_add_srv (resolver, "_submission._tcp.x.test", 0, 0, 0, ".");

  g_assert_true (lookup_srv (resolver, "x.test", NULL, &imap, &smtp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imap->len, ==, 1);
  assert_server (imap, 0, "imap.x.test", 143, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (smtp->len, ==, 0);
  g_clear_pointer (&imap, g_ptr_array_unref);
  g_clear_pointer (&smtp, g_ptr_array_unref);

  /* Nothing offered at all. */
  fake_resolver_add_srv (resolver, "_imaps._tcp.none.test", 0, 0, 0, ".");
  fake_resolver_add_srv (resolver, "_submission._tcp.none.test", 0, 0, 0, ".");
  g_assert_false (lookup_srv (resolver, "none.test", NULL, &imap, &smtp, &error));
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (imap);
  g_assert_null (smtp);
}

static void
test_srv_priorities (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;

  /* STARTTLS with a better priority still comes after implicit TLS. */
  fake_resolver_add_srv (resolver, "_imap._tcp.x.test", 0, 0, 143, "starttls.x.test");
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 20, 0, 993, "c.x.test");
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 10, 0, 993, "b.x.test");
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 10, 60, 993, "a.x.test");
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 10, 0, 9993, "b2.x.test");
  /* A duplicate, an invalid port and an invalid name are dropped. */
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 30, 0, 993, "A.x.test");
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 0, 0, 0, "zero.x.test");
  fake_resolver_add_srv (resolver, "_imaps._tcp.x.test", 0, 0, 993, "bad_name.x.test");

  g_assert_true (lookup_srv (resolver, "x.test", NULL, &imap, &smtp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imap->len, ==, 5);
  assert_server (imap, 0, "a.x.test", 993, MS_SECURITY_SSL);
  assert_server (imap, 1, "b.x.test", 993, MS_SECURITY_SSL);
  assert_server (imap, 2, "b2.x.test", 9993, MS_SECURITY_SSL);
  assert_server (imap, 3, "c.x.test", 993, MS_SECURITY_SSL);
  assert_server (imap, 4, "starttls.x.test", 143, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (smtp->len, ==, 0);
}

static void
test_srv_smtp_only (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;

  fake_resolver_add_srv (resolver, "_submission._tcp.x.test", 0, 1, 587, "smtp.x.test");

  g_assert_true (lookup_srv (resolver, "x.test", NULL, &imap, &smtp, &error));
  g_assert_no_error (error);
  g_assert_nonnull (imap);
  g_assert_cmpuint (imap->len, ==, 0);
  g_assert_cmpuint (smtp->len, ==, 1);
  assert_server (smtp, 0, "smtp.x.test", 587, MS_SECURITY_STARTTLS);

  /* Either array may be left out. */
  g_clear_pointer (&smtp, g_ptr_array_unref);
  g_assert_true (lookup_srv (resolver, "x.test", NULL, NULL, &smtp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (smtp->len, ==, 1);
}

static void
test_srv_failures (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;

  /* One lookup failing does not lose what the others found. */
  add_all_services (resolver, "x.test");
  fake_resolver_set_failure (resolver, "_imaps._tcp.x.test", G_RESOLVER_ERROR_TEMPORARY_FAILURE);
  g_assert_true (lookup_srv (resolver, "x.test", NULL, &imap, &smtp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imap->len, ==, 1);
  assert_server (imap, 0, "imap.x.test", 143, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (smtp->len, ==, 2);
  g_clear_pointer (&imap, g_ptr_array_unref);
  g_clear_pointer (&smtp, g_ptr_array_unref);

  /* No record anywhere: NOT_FOUND. */
  g_assert_false (lookup_srv (resolver, "nothing.test", NULL, &imap, &smtp, &error));
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nothing found and DNS failed: it may have had records. */
  fake_resolver_set_failure (resolver, "_submission._tcp.down.test", G_RESOLVER_ERROR_TEMPORARY_FAILURE);
  g_assert_false (lookup_srv (resolver, "down.test", NULL, &imap, &smtp, &error));
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NETWORK);
  g_clear_error (&error);

  g_assert_false (lookup_srv (resolver, "bad_domain", NULL, &imap, &smtp, &error));
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID);
}

static void
test_srv_cancelled (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  add_all_services (resolver, "x.test");
  fake_resolver_set_delay_ms (resolver, 10000);
  g_timeout_add (50, cancel_cb, cancellable);

  start = g_get_monotonic_time ();
  g_assert_false (lookup_srv (resolver, "x.test", cancellable, &imap, &smtp, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (imap);
  g_assert_null (smtp);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* Base domains and host names */

static void
test_base_domain (void)
{
  static const struct { const char *host; const char *base; } cases[] = {
    { "mxbiz1.qq.com", "qq.com" },
    { "mx1.qiye.aliyun.com", "aliyun.com" },
    { "a.b.example.co.uk", "example.co.uk" },
    { "MX1.QQ.COM.", "qq.com" },
    { "qq.com", "qq.com" },
    { "mx.example.com.cn", "example.com.cn" },
    { "hwsmtp.exmail.qq.com", "qq.com" },
    { "a.xn--fiqs8s", "a.xn--fiqs8s" },
    { "mx.例子.中国", "xn--fsqu00a.xn--fiqs8s" },
    /* A top-level domain the list does not know: the default rule. */
    { "mx.example.test", "example.test" },
    { "example.test", "example.test" },
    /* No registrable domain */
    { "co.uk", NULL },
    { "com", NULL },
    { "localhost", NULL },
    { "127.0.0.1", NULL },
    { "::1", NULL },
    { "", NULL },
    { ".", NULL },
    { "bad_name.example.com", NULL },
    { ".example.com", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *base = ms_dns_dup_base_domain (cases[i].host);

      g_test_message ("%s → %s", cases[i].host, base);
      g_assert_cmpstr (base, ==, cases[i].base);
    }
}

static void
test_valid_hostname (void)
{
  g_autofree char *label63 = g_strnfill (63, 'a');
  g_autofree char *label64 = g_strnfill (64, 'a');
  g_autofree char *host63 = g_strconcat (label63, ".example.test", NULL);
  g_autofree char *host64 = g_strconcat (label64, ".example.test", NULL);
  /* 4 × 63 + 3 dots = 255; cut to 253 and 254. */
  g_autofree char *long255 = g_strjoin (".", label63, label63, label63, label63, NULL);
  g_autofree char *long253 = g_strndup (long255, 253);
  g_autofree char *long254 = g_strndup (long255, 254);
  g_autofree char *long253_dot = g_strconcat (long253, ".", NULL);
  const struct { const char *host; gboolean valid; } cases[] = {
    { "example.com", TRUE },
    { "imap.example.com", TRUE },
    { "localhost", TRUE },
    { "a", TRUE },
    { "A-1.B2.example", TRUE },
    { "xn--fiqs8s", TRUE },
    { "123.example.com", TRUE },
    { "example.com.", TRUE },
    { host63, TRUE },
    { long253, TRUE },
    { long253_dot, TRUE },
    { NULL, FALSE },
    { "", FALSE },
    { ".", FALSE },
    { "..", FALSE },
    { "example..com", FALSE },
    { ".example.com", FALSE },
    { "example.com..", FALSE },
    { "-example.com", FALSE },
    { "example-.com", FALSE },
    { "ex_ample.com", FALSE },
    { "_imaps._tcp.example.com", FALSE },
    { "exa mple.com", FALSE },
    { "例子.中国", FALSE },
    { "example.com/", FALSE },
    { "user@example.com", FALSE },
    { "127.0.0.1", FALSE },
    { "::1", FALSE },
    { "[::1]", FALSE },
    { host64, FALSE },
    { long254, FALSE },
    { long255, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("“%s”", cases[i].host ? cases[i].host : "(null)");
      g_assert_cmpint (ms_dns_is_valid_hostname (cases[i].host), ==, cases[i].valid);
    }
}

/* Guess */

static void
test_guess_candidates (void)
{
  g_autoptr(GPtrArray) imap = ms_guess_candidates ("Example.COM", MS_PROTOCOL_IMAP);
  g_autoptr(GPtrArray) smtp = ms_guess_candidates ("example.com.", MS_PROTOCOL_SMTP);
  g_autoptr(GPtrArray) idn = ms_guess_candidates ("例子.中国", MS_PROTOCOL_IMAP);
  g_autoptr(GPtrArray) invalid = ms_guess_candidates ("not a domain", MS_PROTOCOL_IMAP);
  g_autofree char *label = g_strnfill (63, 'a');
  g_autofree char *last = g_strnfill (60, 'b');
  g_autofree char *long_domain = g_strjoin (".", label, label, label, last, NULL);
  g_autoptr(GPtrArray) too_long = NULL;

  g_assert_cmpuint (imap->len, ==, 4);
  assert_server (imap, 0, "imap.example.com", 993, MS_SECURITY_SSL);
  assert_server (imap, 1, "mail.example.com", 993, MS_SECURITY_SSL);
  assert_server (imap, 2, "imap.example.com", 143, MS_SECURITY_STARTTLS);
  assert_server (imap, 3, "mail.example.com", 143, MS_SECURITY_STARTTLS);
  g_assert_cmpint (((MsServer *)g_ptr_array_index (imap, 0))->protocol, ==, MS_PROTOCOL_IMAP);

  g_assert_cmpuint (smtp->len, ==, 4);
  assert_server (smtp, 0, "smtp.example.com", 465, MS_SECURITY_SSL);
  assert_server (smtp, 1, "mail.example.com", 465, MS_SECURITY_SSL);
  assert_server (smtp, 2, "smtp.example.com", 587, MS_SECURITY_STARTTLS);
  assert_server (smtp, 3, "mail.example.com", 587, MS_SECURITY_STARTTLS);
  g_assert_cmpint (((MsServer *)g_ptr_array_index (smtp, 0))->protocol, ==, MS_PROTOCOL_SMTP);

  g_assert_cmpuint (idn->len, ==, 4);
  assert_server (idn, 0, "imap.xn--fsqu00a.xn--fiqs8s", 993, MS_SECURITY_SSL);

  g_assert_cmpuint (invalid->len, ==, 0);

  /* 252 characters: "imap." and "mail." make names longer than 253. */
  g_assert_true (ms_dns_is_valid_hostname (long_domain));
  too_long = ms_guess_candidates (long_domain, MS_PROTOCOL_IMAP);
  g_assert_cmpuint (too_long->len, ==, 0);
}

static GPtrArray *
probe (GPtrArray     *candidates,
       guint          timeout_ms,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(MsTlsTrust) trust = ms_tls_trust_new (NULL, NULL);
  GPtrArray *confirmed;
  Wait wait;

  wait_init (&wait);
  ms_guess_probe_async (candidates, trust, timeout_ms, cancellable, done_cb, &wait);
  g_main_loop_run (wait.loop);
  confirmed = ms_guess_probe_finish (wait.result, error);
  wait_clear (&wait);

  return confirmed;
}

static void
test_guess_nothing (void)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  g_autoptr(GPtrArray) confirmed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refused = NULL;
  g_autofree char *silent_ssl = NULL;
  g_autofree char *silent_starttls = NULL;
  Silent *silent = silent_new ();
  guint16 port = closed_port ();
  gint64 start;

  g_ptr_array_add (candidates, ms_server_new (MS_PROTOCOL_IMAP, "127.0.0.1", port, MS_SECURITY_SSL, NULL));
  g_ptr_array_add (candidates, ms_server_new (MS_PROTOCOL_IMAP, "127.0.0.1", silent->port, MS_SECURITY_SSL, NULL));
  g_ptr_array_add (candidates, ms_server_new (MS_PROTOCOL_SMTP, "127.0.0.1", silent->port, MS_SECURITY_STARTTLS, NULL));

  start = g_get_monotonic_time ();
  confirmed = probe (candidates, 500, NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (confirmed);
  /* The deadline, not the 10 s a step may take. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 450 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);

  /* Each candidate is named, with what happened to it. */
  refused = g_strdup_printf ("imap 127.0.0.1:%u (ssl): ", port);
  silent_ssl = g_strdup_printf ("imap 127.0.0.1:%u (ssl): no answer in time", silent->port);
  silent_starttls = g_strdup_printf ("smtp 127.0.0.1:%u (starttls): no answer in time", silent->port);
  g_assert_nonnull (strstr (error->message, refused));
  g_assert_nonnull (strstr (error->message, silent_ssl));
  g_assert_nonnull (strstr (error->message, silent_starttls));
  g_clear_error (&error);

  /* Nothing to try. */
  g_ptr_array_set_size (candidates, 0);
  confirmed = probe (candidates, 500, NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_assert_null (confirmed);

  silent_free (silent);
}

static void
test_guess_cancelled (void)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) confirmed = NULL;
  g_autoptr(GError) error = NULL;
  Silent *silent = silent_new ();
  gint64 start;

  g_ptr_array_add (candidates, ms_server_new (MS_PROTOCOL_IMAP, "127.0.0.1", silent->port, MS_SECURITY_SSL, NULL));
  g_ptr_array_add (candidates, ms_server_new (MS_PROTOCOL_IMAP, "127.0.0.1", silent->port, MS_SECURITY_STARTTLS, NULL));

  g_timeout_add (100, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  confirmed = probe (candidates, 10000, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (confirmed);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Cancelled before it starts. */
  confirmed = probe (candidates, 10000, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (confirmed);

  silent_free (silent);
}

/* FakeResolver itself */

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static void
test_fake_default (void)
{
  g_autoptr(FakeResolver) resolver = fake_resolver_new ();
  g_autoptr(GResolver) previous = g_resolver_get_default ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) targets = NULL;
  guint16 port;
  Wait wait;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);

  fake_resolver_add_host (resolver, "imap.made-up.test", "127.0.0.1");
  fake_resolver_add_srv (resolver, "_imaps._tcp.made-up.test", 0, 0, 993, "imap.made-up.test");
  g_resolver_set_default (G_RESOLVER (resolver));

  /* GSocketClient asks for IPv4 and IPv6 apart. */
  g_socket_client_set_enable_proxy (client, FALSE);
  wait_init (&wait);
  g_socket_client_connect_to_host_async (client, "imap.made-up.test", port, NULL, connected_cb, &wait);
  g_main_loop_run (wait.loop);
  connection = g_socket_client_connect_to_host_finish (client, wait.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);
  wait_clear (&wait);
  g_assert_cmpuint (fake_resolver_get_query_count (resolver, "imap.made-up.test"), >=, 1);
  g_clear_object (&connection);

  /* An unknown name fails as in DNS. */
  wait_init (&wait);
  g_socket_client_connect_to_host_async (client, "nowhere.made-up.test", port, NULL, connected_cb, &wait);
  g_main_loop_run (wait.loop);
  connection = g_socket_client_connect_to_host_finish (client, wait.result, &error);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_null (connection);
  wait_clear (&wait);
  g_clear_error (&error);

  /* GResolver's own SRV lookup, on top of lookup_records. */
  targets = g_resolver_lookup_service (G_RESOLVER (resolver), "imaps", "tcp", "made-up.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (targets), ==, 1);
  g_assert_cmpstr (g_srv_target_get_hostname (targets->data), ==, "imap.made-up.test");
  g_assert_cmpuint (g_srv_target_get_port (targets->data), ==, 993);
  g_list_free_full (g_steal_pointer (&targets), (GDestroyNotify)g_srv_target_free);

  /* Synchronous lookups and reverse lookups. */
  {
    GList *addresses = g_resolver_lookup_by_name (G_RESOLVER (resolver), "IMAP.made-up.test.", NULL, &error);
    g_autofree char *name = NULL;
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_length (addresses), ==, 1);
    g_assert_true (g_inet_address_equal (addresses->data, loopback));
    g_resolver_free_addresses (addresses);

    name = g_resolver_lookup_by_address (G_RESOLVER (resolver), loopback, NULL, &error);
    g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
    g_assert_null (name);
    g_clear_error (&error);
  }

  g_socket_listener_close (listener);
  g_resolver_set_default (previous);
}

static void
test_fake_key_file (void)
{
  static const char contents[] =
    "# comment\n"
    "[mx]\n"
    "example.test=20 mxbiz2.qq.com;10 mxbiz1.qq.com\n"
    "nomail.test=0 .\n"
    "[srv]\n"
    "_imaps._tcp.x.test=0 1 993 imap.x.test\n"
    "_submission._tcp.x.test=0  1  587  smtp.x.test;10 1 587 backup.x.test\n"
    "[hosts]\n"
    "imap.x.test=127.0.0.1\n"
    "smtp.x.test=127.0.0.1;::1\n"
    "[failures]\n"
    "broken.test=temporary-failure\n"
    "[options]\n"
    "delay-ms=10\n";
  g_autofree char *path = NULL;
  g_autoptr(FakeResolver) resolver = NULL;
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  const char *expected[] = { "mxbiz1.qq.com", "mxbiz2.qq.com", NULL };
  GList *addresses;
  int fd;

  fd = g_file_open_tmp ("test-dns-XXXXXX.conf", &path, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);

  resolver = fake_resolver_new_from_file (path, &error);
  g_unlink (path);
  g_assert_no_error (error);

  hosts = lookup_mx (resolver, "example.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (hosts, expected);
  g_clear_pointer (&hosts, g_strfreev);

  hosts = lookup_mx (resolver, "nomail.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND);
  g_clear_error (&error);

  hosts = lookup_mx (resolver, "broken.test", NULL, &error);
  g_assert_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NETWORK);
  g_clear_error (&error);

  g_assert_true (lookup_srv (resolver, "x.test", NULL, &imap, &smtp, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imap->len, ==, 1);
  assert_server (imap, 0, "imap.x.test", 993, MS_SECURITY_SSL);
  g_assert_cmpuint (smtp->len, ==, 2);
  assert_server (smtp, 0, "smtp.x.test", 587, MS_SECURITY_STARTTLS);
  assert_server (smtp, 1, "backup.x.test", 587, MS_SECURITY_STARTTLS);

  addresses = g_resolver_lookup_by_name_with_flags (G_RESOLVER (resolver), "smtp.x.test",
                                                    G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (addresses), ==, 1);
  g_assert_cmpint (g_inet_address_get_family (addresses->data), ==, G_SOCKET_FAMILY_IPV6);
  g_resolver_free_addresses (addresses);

  addresses = g_resolver_lookup_by_name_with_flags (G_RESOLVER (resolver), "imap.x.test",
                                                    G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY, NULL, &error);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_null (addresses);
  g_clear_error (&error);

  /* Errors name what is wrong. */
  g_assert_true (g_file_set_contents (path, "[mx]\nexample.test=ten mx.example.test\n", -1, &error));
  g_clear_object (&resolver);
  resolver = fake_resolver_new_from_file (path, &error);
  g_unlink (path);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_null (resolver);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dns/mx/sorted", test_mx_sorted);
  g_test_add_func ("/dns/mx/limit", test_mx_limit);
  g_test_add_func ("/dns/mx/null", test_mx_null);
  g_test_add_func ("/dns/mx/not-found", test_mx_not_found);
  g_test_add_func ("/dns/mx/failure", test_mx_failure);
  g_test_add_func ("/dns/mx/invalid", test_mx_invalid);
  g_test_add_func ("/dns/mx/idn", test_mx_idn);
  g_test_add_func ("/dns/mx/cancelled", test_mx_cancelled);
  g_test_add_func ("/dns/mx/delayed", test_mx_delayed);
  g_test_add_func ("/dns/srv/all", test_srv_all);
  g_test_add_func ("/dns/srv/not-offered", test_srv_not_offered);
  g_test_add_func ("/dns/srv/priorities", test_srv_priorities);
  g_test_add_func ("/dns/srv/smtp-only", test_srv_smtp_only);
  g_test_add_func ("/dns/srv/failures", test_srv_failures);
  g_test_add_func ("/dns/srv/cancelled", test_srv_cancelled);
  g_test_add_func ("/dns/base-domain", test_base_domain);
  g_test_add_func ("/dns/valid-hostname", test_valid_hostname);
  g_test_add_func ("/guess/candidates", test_guess_candidates);
  g_test_add_func ("/guess/nothing-confirmed", test_guess_nothing);
  g_test_add_func ("/guess/cancelled", test_guess_cancelled);
  g_test_add_func ("/dns/fake-resolver/default", test_fake_default);
  g_test_add_func ("/dns/fake-resolver/key-file", test_fake_key_file);

  return g_test_run ();
}
