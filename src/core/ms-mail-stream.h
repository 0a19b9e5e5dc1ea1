/* ms-mail-stream.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ms-tls-trust.h"

G_BEGIN_DECLS

#define MS_TYPE_MAIL_STREAM (ms_mail_stream_get_type ())

/* Longest reply line accepted; a server sending more is broken or hostile. */
#define MS_MAIL_STREAM_MAX_LINE (64 * 1024)

G_DECLARE_FINAL_TYPE (MsMailStream, ms_mail_stream, MS, MAIL_STREAM, GObject)

void          ms_mail_stream_connect_async     (const char           *host,
                                                guint16               port,
                                                guint                 step_timeout_ms,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
MsMailStream *ms_mail_stream_connect_finish    (GAsyncResult         *result,
                                                GError              **error);
void          ms_mail_stream_handshake_async   (MsMailStream         *self,
                                                MsTlsTrust           *trust,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean      ms_mail_stream_handshake_finish  (MsMailStream         *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void          ms_mail_stream_read_line_async   (MsMailStream         *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char         *ms_mail_stream_read_line_finish  (MsMailStream         *self,
                                                GAsyncResult         *result,
                                                gsize                *length,
                                                GError              **error);
void          ms_mail_stream_read_bytes_async  (MsMailStream         *self,
                                                gsize                 count,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GBytes       *ms_mail_stream_read_bytes_finish (MsMailStream         *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void          ms_mail_stream_write_async       (MsMailStream         *self,
                                                const char           *data,
                                                gsize                 length,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean      ms_mail_stream_write_finish      (MsMailStream         *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void          ms_mail_stream_discard_input     (MsMailStream         *self);
gboolean      ms_mail_stream_is_tls            (MsMailStream         *self);
const char   *ms_mail_stream_get_host          (MsMailStream         *self);
guint16       ms_mail_stream_get_port          (MsMailStream         *self);
GVariant     *ms_mail_stream_get_tls_details   (MsMailStream         *self);
char         *ms_mail_stream_dup_local_literal (MsMailStream         *self);
void          ms_mail_stream_close             (MsMailStream         *self);
const char   *ms_mail_stream_get_stage         (MsMailStream         *self);
void          ms_mail_stream_set_stage         (MsMailStream         *self,
                                                const char           *stage);

G_END_DECLS
