/* ms-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-catalogue.h"
#include "ms-launcher.h"

G_BEGIN_DECLS

#define MS_TYPE_APPLICATION (ms_application_get_type ())

G_DECLARE_FINAL_TYPE (MsApplication, ms_application, MS, APPLICATION, AdwApplication)

MsApplication *ms_application_new           (void);
MsCatalogue   *ms_application_get_catalogue (MsApplication *self);
MsLauncher    *ms_application_get_launcher  (MsApplication *self);

G_END_DECLS
