/* ms-mail-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection to a mail server: TCP through GIO (name resolution, IPv6
 * and IPv4), then TLS with GnuTLS on the same non-blocking socket. Reads are
 * line-based with a size limit; every wait has a step timeout and follows a
 * GCancellable; nothing blocks. Errors are MS_ERROR errors whose code is the
 * error kind a user is told about.
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "ms-error-kind.h"
#include "ms-mail-stream.h"
#include "ms-secret.h"

#define READ_CHUNK 16384

/* TLS 1.2 is the least we accept; no fallback to anything older. */
#define TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"

struct _MsMailStream
{
  GObject             parent_instance;

  char               *host;
  guint16             port;
  guint               step_timeout_ms;
  GSocketConnection  *connection;
  GSocket            *socket;
  gnutls_session_t    session;
  MsTlsTrust         *trust;
  GByteArray         *input;
  GVariant           *tls_details;
  guint8              first_bytes[4]; /* what the server sent first in a handshake */
  guint               n_first_bytes;
  gboolean            eof;
  gboolean            closed;
  const char         *stage;
};

G_DEFINE_FINAL_TYPE (MsMailStream, ms_mail_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  OP_HANDSHAKE,
  OP_READ_LINE,
  OP_READ_BYTES,
  OP_WRITE,
} OpKind;

typedef struct
{
  OpKind   kind;
  gsize    count;       /* OP_READ_BYTES */
  char    *out;         /* OP_WRITE: our copy, wiped when done */
  gsize    out_len;
  gsize    out_done;
  GSource *io_source;
  GSource *timeout_source;
} Op;

static void
op_free (Op *op)
{
  if (op->io_source != NULL)
    {
      g_source_destroy (op->io_source);
      g_source_unref (op->io_source);
    }
  if (op->timeout_source != NULL)
    {
      g_source_destroy (op->timeout_source);
      g_source_unref (op->timeout_source);
    }
  ms_wipe (op->out, op->out_len);
  g_free (op->out);
  g_free (op);
}

static void
ms_mail_stream_finalize (GObject *object)
{
  MsMailStream *self = (MsMailStream *)object;

  ms_mail_stream_close (self);

  if (self->session != NULL)
    gnutls_deinit (self->session);
  g_clear_pointer (&self->trust, ms_tls_trust_unref);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->tls_details, g_variant_unref);
  if (self->input != NULL)
    {
      ms_wipe (self->input->data, self->input->len);
      g_byte_array_unref (self->input);
    }

  G_OBJECT_CLASS (ms_mail_stream_parent_class)->finalize (object);
}

static void
ms_mail_stream_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsMailStream *self = MS_MAIL_STREAM (object);

  switch (prop_id)
    {
    case PROP_STAGE:
      g_value_set_static_string (value, self->stage);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_mail_stream_class_init (MsMailStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_mail_stream_finalize;
  object_class->get_property = ms_mail_stream_get_property;

  /**
   * MsMailStream:stage:
   *
   * What the protocol on this connection waits for, as its check sets it:
   * `greeting`, `starttls`, `securing`, `logging-in` or `opening-inbox`.
   * %NULL before a check starts.
   */
  properties[PROP_STAGE] =
    g_param_spec_string ("stage", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_mail_stream_init (MsMailStream *self)
{
  self->input = g_byte_array_new ();
  self->step_timeout_ms = 10000;
}

/* Turns what GIO says into what the user is told. */
static void
set_error_from_gio (GError       **error,
                    const GError  *gio_error,
                    const char    *host)
{
  MsErrorKind kind = MS_ERROR_KIND_CONNECT;

  if (gio_error->domain == G_RESOLVER_ERROR)
    kind = MS_ERROR_KIND_DNS;
  else if (g_error_matches (gio_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    kind = MS_ERROR_KIND_CANCELLED;
  else if (g_error_matches (gio_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    kind = MS_ERROR_KIND_TIMEOUT;
  else if (gio_error->domain == MS_ERROR)
    kind = gio_error->code;

  if (kind == MS_ERROR_KIND_DNS)
    g_set_error (error, MS_ERROR, kind, _("The server name %s was not found: %s"), host, gio_error->message);
  else
    g_set_error_literal (error, MS_ERROR, kind, gio_error->message);
}

/* Connecting */

typedef struct
{
  char    *host;
  guint16  port;
  guint    step_timeout_ms;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_free (data->host);
  g_free (data);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  MsMailStream *self;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result, &error);
  if (connection == NULL)
    {
      GError *mapped = NULL;

      set_error_from_gio (&mapped, error, data->host);
      g_task_return_error (task, mapped);
      return;
    }

  self = g_object_new (MS_TYPE_MAIL_STREAM, NULL);
  self->host = g_strdup (data->host);
  self->port = data->port;
  self->step_timeout_ms = data->step_timeout_ms;
  self->connection = g_steal_pointer (&connection);
  self->socket = g_socket_connection_get_socket (self->connection);
  g_socket_set_blocking (self->socket, FALSE);
  /* GSocketClient gave the socket its connect timeout; waits are timed
   * here, per step, so that a stall is reported as one. */
  g_socket_set_timeout (self->socket, 0);

  g_task_return_pointer (task, self, g_object_unref);
}

/**
 * ms_mail_stream_connect_async:
 * @host: a host name or address
 * @port: the TCP port
 * @step_timeout_ms: how long any one step (the connect, a read, the TLS
 *   handshake) may take
 * @cancellable: (nullable): stops the connection
 * @callback: called when connected or failed
 * @user_data: for @callback
 *
 * Opens a TCP connection, trying every address of @host (IPv6 and IPv4).
 */
void
ms_mail_stream_connect_async (const char          *host,
                              guint16              port,
                              guint                step_timeout_ms,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GSocketClient) client = NULL;
  GTask *task;
  ConnectData *data;

  g_return_if_fail (host != NULL);
  g_return_if_fail (port > 0);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_mail_stream_connect_async);

  data = g_new0 (ConnectData, 1);
  data->host = g_strdup (host);
  data->port = port;
  data->step_timeout_ms = step_timeout_ms;
  g_task_set_task_data (task, data, (GDestroyNotify)connect_data_free);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, MAX (1, (step_timeout_ms + 999) / 1000));
  /* The proxy resolver would look up settings over D-Bus; mail servers are
   * reached directly. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_to_host_async (client, host, port, cancellable, connected_cb, task);
}

MsMailStream *
ms_mail_stream_connect_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Non-blocking I/O, for GnuTLS and for plain text */

static ssize_t
push_func (gnutls_transport_ptr_t  ptr,
           const void             *data,
           size_t                  len)
{
  MsMailStream *self = ptr;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_socket_send (self->socket, data, len, NULL, &error);
  if (n >= 0)
    return n;

  gnutls_transport_set_errno (self->session,
                              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? EAGAIN : EIO);
  return -1;
}

static ssize_t
pull_func (gnutls_transport_ptr_t  ptr,
           void                   *data,
           size_t                  len)
{
  MsMailStream *self = ptr;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_socket_receive (self->socket, data, len, NULL, &error);
  if (n >= 0)
    {
      /* Kept to tell a plain-text greeting from a broken handshake. */
      for (gssize i = 0; i < n && self->n_first_bytes < sizeof self->first_bytes; i++)
        self->first_bytes[self->n_first_bytes++] = ((const guint8 *)data)[i];
      return n;
    }

  gnutls_transport_set_errno (self->session,
                              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? EAGAIN : EIO);
  return -1;
}

static void op_wait (GTask *task, GIOCondition condition);

/* Reads what is there into self->input. Returns FALSE with *condition set
 * when it has to wait, or with @error set. */
static gboolean
fill_input (MsMailStream  *self,
            GIOCondition  *condition,
            GError       **error)
{
  char buf[READ_CHUNK];
  gssize n;

  if (self->eof)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_KIND_CONNECT,
                   _("The server closed the connection."));
      return FALSE;
    }

  if (self->session != NULL)
    {
      n = gnutls_record_recv (self->session, buf, sizeof buf);
      if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        {
          *condition = gnutls_record_get_direction (self->session) ? G_IO_OUT : G_IO_IN;
          return FALSE;
        }
      if (n == GNUTLS_E_PREMATURE_TERMINATION)
        n = 0;
      if (n < 0)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_KIND_CONNECT,
                       _("The encrypted connection broke: %s"), gnutls_strerror ((int)n));
          return FALSE;
        }
    }
  else
    {
      g_autoptr(GError) local_error = NULL;

      n = g_socket_receive (self->socket, buf, sizeof buf, NULL, &local_error);
      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              *condition = G_IO_IN;
              return FALSE;
            }
          set_error_from_gio (error, local_error, self->host);
          return FALSE;
        }
    }

  if (n == 0)
    {
      self->eof = TRUE;
      g_set_error (error, MS_ERROR, MS_ERROR_KIND_CONNECT,
                   _("The server closed the connection."));
      return FALSE;
    }

  g_byte_array_append (self->input, (guint8 *)buf, n);
  ms_wipe (buf, n);
  return TRUE;
}

static char *
certificate_time (time_t t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);

  return dt ? g_date_time_format_iso8601 (dt) : g_strdup ("?");
}

/* What a user or an administrator needs to know about a certificate that
 * was not trusted: who it is for, who issued it, when it is valid, its
 * SHA-256 fingerprint, and what is wrong with it. */
static void
collect_tls_details (MsMailStream *self,
                     guint         status)
{
  const gnutls_datum_t *certs;
  unsigned int n_certs = 0;
  GVariantBuilder builder, names, problems;
  gnutls_x509_crt_t crt = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_init (&names, G_VARIANT_TYPE_STRING_ARRAY);
  g_variant_builder_init (&problems, G_VARIANT_TYPE_STRING_ARRAY);
  g_variant_builder_add (&builder, "{sv}", "host", g_variant_new_string (self->host));

  certs = gnutls_certificate_get_peers (self->session, &n_certs);
  if (certs != NULL && n_certs > 0 &&
      gnutls_x509_crt_init (&crt) == 0 &&
      gnutls_x509_crt_import (crt, &certs[0], GNUTLS_X509_FMT_DER) == 0)
    {
      gnutls_datum_t dn = { NULL, 0 };
      guint8 digest[32];
      size_t digest_len = sizeof digest;
      g_autofree char *not_before = certificate_time (gnutls_x509_crt_get_activation_time (crt));
      g_autofree char *not_after = certificate_time (gnutls_x509_crt_get_expiration_time (crt));

      if (gnutls_x509_crt_get_dn3 (crt, &dn, 0) == 0)
        {
          g_autofree char *text = g_utf8_make_valid ((const char *)dn.data, dn.size);
          g_variant_builder_add (&builder, "{sv}", "subject", g_variant_new_string (text));
          gnutls_free (dn.data);
        }
      if (gnutls_x509_crt_get_issuer_dn3 (crt, &dn, 0) == 0)
        {
          g_autofree char *text = g_utf8_make_valid ((const char *)dn.data, dn.size);
          g_variant_builder_add (&builder, "{sv}", "issuer", g_variant_new_string (text));
          gnutls_free (dn.data);
        }
      g_variant_builder_add (&builder, "{sv}", "not_before", g_variant_new_string (not_before));
      g_variant_builder_add (&builder, "{sv}", "not_after", g_variant_new_string (not_after));

      if (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, digest, &digest_len) == 0)
        {
          GString *hex = g_string_new (NULL);

          for (gsize i = 0; i < digest_len; i++)
            g_string_append_printf (hex, i ? ":%02X" : "%02X", digest[i]);
          g_variant_builder_add (&builder, "{sv}", "sha256", g_variant_new_take_string (g_string_free (hex, FALSE)));
        }

      for (guint i = 0; i < 64; i++)
        {
          char name[256];
          size_t name_len = sizeof name - 1;
          int type = gnutls_x509_crt_get_subject_alt_name (crt, i, name, &name_len, NULL);

          if (type < 0)
            break;
          if (type == GNUTLS_SAN_DNSNAME)
            {
              g_autofree char *text = g_utf8_make_valid (name, name_len);
              g_variant_builder_add (&names, "s", text);
            }
        }
    }
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);

  g_variant_builder_add (&builder, "{sv}", "names", g_variant_builder_end (&names));

  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    g_variant_builder_add (&problems, "s", "wrong-host");
  if (status & GNUTLS_CERT_EXPIRED)
    g_variant_builder_add (&problems, "s", "expired");
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    g_variant_builder_add (&problems, "s", "not-yet-valid");
  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    g_variant_builder_add (&problems, "s", "unknown-issuer");
  if (status & GNUTLS_CERT_REVOKED)
    g_variant_builder_add (&problems, "s", "revoked");
  if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    g_variant_builder_add (&problems, "s", "insecure-algorithm");
  g_variant_builder_add (&builder, "{sv}", "problems", g_variant_builder_end (&problems));

  g_clear_pointer (&self->tls_details, g_variant_unref);
  self->tls_details = g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
set_certificate_error (MsMailStream  *self,
                       GError       **error)
{
  guint status = gnutls_session_get_verify_cert_status (self->session);
  GString *why = g_string_new (NULL);

  collect_tls_details (self, status);

  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    {
      g_autoptr(GVariant) names = g_variant_lookup_value (self->tls_details, "names", G_VARIANT_TYPE_STRING_ARRAY);
      g_autofree const char **list = names ? g_variant_get_strv (names, NULL) : NULL;
      g_autofree char *joined = list && list[0] ? g_strjoinv (", ", (char **)list) : g_strdup ("?");

      /* Translators: %1$s is the server we connected to, %2$s the names in its certificate */
      g_string_append_printf (why, _("It is for %2$s, not for %1$s. "), self->host, joined);
    }
  if (status & GNUTLS_CERT_EXPIRED)
    g_string_append (why, _("It has expired. "));
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    g_string_append (why, _("It is not valid yet (check this computer's clock). "));
  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    g_string_append (why, _("It was not issued by an authority this computer trusts (it may be self-signed). "));
  if (status & GNUTLS_CERT_REVOKED)
    g_string_append (why, _("It has been revoked. "));
  if (why->len == 0)
    {
      gnutls_datum_t out = { NULL, 0 };

      if (gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &out, 0) == 0)
        {
          g_string_append_len (why, (const char *)out.data, out.size);
          gnutls_free (out.data);
        }
    }

  g_strchomp (why->str);
  g_set_error (error, MS_ERROR, MS_ERROR_KIND_TLS_CERTIFICATE,
               _("The certificate of %s cannot be trusted, so no password was sent. %s"),
               self->host, why->str);
  g_string_free (why, TRUE);
}

/* Whether the server's first bytes in a handshake were a plain-text mail
 * greeting (“* OK”, “* PREAUTH”, “* BYE”, “220 ”, “220-”): the port does
 * not start with TLS. A TLS record starts with a byte below 0x20. */
static gboolean
greeted_in_plain_text (MsMailStream *self)
{
  const guint8 *b = self->first_bytes;

  if (self->n_first_bytes < 4)
    return FALSE;

  if (b[0] == '*' && b[1] == ' ')
    return g_ascii_isupper (b[2]) && g_ascii_isupper (b[3]);

  return g_ascii_isdigit (b[0]) && g_ascii_isdigit (b[1]) && g_ascii_isdigit (b[2]) &&
         (b[3] == ' ' || b[3] == '-');
}

/* One attempt at the operation; TRUE when it is finished (the task has
 * returned), FALSE with *condition set when it must wait. */
static gboolean
op_try (GTask        *task,
        GIOCondition *condition)
{
  MsMailStream *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  switch (op->kind)
    {
    case OP_HANDSHAKE:
      {
        int ret = gnutls_handshake (self->session);

        if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
          {
            *condition = gnutls_record_get_direction (self->session) ? G_IO_OUT : G_IO_IN;
            return FALSE;
          }
        if (ret == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR)
          set_certificate_error (self, &error);
        else if (ret < 0 && greeted_in_plain_text (self))
          g_set_error (&error, MS_ERROR, MS_ERROR_KIND_WRONG_SECURITY_MODE,
                       _("Port %u of %s starts without encryption and greets in plain text, so it expects STARTTLS, not SSL/TLS. Choose STARTTLS for this port."),
                       self->port, self->host);
        else if (ret < 0)
          g_set_error (&error, MS_ERROR, MS_ERROR_KIND_TLS_HANDSHAKE,
                       _("No secure connection to %s could be made: %s"),
                       self->host,
                       ret == GNUTLS_E_FATAL_ALERT_RECEIVED
                         ? gnutls_alert_get_name (gnutls_alert_get (self->session))
                         : gnutls_strerror (ret));
        if (error != NULL)
          g_task_return_error (task, error);
        else
          {
            g_debug ("%s:%u: TLS %s", self->host, self->port,
                     gnutls_protocol_get_name (gnutls_protocol_get_version (self->session)));
            g_task_return_boolean (task, TRUE);
          }
        return TRUE;
      }

    case OP_READ_LINE:
      for (;;)
        {
          guint8 *nl = self->input->len > 0 ? memchr (self->input->data, '\n', self->input->len) : NULL;

          if (nl != NULL)
            {
              gsize len = nl - self->input->data;
              char *line;

              if (len > 0 && self->input->data[len - 1] == '\r')
                len--;
              line = g_strndup ((const char *)self->input->data, len);
              g_byte_array_remove_range (self->input, 0, (nl - self->input->data) + 1);
              op->count = len;
              g_task_return_pointer (task, line, g_free);
              return TRUE;
            }

          if (self->input->len > MS_MAIL_STREAM_MAX_LINE)
            {
              g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                                       _("The server sent a line longer than %d bytes."),
                                       MS_MAIL_STREAM_MAX_LINE);
              return TRUE;
            }

          if (!fill_input (self, condition, &error))
            {
              if (error == NULL)
                return FALSE;
              g_task_return_error (task, error);
              return TRUE;
            }
        }

    case OP_READ_BYTES:
      while (self->input->len < op->count)
        {
          if (!fill_input (self, condition, &error))
            {
              if (error == NULL)
                return FALSE;
              g_task_return_error (task, error);
              return TRUE;
            }
        }
      {
        GBytes *bytes = g_bytes_new (self->input->data, op->count);

        g_byte_array_remove_range (self->input, 0, op->count);
        g_task_return_pointer (task, bytes, (GDestroyNotify)g_bytes_unref);
      }
      return TRUE;

    case OP_WRITE:
      while (op->out_done < op->out_len)
        {
          gssize n;

          if (self->session != NULL)
            {
              n = gnutls_record_send (self->session, op->out + op->out_done, op->out_len - op->out_done);
              if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
                {
                  *condition = gnutls_record_get_direction (self->session) ? G_IO_OUT : G_IO_IN;
                  return FALSE;
                }
              if (n < 0)
                {
                  g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_CONNECT,
                                           _("The encrypted connection broke: %s"), gnutls_strerror ((int)n));
                  return TRUE;
                }
            }
          else
            {
              g_autoptr(GError) local_error = NULL;

              n = g_socket_send (self->socket, op->out + op->out_done, op->out_len - op->out_done,
                                 NULL, &local_error);
              if (n < 0)
                {
                  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                    {
                      *condition = G_IO_OUT;
                      return FALSE;
                    }
                  set_error_from_gio (&error, local_error, self->host);
                  g_task_return_error (task, error);
                  return TRUE;
                }
            }
          op->out_done += n;
        }
      g_task_return_boolean (task, TRUE);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static void
op_run (GTask *task)
{
  GIOCondition condition = 0;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!op_try (task, &condition))
    op_wait (task, condition);
}

static gboolean
op_ready_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);

  g_clear_pointer (&op->io_source, g_source_unref);
  if (op->timeout_source != NULL)
    {
      g_source_destroy (op->timeout_source);
      g_clear_pointer (&op->timeout_source, g_source_unref);
    }

  op_run (task);

  return G_SOURCE_REMOVE;
}

static gboolean
op_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  MsMailStream *self = g_task_get_source_object (task);

  g_clear_pointer (&op->timeout_source, g_source_unref);
  if (op->io_source != NULL)
    {
      g_source_destroy (op->io_source);
      g_clear_pointer (&op->io_source, g_source_unref);
    }

  g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_TIMEOUT,
                           _("%s did not answer within %u seconds."),
                           self->host, (self->step_timeout_ms + 999) / 1000);

  return G_SOURCE_REMOVE;
}

static void
op_wait (GTask        *task,
         GIOCondition  condition)
{
  MsMailStream *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  /* Each source holds a reference to the task until it is destroyed;
   * whichever fires first destroys the other. */
  op->io_source = g_socket_create_source (self->socket, condition | G_IO_HUP | G_IO_ERR,
                                          g_task_get_cancellable (task));
  g_source_set_callback (op->io_source, (GSourceFunc)(void (*)(void))op_ready_cb,
                         g_object_ref (task), g_object_unref);
  g_source_attach (op->io_source, g_task_get_context (task));

  op->timeout_source = g_timeout_source_new (self->step_timeout_ms);
  g_source_set_callback (op->timeout_source, op_timeout_cb, g_object_ref (task), g_object_unref);
  g_source_attach (op->timeout_source, g_task_get_context (task));
}

static GTask *
op_new (MsMailStream        *self,
        OpKind               kind,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify)op_free);

  return task;
}

/**
 * ms_mail_stream_handshake_async:
 * @self: a plain-text stream (after connect, or after STARTTLS)
 * @trust: the authorities to trust
 * @cancellable: (nullable): stops the handshake
 * @callback: called when done
 * @user_data: for @callback
 *
 * Starts TLS (1.2 or newer) with SNI for the host connected to, and checks
 * the server's certificate and host name before anything else is sent.
 * Whatever the server sent before (after a STARTTLS reply) is dropped.
 */
void
ms_mail_stream_handshake_async (MsMailStream        *self,
                                MsTlsTrust          *trust,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  int ret;

  g_return_if_fail (MS_IS_MAIL_STREAM (self));
  g_return_if_fail (trust != NULL);
  g_return_if_fail (self->session == NULL);

  task = op_new (self, OP_HANDSHAKE, ms_mail_stream_handshake_async, cancellable, callback, user_data);

  /* The STARTTLS injection: nothing read in plain text may be taken for
   * something the server said over TLS. */
  ms_mail_stream_discard_input (self);

  self->trust = ms_tls_trust_ref (trust);
  ret = gnutls_init (&self->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
  if (ret == 0)
    ret = gnutls_priority_set_direct (self->session, TLS_PRIORITY, NULL);
  if (ret == 0)
    ret = gnutls_credentials_set (self->session, GNUTLS_CRD_CERTIFICATE,
                                  ms_tls_trust_get_credentials (trust));
  if (ret == 0 && !g_hostname_is_ip_address (self->host))
    ret = gnutls_server_name_set (self->session, GNUTLS_NAME_DNS, self->host, strlen (self->host));
  if (ret != 0)
    {
      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_TLS_HANDSHAKE,
                               "GnuTLS: %s", gnutls_strerror (ret));
      g_object_unref (task);
      return;
    }

  gnutls_session_set_verify_cert (self->session, self->host, 0);
  gnutls_transport_set_ptr (self->session, self);
  gnutls_transport_set_push_function (self->session, push_func);
  gnutls_transport_set_pull_function (self->session, pull_func);
  gnutls_handshake_set_timeout (self->session, 0);

  op_run (task);
  g_object_unref (task);
}

gboolean
ms_mail_stream_handshake_finish (MsMailStream  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ms_mail_stream_read_line_async:
 * @self: a stream
 * @cancellable: (nullable): stops the read
 * @callback: called with the line
 * @user_data: for @callback
 *
 * Reads one line (up to LF, CR before it dropped), as raw bytes: servers
 * do not always send UTF-8.
 */
void
ms_mail_stream_read_line_async (MsMailStream        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MS_IS_MAIL_STREAM (self));

  task = op_new (self, OP_READ_LINE, ms_mail_stream_read_line_async, cancellable, callback, user_data);
  op_run (task);
  g_object_unref (task);
}

/**
 * ms_mail_stream_read_line_finish:
 * @self: a stream
 * @result: the result
 * @length: (out) (optional): the line's length (it may hold NUL bytes)
 * @error: where to put the error
 *
 * Returns: (transfer full): the line, nul-terminated, without CR LF
 */
char *
ms_mail_stream_read_line_finish (MsMailStream  *self,
                                 GAsyncResult  *result,
                                 gsize         *length,
                                 GError       **error)
{
  char *line;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  line = g_task_propagate_pointer (G_TASK (result), error);
  if (length != NULL)
    *length = line ? ((Op *)g_task_get_task_data (G_TASK (result)))->count : 0;

  return line;
}

/**
 * ms_mail_stream_read_bytes_async:
 * @self: a stream
 * @count: how many bytes (an IMAP literal), at most %MS_MAIL_STREAM_MAX_LINE
 * @cancellable: (nullable): stops the read
 * @callback: called with the bytes
 * @user_data: for @callback
 */
void
ms_mail_stream_read_bytes_async (MsMailStream        *self,
                                 gsize                count,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MS_IS_MAIL_STREAM (self));

  task = op_new (self, OP_READ_BYTES, ms_mail_stream_read_bytes_async, cancellable, callback, user_data);
  if (count > MS_MAIL_STREAM_MAX_LINE)
    {
      g_task_return_new_error (task, MS_ERROR, MS_ERROR_KIND_PROTOCOL,
                               _("The server sent a line longer than %d bytes."),
                               MS_MAIL_STREAM_MAX_LINE);
      g_object_unref (task);
      return;
    }

  ((Op *)g_task_get_task_data (task))->count = count;
  op_run (task);
  g_object_unref (task);
}

GBytes *
ms_mail_stream_read_bytes_finish (MsMailStream  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ms_mail_stream_write_async:
 * @self: a stream
 * @data: what to send (it may hold a credential: the stream's copy is wiped)
 * @length: its length
 * @cancellable: (nullable): stops the write
 * @callback: called when all was sent
 * @user_data: for @callback
 */
void
ms_mail_stream_write_async (MsMailStream        *self,
                            const char          *data,
                            gsize                length,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  Op *op;

  g_return_if_fail (MS_IS_MAIL_STREAM (self));
  g_return_if_fail (data != NULL);

  task = op_new (self, OP_WRITE, ms_mail_stream_write_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->out = g_memdup2 (data, length);
  op->out_len = length;
  op_run (task);
  g_object_unref (task);
}

gboolean
ms_mail_stream_write_finish (MsMailStream  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ms_mail_stream_discard_input:
 * @self: a stream
 *
 * Drops what was received but not read yet.
 */
void
ms_mail_stream_discard_input (MsMailStream *self)
{
  g_return_if_fail (MS_IS_MAIL_STREAM (self));

  if (self->input->len > 0)
    g_debug ("%s:%u: dropping %u bytes received before TLS", self->host, self->port, self->input->len);

  ms_wipe (self->input->data, self->input->len);
  g_byte_array_set_size (self->input, 0);
}

gboolean
ms_mail_stream_is_tls (MsMailStream *self)
{
  g_return_val_if_fail (MS_IS_MAIL_STREAM (self), FALSE);

  return self->session != NULL;
}

const char *
ms_mail_stream_get_host (MsMailStream *self)
{
  g_return_val_if_fail (MS_IS_MAIL_STREAM (self), NULL);

  return self->host;
}

guint16
ms_mail_stream_get_port (MsMailStream *self)
{
  g_return_val_if_fail (MS_IS_MAIL_STREAM (self), 0);

  return self->port;
}

/**
 * ms_mail_stream_get_tls_details:
 * @self: a stream
 *
 * Returns: (nullable) (transfer none): after a certificate failure, an a{sv}
 *   with host, subject, issuer, not_before, not_after, sha256, names and
 *   problems (`wrong-host`, `expired`, `not-yet-valid`, `unknown-issuer`,
 *   `revoked`, `insecure-algorithm`)
 */
GVariant *
ms_mail_stream_get_tls_details (MsMailStream *self)
{
  g_return_val_if_fail (MS_IS_MAIL_STREAM (self), NULL);

  return self->tls_details;
}

/**
 * ms_mail_stream_dup_local_literal:
 * @self: a stream
 *
 * Returns: (transfer full): this end's address as an SMTP address literal
 *   (`[192.0.2.1]`, `[IPv6:2001:db8::1]`)
 */
char *
ms_mail_stream_dup_local_literal (MsMailStream *self)
{
  g_autoptr(GSocketAddress) address = NULL;

  g_return_val_if_fail (MS_IS_MAIL_STREAM (self), NULL);

  address = g_socket_get_local_address (self->socket, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
      g_autofree char *text = g_inet_address_to_string (inet);

      if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[IPv6:%s]", text);
      return g_strdup_printf ("[%s]", text);
    }

  return g_strdup ("[127.0.0.1]");
}

/**
 * ms_mail_stream_close:
 * @self: a stream
 *
 * Closes the connection at once, without waiting for the server.
 */
void
ms_mail_stream_close (MsMailStream *self)
{
  g_return_if_fail (MS_IS_MAIL_STREAM (self));

  if (self->closed || self->connection == NULL)
    return;

  self->closed = TRUE;
  g_socket_close (self->socket, NULL);
}

const char *
ms_mail_stream_get_stage (MsMailStream *self)
{
  g_return_val_if_fail (MS_IS_MAIL_STREAM (self), NULL);

  return self->stage;
}

/**
 * ms_mail_stream_set_stage:
 * @self: a stream
 * @stage: (nullable): a static string: what the protocol waits for now
 *
 * For the protocol checks, to tell their progress to whoever watches
 * #MsMailStream:stage.
 */
void
ms_mail_stream_set_stage (MsMailStream *self,
                          const char   *stage)
{
  g_return_if_fail (MS_IS_MAIL_STREAM (self));

  if (g_strcmp0 (self->stage, stage) == 0)
    return;

  self->stage = stage;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
}
