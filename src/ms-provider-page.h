/* ms-provider-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-launcher.h"
#include "ms-provider.h"

G_BEGIN_DECLS

#define MS_TYPE_PROVIDER_PAGE (ms_provider_page_get_type ())

G_DECLARE_FINAL_TYPE (MsProviderPage, ms_provider_page, MS, PROVIDER_PAGE, AdwBin)

GtkWidget  *ms_provider_page_new          (MsProvider     *provider,
                                           MsLauncher     *launcher);
MsProvider *ms_provider_page_get_provider (MsProviderPage *self);
char       *ms_provider_page_dup_admin_text (MsProviderPage *self);
char       *ms_provider_dup_admin_text    (MsProvider     *provider);

G_END_DECLS
