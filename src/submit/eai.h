/* eai: email address internationalization at submission (RFC 6531,
 * RFC 6532).  Every address may be ASCII or UTF-8, never other 8-bit
 * octets; and one decision, recorded in the envelope ('Y' record):
 *
 *   a message needs SMTPUTF8 as a whole when -U (or MAIL ... SMTPUTF8 in
 *   -bs) asked for it, when its envelope sender is not ASCII, or when an
 *   addr-spec in one of the header's address fields (From, Sender,
 *   Reply-To, To, Cc and their Resent- forms; Bcc is removed before the
 *   message is stored, so its addresses are recipients only) is not ASCII.
 *
 * Not counted: display names, comments and other fields (Subject) with
 * 8-bit text — mail with such headers has always been relayed over
 * 8BITMIME, and a reader loses nothing when it is — and recipients.  A
 * non-ASCII recipient needs SMTPUTF8 for its own RCPT only: the client
 * decides per recipient (smtp.h), so one UTF-8 address among the envelope
 * recipients of an ASCII message does not hold up the others. */
#ifndef RELAYQ_EAI_H
#define RELAYQ_EAI_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "status.h"

/* The decision above, for a prepared message (deleted fields skipped). */
bool eai_needs_smtputf8(const struct message *m, const char *sender, bool forced);

/* Checks res's sender and recipients and the header's address fields:
 * SUBMIT_BAD_DATA with err naming the address (octets quoted as \xHH)
 * when one is not well-formed UTF-8; else sets res->smtputf8 by the rule
 * above (forced: -U) and returns SUBMIT_OK. */
enum submit_status eai_check(const struct message *m, bool forced,
    struct msg_result *res, char *err, size_t errlen);

#endif
