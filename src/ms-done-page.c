/* ms-done-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After a successful check: the settings a mail program needs, each with a
 * copy button; where the password was saved; adding the account to GNOME
 * Online Accounts; and the provider's advice for mail programs.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-done-page.h"

struct _MsDonePage
{
  AdwBin               parent_instance;

  GHashTable          *settings;
  GPtrArray           *setting_rows;
  MsGoaState           goa_state;

  AdwToastOverlay     *toast_overlay;
  AdwStatusPage       *status_page;
  AdwPreferencesGroup *settings_group;
  AdwActionRow        *keyring_row;
  GtkButton           *keyring_retry_button;
  AdwActionRow        *goa_row;
  GtkButton           *goa_button;
  GtkSpinner          *goa_spinner;
  AdwActionRow        *note_row;
};

G_DEFINE_FINAL_TYPE (MsDonePage, ms_done_page, ADW_TYPE_BIN)

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MsDonePage *self = MS_DONE_PAGE (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), g_variant_get_string (param, NULL));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Copied")));
}

static void
add_setting (MsDonePage *self,
             const char *name,
             const char *title,
             const char *value)
{
  g_autofree char *copy_name = NULL;
  GtkWidget *row;
  GtkWidget *button;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
#if ADW_CHECK_VERSION (1, 3, 0)
  adw_action_row_set_subtitle_selectable (ADW_ACTION_ROW (row), TRUE);
#endif
  gtk_widget_add_css_class (row, "property");

  button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Copy"));
  /* Translators: accessible name of a copy button; %s is a setting, e.g. “Incoming Server” */
  copy_name = g_strdup_printf (_("Copy “%s”"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, copy_name,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "done.copy");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", value);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  adw_preferences_group_add (self->settings_group, row);
  g_ptr_array_add (self->setting_rows, row);
  g_hash_table_insert (self->settings, g_strdup (name), g_strdup (value));
}

static const char *
security_label (MsSecurity security)
{
  return security == MS_SECURITY_SSL ? "SSL/TLS" : "STARTTLS";
}

static void
add_server_settings (MsDonePage *self,
                     MsVerifier *verifier,
                     MsProtocol  protocol)
{
  const char *username = NULL;
  const MsServer *server = ms_verifier_get_login (verifier, protocol, &username);
  gboolean imap = protocol == MS_PROTOCOL_IMAP;
  g_autofree char *port = NULL;

  if (server == NULL)
    return;

  port = g_strdup_printf ("%u", server->port);
  add_setting (self, imap ? "imap-server" : "smtp-server",
               imap ? _("Incoming Server (IMAP)") : _("Outgoing Server (SMTP)"),
               server->hostname);
  add_setting (self, imap ? "imap-port" : "smtp-port",
               imap ? _("Incoming Port") : _("Outgoing Port"),
               port);
  add_setting (self, imap ? "imap-security" : "smtp-security",
               imap ? _("Incoming Security") : _("Outgoing Security"),
               security_label (server->security));

  if (username == NULL)
    return;

  if (imap)
    add_setting (self, "username", _("User Name"), username);
  else if (g_strcmp0 (username, g_hash_table_lookup (self->settings, "username")) != 0)
    add_setting (self, "smtp-username", _("Outgoing User Name"), username);
}

/* What the keyring row says: @saved items stored, or why they were not. */
static void
set_keyring (MsDonePage *self,
             guint       saved,
             const char *failure)
{
  if (failure != NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s says why the keyring did not take the password */
      text = g_strdup_printf (_("Not saved: %s The password is still held here; try again."), failure);
      adw_action_row_set_subtitle (self->keyring_row, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->keyring_row), "error");
    }
  else if (saved > 0)
    {
      adw_action_row_set_subtitle (self->keyring_row,
                                   _("Saved in your login keyring, where Evolution, Geary, Thunderbird and other mail programs find it."));
      gtk_widget_remove_css_class (GTK_WIDGET (self->keyring_row), "error");
    }
  else
    {
      adw_action_row_set_subtitle (self->keyring_row, _("Not saved"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->keyring_row), "error");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->keyring_retry_button), failure != NULL || saved == 0);
}

static void
ms_done_page_dispose (GObject *object)
{
  MsDonePage *self = (MsDonePage *)object;

  g_clear_pointer (&self->settings, g_hash_table_unref);
  g_clear_pointer (&self->setting_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_done_page_parent_class)->dispose (object);
}

static void
ms_done_page_class_init (MsDonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_done_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-done-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, settings_group);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, keyring_row);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, keyring_retry_button);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, goa_row);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, goa_button);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, goa_spinner);
  gtk_widget_class_bind_template_child (widget_class, MsDonePage, note_row);

  gtk_widget_class_install_action (widget_class, "done.copy", "s", copy_action);
}

static void
ms_done_page_init (MsDonePage *self)
{
  self->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->setting_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ms_done_page_new (void)
{
  return g_object_new (MS_TYPE_DONE_PAGE, NULL);
}

/**
 * ms_done_page_show:
 * @self: a page
 * @verifier: a verifier whose check succeeded
 *
 * Shows the settings that worked; ms_done_page_show_stored() says where
 * the password went.
 */
void
ms_done_page_show (MsDonePage *self,
                   MsVerifier *verifier)
{
  const MsAddress *address;
  MsProvider *provider;
  const char *note = NULL;
  g_autofree char *display = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (MS_IS_DONE_PAGE (self));
  g_return_if_fail (MS_IS_VERIFIER (verifier));

  for (guint i = 0; i < self->setting_rows->len; i++)
    adw_preferences_group_remove (self->settings_group, g_ptr_array_index (self->setting_rows, i));
  g_ptr_array_set_size (self->setting_rows, 0);
  g_hash_table_remove_all (self->settings);

  address = ms_verifier_get_address (verifier);
  display = ms_address_to_display (address);
  /* Translators: %s is the user's address */
  description = g_strdup_printf (_("Mail programs can now use %s."), display);
  adw_status_page_set_description (self->status_page, description);

  add_server_settings (self, verifier, MS_PROTOCOL_IMAP);
  add_server_settings (self, verifier, MS_PROTOCOL_SMTP);
  set_keyring (self, 0, NULL);

  provider = ms_verifier_get_provider (verifier);
  if (provider != NULL)
    note = ms_provider_get_client_note (provider);
  adw_action_row_set_subtitle (self->note_row, note ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note_row), note != NULL);
}

/**
 * ms_done_page_set_goa_state:
 * @self: a page
 * @state: where adding the account to GNOME Online Accounts stands
 * @message: (nullable): what went wrong, or a note on the account
 */
void
ms_done_page_set_goa_state (MsDonePage *self,
                            MsGoaState  state,
                            const char *message)
{
  const char *subtitle = NULL;

  g_return_if_fail (MS_IS_DONE_PAGE (self));

  self->goa_state = state;

  switch (state)
    {
    case MS_GOA_STATE_UNAVAILABLE:
      break;
    case MS_GOA_STATE_AVAILABLE:
      subtitle = _("Add the account there, and Evolution, Geary and GNOME Calendar see it at once.");
      break;
    case MS_GOA_STATE_ADDING:
      subtitle = _("Adding…");
      break;
    case MS_GOA_STATE_ADDED:
      subtitle = _("Added. Mail programs that use Online Accounts show it now.");
      break;
    case MS_GOA_STATE_EXISTING:
      subtitle = message ? message : _("Online Accounts already has this address; it was left as it is.");
      break;
    case MS_GOA_STATE_FAILED:
      subtitle = message;
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_widget_set_visible (GTK_WIDGET (self->goa_row), state != MS_GOA_STATE_UNAVAILABLE);
  adw_action_row_set_subtitle (self->goa_row, subtitle ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->goa_button),
                          state == MS_GOA_STATE_AVAILABLE || state == MS_GOA_STATE_FAILED);
  gtk_button_set_label (self->goa_button, state == MS_GOA_STATE_FAILED ? _("_Try Again") : _("_Add"));
  gtk_widget_set_visible (GTK_WIDGET (self->goa_spinner), state == MS_GOA_STATE_ADDING);
  gtk_spinner_set_spinning (self->goa_spinner, state == MS_GOA_STATE_ADDING);
  if (state == MS_GOA_STATE_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->goa_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->goa_row), "error");
}

/**
 * ms_done_page_show_stored:
 * @self: a page
 * @stored: what MsAccountStore saved, an aa{sv}
 *
 * Updates the keyring row and the Online Accounts row from the places
 * @stored reports on; the others stay as they are.
 */
void
ms_done_page_show_stored (MsDonePage *self,
                          GVariant   *stored)
{
  g_autofree char *failure = NULL;
  gboolean keyring_seen = FALSE;
  guint saved = 0;
  GVariantIter iter;
  GVariant *entry;

  g_return_if_fail (MS_IS_DONE_PAGE (self));
  g_return_if_fail (g_variant_is_of_type (stored, G_VARIANT_TYPE ("aa{sv}")));

  g_variant_iter_init (&iter, stored);
  while (g_variant_iter_loop (&iter, "@a{sv}", &entry))
    {
      const char *where = NULL;
      const char *message = NULL;
      gboolean ok = FALSE;
      gboolean existing = FALSE;

      g_variant_lookup (entry, "where", "&s", &where);
      g_variant_lookup (entry, "ok", "b", &ok);
      g_variant_lookup (entry, "message", "&s", &message);

      if (g_strcmp0 (where, "keyring") == 0)
        {
          keyring_seen = TRUE;
          if (ok)
            saved++;
          else if (failure == NULL)
            failure = g_strdup (message ? message : _("Unknown error"));
        }
      else if (g_strcmp0 (where, "goa") == 0)
        {
          g_variant_lookup (entry, "existing", "b", &existing);
          if (!ok)
            ms_done_page_set_goa_state (self, MS_GOA_STATE_FAILED, message);
          else if (existing)
            ms_done_page_set_goa_state (self, MS_GOA_STATE_EXISTING, message);
          else
            ms_done_page_set_goa_state (self, MS_GOA_STATE_ADDED, NULL);
        }
    }

  if (keyring_seen)
    set_keyring (self, saved, failure);
}

MsGoaState
ms_done_page_get_goa_state (MsDonePage *self)
{
  g_return_val_if_fail (MS_IS_DONE_PAGE (self), MS_GOA_STATE_UNAVAILABLE);

  return self->goa_state;
}

/**
 * ms_done_page_dup_setting:
 * @self: a page
 * @name: `imap-server`, `imap-port`, `imap-security`, `smtp-server`,
 *   `smtp-port`, `smtp-security`, `username` or `smtp-username`
 *
 * Returns: (transfer full) (nullable): the value shown and copied
 */
char *
ms_done_page_dup_setting (MsDonePage *self,
                          const char *name)
{
  g_return_val_if_fail (MS_IS_DONE_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_strdup (g_hash_table_lookup (self->settings, name));
}

/**
 * ms_done_page_get_stored_text:
 * @self: a page
 *
 * Returns: what the page says about the keyring
 */
const char *
ms_done_page_get_stored_text (MsDonePage *self)
{
  g_return_val_if_fail (MS_IS_DONE_PAGE (self), NULL);

  return adw_action_row_get_subtitle (self->keyring_row);
}
