/* certtool.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests that make their own certificate authority: GnuTLS's certtool
 * (Debian: gnutls-bin) run in a scratch directory.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void certtool_write_file (const char         *dir,
                          const char         *name,
                          const char         *contents);
void certtool_run        (const char         *dir,
                          const char * const *args);

GTlsCertificate *certtool_make_web_certificate (const char         *dir,
                                                const char * const *names);

G_END_DECLS
