/* screenshot-pages.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walks the real window through every page, the way a user would, and
 * saves a PNG of each: build-aux/screenshots runs it under Xvfb, in the
 * session and against the servers of tests/test-assistant.py, once per
 * language.
 *
 *   screenshot-pages OUTPUT-DIR PREFIX
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <adwaita.h>

#include "ms-checking-page.h"
#include "ms-done-page.h"
#include "ms-manual-page.h"
#include "ms-start-page.h"
#include "ms-window.h"
#include "ui-helpers.h"

static const char *output_dir;
static const char *prefix;

static void
settle (void)
{
  /* Page transitions and toasts take a few hundred milliseconds. */
  for (guint i = 0; i < 25; i++)
    ui_iterate ();
}

static void
save (MsWindow   *window,
      const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = g_strdup_printf ("%s-%s.png", prefix, name);
  g_autofree char *path = g_build_filename (output_dir, file, NULL);
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  settle ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("saved %s\n", path);
}

static GtkWidget *
page (MsWindow   *window,
      const char *name)
{
  if (g_strcmp0 (ms_window_get_page_name (window), name) != 0)
    g_error ("expected the %s page, not %s", name, ms_window_get_page_name (window));
  return ms_window_get_page (window, name);
}

static void
activate (GtkWidget  *widget,
          const char *action)
{
  if (!gtk_widget_activate_action (widget, action, NULL))
    g_error ("no action %s", action);
  ui_iterate ();
}

static gboolean
lookup_done (gpointer data)
{
  return !ms_start_page_get_looking_up (MS_START_PAGE (data));
}

static void
type_address (MsWindow   *window,
              const char *email,
              gboolean    enter)
{
  GtkWidget *entry = ui_find_exact (page (window, "start"), ADW_TYPE_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (entry), email);
  ui_iterate ();
  if (enter)
    {
      g_signal_emit_by_name (entry, "entry-activated");
      ui_iterate ();
    }
}

static void
type_password (MsWindow   *window,
               const char *password)
{
  GtkWidget *row = ui_find_exact (page (window, "password"), ADW_TYPE_PASSWORD_ENTRY_ROW);

  gtk_editable_set_text (GTK_EDITABLE (row), password);
  ui_iterate ();
}

static gboolean
check_finished (gpointer data)
{
  return g_strcmp0 (ms_window_get_page_name (MS_WINDOW (data)), "checking") != 0;
}

static gboolean
progress_shown (gpointer data)
{
  MsCheckingPage *checking = data;

  return strstr (ms_checking_page_get_status (checking, MS_PROTOCOL_SMTP), "127.0.0.1") != NULL;
}

static gboolean
goa_known (gpointer data)
{
  return ms_done_page_get_goa_state (MS_DONE_PAGE (data)) != MS_GOA_STATE_UNAVAILABLE;
}

static gboolean
record_open_cb (MsLauncher *launcher,
                GtkWindow  *parent,
                const char *uri,
                gpointer    user_data)
{
  return TRUE;   /* no browser */
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MsCatalogue) catalogue = NULL;
  g_autoptr(MsLauncher) launcher = NULL;
  g_autofree char *password = NULL;
  g_autofree char *wrong = NULL;
  MsWindow *window;

  if (argc != 3)
    {
      g_printerr ("usage: %s OUTPUT-DIR PREFIX\n", argv[0]);
      return 2;
    }
  output_dir = argv[1];
  prefix = argv[2];

  g_log_writer_default_set_use_stderr (TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  adw_init ();
  /* A company domain whose mail goes to Exmail, as its MX records say. */
  fake_resolver_add_mx (ui_isolate_network (), "acme.com.cn", 10, "mxbiz1.qq.com");

  password = ui_read_test_file ("MS_TEST_PASSWORD_FILE");
  wrong = ui_read_test_file ("MS_TEST_WRONG_PASSWORD_FILE");

  catalogue = ms_catalogue_new_default ();
  ms_catalogue_load_builtin (catalogue);
  ms_catalogue_load_directory (catalogue, g_getenv ("MS_TEST_PROVIDERS"));
  launcher = ms_launcher_new ();
  g_signal_connect (launcher, "open-uri", G_CALLBACK (record_open_cb), NULL);

  window = g_object_new (MS_TYPE_WINDOW,
                         "catalogue", catalogue,
                         "launcher", launcher,
                         "ca-file", g_getenv ("MS_TEST_CA_FILE"),
                         "default-width", 640,
                         "default-height", 800,
                         NULL);
  gtk_window_present (GTK_WINDOW (window));
  settle ();

  /* Start: the list, then an address being recognised. */
  save (window, "start");
  type_address (window, "wang@qq.com", FALSE);
  save (window, "start-detected");
  type_address (window, "li@acme.com.cn", FALSE);
  g_assert_true (ui_iterate_until (lookup_done, page (window, "start"), 20));
  save (window, "start-hosted");
  /* Last on the start page: the manual settings below start from it. */
  type_address (window, "li@example.org", FALSE);
  g_assert_true (ui_iterate_until (lookup_done, page (window, "start"), 20));
  save (window, "start-unknown");

  /* Manual settings for the domain nothing knows. */
  gtk_widget_activate (ui_find_button (page (window, "start"), "_Enter Settings"));
  ui_iterate ();
  save (window, "manual");
  activate (GTK_WIDGET (window), "win.start-over");

  /* Guides: a user's steps (QQ Mail), an administrator's (Tencent Exmail). */
  type_address (window, "wang@qq.com", TRUE);
  save (window, "guide-qq");
  activate (GTK_WIDGET (window), "win.start-over");
  ms_window_show_provider (window, "exmail");
  save (window, "guide-exmail");

  /* The password, with its shape checked as it is typed. */
  activate (GTK_WIDGET (window), "win.start-over");
  type_address (window, "wang@qq.com", TRUE);
  activate (page (window, "guide"), "page.continue");
  type_password (window, "abcd efgh ijkl mnop");
  save (window, "password");

  /* Checking, against a server that never answers; then Cancel. */
  activate (GTK_WIDGET (window), "win.start-over");
  type_address (window, "someone@silent.test", TRUE);
  activate (page (window, "guide"), "page.continue");
  type_password (window, "whatever");
  activate (page (window, "password"), "password.verify");
  if (!ui_iterate_until (progress_shown, page (window, "checking"), 10))
    g_error ("no progress shown");
  save (window, "checking");
  activate (page (window, "checking"), "checking.cancel");

  /* Failed: dovecot refuses the password. */
  activate (GTK_WIDGET (window), "win.start-over");
  type_address (window, "bob@example.com", TRUE);
  activate (page (window, "guide"), "page.continue");
  type_password (window, wrong);
  activate (page (window, "password"), "password.verify");
  if (!ui_iterate_until (check_finished, window, 60))
    g_error ("the check did not end");
  page (window, "failed");
  save (window, "failed");

  /* Done: dovecot takes it; saved in the keyring; Online Accounts offered. */
  activate (GTK_WIDGET (window), "win.start-over");
  type_address (window, "alice@example.com", TRUE);
  activate (page (window, "guide"), "page.continue");
  type_password (window, password);
  activate (page (window, "password"), "password.verify");
  if (!ui_iterate_until (check_finished, window, 60))
    g_error ("the check did not end");
  ui_iterate_until (goa_known, page (window, "done"), 10);
  save (window, "done");

  gtk_window_destroy (GTK_WINDOW (window));
  ui_iterate ();

  return 0;
}
