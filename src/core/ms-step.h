/* ms-step.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MS_TYPE_STEP (ms_step_get_type ())

typedef enum
{
  MS_STEP_WHO_ADMIN,
  MS_STEP_WHO_USER,
} MsStepWho;

/**
 * MsStep:
 * @id: a name unique within its provider, which error patterns refer to
 * @who: whether the mail administrator or the user takes this step
 * @title: a few words, localized
 * @description: what to do on the page, localized
 * @url: (nullable): the https page to open, or %NULL when there is none
 *
 * One thing a person has to do on the provider's web pages before a client
 * password works.
 */
typedef struct _MsStep
{
  char      *id;
  MsStepWho  who;
  char      *title;
  char      *description;
  char      *url;
} MsStep;

GType       ms_step_get_type    (void) G_GNUC_CONST;
MsStep     *ms_step_new         (const char   *id,
                                 MsStepWho     who,
                                 const char   *title,
                                 const char   *description,
                                 const char   *url);
MsStep     *ms_step_copy        (const MsStep *step);
void        ms_step_free        (MsStep       *step);
GVariant   *ms_step_to_variant  (const MsStep *step);
const char *ms_step_who_to_string (MsStepWho  who);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsStep, ms_step_free)

G_END_DECLS
