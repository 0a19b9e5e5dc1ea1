/* ms-password-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-address.h"
#include "ms-provider.h"
#include "ms-secret.h"

G_BEGIN_DECLS

#define MS_TYPE_PASSWORD_PAGE (ms_password_page_get_type ())

G_DECLARE_FINAL_TYPE (MsPasswordPage, ms_password_page, MS, PASSWORD_PAGE, AdwBin)

GtkWidget  *ms_password_page_new            (void);
void        ms_password_page_set_account    (MsPasswordPage *self,
                                             const char     *email,
                                             MsProvider     *provider,
                                             const char     *servers);
MsAddress  *ms_password_page_dup_address    (MsPasswordPage *self,
                                             GError        **error);
MsSecret   *ms_password_page_dup_secret     (MsPasswordPage *self);
void        ms_password_page_clear_password (MsPasswordPage *self);
gboolean    ms_password_page_get_ready      (MsPasswordPage *self);
void        ms_password_page_focus          (MsPasswordPage *self);

G_END_DECLS
