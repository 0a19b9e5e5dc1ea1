/* test-client-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider file reader: a good file, every way a file can be broken
 * (each reported with its line), translations, and plain autoconfig files,
 * among them the shapes of Thunderbird's ISPDB (tests/ispdb/).
 */

#include "config.h"

#include <string.h>

#include "ispdb-fixtures.h"
#include "ms-client-config.h"

static const char good[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                               /* 1 */
  "<clientConfig version=\"1.1\" xmlns:ms=\"" MS_CLIENT_CONFIG_NAMESPACE "\">\n" /* 2 */
  "  <emailProvider id=\"example\">\n"                                         /* 3 */
  "    <domain>Example.COM</domain>\n"                                         /* 4 */
  "    <domain>例子.中国</domain>\n"                                            /* 5 */
  "    <displayName>Example Mail</displayName>\n"                              /* 6 */
  "    <displayName xml:lang=\"zh_CN\">例子邮箱</displayName>\n"               /* 7 */
  "    <ms:mx>mx*.example.net</ms:mx>\n"                                       /* 8 */
  "    <incomingServer type=\"imap\">\n"                                       /* 9 */
  "      <hostname>imap.example.com</hostname>\n"                              /* 10 */
  "      <port>993</port>\n"                                                   /* 11 */
  "      <socketType>SSL</socketType>\n"                                       /* 12 */
  "      <username>%EMAILLOCALPART%</username>\n"                              /* 13 */
  "    </incomingServer>\n"                                                    /* 14 */
  "    <incomingServer type=\"pop3\">\n"                                       /* 15 */
  "      <hostname>pop.example.com</hostname>\n"                               /* 16 */
  "      <port>995</port>\n"                                                   /* 17 */
  "      <socketType>SSL</socketType>\n"                                       /* 18 */
  "    </incomingServer>\n"                                                    /* 19 */
  "    <outgoingServer type=\"smtp\">\n"                                       /* 20 */
  "      <hostname>smtp.example.com</hostname>\n"                              /* 21 */
  "      <port>587</port>\n"                                                   /* 22 */
  "      <socketType>STARTTLS</socketType>\n"                                  /* 23 */
  "      <username>%EMAILADDRESS%</username>\n"                                /* 24 */
  "    </outgoingServer>\n"                                                    /* 25 */
  "    <ms:password length=\"16\" charset=\"letters\" group=\"4\" separators=\" -\">\n" /* 26 */
  "      <ms:name>app code</ms:name>\n"                                        /* 27 */
  "      <ms:name xml:lang=\"zh_CN\">授权码</ms:name>\n"                       /* 28 */
  "      <ms:hint>Sixteen\n        letters.</ms:hint>\n"                       /* 29-30 */
  "    </ms:password>\n"                                                       /* 31 */
  "    <ms:steps>\n"                                                           /* 32 */
  "      <ms:step id=\"user-step\" who=\"user\" url=\"https://example.com/app\">\n" /* 33 */
  "        <ms:title>Make a code</ms:title>\n"                                 /* 34 */
  "        <ms:title xml:lang=\"zh_CN\">生成授权码</ms:title>\n"               /* 35 */
  "        <ms:description>Click it.</ms:description>\n"                       /* 36 */
  "      </ms:step>\n"                                                         /* 37 */
  "      <ms:step id=\"admin-step\" who=\"admin\" url=\"https://example.com/admin\">\n" /* 38 */
  "        <ms:title>Allow it</ms:title>\n"                                    /* 39 */
  "        <ms:description>In the console.</ms:description>\n"                 /* 40 */
  "      </ms:step>\n"                                                         /* 41 */
  "    </ms:steps>\n"                                                          /* 42 */
  "    <ms:errors>\n"                                                          /* 43 */
  "      <ms:error kind=\"auth-failed\" step=\"user-step\" protocol=\"smtp\" match=\"535 bad\\s+code\">\n" /* 44 */
  "        <ms:advice>Make a new code.</ms:advice>\n"                          /* 45 */
  "      </ms:error>\n"                                                        /* 46 */
  "      <ms:error kind=\"ip-denied\" match=\"IPDENY\"/>\n"                    /* 47 */
  "    </ms:errors>\n"                                                         /* 48 */
  "    <ms:note>Turn on\n        the ID option.</ms:note>\n"                   /* 49-50 */
  "    <ms:note xml:lang=\"zh_CN\">打开 ID 选项。</ms:note>\n"                 /* 51 */
  "  </emailProvider>\n"                                                       /* 52 */
  "</clientConfig>\n";

static const char * const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };
static const char * const chinese[] = { "zh_CN.UTF-8", "zh_CN", "zh", "C", NULL };

static MsProvider *
parse (const char          *data,
       MsClientConfigFlags  flags,
       const char * const  *languages,
       GError             **error)
{
  return ms_client_config_parse (data, -1, "test.xml", flags, languages, error);
}

static void
test_good_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsProvider) provider = parse (good, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
  g_autoptr(MsAddress) address = ms_address_parse ("Bob@example.com", NULL);
  const MsPasswordFormat *format;
  GPtrArray *servers, *steps;
  const MsServer *server;
  const MsStep *step;
  g_autofree char *imap_user = NULL;
  g_autofree char *smtp_user = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (provider);

  g_assert_cmpstr (ms_provider_get_id (provider), ==, "example");
  g_assert_cmpstr (ms_provider_get_name (provider), ==, "Example Mail");
  g_assert_cmpstr (ms_provider_get_origin (provider), ==, "test.xml");
  g_assert_cmpstrv (ms_provider_get_domains (provider),
                    ((const char * const[]) { "example.com", "xn--fsqu00a.xn--fiqs8s", NULL }));
  g_assert_true (ms_provider_claims_domain (provider, "example.com"));
  g_assert_false (ms_provider_claims_domain (provider, "sub.example.com"));
  {
    /* The file names the IDN domain in Unicode; an address may use either form. */
    g_autoptr(MsAddress) unicode = ms_address_parse ("x@例子.中国", NULL);
    g_autoptr(MsAddress) puny = ms_address_parse ("x@XN--FSQU00A.xn--fiqs8s", NULL);

    g_assert_true (ms_provider_claims_domain (provider, unicode->domain));
    g_assert_true (ms_provider_claims_domain (provider, puny->domain));
  }
  g_assert_true (ms_provider_matches_mx (provider, "MX7.example.net."));
  g_assert_false (ms_provider_matches_mx (provider, "mail.example.net"));

  /* POP3 is skipped; the IMAP login is the local part, SMTP the address. */
  servers = ms_provider_get_imap_servers (provider);
  g_assert_cmpuint (servers->len, ==, 1);
  server = g_ptr_array_index (servers, 0);
  g_assert_cmpstr (server->hostname, ==, "imap.example.com");
  g_assert_cmpuint (server->port, ==, 993);
  g_assert_cmpint (server->security, ==, MS_SECURITY_SSL);
  imap_user = ms_server_expand_username (server, address);
  g_assert_cmpstr (imap_user, ==, "Bob");
  g_assert_cmpstr (ms_provider_get_username_rule (provider), ==, "local-part");

  servers = ms_provider_get_smtp_servers (provider);
  g_assert_cmpuint (servers->len, ==, 1);
  server = g_ptr_array_index (servers, 0);
  g_assert_cmpuint (server->port, ==, 587);
  g_assert_cmpint (server->security, ==, MS_SECURITY_STARTTLS);
  smtp_user = ms_server_expand_username (server, address);
  g_assert_cmpstr (smtp_user, ==, "Bob@example.com");

  format = ms_provider_get_password_format (provider);
  g_assert_cmpstr (format->name, ==, "app code");
  g_assert_cmpstr (format->hint, ==, "Sixteen letters.");
  g_assert_cmpuint (format->min_length, ==, 16);
  g_assert_cmpuint (format->max_length, ==, 16);
  g_assert_cmpuint (format->group, ==, 4);
  g_assert_cmpint (format->charset, ==, MS_PASSWORD_CHARSET_LETTERS);
  g_assert_true (format->required);
  g_assert_false (format->expires);

  /* The administrator's step comes first whatever the file order. */
  steps = ms_provider_get_steps (provider);
  g_assert_cmpuint (steps->len, ==, 2);
  step = g_ptr_array_index (steps, 0);
  g_assert_cmpstr (step->id, ==, "admin-step");
  g_assert_cmpint (step->who, ==, MS_STEP_WHO_ADMIN);
  step = g_ptr_array_index (steps, 1);
  g_assert_cmpstr (step->id, ==, "user-step");
  g_assert_cmpstr (step->title, ==, "Make a code");
  g_assert_cmpstr (step->description, ==, "Click it.");
  g_assert_cmpstr (step->url, ==, "https://example.com/app");
  g_assert_true (ms_provider_has_admin_steps (provider));
  g_assert_true (ms_provider_find_step (provider, "user-step") == step);
  g_assert_null (ms_provider_find_step (provider, "nope"));

  g_assert_cmpstr (ms_provider_get_client_note (provider), ==, "Turn on the ID option.");
}

static void
test_errors_match (void)
{
  g_autoptr(MsProvider) provider = parse (good, MS_CLIENT_CONFIG_CATALOGUE, english, NULL);
  const MsErrorPattern *pattern;

  pattern = ms_provider_match_error (provider, MS_PROTOCOL_SMTP, "535 BAD   Code, sorry");
  g_assert_nonnull (pattern);
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_AUTH_FAILED);
  g_assert_cmpstr (ms_error_pattern_get_step_id (pattern), ==, "user-step");
  g_assert_cmpstr (ms_error_pattern_get_advice (pattern), ==, "Make a new code.");

  /* That pattern is for SMTP only. */
  g_assert_null (ms_provider_match_error (provider, MS_PROTOCOL_IMAP, "a1 NO 535 bad code"));

  pattern = ms_provider_match_error (provider, MS_PROTOCOL_IMAP, "a1 NO ERR.LOGIN.ipdeny");
  g_assert_nonnull (pattern);
  g_assert_cmpint (ms_error_pattern_get_kind (pattern), ==, MS_ERROR_KIND_IP_DENIED);
  g_assert_null (ms_error_pattern_get_advice (pattern));

  g_assert_null (ms_provider_match_error (provider, MS_PROTOCOL_IMAP, "a1 NO something else"));
}

static void
test_translations (void)
{
  g_autoptr(MsProvider) zh = parse (good, MS_CLIENT_CONFIG_CATALOGUE, chinese, NULL);
  const char * const german[] = { "de_DE", "de", "C", NULL };
  g_autoptr(MsProvider) de = parse (good, MS_CLIENT_CONFIG_CATALOGUE, german, NULL);
  const MsStep *step;

  g_assert_cmpstr (ms_provider_get_name (zh), ==, "例子邮箱");
  g_assert_cmpstr (ms_provider_get_password_format (zh)->name, ==, "授权码");
  step = ms_provider_find_step (zh, "user-step");
  g_assert_cmpstr (step->title, ==, "生成授权码");
  /* Untranslated text falls back to English. */
  g_assert_cmpstr (step->description, ==, "Click it.");
  g_assert_cmpstr (ms_provider_get_client_note (zh), ==, "打开 ID 选项。");

  /* A language the file lacks gets English. */
  g_assert_cmpstr (ms_provider_get_name (de), ==, "Example Mail");
  g_assert_cmpstr (ms_provider_get_client_note (de), ==, "Turn on the ID option.");

  /* Search finds the provider by its name in any language it has. */
  g_assert_true (ms_provider_matches_search (de, "例子"));
  g_assert_true (ms_provider_matches_search (zh, "example MAIL"));
  g_assert_true (ms_provider_matches_search (zh, "example.com"));
  g_assert_true (ms_provider_matches_search (zh, "bob@exam"));
  g_assert_true (ms_provider_matches_search (zh, "  "));
  g_assert_false (ms_provider_matches_search (zh, "bob@qq.com"));
  g_assert_false (ms_provider_matches_search (zh, "网易"));
}

static guint
line_of (const char *text,
         const char *needle)
{
  const char *at = strstr (text, needle);
  guint line = 1;

  g_assert_nonnull (at);
  for (const char *p = text; p < at; p++)
    line += *p == '\n';

  return line;
}

typedef struct
{
  const char *name;
  const char *replace;   /* text in the good file */
  const char *with;      /* what it becomes */
  const char *line_at;   /* text in the broken file on the line to report */
  const char *reason;    /* part of the message */
} Breakage;

static const Breakage breakages[] = {
  { "bad-xml", "</ms:title>\n        <ms:title xml:lang", "</ms:titel>\n        <ms:title xml:lang",
    "</ms:titel>", "" },
  { "no-smtp", "<outgoingServer type=\"smtp\">", "<outgoingServer type=\"smtp-off\">",
    "<outgoingServer type=\"smtp-off\">", "must be of type" },
  { "no-smtp-at-all", "    <outgoingServer type=\"smtp\">\n      <hostname>smtp.example.com</hostname>\n      <port>587</port>\n      <socketType>STARTTLS</socketType>\n      <username>%EMAILADDRESS%</username>\n    </outgoingServer>\n", "",
    "<emailProvider", "no SMTP server" },
  { "port-0", "<port>993</port>", "<port>0</port>",
    "<incomingServer type=\"imap\">", "port" },
  { "port-text", "<port>587</port>", "<port>smtp</port>",
    "<outgoingServer type=\"smtp\">", "port" },
  { "plain", "<socketType>STARTTLS</socketType>", "<socketType>plain</socketType>",
    "<outgoingServer type=\"smtp\">", "socketType" },
  { "http-url", "url=\"https://example.com/app\"", "url=\"http://example.com/app\"",
    "<ms:step id=\"user-step\"", "https" },
  { "unknown-kind", "kind=\"ip-denied\"", "kind=\"ip-banned\"",
    "kind=\"ip-banned\"", "unknown error kind" },
  { "bad-regex", "match=\"IPDENY\"", "match=\"IPDENY(\"",
    "match=\"IPDENY(\"", "regular expression" },
  { "missing-step", "step=\"user-step\" protocol", "step=\"no-such-step\" protocol",
    "step=\"no-such-step\"", "does not exist" },
  { "duplicate-step", "id=\"admin-step\"", "id=\"user-step\"",
    "<ms:step id=\"user-step\" who=\"admin\"", "two steps" },
  { "bad-who", "who=\"admin\"", "who=\"boss\"",
    "who=\"boss\"", "admin" },
  { "unknown-element", "<ms:mx>", "<ms:mxx>mx.example.net</ms:mxx><ms:mx>",
    "<ms:mxx>", "unknown element" },
  { "bad-domain", "<domain>Example.COM</domain>", "<domain>exa mple.com</domain>",
    "<domain>exa mple", "not a domain" },
  { "bad-hostname", "<hostname>imap.example.com</hostname>", "<hostname>imap..example.com</hostname>",
    "<incomingServer type=\"imap\">", "hostname" },
  { "bad-username", "%EMAILLOCALPART%", "%EMAILUSER%",
    "<incomingServer type=\"imap\">", "username" },
  { "no-name", "      <ms:name>app code</ms:name>\n      <ms:name xml:lang=\"zh_CN\">授权码</ms:name>\n", "",
    "<ms:password", "<ms:name>" },
  { "bad-charset", "charset=\"letters\"", "charset=\"digits\"",
    "charset=\"digits\"", "charset" },
  { "bad-id", "id=\"example\"", "id=\"Example Mail\"",
    "<emailProvider", "id" },
  { "no-namespace", " xmlns:ms=\"" MS_CLIENT_CONFIG_NAMESPACE "\"", "",
    "<clientConfig", "xmlns:ms" },
  { "wrong-root", "<clientConfig version=\"1.1\"", "<clientConfiguration version=\"1.1\"",
    "<clientConfiguration", "" },
  { "two-providers", "  </emailProvider>\n", "  </emailProvider>\n  <emailProvider id=\"two\"></emailProvider>\n",
    "<emailProvider id=\"two\">", "one <emailProvider>" },
  { "no-user-step", "who=\"user\"", "who=\"admin\"",
    "<emailProvider", "no step for the user" },
  { "no-title", "        <ms:title>Allow it</ms:title>\n", "",
    "<ms:step id=\"admin-step\"", "no <ms:title>" },
  { "no-password", "<ms:password length", "<ms:passwd length", "<ms:passwd", "unknown element" },
  { "two-notes", "<ms:note xml:lang=\"zh_CN\">打开", "<ms:note>打开",
    "<ms:note>打开", "one <ms:note>" },
  { "two-translated-notes", "    </ms:errors>\n", "    </ms:errors>\n    <ms:note xml:lang=\"zh-CN\">又一个</ms:note>\n",
    "xml:lang=\"zh_CN\">打开", "one <ms:note>" },
  { "note-in-step", "        <ms:description>In the console.</ms:description>\n",
    "        <ms:description>In the console.</ms:description>\n        <ms:note>No.</ms:note>\n",
    "<ms:note>No.", "unknown element" },
};

static void
test_breakage (gconstpointer data)
{
  const Breakage *breakage = data;
  g_autoptr(GString) broken = g_string_new (good);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsProvider) provider = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpuint (g_string_replace (broken, breakage->replace, breakage->with, 1), ==, 1);

  provider = parse (broken->str, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
  g_assert_null (provider);
  g_assert_error (error, MS_CLIENT_CONFIG_ERROR, MS_CLIENT_CONFIG_ERROR_INVALID);
  g_test_message ("%s", error->message);

  expected = g_strdup_printf ("test.xml:%u: ", line_of (broken->str, breakage->line_at));
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_assert_nonnull (strstr (error->message, breakage->reason));
}

static void
test_not_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) broken = g_string_new (good);
  g_autoptr(MsProvider) provider = NULL;

  g_string_replace (broken, "Example Mail", "Example \xff Mail", 1);
  provider = parse (broken->str, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
  g_assert_null (provider);
  g_assert_error (error, MS_CLIENT_CONFIG_ERROR, MS_CLIENT_CONFIG_ERROR_INVALID);
}

static void
test_empty_and_truncated (void)
{
  const char * const inputs[] = {
    "",
    "<?xml version=\"1.0\"?>",
    "<clientConfig version=\"1.1\" xmlns:ms=\"" MS_CLIENT_CONFIG_NAMESPACE "\"></clientConfig>",
    "<clientConfig version=\"1.1\"><emailProvider id=\"x\">",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsProvider) provider = parse (inputs[i], MS_CLIENT_CONFIG_CATALOGUE, english, &error);

      g_assert_null (provider);
      g_assert_error (error, MS_CLIENT_CONFIG_ERROR, MS_CLIENT_CONFIG_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "test.xml:"));
    }
}

/* A file as ISPDB serves it: no extensions, plain and POP3 servers. */
static const char ispdb[] =
  "<?xml version=\"1.0\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"isp.example\">\n"
  "    <domain>isp.example</domain>\n"
  "    <displayName>ISP Mail</displayName>\n"
  "    <incomingServer type=\"pop3\"><hostname>pop.isp.example</hostname><port>110</port><socketType>plain</socketType></incomingServer>\n"
  "    <incomingServer type=\"imap\"><hostname>imap.isp.example</hostname><port>143</port><socketType>plain</socketType></incomingServer>\n"
  "    <incomingServer type=\"imap\"><hostname>imap.isp.example</hostname><port>143</port><socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username></incomingServer>\n"
  "    <outgoingServer type=\"smtp\"><hostname>smtp.isp.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>\n"
  "    <documentation url=\"http://isp.example/help\"><descr lang=\"en\">Help</descr></documentation>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static void
test_autoconfig_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsProvider) provider = parse (ispdb, MS_CLIENT_CONFIG_NONE, english, &error);
  GPtrArray *imap;

  g_assert_no_error (error);
  g_assert_cmpstr (ms_provider_get_id (provider), ==, "isp.example");
  g_assert_cmpstr (ms_provider_get_name (provider), ==, "ISP Mail");

  /* Only the server with TLS is kept: never a plain-text one. */
  imap = ms_provider_get_imap_servers (provider);
  g_assert_cmpuint (imap->len, ==, 1);
  g_assert_cmpint (((MsServer *)g_ptr_array_index (imap, 0))->security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (ms_provider_get_smtp_servers (provider)->len, ==, 1);
  g_assert_null (ms_provider_get_password_format (provider));
  g_assert_null (ms_provider_get_client_note (provider));

  /* The same file is not a catalogue file. */
  g_clear_object (&provider);
  provider = parse (ispdb, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
  g_assert_null (provider);
  g_assert_error (error, MS_CLIENT_CONFIG_ERROR, MS_CLIENT_CONFIG_ERROR_INVALID);
}

static void
test_password_format (void)
{
  g_autoptr(MsProvider) provider = parse (good, MS_CLIENT_CONFIG_CATALOGUE, english, NULL);
  const MsPasswordFormat *format = ms_provider_get_password_format (provider);
  g_autoptr(MsPasswordFormat) any = ms_password_format_new ("password");
  g_autofree char *cleaned = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *copied = NULL;

  cleaned = ms_password_format_clean (format, " abcd efgh-ijkl\tmnop\n");
  g_assert_cmpstr (cleaned, ==, "abcdefghijklmnop");
  g_assert_true (ms_password_format_matches (format, cleaned));
  g_assert_false (ms_password_format_matches (format, "abcdefghijklmno"));
  g_assert_false (ms_password_format_matches (format, "abcdefghijklmno1"));

  /* With no known shape a password keeps its spaces and symbols. */
  kept = ms_password_format_clean (any, " pa ss\"{\\ \r\n");
  g_assert_cmpstr (kept, ==, " pa ss\"{\\ ");
  g_assert_true (ms_password_format_matches (any, kept));

  copied = ms_password_format_clean (NULL, "x y\n");
  g_assert_cmpstr (copied, ==, "x y");
}

static void
test_variant (void)
{
  g_autoptr(MsProvider) provider = parse (good, MS_CLIENT_CONFIG_CATALOGUE, english, NULL);
  g_autoptr(GVariant) variant = g_variant_ref_sink (ms_provider_to_variant (provider));
  g_autoptr(GVariant) steps = NULL;
  g_autoptr(GVariant) imap = NULL;
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) url = NULL;
  const char *str;

  g_assert_true (g_variant_lookup (variant, "id", "&s", &str));
  g_assert_cmpstr (str, ==, "example");
  g_assert_true (g_variant_lookup (variant, "username", "&s", &str));
  g_assert_cmpstr (str, ==, "local-part");

  imap = g_variant_lookup_value (variant, "imap", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_cmpuint (g_variant_n_children (imap), ==, 1);
  first = g_variant_get_child_value (imap, 0);
  g_assert_true (g_variant_lookup (first, "security", "&s", &str));
  g_assert_cmpstr (str, ==, "ssl");

  steps = g_variant_lookup_value (variant, "steps", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_cmpuint (g_variant_n_children (steps), ==, 2);
  g_clear_pointer (&first, g_variant_unref);
  first = g_variant_get_child_value (steps, 0);
  g_assert_true (g_variant_lookup (first, "who", "&s", &str));
  g_assert_cmpstr (str, ==, "admin");
  url = g_variant_lookup_value (first, "url", G_VARIANT_TYPE ("ms"));
  g_assert_nonnull (url);

  g_assert_true (g_variant_lookup (variant, "client_note", "m&s", &str));
  g_assert_cmpstr (str, ==, "Turn on the ID option.");
}

static void
test_no_note (void)
{
  g_autoptr(GString) without = g_string_new (good);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsProvider) provider = NULL;
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GVariant) note = NULL;

  /* The note is optional: without it there is none, in any language. */
  g_assert_cmpuint (g_string_replace (without, "    <ms:note>Turn on\n        the ID option.</ms:note>\n", "", 1), ==, 1);
  g_assert_cmpuint (g_string_replace (without, "    <ms:note xml:lang=\"zh_CN\">打开 ID 选项。</ms:note>\n", "", 1), ==, 1);
  provider = parse (without->str, MS_CLIENT_CONFIG_CATALOGUE, chinese, &error);
  g_assert_no_error (error);
  g_assert_null (ms_provider_get_client_note (provider));

  /* It is still in the variant, as nothing (null in the JSON). */
  variant = g_variant_ref_sink (ms_provider_to_variant (provider));
  note = g_variant_lookup_value (variant, "client_note", G_VARIANT_TYPE ("ms"));
  g_assert_nonnull (note);
  g_assert_cmpuint (g_variant_n_children (note), ==, 0);
}

/* ISPDB entries */

static MsProvider *
parse_fixture (const char *name)
{
  g_autofree char *contents = ispdb_fixture_read (name);
  g_autoptr(GError) error = NULL;
  MsProvider *document;

  document = ms_client_config_parse (contents, -1, name, MS_CLIENT_CONFIG_NONE, english, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);

  return document;
}

static const MsServer *
first_server (GPtrArray *servers)
{
  g_assert_cmpuint (servers->len, >, 0);
  return g_ptr_array_index (servers, 0);
}

/* mail.ee's and inbox.lv's shape: the host names are placeholders too, kept
 * as they are for the fetcher to fill in (only it knows the address). */
static void
test_ispdb_emaildomain (void)
{
  g_autoptr(MsProvider) document = parse_fixture ("emaildomain.test.xml");
  g_autoptr(MsAddress) address = ms_address_parse ("Ann@emaildomain-alias.test", NULL);
  g_autofree char *imap_host = NULL;
  g_autofree char *imap_user = NULL;
  const MsServer *imap, *smtp;

  g_assert_cmpstrv (ms_provider_get_domains (document),
                    ((const char * const[]) { "emaildomain.test", "emaildomain-alias.test", NULL }));
  g_assert_cmpuint (ms_provider_get_imap_servers (document)->len, ==, 1);
  imap = first_server (ms_provider_get_imap_servers (document));
  smtp = first_server (ms_provider_get_smtp_servers (document));
  g_assert_cmpstr (imap->hostname, ==, "mail.%emaildomain%");
  g_assert_cmpuint (imap->port, ==, 993);
  g_assert_cmpstr (smtp->hostname, ==, "%emaildomain%");

  imap_host = ms_expand_placeholders (imap->hostname, NULL, NULL, address->domain);
  g_assert_cmpstr (imap_host, ==, "mail.emaildomain-alias.test");
  imap_user = ms_server_expand_username (imap, address);
  g_assert_cmpstr (imap_user, ==, "Ann.emaildomain-alias.test");

  /* A provider file names real hosts. */
  {
    g_autofree char *contents = ispdb_fixture_read ("emaildomain.test.xml");
    g_autoptr(GString) catalogue = g_string_new (contents);
    g_autoptr(MsProvider) provider = NULL;
    g_autoptr(GError) error = NULL;

    g_string_replace (catalogue, "<clientConfig version=\"1.1\">",
                      "<clientConfig version=\"1.1\" xmlns:ms=\"" MS_CLIENT_CONFIG_NAMESPACE "\">", 1);
    provider = parse (catalogue->str, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
    g_assert_null (provider);
    g_assert_error (error, MS_CLIENT_CONFIG_ERROR, MS_CLIENT_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "no valid <hostname>"));
  }
}

static void
assert_hosts (GPtrArray          *servers,
              const char * const *hosts)
{
  g_assert_cmpuint (servers->len, ==, g_strv_length ((char **)hosts));
  for (guint i = 0; i < servers->len; i++)
    g_assert_cmpstr (((MsServer *)g_ptr_array_index (servers, i))->hostname, ==, hosts[i]);
}

/* No IMAP server with TLS: the document says what it has instead. Its SMTP
 * server is read all the same (the lookup decides what to do with it). */
static void
test_ispdb_no_imap (void)
{
  g_autoptr(MsProvider) pop3 = parse_fixture ("pop3only.test.xml");
  g_autoptr(MsProvider) plain = parse_fixture ("plainimap.test.xml");

  g_assert_cmpuint (ms_provider_get_imap_servers (pop3)->len, ==, 0);
  assert_hosts (ms_provider_get_smtp_servers (pop3), (const char * const[]) { "smtpauth.pop3only.test", NULL });
  g_assert_cmpint (ms_provider_get_lookup_note (pop3), ==, MS_LOOKUP_NOTE_POP3_ONLY);
  g_assert_false (ms_provider_get_oauth_only (pop3));

  /* It has POP3 too, unencrypted as well: the IMAP is what matters. */
  g_assert_cmpuint (ms_provider_get_imap_servers (plain)->len, ==, 0);
  g_assert_cmpint (ms_provider_get_lookup_note (plain), ==, MS_LOOKUP_NOTE_PLAIN_IMAP_ONLY);

  /* A document with IMAP over TLS has nothing to say. */
  {
    g_autoptr(MsProvider) mail_ee = parse_fixture ("emaildomain.test.xml");

    g_assert_cmpint (ms_provider_get_lookup_note (mail_ee), ==, MS_LOOKUP_NOTE_NONE);
  }
}

/* office365.com's shape: OAuth2 only on every server. The document is an
 * OAuth-only provider, as Outlook's catalogue entry is: its servers are
 * named (Exchange entries aside), for none of them takes a password. */
static void
test_ispdb_oauth_only (void)
{
  g_autoptr(MsProvider) document = parse_fixture ("oauthonly.test.xml");

  g_assert_true (ms_provider_get_oauth_only (document));
  g_assert_cmpint (ms_provider_get_lookup_note (document), ==, MS_LOOKUP_NOTE_OAUTH_ONLY);
  assert_hosts (ms_provider_get_imap_servers (document), (const char * const[]) { "outlook.oauthonly.test", NULL });
  assert_hosts (ms_provider_get_smtp_servers (document), (const char * const[]) { "smtp.oauthonly.test", NULL });
}

/* Password and OAuth2 servers side by side: only those that take a
 * password are offered. */
static void
test_ispdb_mixed (void)
{
  g_autoptr(MsProvider) document = parse_fixture ("mixed.test.xml");

  g_assert_false (ms_provider_get_oauth_only (document));
  g_assert_cmpint (ms_provider_get_lookup_note (document), ==, MS_LOOKUP_NOTE_NONE);
  assert_hosts (ms_provider_get_imap_servers (document), (const char * const[]) { "imap.mixed.test", NULL });
  assert_hosts (ms_provider_get_smtp_servers (document), (const char * const[]) { "smtp.mixed.test", NULL });

  /* mit.edu's shape: IMAP OAuth2 only, SMTP with a password. No IMAP
   * server takes a password: OAuth-only, every server named. */
  {
    g_autofree char *contents = ispdb_fixture_read ("mixed.test.xml");
    g_autoptr(GString) mit = g_string_new (contents);
    g_autoptr(MsProvider) provider = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (g_string_replace (mit, "      <authentication>OAuth2</authentication>\n"
                                             "      <authentication>password-cleartext</authentication>\n",
                                        "      <authentication>OAuth2</authentication>\n", 0), ==, 2);
    provider = parse (mit->str, MS_CLIENT_CONFIG_NONE, english, &error);
    g_assert_no_error (error);
    g_assert_true (ms_provider_get_oauth_only (provider));
    assert_hosts (ms_provider_get_imap_servers (provider),
                  (const char * const[]) { "imap-oauth.mixed.test", "imap.mixed.test", NULL });
    assert_hosts (ms_provider_get_smtp_servers (provider),
                  (const char * const[]) { "smtp.mixed.test", "smtp-oauth.mixed.test", NULL });
  }

  /* A catalogue file says OAuth-only with <ms:oauth-only/>, and its
   * servers stay as they are. */
  {
    g_autoptr(GString) oauth = g_string_new (good);
    g_autoptr(MsProvider) provider = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (g_string_replace (oauth, "      <username>%EMAILLOCALPART%</username>\n",
                                        "      <username>%EMAILLOCALPART%</username>\n"
                                        "      <authentication>OAuth2</authentication>\n", 1), ==, 1);
    provider = parse (oauth->str, MS_CLIENT_CONFIG_CATALOGUE, english, &error);
    g_assert_no_error (error);
    assert_hosts (ms_provider_get_imap_servers (provider), (const char * const[]) { "imap.example.com", NULL });
    g_assert_false (ms_provider_get_oauth_only (provider));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client-config/good", test_good_file);
  g_test_add_func ("/client-config/errors-match", test_errors_match);
  g_test_add_func ("/client-config/translations", test_translations);
  g_test_add_func ("/client-config/not-utf8", test_not_utf8);
  g_test_add_func ("/client-config/empty-and-truncated", test_empty_and_truncated);
  g_test_add_func ("/client-config/autoconfig", test_autoconfig_file);
  g_test_add_func ("/client-config/password-format", test_password_format);
  g_test_add_func ("/client-config/variant", test_variant);
  g_test_add_func ("/client-config/no-note", test_no_note);
  g_test_add_func ("/client-config/ispdb/emaildomain", test_ispdb_emaildomain);
  g_test_add_func ("/client-config/ispdb/no-imap", test_ispdb_no_imap);
  g_test_add_func ("/client-config/ispdb/oauth-only", test_ispdb_oauth_only);
  g_test_add_func ("/client-config/ispdb/mixed", test_ispdb_mixed);

  for (guint i = 0; i < G_N_ELEMENTS (breakages); i++)
    {
      g_autofree char *path = g_strdup_printf ("/client-config/broken/%s", breakages[i].name);
      g_test_add_data_func (path, &breakages[i], test_breakage);
    }

  return g_test_run ();
}
