/* fake-resolver.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GResolver that answers from tables, for tests: MX and SRV records,
 * host addresses, failures and a delay. Install it with
 * g_resolver_set_default() and GIO (GSocketClient, GNetworkAddress) uses it
 * too, so that a test can give 127.0.0.1 any name.
 *
 * Names are compared without case and without a trailing dot. A name with
 * no entry of the asked type answers G_RESOLVER_ERROR_NOT_FOUND, as a
 * missing name or record does in DNS; a name set to fail answers its error
 * to every lookup. Reverse lookups always answer NOT_FOUND. With a delay,
 * answers come that much later (the asynchronous ones from the caller's
 * main context), and a cancellation ends the wait at once.
 *
 * The same tables can be read from a key file (fake_resolver_new_from_file()):
 *
 *     # MX: "PREFERENCE HOST", several separated by ";"
 *     [mx]
 *     example.test=10 mxbiz1.qq.com;20 mxbiz2.qq.com
 *     nomail.test=0 .
 *
 *     # SRV: "PRIORITY WEIGHT PORT TARGET", several separated by ";"
 *     [srv]
 *     _imaps._tcp.x.test=0 1 993 imap.x.test
 *     _submission._tcp.x.test=0 1 587 smtp.x.test;10 1 587 backup.x.test
 *
 *     # Addresses (IPv4 or IPv6), several separated by ";"
 *     [hosts]
 *     imap.x.test=127.0.0.1
 *     smtp.x.test=127.0.0.1;::1
 *
 *     # Failures: not-found, temporary-failure or internal
 *     [failures]
 *     broken.test=temporary-failure
 *
 *     [options]
 *     delay-ms=200
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FAKE_TYPE_RESOLVER (fake_resolver_get_type ())

G_DECLARE_FINAL_TYPE (FakeResolver, fake_resolver, FAKE, RESOLVER, GResolver)

FakeResolver *fake_resolver_new             (void);
FakeResolver *fake_resolver_new_from_file   (const char     *path,
                                             GError        **error);
gboolean      fake_resolver_load_key_file   (FakeResolver   *self,
                                             GKeyFile       *key_file,
                                             GError        **error);
void          fake_resolver_add_mx          (FakeResolver   *self,
                                             const char     *domain,
                                             guint16         preference,
                                             const char     *host);
void          fake_resolver_add_srv         (FakeResolver   *self,
                                             const char     *service,
                                             guint16         priority,
                                             guint16         weight,
                                             guint16         port,
                                             const char     *target);
gboolean      fake_resolver_add_host        (FakeResolver   *self,
                                             const char     *name,
                                             const char     *address);
void          fake_resolver_set_failure     (FakeResolver   *self,
                                             const char     *name,
                                             GResolverError  code);
void          fake_resolver_set_delay_ms    (FakeResolver   *self,
                                             guint           delay_ms);
guint         fake_resolver_get_query_count (FakeResolver   *self,
                                             const char     *name);

G_END_DECLS
