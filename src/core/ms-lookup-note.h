/* ms-lookup-note.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MsLookupNote:
 * @MS_LOOKUP_NOTE_NONE: nothing stands in the way
 * @MS_LOOKUP_NOTE_POP3_ONLY: the provider offers POP3 for incoming mail,
 *   no IMAP
 * @MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY: the provider offers IMAP only without
 *   TLS, where a password would travel in the clear
 * @MS_LOOKUP_NOTE_OAUTH_ONLY: the provider's servers take no password from
 *   mail programs, only OAuth 2.0 sign-in (a catalogue provider with
 *   `<ms:oauth-only/>`, or a document whose IMAP servers name no
 *   `<authentication>` but OAuth2)
 *
 * Why an address's settings give no IMAP server that Mail Setup can sign in
 * to with a password (`note` in `mail-setup lookup --json`).
 */
typedef enum
{
  MS_LOOKUP_NOTE_NONE,
  MS_LOOKUP_NOTE_POP3_ONLY,
  MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY,
  MS_LOOKUP_NOTE_OAUTH_ONLY,
} MsLookupNote;

const char *ms_lookup_note_to_string   (MsLookupNote  note);
gboolean    ms_lookup_note_from_string (const char   *str,
                                        MsLookupNote *note);
char       *ms_lookup_note_dup_message (MsLookupNote  note,
                                        const char   *domain);

G_END_DECLS
