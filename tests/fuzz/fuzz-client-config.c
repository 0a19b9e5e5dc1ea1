/* fuzz-client-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target: provider and autoconfig files (a user's file, or what a
 * domain's web server sends).
 */

#include "config.h"

#include "ms-client-config.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char * const languages[] = { "zh_CN", "C", NULL };

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsProvider) provider = NULL;

      provider = ms_client_config_parse ((const char *)data, size, "fuzz.xml",
                                         i ? MS_CLIENT_CONFIG_CATALOGUE : MS_CLIENT_CONFIG_NONE,
                                         languages, &error);
      if (provider != NULL)
        {
          g_autoptr(GVariant) variant = g_variant_ref_sink (ms_provider_to_variant (provider));
          g_assert (g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT));
          (void)ms_provider_match_error (provider, MS_PROTOCOL_IMAP, "a NO ERR.LOGIN.PASSERR");
          (void)ms_provider_matches_search (provider, "q");
        }
      else
        g_assert (error != NULL);
    }

  return 0;
}
