/* test-assistant.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The assistant driven through its pages in a real X server, against a
 * real dovecot, gnome-keyring-daemon and goa-daemon (tests/test-assistant.py
 * starts them and this test): an address to a verified account saved in the
 * keyring and added to Online Accounts; a refused password to the diagnosis
 * and its fix buttons; Cancel and closing the window during a check; manual
 * settings for a domain nothing knows.
 */

#include "config.h"

#include <adwaita.h>

#include "ms-checking-page.h"
#include "ms-done-page.h"
#include "ms-failed-page.h"
#include "ms-manual-page.h"
#include "ms-password-page.h"
#include "ms-provider-page.h"
#include "ms-start-page.h"
#include "ms-window.h"
#include "ui-helpers.h"

static const char * const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };

#define CHECK_TIMEOUT_SECONDS 60

typedef struct
{
  MsCatalogue *catalogue;
  MsLauncher  *launcher;
  GPtrArray   *opened;
  MsWindow    *window;
} Fixture;

static gboolean
record_open_cb (MsLauncher *launcher,
                GtkWindow  *parent,
                const char *uri,
                GPtrArray  *opened)
{
  g_ptr_array_add (opened, g_strdup (uri));
  return TRUE;   /* handled: no browser */
}

static gboolean
check_finished (gpointer data)
{
  return g_strcmp0 (ms_window_get_page_name (MS_WINDOW (data)), "checking") != 0;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->catalogue = ms_catalogue_new (english);
  ms_catalogue_load_builtin (fixture->catalogue);
  ms_catalogue_load_directory (fixture->catalogue, g_getenv ("MS_TEST_PROVIDERS"));
  g_assert_nonnull (ms_catalogue_get_provider (fixture->catalogue, "loopback"));

  fixture->launcher = ms_launcher_new ();
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->launcher, "open-uri", G_CALLBACK (record_open_cb), fixture->opened);

  fixture->window = g_object_new (MS_TYPE_WINDOW,
                                  "catalogue", fixture->catalogue,
                                  "launcher", fixture->launcher,
                                  "ca-file", g_getenv ("MS_TEST_CA_FILE"),
                                  NULL);
  gtk_window_present (GTK_WINDOW (fixture->window));
  ui_iterate ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *)&fixture->window);
      gtk_window_destroy (GTK_WINDOW (fixture->window));
      ui_iterate ();
      g_assert_null (fixture->window);
    }
  g_clear_object (&fixture->launcher);
  g_assert_finalize_object (fixture->catalogue);
  g_ptr_array_unref (fixture->opened);
}

static GtkWidget *
page (Fixture    *fixture,
      const char *name)
{
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, name);
  g_assert_true (ms_window_get_visible_page (fixture->window) == ms_window_get_page (fixture->window, name));
  return ms_window_get_page (fixture->window, name);
}

static void
type_address (Fixture    *fixture,
              const char *email)
{
  GtkWidget *entry = ui_find_exact (page (fixture, "start"), ADW_TYPE_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (entry), email);
  ui_iterate ();
  g_signal_emit_by_name (entry, "entry-activated");
  ui_iterate ();
}

static void
enter_password (Fixture    *fixture,
                const char *email,
                const char *password)
{
  GtkWidget *password_page = page (fixture, "password");
  GtkWidget *address_row = ui_find_exact (password_page, ADW_TYPE_ENTRY_ROW);
  GtkWidget *password_row = ui_find_exact (password_page, ADW_TYPE_PASSWORD_ENTRY_ROW);

  if (email != NULL)
    gtk_editable_set_text (GTK_EDITABLE (address_row), email);
  gtk_editable_set_text (GTK_EDITABLE (password_row), password);
  ui_iterate ();
  g_assert_true (ms_password_page_get_ready (MS_PASSWORD_PAGE (password_page)));
}

static void
verify_and_wait (Fixture *fixture)
{
  g_assert_true (gtk_widget_activate_action (page (fixture, "password"), "password.verify", NULL));
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "checking");
  g_assert_true (ui_iterate_until (check_finished, fixture->window, CHECK_TIMEOUT_SECONDS));
}

static char *
setting (Fixture    *fixture,
         const char *name)
{
  return ms_done_page_dup_setting (MS_DONE_PAGE (page (fixture, "done")), name);
}

/* Whether goa-daemon has a mail account for @email. */
static gboolean
goa_has_mail_account (const char *email)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) objects = NULL;
  GVariant *interfaces;
  gboolean found = FALSE;

  g_assert_nonnull (bus);
  reply = g_dbus_connection_call_sync (bus, "org.gnome.OnlineAccounts", "/org/gnome/OnlineAccounts",
                                       "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                       NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
  g_assert_nonnull (reply);

  g_variant_get (reply, "(a{oa{sa{sv}}})", &objects);
  while (g_variant_iter_next (objects, "{&o@a{sa{sv}}}", NULL, &interfaces))
    {
      g_autoptr(GVariant) mail = g_variant_lookup_value (interfaces, "org.gnome.OnlineAccounts.Mail", NULL);
      const char *address = NULL;

      if (mail != NULL && g_variant_lookup (mail, "EmailAddress", "&s", &address))
        found |= g_strcmp0 (address, email) == 0;
      g_variant_unref (interfaces);
    }

  return found;
}

static gboolean
goa_state_settled (gpointer data)
{
  MsGoaState state = ms_done_page_get_goa_state (MS_DONE_PAGE (data));

  return state != MS_GOA_STATE_UNAVAILABLE && state != MS_GOA_STATE_ADDING;
}

static void
test_verified_and_stored (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *password = ui_read_test_file ("MS_TEST_PASSWORD_FILE");
  g_autofree char *stored = NULL;
  g_autofree char *value = NULL;
  GtkWidget *guide;
  GtkWidget *button;
  MsDonePage *done;

  /* The address finds its provider as it is typed. */
  type_address (fixture, "alice@example.com");
  guide = page (fixture, "guide");
  g_assert_cmpstr (ms_provider_get_id (ms_provider_page_get_provider (MS_PROVIDER_PAGE (guide))), ==, "loopback");

  /* The step's button opens exactly its page. */
  button = ui_find_action_button (guide, "page.open-uri");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, g_getenv ("MS_TEST_SETTINGS_URL"));

  g_assert_true (gtk_widget_activate_action (guide, "page.continue", NULL));
  ui_iterate ();

  /* The address came along; nothing is typed twice. */
  enter_password (fixture, NULL, password);
  verify_and_wait (fixture);

  done = MS_DONE_PAGE (page (fixture, "done"));
  g_assert_cmpstr ((value = setting (fixture, "imap-server")), ==, "127.0.0.1");
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr ((value = setting (fixture, "imap-port")), ==, g_getenv ("MS_TEST_IMAP_PORT"));
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr ((value = setting (fixture, "imap-security")), ==, "SSL/TLS");
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr ((value = setting (fixture, "smtp-port")), ==, g_getenv ("MS_TEST_SMTP_PORT"));
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr ((value = setting (fixture, "username")), ==, "alice@example.com");
  g_clear_pointer (&value, g_free);
  g_assert_null (setting (fixture, "smtp-username"));
  g_assert_cmpstr (ms_done_page_get_stored_text (done), ==,
                   "Saved in your login keyring, where Evolution, Geary, Thunderbird and other mail programs find it.");

  /* In the real keyring, where mail programs look; the field is empty. */
  stored = ui_keyring_lookup ("127.0.0.1", "alice@example.com");
  g_assert_true (g_strcmp0 (stored, password) == 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_find_exact (ms_window_get_page (fixture->window, "password"),
                                                                     ADW_TYPE_PASSWORD_ENTRY_ROW))), ==, "");

  /* goa-daemon runs in this session: the account can go there too. */
  g_assert_true (ui_iterate_until (goa_state_settled, done, 10));
  g_assert_cmpint (ms_done_page_get_goa_state (done), ==, MS_GOA_STATE_AVAILABLE);
  g_assert_false (goa_has_mail_account ("alice@example.com"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-to-goa", NULL));
  g_assert_true (ui_iterate_until (goa_state_settled, done, 30));
  g_assert_cmpint (ms_done_page_get_goa_state (done), ==, MS_GOA_STATE_ADDED);
  g_assert_true (goa_has_mail_account ("alice@example.com"));

  /* Adding again finds the account and leaves it alone. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-to-goa", NULL));
  g_assert_true (ui_iterate_until (goa_state_settled, done, 30));
  g_assert_cmpint (ms_done_page_get_goa_state (done), ==, MS_GOA_STATE_EXISTING);

  /* No way back into a finished setup, only forward. */
  g_assert_null (ui_find_action_button (GTK_WIDGET (fixture->window), "win.back"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-over", NULL));
  ui_iterate ();
  page (fixture, "start");
}

static void
test_refused_password (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *wrong = ui_read_test_file ("MS_TEST_WRONG_PASSWORD_FILE");
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(MsServer) imap = NULL;
  GtkWidget *failed;
  GtkWidget *button;
  gboolean server_words = FALSE;

  /* Picked from the list, no address yet: the password page asks for it. */
  g_assert_true (ms_window_show_provider (fixture->window, "loopback"));
  g_assert_true (gtk_widget_activate_action (page (fixture, "guide"), "page.continue", NULL));
  ui_iterate ();
  g_assert_false (ms_password_page_get_ready (MS_PASSWORD_PAGE (page (fixture, "password"))));
  g_assert_false (gtk_widget_activate_action (page (fixture, "password"), "password.verify", NULL) &&
                  g_strcmp0 (ms_window_get_page_name (fixture->window), "checking") == 0);

  enter_password (fixture, "bob@example.com", wrong);
  verify_and_wait (fixture);

  /* The diagnosis in the provider's words, and the fix. */
  failed = page (fixture, "failed");
  g_assert_cmpint (ms_failed_page_get_kind (MS_FAILED_PAGE (failed)), ==, MS_ERROR_KIND_AUTH_FAILED);
  {
    GtkWidget *status = ui_find_exact (failed, ADW_TYPE_STATUS_PAGE);
    g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "The Password Was Not Accepted");
    g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)),
                              "The test server did not take the app password."));
  }

  button = ui_find_action_button (failed, "win.open-uri");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Open “Make an app password”");
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, g_getenv ("MS_TEST_SETTINGS_URL"));

  g_assert_nonnull (ui_find_action_button (failed, "win.retry"));
  g_assert_nonnull (ui_find_action_button (failed, "win.edit-settings"));
  g_assert_null (ui_find_action_button (failed, "win.copy-admin-steps"));   /* no administrator here */
  g_assert_null (ui_find_action_button (failed, "win.retry-backup"));       /* not a network failure */

  /* The server's own words are there, behind the expander. */
  rows = ui_find_all (failed, ADW_TYPE_ACTION_ROW);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *subtitle = adw_action_row_get_subtitle (g_ptr_array_index (rows, i));
      server_words |= subtitle != NULL && strstr (subtitle, "Authentication failed") != NULL;
    }
  {
    GtkWidget *expander = ui_find_exact (failed, ADW_TYPE_EXPANDER_ROW);
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
    ui_iterate ();
    g_ptr_array_unref (rows);
    rows = ui_find_all (expander, ADW_TYPE_ACTION_ROW);
    for (guint i = 0; i < rows->len; i++)
      {
        const char *subtitle = adw_action_row_get_subtitle (g_ptr_array_index (rows, i));
        server_words |= subtitle != NULL && strstr (subtitle, "Authentication failed") != NULL;
      }
  }
  g_assert_true (server_words);

  /* Nothing was stored. */
  stored = ui_keyring_lookup ("127.0.0.1", "bob@example.com");
  g_assert_null (stored);

  /* Edit Settings starts from what was tried. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-settings", NULL));
  ui_iterate ();
  imap = ms_manual_page_dup_server (MS_MANUAL_PAGE (page (fixture, "manual")), MS_PROTOCOL_IMAP);
  g_assert_nonnull (imap);
  g_assert_cmpstr (imap->hostname, ==, "127.0.0.1");
  g_assert_cmpuint (imap->port, ==, atoi (g_getenv ("MS_TEST_IMAP_PORT")));

  /* Back, then Try Again: the password page, with what was typed kept. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.back", NULL));
  ui_iterate ();
  page (fixture, "failed");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.retry", NULL));
  ui_iterate ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_find_exact (page (fixture, "password"),
                                                                     ADW_TYPE_PASSWORD_ENTRY_ROW))), ==, wrong);
}

static gboolean
progress_shown (gpointer data)
{
  MsCheckingPage *checking = data;

  return strstr (ms_checking_page_get_status (checking, MS_PROTOCOL_IMAP), "127.0.0.1") != NULL &&
         strstr (ms_checking_page_get_status (checking, MS_PROTOCOL_SMTP), "127.0.0.1") != NULL;
}

static void
start_silent_check (Fixture *fixture)
{
  type_address (fixture, "someone@silent.test");
  g_assert_true (gtk_widget_activate_action (page (fixture, "guide"), "page.continue", NULL));
  ui_iterate ();
  enter_password (fixture, NULL, "whatever-it-is");
  g_assert_true (gtk_widget_activate_action (page (fixture, "password"), "password.verify", NULL));
  g_assert_true (ui_iterate_until (progress_shown, page (fixture, "checking"), 10));
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  start_silent_check (fixture);

  /* The server never answers: Cancel returns at once, and stays. */
  g_assert_true (gtk_widget_activate_action (page (fixture, "checking"), "checking.cancel", NULL));
  ui_iterate ();
  page (fixture, "password");
  for (guint i = 0; i < 20; i++)
    ui_iterate ();
  page (fixture, "password");
}

static void
test_close_cancels (Fixture       *fixture,
                    gconstpointer  data)
{
  gint64 start;

  start_silent_check (fixture);

  /* Closing the window stops the check: the window goes away without
   * waiting for the silent server's timeouts. */
  start = g_get_monotonic_time ();
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *)&fixture->window);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (fixture->window != NULL && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (fixture->window);
}

/* An address nothing knows, then manual settings for dovecot (localhost,
 * alice's login), IMAP with @imap_security on the implicit-TLS port, and
 * the password: the check runs to its end. */
static void
check_manual_settings (Fixture    *fixture,
                       MsSecurity  imap_security)
{
  g_autofree char *password = ui_read_test_file ("MS_TEST_PASSWORD_FILE");
  g_autoptr(MsServer) imap = NULL;
  g_autoptr(MsServer) smtp = NULL;
  GtkWidget *start;
  GtkWidget *button;

  /* Nothing knows this domain: say so, offer manual settings. */
  type_address (fixture, "alice@unknown.test");
  start = page (fixture, "start");
  g_assert_null (ms_start_page_get_detected (MS_START_PAGE (start)));
  button = ui_find_button (start, "_Enter Settings");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  ui_iterate ();

  imap = ms_server_new (MS_PROTOCOL_IMAP, "localhost", atoi (g_getenv ("MS_TEST_IMAP_PORT")),
                        imap_security, NULL);
  smtp = ms_server_new (MS_PROTOCOL_SMTP, "localhost", atoi (g_getenv ("MS_TEST_SMTP_PORT")),
                        MS_SECURITY_SSL, NULL);
  ms_manual_page_set_servers (MS_MANUAL_PAGE (page (fixture, "manual")), imap, smtp, "alice@example.com");
  ui_iterate ();
  g_assert_true (ms_manual_page_get_valid (MS_MANUAL_PAGE (page (fixture, "manual"))));
  g_assert_true (gtk_widget_activate_action (page (fixture, "manual"), "manual.continue", NULL));
  ui_iterate ();

  enter_password (fixture, NULL, password);
  verify_and_wait (fixture);
}

static void
test_manual_settings (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *value = NULL;

  check_manual_settings (fixture, MS_SECURITY_SSL);

  page (fixture, "done");
  g_assert_cmpstr ((value = setting (fixture, "username")), ==, "alice@example.com");
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr ((value = setting (fixture, "smtp-port")), ==, g_getenv ("MS_TEST_SMTP_PORT"));
}

/* STARTTLS chosen for dovecot's implicit-TLS port: the failure names the
 * setting, the manual page offers the switch, and with it the check works. */
static void
test_wrong_security_mode (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *password = ui_read_test_file ("MS_TEST_PASSWORD_FILE");
  g_autoptr(MsServer) fixed = NULL;
  GtkWidget *failed;
  GtkWidget *button;

  check_manual_settings (fixture, MS_SECURITY_STARTTLS);

  failed = page (fixture, "failed");
  g_assert_cmpint (ms_failed_page_get_kind (MS_FAILED_PAGE (failed)), ==, MS_ERROR_KIND_WRONG_SECURITY_MODE);
  button = ui_find_action_button (failed, "win.edit-settings");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Change the Security Setting");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_signal_emit_by_name (button, "clicked");
  ui_iterate ();

  /* The offer is under the IMAP server only. */
  button = ui_find_action_button (page (fixture, "manual"), "manual.use-offered-security");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Use _SSL/TLS");
  g_signal_emit_by_name (button, "clicked");
  ui_iterate ();
  fixed = ms_manual_page_dup_server (MS_MANUAL_PAGE (page (fixture, "manual")), MS_PROTOCOL_IMAP);
  g_assert_cmpint (fixed->security, ==, MS_SECURITY_SSL);
  g_assert_cmpuint (fixed->port, ==, atoi (g_getenv ("MS_TEST_IMAP_PORT")));

  g_assert_true (gtk_widget_activate_action (page (fixture, "manual"), "manual.continue", NULL));
  ui_iterate ();
  enter_password (fixture, NULL, password);
  verify_and_wait (fixture);
  page (fixture, "done");
}

int
main (int   argc,
      char *argv[])
{
  /* Standard output is the TAP stream; the debug traces go to the log. */
  g_log_writer_default_set_use_stderr (TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ui_isolate_network ();

  g_test_add ("/assistant/verified-and-stored", Fixture, NULL, fixture_set_up, test_verified_and_stored, fixture_tear_down);
  g_test_add ("/assistant/refused-password", Fixture, NULL, fixture_set_up, test_refused_password, fixture_tear_down);
  g_test_add ("/assistant/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/assistant/close-cancels", Fixture, NULL, fixture_set_up, test_close_cancels, fixture_tear_down);
  g_test_add ("/assistant/manual-settings", Fixture, NULL, fixture_set_up, test_manual_settings, fixture_tear_down);
  g_test_add ("/assistant/wrong-security-mode", Fixture, NULL, fixture_set_up, test_wrong_security_mode, fixture_tear_down);

  return g_test_run ();
}
