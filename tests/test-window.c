/* test-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window in a real X server: it lists the providers, search filters
 * them by English name, Chinese name and domain, an address opens its
 * provider, and a step's button opens that step's page (through a test
 * launcher that records the address instead of starting a browser). A
 * domain the catalogue does not know is looked up on the network — here a
 * fake resolver's MX and SRV records, and a test ISPDB (tests/ispdb/) —
 * while the user types; a domain whose provider offers only POP3, only
 * unencrypted IMAP or only OAuth 2.0 sign-in is told so. A password
 * typed for one account is wiped when the user comes back to it with
 * another, whichever way back they took (the keys pressed through the X
 * server), and kept for the same one.
 */

#include "config.h"

#include <adwaita.h>

#include "ms-manual-page.h"
#include "ms-password-page.h"
#include "ms-provider-page.h"
#include "ms-start-page.h"
#include "ms-window.h"
#include "ispdb-fixtures.h"
#include "ui-helpers.h"

static const char * const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };

/* Made for the tests that ask it, once. */
static IspdbServer *ispdb;

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

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->catalogue = ms_catalogue_new (english);
  ms_catalogue_load_builtin (fixture->catalogue);
  fixture->launcher = ms_launcher_new ();
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->launcher, "open-uri", G_CALLBACK (record_open_cb), fixture->opened);

  fixture->window = ms_window_new (NULL, fixture->catalogue, fixture->launcher);
  gtk_window_present (GTK_WINDOW (fixture->window));
  ui_iterate ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
}

/* The window's lookups ask the test's ISPDB too. */
static void
ispdb_fixture_set_up (Fixture       *fixture,
                      gconstpointer  data)
{
  if (ispdb == NULL)
    ispdb = ispdb_server_new ();
  ui_lookup_use_ispdb (ispdb_server_get_url (ispdb), ispdb_server_get_ca_file (ispdb));
  fixture_set_up (fixture, data);
  ui_lookup_use_ispdb (NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  ui_iterate ();
  g_clear_object (&fixture->launcher);
  g_assert_finalize_object (fixture->catalogue);
  g_ptr_array_unref (fixture->opened);
}

static gboolean
lookup_done (gpointer data)
{
  return !ms_start_page_get_looking_up (MS_START_PAGE (data));
}

static GtkWidget *
find_one (GtkWidget *root,
          GType      type)
{
  g_autoptr(GPtrArray) all = ui_find_all (root, type);

  g_assert_cmpuint (all->len, >=, 1);
  return g_ptr_array_index (all, 0);
}

/* The list of providers (the address group has a list box too). */
static GtkListBox *
provider_list (Fixture *fixture)
{
  g_autoptr(GPtrArray) lists = ui_find_all (ms_window_get_visible_page (fixture->window), GTK_TYPE_LIST_BOX);

  for (guint i = 0; i < lists->len; i++)
    {
      GtkWidget *list = g_ptr_array_index (lists, i);

      if (gtk_widget_has_css_class (list, "boxed-list") &&
          gtk_widget_get_ancestor (list, ADW_TYPE_PREFERENCES_GROUP) == NULL)
        return GTK_LIST_BOX (list);
    }

  g_assert_not_reached ();
}

static guint
count_rows (GtkListBox *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;

  return n;
}

typedef struct
{
  const char *text;
  gboolean    searched;
} Search;

static void
search_changed_cb (GtkSearchEntry *entry,
                   Search         *search)
{
  search->searched |= g_str_equal (gtk_editable_get_text (GTK_EDITABLE (entry)), search->text);
}

static gboolean
searched (gpointer data)
{
  return ((Search *)data)->searched;
}

static void
search (Fixture    *fixture,
        const char *text)
{
  GtkWidget *entry = find_one (ms_window_get_visible_page (fixture->window), GTK_TYPE_SEARCH_ENTRY);
  Search wait = { text, FALSE };
  gulong id = g_signal_connect (entry, "search-changed", G_CALLBACK (search_changed_cb), &wait);

  /* GtkSearchEntry delays search-changed (and emits it at once for the
   * empty text on the way); the page filters when it comes for @text (its
   * handler runs before this one). */
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  g_assert_true (ui_iterate_until (searched, &wait, 20));
  g_signal_handler_disconnect (entry, id);
}

static void
test_lists_providers (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkListBox *list = provider_list (fixture);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (fixture->catalogue));

  g_assert_cmpuint (n, >=, 6);
  g_assert_cmpuint (count_rows (list), ==, n);

  /* Rows show the name and the domains. */
  {
    g_autoptr(GPtrArray) rows = ui_find_all (GTK_WIDGET (list), ADW_TYPE_ACTION_ROW);
    gboolean saw_qq = FALSE;

    for (guint i = 0; i < rows->len; i++)
      {
        AdwActionRow *row = g_ptr_array_index (rows, i);

        if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "QQ Mail") == 0)
          {
            saw_qq = TRUE;
            g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "qq.com, foxmail.com, vip.qq.com");
          }
      }
    g_assert_true (saw_qq);
  }
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  GtkListBox *list = provider_list (fixture);
  guint n = count_rows (list);

  search (fixture, "网易");
  g_assert_cmpuint (count_rows (list), ==, 2);

  /* Aliyun's enterprise mail and its personal mail (aliyun.com). */
  search (fixture, "aliyun");
  g_assert_cmpuint (count_rows (list), ==, 2);

  search (fixture, "aliyun.com");
  g_assert_cmpuint (count_rows (list), ==, 1);

  search (fixture, "126.com");
  g_assert_cmpuint (count_rows (list), ==, 1);

  search (fixture, "no such provider");
  g_assert_cmpuint (count_rows (list), ==, 0);
  {
    GtkWidget *status = find_one (ms_window_get_visible_page (fixture->window), ADW_TYPE_STATUS_PAGE);
    g_assert_true (gtk_widget_get_child_visible (status));
  }

  search (fixture, "");
  g_assert_cmpuint (count_rows (list), ==, n);
}

static GtkWidget *
current_provider_page (Fixture *fixture)
{
  GtkWidget *page = ms_window_get_visible_page (fixture->window);

  g_assert_true (MS_IS_PROVIDER_PAGE (page));
  return page;
}

static void
test_email_opens_provider_and_steps (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *page;
  guint opened = 0;

  ms_window_set_email (fixture->window, "  someone@Foxmail.com ");
  ui_iterate ();

  page = current_provider_page (fixture);
  g_assert_cmpstr (ms_provider_get_id (ms_provider_page_get_provider (MS_PROVIDER_PAGE (page))), ==, "qq");

  /* Each “Open Page” button opens its step's page, through the launcher. */
  buttons = ui_find_all (page, GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "page.open-uri") != 0)
        continue;

      g_signal_emit_by_name (button, "clicked");
      opened++;
    }

  g_assert_cmpuint (opened, ==, 2);
  g_assert_cmpuint (fixture->opened->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://mail.qq.com/");

  /* Back to the list. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.back", NULL));
  ui_iterate ();
  g_assert_false (MS_IS_PROVIDER_PAGE (ms_window_get_visible_page (fixture->window)));
}

static void
test_admin_steps (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *text = NULL;
  GtkWidget *page;
  gboolean admin_shown = FALSE;

  g_assert_true (ms_window_show_provider (fixture->window, "exmail"));
  g_assert_false (ms_window_show_provider (fixture->window, "no-such-provider"));
  ui_iterate ();
  page = current_provider_page (fixture);

  groups = ui_find_all (page, ADW_TYPE_PREFERENCES_GROUP);
  for (guint i = 0; i < groups->len; i++)
    {
      const char *title = adw_preferences_group_get_title (g_ptr_array_index (groups, i));
      admin_shown |= g_strcmp0 (title, "For Your Mail Administrator") == 0;
    }
  g_assert_true (admin_shown);

  /* The text to send the administrator names the console page. */
  text = ms_provider_page_dup_admin_text (MS_PROVIDER_PAGE (page));
  g_assert_nonnull (strstr (text, "https://work.weixin.qq.com/wework_admin/frame#/apps/qykit/proxy/exmail"));
  g_assert_nonnull (strstr (text, "Tencent Exmail"));
  g_assert_null (strstr (text, "exmail.qq.com/login"));
  g_assert_true (gtk_widget_activate_action (page, "page.copy-admin-steps", NULL));
}

static void
test_search_activate_address (Fixture       *fixture,
                              gconstpointer  data)
{
  GtkWidget *entry = find_one (ms_window_get_visible_page (fixture->window), GTK_TYPE_SEARCH_ENTRY);
  GtkWidget *page;

  search (fixture, "me@yeah.net");
  g_signal_emit_by_name (entry, "activate");
  ui_iterate ();

  page = current_provider_page (fixture);
  g_assert_cmpstr (ms_provider_get_id (ms_provider_page_get_provider (MS_PROVIDER_PAGE (page))), ==, "netease");
}

static GtkWidget *
address_row (Fixture *fixture)
{
  g_autoptr(GPtrArray) rows = ui_find_all (ms_window_get_visible_page (fixture->window), ADW_TYPE_ENTRY_ROW);

  g_assert_cmpuint (rows->len, ==, 1);
  return g_ptr_array_index (rows, 0);
}

/* The row under the address that says what it belongs to. */
static AdwActionRow *
detected_row (Fixture *fixture)
{
  GtkWidget *group = gtk_widget_get_ancestor (address_row (fixture), ADW_TYPE_PREFERENCES_GROUP);
  g_autoptr(GPtrArray) rows = ui_find_all (group, ADW_TYPE_ACTION_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (G_OBJECT_TYPE (g_ptr_array_index (rows, i)) == ADW_TYPE_ACTION_ROW)
      return g_ptr_array_index (rows, i);

  return NULL;
}

/* The offer to look over plain HTTP, when it is on screen. */
static GtkWidget *
http_row (Fixture *fixture)
{
  GtkWidget *group = gtk_widget_get_ancestor (address_row (fixture), ADW_TYPE_PREFERENCES_GROUP);
  g_autoptr(GPtrArray) rows = ui_find_all (group, ADW_TYPE_ACTION_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      const char *title = adw_preferences_row_get_title (g_ptr_array_index (rows, i));

      if (strstr (title, "Unencrypted HTTP") != NULL)
        return g_ptr_array_index (rows, i);
    }

  return NULL;
}

static void
test_live_detection (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkWidget *entry = address_row (fixture);
  MsStartPage *start = MS_START_PAGE (ms_window_get_visible_page (fixture->window));
  AdwActionRow *row;

  /* Not an address yet: nothing said. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "wang");
  ui_iterate ();
  g_assert_null (detected_row (fixture));

  /* Its provider as soon as the domain is typed, even in full-width. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "wang＠163.com");
  ui_iterate ();
  row = detected_row (fixture);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "NetEase Mail");
  g_assert_cmpstr (ms_provider_get_id (ms_start_page_get_detected (start)), ==, "netease");
  g_assert_nonnull (ui_find_button (GTK_WIDGET (row), "_Continue"));
  g_assert_null (ui_find_button (GTK_WIDGET (row), "_Enter Settings"));

  /* A domain nothing knows: looked up, then said so, with manual settings
   * offered. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "wang@example.org");
  g_assert_true (ms_start_page_get_looking_up (start));
  g_assert_true (ui_iterate_until (lookup_done, start, 20));
  row = detected_row (fixture);
  g_assert_nonnull (row);
  g_assert_null (ms_start_page_get_detected (start));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "example.org"));
  g_assert_nonnull (ui_find_button (GTK_WIDGET (row), "_Enter Settings"));
  g_assert_null (ui_find_button (GTK_WIDGET (row), "_Continue"));

  /* Plain HTTP only when the user says so: then once more, and not offered
   * again for this address. */
  {
    GtkWidget *http = http_row (fixture);

    g_assert_nonnull (http);
    g_signal_emit_by_name (http, "activated");
    g_assert_true (ms_start_page_get_looking_up (start));
    g_assert_null (http_row (fixture));
    g_assert_true (ui_iterate_until (lookup_done, start, 20));
    g_assert_null (http_row (fixture));
    g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (detected_row (fixture))),
                              "No Settings Known"));
  }

  /* Enter on something that is not an address says why. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "wang@");
  ui_iterate ();
  g_assert_null (detected_row (fixture));
  g_signal_emit_by_name (entry, "entry-activated");
  ui_iterate ();
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  row = detected_row (fixture);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "This Is Not a Complete Address");
  g_assert_true (MS_IS_START_PAGE (ms_window_get_visible_page (fixture->window)));

  /* A known address and Enter: on to its provider's steps. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "wang@126.com");
  ui_iterate ();
  g_signal_emit_by_name (entry, "entry-activated");
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "guide");
}

/* Outlook.com takes no password from mail programs: its guide says so
 * plainly and offers no way on to a password that would fail. */
static void
test_oauth_only (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkWidget *page;

  g_assert_true (ms_window_show_provider (fixture->window, "outlook"));
  ui_iterate ();
  page = current_provider_page (fixture);
  g_assert_nonnull (ui_find_label (page, "Outlook.com / Microsoft 365"));
  {
    g_autoptr(GPtrArray) labels = ui_find_all (page, GTK_TYPE_LABEL);
    gboolean said = FALSE;

    for (guint i = 0; i < labels->len; i++)
      said |= strstr (gtk_label_get_text (g_ptr_array_index (labels, i)),
                      "no longer lets mail programs sign in with a password") != NULL;
    g_assert_true (said);
  }
  g_assert_false (gtk_widget_is_sensitive (ui_find_action_button (page, "page.continue")));
  gtk_widget_activate_action (page, "page.continue", NULL);
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "guide");
}

/* A company domain whose MX records point at Exmail: looked up while the
 * user types, then shown as Exmail; the same domain again is instant. */
static void
test_network_lookup (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkWidget *entry = address_row (fixture);
  MsStartPage *start = MS_START_PAGE (ms_window_get_visible_page (fixture->window));
  g_autoptr(GPtrArray) spinners = NULL;
  AdwActionRow *row;

  /* The row says so at once (the lookup itself waits for a pause in
   * typing). */
  gtk_editable_set_text (GTK_EDITABLE (entry), "li@exmail-hosted.test");
  g_assert_true (ms_start_page_get_looking_up (start));
  row = detected_row (fixture);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "Looking for"));
  spinners = ui_find_all (GTK_WIDGET (row), GTK_TYPE_SPINNER);
  g_assert_cmpuint (spinners->len, ==, 1);
  g_assert_null (ui_find_button (GTK_WIDGET (row), "_Continue"));
  /* The user can skip the lookup. */
  g_assert_nonnull (ui_find_button (GTK_WIDGET (row), "_Enter Settings"));

  /* Typing on in the same domain does not start over. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "li.na@exmail-hosted.test");
  g_assert_true (ms_start_page_get_looking_up (start));

  g_assert_true (ui_iterate_until (lookup_done, start, 20));
  g_assert_cmpstr (ms_provider_get_id (ms_start_page_get_detected (start)), ==, "exmail");
  row = detected_row (fixture);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Tencent Exmail");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "mail server records"));
  g_assert_nonnull (ui_find_button (GTK_WIDGET (row), "_Continue"));

  /* Another address at the same domain: known at once. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "zhang@exmail-hosted.test");
  g_assert_false (ms_start_page_get_looking_up (start));
  g_assert_cmpstr (ms_provider_get_id (ms_start_page_get_detected (start)), ==, "exmail");

  /* Enter while the lookup runs: on to the guide once it answers. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "wang@qiye-hosted.test");
  g_signal_emit_by_name (entry, "entry-activated");
  g_assert_true (ms_start_page_get_looking_up (start));
  g_assert_true (ui_iterate_until (lookup_done, start, 20));
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "guide");
}

/* SRV records name servers no provider claims: they are shown on the
 * manual page, prefilled, for the user to check. */
static void
test_found_settings (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkWidget *entry = address_row (fixture);
  MsStartPage *start = MS_START_PAGE (ms_window_get_visible_page (fixture->window));
  MsManualPage *manual;
  g_autoptr(MsServer) imap = NULL;
  g_autoptr(MsServer) smtp = NULL;
  AdwActionRow *row;

  gtk_editable_set_text (GTK_EDITABLE (entry), "bob@srv.test");
  g_assert_true (ui_iterate_until (lookup_done, start, 20));
  g_assert_null (ms_start_page_get_detected (start));
  g_assert_nonnull (ms_start_page_get_found (start));
  row = detected_row (fixture);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Settings Found for srv.test");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "service records"));

  g_assert_nonnull (ui_find_button (GTK_WIDGET (row), "_Continue"));
  g_signal_emit_by_name (ui_find_button (GTK_WIDGET (row), "_Continue"), "clicked");
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "manual");
  manual = MS_MANUAL_PAGE (ms_window_get_visible_page (fixture->window));
  imap = ms_manual_page_dup_server (manual, MS_PROTOCOL_IMAP);
  smtp = ms_manual_page_dup_server (manual, MS_PROTOCOL_SMTP);
  g_assert_nonnull (imap);
  g_assert_nonnull (smtp);
  g_assert_cmpstr (imap->hostname, ==, "imap.srv.test");
  g_assert_cmpuint (imap->port, ==, 993);
  g_assert_cmpint (imap->security, ==, MS_SECURITY_SSL);
  g_assert_cmpstr (smtp->hostname, ==, "smtp.srv.test");
  g_assert_cmpuint (smtp->port, ==, 587);
  g_assert_cmpint (smtp->security, ==, MS_SECURITY_STARTTLS);
  g_assert_nonnull (ui_find_label (GTK_WIDGET (manual),
                                   "Found in what srv.test publishes about its mail servers. Check them before you go on."));
}

/* The ISPDB says POP3 only, IMAP without TLS only, or OAuth 2.0 only:
 * the row says so plainly, and nothing leads on to a password. */
static void
test_no_imap_note (Fixture       *fixture,
                   gconstpointer  data)
{
  const struct
  {
    const char *email;
    const char *title;
    const char *says;
  } cases[] = {
    { "ann@pop3only.test", "Only POP3 Offered for pop3only.test", "offers only POP3 for incoming mail" },
    { "ann@plainimap.test", "Only Unencrypted IMAP Offered for plainimap.test", "offers IMAP only without encryption" },
    { "ann@oauthonly.test", "No Password Works for oauthonly.test", "takes no password from mail programs" },
  };
  GtkWidget *entry = address_row (fixture);
  MsStartPage *start = MS_START_PAGE (ms_window_get_visible_page (fixture->window));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      AdwActionRow *row;

      g_test_message ("%s", cases[i].email);
      gtk_editable_set_text (GTK_EDITABLE (entry), cases[i].email);
      g_assert_true (ui_iterate_until (lookup_done, start, UI_LOOKUP_GUARD_S + 10));

      row = detected_row (fixture);
      g_assert_nonnull (row);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, cases[i].title);
      g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), cases[i].says));
      g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "cannot set"));
      g_assert_null (ms_start_page_get_detected (start));
      g_assert_null (ms_start_page_get_found (start));
      g_assert_null (ui_find_button (GTK_WIDGET (row), "_Continue"));
      /* The user may still know better. */
      g_assert_nonnull (ui_find_button (GTK_WIDGET (row), "_Enter Settings"));
      /* The domain has said what it offers: no offer to look over HTTP. */
      g_assert_null (http_row (fixture));

      /* Enter goes nowhere near a password. */
      g_signal_emit_by_name (entry, "entry-activated");
      ui_iterate ();
      g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "start");
    }

  /* A document that offers IMAP over TLS beside OAuth2-only servers: those
   * that take a password, on the manual page. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "ann@mixed.test");
  g_assert_true (ui_iterate_until (lookup_done, start, UI_LOOKUP_GUARD_S + 10));
  g_assert_nonnull (ms_start_page_get_found (start));
  g_signal_emit_by_name (entry, "entry-activated");
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "manual");
  {
    g_autoptr(MsServer) imap = ms_manual_page_dup_server (MS_MANUAL_PAGE (ms_window_get_visible_page (fixture->window)),
                                                          MS_PROTOCOL_IMAP);

    g_assert_cmpstr (imap->hostname, ==, "imap.mixed.test");
  }
}

static void
test_step_ticks (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) checks = NULL;
  GtkWidget *page;
  GtkWidget *row;

  g_assert_true (ms_window_show_provider (fixture->window, "exmail"));
  ui_iterate ();
  page = current_provider_page (fixture);

  /* Every step can be ticked off; a ticked step is dimmed. */
  checks = ui_find_all (page, GTK_TYPE_CHECK_BUTTON);
  g_assert_cmpuint (checks->len, >=, 3);
  row = gtk_widget_get_ancestor (g_ptr_array_index (checks, 0), ADW_TYPE_ACTION_ROW);
  g_assert_false (gtk_widget_has_css_class (row, "step-done"));
  gtk_check_button_set_active (g_ptr_array_index (checks, 0), TRUE);
  g_assert_true (gtk_widget_has_css_class (row, "step-done"));
  gtk_check_button_set_active (g_ptr_array_index (checks, 0), FALSE);
  g_assert_false (gtk_widget_has_css_class (row, "step-done"));

  /* An administrator's link can be copied to send it. */
  g_assert_true (gtk_widget_activate_action (page, "page.copy-uri", "s", "https://exmail.qq.com/"));

  /* On to the password, named as the provider names it. */
  g_assert_true (gtk_widget_activate_action (page, "page.continue", NULL));
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "password");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.back", NULL));
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "guide");
}

/* A password typed for one account never reaches another: whichever way
 * the user goes back, another address, provider or server wipes it (from
 * the field, and the buffer that held it is freed, which wipes its
 * memory); the same account keeps it. */

#define QQ_CODE "abcdefghijklmnop"

typedef enum
{
  WAY_BACK_BUTTON,
  WAY_ESCAPE,
  WAY_ALT_LEFT,
} WayBack;

/* What to wait for: a page by its name, or the end of the password. */
typedef struct
{
  Fixture    *fixture;
  const char *text;
} Wait;

static gboolean
page_shown (gpointer data)
{
  Wait *wait = data;
  MsWindow *window = wait->fixture->window;

  return g_strcmp0 (ms_window_get_page_name (window), wait->text) == 0 &&
         ms_window_get_visible_page (window) == ms_window_get_page (window, wait->text);
}

static GtkWidget *
wait_for_page (Fixture    *fixture,
               const char *name)
{
  Wait wait = { fixture, name };

  g_assert_true (ui_iterate_until (page_shown, &wait, 20));
  return ms_window_get_page (fixture->window, name);
}

static GtkEditable *
password_field (Fixture *fixture)
{
  GtkWidget *page = ms_window_get_page (fixture->window, "password");

  return GTK_EDITABLE (ui_find_exact (page, ADW_TYPE_PASSWORD_ENTRY_ROW));
}

static const char *
typed_password (Fixture *fixture)
{
  return gtk_editable_get_text (password_field (fixture));
}

/* What holds the password's bytes: the field's buffer. */
static GtkEntryBuffer *
password_buffer (Fixture *fixture)
{
  return gtk_text_get_buffer (GTK_TEXT (gtk_editable_get_delegate (password_field (fixture))));
}

static const char *
shown_address (Fixture *fixture)
{
  GtkWidget *page = ms_window_get_page (fixture->window, "password");

  return gtk_editable_get_text (GTK_EDITABLE (ui_find_exact (page, ADW_TYPE_ENTRY_ROW)));
}

/* The address typed on the first page, and Enter. */
static void
enter_address (Fixture    *fixture,
               const char *email)
{
  GtkWidget *entry = ui_find_exact (wait_for_page (fixture, "start"), ADW_TYPE_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (entry), email);
  g_signal_emit_by_name (entry, "entry-activated");
}

/* From the guide on to the password page. */
static void
continue_from_guide (Fixture *fixture)
{
  g_assert_true (gtk_widget_activate_action (wait_for_page (fixture, "guide"), "page.continue", NULL));
  wait_for_page (fixture, "password");
}

/* From the first page to the password page of @email's provider, and the
 * password typed there. */
static void
type_password_for (Fixture    *fixture,
                   const char *email,
                   const char *password)
{
  enter_address (fixture, email);
  continue_from_guide (fixture);
  gtk_editable_set_text (password_field (fixture), password);
  g_assert_cmpint (ms_password_page_get_ready (MS_PASSWORD_PAGE (ms_window_get_page (fixture->window, "password"))),
                   ==, *password != '\0');
}

/* One page back, the way the user chose. */
static void
go_back (Fixture    *fixture,
         WayBack     way,
         const char *to)
{
  switch (way)
    {
    case WAY_BACK_BUTTON:
      {
        GtkWidget *button = ui_find_action_button (GTK_WIDGET (fixture->window), "win.back");

        g_assert_nonnull (button);
        g_signal_emit_by_name (button, "clicked");
      }
      break;

    case WAY_ESCAPE:
      ui_press_key (GTK_WINDOW (fixture->window), GDK_KEY_Escape, 0);
      break;

    case WAY_ALT_LEFT:
      ui_press_key (GTK_WINDOW (fixture->window), GDK_KEY_Left, GDK_ALT_MASK);
      break;

    default:
      g_assert_not_reached ();
    }

  wait_for_page (fixture, to);
}

/* The issue's steps: a QQ address, its code typed, back to the start and
 * on with another address. The field is empty, Enter sends nothing, and
 * the buffer that held the code is gone (a GtkPasswordEntryBuffer wipes
 * its memory when freed). */
static void
test_password_wiped_on_way_back (Fixture       *fixture,
                                 gconstpointer  data)
{
  WayBack way = GPOINTER_TO_INT (data);
  GtkEntryBuffer *buffer;

  type_password_for (fixture, "zhang@qq.com", QQ_CODE);
  buffer = password_buffer (fixture);
  g_object_add_weak_pointer (G_OBJECT (buffer), (gpointer *)&buffer);

  go_back (fixture, way, "guide");
  go_back (fixture, way, "start");
  /* Nothing is wiped before the user goes on: the same address may come. */
  g_assert_cmpstr (typed_password (fixture), ==, QQ_CODE);

  enter_address (fixture, "li@163.com");
  g_assert_cmpstr (ms_provider_get_id (ms_provider_page_get_provider (MS_PROVIDER_PAGE (wait_for_page (fixture, "guide")))), ==, "netease");
  g_assert_cmpstr (typed_password (fixture), ==, "");
  g_assert_null (buffer);

  continue_from_guide (fixture);
  g_assert_cmpstr (shown_address (fixture), ==, "li@163.com");
  g_assert_cmpstr (typed_password (fixture), ==, "");
  g_assert_false (ms_password_page_get_ready (MS_PASSWORD_PAGE (ms_window_get_page (fixture->window, "password"))));
  g_signal_emit_by_name (password_field (fixture), "entry-activated");
  ui_iterate ();
  g_assert_cmpstr (ms_window_get_page_name (fixture->window), ==, "password");
}

/* Back to read the steps again, or to the start and the same address in
 * other letters: the same account, the password stays. Another mailbox at
 * the same provider is another account. */
static void
test_password_kept_for_same_account (Fixture       *fixture,
                                     gconstpointer  data)
{
  type_password_for (fixture, "Zhang@qq.com", QQ_CODE);

  go_back (fixture, WAY_BACK_BUTTON, "guide");
  continue_from_guide (fixture);
  g_assert_cmpstr (typed_password (fixture), ==, QQ_CODE);

  go_back (fixture, WAY_ESCAPE, "guide");
  go_back (fixture, WAY_ALT_LEFT, "start");
  enter_address (fixture, " zhang@QQ.COM");
  continue_from_guide (fixture);
  g_assert_cmpstr (typed_password (fixture), ==, QQ_CODE);
  g_assert_cmpstr (shown_address (fixture), ==, " zhang@QQ.COM");

  /* Another address at QQ. */
  go_back (fixture, WAY_BACK_BUTTON, "guide");
  go_back (fixture, WAY_BACK_BUTTON, "start");
  enter_address (fixture, "wang@qq.com");
  continue_from_guide (fixture);
  g_assert_cmpstr (typed_password (fixture), ==, "");
}

/* The address kept, another provider picked from the list: its servers
 * are not the ones the password was typed for. */
static void
test_password_wiped_for_other_provider (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  GtkListBoxRow *netease = NULL;

  type_password_for (fixture, "zhang@qq.com", QQ_CODE);
  go_back (fixture, WAY_ESCAPE, "guide");
  go_back (fixture, WAY_ESCAPE, "start");

  rows = ui_find_all (GTK_WIDGET (provider_list (fixture)), ADW_TYPE_ACTION_ROW);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), "NetEase Mail") == 0)
      netease = g_ptr_array_index (rows, i);
  g_assert_nonnull (netease);
  g_signal_emit_by_name (provider_list (fixture), "row-activated", netease);

  g_assert_cmpstr (ms_provider_get_id (ms_provider_page_get_provider (MS_PROVIDER_PAGE (wait_for_page (fixture, "guide")))), ==, "netease");
  continue_from_guide (fixture);
  g_assert_cmpstr (shown_address (fixture), ==, "zhang@qq.com");
  g_assert_cmpstr (typed_password (fixture), ==, "");
}

static gboolean
password_ends_with (gpointer data)
{
  Wait *wait = data;

  return g_str_has_suffix (typed_password (wait->fixture), wait->text);
}

/* Until the keys typed have come: the password ends with @typed. */
static void
wait_for_typed (Fixture    *fixture,
                const char *typed)
{
  Wait wait = { fixture, typed };

  g_assert_true (ui_iterate_until (password_ends_with, &wait, 20));
}

/* Typed with Show Text on, the password is in GtkText's undo history too:
 * wiping it hides the text, and Ctrl+Z does not bring it back. */
static void
test_password_wipe_not_undone (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) buttons = NULL;
  GtkText *text;

  type_password_for (fixture, "zhang@qq.com", "");
  text = GTK_TEXT (gtk_editable_get_delegate (password_field (fixture)));
  buttons = ui_find_all (GTK_WIDGET (password_field (fixture)), GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_icon_name (g_ptr_array_index (buttons, i)), "view-reveal-symbolic") == 0)
      g_signal_emit_by_name (g_ptr_array_index (buttons, i), "clicked");
  g_assert_true (gtk_text_get_visibility (text));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (text)));

  ui_type_text (GTK_WINDOW (fixture->window), QQ_CODE);
  wait_for_typed (fixture, QQ_CODE);
  g_assert_cmpstr (typed_password (fixture), ==, QQ_CODE);

  go_back (fixture, WAY_ALT_LEFT, "guide");
  go_back (fixture, WAY_ALT_LEFT, "start");
  enter_address (fixture, "li@163.com");
  continue_from_guide (fixture);
  g_assert_cmpstr (typed_password (fixture), ==, "");
  g_assert_false (gtk_text_get_visibility (text));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (text)));

  /* Undo, then a key whose arrival says the undo was handled. */
  ui_press_key (GTK_WINDOW (fixture->window), GDK_KEY_z, GDK_CONTROL_MASK);
  ui_type_text (GTK_WINDOW (fixture->window), "x");
  wait_for_typed (fixture, "x");
  g_assert_cmpstr (typed_password (fixture), ==, "x");
}

typedef void (*ChangeFunc) (MsManualPage *page);

static GtkWidget *
manual_group (MsManualPage *page,
              const char   *title)
{
  g_autoptr(GPtrArray) groups = ui_find_all (GTK_WIDGET (page), ADW_TYPE_PREFERENCES_GROUP);

  for (guint i = 0; i < groups->len; i++)
    if (g_strcmp0 (adw_preferences_group_get_title (g_ptr_array_index (groups, i)), title) == 0)
      return g_ptr_array_index (groups, i);

  g_assert_not_reached ();
}

static void
change_host (MsManualPage *page)
{
  GtkWidget *row = ui_find_exact (manual_group (page, "Incoming Mail (IMAP)"), ADW_TYPE_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (row), "mail.srv.test");
}

static void
change_port (MsManualPage *page)
{
  GtkWidget *spin = ui_find_exact (manual_group (page, "Outgoing Mail (SMTP)"), GTK_TYPE_SPIN_BUTTON);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 2525);
}

static void
change_security (MsManualPage *page)
{
  GtkWidget *row = ui_find_exact (manual_group (page, "Incoming Mail (IMAP)"), ADW_TYPE_COMBO_ROW);

  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 1 - adw_combo_row_get_selected (ADW_COMBO_ROW (row)));
}

static void
change_username (MsManualPage *page)
{
  GtkWidget *row = ui_find_exact (manual_group (page, "Sign In"), ADW_TYPE_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (row), "bob");
}

/* Servers found for a domain no provider claims, checked on the manual
 * page: on again unchanged keeps the password; any change of a host, a
 * port, a security or the user name wipes it. */
static void
test_password_wiped_for_other_servers (Fixture       *fixture,
                                       gconstpointer  data)
{
  static const ChangeFunc changes[] = { change_host, change_port, change_security, change_username };
  MsStartPage *start = MS_START_PAGE (ms_window_get_visible_page (fixture->window));
  MsManualPage *manual;

  enter_address (fixture, "bob@srv.test");
  g_assert_true (ui_iterate_until (lookup_done, start, 20));
  manual = MS_MANUAL_PAGE (wait_for_page (fixture, "manual"));

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (manual), "manual.continue", NULL));
      wait_for_page (fixture, "password");
      gtk_editable_set_text (password_field (fixture), "the password");

      go_back (fixture, WAY_BACK_BUTTON, "manual");
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (manual), "manual.continue", NULL));
      wait_for_page (fixture, "password");
      g_assert_cmpstr (typed_password (fixture), ==, "the password");

      go_back (fixture, i % 2 == 0 ? WAY_ESCAPE : WAY_ALT_LEFT, "manual");
      changes[i] (manual);
      g_assert_true (ms_manual_page_get_valid (manual));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (manual), "manual.continue", NULL));
      wait_for_page (fixture, "password");
      g_assert_cmpstr (typed_password (fixture), ==, "");
      g_assert_cmpstr (shown_address (fixture), ==, "bob@srv.test");

      go_back (fixture, WAY_BACK_BUTTON, "manual");
    }
}

int
main (int   argc,
      char *argv[])
{
  FakeResolver *resolver;
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, "gtk-cursor-blink", FALSE, NULL);

  /* The lookup's whole world: nothing but these records resolves. */
  resolver = ui_isolate_network ();
  fake_resolver_add_mx (resolver, "exmail-hosted.test", 10, "mxbiz1.qq.com");
  fake_resolver_add_mx (resolver, "qiye-hosted.test", 10, "qiye163mx01.mxmail.netease.com");
  fake_resolver_add_srv (resolver, "_imaps._tcp.srv.test", 0, 1, 993, "imap.srv.test");
  fake_resolver_add_srv (resolver, "_submission._tcp.srv.test", 0, 1, 587, "smtp.srv.test");
  fake_resolver_add_host (resolver, "ispdb.test", "127.0.0.1");

  g_test_add ("/window/lists-providers", Fixture, NULL, fixture_set_up, test_lists_providers, fixture_tear_down);
  g_test_add ("/window/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/window/email-opens-provider", Fixture, NULL, fixture_set_up, test_email_opens_provider_and_steps, fixture_tear_down);
  g_test_add ("/window/admin-steps", Fixture, NULL, fixture_set_up, test_admin_steps, fixture_tear_down);
  g_test_add ("/window/search-activate-address", Fixture, NULL, fixture_set_up, test_search_activate_address, fixture_tear_down);

  g_test_add ("/window/live-detection", Fixture, NULL, fixture_set_up, test_live_detection, fixture_tear_down);
  g_test_add ("/window/step-ticks", Fixture, NULL, fixture_set_up, test_step_ticks, fixture_tear_down);
  g_test_add ("/window/network-lookup", Fixture, NULL, fixture_set_up, test_network_lookup, fixture_tear_down);
  g_test_add ("/window/oauth-only", Fixture, NULL, fixture_set_up, test_oauth_only, fixture_tear_down);
  g_test_add ("/window/found-settings", Fixture, NULL, fixture_set_up, test_found_settings, fixture_tear_down);
  g_test_add ("/window/no-imap-note", Fixture, NULL, ispdb_fixture_set_up, test_no_imap_note, fixture_tear_down);

  g_test_add ("/window/password/wiped-back-button", Fixture, GINT_TO_POINTER (WAY_BACK_BUTTON),
              fixture_set_up, test_password_wiped_on_way_back, fixture_tear_down);
  g_test_add ("/window/password/wiped-escape", Fixture, GINT_TO_POINTER (WAY_ESCAPE),
              fixture_set_up, test_password_wiped_on_way_back, fixture_tear_down);
  g_test_add ("/window/password/wiped-alt-left", Fixture, GINT_TO_POINTER (WAY_ALT_LEFT),
              fixture_set_up, test_password_wiped_on_way_back, fixture_tear_down);
  g_test_add ("/window/password/wiped-other-provider", Fixture, NULL,
              fixture_set_up, test_password_wiped_for_other_provider, fixture_tear_down);
  g_test_add ("/window/password/wiped-other-servers", Fixture, NULL,
              fixture_set_up, test_password_wiped_for_other_servers, fixture_tear_down);
  g_test_add ("/window/password/wipe-not-undone", Fixture, NULL,
              fixture_set_up, test_password_wipe_not_undone, fixture_tear_down);
  g_test_add ("/window/password/kept-same-account", Fixture, NULL,
              fixture_set_up, test_password_kept_for_same_account, fixture_tear_down);

  ret = g_test_run ();
  g_clear_pointer (&ispdb, ispdb_server_free);

  return ret;
}
