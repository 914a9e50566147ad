/* version: the common part of every program's --version (see version.h).
 * The library versions come from the one file that includes each library. */
#include "version.h"
#include "relayq.h"

int
version_print(FILE *fp, const struct version_info *v)
{
	fprintf(fp, "relayq %s (%s)\n", RELAYQ_VERSION, v->prog);
	fprintf(fp, "TLS library: %s\n", v->tls);
	if (v->sasl != NULL)
		fprintf(fp, "SASL library: %s\n", v->sasl);
	if (v->sasl_mechs != NULL)
		fprintf(fp, "SASL mechanisms available: %s\n", v->sasl_mechs);
	if (v->db != NULL)
		fprintf(fp, "Map library: %s\n", v->db);
	fprintf(fp, "Configuration file: %s\n", RELAYQ_CONF_DEFAULT);
	fprintf(fp, "Spool directory (default): %s\n", RELAYQ_SPOOL_DEFAULT);
	fprintf(fp, "Helper directory: %s\n", RELAYQ_LIBEXEC);
	fprintf(fp, "Mail name file: %s\n", RELAYQ_MAILNAME);
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
