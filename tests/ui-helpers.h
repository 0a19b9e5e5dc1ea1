/* ui-helpers.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the UI tests and the screenshot renderer share: running the main
 * loop, finding widgets in a window, pressing keys, keeping lookups off the
 * network.
 */

#pragma once

#include <gtk/gtk.h>

#include "fake-resolver.h"

G_BEGIN_DECLS

typedef gboolean (*UiCondition) (gpointer data);

void       ui_iterate            (void);
gboolean   ui_iterate_until      (UiCondition  condition,
                                  gpointer     data,
                                  guint        seconds);
GPtrArray *ui_find_all           (GtkWidget   *root,
                                  GType        type);
GtkWidget *ui_find_exact         (GtkWidget   *root,
                                  GType        type);
GtkWidget *ui_find_action_button (GtkWidget   *root,
                                  const char  *action);
GtkWidget *ui_find_button        (GtkWidget   *root,
                                  const char  *label);

GtkWidget *ui_find_label         (GtkWidget   *root,
                                  const char  *text);
void       ui_press_key          (GtkWindow   *window,
                                  guint        keyval,
                                  GdkModifierType modifiers);
void       ui_type_text          (GtkWindow   *window,
                                  const char  *text);
/* The isolated lookups' deadline: only a guard against a hang (a TLS
 * handshake with the test's ISPDB takes seconds with the sanitizers on a
 * busy machine); a wait for a lookup that asks it waits longer. */
#define UI_LOOKUP_GUARD_S 60

FakeResolver *ui_isolate_network (void);
void       ui_lookup_use_ispdb   (const char  *url,
                                  const char  *ca_file);

char      *ui_keyring_lookup     (const char  *server,
                                  const char  *user);

char      *ui_read_test_file     (const char  *variable);

G_END_DECLS
