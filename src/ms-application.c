/* ms-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-application.h"
#include "ms-service.h"
#include "ms-window.h"

struct _MsApplication
{
  AdwApplication  parent_instance;

  MsCatalogue    *catalogue;
  MsLauncher     *launcher;
  MsService      *service;
};

G_DEFINE_FINAL_TYPE (MsApplication, ms_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "email", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Set up this address"), N_("ADDRESS") },
  { "provider", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Use this provider (see “mail-setup providers”)"), N_("ID") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and quit"), NULL },
  { NULL }
};

/* Benchmark hook (tests/bench/bench-startup.py): with the environment
 * variable MAIL_SETUP_EXIT_AFTER_FIRST_FRAME=1, the first frame of the
 * first window (its frame clock's first "after-paint") prints
 * "first-frame <g_get_monotonic_time () in µs>" to standard error and quits
 * the app. Without the variable nothing of this runs. */
static void
first_frame_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, user_data);
  g_printerr ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (G_APPLICATION (user_data));
}

static void
first_frame_realize_cb (GtkWidget *window,
                        gpointer   user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (first_frame_cb), user_data);
}

static MsWindow *
get_window (MsApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  MsWindow *new_window;

  if (MS_IS_WINDOW (window))
    return MS_WINDOW (window);

  new_window = ms_window_new (GTK_APPLICATION (self), self->catalogue, self->launcher);
  if (g_strcmp0 (g_getenv ("MAIL_SETUP_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
    g_signal_connect_after (new_window, "realize", G_CALLBACK (first_frame_realize_cb), self);

  return new_window;
}

static void
ms_application_activate (GApplication *app)
{
  MsApplication *self = MS_APPLICATION (app);

  gtk_window_present (GTK_WINDOW (get_window (self)));
}

static gint
ms_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("mail-setup %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static int
ms_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  MsApplication *self = MS_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *email = NULL;
  const char *provider = NULL;
  MsWindow *window;

  g_variant_dict_lookup (options, "email", "&s", &email);
  g_variant_dict_lookup (options, "provider", "&s", &provider);

  if (provider != NULL && ms_catalogue_get_provider (self->catalogue, provider) == NULL)
    {
      g_application_command_line_printerr (command_line,
                                           _("Unknown provider “%s”; “mail-setup providers” lists them.\n"),
                                           provider);
      return 2;
    }

  window = get_window (self);
  if (provider != NULL)
    ms_window_show_provider (window, provider);
  else if (email != NULL)
    ms_window_set_email (window, email);

  gtk_window_present (GTK_WINDOW (window));

  return 0;
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  MsApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Mail Setup developers", NULL };

#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *about = adw_about_dialog_new ();

  adw_about_dialog_set_application_name (ADW_ABOUT_DIALOG (about), _("Mail Setup"));
  adw_about_dialog_set_application_icon (ADW_ABOUT_DIALOG (about), APP_ID);
  adw_about_dialog_set_version (ADW_ABOUT_DIALOG (about), PACKAGE_VERSION);
  adw_about_dialog_set_developers (ADW_ABOUT_DIALOG (about), developers);
  adw_about_dialog_set_license_type (ADW_ABOUT_DIALOG (about), GTK_LICENSE_GPL_3_0);
  adw_about_dialog_set_website (ADW_ABOUT_DIALOG (about), "https://github.com/mailsetup/mail-setup");
  adw_about_dialog_set_issue_url (ADW_ABOUT_DIALOG (about), "https://github.com/mailsetup/mail-setup/issues");
  /* Translators: put your names here */
  adw_about_dialog_set_translator_credits (ADW_ABOUT_DIALOG (about), _("translator-credits"));
  adw_dialog_present (about, GTK_WIDGET (window));
#else
  GtkWidget *about = adw_about_window_new ();

  gtk_window_set_transient_for (GTK_WINDOW (about), window);
  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), _("Mail Setup"));
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APP_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  adw_about_window_set_website (ADW_ABOUT_WINDOW (about), "https://github.com/mailsetup/mail-setup");
  adw_about_window_set_issue_url (ADW_ABOUT_WINDOW (about), "https://github.com/mailsetup/mail-setup/issues");
  /* Translators: put your names here */
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), _("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
#endif
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
ms_application_startup (GApplication *app)
{
  MsApplication *self = MS_APPLICATION (app);
  static const char *quit_accels[] = { "<primary>q", NULL };
  static const char *close_accels[] = { "<primary>w", NULL };

  G_APPLICATION_CLASS (ms_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
  gtk_window_set_default_icon_name (APP_ID);

  self->catalogue = ms_catalogue_new_default ();
  self->launcher = ms_launcher_new ();
}

/* io.github.mailsetup.MailSetup1 beside GApplication's own interfaces. */
static gboolean
ms_application_dbus_register (GApplication     *app,
                              GDBusConnection  *connection,
                              const char       *object_path,
                              GError          **error)
{
  MsApplication *self = MS_APPLICATION (app);

  if (!G_APPLICATION_CLASS (ms_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;

  self->service = ms_service_new (GTK_APPLICATION (self));
  return ms_service_export (self->service, connection, error);
}

static void
ms_application_dbus_unregister (GApplication    *app,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  MsApplication *self = MS_APPLICATION (app);

  if (self->service != NULL)
    ms_service_unexport (self->service);
  g_clear_object (&self->service);

  G_APPLICATION_CLASS (ms_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
ms_application_dispose (GObject *object)
{
  MsApplication *self = (MsApplication *)object;

  g_clear_object (&self->service);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->launcher);

  G_OBJECT_CLASS (ms_application_parent_class)->dispose (object);
}

static void
ms_application_class_init (MsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ms_application_dispose;
  app_class->startup = ms_application_startup;
  app_class->activate = ms_application_activate;
  app_class->handle_local_options = ms_application_handle_local_options;
  app_class->command_line = ms_application_command_line;
  app_class->dbus_register = ms_application_dbus_register;
  app_class->dbus_unregister = ms_application_dbus_unregister;
}

static void
ms_application_init (MsApplication *self)
{
  /* Started over D-Bus (--gapplication-service): stay a while for the
   * next call rather than start again for each. */
  g_application_set_inactivity_timeout (G_APPLICATION (self), 10000);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Set up a mail account that needs a client password.\n"
                                              "\n"
                                              "Commands for scripts (see “mail-setup COMMAND --help”):\n"
                                              "  providers            list the providers\n"
                                              "  lookup ADDRESS       find the settings for an address"));
}

MsApplication *
ms_application_new (void)
{
  return g_object_new (MS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

MsCatalogue *
ms_application_get_catalogue (MsApplication *self)
{
  g_return_val_if_fail (MS_IS_APPLICATION (self), NULL);

  return self->catalogue;
}

MsLauncher *
ms_application_get_launcher (MsApplication *self)
{
  g_return_val_if_fail (MS_IS_APPLICATION (self), NULL);

  return self->launcher;
}
