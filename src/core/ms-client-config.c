/* ms-client-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads Mozilla autoconfig `clientConfig` 1.1 files, with the Mail Setup
 * extensions in the `ms:` namespace that make a provider file (see
 * providers/README.md). The same reader serves the built-in catalogue, the
 * user's own provider files and, later, what ISPDB and domains publish.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ms-client-config.h"
#include "ms-provider-private.h"

G_DEFINE_QUARK (ms-client-config-error-quark, ms_client_config_error)

#define NOT_WANTED G_MAXINT

/* One translatable text: the variant for the best language wins. */
typedef struct
{
  char *value;
  int   rank;
} Localized;

typedef struct
{
  const char          *filename;
  const char          *data;
  gsize                length;
  /* find_element_line()'s place: the start of line scan_line (0: none) */
  const char          *scan_p;
  int                  scan_line;
  int                  element_line;  /* line of the start tag being handled */
  int                  text_line;     /* line of the text element being read */
  MsClientConfigFlags  flags;
  const char * const  *languages;
  GMarkupParseContext *context;

  MsProvider          *provider;
  int                  provider_line;
  guint                n_providers;
  GPtrArray           *domains;
  GPtrArray           *mx;
  GPtrArray           *search_keys;
  Localized            name;
  Localized            short_name;
  Localized            note;
  GHashTable          *note_languages;  /* xml:lang of each <ms:note> so far */

  /* <incomingServer>/<outgoingServer> being read */
  gboolean             in_server;
  gboolean             server_wanted;
  gboolean             server_is_imap;
  int                  server_line;
  char                *server_hostname;
  char                *server_port;
  char                *server_socket;
  char                *server_username;
  gboolean             server_password;  /* an <authentication> that takes a password */
  gboolean             server_oauth;     /* <authentication>OAuth2</authentication> */

  /* What a fetched document names besides the servers it offers for a
   * password: servers that take OAuth 2.0 only, POP3, IMAP without TLS. */
  GPtrArray           *oauth_imap;
  GPtrArray           *oauth_smtp;
  gboolean             has_pop3;
  gboolean             has_plain_imap;

  /* <ms:password> */
  gboolean             in_password;
  int                  password_line;
  Localized            password_name;
  Localized            password_hint;

  /* <ms:step> */
  MsStep              *step;
  int                  step_line;
  Localized            step_title;
  Localized            step_description;

  /* <ms:error> */
  MsErrorPattern      *error;
  int                  error_line;
  char                *error_step;
  Localized            error_advice;
  GPtrArray           *error_step_refs;   /* (step id, line) pairs to check at the end */

  /* text of the element being read */
  GString             *text;
  gboolean             collecting;
  int                  text_rank;
} ParseState;

static void
localized_clear (Localized *loc)
{
  g_clear_pointer (&loc->value, g_free);
  loc->rank = NOT_WANTED;
}

static void
localized_offer (Localized  *loc,
                 int         rank,
                 const char *value)
{
  if (rank == NOT_WANTED)
    return;

  if (loc->value == NULL || rank < loc->rank)
    {
      g_free (loc->value);
      loc->value = g_strdup (value);
      loc->rank = rank;
    }
}

static char *
localized_steal (Localized *loc)
{
  loc->rank = NOT_WANTED;
  return g_steal_pointer (&loc->value);
}

/* Lower is better; NOT_WANTED means the session does not read that language.
 * A text without xml:lang is the English source, the “C” locale. */
static int
rank_language (ParseState *state,
               const char *lang)
{
  g_autofree char *want = NULL;

  if (lang == NULL || lang[0] == '\0')
    lang = "C";

  want = g_strdup (lang);
  g_strdelimit (want, "-", '_');

  for (int i = 0; state->languages[i]; i++)
    {
      if (g_ascii_strcasecmp (state->languages[i], want) == 0)
        return i;
    }

  /* Always keep the source text as the last resort. */
  if (g_str_equal (want, "C"))
    return NOT_WANTED - 1;

  return NOT_WANTED;
}

static gboolean
is_catalogue (ParseState *state)
{
  return (state->flags & MS_CLIENT_CONFIG_CATALOGUE) != 0;
}

static int
current_line (ParseState *state)
{
  int line = 0;

  g_markup_parse_context_get_position (state->context, &line, NULL);
  return line;
}

/* GMarkup reports where it is after reading ahead past a start tag and the
 * white space after it; errors should name the tag's own line, so look back
 * from there for “<element”. */
static int
find_element_line (ParseState *state,
                   const char *element)
{
  const char *end = state->data + state->length;
  const char *p, *line_start;
  gsize name_len = strlen (element);
  int line = 1, column = 0, i;

  g_markup_parse_context_get_position (state->context, &line, &column);

  /* Elements come in order: go on from the line the last call found,
   * rather than count lines from the start each time. */
  if (state->scan_line == 0 || line < state->scan_line)
    {
      state->scan_p = state->data;
      state->scan_line = 1;
    }
  p = state->scan_p;
  for (i = state->scan_line; i < line && p < end; p++)
    {
      if (*p == '\n')
        i++;
    }
  state->scan_p = line_start = p;
  state->scan_line = i;

  for (int c = 1; c < column && p < end && *p != '\n'; c++)
    p = g_utf8_next_char (p);
  if (p >= end)
    p = end - 1;

  for (const char *q = p; q >= state->data; q--)
    {
      if (*q == '<' && (gsize)(end - q) > name_len + 1 &&
          strncmp (q + 1, element, name_len) == 0 &&
          (g_ascii_isspace (q[1 + name_len]) || q[1 + name_len] == '>' || q[1 + name_len] == '/'))
        {
          int found = i;

          for (const char *r = q; r < line_start; r++)
            found -= *r == '\n';
          return found;
        }
    }

  return line;
}

G_GNUC_PRINTF (4, 5)
static void
fail_at (ParseState  *state,
         GError     **error,
         int          line,
         const char  *format,
         ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  if (error == NULL || *error != NULL)
    return;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, MS_CLIENT_CONFIG_ERROR, MS_CLIENT_CONFIG_ERROR_INVALID,
               "%s:%d: %s", state->filename, line, reason);
}

/* Collapses the white space that wrapping adds in the file. */
static char *
normalize_text (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }

      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static gboolean
check_https_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 &&
         g_uri_get_host (uri) != NULL &&
         g_uri_get_host (uri)[0] != '\0';
}

static gboolean
check_hostname (const char *host)
{
  g_autofree char *normal = NULL;

  if (host == NULL || host[0] == '\0')
    return FALSE;

  /* An address: a bridge on this machine (127.0.0.1), say. */
  if (g_hostname_is_ip_address (host))
    return TRUE;

  normal = ms_normalize_domain (host, NULL);
  return normal != NULL;
}

static gboolean
check_mx_pattern (const char *pattern)
{
  g_autofree char *probe = NULL;

  if (pattern == NULL || strchr (pattern, '.') == NULL)
    return FALSE;

  /* Any “*” must stand for a whole or partial label: check the pattern with
   * each wildcard replaced by a letter. */
  probe = g_strdup (pattern);
  g_strdelimit (probe, "*", 'x');
  return check_hostname (probe);
}

static const char *
attr (const char **names,
      const char **values,
      const char  *name)
{
  for (guint i = 0; names[i]; i++)
    {
      if (g_str_equal (names[i], name))
        return values[i];
    }

  return NULL;
}

static gboolean
parse_bool_attr (ParseState  *state,
                 const char  *value,
                 const char  *name,
                 gboolean     fallback,
                 gboolean    *out,
                 GError     **error)
{
  if (value == NULL)
    *out = fallback;
  else if (g_str_equal (value, "true"))
    *out = TRUE;
  else if (g_str_equal (value, "false"))
    *out = FALSE;
  else
    {
      fail_at (state, error, state->element_line,
               "%s must be “true” or “false”, not “%s”", name, value);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_uint_attr (ParseState  *state,
                 const char  *value,
                 const char  *name,
                 guint        max,
                 guint       *out,
                 GError     **error)
{
  guint64 number;

  if (value == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (value, 10, 0, max, &number, NULL))
    {
      fail_at (state, error, state->element_line,
               "%s must be a whole number from 0 to %u, not “%s”", name, max, value);
      return FALSE;
    }

  *out = (guint)number;
  return TRUE;
}

static const char *
parent_element (GMarkupParseContext *context)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  return stack && stack->next ? stack->next->data : NULL;
}

static void
begin_text (ParseState  *state,
            const char **names,
            const char **values)
{
  g_string_truncate (state->text, 0);
  state->collecting = TRUE;
  state->text_line = state->element_line;
  state->text_rank = rank_language (state, attr (names, values, "xml:lang"));
}

static void
start_note (ParseState  *state,
            const char **names,
            const char **values,
            GError     **error)
{
  const char *lang = attr (names, values, "xml:lang");
  g_autofree char *key = g_ascii_strdown (lang && lang[0] ? lang : "C", -1);

  /* One text, with at most one translation per language. */
  g_strdelimit (key, "-", '_');
  if (!g_hash_table_add (state->note_languages, g_steal_pointer (&key)))
    {
      fail_at (state, error, state->element_line,
               "a provider has one <ms:note> in each language");
      return;
    }

  begin_text (state, names, values);
}

static void
start_password (ParseState  *state,
                const char **names,
                const char **values,
                GError     **error)
{
  MsPasswordFormat *format;
  const char *value;
  guint length = 0;

  if (state->in_password || state->provider->password != NULL)
    {
      fail_at (state, error, state->element_line, "a provider has one <ms:password>");
      return;
    }

  state->in_password = TRUE;
  state->password_line = state->element_line;
  localized_clear (&state->password_name);
  localized_clear (&state->password_hint);

  /* The name is filled in at </ms:password>. */
  format = ms_password_format_new ("");
  state->provider->password = format;

  if (!parse_uint_attr (state, attr (names, values, "length"), "length", 1024, &length, error) ||
      !parse_uint_attr (state, attr (names, values, "min-length"), "min-length", 1024, &format->min_length, error) ||
      !parse_uint_attr (state, attr (names, values, "max-length"), "max-length", 1024, &format->max_length, error) ||
      !parse_uint_attr (state, attr (names, values, "group"), "group", 64, &format->group, error) ||
      !parse_bool_attr (state, attr (names, values, "required"), "required", TRUE, &format->required, error) ||
      !parse_bool_attr (state, attr (names, values, "expires"), "expires", FALSE, &format->expires, error))
    return;

  if (length > 0)
    format->min_length = format->max_length = length;

  if (format->max_length > 0 && format->min_length > format->max_length)
    {
      fail_at (state, error, state->password_line, "min-length is larger than max-length");
      return;
    }

  if ((value = attr (names, values, "charset")) &&
      !ms_password_charset_from_string (value, &format->charset))
    {
      fail_at (state, error, state->password_line,
               "charset must be “any”, “letters” or “alphanumeric”, not “%s”", value);
      return;
    }

  if ((value = attr (names, values, "separators")))
    {
      g_free (format->separators);
      format->separators = g_strdup (value);
    }
}

static void
start_step (ParseState  *state,
            const char **names,
            const char **values,
            GError     **error)
{
  const char *id = attr (names, values, "id");
  const char *who = attr (names, values, "who");
  const char *url = attr (names, values, "url");
  MsStepWho step_who;

  if (state->step != NULL)
    {
      fail_at (state, error, state->element_line, "<ms:step> cannot be inside another <ms:step>");
      return;
    }

  state->step_line = state->element_line;
  localized_clear (&state->step_title);
  localized_clear (&state->step_description);

  if (id == NULL || id[0] == '\0')
    {
      fail_at (state, error, state->step_line, "<ms:step> needs an id attribute");
      return;
    }

  if (ms_provider_find_step (state->provider, id) != NULL)
    {
      fail_at (state, error, state->step_line, "two steps have the id “%s”", id);
      return;
    }

  if (g_strcmp0 (who, "admin") == 0)
    step_who = MS_STEP_WHO_ADMIN;
  else if (g_strcmp0 (who, "user") == 0)
    step_who = MS_STEP_WHO_USER;
  else
    {
      fail_at (state, error, state->step_line,
               "who must be “admin” or “user”, not “%s”", who ? who : "");
      return;
    }

  if (url != NULL && !check_https_url (url))
    {
      fail_at (state, error, state->step_line,
               "the page “%s” is not an https:// address", url);
      return;
    }

  state->step = ms_step_new (id, step_who, "", "", url);
}

static void
start_error (ParseState  *state,
             const char **names,
             const char **values,
             GError     **error)
{
  const char *kind_name = attr (names, values, "kind");
  const char *match = attr (names, values, "match");
  const char *protocol = attr (names, values, "protocol");
  const char *step = attr (names, values, "step");
  g_autoptr(GError) regex_error = NULL;
  MsErrorKind kind;
  gboolean imap = TRUE, smtp = TRUE;

  if (state->error != NULL)
    {
      fail_at (state, error, state->element_line, "<ms:error> cannot be inside another <ms:error>");
      return;
    }

  state->error_line = state->element_line;
  localized_clear (&state->error_advice);

  if (!ms_error_kind_from_string (kind_name, &kind))
    {
      fail_at (state, error, state->error_line,
               "unknown error kind “%s”", kind_name ? kind_name : "");
      return;
    }

  if (match == NULL || match[0] == '\0')
    {
      fail_at (state, error, state->error_line, "<ms:error> needs a match attribute");
      return;
    }

  if (g_strcmp0 (protocol, "imap") == 0)
    smtp = FALSE;
  else if (g_strcmp0 (protocol, "smtp") == 0)
    imap = FALSE;
  else if (protocol != NULL)
    {
      fail_at (state, error, state->error_line,
               "protocol must be “imap” or “smtp”, not “%s”", protocol);
      return;
    }

  state->error = ms_error_pattern_new (kind, match, imap, smtp, &regex_error);
  if (state->error == NULL)
    {
      fail_at (state, error, state->error_line,
               "the match “%s” is not a valid regular expression: %s",
               match, regex_error->message);
      return;
    }

  if (step != NULL)
    {
      ms_error_pattern_set_step_id (state->error, step);
      g_ptr_array_add (state->error_step_refs, g_strdup (step));
      g_ptr_array_add (state->error_step_refs, GINT_TO_POINTER (state->error_line));
    }
}

static void
start_server (ParseState  *state,
              const char  *element,
              const char **names,
              const char **values,
              GError     **error)
{
  const char *type = attr (names, values, "type");
  gboolean incoming = g_str_equal (element, "incomingServer");

  state->in_server = TRUE;
  state->server_line = state->element_line;
  g_clear_pointer (&state->server_hostname, g_free);
  g_clear_pointer (&state->server_port, g_free);
  g_clear_pointer (&state->server_socket, g_free);
  g_clear_pointer (&state->server_username, g_free);
  state->server_password = FALSE;
  state->server_oauth = FALSE;

  if (incoming)
    {
      state->server_is_imap = TRUE;
      state->server_wanted = g_strcmp0 (type, "imap") == 0;
      state->has_pop3 |= g_strcmp0 (type, "pop3") == 0;
      /* POP3 and Exchange entries are legal autoconfig; we only do IMAP. */
      if (!state->server_wanted && is_catalogue (state) && g_strcmp0 (type, "pop3") != 0)
        fail_at (state, error, state->server_line,
                 "incoming servers must be of type “imap” or “pop3”, not “%s”",
                 type ? type : "");
    }
  else
    {
      state->server_is_imap = FALSE;
      state->server_wanted = g_strcmp0 (type, "smtp") == 0;
      if (!state->server_wanted && is_catalogue (state))
        fail_at (state, error, state->server_line,
                 "outgoing servers must be of type “smtp”, not “%s”", type ? type : "");
    }
}

/* What may stand inside each of our own elements. */
typedef enum
{
  CHILD_TEXT,
  CHILD_STEP,
  CHILD_ERROR,
} ChildAction;

static const struct
{
  const char  *parent;
  const char  *child;
  ChildAction  action;
} ms_children[] = {
  { "ms:password", "ms:name", CHILD_TEXT },
  { "ms:password", "ms:hint", CHILD_TEXT },
  { "ms:steps", "ms:step", CHILD_STEP },
  { "ms:step", "ms:title", CHILD_TEXT },
  { "ms:step", "ms:description", CHILD_TEXT },
  { "ms:errors", "ms:error", CHILD_ERROR },
  { "ms:error", "ms:advice", CHILD_TEXT },
};

static void
start_element (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  ParseState *state = user_data;
  const char *parent = parent_element (context);

  state->element_line = find_element_line (state, element);

  if (parent == NULL)
    {
      if (!g_str_equal (element, "clientConfig"))
        {
          fail_at (state, error, state->element_line,
                   "this is not a clientConfig file (the root element is <%s>)", element);
          return;
        }

      if (is_catalogue (state) &&
          g_strcmp0 (attr (names, values, "xmlns:ms"), MS_CLIENT_CONFIG_NAMESPACE) != 0)
        fail_at (state, error, state->element_line,
                 "the root element must declare xmlns:ms=\"%s\"", MS_CLIENT_CONFIG_NAMESPACE);
      return;
    }

  if (g_str_equal (parent, "clientConfig"))
    {
      if (g_str_equal (element, "emailProvider"))
        {
          const char *id = attr (names, values, "id");

          if (++state->n_providers > 1)
            {
              fail_at (state, error, state->element_line, "a file holds one <emailProvider>");
              return;
            }

          state->provider_line = state->element_line;
          state->provider->id = g_strdup (id);
        }
      return;
    }

  if (g_str_equal (parent, "emailProvider"))
    {
      if (g_str_equal (element, "domain") ||
          g_str_equal (element, "displayName") ||
          g_str_equal (element, "displayShortName") ||
          g_str_equal (element, "ms:mx") ||
          g_str_equal (element, "ms:website"))
        begin_text (state, names, values);
      else if (g_str_equal (element, "incomingServer") ||
               g_str_equal (element, "outgoingServer"))
        start_server (state, element, names, values, error);
      else if (g_str_equal (element, "ms:password"))
        start_password (state, names, values, error);
      else if (g_str_equal (element, "ms:note"))
        start_note (state, names, values, error);
      else if (g_str_equal (element, "ms:steps") || g_str_equal (element, "ms:errors"))
        ;
      else if (g_str_equal (element, "ms:oauth-only"))
        state->provider->oauth_only = TRUE;
      else if (g_str_has_prefix (element, "ms:") && is_catalogue (state))
        fail_at (state, error, state->element_line, "unknown element <%s>", element);
      return;
    }

  if (g_str_equal (parent, "incomingServer") || g_str_equal (parent, "outgoingServer"))
    {
      if (g_str_equal (element, "hostname") ||
          g_str_equal (element, "port") ||
          g_str_equal (element, "socketType") ||
          g_str_equal (element, "username") ||
          g_str_equal (element, "authentication"))
        begin_text (state, names, values);
      return;
    }

  if (g_str_has_prefix (parent, "ms:"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (ms_children); i++)
        {
          if (!g_str_equal (parent, ms_children[i].parent) ||
              !g_str_equal (element, ms_children[i].child))
            continue;

          switch (ms_children[i].action)
            {
            case CHILD_TEXT:
              begin_text (state, names, values);
              break;
            case CHILD_STEP:
              start_step (state, names, values, error);
              break;
            case CHILD_ERROR:
              start_error (state, names, values, error);
              break;
            default:
              g_assert_not_reached ();
            }
          return;
        }

      if (is_catalogue (state))
        fail_at (state, error, state->element_line, "unknown element <%s> in <%s>", element, parent);
    }
}

static void
end_server (ParseState  *state,
            GError     **error)
{
  MsSecurity security;
  guint64 port;
  const char *username = state->server_username;
  GPtrArray *servers;

  state->in_server = FALSE;
  if (!state->server_wanted)
    return;

  if (state->server_hostname == NULL ||
      (!check_hostname (state->server_hostname) &&
       (is_catalogue (state) || strchr (state->server_hostname, '%') == NULL)))
    {
      fail_at (state, error, state->server_line, "the server has no valid <hostname>");
      return;
    }

  if (state->server_port == NULL ||
      !g_ascii_string_to_unsigned (state->server_port, 10, 1, 65535, &port, NULL))
    {
      fail_at (state, error, state->server_line,
               "the port “%s” is not a number from 1 to 65535",
               state->server_port ? state->server_port : "");
      return;
    }

  if (!ms_security_from_string (state->server_socket, &security))
    {
      /* Never offer a server that would see the password in the clear. */
      if (is_catalogue (state))
        fail_at (state, error, state->server_line,
                 "socketType must be “SSL” or “STARTTLS”, not “%s”",
                 state->server_socket ? state->server_socket : "");
      state->has_plain_imap |= state->server_is_imap;
      return;
    }

  if (username == NULL)
    username = "%EMAILADDRESS%";

  if (is_catalogue (state) &&
      !g_str_equal (username, "%EMAILADDRESS%") &&
      !g_str_equal (username, "%EMAILLOCALPART%"))
    {
      fail_at (state, error, state->server_line,
               "username must be %%EMAILADDRESS%% or %%EMAILLOCALPART%%, not “%s”", username);
      return;
    }

  /* Nor one that takes no password at all: OAuth 2.0 only. A catalogue
   * provider says so for all its servers (<ms:oauth-only/>). */
  if (!is_catalogue (state) && state->server_oauth && !state->server_password)
    servers = state->server_is_imap ? state->oauth_imap : state->oauth_smtp;
  else
    servers = state->server_is_imap ? state->provider->imap : state->provider->smtp;

  g_ptr_array_add (servers,
                   ms_server_new (state->server_is_imap ? MS_PROTOCOL_IMAP : MS_PROTOCOL_SMTP,
                                  state->server_hostname, (guint16)port, security, username));
}

/* One <authentication> of a server: the methods that take the password
 * (with Thunderbird's older names for them), and OAuth 2.0. Others
 * (NTLM, GSSAPI, client-IP-address …) say nothing either way. */
static void
add_authentication (ParseState *state,
                    const char *method)
{
  static const char * const password_methods[] = {
    "password-cleartext", "plain", "password-encrypted", "secure",
  };

  for (guint i = 0; i < G_N_ELEMENTS (password_methods); i++)
    state->server_password |= g_ascii_strcasecmp (method, password_methods[i]) == 0;
  state->server_oauth |= g_ascii_strcasecmp (method, "OAuth2") == 0;
}

static void
end_password (ParseState  *state,
              GError     **error)
{
  MsPasswordFormat *format = state->provider->password;

  state->in_password = FALSE;

  if (state->password_name.value == NULL)
    {
      fail_at (state, error, state->password_line, "<ms:password> needs an <ms:name>");
      return;
    }

  g_free (format->name);
  format->name = localized_steal (&state->password_name);
  format->hint = localized_steal (&state->password_hint);
}

static void
end_step (ParseState  *state,
          GError     **error)
{
  g_autoptr(MsStep) step = g_steal_pointer (&state->step);

  if (step == NULL)
    return;

  if (state->step_title.value == NULL)
    {
      fail_at (state, error, state->step_line, "the step “%s” has no <ms:title>", step->id);
      return;
    }

  if (state->step_description.value == NULL && is_catalogue (state))
    {
      fail_at (state, error, state->step_line, "the step “%s” has no <ms:description>", step->id);
      return;
    }

  g_free (step->title);
  step->title = localized_steal (&state->step_title);
  g_free (step->description);
  step->description = localized_steal (&state->step_description);
  if (step->description == NULL)
    step->description = g_strdup ("");

  g_ptr_array_add (state->provider->steps, g_steal_pointer (&step));
}

static void
end_error (ParseState *state)
{
  g_autoptr(MsErrorPattern) pattern = g_steal_pointer (&state->error);

  if (pattern == NULL)
    return;

  if (state->error_advice.value != NULL)
    ms_error_pattern_set_advice (pattern, state->error_advice.value);
  localized_clear (&state->error_advice);

  g_ptr_array_add (state->provider->errors, g_steal_pointer (&pattern));
}

static void
end_text (ParseState  *state,
          const char  *element,
          const char  *parent,
          GError     **error)
{
  g_autofree char *text = normalize_text (state->text->str);
  int rank = state->text_rank;

  state->collecting = FALSE;

  if (g_str_equal (parent, "emailProvider"))
    {
      if (g_str_equal (element, "domain"))
        {
          g_autoptr(GError) local_error = NULL;
          g_autofree char *domain = ms_normalize_domain (text, &local_error);

          if (domain == NULL)
            {
              fail_at (state, error, state->text_line,
                       "“%s” is not a domain name", text);
              return;
            }
          if (!g_ptr_array_find_with_equal_func (state->domains, domain, g_str_equal, NULL))
            g_ptr_array_add (state->domains, g_steal_pointer (&domain));
        }
      else if (g_str_equal (element, "displayName"))
        {
          g_ptr_array_add (state->search_keys, g_utf8_casefold (text, -1));
          localized_offer (&state->name, rank, text);
        }
      else if (g_str_equal (element, "displayShortName"))
        localized_offer (&state->short_name, rank, text);
      else if (g_str_equal (element, "ms:mx"))
        {
          g_autofree char *pattern = g_ascii_strdown (text, -1);

          if (!check_mx_pattern (pattern))
            {
              fail_at (state, error, state->text_line,
                       "“%s” is not an MX host name or pattern", text);
              return;
            }
          g_ptr_array_add (state->mx, g_steal_pointer (&pattern));
        }
      else if (g_str_equal (element, "ms:website"))
        {
          if (!check_https_url (text))
            {
              fail_at (state, error, state->text_line,
                       "the website “%s” is not an https:// address", text);
              return;
            }
          g_free (state->provider->website);
          state->provider->website = g_steal_pointer (&text);
        }
      else if (g_str_equal (element, "ms:note"))
        localized_offer (&state->note, rank, text);
    }
  else if (state->in_server)
    {
      char **slot = NULL;

      if (g_str_equal (element, "hostname"))
        slot = &state->server_hostname;
      else if (g_str_equal (element, "port"))
        slot = &state->server_port;
      else if (g_str_equal (element, "socketType"))
        slot = &state->server_socket;
      else if (g_str_equal (element, "username"))
        slot = &state->server_username;
      else if (g_str_equal (element, "authentication"))
        add_authentication (state, text);

      if (slot != NULL)
        {
          g_free (*slot);
          *slot = g_steal_pointer (&text);
        }
    }
  else if (g_str_equal (parent, "ms:password"))
    {
      if (g_str_equal (element, "ms:name"))
        localized_offer (&state->password_name, rank, text);
      else
        localized_offer (&state->password_hint, rank, text);
    }
  else if (g_str_equal (parent, "ms:step"))
    {
      if (g_str_equal (element, "ms:title"))
        localized_offer (&state->step_title, rank, text);
      else
        localized_offer (&state->step_description, rank, text);
    }
  else if (g_str_equal (parent, "ms:error"))
    localized_offer (&state->error_advice, rank, text);
}

static void
end_element (GMarkupParseContext  *context,
             const char           *element,
             gpointer              user_data,
             GError              **error)
{
  ParseState *state = user_data;
  const char *parent = parent_element (context);

  if (state->collecting)
    {
      end_text (state, element, parent ? parent : "", error);
      return;
    }

  if (g_str_equal (element, "incomingServer") || g_str_equal (element, "outgoingServer"))
    {
      if (g_strcmp0 (parent, "emailProvider") == 0)
        end_server (state, error);
    }
  else if (g_str_equal (element, "ms:password") && state->in_password)
    end_password (state, error);
  else if (g_str_equal (element, "ms:step"))
    end_step (state, error);
  else if (g_str_equal (element, "ms:error"))
    end_error (state);
}

static void
text (GMarkupParseContext  *context,
      const char           *text,
      gsize                 text_len,
      gpointer              user_data,
      GError              **error)
{
  ParseState *state = user_data;

  if (state->collecting)
    g_string_append_len (state->text, text, text_len);
}

static const GMarkupParser parser = {
  start_element,
  end_element,
  text,
  NULL,
  NULL,
};

static gboolean
check_id (const char *id)
{
  if (id == NULL || id[0] == '\0' || strlen (id) > 64)
    return FALSE;

  for (const char *p = id; *p; p++)
    {
      if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-'))
        return FALSE;
    }

  return id[0] != '-';
}

static void
sort_steps (GPtrArray *steps)
{
  g_autoptr(GPtrArray) admin = g_ptr_array_new ();
  g_autoptr(GPtrArray) user = g_ptr_array_new ();

  /* Administrator's steps first, each group in file order. */
  for (guint i = 0; i < steps->len; i++)
    {
      MsStep *step = g_ptr_array_index (steps, i);
      g_ptr_array_add (step->who == MS_STEP_WHO_ADMIN ? admin : user, step);
    }

  for (guint i = 0; i < admin->len; i++)
    steps->pdata[i] = admin->pdata[i];
  for (guint i = 0; i < user->len; i++)
    steps->pdata[admin->len + i] = user->pdata[i];
}

/* A fetched document offers its servers that take a password. When its
 * IMAP servers take OAuth 2.0 only, it is the provider saying that no
 * password works: it becomes an OAuth-only provider, like a catalogue one
 * with <ms:oauth-only/>, whose servers are named but never offered a
 * password. With no IMAP server at all, it says what it has instead. */
static void
settle_document (ParseState *state)
{
  MsProvider *provider = state->provider;

  if (provider->imap->len > 0)
    return;

  if (state->oauth_imap->len > 0)
    {
      provider->oauth_only = TRUE;
      g_ptr_array_extend_and_steal (provider->imap, g_steal_pointer (&state->oauth_imap));
      g_ptr_array_extend_and_steal (provider->smtp, g_steal_pointer (&state->oauth_smtp));
    }
  else if (state->has_plain_imap)
    provider->no_imap = MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY;
  else if (state->has_pop3)
    provider->no_imap = MS_LOOKUP_NOTE_POP3_ONLY;
}

static gboolean
finish_provider (ParseState  *state,
                 GError     **error)
{
  MsProvider *provider = state->provider;
  int line = state->provider_line ? state->provider_line : 1;
  gboolean has_user_step = FALSE;

  if (state->n_providers == 0)
    {
      fail_at (state, error, 1, "the file has no <emailProvider>");
      return FALSE;
    }

  g_ptr_array_add (state->domains, NULL);
  provider->domains = (char **)g_ptr_array_free (g_steal_pointer (&state->domains), FALSE);
  g_ptr_array_add (state->mx, NULL);
  provider->mx_patterns = (char **)g_ptr_array_free (g_steal_pointer (&state->mx), FALSE);
  g_ptr_array_add (state->search_keys, NULL);
  provider->search_keys = (char **)g_ptr_array_free (g_steal_pointer (&state->search_keys), FALSE);
  provider->name = localized_steal (&state->name);
  provider->short_name = localized_steal (&state->short_name);
  provider->client_note = localized_steal (&state->note);
  sort_steps (provider->steps);

  if (provider->id == NULL && provider->domains[0] != NULL)
    provider->id = g_strdup (provider->domains[0]);

  if (provider->name == NULL)
    {
      if (is_catalogue (state) || provider->id == NULL)
        {
          fail_at (state, error, line, "the provider has no <displayName>");
          return FALSE;
        }
      provider->name = g_strdup (provider->id);
    }

  if (!is_catalogue (state))
    {
      settle_document (state);
      return TRUE;
    }

  if (!check_id (provider->id))
    {
      fail_at (state, error, line,
               "the id “%s” must be lower-case letters, digits and dashes",
               provider->id ? provider->id : "");
      return FALSE;
    }

  if (provider->imap->len == 0)
    {
      fail_at (state, error, line, "the provider has no IMAP server");
      return FALSE;
    }

  if (provider->smtp->len == 0)
    {
      fail_at (state, error, line, "the provider has no SMTP server");
      return FALSE;
    }

  /* A provider that takes no password at all says so instead, and tells
   * the user what to do. */
  if (provider->oauth_only)
    {
      if (provider->password != NULL)
        {
          fail_at (state, error, line, "an <ms:oauth-only/> provider has no <ms:password>");
          return FALSE;
        }
      if (provider->client_note == NULL)
        {
          fail_at (state, error, line, "an <ms:oauth-only/> provider needs an <ms:note> saying what to do");
          return FALSE;
        }
    }
  else if (provider->password == NULL)
    {
      fail_at (state, error, line, "the provider has no <ms:password>");
      return FALSE;
    }

  for (guint i = 0; i < provider->steps->len; i++)
    has_user_step |= ((MsStep *)g_ptr_array_index (provider->steps, i))->who == MS_STEP_WHO_USER;

  if (!has_user_step)
    {
      fail_at (state, error, line, "the provider has no step for the user");
      return FALSE;
    }

  for (guint i = 0; i + 1 < state->error_step_refs->len; i += 2)
    {
      const char *step_id = g_ptr_array_index (state->error_step_refs, i);

      if (ms_provider_find_step (provider, step_id) == NULL)
        {
          fail_at (state, error,
                   GPOINTER_TO_INT (g_ptr_array_index (state->error_step_refs, i + 1)),
                   "the error refers to a step “%s” that does not exist", step_id);
          return FALSE;
        }
    }

  return TRUE;
}

static const char *
skip_markup_prefix (const char *message)
{
  /* GMarkup says “Error on line N char M: …”; we give the line ourselves. */
  if (g_str_has_prefix (message, "Error on line "))
    {
      const char *colon = strstr (message, ": ");

      if (colon != NULL)
        return colon + 2;
    }

  return message;
}

/**
 * ms_client_config_parse:
 * @data: the file's contents
 * @length: its length, or -1 if nul-terminated
 * @filename: what to call the file in error messages
 * @flags: how strict to be
 * @languages: (nullable): the languages to pick translations for, best
 *   first, as g_get_language_names() gives them; %NULL for those
 * @error: where to put what is wrong, as “FILE:LINE: reason”
 *
 * Reads one provider from a `clientConfig` file. With
 * %MS_CLIENT_CONFIG_CATALOGUE the file must be a complete provider file;
 * otherwise whatever usable servers it names are read.
 *
 * Returns: (transfer full): the provider, or %NULL with @error set
 */
MsProvider *
ms_client_config_parse (const char          *data,
                        gssize               length,
                        const char          *filename,
                        MsClientConfigFlags  flags,
                        const char * const  *languages,
                        GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(MsProvider) provider = NULL;
  ParseState state = { 0 };
  gboolean ok;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  if (length < 0)
    length = strlen (data);

  provider = _ms_provider_new ();
  provider->origin = g_strdup (filename);

  state.filename = filename;
  state.data = data;
  state.length = length;
  state.flags = flags;
  state.languages = languages ? languages : g_get_language_names ();
  state.provider = provider;
  state.domains = g_ptr_array_new_with_free_func (g_free);
  state.mx = g_ptr_array_new_with_free_func (g_free);
  state.search_keys = g_ptr_array_new_with_free_func (g_free);
  state.note_languages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state.error_step_refs = g_ptr_array_new ();
  state.oauth_imap = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  state.oauth_smtp = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  state.text = g_string_new (NULL);
  localized_clear (&state.name);
  localized_clear (&state.short_name);
  localized_clear (&state.note);
  localized_clear (&state.password_name);
  localized_clear (&state.password_hint);
  localized_clear (&state.step_title);
  localized_clear (&state.step_description);
  localized_clear (&state.error_advice);

  state.context = g_markup_parse_context_new (&parser, 0, &state, NULL);

  if (!g_utf8_validate (data, length, NULL))
    {
      fail_at (&state, &local_error, 1, "the file is not valid UTF-8");
      ok = FALSE;
    }
  else
    {
      ok = g_markup_parse_context_parse (state.context, data, length, &local_error) &&
           g_markup_parse_context_end_parse (state.context, &local_error);

      if (!ok && local_error->domain == G_MARKUP_ERROR)
        {
          g_autoptr(GError) markup_error = g_steal_pointer (&local_error);

          fail_at (&state, &local_error, current_line (&state),
                   "%s", skip_markup_prefix (markup_error->message));
        }
    }

  if (ok)
    ok = finish_provider (&state, &local_error);

  for (guint i = 0; i + 1 < state.error_step_refs->len; i += 2)
    g_free (g_ptr_array_index (state.error_step_refs, i));
  g_ptr_array_unref (state.error_step_refs);
  g_clear_pointer (&state.domains, g_ptr_array_unref);
  g_clear_pointer (&state.mx, g_ptr_array_unref);
  g_clear_pointer (&state.search_keys, g_ptr_array_unref);
  g_clear_pointer (&state.note_languages, g_hash_table_unref);
  g_clear_pointer (&state.oauth_imap, g_ptr_array_unref);
  g_clear_pointer (&state.oauth_smtp, g_ptr_array_unref);
  g_clear_pointer (&state.step, ms_step_free);
  g_clear_pointer (&state.error, ms_error_pattern_unref);
  g_free (state.server_hostname);
  g_free (state.server_port);
  g_free (state.server_socket);
  g_free (state.server_username);
  g_string_free (state.text, TRUE);
  localized_clear (&state.name);
  localized_clear (&state.short_name);
  localized_clear (&state.note);
  localized_clear (&state.password_name);
  localized_clear (&state.password_hint);
  localized_clear (&state.step_title);
  localized_clear (&state.step_description);
  localized_clear (&state.error_advice);
  g_markup_parse_context_free (state.context);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&provider);
}
