/* ms-password-format.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MS_TYPE_PASSWORD_FORMAT (ms_password_format_get_type ())

typedef enum
{
  MS_PASSWORD_CHARSET_ANY,
  MS_PASSWORD_CHARSET_LETTERS,
  MS_PASSWORD_CHARSET_ALPHANUMERIC,
} MsPasswordCharset;

/**
 * MsPasswordFormat:
 * @name: what the provider calls the client password (授权码 …), localized
 * @hint: (nullable): how it looks and how to enter it, localized
 * @min_length: fewest characters, 0 when unknown
 * @max_length: most characters, 0 when unknown
 * @charset: which characters it is made of
 * @group: the provider prints it in groups of this many characters (0: not)
 * @separators: characters the provider prints between groups, which are not
 *   part of the password and may be dropped when pasted
 * @required: %FALSE when the ordinary login password still works until the
 *   user turns client passwords on
 * @expires: %TRUE when the provider gives it an expiry date
 */
typedef struct _MsPasswordFormat
{
  char              *name;
  char              *hint;
  guint              min_length;
  guint              max_length;
  MsPasswordCharset  charset;
  guint              group;
  char              *separators;
  gboolean           required;
  gboolean           expires;
} MsPasswordFormat;

GType             ms_password_format_get_type   (void) G_GNUC_CONST;
MsPasswordFormat *ms_password_format_new        (const char             *name);
MsPasswordFormat *ms_password_format_copy       (const MsPasswordFormat *format);
void              ms_password_format_free       (MsPasswordFormat       *format);
char             *ms_password_format_clean      (const MsPasswordFormat *format,
                                                 const char             *input);
gboolean          ms_password_format_matches    (const MsPasswordFormat *format,
                                                 const char             *password);
GVariant         *ms_password_format_to_variant (const MsPasswordFormat *format);
const char       *ms_password_charset_to_string (MsPasswordCharset       charset);
gboolean          ms_password_charset_from_string (const char           *str,
                                                   MsPasswordCharset    *charset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsPasswordFormat, ms_password_format_free)

G_END_DECLS
