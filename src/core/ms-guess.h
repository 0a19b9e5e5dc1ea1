/* ms-guess.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-lookup-error.h"
#include "ms-server.h"
#include "ms-tls-trust.h"

G_BEGIN_DECLS

GPtrArray *ms_guess_candidates  (const char           *domain,
                                 MsProtocol            protocol);
void       ms_guess_probe_async (GPtrArray            *candidates,
                                 MsTlsTrust           *trust,
                                 guint                 timeout_ms,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
GPtrArray *ms_guess_probe_finish (GAsyncResult        *result,
                                  GError             **error);

G_END_DECLS
