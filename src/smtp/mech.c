/* mech: the mechanisms whose exchange gives away a reusable secret. */
#include "mech.h"

#include <stddef.h>
#include <strings.h>

bool
mech_sends_secret(const char *mech)
{
	static const char *const reusable[] = { "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER" };
	for (size_t i = 0; i < sizeof reusable / sizeof reusable[0]; i++)
		if (strcasecmp(mech, reusable[i]) == 0)
			return true;
	return false;
}

bool
mech_is_bearer(const char *mech)
{
	return strcasecmp(mech, "XOAUTH2") == 0 || strcasecmp(mech, "OAUTHBEARER") == 0;
}
