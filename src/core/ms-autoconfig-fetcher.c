/* ms-autoconfig-fetcher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ms-autoconfig-fetcher.h"
