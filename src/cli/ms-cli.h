/* ms-cli.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of the command line (see docs/cli.md). */
#define MS_CLI_EXIT_OK      0
#define MS_CLI_EXIT_FAILED  1
#define MS_CLI_EXIT_USAGE   2

gboolean ms_cli_handles (int    argc,
                         char **argv);
int      ms_cli_run     (int    argc,
                         char **argv);

G_END_DECLS
