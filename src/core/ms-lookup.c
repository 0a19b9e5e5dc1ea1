/* ms-lookup.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finds the settings for any address, layer by layer:
 *
 *  1. the catalogue by domain (instant, offline);
 *  2. the domain's MX records matched against the catalogue's MX patterns
 *     (a company domain hosted by Exmail, Qiye, Aliyun …);
 *  3. autoconfig documents: autoconfig.DOMAIN, DOMAIN/.well-known, Mozilla's
 *     ISPDB, then the same for the MX host's base domain;
 *  4. RFC 6186 SRV records;
 *  5. a guess (imap./mail./smtp.DOMAIN) confirmed by a TLS connect and a
 *     greeting, never a login.
 *
 * Everything but the catalogue runs at once under one deadline; the answer
 * is the best layer in that order, given as soon as every better layer has
 * said it has nothing. Only an IMAP server is an answer: a document that
 * offers POP3 only or IMAP without TLS only lets the worse layers try, and
 * is what the lookup tells (its note) when none of them finds one.
 * Answers are cached (MsLookupCache).
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include "ms-autoconfig-fetcher.h"
#include "ms-dns.h"
#include "ms-guess.h"
#include "ms-lookup.h"
#include "ms-lookup-cache.h"
#include "ms-lookup-private.h"
#include "ms-tls-trust.h"

/* The guess connects to the domain's hosts: it waits for the better layers
 * this long (or until they all found nothing) before it starts. */
#define GUESS_DELAY_MS 1500

typedef enum
{
  LAYER_MX,
  LAYER_AUTOCONFIG,
  LAYER_WELL_KNOWN,
  LAYER_AUTOCONFIG_HTTP,
  LAYER_ISPDB,
  LAYER_MX_AUTOCONFIG,
  LAYER_MX_WELL_KNOWN,
  LAYER_MX_ISPDB,
  LAYER_SRV,
  LAYER_GUESS,
  N_LAYERS
} Layer;

typedef enum
{
  LAYER_WAITING,
  LAYER_RUNNING,
  LAYER_FOUND,
  LAYER_NONE,
} LayerState;

struct _MsLookup
{
  GObject              parent_instance;

  MsCatalogue         *catalogue;
  GResolver           *resolver;
  char                *ca_file;
  MsTlsTrust          *trust;
  MsAutoconfigFetcher *fetcher;
  MsLookupCache       *cache;
  char                *cache_directory;
  char                *ispdb_url;
  GHashTable          *port_map;
  guint                timeout_s;
  gboolean             allow_http;
};

G_DEFINE_FINAL_TYPE (MsLookup, ms_lookup, G_TYPE_OBJECT)

static MsLookupSetupFunc setup_func;

typedef struct
{
  MsLookup        *self;
  MsAddress       *address;
  GCancellable    *cancellable;    /* the layers', cancelled when done */
  GSource         *deadline;
  GSource         *guess_timer;
  gint64           deadline_us;
  LayerState       state[N_LAYERS];
  MsLookupResult  *found[N_LAYERS];
  MsLookupResult  *noted[N_LAYERS];  /* no IMAP server, and why (MsLookupNote) */
  GPtrArray       *problems;
  gboolean         allow_http;     /* as it was when the lookup started */
  gboolean         returned;
} LookupData;

static void maybe_start_guess (GTask *task);

static void
lookup_data_free (LookupData *data)
{
  g_cancellable_cancel (data->cancellable);
  g_clear_object (&data->cancellable);
  if (data->deadline != NULL)
    g_source_destroy (data->deadline);
  g_clear_pointer (&data->deadline, g_source_unref);
  if (data->guess_timer != NULL)
    g_source_destroy (data->guess_timer);
  g_clear_pointer (&data->guess_timer, g_source_unref);
  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_clear_object (&data->found[i]);
      g_clear_object (&data->noted[i]);
    }
  g_clear_pointer (&data->problems, g_ptr_array_unref);
  g_clear_pointer (&data->address, ms_address_free);
  g_clear_object (&data->self);
  g_free (data);
}

static void
ms_lookup_finalize (GObject *object)
{
  MsLookup *self = (MsLookup *)object;

  g_clear_object (&self->catalogue);
  g_clear_object (&self->resolver);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->trust, ms_tls_trust_unref);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->cache);
  g_clear_pointer (&self->cache_directory, g_free);
  g_clear_pointer (&self->ispdb_url, g_free);
  g_clear_pointer (&self->port_map, g_hash_table_unref);

  G_OBJECT_CLASS (ms_lookup_parent_class)->finalize (object);
}

static void
ms_lookup_class_init (MsLookupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_lookup_finalize;
}

static void
ms_lookup_init (MsLookup *self)
{
  self->timeout_s = MS_LOOKUP_DEFAULT_TIMEOUT_S;
  self->ispdb_url = g_strdup (MS_LOOKUP_DEFAULT_ISPDB_URL);
  self->cache_directory = g_build_filename (g_get_user_cache_dir (), "mail-setup", "lookup", NULL);
  self->port_map = g_hash_table_new (NULL, NULL);
}

/**
 * ms_lookup_new:
 * @catalogue: the provider catalogue
 *
 * Returns: (transfer full): a lookup with the defaults: the system's
 *   resolver and trust, HTTPS only, a deadline of
 *   %MS_LOOKUP_DEFAULT_TIMEOUT_S seconds and the cache in the user's cache
 *   directory
 */
MsLookup *
ms_lookup_new (MsCatalogue *catalogue)
{
  MsLookup *self;

  g_return_val_if_fail (MS_IS_CATALOGUE (catalogue), NULL);

  self = g_object_new (MS_TYPE_LOOKUP, NULL);
  self->catalogue = g_object_ref (catalogue);
  if (setup_func != NULL)
    setup_func (self);

  return self;
}

/**
 * ms_lookup_get_catalogue:
 * @self: a lookup
 *
 * Returns: (transfer none): the catalogue
 */
MsCatalogue *
ms_lookup_get_catalogue (MsLookup *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP (self), NULL);

  return self->catalogue;
}

/**
 * ms_lookup_set_resolver:
 * @self: a lookup
 * @resolver: (nullable): the resolver for MX and SRV records, or %NULL for
 *   the default one
 */
void
ms_lookup_set_resolver (MsLookup  *self,
                        GResolver *resolver)
{
  g_return_if_fail (MS_IS_LOOKUP (self));
  g_return_if_fail (!resolver || G_IS_RESOLVER (resolver));

  g_set_object (&self->resolver, resolver);
}

/**
 * ms_lookup_set_ca_file:
 * @self: a lookup
 * @ca_file: (nullable): a PEM file of authorities to trust besides the
 *   system's, for autoconfig servers and guessed mail servers
 * @error: where to put why it cannot be used
 *
 * Returns: %TRUE if the file could be loaded
 */
gboolean
ms_lookup_set_ca_file (MsLookup    *self,
                       const char  *ca_file,
                       GError     **error)
{
  g_autoptr(MsTlsTrust) trust = NULL;
  g_autoptr(MsAutoconfigFetcher) fetcher = NULL;

  g_return_val_if_fail (MS_IS_LOOKUP (self), FALSE);

  trust = ms_tls_trust_new (ca_file, error);
  if (trust == NULL)
    return FALSE;

  /* The web and the mail servers are trusted alike. */
  fetcher = ms_autoconfig_fetcher_new ();
  ms_autoconfig_fetcher_set_trust (fetcher, trust);

  g_clear_pointer (&self->trust, ms_tls_trust_unref);
  self->trust = g_steal_pointer (&trust);
  g_set_object (&self->fetcher, fetcher);
  g_free (self->ca_file);
  self->ca_file = g_strdup (ca_file);

  return TRUE;
}

/**
 * ms_lookup_set_allow_http:
 * @self: a lookup
 * @allow_http: whether the user agreed to fetch autoconfig documents over
 *   plain HTTP
 *
 * Off by default: without it only HTTPS is used, and a redirect from HTTPS
 * to HTTP is refused even with it.
 */
void
ms_lookup_set_allow_http (MsLookup *self,
                          gboolean  allow_http)
{
  g_return_if_fail (MS_IS_LOOKUP (self));

  self->allow_http = !!allow_http;
}

/**
 * ms_lookup_set_timeout:
 * @self: a lookup
 * @seconds: the deadline for a whole lookup, every layer included
 */
void
ms_lookup_set_timeout (MsLookup *self,
                       guint     seconds)
{
  g_return_if_fail (MS_IS_LOOKUP (self));
  g_return_if_fail (seconds > 0);

  self->timeout_s = seconds;
}

/**
 * ms_lookup_set_ispdb_url:
 * @self: a lookup
 * @url: (nullable): the ISPDB's base address, to which the domain is
 *   appended; %NULL to not ask an ISPDB
 */
void
ms_lookup_set_ispdb_url (MsLookup   *self,
                         const char *url)
{
  g_return_if_fail (MS_IS_LOOKUP (self));

  g_free (self->ispdb_url);
  self->ispdb_url = g_strdup (url);
}

/**
 * ms_lookup_set_cache_directory:
 * @self: a lookup
 * @directory: (nullable): where answers are kept between runs; %NULL to
 *   keep them in memory only
 */
void
ms_lookup_set_cache_directory (MsLookup   *self,
                               const char *directory)
{
  g_return_if_fail (MS_IS_LOOKUP (self));

  g_free (self->cache_directory);
  self->cache_directory = g_strdup (directory);
  g_clear_object (&self->cache);
}

/**
 * ms_lookup_map_port:
 * @self: a lookup
 * @port: a well-known port the lookup would use (443, 80, 993 …)
 * @local_port: the port to use instead
 *
 * For tests and local bridges: web and mail servers are reached on
 * @local_port wherever the lookup would use @port.
 */
void
ms_lookup_map_port (MsLookup *self,
                    guint16   port,
                    guint16   local_port)
{
  g_return_if_fail (MS_IS_LOOKUP (self));
  g_return_if_fail (port > 0 && local_port > 0);

  g_hash_table_insert (self->port_map, GUINT_TO_POINTER (port), GUINT_TO_POINTER (local_port));
}

static guint16
map_port (MsLookup *self,
          guint16   port)
{
  gpointer mapped = g_hash_table_lookup (self->port_map, GUINT_TO_POINTER (port));

  return mapped != NULL ? GPOINTER_TO_UINT (mapped) : port;
}

static MsLookupCache *
get_cache (MsLookup *self)
{
  if (self->cache == NULL)
    self->cache = ms_lookup_cache_new (self->catalogue, self->cache_directory);

  return self->cache;
}

static MsAutoconfigFetcher *
get_fetcher (MsLookup *self)
{
  if (self->fetcher == NULL)
    self->fetcher = ms_autoconfig_fetcher_new ();

  return self->fetcher;
}

static MsTlsTrust *
get_trust (MsLookup *self)
{
  if (self->trust == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->trust = ms_tls_trust_new (NULL, &error);
      if (self->trust == NULL)
        g_warning ("No TLS trust: %s", error->message);
    }

  return self->trust;
}

/**
 * ms_lookup_lookup_offline:
 * @self: a lookup
 * @address: an address
 *
 * What is known at once, without the network: the catalogue by domain,
 * else an answer cached in memory.
 *
 * Returns: (transfer full): the result, with source `none` when nothing
 *   is known yet
 */
MsLookupResult *
ms_lookup_lookup_offline (MsLookup        *self,
                          const MsAddress *address)
{
  g_autoptr(MsLookupResult) result = NULL;
  MsLookupResult *cached;

  g_return_val_if_fail (MS_IS_LOOKUP (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  result = ms_catalogue_lookup (self->catalogue, address);
  if (ms_lookup_result_is_found (result))
    return g_steal_pointer (&result);

  cached = ms_lookup_cache_get (get_cache (self), address);
  if (cached != NULL && ms_lookup_result_is_found (cached))
    return cached;
  g_clear_object (&cached);

  return g_steal_pointer (&result);
}

/* The catalogue provider whose servers these are, if any. */
static MsProvider *
find_provider_by_servers (MsLookup  *self,
                          GPtrArray *imap,
                          GPtrArray *smtp)
{
  GPtrArray *servers = imap != NULL && imap->len > 0 ? imap : smtp;
  const MsServer *first;
  guint n;

  if (servers == NULL || servers->len == 0)
    return NULL;
  first = g_ptr_array_index (servers, 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->catalogue));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->catalogue), i);
      GPtrArray *theirs = first->protocol == MS_PROTOCOL_IMAP
                            ? ms_provider_get_imap_servers (provider)
                            : ms_provider_get_smtp_servers (provider);

      for (guint j = 0; j < theirs->len; j++)
        {
          const MsServer *server = g_ptr_array_index (theirs, j);

          if (g_ascii_strcasecmp (server->hostname, first->hostname) == 0)
            return provider;
        }
    }

  return NULL;
}

/* An answer from servers a layer found. Servers that are a catalogue
 * provider's (an autoconfig document or SRV record pointing at
 * imap.exmail.qq.com) bring the provider's guide and error advice too, and
 * its word on passwords; others keep @note, what their source said. */
static MsLookupResult *
found_servers (LookupData     *data,
               MsLookupSource  source,
               GPtrArray      *imap,
               GPtrArray      *smtp,
               MsLookupNote    note,
               const char     *detail)
{
  MsProvider *known = find_provider_by_servers (data->self, imap, smtp);
  MsLookupResult *found = ms_lookup_result_new (data->address, source, known, imap, smtp);

  if (known == NULL)
    ms_lookup_result_set_note (found, note);
  ms_lookup_result_set_detail (found, detail);
  return found;
}

static const char *
layer_name (Layer layer)
{
  switch (layer)
    {
    case LAYER_MX: return "MX records";
    case LAYER_AUTOCONFIG: return "autoconfig";
    case LAYER_WELL_KNOWN: return "autoconfig (.well-known)";
    case LAYER_AUTOCONFIG_HTTP: return "autoconfig (plain HTTP)";
    case LAYER_ISPDB: return "ISPDB";
    case LAYER_MX_AUTOCONFIG: return "autoconfig of the MX domain";
    case LAYER_MX_WELL_KNOWN: return "autoconfig (.well-known) of the MX domain";
    case LAYER_MX_ISPDB: return "ISPDB for the MX domain";
    case LAYER_SRV: return "SRV records";
    case LAYER_GUESS: return "guess";
    case N_LAYERS:
    default:
      g_assert_not_reached ();
    }
}

static MsLookupSource
layer_source (Layer layer)
{
  switch (layer)
    {
    case LAYER_MX: return MS_LOOKUP_SOURCE_MX;
    case LAYER_AUTOCONFIG:
    case LAYER_WELL_KNOWN:
    case LAYER_AUTOCONFIG_HTTP:
    case LAYER_MX_AUTOCONFIG:
    case LAYER_MX_WELL_KNOWN: return MS_LOOKUP_SOURCE_AUTOCONFIG;
    case LAYER_ISPDB:
    case LAYER_MX_ISPDB: return MS_LOOKUP_SOURCE_ISPDB;
    case LAYER_SRV: return MS_LOOKUP_SOURCE_SRV;
    case LAYER_GUESS: return MS_LOOKUP_SOURCE_GUESS;
    case N_LAYERS:
    default:
      g_assert_not_reached ();
    }
}

/* @cache: whether later lookups may be given @result */
static void
return_result (GTask          *task,
               MsLookupResult *result,
               gboolean        cache)
{
  LookupData *data = g_task_get_task_data (task);
  MsLookup *self = data->self;

  data->returned = TRUE;
  g_cancellable_cancel (data->cancellable);
  if (data->deadline != NULL)
    g_source_destroy (data->deadline);
  if (data->guess_timer != NULL)
    g_source_destroy (data->guess_timer);

  for (guint i = 0; i < data->problems->len; i++)
    ms_lookup_result_add_problem (result, g_ptr_array_index (data->problems, i));

  if (cache)
    ms_lookup_cache_store (get_cache (self), result);

  g_task_return_pointer (task, g_object_ref (result), g_object_unref);
}

/* Gives the best answer once every better layer has finished. */
static void
decide (GTask *task)
{
  LookupData *data = g_task_get_task_data (task);

  if (data->returned)
    return;

  if (g_task_return_error_if_cancelled (task))
    {
      data->returned = TRUE;
      g_cancellable_cancel (data->cancellable);
      return;
    }

  for (guint i = 0; i < N_LAYERS; i++)
    {
      switch (data->state[i])
        {
        case LAYER_WAITING:
        case LAYER_RUNNING:
          return;

        case LAYER_FOUND:
          /* A document that came over plain HTTP is for this lookup only:
           * one without the user's consent must not be given it (from
           * memory, or from the disk in another run). */
          return_result (task, data->found[i], i != LAYER_AUTOCONFIG_HTTP);
          return;

        case LAYER_NONE:
        default:
          break;
        }
    }

  {
    g_autoptr(MsLookupResult) none = NULL;

    /* No IMAP server anywhere: the best layer that said why tells it. */
    for (guint i = 0; i < N_LAYERS && none == NULL; i++)
      if (data->noted[i] != NULL)
        none = g_object_ref (data->noted[i]);
    if (none == NULL)
      none = ms_lookup_result_new (data->address, MS_LOOKUP_SOURCE_NONE, NULL, NULL, NULL);

    /* A "nothing found" while plain HTTP was allowed says nothing about a
     * lookup without it (which would not ask over HTTP), and the other
     * way round (see cache_load_cb()): keep only the one without. One that
     * came of a timeout or a failure is not remembered either: the next
     * try may get through. */
    return_result (task, none, !data->allow_http && data->problems->len == 0);
  }
}

static guint
remaining_ms (LookupData *data)
{
  gint64 left = data->deadline_us - g_get_monotonic_time ();

  return left > 1000 ? (guint)(left / 1000) : 1;
}

static void
layer_done (GTask          *task,
            Layer           layer,
            MsLookupResult *found,
            const GError   *error,
            const char     *where)
{
  LookupData *data = g_task_get_task_data (task);

  if (data->returned || data->state[layer] == LAYER_FOUND || data->state[layer] == LAYER_NONE)
    return;

  /* Only an IMAP server ends the search: SMTP alone sets up nothing. */
  if (found != NULL && ms_lookup_result_is_found (found) &&
      ms_lookup_result_get_imap_servers (found)->len > 0)
    {
      data->state[layer] = LAYER_FOUND;
      data->found[layer] = g_object_ref (found);
      g_debug ("Lookup of %s: %s answered", data->address->domain, layer_name (layer));
    }
  else
    {
      data->state[layer] = LAYER_NONE;
      if (found != NULL && ms_lookup_result_get_note (found) != MS_LOOKUP_NOTE_NONE)
        {
          data->noted[layer] = g_object_ref (found);
          g_debug ("Lookup of %s: %s offers no IMAP server (%s)", data->address->domain,
                   layer_name (layer), ms_lookup_note_to_string (ms_lookup_result_get_note (found)));
        }
      if (error != NULL &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND))
        g_ptr_array_add (data->problems,
                         g_strdup_printf ("%s%s%s: %s", layer_name (layer),
                                          where ? " " : "", where ? where : "",
                                          error->message));
      g_debug ("Lookup of %s: nothing from %s%s%s", data->address->domain, layer_name (layer),
               error ? ": " : "", error ? error->message : "");
      maybe_start_guess (task);
    }

  decide (task);
}

/* Autoconfig, ISPDB */

typedef struct
{
  GTask *task;
  Layer  layer;
  char  *url;
} FetchData;

static void
fetch_data_free (FetchData *fetch)
{
  g_clear_object (&fetch->task);
  g_free (fetch->url);
  g_free (fetch);
}

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchData *fetch = user_data;
  LookupData *data = g_task_get_task_data (fetch->task);
  g_autoptr(MsProvider) document = NULL;
  g_autoptr(MsLookupResult) found = NULL;
  g_autoptr(GError) error = NULL;

  document = ms_autoconfig_fetcher_fetch_finish (MS_AUTOCONFIG_FETCHER (object), result, &error);
  /* Only the servers of a fetched document are used: its name, steps and
   * links are not ours to show. */
  if (document != NULL && ms_provider_get_imap_servers (document)->len > 0)
    found = found_servers (data, layer_source (fetch->layer),
                           ms_provider_get_imap_servers (document),
                           ms_provider_get_smtp_servers (document),
                           ms_provider_get_lookup_note (document), fetch->url);
  else if (document != NULL)
    {
      /* POP3 only, or IMAP without TLS only: nothing to set up here (its
       * SMTP server alone would not do), but the reason, if no other
       * layer finds an IMAP server. */
      found = ms_lookup_result_new (data->address, MS_LOOKUP_SOURCE_NONE, NULL, NULL, NULL);
      ms_lookup_result_set_note (found, ms_provider_get_lookup_note (document));
      ms_lookup_result_set_detail (found, fetch->url);
    }

  /* The fetcher's messages name the address already. */
  layer_done (fetch->task, fetch->layer, found, error, NULL);
  fetch_data_free (fetch);
}

static char *
web_url (MsLookup   *self,
         const char *scheme,
         const char *host,
         const char *path)
{
  guint16 port = g_str_equal (scheme, "https") ? 443 : 80;
  guint16 mapped = map_port (self, port);

  if (mapped != port)
    return g_strdup_printf ("%s://%s:%u%s", scheme, host, mapped, path);

  return g_strdup_printf ("%s://%s%s", scheme, host, path);
}

static void
start_fetch (GTask *task,
             Layer  layer,
             char  *url)
{
  LookupData *data = g_task_get_task_data (task);
  MsAutoconfigFetcher *fetcher = get_fetcher (data->self);
  FetchData *fetch;

  if (url == NULL)
    {
      data->state[layer] = LAYER_NONE;
      return;
    }

  fetch = g_new0 (FetchData, 1);
  fetch->task = g_object_ref (task);
  fetch->layer = layer;
  fetch->url = url;
  data->state[layer] = LAYER_RUNNING;

  g_debug ("Lookup of %s: fetching %s", data->address->domain, url);
  ms_autoconfig_fetcher_set_allow_http (fetcher, data->allow_http);
  ms_autoconfig_fetcher_set_timeout_ms (fetcher, remaining_ms (data));
  ms_autoconfig_fetcher_fetch_async (fetcher, url, data->address->domain, data->cancellable,
                                     fetch_cb, fetch);
}

static void
start_autoconfig (GTask      *task,
                  const char *domain,
                  Layer       autoconfig,
                  Layer       well_known,
                  Layer       ispdb)
{
  LookupData *data = g_task_get_task_data (task);
  MsLookup *self = data->self;
  g_autofree char *host = g_strconcat ("autoconfig.", domain, NULL);

  start_fetch (task, autoconfig, web_url (self, "https", host, "/mail/config-v1.1.xml"));
  start_fetch (task, well_known,
               web_url (self, "https", domain, "/.well-known/autoconfig/mail/config-v1.1.xml"));
  start_fetch (task, ispdb,
               self->ispdb_url != NULL ? g_strconcat (self->ispdb_url, domain, NULL) : NULL);
}

/* MX */

static void
mx_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  g_autofree char *base = NULL;
  g_autofree char *own_base = NULL;

  hosts = ms_dns_lookup_mx_finish (result, &error);
  if (data->returned)
    return;

  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    {
      MsProvider *provider = ms_catalogue_find_by_mx (data->self->catalogue, hosts[i]);

      if (provider != NULL)
        {
          g_autoptr(MsLookupResult) found = NULL;

          found = ms_lookup_result_new (data->address, MS_LOOKUP_SOURCE_MX, provider,
                                        ms_provider_get_imap_servers (provider),
                                        ms_provider_get_smtp_servers (provider));
          ms_lookup_result_set_detail (found, hosts[i]);
          data->state[LAYER_MX_AUTOCONFIG] = LAYER_NONE;
          data->state[LAYER_MX_WELL_KNOWN] = LAYER_NONE;
          data->state[LAYER_MX_ISPDB] = LAYER_NONE;
          layer_done (task, LAYER_MX, found, NULL, NULL);
          return;
        }
    }

  /* The MX host's own domain may publish settings for its customers. */
  if (hosts != NULL && hosts[0] != NULL)
    base = ms_dns_dup_base_domain (hosts[0]);
  own_base = ms_dns_dup_base_domain (data->address->domain);
  if (base != NULL &&
      g_ascii_strcasecmp (base, data->address->domain) != 0 &&
      g_strcmp0 (base, own_base) != 0)
    {
      g_debug ("Lookup of %s: mail goes to %s, asking %s too", data->address->domain, hosts[0], base);
      start_autoconfig (task, base, LAYER_MX_AUTOCONFIG, LAYER_MX_WELL_KNOWN, LAYER_MX_ISPDB);
    }
  else
    {
      data->state[LAYER_MX_AUTOCONFIG] = LAYER_NONE;
      data->state[LAYER_MX_WELL_KNOWN] = LAYER_NONE;
      data->state[LAYER_MX_ISPDB] = LAYER_NONE;
    }

  layer_done (task, LAYER_MX, NULL, error, NULL);
}

/* SRV */

static void
srv_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) imap = NULL;
  g_autoptr(GPtrArray) smtp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsLookupResult) found = NULL;

  if (ms_dns_lookup_srv_finish (result, &imap, &smtp, &error))
    found = found_servers (data, MS_LOOKUP_SOURCE_SRV, imap, smtp, MS_LOOKUP_NOTE_NONE,
                           data->address->domain);

  layer_done (task, LAYER_SRV, found, error, NULL);
}

/* Guess */

static GPtrArray *
guess_candidates (MsLookup   *self,
                  const char *domain)
{
  g_autoptr(GPtrArray) imap = ms_guess_candidates (domain, MS_PROTOCOL_IMAP);
  g_autoptr(GPtrArray) smtp = ms_guess_candidates (domain, MS_PROTOCOL_SMTP);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);

  for (guint i = 0; i < imap->len + smtp->len; i++)
    {
      const MsServer *server = i < imap->len ? g_ptr_array_index (imap, i)
                                             : g_ptr_array_index (smtp, i - imap->len);
      MsServer *copy = ms_server_copy (server);

      copy->port = map_port (self, copy->port);
      g_ptr_array_add (all, copy);
    }

  return all;
}

static void
guess_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) confirmed = NULL;
  g_autoptr(GPtrArray) imap = g_ptr_array_new ();
  g_autoptr(GPtrArray) smtp = g_ptr_array_new ();
  g_autoptr(MsLookupResult) found = NULL;
  g_autoptr(GError) error = NULL;

  confirmed = ms_guess_probe_finish (result, &error);
  if (confirmed != NULL)
    {
      g_autoptr(GString) detail = g_string_new (NULL);

      for (guint i = 0; i < confirmed->len; i++)
        {
          const MsServer *server = g_ptr_array_index (confirmed, i);
          GPtrArray *side = server->protocol == MS_PROTOCOL_IMAP ? imap : smtp;

          /* The detail names the first confirmed host of each side. */
          if (side->len == 0)
            g_string_append_printf (detail, "%s%s", detail->len ? ", " : "", server->hostname);
          g_ptr_array_add (side, (gpointer)server);
        }
      found = ms_lookup_result_new (data->address, MS_LOOKUP_SOURCE_GUESS, NULL, imap, smtp);
      ms_lookup_result_set_detail (found, detail->str);
    }

  layer_done (task, LAYER_GUESS, found, error, NULL);
}

static gboolean
start_guess (gpointer user_data)
{
  GTask *task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) candidates = NULL;

  if (data->guess_timer != NULL)
    {
      g_source_destroy (data->guess_timer);
      g_clear_pointer (&data->guess_timer, g_source_unref);
    }

  if (data->returned || data->state[LAYER_GUESS] != LAYER_WAITING)
    return G_SOURCE_REMOVE;

  g_debug ("Lookup of %s: guessing", data->address->domain);
  data->state[LAYER_GUESS] = LAYER_RUNNING;
  candidates = guess_candidates (data->self, data->address->domain);
  ms_guess_probe_async (candidates, get_trust (data->self), remaining_ms (data),
                        data->cancellable, guess_cb, g_object_ref (task));

  return G_SOURCE_REMOVE;
}

/* Starts the guess early when every better layer has found nothing. */
static void
maybe_start_guess (GTask *task)
{
  LookupData *data = g_task_get_task_data (task);

  for (guint i = 0; i < LAYER_GUESS; i++)
    if (data->state[i] != LAYER_NONE)
      return;

  start_guess (task);
}

static gboolean
deadline_cb (gpointer user_data)
{
  GTask *task = user_data;
  LookupData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->deadline, g_source_unref);

  for (guint i = 0; i < N_LAYERS; i++)
    {
      if (data->state[i] == LAYER_WAITING || data->state[i] == LAYER_RUNNING)
        {
          if (data->state[i] == LAYER_RUNNING)
            g_ptr_array_add (data->problems,
                             g_strdup_printf ("%s: no answer within %u s",
                                              layer_name (i), data->self->timeout_s));
          data->state[i] = LAYER_NONE;
        }
    }

  decide (task);

  return G_SOURCE_REMOVE;
}

static void
start_layers (GTask *task)
{
  LookupData *data = g_task_get_task_data (task);
  MsLookup *self = data->self;
  g_autoptr(GResolver) default_resolver = NULL;
  GResolver *resolver = self->resolver;
  const char *domain = data->address->domain;

  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  /* In milliseconds, as remaining_ms() counts for the layers: a source in
   * seconds may fire up to a quarter second early or 3/4 s late. */
  data->deadline_us = g_get_monotonic_time () + (gint64)self->timeout_s * G_USEC_PER_SEC;
  data->deadline = g_timeout_source_new (self->timeout_s * 1000);
  g_source_set_callback (data->deadline, deadline_cb, task, NULL);
  g_source_set_static_name (data->deadline, "[mail-setup] lookup deadline");
  g_source_attach (data->deadline, g_task_get_context (task));

  data->state[LAYER_MX] = LAYER_RUNNING;
  ms_dns_lookup_mx_async (resolver, domain, data->cancellable, mx_cb, g_object_ref (task));

  data->state[LAYER_SRV] = LAYER_RUNNING;
  ms_dns_lookup_srv_async (resolver, domain, data->cancellable, srv_cb, g_object_ref (task));

  start_autoconfig (task, domain, LAYER_AUTOCONFIG, LAYER_WELL_KNOWN, LAYER_ISPDB);
  if (data->allow_http)
    {
      g_autofree char *host = g_strconcat ("autoconfig.", domain, NULL);

      start_fetch (task, LAYER_AUTOCONFIG_HTTP, web_url (self, "http", host, "/mail/config-v1.1.xml"));
    }
  else
    data->state[LAYER_AUTOCONFIG_HTTP] = LAYER_NONE;

  data->guess_timer = g_timeout_source_new (MIN (GUESS_DELAY_MS, self->timeout_s * 1000 / 3));
  g_source_set_callback (data->guess_timer, start_guess, task, NULL);
  g_source_set_static_name (data->guess_timer, "[mail-setup] lookup guess");
  g_source_attach (data->guess_timer, g_task_get_context (task));
}

static void
cache_load_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(MsLookupResult) cached = NULL;
  g_autoptr(GError) error = NULL;

  cached = ms_lookup_cache_load_finish (MS_LOOKUP_CACHE (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (cached != NULL && (ms_lookup_result_is_found (cached) || !data->allow_http))
    {
      data->returned = TRUE;
      g_task_return_pointer (task, g_steal_pointer (&cached), g_object_unref);
      return;
    }

  start_layers (task);
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  LookupData *data = g_task_get_task_data (task);

  g_cancellable_cancel (data->cancellable);
}

/**
 * ms_lookup_lookup_async:
 * @self: a lookup
 * @address: the address to find settings for
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Finds the settings for @address through every layer, under the
 * lookup's deadline. The answer says which layer gave it; layers that
 * failed on their way (a malformed document, a refused redirect) are listed
 * as its problems. Only cancellation is an error.
 */
void
ms_lookup_lookup_async (MsLookup            *self,
                        const MsAddress     *address,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(MsLookupResult) offline = NULL;
  MsLookupResult *cached;
  LookupData *data;

  g_return_if_fail (MS_IS_LOOKUP (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_lookup_lookup_async);
  g_task_set_name (task, "[mail-setup] lookup");

  offline = ms_catalogue_lookup (self->catalogue, address);
  if (ms_lookup_result_is_found (offline))
    {
      g_task_return_pointer (task, g_steal_pointer (&offline), g_object_unref);
      return;
    }

  cached = ms_lookup_cache_get (get_cache (self), address);
  if (cached != NULL && (ms_lookup_result_is_found (cached) || !self->allow_http))
    {
      g_task_return_pointer (task, cached, g_object_unref);
      return;
    }
  g_clear_object (&cached);

  data = g_new0 (LookupData, 1);
  data->self = g_object_ref (self);
  data->address = ms_address_copy (address);
  data->cancellable = g_cancellable_new ();
  data->problems = g_ptr_array_new_with_free_func (g_free);
  data->allow_http = self->allow_http;
  g_task_set_task_data (task, data, (GDestroyNotify)lookup_data_free);

  /* The layers stop with the caller's cancellable and when the answer is
   * given, whichever comes first. */
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (cancelled_cb), task, 0);

  ms_lookup_cache_load_async (get_cache (self), address, data->cancellable,
                              cache_load_cb, g_object_ref (task));
}

/**
 * ms_lookup_lookup_finish:
 * @self: a lookup
 * @result: the result given to the callback
 * @error: where to put a cancellation
 *
 * Returns: (transfer full): the answer (source `none` when no layer found
 *   settings), or %NULL when the lookup was cancelled
 */
MsLookupResult *
ms_lookup_lookup_finish (MsLookup      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (MS_IS_LOOKUP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (ms_lookup_cache_flush_finish (MS_LOOKUP_CACHE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * ms_lookup_flush_async:
 * @self: a lookup
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the cache is on disk
 * @user_data: data for @callback
 *
 * Waits for the answers being written to the disk cache: a program about
 * to exit calls it so the next run finds them.
 */
void
ms_lookup_flush_async (MsLookup            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MS_IS_LOOKUP (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_lookup_flush_async);
  ms_lookup_cache_flush_async (get_cache (self), cancellable, flushed_cb, g_steal_pointer (&task));
}

gboolean
ms_lookup_flush_finish (MsLookup      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ms_lookup_set_setup_func (MsLookupSetupFunc func)
{
  setup_func = func;
}
