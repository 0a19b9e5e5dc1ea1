/* ms-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <string.h>

#include "ms-provider-private.h"

G_DEFINE_FINAL_TYPE (MsProvider, ms_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ms_provider_finalize (GObject *object)
{
  MsProvider *self = (MsProvider *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->short_name, g_free);
  g_clear_pointer (&self->search_keys, g_strfreev);
  g_clear_pointer (&self->domains, g_strfreev);
  g_clear_pointer (&self->mx_patterns, g_strfreev);
  g_clear_pointer (&self->imap, g_ptr_array_unref);
  g_clear_pointer (&self->smtp, g_ptr_array_unref);
  g_clear_pointer (&self->password, ms_password_format_free);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->errors, g_ptr_array_unref);
  g_clear_pointer (&self->website, g_free);
  g_clear_pointer (&self->client_note, g_free);
  g_clear_pointer (&self->origin, g_free);

  G_OBJECT_CLASS (ms_provider_parent_class)->finalize (object);
}

static void
ms_provider_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MsProvider *self = MS_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_provider_class_init (MsProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_provider_finalize;
  object_class->get_property = ms_provider_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_provider_init (MsProvider *self)
{
  self->imap = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  self->smtp = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_step_free);
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_error_pattern_unref);
}

MsProvider *
_ms_provider_new (void)
{
  return g_object_new (MS_TYPE_PROVIDER, NULL);
}

const char *
ms_provider_get_id (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->id;
}

/**
 * ms_provider_get_name:
 * @self: a provider
 *
 * Returns: the provider's name in the language the catalogue was loaded for
 */
const char *
ms_provider_get_name (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->name;
}

const char *
ms_provider_get_short_name (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->short_name ? self->short_name : self->name;
}

const char * const *
ms_provider_get_domains (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return (const char * const *)self->domains;
}

const char * const *
ms_provider_get_mx_patterns (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return (const char * const *)self->mx_patterns;
}

/**
 * ms_provider_get_imap_servers:
 * @self: a provider
 *
 * Returns: (transfer none) (element-type MsServer): preferred first
 */
GPtrArray *
ms_provider_get_imap_servers (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->imap;
}

/**
 * ms_provider_get_smtp_servers:
 * @self: a provider
 *
 * Returns: (transfer none) (element-type MsServer): preferred first
 */
GPtrArray *
ms_provider_get_smtp_servers (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->smtp;
}

/**
 * ms_provider_get_password_format:
 * @self: a provider
 *
 * Returns: (nullable): what the client password is called and looks like
 */
const MsPasswordFormat *
ms_provider_get_password_format (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->password;
}

/**
 * ms_provider_get_steps:
 * @self: a provider
 *
 * Returns: (transfer none) (element-type MsStep): the administrator's steps,
 *   then the user's, in order
 */
GPtrArray *
ms_provider_get_steps (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->steps;
}

/**
 * ms_provider_get_error_patterns:
 * @self: a provider
 *
 * Returns: (transfer none) (element-type MsErrorPattern): in file order
 */
GPtrArray *
ms_provider_get_error_patterns (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->errors;
}

const char *
ms_provider_get_website (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->website;
}

/**
 * ms_provider_get_oauth_only:
 * @self: a provider
 *
 * Returns: %TRUE when the provider takes no password from mail programs at
 *   all, only OAuth 2.0 sign-in (Outlook.com, Microsoft 365): there is
 *   nothing to verify, and the client note says what to do instead
 */
gboolean
ms_provider_get_oauth_only (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), FALSE);

  return self->oauth_only;
}

/**
 * ms_provider_get_lookup_note:
 * @self: a provider
 *
 * What stands between its servers and a password login over IMAP with
 * TLS: %MS_LOOKUP_NOTE_OAUTH_ONLY for a provider that takes no password
 * (ms_provider_get_oauth_only()); for an autoconfig document that names no
 * IMAP server with TLS, what it offers instead (POP3, or IMAP without TLS).
 *
 * Returns: the note, or %MS_LOOKUP_NOTE_NONE
 */
MsLookupNote
ms_provider_get_lookup_note (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), MS_LOOKUP_NOTE_NONE);

  return self->oauth_only ? MS_LOOKUP_NOTE_OAUTH_ONLY : self->no_imap;
}

/**
 * ms_provider_get_client_note:
 * @self: a provider
 *
 * Advice for setting up mail programs with this provider (an option to
 * turn on in Evolution, say), from the file's `<ms:note>`.
 *
 * Returns: (nullable): the note in the language the catalogue was loaded
 *   for, or %NULL if the provider has none
 */
const char *
ms_provider_get_client_note (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->client_note;
}

/**
 * ms_provider_get_origin:
 * @self: a provider
 *
 * Returns: the file the provider was read from (a resource path for the
 *   built-in catalogue)
 */
const char *
ms_provider_get_origin (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return self->origin;
}

/**
 * ms_provider_get_username_rule:
 * @self: a provider
 *
 * Returns: `email` or `local-part`, the rule for the preferred IMAP
 *   server's login name
 */
const char *
ms_provider_get_username_rule (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  if (self->imap->len == 0)
    return "email";

  return ms_server_get_username_rule (g_ptr_array_index (self->imap, 0));
}

gboolean
ms_provider_has_admin_steps (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), FALSE);

  for (guint i = 0; i < self->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (self->steps, i);

      if (step->who == MS_STEP_WHO_ADMIN)
        return TRUE;
    }

  return FALSE;
}

/**
 * ms_provider_find_step:
 * @self: a provider
 * @step_id: a step's id
 *
 * Returns: (nullable): the step, or %NULL
 */
const MsStep *
ms_provider_find_step (MsProvider *self,
                       const char *step_id)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (step_id != NULL, NULL);

  for (guint i = 0; i < self->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (self->steps, i);

      if (g_str_equal (step->id, step_id))
        return step;
    }

  return NULL;
}

/**
 * ms_provider_claims_domain:
 * @self: a provider
 * @domain: a normalized (ASCII, lower case) domain
 *
 * Returns: %TRUE if addresses at exactly @domain belong to @self; a
 *   subdomain does not count
 */
gboolean
ms_provider_claims_domain (MsProvider *self,
                           const char *domain)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  return self->domains != NULL &&
         g_strv_contains ((const char * const *)self->domains, domain);
}

/**
 * ms_provider_matches_mx:
 * @self: a provider
 * @mx_host: a mail exchanger's host name
 *
 * Returns: %TRUE if @mx_host is one of the hosts that receive mail for
 *   domains the provider hosts (`*` in a pattern stands for any text)
 */
gboolean
ms_provider_matches_mx (MsProvider *self,
                        const char *mx_host)
{
  g_autofree char *host = NULL;
  gsize len;

  g_return_val_if_fail (MS_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (mx_host != NULL, FALSE);

  if (self->mx_patterns == NULL)
    return FALSE;

  host = g_ascii_strdown (mx_host, -1);
  len = strlen (host);
  if (len > 0 && host[len - 1] == '.')
    host[len - 1] = '\0';

  for (guint i = 0; self->mx_patterns[i]; i++)
    {
      if (g_pattern_match_simple (self->mx_patterns[i], host))
        return TRUE;
    }

  return FALSE;
}

/**
 * ms_provider_matches_search:
 * @self: a provider
 * @query: what the user typed in the search field
 *
 * Matches @query, ignoring case, against the provider's name in every
 * language its file has (so “网易” finds NetEase in an English session),
 * its id and its domains.
 *
 * Returns: %TRUE if @self is a result for @query
 */
gboolean
ms_provider_matches_search (MsProvider *self,
                            const char *query)
{
  g_autofree char *stripped = NULL;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (MS_IS_PROVIDER (self), FALSE);

  if (query == NULL)
    return TRUE;

  stripped = g_strstrip (g_strdup (query));
  if (stripped[0] == '\0')
    return TRUE;

  /* “@qq.com” or “me@qq.com” typed into the search: look at the domain. */
  if (strchr (stripped, '@') != NULL)
    {
      const char *domain = strrchr (stripped, '@') + 1;
      g_autofree char *lower = g_ascii_strdown (domain, -1);

      if (*domain == '\0')
        return TRUE;

      for (guint i = 0; self->domains && self->domains[i]; i++)
        {
          if (g_str_has_prefix (self->domains[i], lower))
            return TRUE;
        }

      return FALSE;
    }

  folded = g_utf8_casefold (stripped, -1);

  if (strstr (self->id, folded) != NULL)
    return TRUE;

  for (guint i = 0; self->search_keys && self->search_keys[i]; i++)
    {
      if (strstr (self->search_keys[i], folded) != NULL)
        return TRUE;
    }

  for (guint i = 0; self->domains && self->domains[i]; i++)
    {
      if (strstr (self->domains[i], folded) != NULL)
        return TRUE;
    }

  return FALSE;
}

/**
 * ms_provider_match_error:
 * @self: a provider
 * @protocol: where @reply came from
 * @reply: a server's reply, valid UTF-8
 *
 * Returns: (nullable): the first of the provider's error patterns that
 *   matches, or %NULL
 */
const MsErrorPattern *
ms_provider_match_error (MsProvider *self,
                         MsProtocol  protocol,
                         const char *reply)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (reply != NULL, NULL);

  for (guint i = 0; i < self->errors->len; i++)
    {
      const MsErrorPattern *pattern = g_ptr_array_index (self->errors, i);

      if (ms_error_pattern_matches (pattern, protocol, reply))
        return pattern;
    }

  return NULL;
}

static GVariant *
servers_to_variant (GPtrArray *servers)
{
  GVariantBuilder builder;

  /* In the catalogue each server also says its own login rule. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < servers->len; i++)
    {
      const MsServer *server = g_ptr_array_index (servers, i);

      g_variant_builder_add_value (&builder,
                                   ms_server_to_variant (server, ms_server_get_username_rule (server)));
    }

  return g_variant_builder_end (&builder);
}

static GVariant *
strv_or_empty (char **strv)
{
  static const char * const empty[] = { NULL };

  return g_variant_new_strv (strv ? (const char * const *)strv : empty, -1);
}

/**
 * ms_provider_to_variant:
 * @self: a provider
 *
 * The provider as the command line prints it (`mail-setup providers
 * --json`) and the D-Bus interface returns it: id, name, domains, mx, imap,
 * smtp, username, password_name, steps, and the extensions password,
 * website, short_name, client_note, oauth_only and errors (kind, match,
 * step of each error pattern). Values that may be missing are maybe
 * types.
 *
 * Returns: (transfer floating): an a{sv}
 */
GVariant *
ms_provider_to_variant (MsProvider *self)
{
  GVariantBuilder builder;
  GVariantBuilder steps;

  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_string (self->id));
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (self->name));
  g_variant_builder_add (&builder, "{sv}", "short_name",
                         g_variant_new_string (ms_provider_get_short_name (self)));
  g_variant_builder_add (&builder, "{sv}", "domains", strv_or_empty (self->domains));
  g_variant_builder_add (&builder, "{sv}", "mx", strv_or_empty (self->mx_patterns));
  g_variant_builder_add (&builder, "{sv}", "imap", servers_to_variant (self->imap));
  g_variant_builder_add (&builder, "{sv}", "smtp", servers_to_variant (self->smtp));
  g_variant_builder_add (&builder, "{sv}", "username",
                         g_variant_new_string (ms_provider_get_username_rule (self)));
  g_variant_builder_add (&builder, "{sv}", "password_name",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              self->password ? g_variant_new_string (self->password->name) : NULL));
  if (self->password != NULL)
    g_variant_builder_add (&builder, "{sv}", "password",
                           ms_password_format_to_variant (self->password));

  g_variant_builder_init (&steps, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->steps->len; i++)
    g_variant_builder_add_value (&steps, ms_step_to_variant (g_ptr_array_index (self->steps, i)));
  g_variant_builder_add (&builder, "{sv}", "steps", g_variant_builder_end (&steps));

  /* What the provider's own error texts are recognised as. */
  g_variant_builder_init (&steps, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->errors->len; i++)
    {
      const MsErrorPattern *pattern = g_ptr_array_index (self->errors, i);
      const char *step_id = ms_error_pattern_get_step_id (pattern);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "kind",
                             g_variant_new_string (ms_error_kind_to_string (ms_error_pattern_get_kind (pattern))));
      g_variant_builder_add (&entry, "{sv}", "match", g_variant_new_string (ms_error_pattern_get_match (pattern)));
      g_variant_builder_add (&entry, "{sv}", "step",
                             g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                                  step_id ? g_variant_new_string (step_id) : NULL));
      g_variant_builder_add_value (&steps, g_variant_builder_end (&entry));
    }
  g_variant_builder_add (&builder, "{sv}", "errors", g_variant_builder_end (&steps));

  g_variant_builder_add (&builder, "{sv}", "website",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              self->website ? g_variant_new_string (self->website) : NULL));
  g_variant_builder_add (&builder, "{sv}", "oauth_only", g_variant_new_boolean (self->oauth_only));
  g_variant_builder_add (&builder, "{sv}", "client_note",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              self->client_note ? g_variant_new_string (self->client_note) : NULL));

  return g_variant_builder_end (&builder);
}
