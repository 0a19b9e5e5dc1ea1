/* fuzz-imap-response.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target: IMAP response lines as a hostile server may send them.
 */

#include "config.h"

#include "ms-imap.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  MsImapResponse response;
  g_autofree char *copy = g_strndup ((const char *)data, size);
  g_auto(GStrv) caps = NULL;

  if (ms_imap_response_parse ((const char *)data, size, &response))
    {
      if (response.code != NULL)
        {
          g_auto(GStrv) code_caps = ms_imap_parse_capabilities (response.code);
          g_assert (code_caps != NULL);
        }
      ms_imap_response_clear (&response);
    }

  (void)ms_imap_literal_length ((const char *)data, size);
  caps = ms_imap_parse_capabilities (copy);
  g_assert (caps != NULL);
  g_free (ms_imap_quote ((const char *)data, size));

  return 0;
}
