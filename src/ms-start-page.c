/* ms-start-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first page: the user's address, with the provider it belongs to shown
 * as they type, and below it every provider, searchable by English or
 * Chinese name and by domain. A domain the catalogue does not know is
 * looked up on the network (MX, autoconfig, SRV, a guess) while the user
 * goes on typing; an address nothing knows leads to manual settings. A
 * domain whose provider offers only POP3, only unencrypted IMAP or only
 * OAuth 2.0 sign-in is told so plainly, with no way on to a password.
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-start-page.h"

/* Typing pauses this long before a network lookup starts. */
#define LOOKUP_DELAY_MS 400

struct _MsStartPage
{
  AdwBin              parent_instance;

  MsCatalogue        *catalogue;
  MsLookup           *lookup;
  MsProvider         *detected;
  MsLookupResult     *found;          /* servers found without a provider */
  MsAddress          *looking_up;     /* while a network lookup runs */
  GCancellable       *lookup_cancellable;
  guint               lookup_timeout_id;
  gboolean            activate_when_found;
  gboolean            over_http;      /* the last lookup allowed plain HTTP */
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  char               *query;

  AdwEntryRow        *address_row;
  AdwActionRow       *detected_row;
  AdwAvatar          *detected_avatar;
  GtkSpinner         *detecting_spinner;
  AdwActionRow       *http_row;
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
  PROP_LOOKUP,
  N_PROPS
};

enum {
  PROVIDER_CHOSEN,
  MANUAL_REQUESTED,
  SETTINGS_FOUND,
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

  if (domains[0] != NULL && g_strv_length ((char **)domains) > 4)
    {
      g_autofree char *first = NULL;
      const char *three[] = { domains[0], domains[1], domains[2], NULL };

      /* Outlook.com has dozens: the first few say enough (search finds
       * them all). */
      first = g_strjoinv (", ", (char **)three);
      /* Translators: %s is a list of mail domains, e.g. “outlook.com, hotmail.com, live.com” */
      subtitle = g_strdup_printf (_("%s and more"), first);
    }
  else if (domains[0] != NULL)
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

static void
set_row (MsStartPage *self,
         const char  *title,
         const char  *subtitle,
         const char  *initials,
         const char  *icon_name,
         gboolean     busy)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detected_row), title);
  adw_action_row_set_subtitle (self->detected_row, subtitle);
  /* An icon needs the initials off: an empty text does not show it. */
  adw_avatar_set_show_initials (self->detected_avatar, initials != NULL);
  adw_avatar_set_text (self->detected_avatar, initials ? initials : "");
  adw_avatar_set_icon_name (self->detected_avatar, icon_name);
  gtk_widget_set_visible (GTK_WIDGET (self->detected_avatar), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->detecting_spinner), busy);
  gtk_spinner_set_spinning (self->detecting_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->detected_row), TRUE);
}

static void
cancel_lookup (MsStartPage *self)
{
  g_clear_handle_id (&self->lookup_timeout_id, g_source_remove);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_clear_pointer (&self->looking_up, ms_address_free);
}

/* Where an answer came from, in the words of the row's subtitle. */
static char *
describe_result (MsLookupResult *result)
{
  const MsAddress *address = ms_lookup_result_get_address (result);
  const char *domain = address->domain_unicode;

  switch (ms_lookup_result_get_source (result))
    {
    case MS_LOOKUP_SOURCE_MX:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("Found from the mail server records of %s"), domain);
    case MS_LOOKUP_SOURCE_AUTOCONFIG:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("Found in the settings file %s publishes"), domain);
    case MS_LOOKUP_SOURCE_ISPDB:
      return g_strdup (_("Found in Thunderbird’s database of mail providers"));
    case MS_LOOKUP_SOURCE_SRV:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("Found from the service records of %s"), domain);
    case MS_LOOKUP_SOURCE_GUESS:
      /* Translators: %s is a mail domain, e.g. example.com */
      return g_strdup_printf (_("Servers at %s answered, but the domain does not publish its settings: check them on the next page"), domain);
    case MS_LOOKUP_SOURCE_CATALOGUE:
    case MS_LOOKUP_SOURCE_NONE:
    default:
      /* Translators: %s is a mail domain, e.g. qq.com */
      return g_strdup_printf (_("Mail for %s is handled here"), domain);
    }
}

/* The row's title for a note: what stands in the way, in a few words. */
static char *
describe_note (MsLookupNote  note,
               const char   *domain)
{
  switch (note)
    {
    case MS_LOOKUP_NOTE_POP3_ONLY:
      /* Translators: %s is a mail domain, e.g. example.org */
      return g_strdup_printf (_("Only POP3 Offered for %s"), domain);
    case MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY:
      /* Translators: %s is a mail domain, e.g. example.org */
      return g_strdup_printf (_("Only Unencrypted IMAP Offered for %s"), domain);
    case MS_LOOKUP_NOTE_OAUTH_ONLY:
      /* Translators: %s is a mail domain, e.g. example.org */
      return g_strdup_printf (_("No Password Works for %s"), domain);
    case MS_LOOKUP_NOTE_NONE:
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
emit_found (MsStartPage *self)
{
  if (self->detected != NULL)
    g_signal_emit (self, signals[PROVIDER_CHOSEN], 0, self->detected);
  else if (self->found != NULL)
    g_signal_emit (self, signals[SETTINGS_FOUND], 0, self->found);
}

/* Shows an answer: a provider, servers without one, why there is no
 * server to sign in to with a password, or nothing. */
static void
show_result (MsStartPage    *self,
             MsLookupResult *result)
{
  const MsAddress *address = ms_lookup_result_get_address (result);
  MsProvider *provider = ms_lookup_result_get_provider (result);
  MsLookupNote note = ms_lookup_result_get_note (result);
  g_autofree char *subtitle = describe_result (result);

  g_clear_object (&self->detected);
  g_clear_object (&self->found);

  /* A catalogue provider's guide says itself when no password works. */
  if (provider != NULL)
    {
      self->detected = g_object_ref (provider);
      set_row (self, ms_provider_get_name (provider), subtitle,
               ms_provider_get_short_name (provider), NULL, FALSE);
    }
  else if (note != MS_LOOKUP_NOTE_NONE)
    {
      g_autofree char *title = describe_note (note, address->domain_unicode);
      g_autofree char *message = ms_lookup_result_dup_note_message (result);

      /* Not the manual page with whatever servers there are: they would
       * fail, or see the password in the clear. The user may still know
       * better and enter settings. */
      set_row (self, title, message, NULL, "action-unavailable-symbolic", FALSE);
    }
  else if (ms_lookup_result_is_found (result))
    {
      g_autofree char *title = NULL;

      self->found = g_object_ref (result);
      /* Translators: %s is a mail domain, e.g. example.org */
      title = g_strdup_printf (_("Settings Found for %s"), address->domain_unicode);
      set_row (self, title, subtitle, NULL, "mail-send-receive-symbolic", FALSE);
    }
  else
    {
      g_autofree char *title = NULL;

      /* Translators: %s is a mail domain, e.g. example.org */
      title = g_strdup_printf (_("No Settings Known for %s"), address->domain_unicode);
      set_row (self, title,
               _("If a service such as Tencent Exmail, NetEase Qiye or Aliyun hosts your organization's mail, choose it below. Otherwise enter the servers yourself."),
               NULL, "help-about-symbolic", FALSE);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->continue_button), self->detected || self->found);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_button), !self->detected && !self->found);
  /* Nothing over HTTPS: the user may agree to plain HTTP. Not when the
   * domain has said what it offers. */
  gtk_widget_set_visible (GTK_WIDGET (self->http_row),
                          !ms_lookup_result_is_found (result) &&
                          note == MS_LOOKUP_NOTE_NONE && !self->over_http);
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MsStartPage) self = user_data;
  g_autoptr(MsLookupResult) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = ms_lookup_lookup_finish (MS_LOOKUP (object), result, &error);
  if (answer == NULL)
    return;   /* cancelled: the user typed on, or the page went away */

  g_clear_object (&self->lookup_cancellable);
  g_clear_pointer (&self->looking_up, ms_address_free);
  show_result (self, answer);

  if (self->activate_when_found)
    {
      self->activate_when_found = FALSE;
      if (self->detected || self->found)
        emit_found (self);
      else
        gtk_widget_grab_focus (GTK_WIDGET (self->manual_button));
    }
}

static gboolean
start_lookup_cb (gpointer user_data)
{
  MsStartPage *self = user_data;

  self->lookup_timeout_id = 0;
  self->lookup_cancellable = g_cancellable_new ();
  ms_lookup_lookup_async (self->lookup, self->looking_up, self->lookup_cancellable,
                          looked_up_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* What the address row says about the address: nothing while it is not an
 * address yet, its provider when the catalogue (or an earlier lookup) knows
 * the domain, else a lookup on the network and then what it found.
 * @complain shows why a finished entry is not an address. */
static void
update_detection (MsStartPage *self,
                  gboolean     complain)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsLookupResult) known = NULL;
  g_autofree char *title = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");

  address = ms_address_parse (text, &error);

  /* Still the same domain: the lookup under way answers for it too. */
  if (address != NULL && self->looking_up != NULL &&
      g_str_equal (address->domain, self->looking_up->domain))
    {
      ms_address_free (self->looking_up);
      self->looking_up = g_steal_pointer (&address);
      return;
    }

  cancel_lookup (self);
  g_clear_object (&self->detected);
  g_clear_object (&self->found);
  self->activate_when_found = FALSE;
  self->over_http = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->http_row), FALSE);

  if (address == NULL)
    {
      gboolean show = complain && !g_error_matches (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_EMPTY);

      if (strchr (text, '@') == NULL && strstr (text, "＠") == NULL && !complain)
        show = FALSE;

      gtk_widget_set_visible (GTK_WIDGET (self->detected_row), show);
      if (show)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
          set_row (self, _("This Is Not a Complete Address"), error->message,
                   NULL, "dialog-warning-symbolic", FALSE);
          gtk_widget_set_visible (GTK_WIDGET (self->continue_button), FALSE);
          gtk_widget_set_visible (GTK_WIDGET (self->manual_button), FALSE);
        }
      return;
    }

  known = ms_lookup_lookup_offline (self->lookup, address);
  if (ms_lookup_result_is_found (known))
    {
      show_result (self, known);
      return;
    }

  /* Translators: %s is a mail domain, e.g. example.org */
  title = g_strdup_printf (_("Looking for the Settings of %s…"), address->domain_unicode);
  set_row (self, title,
           _("Asking the domain’s mail server records and published settings. You can also pick a provider below or enter the servers yourself."),
           NULL, NULL, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->continue_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_button), TRUE);

  self->looking_up = g_steal_pointer (&address);
  self->lookup_timeout_id = g_timeout_add (LOOKUP_DELAY_MS, start_lookup_cb, self);
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

  if (self->detected != NULL || self->found != NULL)
    emit_found (self);
  else if (self->looking_up != NULL)
    {
      /* Enter while looking: go on as soon as the answer is in. */
      self->activate_when_found = TRUE;
      if (self->lookup_timeout_id != 0)
        {
          g_clear_handle_id (&self->lookup_timeout_id, g_source_remove);
          start_lookup_cb (self);
        }
    }
  else if (gtk_widget_get_visible (GTK_WIDGET (self->manual_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->manual_button));
}

/* The user agreed to look over plain HTTP too, for this address. */
static void
http_activated_cb (MsStartPage *self)
{
  g_autoptr(MsAddress) address = NULL;
  g_autofree char *title = NULL;

  address = ms_address_parse (gtk_editable_get_text (GTK_EDITABLE (self->address_row)), NULL);
  if (address == NULL)
    return;

  cancel_lookup (self);
  self->over_http = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->http_row), FALSE);
  /* Translators: %s is a mail domain, e.g. example.org */
  title = g_strdup_printf (_("Looking for the Settings of %s…"), address->domain_unicode);
  set_row (self, title, _("Also over unencrypted HTTP."), NULL, NULL, TRUE);

  self->looking_up = g_steal_pointer (&address);
  /* The lookup takes the setting when it starts; later ones are HTTPS only
   * again. */
  ms_lookup_set_allow_http (self->lookup, TRUE);
  start_lookup_cb (self);
  ms_lookup_set_allow_http (self->lookup, FALSE);
}

static void
continue_clicked_cb (MsStartPage *self)
{
  emit_found (self);
}

static void
manual_clicked_cb (MsStartPage *self)
{
  cancel_lookup (self);
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

  g_assert (self->lookup != NULL);
  self->catalogue = g_object_ref (ms_lookup_get_catalogue (self->lookup));

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
  cancel_lookup (self);
  g_clear_object (&self->detected);
  g_clear_object (&self->found);
  g_clear_object (&self->lookup);
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

    case PROP_LOOKUP:
      g_value_set_object (value, self->lookup);
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
    case PROP_LOOKUP:
      self->lookup = g_value_dup_object (value);
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
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_LOOKUP] =
    g_param_spec_object ("lookup", NULL, NULL,
                         MS_TYPE_LOOKUP,
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

  /**
   * MsStartPage::settings-found:
   * @self: the page
   * @result: servers found on the network (autoconfig, SRV, a guess) for a
   *   domain no provider in the catalogue claims
   */
  signals[SETTINGS_FOUND] =
    g_signal_new ("settings-found",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MS_TYPE_LOOKUP_RESULT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ms-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, detected_row);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, detected_avatar);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, detecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, http_row);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, continue_button);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, manual_button);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, MsStartPage, provider_list);
  gtk_widget_class_bind_template_callback (widget_class, address_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, address_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, continue_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, manual_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, http_activated_cb);
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
ms_start_page_new (MsLookup *lookup)
{
  g_return_val_if_fail (MS_IS_LOOKUP (lookup), NULL);

  return g_object_new (MS_TYPE_START_PAGE,
                       "lookup", lookup,
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
 * ms_start_page_activate:
 * @self: a page
 *
 * As if the user pressed Enter in the address field: goes on with what the
 * address belongs to, at once or as soon as the lookup under way answers.
 */
void
ms_start_page_activate (MsStartPage *self)
{
  g_return_if_fail (MS_IS_START_PAGE (self));

  address_activated_cb (self);
}

/**
 * ms_start_page_get_found:
 * @self: a page
 *
 * Returns: (transfer none) (nullable): servers found on the network for a
 *   domain no catalogue provider claims
 */
MsLookupResult *
ms_start_page_get_found (MsStartPage *self)
{
  g_return_val_if_fail (MS_IS_START_PAGE (self), NULL);

  return self->found;
}

/**
 * ms_start_page_get_looking_up:
 * @self: a page
 *
 * Returns: whether a network lookup for the typed address is under way
 */
gboolean
ms_start_page_get_looking_up (MsStartPage *self)
{
  g_return_val_if_fail (MS_IS_START_PAGE (self), FALSE);

  return self->looking_up != NULL;
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
