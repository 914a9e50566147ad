/* sender: what relayq-setup --add-sender writes for one envelope sender —
 * its line in the sender_relay source, keyed by the address in lower case
 * with a value in the relay syntax of relayq.conf's smarthost
 * ("alice@work.example smtp.work.example:465 tls=smtps"), and the
 * sender-qualified AuthInfo key of its login
 * ("AuthInfo:smtp.work.example/alice@work.example"). */
#ifndef RELAYQ_SETUP_SENDER_H
#define RELAYQ_SETUP_SENDER_H

#include <stddef.h>

#include "candidate.h"
#include "relaylist.h"

#define SENDER_KEY_MAX 600
/* The new entry's key, then a bare and a bracketed key per old relay. */
#define SENDER_KEYS_MAX (1 + 2 * RELAYS_MAX)

/* The map key of email: the address in lower case.  -1 with err when it
 * cannot be one (a key starting with '#' would be a comment line). */
int sender_key(const char *email, char *out, size_t size, char *err, size_t errlen);

/* "host:port tls=smtps|starttls" of the verified server. */
void sender_route_value(const struct candidate *c, char *out, size_t size);

/* The AuthInfo keys whose entries the sender's new login replaces: first
 * its own ("AuthInfo:<host>/<sender>", the one written), then, for each
 * relay of the route it had before (old_value, "" for none; a value
 * relaylist cannot parse adds nothing), "AuthInfo:<relay>/<sender>" with
 * and without brackets.  Other senders' and sendmail's own keys are never
 * among them.  Returns how many were put into keys. */
size_t sender_authinfo_keys(const char *host, const char *sender, const char *old_value,
    char keys[][SENDER_KEY_MAX], size_t max);

#endif
