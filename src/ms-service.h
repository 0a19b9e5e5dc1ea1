/* ms-service.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MS_TYPE_SERVICE (ms_service_get_type ())
#define MS_SERVICE_ERROR (ms_service_error_quark ())
#define MS_SERVICE_OBJECT_PATH "/io/github/mailsetup/MailSetup"

typedef enum
{
  MS_SERVICE_ERROR_INVALID_ADDRESS,
  MS_SERVICE_ERROR_UNKNOWN_PROVIDER,
  MS_SERVICE_ERROR_INVALID_HANDLE,
  MS_SERVICE_ERROR_INVALID_OPTION,
} MsServiceError;

G_DECLARE_FINAL_TYPE (MsService, ms_service, MS, SERVICE, GObject)

GQuark     ms_service_error_quark (void);
MsService *ms_service_new         (GtkApplication   *application);
gboolean   ms_service_export      (MsService        *self,
                                   GDBusConnection  *connection,
                                   GError          **error);
void       ms_service_unexport    (MsService        *self);

G_END_DECLS
