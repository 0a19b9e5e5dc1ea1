/* ispdb-fixtures.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests: the ISPDB-shaped documents in tests/ispdb/, by the domains
 * each names, for a test web server to answer `/v1.1/DOMAIN` with.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

GHashTable *ispdb_fixtures_load (void);
char       *ispdb_fixture_read  (const char *name);

G_END_DECLS
