/* ms-lookup-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ms-lookup-cache.h"

/**
 * MsLookupCache:
 *
 * Remembers the answers of network lookups, per domain, so that a lookup
 * repeated for the same domain (or another address at it) is instant.
 *
 * Found answers are kept in memory and, when the cache has a directory, on
 * disk, for %MS_LOOKUP_CACHE_MAX_AGE_S. “Nothing found” answers are kept in
 * memory only, for %MS_LOOKUP_CACHE_NEGATIVE_MAX_AGE_S. Catalogue answers are
 * never kept: the catalogue answers instantly anyway.
 *
 * On disk, each domain has a file of its own in the directory, named after
 * the domain (ASCII, punycode for IDN), holding one serialized #GVariant of
 * type `(usxssssa(ssqss))`: the format version (2), the domain,
 * when it was stored (seconds since the epoch), the source, the provider id
 * or "", the detail or "", the note (ms_lookup_note_to_string()) or "", and
 * the servers (protocol, host name, port, security, login name template).
 * A file of another version is not read (version 1 had no note). The data is in the machine's byte order:
 * the cache is not meant to be shared between machines. Problems
 * (ms_lookup_result_get_problems()) are not written.
 *
 * Files are written in a worker thread, to a private temporary file (mode
 * 0600) that is then renamed over the old one; the directory is created with
 * mode 0700. Writes and deletions run one at a time, in the order they were
 * asked for, so the last answer stored for a domain is the one on disk.
 *
 * A cache is used from one thread: the one whose thread-default main context
 * was current when it was created.
 */

#define FORMAT_VERSION 2
#define FORMAT_TYPE ((const GVariantType *)"(usxssssa(ssqss))")
#define TEMP_PREFIX ".tmp-"
#define MAX_DOMAIN 253

typedef struct
{
  MsLookupResult *result;
  gint64          expires;  /* seconds, as the now func counts them */
} Entry;

/* One write (contents) or deletion (contents == NULL) of a domain's file. */
typedef struct
{
  char   *directory;
  char   *domain;
  GBytes *contents;
} DiskOp;

struct _MsLookupCache
{
  GObject       parent_instance;

  MsCatalogue  *catalogue;
  char         *directory;
  gint64      (*now) (void);

  GHashTable   *entries;         /* domain → Entry */

  GQueue        pending;         /* DiskOp, waiting their turn */
  gboolean      disk_busy;       /* a DiskOp is running */
  GPtrArray    *flush_waiters;   /* GTask, from ms_lookup_cache_flush_async() */
  GCancellable *disk_cancellable;
  /* Held by the worker around its last step (rename or unlink), and by
   * ms_lookup_cache_clear() around cancelling and removing the files: a
   * write that was under way when the cache was cleared cannot bring its
   * file back. */
  GMutex        disk_lock;
};

G_DEFINE_FINAL_TYPE (MsLookupCache, ms_lookup_cache, G_TYPE_OBJECT)

static void start_next_disk_op (MsLookupCache *self);

static gint64
default_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->result);
  g_free (entry);
}

static void
disk_op_free (DiskOp *op)
{
  g_free (op->directory);
  g_free (op->domain);
  g_clear_pointer (&op->contents, g_bytes_unref);
  g_free (op);
}

static void
ms_lookup_cache_finalize (GObject *object)
{
  MsLookupCache *self = (MsLookupCache *)object;

  /* Every running disk operation and flush holds a reference: nothing of
   * them can be left here but never-started operations. */
  g_queue_clear_full (&self->pending, (GDestroyNotify)disk_op_free);
  g_clear_pointer (&self->flush_waiters, g_ptr_array_unref);
  g_clear_object (&self->disk_cancellable);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->directory, g_free);
  g_mutex_clear (&self->disk_lock);

  G_OBJECT_CLASS (ms_lookup_cache_parent_class)->finalize (object);
}

static void
ms_lookup_cache_class_init (MsLookupCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_lookup_cache_finalize;
}

static void
ms_lookup_cache_init (MsLookupCache *self)
{
  self->now = default_now;
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)entry_free);
  g_queue_init (&self->pending);
  self->flush_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->disk_cancellable = g_cancellable_new ();
  g_mutex_init (&self->disk_lock);
}

/**
 * ms_lookup_cache_new:
 * @catalogue: the catalogue that resolves the provider ids of cached answers
 * @directory: (nullable): where to keep found answers, such as
 *   `g_get_user_cache_dir()/mail-setup/lookup` (created when needed), or
 *   %NULL to keep answers in memory only
 *
 * Returns: (transfer full): an empty cache
 */
MsLookupCache *
ms_lookup_cache_new (MsCatalogue *catalogue,
                     const char  *directory)
{
  MsLookupCache *self;

  g_return_val_if_fail (MS_IS_CATALOGUE (catalogue), NULL);

  self = g_object_new (MS_TYPE_LOOKUP_CACHE, NULL);
  self->catalogue = g_object_ref (catalogue);
  self->directory = g_strdup (directory);

  return self;
}

/**
 * ms_lookup_cache_set_now_func:
 * @self: a cache
 * @now: (nullable): the clock, in seconds since the epoch, or %NULL for the
 *   real one
 *
 * For tests: replaces the clock the cache dates and expires answers by.
 */
void
ms_lookup_cache_set_now_func (MsLookupCache *self,
                              gint64       (*now) (void))
{
  g_return_if_fail (MS_IS_LOOKUP_CACHE (self));

  self->now = now ? now : default_now;
}

/* A normalized domain (see ms_normalize_domain()) is safe as a file name;
 * this makes sure of it before one is used as one. */
static gboolean
is_file_name (const char *domain)
{
  gsize len = strlen (domain);

  if (len == 0 || len > MAX_DOMAIN || domain[0] == '.' || strchr (domain, '.') == NULL)
    return FALSE;

  for (const char *p = domain; *p; p++)
    {
      if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '.'))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_hostname (const char *host)
{
  g_autofree char *normal = NULL;

  if (host[0] == '\0')
    return FALSE;

  if (g_hostname_is_ip_address (host))
    return TRUE;

  normal = ms_normalize_domain (host, NULL);
  return normal != NULL && g_str_equal (normal, host);
}

static gboolean
protocol_from_string (const char *str,
                      MsProtocol *protocol)
{
  if (g_str_equal (str, ms_protocol_to_string (MS_PROTOCOL_IMAP)))
    *protocol = MS_PROTOCOL_IMAP;
  else if (g_str_equal (str, ms_protocol_to_string (MS_PROTOCOL_SMTP)))
    *protocol = MS_PROTOCOL_SMTP;
  else
    return FALSE;

  return TRUE;
}

static gboolean
security_from_string (const char *str,
                      MsSecurity *security)
{
  /* Exactly what add_servers() writes; ms_security_from_string() also
   * takes autoconfig's spellings. */
  if (g_str_equal (str, ms_security_to_string (MS_SECURITY_SSL)))
    *security = MS_SECURITY_SSL;
  else if (g_str_equal (str, ms_security_to_string (MS_SECURITY_STARTTLS)))
    *security = MS_SECURITY_STARTTLS;
  else
    return FALSE;

  return TRUE;
}

static gboolean
server_is_valid (const MsServer *server)
{
  return (server->protocol == MS_PROTOCOL_IMAP || server->protocol == MS_PROTOCOL_SMTP) &&
         (server->security == MS_SECURITY_SSL || server->security == MS_SECURITY_STARTTLS) &&
         server->port != 0 &&
         is_hostname (server->hostname) &&
         server->username[0] != '\0';
}

static gboolean
add_servers (GVariantBuilder *builder,
             GPtrArray       *servers)
{
  for (guint i = 0; i < servers->len; i++)
    {
      const MsServer *server = g_ptr_array_index (servers, i);

      /* What a load would refuse is not written. */
      if (!server_is_valid (server))
        return FALSE;

      g_variant_builder_add (builder, "(ssqss)",
                             ms_protocol_to_string (server->protocol),
                             server->hostname,
                             server->port,
                             ms_security_to_string (server->security),
                             server->username);
    }

  return TRUE;
}

/* Returns: (nullable): the file's contents, or %NULL when @result cannot
 * be written (a load would refuse it) */
static GBytes *
serialize (MsLookupCache  *self,
           MsLookupResult *result,
           gint64          stored_at)
{
  MsProvider *provider = ms_lookup_result_get_provider (result);
  const char *detail = ms_lookup_result_get_detail (result);
  const char *note = ms_lookup_note_to_string (ms_lookup_result_get_note (result));
  const char *provider_id = provider ? ms_provider_get_id (provider) : "";
  g_autoptr(GVariant) variant = NULL;
  GVariantBuilder servers;

  if (provider != NULL && ms_catalogue_get_provider (self->catalogue, provider_id) == NULL)
    {
      g_debug ("Lookup cache: provider %s is not in the catalogue; not written", provider_id);
      return NULL;
    }

  g_variant_builder_init (&servers, G_VARIANT_TYPE ("a(ssqss)"));
  if (!add_servers (&servers, ms_lookup_result_get_imap_servers (result)) ||
      !add_servers (&servers, ms_lookup_result_get_smtp_servers (result)))
    {
      g_variant_builder_clear (&servers);
      g_debug ("Lookup cache: an answer for %s has an invalid server; not written",
               ms_lookup_result_get_address (result)->domain);
      return NULL;
    }

  variant = g_variant_new ("(usxssss@a(ssqss))",
                           (guint32)FORMAT_VERSION,
                           ms_lookup_result_get_address (result)->domain,
                           stored_at,
                           ms_lookup_source_to_string (ms_lookup_result_get_source (result)),
                           provider_id,
                           detail ? detail : "",
                           note ? note : "",
                           g_variant_builder_end (&servers));
  g_variant_ref_sink (variant);

  return g_variant_get_data_as_bytes (variant);
}

/* The disk: one operation at a time, in a worker thread. */

static gboolean
write_all (int           fd,
           GBytes       *contents,
           GError      **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (contents, &size);

  while (size > 0)
    {
      gssize n = write (fd, data, size);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "write: %s", g_strerror (saved_errno));
          return FALSE;
        }

      data += n;
      size -= n;
    }

  if (fsync (fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "fsync: %s", g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
disk_write (MsLookupCache  *self,
            DiskOp         *op,
            const char     *path,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autofree char *tmp_name = g_strconcat (TEMP_PREFIX, op->domain, "-XXXXXX", NULL);
  g_autofree char *tmp_path = g_build_filename (op->directory, tmp_name, NULL);
  gboolean ok;
  int fd;

  if (g_mkdir_with_parents (op->directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create %s: %s", op->directory, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create a file in %s: %s", op->directory, g_strerror (saved_errno));
      return FALSE;
    }

  ok = write_all (fd, op->contents, error);
  if (!g_close (fd, ok ? error : NULL))
    ok = FALSE;

  g_mutex_lock (&self->disk_lock);
  if (ok && !g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      if (g_rename (tmp_path, path) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot rename to %s: %s", path, g_strerror (saved_errno));
          ok = FALSE;
        }
    }
  else
    {
      ok = FALSE;
    }

  if (!ok)
    g_unlink (tmp_path);
  g_mutex_unlock (&self->disk_lock);

  return ok;
}

static void
disk_op_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  MsLookupCache *self = source_object;
  DiskOp *op = task_data;
  g_autofree char *path = g_build_filename (op->directory, op->domain, NULL);
  g_autoptr(GError) error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (op->contents != NULL)
    {
      if (!disk_write (self, op, path, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else
    {
      g_mutex_lock (&self->disk_lock);
      if (!g_cancellable_is_cancelled (cancellable) && g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot remove %s: %s", path, g_strerror (saved_errno));
        }
      g_mutex_unlock (&self->disk_lock);

      if (error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
disk_op_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  MsLookupCache *self = MS_LOOKUP_CACHE (object);
  DiskOp *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A cache that cannot be written only makes lookups slower. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Lookup cache: %s: %s", op->domain, error->message);
    }

  self->disk_busy = FALSE;
  start_next_disk_op (self);
}

static void
start_next_disk_op (MsLookupCache *self)
{
  g_autoptr(GTask) task = NULL;
  DiskOp *op;

  if (self->disk_busy)
    return;

  op = g_queue_pop_head (&self->pending);
  if (op == NULL)
    {
      /* Idle: everything asked for is done. */
      g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->flush_waiters);

      self->flush_waiters = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < waiters->len; i++)
        g_task_return_boolean (g_ptr_array_index (waiters, i), TRUE);
      return;
    }

  self->disk_busy = TRUE;
  task = g_task_new (self, self->disk_cancellable, disk_op_done, NULL);
  g_task_set_source_tag (task, start_next_disk_op);
  g_task_set_task_data (task, op, (GDestroyNotify)disk_op_free);
  g_task_run_in_thread (task, disk_op_thread);
}

/* Queues writing @contents as @domain's file, or removing it (@contents
 * %NULL). An operation for @domain still waiting is replaced. */
static void
queue_disk_op (MsLookupCache *self,
               const char    *domain,
               GBytes        *contents)
{
  DiskOp *op;

  g_assert (self->directory != NULL);

  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      op = l->data;

      if (g_str_equal (op->domain, domain))
        {
          g_clear_pointer (&op->contents, g_bytes_unref);
          op->contents = contents ? g_bytes_ref (contents) : NULL;
          return;
        }
    }

  op = g_new0 (DiskOp, 1);
  op->directory = g_strdup (self->directory);
  op->domain = g_strdup (domain);
  op->contents = contents ? g_bytes_ref (contents) : NULL;
  g_queue_push_tail (&self->pending, op);

  start_next_disk_op (self);
}

/**
 * ms_lookup_cache_flush_async:
 * @self: a cache
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Waits until every file write and removal asked for so far is done (or
 * failed: the cache reports no write errors). A program that is about to
 * exit calls this after its last ms_lookup_cache_store(), so that the answer
 * gets to the disk.
 */
void
ms_lookup_cache_flush_async (MsLookupCache       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MS_IS_LOOKUP_CACHE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_lookup_cache_flush_async);

  if (!self->disk_busy && g_queue_is_empty (&self->pending))
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->flush_waiters, g_steal_pointer (&task));
}

/**
 * ms_lookup_cache_flush_finish:
 * @self: a cache
 * @result: the result given to the callback
 * @error: where to put an error
 *
 * Returns: %TRUE, or %FALSE with @error set when the flush was cancelled
 *   (the writes go on all the same)
 */
gboolean
ms_lookup_cache_flush_finish (MsLookupCache  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (MS_IS_LOOKUP_CACHE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_lookup_cache_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Memory */

static void
remember (MsLookupCache  *self,
          const char     *domain,
          MsLookupResult *result,
          gint64          expires)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->result = g_object_ref (result);
  entry->expires = expires;
  g_hash_table_replace (self->entries, g_strdup (domain), entry);
}

/**
 * ms_lookup_cache_get:
 * @self: a cache
 * @address: an address
 *
 * Looks for an answer for @address's domain in memory only: instant. An
 * answer stored for another address at the same domain is given for
 * @address (its login names are @address's).
 *
 * Returns: (transfer full) (nullable): the answer, with source `none` for a
 *   “nothing found” answer, or %NULL if the cache has none (or only an
 *   expired one, which it forgets)
 */
MsLookupResult *
ms_lookup_cache_get (MsLookupCache   *self,
                     const MsAddress *address)
{
  Entry *entry;

  g_return_val_if_fail (MS_IS_LOOKUP_CACHE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, address->domain);
  if (entry == NULL)
    return NULL;

  if (self->now () >= entry->expires)
    {
      g_debug ("Lookup cache: the answer for %s has expired", address->domain);
      g_hash_table_remove (self->entries, address->domain);
      return NULL;
    }

  return ms_lookup_result_new_for_address (entry->result, address);
}

/**
 * ms_lookup_cache_store:
 * @self: a cache
 * @result: a lookup's answer
 *
 * Remembers @result for its address's domain, replacing any earlier answer:
 * a found answer for %MS_LOOKUP_CACHE_MAX_AGE_S, in memory and (when the
 * cache has a directory) on disk, written in the background; a “nothing
 * found” answer (source `none`) for %MS_LOOKUP_CACHE_NEGATIVE_MAX_AGE_S, in
 * memory only. Catalogue answers (source `catalogue`) are not stored.
 *
 * The copy in memory keeps @result's problems; the disk does not.
 */
void
ms_lookup_cache_store (MsLookupCache  *self,
                       MsLookupResult *result)
{
  const MsAddress *address;
  g_autoptr(MsLookupResult) copy = NULL;
  g_autoptr(GBytes) contents = NULL;
  gboolean found;
  gint64 now;

  g_return_if_fail (MS_IS_LOOKUP_CACHE (self));
  g_return_if_fail (MS_IS_LOOKUP_RESULT (result));

  if (ms_lookup_result_get_source (result) == MS_LOOKUP_SOURCE_CATALOGUE)
    return;

  address = ms_lookup_result_get_address (result);
  found = ms_lookup_result_is_found (result);
  now = self->now ();

  /* A copy of its own: the caller may go on changing @result. */
  copy = ms_lookup_result_new_for_address (result, address);
  remember (self, address->domain, copy,
            now + (found ? MS_LOOKUP_CACHE_MAX_AGE_S : MS_LOOKUP_CACHE_NEGATIVE_MAX_AGE_S));

  if (!found || self->directory == NULL)
    return;

  if (!is_file_name (address->domain))
    {
      g_debug ("Lookup cache: %s cannot be a file name; kept in memory only", address->domain);
      return;
    }

  contents = serialize (self, result, now);
  if (contents != NULL)
    queue_disk_op (self, address->domain, contents);
}

/* Loading */

typedef struct
{
  MsAddress *address;
  GFile     *file;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_pointer (&data->address, ms_address_free);
  g_clear_object (&data->file);
  g_free (data);
}

static gboolean
read_more_cb (const char *file_contents,
              goffset     file_size,
              gpointer    user_data)
{
  return file_size <= MS_LOOKUP_CACHE_MAX_FILE_SIZE;
}

/* Fills @imap and @smtp; FALSE with @reason set if a server is invalid or
 * there are none. */
static gboolean
parse_servers (GVariant   *servers,
               GPtrArray  *imap,
               GPtrArray  *smtp,
               char      **reason)
{
  GVariantIter iter;
  const char *protocol_name;
  const char *hostname;
  guint16 port;
  const char *security_name;
  const char *username;

  g_variant_iter_init (&iter, servers);
  while (g_variant_iter_next (&iter, "(&s&sq&s&s)",
                              &protocol_name, &hostname, &port, &security_name, &username))
    {
      MsProtocol protocol = MS_PROTOCOL_IMAP;
      MsSecurity security = MS_SECURITY_SSL;

      if (!protocol_from_string (protocol_name, &protocol))
        *reason = g_strdup_printf ("unknown protocol “%s”", protocol_name);
      else if (!is_hostname (hostname))
        *reason = g_strdup_printf ("invalid host name “%s”", hostname);
      else if (port == 0)
        *reason = g_strdup_printf ("port 0 for %s", hostname);
      else if (!security_from_string (security_name, &security))
        *reason = g_strdup_printf ("unknown security “%s”", security_name);
      else if (username[0] == '\0')
        *reason = g_strdup_printf ("no login name for %s", hostname);

      if (*reason != NULL)
        return FALSE;

      g_ptr_array_add (protocol == MS_PROTOCOL_IMAP ? imap : smtp,
                       ms_server_new (protocol, hostname, port, security, username));
    }

  if (imap->len == 0 && smtp->len == 0)
    {
      *reason = g_strdup ("no servers");
      return FALSE;
    }

  return TRUE;
}

typedef enum
{
  PARSE_OK,
  PARSE_INVALID,   /* corrupt, foreign, or naming what no longer exists */
  PARSE_STALE,     /* expired or dated in the future: removed */
} ParseStatus;

static ParseStatus
parse (MsLookupCache    *self,
       GBytes           *bytes,
       const MsAddress  *address,
       MsLookupResult  **out_result,
       gint64           *out_stored_at,
       char            **reason)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) servers = NULL;
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  MsProvider *provider = NULL;
  MsLookupSource source;
  MsLookupNote note = MS_LOOKUP_NOTE_NONE;
  guint32 version;
  const char *domain;
  gint64 stored_at;
  gint64 now;
  const char *source_name;
  const char *provider_id;
  const char *detail;
  const char *note_name;

  if (g_bytes_get_size (bytes) < sizeof (guint32))
    {
      *reason = g_strdup ("the file is too short");
      return PARSE_INVALID;
    }

  /* Untrusted: every access to the variant is safe, and the first member
   * of the tuple (the version) sits at its start whatever the rest is. */
  variant = g_variant_ref_sink (g_variant_new_from_bytes (FORMAT_TYPE, bytes, FALSE));

  g_variant_get_child (variant, 0, "u", &version);
  if (version != FORMAT_VERSION)
    {
      *reason = g_strdup_printf ("format version %u, not %u", version, FORMAT_VERSION);
      return PARSE_INVALID;
    }

  if (!g_variant_is_normal_form (variant))
    {
      *reason = g_strdup ("not a cache file (or a damaged one)");
      return PARSE_INVALID;
    }

  g_variant_get (variant, "(u&sx&s&s&s&s@a(ssqss))",
                 NULL, &domain, &stored_at, &source_name, &provider_id, &detail, &note_name, &servers);

  if (!g_str_equal (domain, address->domain))
    {
      *reason = g_strdup_printf ("the file is for %s", domain);
      return PARSE_INVALID;
    }

  now = self->now ();
  if (stored_at > now)
    {
      *reason = g_strdup ("the answer is dated in the future");
      return PARSE_STALE;
    }
  if (now - stored_at >= MS_LOOKUP_CACHE_MAX_AGE_S)
    {
      *reason = g_strdup ("the answer has expired");
      return PARSE_STALE;
    }

  if (!ms_lookup_source_from_string (source_name, &source))
    {
      *reason = g_strdup_printf ("unknown source “%s”", source_name);
      return PARSE_INVALID;
    }

  /* Never written: “nothing found” stays in memory, the catalogue is not
   * cached. */
  if (source == MS_LOOKUP_SOURCE_NONE || source == MS_LOOKUP_SOURCE_CATALOGUE)
    {
      *reason = g_strdup_printf ("source “%s” is not cached on disk", source_name);
      return PARSE_INVALID;
    }

  if (note_name[0] != '\0' && !ms_lookup_note_from_string (note_name, &note))
    {
      *reason = g_strdup_printf ("unknown note “%s”", note_name);
      return PARSE_INVALID;
    }

  if (provider_id[0] != '\0')
    {
      provider = ms_catalogue_get_provider (self->catalogue, provider_id);
      if (provider == NULL)
        {
          *reason = g_strdup_printf ("provider %s is no longer in the catalogue", provider_id);
          return PARSE_INVALID;
        }
    }

  imap = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  smtp = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  if (!parse_servers (servers, imap, smtp, reason))
    return PARSE_INVALID;

  *out_result = ms_lookup_result_new (address, source, provider, imap, smtp);
  ms_lookup_result_set_detail (*out_result, detail[0] != '\0' ? detail : NULL);
  /* A provider that takes no password says so itself, whatever the file
   * says. */
  if (provider == NULL)
    ms_lookup_result_set_note (*out_result, note);
  *out_stored_at = stored_at;

  return PARSE_OK;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MsLookupCache *self = g_task_get_source_object (task);
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(MsLookupResult) answer = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *path = g_file_get_path (data->file);
  char *contents = NULL;
  gsize length = 0;
  gint64 stored_at = 0;

  if (!g_file_load_partial_contents_finish (data->file, result, &contents, &length, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            g_debug ("Lookup cache: %s: %s", path, error->message);
          g_task_return_pointer (task, NULL, NULL);
        }
      return;
    }

  bytes = g_bytes_new_take (contents, length);

  /* Stored while the file was being read: at least as new. */
  answer = ms_lookup_cache_get (self, data->address);
  if (answer != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&answer), g_object_unref);
      return;
    }

  if (length > MS_LOOKUP_CACHE_MAX_FILE_SIZE)
    {
      g_debug ("Lookup cache: %s: larger than %d bytes; ignored", path, MS_LOOKUP_CACHE_MAX_FILE_SIZE);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  switch (parse (self, bytes, data->address, &answer, &stored_at, &reason))
    {
    case PARSE_OK:
      g_debug ("Lookup cache: %s: an answer from %s", data->address->domain,
               ms_lookup_source_to_string (ms_lookup_result_get_source (answer)));
      remember (self, data->address->domain, answer, stored_at + MS_LOOKUP_CACHE_MAX_AGE_S);
      g_task_return_pointer (task, ms_lookup_result_new_for_address (answer, data->address),
                             g_object_unref);
      return;

    case PARSE_STALE:
      g_debug ("Lookup cache: %s: %s; removed", path, reason);
      queue_disk_op (self, data->address->domain, NULL);
      break;

    case PARSE_INVALID:
    default:
      g_debug ("Lookup cache: %s: %s; ignored", path, reason);
      break;
    }

  g_task_return_pointer (task, NULL, NULL);
}

/**
 * ms_lookup_cache_load_async:
 * @self: a cache
 * @address: an address
 * @cancellable: (nullable): a cancellable
 * @callback: called with the answer
 * @user_data: for @callback
 *
 * Looks for an answer for @address's domain: in memory first (see
 * ms_lookup_cache_get()), then in the cache's directory. An answer found on
 * disk is also kept in memory from then on. A file that is damaged, of
 * another format, too large, or that names a provider the catalogue no
 * longer has is ignored; an expired one (or one dated in the future) is
 * removed.
 */
void
ms_lookup_cache_load_async (MsLookupCache       *self,
                            const MsAddress     *address,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(MsLookupResult) answer = NULL;
  g_autofree char *path = NULL;
  LoadData *data;

  g_return_if_fail (MS_IS_LOOKUP_CACHE (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_lookup_cache_load_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  answer = ms_lookup_cache_get (self, address);
  if (answer != NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&answer), g_object_unref);
      return;
    }

  if (self->directory == NULL || !is_file_name (address->domain))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  path = g_build_filename (self->directory, address->domain, NULL);
  data = g_new0 (LoadData, 1);
  data->address = ms_address_copy (address);
  data->file = g_file_new_for_path (path);
  g_task_set_task_data (task, data, (GDestroyNotify)load_data_free);

  g_file_load_partial_contents_async (data->file, cancellable, read_more_cb, load_cb,
                                      g_steal_pointer (&task));
}

/**
 * ms_lookup_cache_load_finish:
 * @self: a cache
 * @result: the result given to the callback
 * @error: where to put an error
 *
 * Returns: (transfer full) (nullable): the answer, for the address given to
 *   ms_lookup_cache_load_async(), or %NULL with no error when the cache has
 *   none; %NULL with @error set only when the load was cancelled
 */
MsLookupResult *
ms_lookup_cache_load_finish (MsLookupCache  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (MS_IS_LOOKUP_CACHE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_lookup_cache_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ms_lookup_cache_clear:
 * @self: a cache
 *
 * Forgets every answer: empties the memory and, when the cache has a
 * directory, stops the writes under way and removes the cached files (and
 * any temporary file) from it, synchronously. The directory itself and any
 * file in it that the cache would not have written are left.
 */
void
ms_lookup_cache_clear (MsLookupCache *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  g_return_if_fail (MS_IS_LOOKUP_CACHE (self));

  g_hash_table_remove_all (self->entries);
  g_queue_clear_full (&self->pending, (GDestroyNotify)disk_op_free);

  g_mutex_lock (&self->disk_lock);

  /* A write under way sees this before it renames its file into place. */
  g_cancellable_cancel (self->disk_cancellable);
  g_clear_object (&self->disk_cancellable);
  self->disk_cancellable = g_cancellable_new ();

  if (self->directory != NULL)
    dir = g_dir_open (self->directory, 0, &error);

  if (dir == NULL && error != NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_debug ("Lookup cache: %s", error->message);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      if (!is_file_name (name) && !g_str_has_prefix (name, TEMP_PREFIX))
        continue;

      path = g_build_filename (self->directory, name, NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_debug ("Lookup cache: cannot remove %s: %s", path, g_strerror (saved_errno));
        }
    }

  g_mutex_unlock (&self->disk_lock);
}
