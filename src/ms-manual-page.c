/* ms-manual-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page for a domain nothing knows: the user types the IMAP and SMTP
 * servers themselves. Each has a host name, a port and how TLS starts;
 * there is no unencrypted choice. A standard port follows the security
 * (IMAP 993/143, SMTP 465/587); one the user picked stays. The form is
 * valid once both host names are, and only then can the user go on.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-manual-page.h"

struct _MsManualPage
{
  AdwBin         parent_instance;

  gboolean       valid;

  AdwPreferencesGroup *intro_group;
  AdwEntryRow   *imap_host_row;
  GtkSpinButton *imap_port_spin;
  AdwComboRow   *imap_security_row;
  AdwEntryRow   *smtp_host_row;
  GtkSpinButton *smtp_port_spin;
  AdwComboRow   *smtp_security_row;
  AdwActionRow  *imap_fix_row;
  GtkButton     *imap_fix_button;
  AdwActionRow  *smtp_fix_row;
  GtkButton     *smtp_fix_button;
  AdwEntryRow   *username_row;

  MsSecurity     offered[2];   /* by MsProtocol, while its fix row shows */
};

G_DEFINE_FINAL_TYPE (MsManualPage, ms_manual_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_VALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CONTINUE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The security rows' choices, in the order of security_model in the .ui */
static const MsSecurity securities[] = {
  MS_SECURITY_SSL,
  MS_SECURITY_STARTTLS,
};

typedef struct
{
  AdwEntryRow   *host_row;
  GtkSpinButton *port_spin;
  AdwComboRow   *security_row;
  AdwActionRow  *fix_row;
  GtkButton     *fix_button;
} ServerRows;

static ServerRows
get_server_rows (MsManualPage *self,
                 MsProtocol    protocol)
{
  if (protocol == MS_PROTOCOL_IMAP)
    return (ServerRows) { self->imap_host_row, self->imap_port_spin, self->imap_security_row,
                          self->imap_fix_row, self->imap_fix_button };

  return (ServerRows) { self->smtp_host_row, self->smtp_port_spin, self->smtp_security_row,
                        self->smtp_fix_row, self->smtp_fix_button };
}

static guint16
standard_port (MsProtocol protocol,
               MsSecurity security)
{
  if (protocol == MS_PROTOCOL_IMAP)
    return security == MS_SECURITY_SSL ? 993 : 143;

  return security == MS_SECURITY_SSL ? 465 : 587;
}

/* Returns: (nullable): the host name as servers are given it (ASCII, IDN
 * in punycode), or %NULL if @text is empty or not a host name */
static char *
normalize_hostname (const char *text)
{
  g_autofree char *trimmed = ms_strdup_trimmed (text);

  if (trimmed[0] == '\0')
    return NULL;

  if (g_hostname_is_ip_address (trimmed))
    return g_steal_pointer (&trimmed);

  /* A name of one label (“localhost”, “mail” on a company network) is a
   * host name here, though no mail domain. */
  if (strchr (trimmed, '.') == NULL)
    {
      gsize length = strlen (trimmed);

      if (length > 63 || trimmed[0] == '-' || trimmed[length - 1] == '-')
        return NULL;
      for (const char *p = trimmed; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '-')
          return NULL;

      return g_ascii_strdown (trimmed, -1);
    }

  return ms_normalize_domain (trimmed, NULL);
}

static MsSecurity
get_security (AdwComboRow *row)
{
  guint selected = adw_combo_row_get_selected (row);

  g_return_val_if_fail (selected < G_N_ELEMENTS (securities), MS_SECURITY_SSL);

  return securities[selected];
}

static void
set_security (AdwComboRow *row,
              MsSecurity   security)
{
  for (guint i = 0; i < G_N_ELEMENTS (securities); i++)
    {
      if (securities[i] == security)
        adw_combo_row_set_selected (row, i);
    }
}

static guint16
get_port (GtkSpinButton *spin)
{
  /* Takes in a number typed but not yet confirmed. */
  gtk_spin_button_update (spin);

  return (guint16) gtk_spin_button_get_value_as_int (spin);
}

static void
set_placeholder (AdwEntryRow *row,
                 const char  *text)
{
  /* The row's title stands in for the text while the row is empty and
   * unfocused; the placeholder shows below it once the row has the focus. */
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));

  if (GTK_IS_TEXT (delegate))
    gtk_text_set_placeholder_text (GTK_TEXT (delegate), text);
}

static gboolean
check_host_row (AdwEntryRow *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autofree char *trimmed = ms_strdup_trimmed (text);
  g_autofree char *hostname = normalize_hostname (trimmed);

  /* Empty is not wrong, only not done yet. */
  if (hostname == NULL && trimmed[0] != '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
    }

  return hostname != NULL;
}

static void
update_valid (MsManualPage *self)
{
  gboolean imap_valid = check_host_row (self->imap_host_row);
  gboolean smtp_valid = check_host_row (self->smtp_host_row);
  gboolean valid = imap_valid && smtp_valid;

  if (valid == self->valid)
    return;

  self->valid = valid;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manual.continue", valid);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

static void
host_changed_cb (MsManualPage *self,
                 AdwEntryRow  *row)
{
  update_valid (self);
}

static void
security_changed_cb (MsManualPage *self,
                     GParamSpec   *pspec,
                     AdwComboRow  *row)
{
  MsProtocol protocol = row == self->imap_security_row ? MS_PROTOCOL_IMAP : MS_PROTOCOL_SMTP;
  ServerRows rows = get_server_rows (self, protocol);
  MsSecurity security = get_security (row);
  guint16 port = get_port (rows.port_spin);

  /* The user chose: the offer has had its say. */
  gtk_widget_set_visible (GTK_WIDGET (rows.fix_row), FALSE);

  /* A standard port follows the security; one the user chose stays. */
  for (guint i = 0; i < G_N_ELEMENTS (securities); i++)
    {
      if (securities[i] != security && port == standard_port (protocol, securities[i]))
        {
          gtk_spin_button_set_value (rows.port_spin, standard_port (protocol, security));
          break;
        }
    }
}

static void
use_offered_security_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  MsManualPage *self = MS_MANUAL_PAGE (widget);
  MsProtocol protocol = g_variant_get_uint32 (param) == MS_PROTOCOL_SMTP ? MS_PROTOCOL_SMTP : MS_PROTOCOL_IMAP;
  ServerRows rows = get_server_rows (self, protocol);
  guint16 port = get_port (rows.port_spin);

  if (!gtk_widget_get_visible (GTK_WIDGET (rows.fix_row)))
    return;

  /* The same port with the other mode: that is what the check found. */
  set_security (rows.security_row, self->offered[protocol]);
  gtk_spin_button_set_value (rows.port_spin, port);
  gtk_widget_grab_focus (GTK_WIDGET (rows.security_row));
}

static void
username_activated_cb (MsManualPage *self,
                       AdwEntryRow  *row)
{
  /* Enter in the last field goes on, as the button would. */
  if (self->valid)
    gtk_widget_activate_action (GTK_WIDGET (self), "manual.continue", NULL);
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  MsManualPage *self = MS_MANUAL_PAGE (widget);

  if (!self->valid)
    return;

  g_signal_emit (self, signals[CONTINUE], 0);
}

static void
ms_manual_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsManualPage *self = MS_MANUAL_PAGE (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_manual_page_class_init (MsManualPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ms_manual_page_get_property;

  /**
   * MsManualPage:valid:
   *
   * Whether both servers have a valid host name, so that the user can go on.
   */
  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsManualPage::continue:
   * @self: the page
   *
   * Emitted when the user goes on with a valid form: with the Continue
   * button, or Enter in the last field.
   */
  signals[CONTINUE] =
    g_signal_new ("continue",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-manual-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, intro_group);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, imap_host_row);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, imap_port_spin);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, imap_security_row);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, smtp_host_row);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, smtp_port_spin);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, imap_fix_row);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, imap_fix_button);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, smtp_fix_row);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, smtp_fix_button);
  gtk_widget_class_bind_template_child (widget_class, MsManualPage, username_row);
  gtk_widget_class_bind_template_callback (widget_class, host_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, security_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, username_activated_cb);

  gtk_widget_class_install_action (widget_class, "manual.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "manual.use-offered-security", "u", use_offered_security_action);
}

static void
ms_manual_page_init (MsManualPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "manual.continue", FALSE);
}

GtkWidget *
ms_manual_page_new (void)
{
  return g_object_new (MS_TYPE_MANUAL_PAGE, NULL);
}

static void
set_server (MsManualPage   *self,
            MsProtocol      protocol,
            const MsServer *server)
{
  ServerRows rows = get_server_rows (self, protocol);
  g_autofree char *display = NULL;

  /* The security first: it would move a standard port. */
  set_security (rows.security_row, server->security);
  gtk_widget_set_visible (GTK_WIDGET (rows.fix_row), FALSE);
  if (server->port > 0)
    gtk_spin_button_set_value (rows.port_spin, server->port);

  /* Shown as the user would type it: an IDN in Unicode. */
  if (server->hostname != NULL && !g_hostname_is_ip_address (server->hostname))
    display = g_hostname_to_unicode (server->hostname);
  gtk_editable_set_text (GTK_EDITABLE (rows.host_row),
                         display != NULL ? display : server->hostname != NULL ? server->hostname : "");
}

/**
 * ms_manual_page_set_servers:
 * @self: a page
 * @imap: (nullable): the IMAP server to show
 * @smtp: (nullable): the SMTP server to show
 * @username: (nullable): the user name to show; "" for the full address
 *
 * Fills in the form, for the user to check or correct. What is %NULL keeps
 * its value. The servers' user name rules are not used.
 */
void
ms_manual_page_set_servers (MsManualPage   *self,
                            const MsServer *imap,
                            const MsServer *smtp,
                            const char     *username)
{
  g_return_if_fail (MS_IS_MANUAL_PAGE (self));

  if (imap != NULL)
    set_server (self, MS_PROTOCOL_IMAP, imap);
  if (smtp != NULL)
    set_server (self, MS_PROTOCOL_SMTP, smtp);
  if (username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
}

/**
 * ms_manual_page_offer_security:
 * @self: a page
 * @protocol: which server
 * @security: the mode its port turned out to expect
 *
 * After a check found that the server's port expects the other security
 * mode, shows a row under that server saying so, with a button that
 * switches to @security and keeps the port. Choosing a security by hand,
 * or new servers, take the row away.
 */
void
ms_manual_page_offer_security (MsManualPage *self,
                               MsProtocol    protocol,
                               MsSecurity    security)
{
  ServerRows rows;
  g_autofree char *title = NULL;

  g_return_if_fail (MS_IS_MANUAL_PAGE (self));
  g_return_if_fail (protocol == MS_PROTOCOL_IMAP || protocol == MS_PROTOCOL_SMTP);

  rows = get_server_rows (self, protocol);
  self->offered[protocol] = security;

  if (security == MS_SECURITY_SSL)
    {
      /* Translators: %u is a port number */
      title = g_strdup_printf (_("Port %u expects TLS from the start"), get_port (rows.port_spin));
      adw_action_row_set_subtitle (rows.fix_row, _("The check found no plain-text greeting there, but a TLS server."));
      gtk_button_set_label (rows.fix_button, _("Use _SSL/TLS"));
    }
  else
    {
      title = g_strdup_printf (_("Port %u starts without encryption"), get_port (rows.port_spin));
      adw_action_row_set_subtitle (rows.fix_row, _("The check found a plain-text greeting there: encryption starts with STARTTLS."));
      gtk_button_set_label (rows.fix_button, _("Use S_TARTTLS"));
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows.fix_row), title);
  gtk_widget_set_visible (GTK_WIDGET (rows.fix_row), TRUE);
}

/**
 * ms_manual_page_set_origin:
 * @self: a page
 * @origin: (nullable): where the settings shown came from, e.g. the
 *   domain's autoconfig file; %NULL when the user enters them
 *
 * Says above the form where its values came from.
 */
void
ms_manual_page_set_origin (MsManualPage *self,
                           const char   *origin)
{
  g_return_if_fail (MS_IS_MANUAL_PAGE (self));

  adw_preferences_group_set_title (self->intro_group, origin ? origin : "");
}

/**
 * ms_manual_page_set_domain:
 * @self: a page
 * @domain: (nullable): the domain of the user's address
 *
 * Suggests host names made from @domain (imap.@domain, smtp.@domain) as
 * placeholder text; the fields keep their values. %NULL takes the
 * suggestions away.
 */
void
ms_manual_page_set_domain (MsManualPage *self,
                           const char   *domain)
{
  g_autofree char *display = NULL;
  g_autofree char *imap = NULL;
  g_autofree char *smtp = NULL;

  g_return_if_fail (MS_IS_MANUAL_PAGE (self));

  if (domain != NULL && domain[0] != '\0')
    {
      display = g_hostname_to_unicode (domain);
      imap = g_strconcat ("imap.", display != NULL ? display : domain, NULL);
      smtp = g_strconcat ("smtp.", display != NULL ? display : domain, NULL);
    }

  set_placeholder (self->imap_host_row, imap);
  set_placeholder (self->smtp_host_row, smtp);
}

gboolean
ms_manual_page_get_valid (MsManualPage *self)
{
  g_return_val_if_fail (MS_IS_MANUAL_PAGE (self), FALSE);

  return self->valid;
}

/**
 * ms_manual_page_dup_server:
 * @self: a page
 * @protocol: which server
 *
 * Returns: (transfer full) (nullable): the server as the form has it, with
 *   no user name (see ms_manual_page_dup_username()), or %NULL if the form
 *   is not valid
 */
MsServer *
ms_manual_page_dup_server (MsManualPage *self,
                           MsProtocol    protocol)
{
  g_autofree char *hostname = NULL;
  ServerRows rows;
  MsServer *server;

  g_return_val_if_fail (MS_IS_MANUAL_PAGE (self), NULL);
  g_return_val_if_fail (protocol == MS_PROTOCOL_IMAP || protocol == MS_PROTOCOL_SMTP, NULL);

  if (!self->valid)
    return NULL;

  rows = get_server_rows (self, protocol);
  hostname = normalize_hostname (gtk_editable_get_text (GTK_EDITABLE (rows.host_row)));
  g_return_val_if_fail (hostname != NULL, NULL);

  server = ms_server_new (protocol, hostname,
                          get_port (rows.port_spin),
                          get_security (rows.security_row),
                          NULL);
  /* The window applies the user name itself. */
  g_clear_pointer (&server->username, g_free);

  return server;
}

/**
 * ms_manual_page_dup_username:
 * @self: a page
 *
 * Returns: (transfer full) (nullable): the user name typed, trimmed, or
 *   %NULL if none was: then the full address is the user name
 */
char *
ms_manual_page_dup_username (MsManualPage *self)
{
  g_autofree char *username = NULL;

  g_return_val_if_fail (MS_IS_MANUAL_PAGE (self), NULL);

  username = ms_strdup_trimmed (gtk_editable_get_text (GTK_EDITABLE (self->username_row)));
  if (username[0] == '\0')
    return NULL;

  return g_steal_pointer (&username);
}

/**
 * ms_manual_page_dup_summary:
 * @self: a page
 *
 * What the form holds, valid or not, as one line per server and one for
 * the user name: `imap imap.example.org 993 ssl`, `smtp …`, `user bob`.
 * Host names are normalised as ms_manual_page_dup_server() gives them, so
 * the same servers typed differently give the same text, and any other
 * change gives another.
 *
 * Returns: (transfer full): the summary, to tell whether the settings changed
 */
char *
ms_manual_page_dup_summary (MsManualPage *self)
{
  const MsProtocol protocols[] = { MS_PROTOCOL_IMAP, MS_PROTOCOL_SMTP };
  g_autofree char *username = NULL;
  GString *out;

  g_return_val_if_fail (MS_IS_MANUAL_PAGE (self), NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      ServerRows rows = get_server_rows (self, protocols[i]);
      const char *text = gtk_editable_get_text (GTK_EDITABLE (rows.host_row));
      g_autofree char *hostname = normalize_hostname (text);

      g_string_append_printf (out, "%s %s %u %s\n",
                              ms_protocol_to_string (protocols[i]),
                              hostname != NULL ? hostname : text,
                              get_port (rows.port_spin),
                              ms_security_to_string (get_security (rows.security_row)));
    }

  username = ms_manual_page_dup_username (self);
  g_string_append_printf (out, "user %s\n", username != NULL ? username : "");

  return g_string_free (out, FALSE);
}
