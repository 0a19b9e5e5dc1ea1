/* ms-imap.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-mail-stream.h"
#include "ms-secret.h"

G_BEGIN_DECLS

typedef enum
{
  MS_IMAP_UNTAGGED,
  MS_IMAP_CONTINUATION,
  MS_IMAP_TAGGED,
} MsImapResponseType;

typedef enum
{
  MS_IMAP_STATUS_NONE,
  MS_IMAP_STATUS_OK,
  MS_IMAP_STATUS_NO,
  MS_IMAP_STATUS_BAD,
  MS_IMAP_STATUS_PREAUTH,
  MS_IMAP_STATUS_BYE,
} MsImapStatus;

/**
 * MsImapResponse:
 * @type: untagged (`*`), continuation (`+`) or tagged
 * @tag: (nullable): the tag of a tagged response
 * @status: OK, NO, BAD, PREAUTH or BYE, when the response has one
 * @name: (nullable): for untagged data (`* CAPABILITY …`, `* 3 EXISTS`), its
 *   name in upper case
 * @code: (nullable): the response code inside `[…]`, e.g. `ALERT`,
 *   `AUTHENTICATIONFAILED`, `CAPABILITY IMAP4rev1 …`
 * @text: the rest of the line
 *
 * One server response line, read leniently: servers vary.
 */
typedef struct
{
  MsImapResponseType  type;
  char               *tag;
  MsImapStatus        status;
  char               *name;
  char               *code;
  char               *text;
} MsImapResponse;

gboolean  ms_imap_response_parse      (const char      *line,
                                       gsize            length,
                                       MsImapResponse  *response);
void      ms_imap_response_clear      (MsImapResponse  *response);
gssize    ms_imap_literal_length      (const char      *line,
                                       gsize            length);
char    **ms_imap_parse_capabilities  (const char      *text);
char     *ms_imap_quote               (const char      *data,
                                       gsize            length);

void      ms_imap_check_async         (MsMailStream        *stream,
                                       gboolean             starttls,
                                       MsTlsTrust          *trust,
                                       const char          *username,
                                       MsSecret            *secret,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  ms_imap_check_finish        (GAsyncResult        *result,
                                       GError             **error);

G_END_DECLS
