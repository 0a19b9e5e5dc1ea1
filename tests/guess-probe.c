/* guess-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs ms_guess_probe_async() for test-guess.py, with a FakeResolver as
 * GIO's default resolver so that made-up names reach servers on loopback:
 *
 *   guess-probe [--ca-file F] [--timeout-ms N] [--cancel-after-ms N]
 *               [--host NAME=ADDRESS]… [--resolver-file F]
 *               --candidate PROTOCOL:HOST:PORT:SECURITY…
 *   guess-probe … --domain D --protocol imap|smtp [--map-port 993=PORT]…
 *
 * Without --host or --resolver-file, every candidate's name is 127.0.0.1.
 * With --domain the candidates are ms_guess_candidates()'s, their ports
 * replaced as --map-port says (the test servers cannot have 993).
 *
 * Prints one JSON object: {"confirmed": [{"protocol", "host", "port",
 * "security", "username"}…], "error": null or {"domain", "code",
 * "message"}, "elapsed_ms"}. Exits 0 when something was confirmed, 2 for
 * NOT_FOUND, 3 when cancelled, 1 for anything else.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "fake-resolver.h"
#include "ms-guess.h"

typedef struct
{
  GMainLoop *loop;
  GPtrArray *confirmed;
  GError    *error;
} Outcome;

static void
probed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->confirmed = ms_guess_probe_finish (result, &outcome->error);
  g_main_loop_quit (outcome->loop);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* "imap:imap.guess.test:12345:ssl" */
static MsServer *
parse_candidate (const char  *text,
                 GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", -1);
  MsProtocol protocol;
  MsSecurity security;
  guint64 port;

  if (g_strv_length (parts) != 4)
    goto invalid;

  if (g_str_equal (parts[0], "imap"))
    protocol = MS_PROTOCOL_IMAP;
  else if (g_str_equal (parts[0], "smtp"))
    protocol = MS_PROTOCOL_SMTP;
  else
    goto invalid;

  if (!g_ascii_string_to_unsigned (parts[2], 10, 1, G_MAXUINT16, &port, NULL) ||
      !ms_security_from_string (parts[3], &security) || parts[1][0] == '\0')
    goto invalid;

  return ms_server_new (protocol, parts[1], (guint16)port, security, NULL);

invalid:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--candidate %s: expected PROTOCOL:HOST:PORT:SECURITY", text);
  return NULL;
}

static gboolean
map_ports (GPtrArray   *candidates,
           char       **maps,
           GError     **error)
{
  for (guint i = 0; maps != NULL && maps[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (maps[i], "=", 2);
      guint64 from, to;

      if (g_strv_length (parts) != 2 ||
          !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT16, &from, NULL) ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT16, &to, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--map-port %s: expected PORT=PORT", maps[i]);
          return FALSE;
        }

      for (guint j = 0; j < candidates->len; j++)
        {
          MsServer *server = g_ptr_array_index (candidates, j);

          if (server->port == from)
            server->port = (guint16)to;
        }
    }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *ca_file = NULL;
  g_autofree char *resolver_file = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *protocol = NULL;
  g_auto(GStrv) candidate_args = NULL;
  g_auto(GStrv) host_args = NULL;
  g_auto(GStrv) map_args = NULL;
  int timeout_ms = 5000;
  int cancel_after_ms = 0;
  GOptionEntry entries[] = {
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Trust this PEM file's authorities too", "FILE" },
    { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout_ms, "Deadline of the whole probe", "MS" },
    { "cancel-after-ms", 0, 0, G_OPTION_ARG_INT, &cancel_after_ms, "Cancel the probe after this long", "MS" },
    { "candidate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &candidate_args, "A server to probe", "PROTOCOL:HOST:PORT:SECURITY" },
    { "domain", 0, 0, G_OPTION_ARG_STRING, &domain, "Probe ms_guess_candidates() for this domain", "DOMAIN" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol, "With --domain: imap or smtp", "PROTOCOL" },
    { "map-port", 0, 0, G_OPTION_ARG_STRING_ARRAY, &map_args, "Replace a candidate port", "PORT=PORT" },
    { "host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &host_args, "Give a name an address", "NAME=ADDRESS" },
    { "resolver-file", 0, 0, G_OPTION_ARG_FILENAME, &resolver_file, "FakeResolver tables (fake-resolver.h)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- probe guessed mail servers");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  g_autoptr(FakeResolver) resolver = NULL;
  g_autoptr(MsTlsTrust) trust = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  Outcome outcome = { NULL, NULL, NULL };
  gint64 start;
  int status;

  setlocale (LC_ALL, "");
  /* Standard output is for the JSON only. */
  g_log_writer_default_set_use_stderr (TRUE);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage;

  if (domain != NULL)
    {
      MsProtocol p;

      if (g_strcmp0 (protocol, "imap") == 0)
        p = MS_PROTOCOL_IMAP;
      else if (g_strcmp0 (protocol, "smtp") == 0)
        p = MS_PROTOCOL_SMTP;
      else
        {
          g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "--domain needs --protocol imap or smtp");
          goto usage;
        }
      g_ptr_array_extend_and_steal (candidates, ms_guess_candidates (domain, p));
    }
  for (guint i = 0; candidate_args != NULL && candidate_args[i] != NULL; i++)
    {
      MsServer *server = parse_candidate (candidate_args[i], &error);

      if (server == NULL)
        goto usage;
      g_ptr_array_add (candidates, server);
    }
  if (!map_ports (candidates, map_args, &error))
    goto usage;
  if (timeout_ms <= 0)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--timeout-ms must be positive");
      goto usage;
    }

  if (resolver_file != NULL)
    {
      resolver = fake_resolver_new_from_file (resolver_file, &error);
      if (resolver == NULL)
        goto usage;
    }
  else
    resolver = fake_resolver_new ();

  for (guint i = 0; host_args != NULL && host_args[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (host_args[i], "=", 2);

      if (g_strv_length (parts) != 2 || !fake_resolver_add_host (resolver, parts[0], parts[1]))
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--host %s: expected NAME=ADDRESS", host_args[i]);
          goto usage;
        }
    }
  if (host_args == NULL && resolver_file == NULL)
    {
      for (guint i = 0; i < candidates->len; i++)
        fake_resolver_add_host (resolver, ((MsServer *)g_ptr_array_index (candidates, i))->hostname,
                                "127.0.0.1");
    }
  g_resolver_set_default (G_RESOLVER (resolver));

  trust = ms_tls_trust_new (ca_file, &error);
  if (trust == NULL)
    goto usage;

  if (cancel_after_ms > 0)
    g_timeout_add (cancel_after_ms, cancel_cb, cancellable);

  outcome.loop = g_main_loop_new (NULL, FALSE);
  start = g_get_monotonic_time ();
  ms_guess_probe_async (candidates, trust, (guint)timeout_ms, cancellable, probed_cb, &outcome);
  g_main_loop_run (outcome.loop);
  g_main_loop_unref (outcome.loop);

  g_string_append (out, "{\"confirmed\": [");
  for (guint i = 0; outcome.confirmed != NULL && i < outcome.confirmed->len; i++)
    {
      MsServer *server = g_ptr_array_index (outcome.confirmed, i);

      g_string_append (out, i ? ", {\"protocol\": " : "{\"protocol\": ");
      append_json_string (out, ms_protocol_to_string (server->protocol));
      g_string_append (out, ", \"host\": ");
      append_json_string (out, server->hostname);
      g_string_append_printf (out, ", \"port\": %u, \"security\": ", server->port);
      append_json_string (out, ms_security_to_string (server->security));
      g_string_append (out, ", \"username\": ");
      append_json_string (out, server->username);
      g_string_append (out, "}");
    }
  g_string_append (out, "], \"error\": ");
  if (outcome.error != NULL)
    {
      g_string_append (out, "{\"domain\": ");
      append_json_string (out, g_quark_to_string (outcome.error->domain));
      g_string_append_printf (out, ", \"code\": %d, \"message\": ", outcome.error->code);
      append_json_string (out, outcome.error->message);
      g_string_append (out, "}");
    }
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ", \"elapsed_ms\": %" G_GINT64_FORMAT "}\n",
                          (g_get_monotonic_time () - start) / 1000);
  fputs (out->str, stdout);

  if (outcome.confirmed != NULL)
    status = 0;
  else if (g_error_matches (outcome.error, MS_LOOKUP_ERROR, MS_LOOKUP_ERROR_NOT_FOUND))
    status = 2;
  else if (g_error_matches (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = 3;
  else
    status = 1;

  g_clear_pointer (&outcome.confirmed, g_ptr_array_unref);
  g_clear_error (&outcome.error);
  return status;

usage:
  fprintf (stderr, "guess-probe: %s\n", error->message);
  return 1;
}
