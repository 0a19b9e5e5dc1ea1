/* test-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ms-json.h"

static void
test_json_values (void)
{
  g_autoptr(GVariant) value = NULL;
  g_autofree char *json = NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "s", g_variant_new_string ("a\"b\\c\n\t\x01 授权码"));
  g_variant_builder_add (&builder, "{sv}", "n", g_variant_new_uint16 (993));
  g_variant_builder_add (&builder, "{sv}", "neg", g_variant_new_int32 (-5));
  g_variant_builder_add (&builder, "{sv}", "t", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&builder, "{sv}", "null", g_variant_new_maybe (G_VARIANT_TYPE_STRING, NULL));
  g_variant_builder_add (&builder, "{sv}", "some",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING, g_variant_new_string ("x")));
  g_variant_builder_add (&builder, "{sv}", "list", g_variant_new_strv ((const char * const[]) { "a", "b" }, 2));
  g_variant_builder_add (&builder, "{sv}", "empty", g_variant_new_strv (NULL, 0));
  g_variant_builder_add (&builder, "{sv}", "dict", g_variant_new_parsed ("@a{sv} {}"));
  value = g_variant_ref_sink (g_variant_builder_end (&builder));

  json = ms_json_from_variant (value);
  g_assert_cmpstr (json, ==,
                   "{\n"
                   "  \"s\": \"a\\\"b\\\\c\\n\\t\\u0001 授权码\",\n"
                   "  \"n\": 993,\n"
                   "  \"neg\": -5,\n"
                   "  \"t\": true,\n"
                   "  \"null\": null,\n"
                   "  \"some\": \"x\",\n"
                   "  \"list\": [\"a\", \"b\"],\n"
                   "  \"empty\": [],\n"
                   "  \"dict\": {}\n"
                   "}\n");
}

static void
test_json_nested (void)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_parsed ("[{'a': <[{'b': <1>}]>}]"));
  g_autofree char *json = ms_json_from_variant (value);

  g_assert_cmpstr (json, ==,
                   "[\n"
                   "  {\n"
                   "    \"a\": [\n"
                   "      {\n"
                   "        \"b\": 1\n"
                   "      }\n"
                   "    ]\n"
                   "  }\n"
                   "]\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/values", test_json_values);
  g_test_add_func ("/json/nested", test_json_nested);

  return g_test_run ();
}
