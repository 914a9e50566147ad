/* smtp_version: the --version report of relayqd and relayq-setup (see
 * smtp_version.h); version.c formats it. */
#include "smtp_version.h"
#include "buf.h"
#include "map_db.h"
#include "relayq.h"
#include "sasl.h"
#include "tls.h"
#include "version.h"

int
smtp_version_print(FILE *fp, const char *prog)
{
	char sasl[128], mechs[512], err[RELAYQ_ERRLEN];
	saslc_library_version(sasl, sizeof sasl);
	if (saslc_mechanisms(mechs, sizeof mechs, err, sizeof err) == -1)
		snprintf_rq(mechs, sizeof mechs, "unknown (%s)", err);
	struct version_info v = {
		.prog = prog, .tls = tls_library_version(), .sasl = sasl,
		.sasl_mechs = mechs, .db = mapdb_version(),
	};
	int rc = version_print(fp, &v);
	saslc_global_done();
	return rc == 0 ? EX_OK : EX_IOERR;
}
