/* test-catalogue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built-in catalogue: every provider file loads, the seed providers'
 * facts are exactly as their guides say, lookups by address, and the
 * user's own provider files (added, overriding, broken).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ms-catalogue.h"
#include "ms-client-config.h"

static const char * const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };
static const char * const chinese[] = { "zh_CN.UTF-8", "zh_CN", "zh", "C", NULL };

static MsCatalogue *
builtin (const char * const *languages)
{
  MsCatalogue *catalogue = ms_catalogue_new (languages);

  ms_catalogue_load_builtin (catalogue);
  g_assert_cmpstrv (ms_catalogue_get_problems (catalogue), ((const char * const[]) { NULL }));

  return catalogue;
}

static GPtrArray *
source_files (void)
{
  const char *dir = g_getenv ("MS_PROVIDERS_SRCDIR");
  g_autoptr(GDir) gdir = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  gdir = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (gdir);
  while ((name = g_dir_read_name (gdir)))
    {
      if (g_str_has_suffix (name, ".xml"))
        g_ptr_array_add (files, g_build_filename (dir, name, NULL));
    }

  return files;
}

static void
test_every_file_loads (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (english);
  g_autoptr(GPtrArray) files = source_files ();

  g_assert_cmpuint (files->len, >=, 6);

  /* Each source file is a valid catalogue file on its own (so errors name
   * its real lines), and is compiled in under its own id. */
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *contents = NULL;
      g_autofree char *base = g_path_get_basename (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsProvider) provider = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      provider = ms_client_config_parse (contents, len, path, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
      g_assert_no_error (error);

      base[strlen (base) - strlen (".xml")] = '\0';
      g_assert_cmpstr (ms_provider_get_id (provider), ==, base);
      g_assert_nonnull (ms_catalogue_get_provider (catalogue, base));
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalogue)), ==, files->len);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (catalogue)) == MS_TYPE_PROVIDER);
}

static void
assert_https (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
  g_assert_nonnull (g_uri_get_host (uri));
}

static void
test_every_url_is_https (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (english);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (catalogue));
  guint n_urls = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsProvider) provider = g_list_model_get_item (G_LIST_MODEL (catalogue), i);
      GPtrArray *steps = ms_provider_get_steps (provider);

      assert_https (ms_provider_get_website (provider));
      for (guint j = 0; j < steps->len; j++)
        {
          const MsStep *step = g_ptr_array_index (steps, j);

          assert_https (step->url);
          n_urls += step->url != NULL;
        }
    }

  g_assert_cmpuint (n_urls, >=, 12);
}

static void
test_no_shared_claims (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (english);
  g_autoptr(GHashTable) domains = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) mx = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (catalogue));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsProvider) provider = g_list_model_get_item (G_LIST_MODEL (catalogue), i);
      const char * const *list = ms_provider_get_domains (provider);

      for (guint j = 0; list[j]; j++)
        {
          g_test_message ("%s claims %s", ms_provider_get_id (provider), list[j]);
          g_assert_false (g_hash_table_contains (domains, list[j]));
          g_hash_table_add (domains, (gpointer)list[j]);
        }

      list = ms_provider_get_mx_patterns (provider);
      for (guint j = 0; list[j]; j++)
        {
          g_assert_false (g_hash_table_contains (mx, list[j]));
          g_hash_table_add (mx, (gpointer)list[j]);
        }
    }
}

typedef struct
{
  const char *host;
  guint16     port;
  MsSecurity  security;
} ServerFact;

static void
assert_servers (GPtrArray        *servers,
                const ServerFact *facts,
                guint             n_facts)
{
  g_assert_cmpuint (servers->len, ==, n_facts);
  for (guint i = 0; i < n_facts; i++)
    {
      const MsServer *server = g_ptr_array_index (servers, i);

      g_assert_cmpstr (server->hostname, ==, facts[i].host);
      g_assert_cmpuint (server->port, ==, facts[i].port);
      g_assert_cmpint (server->security, ==, facts[i].security);
      g_assert_cmpstr (ms_server_get_username_rule (server), ==, "email");
    }
}

static void
assert_step_urls (MsProvider         *provider,
                  MsStepWho           who,
                  const char * const *urls)
{
  GPtrArray *steps = ms_provider_get_steps (provider);
  guint n = 0;

  for (guint i = 0; i < steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (steps, i);

      if (step->who != who)
        continue;

      g_assert_nonnull (urls[n]);
      /* "" stands for a step that has no page. */
      g_assert_cmpstr (step->url ? step->url : "", ==, urls[n]);
      g_assert_cmpuint (strlen (step->title), >, 0);
      g_assert_cmpuint (strlen (step->description), >, 20);
      n++;
    }

  g_assert_null (urls[n]);
}

#define SSL MS_SECURITY_SSL
#define STARTTLS MS_SECURITY_STARTTLS
#define FACTS(...) ((const ServerFact[]) { __VA_ARGS__ }), G_N_ELEMENTS (((const ServerFact[]) { __VA_ARGS__ }))
#define STRV(...) ((const char * const[]) { __VA_ARGS__, NULL })
#define NONE ((const char * const[]) { NULL })

static void
test_seed_exmail (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (chinese);
  MsProvider *p = ms_catalogue_get_provider (catalogue, "exmail");

  g_assert_nonnull (p);
  g_assert_cmpstr (ms_provider_get_name (p), ==, "腾讯企业邮箱");
  g_assert_cmpstrv (ms_provider_get_domains (p), NONE);
  g_assert_cmpstrv (ms_provider_get_mx_patterns (p), STRV ("mxbiz*.qq.com"));
  assert_servers (ms_provider_get_imap_servers (p),
                  FACTS ({ "imap.exmail.qq.com", 993, SSL }, { "hwimap.exmail.qq.com", 993, SSL }));
  assert_servers (ms_provider_get_smtp_servers (p),
                  FACTS ({ "smtp.exmail.qq.com", 465, SSL }, { "hwsmtp.exmail.qq.com", 465, SSL }));
  g_assert_cmpstr (ms_provider_get_password_format (p)->name, ==, "客户端专用密码");
  g_assert_cmpuint (ms_provider_get_password_format (p)->min_length, ==, 16);
  assert_step_urls (p, MS_STEP_WHO_ADMIN,
                    STRV ("https://work.weixin.qq.com/wework_admin/frame#/apps/qykit/proxy/exmail"));
  /* All three user steps: IMAP/SMTP on, secure login on, a new password. */
  assert_step_urls (p, MS_STEP_WHO_USER,
                    STRV ("https://exmail.qq.com/login", "https://exmail.qq.com/login", "https://exmail.qq.com/login"));
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "mxbiz2.qq.com.") == p);
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "MXBIZ1.qq.com") == p);
  /* QQ Mail's own MX is not Exmail's. */
  g_assert_null (ms_catalogue_find_by_mx (catalogue, "mx1.qq.com"));
}

static void
test_seed_qq (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (chinese);
  MsProvider *p = ms_catalogue_get_provider (catalogue, "qq");
  const MsPasswordFormat *format;
  const MsErrorPattern *pattern;

  g_assert_nonnull (p);
  g_assert_cmpstr (ms_provider_get_name (p), ==, "QQ邮箱");
  g_assert_cmpstrv (ms_provider_get_domains (p), STRV ("qq.com", "foxmail.com", "vip.qq.com"));
  assert_servers (ms_provider_get_imap_servers (p), FACTS ({ "imap.qq.com", 993, SSL }));
  assert_servers (ms_provider_get_smtp_servers (p),
                  FACTS ({ "smtp.qq.com", 465, SSL }, { "smtp.qq.com", 587, STARTTLS }));

  format = ms_provider_get_password_format (p);
  g_assert_cmpstr (format->name, ==, "授权码");
  g_assert_cmpuint (format->min_length, ==, 16);
  g_assert_cmpuint (format->group, ==, 4);
  g_assert_true (format->required);
  assert_step_urls (p, MS_STEP_WHO_ADMIN, NONE);
  assert_step_urls (p, MS_STEP_WHO_USER, STRV ("https://mail.qq.com/", "", "https://mail.qq.com/"));

  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP,
                                     "535 Login fail. Account is abnormal, service is not open, password is incorrect, "
                                     "login frequency limited, or system is busy. More information at "
                                     "https://help.mail.qq.com/detail/108/1023");
  g_assert_nonnull (pattern);
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_AUTH_FAILED);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP, "535 Error: 请使用授权码登录。详情请看: http://service.mail.qq.com");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP,
                                     "535 Login Fail. Please enter your authorization code to login.");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP, "550 Connection frequency limited");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_RATE_LIMITED);
}

static void
test_seed_netease (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (chinese);
  g_autoptr(MsCatalogue) english_catalogue = builtin (english);
  MsProvider *p = ms_catalogue_get_provider (catalogue, "netease");
  const MsErrorPattern *pattern;

  g_assert_nonnull (p);
  g_assert_cmpstr (ms_provider_get_name (p), ==, "网易邮箱");
  g_assert_cmpstrv (ms_provider_get_domains (p), STRV ("163.com", "126.com", "yeah.net"));
  assert_servers (ms_provider_get_imap_servers (p), FACTS ({ "imap.163.com", 993, SSL }));
  assert_servers (ms_provider_get_smtp_servers (p), FACTS ({ "smtp.163.com", 465, SSL }));
  g_assert_cmpstr (ms_provider_get_password_format (p)->name, ==, "客户端授权码");
  assert_step_urls (p, MS_STEP_WHO_USER, STRV ("https://mail.163.com/", "https://mail.163.com/"));

  pattern = ms_provider_match_error (p, MS_PROTOCOL_IMAP, "a2 NO SELECT Unsafe Login. Please contact kefu@188.com for help");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_UNSAFE_LOGIN);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_IMAP, "a2 NO SELECT UnsafeLogin.Please contact kefu@188.com");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_UNSAFE_LOGIN);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_IMAP, "a1 NO LOGIN Login error or password error");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_AUTH_FAILED);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP, "535 Error: authentication failed");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_AUTH_FAILED);
  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP, "550 User has no permission");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_SERVICE_DISABLED);
  g_assert_cmpstr (ms_error_pattern_get_step_id (pattern), ==, "enable-service");

  /* Evolution needs an option turned on, in the words of each language. */
  g_assert_cmpstr (ms_provider_get_client_note (p), ==,
                   "网易会拒绝不表明身份的邮件程序（“Unsafe Login”）。"
                   "在 Evolution 中，请打开账户的收件选项，开启“向服务器发送客户端 ID”。");
  g_assert_cmpstr (ms_provider_get_client_note (ms_catalogue_get_provider (english_catalogue, "netease")), ==,
                   "NetEase turns away mail programs that do not identify themselves (“Unsafe Login”). "
                   "In Evolution, open the account's receiving options and turn on “Send client ID to the server”.");
  /* The others need nothing of mail programs. */
  g_assert_null (ms_provider_get_client_note (ms_catalogue_get_provider (catalogue, "qq")));
}

static void
test_seed_netease_qiye (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (chinese);
  MsProvider *p = ms_catalogue_get_provider (catalogue, "netease-qiye");
  static const struct { const char *reply; MsErrorKind kind; } replies[] = {
    { "a1 NO ERR.LOGIN.PASSERR", MS_ERROR_KIND_AUTH_FAILED },
    { "535 5.7.0 ERR.LOGIN.REQCODE", MS_ERROR_KIND_CLIENT_PASSWORD_REQUIRED },
    { "a1 NO ERR.LOGIN.IPDENY", MS_ERROR_KIND_IP_DENIED },
    { "a1 NO ERR.LOGINRULE.IPDENY", MS_ERROR_KIND_IP_DENIED },
    { "a1 NO ERR.LOGIN.DOMAINNOTEXIST", MS_ERROR_KIND_ACCOUNT_UNKNOWN },
    { "a1 NO ERR.LOGIN.USERNOTEXIST", MS_ERROR_KIND_ACCOUNT_UNKNOWN },
    { "a1 NO ERR.LOGIN.SYSTEMBUSY", MS_ERROR_KIND_RATE_LIMITED },
    { "a1 NO ERR.LOGIN.DOMAINEXPED", MS_ERROR_KIND_LOGIN_DISABLED },
    { "a1 NO ERR.LOGIN.USERSTATUS", MS_ERROR_KIND_LOGIN_DISABLED },
  };

  g_assert_nonnull (p);
  g_assert_cmpstr (ms_provider_get_name (p), ==, "网易企业邮箱");
  g_assert_cmpstrv (ms_provider_get_mx_patterns (p), STRV ("qiye163mx*.mxmail.netease.com"));
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "qiye163mx01.mxmail.netease.com") == p);
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "qiye163mx02.mxmail.netease.com") == p);
  /* NetEase's personal mail is not Qiye. */
  g_assert_null (ms_catalogue_find_by_mx (catalogue, "163mx01.mxmail.netease.com"));
  /* The guide's recommended server first, then its backup. */
  assert_servers (ms_provider_get_imap_servers (p),
                  FACTS ({ "hwhzimap.qiye.163.com", 993, SSL }, { "imap.qiye.163.com", 993, SSL },
                         { "imaphz.qiye.163.com", 993, SSL }));
  assert_servers (ms_provider_get_smtp_servers (p),
                  FACTS ({ "hwhzsmtp.qiye.163.com", 465, SSL }, { "smtp.qiye.163.com", 465, SSL },
                         { "smtphz.qiye.163.com", 465, SSL }));
  g_assert_cmpstr (ms_provider_get_password_format (p)->name, ==, "客户端授权密码");
  g_assert_true (ms_provider_get_password_format (p)->expires);
  assert_step_urls (p, MS_STEP_WHO_ADMIN, STRV ("https://qiye.163.com/admin/"));
  assert_step_urls (p, MS_STEP_WHO_USER, STRV ("https://qiye.163.com/", "https://qiye.163.com/"));

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      const MsErrorPattern *pattern = ms_provider_match_error (p, MS_PROTOCOL_IMAP, replies[i].reply);

      g_assert_nonnull (pattern);
      g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, replies[i].kind);
    }

  g_assert_true (ms_catalogue_find_by_mx (catalogue, "QIYE163MX01.mxmail.netease.com") == p);
}

static void
test_seed_aliyun (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (chinese);
  MsProvider *p = ms_catalogue_get_provider (catalogue, "aliyun-qiye");
  MsProvider *alibaba = ms_catalogue_get_provider (catalogue, "alibaba-mail");
  const MsErrorPattern *pattern;

  g_assert_nonnull (p);
  g_assert_cmpstr (ms_provider_get_name (p), ==, "阿里云企业邮箱");
  assert_servers (ms_provider_get_imap_servers (p), FACTS ({ "imap.qiye.aliyun.com", 993, SSL }));
  assert_servers (ms_provider_get_smtp_servers (p), FACTS ({ "smtp.qiye.aliyun.com", 465, SSL }));
  g_assert_cmpstr (ms_provider_get_password_format (p)->name, ==, "三方客户端安全密码");
  g_assert_false (ms_provider_get_password_format (p)->required);
  assert_step_urls (p, MS_STEP_WHO_ADMIN, STRV ("https://qiye.aliyun.com/admin/", "https://qiye.aliyun.com/admin/"));
  assert_step_urls (p, MS_STEP_WHO_USER, STRV ("https://qiye.aliyun.com/"));
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "mx3.qiye.aliyun.com") == p);
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "mxw.mxhichina.com") == p);
  g_assert_true (ms_catalogue_find_by_mx (catalogue, "mxn.mxhichina.com") == p);
  g_assert_null (ms_catalogue_find_by_mx (catalogue, "mx.example.com"));

  pattern = ms_provider_match_error (p, MS_PROTOCOL_SMTP, "526 Authentication failure[0]");
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_AUTH_FAILED);

  g_assert_nonnull (alibaba);
  g_assert_cmpstr (ms_provider_get_name (alibaba), ==, "阿里巴巴外贸邮");
  assert_servers (ms_provider_get_imap_servers (alibaba), FACTS ({ "imap.alibaba.com", 993, SSL }));
  assert_servers (ms_provider_get_smtp_servers (alibaba), FACTS ({ "smtp.alibaba.com", 465, SSL }));
  assert_step_urls (alibaba, MS_STEP_WHO_USER,
                    STRV ("https://mail.alibaba.com/settings/setting_mail_accounts.htm", "https://mail.alibaba.com/"));
}

static void
test_everything_translated (void)
{
  g_autoptr(MsCatalogue) en = builtin (english);
  g_autoptr(MsCatalogue) zh = builtin (chinese);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (en));

  /* Every text of every provider has a zh_CN translation merged in. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsProvider) p_en = g_list_model_get_item (G_LIST_MODEL (en), i);
      MsProvider *p_zh = ms_catalogue_get_provider (zh, ms_provider_get_id (p_en));
      GPtrArray *steps_en = ms_provider_get_steps (p_en);
      GPtrArray *steps_zh = ms_provider_get_steps (p_zh);
      GPtrArray *errors_en = ms_provider_get_error_patterns (p_en);
      GPtrArray *errors_zh = ms_provider_get_error_patterns (p_zh);

      g_test_message ("provider %s", ms_provider_get_id (p_en));
      /* A brand may keep its name (Gmail); everything said is translated. */
      if (ms_provider_get_oauth_only (p_en))
        g_assert_cmpstr (ms_provider_get_client_note (p_en), !=, ms_provider_get_client_note (p_zh));
      else
        {
          g_assert_cmpstr (ms_provider_get_password_format (p_en)->name, !=,
                           ms_provider_get_password_format (p_zh)->name);
          if (ms_provider_get_password_format (p_en)->hint)
            g_assert_cmpstr (ms_provider_get_password_format (p_en)->hint, !=,
                             ms_provider_get_password_format (p_zh)->hint);
        }

      for (guint j = 0; j < steps_en->len; j++)
        {
          const MsStep *a = g_ptr_array_index (steps_en, j);
          const MsStep *b = g_ptr_array_index (steps_zh, j);

          g_assert_cmpstr (a->title, !=, b->title);
          g_assert_cmpstr (a->description, !=, b->description);
        }

      for (guint j = 0; j < errors_en->len; j++)
        {
          const char *a = ms_error_pattern_get_advice (g_ptr_array_index (errors_en, j));
          const char *b = ms_error_pattern_get_advice (g_ptr_array_index (errors_zh, j));

          if (a != NULL)
            g_assert_cmpstr (a, !=, b);
        }

      if (ms_provider_get_client_note (p_en))
        g_assert_cmpstr (ms_provider_get_client_note (p_en), !=, ms_provider_get_client_note (p_zh));
    }
}

static void
test_lookup (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (english);
  static const struct { const char *input; const char *provider; } cases[] = {
    { "A@QQ.com", "qq" },
    { "  someone@Foxmail.COM  ", "qq" },
    { "x@vip.qq.com", "qq" },
    { "x@126.com", "netease" },
    { "x@yeah.net", "netease" },
    { "x@sub.qq.com", NULL },
    { "x@qq.com.cn", NULL },
    { "x@例子.中国", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsAddress) address = ms_address_parse (cases[i].input, NULL);
      g_autoptr(MsLookupResult) result = ms_catalogue_lookup (catalogue, address);
      MsProvider *provider = ms_lookup_result_get_provider (result);

      g_test_message ("%s", cases[i].input);
      if (cases[i].provider == NULL)
        {
          g_assert_null (provider);
          g_assert_false (ms_lookup_result_is_found (result));
          g_assert_cmpint (ms_lookup_result_get_source (result), ==, MS_LOOKUP_SOURCE_NONE);
          g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, ==, 0);
        }
      else
        {
          g_autofree char *username = ms_lookup_result_dup_username (result);

          g_assert_nonnull (provider);
          g_assert_cmpstr (ms_provider_get_id (provider), ==, cases[i].provider);
          g_assert_cmpint (ms_lookup_result_get_source (result), ==, MS_LOOKUP_SOURCE_CATALOGUE);
          g_assert_cmpstr (username, ==, address->email);
          g_assert_cmpuint (ms_lookup_result_get_imap_servers (result)->len, >, 0);
        }
    }
}

static void
write_user_file (const char *dir,
                 const char *name,
                 const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static const char user_provider[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\" xmlns:ms=\"" MS_CLIENT_CONFIG_NAMESPACE "\">\n"
  "  <emailProvider id=\"@ID@\">\n"
  "    <domain>@DOMAIN@</domain>\n"
  "    <displayName>@NAME@</displayName>\n"
  "    <incomingServer type=\"imap\"><hostname>imap.@DOMAIN@</hostname><port>993</port><socketType>SSL</socketType></incomingServer>\n"
  "    <outgoingServer type=\"smtp\"><hostname>smtp.@DOMAIN@</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>\n"
  "    <ms:password><ms:name>password</ms:name></ms:password>\n"
  "    <ms:steps><ms:step id=\"s\" who=\"user\"><ms:title>Do it</ms:title><ms:description>Like this.</ms:description></ms:step></ms:steps>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static char *
make_user_provider (const char *id,
                    const char *domain,
                    const char *name)
{
  GString *out = g_string_new (user_provider);

  g_string_replace (out, "@ID@", id, 0);
  g_string_replace (out, "@DOMAIN@", domain, 0);
  g_string_replace (out, "@NAME@", name, 0);

  return g_string_free (out, FALSE);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_user_directory (void)
{
  g_autofree char *dir = ms_catalogue_get_user_directory ();
  g_autofree char *qq_override = make_user_provider ("qq", "qq.com", "My QQ");
  g_autofree char *company = make_user_provider ("company", "corp.example", "Company Mail");
  g_autofree char *grab = make_user_provider ("grabber", "163.com", "Grabber");
  g_autofree char *broken_path = NULL;
  g_autofree char *qq_path = g_build_filename (dir, "a-qq.xml", NULL);
  g_autoptr(MsCatalogue) catalogue = NULL;
  g_autoptr(MsCatalogue) plain = builtin (english);
  g_autoptr(MsAddress) address = NULL;
  g_autoptr(MsLookupResult) result = NULL;
  const char * const *problems;
  guint changes = 0;

  /* g_test_init (G_TEST_OPTION_ISOLATE_DIRS) gave this test its own data dir. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  write_user_file (dir, "a-qq.xml", qq_override);
  write_user_file (dir, "b-company.xml", company);
  write_user_file (dir, "c-grabber.xml", grab);
  write_user_file (dir, "d-broken.xml", "<clientConfig version=\"1.1\">\n  <emailProvider id=\"x\">\n    <domain>x.example\n");
  write_user_file (dir, "notes.txt", "not a provider");

  catalogue = ms_catalogue_new (english);
  g_signal_connect (catalogue, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  ms_catalogue_load_builtin (catalogue);
  ms_catalogue_load_directory (catalogue, dir);
  g_assert_cmpuint (changes, >, 0);

  /* The broken file is reported with its path and line; the rest load. */
  problems = ms_catalogue_get_problems (catalogue);
  g_assert_cmpuint (g_strv_length ((char **)problems), ==, 1);
  broken_path = g_build_filename (dir, "d-broken.xml", NULL);
  g_assert_true (g_str_has_prefix (problems[0], broken_path));
  g_assert_true (g_regex_match_simple ("d-broken\\.xml:[0-9]+: ", problems[0], 0, 0));

  /* One provider replaced, two added. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (catalogue)), ==,
                    g_list_model_get_n_items (G_LIST_MODEL (plain)) + 2);
  g_assert_cmpstr (ms_provider_get_name (ms_catalogue_get_provider (catalogue, "qq")), ==, "My QQ");
  g_assert_cmpstr (ms_provider_get_origin (ms_catalogue_get_provider (catalogue, "qq")), ==, qq_path);
  g_assert_nonnull (ms_catalogue_get_provider (catalogue, "company"));

  /* The user's file wins a domain a built-in provider claims too. */
  address = ms_address_parse ("me@163.com", NULL);
  result = ms_catalogue_lookup (catalogue, address);
  g_assert_cmpstr (ms_provider_get_id (ms_lookup_result_get_provider (result)), ==, "grabber");

  /* The default catalogue reads the same folder. */
  g_clear_object (&catalogue);
  catalogue = ms_catalogue_new_default ();
  g_assert_nonnull (ms_catalogue_get_provider (catalogue, "company"));
}

static void
test_sorted_by_name (void)
{
  g_autoptr(MsCatalogue) catalogue = builtin (english);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (catalogue));

  for (guint i = 1; i < n; i++)
    {
      g_autoptr(MsProvider) a = g_list_model_get_item (G_LIST_MODEL (catalogue), i - 1);
      g_autoptr(MsProvider) b = g_list_model_get_item (G_LIST_MODEL (catalogue), i);

      g_assert_cmpint (g_utf8_collate (ms_provider_get_name (a), ms_provider_get_name (b)), <=, 0);
    }

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (catalogue), n));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/catalogue/every-file-loads", test_every_file_loads);
  g_test_add_func ("/catalogue/every-url-is-https", test_every_url_is_https);
  g_test_add_func ("/catalogue/no-shared-claims", test_no_shared_claims);
  g_test_add_func ("/catalogue/sorted-by-name", test_sorted_by_name);
  g_test_add_func ("/catalogue/seed/exmail", test_seed_exmail);
  g_test_add_func ("/catalogue/seed/qq", test_seed_qq);
  g_test_add_func ("/catalogue/seed/netease", test_seed_netease);
  g_test_add_func ("/catalogue/seed/netease-qiye", test_seed_netease_qiye);
  g_test_add_func ("/catalogue/seed/aliyun-and-alibaba", test_seed_aliyun);
  g_test_add_func ("/catalogue/translated", test_everything_translated);
  g_test_add_func ("/catalogue/lookup", test_lookup);
  g_test_add_func ("/catalogue/user-directory", test_user_directory);

  return g_test_run ();
}
