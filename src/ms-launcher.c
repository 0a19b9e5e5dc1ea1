/* ms-launcher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place the app opens web pages. Everything that opens a page goes
 * through ms_launcher_open(), which emits MsLauncher::open-uri; the default
 * handler hands the page to the browser (through the OpenURI portal inside
 * Flatpak). Tests connect a handler that records the address and returns
 * %TRUE, so no browser starts.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include "ms-launcher.h"

struct _MsLauncher
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (MsLauncher, ms_launcher, G_TYPE_OBJECT)

enum {
  OPEN_URI,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  MsLauncher *self;
  char       *uri;
} LaunchData;

static void
launch_data_free (LaunchData *data)
{
  g_object_unref (data->self);
  g_free (data->uri);
  g_free (data);
}

static void
launched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  LaunchData *data = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

#if GTK_CHECK_VERSION (4, 10, 0)
  ok = gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (object), result, &error);
  /* The user closed the portal's chooser: nothing went wrong. */
  if (g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    ok = TRUE;
#else
  ok = gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error);
#endif

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("Could not open %s: %s", data->uri, error->message);
      g_signal_emit (data->self, signals[FAILED], 0, data->uri, error->message);
    }

  launch_data_free (data);
}

static gboolean
ms_launcher_real_open_uri (MsLauncher *self,
                           GtkWindow  *parent,
                           const char *uri)
{
  LaunchData *data = g_new0 (LaunchData, 1);

  data->self = g_object_ref (self);
  data->uri = g_strdup (uri);

#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkUriLauncher) launcher = gtk_uri_launcher_new (uri);
    gtk_uri_launcher_launch (launcher, parent, NULL, launched_cb, data);
  }
#else
  gtk_show_uri_full (parent, uri, GDK_CURRENT_TIME, NULL, launched_cb, data);
#endif

  return TRUE;
}

static void
ms_launcher_class_init (MsLauncherClass *klass)
{
  /**
   * MsLauncher::open-uri:
   * @self: the launcher
   * @parent: (nullable): the window asking
   * @uri: the page
   *
   * Emitted to open @uri. Return %TRUE from a handler to stop the default
   * one, which opens the page in the browser.
   */
  signals[OPEN_URI] =
    g_signal_new_class_handler ("open-uri",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (ms_launcher_real_open_uri),
                                g_signal_accumulator_true_handled, NULL,
                                NULL,
                                G_TYPE_BOOLEAN, 2, GTK_TYPE_WINDOW, G_TYPE_STRING);

  /**
   * MsLauncher::failed:
   * @self: the launcher
   * @uri: the page that did not open
   * @message: why
   *
   * Emitted when no browser took the page, so the window can say so and
   * offer the address instead.
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
ms_launcher_init (MsLauncher *self)
{
}

MsLauncher *
ms_launcher_new (void)
{
  return g_object_new (MS_TYPE_LAUNCHER, NULL);
}

/**
 * ms_launcher_open:
 * @self: a launcher
 * @parent: (nullable): the window the page is opened for
 * @uri: an https address
 *
 * Opens @uri. Never blocks; a failure is reported by MsLauncher::failed.
 */
void
ms_launcher_open (MsLauncher *self,
                  GtkWindow  *parent,
                  const char *uri)
{
  gboolean handled = FALSE;

  g_return_if_fail (MS_IS_LAUNCHER (self));
  g_return_if_fail (!parent || GTK_IS_WINDOW (parent));
  g_return_if_fail (uri != NULL);

  g_signal_emit (self, signals[OPEN_URI], 0, parent, uri, &handled);
}
