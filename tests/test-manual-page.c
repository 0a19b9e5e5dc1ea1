/* test-manual-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manual settings page in a real X server: it is valid only with two
 * good host names, reads back what was typed or prefilled, moves a
 * standard port with the security but not one the user chose, marks a bad
 * host name, goes on only when valid, and sums up its settings so that
 * any change shows.
 */

#include "config.h"

#include <adwaita.h>

#include "ms-manual-page.h"
#include "ui-helpers.h"

typedef struct
{
  GtkWindow    *window;
  MsManualPage *page;
  guint         n_valid_notifies;
  guint         n_continues;
} Fixture;

static void
valid_notify_cb (MsManualPage *page,
                 GParamSpec   *pspec,
                 Fixture      *fixture)
{
  fixture->n_valid_notifies++;
}

static void
continue_cb (MsManualPage *page,
             Fixture      *fixture)
{
  fixture->n_continues++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->page = MS_MANUAL_PAGE (ms_manual_page_new ());
  /* Our own reference, to check that the page goes with the window. */
  g_object_ref_sink (fixture->page);
  g_signal_connect (fixture->page, "notify::valid", G_CALLBACK (valid_notify_cb), fixture);
  g_signal_connect (fixture->page, "continue", G_CALLBACK (continue_cb), fixture);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 360, 600);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
  ui_iterate ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->page)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  ui_iterate ();
  g_assert_null (gtk_widget_get_parent (GTK_WIDGET (fixture->page)));
  g_signal_handlers_disconnect_by_data (fixture->page, fixture);
  g_assert_finalize_object (fixture->page);
}

static GtkWidget *
find_one (GtkWidget *root,
          GType      type)
{
  g_autoptr(GPtrArray) all = ui_find_all (root, type);

  g_assert_cmpuint (all->len, ==, 1);
  return g_ptr_array_index (all, 0);
}

static GtkWidget *
find_group (Fixture    *fixture,
            const char *title)
{
  g_autoptr(GPtrArray) groups = ui_find_all (GTK_WIDGET (fixture->page), ADW_TYPE_PREFERENCES_GROUP);

  for (guint i = 0; i < groups->len; i++)
    {
      AdwPreferencesGroup *group = g_ptr_array_index (groups, i);

      if (g_strcmp0 (adw_preferences_group_get_title (group), title) == 0)
        return GTK_WIDGET (group);
    }

  g_error ("no group “%s”", title);
}

static const char *
group_title (MsProtocol protocol)
{
  return protocol == MS_PROTOCOL_IMAP ? "Incoming Mail (IMAP)" : "Outgoing Mail (SMTP)";
}

static GtkEditable *
host_row (Fixture    *fixture,
          MsProtocol  protocol)
{
  GtkWidget *row = find_one (find_group (fixture, group_title (protocol)), ADW_TYPE_ENTRY_ROW);

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Server");
  return GTK_EDITABLE (row);
}

static GtkSpinButton *
port_spin (Fixture    *fixture,
           MsProtocol  protocol)
{
  return GTK_SPIN_BUTTON (find_one (find_group (fixture, group_title (protocol)), GTK_TYPE_SPIN_BUTTON));
}

static AdwComboRow *
security_row (Fixture    *fixture,
              MsProtocol  protocol)
{
  GtkWidget *row = find_one (find_group (fixture, group_title (protocol)), ADW_TYPE_COMBO_ROW);

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Security");
  return ADW_COMBO_ROW (row);
}

static GtkEditable *
username_row (Fixture *fixture)
{
  GtkWidget *row = find_one (find_group (fixture, "Sign In"), ADW_TYPE_ENTRY_ROW);

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "User Name");
  return GTK_EDITABLE (row);
}

static GtkWidget *
continue_button (Fixture *fixture)
{
  g_autoptr(GPtrArray) buttons = ui_find_all (GTK_WIDGET (fixture->page), GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "manual.continue") == 0)
        return button;
    }

  g_error ("no Continue button");
}

/* Selects the security by its name in the row's list. */
static void
select_security (AdwComboRow *row,
                 const char  *name)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), name))
        {
          adw_combo_row_set_selected (row, i);
          return;
        }
    }

  g_error ("no security “%s”", name);
}

static const char *
selected_security (AdwComboRow *row)
{
  return gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (row)));
}

static void
fill_hosts (Fixture *fixture)
{
  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_IMAP), "imap.example.org");
  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_SMTP), "smtp.example.org");
  ui_iterate ();
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *button = continue_button (fixture);

  g_assert_false (ms_manual_page_get_valid (fixture->page));
  g_assert_null (ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP));
  g_assert_null (ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP));
  g_assert_null (ms_manual_page_dup_username (fixture->page));

  g_assert_cmpint (gtk_spin_button_get_value_as_int (port_spin (fixture, MS_PROTOCOL_IMAP)), ==, 993);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (port_spin (fixture, MS_PROTOCOL_SMTP)), ==, 465);
  g_assert_cmpstr (selected_security (security_row (fixture, MS_PROTOCOL_IMAP)), ==, "SSL/TLS");
  g_assert_cmpstr (selected_security (security_row (fixture, MS_PROTOCOL_SMTP)), ==, "SSL/TLS");
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (security_row (fixture, MS_PROTOCOL_IMAP))), ==, 2);

  /* The button: centered pill, insensitive while the form is not valid. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Continue");
  g_assert_true (gtk_widget_has_css_class (button, "pill"));
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_cmpint (gtk_widget_get_halign (button), ==, GTK_ALIGN_CENTER);
  g_assert_false (gtk_widget_get_sensitive (button));

  /* The port buttons have names of their own. */
  {
    GtkSpinButton *spin = port_spin (fixture, MS_PROTOCOL_IMAP);
    GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (spin), ADW_TYPE_ACTION_ROW);

    g_assert_cmpint (gtk_widget_get_valign (GTK_WIDGET (spin)), ==, GTK_ALIGN_CENTER);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Port");
    g_assert_cmpfloat (gtk_adjustment_get_lower (gtk_spin_button_get_adjustment (spin)), ==, 1);
    g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (spin)), ==, 65535);
  }
}

static void
test_becomes_valid (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(MsServer) imap = NULL;
  g_autoptr(MsServer) smtp = NULL;

  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_IMAP), "  IMAP.Example.org ");
  ui_iterate ();
  g_assert_false (ms_manual_page_get_valid (fixture->page));
  g_assert_cmpuint (fixture->n_valid_notifies, ==, 0);

  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_SMTP), "smtp.example.org");
  ui_iterate ();
  g_assert_true (ms_manual_page_get_valid (fixture->page));
  g_assert_cmpuint (fixture->n_valid_notifies, ==, 1);
  g_assert_true (gtk_widget_get_sensitive (continue_button (fixture)));

  {
    gboolean valid = FALSE;

    g_object_get (fixture->page, "valid", &valid, NULL);
    g_assert_true (valid);
  }

  /* Typing on without changing the verdict does not notify. */
  {
    int position = 0;

    gtk_editable_insert_text (host_row (fixture, MS_PROTOCOL_SMTP), "mail-", -1, &position);
    ui_iterate ();
  }
  g_assert_cmpuint (fixture->n_valid_notifies, ==, 1);

  imap = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP);
  g_assert_nonnull (imap);
  g_assert_cmpint (imap->protocol, ==, MS_PROTOCOL_IMAP);
  g_assert_cmpstr (imap->hostname, ==, "imap.example.org");
  g_assert_cmpuint (imap->port, ==, 993);
  g_assert_cmpint (imap->security, ==, MS_SECURITY_SSL);
  g_assert_null (imap->username);

  gtk_spin_button_set_value (port_spin (fixture, MS_PROTOCOL_SMTP), 2525);
  select_security (security_row (fixture, MS_PROTOCOL_SMTP), "STARTTLS");
  ui_iterate ();
  smtp = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP);
  g_assert_nonnull (smtp);
  g_assert_cmpint (smtp->protocol, ==, MS_PROTOCOL_SMTP);
  g_assert_cmpstr (smtp->hostname, ==, "mail-smtp.example.org");
  g_assert_cmpuint (smtp->port, ==, 2525);
  g_assert_cmpint (smtp->security, ==, MS_SECURITY_STARTTLS);
  g_assert_null (smtp->username);

  /* Emptying a host name makes the form not valid again. */
  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_IMAP), "");
  ui_iterate ();
  g_assert_false (ms_manual_page_get_valid (fixture->page));
  g_assert_cmpuint (fixture->n_valid_notifies, ==, 2);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (host_row (fixture, MS_PROTOCOL_IMAP)), "error"));
  g_assert_null (ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP));
}

static void
test_host_names (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkEditable *imap_row = host_row (fixture, MS_PROTOCOL_IMAP);
  GtkEditable *smtp_row = host_row (fixture, MS_PROTOCOL_SMTP);
  g_autoptr(MsServer) imap = NULL;
  g_autoptr(MsServer) smtp = NULL;

  fill_hosts (fixture);
  g_assert_true (ms_manual_page_get_valid (fixture->page));

  gtk_editable_set_text (imap_row, "bad host!");
  ui_iterate ();
  g_assert_false (ms_manual_page_get_valid (fixture->page));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (imap_row), "error"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (smtp_row), "error"));
  g_assert_null (ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP));
  gtk_test_accessible_check_state (GTK_ACCESSIBLE (imap_row), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE);

  /* A name of one label is a host on a company network (or this one);
   * a label cannot start with a dash. */
  gtk_editable_set_text (imap_row, "-mail");
  ui_iterate ();
  g_assert_false (ms_manual_page_get_valid (fixture->page));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (imap_row), "error"));
  gtk_editable_set_text (imap_row, "LocalHost");
  ui_iterate ();
  g_assert_true (ms_manual_page_get_valid (fixture->page));
  {
    g_autoptr(MsServer) local = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP);
    g_assert_cmpstr (local->hostname, ==, "localhost");
  }

  /* IP addresses are fine, and so are IDN names, given as punycode. */
  gtk_editable_set_text (imap_row, " 192.0.2.7 ");
  gtk_editable_set_text (smtp_row, "邮件。例子.中国");
  ui_iterate ();
  g_assert_true (ms_manual_page_get_valid (fixture->page));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (imap_row), "error"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (smtp_row), "error"));
  gtk_test_accessible_check_state (GTK_ACCESSIBLE (imap_row), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_FALSE);

  imap = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP);
  smtp = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP);
  g_assert_cmpstr (imap->hostname, ==, "192.0.2.7");
  g_assert_cmpstr (smtp->hostname, ==, "xn--5nq051n.xn--fsqu00a.xn--fiqs8s");

  gtk_editable_set_text (smtp_row, "2001:db8::25");
  ui_iterate ();
  g_assert_true (ms_manual_page_get_valid (fixture->page));
}

static void
test_port_follows_security (Fixture       *fixture,
                            gconstpointer  data)
{
  GtkSpinButton *imap_port = port_spin (fixture, MS_PROTOCOL_IMAP);
  GtkSpinButton *smtp_port = port_spin (fixture, MS_PROTOCOL_SMTP);
  AdwComboRow *imap_security = security_row (fixture, MS_PROTOCOL_IMAP);
  AdwComboRow *smtp_security = security_row (fixture, MS_PROTOCOL_SMTP);

  select_security (imap_security, "STARTTLS");
  select_security (smtp_security, "STARTTLS");
  ui_iterate ();
  g_assert_cmpint (gtk_spin_button_get_value_as_int (imap_port), ==, 143);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (smtp_port), ==, 587);

  select_security (imap_security, "SSL/TLS");
  select_security (smtp_security, "SSL/TLS");
  ui_iterate ();
  g_assert_cmpint (gtk_spin_button_get_value_as_int (imap_port), ==, 993);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (smtp_port), ==, 465);

  /* A port the user chose stays. */
  gtk_spin_button_set_value (imap_port, 10993);
  gtk_spin_button_set_value (smtp_port, 25);
  select_security (imap_security, "STARTTLS");
  select_security (smtp_security, "STARTTLS");
  ui_iterate ();
  g_assert_cmpint (gtk_spin_button_get_value_as_int (imap_port), ==, 10993);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (smtp_port), ==, 25);

  /* A port typed but not yet confirmed counts as chosen too. */
  gtk_editable_set_text (GTK_EDITABLE (imap_port), "1143");
  select_security (imap_security, "SSL/TLS");
  ui_iterate ();
  g_assert_cmpint (gtk_spin_button_get_value_as_int (imap_port), ==, 1143);

  /* The other protocol's standard port is not this one's. */
  gtk_spin_button_set_value (smtp_port, 993);
  select_security (smtp_security, "SSL/TLS");
  ui_iterate ();
  g_assert_cmpint (gtk_spin_button_get_value_as_int (smtp_port), ==, 993);
}

static void
test_set_servers (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MsServer) imap = ms_server_new (MS_PROTOCOL_IMAP, "imap.xn--fsqu00a.xn--fiqs8s", 143,
                                            MS_SECURITY_STARTTLS, "%EMAILLOCALPART%");
  g_autoptr(MsServer) smtp = ms_server_new (MS_PROTOCOL_SMTP, "smtp.example.net", 587,
                                            MS_SECURITY_STARTTLS, NULL);
  g_autoptr(MsServer) smtp_ssl = ms_server_new (MS_PROTOCOL_SMTP, "smtps.example.net", 2465,
                                                MS_SECURITY_SSL, NULL);
  g_autoptr(MsServer) imap_back = NULL;
  g_autoptr(MsServer) smtp_back = NULL;
  g_autofree char *username = NULL;

  ms_manual_page_set_servers (fixture->page, imap, smtp, "  bob  ");
  ui_iterate ();
  g_assert_true (ms_manual_page_get_valid (fixture->page));
  g_assert_cmpuint (fixture->n_valid_notifies, ==, 1);

  /* The IDN shows as the user would type it. */
  g_assert_cmpstr (gtk_editable_get_text (host_row (fixture, MS_PROTOCOL_IMAP)), ==, "imap.例子.中国");
  g_assert_cmpstr (selected_security (security_row (fixture, MS_PROTOCOL_IMAP)), ==, "STARTTLS");

  imap_back = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP);
  g_assert_cmpstr (imap_back->hostname, ==, "imap.xn--fsqu00a.xn--fiqs8s");
  g_assert_cmpuint (imap_back->port, ==, 143);
  g_assert_cmpint (imap_back->security, ==, MS_SECURITY_STARTTLS);
  g_assert_null (imap_back->username);

  username = ms_manual_page_dup_username (fixture->page);
  g_assert_cmpstr (username, ==, "bob");

  /* NULL keeps what is there; a custom port survives a security change. */
  ms_manual_page_set_servers (fixture->page, NULL, smtp_ssl, NULL);
  ui_iterate ();
  smtp_back = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP);
  g_assert_cmpstr (smtp_back->hostname, ==, "smtps.example.net");
  g_assert_cmpuint (smtp_back->port, ==, 2465);
  g_assert_cmpint (smtp_back->security, ==, MS_SECURITY_SSL);
  g_clear_pointer (&username, g_free);
  username = ms_manual_page_dup_username (fixture->page);
  g_assert_cmpstr (username, ==, "bob");
  g_clear_pointer (&imap_back, ms_server_free);
  imap_back = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP);
  g_assert_cmpstr (imap_back->hostname, ==, "imap.xn--fsqu00a.xn--fiqs8s");

  /* A standard port is set as given, not moved by the security. */
  g_clear_pointer (&smtp_back, ms_server_free);
  ms_manual_page_set_servers (fixture->page, NULL, smtp, NULL);
  smtp_back = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP);
  g_assert_cmpuint (smtp_back->port, ==, 587);
  g_assert_cmpint (smtp_back->security, ==, MS_SECURITY_STARTTLS);
}

static GtkWidget *
fix_button (Fixture    *fixture,
            MsProtocol  protocol)
{
  g_autoptr(GPtrArray) buttons = ui_find_all (find_group (fixture, group_title (protocol)), GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "manual.use-offered-security") == 0)
        return button;
    }

  g_error ("no fix button");
}

static GtkWidget *
fix_row (Fixture    *fixture,
         MsProtocol  protocol)
{
  return gtk_widget_get_ancestor (fix_button (fixture, protocol), ADW_TYPE_ACTION_ROW);
}

/* After a check found a port expecting the other mode: a row says so under
 * that server, and its button switches the mode and keeps the port. */
static void
test_offer_security (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(MsServer) imap = ms_server_new (MS_PROTOCOL_IMAP, "mail.example.org", 993,
                                            MS_SECURITY_STARTTLS, NULL);
  g_autoptr(MsServer) smtp = ms_server_new (MS_PROTOCOL_SMTP, "mail.example.org", 465,
                                            MS_SECURITY_SSL, NULL);
  g_autoptr(MsServer) back = NULL;

  ms_manual_page_set_servers (fixture->page, imap, smtp, NULL);
  ui_iterate ();
  g_assert_false (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_IMAP)));
  g_assert_false (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_SMTP)));

  ms_manual_page_offer_security (fixture->page, MS_PROTOCOL_IMAP, MS_SECURITY_SSL);
  ms_manual_page_offer_security (fixture->page, MS_PROTOCOL_SMTP, MS_SECURITY_STARTTLS);
  ui_iterate ();
  g_assert_true (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_IMAP)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (fix_row (fixture, MS_PROTOCOL_IMAP))),
                   ==, "Port 993 expects TLS from the start");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (fix_button (fixture, MS_PROTOCOL_IMAP))), ==, "Use _SSL/TLS");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (fix_button (fixture, MS_PROTOCOL_SMTP))), ==, "Use S_TARTTLS");

  /* The switch keeps port 993, though it is not STARTTLS's standard port,
   * and 465, which is SSL/TLS's. */
  g_signal_emit_by_name (fix_button (fixture, MS_PROTOCOL_IMAP), "clicked");
  g_signal_emit_by_name (fix_button (fixture, MS_PROTOCOL_SMTP), "clicked");
  ui_iterate ();
  back = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_IMAP);
  g_assert_cmpint (back->security, ==, MS_SECURITY_SSL);
  g_assert_cmpuint (back->port, ==, 993);
  g_clear_pointer (&back, ms_server_free);
  back = ms_manual_page_dup_server (fixture->page, MS_PROTOCOL_SMTP);
  g_assert_cmpint (back->security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (back->port, ==, 465);
  g_assert_false (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_IMAP)));
  g_assert_false (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_SMTP)));

  /* A security chosen by hand takes the offer away too. */
  ms_manual_page_offer_security (fixture->page, MS_PROTOCOL_IMAP, MS_SECURITY_STARTTLS);
  ui_iterate ();
  g_assert_true (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_IMAP)));
  select_security (security_row (fixture, MS_PROTOCOL_IMAP), "STARTTLS");
  ui_iterate ();
  g_assert_false (gtk_widget_get_visible (fix_row (fixture, MS_PROTOCOL_IMAP)));
}

static void
test_username (Fixture       *fixture,
               gconstpointer  data)
{
  GtkEditable *row = username_row (fixture);
  g_autofree char *username = NULL;

  g_assert_null (ms_manual_page_dup_username (fixture->page));

  gtk_editable_set_text (row, "   ");
  g_assert_null (ms_manual_page_dup_username (fixture->page));

  gtk_editable_set_text (row, "  bob  ");
  username = ms_manual_page_dup_username (fixture->page);
  g_assert_cmpstr (username, ==, "bob");

  /* The user name does not decide validity. */
  g_assert_false (ms_manual_page_get_valid (fixture->page));
  gtk_editable_set_text (row, "");
  fill_hosts (fixture);
  g_assert_true (ms_manual_page_get_valid (fixture->page));
  g_assert_null (ms_manual_page_dup_username (fixture->page));
}

static void
test_domain_hints (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkEditable *imap_row = host_row (fixture, MS_PROTOCOL_IMAP);
  GtkEditable *smtp_row = host_row (fixture, MS_PROTOCOL_SMTP);
  GtkText *imap_text = GTK_TEXT (gtk_editable_get_delegate (imap_row));
  GtkText *smtp_text = GTK_TEXT (gtk_editable_get_delegate (smtp_row));

  ms_manual_page_set_domain (fixture->page, "example.org");
  g_assert_cmpstr (gtk_text_get_placeholder_text (imap_text), ==, "imap.example.org");
  g_assert_cmpstr (gtk_text_get_placeholder_text (smtp_text), ==, "smtp.example.org");

  /* Hints only: the fields stay empty and the form not valid. */
  g_assert_cmpstr (gtk_editable_get_text (imap_row), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (smtp_row), ==, "");
  g_assert_false (ms_manual_page_get_valid (fixture->page));

  ms_manual_page_set_domain (fixture->page, "xn--fsqu00a.xn--fiqs8s");
  g_assert_cmpstr (gtk_text_get_placeholder_text (imap_text), ==, "imap.例子.中国");

  /* GtkText gives "" once a placeholder was set, not NULL. */
  ms_manual_page_set_domain (fixture->page, NULL);
  g_assert_true (gtk_text_get_placeholder_text (imap_text) == NULL ||
                 g_str_equal (gtk_text_get_placeholder_text (imap_text), ""));
  g_assert_true (gtk_text_get_placeholder_text (smtp_text) == NULL ||
                 g_str_equal (gtk_text_get_placeholder_text (smtp_text), ""));
}

static void
test_continue (Fixture       *fixture,
               gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (fixture->page);
  GtkWidget *button = continue_button (fixture);

  /* Not valid: nothing happens, whichever way the user tries. (GTK 4.8
   * returns TRUE for an action that exists even when it is disabled.) */
  gtk_widget_activate_action (page, "manual.continue", NULL);
  g_signal_emit_by_name (button, "clicked");
  g_signal_emit_by_name (username_row (fixture), "entry-activated");
  ui_iterate ();
  g_assert_cmpuint (fixture->n_continues, ==, 0);

  fill_hosts (fixture);
  g_assert_true (gtk_widget_get_sensitive (button));

  g_assert_true (gtk_widget_activate_action (page, "manual.continue", NULL));
  g_assert_cmpuint (fixture->n_continues, ==, 1);

  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->n_continues, ==, 2);

  /* Enter in the last field. */
  g_signal_emit_by_name (username_row (fixture), "entry-activated");
  g_assert_cmpuint (fixture->n_continues, ==, 3);

  /* Not valid again: the action is off again. */
  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_SMTP), "bad host!");
  ui_iterate ();
  g_assert_false (gtk_widget_get_sensitive (button));
  gtk_widget_activate_action (page, "manual.continue", NULL);
  g_signal_emit_by_name (username_row (fixture), "entry-activated");
  g_assert_cmpuint (fixture->n_continues, ==, 3);
}

/* The summary tells the settings apart: each of host, port, security and
 * user name changes it; the same host typed otherwise does not. */
static void
test_summary (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *empty = ms_manual_page_dup_summary (fixture->page);
  g_autofree char *filled = NULL;
  g_autofree char *retyped = NULL;
  char *changed;

  fill_hosts (fixture);
  filled = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (filled, ==,
                   "imap imap.example.org 993 ssl\n"
                   "smtp smtp.example.org 465 ssl\n"
                   "user \n");
  g_assert_cmpstr (empty, !=, filled);

  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_IMAP), " IMAP.Example.ORG ");
  retyped = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (retyped, ==, filled);

  gtk_editable_set_text (host_row (fixture, MS_PROTOCOL_IMAP), "mail.example.org");
  changed = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (changed, !=, filled);
  g_free (changed);
  fill_hosts (fixture);

  gtk_spin_button_set_value (port_spin (fixture, MS_PROTOCOL_SMTP), 2465);
  changed = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (changed, !=, filled);
  g_free (changed);
  gtk_spin_button_set_value (port_spin (fixture, MS_PROTOCOL_SMTP), 465);

  /* STARTTLS moves the standard port too; back on 993, only the security
   * differs. */
  select_security (security_row (fixture, MS_PROTOCOL_IMAP), "STARTTLS");
  gtk_spin_button_set_value (port_spin (fixture, MS_PROTOCOL_IMAP), 993);
  changed = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (changed, ==,
                   "imap imap.example.org 993 starttls\n"
                   "smtp smtp.example.org 465 ssl\n"
                   "user \n");
  g_free (changed);
  select_security (security_row (fixture, MS_PROTOCOL_IMAP), "SSL/TLS");
  gtk_spin_button_set_value (port_spin (fixture, MS_PROTOCOL_IMAP), 993);

  gtk_editable_set_text (username_row (fixture), " bob ");
  changed = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (changed, ==,
                   "imap imap.example.org 993 ssl\n"
                   "smtp smtp.example.org 465 ssl\n"
                   "user bob\n");
  g_free (changed);

  /* All back as it was: the same summary. */
  gtk_editable_set_text (username_row (fixture), "");
  changed = ms_manual_page_dup_summary (fixture->page);
  g_assert_cmpstr (changed, ==, filled);
  g_free (changed);
}

static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = ui_find_all (GTK_WIDGET (fixture->page), ADW_TYPE_PREFERENCES_ROW);
  g_autoptr(GPtrArray) spins = ui_find_all (GTK_WIDGET (fixture->page), GTK_TYPE_SPIN_BUTTON);

  /* Server, port, security twice, and the user name. */
  g_assert_cmpuint (rows->len, ==, 7);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *title = adw_preferences_row_get_title (g_ptr_array_index (rows, i));

      g_assert_nonnull (title);
      g_assert_cmpstr (title, !=, "");
    }

  g_assert_cmpuint (spins->len, ==, 2);
  for (guint i = 0; i < spins->len; i++)
    {
      GtkSpinButton *spin = g_ptr_array_index (spins, i);
      GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (spin), ADW_TYPE_PREFERENCES_GROUP);
      const char *title = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group));

      /* No getter before GTK 4.10: the test helper compares. */
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (spin),
                                                       GTK_ACCESSIBLE_PROPERTY_LABEL));
      gtk_test_accessible_check_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          g_str_has_suffix (title, "(IMAP)") ? "IMAP port" : "SMTP port");
    }
}

static void
test_narrow (Fixture       *fixture,
             gconstpointer  data)
{
  int width;

  /* Fits a phone: nothing asks for more than 360 pixels. */
  gtk_widget_measure (GTK_WIDGET (fixture->page), GTK_ORIENTATION_HORIZONTAL, -1,
                      &width, NULL, NULL, NULL);
  g_assert_cmpint (width, <=, 360);
}

int
main (int   argc,
      char *argv[])
{
  /* Accessible properties are kept only by an AT context; the test one
   * needs no bus (the environment says "none"). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/manual-page/defaults", Fixture, NULL, fixture_set_up, test_defaults, fixture_tear_down);
  g_test_add ("/manual-page/becomes-valid", Fixture, NULL, fixture_set_up, test_becomes_valid, fixture_tear_down);
  g_test_add ("/manual-page/host-names", Fixture, NULL, fixture_set_up, test_host_names, fixture_tear_down);
  g_test_add ("/manual-page/port-follows-security", Fixture, NULL, fixture_set_up, test_port_follows_security, fixture_tear_down);
  g_test_add ("/manual-page/set-servers", Fixture, NULL, fixture_set_up, test_set_servers, fixture_tear_down);
  g_test_add ("/manual-page/offer-security", Fixture, NULL, fixture_set_up, test_offer_security, fixture_tear_down);
  g_test_add ("/manual-page/username", Fixture, NULL, fixture_set_up, test_username, fixture_tear_down);
  g_test_add ("/manual-page/domain-hints", Fixture, NULL, fixture_set_up, test_domain_hints, fixture_tear_down);
  g_test_add ("/manual-page/continue", Fixture, NULL, fixture_set_up, test_continue, fixture_tear_down);
  g_test_add ("/manual-page/summary", Fixture, NULL, fixture_set_up, test_summary, fixture_tear_down);
  g_test_add ("/manual-page/accessible-names", Fixture, NULL, fixture_set_up, test_accessible_names, fixture_tear_down);
  g_test_add ("/manual-page/narrow", Fixture, NULL, fixture_set_up, test_narrow, fixture_tear_down);

  return g_test_run ();
}
