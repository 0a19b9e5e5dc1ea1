/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ms-application.h"
#include "ms-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MsApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("mail-setup");

  /* `mail-setup providers`, `lookup` …: no display, no D-Bus. Standard
   * output is for results only: every log message, debug traces too, goes
   * to standard error. */
  if (ms_cli_handles (argc, argv))
    {
      g_log_writer_default_set_use_stderr (TRUE);
      return ms_cli_run (argc, argv);
    }

  g_set_application_name (_("Mail Setup"));
  app = ms_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
