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
# CPPFLAGS from the environment (dpkg-buildflags: _FORTIFY_SOURCE) is kept.
ALLCFLAGS = -std=c11 -D_GNU_SOURCE -I$(B) $(INC) $(WARN) $(CPPFLAGS) $(CFLAGS) \
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
# relayq-setup only: the Public Suffix List (libpsl, already in libcurl's
# dependencies) for the base domain of an MX host (example.co.uk).
PSL_LIBS  := -lpsl

# ---- The walls -------------------------------------------------------------
# Each folder is one archive, compiled with its own include list: a header
# from a folder not on the list does not exist for it, so an include across
# a trust or stage boundary fails to compile (tests/walls.sh shows it).
# Archives link bottom first: lib <- addr, spool, maps <- submit, queue,
# smtp <- deliver, setup.  No archive is listed twice in any link line.
DIRS_lib     := src/lib
DIRS_addr    := src/addr src/lib
DIRS_spool   := src/spool src/lib
DIRS_maps    := maps src/lib
DIRS_submit  := src/submit src/addr src/spool src/lib
DIRS_queue   := src/queue src/spool src/lib
DIRS_smtp    := src/smtp maps src/lib
DIRS_deliver := src/deliver src/queue src/smtp src/addr src/spool maps src/lib
DIRS_setup   := tools/setup src/smtp maps src/lib
DIRS_tools   := maps src/lib
# relayq-oauth2-refresh: the token endpoint client (libcurl), run by relayqd
DIRS_oauth2  := src/oauth2 src/lib
DIRS_all     := src/lib src/addr src/spool src/submit src/queue src/smtp \
                src/deliver maps tools/setup src/oauth2

$(B)/src/lib/%.o:     INC = $(DIRS_lib:%=-I%)
$(B)/src/addr/%.o:    INC = $(DIRS_addr:%=-I%)
$(B)/src/spool/%.o:   INC = $(DIRS_spool:%=-I%)
$(B)/maps/%.o:        INC = $(DIRS_maps:%=-I%)
$(B)/src/submit/%.o:  INC = $(DIRS_submit:%=-I%)
$(B)/src/queue/%.o:   INC = $(DIRS_queue:%=-I%)
$(B)/src/smtp/%.o:    INC = $(DIRS_smtp:%=-I%)
$(B)/src/deliver/%.o: INC = $(DIRS_deliver:%=-I%)
$(B)/tools/setup/%.o: INC = $(DIRS_setup:%=-I%)
$(B)/tools/%.o:       INC = $(DIRS_tools:%=-I%)
$(B)/src/oauth2/%.o:  INC = $(DIRS_oauth2:%=-I%)
$(B)/tests/%.o:       INC = $(DIRS_all:%=-I%)

# The mains are not in their folder's archive.
MAINS     := src/submit/sendmail.c src/deliver/relayqd.c src/queue/showq.c \
             src/queue/queuectl.c tools/setup/main.c src/oauth2/refresh.c
ARCHIVES  := lib addr spool maps submit queue smtp deliver setup oauth2
src_of     = $(filter-out $(MAINS),$(wildcard $(firstword $(DIRS_$(1)))/*.c))
objs_of    = $(patsubst %.c,$(B)/%.o,$(call src_of,$(1)))
LIB        = $(B)/lib$(1).a
$(foreach a,$(ARCHIVES),$(eval $(call LIB,$(a)): $(call objs_of,$(a)) ; @rm -f $$@ && ar rcs $$@ $$^))

L_lib     := $(call LIB,lib)
L_addr    := $(call LIB,addr)
L_spool   := $(call LIB,spool)
L_maps    := $(call LIB,maps)
L_submit  := $(call LIB,submit)
L_queue   := $(call LIB,queue)
L_smtp    := $(call LIB,smtp)
L_deliver := $(call LIB,deliver)
L_setup   := $(call LIB,setup)
L_oauth2  := $(call LIB,oauth2)
SETUP_LIBS := $(CURL_LIBS) $(XML_LIBS) $(DNS_LIBS) $(PSL_LIBS) $(SSL_LIBS) $(SASL_LIBS) $(DB_LIBS)
$(B)/tools/setup/psl.o: CPPFLAGS += -DRELAYQ_HAVE_LIBPSL

PROGS     := $(B)/sendmail $(B)/relayqd $(B)/relayq-showq $(B)/relayq-makemap \
             $(B)/relayq-setup $(B)/relayq-queue $(B)/relayq-oauth2-refresh
TEST_PROGS := $(B)/faultd $(B)/rss $(B)/httpsd $(B)/fstrace.so $(B)/pc-replay
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)

.PHONY: FORCE all clean install check check-unit check-integration check-sanitize \
        check-walls demo deps deps-build bench fuzz lint man-lint stress deb check-package
.DEFAULT_GOAL := all
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

# Submitter (setgid relayq-drop): no crypto, no SASL, no DB, no curl, and
# no queue or delivery code: it can only write into maildrop/.
$(B)/sendmail: $(B)/src/submit/sendmail.o $(L_submit) $(L_addr) $(L_spool) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^

# The read-only queue lister (setgid relayq) behind a non-root mailq.
$(B)/relayq-showq: $(B)/src/queue/showq.o $(L_queue) $(L_spool) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^

# Queue management (not set-ID): reads through relayq-showq, changes as
# the relayq user, deletes through relayqd.  No crypto, SASL or DB.
$(B)/relayq-queue: $(B)/src/queue/queuectl.o $(L_queue) $(L_spool) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/relayqd: $(B)/src/deliver/relayqd.o $(L_deliver) $(L_queue) $(L_smtp) $(L_addr) \
    $(L_spool) $(L_maps) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS) $(SASL_LIBS) $(DB_LIBS)

$(B)/relayq-makemap: $(B)/tools/makemap.o $(L_maps) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^ $(DB_LIBS)

# The only program that speaks HTTP and parses XML.
$(B)/relayq-setup: $(B)/tools/setup/main.o $(L_setup) $(L_smtp) $(L_maps) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^ $(SETUP_LIBS)

# Run by relayqd (as relayq) before a session with an OAuth2 credential:
# the only delivery-side program that links libcurl, so relayqd does not.
$(B)/relayq-oauth2-refresh: $(B)/src/oauth2/refresh.o $(L_oauth2) $(L_lib)
	$(CC) $(LDFLAGS) -o $@ $^ $(CURL_LIBS)

$(B)/faultd: $(B)/tests/fault/faultd.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/httpsd: $(B)/tests/fault/httpsd.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(B)/rss: $(B)/tests/bench/rss.o
	$(CC) $(LDFLAGS) -o $@ $^

# The power-cut test: its preload shim is never sanitized (it is loaded into
# sanitized programs), and the replay checker (tests/powercut).
$(B)/fstrace.so: tests/powercut/fstrace.c | $(B)/paths.h
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) -U_FORTIFY_SOURCE $(CFLAGS) -fPIC -shared -o $@ $< -ldl

$(B)/pc-replay: $(B)/tests/powercut/replay.o
	$(CC) $(LDFLAGS) -o $@ $^

BENCH_PROGS := $(B)/floor $(B)/runmany $(B)/smtpblast $(B)/qfill $(B)/e2e $(B)/spoolfloor
$(BENCH_PROGS): $(B)/%: $(B)/tests/bench/%.o
	$(CC) $(LDFLAGS) -o $@ $^

ALL_LIBS := $(L_setup) $(L_oauth2) $(L_deliver) $(L_submit) $(L_queue) $(L_smtp) $(L_addr) \
            $(L_spool) $(L_maps) $(L_lib)
$(B)/tests/unit/test_%: $(B)/tests/unit/test_%.o $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(SETUP_LIBS)

# libFuzzer targets: every library object rebuilt with clang's coverage
# instrumentation, one binary per tests/fuzz/fuzz_*.c, each run FUZZ_TIME s.
FUZZ_B       := build/fuzz
FUZZ_TIME    ?= 20
# -MMD: a changed header (a struct's layout) rebuilds the objects using it.
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -I$(B) $(DIRS_all:%=-I%) -g -O1 \
                -fsanitize=fuzzer-no-link,address,undefined -MMD -MP
FUZZ_SRCS    := $(foreach a,$(ARCHIVES),$(call src_of,$(a)))
FUZZ_OBJS    := $(FUZZ_SRCS:%.c=$(FUZZ_B)/%.o)
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_B)/%.o: %.c | $(B)/paths.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_B)/libfuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libfuzz.a | $(B)/paths.h
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.a,$^) $(SETUP_LIBS)

fuzz: $(FUZZ_BINS)
	sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BINS)

# An include across a wall must not compile, and no file calls back into a
# file that calls it (tests/cycles.sh reads the objects' symbols).
check-walls: $(B)/paths.h $(PROGS)
	sh tests/walls.sh "$(CC)" "$(B)" $(foreach a,lib addr spool maps submit queue smtp deliver setup oauth2,"$(a)=$(DIRS_$(a))")
	sh tests/cycles.sh "$(B)"

deps:
	sh tests/deps.sh

deps-build:
	sh tests/deps.sh build

check: deps
	$(MAKE) check-walls check-unit check-integration
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

# The demo installs build dependencies only: its smarthost is faultd.
demo: deps-build $(PROGS) $(B)/faultd
	sh tests/demo.sh $(B)

bench: $(B)/sendmail $(B)/relayqd $(B)/relayq-showq $(B)/relayq-makemap $(B)/faultd $(B)/rss $(BENCH_PROGS)
	sh tests/bench/run.sh $(B)

man-lint:
	mandoc -Tlint -W warning man/*.[0-9]

install: $(PROGS)
	FORCE='$(FORCE)' sh packaging/install.sh "$(DESTDIR)" "$(SBINDIR)" "$(BINDIR)" "$(MANDIR)" "$(SYSCONF)" "$(B)" "$(LIBEXEC)"

# The Debian package (packaging/debian, built in a copy of the tree under
# DEB_OUT), and its install / replace / purge test in a fresh Debian 12 root.
DEB_OUT ?= build/deb
deb:
	sh packaging/deb.sh $(VERSION) $(DEB_OUT)

check-package: deb $(PROGS) $(B)/faultd
	sh tests/package/t_package.sh $(B) $(DEB_OUT)

clean:
	rm -rf build

-include $(wildcard $(B)/src/*/*.d $(B)/maps/*.d $(B)/tools/*.d $(B)/tools/setup/*.d $(B)/tests/*/*.d)
-include $(wildcard $(FUZZ_B)/*.d $(FUZZ_B)/src/*/*.d $(FUZZ_B)/maps/*.d $(FUZZ_B)/tools/*.d $(FUZZ_B)/tools/setup/*.d)
