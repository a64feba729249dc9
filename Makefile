# vmviz — a plain Makefile.
#
#   make            build ./vmviz
#   make run        build, then open the default scenario
#   make check      build and run every test (AddressSanitizer + UBSan)
#   make bench      print speed figures
#   make install    PREFIX=/usr/local DESTDIR=
#
# A missing -dev package is installed with apt-get when make runs as root;
# otherwise the exact command is printed and the build stops.

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

CC      ?= cc
PKGS    := ncursesw yaml-0.1 zlib
TESTPKGS := cunit
# Debian package that provides each pkg-config module.
DEB_ncursesw := libncurses-dev
DEB_yaml-0.1 := libyaml-dev
DEB_zlib     := zlib1g-dev
DEB_cunit    := libcunit1-dev

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wundef -Wwrite-strings -Werror
# Recursively expanded on purpose: pkg-config is asked only after the deps
# stamp has installed what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TESTPKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TESTPKGS))

BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE_EXTENDED \
              -DVMVIZ_VERSION='"$(VERSION)"' -DVMVIZ_PREFIX='"$(PREFIX)"' \
              $(WARN) -Isrc -MMD -MP
# Link-time optimisation lets the engine's small functions (a frame, a
# TLB set, a swap slot) be inlined across its files: about a tenth off a
# headless run (make bench).
RELEASE_CFLAGS = $(BASE_CFLAGS) -O2 -g -flto=auto $(PKG_CFLAGS)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CHECK_CFLAGS = $(BASE_CFLAGS) -O1 -g $(SAN) $(PKG_CFLAGS) $(TEST_CFLAGS)

LIB_SRC  := $(sort $(wildcard src/util/*.c src/vm/*.c src/scenario/*.c src/play/*.c src/tui/*.c \
              src/capture/*.c))
MAIN_SRC := src/main.c
TEST_SRC := $(sort $(wildcard tests/*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

REL := build/release
CHK := build/check
REL_OBJ  := $(LIB_SRC:%.c=$(REL)/%.o)
CHK_OBJ  := $(LIB_SRC:%.c=$(CHK)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(CHK)/%.o)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(CHK)/tools/%)
DEPS_OK  := build/.deps-ok
TEST_DEPS_OK := build/.test-deps-ok

.PHONY: all run check valgrind bench fuzz install uninstall clean deps linux-check

all: vmviz

# $(call ensure,MODULES): installs the Debian packages behind the missing
# pkg-config modules (and pkg-config itself) as root, else prints the
# command to run and stops.
define ensure
	@debs=""; command -v pkg-config >/dev/null || debs="pkg-config"; \
	for p in $(1); do \
	  command -v pkg-config >/dev/null && pkg-config --exists $$p && continue; \
	  case $$p in \
	    ncursesw) debs="$$debs $(DEB_ncursesw)";; \
	    yaml-0.1) debs="$$debs $(DEB_yaml-0.1)";; \
    zlib) debs="$$debs $(DEB_zlib)";; \
	    cunit) debs="$$debs $(DEB_cunit)";; esac; done; \
	if [ -n "$$debs" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $$debs"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$debs || exit 1; \
	  else \
	    echo "vmviz needs: $$debs"; \
	    echo "run: sudo apt-get update && sudo apt-get install -y $$debs"; exit 1; \
	  fi; fi
	@mkdir -p build && touch $@
endef

deps: $(DEPS_OK) $(TEST_DEPS_OK)
$(DEPS_OK): Makefile
	$(call ensure,$(PKGS))
$(TEST_DEPS_OK): Makefile
	$(call ensure,$(TESTPKGS))

vmviz: $(REL_OBJ) $(REL)/src/main.o | $(DEPS_OK)
	$(CC) $(RELEASE_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(REL)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -c -o $@ $<

$(CHK)/%.o: %.c | $(DEPS_OK) $(TEST_DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CHECK_CFLAGS) -c -o $@ $<

# The sanitized program, used by the scenario and terminal tests.
$(CHK)/vmviz: $(CHK_OBJ) $(CHK)/src/main.o
	$(CC) $(CHECK_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(CHK)/unit-tests: $(CHK_OBJ) $(TEST_OBJ)
	$(CC) $(CHECK_CFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm

# Helpers of the shell tests: each links the readers the suites share.
$(CHK)/tools/%: tests/tools/%.c $(CHK)/tests/cast_check.o $(CHK)/src/util/escape.o
	@mkdir -p $(dir $@)
	$(CC) $(CHECK_CFLAGS) -Itests -o $@ $^

# main.c compiles the install prefix in: rebuild it when PREFIX changes.
$(REL)/src/main.o $(CHK)/src/main.o: build/prefix
build/prefix: FORCE
	@mkdir -p build; echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
FORCE:

run: vmviz
	./vmviz scenarios/lazy-allocation.yaml

export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

# vmviz capture's test runs the seed program under Valgrind, and the seed
# includes valgrind/valgrind.h: both come with Debian's valgrind package,
# installed as the -dev packages are (as root, else the command is printed).
CAPTURE_DEPS_OK := build/.capture-deps-ok
$(CAPTURE_DEPS_OK): Makefile
	@if ! command -v valgrind >/dev/null || [ ! -f /usr/include/valgrind/valgrind.h ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing valgrind"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind || exit 1; \
	  else \
	    echo "make check needs: valgrind"; \
	    echo "run: sudo apt-get update && sudo apt-get install -y valgrind"; exit 1; \
	  fi; fi
	@mkdir -p build && touch $@

check: $(CHK)/unit-tests $(CHK)/vmviz vmviz $(TOOL_BIN) $(CAPTURE_DEPS_OK)
	cd tests && ../$(CHK)/unit-tests
	VMVIZ=$(CHK)/vmviz sh tests/scenarios.sh
	VMVIZ=$(CHK)/vmviz sh tests/corpus.sh
	VMVIZ=$(CHK)/vmviz sh tests/capture.sh
	@if [ -f tests/terminal.sh ]; then VMVIZ=$(CHK)/vmviz CASTCAT=$(CHK)/tools/castcat \
	  sh tests/terminal.sh; fi
	@# A quick Valgrind pass over the release build (make valgrind runs them all).
	@if command -v valgrind >/dev/null; then \
	  valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    ./vmviz check scenarios/lazy-allocation.yaml scenarios/fork-cow.yaml \
	    scenarios/file-mmap.yaml scenarios/policies.yaml scenarios/shared-memory.yaml \
	  && echo "valgrind: clean"; \
	else echo "valgrind: not installed, skipped"; fi
	@echo "make check: all tests passed"

valgrind: vmviz
	sh tests/valgrind.sh

# Probes this machine's Linux kernel and compares its fault counts with
# vmviz's, chapter by chapter (tests/linux/README). Not part of check: it
# measures the host. Exit status 2 only when it could not run.
linux-check: vmviz
	@CC="$(CC)" VMVIZ=./vmviz sh tests/linux/compare.sh

bench: vmviz $(REL)/bench $(REL)/reference
	./$(REL)/bench

$(REL)/bench: tests/bench/bench.c tests/bench/reference.c tests/bench/reference.h $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -DBENCH_WITH_TUI -DBENCH_REFERENCE='"$(REL)/reference"' -o $@ \
		$(filter %.c %.o,$^) $(PKG_LIBS) -lm

# The yardstick as a program of its own, linked with the C library only,
# so that the bench times it as it times vmviz: a whole process.
$(REL)/reference: tests/bench/reference_main.c tests/bench/reference.c tests/bench/reference.h
	@mkdir -p $(dir $@)
	$(CC) $(RELEASE_CFLAGS) -o $@ $(filter %.c,$^)

# Coverage-guided fuzzing with libFuzzer (clang) of every reader of input:
# the scenario loader with the timeline, the trace readers, the theme
# loader, the command line and the lines of the live prompt. Each runs
# FUZZ_SECONDS, seeded with the library, the traces and themes of the
# repository and the corpus.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE_EXTENDED -g -O1 -Isrc \
              -fsanitize=fuzzer,address,undefined
FUZZ_SRC := $(sort $(wildcard src/util/*.c src/vm/*.c src/scenario/*.c src/play/*.c))
FUZZ_ALL := $(FUZZ_SRC) $(sort $(wildcard src/tui/*.c src/capture/*.c))
FUZZ_TARGETS := scenario trace theme cmdline live
fuzz: | $(DEPS_OK)
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 1; }
	@for t in $(FUZZ_TARGETS); do mkdir -p build/fuzz/corpus-$$t; done
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o build/fuzz/fuzz_scenario \
	  tests/fuzz/fuzz_scenario.c $(FUZZ_SRC) $(PKG_LIBS)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o build/fuzz/fuzz_trace \
	  tests/fuzz/fuzz_trace.c $(FUZZ_SRC) $(PKG_LIBS)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o build/fuzz/fuzz_theme \
	  tests/fuzz/fuzz_theme.c $(FUZZ_ALL) $(PKG_LIBS)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -Dmain=vmviz_main -c -o build/fuzz/main.o src/main.c
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o build/fuzz/fuzz_cmdline \
	  tests/fuzz/fuzz_cmdline.c build/fuzz/main.o $(FUZZ_ALL) $(PKG_LIBS)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o build/fuzz/fuzz_live \
	  tests/fuzz/fuzz_live.c $(FUZZ_SRC) $(PKG_LIBS)
	cp scenarios/*.yaml tests/corpus/*.yaml build/fuzz/corpus-scenario/
	cp tests/data/traces/* tests/corpus/*.txt build/fuzz/corpus-trace/ 2>/dev/null || true
	cp themes/*.theme build/fuzz/corpus-theme/
	printf -- '--policy\0lr\0x.yaml' > build/fuzz/corpus-cmdline/policy
	printf -- '--tlb\00x40x4\0--frames\0010\0x.yaml' > build/fuzz/corpus-cmdline/numbers
	printf 'write heap+0x2000' > build/fuzz/corpus-live/write
	printf 'mmap: {name: b, size: 8KiB}' > build/fuzz/corpus-live/mmap
	printf -- '- refs: "1 2w 3"' > build/fuzz/corpus-live/refs
	cd build/fuzz && for t in $(FUZZ_TARGETS); do \
	  ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 corpus-$$t || exit 1; done

install: vmviz
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/vmviz/scenarios $(DESTDIR)$(PREFIX)/share/vmviz/themes
	install -m 755 vmviz $(DESTDIR)$(PREFIX)/bin/vmviz
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 scenarios/*.yaml $(DESTDIR)$(PREFIX)/share/vmviz/scenarios/
	for f in scenarios/*; do [ -f "$$f" ] && case "$$f" in *.yaml) ;; *) \
	  install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/vmviz/scenarios/;; esac; done; true
	# A captured scenario's traces, in NAME.traces/ beside it.
	for d in scenarios/*.traces; do [ -d "$$d" ] || continue; \
	  install -d $(DESTDIR)$(PREFIX)/share/vmviz/"$$d" && \
	  install -m 644 "$$d"/* $(DESTDIR)$(PREFIX)/share/vmviz/"$$d"/ || exit 1; done
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/vmviz/themes/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/vmviz
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man5/,$(notdir $(wildcard man/*.5)))
	rm -rf $(DESTDIR)$(PREFIX)/share/vmviz

clean:
	rm -rf build vmviz

-include $(REL_OBJ:.o=.d) $(CHK_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TOOL_BIN:=.d) $(REL)/src/main.d $(CHK)/src/main.d
