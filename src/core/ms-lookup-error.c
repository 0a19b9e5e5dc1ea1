/* ms-lookup-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ms-lookup-error.h"

G_DEFINE_QUARK (ms-lookup-error-quark, ms_lookup_error)
