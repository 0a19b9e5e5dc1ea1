/* ms-failed-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When a check fails: what went wrong in plain words, the buttons that fix
 * it (the page that makes a new client password, the steps to send the
 * administrator, the backup server, the settings, another try), what each
 * side did, and, on request, the server's own words and the certificate.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-failed-page.h"

struct _MsFailedPage
{
  AdwBin               parent_instance;

  MsErrorKind          kind;
  GPtrArray           *rows;

  AdwStatusPage       *status_page;
  GtkButton           *open_step_button;
  GtkButton           *admin_button;
  GtkButton           *backup_button;
  GtkButton           *edit_button;
  AdwPreferencesGroup *sides_group;
  AdwExpanderRow      *details_row;
};

G_DEFINE_FINAL_TYPE (MsFailedPage, ms_failed_page, ADW_TYPE_BIN)

/**
 * ms_error_kind_get_title:
 * @kind: an error kind
 *
 * Returns: a short headline for @kind
 */
const char *
ms_error_kind_get_title (MsErrorKind kind)
{
  switch (kind)
    {
    case MS_ERROR_KIND_NONE:
      return _("Signed In");
    case MS_ERROR_KIND_AUTH_FAILED:
      return _("The Password Was Not Accepted");
    case MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED:
      return _("A Client Password Is Needed");
    case MS_ERROR_KIND_SERVICE_DISABLED:
      return _("IMAP/SMTP Is Switched Off");
    case MS_ERROR_KIND_IP_DENIED:
      return _("Sign-In Blocked From This Place");
    case MS_ERROR_KIND_UNSAFE_LOGIN:
      return _("Refused as an Unsafe Login");
    case MS_ERROR_KIND_RATE_LIMITED:
      return _("Too Many Attempts");
    case MS_ERROR_KIND_ACCOUNT_UNKNOWN:
      return _("Unknown Account");
    case MS_ERROR_KIND_LOGIN_DISABLED:
      return _("Sign-In Not Allowed");
    case MS_ERROR_KIND_TLS_CERTIFICATE:
      return _("The Server Could Not Prove Who It Is");
    case MS_ERROR_KIND_TLS_HANDSHAKE:
      return _("No Secure Connection");
    case MS_ERROR_KIND_DNS:
      return _("Server Not Found");
    case MS_ERROR_KIND_CONNECT:
      return _("Cannot Reach the Server");
    case MS_ERROR_KIND_TIMEOUT:
      return _("The Server Did Not Answer");
    case MS_ERROR_KIND_PROTOCOL:
      return _("Unexpected Answer From the Server");
    case MS_ERROR_KIND_CANCELLED:
      return _("Stopped");
    case MS_ERROR_KIND_STORE_FAILED:
      return _("Not Saved");
    case MS_ERROR_KIND_WRONG_SECURITY_MODE:
      return _("Wrong Security Setting for This Port");
    case MS_ERROR_KIND_NO_INBOX:
      return _("Signed In, but No Inbox Yet");
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
kind_is_network (MsErrorKind kind)
{
  return kind == MS_ERROR_KIND_DNS ||
         kind == MS_ERROR_KIND_CONNECT ||
         kind == MS_ERROR_KIND_TIMEOUT ||
         kind == MS_ERROR_KIND_TLS_HANDSHAKE ||
         kind == MS_ERROR_KIND_TLS_CERTIFICATE;
}

/* Failures only an administrator of an organization's mail can mend. */
static gboolean
kind_needs_admin (MsErrorKind kind)
{
  return kind == MS_ERROR_KIND_SERVICE_DISABLED ||
         kind == MS_ERROR_KIND_IP_DENIED ||
         kind == MS_ERROR_KIND_LOGIN_DISABLED ||
         kind == MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED;
}

static const char *
side_title (MsProtocol protocol)
{
  return protocol == MS_PROTOCOL_IMAP ? _("Incoming Mail (IMAP)") : _("Outgoing Mail (SMTP)");
}

static void
add_row (MsFailedPage *self,
         GtkWidget    *row,
         gboolean      in_details)
{
  if (in_details)
    adw_expander_row_add_row (self->details_row, row);
  else
    adw_preferences_group_add (self->sides_group, row);
  g_ptr_array_add (self->rows, row);
}

static void
clear_rows (MsFailedPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);

      if (gtk_widget_get_ancestor (row, ADW_TYPE_EXPANDER_ROW) != NULL)
        adw_expander_row_remove (self->details_row, row);
      else
        adw_preferences_group_remove (self->sides_group, row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static GtkWidget *
text_row (const char *title,
          const char *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
#if ADW_CHECK_VERSION (1, 3, 0)
  adw_action_row_set_subtitle_selectable (ADW_ACTION_ROW (row), TRUE);
#endif
  gtk_widget_add_css_class (row, "property");

  return row;
}

static char *
describe_certificate (GVariant *tls)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **names = NULL;
  g_autofree const char **problems = NULL;
  const char *value;

  if (g_variant_lookup (tls, "subject", "&s", &value))
    g_string_append_printf (text, _("Subject: %s\n"), value);
  if (g_variant_lookup (tls, "issuer", "&s", &value))
    g_string_append_printf (text, _("Issuer: %s\n"), value);
  if (g_variant_lookup (tls, "not_before", "&s", &value))
    g_string_append_printf (text, _("Valid from: %s\n"), value);
  if (g_variant_lookup (tls, "not_after", "&s", &value))
    g_string_append_printf (text, _("Valid until: %s\n"), value);
  if (g_variant_lookup (tls, "names", "^a&s", &names) && names[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **)names);
      g_string_append_printf (text, _("Names: %s\n"), joined);
    }
  if (g_variant_lookup (tls, "sha256", "&s", &value))
    g_string_append_printf (text, _("SHA-256: %s\n"), value);
  if (g_variant_lookup (tls, "problems", "^a&s", &problems) && problems[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **)problems);
      g_string_append_printf (text, _("Problems: %s\n"), joined);
    }

  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static void
show_side (MsFailedPage        *self,
           const MsCheckResult *result)
{
  g_autofree char *subtitle = NULL;
  GtkWidget *row;
  GtkWidget *icon;

  if (result->ok)
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    subtitle = g_strdup_printf (_("Signed in to %s"), result->server);
  else
    /* Translators: %1$s is a server, %2$s what went wrong there */
    subtitle = g_strdup_printf (_("%s: %s"), result->server ? result->server : "",
                                ms_error_kind_get_title (result->kind));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), side_title (result->protocol));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  icon = gtk_image_new_from_icon_name (result->ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_add_css_class (icon, result->ok ? "success" : "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, result->ok ? _("Succeeded") : _("Failed"),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  add_row (self, row, FALSE);

  if (!result->ok)
    {
      g_autofree char *certificate = NULL;
      g_autofree char *title = NULL;
      g_autofree char *words = NULL;

      /* Translators: %s is IMAP or SMTP; the row shows that server's own words */
      title = g_strdup_printf (_("%s server said"), result->protocol == MS_PROTOCOL_IMAP ? "IMAP" : "SMTP");
      words = ms_check_result_dup_words (result);
      add_row (self, text_row (title, words ? words : _("(nothing)")), TRUE);

      if (result->tls != NULL && (certificate = describe_certificate (result->tls)) != NULL)
        add_row (self, text_row (_("Certificate"), certificate), TRUE);
    }
}

static void
ms_failed_page_dispose (GObject *object)
{
  MsFailedPage *self = (MsFailedPage *)object;

  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_failed_page_parent_class)->dispose (object);
}

static void
ms_failed_page_class_init (MsFailedPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_failed_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-failed-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, open_step_button);
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, admin_button);
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, backup_button);
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, sides_group);
  gtk_widget_class_bind_template_child (widget_class, MsFailedPage, details_row);
}

static void
ms_failed_page_init (MsFailedPage *self)
{
  self->rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ms_failed_page_new (void)
{
  return g_object_new (MS_TYPE_FAILED_PAGE, NULL);
}

/**
 * ms_failed_page_show:
 * @self: a page
 * @verifier: a verifier whose check failed
 * @can_try_backup: whether the provider has another server to try
 *
 * Shows the first failure's diagnosis, the buttons that fix it and what
 * each side did. The buttons use the window's actions: `win.open-uri`,
 * `win.copy-admin-steps`, `win.retry-backup`, `win.edit-settings` and
 * `win.retry`.
 */
void
ms_failed_page_show (MsFailedPage *self,
                     MsVerifier   *verifier,
                     gboolean      can_try_backup)
{
  const MsProtocol protocols[] = { MS_PROTOCOL_IMAP, MS_PROTOCOL_SMTP };
  const MsCheckResult *failed = NULL;
  MsProvider *provider;
  const MsStep *step = NULL;
  g_autofree char *advice = NULL;

  g_return_if_fail (MS_IS_FAILED_PAGE (self));
  g_return_if_fail (MS_IS_VERIFIER (verifier));

  provider = ms_verifier_get_provider (verifier);
  clear_rows (self);

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      const MsCheckResult *result = ms_verifier_get_result (verifier, protocols[i]);

      if (result == NULL)
        continue;
      if (!result->ok && failed == NULL)
        failed = result;
      show_side (self, result);
    }

  self->kind = failed != NULL ? failed->kind : MS_ERROR_KIND_PROTOCOL;

  if (failed != NULL && failed->advice != NULL)
    advice = g_strdup (failed->advice);
  else
    advice = ms_check_result_dup_advice (self->kind, provider);

  adw_status_page_set_title (self->status_page, ms_error_kind_get_title (self->kind));
  adw_status_page_set_description (self->status_page, advice);

  if (provider != NULL && failed != NULL && failed->step_id != NULL)
    step = ms_provider_find_step (provider, failed->step_id);

  if (step != NULL && step->url != NULL)
    {
      g_autofree char *label = NULL;

      /* Translators: %s is a step's title, e.g. “Generate an authorization code” */
      label = g_strdup_printf (_("Open “%s”"), step->title);
      gtk_button_set_label (self->open_step_button, label);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->open_step_button), step->url);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->open_step_button), "s", step->url);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->open_step_button), step != NULL && step->url != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->admin_button),
                          provider != NULL && ms_provider_has_admin_steps (provider) &&
                          ((step != NULL && step->who == MS_STEP_WHO_ADMIN) || kind_needs_admin (self->kind)));
  gtk_widget_set_visible (GTK_WIDGET (self->backup_button), can_try_backup && kind_is_network (self->kind));

  /* The wrong security mode is mended in the settings: that is the way on. */
  if (self->kind == MS_ERROR_KIND_WRONG_SECURITY_MODE)
    {
      gtk_button_set_label (self->edit_button, _("_Change the Security Setting"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->edit_button), "flat");
      gtk_widget_add_css_class (GTK_WIDGET (self->edit_button), "suggested-action");
    }
  else
    {
      gtk_button_set_label (self->edit_button, _("_Edit Settings"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->edit_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->edit_button), "flat");
    }
  adw_expander_row_set_expanded (self->details_row, FALSE);
}

/**
 * ms_failed_page_get_kind:
 * @self: a page
 *
 * Returns: the kind of failure shown
 */
MsErrorKind
ms_failed_page_get_kind (MsFailedPage *self)
{
  g_return_val_if_fail (MS_IS_FAILED_PAGE (self), MS_ERROR_KIND_NONE);

  return self->kind;
}
