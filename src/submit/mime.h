/* mime: the one MIME decision the submitter makes — whether a message whose
 * body has lines over LINEWRAP_MAX can be re-encoded as quoted-printable
 * (a single text part in 7bit/8bit/binary: lossless), and doing it.  Other
 * messages get their long lines broken instead (see linewrap.h). */
#ifndef RELAYQ_MIME_H
#define RELAYQ_MIME_H

#include <stdbool.h>
#include <stdio.h>

#include "message.h"

/* MIME-Version present, Content-Type absent or text/..., and
 * Content-Transfer-Encoding absent, 7bit, 8bit or binary. */
bool mime_qp_eligible(const struct message *m);
/* Sets Content-Transfer-Encoding: quoted-printable (replacing or adding
 * the field) and recounts the header.  0, or -1 when out of memory. */
int  mime_set_qp(struct message *m);

#endif
