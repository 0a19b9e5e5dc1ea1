/* ms-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <string.h>

#include "ms-server.h"

G_DEFINE_BOXED_TYPE (MsServer, ms_server, ms_server_copy, ms_server_free)

#define TEMPLATE_EMAIL "%EMAILADDRESS%"
#define TEMPLATE_LOCAL "%EMAILLOCALPART%"
#define TEMPLATE_DOMAIN "%EMAILDOMAIN%"

MsServer *
ms_server_new (MsProtocol  protocol,
               const char *hostname,
               guint16     port,
               MsSecurity  security,
               const char *username)
{
  MsServer *server;

  g_return_val_if_fail (hostname != NULL, NULL);
  g_return_val_if_fail (port > 0, NULL);

  server = g_new0 (MsServer, 1);
  server->protocol = protocol;
  server->hostname = g_ascii_strdown (hostname, -1);
  server->port = port;
  server->security = security;
  server->username = g_strdup (username ? username : TEMPLATE_EMAIL);

  return server;
}

MsServer *
ms_server_copy (const MsServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  return ms_server_new (server->protocol, server->hostname, server->port,
                        server->security, server->username);
}

void
ms_server_free (MsServer *server)
{
  if (server == NULL)
    return;

  g_free (server->hostname);
  g_free (server->username);
  g_free (server);
}

/**
 * ms_server_expand_username:
 * @server: a server
 * @address: the account's address
 *
 * Returns: (transfer full): the login name to give @server for @address
 */
char *
ms_server_expand_username (const MsServer  *server,
                           const MsAddress *address)
{
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  return ms_expand_placeholders (server->username, address->email, address->local_part,
                                 address->domain);
}

/**
 * ms_expand_placeholders:
 * @text: a login name or host name from an autoconfig file
 * @email: (nullable): what `%EMAILADDRESS%` stands for
 * @local_part: (nullable): what `%EMAILLOCALPART%` stands for
 * @domain: (nullable): what `%EMAILDOMAIN%` stands for
 *
 * Fills in Mozilla autoconfig's placeholders, as Thunderbird does; one
 * given as %NULL is left as it is. They are matched in any case: a host
 * name is kept in lower case (ms_server_new()).
 *
 * Returns: (transfer full): @text with the placeholders replaced
 */
char *
ms_expand_placeholders (const char *text,
                        const char *email,
                        const char *local_part,
                        const char *domain)
{
  const struct {
    const char *name;
    const char *value;
  } placeholders[] = {
    { TEMPLATE_EMAIL, email },
    { TEMPLATE_LOCAL, local_part },
    { TEMPLATE_DOMAIN, domain },
  };
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0';)
    {
      gboolean replaced = FALSE;

      for (guint i = 0; *p == '%' && i < G_N_ELEMENTS (placeholders); i++)
        {
          gsize len = strlen (placeholders[i].name);

          if (placeholders[i].value != NULL &&
              g_ascii_strncasecmp (p, placeholders[i].name, len) == 0)
            {
              g_string_append (out, placeholders[i].value);
              p += len;
              replaced = TRUE;
              break;
            }
        }

      if (!replaced)
        g_string_append_c (out, *p++);
    }

  return g_string_free (out, FALSE);
}

/**
 * ms_server_get_username_rule:
 * @server: a server
 *
 * Returns: `email` or `local-part` for the two rules providers use, or
 *   `custom` for any other template
 */
const char *
ms_server_get_username_rule (const MsServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  if (g_str_equal (server->username, TEMPLATE_EMAIL))
    return "email";
  if (g_str_equal (server->username, TEMPLATE_LOCAL))
    return "local-part";
  return "custom";
}

/**
 * ms_server_to_string:
 * @server: a server
 *
 * Returns: (transfer full): `host:port`, with brackets around an IPv6 literal
 */
char *
ms_server_to_string (const MsServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);

  if (strchr (server->hostname, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", server->hostname, server->port);

  return g_strdup_printf ("%s:%u", server->hostname, server->port);
}

/**
 * ms_server_to_variant:
 * @server: a server
 * @username: (nullable): a value for the `username` key, or %NULL for none
 *
 * Returns: (transfer floating): `{host, port, security[, username]}` as
 *   a{sv}, the form used by the command line's JSON and the D-Bus interface
 */
GVariant *
ms_server_to_variant (const MsServer *server,
                      const char     *username)
{
  GVariantBuilder builder;

  g_return_val_if_fail (server != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "host", g_variant_new_string (server->hostname));
  g_variant_builder_add (&builder, "{sv}", "port", g_variant_new_uint16 (server->port));
  g_variant_builder_add (&builder, "{sv}", "security",
                         g_variant_new_string (ms_security_to_string (server->security)));
  if (username != NULL)
    g_variant_builder_add (&builder, "{sv}", "username", g_variant_new_string (username));

  return g_variant_builder_end (&builder);
}

const char *
ms_protocol_to_string (MsProtocol protocol)
{
  switch (protocol)
    {
    case MS_PROTOCOL_IMAP:
      return "imap";
    case MS_PROTOCOL_SMTP:
      return "smtp";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ms_security_to_string (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_SSL:
      return "ssl";
    case MS_SECURITY_STARTTLS:
      return "starttls";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * ms_security_from_string:
 * @str: `ssl`/`starttls` (contract) or `SSL`/`STARTTLS` (autoconfig)
 * @security: (out): the value
 *
 * Returns: %TRUE if @str names a TLS mode; never for plain text
 */
gboolean
ms_security_from_string (const char *str,
                         MsSecurity *security)
{
  g_return_val_if_fail (security != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (str, "ssl") == 0 || g_ascii_strcasecmp (str, "tls") == 0)
    {
      *security = MS_SECURITY_SSL;
      return TRUE;
    }

  if (g_ascii_strcasecmp (str, "starttls") == 0)
    {
      *security = MS_SECURITY_STARTTLS;
      return TRUE;
    }

  return FALSE;
}
