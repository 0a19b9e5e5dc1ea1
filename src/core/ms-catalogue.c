/* ms-catalogue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ms-catalogue.h"
#include "ms-client-config.h"
#include "ms-providers-resources.h"

/* A provider file is a few KiB; anything much larger is not one. */
#define MAX_PROVIDER_FILE (1024 * 1024)

struct _MsCatalogue
{
  GObject     parent_instance;

  char      **languages;
  GPtrArray  *providers;   /* MsProvider, sorted by name */
  GPtrArray  *by_priority; /* the same, the last loaded first */
  GPtrArray  *problems;    /* char *, “FILE:LINE: reason” */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsCatalogue, ms_catalogue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
ms_catalogue_get_item_type (GListModel *model)
{
  return MS_TYPE_PROVIDER;
}

static guint
ms_catalogue_get_n_items (GListModel *model)
{
  return MS_CATALOGUE (model)->providers->len;
}

static gpointer
ms_catalogue_get_item (GListModel *model,
                       guint       position)
{
  MsCatalogue *self = MS_CATALOGUE (model);

  if (position >= self->providers->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->providers, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ms_catalogue_get_item_type;
  iface->get_n_items = ms_catalogue_get_n_items;
  iface->get_item = ms_catalogue_get_item;
}

static void
ms_catalogue_finalize (GObject *object)
{
  MsCatalogue *self = (MsCatalogue *)object;

  g_clear_pointer (&self->languages, g_strfreev);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->by_priority, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_catalogue_parent_class)->finalize (object);
}

static void
ms_catalogue_class_init (MsCatalogueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_catalogue_finalize;
}

static void
ms_catalogue_init (MsCatalogue *self)
{
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_priority = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->problems, NULL);
}

/**
 * ms_catalogue_new:
 * @languages: (nullable): the languages to show providers in, best first;
 *   %NULL for the session's (g_get_language_names())
 *
 * Returns: (transfer full): an empty catalogue
 */
MsCatalogue *
ms_catalogue_new (const char * const *languages)
{
  MsCatalogue *self = g_object_new (MS_TYPE_CATALOGUE, NULL);

  self->languages = g_strdupv ((char **)(languages ? languages : g_get_language_names ()));

  return self;
}

/**
 * ms_catalogue_get_user_directory:
 *
 * Returns: (transfer full): where a user's own provider files live
 */
char *
ms_catalogue_get_user_directory (void)
{
  return g_build_filename (g_get_user_data_dir (), "mail-setup", "providers", NULL);
}

/**
 * ms_catalogue_new_default:
 *
 * The catalogue the app uses: the built-in providers, then the user's
 * files in ms_catalogue_get_user_directory(), which add providers or
 * replace built-in ones with the same id.
 *
 * Returns: (transfer full): the catalogue
 */
MsCatalogue *
ms_catalogue_new_default (void)
{
  g_autofree char *user_dir = ms_catalogue_get_user_directory ();
  MsCatalogue *self = ms_catalogue_new (NULL);

  ms_catalogue_load_builtin (self);
  ms_catalogue_load_directory (self, user_dir);

  return self;
}

static void
add_problem (MsCatalogue *self,
             const char  *problem)
{
  g_debug ("%s", problem);

  /* Kept nul-terminated for ms_catalogue_get_problems(). */
  self->problems->pdata[self->problems->len - 1] = g_strdup (problem);
  g_ptr_array_add (self->problems, NULL);
}

static gint
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  MsProvider *pa = *(MsProvider * const *)a;
  MsProvider *pb = *(MsProvider * const *)b;
  int cmp = g_utf8_collate (ms_provider_get_name (pa), ms_provider_get_name (pb));

  return cmp != 0 ? cmp : strcmp (ms_provider_get_id (pa), ms_provider_get_id (pb));
}

static void
add_provider (MsCatalogue *self,
              MsProvider  *provider)
{
  guint old_len = self->providers->len;

  for (guint i = 0; i < self->providers->len; i++)
    {
      MsProvider *existing = g_ptr_array_index (self->providers, i);

      if (g_str_equal (ms_provider_get_id (existing), ms_provider_get_id (provider)))
        {
          g_debug ("%s replaces %s", ms_provider_get_origin (provider),
                   ms_provider_get_origin (existing));
          g_ptr_array_remove (self->by_priority, existing);
          g_ptr_array_remove_index (self->providers, i);
          break;
        }
    }

  /* A file loaded later (the user's) wins a domain or MX host that an
   * earlier one (built in) also claims. */
  g_ptr_array_insert (self->by_priority, 0, g_object_ref (provider));
  g_ptr_array_add (self->providers, g_object_ref (provider));
  g_ptr_array_sort (self->providers, compare_by_name);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->providers->len);
}

/**
 * ms_catalogue_add_data:
 * @self: a catalogue
 * @data: a provider file's contents
 * @length: its length, or -1 if nul-terminated
 * @filename: its name, for error messages
 * @error: where to put what is wrong with it
 *
 * Adds one provider file, replacing a provider of the same id. A broken
 * file is also noted in ms_catalogue_get_problems().
 *
 * Returns: %TRUE if the file was a good provider file
 */
gboolean
ms_catalogue_add_data (MsCatalogue  *self,
                       const char   *data,
                       gssize        length,
                       const char   *filename,
                       GError      **error)
{
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (MS_IS_CATALOGUE (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  provider = ms_client_config_parse (data, length, filename, MS_CLIENT_CONFIG_CATALOGUE,
                                     (const char * const *)self->languages, &local_error);
  if (provider == NULL)
    {
      add_problem (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  add_provider (self, provider);
  return TRUE;
}

/**
 * ms_catalogue_load_builtin:
 * @self: a catalogue
 *
 * Adds the providers compiled into the program.
 */
void
ms_catalogue_load_builtin (MsCatalogue *self)
{
  static gsize registered;
  const char *dir = RESOURCE_PREFIX "/providers/";
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (MS_IS_CATALOGUE (self));

  if (g_once_init_enter (&registered))
    {
      ms_providers_register_resource ();
      g_once_init_leave (&registered, 1);
    }

  names = g_resources_enumerate_children (dir, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (names == NULL)
    {
      add_problem (self, error->message);
      return;
    }

  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_strconcat (dir, names[i], NULL);
      g_autoptr(GBytes) bytes = NULL;
      gsize size;
      const char *data;

      if (!g_str_has_suffix (names[i], ".xml"))
        continue;

      bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      if (bytes == NULL)
        continue;

      data = g_bytes_get_data (bytes, &size);
      ms_catalogue_add_data (self, data, size, names[i], NULL);
    }
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/**
 * ms_catalogue_load_directory:
 * @self: a catalogue
 * @path: a folder of provider files (`*.xml`)
 *
 * Adds every provider file in @path, in name order. A folder that does not
 * exist is no problem; a file that cannot be read or parsed is reported in
 * ms_catalogue_get_problems() and the others still load.
 */
void
ms_catalogue_load_directory (MsCatalogue *self,
                             const char  *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  g_return_if_fail (MS_IS_CATALOGUE (self));
  g_return_if_fail (path != NULL);

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_problem (self, error->message);
      return;
    }

  files = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)))
    {
      if (g_str_has_suffix (name, ".xml"))
        g_ptr_array_add (files, g_build_filename (path, name, NULL));
    }
  g_ptr_array_sort (files, compare_paths);

  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) read_error = NULL;
      gsize length;

      if (!g_file_get_contents (file, &contents, &length, &read_error))
        {
          add_problem (self, read_error->message);
          continue;
        }

      if (length > MAX_PROVIDER_FILE)
        {
          g_autofree char *problem =
            g_strdup_printf ("%s:1: the file is larger than %d bytes", file, MAX_PROVIDER_FILE);

          add_problem (self, problem);
          continue;
        }

      ms_catalogue_add_data (self, contents, length, file, NULL);
    }
}

/**
 * ms_catalogue_get_problems:
 * @self: a catalogue
 *
 * Returns: (transfer none): what went wrong while loading, one
 *   “FILE:LINE: reason” each; empty when all was well
 */
const char * const *
ms_catalogue_get_problems (MsCatalogue *self)
{
  g_return_val_if_fail (MS_IS_CATALOGUE (self), NULL);

  return (const char * const *)self->problems->pdata;
}

/**
 * ms_catalogue_get_provider:
 * @self: a catalogue
 * @id: a provider id
 *
 * Returns: (transfer none) (nullable): the provider, or %NULL
 */
MsProvider *
ms_catalogue_get_provider (MsCatalogue *self,
                           const char  *id)
{
  g_return_val_if_fail (MS_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->providers->len; i++)
    {
      MsProvider *provider = g_ptr_array_index (self->providers, i);

      if (g_str_equal (ms_provider_get_id (provider), id))
        return provider;
    }

  return NULL;
}

/**
 * ms_catalogue_find_by_domain:
 * @self: a catalogue
 * @domain: a normalized domain (see ms_normalize_domain())
 *
 * Returns: (transfer none) (nullable): the provider whose addresses end in
 *   exactly @domain
 */
MsProvider *
ms_catalogue_find_by_domain (MsCatalogue *self,
                             const char  *domain)
{
  g_return_val_if_fail (MS_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (domain != NULL, NULL);

  for (guint i = 0; i < self->by_priority->len; i++)
    {
      MsProvider *provider = g_ptr_array_index (self->by_priority, i);

      if (ms_provider_claims_domain (provider, domain))
        return provider;
    }

  return NULL;
}

/**
 * ms_catalogue_find_by_mx:
 * @self: a catalogue
 * @mx_host: a host from a domain's MX records
 *
 * Returns: (transfer none) (nullable): the provider that hosts domains
 *   whose mail goes to @mx_host
 */
MsProvider *
ms_catalogue_find_by_mx (MsCatalogue *self,
                         const char  *mx_host)
{
  g_return_val_if_fail (MS_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (mx_host != NULL, NULL);

  for (guint i = 0; i < self->by_priority->len; i++)
    {
      MsProvider *provider = g_ptr_array_index (self->by_priority, i);

      if (ms_provider_matches_mx (provider, mx_host))
        return provider;
    }

  return NULL;
}

/**
 * ms_catalogue_lookup:
 * @self: a catalogue
 * @address: an address
 *
 * Looks @address up by its domain in the catalogue alone: instant and
 * offline.
 *
 * Returns: (transfer full): the result, with source `none` when the
 *   catalogue does not know the domain
 */
MsLookupResult *
ms_catalogue_lookup (MsCatalogue     *self,
                     const MsAddress *address)
{
  MsProvider *provider;

  g_return_val_if_fail (MS_IS_CATALOGUE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  provider = ms_catalogue_find_by_domain (self, address->domain);
  if (provider == NULL)
    return ms_lookup_result_new (address, MS_LOOKUP_SOURCE_NONE, NULL, NULL, NULL);

  return ms_lookup_result_new (address, MS_LOOKUP_SOURCE_CATALOGUE, provider,
                               ms_provider_get_imap_servers (provider),
                               ms_provider_get_smtp_servers (provider));
}
