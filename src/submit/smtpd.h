/* smtpd: `sendmail -bs`, an SMTP server dialogue on stdin/stdout; each
 * DATA is one submission (submit_stream), refused with status.c's reply. */
#ifndef RELAYQ_SMTPD_H
#define RELAYQ_SMTPD_H

#include "cli.h"
#include "conf.h"
#include "status.h"

enum submit_status smtpd_dialogue(const struct cli *c, const struct conf *conf);

#endif
