/* ms-autoconfig-fetcher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fetches one Mozilla autoconfig document (a domain's own
 * config-v1.1.xml, or ISPDB's answer) over HTTPS and keeps its servers.
 * Whatever comes from the network is untrusted: plain HTTP only when the
 * user agreed to it and never after an https address, redirects followed
 * by hand and counted, the body read in chunks and refused past
 * MS_AUTOCONFIG_MAX_SIZE, one deadline for the whole fetch, every server
 * host name checked, and nothing but the servers kept from the document.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ms-autoconfig-fetcher.h"
#include "ms-client-config.h"
#include "ms-provider-private.h"

#define DEFAULT_TIMEOUT_MS  10000
#define READ_CHUNK_SIZE     (16 * 1024)
/* A redirect's body up to this size is read, so that its connection can
 * serve the next request; a longer one is dropped with its connection. */
#define MAX_DRAIN           (16 * 1024)
#define MAX_HOSTNAME        253
#define MAX_USERNAME        255
#define MAX_CHAIN           16
/* More would only be a way to make the checks try servers for ever. */
#define MAX_SERVERS         10
/* Of a URL in a message, and of a whole message. */
#define MAX_SHOWN_URL       200
#define MAX_MESSAGE         512

struct _MsAutoconfigFetcher
{
  GObject      parent_instance;

  SoupSession *session;
  MsTlsTrust  *trust;        /* NULL: the system's authorities only */
  guint        timeout_ms;
  gboolean     allow_http;
};

G_DEFINE_FINAL_TYPE (MsAutoconfigFetcher, ms_autoconfig_fetcher, G_TYPE_OBJECT)

/* One fetch: the task's data. */
typedef struct
{
  MsTlsTrust   *trust;
  char         *first_host;   /* of the address asked for */
  char         *email_domain; /* what %EMAILDOMAIN% in a host name stands for */
  GUri         *uri;          /* being fetched: the first, or a redirect */
  char         *shown;        /* @uri for messages */
  guint         redirects;
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  guint8       *chunk;
  gsize         drained;      /* of a redirect's body, read to keep the connection */
  gboolean      draining;
  char         *tls_problem;  /* why our own check refused a certificate */

  guint         timeout_ms;
  GCancellable *cancellable;  /* ours: cancelled when the fetch ends */
  gulong        cancelled_id;
  GSource      *deadline;
  gboolean      done;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  if (fetch->message != NULL)
    g_signal_handlers_disconnect_by_data (fetch->message, fetch);
  g_clear_object (&fetch->message);
  g_clear_object (&fetch->stream);
  g_clear_pointer (&fetch->trust, ms_tls_trust_unref);
  g_clear_pointer (&fetch->first_host, g_free);
  g_clear_pointer (&fetch->email_domain, g_free);
  g_clear_pointer (&fetch->uri, g_uri_unref);
  g_clear_pointer (&fetch->shown, g_free);
  g_clear_pointer (&fetch->body, g_byte_array_unref);
  g_clear_pointer (&fetch->chunk, g_free);
  g_clear_pointer (&fetch->tls_problem, g_free);
  g_clear_object (&fetch->cancellable);
  g_assert (fetch->deadline == NULL);
  g_assert (fetch->cancelled_id == 0);
  g_free (fetch);
}

static void
ms_autoconfig_fetcher_finalize (GObject *object)
{
  MsAutoconfigFetcher *self = (MsAutoconfigFetcher *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->trust, ms_tls_trust_unref);

  G_OBJECT_CLASS (ms_autoconfig_fetcher_parent_class)->finalize (object);
}

static void
ms_autoconfig_fetcher_class_init (MsAutoconfigFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_autoconfig_fetcher_finalize;
}

static void
ms_autoconfig_fetcher_init (MsAutoconfigFetcher *self)
{
  self->timeout_ms = DEFAULT_TIMEOUT_MS;

  /* No cookie jar, no cache, and no authentication manager: nothing the
   * document's server could make us keep or send. */
  self->session = soup_session_new_with_options ("user-agent", "mail-setup/" PACKAGE_VERSION,
                                                 "accept-language-auto", FALSE,
                                                 NULL);
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_AUTH_MANAGER);
}

/**
 * ms_autoconfig_fetcher_new:
 *
 * Returns: (transfer full): a fetcher: HTTPS only, the system's
 *   certificate authorities, a 10 s deadline
 */
MsAutoconfigFetcher *
ms_autoconfig_fetcher_new (void)
{
  return g_object_new (MS_TYPE_AUTOCONFIG_FETCHER, NULL);
}

/**
 * ms_autoconfig_fetcher_set_trust:
 * @self: a fetcher
 * @trust: (nullable): the authorities to trust (the system's and the
 *   extra ones of a #MsTlsTrust), or %NULL for the system's only
 *
 * Shares the trust of the other lookup layers, instead of loading a CA
 * file again with ms_autoconfig_fetcher_set_ca_file().
 */
void
ms_autoconfig_fetcher_set_trust (MsAutoconfigFetcher *self,
                                 MsTlsTrust          *trust)
{
  g_return_if_fail (MS_IS_AUTOCONFIG_FETCHER (self));

  if (trust != NULL)
    ms_tls_trust_ref (trust);
  g_clear_pointer (&self->trust, ms_tls_trust_unref);
  self->trust = trust;
}

/**
 * ms_autoconfig_fetcher_set_ca_file:
 * @self: a fetcher
 * @ca_file: (nullable): a PEM file of certificate authorities to trust in
 *   addition to the system's, or %NULL for the system's only
 * @error: where to put why @ca_file cannot be used
 *
 * Returns: %TRUE if @ca_file could be loaded; the fetcher is unchanged
 *   otherwise
 */
gboolean
ms_autoconfig_fetcher_set_ca_file (MsAutoconfigFetcher  *self,
                                   const char           *ca_file,
                                   GError              **error)
{
  g_autoptr(MsTlsTrust) trust = NULL;

  g_return_val_if_fail (MS_IS_AUTOCONFIG_FETCHER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (ca_file == NULL)
    {
      ms_autoconfig_fetcher_set_trust (self, NULL);
      return TRUE;
    }

  trust = ms_tls_trust_new (ca_file, error);
  if (trust == NULL)
    return FALSE;

  ms_autoconfig_fetcher_set_trust (self, trust);
  return TRUE;
}

/**
 * ms_autoconfig_fetcher_set_allow_http:
 * @self: a fetcher
 * @allow_http: whether a plain-HTTP address may be fetched (the user
 *   agreed to it)
 *
 * Even then, a redirect from an https address to a plain-HTTP one is
 * refused.
 */
void
ms_autoconfig_fetcher_set_allow_http (MsAutoconfigFetcher *self,
                                      gboolean             allow_http)
{
  g_return_if_fail (MS_IS_AUTOCONFIG_FETCHER (self));

  self->allow_http = !!allow_http;
}

/**
 * ms_autoconfig_fetcher_set_timeout_ms:
 * @self: a fetcher
 * @timeout_ms: the deadline of each fetch, connection, redirects and body
 *   included
 */
void
ms_autoconfig_fetcher_set_timeout_ms (MsAutoconfigFetcher *self,
                                      guint                timeout_ms)
{
  g_return_if_fail (MS_IS_AUTOCONFIG_FETCHER (self));
  g_return_if_fail (timeout_ms > 0);

  self->timeout_ms = timeout_ms;
}

/* A URL or a message from the network, made fit for one line of a report:
 * valid UTF-8, no control characters, not too long. */
static char *
dup_one_line (const char *text,
              gsize       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  glong n_chars = 0;

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((gsize)n_chars == max_chars)
        {
          g_string_append (out, "…");
          break;
        }

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
      n_chars++;
    }

  return g_string_free (out, FALSE);
}

static char *
dup_shown_uri (GUri *uri)
{
  g_autofree char *text = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO);

  return dup_one_line (text, MAX_SHOWN_URL);
}

static void fetch_return (GTask      *task,
                          MsProvider *provider,
                          GError     *error);

G_GNUC_PRINTF (3, 4)
static void
fetch_fail (GTask      *task,
            int         code,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  line = dup_one_line (message, MAX_MESSAGE);
  g_debug ("Autoconfig: %s", line);
  fetch_return (task, NULL, g_error_new_literal (MS_LOOKUP_ERROR, code, line));
}

static void
stream_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_input_stream_close_finish (G_INPUT_STREAM (object), result, NULL);
}

/* Closing an unfinished answer does not read the rest of it: the
 * connection is dropped. */
static void
close_stream (GInputStream *stream)
{
  if (stream != NULL && !g_input_stream_is_closed (stream))
    g_input_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, stream_closed_cb, NULL);
}

/* Ends the fetch, once: whatever is still running is dropped. Takes
 * @provider and @error. */
static void
fetch_return (GTask      *task,
              MsProvider *provider,
              GError     *error)
{
  Fetch *fetch = g_task_get_task_data (task);

  if (fetch->done)
    {
      g_clear_object (&provider);
      g_clear_error (&error);
      return;
    }
  fetch->done = TRUE;

  if (fetch->deadline != NULL)
    {
      g_source_destroy (fetch->deadline);
      g_clear_pointer (&fetch->deadline, g_source_unref);
    }
  if (fetch->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), fetch->cancelled_id);
      fetch->cancelled_id = 0;
    }
  /* On a failure, drop whatever is still connecting or reading. */
  if (error != NULL)
    g_cancellable_cancel (fetch->cancellable);
  close_stream (fetch->stream);
  g_clear_object (&fetch->stream);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, provider, g_object_unref);
}

static gboolean
deadline_cb (gpointer user_data)
{
  GTask *task = user_data;
  Fetch *fetch = g_task_get_task_data (task);

  fetch_fail (task, MS_LOOKUP_ERROR_TIMEOUT,
              "%s: no answer within %u ms", fetch->shown, fetch->timeout_ms);
  return G_SOURCE_REMOVE;
}

static gboolean
caller_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;

  fetch_return (task, NULL,
                g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The lookup was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     GTask        *task)
{
  GSource *source = g_idle_source_new ();

  /* “cancelled” may come from another thread, and the handler may not
   * disconnect itself: finish later, in the task's context. */
  g_source_set_callback (source, caller_cancelled_idle, g_object_ref (task), g_object_unref);
  /* Ahead of the network traffic still coming in for the fetch. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

/* Why the TLS library refused a certificate, in a few words. */
static const char *
describe_certificate_errors (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return "the certificate is not from a trusted authority";
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return "the certificate is for another host name";
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return "the certificate has expired";
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return "the certificate is not valid yet";
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return "the certificate was revoked";
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return "the certificate uses an insecure algorithm";
  return "the certificate is not acceptable";
}

/* Network, TLS and name resolution failures, and the odd I/O error. */
static void
fetch_fail_transport (GTask  *task,
                      GError *error)
{
  Fetch *fetch = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fetch_return (task, NULL, g_error_copy (error));
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      fetch_fail (task, MS_LOOKUP_ERROR_TIMEOUT, "%s: %s", fetch->shown, error->message);
      return;
    }

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      GTlsCertificateFlags flags = 0;

      if (fetch->message != NULL)
        flags = soup_message_get_tls_peer_certificate_errors (fetch->message);

      fetch_fail (task, MS_LOOKUP_ERROR_NETWORK, "%s: %s (%s)", fetch->shown, error->message,
                  fetch->tls_problem ? fetch->tls_problem : describe_certificate_errors (flags));
      return;
    }

  /* An answer that is not HTTP, or not HTTP libsoup can read. */
  if (error->domain == SOUP_SESSION_ERROR)
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID, "%s: %s", fetch->shown, error->message);
      return;
    }

  /* A host that does not exist has no document: most domains have no
   * autoconfig.DOMAIN, which is no problem worth reporting. */
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    {
      fetch_fail (task, MS_LOOKUP_ERROR_NOT_FOUND, "%s: %s", fetch->shown, error->message);
      return;
    }

  fetch_fail (task, MS_LOOKUP_ERROR_NETWORK, "%s: %s", fetch->shown, error->message);
}

/* Checks @peer against the trust's authorities (the system's and the
 * extra ones) for @host, with GnuTLS: the chain, the dates, the name and
 * the purpose (a web server). */
static gboolean
verify_certificate (MsTlsTrust       *trust,
                    GTlsCertificate  *peer,
                    const char       *host,
                    char            **problem)
{
  gnutls_certificate_credentials_t credentials = ms_tls_trust_get_credentials (trust);
  gnutls_x509_trust_list_t list = NULL;
  gnutls_x509_crt_t chain[MAX_CHAIN] = { NULL, };
  gnutls_typed_vdata_st data[2];
  unsigned int n_chain = 0;
  unsigned int status = 0;
  gboolean ok = FALSE;
  int ret = 0;

  gnutls_certificate_get_trust_list (credentials, &list);

  for (GTlsCertificate *cert = peer;
       cert != NULL && n_chain < MAX_CHAIN;
       cert = g_tls_certificate_get_issuer (cert))
    {
      g_autoptr(GByteArray) der = NULL;
      gnutls_datum_t datum;

      g_object_get (cert, "certificate", &der, NULL);
      if (der == NULL)
        break;

      datum.data = der->data;
      datum.size = der->len;
      ret = gnutls_x509_crt_init (&chain[n_chain]);
      if (ret < 0)
        goto out;
      n_chain++;
      ret = gnutls_x509_crt_import (chain[n_chain - 1], &datum, GNUTLS_X509_FMT_DER);
      if (ret < 0)
        goto out;
    }

  if (n_chain == 0)
    {
      *problem = g_strdup ("the server sent no certificate");
      goto out;
    }

  data[0].type = GNUTLS_DT_DNS_HOSTNAME;
  data[0].data = (unsigned char *)host;
  data[0].size = 0;
  data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
  data[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
  data[1].size = 0;

  ret = gnutls_x509_trust_list_verify_crt2 (list, chain, n_chain, data, G_N_ELEMENTS (data),
                                            0, &status, NULL);
  if (ret < 0)
    goto out;

  if (status != 0)
    {
      gnutls_datum_t text = { NULL, 0 };

      if (gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &text, 0) == 0)
        {
          *problem = g_strstrip (g_strndup ((const char *)text.data, text.size));
          gnutls_free (text.data);
        }
      else
        {
          *problem = g_strdup ("the certificate is not trusted");
        }
      goto out;
    }

  ok = TRUE;

out:
  if (ret < 0 && *problem == NULL)
    *problem = g_strdup_printf ("cannot check the certificate: %s", gnutls_strerror (ret));
  for (unsigned int i = 0; i < n_chain; i++)
    gnutls_x509_crt_deinit (chain[i]);

  return ok;
}

/* Only called when the system's authorities did not accept the
 * certificate: it may still be from an extra one. */
static gboolean
accept_certificate_cb (SoupMessage          *message,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Fetch *fetch = user_data;
  const char *host = g_uri_get_host (soup_message_get_uri (message));
  g_autofree char *problem = NULL;

  g_clear_pointer (&fetch->tls_problem, g_free);

  if (fetch->trust == NULL || host == NULL)
    return FALSE;

  if (!verify_certificate (fetch->trust, peer, host, &problem))
    {
      fetch->tls_problem = dup_one_line (problem ? problem : "the certificate is not trusted", MAX_SHOWN_URL);
      g_debug ("Autoconfig: refused the certificate of %s: %s", host, fetch->tls_problem);
      return FALSE;
    }

  g_debug ("Autoconfig: the certificate of %s is from an extra authority", host);
  return TRUE;
}

/* Accepts a server's host name only if it is a plain DNS name or an IP
 * address once `%EMAILDOMAIN%` is filled in (ISPDB entries such as
 * `mail.%EMAILDOMAIN%` serve every domain of a provider); @normal is what
 * to connect to. The other placeholders stand for the user's own name: a
 * host built from them would be one per address, and lookups answer for a
 * whole domain, so they are refused with the rest. */
static gboolean
check_hostname (const char  *template,
                const char  *email_domain,
                char       **normal)
{
  g_autofree char *hostname = NULL;
  gsize len;

  if (template == NULL)
    return FALSE;

  hostname = ms_expand_placeholders (template, NULL, NULL, email_domain);

  len = strlen (hostname);
  if (len == 0 || len > MAX_HOSTNAME)
    return FALSE;

  for (const char *p = hostname; *p; p++)
    {
      if ((guchar)*p <= ' ' || (guchar)*p == 0x7f)
        return FALSE;
    }

  if (g_hostname_is_ip_address (hostname))
    {
      *normal = g_ascii_strdown (hostname, -1);
      return TRUE;
    }

  *normal = ms_normalize_domain (hostname, NULL);
  return *normal != NULL;
}

static gboolean
check_username (const char *username)
{
  if (strlen (username) > MAX_USERNAME || !g_utf8_validate (username, -1, NULL))
    return FALSE;

  for (const char *p = username; *p; p = g_utf8_next_char (p))
    {
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

/* Copies @servers into @out, checked; %FALSE with @bad_host set for the
 * first that is not acceptable. */
static gboolean
copy_servers (GPtrArray   *servers,
              const char  *email_domain,
              GPtrArray   *out,
              char       **bad_host)
{
  for (guint i = 0; i < servers->len; i++)
    {
      const MsServer *server = g_ptr_array_index (servers, i);
      g_autofree char *hostname = NULL;
      const char *username = server->username;

      if (!check_hostname (server->hostname, email_domain, &hostname))
        {
          *bad_host = g_strdup (server->hostname ? server->hostname : "");
          return FALSE;
        }

      if (username == NULL || username[0] == '\0')
        username = "%EMAILADDRESS%";
      else if (!check_username (username))
        {
          *bad_host = NULL;
          return FALSE;
        }

      if (out->len == MAX_SERVERS)
        {
          g_debug ("Autoconfig: more than %d %s servers, the rest are ignored",
                   MAX_SERVERS, ms_protocol_to_string (server->protocol));
          continue;
        }

      g_ptr_array_add (out, ms_server_new (server->protocol, hostname, server->port,
                                           server->security, username));
    }

  return TRUE;
}

static void
parse_body (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(MsProvider) parsed = NULL;
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_host = NULL;

  parsed = ms_client_config_parse ((const char *)fetch->body->data, fetch->body->len,
                                   fetch->shown, MS_CLIENT_CONFIG_NONE, NULL, &error);
  if (parsed == NULL)
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID, "%s", error->message);
      return;
    }

  /* Nothing but the servers is kept: the names, notes, steps and error
   * patterns of a document from the network are not ours to show. */
  provider = _ms_provider_new ();
  provider->id = g_strdup (fetch->first_host);
  provider->name = g_strdup (fetch->first_host);
  provider->origin = g_strdup (fetch->shown);
  provider->domains = g_new0 (char *, 1);
  provider->mx_patterns = g_new0 (char *, 1);
  provider->search_keys = g_new0 (char *, 1);

  if (!copy_servers (ms_provider_get_imap_servers (parsed), fetch->email_domain, provider->imap, &bad_host) ||
      !copy_servers (ms_provider_get_smtp_servers (parsed), fetch->email_domain, provider->smtp, &bad_host))
    {
      if (bad_host != NULL)
        fetch_fail (task, MS_LOOKUP_ERROR_INVALID,
                    "%s: the server host name “%s” is not valid", fetch->shown, bad_host);
      else
        fetch_fail (task, MS_LOOKUP_ERROR_INVALID,
                    "%s: a server has an invalid user name", fetch->shown);
      return;
    }

  /* What stands in the way of a password login, when anything does: the
   * lookup goes on to other layers, and says so if none does better. */
  provider->oauth_only = parsed->oauth_only;
  provider->no_imap = parsed->no_imap;

  if (provider->imap->len == 0 && provider->smtp->len == 0 &&
      ms_provider_get_lookup_note (provider) == MS_LOOKUP_NOTE_NONE)
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID,
                  "%s: the document has no IMAP or SMTP server with TLS", fetch->shown);
      return;
    }

  g_debug ("Autoconfig: %s gave %u IMAP and %u SMTP servers",
           fetch->shown, provider->imap->len, provider->smtp->len);
  fetch_return (task, g_steal_pointer (&provider), NULL);
}

static void read_next (GTask *task);
static void start_request (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (fetch->done)
    return;

  if (fetch->draining)
    {
      /* Whatever happens, the redirect is known: on to its target. */
      if (n_read > 0 && fetch->drained + n_read <= MAX_DRAIN)
        {
          fetch->drained += n_read;
          read_next (task);
          return;
        }

      close_stream (fetch->stream);
      g_clear_object (&fetch->stream);
      fetch->draining = FALSE;
      start_request (task);
      return;
    }

  if (n_read < 0)
    {
      fetch_fail_transport (task, error);
      return;
    }

  if (n_read == 0)
    {
      close_stream (fetch->stream);
      g_clear_object (&fetch->stream);
      parse_body (task);
      return;
    }

  g_byte_array_append (fetch->body, fetch->chunk, n_read);
  if (fetch->body->len > MS_AUTOCONFIG_MAX_SIZE)
    {
      fetch_fail (task, MS_LOOKUP_ERROR_TOO_LARGE,
                  "%s: the answer is larger than %d KiB", fetch->shown, MS_AUTOCONFIG_MAX_SIZE / 1024);
      return;
    }

  read_next (task);
}

static void
read_next (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  gsize wanted;

  /* Never more than one byte past the limit. */
  if (fetch->draining)
    wanted = MIN (READ_CHUNK_SIZE, MAX_DRAIN + 1 - fetch->drained);
  else
    wanted = MIN (READ_CHUNK_SIZE, MS_AUTOCONFIG_MAX_SIZE + 1 - fetch->body->len);

  g_input_stream_read_async (fetch->stream, fetch->chunk, wanted, G_PRIORITY_DEFAULT,
                             fetch->cancellable, read_cb, g_object_ref (task));
}

static gboolean
is_redirect (guint status)
{
  return status == SOUP_STATUS_MOVED_PERMANENTLY ||
         status == SOUP_STATUS_FOUND ||
         status == SOUP_STATUS_SEE_OTHER ||
         status == SOUP_STATUS_TEMPORARY_REDIRECT ||
         status == SOUP_STATUS_PERMANENT_REDIRECT;
}

/* Sets the address to fetch: @uri without user name, password and
 * fragment. */
static void
fetch_set_uri (Fetch *fetch,
               GUri  *uri)
{
  GUri *clean = soup_uri_copy (uri,
                               SOUP_URI_USER, NULL,
                               SOUP_URI_PASSWORD, NULL,
                               SOUP_URI_FRAGMENT, NULL,
                               SOUP_URI_NONE);

  g_clear_pointer (&fetch->uri, g_uri_unref);
  fetch->uri = clean;
  g_free (fetch->shown);
  fetch->shown = dup_shown_uri (clean);
}

static gboolean
is_web_uri (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  return (g_strcmp0 (scheme, "https") == 0 || g_strcmp0 (scheme, "http") == 0) &&
         host != NULL && host[0] != '\0';
}

/* Checks the Location of a redirect and makes it the address to fetch
 * next; %FALSE when the fetch failed. */
static gboolean
take_redirect (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  MsAutoconfigFetcher *self = g_task_get_source_object (task);
  const char *location;
  g_autoptr(GUri) target = NULL;
  g_autofree char *shown_target = NULL;

  location = soup_message_headers_get_one (soup_message_get_response_headers (fetch->message),
                                           "Location");
  if (location == NULL || location[0] == '\0')
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID, "%s: HTTP %u without a Location",
                  fetch->shown, soup_message_get_status (fetch->message));
      return FALSE;
    }

  /* A relative reference is resolved against the address it came from. */
  target = g_uri_parse_relative (fetch->uri, location, SOUP_HTTP_URI_FLAGS, NULL);
  if (target == NULL || !is_web_uri (target))
    {
      g_autofree char *shown_location = dup_one_line (location, MAX_SHOWN_URL);

      fetch_fail (task, MS_LOOKUP_ERROR_INVALID,
                  "%s: redirects to “%s”, which is not a web address", fetch->shown, shown_location);
      return FALSE;
    }

  shown_target = dup_shown_uri (target);

  /* Once on https, never back to plain HTTP, even when it is allowed. */
  if (g_str_equal (g_uri_get_scheme (target), "http") &&
      (g_str_equal (g_uri_get_scheme (fetch->uri), "https") || !self->allow_http))
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INSECURE,
                  "%s: redirects to %s, which is not secure (plain HTTP)", fetch->shown, shown_target);
      return FALSE;
    }

  if (fetch->redirects == MS_AUTOCONFIG_MAX_REDIRECTS)
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID,
                  "%s: too many redirects (more than %d)", fetch->shown, MS_AUTOCONFIG_MAX_REDIRECTS);
      return FALSE;
    }

  fetch->redirects++;
  g_debug ("Autoconfig: %s redirects to %s", fetch->shown, shown_target);
  fetch_set_uri (fetch, target);
  return TRUE;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (fetch->done)
    {
      close_stream (stream);
      return;
    }

  if (stream == NULL)
    {
      fetch_fail_transport (task, error);
      return;
    }

  status = soup_message_get_status (fetch->message);
  headers = soup_message_get_response_headers (fetch->message);
  g_debug ("Autoconfig: %s answered HTTP %u", fetch->shown, status);

  if (is_redirect (status))
    {
      if (!take_redirect (task))
        {
          close_stream (stream);
          return;
        }

      fetch->stream = g_steal_pointer (&stream);
      fetch->draining = TRUE;
      fetch->drained = 0;
      read_next (task);
      return;
    }

  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      close_stream (stream);
      fetch_fail (task, MS_LOOKUP_ERROR_NOT_FOUND, "%s: HTTP %u %s",
                  fetch->shown, status, soup_status_get_phrase (status));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *phrase = soup_status_get_phrase (status);

      close_stream (stream);
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID, "%s: HTTP %u%s%s",
                  fetch->shown, status, phrase ? " " : "", phrase ? phrase : "");
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > MS_AUTOCONFIG_MAX_SIZE)
    {
      close_stream (stream);
      fetch_fail (task, MS_LOOKUP_ERROR_TOO_LARGE,
                  "%s: the answer is larger than %d KiB (%" G_GINT64_FORMAT " bytes)",
                  fetch->shown, MS_AUTOCONFIG_MAX_SIZE / 1024,
                  (gint64)soup_message_headers_get_content_length (headers));
      return;
    }

  fetch->stream = g_steal_pointer (&stream);
  read_next (task);
}

static void
start_request (GTask *task)
{
  MsAutoconfigFetcher *self = g_task_get_source_object (task);
  Fetch *fetch = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  if (fetch->message != NULL)
    g_signal_handlers_disconnect_by_data (fetch->message, fetch);
  g_clear_object (&fetch->message);
  g_clear_pointer (&fetch->tls_problem, g_free);

  fetch->message = soup_message_new_from_uri (SOUP_METHOD_GET, fetch->uri);
  soup_message_add_flags (fetch->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (fetch->message);
  soup_message_headers_replace (headers, "Accept", "application/xml, text/xml;q=0.9, */*;q=0.1");

  if (fetch->trust != NULL)
    g_signal_connect (fetch->message, "accept-certificate",
                      G_CALLBACK (accept_certificate_cb), fetch);

  g_debug ("Autoconfig: fetching %s", fetch->shown);
  soup_session_send_async (self->session, fetch->message, G_PRIORITY_DEFAULT,
                           fetch->cancellable, sent_cb, g_object_ref (task));
}

/**
 * ms_autoconfig_fetcher_fetch_async:
 * @self: a fetcher
 * @url: the document's address, `https://` (or `http://` when allowed)
 * @email_domain: (nullable): the domain of the address the settings are
 *   for (ASCII), which `%EMAILDOMAIN%` in a server's host name stands for;
 *   %NULL to refuse such host names
 * @cancellable: (nullable): stops the fetch
 * @callback: called with the result
 * @user_data: for @callback
 *
 * Fetches and reads the autoconfig document at @url. Several fetches may
 * run at the same time; they share the fetcher's connections.
 */
void
ms_autoconfig_fetcher_fetch_async (MsAutoconfigFetcher *self,
                                   const char          *url,
                                   const char          *email_domain,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  Fetch *fetch;

  g_return_if_fail (MS_IS_AUTOCONFIG_FETCHER (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_autoconfig_fetcher_fetch_async);

  fetch = g_new0 (Fetch, 1);
  fetch->timeout_ms = self->timeout_ms;
  fetch->trust = self->trust ? ms_tls_trust_ref (self->trust) : NULL;
  fetch->cancellable = g_cancellable_new ();
  fetch->body = g_byte_array_new ();
  fetch->chunk = g_malloc (READ_CHUNK_SIZE);
  fetch->shown = dup_one_line (url, MAX_SHOWN_URL);
  fetch->email_domain = g_strdup (email_domain);
  g_task_set_task_data (task, fetch, (GDestroyNotify)fetch_free);

  if (g_task_return_error_if_cancelled (task))
    {
      fetch->done = TRUE;
      return;
    }

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || !is_web_uri (uri))
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INVALID, "%s is not an http or https address", fetch->shown);
      return;
    }

  fetch_set_uri (fetch, uri);
  fetch->first_host = g_strdup (g_uri_get_host (uri));

  if (g_str_equal (g_uri_get_scheme (uri), "http") && !self->allow_http)
    {
      fetch_fail (task, MS_LOOKUP_ERROR_INSECURE,
                  "%s is not secure (plain HTTP), and plain HTTP is not allowed", fetch->shown);
      return;
    }

  fetch->deadline = g_timeout_source_new (fetch->timeout_ms);
  g_source_set_callback (fetch->deadline, deadline_cb, g_object_ref (task), g_object_unref);
  g_source_attach (fetch->deadline, g_task_get_context (task));

  if (cancellable != NULL)
    fetch->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                 task, NULL);

  start_request (task);
}

/**
 * ms_autoconfig_fetcher_fetch_finish:
 * @self: a fetcher
 * @result: the result
 * @error: where to put why there are no servers: a #MsLookupError naming
 *   the address, or %G_IO_ERROR_CANCELLED
 *
 * The provider holds only the document's IMAP and SMTP servers (those with
 * TLS, and a password method unless the document takes OAuth 2.0 only),
 * checked, and what stands in the way of a password login
 * (ms_provider_get_lookup_note(): OAuth 2.0 only, or no IMAP server with
 * TLS but POP3 or unencrypted IMAP); its id and name are the host of the
 * address asked for, its origin the address the document came from.
 * Nothing else of the document is kept.
 *
 * Returns: (transfer full): the provider, or %NULL with @error set
 */
MsProvider *
ms_autoconfig_fetcher_fetch_finish (MsAutoconfigFetcher  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (MS_IS_AUTOCONFIG_FETCHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
