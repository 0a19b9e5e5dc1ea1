/* ms-check-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The diagnosis: every failure becomes one error kind, first by the
 * provider's own patterns (its files know what QQ or NetEase mean), then by
 * the protocol's generic rules (RFC 5530 response codes, RFC 3463 enhanced
 * status codes, reply codes), and gets advice a user can act on, naming the
 * provider's word for its client password and the step that fixes it.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-check-result.h"
#include <string.h>

#include "ms-server-text.h"

G_DEFINE_BOXED_TYPE (MsCheckResult, ms_check_result, ms_check_result_copy, ms_check_result_free)

MsCheckResult *
ms_check_result_new (MsProtocol  protocol,
                     const char *server)
{
  MsCheckResult *result = g_new0 (MsCheckResult, 1);

  result->protocol = protocol;
  result->server = g_strdup (server);

  return result;
}

MsCheckResult *
ms_check_result_copy (const MsCheckResult *result)
{
  MsCheckResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = ms_check_result_new (result->protocol, result->server);
  copy->ok = result->ok;
  copy->kind = result->kind;
  copy->message = g_strdup (result->message);
  copy->advice = g_strdup (result->advice);
  copy->step_id = g_strdup (result->step_id);
  copy->tls = result->tls ? g_variant_ref (result->tls) : NULL;

  return copy;
}

void
ms_check_result_free (MsCheckResult *result)
{
  if (result == NULL)
    return;

  g_free (result->server);
  g_free (result->message);
  g_free (result->advice);
  g_free (result->step_id);
  g_clear_pointer (&result->tls, g_variant_unref);
  g_free (result);
}

/* The step that fixes a kind of failure when no pattern names one. */
static const MsStep *
default_step (MsProvider  *provider,
              MsErrorKind  kind)
{
  GPtrArray *steps;
  const MsStep *first_user = NULL, *last_user = NULL, *first_admin = NULL;

  if (provider == NULL)
    return NULL;

  steps = ms_provider_get_steps (provider);
  for (guint i = 0; i < steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (steps, i);

      if (step->who == MS_STEP_WHO_ADMIN)
        first_admin = first_admin ? first_admin : step;
      else
        {
          first_user = first_user ? first_user : step;
          last_user = step;
        }
    }

  switch (kind)
    {
    case MS_ERROR_KIND_AUTH_FAILED:
    case MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED:
      return last_user;
    case MS_ERROR_KIND_SERVICE_DISABLED:
      return first_user;
    case MS_ERROR_KIND_IP_DENIED:
    case MS_ERROR_KIND_LOGIN_DISABLED:
      return first_admin;
    default:
      return NULL;
    }
}

/**
 * ms_check_result_dup_advice:
 * @kind: what went wrong
 * @provider: (nullable): the provider, for its words
 *
 * Returns: (transfer full) (nullable): generic advice for @kind
 */
char *
ms_check_result_dup_advice (MsErrorKind  kind,
                            MsProvider  *provider)
{
  const MsPasswordFormat *format = provider ? ms_provider_get_password_format (provider) : NULL;
  /* Translators: used when the provider's name for its client password is unknown */
  const char *password = format ? format->name : _("password");

  switch (kind)
    {
    case MS_ERROR_KIND_NONE:
      return NULL;
    case MS_ERROR_KIND_AUTH_FAILED:
      /* Translators: %s is what the provider calls its client password, e.g. “authorization code (授权码)” */
      return g_strdup_printf (_("The server did not accept the %s. Check that you copied all of it; the password you use on the web does not work here. If it still fails, make a new one."),
                              password);
    case MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED:
      return g_strdup_printf (_("This provider only lets mail programs in with a %s, not with your login password. Make one in the provider's web settings and use it here."),
                              password);
    case MS_ERROR_KIND_SERVICE_DISABLED:
      return g_strdup (_("IMAP/SMTP is switched off for this account. Switch it on in the provider's web settings."));
    case MS_ERROR_KIND_IP_DENIED:
      return g_strdup (_("Your organization only allows sign-in from some places. Ask your mail administrator to allow it."));
    case MS_ERROR_KIND_UNSAFE_LOGIN:
      return g_strdup (_("The server refused the mail program because it did not identify itself."));
    case MS_ERROR_KIND_RATE_LIMITED:
      return g_strdup (_("The server is turning logins away for now: too many attempts, or it is busy. Wait a few minutes and try once more; repeated attempts make it worse."));
    case MS_ERROR_KIND_ACCOUNT_UNKNOWN:
      return g_strdup (_("The server does not know this account. Check the address."));
    case MS_ERROR_KIND_LOGIN_DISABLED:
      return g_strdup (_("This account may not log in this way. The provider or your mail administrator has to allow it."));
    case MS_ERROR_KIND_TLS_CERTIFICATE:
      return g_strdup (_("Nothing was sent: the server could not prove who it is. On public Wi-Fi or behind a company proxy, try another network; otherwise tell the provider or your administrator what is shown here."));
    case MS_ERROR_KIND_TLS_HANDSHAKE:
      return g_strdup (_("No secure connection could be made. The server may only speak outdated encryption, or something on the network interferes. Nothing was sent."));
    case MS_ERROR_KIND_DNS:
      return g_strdup (_("The server's name was not found. Check the internet connection and the server name."));
    case MS_ERROR_KIND_CONNECT:
      return g_strdup (_("The server could not be reached or dropped the connection. Check the internet connection; a firewall may block the port."));
    case MS_ERROR_KIND_TIMEOUT:
      return g_strdup (_("The server did not answer in time. Check the internet connection and try again."));
    case MS_ERROR_KIND_PROTOCOL:
      return g_strdup (_("The server answered in a way Mail Setup does not understand. Check the server settings."));
    case MS_ERROR_KIND_CANCELLED:
      return g_strdup (_("The check was stopped."));
    case MS_ERROR_KIND_STORE_FAILED:
      return g_strdup (_("The password could not be saved."));
    case MS_ERROR_KIND_WRONG_SECURITY_MODE:
      return g_strdup (_("The server is there, but this port uses the other kind of encryption. Change the server's security setting as said above and check again. Nothing was sent."));
    case MS_ERROR_KIND_NO_INBOX:
      return g_strdup (_("The password works. The server has no inbox for this account yet; it usually appears when the first message arrives, or your mail administrator can create it."));
    default:
      return NULL;
    }
}

/**
 * ms_check_result_set_failure:
 * @result: a result
 * @provider: (nullable): the provider, whose patterns and steps apply
 * @error: the failure: an %MS_SERVER_REPLY_ERROR (the server's words) or an
 *   %MS_ERROR
 *
 * Diagnoses @error into @result's kind, message, advice and step.
 */
void
ms_check_result_set_failure (MsCheckResult *result,
                             MsProvider    *provider,
                             const GError  *error)
{
  const MsErrorPattern *pattern = NULL;
  const MsStep *step = NULL;
  g_autofree char *advice = NULL;

  g_return_if_fail (result != NULL);
  g_return_if_fail (error != NULL);

  result->ok = FALSE;
  g_free (result->message);
  result->message = ms_server_text_to_utf8 (error->message, -1);

  if (error->domain == MS_SERVER_REPLY_ERROR || error->domain == MS_ERROR)
    result->kind = (MsErrorKind)error->code;
  else
    result->kind = MS_ERROR_KIND_PROTOCOL;

  /* The provider knows its own words better than any generic rule. */
  if (error->domain == MS_SERVER_REPLY_ERROR && provider != NULL)
    pattern = ms_provider_match_error (provider, result->protocol, result->message);

  if (pattern != NULL)
    {
      result->kind = ms_error_pattern_get_kind (pattern);
      if (ms_error_pattern_get_step_id (pattern) != NULL)
        step = ms_provider_find_step (provider, ms_error_pattern_get_step_id (pattern));
      if (ms_error_pattern_get_advice (pattern) != NULL)
        advice = g_strdup (ms_error_pattern_get_advice (pattern));
    }

  if (step == NULL)
    step = default_step (provider, result->kind);
  if (advice == NULL)
    advice = ms_check_result_dup_advice (result->kind, provider);

  if (step != NULL && advice != NULL)
    {
      /* Translators: %s is the title of the step that fixes the problem */
      g_autofree char *see = g_strdup_printf (_("See the step “%s”."), step->title);
      char *joined = g_strconcat (advice, " ", see, NULL);

      g_free (advice);
      advice = joined;
    }

  g_free (result->advice);
  result->advice = g_steal_pointer (&advice);
  g_free (result->step_id);
  result->step_id = step ? g_strdup (step->id) : NULL;
}

static GVariant *
maybe_string (const char *value)
{
  return g_variant_new_maybe (G_VARIANT_TYPE_STRING, value ? g_variant_new_string (value) : NULL);
}

/**
 * ms_check_result_to_variant:
 * @result: a result
 * @provider: (nullable): the provider, for the page of the step
 *
 * Returns: (transfer floating): `{ok, server, error, message, advice, step,
 *   url, tls}` as `mail-setup verify --json` prints it
 */
GVariant *
ms_check_result_to_variant (const MsCheckResult *result,
                            MsProvider          *provider)
{
  GVariantBuilder builder;
  const MsStep *step = NULL;
  gboolean said;

  g_return_val_if_fail (result != NULL, NULL);

  said = result->kind != MS_ERROR_KIND_NONE;
  if (result->step_id != NULL && provider != NULL)
    step = ms_provider_find_step (provider, result->step_id);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "ok", g_variant_new_boolean (result->ok));
  g_variant_builder_add (&builder, "{sv}", "server", maybe_string (result->server));
  /* A side can be ok and still have something to say (no-inbox). */
  g_variant_builder_add (&builder, "{sv}", "error", maybe_string (ms_error_kind_to_string (result->kind)));
  g_variant_builder_add (&builder, "{sv}", "message", maybe_string (said ? result->message : NULL));
  g_variant_builder_add (&builder, "{sv}", "advice", maybe_string (said ? result->advice : NULL));
  g_variant_builder_add (&builder, "{sv}", "step", maybe_string (said ? result->step_id : NULL));
  g_variant_builder_add (&builder, "{sv}", "url", maybe_string (step ? step->url : NULL));
  if (result->tls != NULL)
    g_variant_builder_add (&builder, "{sv}", "tls", result->tls);

  return g_variant_builder_end (&builder);
}

/* Skips one leading word of @text if it is one of @words, and the space
 * after it. */
static const char *
skip_word (const char         *text,
           const char * const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len = strlen (words[i]);

      if (g_ascii_strncasecmp (text, words[i], len) == 0 && text[len] == ' ')
        return text + len + 1;
    }

  return text;
}

/**
 * ms_check_result_dup_words:
 * @result: a failed result
 *
 * The server's own words in @result's message, without what only the
 * protocol means: an IMAP status and response code (“NO [AUTHENTICATIONFAILED]”),
 * an SMTP reply and enhanced status code (“535 5.7.8”). The message itself
 * keeps them, for provider patterns and scripts.
 *
 * Returns: (transfer full) (nullable): the words for a person to read
 */
char *
ms_check_result_dup_words (const MsCheckResult *result)
{
  static const char * const statuses[] = { "OK", "NO", "BAD", "BYE", "PREAUTH", NULL };
  const char *p;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->message == NULL)
    return NULL;

  p = result->message;
  if (result->protocol == MS_PROTOCOL_IMAP)
    {
      const char *after = skip_word (p, statuses);

      if (after != p && after[0] == '[' && strchr (after, ']') != NULL)
        after = strchr (after, ']') + 1;
      p = after;
    }
  else if (g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) &&
           (p[3] == ' ' || p[3] == '-'))
    {
      p += 4;
      /* RFC 3463: class.subject.detail */
      if ((p[0] == '2' || p[0] == '4' || p[0] == '5') && p[1] == '.' &&
          strspn (p + 2, "0123456789.") > 2)
        {
          const char *end = p + 2 + strspn (p + 2, "0123456789.");

          if (*end == ' ')
            p = end + 1;
          else if (*end == '\0')
            p = end;
        }
    }

  while (*p == ' ')
    p++;

  /* A bare code is all some servers say: then the code is the words. */
  return g_strdup (*p != '\0' ? p : result->message);
}
