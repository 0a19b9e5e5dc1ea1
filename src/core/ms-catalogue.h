/* ms-catalogue.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-address.h"
#include "ms-lookup-result.h"
#include "ms-provider.h"

G_BEGIN_DECLS

#define MS_TYPE_CATALOGUE (ms_catalogue_get_type ())

G_DECLARE_FINAL_TYPE (MsCatalogue, ms_catalogue, MS, CATALOGUE, GObject)

MsCatalogue    *ms_catalogue_new               (const char * const *languages);
MsCatalogue    *ms_catalogue_new_default       (void);
void            ms_catalogue_load_builtin      (MsCatalogue        *self);
void            ms_catalogue_load_directory    (MsCatalogue        *self,
                                                const char         *path);
gboolean        ms_catalogue_add_data          (MsCatalogue        *self,
                                                const char         *data,
                                                gssize              length,
                                                const char         *filename,
                                                GError            **error);
MsProvider     *ms_catalogue_get_provider      (MsCatalogue        *self,
                                                const char         *id);
MsProvider     *ms_catalogue_find_by_domain    (MsCatalogue        *self,
                                                const char         *domain);
MsProvider     *ms_catalogue_find_by_mx        (MsCatalogue        *self,
                                                const char         *mx_host);
MsLookupResult *ms_catalogue_lookup            (MsCatalogue        *self,
                                                const MsAddress    *address);
const char * const *ms_catalogue_get_problems  (MsCatalogue        *self);
char           *ms_catalogue_get_user_directory (void);

G_END_DECLS
