/* ms-password-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Takes the address and the client password, says whether the password has
 * the shape the provider gives its client passwords, and asks for the check.
 * The password stays in the entry's locked, wiped-on-free buffer (read in
 * place, never copied but into an MsSecret or a copy wiped at once).
 *
 * A typed password belongs to one account: the address, the provider, and
 * the servers when they were entered by hand. The window says which account
 * the page is for (ms_password_page_set_account()); when that is another,
 * the password is wiped before anything could send it there.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-password-page.h"

struct _MsPasswordPage
{
  AdwBin               parent_instance;

  MsProvider          *provider;
  char                *servers;      /* entered by hand, as a summary */
  gboolean             ready;

  AdwPreferencesGroup *password_group;
  AdwEntryRow         *address_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *feedback_label;
};

G_DEFINE_FINAL_TYPE (MsPasswordPage, ms_password_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_READY,
  N_PROPS
};

enum {
  VERIFY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const MsPasswordFormat *
get_format (MsPasswordPage *self)
{
  return self->provider != NULL ? ms_provider_get_password_format (self->provider) : NULL;
}

static void
set_feedback (MsPasswordPage *self,
              const char     *text,
              const char     *style)
{
  gtk_label_set_text (self->feedback_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->feedback_label), text != NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->feedback_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->feedback_label), "success");
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->feedback_label), style);
}

/* Says whether what was typed has the provider's shape. A mismatch is only
 * a hint (the login password typed instead, say): the check still runs. */
static void
update_feedback (MsPasswordPage *self,
                 const char     *password)
{
  const MsPasswordFormat *format = get_format (self);
  g_autofree char *message = NULL;
  char *cleaned;
  gboolean matches;

  if (format == NULL || *password == '\0')
    {
      set_feedback (self, format ? format->hint : NULL, NULL);
      return;
    }

  cleaned = ms_password_format_clean (format, password);
  matches = ms_password_format_matches (format, cleaned);
  ms_wipe_string (cleaned);

  if (matches)
    {
      /* Translators: %s is what the provider calls its client password */
      message = g_strdup_printf (_("Length and characters match the %s."), format->name);
      set_feedback (self, message, "success");
    }
  else
    {
      /* Translators: %1$s is what the provider calls its client password,
       * %2$s describes its shape, e.g. “16 letters” */
      message = g_strdup_printf (_("This does not match the %s: %s Check that you did not type your login password."),
                                 format->name, format->hint ? format->hint : "");
      set_feedback (self, message, "warning");
    }
}

static void
update_state (MsPasswordPage *self)
{
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autoptr(MsAddress) address = ms_address_parse (email, NULL);
  gboolean ready;

  if (address == NULL && *email != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");

  update_feedback (self, password);

  ready = address != NULL && *password != '\0';
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.verify", ready);
  if (ready != self->ready)
    {
      self->ready = ready;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
    }
}

static void
changed_cb (MsPasswordPage *self)
{
  update_state (self);
}

static void
verify_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  MsPasswordPage *self = MS_PASSWORD_PAGE (widget);

  if (self->ready)
    g_signal_emit (self, signals[VERIFY], 0);
}

static void
address_activated_cb (MsPasswordPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
password_activated_cb (MsPasswordPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "password.verify", NULL);
}

static GtkText *
get_password_text (MsPasswordPage *self)
{
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->password_row));

  return GTK_IS_TEXT (delegate) ? GTK_TEXT (delegate) : NULL;
}

/* Gives the field a buffer of its own, in memory that is never swapped out
 * and is wiped when freed; the one before, if any, is freed. */
static void
use_new_buffer (MsPasswordPage *self)
{
  GtkText *text = get_password_text (self);
  g_autoptr(GtkEntryBuffer) buffer = NULL;

  if (text == NULL)
    return;

  buffer = gtk_password_entry_buffer_new ();
  gtk_text_set_buffer (text, buffer);
}

/* Names the password the way @provider does and sets what its shape is
 * checked against. */
static void
show_provider (MsPasswordPage *self,
               MsProvider     *provider)
{
  const MsPasswordFormat *format;
  g_autofree char *title = NULL;

  g_set_object (&self->provider, provider);
  format = get_format (self);

  if (format != NULL)
    {
      g_autofree char *description = NULL;

      /* Translators: %s is what the provider calls its client password */
      title = g_strdup_printf (_("Enter the %s"), format->name);
      /* Translators: %1$s is the provider's client password, %2$s the provider */
      description = g_strdup_printf (_("Paste the %s you created in the steps, not the password you use on the %s website. It is saved only after the servers accept it."),
                                     format->name, ms_provider_get_name (provider));
      adw_preferences_group_set_title (self->password_group, title);
      adw_preferences_group_set_description (self->password_group, description);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), format->name);
    }
  else
    {
      adw_preferences_group_set_title (self->password_group, _("Enter Your Password"));
      adw_preferences_group_set_description (self->password_group,
                                             _("The password your mail program should use. It is saved only after the servers accept it."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Password"));
    }

  update_state (self);
}

/* Whether @email is the address in the field: the same mailbox when both
 * are addresses (Zhang@QQ.com is zhang@qq.com), else the same text. */
static gboolean
is_shown_address (MsPasswordPage *self,
                  const char     *email)
{
  const char *shown = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autoptr(MsAddress) shown_address = ms_address_parse (shown, NULL);
  g_autoptr(MsAddress) address = ms_address_parse (email, NULL);
  g_autofree char *shown_text = NULL;
  g_autofree char *text = NULL;

  if (shown_address != NULL && address != NULL)
    return ms_address_same_mailbox (shown_address, address);
  if (shown_address != NULL || address != NULL)
    return FALSE;

  shown_text = ms_strdup_trimmed (shown);
  text = ms_strdup_trimmed (email);
  return g_str_equal (shown_text, text);
}

static gboolean
is_shown_provider (MsPasswordPage *self,
                   MsProvider     *provider)
{
  if (self->provider == NULL || provider == NULL)
    return self->provider == provider;

  return g_str_equal (ms_provider_get_id (self->provider), ms_provider_get_id (provider));
}

static void
ms_password_page_dispose (GObject *object)
{
  MsPasswordPage *self = (MsPasswordPage *)object;

  g_clear_object (&self->provider);
  g_clear_pointer (&self->servers, g_free);

  G_OBJECT_CLASS (ms_password_page_parent_class)->dispose (object);
}

static void
ms_password_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MsPasswordPage *self = MS_PASSWORD_PAGE (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_password_page_class_init (MsPasswordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_password_page_dispose;
  object_class->get_property = ms_password_page_get_property;

  /**
   * MsPasswordPage:ready:
   *
   * Whether the address is an address and a password was typed.
   */
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsPasswordPage::verify:
   * @self: the page
   *
   * The user asks for the password to be checked.
   */
  signals[VERIFY] =
    g_signal_new ("verify",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-password-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsPasswordPage, password_group);
  gtk_widget_class_bind_template_child (widget_class, MsPasswordPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MsPasswordPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, MsPasswordPage, feedback_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, address_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_activated_cb);

  gtk_widget_class_install_action (widget_class, "password.verify", NULL, verify_action);
}

static void
ms_password_page_init (MsPasswordPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  use_new_buffer (self);
  show_provider (self, NULL);
}

GtkWidget *
ms_password_page_new (void)
{
  return g_object_new (MS_TYPE_PASSWORD_PAGE, NULL);
}

/**
 * ms_password_page_set_account:
 * @self: a page
 * @email: (nullable): the address, as typed so far; %NULL keeps the one in
 *   the field
 * @provider: (nullable): the provider, or %NULL for servers entered by hand
 * @servers: (nullable): the servers entered by hand, as
 *   ms_manual_page_dup_summary() gives them, or %NULL for the provider's
 *
 * Says whose password the page takes, and names it the way the provider
 * does. A password typed for another account is wiped (as
 * ms_password_page_clear_password() does), so that it is never sent where
 * it was not meant to go: another mailbox (the address's local part is
 * compared without case), another provider, or other servers, ports,
 * security or user name. The same account keeps it: Back to read the steps
 * again and on loses nothing. An address edited in the field itself is the
 * one the user sees beside the password: the password goes with it.
 */
void
ms_password_page_set_account (MsPasswordPage *self,
                              const char     *email,
                              MsProvider     *provider,
                              const char     *servers)
{
  gboolean same;

  g_return_if_fail (MS_IS_PASSWORD_PAGE (self));
  g_return_if_fail (!provider || MS_IS_PROVIDER (provider));

  same = (email == NULL || is_shown_address (self, email)) &&
         is_shown_provider (self, provider) &&
         g_strcmp0 (self->servers, servers) == 0;
  if (!same)
    ms_password_page_clear_password (self);

  g_free (self->servers);
  self->servers = g_strdup (servers);
  if (email != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->address_row), email);
  show_provider (self, provider);
}

/**
 * ms_password_page_dup_address:
 * @self: a page
 * @error: why the field does not hold an address
 *
 * Returns: (transfer full) (nullable): the address
 */
MsAddress *
ms_password_page_dup_address (MsPasswordPage  *self,
                              GError         **error)
{
  g_return_val_if_fail (MS_IS_PASSWORD_PAGE (self), NULL);

  return ms_address_parse (gtk_editable_get_text (GTK_EDITABLE (self->address_row)), error);
}

/**
 * ms_password_page_dup_secret:
 * @self: a page
 *
 * The password as typed, less what copying from a web page adds where the
 * provider's format allows (spaces, dashes between groups, line breaks).
 *
 * Returns: (transfer full) (nullable): the password, or %NULL if none was typed
 */
MsSecret *
ms_password_page_dup_secret (MsPasswordPage *self)
{
  const char *text;
  char *cleaned;
  MsSecret *secret = NULL;

  g_return_val_if_fail (MS_IS_PASSWORD_PAGE (self), NULL);

  text = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  cleaned = ms_password_format_clean (get_format (self), text);
  if (*cleaned != '\0')
    secret = ms_secret_new (cleaned, strlen (cleaned));
  ms_wipe_string (cleaned);

  return secret;
}

/**
 * ms_password_page_clear_password:
 * @self: a page
 *
 * Empties the password field and wipes what it held.
 */
void
ms_password_page_clear_password (MsPasswordPage *self)
{
  GtkText *text;

  g_return_if_fail (MS_IS_PASSWORD_PAGE (self));

  text = get_password_text (self);

  /* Hidden first: GtkText keeps an undo history of text that is shown
   * (with the row's Show Text) and drops it when hidden; Ctrl+Z must not
   * bring the password back. */
  if (text != NULL)
    gtk_text_set_visibility (text, FALSE);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");

  /* Deleting text from a GtkPasswordEntryBuffer only moves its end: the
   * bytes stay in its memory until the buffer is freed, which wipes them. */
  use_new_buffer (self);
}

gboolean
ms_password_page_get_ready (MsPasswordPage *self)
{
  g_return_val_if_fail (MS_IS_PASSWORD_PAGE (self), FALSE);

  return self->ready;
}

/**
 * ms_password_page_focus:
 * @self: a page
 *
 * Focuses the first field that needs something.
 */
void
ms_password_page_focus (MsPasswordPage *self)
{
  g_autoptr(MsAddress) address = NULL;

  g_return_if_fail (MS_IS_PASSWORD_PAGE (self));

  address = ms_password_page_dup_address (self, NULL);
  gtk_widget_grab_focus (address != NULL ? GTK_WIDGET (self->password_row)
                                         : GTK_WIDGET (self->address_row));
}
