/* ms-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SetupAccount call, as the XDG portals do it: an object the caller
 * watches for Response(code, results) and may Close(). It lives as long as
 * its assistant window has not said how the setup ended.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include "ms-request.h"

struct _MsRequest
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *object_path;
  char            *caller;
  guint            registration_id;
  MsWindow        *window;       /* weak */
  gulong           finished_id;
};

G_DEFINE_FINAL_TYPE (MsRequest, ms_request, G_TYPE_OBJECT)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Leaves the bus and lets the service drop the request. */
static void
end (MsRequest *self)
{
  g_object_ref (self);

  if (self->window != NULL)
    {
      g_clear_signal_handler (&self->finished_id, self->window);
      g_object_remove_weak_pointer (G_OBJECT (self->window), (gpointer *)&self->window);
      self->window = NULL;
    }

  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
      g_signal_emit (self, signals[DONE], 0);
    }

  g_object_unref (self);
}

static void
finished_cb (MsWindow  *window,
             guint      code,
             GVariant  *results,
             MsRequest *self)
{
  g_autoptr(GError) error = NULL;

  g_debug ("Request %s: response %u", self->object_path, code);

  /* To the caller only: the results name the account. */
  if (!g_dbus_connection_emit_signal (self->connection, self->caller, self->object_path,
                                      "io.github.mailsetup.MailSetup1.Request", "Response",
                                      g_variant_new ("(u@a{sv})", code, results), &error))
    g_warning ("Cannot send the response of %s: %s", self->object_path, error->message);

  end (self);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  MsRequest *self = user_data;

  if (g_strcmp0 (sender, self->caller) != 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                             "Only the program that made the request may close it");
      return;
    }

  /* Close is the interface's only method. */
  g_dbus_method_invocation_return_value (invocation, NULL);
  ms_request_close (self);
}

static const GDBusInterfaceVTable vtable = {
  method_call_cb,
  NULL,
  NULL,
  { 0 }
};

static void
ms_request_dispose (GObject *object)
{
  end (MS_REQUEST (object));

  G_OBJECT_CLASS (ms_request_parent_class)->dispose (object);
}

static void
ms_request_finalize (GObject *object)
{
  MsRequest *self = (MsRequest *)object;

  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
  g_clear_pointer (&self->caller, g_free);

  G_OBJECT_CLASS (ms_request_parent_class)->finalize (object);
}

static void
ms_request_class_init (MsRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_request_dispose;
  object_class->finalize = ms_request_finalize;

  /**
   * MsRequest::done:
   * @self: the request
   *
   * The request has left the bus: it answered, or was closed.
   */
  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ms_request_init (MsRequest *self)
{
}

/**
 * ms_request_new:
 * @connection: the bus
 * @interface: the Request interface's description
 * @object_path: where to export it
 * @caller: the unique name of the program that asked
 * @window: the assistant that answers it
 * @error: where to put why it cannot be exported (the path is taken)
 *
 * Returns: (transfer full) (nullable): the request, on the bus
 */
MsRequest *
ms_request_new (GDBusConnection     *connection,
                GDBusInterfaceInfo  *interface,
                const char          *object_path,
                const char          *caller,
                MsWindow            *window,
                GError             **error)
{
  g_autoptr(MsRequest) self = NULL;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (g_variant_is_object_path (object_path), NULL);
  g_return_val_if_fail (MS_IS_WINDOW (window), NULL);

  self = g_object_new (MS_TYPE_REQUEST, NULL);
  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  self->caller = g_strdup (caller);

  self->registration_id = g_dbus_connection_register_object (connection, object_path, interface,
                                                             &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return NULL;

  self->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)&self->window);
  self->finished_id = g_signal_connect (window, "finished", G_CALLBACK (finished_cb), self);

  return g_steal_pointer (&self);
}

const char *
ms_request_get_object_path (MsRequest *self)
{
  g_return_val_if_fail (MS_IS_REQUEST (self), NULL);

  return self->object_path;
}

const char *
ms_request_get_caller (MsRequest *self)
{
  g_return_val_if_fail (MS_IS_REQUEST (self), NULL);

  return self->caller;
}

/**
 * ms_request_close:
 * @self: a request
 *
 * Closes the assistant without a response: the caller no longer wants it,
 * or has left the bus.
 */
void
ms_request_close (MsRequest *self)
{
  MsWindow *window;

  g_return_if_fail (MS_IS_REQUEST (self));

  g_debug ("Request %s: closed", self->object_path);

  window = self->window;
  end (self);
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
}
