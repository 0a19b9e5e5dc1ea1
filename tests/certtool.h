/* certtool.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests that make their own certificate authority: GnuTLS's certtool
 * (Debian: gnutls-bin) run in a scratch directory.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void certtool_write_file (const char         *dir,
                          const char         *name,
                          const char         *contents);
void certtool_run        (const char         *dir,
                          const char * const *args);

G_END_DECLS
