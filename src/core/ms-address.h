/* ms-address.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MS_TYPE_ADDRESS (ms_address_get_type ())
#define MS_ADDRESS_ERROR (ms_address_error_quark ())

typedef enum
{
  MS_ADDRESS_ERROR_EMPTY,
  MS_ADDRESS_ERROR_NO_AT,
  MS_ADDRESS_ERROR_MULTIPLE_AT,
  MS_ADDRESS_ERROR_INVALID_LOCAL_PART,
  MS_ADDRESS_ERROR_INVALID_DOMAIN,
} MsAddressError;

/**
 * MsAddress:
 * @local_part: what stands before the `@`, as typed (case kept)
 * @domain: the domain in ASCII (punycode for IDN), lower case, no final dot
 * @domain_unicode: the same domain for display, in Unicode
 * @email: @local_part `@` @domain: the form servers are given
 *
 * An e-mail address that passed ms_address_parse().
 */
typedef struct _MsAddress
{
  char *local_part;
  char *domain;
  char *domain_unicode;
  char *email;
} MsAddress;

GQuark     ms_address_error_quark   (void);
GType      ms_address_get_type      (void) G_GNUC_CONST;
MsAddress *ms_address_parse         (const char      *text,
                                     GError         **error);
MsAddress *ms_address_copy          (const MsAddress *address);
gboolean   ms_address_same_mailbox  (const MsAddress *a,
                                     const MsAddress *b);
void       ms_address_free          (MsAddress       *address);
char      *ms_address_to_display    (const MsAddress *address);
char      *ms_normalize_domain      (const char      *domain,
                                     GError         **error);
char      *ms_strdup_trimmed        (const char      *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsAddress, ms_address_free)

G_END_DECLS
