/* bare-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The baseline for bench-startup.py: the least a libadwaita app can show,
 * an AdwApplicationWindow with a header bar and a label. At the first
 * frame of its window (the frame clock's first "after-paint") it prints
 * "first-frame <g_get_monotonic_time () µs>" to standard error and quits,
 * as mail-setup does with MAIL_SETUP_EXIT_AFTER_FIRST_FRAME=1.
 */

#include <adwaita.h>

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  GApplication *app = user_data;

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, user_data);
  g_printerr ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (app);
}

static void
realize_cb (GtkWidget *window,
            gpointer   user_data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), user_data);
}

static void
activate_cb (GApplication *app,
             gpointer      user_data)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new ("Hello");

  gtk_widget_set_vexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), label);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Bare window");
  /* The size of mail-setup's window (data/ui/ms-window.ui). */
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 720);

  g_signal_connect_after (window, "realize", G_CALLBACK (realize_cb), app);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  app = adw_application_new ("io.github.mailsetup.BareWindow", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
