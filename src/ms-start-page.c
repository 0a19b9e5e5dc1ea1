/* ms-start-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first page: the user's address, with the provider it belongs to shown
 * as they type, and below it every provider, searchable by English or
 * Chinese name and by domain. An address nothing knows leads to manual
 * settings.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-start-page.h"

struct _MsStartPage
{
  AdwBin              parent_instance;

  MsCatalogue        *catalogue;
  MsProvider         *detected;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  char               *query;

  AdwEntryRow        *address_row;
  AdwActionRow       *detected_row;
  AdwAvatar          *detected_avatar;
  GtkButton          *continue_button;
  GtkButton          *manual_button;
  GtkSearchEntry     *search_entry;
  GtkStack           *list_stack;
  GtkListBox         *provider_list;
};

G_DEFINE_FINAL_TYPE (MsStartPage, ms_start_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CATALOGUE,
  N_PROPS
};

enum {
  PROVIDER_CHOSEN,
  MANUAL_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  MsProvider *provider = item;
  const char * const *domains = ms_provider_get_domains (provider);
  g_autofree char *subtitle = NULL;
  GtkWidget *avatar;
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

  /* No brand artwork ships with the app: a coloured initial per provider
   * tells them apart at a glance. */
  avatar = adw_avatar_new (32, ms_provider_get_short_name (provider), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (avatar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ms_provider_get_name (provider),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "provider", g_object_ref (provider), g_object_unref);

  return row;
}

static gboolean
filter_provider (gpointer item,
                 gpointer user_data)
{
  MsStartPage *self = user_data;

  return ms_provider_matches_search (MS_PROVIDER (item), self->query);
}

static void
update_list_stack (MsStartPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

/* What the address row says about the address: nothing while it is not an
 * address yet, its provider when the catalogue knows the domain, else an
 * offer of manual settings. @complain shows why a finished entry is not an
 * address. */
static void
update_detection (MsStartPage *self,
                  gboolean     complain)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsLookupResult) lookup = NULL;

  g_clear_object (&self->detected);
  gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");

  if (strchr (text, '@') == NULL && strstr (text, "＠") == NULL && !complain)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->detected_row), FALSE);
      return;
    }

  address = ms_address_parse (text, &error);
  if (address == NULL)
    {
      gboolean show = complain && !g_error_matches (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_EMPTY);

      gtk_widget_set_visible (GTK_WIDGET (self->detected_row), show);
      if (show)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row),
                                         _("This Is Not a Complete Address"));
          adw_action_row_set_subtitle (self->detected_row, error->message);
          adw_avatar_set_text (self->detected_avatar, NULL);
          adw_avatar_set_icon_name (self->detected_avatar, "dialog-warning-symbolic");
          gtk_widget_set_visible (GTK_WIDGET (self->continue_button), FALSE);
          gtk_widget_set_visible (GTK_WIDGET (self->manual_button), FALSE);
        }
      return;
    }

  lookup = ms_catalogue_lookup (self->catalogue, address);
  gtk_widget_set_visible (GTK_WIDGET (self->detected_row), TRUE);

  if (ms_lookup_result_get_provider (lookup) != NULL)
    {
      g_autofree char *subtitle = NULL;

      self->detected = g_object_ref (ms_lookup_result_get_provider (lookup));
      /* Translators: %s is a mail domain, e.g. qq.com */
      subtitle = g_strdup_printf (_("Mail for %s is handled here"), address->domain_unicode);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row),
                                     ms_provider_get_name (self->detected));
      adw_action_row_set_subtitle (self->detected_row, subtitle);
      adw_avatar_set_icon_name (self->detected_avatar, NULL);
      adw_avatar_set_text (self->detected_avatar, ms_provider_get_short_name (self->detected));
      gtk_widget_set_visible (GTK_WIDGET (self->continue_button), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->manual_button), FALSE);
    }
  else
    {
      g_autofree char *title = NULL;

      /* Translators: %s is a mail domain, e.g. example.org */
      title = g_strdup_printf (_("No Settings Known for %s"), address->domain_unicode);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row), title);
      adw_action_row_set_subtitle (self->detected_row,
                                   _("If a service such as Tencent Exmail, NetEase Qiye or Aliyun hosts your organization's mail, choose it below. Otherwise enter the servers yourself."));
      adw_avatar_set_text (self->detected_avatar, NULL);
      adw_avatar_set_icon_name (self->detected_avatar, "dialog-question-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->continue_button), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->manual_button), TRUE);
    }
}

static void
address_changed_cb (MsStartPage *self)
{
  update_detection (self, FALSE);
}

static void
address_activated_cb (MsStartPage *self)
{
  update_detection (self, TRUE);

  if (self->detected != NULL)
    g_signal_emit (self, signals[PROVIDER_CHOSEN], 0, self->detected);
  else if (gtk_widget_get_visible (GTK_WIDGET (self->manual_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->manual_button));
}

static void
continue_clicked_cb (MsStartPage *self)
{
  if (self->detected != NULL)
    g_signal_emit (self, signals[PROVIDER_CHOSEN], 0, self->detected);
}

static void
manual_clicked_cb (MsStartPage *self)
{
  g_signal_emit (self, signals[MANUAL_REQUESTED], 0);
}

static void
search_changed_cb (MsStartPage    *self,
                   GtkSearchEntry *entry)
{
  g_free (self->query);
  self->query = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_stack (self);
}

static void
search_activate_cb (MsStartPage    *self,
                    GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(MsAddress) address = ms_address_parse (text, NULL);
  g_autoptr(MsProvider) first = NULL;

  /* A whole address typed into the search: it is the user's address. */
  if (address != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->address_row), text);
      address_activated_cb (self);
      return;
    }

  first = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);
  if (first != NULL)
    g_signal_emit (self, signals[PROVIDER_CHOSEN], 0, first);
}

static void
provider_activated_cb (MsStartPage   *self,
                       GtkListBoxRow *row,
                       GtkListBox    *list)
{
  MsProvider *provider = g_object_get_data (G_OBJECT (row), "provider");

  g_return_if_fail (MS_IS_PROVIDER (provider));

  g_signal_emit (self, signals[PROVIDER_CHOSEN], 0, provider);
}

static void
ms_start_page_constructed (GObject *object)
{
  MsStartPage *self = (MsStartPage *)object;

  G_OBJECT_CLASS (ms_start_page_parent_class)->constructed (object);

  g_assert (self->catalogue != NULL);

  self->filter = gtk_custom_filter_new (filter_provider, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->catalogue)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  gtk_list_box_bind_model (self->provider_list, G_LIST_MODEL (self->filtered),
                           create_provider_row, self, NULL);
  update_list_stack (self);
}

static void
ms_start_page_dispose (GObject *object)
{
  MsStartPage *self = (MsStartPage *)object;

  if (self->provider_list != NULL)
    gtk_list_box_bind_model (self->provider_list, NULL, NULL, NULL, NULL);

  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->detected);
  g_clear_object (&self->catalogue);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (ms_start_page_parent_class)->dispose (object);
}

static void
ms_start_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MsStartPage *self = MS_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      g_value_set_object (value, self->catalogue);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_start_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MsStartPage *self = MS_START_PAGE (object);

  switch (prop_id)
    {
    case PROP_CATALOGUE:
      self->catalogue = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_start_page_class_init (MsStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ms_start_page_constructed;
  object_class->dispose = ms_start_page_dispose;
  object_class->get_property = ms_start_page_get_property;
  object_class->set_property = ms_start_page_set_property;

  properties[PROP_CATALOGUE] =
    g_param_spec_object ("catalogue", NULL, NULL,
                         MS_TYPE_CATALOGUE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsStartPage::provider-chosen:
   * @self: the page
   * @provider: the provider the user picked, or the one their address
   *   belongs to
   */
  signals[PROVIDER_CHOSEN] =
    g_signal_new ("provider-chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MS_TYPE_PROVIDER);

  /**
   * MsStartPage::manual-requested:
   * @self: the page
   *
   * The address's domain is unknown and the user will enter the servers.
   */
  signals[MANUAL_REQUESTED] =
    g_signal_new ("manual-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, detected_row);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, detected_avatar);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, continue_button);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, manual_button);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, provider_list);
  gtk_widget_class_bind_template_callback (widget_class, address_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, address_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, continue_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, manual_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, provider_activated_cb);
}

static void
ms_start_page_init (MsStartPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ms_start_page_new (MsCatalogue *catalogue)
{
  g_return_val_if_fail (MS_IS_CATALOGUE (catalogue), NULL);

  return g_object_new (MS_TYPE_START_PAGE,
                       "catalogue", catalogue,
                       NULL);
}

/**
 * ms_start_page_set_email:
 * @self: a page
 * @email: an address, e.g. from the command line
 *
 * Puts @email in the address field and shows what it belongs to.
 */
void
ms_start_page_set_email (MsStartPage *self,
                         const char  *email)
{
  g_return_if_fail (MS_IS_START_PAGE (self));
  g_return_if_fail (email != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->address_row), email);
  update_detection (self, TRUE);
}

/**
 * ms_start_page_get_email:
 * @self: a page
 *
 * Returns: what the address field holds, as typed
 */
const char *
ms_start_page_get_email (MsStartPage *self)
{
  g_return_val_if_fail (MS_IS_START_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->address_row));
}

/**
 * ms_start_page_get_detected:
 * @self: a page
 *
 * Returns: (transfer none) (nullable): the provider the typed address
 *   belongs to
 */
MsProvider *
ms_start_page_get_detected (MsStartPage *self)
{
  g_return_val_if_fail (MS_IS_START_PAGE (self), NULL);

  return self->detected;
}

void
ms_start_page_focus (MsStartPage *self)
{
  g_return_if_fail (MS_IS_START_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
}
