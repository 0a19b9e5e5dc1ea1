/* ms-lookup-note.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-lookup-note.h"

/* Indexed by MsLookupNote; the strings are the JSON's. */
static const char * const note_names[] = {
  [MS_LOOKUP_NOTE_NONE] = NULL,
  [MS_LOOKUP_NOTE_POP3_ONLY] = "pop3-only",
  [MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY] = "plain-imap-only",
  [MS_LOOKUP_NOTE_OAUTH_ONLY] = "oauth-only",
};

G_STATIC_ASSERT (G_N_ELEMENTS (note_names) == MS_LOOKUP_NOTE_OAUTH_ONLY + 1);

/**
 * ms_lookup_note_to_string:
 * @note: a note
 *
 * Returns: (nullable): its name (`pop3-only`, `plain-imap-only`,
 *   `oauth-only`), %NULL for %MS_LOOKUP_NOTE_NONE
 */
const char *
ms_lookup_note_to_string (MsLookupNote note)
{
  g_return_val_if_fail ((guint)note < G_N_ELEMENTS (note_names), NULL);

  return note_names[note];
}

gboolean
ms_lookup_note_from_string (const char   *str,
                            MsLookupNote *note)
{
  g_return_val_if_fail (note != NULL, FALSE);

  for (guint i = 1; str != NULL && i < G_N_ELEMENTS (note_names); i++)
    {
      if (g_str_equal (str, note_names[i]))
        {
          *note = (MsLookupNote)i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ms_lookup_note_dup_message:
 * @note: a note
 * @domain: the address's domain, as the user knows it
 *
 * Returns: (transfer full) (nullable): what the note means for the user,
 *   in plain words, localized; %NULL for %MS_LOOKUP_NOTE_NONE
 */
char *
ms_lookup_note_dup_message (MsLookupNote  note,
                            const char   *domain)
{
  g_return_val_if_fail (domain != NULL, NULL);

  switch (note)
    {
    case MS_LOOKUP_NOTE_POP3_ONLY:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("The provider of %s offers only POP3 for incoming mail, not IMAP. Mail Setup sets up IMAP accounts, so it cannot set this one up. If you know an IMAP server for the address, enter the settings yourself."),
                              domain);
    case MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("The provider of %s offers IMAP only without encryption, where anyone on the way could read your password. Mail Setup never sends a password unencrypted, so it cannot set this account up."),
                              domain);
    case MS_LOOKUP_NOTE_OAUTH_ONLY:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("The provider of %s takes no password from mail programs, not even an app password: they must sign in on the provider's own web page (OAuth 2.0). Mail Setup cannot set this account up; use a mail program that can sign in that way."),
                              domain);
    case MS_LOOKUP_NOTE_NONE:
    default:
      return NULL;
    }
}
