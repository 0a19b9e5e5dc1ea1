/* ms-done-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ms-verifier.h"

G_BEGIN_DECLS

#define MS_TYPE_DONE_PAGE (ms_done_page_get_type ())

typedef enum
{
  MS_GOA_STATE_UNAVAILABLE,
  MS_GOA_STATE_AVAILABLE,
  MS_GOA_STATE_ADDING,
  MS_GOA_STATE_ADDED,
  MS_GOA_STATE_EXISTING,
  MS_GOA_STATE_FAILED,
} MsGoaState;

G_DECLARE_FINAL_TYPE (MsDonePage, ms_done_page, MS, DONE_PAGE, AdwBin)

GtkWidget  *ms_done_page_new             (void);
void        ms_done_page_show            (MsDonePage *self,
                                          MsVerifier *verifier);
void        ms_done_page_show_stored     (MsDonePage *self,
                                          GVariant   *stored);
void        ms_done_page_set_goa_state   (MsDonePage *self,
                                          MsGoaState  state,
                                          const char *message);
MsGoaState  ms_done_page_get_goa_state   (MsDonePage *self);
char       *ms_done_page_dup_setting     (MsDonePage *self,
                                          const char *name);
const char *ms_done_page_get_stored_text (MsDonePage *self);

G_END_DECLS
