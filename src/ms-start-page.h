/* ms-start-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-catalogue.h"
#include "ms-lookup.h"

G_BEGIN_DECLS

#define MS_TYPE_START_PAGE (ms_start_page_get_type ())

G_DECLARE_FINAL_TYPE (MsStartPage, ms_start_page, MS, START_PAGE, AdwBin)

GtkWidget  *ms_start_page_new           (MsLookup    *lookup);
void        ms_start_page_set_email     (MsStartPage *self,
                                         const char  *email);
const char *ms_start_page_get_email     (MsStartPage *self);
MsProvider *ms_start_page_get_detected  (MsStartPage *self);
MsLookupResult *ms_start_page_get_found  (MsStartPage *self);
gboolean    ms_start_page_get_looking_up (MsStartPage *self);
void        ms_start_page_activate      (MsStartPage *self);
void        ms_start_page_focus         (MsStartPage *self);

G_END_DECLS
