/* ms-lookup-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MS_LOOKUP_ERROR (ms_lookup_error_quark ())

/**
 * MsLookupError:
 * @MS_LOOKUP_ERROR_NOT_FOUND: the layer has no answer for the domain (no
 *   record, HTTP 404, no server answered a guess)
 * @MS_LOOKUP_ERROR_TOO_LARGE: a web answer was larger than the limit
 * @MS_LOOKUP_ERROR_INSECURE: a plain-HTTP address or a redirect to one,
 *   while plain HTTP is not allowed
 * @MS_LOOKUP_ERROR_INVALID: the answer could not be used (malformed XML,
 *   bad host names, too many redirects, HTTP errors)
 * @MS_LOOKUP_ERROR_TIMEOUT: the layer did not answer before the deadline
 * @MS_LOOKUP_ERROR_NETWORK: the layer could not reach its server
 *
 * Why one lookup layer found nothing. Each is tolerated: the lookup goes on
 * with the next layer and reports the problem.
 */
typedef enum
{
  MS_LOOKUP_ERROR_NOT_FOUND,
  MS_LOOKUP_ERROR_TOO_LARGE,
  MS_LOOKUP_ERROR_INSECURE,
  MS_LOOKUP_ERROR_INVALID,
  MS_LOOKUP_ERROR_TIMEOUT,
  MS_LOOKUP_ERROR_NETWORK,
} MsLookupError;

GQuark ms_lookup_error_quark (void);

G_END_DECLS
