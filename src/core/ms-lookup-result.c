/* ms-lookup-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include "ms-lookup-result.h"

struct _MsLookupResult
{
  GObject         parent_instance;

  MsAddress      *address;
  MsLookupSource  source;
  MsProvider     *provider;
  GPtrArray      *imap;
  GPtrArray      *smtp;
  char           *detail;
  GPtrArray      *problems;
  MsLookupNote    note;
};

G_DEFINE_FINAL_TYPE (MsLookupResult, ms_lookup_result, G_TYPE_OBJECT)

static const char * const source_names[] = {
  [MS_LOOKUP_SOURCE_NONE] = "none",
  [MS_LOOKUP_SOURCE_CATALOGUE] = "catalogue",
  [MS_LOOKUP_SOURCE_MX] = "mx",
  [MS_LOOKUP_SOURCE_AUTOCONFIG] = "autoconfig",
  [MS_LOOKUP_SOURCE_ISPDB] = "ispdb",
  [MS_LOOKUP_SOURCE_SRV] = "srv",
  [MS_LOOKUP_SOURCE_GUESS] = "guess",
};

static void
ms_lookup_result_finalize (GObject *object)
{
  MsLookupResult *self = (MsLookupResult *)object;

  g_clear_pointer (&self->address, ms_address_free);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->imap, g_ptr_array_unref);
  g_clear_pointer (&self->smtp, g_ptr_array_unref);
  g_clear_pointer (&self->detail, g_free);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_lookup_result_parent_class)->finalize (object);
}

static void
ms_lookup_result_class_init (MsLookupResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_lookup_result_finalize;
}

static void
ms_lookup_result_init (MsLookupResult *self)
{
  /* Reserved size 1: with 0, GLib before 2.76 leaves pdata NULL until the
   * first element, and ms_lookup_result_get_problems() must give an empty
   * list, not NULL. */
  self->problems = g_ptr_array_new_null_terminated (1, g_free, TRUE);
}

static GPtrArray *
copy_servers (GPtrArray *servers)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify)ms_server_free);

  for (guint i = 0; servers != NULL && i < servers->len; i++)
    g_ptr_array_add (copy, ms_server_copy (g_ptr_array_index (servers, i)));

  return copy;
}

/**
 * ms_lookup_result_new:
 * @address: the address looked up
 * @source: which layer answered
 * @provider: (nullable): the catalogue entry, when one is known
 * @imap: (nullable) (element-type MsServer): IMAP servers, preferred first
 * @smtp: (nullable) (element-type MsServer): SMTP servers, preferred first
 *
 * A provider that takes no password (`<ms:oauth-only/>`) gives the result
 * the note %MS_LOOKUP_NOTE_OAUTH_ONLY.
 *
 * Returns: (transfer full): a new result
 */
MsLookupResult *
ms_lookup_result_new (const MsAddress *address,
                      MsLookupSource   source,
                      MsProvider      *provider,
                      GPtrArray       *imap,
                      GPtrArray       *smtp)
{
  MsLookupResult *self;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (!provider || MS_IS_PROVIDER (provider), NULL);

  self = g_object_new (MS_TYPE_LOOKUP_RESULT, NULL);
  self->address = ms_address_copy (address);
  self->source = source;
  g_set_object (&self->provider, provider);
  self->imap = copy_servers (imap);
  self->smtp = copy_servers (smtp);
  if (provider != NULL && ms_provider_get_oauth_only (provider))
    self->note = MS_LOOKUP_NOTE_OAUTH_ONLY;

  if (self->imap->len == 0 && self->smtp->len == 0)
    self->source = MS_LOOKUP_SOURCE_NONE;

  return self;
}

const MsAddress *
ms_lookup_result_get_address (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return self->address;
}

MsLookupSource
ms_lookup_result_get_source (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), MS_LOOKUP_SOURCE_NONE);

  return self->source;
}

/**
 * ms_lookup_result_get_provider:
 * @self: a result
 *
 * Returns: (nullable) (transfer none): the provider, if the catalogue knows it
 */
MsProvider *
ms_lookup_result_get_provider (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return self->provider;
}

/**
 * ms_lookup_result_get_imap_servers:
 * @self: a result
 *
 * Returns: (transfer none) (element-type MsServer): preferred first
 */
GPtrArray *
ms_lookup_result_get_imap_servers (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return self->imap;
}

/**
 * ms_lookup_result_get_smtp_servers:
 * @self: a result
 *
 * Returns: (transfer none) (element-type MsServer): preferred first
 */
GPtrArray *
ms_lookup_result_get_smtp_servers (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return self->smtp;
}

gboolean
ms_lookup_result_is_found (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), FALSE);

  return self->source != MS_LOOKUP_SOURCE_NONE;
}

/**
 * ms_lookup_result_dup_username:
 * @self: a result
 *
 * Returns: (transfer full) (nullable): the login name for the preferred
 *   IMAP server (or SMTP server, when there is no IMAP one)
 */
char *
ms_lookup_result_dup_username (MsLookupResult *self)
{
  GPtrArray *servers;

  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  servers = self->imap->len > 0 ? self->imap : self->smtp;
  if (servers->len == 0)
    return NULL;

  return ms_server_expand_username (g_ptr_array_index (servers, 0), self->address);
}

static GVariant *
servers_to_variant (MsLookupResult *self,
                    GPtrArray      *servers)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < servers->len; i++)
    {
      const MsServer *server = g_ptr_array_index (servers, i);
      g_autofree char *username = ms_server_expand_username (server, self->address);

      g_variant_builder_add_value (&builder, ms_server_to_variant (server, username));
    }

  return g_variant_builder_end (&builder);
}

/**
 * ms_lookup_result_to_variant:
 * @self: a result
 *
 * The result as `mail-setup lookup --json` prints it: email, provider (a
 * maybe type), source, imap and smtp (each server with its expanded login
 * name), username, detail, problems and note (a maybe type).
 *
 * Returns: (transfer floating): an a{sv}
 */
GVariant *
ms_lookup_result_to_variant (MsLookupResult *self)
{
  GVariantBuilder builder;
  g_autofree char *username = NULL;

  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  username = ms_lookup_result_dup_username (self);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "email", g_variant_new_string (self->address->email));
  g_variant_builder_add (&builder, "{sv}", "provider",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              self->provider
                                                ? g_variant_new_string (ms_provider_get_id (self->provider))
                                                : NULL));
  g_variant_builder_add (&builder, "{sv}", "source",
                         g_variant_new_string (ms_lookup_source_to_string (self->source)));
  g_variant_builder_add (&builder, "{sv}", "imap", servers_to_variant (self, self->imap));
  g_variant_builder_add (&builder, "{sv}", "smtp", servers_to_variant (self, self->smtp));
  g_variant_builder_add (&builder, "{sv}", "username",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              username ? g_variant_new_string (username) : NULL));
  g_variant_builder_add (&builder, "{sv}", "detail",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              self->detail ? g_variant_new_string (self->detail) : NULL));
  g_variant_builder_add (&builder, "{sv}", "problems",
                         g_variant_new_strv ((const char * const *)self->problems->pdata, -1));
  g_variant_builder_add (&builder, "{sv}", "note",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              self->note != MS_LOOKUP_NOTE_NONE
                                                ? g_variant_new_string (ms_lookup_note_to_string (self->note))
                                                : NULL));

  return g_variant_builder_end (&builder);
}

const char *
ms_lookup_source_to_string (MsLookupSource source)
{
  g_return_val_if_fail ((guint)source < G_N_ELEMENTS (source_names), NULL);

  return source_names[source];
}

/**
 * ms_lookup_source_from_string:
 * @str: a source's name, as `mail-setup lookup --json` prints it
 * @source: (out): where to store the source
 *
 * Returns: whether @str names a source
 */
gboolean
ms_lookup_source_from_string (const char     *str,
                              MsLookupSource *source)
{
  g_return_val_if_fail (source != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (source_names); i++)
    {
      if (g_str_equal (str, source_names[i]))
        {
          *source = i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ms_lookup_result_new_for_address:
 * @self: a result
 * @address: another address at the same domain
 *
 * Lookups answer for a domain: this gives @self's answer for @address (a
 * cached answer for a new address).
 *
 * Returns: (transfer full): a new result
 */
MsLookupResult *
ms_lookup_result_new_for_address (MsLookupResult  *self,
                                  const MsAddress *address)
{
  MsLookupResult *copy;

  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  copy = ms_lookup_result_new (address, self->source, self->provider, self->imap, self->smtp);
  ms_lookup_result_set_detail (copy, self->detail);
  copy->note = self->note;
  for (guint i = 0; i < self->problems->len; i++)
    ms_lookup_result_add_problem (copy, g_ptr_array_index (self->problems, i));

  return copy;
}

/**
 * ms_lookup_result_get_detail:
 * @self: a result
 *
 * What exactly answered: the MX host, the autoconfig address, the SRV
 * record or the guessed host.
 *
 * Returns: (nullable): the detail
 */
const char *
ms_lookup_result_get_detail (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return self->detail;
}

void
ms_lookup_result_set_detail (MsLookupResult *self,
                             const char     *detail)
{
  g_return_if_fail (MS_IS_LOOKUP_RESULT (self));

  g_free (self->detail);
  self->detail = g_strdup (detail);
}

/**
 * ms_lookup_result_get_problems:
 * @self: a result
 *
 * Returns: (transfer none): what went wrong in the layers that did not
 *   answer (a malformed file, a refused redirect …), one line each, in
 *   English
 */
const char * const *
ms_lookup_result_get_problems (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return (const char * const *)self->problems->pdata;
}

void
ms_lookup_result_add_problem (MsLookupResult *self,
                              const char     *problem)
{
  g_return_if_fail (MS_IS_LOOKUP_RESULT (self));
  g_return_if_fail (problem != NULL);

  g_ptr_array_add (self->problems, g_strdup (problem));
}

/**
 * ms_lookup_result_get_note:
 * @self: a result
 *
 * Why the settings give no IMAP server to sign in to with a password: a
 * found result whose servers take OAuth 2.0 only, or a result with nothing
 * found because the domain's provider offers only POP3 or only unencrypted
 * IMAP.
 *
 * Returns: the note, %MS_LOOKUP_NOTE_NONE when nothing stands in the way
 *   (or nothing is known)
 */
MsLookupNote
ms_lookup_result_get_note (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), MS_LOOKUP_NOTE_NONE);

  return self->note;
}

void
ms_lookup_result_set_note (MsLookupResult *self,
                           MsLookupNote    note)
{
  g_return_if_fail (MS_IS_LOOKUP_RESULT (self));

  self->note = note;
}

/**
 * ms_lookup_result_dup_note_message:
 * @self: a result
 *
 * Returns: (transfer full) (nullable): what the note means, in plain words
 *   naming the address's domain, localized; %NULL without a note
 */
char *
ms_lookup_result_dup_note_message (MsLookupResult *self)
{
  g_return_val_if_fail (MS_IS_LOOKUP_RESULT (self), NULL);

  return ms_lookup_note_dup_message (self->note, self->address->domain_unicode);
}
