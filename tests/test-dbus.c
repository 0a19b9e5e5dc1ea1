/* test-dbus.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * io.github.mailsetup.MailSetup1 through a real bus (the private session of
 * tests/run-in-session.sh, with gnome-keyring and goa-daemon), called by a
 * client connection of its own as another program would: ListProviders and
 * Lookup; SetupAccount driven through the assistant (in Xvfb) against the
 * local dovecot to Response 0, closed to 1, failed and closed to 2, Close();
 * several requests at once; the caller's X11 window as the parent; the
 * caller leaving the bus; and every bad call answered by its D-Bus error
 * without opening a window.
 *
 * Run by tests/test-assistant.py, which starts dovecot and writes the
 * provider file, CA and passwords the test reads (MS_TEST_*).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "ms-application.h"
#include "ms-password-page.h"
#include "ms-provider-page.h"
#include "ms-window.h"
#include "ui-helpers.h"

#define BUS_NAME "io.github.mailsetup.MailSetup"
#define OBJECT_PATH "/io/github/mailsetup/MailSetup"
#define INTERFACE "io.github.mailsetup.MailSetup1"
#define CHECK_TIMEOUT_SECONDS 60

static MsApplication *app;
static GDBusConnection *client;

typedef struct
{
  char     *path;
  guint     subscription;
  gboolean  answered;
  guint     code;
  GVariant *results;
} Response;

static GDBusConnection *
new_client (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;

  g_assert_no_error (error);
  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

typedef struct
{
  GVariant *reply;
  GError   *error;
  gboolean  done;
} Call;

static void
called_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

static gboolean
call_done (gpointer data)
{
  return ((Call *)data)->done;
}

/* Calls @method as another program would, the service answering in this
 * same main loop. */
static GVariant *
call_on (GDBusConnection  *connection,
         const char       *path,
         const char       *interface,
         const char       *method,
         GVariant         *parameters,
         GError          **error)
{
  Call call = { NULL, NULL, FALSE };

  g_dbus_connection_call (connection, BUS_NAME, path, interface, method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, called_cb, &call);
  g_assert_true (ui_iterate_until (call_done, &call, 40));
  if (call.error != NULL)
    g_propagate_error (error, call.error);

  return call.reply;
}

static GVariant *
call (const char  *method,
      GVariant    *parameters,
      GError     **error)
{
  return call_on (client, OBJECT_PATH, INTERFACE, method, parameters, error);
}

static void
response_cb (GDBusConnection *connection,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  Response *response = user_data;

  g_assert_false (response->answered);
  response->answered = TRUE;
  g_variant_get (parameters, "(u@a{sv})", &response->code, &response->results);
}

static gboolean
response_answered (gpointer data)
{
  return ((Response *)data)->answered;
}

/* Watches for the Response of the request with @token, before asking, as
 * the portal convention allows. */
static Response *
response_new (const char *token)
{
  Response *response = g_new0 (Response, 1);
  g_autofree char *sender = g_strdelimit (g_strdup (g_dbus_connection_get_unique_name (client) + 1), ".", '_');

  response->path = g_strdup_printf ("%s/request/%s/%s", OBJECT_PATH, sender, token);
  response->subscription =
    g_dbus_connection_signal_subscribe (client, NULL, INTERFACE ".Request", "Response",
                                        response->path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        response_cb, response, NULL);
  return response;
}

static void
response_free (Response *response)
{
  g_dbus_connection_signal_unsubscribe (client, response->subscription);
  g_clear_pointer (&response->results, g_variant_unref);
  g_free (response->path);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static guint
count_windows (void)
{
  return g_list_length (gtk_application_get_windows (GTK_APPLICATION (app)));
}

/* The assistant SetupAccount opened: the newest window. */
static MsWindow *
newest_window (void)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  g_assert_nonnull (windows);
  g_assert_true (MS_IS_WINDOW (windows->data));
  return MS_WINDOW (windows->data);
}

static char *
setup_account (const char  *parent,
               const char  *address,
               GVariant    *options,
               GError     **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *path = NULL;

  reply = call ("SetupAccount", g_variant_new ("(ss@a{sv})", parent, address, options), error);
  if (reply != NULL)
    g_variant_get (reply, "(o)", &path);
  ui_iterate ();

  return path;
}

static GVariant *
options_with_token (const char *token,
                    const char *store)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "handle_token", g_variant_new_string (token));
  if (store != NULL)
    {
      g_auto(GStrv) places = g_strsplit (store, ",", -1);

      g_variant_builder_add (&builder, "{sv}", "store", g_variant_new_strv ((const char * const *)places, -1));
    }

  return g_variant_builder_end (&builder);
}

static gboolean
check_finished (gpointer data)
{
  return g_strcmp0 (ms_window_get_page_name (MS_WINDOW (data)), "checking") != 0;
}

/* From the guide of the loopback provider to the end of the check. */
static void
verify_in (MsWindow   *window,
           const char *password)
{
  GtkWidget *guide = ms_window_get_page (window, "guide");
  GtkWidget *password_page = ms_window_get_page (window, "password");

  g_assert_cmpstr (ms_window_get_page_name (window), ==, "guide");
  g_assert_cmpstr (ms_provider_get_id (ms_provider_page_get_provider (MS_PROVIDER_PAGE (guide))), ==, "loopback");
  g_assert_true (gtk_widget_activate_action (guide, "page.continue", NULL));
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (window), ==, "password");
  gtk_editable_set_text (GTK_EDITABLE (ui_find_exact (password_page, ADW_TYPE_PASSWORD_ENTRY_ROW)), password);
  ui_iterate ();
  g_assert_true (ms_password_page_get_ready (MS_PASSWORD_PAGE (password_page)));
  g_assert_true (gtk_widget_activate_action (password_page, "password.verify", NULL));
  g_assert_true (ui_iterate_until (check_finished, window, CHECK_TIMEOUT_SECONDS));
}

static void
assert_dbus_error (GError     *error,
                   const char *name,
                   const char *words)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, name);
  g_assert_nonnull (strstr (error->message, words));
}

/* Tests */

static void
test_list_providers (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) providers = NULL;
  g_autoptr(GError) error = NULL;
  MsCatalogue *catalogue = ms_application_get_catalogue (app);
  gboolean saw_loopback = FALSE;

  reply = call ("ListProviders", NULL, &error);
  g_assert_no_error (error);
  providers = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (providers), ==, g_list_model_get_n_items (G_LIST_MODEL (catalogue)));

  for (gsize i = 0; i < g_variant_n_children (providers); i++)
    {
      g_autoptr(GVariant) provider = g_variant_get_child_value (providers, i);
      g_autoptr(MsProvider) expected = g_list_model_get_item (G_LIST_MODEL (catalogue), i);
      const char *id = NULL, *name = NULL;

      g_assert_true (g_variant_lookup (provider, "id", "&s", &id));
      g_assert_true (g_variant_lookup (provider, "name", "&s", &name));
      g_assert_cmpstr (id, ==, ms_provider_get_id (expected));
      g_assert_cmpstr (name, ==, ms_provider_get_name (expected));
      g_assert_nonnull (g_variant_lookup_value (provider, "imap", G_VARIANT_TYPE ("aa{sv}")));
      saw_loopback |= g_str_equal (id, "loopback");
    }
  g_assert_true (saw_loopback);
}

static void
test_lookup (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *value = NULL;

  /* The catalogue. */
  reply = call ("Lookup", g_variant_new ("(s)", "Alice@Example.COM"), &error);
  g_assert_no_error (error);
  result = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (result, "email", "&s", &value));
  g_assert_cmpstr (value, ==, "Alice@example.com");
  g_assert_true (g_variant_lookup (result, "provider", "&s", &value));
  g_assert_cmpstr (value, ==, "loopback");
  g_assert_true (g_variant_lookup (result, "source", "&s", &value));
  g_assert_cmpstr (value, ==, "catalogue");
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&result, g_variant_unref);

  /* A company domain, by its MX records (the fake resolver's). */
  reply = call ("Lookup", g_variant_new ("(s)", "li@exmail-hosted.test"), &error);
  g_assert_no_error (error);
  result = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (result, "source", "&s", &value));
  g_assert_cmpstr (value, ==, "mx");
  g_assert_true (g_variant_lookup (result, "provider", "&s", &value));
  g_assert_cmpstr (value, ==, "exmail");
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&result, g_variant_unref);

  /* Nothing known: no provider key at all (D-Bus has no null). */
  reply = call ("Lookup", g_variant_new ("(s)", "a@nothing.test"), &error);
  g_assert_no_error (error);
  result = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (result, "source", "&s", &value));
  g_assert_cmpstr (value, ==, "none");
  g_assert_false (g_variant_lookup (result, "provider", "&s", &value));
  g_clear_pointer (&reply, g_variant_unref);

  reply = call ("Lookup", g_variant_new ("(s)", "not an address"), &error);
  g_assert_null (reply);
  assert_dbus_error (error, INTERFACE ".Error.InvalidAddress", "not an e-mail address");
}

static void
test_bad_calls (void)
{
  struct {
    const char *parent;
    const char *address;
    const char *options;
    const char *error;
    const char *words;
  } cases[] = {
    { "", "", "{}", "InvalidAddress", "not an e-mail address" },
    { "", "alice", "{}", "InvalidAddress", "not an e-mail address" },
    { "", "a@@example.com", "{}", "InvalidAddress", "not an e-mail address" },
    { "", "alice@example.com", "{'provider': <'no-such'>}", "UnknownProvider", "no-such" },
    { "", "alice@example.com", "{'provider': <42>}", "InvalidOption", "must be of type s" },
    { "", "alice@example.com", "{'store': <'keyring'>}", "InvalidOption", "must be of type as" },
    { "", "alice@example.com", "{'store': <['disk']>}", "InvalidOption", "disk" },
    { "", "alice@example.com", "{'store': <@as []>}", "InvalidOption", "store" },
    { "", "alice@example.com", "{'colour': <'red'>}", "InvalidOption", "colour" },
    { "", "alice@example.com", "{'handle_token': <'a/b'>}", "InvalidOption", "handle_token" },
    { "x11:", "alice@example.com", "{}", "InvalidHandle", "x11:" },
    { "x11:zz", "alice@example.com", "{}", "InvalidHandle", "x11:zz" },
    { "x11:0", "alice@example.com", "{}", "InvalidHandle", "x11:0" },
    { "x11:123456789", "alice@example.com", "{}", "InvalidHandle", "x11:123456789" },
    { "wayland:", "alice@example.com", "{}", "InvalidHandle", "wayland:" },
    { "wayland:a b", "alice@example.com", "{}", "InvalidHandle", "wayland:a b" },
    { "mir:1", "alice@example.com", "{}", "InvalidHandle", "mir:1" },
  };
  guint windows = count_windows ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *name = g_strconcat (INTERFACE ".Error.", cases[i].error, NULL);
      GVariant *options = g_variant_parse (G_VARIANT_TYPE_VARDICT, cases[i].options, NULL, NULL, &error);

      g_assert_no_error (error);
      g_test_message ("SetupAccount (%s, %s, %s)", cases[i].parent, cases[i].address, cases[i].options);
      path = setup_account (cases[i].parent, cases[i].address, options, &error);
      g_assert_null (path);
      assert_dbus_error (error, name, cases[i].words);
      /* A refused call opens nothing. */
      g_assert_cmpuint (count_windows (), ==, windows);
    }

  /* A wrong signature is GDBus's to refuse. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = call ("SetupAccount", g_variant_new ("(s)", "alice@example.com"), &error);

    g_assert_null (reply);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  }

  /* The same handle_token twice, while the first request is open. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *first = setup_account ("", "alice@example.com", options_with_token ("twice", NULL), &error);
    g_autofree char *second = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (first);
    second = setup_account ("", "alice@example.com", options_with_token ("twice", NULL), &error);
    g_assert_null (second);
    assert_dbus_error (error, INTERFACE ".Error.InvalidOption", "twice");
    g_assert_cmpuint (count_windows (), ==, windows + 1);
    g_clear_error (&error);
    call_on (client, first, INTERFACE ".Request", "Close", NULL, &error);
    g_assert_no_error (error);
    ui_iterate ();
    g_assert_cmpuint (count_windows (), ==, windows);
  }
}

/* The whole setup for another program: the password reaches dovecot, the
 * keyring and Online Accounts; the caller gets the account, never the
 * password. */
static void
test_setup_done (void)
{
  g_autofree char *password = ui_read_test_file ("MS_TEST_PASSWORD_FILE");
  g_autoptr(Response) response = response_new ("done");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) imap = NULL;
  g_autoptr(GVariant) stored = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *secret = NULL;
  const char *value = NULL;
  guint32 port = 0;
  gboolean keyring = FALSE, goa = FALSE;
  MsWindow *window;

  path = setup_account ("", "alice@example.com", options_with_token ("done", "keyring,goa"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, response->path);

  window = newest_window ();
  verify_in (window, password);
  g_assert_true (ui_iterate_until (response_answered, response, CHECK_TIMEOUT_SECONDS));
  g_assert_cmpstr (ms_window_get_page_name (window), ==, "done");

  g_assert_cmpuint (response->code, ==, 0);
  g_assert_true (g_variant_lookup (response->results, "address", "&s", &value));
  g_assert_cmpstr (value, ==, "alice@example.com");
  g_assert_true (g_variant_lookup (response->results, "provider", "&s", &value));
  g_assert_cmpstr (value, ==, "loopback");
  imap = g_variant_lookup_value (response->results, "imap", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (imap);
  g_assert_true (g_variant_lookup (imap, "host", "&s", &value));
  g_assert_cmpstr (value, ==, "127.0.0.1");
  g_assert_true (g_variant_lookup (imap, "port", "u", &port));
  g_assert_cmpuint (port, ==, atoi (g_getenv ("MS_TEST_IMAP_PORT")));
  g_assert_true (g_variant_lookup (imap, "security", "&s", &value));
  g_assert_cmpstr (value, ==, "ssl");
  g_assert_true (g_variant_lookup (imap, "username", "&s", &value));
  g_assert_cmpstr (value, ==, "alice@example.com");

  /* Where the password went: the keyring attributes, the GOA account. */
  stored = g_variant_lookup_value (response->results, "stored", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (stored);
  for (gsize i = 0; i < g_variant_n_children (stored); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (stored, i);
      gboolean ok = FALSE;

      g_assert_true (g_variant_lookup (entry, "where", "&s", &value));
      g_assert_true (g_variant_lookup (entry, "ok", "b", &ok));
      g_assert_true (ok);
      if (g_str_equal (value, "keyring"))
        {
          keyring = TRUE;
          g_assert_true (g_variant_lookup (entry, "server", "&s", &value));
          g_assert_cmpstr (value, ==, "127.0.0.1");
          g_assert_true (g_variant_lookup (entry, "user", "&s", &value));
          g_assert_cmpstr (value, ==, "alice@example.com");
        }
      else if (g_str_equal (value, "goa"))
        {
          goa = TRUE;
          g_assert_true (g_variant_lookup (entry, "account", "&s", &value));
          g_assert_true (g_str_has_prefix (value, "/org/gnome/OnlineAccounts/Accounts/"));
        }
    }
  g_assert_true (keyring);
  g_assert_true (goa);

  /* The password is where the caller was told, and nowhere in the reply. */
  secret = ui_keyring_lookup ("127.0.0.1", "alice@example.com");
  g_assert_cmpstr (secret, ==, password);
  text = g_variant_print (response->results, TRUE);
  g_assert_null (strstr (text, password));

  /* The request is gone: Close has nothing to close. */
  {
    g_autoptr(GVariant) reply = call_on (client, path, INTERFACE ".Request", "Close", NULL, &error);

    g_assert_null (reply);
    g_assert_nonnull (error);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  ui_iterate ();
}

/* Closed by the user before the end: 1; after a failed check: 2. */
static void
test_setup_closed (void)
{
  g_autofree char *wrong = ui_read_test_file ("MS_TEST_WRONG_PASSWORD_FILE");
  g_autoptr(Response) cancelled = response_new ("cancelled");
  g_autoptr(Response) failed = response_new ("failed");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const char *value = NULL;
  MsWindow *window;

  path = setup_account ("", "alice@example.com", options_with_token ("cancelled", NULL), &error);
  g_assert_no_error (error);
  window = newest_window ();
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (ui_iterate_until (response_answered, cancelled, 10));
  g_assert_cmpuint (cancelled->code, ==, 1);
  g_assert_cmpuint (g_variant_n_children (cancelled->results), ==, 0);
  g_clear_pointer (&path, g_free);

  path = setup_account ("", "alice@example.com", options_with_token ("failed", NULL), &error);
  g_assert_no_error (error);
  window = newest_window ();
  verify_in (window, wrong);
  g_assert_cmpstr (ms_window_get_page_name (window), ==, "failed");
  g_assert_false (failed->answered);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (ui_iterate_until (response_answered, failed, 10));
  g_assert_cmpuint (failed->code, ==, 2);
  g_assert_true (g_variant_lookup (failed->results, "error", "&s", &value));
  g_assert_cmpstr (value, ==, "auth-failed");
  g_assert_true (g_variant_lookup (failed->results, "message", "&s", &value));
  text = g_variant_print (failed->results, TRUE);
  g_assert_null (strstr (text, wrong));
}

/* Close(): the window goes, and no Response comes. */
static void
test_close (void)
{
  g_autoptr(Response) response = response_new ("closeme");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL;
  guint windows = count_windows ();
  MsWindow *window;

  path = setup_account ("", "alice@example.com", options_with_token ("closeme", NULL), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_windows (), ==, windows + 1);
  window = newest_window ();
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)&window);

  /* Only the caller may close it. */
  {
    g_autoptr(GDBusConnection) other = new_client ();
    g_autoptr(GError) denied = NULL;

    reply = call_on (other, path, INTERFACE ".Request", "Close", NULL, &denied);
    g_assert_null (reply);
    g_assert_error (denied, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
    g_assert_nonnull (window);
  }

  reply = call_on (client, path, INTERFACE ".Request", "Close", NULL, &error);
  g_assert_no_error (error);
  ui_iterate ();
  g_assert_null (window);
  g_assert_cmpuint (count_windows (), ==, windows);
  for (guint i = 0; i < 5; i++)
    ui_iterate ();
  g_assert_false (response->answered);
}

/* Several requests at once, each its own window and answer; a caller that
 * leaves the bus takes its assistants with it. */
static void
test_parallel_and_caller_gone (void)
{
  g_autoptr(GDBusConnection) other = new_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) second = NULL;
  g_autoptr(GVariant) mine = NULL;
  const char *first_path, *second_path;
  guint windows = count_windows ();

  first = call_on (other, OBJECT_PATH, INTERFACE, "SetupAccount",
                   g_variant_new ("(ss@a{sv})", "", "alice@example.com", options_with_token ("a", NULL)), &error);
  g_assert_no_error (error);
  second = call_on (other, OBJECT_PATH, INTERFACE, "SetupAccount",
                    g_variant_new ("(ss@a{sv})", "", "bob@example.com", options_with_token ("b", NULL)), &error);
  g_assert_no_error (error);
  mine = call_on (client, OBJECT_PATH, INTERFACE, "SetupAccount",
                  g_variant_new ("(ss@a{sv})", "", "carol@example.com", options_with_token ("c", NULL)), &error);
  g_assert_no_error (error);
  ui_iterate ();
  g_variant_get (first, "(&o)", &first_path);
  g_variant_get (second, "(&o)", &second_path);
  g_assert_cmpstr (first_path, !=, second_path);
  g_assert_cmpuint (count_windows (), ==, windows + 3);

  g_dbus_connection_close_sync (other, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 10 && count_windows () > windows + 1; i++)
    ui_iterate ();
  /* Only the other program's two went. */
  g_assert_cmpuint (count_windows (), ==, windows + 1);

  {
    const char *mine_path;

    g_variant_get (mine, "(&o)", &mine_path);
    g_clear_pointer (&first, g_variant_unref);
    first = call_on (client, mine_path, INTERFACE ".Request", "Close", NULL, &error);
    g_assert_no_error (error);
    ui_iterate ();
    g_assert_cmpuint (count_windows (), ==, windows);
  }
}

#ifdef GDK_WINDOWING_X11
/* The assistant opens over the caller's window. */
static void
test_parent_x11 (void)
{
  GtkWidget *caller = gtk_window_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *handle = NULL;
  g_autofree char *path = NULL;
  GdkSurface *surface;
  Window parent = 0;
  Window xid;
  MsWindow *window;

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("not an X11 display");
      gtk_window_destroy (GTK_WINDOW (caller));
      return;
    }

  gtk_window_present (GTK_WINDOW (caller));
  ui_iterate ();
  xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (caller)));
  handle = g_strdup_printf ("x11:%lx", xid);

  path = setup_account (handle, "alice@example.com", options_with_token ("parent", NULL), &error);
  g_assert_no_error (error);
  window = newest_window ();
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_assert_nonnull (surface);
  g_assert_true (XGetTransientForHint (gdk_x11_display_get_xdisplay (gdk_display_get_default ()),
                                       gdk_x11_surface_get_xid (surface), &parent));
  g_assert_cmpuint (parent, ==, xid);

  call_on (client, path, INTERFACE ".Request", "Close", NULL, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (caller));
  ui_iterate ();
}
#endif

static gboolean
record_open_cb (MsLauncher *launcher,
                GtkWindow  *parent,
                const char *uri,
                gpointer    data)
{
  return TRUE;   /* handled: no browser */
}

static void
window_added_cb (GtkApplication *application,
                 GtkWindow      *window,
                 gpointer        data)
{
  /* The test server's certificate authority. */
  g_object_set (window, "ca-file", g_getenv ("MS_TEST_CA_FILE"), NULL);
}

/* The test's provider file where the application's catalogue reads user
 * providers. */
static void
install_test_providers (void)
{
  g_autofree char *directory = ms_catalogue_get_user_directory ();
  g_autofree char *source = g_build_filename (g_getenv ("MS_TEST_PROVIDERS"), "loopback.xml", NULL);
  g_autofree char *target = g_build_filename (directory, "loopback.xml", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (directory, 0700), ==, 0);
  g_file_get_contents (source, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (target, contents, length, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  FakeResolver *resolver;
  int status;

  g_log_writer_default_set_use_stderr (TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  resolver = ui_isolate_network ();
  fake_resolver_add_mx (resolver, "exmail-hosted.test", 10, "mxbiz1.qq.com");

  install_test_providers ();

  /* The service, on the session bus, as `mail-setup --gapplication-service`
   * would put it; this process also plays the caller, on a connection of
   * its own. */
  app = ms_application_new ();
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (app)));
  g_application_hold (G_APPLICATION (app));
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
  g_signal_connect (ms_application_get_launcher (app), "open-uri", G_CALLBACK (record_open_cb), NULL);
  client = new_client ();

  g_test_add_func ("/dbus/list-providers", test_list_providers);
  g_test_add_func ("/dbus/lookup", test_lookup);
  g_test_add_func ("/dbus/bad-calls", test_bad_calls);
  g_test_add_func ("/dbus/setup-done", test_setup_done);
  g_test_add_func ("/dbus/setup-closed", test_setup_closed);
  g_test_add_func ("/dbus/close", test_close);
  g_test_add_func ("/dbus/parallel-and-caller-gone", test_parallel_and_caller_gone);
#ifdef GDK_WINDOWING_X11
  g_test_add_func ("/dbus/parent-x11", test_parent_x11);
#endif

  status = g_test_run ();

  g_object_unref (client);
  g_application_release (G_APPLICATION (app));
  g_object_unref (app);

  return status;
}
