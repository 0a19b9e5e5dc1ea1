/* silent-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests: a TCP port on 127.0.0.1 that accepts connections and never
 * says anything (a server past its deadline), and a port nothing listens
 * on (a refused connection).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSocketListener *listener;
  GPtrArray       *accepted;
  guint16          port;
} Silent;

Silent  *silent_new  (void);
void     silent_free (Silent *silent);
guint16  closed_port (void);

G_END_DECLS
