/* ms-provider-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows one provider: what its client password is called, the
 * administrator's steps (which can be copied and sent), the user's steps
 * with a button that opens each page, and the server settings.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-provider-page.h"

struct _MsProviderPage
{
  AdwBin               parent_instance;

  MsProvider          *provider;
  MsLauncher          *launcher;

  AdwToastOverlay     *toast_overlay;
  AdwPreferencesGroup *intro_group;
  AdwActionRow        *password_row;
  AdwPreferencesGroup *admin_group;
  AdwPreferencesGroup *user_group;
  AdwPreferencesGroup *servers_group;
};

G_DEFINE_FINAL_TYPE (MsProviderPage, ms_provider_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_LAUNCHER,
  N_PROPS
};

enum {
  CONTINUE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
step_toggled_cb (GtkCheckButton *check,
                 GtkWidget      *row)
{
  if (gtk_check_button_get_active (check))
    gtk_widget_add_css_class (row, "step-done");
  else
    gtk_widget_remove_css_class (row, "step-done");
}

static GtkWidget *
create_step_row (MsProviderPage *self,
                 const MsStep   *step,
                 guint           number)
{
  g_autofree char *title = NULL;
  g_autofree char *done = NULL;
  GtkWidget *check;
  GtkWidget *row;

  /* Translators: a numbered step, e.g. “1. Turn on IMAP/SMTP” */
  title = g_strdup_printf (_("%u. %s"), number, step->title);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), step->description);

  /* Ticking a step off dims it, so the next one stands out. */
  check = gtk_check_button_new ();
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  /* Translators: accessible name of the check box that ticks a step off */
  done = g_strdup_printf (_("Done: %s"), step->title);
  gtk_widget_set_tooltip_text (check, _("Tick off when done"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, done,
                                  -1);
  g_signal_connect_object (check, "toggled", G_CALLBACK (step_toggled_cb), row, 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

  if (step->url != NULL)
    {
      g_autofree char *accessible = NULL;
      GtkWidget *button;

      if (step->who == MS_STEP_WHO_ADMIN)
        {
          g_autofree char *copy_name = NULL;

          /* The administrator may be someone else: let the link be sent. */
          button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_tooltip_text (button, _("Copy Link"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "page.copy-uri");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", step->url);
          /* Translators: accessible name of the button that copies a step's web address */
          copy_name = g_strdup_printf (_("Copy the link for “%s”"), step->title);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, copy_name,
                                          -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }

      button = gtk_button_new_with_mnemonic (_("_Open Page"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, step->url);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "page.open-uri");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", step->url);
      /* Translators: accessible name of the button that opens a step's web page */
      accessible = g_strdup_printf (_("Open the page for “%s”"), step->title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  return row;
}

static GtkWidget *
create_server_row (const char     *label,
                   const MsServer *server,
                   gboolean        backup)
{
  g_autofree char *host = ms_server_to_string (server);
  g_autofree char *subtitle = NULL;
  const char *login;
  GtkWidget *row;

  login = g_str_equal (ms_server_get_username_rule (server), "local-part")
    ? _("user name: the part before the @")
    : _("user name: the full address");

  subtitle = g_strdup_printf ("%s · %s · %s", host,
                              server->security == MS_SECURITY_SSL ? "SSL/TLS" : "STARTTLS",
                              login);

  row = adw_action_row_new ();
  if (backup)
    {
      /* Translators: %s is IMAP or SMTP */
      g_autofree char *title = g_strdup_printf (_("%s (backup)"), label);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
#if ADW_CHECK_VERSION (1, 3, 0)
  adw_action_row_set_subtitle_selectable (ADW_ACTION_ROW (row), TRUE);
#endif

  return row;
}

static void
populate (MsProviderPage *self)
{
  const MsPasswordFormat *format = ms_provider_get_password_format (self->provider);
  GPtrArray *steps = ms_provider_get_steps (self->provider);
  GPtrArray *servers;
  guint n_admin = 0, n_user = 0;

  adw_preferences_group_set_title (self->intro_group, ms_provider_get_name (self->provider));

  if (ms_provider_get_oauth_only (self->provider))
    {
      g_autofree char *description = NULL;

      /* No password to make or to check: say so plainly, and what to do
       * instead, rather than let the user fail at the servers. */
      /* Translators: %1$s is the provider, %2$s its advice, e.g. to add the
       * account in GNOME Online Accounts */
      description = g_strdup_printf (_("%s no longer lets mail programs sign in with a password, not even an app password. Mail Setup cannot set this account up. %s"),
                                     ms_provider_get_name (self->provider),
                                     ms_provider_get_client_note (self->provider));
      adw_preferences_group_set_description (self->intro_group, description);
      gtk_widget_set_visible (GTK_WIDGET (self->password_row), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.continue", FALSE);
    }
  else if (format != NULL)
    {
      g_autofree char *description = NULL;

      /* Translators: %1$s is the provider, %2$s what it calls its client
       * password, e.g. “QQ Mail”, “authorization code (授权码)” */
      description = g_strdup_printf (_("Mail programs sign in to %s with a separate %s, not with your web login password. The steps below create one."),
                                     ms_provider_get_name (self->provider), format->name);
      adw_preferences_group_set_description (self->intro_group, description);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), format->name);
      adw_action_row_set_subtitle (self->password_row, format->hint ? format->hint : "");
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->password_row), FALSE);

  for (guint i = 0; i < steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (steps, i);

      if (step->who == MS_STEP_WHO_ADMIN)
        adw_preferences_group_add (self->admin_group, create_step_row (self, step, ++n_admin));
      else
        adw_preferences_group_add (self->user_group, create_step_row (self, step, ++n_user));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->admin_group), n_admin > 0);
  if (n_admin > 0)
    adw_preferences_group_set_description (self->user_group,
                                           _("Once your administrator has done their part, take these steps yourself."));

  servers = ms_provider_get_imap_servers (self->provider);
  for (guint i = 0; i < servers->len; i++)
    adw_preferences_group_add (self->servers_group,
                               create_server_row ("IMAP", g_ptr_array_index (servers, i), i > 0));
  servers = ms_provider_get_smtp_servers (self->provider);
  for (guint i = 0; i < servers->len; i++)
    adw_preferences_group_add (self->servers_group,
                               create_server_row ("SMTP", g_ptr_array_index (servers, i), i > 0));
}

/**
 * ms_provider_dup_admin_text:
 * @provider: a provider
 *
 * Returns: (transfer full) (nullable): the administrator's steps as plain
 *   text, with their links, ready to paste into a message; %NULL when
 *   @provider has none
 */
char *
ms_provider_dup_admin_text (MsProvider *provider)
{
  GPtrArray *steps;
  GString *text;
  guint n = 0;

  g_return_val_if_fail (MS_IS_PROVIDER (provider), NULL);

  if (!ms_provider_has_admin_steps (provider))
    return NULL;

  steps = ms_provider_get_steps (provider);
  text = g_string_new (NULL);

  /* Translators: first line of the text a user sends to their administrator; %s is the provider */
  g_string_append_printf (text, _("To let me use %s in a mail program, please do this in the administration console:"),
                          ms_provider_get_name (provider));
  g_string_append_c (text, '\n');

  for (guint i = 0; i < steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (steps, i);

      if (step->who != MS_STEP_WHO_ADMIN)
        continue;

      g_string_append_printf (text, "\n%u. %s\n   %s\n", ++n, step->title, step->description);
      if (step->url != NULL)
        g_string_append_printf (text, "   %s\n", step->url);
    }

  return g_string_free (text, FALSE);
}

/**
 * ms_provider_page_dup_admin_text:
 * @self: a page
 *
 * Returns: (transfer full) (nullable): ms_provider_dup_admin_text() for the
 *   page's provider
 */
char *
ms_provider_page_dup_admin_text (MsProviderPage *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER_PAGE (self), NULL);

  return ms_provider_dup_admin_text (self->provider);
}

static void
open_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  MsProviderPage *self = MS_PROVIDER_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  ms_launcher_open (self->launcher,
                    GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                    g_variant_get_string (param, NULL));
}

static void
copy_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  MsProviderPage *self = MS_PROVIDER_PAGE (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), g_variant_get_string (param, NULL));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Link copied")));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  g_signal_emit (widget, signals[CONTINUE], 0);
}

static void
copy_admin_steps_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  MsProviderPage *self = MS_PROVIDER_PAGE (widget);
  g_autofree char *text = ms_provider_page_dup_admin_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Steps copied; paste them into a message to your administrator")));
}

static void
ms_provider_page_constructed (GObject *object)
{
  MsProviderPage *self = (MsProviderPage *)object;

  G_OBJECT_CLASS (ms_provider_page_parent_class)->constructed (object);

  g_assert (self->provider != NULL);
  if (self->launcher == NULL)
    self->launcher = ms_launcher_new ();

  populate (self);
}

static void
ms_provider_page_dispose (GObject *object)
{
  MsProviderPage *self = (MsProviderPage *)object;

  /* AdwBin unparents its child (the template's root) itself;
   * gtk_widget_dispose_template() would unparent it a second time. */

  g_clear_object (&self->provider);
  g_clear_object (&self->launcher);

  G_OBJECT_CLASS (ms_provider_page_parent_class)->dispose (object);
}

static void
ms_provider_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MsProviderPage *self = MS_PROVIDER_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;

    case PROP_LAUNCHER:
      g_value_set_object (value, self->launcher);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_provider_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MsProviderPage *self = MS_PROVIDER_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      self->provider = g_value_dup_object (value);
      break;

    case PROP_LAUNCHER:
      self->launcher = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_provider_page_class_init (MsProviderPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ms_provider_page_constructed;
  object_class->dispose = ms_provider_page_dispose;
  object_class->get_property = ms_provider_page_get_property;
  object_class->set_property = ms_provider_page_set_property;

  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL,
                         MS_TYPE_PROVIDER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAUNCHER] =
    g_param_spec_object ("launcher", NULL, NULL,
                         MS_TYPE_LAUNCHER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsProviderPage::continue:
   * @self: the page
   *
   * The user has their client password and goes on to enter it.
   */
  signals[CONTINUE] =
    g_signal_new ("continue",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-provider-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsProviderPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MsProviderPage, intro_group);
  gtk_widget_class_bind_template_child (widget_class, MsProviderPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, MsProviderPage, admin_group);
  gtk_widget_class_bind_template_child (widget_class, MsProviderPage, user_group);
  gtk_widget_class_bind_template_child (widget_class, MsProviderPage, servers_group);

  gtk_widget_class_install_action (widget_class, "page.open-uri", "s", open_uri_action);
  gtk_widget_class_install_action (widget_class, "page.copy-admin-steps", NULL, copy_admin_steps_action);
  gtk_widget_class_install_action (widget_class, "page.copy-uri", "s", copy_uri_action);
  gtk_widget_class_install_action (widget_class, "page.continue", NULL, continue_action);
}

static void
ms_provider_page_init (MsProviderPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ms_provider_page_new (MsProvider *provider,
                      MsLauncher *launcher)
{
  g_return_val_if_fail (MS_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (!launcher || MS_IS_LAUNCHER (launcher), NULL);

  return g_object_new (MS_TYPE_PROVIDER_PAGE,
                       "provider", provider,
                       "launcher", launcher,
                       NULL);
}

MsProvider *
ms_provider_page_get_provider (MsProviderPage *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER_PAGE (self), NULL);

  return self->provider;
}
