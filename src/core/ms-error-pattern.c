/* ms-error-pattern.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include "ms-error-pattern.h"

struct _MsErrorPattern
{
  gatomicrefcount  ref_count;
  MsErrorKind      kind;
  GRegex          *regex;
  char            *step_id;
  char            *advice;
  guint            for_imap : 1;
  guint            for_smtp : 1;
};

G_DEFINE_BOXED_TYPE (MsErrorPattern, ms_error_pattern,
                     ms_error_pattern_ref, ms_error_pattern_unref)

/**
 * ms_error_pattern_new:
 * @kind: what a match means
 * @match: a regular expression (PCRE), matched case-insensitively
 * @for_imap: whether it applies to IMAP replies
 * @for_smtp: whether it applies to SMTP replies
 * @error: where to put why @match does not compile
 *
 * Returns: (transfer full): a pattern, or %NULL
 */
MsErrorPattern *
ms_error_pattern_new (MsErrorKind  kind,
                      const char  *match,
                      gboolean     for_imap,
                      gboolean     for_smtp,
                      GError     **error)
{
  MsErrorPattern *pattern;
  GRegex *regex;

  g_return_val_if_fail (match != NULL, NULL);

  regex = g_regex_new (match, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, error);
  if (regex == NULL)
    return NULL;

  pattern = g_new0 (MsErrorPattern, 1);
  g_atomic_ref_count_init (&pattern->ref_count);
  pattern->kind = kind;
  pattern->regex = regex;
  pattern->for_imap = !!for_imap;
  pattern->for_smtp = !!for_smtp;

  return pattern;
}

MsErrorPattern *
ms_error_pattern_ref (MsErrorPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  g_atomic_ref_count_inc (&pattern->ref_count);
  return pattern;
}

void
ms_error_pattern_unref (MsErrorPattern *pattern)
{
  g_return_if_fail (pattern != NULL);

  if (!g_atomic_ref_count_dec (&pattern->ref_count))
    return;

  g_regex_unref (pattern->regex);
  g_free (pattern->step_id);
  g_free (pattern->advice);
  g_free (pattern);
}

MsErrorKind
ms_error_pattern_get_kind (const MsErrorPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, MS_ERROR_KIND_NONE);

  return pattern->kind;
}

const char *
ms_error_pattern_get_match (const MsErrorPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  return g_regex_get_pattern (pattern->regex);
}

const char *
ms_error_pattern_get_step_id (const MsErrorPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  return pattern->step_id;
}

const char *
ms_error_pattern_get_advice (const MsErrorPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  return pattern->advice;
}

void
ms_error_pattern_set_step_id (MsErrorPattern *pattern,
                              const char     *step_id)
{
  g_return_if_fail (pattern != NULL);

  g_free (pattern->step_id);
  pattern->step_id = g_strdup (step_id);
}

void
ms_error_pattern_set_advice (MsErrorPattern *pattern,
                             const char     *advice)
{
  g_return_if_fail (pattern != NULL);

  g_free (pattern->advice);
  pattern->advice = g_strdup (advice);
}

/**
 * ms_error_pattern_matches:
 * @pattern: a pattern
 * @protocol: which protocol @reply came from
 * @reply: the server's reply, valid UTF-8
 *
 * Returns: %TRUE if @pattern applies to @protocol and matches @reply
 */
gboolean
ms_error_pattern_matches (const MsErrorPattern *pattern,
                          MsProtocol            protocol,
                          const char           *reply)
{
  g_return_val_if_fail (pattern != NULL, FALSE);
  g_return_val_if_fail (reply != NULL, FALSE);

  if (protocol == MS_PROTOCOL_IMAP && !pattern->for_imap)
    return FALSE;
  if (protocol == MS_PROTOCOL_SMTP && !pattern->for_smtp)
    return FALSE;

  return g_regex_match (pattern->regex, reply, 0, NULL);
}
