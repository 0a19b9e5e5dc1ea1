/* ms-guess.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The last lookup layer: the usual host names of a domain (imap., mail.,
 * smtp.) on the usual ports, each probed for a mail server. A candidate is
 * confirmed by what any client sees before logging in: the connection, a
 * TLS handshake whose certificate is valid for the name, and the
 * protocol's greeting; for STARTTLS, the upgrade too. No credential, no
 * login name, no AUTH is ever sent: a guessed server is not trusted with
 * anything until the user's own check (MsVerifier) picks it. All
 * candidates are probed at the same time, under one deadline.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <string.h>

#include "ms-dns.h"
#include "ms-guess.h"
#include "ms-imap.h"
#include "ms-mail-stream.h"
#include "ms-server-text.h"
#include "ms-smtp.h"

/* The login name of a guessed server: the whole address, as most
 * providers want and RFC 6186 says. */
#define USERNAME_EMAIL "%EMAILADDRESS%"

/* No step of one probe waits longer than this, whatever the deadline. */
#define MAX_STEP_TIMEOUT_MS 10000

/* Untagged IMAP lines accepted before the answer to STARTTLS. */
#define MAX_IMAP_LINES 32

#define IMAP_TAG "a"

/* Candidates */

/**
 * ms_guess_candidates:
 * @domain: the mail domain (ASCII, or an IDN that is converted)
 * @protocol: IMAP or SMTP
 *
 * The servers to probe for @domain, most likely first: for IMAP `imap.D`
 * and `mail.D` on 993 (implicit TLS), then on 143 (STARTTLS); for SMTP
 * `smtp.D` and `mail.D` on 465 (implicit TLS), then on 587 (STARTTLS).
 * Their login name rule is the whole address.
 *
 * Returns: (transfer full) (element-type MsServer): the candidates; empty
 *   when @domain is not a valid domain name
 */
GPtrArray *
ms_guess_candidates (const char *domain,
                     MsProtocol  protocol)
{
  static const struct
  {
    MsProtocol  protocol;
    const char *prefix;
    guint16     port;
    MsSecurity  security;
  } patterns[] = {
    { MS_PROTOCOL_IMAP, "imap.", 993, MS_SECURITY_SSL },
    { MS_PROTOCOL_IMAP, "mail.", 993, MS_SECURITY_SSL },
    { MS_PROTOCOL_IMAP, "imap.", 143, MS_SECURITY_STARTTLS },
    { MS_PROTOCOL_IMAP, "mail.", 143, MS_SECURITY_STARTTLS },
    { MS_PROTOCOL_SMTP, "smtp.", 465, MS_SECURITY_SSL },
    { MS_PROTOCOL_SMTP, "mail.", 465, MS_SECURITY_SSL },
    { MS_PROTOCOL_SMTP, "smtp.", 587, MS_SECURITY_STARTTLS },
    { MS_PROTOCOL_SMTP, "mail.", 587, MS_SECURITY_STARTTLS },
  };
  GPtrArray *candidates;
  g_autofree char *ascii = NULL;
  gsize length;

  g_return_val_if_fail (domain != NULL, NULL);

  candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);

  ascii = g_hostname_is_non_ascii (domain) ? g_hostname_to_ascii (domain) : g_strdup (domain);
  if (ascii == NULL || !ms_dns_is_valid_hostname (ascii))
    return candidates;

  length = strlen (ascii);
  if (ascii[length - 1] == '.')
    ascii[length - 1] = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autofree char *host = NULL;

      if (patterns[i].protocol != protocol)
        continue;

      host = g_strconcat (patterns[i].prefix, ascii, NULL);
      /* "imap." + a 250-character domain is too long a name. */
      if (!ms_dns_is_valid_hostname (host))
        continue;

      g_ptr_array_add (candidates, ms_server_new (protocol, host, patterns[i].port,
                                                  patterns[i].security, USERNAME_EMAIL));
    }

  return candidates;
}

/* Probing */

typedef struct _Run Run;

typedef enum
{
  STEP_CONNECT,
  STEP_HANDSHAKE,
  STEP_GREETING,
  STEP_EHLO,
  STEP_STARTTLS,
} Step;

typedef struct
{
  Run          *run;
  MsServer     *server;
  MsMailStream *stream;
  Step          step;
  MsSmtpReply   reply;
  guint         imap_lines;
  gboolean      has_starttls;
  gboolean      finished;
  gboolean      confirmed;
  char         *outcome;
} Probe;

struct _Run
{
  GTask        *task;            /* until it has returned */
  MsTlsTrust   *trust;
  GPtrArray    *probes;          /* Probe */
  GCancellable *cancellable;     /* ours: stops every probe */
  GCancellable *caller_cancellable;
  gulong        cancelled_id;
  GSource      *deadline;
  guint         timeout_ms;
  guint         pending;
};

static void
probe_free (Probe *probe)
{
  ms_server_free (probe->server);
  g_clear_object (&probe->stream);
  ms_smtp_reply_clear (&probe->reply);
  g_free (probe->outcome);
  g_free (probe);
}

static void
run_clear (Run *run)
{
  g_assert (run->task == NULL);
  g_assert (run->deadline == NULL);

  g_clear_pointer (&run->trust, ms_tls_trust_unref);
  g_clear_pointer (&run->probes, g_ptr_array_unref);
  g_clear_object (&run->cancellable);
  g_clear_object (&run->caller_cancellable);
}

static void
run_release (Run *run)
{
  g_rc_box_release_full (run, (GDestroyNotify)run_clear);
}

static char *
describe (const MsServer *server)
{
  g_autofree char *name = ms_server_to_string (server);

  return g_strdup_printf ("%s %s (%s)", ms_protocol_to_string (server->protocol), name,
                          ms_security_to_string (server->security));
}

/* Returns the task: with the confirmed candidates, NOT_FOUND, or
 * CANCELLED. */
static void
run_complete (Run *run)
{
  g_autoptr(GTask) task = g_steal_pointer (&run->task);
  g_autoptr(GPtrArray) confirmed = NULL;
  g_autoptr(GString) tried = NULL;

  if (task == NULL)
    return;

  if (run->deadline != NULL)
    {
      g_source_destroy (run->deadline);
      g_clear_pointer (&run->deadline, g_source_unref);
    }
  if (run->cancelled_id != 0)
    {
      g_cancellable_disconnect (run->caller_cancellable, run->cancelled_id);
      run->cancelled_id = 0;
    }
  /* Whatever is still on its way stops now; each probe's last callback
   * gives back its reference to the run. */
  g_cancellable_cancel (run->cancellable);

  if (g_cancellable_is_cancelled (run->caller_cancellable))
    {
      g_debug ("guess: cancelled");
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The lookup was cancelled");
      run_release (run);
      return;
    }

  confirmed = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  tried = g_string_new (NULL);
  for (guint i = 0; i < run->probes->len; i++)
    {
      Probe *probe = g_ptr_array_index (run->probes, i);
      g_autofree char *name = describe (probe->server);

      if (probe->confirmed)
        {
          g_ptr_array_add (confirmed, ms_server_copy (probe->server));
          continue;
        }

      if (!probe->finished)
        g_debug ("guess: %s: no answer within %u ms", name, run->timeout_ms);
      g_string_append_printf (tried, "%s%s: %s", tried->len ? "; " : "", name,
                              probe->finished ? probe->outcome : "no answer in time");
    }

  if (confirmed->len == 0)
    g_task_return_new_error (task, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND,
                             "No guessed server answered: %s",
                             tried->len ? tried->str : "nothing to try");
  else
    g_task_return_pointer (task, g_steal_pointer (&confirmed), (GDestroyNotify)g_ptr_array_unref);

  run_release (run);
}

/* The probe's last word: it gives back its reference to the run, so
 * nothing may touch @probe afterwards. */
static void
probe_finish (Probe      *probe,
              gboolean    confirmed,
              const char *outcome)
{
  Run *run = probe->run;
  g_autofree char *name = describe (probe->server);

  g_assert (!probe->finished);

  probe->finished = TRUE;
  probe->confirmed = confirmed;
  probe->outcome = g_strdup (outcome);
  if (probe->stream != NULL && !confirmed)
    ms_mail_stream_close (probe->stream);

  if (run->task != NULL)
    g_debug ("guess: %s: %s", name, confirmed ? "confirmed" : outcome);

  g_assert (run->pending > 0);
  if (--run->pending == 0)
    run_complete (run);

  run_release (run);
}

static void
probe_fail (Probe  *probe,
            GError *error)
{
  probe_finish (probe, FALSE, error->message);
  g_error_free (error);
}

static void
goodbye_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  MsMailStream *stream = MS_MAIL_STREAM (object);

  ms_mail_stream_write_finish (stream, result, NULL);
  ms_mail_stream_close (stream);
}

/* Confirmed: says goodbye, without waiting for the answer. */
static void
probe_confirm (Probe *probe)
{
  const char *bye = probe->server->protocol == MS_PROTOCOL_IMAP ? IMAP_TAG " LOGOUT\r\n" : "QUIT\r\n";

  /* The write has its own step timeout, and the stream's own
   * reference keeps it until the callback closes it. */
  ms_mail_stream_write_async (probe->stream, bye, strlen (bye), NULL, goodbye_cb, NULL);
  probe_finish (probe, TRUE, NULL);
}

static void read_next_line (Probe *probe);

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Probe *probe = user_data;
  GError *error = NULL;

  if (!ms_mail_stream_write_finish (MS_MAIL_STREAM (object), result, &error))
    {
      probe_fail (probe, error);
      return;
    }

  read_next_line (probe);
}

static void
send_line (Probe      *probe,
           Step        next,
           const char *line)
{
  g_autofree char *data = g_strconcat (line, "\r\n", NULL);

  g_debug ("guess: %s:%u > %s", probe->server->hostname, probe->server->port, line);

  probe->step = next;
  ms_smtp_reply_clear (&probe->reply);
  ms_smtp_reply_init (&probe->reply);
  ms_mail_stream_write_async (probe->stream, data, strlen (data), probe->run->cancellable,
                              written_cb, probe);
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Probe *probe = user_data;
  GError *error = NULL;

  if (!ms_mail_stream_handshake_finish (MS_MAIL_STREAM (object), result, &error))
    {
      probe_fail (probe, error);
      return;
    }

  if (probe->server->security == MS_SECURITY_STARTTLS)
    {
      /* The greeting came before, in plain text. */
      probe_confirm (probe);
      return;
    }

  probe->step = STEP_GREETING;
  read_next_line (probe);
}

static void
start_handshake (Probe *probe)
{
  probe->step = STEP_HANDSHAKE;
  ms_mail_stream_handshake_async (probe->stream, probe->run->trust, probe->run->cancellable,
                                  handshake_cb, probe);
}

static void
fail_with_text (Probe      *probe,
                const char *what,
                const char *line,
                gsize       length)
{
  g_autofree char *text = ms_server_text_to_utf8 (line, MIN (length, 200));
  g_autofree char *outcome = g_strdup_printf ("%s: %s", what, text);

  probe_finish (probe, FALSE, outcome);
}

static void
handle_imap_line (Probe      *probe,
                  const char *line,
                  gsize       length)
{
  MsImapResponse response;

  if (!ms_imap_response_parse (line, length, &response))
    {
      fail_with_text (probe, "not an IMAP server", line, length);
      return;
    }

  if (probe->step == STEP_GREETING)
    {
      MsImapStatus status = response.status;
      gboolean untagged = response.type == MS_IMAP_UNTAGGED;

      ms_imap_response_clear (&response);

      if (untagged && status == MS_IMAP_STATUS_OK)
        {
          if (probe->server->security == MS_SECURITY_SSL)
            probe_confirm (probe);
          else
            send_line (probe, STEP_STARTTLS, IMAP_TAG " STARTTLS");
          return;
        }
      /* Already logged in: STARTTLS is not allowed any more. */
      if (untagged && status == MS_IMAP_STATUS_PREAUTH && probe->server->security == MS_SECURITY_SSL)
        {
          probe_confirm (probe);
          return;
        }
      fail_with_text (probe, "unexpected IMAP greeting", line, length);
      return;
    }

  /* STEP_STARTTLS */
  if (response.type == MS_IMAP_TAGGED && g_strcmp0 (response.tag, IMAP_TAG) == 0)
    {
      gboolean ok = response.status == MS_IMAP_STATUS_OK;

      ms_imap_response_clear (&response);
      if (ok)
        start_handshake (probe);
      else
        fail_with_text (probe, "STARTTLS refused", line, length);
      return;
    }

  if (response.type == MS_IMAP_UNTAGGED && response.status == MS_IMAP_STATUS_BYE)
    {
      ms_imap_response_clear (&response);
      fail_with_text (probe, "the server said goodbye", line, length);
      return;
    }

  ms_imap_response_clear (&response);
  if (++probe->imap_lines > MAX_IMAP_LINES)
    {
      probe_finish (probe, FALSE, "no answer to STARTTLS");
      return;
    }
  read_next_line (probe);
}

static void
note_starttls (Probe *probe)
{
  /* The first line is the server's name; the others its extensions. */
  for (guint i = 1; i < probe->reply.lines->len; i++)
    {
      const char *extension = g_ptr_array_index (probe->reply.lines, i);

      if (g_ascii_strncasecmp (extension, "STARTTLS", 8) == 0 &&
          (extension[8] == '\0' || extension[8] == ' '))
        probe->has_starttls = TRUE;
    }
}

static void
handle_smtp_reply (Probe *probe)
{
  guint code = probe->reply.code;
  g_autofree char *text = NULL;

  switch (probe->step)
    {
    case STEP_GREETING:
      if (code != 220)
        break;
      if (probe->server->security == MS_SECURITY_SSL)
        probe_confirm (probe);
      else
        {
          /* An address literal for this end, as ms-smtp.c sends. */
          g_autofree char *name = ms_mail_stream_dup_local_literal (probe->stream);
          g_autofree char *line = g_strdup_printf ("EHLO %s", name);

          send_line (probe, STEP_EHLO, line);
        }
      return;

    case STEP_EHLO:
      if (code != 250)
        break;
      note_starttls (probe);
      if (!probe->has_starttls)
        {
          probe_finish (probe, FALSE, "the server does not offer STARTTLS");
          return;
        }
      send_line (probe, STEP_STARTTLS, "STARTTLS");
      return;

    case STEP_STARTTLS:
      if (code != 220)
        break;
      start_handshake (probe);
      return;

    case STEP_CONNECT:
    case STEP_HANDSHAKE:
    default:
      g_assert_not_reached ();
    }

  text = ms_smtp_reply_to_string (&probe->reply);
  if (probe->step == STEP_GREETING)
    fail_with_text (probe, "unexpected SMTP greeting", text, strlen (text));
  else if (probe->step == STEP_EHLO)
    fail_with_text (probe, "EHLO refused", text, strlen (text));
  else
    fail_with_text (probe, "STARTTLS refused", text, strlen (text));
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Probe *probe = user_data;
  g_autofree char *line = NULL;
  GError *error = NULL;
  gsize length;

  line = ms_mail_stream_read_line_finish (MS_MAIL_STREAM (object), result, &length, &error);
  if (line == NULL)
    {
      probe_fail (probe, error);
      return;
    }

  g_debug ("guess: %s:%u < %.200s", probe->server->hostname, probe->server->port, line);

  if (probe->server->protocol == MS_PROTOCOL_IMAP)
    {
      handle_imap_line (probe, line, length);
      return;
    }

  if (!ms_smtp_reply_feed (&probe->reply, line, length, &error))
    {
      probe_fail (probe, error);
      return;
    }
  if (!probe->reply.complete)
    {
      read_next_line (probe);
      return;
    }

  handle_smtp_reply (probe);
}

static void
read_next_line (Probe *probe)
{
  ms_mail_stream_read_line_async (probe->stream, probe->run->cancellable, read_line_cb, probe);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Probe *probe = user_data;
  GError *error = NULL;

  probe->stream = ms_mail_stream_connect_finish (result, &error);
  if (probe->stream == NULL)
    {
      probe_fail (probe, error);
      return;
    }

  if (probe->server->security == MS_SECURITY_SSL)
    start_handshake (probe);
  else
    {
      probe->step = STEP_GREETING;
      read_next_line (probe);
    }
}

static gboolean
deadline_cb (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->deadline, g_source_unref);
  g_debug ("guess: deadline of %u ms reached", run->timeout_ms);
  run_complete (run);

  return G_SOURCE_REMOVE;
}

static gboolean
caller_cancelled_idle (gpointer user_data)
{
  run_complete (user_data);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     Run          *run)
{
  GSource *source;

  /* Stop the probes at once, from whichever thread cancelled. */
  g_cancellable_cancel (run->cancellable);

  /* The handler may not disconnect itself, and "cancelled" may come from
   * another thread: complete later, in the task's context. The task's
   * context is read before anything else can complete it. */
  source = g_idle_source_new ();
  g_source_set_callback (source, caller_cancelled_idle, g_rc_box_acquire (run),
                         (GDestroyNotify)run_release);
  g_source_attach (source, run->task ? g_task_get_context (run->task) : NULL);
  g_source_unref (source);
}

/**
 * ms_guess_probe_async:
 * @candidates: (element-type MsServer): the servers to probe, as from
 *   ms_guess_candidates(), preferred first
 * @trust: (nullable): the authorities a certificate must come from, or
 *   %NULL for the system's
 * @timeout_ms: the deadline for the whole probe
 * @cancellable: (nullable): stops the probe
 * @callback: called when every candidate has an answer, or at the deadline
 * @user_data: for @callback
 *
 * Probes all @candidates at the same time. A candidate is confirmed when
 * it accepts a connection, its certificate is valid (trusted, and for the
 * candidate's host name) and it greets as its protocol does; with
 * STARTTLS, when it also upgrades the connection (IMAP `STARTTLS`; SMTP
 * `EHLO` then `STARTTLS`). The connection then ends with `LOGOUT` or
 * `QUIT`. Nothing else is sent: no login, no AUTH.
 */
void
ms_guess_probe_async (GPtrArray           *candidates,
                      MsTlsTrust          *trust,
                      guint                timeout_ms,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  Run *run;
  guint step_timeout_ms;

  g_return_if_fail (candidates != NULL);
  g_return_if_fail (timeout_ms > 0);

  run = g_rc_box_new0 (Run);
  run->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (run->task, ms_guess_probe_async);
  run->timeout_ms = timeout_ms;
  run->cancellable = g_cancellable_new ();
  run->caller_cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  run->probes = g_ptr_array_new_with_free_func ((GDestroyNotify)probe_free);

  run->trust = trust ? ms_tls_trust_ref (trust) : ms_tls_trust_new (NULL, &error);
  if (run->trust == NULL)
    {
      GTask *task = g_steal_pointer (&run->task);

      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      run_release (run);
      return;
    }

  if (g_task_return_error_if_cancelled (run->task))
    {
      g_clear_object (&run->task);
      run_release (run);
      return;
    }

  if (candidates->len == 0)
    {
      run_complete (run);
      return;
    }

  run->deadline = g_timeout_source_new (timeout_ms);
  g_source_set_callback (run->deadline, deadline_cb, run, NULL);
  g_source_attach (run->deadline, g_task_get_context (run->task));

  if (cancellable != NULL)
    run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                               g_rc_box_acquire (run), (GDestroyNotify)run_release);

  step_timeout_ms = MIN (timeout_ms, MAX_STEP_TIMEOUT_MS);
  run->pending = candidates->len;
  for (guint i = 0; i < candidates->len; i++)
    {
      const MsServer *server = g_ptr_array_index (candidates, i);
      Probe *probe = g_new0 (Probe, 1);

      probe->run = g_rc_box_acquire (run);
      probe->server = ms_server_copy (server);
      probe->step = STEP_CONNECT;
      ms_smtp_reply_init (&probe->reply);
      g_ptr_array_add (run->probes, probe);
    }

  /* Started once all are in place: a probe may finish at once. */
  for (guint i = 0; i < run->probes->len; i++)
    {
      Probe *probe = g_ptr_array_index (run->probes, i);

      g_debug ("guess: probing %s:%u", probe->server->hostname, probe->server->port);
      ms_mail_stream_connect_async (probe->server->hostname, probe->server->port,
                                    step_timeout_ms, probe->run->cancellable, connect_cb, probe);
    }

  /* The reference taken at the start goes with the task's return
   * (run_complete()). */
}

/**
 * ms_guess_probe_finish:
 * @result: the result
 * @error: %MS_LOOKUP_ERROR_NOT_FOUND, saying what was tried and why each
 *   failed, when no candidate was confirmed before the deadline;
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (element-type MsServer): copies of the confirmed
 *   candidates, in the order they were given
 */
GPtrArray *
ms_guess_probe_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
