/* ms-client-config.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ms-provider.h"

G_BEGIN_DECLS

#define MS_CLIENT_CONFIG_ERROR (ms_client_config_error_quark ())
#define MS_CLIENT_CONFIG_NAMESPACE "https://mailsetup.github.io/ns/provider/1"

typedef enum
{
  MS_CLIENT_CONFIG_ERROR_INVALID,
} MsClientConfigError;

/**
 * MsClientConfigFlags:
 * @MS_CLIENT_CONFIG_NONE: read any Mozilla autoconfig `clientConfig` 1.1
 *   file (ISPDB, a domain's own file): servers without TLS and POP3 servers
 *   are skipped, and so are servers whose `<authentication>` is OAuth2 with
 *   no password method; a file whose IMAP servers are all such is read as
 *   an OAuth-only provider (ms_provider_get_oauth_only()) with those
 *   servers, and one with no IMAP server with TLS at all says what it
 *   offers instead (ms_provider_get_lookup_note()); host names may hold
 *   placeholders; the Mail Setup extensions are optional
 * @MS_CLIENT_CONFIG_CATALOGUE: a file of our provider catalogue: every
 *   extension a provider needs must be there and right, and anything unsafe
 *   (a plain-text server, an http page) is an error
 */
typedef enum
{
  MS_CLIENT_CONFIG_NONE = 0,
  MS_CLIENT_CONFIG_CATALOGUE = 1 << 0,
} MsClientConfigFlags;

GQuark      ms_client_config_error_quark (void);
MsProvider *ms_client_config_parse       (const char          *data,
                                          gssize               length,
                                          const char          *filename,
                                          MsClientConfigFlags  flags,
                                          const char * const  *languages,
                                          GError             **error);

G_END_DECLS
