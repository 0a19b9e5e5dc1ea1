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
