/* ms-server-text.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A GError in this domain carries a server's own reply as its message
 * (already valid UTF-8) and, as its code, the MsErrorKind the protocol's
 * generic rules give it; provider patterns may refine that. */
#define MS_SERVER_REPLY_ERROR (ms_server_reply_error_quark ())

GQuark  ms_server_reply_error_quark (void);
char   *ms_server_text_to_utf8      (const char *data,
                                     gssize      length);

G_END_DECLS
