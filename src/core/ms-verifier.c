/* ms-verifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checks the IMAP and the SMTP login of one account at the same time. For
 * each side the preferred server is connected first; if it has not
 * connected (TCP and, for implicit TLS, the handshake) within
 * MS_VERIFIER_BACKUP_DELAY_MS, or fails to, the next server is started beside
 * it. The first to connect gets the login; the others are dropped before
 * they see any credential. A refused login is final: it is never tried
 * again, on that server or another. The whole check has a deadline, and a
 * GCancellable stops everything at once. Nothing below the deadline cuts a
 * step short: a server that takes its time over a wrong password (dovecot's
 * auth penalty) is still heard.
 *
 * A STARTTLS server that has not greeted within MS_VERIFIER_MODE_PROBE_MS
 * may be one that waits for a TLS handshake (STARTTLS chosen for an
 * implicit-TLS port): a second connection tries one, and if the port
 * answers it with a greeting the check ends there, saying which mode to
 * choose. The opposite mistake shows in the handshake itself
 * (MsMailStream).
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-guess.h"
#include "ms-imap.h"
#include "ms-mail-stream.h"
#include "ms-smtp.h"
#include "ms-tls-trust.h"
#include "ms-verifier.h"

/* How long the probe for the wrong security mode may take. */
#define MODE_PROBE_TIMEOUT_MS 5000

typedef struct _Side Side;

typedef struct
{
  Side         *side;
  guint         index;
  MsServer     *server;
  GCancellable *cancellable;
  MsMailStream *stream;
  GError       *error;
  GVariant     *tls;
  GSource      *probe_timer;
  gboolean      finished;
} Attempt;

struct _Side
{
  MsVerifier    *self;
  MsProtocol     protocol;
  GPtrArray     *servers;        /* MsServer */
  GPtrArray     *attempts;       /* Attempt */
  guint          next_server;
  GSource       *backup_timer;
  gboolean       connected;
  Attempt       *login_attempt;  /* the one that connected first */
  gboolean       done;
  MsCheckResult *result;
  MsServer      *used_server;    /* the server that got the login */
  char          *used_username;
};

struct _MsVerifier
{
  GObject        parent_instance;

  MsAddress     *address;
  MsProvider    *provider;
  GPtrArray     *imap_servers;
  GPtrArray     *smtp_servers;
  char          *username;
  MsTlsTrust    *trust;
  guint          timeout_seconds;

  /* While a check runs */
  GTask         *task;
  MsSecret      *secret;
  GCancellable  *cancellable;    /* ours: the deadline and the caller's cancel */
  gulong         cancelled_id;
  GSource       *deadline;
  Side          *sides[2];
};

G_DEFINE_FINAL_TYPE (MsVerifier, ms_verifier, G_TYPE_OBJECT)

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
attempt_free (Attempt *attempt)
{
  if (attempt->probe_timer != NULL)
    {
      g_source_destroy (attempt->probe_timer);
      g_source_unref (attempt->probe_timer);
    }
  g_clear_pointer (&attempt->server, ms_server_free);
  g_clear_object (&attempt->cancellable);
  if (attempt->stream != NULL)
    g_signal_handlers_disconnect_by_data (attempt->stream, attempt);
  g_clear_object (&attempt->stream);
  g_clear_error (&attempt->error);
  g_clear_pointer (&attempt->tls, g_variant_unref);
  g_free (attempt);
}

static void
side_free (Side *side)
{
  if (side == NULL)
    return;

  if (side->backup_timer != NULL)
    {
      g_source_destroy (side->backup_timer);
      g_source_unref (side->backup_timer);
    }
  g_clear_pointer (&side->servers, g_ptr_array_unref);
  g_clear_pointer (&side->attempts, g_ptr_array_unref);
  g_clear_pointer (&side->result, ms_check_result_free);
  g_clear_pointer (&side->used_server, ms_server_free);
  g_clear_pointer (&side->used_username, g_free);
  g_free (side);
}

static void
clear_run (MsVerifier *self)
{
  if (self->deadline != NULL)
    {
      g_source_destroy (self->deadline);
      g_clear_pointer (&self->deadline, g_source_unref);
    }
  g_clear_pointer (&self->secret, ms_secret_unref);
}

static void
ms_verifier_finalize (GObject *object)
{
  MsVerifier *self = (MsVerifier *)object;

  clear_run (self);
  g_clear_object (&self->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    g_clear_pointer (&self->sides[i], side_free);
  g_clear_pointer (&self->address, ms_address_free);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->imap_servers, g_ptr_array_unref);
  g_clear_pointer (&self->smtp_servers, g_ptr_array_unref);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->trust, ms_tls_trust_unref);

  G_OBJECT_CLASS (ms_verifier_parent_class)->finalize (object);
}

static void
ms_verifier_class_init (MsVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_verifier_finalize;

  /**
   * MsVerifier::progress:
   * @self: the verifier
   * @protocol: an #MsProtocol
   * @server: `host:port`
   * @stage: `connecting`, `securing` (the TLS handshake), `greeting`,
 *   `capabilities`, `starttls`, `logging-in` or `opening-inbox`
   *
   * Tells what a side is doing, for a progress display.
   */
  signals[PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);
}

static void
ms_verifier_init (MsVerifier *self)
{
  self->timeout_seconds = 20;
}

/**
 * ms_verifier_new:
 * @address: the account's address
 * @provider: (nullable): its provider: servers, and the patterns and steps
 *   the diagnosis uses
 *
 * Returns: (transfer full): a verifier with the provider's servers
 */
MsVerifier *
ms_verifier_new (const MsAddress *address,
                 MsProvider      *provider)
{
  MsVerifier *self;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (!provider || MS_IS_PROVIDER (provider), NULL);

  self = g_object_new (MS_TYPE_VERIFIER, NULL);
  self->address = ms_address_copy (address);
  g_set_object (&self->provider, provider);

  if (provider != NULL)
    {
      ms_verifier_set_servers (self, MS_PROTOCOL_IMAP, ms_provider_get_imap_servers (provider));
      ms_verifier_set_servers (self, MS_PROTOCOL_SMTP, ms_provider_get_smtp_servers (provider));
    }

  return self;
}

/**
 * ms_verifier_set_servers:
 * @self: a verifier
 * @protocol: which side
 * @servers: (element-type MsServer): preferred first, then backups
 */
void
ms_verifier_set_servers (MsVerifier *self,
                         MsProtocol  protocol,
                         GPtrArray  *servers)
{
  GPtrArray **slot;

  g_return_if_fail (MS_IS_VERIFIER (self));
  g_return_if_fail (servers != NULL);

  slot = protocol == MS_PROTOCOL_IMAP ? &self->imap_servers : &self->smtp_servers;
  g_clear_pointer (slot, g_ptr_array_unref);
  *slot = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  for (guint i = 0; i < servers->len; i++)
    g_ptr_array_add (*slot, ms_server_copy (g_ptr_array_index (servers, i)));
}

/**
 * ms_verifier_set_username:
 * @self: a verifier
 * @username: (nullable): the login name for both sides, instead of what
 *   each server's rule gives
 */
void
ms_verifier_set_username (MsVerifier *self,
                          const char *username)
{
  g_return_if_fail (MS_IS_VERIFIER (self));

  g_free (self->username);
  self->username = g_strdup (username);
}

/**
 * ms_verifier_set_ca_file:
 * @self: a verifier
 * @ca_file: (nullable): a PEM file of authorities to trust besides the
 *   system's
 * @error: where to put why it cannot be used
 *
 * Returns: %TRUE if the file could be loaded
 */
gboolean
ms_verifier_set_ca_file (MsVerifier  *self,
                         const char  *ca_file,
                         GError     **error)
{
  MsTlsTrust *trust;

  g_return_val_if_fail (MS_IS_VERIFIER (self), FALSE);

  trust = ms_tls_trust_new (ca_file, error);
  if (trust == NULL)
    return FALSE;

  g_clear_pointer (&self->trust, ms_tls_trust_unref);
  self->trust = trust;
  return TRUE;
}

/**
 * ms_verifier_set_timeout:
 * @self: a verifier
 * @seconds: the deadline for the whole check
 */
void
ms_verifier_set_timeout (MsVerifier *self,
                         guint       seconds)
{
  g_return_if_fail (MS_IS_VERIFIER (self));
  g_return_if_fail (seconds > 0);

  self->timeout_seconds = seconds;
}

/* The streams' own limit on a wait lies past the deadline: the deadline
 * is what ends a check, and it knows what was being waited for. */
static guint
step_timeout_ms (MsVerifier *self)
{
  return self->timeout_seconds * 1000 + 1000;
}

static void
emit_progress (Side           *side,
               const MsServer *server,
               const char     *stage)
{
  g_autofree char *name = ms_server_to_string (server);

  g_signal_emit (side->self, signals[PROGRESS], 0, (guint)side->protocol, name, stage);
}

static void
maybe_complete (MsVerifier *self)
{
  g_autoptr(GTask) task = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      if (self->sides[i] != NULL && !self->sides[i]->done)
        return;
      if (self->sides[i] != NULL)
        ok &= self->sides[i]->result->ok;
    }

  if (self->task == NULL)
    return;

  task = g_steal_pointer (&self->task);
  clear_run (self);
  if (self->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
      self->cancelled_id = 0;
    }
  /* Drop whatever is still connecting. */
  g_cancellable_cancel (self->cancellable);

  g_task_return_boolean (task, ok);
}

static void
side_finish (Side          *side,
             MsCheckResult *result)
{
  if (side->done)
    {
      ms_check_result_free (result);
      return;
    }

  side->done = TRUE;
  g_clear_pointer (&side->result, ms_check_result_free);
  side->result = result;

  if (side->backup_timer != NULL)
    {
      g_source_destroy (side->backup_timer);
      g_clear_pointer (&side->backup_timer, g_source_unref);
    }
  for (guint i = 0; i < side->attempts->len; i++)
    g_cancellable_cancel (((Attempt *)g_ptr_array_index (side->attempts, i))->cancellable);

  maybe_complete (side->self);
}

static void start_attempt (Side *side);

static void
check_done (Attempt *attempt,
            gboolean ok,
            GError  *error)
{
  Side *side = attempt->side;
  g_autofree char *name = ms_server_to_string (attempt->server);
  MsCheckResult *result = ms_check_result_new (side->protocol, name);

  if (attempt->stream != NULL)
    ms_mail_stream_close (attempt->stream);

  result->ok = ok;
  if (!ok)
    {
      ms_check_result_set_failure (result, side->self->provider, error);
      if (attempt->stream != NULL && ms_mail_stream_get_tls_details (attempt->stream) != NULL)
        result->tls = g_variant_ref (ms_mail_stream_get_tls_details (attempt->stream));
      /* The login itself was accepted: the password is proven. */
      if (result->kind == MS_ERROR_KIND_NO_INBOX)
        result->ok = TRUE;
    }

  side_finish (side, result);
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr(MsVerifier) self = g_object_ref (attempt->side->self);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (attempt->side->protocol == MS_PROTOCOL_IMAP)
    ok = ms_imap_check_finish (result, &error);
  else
    ok = ms_smtp_check_finish (result, &error);

  check_done (attempt, ok, error);
  g_object_unref (self);  /* the attempt's */
}

static void
stage_cb (MsMailStream *stream,
          GParamSpec   *pspec,
          Attempt      *attempt)
{
  const char *stage = ms_mail_stream_get_stage (stream);

  if (stage != NULL && !attempt->side->done)
    emit_progress (attempt->side, attempt->server, stage);
}

static void
mode_probe_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Attempt *attempt = user_data;
  MsVerifier *self = attempt->side->self;  /* the probe held a reference */
  g_autoptr(GPtrArray) confirmed = ms_guess_probe_finish (result, NULL);

  if (confirmed != NULL && confirmed->len > 0 && !attempt->side->done &&
      g_strcmp0 (ms_mail_stream_get_stage (attempt->stream), "greeting") == 0)
    {
      g_autoptr(GError) error = NULL;

      g_debug ("%s:%u greets only over TLS", attempt->server->hostname, attempt->server->port);
      error = g_error_new (MS_ERROR, MS_ERROR_KIND_WRONG_SECURITY_MODE,
                           _("Port %u of %s expects TLS from the start: it sends no greeting in plain text but answers over TLS. Choose SSL/TLS for this port, not STARTTLS."),
                           attempt->server->port, attempt->server->hostname);
      check_done (attempt, FALSE, error);
    }

  g_object_unref (self);
}

static gboolean
mode_probe_timer_cb (gpointer user_data)
{
  Attempt *attempt = user_data;
  MsVerifier *self = attempt->side->self;
  g_autoptr(GPtrArray) candidates = NULL;
  MsServer *tls_server;

  g_clear_pointer (&attempt->probe_timer, g_source_unref);
  if (attempt->side->done || g_strcmp0 (ms_mail_stream_get_stage (attempt->stream), "greeting") != 0)
    return G_SOURCE_REMOVE;

  /* The probe sends nothing but a TLS handshake: no name, no password. */
  candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  tls_server = ms_server_copy (attempt->server);
  tls_server->security = MS_SECURITY_SSL;
  g_ptr_array_add (candidates, tls_server);
  ms_guess_probe_async (candidates, self->trust, MODE_PROBE_TIMEOUT_MS, attempt->cancellable,
                        mode_probe_cb, attempt);
  g_object_ref (self);

  return G_SOURCE_REMOVE;
}

/* The first server to connect gets the login. */
static void
attempt_connected (Attempt *attempt)
{
  Side *side = attempt->side;
  MsVerifier *self = side->self;
  g_autofree char *username = NULL;
  gboolean starttls = attempt->server->security == MS_SECURITY_STARTTLS;

  if (side->connected || side->done)
    {
      ms_mail_stream_close (attempt->stream);
      g_object_unref (self);
      return;
    }

  side->connected = TRUE;
  side->login_attempt = attempt;
  if (side->backup_timer != NULL)
    {
      g_source_destroy (side->backup_timer);
      g_clear_pointer (&side->backup_timer, g_source_unref);
    }
  for (guint i = 0; i < side->attempts->len; i++)
    {
      Attempt *other = g_ptr_array_index (side->attempts, i);

      if (other != attempt)
        g_cancellable_cancel (other->cancellable);
    }

  username = self->username ? g_strdup (self->username)
                            : ms_server_expand_username (attempt->server, self->address);
  side->used_server = ms_server_copy (attempt->server);
  side->used_username = g_strdup (username);
  g_signal_connect (attempt->stream, "notify::stage", G_CALLBACK (stage_cb), attempt);

  if (starttls)
    {
      attempt->probe_timer = g_timeout_source_new (MS_VERIFIER_MODE_PROBE_MS);
      g_source_set_callback (attempt->probe_timer, mode_probe_timer_cb, attempt, NULL);
      g_source_attach (attempt->probe_timer, g_task_get_context (self->task));
    }

  if (side->protocol == MS_PROTOCOL_IMAP)
    ms_imap_check_async (attempt->stream, starttls, self->trust, username, self->secret,
                         attempt->cancellable, checked_cb, attempt);
  else
    ms_smtp_check_async (attempt->stream, starttls, self->trust, username, self->secret,
                         attempt->cancellable, checked_cb, attempt);
}

static gboolean
side_all_failed (Side *side)
{
  for (guint i = 0; i < side->attempts->len; i++)
    {
      if (!((Attempt *)g_ptr_array_index (side->attempts, i))->finished)
        return FALSE;
    }

  return side->next_server >= side->servers->len;
}

static void
attempt_failed (Attempt *attempt,
                GError  *error)
{
  Side *side = attempt->side;
  g_autoptr(MsVerifier) self = attempt->side->self;  /* the attempt's reference */

  attempt->finished = TRUE;
  attempt->error = error;
  if (attempt->stream != NULL && ms_mail_stream_get_tls_details (attempt->stream) != NULL)
    attempt->tls = g_variant_ref (ms_mail_stream_get_tls_details (attempt->stream));

  if (side->done || side->connected)
    return;

  g_debug ("%s: %s", attempt->server->hostname, error->message);

  if (side->next_server < side->servers->len)
    {
      /* Try the next server now rather than when the timer fires. */
      if (side->backup_timer != NULL)
        {
          g_source_destroy (side->backup_timer);
          g_clear_pointer (&side->backup_timer, g_source_unref);
        }
      start_attempt (side);
      return;
    }

  if (side_all_failed (side))
    {
      /* Report the preferred server's failure: that is the one to fix. */
      Attempt *first = g_ptr_array_index (side->attempts, 0);
      g_autofree char *name = ms_server_to_string (first->server);
      MsCheckResult *result = ms_check_result_new (side->protocol, name);

      ms_check_result_set_failure (result, self->provider, first->error);
      if (first->tls != NULL)
        result->tls = g_variant_ref (first->tls);
      side_finish (side, result);
    }
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Attempt *attempt = user_data;
  GError *error = NULL;

  if (!ms_mail_stream_handshake_finish (MS_MAIL_STREAM (object), result, &error))
    {
      attempt_failed (attempt, error);
      return;
    }

  attempt_connected (attempt);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Attempt *attempt = user_data;
  GError *error = NULL;

  attempt->stream = ms_mail_stream_connect_finish (result, &error);
  if (attempt->stream == NULL)
    {
      attempt_failed (attempt, error);
      return;
    }

  if (attempt->server->security == MS_SECURITY_SSL)
    {
      emit_progress (attempt->side, attempt->server, "securing");
      ms_mail_stream_handshake_async (attempt->stream, attempt->side->self->trust,
                                      attempt->cancellable, handshake_cb, attempt);
      return;
    }

  attempt_connected (attempt);
}

static gboolean
backup_timer_cb (gpointer user_data)
{
  Side *side = user_data;

  g_clear_pointer (&side->backup_timer, g_source_unref);
  if (!side->connected && !side->done && side->next_server < side->servers->len)
    {
      g_debug ("%s side: no connection after %d ms, trying the next server too",
               ms_protocol_to_string (side->protocol), MS_VERIFIER_BACKUP_DELAY_MS);
      start_attempt (side);
    }

  return G_SOURCE_REMOVE;
}

static void
start_attempt (Side *side)
{
  MsVerifier *self = side->self;
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->side = side;
  attempt->index = side->next_server++;
  attempt->server = ms_server_copy (g_ptr_array_index (side->servers, attempt->index));
  attempt->cancellable = g_cancellable_new ();
  g_ptr_array_add (side->attempts, attempt);

  /* Everything stops when the whole check is cancelled. */
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), attempt->cancellable,
                           G_CONNECT_SWAPPED);

  emit_progress (side, attempt->server, "connecting");
  /* Each attempt holds the verifier until its last callback. */
  g_object_ref (self);
  ms_mail_stream_connect_async (attempt->server->hostname, attempt->server->port,
                                step_timeout_ms (self), attempt->cancellable,
                                connect_cb, attempt);

  if (side->next_server < side->servers->len && side->backup_timer == NULL)
    {
      side->backup_timer = g_timeout_source_new (MS_VERIFIER_BACKUP_DELAY_MS);
      g_source_set_callback (side->backup_timer, backup_timer_cb, side, NULL);
      g_source_attach (side->backup_timer, g_task_get_context (self->task));
    }
}

/* What a side was still waiting for when the deadline came. */
static char *
describe_wait (Side  *side,
               guint  seconds)
{
  Attempt *attempt = side->login_attempt;
  g_autofree char *name = NULL;
  const char *stage;

  if (attempt == NULL || attempt->stream == NULL)
    return NULL;

  name = ms_server_to_string (attempt->server);
  stage = ms_mail_stream_get_stage (attempt->stream);

  if (g_strcmp0 (stage, "greeting") == 0)
    /* Translators: %1$s is a server (imap.qq.com:993), %2$u a number of seconds */
    return g_strdup_printf (_("%1$s took the connection but sent no greeting within %2$u seconds."), name, seconds);
  if (g_strcmp0 (stage, "capabilities") == 0)
    return g_strdup_printf (_("%1$s did not say what it supports within %2$u seconds."), name, seconds);
  if (g_strcmp0 (stage, "starttls") == 0 || g_strcmp0 (stage, "securing") == 0)
    return g_strdup_printf (_("%1$s did not finish starting encryption (STARTTLS) within %2$u seconds."), name, seconds);
  if (g_strcmp0 (stage, "logging-in") == 0)
    return g_strdup_printf (_("%1$s did not answer the login within %2$u seconds."), name, seconds);
  if (g_strcmp0 (stage, "opening-inbox") == 0)
    return g_strdup_printf (_("%1$s accepted the login but did not open the inbox within %2$u seconds."), name, seconds);

  return NULL;
}

static void
finish_all (MsVerifier  *self,
            MsErrorKind  kind,
            const char  *message)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      Side *side = self->sides[i];
      g_autoptr(GError) error = NULL;
      Attempt *first;
      MsCheckResult *result;
      g_autofree char *name = NULL;
      g_autofree char *waited = NULL;

      if (side == NULL || side->done)
        continue;

      /* As when every server failed, the preferred server is the one
       * reported: with its own failure if it had one, else this one. */
      first = side->attempts->len > 0 ? g_ptr_array_index (side->attempts, 0) : NULL;
      name = ms_server_to_string (first ? first->server : g_ptr_array_index (side->servers, 0));
      result = ms_check_result_new (side->protocol, name);

      if (kind == MS_ERROR_KIND_TIMEOUT && side->login_attempt != NULL &&
          (waited = describe_wait (side, self->timeout_seconds)) != NULL)
        {
          g_autofree char *server = ms_server_to_string (side->login_attempt->server);

          g_clear_pointer (&result, ms_check_result_free);
          result = ms_check_result_new (side->protocol, server);
          error = g_error_new_literal (MS_ERROR, kind, waited);
          ms_check_result_set_failure (result, self->provider, error);
        }
      else if (kind == MS_ERROR_KIND_TIMEOUT && first != NULL && first->error != NULL)
        {
          ms_check_result_set_failure (result, self->provider, first->error);
          if (first->tls != NULL)
            result->tls = g_variant_ref (first->tls);
        }
      else
        {
          error = g_error_new_literal (MS_ERROR, kind, message);
          ms_check_result_set_failure (result, self->provider, error);
        }

      side_finish (side, result);
    }
}

static gboolean
deadline_cb (gpointer user_data)
{
  MsVerifier *self = user_data;
  g_autofree char *message = NULL;

  g_clear_pointer (&self->deadline, g_source_unref);
  message = g_strdup_printf (_("No answer within %u seconds."), self->timeout_seconds);
  finish_all (self, MS_ERROR_KIND_TIMEOUT, message);

  return G_SOURCE_REMOVE;
}

static gboolean
caller_cancelled_idle (gpointer user_data)
{
  MsVerifier *self = user_data;

  finish_all (self, MS_ERROR_KIND_CANCELLED, _("The check was stopped."));
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     MsVerifier   *self)
{
  GSource *source = g_idle_source_new ();

  /* “cancelled” may come from another thread, and the handler may not
   * disconnect itself: finish later, in our context. */
  g_source_set_callback (source, caller_cancelled_idle, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->task ? g_task_get_context (self->task) : NULL);
  g_source_unref (source);
}

static Side *
side_new (MsVerifier *self,
          MsProtocol  protocol,
          GPtrArray  *servers)
{
  Side *side = g_new0 (Side, 1);

  side->self = self;
  side->protocol = protocol;
  side->servers = g_ptr_array_ref (servers);
  side->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify)attempt_free);

  return side;
}

/**
 * ms_verifier_verify_async:
 * @self: a verifier
 * @imap: whether to check the IMAP login
 * @smtp: whether to check the SMTP login
 * @secret: the password
 * @cancellable: (nullable): stops the check
 * @callback: called when both sides have a verdict
 * @user_data: for @callback
 *
 * Checks both sides at the same time. The verdicts are then in
 * ms_verifier_get_result().
 */
void
ms_verifier_verify_async (MsVerifier          *self,
                          gboolean             imap,
                          gboolean             smtp,
                          MsSecret            *secret,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (MS_IS_VERIFIER (self));
  g_return_if_fail (secret != NULL);
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (imap || smtp);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ms_verifier_verify_async);

  if (self->trust == NULL && !ms_verifier_set_ca_file (self, NULL, &error))
    {
      GTask *task = g_steal_pointer (&self->task);

      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if ((imap && (self->imap_servers == NULL || self->imap_servers->len == 0)) ||
      (smtp && (self->smtp_servers == NULL || self->smtp_servers->len == 0)))
    {
      GTask *task = g_steal_pointer (&self->task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("No server to check."));
      g_object_unref (task);
      return;
    }

  self->secret = ms_secret_ref (secret);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    g_clear_pointer (&self->sides[i], side_free);

  if (imap)
    self->sides[MS_PROTOCOL_IMAP] = side_new (self, MS_PROTOCOL_IMAP, self->imap_servers);
  if (smtp)
    self->sides[MS_PROTOCOL_SMTP] = side_new (self, MS_PROTOCOL_SMTP, self->smtp_servers);

  self->deadline = g_timeout_source_new (self->timeout_seconds * 1000);
  g_source_set_callback (self->deadline, deadline_cb, self, NULL);
  g_source_attach (self->deadline, g_task_get_context (self->task));

  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb), self, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      if (self->sides[i] != NULL && !self->sides[i]->done)
        start_attempt (self->sides[i]);
    }
}

/**
 * ms_verifier_verify_finish:
 * @self: a verifier
 * @result: the result
 * @error: where to put why no check could be made at all, or
 *   %G_IO_ERROR_CANCELLED when the caller cancelled (the sides' results then
 *   say `cancelled`)
 *
 * Returns: %TRUE if every side that was checked works
 */
gboolean
ms_verifier_verify_finish (MsVerifier    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ms_verifier_get_result:
 * @self: a verifier
 * @protocol: which side
 *
 * Returns: (nullable): the verdict, or %NULL if that side was not checked
 */
const MsCheckResult *
ms_verifier_get_result (MsVerifier *self,
                        MsProtocol  protocol)
{
  g_return_val_if_fail (MS_IS_VERIFIER (self), NULL);

  if (self->sides[protocol] == NULL || !self->sides[protocol]->done)
    return NULL;

  return self->sides[protocol]->result;
}

/**
 * ms_verifier_get_login:
 * @self: a verifier after a check
 * @protocol: which side
 * @username: (out) (optional) (transfer none): the login name used
 *
 * Returns: (nullable) (transfer none): the server that got the login (the
 *   one to store the password for), or %NULL when none did
 */
const MsServer *
ms_verifier_get_login (MsVerifier  *self,
                       MsProtocol   protocol,
                       const char **username)
{
  Side *side;

  g_return_val_if_fail (MS_IS_VERIFIER (self), NULL);

  side = self->sides[protocol];
  if (username != NULL)
    *username = side ? side->used_username : NULL;

  return side ? side->used_server : NULL;
}

/**
 * ms_verifier_get_provider:
 * @self: a verifier
 *
 * Returns: (nullable) (transfer none): the provider
 */
MsProvider *
ms_verifier_get_provider (MsVerifier *self)
{
  g_return_val_if_fail (MS_IS_VERIFIER (self), NULL);

  return self->provider;
}

const MsAddress *
ms_verifier_get_address (MsVerifier *self)
{
  g_return_val_if_fail (MS_IS_VERIFIER (self), NULL);

  return self->address;
}

/**
 * ms_verifier_to_variant:
 * @self: a verifier after a check
 *
 * Returns: (transfer floating): `{email, ok, imap, smtp}`, a side being a
 *   maybe type, empty when it was not checked
 */
GVariant *
ms_verifier_to_variant (MsVerifier *self)
{
  GVariantBuilder builder;
  gboolean ok = TRUE;

  g_return_val_if_fail (MS_IS_VERIFIER (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "email", g_variant_new_string (self->address->email));

  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      const MsCheckResult *result = ms_verifier_get_result (self, i);

      if (result != NULL)
        ok &= result->ok;
    }
  g_variant_builder_add (&builder, "{sv}", "ok", g_variant_new_boolean (ok));

  for (guint i = 0; i < G_N_ELEMENTS (self->sides); i++)
    {
      const MsCheckResult *result = ms_verifier_get_result (self, i);

      g_variant_builder_add (&builder, "{sv}", ms_protocol_to_string (i),
                             g_variant_new_maybe (G_VARIANT_TYPE_VARDICT,
                                                  result ? ms_check_result_to_variant (result, self->provider)
                                                         : NULL));
    }

  return g_variant_builder_end (&builder);
}
