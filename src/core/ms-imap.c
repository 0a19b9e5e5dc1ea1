/* ms-imap.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks an IMAP login: greeting, CAPABILITY when the greeting has none,
 * STARTTLS when asked, then the login (AUTHENTICATE PLAIN with SASL-IR when
 * offered, else LOGIN with quoted strings or literals), and after its OK —
 * in one write — ID when advertised (NetEase refuses EXAMINE with “Unsafe
 * Login” without it), EXAMINE INBOX and LOGOUT. Only a successful EXAMINE
 * proves the password: some servers accept LOGIN and refuse afterwards.
 *
 * Nothing is sent behind STARTTLS, LOGIN or AUTHENTICATE before its tagged
 * answer: servers may drop what was buffered when the state changes (Cyrus
 * re-reads it, Courier hands the connection to another process).
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ms-error-kind.h"
#include "ms-imap.h"
#include "ms-server-text.h"

#define MAX_RESPONSE (MS_MAIL_STREAM_MAX_LINE * 2)

/* Parsing */

static char *
next_word (const char **p,
           const char  *end)
{
  const char *start;

  while (*p < end && **p == ' ')
    (*p)++;
  start = *p;
  while (*p < end && **p != ' ')
    (*p)++;

  return start < *p ? g_strndup (start, *p - start) : NULL;
}

static MsImapStatus
status_from_word (const char *word)
{
  static const struct { const char *name; MsImapStatus status; } statuses[] = {
    { "OK", MS_IMAP_STATUS_OK },
    { "NO", MS_IMAP_STATUS_NO },
    { "BAD", MS_IMAP_STATUS_BAD },
    { "PREAUTH", MS_IMAP_STATUS_PREAUTH },
    { "BYE", MS_IMAP_STATUS_BYE },
  };

  for (guint i = 0; word != NULL && i < G_N_ELEMENTS (statuses); i++)
    {
      if (g_ascii_strcasecmp (word, statuses[i].name) == 0)
        return statuses[i].status;
    }

  return MS_IMAP_STATUS_NONE;
}

/**
 * ms_imap_response_parse:
 * @line: one response, literals already joined in
 * @length: its length
 * @response: (out caller-allocates): the parts; clear with
 *   ms_imap_response_clear()
 *
 * Returns: %FALSE if @line is not an IMAP response at all
 */
gboolean
ms_imap_response_parse (const char     *line,
                        gsize           length,
                        MsImapResponse *response)
{
  const char *p = line;
  const char *end = line + length;
  g_autofree char *first = NULL;
  g_autofree char *word = NULL;
  const char *save;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  memset (response, 0, sizeof *response);

  if (length == 0 || memchr (line, '\0', length) != NULL)
    return FALSE;

  if (line[0] == '+')
    {
      response->type = MS_IMAP_CONTINUATION;
      p++;
      while (p < end && *p == ' ')
        p++;
      response->text = g_strndup (p, end - p);
      return TRUE;
    }

  first = next_word (&p, end);
  if (first == NULL)
    return FALSE;

  if (g_str_equal (first, "*"))
    response->type = MS_IMAP_UNTAGGED;
  else
    {
      response->type = MS_IMAP_TAGGED;
      response->tag = g_steal_pointer (&first);
    }

  save = p;
  word = next_word (&p, end);
  response->status = status_from_word (word);

  if (response->status == MS_IMAP_STATUS_NONE)
    {
      if (response->type == MS_IMAP_TAGGED)
        {
          ms_imap_response_clear (response);
          return FALSE;
        }

      /* Untagged data: “* CAPABILITY …”, “* ID (…)”, “* 12 EXISTS”. */
      if (word != NULL && g_ascii_isdigit (word[0]))
        {
          g_autofree char *second = next_word (&p, end);
          response->name = second ? g_ascii_strup (second, -1) : NULL;
        }
      else
        {
          response->name = word ? g_ascii_strup (word, -1) : NULL;
          if (response->name == NULL)
            p = save;
        }

      while (p < end && *p == ' ')
        p++;
      response->text = g_strndup (p, end - p);
      return TRUE;
    }

  while (p < end && *p == ' ')
    p++;

  if (p < end && *p == '[')
    {
      const char *close = memchr (p, ']', end - p);

      if (close != NULL)
        {
          response->code = g_strndup (p + 1, close - p - 1);
          p = close + 1;
          while (p < end && *p == ' ')
            p++;
        }
    }

  response->text = g_strndup (p, end - p);
  return TRUE;
}

void
ms_imap_response_clear (MsImapResponse *response)
{
  g_return_if_fail (response != NULL);

  g_clear_pointer (&response->tag, g_free);
  g_clear_pointer (&response->name, g_free);
  g_clear_pointer (&response->code, g_free);
  g_clear_pointer (&response->text, g_free);
}

/**
 * ms_imap_literal_length:
 * @line: a response line
 * @length: its length
 *
 * Returns: the size of the literal announced at the end of @line (`{12}` or
 *   `{12+}`), or -1 when there is none
 */
gssize
ms_imap_literal_length (const char *line,
                        gsize       length)
{
  const char *end = line + length;
  const char *open;
  guint64 value;
  g_autofree char *digits = NULL;

  if (length < 3 || end[-1] != '}')
    return -1;

  open = g_strrstr_len (line, length, "{");
  if (open == NULL)
    return -1;

  digits = g_strndup (open + 1, end - open - 2);
  if (digits[0] != '\0' && digits[strlen (digits) - 1] == '+')
    digits[strlen (digits) - 1] = '\0';

  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXSSIZE, &value, NULL))
    return -1;

  return (gssize)value;
}

/**
 * ms_imap_parse_capabilities:
 * @text: a capability list (“IMAP4rev1 ID AUTH=PLAIN …”)
 *
 * Returns: (transfer full): the capabilities in upper case
 */
char **
ms_imap_parse_capabilities (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text ? text : "", " ", -1);
  GPtrArray *caps = g_ptr_array_new ();

  for (guint i = 0; words[i]; i++)
    {
      if (words[i][0] != '\0')
        g_ptr_array_add (caps, g_ascii_strup (words[i], -1));
    }
  g_ptr_array_add (caps, NULL);

  return (char **)g_ptr_array_free (caps, FALSE);
}

/**
 * ms_imap_quote:
 * @data: a user name or password
 * @length: its length
 *
 * Returns: (transfer full) (nullable): @data as an IMAP quoted string, or
 *   %NULL when it must be sent as a literal (8-bit, CR, LF or NUL in it)
 */
char *
ms_imap_quote (const char *data,
               gsize       length)
{
  GString *out = g_string_sized_new (length + 2);

  g_string_append_c (out, '"');
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar)data[i];

      if (c == 0 || c == '\r' || c == '\n' || c >= 0x80)
        {
          ms_wipe (out->str, out->len);
          g_string_free (out, TRUE);
          return NULL;
        }
      if (c == '"' || c == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, (char)c);
    }
  g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

/* The check */

typedef enum
{
  STATE_GREETING,
  STATE_CAPABILITY,
  STATE_STARTTLS,
  STATE_CONTINUATION,   /* a login literal waits for “+” */
  STATE_LOGIN,          /* the login was sent; nothing goes before its answer */
  STATE_RESULTS,        /* ID, EXAMINE and LOGOUT were sent */
} State;

typedef struct
{
  MsMailStream *stream;
  MsTlsTrust   *trust;
  char         *username;
  MsSecret     *secret;
  gboolean      starttls;

  State         state;
  guint         next_tag;
  char        **caps;
  GString      *response;     /* the response being read, literals joined */
  GPtrArray    *segments;     /* what is left to send after a “+” */
  GString      *alerts;

  char          wait_tag[16];
  char          login_tag[16];
  char          examine_tag[16];
  gboolean      id_offered;   /* before or after the login */
  gboolean      login_ok;
} ImapCheck;

static void
imap_check_free (ImapCheck *check)
{
  g_clear_object (&check->stream);
  g_clear_pointer (&check->trust, ms_tls_trust_unref);
  g_clear_pointer (&check->username, g_free);
  g_clear_pointer (&check->secret, ms_secret_unref);
  g_clear_pointer (&check->caps, g_strfreev);
  if (check->response != NULL)
    g_string_free (check->response, TRUE);
  if (check->segments != NULL)
    g_ptr_array_unref (check->segments);
  if (check->alerts != NULL)
    g_string_free (check->alerts, TRUE);
  g_free (check);
}

static void
wipe_segment (gpointer data)
{
  ms_wipe_string (data);
}

static void read_response (GTask *task);
static void send_command (GTask *task, const char *command);

static gboolean
has_cap (ImapCheck  *check,
         const char *cap)
{
  return check->caps != NULL && g_strv_contains ((const char * const *)check->caps, cap);
}

static void
new_tag (ImapCheck *check,
         char      *tag)
{
  g_snprintf (tag, 16, "m%u", ++check->next_tag);
}

static void
fail_with_reply (GTask        *task,
                 MsErrorKind   hint,
                 const char   *reply)
{
  ImapCheck *check = g_task_get_task_data (task);
  const char *space = strchr (reply, ' ');
  g_autofree char *text = NULL;

  /* The tag (or “*”) is ours or the protocol's, not the server's words. */
  text = ms_server_text_to_utf8 (space ? space + 1 : reply, -1);

  if (check->alerts->len > 0)
    {
      char *joined = g_strconcat (text, " ", check->alerts->str, NULL);
      g_free (text);
      text = joined;
    }

  g_task_return_new_error (task, MS_SERVER_REPLY_ERROR, hint, "%s", text);
}

/* Generic meaning of a NO/BAD to a login, by RFC 5530 response code. */
static MsErrorKind
kind_for_login_reply (const MsImapResponse *response)
{
  g_autofree char *code = NULL;

  if (response->status == MS_IMAP_STATUS_BAD)
    return MS_ERROR_KIND_PROTOCOL;

  if (response->code == NULL)
    return MS_ERROR_KIND_AUTH_FAILED;

  code = g_ascii_strup (response->code, -1);
  if (g_str_has_prefix (code, "UNAVAILABLE") || g_str_has_prefix (code, "LIMIT") ||
      g_str_has_prefix (code, "INUSE"))
    return MS_ERROR_KIND_RATE_LIMITED;
  if (g_str_has_prefix (code, "CONTACTADMIN"))
    return MS_ERROR_KIND_LOGIN_DISABLED;
  if (g_str_has_prefix (code, "PRIVACYREQUIRED"))
    return MS_ERROR_KIND_PROTOCOL;

  /* AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, EXPIRED, and anything else */
  return MS_ERROR_KIND_AUTH_FAILED;
}

/* A NO to EXAMINE INBOX after a good login: a server with no INBOX yet
 * (Cyrus before the mailbox is created) has still accepted the password.
 * Anything else — NetEase's “Unsafe Login”, a broken mail store — is a
 * failure; provider patterns may name it more precisely. */
static MsErrorKind
kind_for_examine_reply (const MsImapResponse *response)
{
  static const char * const missing[] = {
    "does not exist", "doesn't exist", "not exist", "no such mailbox",
    "mailbox unknown", "unknown mailbox", "not found",
  };
  g_autofree char *text = NULL;

  if (response->status != MS_IMAP_STATUS_NO)
    return MS_ERROR_KIND_PROTOCOL;

  if (response->code != NULL && g_ascii_strncasecmp (response->code, "NONEXISTENT", 11) == 0)
    return MS_ERROR_KIND_NO_INBOX;

  text = g_ascii_strdown (response->text ? response->text : "", -1);
  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      if (strstr (text, missing[i]) != NULL)
        return MS_ERROR_KIND_NO_INBOX;
    }

  return MS_ERROR_KIND_PROTOCOL;
}

static char *
id_command (const char *tag)
{
  return g_strdup_printf ("%s ID (\"name\" \"Mail Setup\" \"version\" \"%s\" "
                          "\"vendor\" \"Mail Setup\" \"os\" \"Linux\")\r\n",
                          tag, PACKAGE_VERSION);
}

/* Builds the login and what follows it as segments: each but the last ends
 * with a synchronizing literal's “{n}”, after which the server must say
 * “+” before the next is sent. */
static void
start_login (GTask *task)
{
  ImapCheck *check = g_task_get_task_data (task);
  gsize pass_len;
  const char *pass = ms_secret_get_data (check->secret, &pass_len);
  GString *current = g_string_new (NULL);

  if (has_cap (check, "LOGINDISABLED"))
    {
      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_LOGIN_DISABLED,
                               _("The server does not allow logging in with a password here (LOGINDISABLED)."));
      g_string_free (current, TRUE);
      return;
    }

  check->segments = g_ptr_array_new_with_free_func (wipe_segment);
  new_tag (check, check->login_tag);

  if (has_cap (check, "AUTH=PLAIN") && has_cap (check, "SASL-IR"))
    {
      gsize user_len = strlen (check->username);
      gsize raw_len = user_len + pass_len + 2;
      char *raw = g_malloc0 (raw_len);
      char *b64;

      memcpy (raw + 1, check->username, user_len);
      memcpy (raw + 2 + user_len, pass, pass_len);
      b64 = g_base64_encode ((const guchar *)raw, raw_len);
      g_string_append_printf (current, "%s AUTHENTICATE PLAIN %s\r\n", check->login_tag, b64);
      ms_wipe (raw, raw_len);
      g_free (raw);
      ms_wipe_string (b64);
    }
  else
    {
      gboolean nonsync = has_cap (check, "LITERAL+") || has_cap (check, "LITERAL-");
      const char *parts[2] = { check->username, pass };
      gsize lengths[2] = { strlen (check->username), pass_len };

      g_string_append_printf (current, "%s LOGIN", check->login_tag);
      for (guint i = 0; i < 2; i++)
        {
          char *quoted = ms_imap_quote (parts[i], lengths[i]);

          if (quoted != NULL)
            {
              g_string_append_printf (current, " %s", quoted);
              ms_wipe_string (quoted);
              continue;
            }

          g_string_append_printf (current, " {%" G_GSIZE_FORMAT "%s}\r\n", lengths[i], nonsync ? "+" : "");
          if (!nonsync)
            {
              g_ptr_array_add (check->segments, g_string_free (current, FALSE));
              current = g_string_new (NULL);
            }
          g_string_append_len (current, parts[i], lengths[i]);
        }
      g_string_append (current, "\r\n");
    }

  g_ptr_array_add (check->segments, g_string_free (current, FALSE));

  g_debug ("%s: IMAP > %s LOGIN/AUTHENTICATE (credentials not shown)",
           ms_mail_stream_get_host (check->stream), check->login_tag);

  {
    char *first = g_ptr_array_steal_index (check->segments, 0);

    check->state = check->segments->len > 0 ? STATE_CONTINUATION : STATE_LOGIN;
    ms_mail_stream_set_stage (check->stream, "logging-in");
    send_command (task, first);
    ms_wipe_string (first);
  }
}

/* After the login's OK, in one write: nothing in it changes what the
 * server does with the rest. */
static void
open_inbox (GTask *task)
{
  ImapCheck *check = g_task_get_task_data (task);
  GString *commands = g_string_new (NULL);
  char tag[16];

  if (check->id_offered)
    {
      g_autofree char *id = NULL;

      new_tag (check, tag);
      id = id_command (tag);
      g_string_append (commands, id);
    }
  new_tag (check, check->examine_tag);
  g_string_append_printf (commands, "%s EXAMINE INBOX\r\n", check->examine_tag);
  new_tag (check, tag);
  g_string_append_printf (commands, "%s LOGOUT\r\n", tag);

  g_debug ("%s: IMAP > %s EXAMINE INBOX", ms_mail_stream_get_host (check->stream), check->examine_tag);
  check->state = STATE_RESULTS;
  ms_mail_stream_set_stage (check->stream, "opening-inbox");
  send_command (task, commands->str);
  g_string_free (commands, TRUE);
}

static void
after_capabilities (GTask *task)
{
  ImapCheck *check = g_task_get_task_data (task);

  if (check->starttls && !ms_mail_stream_is_tls (check->stream))
    {
      g_autofree char *command = NULL;

      if (!has_cap (check, "STARTTLS"))
        {
          g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_TLS_HANDSHAKE,
                                   _("The server does not offer STARTTLS, so no secure connection is possible on this port."));
          return;
        }

      new_tag (check, check->wait_tag);
      command = g_strdup_printf ("%s STARTTLS\r\n", check->wait_tag);
      check->state = STATE_STARTTLS;
      ms_mail_stream_set_stage (check->stream, "starttls");
      send_command (task, command);
      return;
    }

  start_login (task);
}

static void
ask_capabilities (GTask *task)
{
  ImapCheck *check = g_task_get_task_data (task);
  g_autofree char *command = NULL;

  g_clear_pointer (&check->caps, g_strfreev);
  new_tag (check, check->wait_tag);
  command = g_strdup_printf ("%s CAPABILITY\r\n", check->wait_tag);
  check->state = STATE_CAPABILITY;
  ms_mail_stream_set_stage (check->stream, "capabilities");
  send_command (task, command);
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

  /* What the server said before TLS counts for nothing now. */
  ask_capabilities (task);
}

static void
take_capabilities (ImapCheck  *check,
                   const char *text)
{
  g_strfreev (check->caps);
  check->caps = ms_imap_parse_capabilities (text);
  check->id_offered |= has_cap (check, "ID");
}

/* Handles one complete response; returns TRUE to read another. */
static gboolean
handle_response (GTask                *task,
                 const MsImapResponse *response,
                 const char           *raw)
{
  ImapCheck *check = g_task_get_task_data (task);

  if (response->type == MS_IMAP_UNTAGGED)
    {
      if (response->status == MS_IMAP_STATUS_BYE && (check->state != STATE_RESULTS || !check->login_ok))
        {
          fail_with_reply (task, MS_ERROR_KIND_PROTOCOL, raw);
          return FALSE;
        }

      if (response->code != NULL && g_ascii_strncasecmp (response->code, "ALERT", 5) == 0)
        {
          g_autofree char *text = ms_server_text_to_utf8 (response->text, -1);

          g_string_append_printf (check->alerts, "%s[ALERT] %s", check->alerts->len ? " " : "", text);
        }

      if (response->code != NULL && g_ascii_strncasecmp (response->code, "CAPABILITY ", 11) == 0)
        take_capabilities (check, response->code + 11);
      else if (g_strcmp0 (response->name, "CAPABILITY") == 0)
        take_capabilities (check, response->text);

      if (check->state == STATE_GREETING)
        {
          if (response->status == MS_IMAP_STATUS_PREAUTH)
            {
              g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                                       _("The server let us in without a password, so the password could not be checked."));
              return FALSE;
            }
          if (response->status != MS_IMAP_STATUS_OK)
            {
              fail_with_reply (task, MS_ERROR_KIND_PROTOCOL, raw);
              return FALSE;
            }

          if (check->caps != NULL)
            after_capabilities (task);
          else
            ask_capabilities (task);
          return FALSE;
        }

      return TRUE;
    }

  if (response->type == MS_IMAP_CONTINUATION)
    {
      char *next;

      if (check->state != STATE_CONTINUATION || check->segments->len == 0)
        {
          g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                                   _("The server asked for more than the login needs."));
          return FALSE;
        }

      next = g_ptr_array_steal_index (check->segments, 0);
      if (check->segments->len == 0)
        check->state = STATE_LOGIN;
      send_command (task, next);
      ms_wipe_string (next);
      return FALSE;
    }

  /* Tagged */
  switch (check->state)
    {
    case STATE_CAPABILITY:
      if (g_strcmp0 (response->tag, check->wait_tag) != 0)
        return TRUE;
      if (response->status != MS_IMAP_STATUS_OK)
        {
          fail_with_reply (task, MS_ERROR_KIND_PROTOCOL, raw);
          return FALSE;
        }
      if (response->code != NULL && g_ascii_strncasecmp (response->code, "CAPABILITY ", 11) == 0)
        take_capabilities (check, response->code + 11);
      after_capabilities (task);
      return FALSE;

    case STATE_STARTTLS:
      if (g_strcmp0 (response->tag, check->wait_tag) != 0)
        return TRUE;
      if (response->status != MS_IMAP_STATUS_OK)
        {
          fail_with_reply (task, MS_ERROR_KIND_TLS_HANDSHAKE, raw);
          return FALSE;
        }
      ms_mail_stream_set_stage (check->stream, "securing");
      ms_mail_stream_handshake_async (check->stream, check->trust,
                                      g_task_get_cancellable (task),
                                      handshake_cb, g_object_ref (task));
      return FALSE;

    case STATE_CONTINUATION:
    case STATE_LOGIN:
      if (g_strcmp0 (response->tag, check->login_tag) != 0)
        return TRUE;
      if (response->status != MS_IMAP_STATUS_OK)
        {
          fail_with_reply (task, kind_for_login_reply (response), raw);
          return FALSE;
        }
      if (check->state == STATE_CONTINUATION)
        {
          g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                                   _("The server accepted a login it had not been sent in full."));
          return FALSE;
        }
      if (response->code != NULL && g_ascii_strncasecmp (response->code, "CAPABILITY ", 11) == 0)
        take_capabilities (check, response->code + 11);
      check->login_ok = TRUE;
      open_inbox (task);
      return FALSE;

    case STATE_RESULTS:
      if (g_strcmp0 (response->tag, check->examine_tag) == 0)
        {
          if (response->status != MS_IMAP_STATUS_OK)
            {
              fail_with_reply (task, kind_for_examine_reply (response), raw);
              return FALSE;
            }

          g_debug ("%s: IMAP login and EXAMINE INBOX succeeded", ms_mail_stream_get_host (check->stream));
          g_task_return_boolean (task, TRUE);
          return FALSE;
        }
      return TRUE;

    case STATE_GREETING:
    default:
      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                               _("The server answered a command that was not sent."));
      return FALSE;
    }
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data);

static void
read_literal_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ImapCheck *check = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  gsize size;
  const char *data;

  bytes = ms_mail_stream_read_bytes_finish (MS_MAIL_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  g_string_append_len (check->response, data, size);
  read_response (g_steal_pointer (&task));
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ImapCheck *check = g_task_get_task_data (task);
  g_autofree char *line = NULL;
  MsImapResponse response;
  GError *error = NULL;
  gsize length;
  gssize literal;
  gboolean more;

  line = ms_mail_stream_read_line_finish (MS_MAIL_STREAM (object), result, &length, &error);
  if (line == NULL)
    {
      if (g_error_matches (error, MS_ERROR, MS_ERROR_KIND_CONNECT) && check->login_ok)
        {
          g_clear_error (&error);
          g_set_error (&error, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                       _("The server closed the connection after the login, before the mailbox could be opened."));
        }
      g_task_return_error (task, error);
      return;
    }

  g_string_append_len (check->response, line, length);

  /* A literal inside a response (“* ID ("name" {5}” …): read it and the
   * rest of the response before handling it. */
  literal = ms_imap_literal_length (line, length);
  if (literal >= 0)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      if (check->response->len + literal > MAX_RESPONSE)
        {
          g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                                   _("The server sent a response longer than %d bytes."), MAX_RESPONSE);
          return;
        }
      g_string_append (check->response, "\r\n");
      ms_mail_stream_read_bytes_async (check->stream, literal, cancellable,
                                       read_literal_cb, g_steal_pointer (&task));
      return;
    }

  g_debug ("%s: IMAP < %.200s", ms_mail_stream_get_host (check->stream), check->response->str);

  if (!ms_imap_response_parse (check->response->str, check->response->len, &response))
    {
      g_autofree char *text = ms_server_text_to_utf8 (check->response->str, check->response->len);

      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                               _("The server's answer is not IMAP: %s"), text);
      return;
    }

  more = handle_response (task, &response, check->response->str);
  ms_imap_response_clear (&response);
  g_string_truncate (check->response, 0);

  if (more)
    read_response (g_steal_pointer (&task));
}

static void
read_response (GTask *task)
{
  ImapCheck *check = g_task_get_task_data (task);

  /* The task's reference is handed on to the callback. */
  ms_mail_stream_read_line_async (check->stream, g_task_get_cancellable (task), read_line_cb, task);
}

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

  read_response (task);
}

static void
send_command (GTask      *task,
              const char *command)
{
  ImapCheck *check = g_task_get_task_data (task);

  ms_mail_stream_write_async (check->stream, command, strlen (command),
                              g_task_get_cancellable (task),
                              written_cb, g_object_ref (task));
}

/**
 * ms_imap_check_async:
 * @stream: a connected stream (over TLS already unless @starttls)
 * @starttls: whether to upgrade the connection with STARTTLS first
 * @trust: the authorities to trust for STARTTLS
 * @username: the login name
 * @secret: the password
 * @cancellable: (nullable): stops the check
 * @callback: called with the verdict
 * @user_data: for @callback
 *
 * Logs in and opens INBOX read-only. Never retries a refused login.
 */
void
ms_imap_check_async (MsMailStream        *stream,
                     gboolean             starttls,
                     MsTlsTrust          *trust,
                     const char          *username,
                     MsSecret            *secret,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  ImapCheck *check;

  g_return_if_fail (MS_IS_MAIL_STREAM (stream));
  g_return_if_fail (username != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_imap_check_async);

  check = g_new0 (ImapCheck, 1);
  check->stream = g_object_ref (stream);
  check->trust = trust ? ms_tls_trust_ref (trust) : NULL;
  check->username = g_strdup (username);
  check->secret = ms_secret_ref (secret);
  check->starttls = starttls;
  check->state = STATE_GREETING;
  check->response = g_string_new (NULL);
  check->alerts = g_string_new (NULL);
  g_task_set_task_data (task, check, (GDestroyNotify)imap_check_free);

  ms_mail_stream_set_stage (stream, "greeting");
  read_response (task);
}

/**
 * ms_imap_check_finish:
 * @result: the result
 * @error: why the login failed: an %MS_SERVER_REPLY_ERROR with the
 *   server's words, or an %MS_ERROR
 *
 * Returns: %TRUE if the login worked and INBOX could be opened
 */
gboolean
ms_imap_check_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
