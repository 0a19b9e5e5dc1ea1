/* ms-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes the GVariants the core produces (the same values the D-Bus
 * interface sends) as JSON for the command line: a{sv} becomes an object in
 * insertion order, arrays become arrays, an empty maybe becomes null.
 */

#define G_LOG_DOMAIN "mail-setup-cli"

#include "config.h"

#include "ms-json.h"

static void write_value (GString *out, GVariant *value, guint depth);

static void
indent (GString *out,
        guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
write_string (GString    *out,
              const char *str)
{
  g_string_append_c (out, '"');

  for (const char *p = str; *p; p++)
    {
      guchar c = (guchar)*p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char)c);
        }
    }

  g_string_append_c (out, '"');
}

static void
write_dict (GString  *out,
            GVariant *value,
            guint     depth)
{
  gsize n = g_variant_n_children (value);

  if (n == 0)
    {
      g_string_append (out, "{}");
      return;
    }

  g_string_append_c (out, '{');
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (value, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) item = g_variant_get_child_value (entry, 1);

      if (i > 0)
        g_string_append_c (out, ',');
      indent (out, depth + 1);
      write_string (out, g_variant_get_string (key, NULL));
      g_string_append (out, ": ");
      write_value (out, item, depth + 1);
    }
  indent (out, depth);
  g_string_append_c (out, '}');
}

static void
write_array (GString  *out,
             GVariant *value,
             guint     depth)
{
  gsize n = g_variant_n_children (value);
  gboolean simple = g_variant_type_is_basic (g_variant_type_element (g_variant_get_type (value)));

  if (n == 0)
    {
      g_string_append (out, "[]");
      return;
    }

  g_string_append_c (out, '[');
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) item = g_variant_get_child_value (value, i);

      if (i > 0)
        g_string_append (out, simple ? ", " : ",");
      if (!simple)
        indent (out, depth + 1);
      write_value (out, item, depth + 1);
    }
  if (!simple)
    indent (out, depth);
  g_string_append_c (out, ']');
}

static void
write_value (GString  *out,
             GVariant *value,
             guint     depth)
{
  const GVariantType *type = g_variant_get_type (value);

  if (g_variant_type_is_variant (type))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);
      write_value (out, inner, depth);
    }
  else if (g_variant_type_is_maybe (type))
    {
      g_autoptr(GVariant) inner = g_variant_get_maybe (value);

      if (inner == NULL)
        g_string_append (out, "null");
      else
        write_value (out, inner, depth);
    }
  else if (g_variant_type_is_subtype_of (type, G_VARIANT_TYPE ("a{s*}")))
    write_dict (out, value, depth);
  else if (g_variant_type_is_array (type) || g_variant_type_is_tuple (type))
    write_array (out, value, depth);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
           g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    write_string (out, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTE))
    g_string_append_printf (out, "%u", g_variant_get_byte (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT16))
    g_string_append_printf (out, "%d", g_variant_get_int16 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16))
    g_string_append_printf (out, "%u", g_variant_get_uint16 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    g_string_append_printf (out, "%d", g_variant_get_int32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    g_string_append_printf (out, "%u", g_variant_get_uint32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (out, g_ascii_dtostr (buf, sizeof buf, g_variant_get_double (value)));
    }
  else
    g_return_if_reached ();
}

/**
 * ms_json_from_variant:
 * @value: a value made of dictionaries (a{sv}), arrays, maybes, strings,
 *   numbers and booleans
 *
 * Returns: (transfer full): @value as indented JSON, with a final newline
 */
char *
ms_json_from_variant (GVariant *value)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (value != NULL, NULL);

  write_value (out, value, 0);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}
