/* envelope: a message's envelope in memory — sender, recipients and their
 * delivery states, DSN parameters — shared by drop files and .qf files. */
#include "envelope.h"

#include <stdlib.h>
#include <string.h>

void
envelope_init(struct envelope *e)
{
	memset(e, 0, sizeof *e);
}

void
envelope_free(struct envelope *e)
{
	free(e->sender);
	free(e->msgid);
	free(e->notify);
	free(e->ret);
	free(e->envid);
	free(e->body);
	free(e->reason);
	for (size_t i = 0; i < e->nrcpt; i++) {
		free(e->rcpts[i].addr);
		free(e->rcpts[i].reply);
	}
	free(e->rcpts);
	envelope_init(e);
}

int
envelope_set(char **field, const char *value)
{
	char *p = NULL;
	if (value != NULL && (p = strdup(value)) == NULL)
		return -1;
	free(*field);
	*field = p;
	return 0;
}

int
envelope_add_rcpt(struct envelope *e, const char *addr)
{
	struct env_rcpt *r = realloc(e->rcpts, (e->nrcpt + 1) * sizeof *r);
	if (r == NULL)
		return -1;
	e->rcpts = r;
	r = &e->rcpts[e->nrcpt];
	if ((r->addr = strdup(addr)) == NULL)
		return -1;
	r->state = RCPT_PENDING;
	r->reply = NULL;
	e->nrcpt++;
	return 0;
}
