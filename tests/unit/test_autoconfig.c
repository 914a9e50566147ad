/* test_autoconfig: config-v1.1.xml parsing -- outgoing SMTP servers,
 * placeholders, refused DOCTYPEs, dropped servers and their notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconfig.h"
#include "buf.h"

#define EMAIL "fred@kettlemail.example"

static int
parse(struct ac_config *cfg, const char *xml, char *err, size_t errlen)
{
	return autoconfig_parse(cfg, xml, strlen(xml), EMAIL, err, errlen);
}

/* One document around the given emailProvider contents. */
static int
parse_provider(struct ac_config *cfg, const char *inner, char *err,
    size_t errlen)
{
	struct buf b;
	buf_init(&b);
	assert_int_equal(buf_printf(&b, "<?xml version=\"1.0\"?>\n"
	    "<clientConfig version=\"1.1\">\n<emailProvider id=\"p.example\">\n"
	    "%s\n</emailProvider>\n</clientConfig>\n", inner), 0);
	int rc = autoconfig_parse(cfg, buf_str(&b), b.len, EMAIL, err, errlen);
	buf_free(&b);
	return rc;
}

static const char example[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<clientConfig version=\"1.1\">\n"
"  <emailProvider id=\"kettlemail.example\">\n"
"    <domain>kettlemail.example</domain>\n"
"    <domain>kettle.example</domain>\n"
"    <displayName>Kettle Mail</displayName>\n"
"    <displayShortName>Kettle</displayShortName>\n"
"    <incomingServer type=\"imap\">\n"
"      <hostname>imap.kettlemail.example</hostname>\n"
"      <port>993</port>\n"
"      <socketType>SSL</socketType>\n"
"      <authentication>password-cleartext</authentication>\n"
"      <username>%EMAILADDRESS%</username>\n"
"    </incomingServer>\n"
"    <outgoingServer type=\"smtp\">\n"
"      <hostname>out.kettlemail.example</hostname>\n"
"      <port>465</port>\n"
"      <socketType>SSL</socketType>\n"
"      <authentication system=\"sasl\">SCRAM-SHA-256</authentication>\n"
"      <authentication>password-cleartext</authentication>\n"
"      <username>%EMAILLOCALPART%</username>\n"
"    </outgoingServer>\n"
"    <outgoingServer type=\"smtp\">\n"
"      <hostname>out.kettlemail.example</hostname>\n"
"      <port>587</port>\n"
"      <socketType>STARTTLS</socketType>\n"
"      <authentication>password-cleartext</authentication>\n"
"      <username>%EMAILLOCALPART%</username>\n"
"    </outgoingServer>\n"
"  </emailProvider>\n"
"</clientConfig>\n";

static void
test_example(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse(&cfg, example, err, sizeof err), 0);
	assert_string_equal(cfg.provider, "kettlemail.example");
	assert_string_equal(cfg.display_name, "Kettle Mail");
	assert_false(cfg.oauth2);
	assert_int_equal(cfg.nservers, 2);
	assert_string_equal(cfg.notes, "");

	const struct ac_server *s = &cfg.servers[0];
	assert_string_equal(s->hostname, "out.kettlemail.example");
	assert_int_equal(s->port, 465);
	assert_int_equal(s->socket, AC_SOCK_SSL);
	assert_int_equal(s->auth, AC_AUTH_CLEARTEXT);
	assert_string_equal(s->sasl_mechs, "SCRAM-SHA-256");
	assert_string_equal(s->username, "fred");

	s = &cfg.servers[1];
	assert_string_equal(s->hostname, "out.kettlemail.example");
	assert_int_equal(s->port, 587);
	assert_int_equal(s->socket, AC_SOCK_STARTTLS);
	assert_int_equal(s->auth, AC_AUTH_CLEARTEXT);
	assert_string_equal(s->sasl_mechs, "");
	assert_string_equal(s->username, "fred");
}

/* The example without its terminating NUL: exact-size buffer, any split. */
static void
test_exact_size_buffer(void **state)
{
	struct ac_config cfg;
	char err[512];
	size_t n = strlen(example);
	char *copy = malloc(n);

	assert_non_null(copy);
	memcpy(copy, example, n);
	assert_int_equal(autoconfig_parse(&cfg, copy, n, EMAIL, err,
	    sizeof err), 0);
	assert_int_equal(cfg.nservers, 2);
	free(copy);

	/* len 0: an error, not a crash */
	assert_int_equal(autoconfig_parse(&cfg, "", 0, EMAIL, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "line 1"));
	assert_int_equal(autoconfig_parse(&cfg, NULL, 0, EMAIL, err,
	    sizeof err), -1);
}

static void
test_placeholders_in_hostname(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<displayName>%EMAILDOMAIN% mail</displayName>"
	    "<outgoingServer type=\"smtp\">"
	    "<hostname>smtp.%EMAILDOMAIN%.</hostname>"
	    "<username>%EMAILADDRESS%</username>"
	    "</outgoingServer>", err, sizeof err), 0);
	assert_int_equal(cfg.nservers, 1);
	assert_string_equal(cfg.servers[0].hostname, "smtp.kettlemail.example");
	assert_string_equal(cfg.servers[0].username, EMAIL);
	assert_int_equal(cfg.servers[0].port, 0);
	assert_int_equal(cfg.servers[0].socket, AC_SOCK_UNKNOWN);
	assert_int_equal(cfg.servers[0].auth, 0);
	assert_string_equal(cfg.display_name, "kettlemail.example mail");
}

static void
test_hostname_lowercased_and_trimmed(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"SMTP\">"
	    "<hostname>\n   Smtp.Example.ORG  \n</hostname>"
	    "<port> 25 </port>"
	    "</outgoingServer>", err, sizeof err), 0);
	assert_int_equal(cfg.nservers, 1);
	assert_string_equal(cfg.servers[0].hostname, "smtp.example.org");
	assert_int_equal(cfg.servers[0].port, 25);
}

static void
test_incoming_and_unknown_ignored(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<incomingServer type=\"imap\"><hostname>imap.example.org"
	    "</hostname><port>993</port></incomingServer>"
	    "<incomingServer type=\"smtp\"><hostname>wrong.example.org"
	    "</hostname></incomingServer>"
	    "<outgoingServer type=\"ews\"><hostname>ews.example.org"
	    "</hostname></outgoingServer>"
	    "<futureThing><outgoingServer type=\"smtp\"><hostname>"
	    "nested.example.org</hostname></outgoingServer></futureThing>"
	    "<outgoingServer type=\"smtp\">"
	    "<futureElement a=\"b\">x<hostname>inner.example.org</hostname>"
	    "</futureElement>"
	    "<hostname>smtp.example.org<!-- c --></hostname>"
	    "<port>587</port>"
	    "<socketType>STARTTLS</socketType>"
	    "<authentication>password-encrypted</authentication>"
	    "<authentication>NTLM</authentication>"
	    "<addThisServer>true</addThisServer>"
	    "<useGlobalPreferredServer>false</useGlobalPreferredServer>"
	    "</outgoingServer>"
	    "<documentation url=\"https://x.example/\"><descr>d</descr>"
	    "</documentation>", err, sizeof err), 0);
	assert_int_equal(cfg.nservers, 1);
	assert_string_equal(cfg.servers[0].hostname, "smtp.example.org");
	assert_int_equal(cfg.servers[0].port, 587);
	assert_int_equal(cfg.servers[0].socket, AC_SOCK_STARTTLS);
	assert_int_equal(cfg.servers[0].auth,
	    AC_AUTH_ENCRYPTED | AC_AUTH_OTHER);
	assert_string_equal(cfg.notes, "");
}

static void
test_element_names_case_sensitive(void **state)
{
	struct ac_config cfg;
	char err[512];

	/* <HostName> is not <hostname>: the server has none */
	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><HostName>smtp.example.org"
	    "</HostName></outgoingServer>", err, sizeof err), -1);
	assert_string_equal(err,
	    "no usable outgoing SMTP server (server 1: no host name)");
	assert_int_equal(parse(&cfg, "<clientconfig/>", err, sizeof err), -1);
	assert_string_equal(err,
	    "root element is <clientconfig>, expected <clientConfig>");
}

static void
test_oauth2_only(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse(&cfg,
	    "<clientConfig version=\"1.1\"><emailProvider id=\"big.example\">"
	    "<outgoingServer type=\"smtp\">"
	    "<hostname>smtp.big.example</hostname><port>465</port>"
	    "<socketType>SSL</socketType>"
	    "<authentication>OAuth2</authentication>"
	    "<username>%EMAILADDRESS%</username>"
	    "</outgoingServer></emailProvider>"
	    "<oAuth2><issuer>big.example</issuer><scope>s</scope>"
	    "<authURL>https://a</authURL><tokenURL>https://t</tokenURL>"
	    "</oAuth2></clientConfig>", err, sizeof err), 0);
	assert_true(cfg.oauth2);
	assert_int_equal(cfg.nservers, 1);
	assert_int_equal(cfg.servers[0].auth, AC_AUTH_OAUTH2);

	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>smtp.big.example"
	    "</hostname><authentication>OAuth</authentication>"
	    "</outgoingServer>", err, sizeof err), 0);
	assert_false(cfg.oauth2);
	assert_int_equal(cfg.servers[0].auth, AC_AUTH_OAUTH2);
}

static void
test_auth_values(void **state)
{
	struct ac_config cfg;
	char err[512], names[256];

	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>a.example</hostname>"
	    "<authentication>plain</authentication>"
	    "<authentication>secure</authentication>"
	    "<authentication>TLS-client-cert</authentication>"
	    "<authentication>client-IP-address</authentication>"
	    "<authentication>smtp-after-pop</authentication>"
	    "<authentication system=\"sasl\">scram-sha-1</authentication>"
	    "<authentication system=\"sasl\">SCRAM-SHA-1</authentication>"
	    "<authentication system=\"SASL\">CRAM-MD5</authentication>"
	    "</outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>b.example</hostname>"
	    "<authentication system=\"sasl\">BAD MECH</authentication>"
	    "<authentication system=\"sasl\">A23456789012345678901"
	    "</authentication>"
	    "<authentication system=\"http\">Basic</authentication>"
	    "</outgoingServer>", err, sizeof err), 0);
	assert_int_equal(cfg.nservers, 2);
	assert_int_equal(cfg.servers[0].auth, AC_AUTH_CLEARTEXT |
	    AC_AUTH_ENCRYPTED | AC_AUTH_CLIENT_CERT | AC_AUTH_NONE |
	    AC_AUTH_OTHER);
	assert_string_equal(cfg.servers[0].sasl_mechs, "SCRAM-SHA-1 CRAM-MD5");
	/* invalid SASL names and other systems: "something we cannot do" */
	assert_int_equal(cfg.servers[1].auth, AC_AUTH_OTHER);
	assert_string_equal(cfg.servers[1].sasl_mechs, "");

	ac_auth_names(cfg.servers[0].auth, names, sizeof names);
	assert_string_equal(names, "password-cleartext password-encrypted "
	    "TLS-client-cert none other");
	ac_auth_names(AC_AUTH_OAUTH2, names, sizeof names);
	assert_string_equal(names, "OAuth2");
	ac_auth_names(0, names, sizeof names);
	assert_string_equal(names, "");
	ac_auth_names(AC_AUTH_CLEARTEXT | AC_AUTH_ENCRYPTED, names, 25);
	assert_string_equal(names, "password-cleartext");
}

static void
test_socket_types(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>a.example</hostname>"
	    "<socketType>ssl</socketType></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>b.example</hostname>"
	    "<socketType>StartTLS</socketType></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>c.example</hostname>"
	    "<socketType>PLAIN</socketType></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>d.example</hostname>"
	    "<socketType>TLS</socketType></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>e.example</hostname>"
	    "<socketType>plain</socketType></outgoingServer>",
	    err, sizeof err), 0);
	assert_int_equal(cfg.nservers, 5);
	assert_int_equal(cfg.servers[0].socket, AC_SOCK_SSL);
	assert_int_equal(cfg.servers[1].socket, AC_SOCK_STARTTLS);
	assert_int_equal(cfg.servers[2].socket, AC_SOCK_PLAIN);
	assert_int_equal(cfg.servers[3].socket, AC_SOCK_UNKNOWN);
	assert_int_equal(cfg.servers[4].socket, AC_SOCK_PLAIN);
	assert_string_equal(ac_socket_name(AC_SOCK_SSL), "SSL");
	assert_string_equal(ac_socket_name(AC_SOCK_STARTTLS), "STARTTLS");
	assert_string_equal(ac_socket_name(AC_SOCK_PLAIN), "plain");
	assert_string_equal(ac_socket_name(AC_SOCK_UNKNOWN), "unknown");
}

static void
test_malformed(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse(&cfg, "<clientConfig>\n<emailProvider>\n"
	    "</clientConfig>", err, sizeof err), -1);
	assert_string_equal(err, "line 3: mismatched tag");
	assert_int_equal(cfg.nservers, 0);
	assert_int_equal(parse(&cfg, "<clientConfig><a b=c/></clientConfig>",
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1: "));
	assert_int_equal(parse(&cfg, "not xml at all", err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1: "));
	/* a truncated document */
	assert_int_equal(autoconfig_parse(&cfg, example, strlen(example) / 2,
	    EMAIL, err, sizeof err), -1);
	assert_non_null(strstr(err, "line "));
	/* an undeclared entity */
	assert_int_equal(parse(&cfg, "<clientConfig>&xxe;</clientConfig>",
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "line 1: "));
	/* a small err buffer is terminated */
	char small[8];
	assert_int_equal(parse(&cfg, "<x", small, sizeof small), -1);
	assert_int_equal(strlen(small), sizeof small - 1);
}

static void
test_doctype_refused(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse(&cfg, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE clientConfig>\n<clientConfig/>", err, sizeof err), -1);
	assert_string_equal(err, "DOCTYPE not allowed");
	/* external entity (XXE) */
	assert_int_equal(parse(&cfg, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE clientConfig [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<clientConfig><emailProvider><outgoingServer type=\"smtp\">"
	    "<hostname>&x;</hostname></outgoingServer></emailProvider>"
	    "</clientConfig>", err, sizeof err), -1);
	assert_string_equal(err, "DOCTYPE not allowed");
	/* billion laughs */
	assert_int_equal(parse(&cfg, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n<clientConfig>&lol9;</clientConfig>", err, sizeof err), -1);
	assert_string_equal(err, "DOCTYPE not allowed");
	/* a DOCTYPE after the root cannot occur: that is a syntax error */
	assert_int_equal(parse(&cfg, "<clientConfig/><!DOCTYPE x>", err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "line 1: "));
}

static void
test_wrong_root(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse(&cfg, "<html><body>404</body></html>", err,
	    sizeof err), -1);
	assert_string_equal(err,
	    "root element is <html>, expected <clientConfig>");
	/* a namespace prefix is part of the name (no namespace processing) */
	assert_int_equal(parse(&cfg, "<a:clientConfig xmlns:a=\"u\"/>", err,
	    sizeof err), -1);
	assert_string_equal(err,
	    "root element is <a:clientConfig>, expected <clientConfig>");
	/* a huge root name is cut in the message */
	struct buf b;
	buf_init(&b);
	assert_int_equal(buf_puts(&b, "<"), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_int_equal(buf_puts(&b, "/>"), 0);
	assert_int_equal(autoconfig_parse(&cfg, buf_str(&b), b.len, EMAIL, err,
	    sizeof err), -1);
	assert_true(strlen(err) < 200);
	buf_free(&b);
}

static void
test_dropped_servers(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>good.example</hostname>"
	    "<port>587</port></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>bad_host.example"
	    "</hostname></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<port>0</port></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<port>70000</port></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<username>fr\"ed</username></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<username>fr\\ed</username></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>localhost</hostname>"
	    "</outgoingServer>"
	    "<outgoingServer type=\"smtp\"><port>25</port></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<port>-1</port></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<username>a&#9;b</username></outgoingServer>",
	    err, sizeof err), 0);
	assert_int_equal(cfg.nservers, 1);
	assert_string_equal(cfg.servers[0].hostname, "good.example");
	assert_string_equal(cfg.notes,
	    "server 2: invalid host name; server 3: invalid port; "
	    "server 4: invalid port; server 5: invalid user name; "
	    "server 6: invalid user name; server 7: invalid host name; "
	    "server 8: no host name; server 9: invalid port; "
	    "server 10: invalid user name");
}

static void
test_bad_hostnames(void **state)
{
	static const char *const bad[] = {
		"-a.example", "a-.example", "a..example", ".a.example",
		"a.example..", "a b.example", "a.example/x", "ex\xc3\xa4mple.org",
		"1234567890123456789012345678901234567890123456789012345678901234.x",
		"nodot", "",
	};
	struct ac_config cfg;
	char err[512], doc[600];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf_rq(doc, sizeof doc, "<outgoingServer type=\"smtp\">"
		    "<hostname>%s</hostname></outgoingServer>", bad[i]);
		assert_int_equal(parse_provider(&cfg, doc, err, sizeof err),
		    -1);
		assert_non_null(strstr(err, "no usable outgoing SMTP server "
		    "(server 1: "));
	}
	/* 63-character label and a 253-character name are fine */
	assert_int_equal(parse_provider(&cfg, "<outgoingServer type=\"smtp\">"
	    "<hostname>123456789012345678901234567890123456789012345678901234"
	    "567890123.example</hostname></outgoingServer>", err, sizeof err),
	    0);
	char host[254];
	memset(host, 'a', 253);
	host[253] = '\0';
	for (size_t i = 63; i < 253; i += 64)
		host[i] = '.';
	snprintf_rq(doc, sizeof doc, "<outgoingServer type=\"smtp\">"
	    "<hostname>%s</hostname></outgoingServer>", host);
	assert_int_equal(parse_provider(&cfg, doc, err, sizeof err), 0);
	assert_string_equal(cfg.servers[0].hostname, host);
	/* 254 characters: too long for DNS */
	char longer[260];
	snprintf_rq(longer, sizeof longer, "a%s", host);
	snprintf_rq(doc, sizeof doc, "<outgoingServer type=\"smtp\">"
	    "<hostname>%s</hostname></outgoingServer>", longer);
	assert_int_equal(parse_provider(&cfg, doc, err, sizeof err), -1);
	assert_string_equal(err, "no usable outgoing SMTP server "
	    "(server 1: invalid host name)");
}

static void
test_too_long_values(void **state)
{
	struct ac_config cfg;
	char err[512];
	struct buf b;

	buf_init(&b);
	assert_int_equal(buf_puts(&b, "<outgoingServer type=\"smtp\">"
	    "<hostname>"), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_puts(&b, "a."), 0);
	assert_int_equal(buf_puts(&b, "example</hostname></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<username>"), 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(buf_putc(&b, 'u'), 0);
	assert_int_equal(buf_puts(&b, "</username></outgoingServer>"
	    "<outgoingServer type=\"smtp\"><hostname>ok.example</hostname>"
	    "<port>00000000000000000000000587</port></outgoingServer>"
	    "<displayName>"), 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(buf_puts(&b, "\xc3\xa4"), 0);
	assert_int_equal(buf_puts(&b, "</displayName>"), 0);
	assert_int_equal(parse_provider(&cfg, buf_str(&b), err, sizeof err),
	    -1);
	assert_string_equal(err, "no usable outgoing SMTP server (server 1: "
	    "host name too long; server 2: user name too long; "
	    "server 3: invalid port)");
	buf_free(&b);

	/* a value that only fits because trailing space is dropped */
	buf_init(&b);
	assert_int_equal(buf_puts(&b, "<outgoingServer type=\"smtp\">"
	    "<hostname>ok.example</hostname><username>"), 0);
	for (int i = 0; i < AC_NAME_MAX - 1; i++)
		assert_int_equal(buf_putc(&b, 'u'), 0);
	assert_int_equal(buf_puts(&b, "  \n </username></outgoingServer>"),
	    0);
	assert_int_equal(parse_provider(&cfg, buf_str(&b), err, sizeof err),
	    0);
	assert_int_equal(strlen(cfg.servers[0].username), AC_NAME_MAX - 1);
	buf_free(&b);
}

static void
test_display_name_sanitized(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse(&cfg, "<clientConfig><emailProvider "
	    "id=\"a&#9;[31mb\">"
	    "<displayName>K\xc3\xa4ttle&#10;Mail&#x85;!</displayName>"
	    "<displayName>second</displayName>"
	    "<outgoingServer type=\"smtp\"><hostname>a.example</hostname>"
	    "</outgoingServer></emailProvider></clientConfig>", err,
	    sizeof err), 0);
	assert_string_equal(cfg.provider, "a?[31mb");
	assert_string_equal(cfg.display_name, "K\xc3\xa4ttle?Mail?!");

	/* a long display name is cut on a character boundary */
	struct buf b;
	buf_init(&b);
	assert_int_equal(buf_puts(&b, "<displayName>"), 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(buf_puts(&b, "\xc3\xa4"), 0);
	assert_int_equal(buf_puts(&b, "</displayName><outgoingServer "
	    "type=\"smtp\"><hostname>a.example</hostname></outgoingServer>"),
	    0);
	assert_int_equal(parse_provider(&cfg, buf_str(&b), err, sizeof err),
	    0);
	size_t n = strlen(cfg.display_name);
	assert_true(n > 0 && n < AC_NAME_MAX && n % 2 == 0);
	for (size_t i = 0; i < n; i += 2)
		assert_memory_equal(cfg.display_name + i, "\xc3\xa4", 2);
	buf_free(&b);
}

static void
test_no_outgoing_server(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<incomingServer type=\"imap\"><hostname>imap.example.org"
	    "</hostname></incomingServer>", err, sizeof err), -1);
	assert_string_equal(err, "no usable outgoing SMTP server");
	assert_int_equal(parse(&cfg, "<clientConfig version=\"1.1\"/>", err,
	    sizeof err), -1);
	assert_string_equal(err, "no usable outgoing SMTP server");
	/* outgoingServer outside emailProvider does not count */
	assert_int_equal(parse(&cfg, "<clientConfig><outgoingServer "
	    "type=\"smtp\"><hostname>a.example</hostname></outgoingServer>"
	    "</clientConfig>", err, sizeof err), -1);
	assert_string_equal(err, "no usable outgoing SMTP server");
}

static void
test_server_cap(void **state)
{
	struct ac_config cfg;
	char err[512];
	struct buf b;

	buf_init(&b);
	for (int i = 1; i <= 11; i++)
		assert_int_equal(buf_printf(&b, "<outgoingServer type=\"smtp\">"
		    "<hostname>s%d.example</hostname></outgoingServer>", i),
		    0);
	assert_int_equal(parse_provider(&cfg, buf_str(&b), err, sizeof err),
	    0);
	assert_int_equal(cfg.nservers, AC_MAX_SERVERS);
	assert_string_equal(cfg.servers[0].hostname, "s1.example");
	assert_string_equal(cfg.servers[7].hostname, "s8.example");
	assert_string_equal(cfg.notes,
	    "3 more outgoing servers ignored (at most 8 kept)");
	buf_free(&b);

	/* many dropped servers: the notes end in "..." and stay bounded */
	buf_init(&b);
	for (int i = 1; i <= 200; i++)
		assert_int_equal(buf_puts(&b, "<outgoingServer type=\"smtp\">"
		    "<port>1</port></outgoingServer>"), 0);
	assert_int_equal(buf_puts(&b, "<outgoingServer type=\"smtp\">"
	    "<hostname>a.example</hostname></outgoingServer>"), 0);
	assert_int_equal(parse_provider(&cfg, buf_str(&b), err, sizeof err),
	    0);
	assert_int_equal(cfg.nservers, 1);
	size_t n = strlen(cfg.notes);
	assert_true(n < AC_NOTE_MAX && n > 5);
	assert_string_equal(cfg.notes + n - 5, "; ...");
	buf_free(&b);
}

static void
test_expand(void **state)
{
	char out[64];

	assert_int_equal(autoconfig_expand(out, sizeof out,
	    "%EMAILLOCALPART%@%EMAILDOMAIN% <%EMAILADDRESS%> 100% %X% %",
	    "fred@example.org"), 0);
	assert_string_equal(out,
	    "fred@example.org <fred@example.org> 100% %X% %");
	assert_int_equal(autoconfig_expand(out, sizeof out, "%emailaddress%",
	    "fred@example.org"), 0);
	assert_string_equal(out, "%emailaddress%");
	assert_int_equal(autoconfig_expand(out, sizeof out,
	    "[%EMAILLOCALPART%|%EMAILDOMAIN%]", "nodomain"), 0);
	assert_string_equal(out, "[nodomain|]");
	assert_int_equal(autoconfig_expand(out, sizeof out,
	    "[%EMAILADDRESS%]", NULL), 0);
	assert_string_equal(out, "[]");

	/* exactly fits, then one byte too small */
	assert_int_equal(autoconfig_expand(out, 17, "%EMAILADDRESS%",
	    "fred@example.org"), 0);
	assert_string_equal(out, "fred@example.org");
	assert_int_equal(autoconfig_expand(out, 16, "%EMAILADDRESS%",
	    "fred@example.org"), -1);
	assert_string_equal(out, "");
	assert_int_equal(autoconfig_expand(out, 3, "abc", "a@b"), -1);
	assert_int_equal(autoconfig_expand(out, 4, "abc", "a@b"), 0);
	assert_int_equal(autoconfig_expand(out, 0, "", "a@b"), -1);

	/* a placeholder expanding past AC_NAME_MAX drops the server */
	char email[300];
	memset(email, 'x', 250);
	snprintf_rq(email + 250, sizeof email - 250, "@example.org");
	struct ac_config cfg;
	char err[512];
	const char *doc = "<clientConfig><emailProvider><outgoingServer "
	    "type=\"smtp\"><hostname>smtp.example.org</hostname><username>"
	    "%EMAILADDRESS%</username></outgoingServer></emailProvider>"
	    "</clientConfig>";
	assert_int_equal(autoconfig_parse(&cfg, doc, strlen(doc), email, err,
	    sizeof err), -1);
	assert_string_equal(err, "no usable outgoing SMTP server "
	    "(server 1: user name too long)");
}

static void
test_utf8_username_and_encodings(void **state)
{
	struct ac_config cfg;
	char err[512];

	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>a.example</hostname>"
	    "<username>j\xc3\xb6rg m\xc3\xbcller</username></outgoingServer>",
	    err, sizeof err), 0);
	assert_string_equal(cfg.servers[0].username,
	    "j\xc3\xb6rg m\xc3\xbcller");
	/* a C1 control character via a character reference */
	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>a.example</hostname>"
	    "<username>a&#x9b;b</username></outgoingServer>",
	    err, sizeof err), -1);
	/* invalid UTF-8 is a well-formedness error */
	assert_int_equal(parse_provider(&cfg,
	    "<outgoingServer type=\"smtp\"><hostname>a.example</hostname>"
	    "<username>a\xff</username></outgoingServer>",
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "line "));
	/* a Latin-1 document arrives as UTF-8 */
	assert_int_equal(parse(&cfg, "<?xml version=\"1.0\" "
	    "encoding=\"ISO-8859-1\"?><clientConfig><emailProvider>"
	    "<displayName>K\xe4ttle</displayName><outgoingServer type=\"smtp\">"
	    "<hostname>a.example</hostname></outgoingServer></emailProvider>"
	    "</clientConfig>", err, sizeof err), 0);
	assert_string_equal(cfg.display_name, "K\xc3\xa4ttle");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_exact_size_buffer),
		cmocka_unit_test(test_placeholders_in_hostname),
		cmocka_unit_test(test_hostname_lowercased_and_trimmed),
		cmocka_unit_test(test_incoming_and_unknown_ignored),
		cmocka_unit_test(test_element_names_case_sensitive),
		cmocka_unit_test(test_oauth2_only),
		cmocka_unit_test(test_auth_values),
		cmocka_unit_test(test_socket_types),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_doctype_refused),
		cmocka_unit_test(test_wrong_root),
		cmocka_unit_test(test_dropped_servers),
		cmocka_unit_test(test_bad_hostnames),
		cmocka_unit_test(test_too_long_values),
		cmocka_unit_test(test_display_name_sanitized),
		cmocka_unit_test(test_no_outgoing_server),
		cmocka_unit_test(test_server_cap),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_utf8_username_and_encodings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
