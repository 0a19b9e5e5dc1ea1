/* ms-password-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <string.h>

#include "ms-password-format.h"

G_DEFINE_BOXED_TYPE (MsPasswordFormat, ms_password_format,
                     ms_password_format_copy, ms_password_format_free)

static const char * const charset_names[] = {
  [MS_PASSWORD_CHARSET_ANY] = "any",
  [MS_PASSWORD_CHARSET_LETTERS] = "letters",
  [MS_PASSWORD_CHARSET_ALPHANUMERIC] = "alphanumeric",
};

MsPasswordFormat *
ms_password_format_new (const char *name)
{
  MsPasswordFormat *format;

  g_return_val_if_fail (name != NULL, NULL);

  format = g_new0 (MsPasswordFormat, 1);
  format->name = g_strdup (name);
  format->separators = g_strdup ("");
  format->required = TRUE;

  return format;
}

MsPasswordFormat *
ms_password_format_copy (const MsPasswordFormat *format)
{
  MsPasswordFormat *copy;

  g_return_val_if_fail (format != NULL, NULL);

  copy = g_memdup2 (format, sizeof *format);
  copy->name = g_strdup (format->name);
  copy->hint = g_strdup (format->hint);
  copy->separators = g_strdup (format->separators);

  return copy;
}

void
ms_password_format_free (MsPasswordFormat *format)
{
  if (format == NULL)
    return;

  g_free (format->name);
  g_free (format->hint);
  g_free (format->separators);
  g_free (format);
}

/**
 * ms_password_format_clean:
 * @format: the provider's client password format
 * @input: what the user pasted
 *
 * Drops what copying from a web page adds around a client password: white
 * space at either end always, and, only where the format says the provider
 * prints them between groups, those separators and spaces inside.
 * A password with no known format is returned as given, but for
 * surrounding line breaks.
 *
 * The caller owns the result and must wipe it (it is a password).
 *
 * Returns: (transfer full): the password to use
 */
char *
ms_password_format_clean (const MsPasswordFormat *format,
                          const char             *input)
{
  GString *out;
  const char *start = input;
  const char *end;

  g_return_val_if_fail (input != NULL, NULL);

  end = input + strlen (input);

  if (format == NULL || format->charset == MS_PASSWORD_CHARSET_ANY)
    {
      /* Any byte may be part of such a password, even spaces; only the
       * line break a paste can bring is dropped. */
      while (end > start && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
      return g_strndup (start, end - start);
    }

  out = g_string_sized_new (end - start);
  for (const char *p = start; p < end; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (*p != '\0' && format->separators != NULL && strchr (format->separators, *p) != NULL)
        continue;
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/**
 * ms_password_format_matches:
 * @format: the provider's client password format
 * @password: a cleaned password
 *
 * Tells whether @password has the shape the provider gives its client
 * passwords. A %FALSE answer is a hint for the user (say, the login password
 * was typed instead), never a reason to refuse a check.
 *
 * Returns: %TRUE if @password has the expected length and characters
 */
gboolean
ms_password_format_matches (const MsPasswordFormat *format,
                            const char             *password)
{
  glong len;

  g_return_val_if_fail (format != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!g_utf8_validate (password, -1, NULL))
    return FALSE;

  len = g_utf8_strlen (password, -1);
  if (format->min_length > 0 && len < (glong)format->min_length)
    return FALSE;
  if (format->max_length > 0 && len > (glong)format->max_length)
    return FALSE;

  for (const char *p = password; *p; p++)
    {
      switch (format->charset)
        {
        case MS_PASSWORD_CHARSET_LETTERS:
          if (!g_ascii_isalpha (*p))
            return FALSE;
          break;
        case MS_PASSWORD_CHARSET_ALPHANUMERIC:
          if (!g_ascii_isalnum (*p))
            return FALSE;
          break;
        case MS_PASSWORD_CHARSET_ANY:
        default:
          break;
        }
    }

  return TRUE;
}

GVariant *
ms_password_format_to_variant (const MsPasswordFormat *format)
{
  GVariantBuilder builder;

  g_return_val_if_fail (format != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (format->name));
  g_variant_builder_add (&builder, "{sv}", "hint",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              format->hint ? g_variant_new_string (format->hint) : NULL));
  g_variant_builder_add (&builder, "{sv}", "min_length", g_variant_new_uint32 (format->min_length));
  g_variant_builder_add (&builder, "{sv}", "max_length", g_variant_new_uint32 (format->max_length));
  g_variant_builder_add (&builder, "{sv}", "charset",
                         g_variant_new_string (ms_password_charset_to_string (format->charset)));
  g_variant_builder_add (&builder, "{sv}", "group", g_variant_new_uint32 (format->group));
  g_variant_builder_add (&builder, "{sv}", "required", g_variant_new_boolean (format->required));
  g_variant_builder_add (&builder, "{sv}", "expires", g_variant_new_boolean (format->expires));

  return g_variant_builder_end (&builder);
}

const char *
ms_password_charset_to_string (MsPasswordCharset charset)
{
  g_return_val_if_fail ((guint)charset < G_N_ELEMENTS (charset_names), NULL);

  return charset_names[charset];
}

gboolean
ms_password_charset_from_string (const char        *str,
                                 MsPasswordCharset *charset)
{
  g_return_val_if_fail (charset != NULL, FALSE);

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (charset_names); i++)
    {
      if (g_str_equal (str, charset_names[i]))
        {
          *charset = (MsPasswordCharset)i;
          return TRUE;
        }
    }

  return FALSE;
}
