/* ms-request.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-window.h"

G_BEGIN_DECLS

#define MS_TYPE_REQUEST (ms_request_get_type ())

G_DECLARE_FINAL_TYPE (MsRequest, ms_request, MS, REQUEST, GObject)

MsRequest  *ms_request_new             (GDBusConnection *connection,
                                        GDBusInterfaceInfo *interface,
                                        const char      *object_path,
                                        const char      *caller,
                                        MsWindow        *window,
                                        GError         **error);
const char *ms_request_get_object_path (MsRequest       *self);
const char *ms_request_get_caller      (MsRequest       *self);
void        ms_request_close           (MsRequest       *self);

G_END_DECLS
