/* ms-failed-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-verifier.h"

G_BEGIN_DECLS

#define MS_TYPE_FAILED_PAGE (ms_failed_page_get_type ())

G_DECLARE_FINAL_TYPE (MsFailedPage, ms_failed_page, MS, FAILED_PAGE, AdwBin)

GtkWidget   *ms_failed_page_new       (void);
void         ms_failed_page_show      (MsFailedPage *self,
                                       MsVerifier   *verifier,
                                       gboolean      can_try_backup);
MsErrorKind  ms_failed_page_get_kind  (MsFailedPage *self);
const char  *ms_error_kind_get_title  (MsErrorKind   kind);

G_END_DECLS
