/* ms-check-result.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ms-error-kind.h"
#include "ms-provider.h"
#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_CHECK_RESULT (ms_check_result_get_type ())

/**
 * MsCheckResult:
 * @protocol: IMAP or SMTP
 * @ok: whether the login worked
 * @server: `host:port` of the server that answered (or was tried)
 * @kind: what went wrong, %MS_ERROR_KIND_NONE when @ok
 * @message: (nullable): the server's own words, or ours when the server
 *   said nothing (a connection or certificate problem)
 * @advice: (nullable): what the user should do, localized
 * @step_id: (nullable): the provider step that fixes it
 * @tls: (nullable): certificate details after a certificate failure
 *
 * The verdict on one side of a check.
 */
typedef struct
{
  MsProtocol   protocol;
  gboolean     ok;
  char        *server;
  MsErrorKind  kind;
  char        *message;
  char        *advice;
  char        *step_id;
  GVariant    *tls;
} MsCheckResult;

GType          ms_check_result_get_type    (void) G_GNUC_CONST;
MsCheckResult *ms_check_result_new         (MsProtocol            protocol,
                                            const char           *server);
MsCheckResult *ms_check_result_copy        (const MsCheckResult  *result);
void           ms_check_result_free        (MsCheckResult        *result);
void           ms_check_result_set_failure (MsCheckResult        *result,
                                            MsProvider           *provider,
                                            const GError         *error);
char          *ms_check_result_dup_advice  (MsErrorKind           kind,
                                            MsProvider           *provider);
GVariant      *ms_check_result_to_variant  (const MsCheckResult  *result,
                                            MsProvider           *provider);
char          *ms_check_result_dup_words   (const MsCheckResult  *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsCheckResult, ms_check_result_free)

G_END_DECLS
