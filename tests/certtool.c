/* certtool.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "certtool.h"

/* Writes @contents (a template, say) to @name in @dir. */
void
certtool_write_file (const char *dir,
                     const char *name,
                     const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Runs `certtool ARGS…` in @dir; a failure ends the test with its output. */
void
certtool_run (const char         *dir,
              const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *)"certtool");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, &out, &err, &status, &error))
    g_error ("Cannot run certtool (gnutls-bin): %s", error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("certtool %s failed: %s\n%s", args[0], error->message, err);
}

/* A test authority, ca.pem in @dir, and a web server's certificate it
 * signed for @names, with its key. */
GTlsCertificate *
certtool_make_web_certificate (const char         *dir,
                               const char * const *names)
{
  g_autoptr(GString) tmpl = g_string_new ("organization = \"Mail Setup tests\"\n"
                                          "cn = \"lookup test server\"\n"
                                          "serial = 2\n"
                                          "expiration_days = 2\n"
                                          "tls_www_server\n"
                                          "signing_key\n"
                                          "encryption_key\n");
  g_autofree char *cert_path = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "server.key", NULL);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certtool_write_file (dir, "ca.tmpl",
                       "cn = \"Mail Setup lookup test CA\"\n"
                       "organization = \"Mail Setup tests\"\n"
                       "serial = 1\n"
                       "expiration_days = 2\n"
                       "ca\n"
                       "cert_signing_key\n");
  certtool_run (dir, (const char * const[]) { "--generate-privkey", "--key-type=ecdsa",
                                              "--outfile", "ca.key", NULL });
  certtool_run (dir, (const char * const[]) { "--generate-self-signed", "--load-privkey", "ca.key",
                                              "--template", "ca.tmpl", "--outfile", "ca.pem", NULL });

  for (guint i = 0; names[i] != NULL; i++)
    g_string_append_printf (tmpl, "dns_name = \"%s\"\n", names[i]);
  certtool_write_file (dir, "server.tmpl", tmpl->str);
  certtool_run (dir, (const char * const[]) { "--generate-privkey", "--key-type=ecdsa",
                                              "--outfile", "server.key", NULL });
  certtool_run (dir, (const char * const[]) { "--generate-certificate", "--load-privkey", "server.key",
                                              "--load-ca-certificate", "ca.pem",
                                              "--load-ca-privkey", "ca.key",
                                              "--template", "server.tmpl", "--outfile", "server.pem",
                                              NULL });

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);

  return certificate;
}
