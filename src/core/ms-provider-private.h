/* ms-provider-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ms-lookup-note.h"
#include "ms-provider.h"

G_BEGIN_DECLS

/* Filled in by the provider file parser (ms-client-config.c) only. */
struct _MsProvider
{
  GObject           parent_instance;

  char             *id;
  char             *name;
  char             *short_name;
  char            **search_keys;   /* every translation of the name, casefolded */
  char            **domains;
  char            **mx_patterns;
  GPtrArray        *imap;          /* MsServer, preferred first */
  GPtrArray        *smtp;          /* MsServer, preferred first */
  MsPasswordFormat *password;
  GPtrArray        *steps;         /* MsStep, admin steps before user steps */
  GPtrArray        *errors;        /* MsErrorPattern, first match wins */
  char             *website;
  char             *client_note;   /* advice for setting up mail programs */
  gboolean          oauth_only;    /* no password works: OAuth 2.0 only */
  MsLookupNote      no_imap;       /* a fetched document with no IMAP server
                                    * at all: what it offers instead */
  char             *origin;        /* file it came from */
};

MsProvider *_ms_provider_new (void);

G_END_DECLS
