/* ms-error-pattern.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ms-error-kind.h"
#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_ERROR_PATTERN (ms_error_pattern_get_type ())

/**
 * MsErrorPattern:
 *
 * A provider's way of saying something went wrong: a case-insensitive
 * regular expression over the server's reply, for IMAP, SMTP or both, and
 * the error kind it means. It may name the step that fixes it and carry
 * advice in the provider's own terms.
 */
typedef struct _MsErrorPattern MsErrorPattern;

GType           ms_error_pattern_get_type    (void) G_GNUC_CONST;
MsErrorPattern *ms_error_pattern_new         (MsErrorKind            kind,
                                              const char            *match,
                                              gboolean               for_imap,
                                              gboolean               for_smtp,
                                              GError               **error);
MsErrorPattern *ms_error_pattern_ref         (MsErrorPattern        *pattern);
void            ms_error_pattern_unref       (MsErrorPattern        *pattern);
MsErrorKind     ms_error_pattern_get_kind    (const MsErrorPattern  *pattern);
const char     *ms_error_pattern_get_match   (const MsErrorPattern  *pattern);
const char     *ms_error_pattern_get_step_id (const MsErrorPattern  *pattern);
const char     *ms_error_pattern_get_advice  (const MsErrorPattern  *pattern);
void            ms_error_pattern_set_step_id (MsErrorPattern        *pattern,
                                              const char            *step_id);
void            ms_error_pattern_set_advice  (MsErrorPattern        *pattern,
                                              const char            *advice);
gboolean        ms_error_pattern_matches     (const MsErrorPattern  *pattern,
                                              MsProtocol             protocol,
                                              const char            *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsErrorPattern, ms_error_pattern_unref)

G_END_DECLS
