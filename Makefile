# relayq — build, install, test.
# Every program links only what it needs: the submitter (sendmail) links no
# OpenSSL, libsasl2, libdb or libcurl; `make check` verifies that with ldd.

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
BINDIR   ?= $(PREFIX)/bin
LIBEXEC  ?= $(PREFIX)/libexec/relayq
MANDIR   ?= $(PREFIX)/share/man
SYSCONF  ?= /etc/relayq
DESTDIR  ?=
VERSION  := 0.1.0

CC       ?= cc
SANITIZE ?=
ifeq ($(SANITIZE),1)
B        := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
B        := build/rel
SANFLAGS :=
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE -I$(B) -Isrc -Imaps -Itools/setup $(WARN) $(CFLAGS) \
            $(SANFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)

# Link sets, by trust level.
SSL_LIBS  := -lssl -lcrypto
SASL_LIBS := -lsasl2
DB_LIBS   := -ldb-5.3
CURL_LIBS := -lcurl
# relayq-setup only: the autoconfig XML parser (expat: small, streaming, no
# DTD or external entity loading unless asked) and SRV/MX lookups (libresolv,
# part of glibc).
XML_LIBS  := -lexpat
DNS_LIBS  := -lresolv

# Everything in src/ except the mains goes into one archive; the linker pulls
# only the objects a program uses, so a submitter that touched TLS code would
# fail to link without -lssl.
MAINS     := src/sendmail.c src/relayqd.c
LIB_SRCS  := $(filter-out $(MAINS),$(wildcard src/*.c))
MAP_SRCS  := $(wildcard maps/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
MAP_OBJS  := $(MAP_SRCS:%.c=$(B)/%.o)
LIBRELAYQ := $(B)/librelayq.a
LIBMAPS   := $(B)/libmaps.a
# relayq-setup's modules; tools/setup/main.c is its main.
SETUP_SRCS := $(filter-out tools/setup/main.c,$(wildcard tools/setup/*.c))
SETUP_OBJS := $(SETUP_SRCS:%.c=$(B)/%.o)
LIBSETUP  := $(B)/libsetup.a
SETUP_LIBS := $(CURL_LIBS) $(XML_LIBS) $(DNS_LIBS) $(SSL_LIBS) $(SASL_LIBS) $(DB_LIBS)

PROGS     := $(B)/sendmail $(B)/relayqd $(B)/relayq-makemap $(B)/relayq-setup
TEST_PROGS := $(B)/faultd $(B)/rss $(B)/httpsd
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)

.PHONY: FORCE all clean install check check-unit check-integration check-sanitize \
        demo deps bench fuzz lint man-lint stress
all: $(PROGS)

# Compiled-in paths live in a generated header that is rewritten only
# when a value changes, so `make install PREFIX=/usr` rebuilds what uses it.
$(B)/paths.h: FORCE
	@mkdir -p $(B)
	@printf '#define RELAYQ_VERSION "%s"\n#define RELAYQ_SYSCONF "%s"\n#define RELAYQ_LIBEXEC "%s"\n' \
	    "$(VERSION)" "$(SYSCONF)" "$(LIBEXEC)" > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@
FORCE:

$(B)/%.o: %.c | $(B)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(LIBRELAYQ): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBMAPS): $(MAP_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBSETUP): $(SETUP_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Submitter: no crypto, no SASL, no DB, no curl.
$(B)/sendmail: $(B)/src/sendmail.o $(LIBRELAYQ)
	$(CC) $(LDFLAGS) -o $@ $^

# The archives call each other (maps use buf; delivery will use maps), so
# librelayq is listed on both sides of libmaps.
$(B)/relayqd: $(B)/src/relayqd.o $(LIBRELAYQ) $(LIBMAPS) $(LIBRELAYQ)
	$(CC) $(LDFLAGS) -o $@ $+ $(SSL_LIBS) $(SASL_LIBS) $(DB_LIBS)

$(B)/relayq-makemap: $(B)/tools/makemap.o $(LIBMAPS) $(LIBRELAYQ)
	$(CC) $(LDFLAGS) -o $@ $^ $(DB_LIBS)

# The only program that speaks HTTP and parses XML.
$(B)/relayq-setup: $(B)/tools/setup/main.o $(LIBSETUP) $(LIBRELAYQ) $(LIBMAPS) $(LIBRELAYQ)
	$(CC) $(LDFLAGS) -o $@ $+ $(SETUP_LIBS)

$(B)/faultd: $(B)/tests/fault/faultd.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/httpsd: $(B)/tests/fault/httpsd.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/rss: $(B)/tests/bench/rss.o
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/unit/test_%: $(B)/tests/unit/test_%.o $(LIBSETUP) $(LIBRELAYQ) $(LIBMAPS) $(LIBRELAYQ)
	$(CC) $(LDFLAGS) -o $@ $+ -lcmocka $(SETUP_LIBS)

# libFuzzer targets: every library object rebuilt with clang's coverage
# instrumentation, one binary per tests/fuzz/fuzz_*.c, each run FUZZ_TIME s.
FUZZ_B       := build/fuzz
FUZZ_TIME    ?= 20
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -I$(B) -Isrc -Imaps -Itools/setup -g -O1 \
                -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJS    := $(LIB_SRCS:%.c=$(FUZZ_B)/%.o) $(MAP_SRCS:%.c=$(FUZZ_B)/%.o) \
                $(SETUP_SRCS:%.c=$(FUZZ_B)/%.o)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_B)/%.o: %.c | $(B)/paths.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/libfuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libfuzz.a | $(B)/paths.h
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(SETUP_LIBS)

fuzz: $(FUZZ_BINS)
	sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BINS)

deps:
	sh tests/deps.sh

check: deps
	$(MAKE) check-unit check-integration
	$(MAKE) check-sanitize
	$(MAKE) fuzz FUZZ_TIME=15

check-sanitize:
	$(MAKE) SANITIZE=1 check-unit check-integration

check-unit: $(UNIT_BINS)
	sh tests/run-unit.sh $(UNIT_BINS)

check-integration: $(PROGS) $(TEST_PROGS)
	sh tests/integration/run.sh $(B)

# The kill test at ten times CI's 300 iterations.
STRESS_RUNS ?= 3000
stress: deps $(PROGS) $(TEST_PROGS)
	KILL_RUNS=$(STRESS_RUNS) sh tests/integration/run.sh $(B) t_crash

demo: deps $(PROGS)
	sh tests/demo.sh $(B)

bench: $(PROGS) $(TEST_PROGS)
	sh tests/bench/run.sh $(B)

man-lint:
	mandoc -Tlint -W warning man/*.[0-9]

install: $(PROGS)
	sh packaging/install.sh "$(DESTDIR)" "$(SBINDIR)" "$(BINDIR)" "$(MANDIR)" "$(SYSCONF)" "$(B)" "$(LIBEXEC)"

clean:
	rm -rf build

-include $(wildcard $(B)/src/*.d $(B)/maps/*.d $(B)/tools/*.d $(B)/tools/setup/*.d $(B)/tests/*/*.d)
