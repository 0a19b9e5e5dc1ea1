/* ms-launcher.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MS_TYPE_LAUNCHER (ms_launcher_get_type ())

G_DECLARE_FINAL_TYPE (MsLauncher, ms_launcher, MS, LAUNCHER, GObject)

MsLauncher *ms_launcher_new  (void);
void        ms_launcher_open (MsLauncher *self,
                              GtkWindow  *parent,
                              const char *uri);

G_END_DECLS
