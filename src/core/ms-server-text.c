/* ms-server-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <string.h>

#include "ms-server-text.h"

G_DEFINE_QUARK (ms-server-reply-error-quark, ms_server_reply_error)

/**
 * ms_server_text_to_utf8:
 * @data: what a server sent
 * @length: its length, or -1 if nul-terminated
 *
 * Makes a server's words showable: UTF-8 stays as it is; anything else is
 * read as GB18030 (which covers the GBK that Chinese servers send), and
 * what still is not text is replaced. Control characters become spaces.
 *
 * Returns: (transfer full): valid UTF-8
 */
char *
ms_server_text_to_utf8 (const char *data,
                        gssize      length)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (length < 0)
    length = strlen (data);

  if (g_utf8_validate (data, length, NULL) && memchr (data, '\0', length) == NULL)
    text = g_strndup (data, length);
  else
    {
      gsize written = 0;

      text = g_convert (data, length, "UTF-8", "GB18030", NULL, &written, NULL);
      if (text == NULL || !g_utf8_validate (text, written, NULL))
        {
          g_free (text);
          text = g_utf8_make_valid (data, length);
        }
    }

  for (char *p = text; *p; p++)
    {
      if ((guchar)*p < 0x20 || *p == 0x7f)
        *p = ' ';
    }

  return g_strstrip (g_steal_pointer (&text));
}
