/* ms-secret.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "ms-secret.h"

struct _MsSecret
{
  gatomicrefcount  ref_count;
  gsize            length;
  char            *data;      /* length bytes and a nul */
};

G_DEFINE_BOXED_TYPE (MsSecret, ms_secret, ms_secret_ref, ms_secret_unref)

/**
 * ms_wipe:
 * @data: (nullable): memory that held a secret
 * @length: its size
 *
 * Overwrites @data with zeros in a way the compiler may not drop.
 */
void
ms_wipe (gpointer data,
         gsize    length)
{
  if (data != NULL && length > 0)
    explicit_bzero (data, length);
}

/**
 * ms_wipe_string:
 * @string: (nullable) (transfer full): a string that held a secret
 *
 * Wipes and frees @string.
 */
void
ms_wipe_string (char *string)
{
  if (string == NULL)
    return;

  ms_wipe (string, strlen (string));
  g_free (string);
}

/**
 * ms_secret_new:
 * @data: the password's bytes (any bytes, NUL included)
 * @length: how many
 *
 * Copies @data into memory that is kept out of swap where the system allows
 * it and wiped when the secret is freed. The caller should wipe its copy.
 *
 * Returns: (transfer full): a secret
 */
MsSecret *
ms_secret_new (const char *data,
               gsize       length)
{
  MsSecret *secret;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  secret = g_new0 (MsSecret, 1);
  g_atomic_ref_count_init (&secret->ref_count);
  secret->length = length;
  secret->data = g_malloc0 (length + 1);
  /* Best effort: an unprivileged process may have a small lock limit. */
  (void) mlock (secret->data, length + 1);
  if (length > 0)
    memcpy (secret->data, data, length);

  return secret;
}

MsSecret *
ms_secret_ref (MsSecret *secret)
{
  g_return_val_if_fail (secret != NULL, NULL);

  g_atomic_ref_count_inc (&secret->ref_count);
  return secret;
}

void
ms_secret_unref (MsSecret *secret)
{
  g_return_if_fail (secret != NULL);

  if (!g_atomic_ref_count_dec (&secret->ref_count))
    return;

  ms_wipe (secret->data, secret->length + 1);
  (void) munlock (secret->data, secret->length + 1);
  g_free (secret->data);
  g_free (secret);
}

/**
 * ms_secret_get_data:
 * @secret: a secret
 * @length: (out) (optional): its length
 *
 * Returns: the bytes, nul-terminated, valid while @secret lives; never
 *   print them or copy them without wiping the copy
 */
const char *
ms_secret_get_data (MsSecret *secret,
                    gsize    *length)
{
  g_return_val_if_fail (secret != NULL, NULL);

  if (length != NULL)
    *length = secret->length;

  return secret->data;
}

gboolean
ms_secret_is_utf8 (MsSecret *secret)
{
  g_return_val_if_fail (secret != NULL, FALSE);

  return g_utf8_validate (secret->data, secret->length, NULL);
}
