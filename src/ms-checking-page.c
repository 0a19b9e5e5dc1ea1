/* ms-checking-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the check is doing right now, for IMAP and SMTP separately: which
 * server, and whether it is connecting, securing the connection or signing
 * in. Cancel stops everything at once.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-checking-page.h"

struct _MsCheckingPage
{
  AdwBin         parent_instance;

  AdwStatusPage *status_page;
  AdwActionRow  *imap_row;
  AdwActionRow  *smtp_row;
};

G_DEFINE_FINAL_TYPE (MsCheckingPage, ms_checking_page, ADW_TYPE_BIN)

enum {
  CANCEL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals[CANCEL], 0);
}

static void
ms_checking_page_class_init (MsCheckingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * MsCheckingPage::cancel:
   * @self: the page
   *
   * The user stops the check.
   */
  signals[CANCEL] =
    g_signal_new ("cancel",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-checking-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsCheckingPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, MsCheckingPage, imap_row);
  gtk_widget_class_bind_template_child (widget_class, MsCheckingPage, smtp_row);

  gtk_widget_class_install_action (widget_class, "checking.cancel", NULL, cancel_action);
}

static void
ms_checking_page_init (MsCheckingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ms_checking_page_new (void)
{
  return g_object_new (MS_TYPE_CHECKING_PAGE, NULL);
}

static AdwActionRow *
get_row (MsCheckingPage *self,
         MsProtocol      protocol)
{
  return protocol == MS_PROTOCOL_IMAP ? self->imap_row : self->smtp_row;
}

/**
 * ms_checking_page_start:
 * @self: a page
 *
 * Resets the page for a new check.
 */
void
ms_checking_page_start (MsCheckingPage *self,
                        guint           timeout_seconds)
{
  g_autofree char *description = NULL;

  g_return_if_fail (MS_IS_CHECKING_PAGE (self));

  description = g_strdup_printf (ngettext ("Signing in to the incoming and outgoing servers at the same time. Nothing is saved yet. A server that has not answered within %u second is given up.",
                                           "Signing in to the incoming and outgoing servers at the same time. Nothing is saved yet. A server that has not answered within %u seconds is given up.",
                                           timeout_seconds),
                                 timeout_seconds);
  adw_status_page_set_title (self->status_page, _("Checking the Password"));
  adw_status_page_set_description (self->status_page, description);
  adw_action_row_set_subtitle (self->imap_row, _("Waiting…"));
  adw_action_row_set_subtitle (self->smtp_row, _("Waiting…"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checking.cancel", TRUE);
}

/**
 * ms_checking_page_set_progress:
 * @self: a page
 * @protocol: which side
 * @server: `host:port`
 * @stage: what the side waits for, as MsVerifier::progress says it:
 *   `connecting`, `securing`, `greeting`, `capabilities`, `starttls`,
 *   `logging-in` or `opening-inbox`
 *   tells
 */
void
ms_checking_page_set_progress (MsCheckingPage *self,
                               MsProtocol      protocol,
                               const char     *server,
                               const char     *stage)
{
  g_autofree char *text = NULL;

  g_return_if_fail (MS_IS_CHECKING_PAGE (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (stage != NULL);

  if (g_str_equal (stage, "connecting"))
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Connecting to %s…"), server);
  else if (g_str_equal (stage, "securing"))
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Checking the certificate of %s…"), server);
  else if (g_str_equal (stage, "greeting"))
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Waiting for %s to greet…"), server);
  else if (g_str_equal (stage, "capabilities"))
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Asking %s what it supports…"), server);
  else if (g_str_equal (stage, "starttls"))
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Starting encryption with %s…"), server);
  else if (g_str_equal (stage, "opening-inbox"))
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Signed in; opening the inbox on %s…"), server);
  else
    /* Translators: %s is a server, e.g. imap.qq.com:993 */
    text = g_strdup_printf (_("Waiting for %s to answer the sign-in…"), server);

  adw_action_row_set_subtitle (get_row (self, protocol), text);
}

/**
 * ms_checking_page_set_saving:
 * @self: a page
 *
 * Both servers took the password; it is being saved.
 */
void
ms_checking_page_set_saving (MsCheckingPage *self)
{
  g_return_if_fail (MS_IS_CHECKING_PAGE (self));

  adw_status_page_set_title (self->status_page, _("Saving the Password"));
  adw_status_page_set_description (self->status_page,
                                   _("Both servers accepted it. Putting it in the keyring, where mail programs find it."));
  adw_action_row_set_subtitle (self->imap_row, _("Signed in"));
  adw_action_row_set_subtitle (self->smtp_row, _("Signed in"));
}

/**
 * ms_checking_page_get_status:
 * @self: a page
 * @protocol: which side
 *
 * Returns: what the page says about @protocol's side
 */
const char *
ms_checking_page_get_status (MsCheckingPage *self,
                             MsProtocol      protocol)
{
  g_return_val_if_fail (MS_IS_CHECKING_PAGE (self), NULL);

  return adw_action_row_get_subtitle (get_row (self, protocol));
}
