/* ms-lookup-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For test programs only: nothing in the app or the command line calls it.
 */

#pragma once

#include "ms-lookup.h"

G_BEGIN_DECLS

typedef void (*MsLookupSetupFunc) (MsLookup *lookup);

/* Called on every new MsLookup, after its defaults are set: a test driver
 * gives the command line's lookups its fake resolver and port map. */
void ms_lookup_set_setup_func (MsLookupSetupFunc func);

G_END_DECLS
