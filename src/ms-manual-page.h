/* ms-manual-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_MANUAL_PAGE (ms_manual_page_get_type ())

G_DECLARE_FINAL_TYPE (MsManualPage, ms_manual_page, MS, MANUAL_PAGE, AdwBin)

GtkWidget *ms_manual_page_new          (void);
void       ms_manual_page_set_servers  (MsManualPage   *self,
                                        const MsServer *imap,
                                        const MsServer *smtp,
                                        const char     *username);
void       ms_manual_page_set_origin   (MsManualPage   *self,
                                        const char     *origin);
void       ms_manual_page_set_domain   (MsManualPage   *self,
                                        const char     *domain);
gboolean   ms_manual_page_get_valid    (MsManualPage   *self);
MsServer  *ms_manual_page_dup_server   (MsManualPage   *self,
                                        MsProtocol      protocol);
char      *ms_manual_page_dup_username (MsManualPage   *self);
char      *ms_manual_page_dup_summary  (MsManualPage   *self);
void       ms_manual_page_offer_security (MsManualPage *self,
                                          MsProtocol    protocol,
                                          MsSecurity    security);

G_END_DECLS
