/* ms-tls-trust.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/gnutls.h>

#include "ms-error-kind.h"
#include "ms-tls-trust.h"

struct _MsTlsTrust
{
  gatomicrefcount                   ref_count;
  gnutls_certificate_credentials_t  credentials;
};

G_DEFINE_BOXED_TYPE (MsTlsTrust, ms_tls_trust, ms_tls_trust_ref, ms_tls_trust_unref)

static MsTlsTrust *
trust_new (const char  *ca_file,
           GError     **error)
{
  gnutls_certificate_credentials_t credentials;
  MsTlsTrust *trust;
  int ret;

  ret = gnutls_certificate_allocate_credentials (&credentials);
  if (ret < 0)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_KIND_TLS_HANDSHAKE,
                   "GnuTLS: %s", gnutls_strerror (ret));
      return NULL;
    }

  /* No system store is no reason to fail: an extra CA file may be enough. */
  ret = gnutls_certificate_set_x509_system_trust (credentials);
  if (ret < 0)
    g_debug ("No system trust store: %s", gnutls_strerror (ret));

  if (ca_file != NULL)
    {
      ret = gnutls_certificate_set_x509_trust_file (credentials, ca_file, GNUTLS_X509_FMT_PEM);
      if (ret <= 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("Cannot use “%s” as a certificate authority file: %s"),
                       ca_file, ret < 0 ? gnutls_strerror (ret) : _("it holds no certificate"));
          gnutls_certificate_free_credentials (credentials);
          return NULL;
        }
    }

  trust = g_new0 (MsTlsTrust, 1);
  g_atomic_ref_count_init (&trust->ref_count);
  trust->credentials = credentials;

  return trust;
}

G_LOCK_DEFINE_STATIC (system_trust);

/**
 * ms_tls_trust_new:
 * @ca_file: (nullable): a PEM file of extra certificate authorities
 * @error: where to put why @ca_file cannot be used
 *
 * The system's authorities alone are read once per process and shared:
 * the credentials are never changed after they are made.
 *
 * Returns: (transfer full): the trust, or %NULL if @ca_file cannot be read or
 *   holds no certificate
 */
MsTlsTrust *
ms_tls_trust_new (const char  *ca_file,
                  GError     **error)
{
  static MsTlsTrust *system_trust;
  MsTlsTrust *trust;

  if (ca_file != NULL)
    return trust_new (ca_file, error);

  G_LOCK (system_trust);
  if (system_trust == NULL)
    system_trust = trust_new (NULL, error);
  trust = system_trust ? ms_tls_trust_ref (system_trust) : NULL;
  G_UNLOCK (system_trust);

  return trust;
}

MsTlsTrust *
ms_tls_trust_ref (MsTlsTrust *trust)
{
  g_return_val_if_fail (trust != NULL, NULL);

  g_atomic_ref_count_inc (&trust->ref_count);
  return trust;
}

void
ms_tls_trust_unref (MsTlsTrust *trust)
{
  g_return_if_fail (trust != NULL);

  if (!g_atomic_ref_count_dec (&trust->ref_count))
    return;

  gnutls_certificate_free_credentials (trust->credentials);
  g_free (trust);
}

/**
 * ms_tls_trust_get_credentials:
 * @trust: a trust
 *
 * Returns: (transfer none): the `gnutls_certificate_credentials_t`
 */
gpointer
ms_tls_trust_get_credentials (MsTlsTrust *trust)
{
  g_return_val_if_fail (trust != NULL, NULL);

  return trust->credentials;
}
