/* ms-dns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The DNS layers of a lookup: the MX hosts of a domain (their registrable
 * domain names the provider, e.g. qq.com behind a company's own domain),
 * and RFC 6186 / RFC 8314 SRV records for IMAP and submission. Everything
 * goes through a GResolver, so that tests can answer with their own.
 * Whatever DNS says is checked before use: host names must be LDH names,
 * ports non-zero, and there is a limit on how many are taken.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ms-dns.h"

/* The login name RFC 6186 prescribes: the whole address. */
#define USERNAME_EMAIL "%EMAILADDRESS%"

/* Host names: ms_dns_is_valid_hostname() */

static gboolean
label_is_valid (const char *label,
                gsize       length)
{
  if (length == 0 || length > 63)
    return FALSE;
  if (label[0] == '-' || label[length - 1] == '-')
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum (label[i]) && label[i] != '-')
        return FALSE;
    }

  return TRUE;
}

/**
 * ms_dns_is_valid_hostname:
 * @hostname: (nullable): a host name, ASCII (IDNs in their punycode form)
 *
 * Checks that @hostname is a usable DNS host name: one or more labels of
 * letters, digits and hyphens (no underscore), each 1–63 characters long
 * and neither starting nor ending with a hyphen, 253 characters at most
 * in all. A single trailing dot (the absolute form DNS answers may use) is
 * allowed and not counted. The last label may not be all digits, so an
 * IPv4 address is not taken for a host name.
 *
 * Returns: %TRUE if @hostname is a valid host name
 */
gboolean
ms_dns_is_valid_hostname (const char *hostname)
{
  gsize length;
  const char *label;
  gboolean all_digits = FALSE;

  if (hostname == NULL)
    return FALSE;

  length = strlen (hostname);
  if (length > 0 && hostname[length - 1] == '.')
    length--;
  if (length == 0 || length > 253)
    return FALSE;

  label = hostname;
  while (label < hostname + length)
    {
      const char *end = memchr (label, '.', hostname + length - label);
      gsize label_length;

      if (end == NULL)
        end = hostname + length;
      label_length = end - label;
      if (!label_is_valid (label, label_length))
        return FALSE;

      all_digits = TRUE;
      for (gsize i = 0; i < label_length; i++)
        all_digits &= g_ascii_isdigit (label[i]) != 0;

      if (end == hostname + length)
        break;
      label = end + 1;
      /* "a." was cut above; "a.." leaves an empty label here. */
      if (label == hostname + length)
        return FALSE;
    }

  return !all_digits;
}

/* Lower case, without the trailing dot; NULL if it is not a valid name. */
static char *
normalize_hostname (const char *name)
{
  g_autofree char *lower = NULL;
  gsize length;

  if (!ms_dns_is_valid_hostname (name))
    return NULL;

  lower = g_ascii_strdown (name, -1);
  length = strlen (lower);
  if (lower[length - 1] == '.')
    lower[length - 1] = '\0';

  return g_steal_pointer (&lower);
}

/* The name to query for @domain: ASCII (an IDN is converted), lower case,
 * without the trailing dot; NULL with @error set if it is no domain. */
static char *
domain_for_query (const char  *domain,
                  GError     **error)
{
  g_autofree char *ascii = NULL;
  char *normalized;

  if (g_hostname_is_non_ascii (domain))
    ascii = g_hostname_to_ascii (domain);
  else
    ascii = g_strdup (domain);

  normalized = ascii ? normalize_hostname (ascii) : NULL;
  if (normalized == NULL)
    g_set_error (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID,
                 "“%s” is not a valid domain name", domain);

  return normalized;
}

/* DNS's own targets for "no such service" (SRV, RFC 2782) and "no mail"
 * (null MX, RFC 7505): the root, which resolvers give as "." or "". */
static gboolean
is_root (const char *name)
{
  return name[0] == '\0' || g_str_equal (name, ".");
}

/* A resolver error as a lookup error: the name does not exist or has no
 * such record → NOT_FOUND; anything else → NETWORK. Cancellation stays
 * G_IO_ERROR_CANCELLED. */
static GError *
lookup_error_from_resolver (GError *error)
{
  GError *mapped;

  if (error->domain == MS_LOOKUP_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    mapped = g_error_new_literal (MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND, error->message);
  else
    mapped = g_error_new_literal (MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NETWORK, error->message);

  g_error_free (error);
  return mapped;
}

static void
free_records (GList *records)
{
  g_list_free_full (records, (GDestroyNotify)g_variant_unref);
}

/* MX */

typedef struct
{
  guint16  preference;
  char    *host;
} MxRecord;

static void
mx_record_free (MxRecord *record)
{
  g_free (record->host);
  g_free (record);
}

static int
mx_record_compare (gconstpointer a,
                   gconstpointer b)
{
  const MxRecord *ra = *(MxRecord * const *)a;
  const MxRecord *rb = *(MxRecord * const *)b;

  return (int)ra->preference - (int)rb->preference;
}

static void
mx_records_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *domain = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GHashTable) seen = NULL;
  GList *list;
  gboolean null_mx = FALSE;
  guint invalid = 0, count = 0;

  list = g_resolver_lookup_records_finish (G_RESOLVER (object), result, &error);
  if (error != NULL)
    {
      g_debug ("MX %s: %s", domain, error->message);
      g_task_return_error (task, lookup_error_from_resolver (g_steal_pointer (&error)));
      return;
    }

  records = g_ptr_array_new_with_free_func ((GDestroyNotify)mx_record_free);
  for (GList *l = list; l != NULL; l = l->next)
    {
      MxRecord *record;
      guint16 preference;
      const char *host;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qs)")))
        continue;

      g_variant_get (l->data, "(q&s)", &preference, &host);
      if (is_root (host))
        {
          null_mx = TRUE;
          continue;
        }

      record = g_new0 (MxRecord, 1);
      record->preference = preference;
      record->host = normalize_hostname (host);
      if (record->host == NULL)
        {
          g_debug ("MX %s: dropping invalid host name “%s”", domain, host);
          invalid++;
          mx_record_free (record);
          continue;
        }
      g_ptr_array_add (records, record);
    }
  free_records (list);

  /* Stable: equal preferences keep the resolver's order. */
  g_ptr_array_sort (records, mx_record_compare);

  builder = g_strv_builder_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < records->len && count < MS_DNS_MAX_HOSTS; i++)
    {
      MxRecord *record = g_ptr_array_index (records, i);

      if (!g_hash_table_add (seen, record->host))
        continue;
      g_strv_builder_add (builder, record->host);
      count++;
    }

  if (count == 0)
    {
      if (null_mx)
        g_task_return_new_error (task, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND,
                                 "%s accepts no mail (null MX record)", domain);
      else if (invalid > 0)
        g_task_return_new_error (task, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_INVALID,
                                 "%s: no MX record with a valid host name", domain);
      else
        g_task_return_new_error (task, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND,
                                 "%s: no MX record", domain);
      return;
    }

  g_debug ("MX %s: %u host(s)", domain, count);
  g_task_return_pointer (task, g_strv_builder_end (builder), (GDestroyNotify)g_strfreev);
}

/**
 * ms_dns_lookup_mx_async:
 * @resolver: (nullable): the resolver, or %NULL for the default one
 * @domain: the mail domain (ASCII, or an IDN that is converted)
 * @cancellable: (nullable): stops the lookup
 * @callback: called with the hosts
 * @user_data: for @callback
 *
 * Looks up the MX records of @domain.
 */
void
ms_dns_lookup_mx_async (GResolver           *resolver,
                        const char          *domain,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GResolver) default_resolver = NULL;
  g_autoptr(GError) error = NULL;
  GTask *task;
  char *query;

  g_return_if_fail (!resolver || G_IS_RESOLVER (resolver));
  g_return_if_fail (domain != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_dns_lookup_mx_async);

  query = domain_for_query (domain, &error);
  if (query == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, query, g_free);

  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  /* The task's reference is handed on to the callback. */
  g_resolver_lookup_records_async (resolver, query, G_RESOLVER_RECORD_MX, cancellable,
                                   mx_records_cb, task);
}

/**
 * ms_dns_lookup_mx_finish:
 * @result: the result
 * @error: %MS_LOOKUP_ERROR_NOT_FOUND when the domain has no MX record, does
 *   not exist, or takes no mail (a null MX, RFC 7505);
 *   %MS_LOOKUP_ERROR_INVALID when no record has a valid host name or the
 *   domain is not one; %MS_LOOKUP_ERROR_NETWORK when DNS failed;
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full): the MX hosts, most preferred first (records of
 *   equal preference in the order DNS gave them), lower case, without the
 *   trailing dot, without duplicates, at most %MS_DNS_MAX_HOSTS
 */
GStrv
ms_dns_lookup_mx_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SRV */

static const struct
{
  const char *prefix;
  MsProtocol  protocol;
  MsSecurity  security;
} srv_services[] = {
  { "_imaps._tcp.", MS_PROTOCOL_IMAP, MS_SECURITY_SSL },
  { "_imap._tcp.", MS_PROTOCOL_IMAP, MS_SECURITY_STARTTLS },
  { "_submissions._tcp.", MS_PROTOCOL_SMTP, MS_SECURITY_SSL },
  { "_submission._tcp.", MS_PROTOCOL_SMTP, MS_SECURITY_STARTTLS },
};

#define N_SRV_SERVICES G_N_ELEMENTS (srv_services)

typedef struct
{
  MsServer *server;
  guint16   priority;
  guint16   weight;
} SrvEntry;

typedef struct
{
  char   *domain;
  guint   pending;
  GList  *records[N_SRV_SERVICES];
  GError *errors[N_SRV_SERVICES];
} SrvLookup;

/* One of the four lookups: the task's reference, and which service. */
typedef struct
{
  GTask *task;
  guint  index;
} SrvCall;

static void
srv_lookup_free (SrvLookup *lookup)
{
  for (guint i = 0; i < N_SRV_SERVICES; i++)
    {
      free_records (lookup->records[i]);
      g_clear_error (&lookup->errors[i]);
    }
  g_free (lookup->domain);
  g_free (lookup);
}

static void
srv_entry_free (SrvEntry *entry)
{
  ms_server_free (entry->server);
  g_free (entry);
}

static int
srv_entry_compare (gconstpointer a,
                   gconstpointer b)
{
  const SrvEntry *ea = *(SrvEntry * const *)a;
  const SrvEntry *eb = *(SrvEntry * const *)b;

  /* Implicit TLS first (RFC 8314), then by priority, heavier first. */
  if (ea->server->security != eb->server->security)
    return ea->server->security == MS_SECURITY_SSL ? -1 : 1;
  if (ea->priority != eb->priority)
    return (int)ea->priority - (int)eb->priority;
  return (int)eb->weight - (int)ea->weight;
}

/* The usable servers of one service's records, into @entries. */
static void
collect_srv_entries (SrvLookup  *lookup,
                     guint       index,
                     GPtrArray  *entries)
{
  g_autofree char *rrname = g_strconcat (srv_services[index].prefix, lookup->domain, NULL);

  for (GList *l = lookup->records[index]; l != NULL; l = l->next)
    {
      guint16 priority, weight, port;
      const char *target;
      g_autofree char *host = NULL;
      SrvEntry *entry;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qqqs)")))
        continue;

      g_variant_get (l->data, "(qqq&s)", &priority, &weight, &port, &target);
      if (is_root (target))
        {
          g_debug ("SRV %s: not offered (target “.”)", rrname);
          continue;
        }

      host = normalize_hostname (target);
      if (host == NULL || port == 0)
        {
          g_debug ("SRV %s: dropping invalid target “%s” port %u", rrname, target, port);
          continue;
        }

      entry = g_new0 (SrvEntry, 1);
      entry->server = ms_server_new (srv_services[index].protocol, host, port,
                                     srv_services[index].security, USERNAME_EMAIL);
      entry->priority = priority;
      entry->weight = weight;
      g_ptr_array_add (entries, entry);
    }
}

/* Sorted, without duplicates, at most MS_DNS_MAX_HOSTS. */
static GPtrArray *
servers_from_entries (GPtrArray *entries)
{
  GPtrArray *servers = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);

  g_ptr_array_sort (entries, srv_entry_compare);

  for (guint i = 0; i < entries->len && servers->len < MS_DNS_MAX_HOSTS; i++)
    {
      MsServer *server = ((SrvEntry *)g_ptr_array_index (entries, i))->server;
      gboolean duplicate = FALSE;

      for (guint j = 0; j < servers->len && !duplicate; j++)
        {
          MsServer *other = g_ptr_array_index (servers, j);

          duplicate = other->port == server->port && other->security == server->security &&
                      g_str_equal (other->hostname, server->hostname);
        }
      if (!duplicate)
        g_ptr_array_add (servers, ms_server_copy (server));
    }

  return servers;
}

static void
free_server_arrays (GPtrArray **servers)
{
  if (servers == NULL)
    return;

  g_clear_pointer (&servers[0], g_ptr_array_unref);
  g_clear_pointer (&servers[1], g_ptr_array_unref);
  g_free (servers);
}

static void
srv_lookup_complete (GTask *task)
{
  SrvLookup *lookup = g_task_get_task_data (task);
  g_autoptr(GPtrArray) imap_entries = g_ptr_array_new_with_free_func ((GDestroyNotify)srv_entry_free);
  g_autoptr(GPtrArray) smtp_entries = g_ptr_array_new_with_free_func ((GDestroyNotify)srv_entry_free);
  GPtrArray **servers;
  const GError *failure = NULL;

  for (guint i = 0; i < N_SRV_SERVICES; i++)
    {
      GError *error = lookup->errors[i];

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_error_copy (error));
          return;
        }
      if (error != NULL)
        {
          g_debug ("SRV %s%s: %s", srv_services[i].prefix, lookup->domain, error->message);
          if (!g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) && failure == NULL)
            failure = error;
          continue;
        }

      collect_srv_entries (lookup, i,
                           srv_services[i].protocol == MS_PROTOCOL_IMAP ? imap_entries : smtp_entries);
    }

  if (imap_entries->len == 0 && smtp_entries->len == 0)
    {
      /* Had DNS failed, there may be records it could not tell. */
      if (failure != NULL)
        g_task_return_new_error (task, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NETWORK,
                                 "%s: %s", lookup->domain, failure->message);
      else
        g_task_return_new_error (task, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND,
                                 "%s: no IMAP or submission SRV record", lookup->domain);
      return;
    }

  servers = g_new0 (GPtrArray *, 2);
  servers[MS_PROTOCOL_IMAP] = servers_from_entries (imap_entries);
  servers[MS_PROTOCOL_SMTP] = servers_from_entries (smtp_entries);
  g_debug ("SRV %s: %u IMAP and %u SMTP server(s)", lookup->domain,
           servers[MS_PROTOCOL_IMAP]->len, servers[MS_PROTOCOL_SMTP]->len);
  g_task_return_pointer (task, servers, (GDestroyNotify)free_server_arrays);
}

static void
srv_records_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SrvCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  SrvLookup *lookup = g_task_get_task_data (task);
  guint index = call->index;

  g_free (call);
  lookup->records[index] = g_resolver_lookup_records_finish (G_RESOLVER (object), result,
                                                             &lookup->errors[index]);
  if (--lookup->pending == 0)
    srv_lookup_complete (task);
}

/**
 * ms_dns_lookup_srv_async:
 * @resolver: (nullable): the resolver, or %NULL for the default one
 * @domain: the mail domain (ASCII, or an IDN that is converted)
 * @cancellable: (nullable): stops the lookup
 * @callback: called with the servers
 * @user_data: for @callback
 *
 * Looks up the mail services of @domain as RFC 6186 and RFC 8314 publish
 * them: `_imaps._tcp` (IMAP, implicit TLS), `_imap._tcp` (IMAP, STARTTLS),
 * `_submissions._tcp` (SMTP, implicit TLS) and `_submission._tcp` (SMTP,
 * STARTTLS), all at the same time. Plain-text services (`_pop3`, port 25)
 * are not asked for.
 */
void
ms_dns_lookup_srv_async (GResolver           *resolver,
                         const char          *domain,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GResolver) default_resolver = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  SrvLookup *lookup;
  char *query;

  g_return_if_fail (!resolver || G_IS_RESOLVER (resolver));
  g_return_if_fail (domain != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_dns_lookup_srv_async);

  query = domain_for_query (domain, &error);
  if (query == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lookup = g_new0 (SrvLookup, 1);
  lookup->domain = query;
  lookup->pending = N_SRV_SERVICES;
  g_task_set_task_data (task, lookup, (GDestroyNotify)srv_lookup_free);

  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  /* SRV records rather than g_resolver_lookup_service(): that one drops a
   * lone "." target without telling, and orders by random weight. */
  for (guint i = 0; i < N_SRV_SERVICES; i++)
    {
      g_autofree char *rrname = g_strconcat (srv_services[i].prefix, query, NULL);
      SrvCall *call = g_new0 (SrvCall, 1);

      call->task = g_object_ref (task);
      call->index = i;
      g_resolver_lookup_records_async (resolver, rrname, G_RESOLVER_RECORD_SRV, cancellable,
                                       srv_records_cb, call);
    }
}

/**
 * ms_dns_lookup_srv_finish:
 * @result: the result
 * @imap: (out) (optional) (transfer full) (element-type MsServer): the
 *   IMAP servers, implicit TLS first, then by priority and weight; maybe
 *   empty
 * @smtp: (out) (optional) (transfer full) (element-type MsServer): the
 *   submission servers, in the same order; maybe empty
 * @error: %MS_LOOKUP_ERROR_NOT_FOUND when no service is published (or all
 *   say “.”, not offered); %MS_LOOKUP_ERROR_NETWORK when nothing was found
 *   and a lookup failed for another reason than a missing name;
 *   %MS_LOOKUP_ERROR_INVALID for a @domain that is not a domain name;
 *   %G_IO_ERROR_CANCELLED
 *
 * The servers' login name rule is the whole address (`%EMAILADDRESS%`), as
 * RFC 6186 says. Single lookups that fail are ignored when another found a
 * server.
 *
 * Returns: %TRUE if at least one IMAP or SMTP server was found
 */
gboolean
ms_dns_lookup_srv_finish (GAsyncResult  *result,
                          GPtrArray    **imap,
                          GPtrArray    **smtp,
                          GError       **error)
{
  GPtrArray **servers;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (imap != NULL)
    *imap = NULL;
  if (smtp != NULL)
    *smtp = NULL;

  servers = g_task_propagate_pointer (G_TASK (result), error);
  if (servers == NULL)
    return FALSE;

  if (imap != NULL)
    *imap = g_steal_pointer (&servers[MS_PROTOCOL_IMAP]);
  if (smtp != NULL)
    *smtp = g_steal_pointer (&servers[MS_PROTOCOL_SMTP]);
  free_server_arrays (servers);

  return TRUE;
}

/* Base domains */

/**
 * ms_dns_dup_base_domain:
 * @hostname: a host name (an IDN is converted to its ASCII form)
 *
 * Finds the registrable domain of @hostname with the public suffix list:
 * `mxbiz1.qq.com` → `qq.com`, `a.b.example.co.uk` → `example.co.uk`. For a
 * top-level domain the list does not know (`.test`, `.internal`), the
 * list's default rule applies: that label is the suffix, so
 * `mx.example.test` → `example.test`.
 *
 * Returns: (transfer full) (nullable): the registrable domain, lower case,
 *   ASCII, without a trailing dot; %NULL for an IP address, a public suffix
 *   itself (`co.uk`, `com`), a single label or an invalid name
 */
char *
ms_dns_dup_base_domain (const char *hostname)
{
  g_autofree char *ascii = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  const char *base;
  const char *dot;

  g_return_val_if_fail (hostname != NULL, NULL);

  if (g_hostname_is_ip_address (hostname))
    return NULL;

  ascii = g_hostname_is_non_ascii (hostname) ? g_hostname_to_ascii (hostname) : g_strdup (hostname);
  name = ascii ? normalize_hostname (ascii) : NULL;
  if (name == NULL)
    return NULL;

  base = soup_tld_get_base_domain (name, &error);
  if (base != NULL)
    return g_strdup (base);

  if (!g_error_matches (error, SOUP_TLD_ERROR, SOUP_TLD_ERROR_NO_BASE_DOMAIN))
    {
      g_debug ("no base domain for %s: %s", name, error->message);
      return NULL;
    }

  /* libsoup only answers for suffixes in the list; the list's own rule
   * for the rest ("*") makes the last label the suffix. */
  dot = strrchr (name, '.');
  if (dot == NULL)
    return NULL;
  while (dot > name && dot[-1] != '.')
    dot--;

  return g_strdup (dot);
}
