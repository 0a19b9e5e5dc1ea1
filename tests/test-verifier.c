/* test-verifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MsVerifier's own rules, against servers in this process on loopback that
 * accept connections and say nothing: cancelling stops both sides at once,
 * the deadline ends a stall as a timeout, a refused preferred server moves
 * on to the backup at once, and all refused reports the preferred one.
 */

#include "config.h"

#include "ms-verifier.h"
#include "silent-server.h"

static GPtrArray *
servers (MsProtocol protocol,
         guint16    first,
         guint16    second)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);

  g_ptr_array_add (list, ms_server_new (protocol, "127.0.0.1", first, MS_SECURITY_SSL, NULL));
  if (second != 0)
    g_ptr_array_add (list, ms_server_new (protocol, "127.0.0.1", second, MS_SECURITY_SSL, NULL));

  return list;
}

static MsVerifier *
make_verifier (guint16 first,
               guint16 second)
{
  g_autoptr(MsAddress) address = ms_address_parse ("someone@example.com", NULL);
  g_autoptr(GPtrArray) imap = servers (MS_PROTOCOL_IMAP, first, second);
  g_autoptr(GPtrArray) smtp = servers (MS_PROTOCOL_SMTP, first, second);
  MsVerifier *verifier = ms_verifier_new (address, NULL);

  ms_verifier_set_servers (verifier, MS_PROTOCOL_IMAP, imap);
  ms_verifier_set_servers (verifier, MS_PROTOCOL_SMTP, smtp);
  return verifier;
}

typedef struct
{
  gboolean  done;
  GError   *error;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  g_assert_false (ms_verifier_verify_finish (MS_VERIFIER (object), result, &wait->error));
  wait->done = TRUE;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs a check; as GIO does, a cancelled check finishes with
 * G_IO_ERROR_CANCELLED, any other with no error (the verdicts are in the
 * results). */
static gint64
run (MsVerifier   *verifier,
     GCancellable *cancellable)
{
  g_autoptr(MsSecret) secret = ms_secret_new ("Verifier-pw-1", 13);
  gint64 start = g_get_monotonic_time ();
  Wait wait = { FALSE, NULL };

  ms_verifier_verify_async (verifier, TRUE, TRUE, secret, cancellable, done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_no_error (wait.error);
  g_clear_error (&wait.error);

  return (g_get_monotonic_time () - start) / 1000;
}

static void
assert_side (MsVerifier  *verifier,
             MsProtocol   protocol,
             MsErrorKind  kind,
             guint16      port)
{
  const MsCheckResult *result = ms_verifier_get_result (verifier, protocol);
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", port);

  g_assert_nonnull (result);
  g_assert_false (result->ok);
  g_assert_cmpstr (ms_error_kind_to_string (result->kind), ==, ms_error_kind_to_string (kind));
  g_assert_cmpstr (result->server, ==, server);
  g_assert_nonnull (result->advice);
}

static void
test_cancel (void)
{
  Silent *silent = silent_new ();
  g_autoptr(MsVerifier) verifier = make_verifier (silent->port, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 ms;

  ms_verifier_set_timeout (verifier, 30);
  g_timeout_add (200, cancel_cb, cancellable);
  ms = run (verifier, cancellable);

  g_assert_cmpint (ms, <, 2000);
  assert_side (verifier, MS_PROTOCOL_IMAP, MS_ERROR_KIND_CANCELLED, silent->port);
  assert_side (verifier, MS_PROTOCOL_SMTP, MS_ERROR_KIND_CANCELLED, silent->port);
  silent_free (silent);
}

static void
test_deadline (void)
{
  Silent *silent = silent_new ();
  g_autoptr(MsVerifier) verifier = make_verifier (silent->port, 0);
  gint64 ms;

  ms_verifier_set_timeout (verifier, 1);
  ms = run (verifier, NULL);

  g_assert_cmpint (ms, >=, 900);
  g_assert_cmpint (ms, <, 3000);
  assert_side (verifier, MS_PROTOCOL_IMAP, MS_ERROR_KIND_TIMEOUT, silent->port);
  assert_side (verifier, MS_PROTOCOL_SMTP, MS_ERROR_KIND_TIMEOUT, silent->port);
  /* Both sides reached the server: the check ran them at the same time. */
  g_assert_cmpuint (silent->accepted->len, ==, 2);
  silent_free (silent);
}

static void
test_refused_then_backup (void)
{
  Silent *silent = silent_new ();
  guint16 refused = closed_port ();
  g_autoptr(MsVerifier) verifier = make_verifier (refused, silent->port);

  ms_verifier_set_timeout (verifier, 1);
  run (verifier, NULL);

  /* The refused server handed over to the backup at once (both sides
   * reached it); the backup stalled; what is reported is the preferred
   * server's own failure, the one to fix. */
  assert_side (verifier, MS_PROTOCOL_IMAP, MS_ERROR_KIND_CONNECT, refused);
  assert_side (verifier, MS_PROTOCOL_SMTP, MS_ERROR_KIND_CONNECT, refused);
  g_assert_cmpuint (silent->accepted->len, ==, 2);
  silent_free (silent);
}

static void
test_all_refused (void)
{
  guint16 first = closed_port ();
  guint16 second = closed_port ();
  g_autoptr(MsVerifier) verifier = make_verifier (first, second);
  gint64 ms;

  ms_verifier_set_timeout (verifier, 10);
  ms = run (verifier, NULL);

  g_assert_cmpint (ms, <, 2000);
  /* The preferred server's failure is the one to fix. */
  assert_side (verifier, MS_PROTOCOL_IMAP, MS_ERROR_KIND_CONNECT, first);
  assert_side (verifier, MS_PROTOCOL_SMTP, MS_ERROR_KIND_CONNECT, first);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/verifier/cancel", test_cancel);
  g_test_add_func ("/verifier/deadline", test_deadline);
  g_test_add_func ("/verifier/refused-then-backup", test_refused_then_backup);
  g_test_add_func ("/verifier/all-refused", test_all_refused);

  return g_test_run ();
}
