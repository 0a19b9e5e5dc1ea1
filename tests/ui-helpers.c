/* ui-helpers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

#include "ms-lookup-private.h"
#include "ui-helpers.h"

/* Lets layout, filtering and transitions run for a moment. */
void
ui_iterate (void)
{
  for (guint i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

/* Runs the main loop until @condition holds, for at most @seconds. */
gboolean
ui_iterate_until (UiCondition condition,
                  gpointer    data,
                  guint       seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  ui_iterate ();
  return TRUE;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_visible (widget))
    g_ptr_array_add (out, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, out);
}

/* Every visible widget of @type (or a subtype) under @root, in order. */
GPtrArray *
ui_find_all (GtkWidget *root,
             GType      type)
{
  GPtrArray *out = g_ptr_array_new ();

  collect (root, type, out);
  return out;
}

/* The first visible widget of exactly @type under @root. */
GtkWidget *
ui_find_exact (GtkWidget *root,
               GType      type)
{
  g_autoptr(GPtrArray) all = ui_find_all (root, type);

  for (guint i = 0; i < all->len; i++)
    if (G_OBJECT_TYPE (g_ptr_array_index (all, i)) == type)
      return g_ptr_array_index (all, i);

  g_assert_not_reached ();
}

/* The button under @root bound to @action that is on screen, or %NULL. */
GtkWidget *
ui_find_action_button (GtkWidget  *root,
                       const char *action)
{
  g_autoptr(GPtrArray) buttons = ui_find_all (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), action) == 0 &&
          gtk_widget_is_drawable (button))
        return button;
    }

  return NULL;
}

/* The visible button under @root labelled @label, or %NULL. */
GtkWidget *
ui_find_button (GtkWidget  *root,
                const char *label)
{
  g_autoptr(GPtrArray) buttons = ui_find_all (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), label) == 0)
      return g_ptr_array_index (buttons, i);

  return NULL;
}

/* The label under @root that shows @text and is on screen, or %NULL. */
GtkWidget *
ui_find_label (GtkWidget  *root,
               const char *text)
{
  g_autoptr(GPtrArray) labels = ui_find_all (root, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), text) == 0)
        return label;
    }

  return NULL;
}

/* A connection of our own to the test's X server, with XTest: keys pressed
 * through it come to GTK as a keyboard's would, through the server. */
static Display *
xtest_display (void)
{
  static Display *display;
  int event_base, error_base, major, minor;

  if (display == NULL)
    {
      display = XOpenDisplay (NULL);
      g_assert_nonnull (display);
      g_assert_true (XTestQueryExtension (display, &event_base, &error_base, &major, &minor));
    }

  return display;
}

static void
fake_key (Display *display,
          KeySym   keysym,
          gboolean press)
{
  KeyCode keycode = XKeysymToKeycode (display, keysym);

  g_assert_cmpuint (keycode, !=, 0);
  XTestFakeKeyEvent (display, keycode, press, CurrentTime);
}

static gboolean
window_is_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

/* Presses and releases @keyval with @modifiers held (Shift, Control, Alt),
 * as the user would on the keyboard, in @window: the key goes where the
 * focus is, and the window's shortcuts see it. With no window manager,
 * presenting a mapped window gives it the X server's focus. The caller
 * waits for what the key does (ui_iterate_until()). */
void
ui_press_key (GtkWindow       *window,
              guint            keyval,
              GdkModifierType  modifiers)
{
  static const struct {
    GdkModifierType mask;
    KeySym          keysym;
  } held[] = {
    { GDK_SHIFT_MASK, GDK_KEY_Shift_L },
    { GDK_CONTROL_MASK, GDK_KEY_Control_L },
    { GDK_ALT_MASK, GDK_KEY_Alt_L },
  };
  Display *display = xtest_display ();

  gtk_window_present (window);
  g_assert_true (ui_iterate_until (window_is_active, window, 10));

  /* GDK's key values are X key symbols. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    if (modifiers & held[i].mask)
      fake_key (display, held[i].keysym, TRUE);
  fake_key (display, keyval, TRUE);
  fake_key (display, keyval, FALSE);
  for (guint i = G_N_ELEMENTS (held); i > 0; i--)
    if (modifiers & held[i - 1].mask)
      fake_key (display, held[i - 1].keysym, FALSE);
  XSync (display, False);
}

/* Types @text (letters, digits and spaces) with the keyboard, a key at a
 * time, into whatever has the focus in @window. */
void
ui_type_text (GtkWindow  *window,
              const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      g_assert_true (g_ascii_isalnum (*p) || *p == ' ');
      ui_press_key (window, (guchar) g_ascii_tolower (*p),
                    g_ascii_isupper (*p) ? GDK_SHIFT_MASK : 0);
    }
}

/* The test's own ISPDB, when it has one (ui_lookup_use_ispdb()). */
static char *isolated_ispdb_url;
static char *isolated_ca_file;

static void
isolate_lookup (MsLookup *lookup)
{
  g_autoptr(GError) error = NULL;

  ms_lookup_set_ispdb_url (lookup, isolated_ispdb_url);
  ms_lookup_set_cache_directory (lookup, NULL);
  ms_lookup_set_timeout (lookup, UI_LOOKUP_GUARD_S);
  if (isolated_ca_file != NULL)
    {
      g_assert_true (ms_lookup_set_ca_file (lookup, isolated_ca_file, &error));
      g_assert_no_error (error);
    }
}

/* Lookups made from now on (a new window's) ask the ISPDB at @url (see
 * ispdb_server_new()) and trust @ca_file too; %NULL, %NULL for none again. */
void
ui_lookup_use_ispdb (const char *url,
                     const char *ca_file)
{
  g_free (isolated_ispdb_url);
  isolated_ispdb_url = g_strdup (url);
  g_free (isolated_ca_file);
  isolated_ca_file = g_strdup (ca_file);
}

/* Every lookup of the test process asks a fake resolver that knows only
 * what the test adds to it: no name resolves to anything but what the test
 * says, so nothing can reach a real provider. No ISPDB, no disk cache. */
FakeResolver *
ui_isolate_network (void)
{
  static FakeResolver *resolver;

  if (resolver == NULL)
    {
      resolver = fake_resolver_new ();
      fake_resolver_add_host (resolver, "localhost", "127.0.0.1");
      g_resolver_set_default (G_RESOLVER (resolver));
      ms_lookup_set_setup_func (isolate_lookup);
    }

  return resolver;
}

/* secret-tool's answer for @user's IMAP password at @server in the test's
 * keyring, or %NULL. */
char *
ui_keyring_lookup (const char *server,
                   const char *user)
{
  const char *argv[] = { "secret-tool", "lookup", "protocol", "imap", "server", server,
                         "user", user, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  /* The suite's debug traces would go to standard output, with the answer. */
  env = g_environ_unsetenv (env, "G_MESSAGES_DEBUG");
  env = g_environ_unsetenv (env, "G_DEBUG");
  g_spawn_sync (NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_clear_pointer (&out, g_free);

  return out;
}

/* The contents of the file the environment variable @variable names (the
 * test servers' passwords come that way, never in the environment). */
char *
ui_read_test_file (const char *variable)
{
  const char *path = g_getenv (variable);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_nonnull (path);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}
