/* ispdb-fixtures.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests: the ISPDB-shaped documents in tests/ispdb/, by the domains
 * each names, for a test web server to answer `/v1.1/DOMAIN` with; and
 * such a server, over HTTPS with a test authority of its own, for tests
 * that need nothing else (the name ispdb.test must resolve to 127.0.0.1).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _IspdbServer IspdbServer;

GHashTable  *ispdb_fixtures_load      (void);
char        *ispdb_fixture_read       (const char  *name);

IspdbServer *ispdb_server_new         (void);
const char  *ispdb_server_get_url     (IspdbServer *server);
const char  *ispdb_server_get_ca_file (IspdbServer *server);
void         ispdb_server_free        (IspdbServer *server);

G_END_DECLS
