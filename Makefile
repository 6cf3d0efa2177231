# forktop + cordon: one non-recursive Makefile.
#   make            build build/cordon and build/forktop
#   make run        build and start the default sandbox with an interactive shell
#   make check      build (plain and ASan+UBSan) and run every test
#   make bench      benchmarks against bubblewrap, unshare and strace
#   make install    PREFIX=/usr/local DESTDIR= ; make install-bwrap-compat adds a `bwrap` link
#   make SANITIZE=1 build with ASan+UBSan (into build/asan unless BUILD is given)

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     := $(PREFIX)/bin
MANDIR     := $(PREFIX)/share/man
COMPLDIR   := $(PREFIX)/share/bash-completion/completions
WERROR     ?= 1
SANITIZE   ?= 0

ifeq ($(SANITIZE),1)
BUILD      ?= build/asan
else
BUILD      ?= build
endif

CC         ?= cc
PKGS       := libseccomp libproc2 jansson libcap
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TUI_PKGS   := ncursesw vterm
TUI_CFLAGS  = $(shell pkg-config --cflags $(TUI_PKGS) 2>/dev/null)
TUI_LIBS    = $(shell pkg-config --libs $(TUI_PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wswitch-enum -Wimplicit-fallthrough -Wvla -Wcast-qual -Wwrite-strings
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT      ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -DVERSION='"$(VERSION)"'
CFLAGS   += -std=gnu11 $(OPT) $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong $(PKG_CFLAGS)
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
OPT      := -O1 -g
endif

COMMON_SRC   := $(wildcard common/*.c)
LAUNCHER_SRC := $(filter-out launcher/cordon.c,$(wildcard launcher/*.c))
FORKTOP_MAINS := forktop/forktop.c forktop/cordon-enter.c
FORKTOP_SRC  := $(filter-out $(FORKTOP_MAINS),$(wildcard forktop/*.c))
UNIT_SRC     := $(wildcard tests/unit/test_*.c)
HELPER_SRC   := $(wildcard tests/helpers/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCOMMON   := $(BUILD)/libcommon.a
LIBLAUNCHER := $(BUILD)/liblauncher.a
LIBFORKTOP  := $(BUILD)/libforktop.a
CORDON      := $(BUILD)/cordon
FORKTOP     := $(BUILD)/forktop
ENTER       := $(BUILD)/cordon-enter
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
# test helper programs are never sanitized (LeakSanitizer aborts under ptrace)
HELPER_BINS := $(patsubst tests/helpers/%.c,build/tests/helpers/%,$(HELPER_SRC))

.PHONY: all run check bench install install-bwrap-compat uninstall deps deps-check lint format \
	clean unit-tests helpers asan
.DEFAULT_GOAL := all
# keep object files of pattern chains (unit tests), so a second make rebuilds nothing
.SECONDARY:

all: $(CORDON) $(FORKTOP) $(ENTER)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/forktop/%.o: forktop/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TUI_CFLAGS) -MMD -MP -c $< -o $@

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBLAUNCHER): $(call obj,$(LAUNCHER_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(CORDON): $(call obj,launcher/cordon.c) $(LIBLAUNCHER) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(LIBFORKTOP): $(call obj,$(FORKTOP_SRC))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(FORKTOP): $(call obj,forktop/forktop.c) $(LIBFORKTOP) $(LIBLAUNCHER) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TUI_LIBS)

# cordon-enter shares the injection code with forktop (libforktop.a); until its main exists
# the target is skipped.
ifneq ($(wildcard forktop/cordon-enter.c),)
$(ENTER): $(call obj,forktop/cordon-enter.c) $(LIBFORKTOP) $(LIBLAUNCHER) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TUI_LIBS)
else
$(ENTER):
	@:
endif

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBFORKTOP) $(LIBLAUNCHER) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TUI_LIBS) $(CMOCKA_LIBS)

build/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $< -lpthread -lseccomp

unit-tests: $(UNIT_BINS)
helpers: $(HELPER_BINS)

asan:
	$(MAKE) --no-print-directory SANITIZE=1 all unit-tests

# Debian packages the build, the tests and the benchmarks need.
DEB_PKGS := gcc make pkg-config libseccomp-dev libproc2-dev libjansson-dev libcap-dev \
	libcmocka-dev libncurses-dev libvterm-dev tmux util-linux iproute2 bubblewrap strace \
	hyperfine passt procps python3 jq bsdutils
deps-check:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "deps: installing:" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "deps: missing packages; as root run:"; \
			echo "  apt-get install -y" $$missing; exit 1; \
		fi; \
	fi
deps: deps-check

run: deps-check all
	$(FORKTOP) --focus console -- /bin/bash -i

check: deps-check all unit-tests helpers
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory asan
endif
	@BUILD=$(BUILD) tests/run.sh

bench: deps-check all helpers
	@bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPLDIR)
	install -m 0755 $(CORDON) $(FORKTOP) $(wildcard $(ENTER)) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(wildcard docs/*.1) $(DESTDIR)$(MANDIR)/man1/
	for f in docs/completion/*; do install -m 0644 $$f $(DESTDIR)$(COMPLDIR)/; done

install-bwrap-compat: install
	ln -sf cordon $(DESTDIR)$(BINDIR)/bwrap

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cordon $(DESTDIR)$(BINDIR)/forktop
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard docs/*.1)))
	rm -f $(addprefix $(DESTDIR)$(COMPLDIR)/,$(notdir $(wildcard docs/completion/*)))
	[ "$$(readlink $(DESTDIR)$(BINDIR)/bwrap 2>/dev/null)" = cordon ] && rm -f $(DESTDIR)$(BINDIR)/bwrap || true

LINT_SRC := $(COMMON_SRC) $(LAUNCHER_SRC) launcher/cordon.c $(FORKTOP_SRC) $(wildcard $(FORKTOP_MAINS))
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
		--suppress=missingIncludeSystem --suppress=memleak --suppress=resourceLeak \
		--inline-suppr -D_GNU_SOURCE $(LINT_SRC)
	clang-tidy --quiet $(LINT_SRC) -- $(CPPFLAGS) -std=gnu11 $(PKG_CFLAGS) $(TUI_CFLAGS)
	shellcheck -x tests/*.sh tests/*/*.sh bench/*.sh .ci/run
	clang-format --dry-run --Werror $(LINT_SRC) $(wildcard */*.h)

format:
	clang-format -i $(LINT_SRC) $(wildcard */*.h)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
