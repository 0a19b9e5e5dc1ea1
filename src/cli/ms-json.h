/* ms-json.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ms_json_from_variant (GVariant *value);

G_END_DECLS
