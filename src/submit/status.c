/* status: submission outcomes to sysexits and to SMTP replies, in one table. */
#include "status.h"

#include <stddef.h>
#include <sysexits.h>

static const struct {
	enum submit_status st;
	int exit_code;
	const char *reply;
} table[] = {
	{ SUBMIT_OK,           EX_OK,        "250 2.0.0" },
	{ SUBMIT_USAGE,        EX_USAGE,     "501 5.5.4" },
	{ SUBMIT_BAD_DATA,     EX_DATAERR,   "554 5.6.0" },
	{ SUBMIT_TOO_BIG,      EX_CANTCREAT, "552 5.3.4" },	/* Postfix's too-big reply */
	{ SUBMIT_NO_SPACE,     EX_TEMPFAIL,  "452 4.3.1" },
	{ SUBMIT_TEMP,         EX_TEMPFAIL,  "451 4.3.0" },
	{ SUBMIT_CANT_CREATE,  EX_CANTCREAT, "451 4.3.0" },
	{ SUBMIT_WRITE_FAILED, EX_TEMPFAIL,  "451 4.3.0" },
	{ SUBMIT_CONFIG,       EX_CONFIG,    "451 4.3.5" },
	{ SUBMIT_NO_MEMORY,    EX_OSERR,     "451 4.3.0" },
	{ SUBMIT_READ_ERROR,   EX_IOERR,     "451 4.3.0" },
};

int
submit_status_exit(enum submit_status st)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].st == st)
			return table[i].exit_code;
	return EX_SOFTWARE;
}

const char *
submit_status_reply(enum submit_status st)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].st == st)
			return table[i].reply;
	return "451 4.3.0";
}
