/* status: what became of a submission, by name — the one error convention
 * of the submission path.  status.c is the one place that turns it into
 * sendmail's exit code (sysexits) or, for -bs, an SMTP reply. */
#ifndef RELAYQ_STATUS_H
#define RELAYQ_STATUS_H

enum submit_status {
	SUBMIT_OK = 0,
	SUBMIT_USAGE,		/* bad option or address syntax */
	SUBMIT_BAD_DATA,	/* bad content: a NUL in the header, a control
				   character in an address */
	SUBMIT_TOO_BIG,		/* over max_message_size */
	SUBMIT_NO_SPACE,	/* the spool is full or below its reserve */
	SUBMIT_TEMP,		/* other temporary trouble with the spool */
	SUBMIT_CANT_CREATE,	/* maildrop/ cannot be written */
	SUBMIT_WRITE_FAILED,	/* a write failed, errno says why: the caller
				   classifies it (never leaves submit.c) */
	SUBMIT_CONFIG,		/* aliases or sender_map unusable */
	SUBMIT_NO_MEMORY,
	SUBMIT_READ_ERROR	/* reading the message failed */
};

/* sendmail's exit code for st: 0, 64, 65, 73 (not queued: too big, or the
 * maildrop unwritable), 75 (not queued, try later), 78, 71, 74. */
int submit_status_exit(enum submit_status st);
/* The -bs reply code and enhanced code for a refused message, e.g.
 * "552 5.3.4" for SUBMIT_TOO_BIG, "452 4.3.1" for SUBMIT_NO_SPACE. */
const char *submit_status_reply(enum submit_status st);

#endif
