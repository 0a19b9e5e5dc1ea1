/* ms-step.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mail-setup-core"

#include "config.h"

#include "ms-step.h"

G_DEFINE_BOXED_TYPE (MsStep, ms_step, ms_step_copy, ms_step_free)

MsStep *
ms_step_new (const char *id,
             MsStepWho   who,
             const char *title,
             const char *description,
             const char *url)
{
  MsStep *step;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);

  step = g_new0 (MsStep, 1);
  step->id = g_strdup (id);
  step->who = who;
  step->title = g_strdup (title);
  step->description = g_strdup (description ? description : "");
  step->url = g_strdup (url);

  return step;
}

MsStep *
ms_step_copy (const MsStep *step)
{
  g_return_val_if_fail (step != NULL, NULL);

  return ms_step_new (step->id, step->who, step->title, step->description, step->url);
}

void
ms_step_free (MsStep *step)
{
  if (step == NULL)
    return;

  g_free (step->id);
  g_free (step->title);
  g_free (step->description);
  g_free (step->url);
  g_free (step);
}

const char *
ms_step_who_to_string (MsStepWho who)
{
  return who == MS_STEP_WHO_ADMIN ? "admin" : "user";
}

/**
 * ms_step_to_variant:
 * @step: a step
 *
 * Returns: (transfer floating): the step as a{sv}; `url` is a maybe type,
 *   empty when the step has no page
 */
GVariant *
ms_step_to_variant (const MsStep *step)
{
  GVariantBuilder builder;

  g_return_val_if_fail (step != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_string (step->id));
  g_variant_builder_add (&builder, "{sv}", "who",
                         g_variant_new_string (ms_step_who_to_string (step->who)));
  g_variant_builder_add (&builder, "{sv}", "title", g_variant_new_string (step->title));
  g_variant_builder_add (&builder, "{sv}", "description", g_variant_new_string (step->description));
  g_variant_builder_add (&builder, "{sv}", "url",
                         g_variant_new_maybe (G_VARIANT_TYPE_STRING,
                                              step->url ? g_variant_new_string (step->url) : NULL));

  return g_variant_builder_end (&builder);
}
