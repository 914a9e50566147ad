/* prepare: everything sendmail does to a message at submission — -t
 * recipients, aliases (with this host's own names), qualification, Bcc
 * removal, the envelope sender (-f, sender map, masquerade), the Date,
 * Message-ID and From it must carry, and header lines folded to 998. */
#ifndef RELAYQ_PREPARE_H
#define RELAYQ_PREPARE_H

#include <stddef.h>

#include "message.h"
#include "status.h"

/* rcpts: the command line's (or RCPT TO's) recipients; res receives the
 * envelope (message_result_free).  SUBMIT_OK, or a status with err. */
enum submit_status prepare_message(struct message *m, const struct msg_opts *o,
    char *const *rcpts, size_t nrcpts, struct msg_result *res, char *err, size_t errlen);

#endif
