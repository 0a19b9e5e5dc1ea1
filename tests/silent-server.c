/* silent-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "silent-server.h"

static void
accepted_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Silent *silent = user_data;
  GSocketConnection *connection;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (object), result, NULL, NULL);
  if (connection == NULL)
    return;

  /* Keep it open, say nothing. */
  g_ptr_array_add (silent->accepted, connection);
  g_socket_listener_accept_async (silent->listener, NULL, accepted_cb, silent);
}

Silent *
silent_new (void)
{
  Silent *silent = g_new0 (Silent, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  silent->listener = g_socket_listener_new ();
  silent->accepted = g_ptr_array_new_with_free_func (g_object_unref);
  g_assert_true (g_socket_listener_add_address (silent->listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  silent->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_accept_async (silent->listener, NULL, accepted_cb, silent);

  return silent;
}

void
silent_free (Silent *silent)
{
  g_socket_listener_close (silent->listener);
  g_object_unref (silent->listener);
  g_ptr_array_unref (silent->accepted);
  g_free (silent);
}

/* A port nothing listens on: bound, then closed. */
guint16
closed_port (void)
{
  Silent *s = silent_new ();
  guint16 port = s->port;

  silent_free (s);
  return port;
}
