/* ms-checking-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_CHECKING_PAGE (ms_checking_page_get_type ())

G_DECLARE_FINAL_TYPE (MsCheckingPage, ms_checking_page, MS, CHECKING_PAGE, AdwBin)

GtkWidget  *ms_checking_page_new          (void);
void        ms_checking_page_start        (MsCheckingPage *self,
                                           guint           timeout_seconds);
void        ms_checking_page_set_progress (MsCheckingPage *self,
                                           MsProtocol      protocol,
                                           const char     *server,
                                           const char     *stage);
void        ms_checking_page_set_saving   (MsCheckingPage *self);
const char *ms_checking_page_get_status   (MsCheckingPage *self,
                                           MsProtocol      protocol);

G_END_DECLS
