/* ms-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ms-address.h"

G_BEGIN_DECLS

#define MS_TYPE_SERVER (ms_server_get_type ())

typedef enum
{
  MS_PROTOCOL_IMAP,
  MS_PROTOCOL_SMTP,
} MsProtocol;

/**
 * MsSecurity:
 * @MS_SECURITY_SSL: TLS from the first byte (IMAP 993, SMTP 465)
 * @MS_SECURITY_STARTTLS: plain connect, then STARTTLS before anything else
 *
 * There is no value for an unencrypted connection on purpose.
 */
typedef enum
{
  MS_SECURITY_SSL,
  MS_SECURITY_STARTTLS,
} MsSecurity;

/**
 * MsServer:
 * @protocol: IMAP or SMTP
 * @hostname: host name, ASCII, lower case
 * @port: TCP port
 * @security: how TLS starts
 * @username: login name template: `%EMAILADDRESS%`, `%EMAILLOCALPART%`,
 *   `%EMAILDOMAIN%` are replaced (Mozilla autoconfig placeholders)
 */
typedef struct _MsServer
{
  MsProtocol  protocol;
  char       *hostname;
  guint16     port;
  MsSecurity  security;
  char       *username;
} MsServer;

GType       ms_server_get_type          (void) G_GNUC_CONST;
MsServer   *ms_server_new               (MsProtocol       protocol,
                                         const char      *hostname,
                                         guint16          port,
                                         MsSecurity       security,
                                         const char      *username);
MsServer   *ms_server_copy              (const MsServer  *server);
void        ms_server_free              (MsServer        *server);
char       *ms_server_expand_username   (const MsServer  *server,
                                         const MsAddress *address);
char       *ms_expand_placeholders      (const char      *text,
                                         const char      *email,
                                         const char      *local_part,
                                         const char      *domain);
const char *ms_server_get_username_rule (const MsServer  *server);
char       *ms_server_to_string         (const MsServer  *server);
GVariant   *ms_server_to_variant        (const MsServer  *server,
                                         const char      *username);

const char *ms_protocol_to_string       (MsProtocol       protocol);
const char *ms_security_to_string       (MsSecurity       security);
gboolean    ms_security_from_string     (const char      *str,
                                         MsSecurity      *security);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsServer, ms_server_free)

G_END_DECLS
