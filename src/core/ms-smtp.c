/* ms-smtp.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks an SMTP login: greeting, EHLO, STARTTLS and EHLO again when asked,
 * then AUTH PLAIN with the initial response (or AUTH LOGIN when that is all
 * the server offers). 235 is success; QUIT is sent without waiting.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ms-error-kind.h"
#include "ms-server-text.h"
#include "ms-smtp.h"

/* Reply parsing */

void
ms_smtp_reply_init (MsSmtpReply *reply)
{
  g_return_if_fail (reply != NULL);

  reply->code = 0;
  reply->complete = FALSE;
  reply->lines = g_ptr_array_new_with_free_func (g_free);
}

void
ms_smtp_reply_clear (MsSmtpReply *reply)
{
  g_return_if_fail (reply != NULL);

  g_clear_pointer (&reply->lines, g_ptr_array_unref);
  reply->code = 0;
  reply->complete = FALSE;
}

/**
 * ms_smtp_reply_feed:
 * @reply: a reply being read
 * @line: the next line, without CR LF
 * @length: its length
 * @error: where to put why @line is not part of an SMTP reply
 *
 * Returns: %TRUE if the line was taken; check @reply->complete
 */
gboolean
ms_smtp_reply_feed (MsSmtpReply  *reply,
                    const char   *line,
                    gsize         length,
                    GError      **error)
{
  guint code;

  g_return_val_if_fail (reply != NULL && reply->lines != NULL, FALSE);
  g_return_val_if_fail (!reply->complete, FALSE);

  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) ||
      !g_ascii_isdigit (line[2]) || line[0] < '2' || line[0] > '5' ||
      (length > 3 && line[3] != ' ' && line[3] != '-'))
    {
      g_autofree char *text = ms_server_text_to_utf8 (line, length);

      g_set_error (error, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                   _("The server's answer is not SMTP: %s"), text);
      return FALSE;
    }

  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (reply->code != 0 && code != reply->code)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                   _("The server mixed reply codes %u and %u in one reply."), reply->code, code);
      return FALSE;
    }

  if (reply->lines->len >= MS_SMTP_MAX_REPLY_LINES)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                   _("The server sent a reply of more than %d lines."), MS_SMTP_MAX_REPLY_LINES);
      return FALSE;
    }

  reply->code = code;
  g_ptr_array_add (reply->lines, g_strndup (length > 4 ? line + 4 : "", length > 4 ? length - 4 : 0));
  reply->complete = length == 3 || line[3] == ' ';

  return TRUE;
}

/**
 * ms_smtp_reply_to_string:
 * @reply: a complete reply
 *
 * Returns: (transfer full): the reply as the server said it, code first,
 *   lines joined by spaces, as valid UTF-8
 */
char *
ms_smtp_reply_to_string (MsSmtpReply *reply)
{
  GString *out = g_string_new (NULL);
  g_autofree char *raw = NULL;

  g_return_val_if_fail (reply != NULL, NULL);

  g_string_append_printf (out, "%03u", reply->code);
  for (guint i = 0; reply->lines && i < reply->lines->len; i++)
    {
      g_string_append_c (out, ' ');
      g_string_append (out, g_ptr_array_index (reply->lines, i));
    }

  raw = g_string_free (out, FALSE);
  return ms_server_text_to_utf8 (raw, -1);
}

/**
 * ms_smtp_reply_enhanced_code:
 * @reply: a reply
 *
 * Returns: (transfer full) (nullable): the RFC 3463 status code (“5.7.8”)
 *   at the start of the first line, if any
 */
char *
ms_smtp_reply_enhanced_code (MsSmtpReply *reply)
{
  const char *text, *p;
  guint digits;

  g_return_val_if_fail (reply != NULL, NULL);

  if (reply->lines == NULL || reply->lines->len == 0)
    return NULL;

  /* By hand rather than with GRegex: the text may not be UTF-8. */
  text = g_ptr_array_index (reply->lines, 0);
  while (*text == ' ' || *text == '\t')
    text++;

  p = text;
  if (*p != '2' && *p != '4' && *p != '5')
    return NULL;
  p++;
  for (guint part = 0; part < 2; part++)
    {
      if (*p++ != '.')
        return NULL;
      for (digits = 0; g_ascii_isdigit (*p) && digits < 4; p++)
        digits++;
      if (digits == 0 || digits > 3)
        return NULL;
    }
  if (*p != '\0' && *p != ' ' && *p != '\t')
    return NULL;

  return g_strndup (text, p - text);
}

/* The check */

typedef enum
{
  STATE_GREETING,
  STATE_EHLO,
  STATE_STARTTLS,
  STATE_AUTH_PLAIN,
  STATE_AUTH_LOGIN,
  STATE_AUTH_LOGIN_USER,
  STATE_AUTH_LOGIN_PASS,
} State;

typedef struct
{
  MsMailStream *stream;
  MsTlsTrust   *trust;
  char         *username;
  MsSecret     *secret;
  gboolean      starttls;

  State         state;
  MsSmtpReply   reply;
  gboolean      has_starttls;
  gboolean      has_plain;
  gboolean      has_login;
  gboolean      sent_plain_again;
} SmtpCheck;

static void
smtp_check_free (SmtpCheck *check)
{
  g_clear_object (&check->stream);
  g_clear_pointer (&check->trust, ms_tls_trust_unref);
  g_clear_pointer (&check->username, g_free);
  g_clear_pointer (&check->secret, ms_secret_unref);
  ms_smtp_reply_clear (&check->reply);
  g_free (check);
}

static void read_reply (GTask *task);

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!ms_mail_stream_write_finish (MS_MAIL_STREAM (object), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  read_reply (task);
}

static void
send_line (GTask      *task,
           State       next,
           const char *line,
           gboolean    secret)
{
  SmtpCheck *check = g_task_get_task_data (task);
  char *data = g_strconcat (line, "\r\n", NULL);

  if (!secret)
    g_debug ("%s: SMTP > %s", ms_mail_stream_get_host (check->stream), line);
  else
    g_debug ("%s: SMTP > (credentials not shown)", ms_mail_stream_get_host (check->stream));

  check->state = next;
  ms_mail_stream_write_async (check->stream, data, strlen (data), g_task_get_cancellable (task),
                              written_cb, g_object_ref (task));
  ms_wipe_string (data);
}

static void
send_ehlo (GTask *task)
{
  SmtpCheck *check = g_task_get_task_data (task);
  /* An address literal for this end of the connection, as clients
   * without a public host name send. */
  g_autofree char *name = ms_mail_stream_dup_local_literal (check->stream);
  g_autofree char *line = g_strdup_printf ("EHLO %s", name);

  ms_mail_stream_set_stage (check->stream, "capabilities");
  check->has_starttls = check->has_plain = check->has_login = FALSE;
  send_line (task, STATE_EHLO, line, FALSE);
}

static char *
base64_of (const char *data,
           gsize       length)
{
  return g_base64_encode ((const guchar *)data, length);
}

static void
start_auth (GTask *task)
{
  SmtpCheck *check = g_task_get_task_data (task);

  if (check->has_plain)
    {
      gsize pass_len, user_len = strlen (check->username);
      const char *pass = ms_secret_get_data (check->secret, &pass_len);
      gsize raw_len = user_len + pass_len + 2;
      char *raw = g_malloc0 (raw_len);
      char *b64, *line;

      memcpy (raw + 1, check->username, user_len);
      memcpy (raw + 2 + user_len, pass, pass_len);
      b64 = base64_of (raw, raw_len);
      line = g_strconcat ("AUTH PLAIN ", b64, NULL);
      ms_mail_stream_set_stage (check->stream, "logging-in");
      send_line (task, STATE_AUTH_PLAIN, line, TRUE);
      ms_wipe (raw, raw_len);
      g_free (raw);
      ms_wipe_string (b64);
      ms_wipe_string (line);
    }
  else if (check->has_login)
    {
      ms_mail_stream_set_stage (check->stream, "logging-in");
      send_line (task, STATE_AUTH_LOGIN, "AUTH LOGIN", FALSE);
    }
  else
    g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                             _("The server offers no password login (AUTH PLAIN or LOGIN) here."));
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!ms_mail_stream_handshake_finish (MS_MAIL_STREAM (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Everything learnt before TLS is forgotten: ask again. */
  send_ehlo (task);
}

static MsErrorKind
kind_for_reply (SmtpCheck   *check,
                MsSmtpReply *reply)
{
  g_autofree char *enhanced = ms_smtp_reply_enhanced_code (reply);

  if (enhanced != NULL)
    {
      if (g_str_equal (enhanced, "5.7.8"))
        return MS_ERROR_KIND_AUTH_FAILED;
      if (g_str_equal (enhanced, "5.7.9"))
        return MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED;
      if (g_str_equal (enhanced, "5.7.30") || g_str_equal (enhanced, "5.7.139"))
        return MS_ERROR_KIND_LOGIN_DISABLED;
      if (enhanced[0] == '4')
        return MS_ERROR_KIND_RATE_LIMITED;
    }

  switch (reply->code)
    {
    case 534:
      return MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED;
    case 421:
    case 454:
      return MS_ERROR_KIND_RATE_LIMITED;
    case 535:
      return MS_ERROR_KIND_AUTH_FAILED;
    default:
      break;
    }

  if (check->state == STATE_AUTH_PLAIN || check->state == STATE_AUTH_LOGIN_PASS ||
      check->state == STATE_AUTH_LOGIN_USER)
    return reply->code >= 500 ? MS_ERROR_KIND_AUTH_FAILED : MS_ERROR_KIND_RATE_LIMITED;

  return MS_ERROR_KIND_PROTOCOL;
}

static void
fail_with_reply (GTask       *task,
                 MsErrorKind  kind)
{
  SmtpCheck *check = g_task_get_task_data (task);
  g_autofree char *text = ms_smtp_reply_to_string (&check->reply);

  g_task_return_new_error (task, MS_SERVER_REPLY_ERROR, kind, "%s", text);
}

static void
parse_extensions (SmtpCheck *check)
{
  for (guint i = 1; i < check->reply.lines->len; i++)
    {
      g_auto(GStrv) words = g_strsplit (g_ptr_array_index (check->reply.lines, i), " ", -1);

      if (words[0] == NULL)
        continue;

      if (g_ascii_strcasecmp (words[0], "STARTTLS") == 0)
        check->has_starttls = TRUE;
      else if (g_ascii_strcasecmp (words[0], "AUTH") == 0 || g_ascii_strncasecmp (words[0], "AUTH=", 5) == 0)
        {
          for (guint j = 0; words[j]; j++)
            {
              const char *mech = words[j];

              if (g_ascii_strncasecmp (mech, "AUTH=", 5) == 0)
                mech += 5;
              if (g_ascii_strcasecmp (mech, "PLAIN") == 0)
                check->has_plain = TRUE;
              else if (g_ascii_strcasecmp (mech, "LOGIN") == 0)
                check->has_login = TRUE;
            }
        }
    }
}

static void
succeed (GTask *task)
{
  SmtpCheck *check = g_task_get_task_data (task);

  g_debug ("%s: SMTP login succeeded", ms_mail_stream_get_host (check->stream));
  /* Say goodbye without waiting for the answer. */
  ms_mail_stream_write_async (check->stream, "QUIT\r\n", 6, NULL, NULL, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
handle_reply (GTask *task)
{
  SmtpCheck *check = g_task_get_task_data (task);
  MsSmtpReply *reply = &check->reply;
  guint code = reply->code;

  switch (check->state)
    {
    case STATE_GREETING:
      if (code != 220)
        {
          fail_with_reply (task, kind_for_reply (check, reply));
          return;
        }
      send_ehlo (task);
      return;

    case STATE_EHLO:
      if (code != 250)
        {
          fail_with_reply (task, MS_ERROR_KIND_PROTOCOL);
          return;
        }
      parse_extensions (check);

      if (check->starttls && !ms_mail_stream_is_tls (check->stream))
        {
          if (!check->has_starttls)
            {
              g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_TLS_HANDSHAKE,
                                       _("The server does not offer STARTTLS, so no secure connection is possible on this port."));
              return;
            }
          ms_mail_stream_set_stage (check->stream, "starttls");
          send_line (task, STATE_STARTTLS, "STARTTLS", FALSE);
          return;
        }
      start_auth (task);
      return;

    case STATE_STARTTLS:
      if (code != 220)
        {
          fail_with_reply (task, MS_ERROR_KIND_TLS_HANDSHAKE);
          return;
        }
      ms_mail_stream_set_stage (check->stream, "securing");
      ms_mail_stream_handshake_async (check->stream, check->trust, g_task_get_cancellable (task),
                                      handshake_cb, g_object_ref (task));
      return;

    case STATE_AUTH_PLAIN:
      if (code == 235)
        {
          succeed (task);
          return;
        }
      if (code == 334 && !check->sent_plain_again)
        {
          /* The server ignored the initial response; give it once more. */
          check->sent_plain_again = TRUE;
          check->has_plain = TRUE;
          start_auth (task);
          return;
        }
      fail_with_reply (task, kind_for_reply (check, reply));
      return;

    case STATE_AUTH_LOGIN:
    case STATE_AUTH_LOGIN_USER:
      if (code == 334)
        {
          char *b64;

          if (check->state == STATE_AUTH_LOGIN)
            {
              b64 = base64_of (check->username, strlen (check->username));
              send_line (task, STATE_AUTH_LOGIN_USER, b64, TRUE);
            }
          else
            {
              gsize pass_len;
              const char *pass = ms_secret_get_data (check->secret, &pass_len);

              b64 = base64_of (pass, pass_len);
              send_line (task, STATE_AUTH_LOGIN_PASS, b64, TRUE);
            }
          ms_wipe_string (b64);
          return;
        }
      fail_with_reply (task, kind_for_reply (check, reply));
      return;

    case STATE_AUTH_LOGIN_PASS:
      if (code == 235)
        succeed (task);
      else
        fail_with_reply (task, kind_for_reply (check, reply));
      return;

    default:
      g_assert_not_reached ();
    }
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SmtpCheck *check = g_task_get_task_data (task);
  g_autofree char *line = NULL;
  GError *error = NULL;
  gsize length;

  line = ms_mail_stream_read_line_finish (MS_MAIL_STREAM (object), result, &length, &error);
  if (line == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_debug ("%s: SMTP < %.200s", ms_mail_stream_get_host (check->stream), line);

  if (!ms_smtp_reply_feed (&check->reply, line, length, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (!check->reply.complete)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      /* (The cancellable is fetched first: arguments have no order.) */
      ms_mail_stream_read_line_async (check->stream, cancellable,
                                      read_line_cb, g_steal_pointer (&task));
      return;
    }

  handle_reply (task);
}

static void
read_reply (GTask *task)
{
  SmtpCheck *check = g_task_get_task_data (task);

  ms_smtp_reply_clear (&check->reply);
  ms_smtp_reply_init (&check->reply);

  /* The task's reference is handed on to the callback. */
  ms_mail_stream_read_line_async (check->stream, g_task_get_cancellable (task), read_line_cb, task);
}

/**
 * ms_smtp_check_async:
 * @stream: a connected stream (over TLS already unless @starttls)
 * @starttls: whether to upgrade the connection with STARTTLS first
 * @trust: the authorities to trust for STARTTLS
 * @username: the login name
 * @secret: the password
 * @cancellable: (nullable): stops the check
 * @callback: called with the verdict
 * @user_data: for @callback
 *
 * Authenticates; never retries a refused login.
 */
void
ms_smtp_check_async (MsMailStream        *stream,
                     gboolean             starttls,
                     MsTlsTrust          *trust,
                     const char          *username,
                     MsSecret            *secret,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  SmtpCheck *check;

  g_return_if_fail (MS_IS_MAIL_STREAM (stream));
  g_return_if_fail (username != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_smtp_check_async);

  check = g_new0 (SmtpCheck, 1);
  check->stream = g_object_ref (stream);
  check->trust = trust ? ms_tls_trust_ref (trust) : NULL;
  check->username = g_strdup (username);
  check->secret = ms_secret_ref (secret);
  check->starttls = starttls;
  check->state = STATE_GREETING;
  ms_smtp_reply_init (&check->reply);
  g_task_set_task_data (task, check, (GDestroyNotify)smtp_check_free);

  ms_mail_stream_set_stage (stream, "greeting");
  read_reply (task);
}

/**
 * ms_smtp_check_finish:
 * @result: the result
 * @error: why the login failed: an %MS_SERVER_REPLY_ERROR with the
 *   server's words, or an %MS_ERROR
 *
 * Returns: %TRUE if the server accepted the login
 */
gboolean
ms_smtp_check_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
