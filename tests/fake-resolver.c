/* fake-resolver.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See fake-resolver.h. GResolver's own code turns IP literals and
 * "localhost" into addresses before a subclass is asked, and implements
 * lookup_service on top of lookup_records; GNetworkAddress asks for IPv4
 * and IPv6 apart with lookup_by_name_with_flags_async.
 */

#include "config.h"

#include <string.h>

#include "fake-resolver.h"

struct _FakeResolver
{
  GResolver   parent_instance;

  GMutex      lock;
  GHashTable *mx;        /* name → GPtrArray of GVariant (qs) */
  GHashTable *srv;       /* name → GPtrArray of GVariant (qqqs) */
  GHashTable *hosts;     /* name → GPtrArray of GInetAddress */
  GHashTable *failures;  /* name → GResolverError + 1 */
  GHashTable *queries;   /* name → count */
  guint       delay_ms;
};

G_DEFINE_FINAL_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static char *
normalize (const char *name)
{
  char *key = g_ascii_strdown (name, -1);
  gsize length = strlen (key);

  if (length > 1 && key[length - 1] == '.')
    key[length - 1] = '\0';

  return key;
}

static GPtrArray *
entries_for (GHashTable     *table,
             const char     *name,
             GDestroyNotify  free_func)
{
  g_autofree char *key = normalize (name);
  GPtrArray *entries = g_hash_table_lookup (table, key);

  if (entries == NULL)
    {
      entries = g_ptr_array_new_with_free_func (free_func);
      g_hash_table_insert (table, g_steal_pointer (&key), entries);
    }

  return entries;
}

static void
free_records (GList *records)
{
  g_list_free_full (records, (GDestroyNotify)g_variant_unref);
}

/* The answers */

typedef enum
{
  QUERY_NAME,
  QUERY_ADDRESS,
  QUERY_RECORDS,
} QueryKind;

/* What DNS would say to one query; NULL with @error set for no answer. */
static GList *
answer (FakeResolver              *self,
        QueryKind                  kind,
        const char                *name,
        GResolverNameLookupFlags   flags,
        GResolverRecordType        record_type,
        GError                   **error)
{
  g_autofree char *key = name ? normalize (name) : NULL;
  GList *list = NULL;
  GPtrArray *entries = NULL;
  gpointer failure;

  g_mutex_lock (&self->lock);

  if (key != NULL)
    g_hash_table_insert (self->queries, g_strdup (key),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->queries, key)) + 1));

  failure = key ? g_hash_table_lookup (self->failures, key) : NULL;
  if (failure != NULL)
    {
      GResolverError code = GPOINTER_TO_INT (failure) - 1;

      g_mutex_unlock (&self->lock);
      if (code == G_RESOLVER_ERROR_TEMPORARY_FAILURE)
        g_set_error (error, G_RESOLVER_ERROR, code, "Temporarily unable to resolve “%s”", name);
      else if (code == G_RESOLVER_ERROR_NOT_FOUND)
        g_set_error (error, G_RESOLVER_ERROR, code, "No DNS record of the requested type for “%s”", name);
      else
        g_set_error (error, G_RESOLVER_ERROR, code, "Error resolving “%s”", name);
      return NULL;
    }

  switch (kind)
    {
    case QUERY_NAME:
      entries = g_hash_table_lookup (self->hosts, key);
      for (guint i = 0; entries != NULL && i < entries->len; i++)
        {
          GInetAddress *address = g_ptr_array_index (entries, i);
          GSocketFamily family = g_inet_address_get_family (address);

          if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) && family != G_SOCKET_FAMILY_IPV4)
            continue;
          if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) && family != G_SOCKET_FAMILY_IPV6)
            continue;
          list = g_list_prepend (list, g_object_ref (address));
        }
      break;

    case QUERY_RECORDS:
      if (record_type == G_RESOLVER_RECORD_MX)
        entries = g_hash_table_lookup (self->mx, key);
      else if (record_type == G_RESOLVER_RECORD_SRV)
        entries = g_hash_table_lookup (self->srv, key);
      for (guint i = 0; entries != NULL && i < entries->len; i++)
        list = g_list_prepend (list, g_variant_ref (g_ptr_array_index (entries, i)));
      break;

    case QUERY_ADDRESS:
    default:
      break;
    }

  g_mutex_unlock (&self->lock);

  if (list == NULL)
    {
      if (kind == QUERY_NAME)
        g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                     "Error resolving “%s”: Name or service not known", name);
      else if (kind == QUERY_ADDRESS)
        g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                             "Error reverse-resolving address: no name");
      else
        g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                     "No DNS record of the requested type for “%s”", name);
    }

  return g_list_reverse (list);
}

/* Blocks for the delay, or until cancelled. */
static gboolean
wait_sync (FakeResolver  *self,
           GCancellable  *cancellable,
           GError       **error)
{
  gint64 end = g_get_monotonic_time () + (gint64)self->delay_ms * 1000;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (now >= end)
        return TRUE;
      g_usleep (MIN (5000, end - now));
    }
}

typedef struct
{
  GList          *list;
  GDestroyNotify  list_free;
  GError         *error;
  GSource        *timer;
  GSource        *cancel_source;
} Pending;

static void
pending_free (Pending *pending)
{
  if (pending->list != NULL)
    pending->list_free (pending->list);
  g_clear_error (&pending->error);
  if (pending->timer != NULL)
    {
      g_source_destroy (pending->timer);
      g_source_unref (pending->timer);
    }
  if (pending->cancel_source != NULL)
    {
      g_source_destroy (pending->cancel_source);
      g_source_unref (pending->cancel_source);
    }
  g_free (pending);
}

static void
pending_return (GTask *task)
{
  Pending *pending = g_task_get_task_data (task);

  if (pending->timer != NULL)
    {
      g_source_destroy (pending->timer);
      g_clear_pointer (&pending->timer, g_source_unref);
    }
  if (pending->cancel_source != NULL)
    {
      g_source_destroy (pending->cancel_source);
      g_clear_pointer (&pending->cancel_source, g_source_unref);
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  if (pending->error != NULL)
    g_task_return_error (task, g_steal_pointer (&pending->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&pending->list), pending->list_free);
}

static gboolean
pending_timer_cb (gpointer user_data)
{
  pending_return (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
pending_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  pending_return (user_data);
  return G_SOURCE_REMOVE;
}

static void
answer_async (FakeResolver             *self,
              QueryKind                 kind,
              const char               *name,
              GResolverNameLookupFlags  flags,
              GResolverRecordType       record_type,
              gpointer                  source_tag,
              GCancellable             *cancellable,
              GAsyncReadyCallback       callback,
              gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Pending *pending = g_new0 (Pending, 1);

  g_task_set_source_tag (task, source_tag);
  pending->list = answer (self, kind, name, flags, record_type, &pending->error);
  pending->list_free = kind == QUERY_RECORDS ? (GDestroyNotify)free_records
                                             : (GDestroyNotify)g_resolver_free_addresses;
  g_task_set_task_data (task, pending, (GDestroyNotify)pending_free);

  if (self->delay_ms == 0)
    {
      pending_return (task);
      return;
    }

  /* Each source holds the task until it is destroyed; whichever fires
   * first destroys the other. */
  pending->timer = g_timeout_source_new (self->delay_ms);
  g_source_set_callback (pending->timer, pending_timer_cb, g_object_ref (task), g_object_unref);
  g_source_attach (pending->timer, g_task_get_context (task));

  if (cancellable != NULL)
    {
      pending->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (pending->cancel_source, (GSourceFunc)(void (*)(void))pending_cancelled_cb,
                             g_object_ref (task), g_object_unref);
      g_source_attach (pending->cancel_source, g_task_get_context (task));
    }
}

static gpointer
answer_finish (FakeResolver  *self,
               GAsyncResult  *result,
               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* GResolver */

static GList *
fake_lookup_by_name_with_flags (GResolver                 *resolver,
                                const char                *hostname,
                                GResolverNameLookupFlags   flags,
                                GCancellable              *cancellable,
                                GError                   **error)
{
  FakeResolver *self = FAKE_RESOLVER (resolver);

  if (!wait_sync (self, cancellable, error))
    return NULL;

  return answer (self, QUERY_NAME, hostname, flags, 0, error);
}

static GList *
fake_lookup_by_name (GResolver     *resolver,
                     const char    *hostname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return fake_lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                         cancellable, error);
}

static void
fake_lookup_by_name_with_flags_async (GResolver                 *resolver,
                                      const char                *hostname,
                                      GResolverNameLookupFlags   flags,
                                      GCancellable              *cancellable,
                                      GAsyncReadyCallback        callback,
                                      gpointer                   user_data)
{
  answer_async (FAKE_RESOLVER (resolver), QUERY_NAME, hostname, flags, 0,
                fake_lookup_by_name_with_flags_async, cancellable, callback, user_data);
}

static void
fake_lookup_by_name_async (GResolver           *resolver,
                           const char          *hostname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  answer_async (FAKE_RESOLVER (resolver), QUERY_NAME, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, 0,
                fake_lookup_by_name_async, cancellable, callback, user_data);
}

static GList *
fake_lookup_by_name_finish (GResolver     *resolver,
                            GAsyncResult  *result,
                            GError       **error)
{
  return answer_finish (FAKE_RESOLVER (resolver), result, error);
}

static char *
fake_lookup_by_address (GResolver     *resolver,
                        GInetAddress  *address,
                        GCancellable  *cancellable,
                        GError       **error)
{
  FakeResolver *self = FAKE_RESOLVER (resolver);

  if (!wait_sync (self, cancellable, error))
    return NULL;

  answer (self, QUERY_ADDRESS, NULL, 0, 0, error);
  return NULL;
}

static void
fake_lookup_by_address_async (GResolver           *resolver,
                              GInetAddress        *address,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  answer_async (FAKE_RESOLVER (resolver), QUERY_ADDRESS, NULL, 0, 0,
                fake_lookup_by_address_async, cancellable, callback, user_data);
}

static char *
fake_lookup_by_address_finish (GResolver     *resolver,
                               GAsyncResult  *result,
                               GError       **error)
{
  GList *list = answer_finish (FAKE_RESOLVER (resolver), result, error);

  /* Never a name: the task always fails. */
  g_resolver_free_addresses (list);
  return NULL;
}

static GList *
fake_lookup_records (GResolver            *resolver,
                     const char           *rrname,
                     GResolverRecordType   record_type,
                     GCancellable         *cancellable,
                     GError              **error)
{
  FakeResolver *self = FAKE_RESOLVER (resolver);

  if (!wait_sync (self, cancellable, error))
    return NULL;

  return answer (self, QUERY_RECORDS, rrname, 0, record_type, error);
}

static void
fake_lookup_records_async (GResolver           *resolver,
                           const char          *rrname,
                           GResolverRecordType  record_type,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  answer_async (FAKE_RESOLVER (resolver), QUERY_RECORDS, rrname, 0, record_type,
                fake_lookup_records_async, cancellable, callback, user_data);
}

static GList *
fake_lookup_records_finish (GResolver     *resolver,
                            GAsyncResult  *result,
                            GError       **error)
{
  return answer_finish (FAKE_RESOLVER (resolver), result, error);
}

static void
fake_resolver_finalize (GObject *object)
{
  FakeResolver *self = (FakeResolver *)object;

  g_hash_table_unref (self->mx);
  g_hash_table_unref (self->srv);
  g_hash_table_unref (self->hosts);
  g_hash_table_unref (self->failures);
  g_hash_table_unref (self->queries);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (fake_resolver_parent_class)->finalize (object);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = fake_resolver_finalize;

  resolver_class->lookup_by_name = fake_lookup_by_name;
  resolver_class->lookup_by_name_async = fake_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = fake_lookup_by_name_finish;
  resolver_class->lookup_by_name_with_flags = fake_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = fake_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = fake_lookup_by_name_finish;
  resolver_class->lookup_by_address = fake_lookup_by_address;
  resolver_class->lookup_by_address_async = fake_lookup_by_address_async;
  resolver_class->lookup_by_address_finish = fake_lookup_by_address_finish;
  resolver_class->lookup_records = fake_lookup_records;
  resolver_class->lookup_records_async = fake_lookup_records_async;
  resolver_class->lookup_records_finish = fake_lookup_records_finish;
  /* lookup_service and its async pair: GResolver's, on top of
   * lookup_records (SRV). */
}

static void
fake_resolver_init (FakeResolver *self)
{
  g_mutex_init (&self->lock);
  self->mx = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->queries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Setting up */

/**
 * fake_resolver_new:
 *
 * Returns: (transfer full): a resolver that knows no name yet
 */
FakeResolver *
fake_resolver_new (void)
{
  return g_object_new (FAKE_TYPE_RESOLVER, NULL);
}

/**
 * fake_resolver_add_mx:
 * @self: a resolver
 * @domain: the name the record is for
 * @preference: its preference (lower first)
 * @host: the mail exchanger, given as is (“.” for a null MX)
 *
 * Adds an MX record; records are answered in the order added.
 */
void
fake_resolver_add_mx (FakeResolver *self,
                      const char   *domain,
                      guint16       preference,
                      const char   *host)
{
  g_return_if_fail (FAKE_IS_RESOLVER (self));
  g_return_if_fail (domain != NULL && host != NULL);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (entries_for (self->mx, domain, (GDestroyNotify)g_variant_unref),
                   g_variant_ref_sink (g_variant_new ("(qs)", preference, host)));
  g_mutex_unlock (&self->lock);
}

/**
 * fake_resolver_add_srv:
 * @self: a resolver
 * @service: the record's name, e.g. `_imaps._tcp.example.test`
 * @priority: its priority (lower first)
 * @weight: its weight among records of equal priority
 * @port: the port
 * @target: the host, given as is (“.” for a service not offered)
 *
 * Adds an SRV record; records are answered in the order added.
 */
void
fake_resolver_add_srv (FakeResolver *self,
                       const char   *service,
                       guint16       priority,
                       guint16       weight,
                       guint16       port,
                       const char   *target)
{
  g_return_if_fail (FAKE_IS_RESOLVER (self));
  g_return_if_fail (service != NULL && target != NULL);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (entries_for (self->srv, service, (GDestroyNotify)g_variant_unref),
                   g_variant_ref_sink (g_variant_new ("(qqqs)", priority, weight, port, target)));
  g_mutex_unlock (&self->lock);
}

/**
 * fake_resolver_add_host:
 * @self: a resolver
 * @name: a host name
 * @address: an IPv4 or IPv6 address in text form
 *
 * Gives @name one more address.
 *
 * Returns: %FALSE if @address is not an address
 */
gboolean
fake_resolver_add_host (FakeResolver *self,
                        const char   *name,
                        const char   *address)
{
  GInetAddress *inet;

  g_return_val_if_fail (FAKE_IS_RESOLVER (self), FALSE);
  g_return_val_if_fail (name != NULL && address != NULL, FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  g_ptr_array_add (entries_for (self->hosts, name, g_object_unref), inet);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/**
 * fake_resolver_set_failure:
 * @self: a resolver
 * @name: a name (host, domain or SRV name)
 * @code: the error every lookup of @name gets, e.g.
 *   %G_RESOLVER_ERROR_TEMPORARY_FAILURE as for a DNS server that does not
 *   answer
 */
void
fake_resolver_set_failure (FakeResolver   *self,
                           const char     *name,
                           GResolverError  code)
{
  g_return_if_fail (FAKE_IS_RESOLVER (self));
  g_return_if_fail (name != NULL);

  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->failures, normalize (name), GINT_TO_POINTER ((int)code + 1));
  g_mutex_unlock (&self->lock);
}

/**
 * fake_resolver_set_delay_ms:
 * @self: a resolver
 * @delay_ms: how long every answer takes; 0 (the default) for at once
 */
void
fake_resolver_set_delay_ms (FakeResolver *self,
                            guint         delay_ms)
{
  g_return_if_fail (FAKE_IS_RESOLVER (self));

  self->delay_ms = delay_ms;
}

/**
 * fake_resolver_get_query_count:
 * @self: a resolver
 * @name: a name
 *
 * Returns: how many lookups of any kind asked for @name (an IPv4 and an
 *   IPv6 lookup count as two)
 */
guint
fake_resolver_get_query_count (FakeResolver *self,
                               const char   *name)
{
  g_autofree char *key = NULL;
  guint count;

  g_return_val_if_fail (FAKE_IS_RESOLVER (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  key = normalize (name);
  g_mutex_lock (&self->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->queries, key));
  g_mutex_unlock (&self->lock);

  return count;
}

/* The key file */

static gboolean
parse_number (const char  *text,
              guint16     *value)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT16, &number, NULL))
    return FALSE;

  *value = (guint16)number;
  return TRUE;
}

static gboolean
invalid_value (GError     **error,
               const char  *group,
               const char  *key,
               const char  *value)
{
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               "[%s] %s: cannot read “%s”", group, key, value);
  return FALSE;
}

/* "10  mx.example.test" → {"10", "mx.example.test"} */
static GStrv
split_fields (const char *item)
{
  g_auto(GStrv) parts = g_strsplit_set (item, " \t", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/* Reads one group: addresses (@n_fields 1), MX (2) or SRV (4) records. */
static gboolean
load_group (FakeResolver  *self,
            GKeyFile      *key_file,
            const char    *group,
            guint          n_fields,
            GError       **error)
{
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_has_group (key_file, group))
    return TRUE;

  keys = g_key_file_get_keys (key_file, group, NULL, error);
  if (keys == NULL)
    return FALSE;

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_auto(GStrv) items = g_key_file_get_string_list (key_file, group, keys[i], NULL, error);

      if (items == NULL)
        return FALSE;

      for (guint j = 0; items[j] != NULL; j++)
        {
          g_auto(GStrv) fields = NULL;
          guint16 numbers[3];
          char *item = g_strstrip (items[j]);

          if (item[0] == '\0')
            continue;

          if (n_fields == 1)
            {
              if (!fake_resolver_add_host (self, keys[i], item))
                return invalid_value (error, group, keys[i], item);
              continue;
            }

          fields = split_fields (item);
          if (g_strv_length (fields) != n_fields)
            return invalid_value (error, group, keys[i], item);

          for (guint k = 0; k + 1 < n_fields; k++)
            {
              if (!parse_number (fields[k], &numbers[k]))
                return invalid_value (error, group, keys[i], item);
            }

          if (n_fields == 2)
            fake_resolver_add_mx (self, keys[i], numbers[0], fields[1]);
          else
            fake_resolver_add_srv (self, keys[i], numbers[0], numbers[1], numbers[2], fields[3]);
        }
    }

  return TRUE;
}

/**
 * fake_resolver_load_key_file:
 * @self: a resolver
 * @key_file: tables in the format fake-resolver.h shows
 * @error: where to put what could not be read
 *
 * Returns: %TRUE if everything was read
 */
gboolean
fake_resolver_load_key_file (FakeResolver  *self,
                             GKeyFile      *key_file,
                             GError       **error)
{
  static const struct { const char *name; GResolverError code; } failures[] = {
    { "not-found", G_RESOLVER_ERROR_NOT_FOUND },
    { "temporary-failure", G_RESOLVER_ERROR_TEMPORARY_FAILURE },
    { "internal", G_RESOLVER_ERROR_INTERNAL },
  };

  g_return_val_if_fail (FAKE_IS_RESOLVER (self), FALSE);
  g_return_val_if_fail (key_file != NULL, FALSE);

  if (!load_group (self, key_file, "mx", 2, error) ||
      !load_group (self, key_file, "srv", 4, error) ||
      !load_group (self, key_file, "hosts", 1, error))
    return FALSE;

  if (g_key_file_has_group (key_file, "failures"))
    {
      g_auto(GStrv) keys = g_key_file_get_keys (key_file, "failures", NULL, error);

      if (keys == NULL)
        return FALSE;

      for (guint i = 0; keys[i] != NULL; i++)
        {
          g_autofree char *value = g_key_file_get_string (key_file, "failures", keys[i], error);
          gboolean known = FALSE;

          if (value == NULL)
            return FALSE;
          g_strstrip (value);
          for (guint j = 0; j < G_N_ELEMENTS (failures) && !known; j++)
            {
              if (g_str_equal (value, failures[j].name))
                {
                  fake_resolver_set_failure (self, keys[i], failures[j].code);
                  known = TRUE;
                }
            }
          if (!known)
            return invalid_value (error, "failures", keys[i], value);
        }
    }

  if (g_key_file_has_key (key_file, "options", "delay-ms", NULL))
    {
      GError *local_error = NULL;
      int delay = g_key_file_get_integer (key_file, "options", "delay-ms", &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (delay < 0)
        return invalid_value (error, "options", "delay-ms", "negative");
      fake_resolver_set_delay_ms (self, (guint)delay);
    }

  return TRUE;
}

/**
 * fake_resolver_new_from_file:
 * @path: a key file in the format fake-resolver.h shows
 * @error: where to put why it cannot be read
 *
 * Returns: (transfer full) (nullable): a resolver with the file's tables
 */
FakeResolver *
fake_resolver_new_from_file (const char  *path,
                             GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(FakeResolver) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error))
    return NULL;

  self = fake_resolver_new ();
  if (!fake_resolver_load_key_file (self, key_file, error))
    return NULL;

  return g_steal_pointer (&self);
}
