/* fuzz-smtp-reply.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target: SMTP replies, split into lines at LF as the stream does.
 */

#include "config.h"

#include <string.h>

#include "ms-server-text.h"
#include "ms-smtp.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *p = (const char *)data;
  const char *end = p + size;
  MsSmtpReply reply;

  ms_smtp_reply_init (&reply);

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize len = (nl ? nl : end) - p;
      g_autoptr(GError) error = NULL;

      if (len > 0 && p[len - 1] == '\r')
        len--;

      if (!ms_smtp_reply_feed (&reply, p, len, &error))
        break;

      if (reply.complete)
        {
          g_free (ms_smtp_reply_to_string (&reply));
          g_free (ms_smtp_reply_enhanced_code (&reply));
          ms_smtp_reply_clear (&reply);
          ms_smtp_reply_init (&reply);
        }

      p += (nl ? nl + 1 : end) - p;
    }

  ms_smtp_reply_clear (&reply);
  g_free (ms_server_text_to_utf8 ((const char *)data, size));

  return 0;
}
