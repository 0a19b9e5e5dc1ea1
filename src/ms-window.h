/* ms-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-account-store.h"
#include "ms-catalogue.h"
#include "ms-launcher.h"

G_BEGIN_DECLS

#define MS_TYPE_WINDOW (ms_window_get_type ())

G_DECLARE_FINAL_TYPE (MsWindow, ms_window, MS, WINDOW, AdwApplicationWindow)

MsWindow   *ms_window_new              (GtkApplication *application,
                                        MsCatalogue    *catalogue,
                                        MsLauncher     *launcher);
gboolean    ms_window_show_provider    (MsWindow       *self,
                                        const char     *provider_id);
void        ms_window_set_store_flags  (MsWindow       *self,
                                        MsStoreFlags    where);
void        ms_window_set_email        (MsWindow       *self,
                                        const char     *email);
GtkWidget  *ms_window_get_visible_page (MsWindow       *self);
const char *ms_window_get_page_name    (MsWindow       *self);
GtkWidget  *ms_window_get_page         (MsWindow       *self,
                                        const char     *name);

G_END_DECLS
