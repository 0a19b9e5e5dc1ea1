/* test-address.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ms-address.h"

static void
test_address_valid (void)
{
  static const struct {
    const char *input;
    const char *local;
    const char *domain;
    const char *domain_unicode;
    const char *email;
  } cases[] = {
    { "a@qq.com", "a", "qq.com", "qq.com", "a@qq.com" },
    { "  Alice@QQ.COM \n", "Alice", "qq.com", "qq.com", "Alice@qq.com" },
    { "\t12345@Foxmail.com", "12345", "foxmail.com", "foxmail.com", "12345@foxmail.com" },
    { "zhang.san@example.com.", "zhang.san", "example.com", "example.com", "zhang.san@example.com" },
    /* Full-width forms typed with a Chinese input method */
    { "wang＠163．com", "wang", "163.com", "163.com", "wang@163.com" },
    { "wang@163。com", "wang", "163.com", "163.com", "wang@163.com" },
    /* IDN: the Unicode and the punycode forms give the same domain */
    { "li@例子.中国", "li", "xn--fsqu00a.xn--fiqs8s", "例子.中国", "li@xn--fsqu00a.xn--fiqs8s" },
    { "li@XN--FSQU00A.xn--fiqs8s", "li", "xn--fsqu00a.xn--fiqs8s", "例子.中国", "li@xn--fsqu00a.xn--fiqs8s" },
    { "用户@例子.中国", "用户", "xn--fsqu00a.xn--fiqs8s", "例子.中国", "用户@xn--fsqu00a.xn--fiqs8s" },
    { "a+tag@sub.example.org", "a+tag", "sub.example.org", "sub.example.org", "a+tag@sub.example.org" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsAddress) address = ms_address_parse (cases[i].input, &error);
      g_autofree char *display = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (address);
      g_assert_cmpstr (address->local_part, ==, cases[i].local);
      g_assert_cmpstr (address->domain, ==, cases[i].domain);
      g_assert_cmpstr (address->domain_unicode, ==, cases[i].domain_unicode);
      g_assert_cmpstr (address->email, ==, cases[i].email);

      display = ms_address_to_display (address);
      g_assert_true (g_str_has_suffix (display, cases[i].domain_unicode));
    }
}

static void
test_address_invalid (void)
{
  static const struct {
    const char *input;
    MsAddressError code;
  } cases[] = {
    { "", MS_ADDRESS_ERROR_EMPTY },
    { "   \t ", MS_ADDRESS_ERROR_EMPTY },
    { "alice.qq.com", MS_ADDRESS_ERROR_NO_AT },
    { "alice@@qq.com", MS_ADDRESS_ERROR_MULTIPLE_AT },
    { "a@b@qq.com", MS_ADDRESS_ERROR_MULTIPLE_AT },
    { "@qq.com", MS_ADDRESS_ERROR_INVALID_LOCAL_PART },
    { "al ice@qq.com", MS_ADDRESS_ERROR_INVALID_LOCAL_PART },
    { ".alice@qq.com", MS_ADDRESS_ERROR_INVALID_LOCAL_PART },
    { "al..ice@qq.com", MS_ADDRESS_ERROR_INVALID_LOCAL_PART },
    { "<alice>@qq.com", MS_ADDRESS_ERROR_INVALID_LOCAL_PART },
    { "alice@", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@localhost", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@qq..com", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@-qq.com", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@qq_mail.com", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@qq com", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@[127.0.0.1]", MS_ADDRESS_ERROR_INVALID_DOMAIN },
    { "alice@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", MS_ADDRESS_ERROR_INVALID_DOMAIN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsAddress) address = ms_address_parse (cases[i].input, &error);

      g_test_message ("input: “%s”", cases[i].input);
      g_assert_null (address);
      g_assert_error (error, MS_ADDRESS_ERROR, (int)cases[i].code);
      g_assert_nonnull (error->message);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }
}

static void
test_address_not_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAddress) address = ms_address_parse ("a\xff@qq.com", &error);

  g_assert_null (address);
  g_assert_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_LOCAL_PART);
}

static void
test_address_copy (void)
{
  g_autoptr(MsAddress) address = ms_address_parse ("x@例子.中国", NULL);
  g_autoptr(MsAddress) copy = ms_address_copy (address);

  g_assert_cmpstr (copy->email, ==, address->email);
  g_assert_cmpstr (copy->domain_unicode, ==, address->domain_unicode);
  g_assert_true (copy->email != address->email);
}

static void
test_address_same_mailbox (void)
{
  static const struct {
    const char *a;
    const char *b;
    gboolean    same;
  } cases[] = {
    { "qq@qq.com", "qq@qq.com", TRUE },
    /* Case in the local part is not another mailbox, nor is the domain's. */
    { "QQ@qq.com", "qq@QQ.COM", TRUE },
    { " Zhang@qq.com", "zhang＠qq．com", TRUE },
    { "li@例子.中国", "LI@xn--fsqu00a.xn--fiqs8s", TRUE },
    { "Ü@example.org", "ü@example.org", TRUE },
    { "qq@qq.com", "qq2@qq.com", FALSE },
    { "qq@qq.com", "qq@foxmail.com", FALSE },
    { "a.b@qq.com", "ab@qq.com", FALSE },
    { "a+tag@qq.com", "a@qq.com", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsAddress) a = ms_address_parse (cases[i].a, NULL);
      g_autoptr(MsAddress) b = ms_address_parse (cases[i].b, NULL);

      g_test_message ("“%s” and “%s”", cases[i].a, cases[i].b);
      g_assert_nonnull (a);
      g_assert_nonnull (b);
      g_assert_cmpint (ms_address_same_mailbox (a, b), ==, cases[i].same);
      g_assert_cmpint (ms_address_same_mailbox (b, a), ==, cases[i].same);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/address/valid", test_address_valid);
  g_test_add_func ("/address/invalid", test_address_invalid);
  g_test_add_func ("/address/not-utf8", test_address_not_utf8);
  g_test_add_func ("/address/copy", test_address_copy);
  g_test_add_func ("/address/same-mailbox", test_address_same_mailbox);

  return g_test_run ();
}
