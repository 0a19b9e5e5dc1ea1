/* test-protocol.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pieces of the verification engine that need no server: IMAP response
 * and SMTP reply parsing, IMAP quoting, server text made valid UTF-8, the
 * diagnosis of a failure, and the secret holder.
 */

#include "config.h"

#include <string.h>

#include "ms-catalogue.h"
#include "ms-check-result.h"
#include "ms-imap.h"
#include "ms-secret.h"
#include "ms-server-text.h"
#include "ms-smtp.h"

static void
test_imap_parse (void)
{
  static const struct {
    const char *line;
    MsImapResponseType type;
    const char *tag;
    MsImapStatus status;
    const char *name;
    const char *code;
    const char *text;
  } cases[] = {
    { "* OK [CAPABILITY IMAP4rev1 ID AUTH=PLAIN] Ready", MS_IMAP_UNTAGGED, NULL, MS_IMAP_STATUS_OK, NULL, "CAPABILITY IMAP4rev1 ID AUTH=PLAIN", "Ready" },
    { "* PREAUTH welcome", MS_IMAP_UNTAGGED, NULL, MS_IMAP_STATUS_PREAUTH, NULL, NULL, "welcome" },
    { "* BYE too many connections", MS_IMAP_UNTAGGED, NULL, MS_IMAP_STATUS_BYE, NULL, NULL, "too many connections" },
    { "* CAPABILITY IMAP4rev1 STARTTLS", MS_IMAP_UNTAGGED, NULL, MS_IMAP_STATUS_NONE, "CAPABILITY", NULL, "IMAP4rev1 STARTTLS" },
    { "* 12 EXISTS", MS_IMAP_UNTAGGED, NULL, MS_IMAP_STATUS_NONE, "EXISTS", NULL, "" },
    { "* ok [ALERT] Mailbox is full", MS_IMAP_UNTAGGED, NULL, MS_IMAP_STATUS_OK, NULL, "ALERT", "Mailbox is full" },
    { "m1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)", MS_IMAP_TAGGED, "m1", MS_IMAP_STATUS_NO, NULL, "AUTHENTICATIONFAILED", "Invalid credentials (Failure)" },
    { "a2 NO SELECT Unsafe Login. Please contact kefu@188.com for help", MS_IMAP_TAGGED, "a2", MS_IMAP_STATUS_NO, NULL, NULL, "SELECT Unsafe Login. Please contact kefu@188.com for help" },
    { "m3 BAD", MS_IMAP_TAGGED, "m3", MS_IMAP_STATUS_BAD, NULL, NULL, "" },
    { "+ ", MS_IMAP_CONTINUATION, NULL, MS_IMAP_STATUS_NONE, NULL, NULL, "" },
    { "+ go ahead", MS_IMAP_CONTINUATION, NULL, MS_IMAP_STATUS_NONE, NULL, NULL, "go ahead" },
    { "m1 OK [unclosed code", MS_IMAP_TAGGED, "m1", MS_IMAP_STATUS_OK, NULL, NULL, "[unclosed code" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MsImapResponse response;

      g_test_message ("%s", cases[i].line);
      g_assert_true (ms_imap_response_parse (cases[i].line, strlen (cases[i].line), &response));
      g_assert_cmpint (response.type, ==, cases[i].type);
      g_assert_cmpstr (response.tag, ==, cases[i].tag);
      g_assert_cmpint (response.status, ==, cases[i].status);
      g_assert_cmpstr (response.name, ==, cases[i].name);
      g_assert_cmpstr (response.code, ==, cases[i].code);
      g_assert_cmpstr (response.text, ==, cases[i].text);
      ms_imap_response_clear (&response);
    }
}

static void
test_imap_parse_invalid (void)
{
  const char * const lines[] = { "", " ", "m1 MAYBE later", "m1", "HTTP/1.1 400 Bad Request" };
  MsImapResponse response;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_assert_false (ms_imap_response_parse (lines[i], strlen (lines[i]), &response));

  /* A NUL inside is not IMAP either. */
  g_assert_false (ms_imap_response_parse ("* OK a\0b", 8, &response));
}

static void
test_imap_literal (void)
{
  g_assert_cmpint (ms_imap_literal_length ("* ID (\"name\" {5}", 16), ==, 5);
  g_assert_cmpint (ms_imap_literal_length ("x {12+}", 7), ==, 12);
  g_assert_cmpint (ms_imap_literal_length ("x {0}", 5), ==, 0);
  g_assert_cmpint (ms_imap_literal_length ("x {}", 4), ==, -1);
  g_assert_cmpint (ms_imap_literal_length ("x {-1}", 6), ==, -1);
  g_assert_cmpint (ms_imap_literal_length ("x {99999999999999999999999}", 27), ==, -1);
  g_assert_cmpint (ms_imap_literal_length ("no literal", 10), ==, -1);
  g_assert_cmpint (ms_imap_literal_length ("}", 1), ==, -1);
}

static void
test_imap_quote (void)
{
  g_autofree char *plain = ms_imap_quote ("a b", 3);
  g_autofree char *escaped = ms_imap_quote ("p\"w\\{", 5);

  g_assert_cmpstr (plain, ==, "\"a b\"");
  g_assert_cmpstr (escaped, ==, "\"p\\\"w\\\\{\"");
  /* 8-bit, CR, LF, NUL: only a literal can carry them. */
  g_assert_null (ms_imap_quote ("密码", strlen ("密码")));
  g_assert_null (ms_imap_quote ("a\r\nb", 4));
  g_assert_null (ms_imap_quote ("a\0b", 3));
}

static void
test_imap_capabilities (void)
{
  g_auto(GStrv) caps = ms_imap_parse_capabilities ("IMAP4rev1  sasl-ir AUTH=PLAIN ");

  g_assert_cmpstrv (caps, ((const char * const[]) { "IMAP4REV1", "SASL-IR", "AUTH=PLAIN", NULL }));
}

static void
feed_all (MsSmtpReply         *reply,
          const char * const  *lines)
{
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (reply->complete);
      g_assert_true (ms_smtp_reply_feed (reply, lines[i], strlen (lines[i]), &error));
      g_assert_no_error (error);
    }
}

static void
test_smtp_reply (void)
{
  MsSmtpReply reply;
  g_autofree char *text = NULL;
  g_autofree char *enhanced = NULL;
  g_autoptr(GError) error = NULL;

  ms_smtp_reply_init (&reply);
  feed_all (&reply, (const char * const[]) {
    "534-5.7.9 Application-specific password required. Learn more at",
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor",
    NULL });
  g_assert_true (reply.complete);
  g_assert_cmpuint (reply.code, ==, 534);
  enhanced = ms_smtp_reply_enhanced_code (&reply);
  g_assert_cmpstr (enhanced, ==, "5.7.9");
  text = ms_smtp_reply_to_string (&reply);
  g_assert_cmpstr (text, ==, "534 5.7.9 Application-specific password required. Learn more at 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor");
  ms_smtp_reply_clear (&reply);

  /* A bare code is a whole reply. */
  ms_smtp_reply_init (&reply);
  feed_all (&reply, (const char * const[]) { "235", NULL });
  g_assert_true (reply.complete);
  g_assert_null (ms_smtp_reply_enhanced_code (&reply));
  ms_smtp_reply_clear (&reply);

  /* Mixed codes, a missing code, and garbage are protocol errors. */
  ms_smtp_reply_init (&reply);
  feed_all (&reply, (const char * const[]) { "250-first", NULL });
  g_assert_false (ms_smtp_reply_feed (&reply, "251 second", 10, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_KIND_PROTOCOL);
  ms_smtp_reply_clear (&reply);

  for (guint i = 0; i < 4; i++)
    {
      const char * const bad[] = { "hello", "25", "250x", "999 what" };

      g_clear_error (&error);
      ms_smtp_reply_init (&reply);
      g_assert_false (ms_smtp_reply_feed (&reply, bad[i], strlen (bad[i]), &error));
      g_assert_error (error, MS_ERROR, MS_ERROR_KIND_PROTOCOL);
      ms_smtp_reply_clear (&reply);
    }
}

static void
test_smtp_reply_too_long (void)
{
  MsSmtpReply reply;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  ms_smtp_reply_init (&reply);
  for (guint i = 0; ok && i < MS_SMTP_MAX_REPLY_LINES + 5; i++)
    ok = ms_smtp_reply_feed (&reply, "250-more", 8, &error);

  g_assert_false (ok);
  g_assert_error (error, MS_ERROR, MS_ERROR_KIND_PROTOCOL);
  ms_smtp_reply_clear (&reply);
}

static void
test_server_text (void)
{
  g_autofree char *gbk = NULL;
  g_autofree char *utf8 = NULL;
  g_autofree char *junk = NULL;
  g_autofree char *controls = NULL;
  g_autofree char *from_gbk = NULL;
  gsize len = 0;

  utf8 = ms_server_text_to_utf8 ("535 Error: 请使用授权码登录", -1);
  g_assert_cmpstr (utf8, ==, "535 Error: 请使用授权码登录");

  /* GBK from a Chinese server comes out as the same Chinese. */
  gbk = g_convert ("535 Error: 请使用授权码登录。", -1, "GBK", "UTF-8", NULL, &len, NULL);
  g_assert_nonnull (gbk);
  from_gbk = ms_server_text_to_utf8 (gbk, len);
  g_assert_cmpstr (from_gbk, ==, "535 Error: 请使用授权码登录。");

  junk = ms_server_text_to_utf8 ("bad \xff\xfe\xff end", -1);
  g_assert_true (g_utf8_validate (junk, -1, NULL));
  g_assert_true (g_str_has_prefix (junk, "bad "));

  controls = ms_server_text_to_utf8 ("a\tb\033[31mc\n", -1);
  g_assert_cmpstr (controls, ==, "a b [31mc");
}

static MsProvider *
provider (MsCatalogue *catalogue,
          const char  *id)
{
  MsProvider *p = ms_catalogue_get_provider (catalogue, id);

  g_assert_nonnull (p);
  return p;
}

static void
test_diagnosis (void)
{
  const char * const languages[] = { "zh_CN", "C", NULL };
  g_autoptr(MsCatalogue) catalogue = ms_catalogue_new (languages);
  g_autoptr(MsCheckResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ms_catalogue_load_builtin (catalogue);

  /* The provider's pattern wins over the generic rule, and its step and
   * its words for the password make the advice. */
  result = ms_check_result_new (MS_PROTOCOL_SMTP, "smtp.qq.com:465");
  error = g_error_new_literal (MS_SERVER_REPLY_ERROR, MS_ERROR_KIND_AUTH_FAILED,
                               "535 Error: 请使用授权码登录。详情请看");
  ms_check_result_set_failure (result, provider (catalogue, "qq"), error);
  g_assert_cmpint (result->kind, ==, MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED);
  g_assert_cmpstr (result->step_id, ==, "copy-code");
  g_assert_nonnull (strstr (result->advice, "授权码"));
  g_assert_cmpstr (result->message, ==, "535 Error: 请使用授权码登录。详情请看");
  g_clear_pointer (&result, ms_check_result_free);
  g_clear_error (&error);

  /* No pattern: the generic kind, with the provider's default step. */
  result = ms_check_result_new (MS_PROTOCOL_IMAP, "imap.qq.com:993");
  error = g_error_new_literal (MS_SERVER_REPLY_ERROR, MS_ERROR_KIND_AUTH_FAILED, "m1 NO nope");
  ms_check_result_set_failure (result, provider (catalogue, "netease-qiye"), error);
  g_assert_cmpint (result->kind, ==, MS_ERROR_KIND_AUTH_FAILED);
  g_assert_cmpstr (result->step_id, ==, "new-password");
  g_assert_nonnull (strstr (result->advice, "客户端授权密码"));
  g_clear_pointer (&result, ms_check_result_free);
  g_clear_error (&error);

  /* Our own errors are never matched against provider patterns. */
  result = ms_check_result_new (MS_PROTOCOL_IMAP, "imap.qq.com:993");
  error = g_error_new_literal (MS_ERROR, MS_ERROR_KIND_TIMEOUT, "Login fail. Account is abnormal");
  ms_check_result_set_failure (result, provider (catalogue, "qq"), error);
  g_assert_cmpint (result->kind, ==, MS_ERROR_KIND_TIMEOUT);
  g_assert_null (result->step_id);
  g_clear_pointer (&result, ms_check_result_free);
  g_clear_error (&error);

  /* Without a provider: generic advice only. */
  result = ms_check_result_new (MS_PROTOCOL_IMAP, "mail.example.com:993");
  error = g_error_new_literal (MS_ERROR, MS_ERROR_KIND_TLS_CERTIFICATE, "bad certificate");
  ms_check_result_set_failure (result, NULL, error);
  g_assert_cmpint (result->kind, ==, MS_ERROR_KIND_TLS_CERTIFICATE);
  g_assert_nonnull (result->advice);

  /* Every kind has advice. */
  for (MsErrorKind kind = MS_ERROR_KIND_AUTH_FAILED; kind <= MS_ERROR_KIND_STORE_FAILED; kind++)
    {
      g_autofree char *advice = ms_check_result_dup_advice (kind, NULL);
      g_assert_nonnull (advice);
      g_assert_cmpuint (strlen (advice), >, 10);
    }
}

static void
test_secret (void)
{
  g_autoptr(MsSecret) secret = ms_secret_new ("pa\0ss", 5);
  gsize len;
  const char *data = ms_secret_get_data (secret, &len);
  char buf[8] = "secret!";

  g_assert_cmpuint (len, ==, 5);
  g_assert_cmpmem (data, len, "pa\0ss", 5);
  g_assert_cmpint (data[5], ==, '\0');
  /* A NUL byte is kept, but such a password is not text. */
  g_assert_false (ms_secret_is_utf8 (secret));
  {
    g_autoptr(MsSecret) chinese = ms_secret_new ("密码", strlen ("密码"));
    g_assert_true (ms_secret_is_utf8 (chinese));
  }

  ms_wipe (buf, sizeof buf);
  for (guint i = 0; i < sizeof buf; i++)
    g_assert_cmpint (buf[i], ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/imap/parse", test_imap_parse);
  g_test_add_func ("/protocol/imap/parse-invalid", test_imap_parse_invalid);
  g_test_add_func ("/protocol/imap/literal", test_imap_literal);
  g_test_add_func ("/protocol/imap/quote", test_imap_quote);
  g_test_add_func ("/protocol/imap/capabilities", test_imap_capabilities);
  g_test_add_func ("/protocol/smtp/reply", test_smtp_reply);
  g_test_add_func ("/protocol/smtp/reply-too-long", test_smtp_reply_too_long);
  g_test_add_func ("/protocol/server-text", test_server_text);
  g_test_add_func ("/protocol/diagnosis", test_diagnosis);
  g_test_add_func ("/protocol/secret", test_secret);

  return g_test_run ();
}
