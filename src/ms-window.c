/* ms-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window: a searchable list of the providers and, for the one the
 * user picks (or whose domain they typed), its page of steps.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-provider-page.h"
#include "ms-window.h"

struct _MsWindow
{
  AdwApplicationWindow  parent_instance;

  MsCatalogue          *catalogue;
  MsLauncher           *launcher;
  GtkFilterListModel   *filtered;
  GtkCustomFilter      *filter;
  char                 *query;
  gulong                failed_handler;

  AdwToastOverlay      *toast_overlay;
  GtkButton            *back_button;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  GtkSearchEntry       *search_entry;
  GtkStack             *list_stack;
  GtkListBox           *provider_list;
  GtkWidget            *provider_page;
};

G_DEFINE_FINAL_TYPE (MsWindow, ms_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CATALOGUE,
  PROP_LAUNCHER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  MsProvider *provider = item;
  const char * const *domains = ms_provider_get_domains (provider);
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (domains[0] != NULL)
    subtitle = g_strjoinv (", ", (char **)domains);
  else
    /* Translators: subtitle of providers that host mail on a company's own domain */
    subtitle = g_strdup (_("Mail on your organization's own domain"));

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ms_provider_get_name (provider));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "provider", g_object_ref (provider), g_object_unref);

  return row;
}

static gboolean
filter_provider (gpointer item,
                 gpointer user_data)
{
  MsWindow *self = user_data;

  return ms_provider_matches_search (MS_PROVIDER (item), self->query);
}

static void
update_list_stack (MsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
show_provider (MsWindow   *self,
               MsProvider *provider)
{
  GtkWidget *page = ms_provider_page_new (provider, self->launcher);

  if (self->provider_page != NULL)
    gtk_stack_remove (self->stack, self->provider_page);

  self->provider_page = page;
  gtk_stack_add_named (self->stack, page, "provider");
  gtk_stack_set_visible_child (self->stack, page);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", TRUE);
  adw_window_title_set_subtitle (self->window_title, ms_provider_get_name (provider));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "providers");
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), FALSE);
  gtk_widget_action_set_enabled (widget, "win.back", FALSE);
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
search_changed_cb (MsWindow       *self,
                   GtkSearchEntry *entry)
{
  g_free (self->query);
  self->query = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_stack (self);
}

static void
search_activate_cb (MsWindow       *self,
                    GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(MsAddress) address = ms_address_parse (text, NULL);
  g_autoptr(MsProvider) first = NULL;

  /* A whole address: go straight to its provider. */
  if (address != NULL)
    {
      MsProvider *provider = ms_catalogue_find_by_domain (self->catalogue, address->domain);

      if (provider != NULL)
        {
          show_provider (self, provider);
          return;
        }
    }

  first = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);
  if (first != NULL)
    show_provider (self, first);
}

static void
provider_activated_cb (MsWindow      *self,
                       GtkListBoxRow *row,
                       GtkListBox    *list)
{
  MsProvider *provider = g_object_get_data (G_OBJECT (row), "provider");

  g_return_if_fail (MS_IS_PROVIDER (provider));

  show_provider (self, provider);
}

static void
launch_failed_cb (MsWindow   *self,
                  const char *uri,
                  const char *message,
                  MsLauncher *launcher)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), uri);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("No browser could open the page; its address was copied instead")));
}

static void
ms_window_constructed (GObject *object)
{
  MsWindow *self = (MsWindow *)object;

  G_OBJECT_CLASS (ms_window_parent_class)->constructed (object);

  g_assert (self->catalogue != NULL);
  if (self->launcher == NULL)
    self->launcher = ms_launcher_new ();

  self->failed_handler = g_signal_connect_object (self->launcher, "failed",
                                                  G_CALLBACK (launch_failed_cb), self,
                                                  G_CONNECT_SWAPPED);

  self->filter = gtk_custom_filter_new (filter_provider, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->catalogue)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  gtk_list_box_bind_model (self->provider_list, G_LIST_MODEL (self->filtered),
                           create_provider_row, self, NULL);
  update_list_stack (self);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
}

static void
ms_window_dispose (GObject *object)
{
  MsWindow *self = (MsWindow *)object;

  if (self->provider_list != NULL)
    gtk_list_box_bind_model (self->provider_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_WINDOW);

  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->catalogue);
  g_clear_object (&self->launcher);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (ms_window_parent_class)->dispose (object);
}

static void
ms_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsWindow *self = MS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    case PROP_LAUNCHER:
      g_value_set_object (value, self->launcher);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MsWindow *self = MS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      self->catalogue = g_value_dup_object (value);
      break;

    case PROP_LAUNCHER:
      self->launcher = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_window_class_init (MsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ms_window_constructed;
  object_class->dispose = ms_window_dispose;
  object_class->get_property = ms_window_get_property;
  object_class->set_property = ms_window_set_property;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         MS_TYPE_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAUNCHER] =
    g_param_spec_object ("launcher", NULL, NULL,
                         MS_TYPE_LAUNCHER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, provider_list);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, provider_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
}

static void
ms_window_init (MsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

MsWindow *
ms_window_new (GtkApplication *application,
               MsCatalogue    *catalogue,
               MsLauncher     *launcher)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (MS_IS_CATALOGUE (catalogue), NULL);
  g_return_val_if_fail (!launcher || MS_IS_LAUNCHER (launcher), NULL);

  return g_object_new (MS_TYPE_WINDOW,
                       "application", application,
                       "catalogue", catalogue,
                       "launcher", launcher,
                       NULL);
}

/**
 * ms_window_show_provider:
 * @self: a window
 * @provider_id: a provider id
 *
 * Returns: %TRUE if the catalogue has @provider_id and its page is shown
 */
gboolean
ms_window_show_provider (MsWindow   *self,
                         const char *provider_id)
{
  MsProvider *provider;

  g_return_val_if_fail (MS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (provider_id != NULL, FALSE);

  provider = ms_catalogue_get_provider (self->catalogue, provider_id);
  if (provider == NULL)
    return FALSE;

  show_provider (self, provider);
  return TRUE;
}

/**
 * ms_window_set_email:
 * @self: a window
 * @email: an address, as given on the command line
 *
 * Puts @email in the search field and, if its domain is in the catalogue,
 * shows that provider.
 */
void
ms_window_set_email (MsWindow   *self,
                     const char *email)
{
  g_return_if_fail (MS_IS_WINDOW (self));
  g_return_if_fail (email != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), email);
  search_activate_cb (self, self->search_entry);
}

/**
 * ms_window_get_visible_page:
 * @self: a window
 *
 * Returns: (transfer none): the provider page if one is shown, else the
 *   provider list page
 */
GtkWidget *
ms_window_get_visible_page (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child (self->stack);
}
