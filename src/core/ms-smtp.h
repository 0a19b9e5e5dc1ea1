/* ms-smtp.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-mail-stream.h"
#include "ms-secret.h"

G_BEGIN_DECLS

#define MS_SMTP_MAX_REPLY_LINES 100

/**
 * MsSmtpReply:
 * @code: the three-digit reply code, 0 until the first line
 * @lines: the text of each line, without the code
 * @complete: whether the last line has been read
 *
 * A (multi-line) SMTP reply, fed one line at a time.
 */
typedef struct
{
  guint      code;
  GPtrArray *lines;
  gboolean   complete;
} MsSmtpReply;

void      ms_smtp_reply_init           (MsSmtpReply  *reply);
void      ms_smtp_reply_clear          (MsSmtpReply  *reply);
gboolean  ms_smtp_reply_feed           (MsSmtpReply  *reply,
                                        const char   *line,
                                        gsize         length,
                                        GError      **error);
char     *ms_smtp_reply_to_string      (MsSmtpReply  *reply);
char     *ms_smtp_reply_enhanced_code  (MsSmtpReply  *reply);

void      ms_smtp_check_async          (MsMailStream        *stream,
                                        gboolean             starttls,
                                        MsTlsTrust          *trust,
                                        const char          *username,
                                        MsSecret            *secret,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  ms_smtp_check_finish         (GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
