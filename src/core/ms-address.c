/* ms-address.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ms-address.h"

G_DEFINE_QUARK (ms-address-error-quark, ms_address_error)
G_DEFINE_BOXED_TYPE (MsAddress, ms_address, ms_address_copy, ms_address_free)

#define MAX_LOCAL_PART 64
#define MAX_DOMAIN 253
#define MAX_LABEL 63

/* Input methods for Chinese give full-width forms of the characters that
 * matter in an address; people paste those without noticing. */
static char *
fold_full_width (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0xFF20)                  /* FULLWIDTH COMMERCIAL AT */
        c = '@';
      else if (c == 0xFF0E || c == 0x3002 || c == 0xFF61) /* full stops */
        c = '.';

      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/**
 * ms_strdup_trimmed:
 * @text: text as typed or pasted
 *
 * Returns: (transfer full): @text without the white space around it,
 *   full-width (U+3000) and other Unicode spaces included
 */
char *
ms_strdup_trimmed (const char *text)
{
  const char *start = text;
  const char *end = text + strlen (text);

  g_return_val_if_fail (text != NULL, NULL);

  while (*start && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  return g_strndup (start, end - start);
}

static gboolean
check_local_part (const char  *local,
                  GError     **error)
{
  gsize len = strlen (local);

  if (len == 0)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_LOCAL_PART,
                   _("Nothing stands before the “@”."));
      return FALSE;
    }

  if (len > MAX_LOCAL_PART)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_LOCAL_PART,
                   _("The part before the “@” is longer than %d characters."),
                   MAX_LOCAL_PART);
      return FALSE;
    }

  if (local[0] == '.' || local[len - 1] == '.' || strstr (local, "..") != NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_LOCAL_PART,
                   _("The part before the “@” cannot start or end with a dot, or have two dots in a row."));
      return FALSE;
    }

  for (const char *p = local; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c) ||
          (c < 0x80 && strchr ("()<>[]:;,\\\"", (int)c) != NULL))
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_LOCAL_PART,
                       _("The part before the “@” contains a character that cannot be in an address."));
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ms_normalize_domain:
 * @domain: a domain name, in Unicode or ASCII
 * @error: where to put the reason it is not a domain name
 *
 * Turns @domain into the ASCII (punycode) form used on the wire, in lower
 * case and without a final dot, and checks that it is a host name with at
 * least two labels.
 *
 * Returns: (transfer full): the normalized domain, or %NULL
 */
char *
ms_normalize_domain (const char  *domain,
                     GError     **error)
{
  g_autofree char *folded = NULL;
  g_autofree char *ascii = NULL;
  g_auto(GStrv) labels = NULL;
  gsize len;

  g_return_val_if_fail (domain != NULL, NULL);

  folded = fold_full_width (domain);
  len = strlen (folded);
  if (len > 0 && folded[len - 1] == '.')
    folded[len - 1] = '\0';

  if (folded[0] == '\0')
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                   _("Nothing stands after the “@”."));
      return NULL;
    }

  if (folded[0] == '[')
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                   _("Addresses at an IP address are not supported; use the mail domain instead."));
      return NULL;
    }

  ascii = g_hostname_to_ascii (folded);
  if (ascii == NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                   _("“%s” is not a valid domain name."), domain);
      return NULL;
    }

  {
    char *lower = g_ascii_strdown (ascii, -1);
    g_free (ascii);
    ascii = lower;
  }

  if (strlen (ascii) > MAX_DOMAIN)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                   _("The domain is longer than %d characters."), MAX_DOMAIN);
      return NULL;
    }

  labels = g_strsplit (ascii, ".", -1);
  if (g_strv_length (labels) < 2)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                   _("“%s” is not a full domain name (such as qq.com)."), domain);
      return NULL;
    }

  for (guint i = 0; labels[i]; i++)
    {
      const char *label = labels[i];
      gsize label_len = strlen (label);

      if (label_len == 0 || label_len > MAX_LABEL ||
          label[0] == '-' || label[label_len - 1] == '-')
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                       _("“%s” is not a valid domain name."), domain);
          return NULL;
        }

      for (const char *p = label; *p; p++)
        {
          if (!g_ascii_isalnum (*p) && *p != '-')
            {
              g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_DOMAIN,
                           _("“%s” is not a valid domain name."), domain);
              return NULL;
            }
        }
    }

  return g_steal_pointer (&ascii);
}

/**
 * ms_address_parse:
 * @text: what the user typed or a program passed
 * @error: where to put the reason it is not an address
 *
 * Reads an e-mail address. Surrounding white space is dropped, full-width
 * `＠` and `．` (as Chinese input methods type them) are read as `@` and
 * `.`, and the domain is normalized with ms_normalize_domain(), so
 * `用户@例子.中国` and `用户@xn--fsqu00a.xn--fiqs8s` give the same domain.
 *
 * Returns: (transfer full): the address, or %NULL with @error set
 */
MsAddress *
ms_address_parse (const char  *text,
                  GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *domain = NULL;
  const char *at;
  MsAddress *address;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_INVALID_LOCAL_PART,
                   _("The address is not valid UTF-8 text."));
      return NULL;
    }

  stripped = ms_strdup_trimmed (text);
  if (stripped[0] == '\0')
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_EMPTY,
                   _("The address is empty."));
      return NULL;
    }

  folded = fold_full_width (stripped);
  at = strchr (folded, '@');
  if (at == NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_NO_AT,
                   _("“%s” has no “@”; an address looks like name@example.com."),
                   stripped);
      return NULL;
    }

  if (strchr (at + 1, '@') != NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_MULTIPLE_AT,
                   _("“%s” has more than one “@”."), stripped);
      return NULL;
    }

  {
    g_autofree char *local = g_strndup (folded, at - folded);

    if (!check_local_part (local, error))
      return NULL;

    if (!(domain = ms_normalize_domain (at + 1, error)))
      return NULL;

    address = g_new0 (MsAddress, 1);
    address->local_part = g_steal_pointer (&local);
  }

  address->domain_unicode = g_hostname_to_unicode (domain);
  if (address->domain_unicode == NULL)
    address->domain_unicode = g_strdup (domain);
  address->email = g_strconcat (address->local_part, "@", domain, NULL);
  address->domain = g_steal_pointer (&domain);

  return address;
}

/**
 * ms_address_to_display:
 * @address: an address
 *
 * Returns: (transfer full): the address with its domain in Unicode, for people
 */
char *
ms_address_to_display (const MsAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);

  return g_strconcat (address->local_part, "@", address->domain_unicode, NULL);
}

/**
 * ms_address_same_mailbox:
 * @a: an address
 * @b: another
 *
 * Whether @a and @b name one mailbox: the same domain, and local parts that
 * differ at most in case. Mail providers do not tell `Zhang@qq.com` from
 * `zhang@qq.com`, though the standard would let them.
 *
 * Returns: %TRUE if they do
 */
gboolean
ms_address_same_mailbox (const MsAddress *a,
                         const MsAddress *b)
{
  g_autofree char *a_local = NULL;
  g_autofree char *b_local = NULL;

  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (g_strcmp0 (a->domain, b->domain) != 0)
    return FALSE;

  a_local = g_utf8_casefold (a->local_part, -1);
  b_local = g_utf8_casefold (b->local_part, -1);

  return g_strcmp0 (a_local, b_local) == 0;
}

MsAddress *
ms_address_copy (const MsAddress *address)
{
  MsAddress *copy;

  g_return_val_if_fail (address != NULL, NULL);

  copy = g_new0 (MsAddress, 1);
  copy->local_part = g_strdup (address->local_part);
  copy->domain = g_strdup (address->domain);
  copy->domain_unicode = g_strdup (address->domain_unicode);
  copy->email = g_strdup (address->email);

  return copy;
}

void
ms_address_free (MsAddress *address)
{
  if (address == NULL)
    return;

  g_free (address->local_part);
  g_free (address->domain);
  g_free (address->domain_unicode);
  g_free (address->email);
  g_free (address);
}
