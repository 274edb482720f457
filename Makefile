# tailscope — terminal debugger for VLM coordinate lists.
#
#   make demo        install missing Debian packages (as root), build, open the TUI on sample_runs/
#   make test        the same set-up plus test tools, then every test (unit + tmux end-to-end)
#   make asan-test   unit tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench       benchmarks, printed as ratios against baselines measured in the same run
#   make sample-runs regenerate sample_runs/ from the simulator's seeds (byte-identical)
#   make fresh-check the quick start proved on a bare Debian 12 root (root, mirror, ~15 min)
#   make install     the binary to $(PREFIX)/bin, the man page to $(PREFIX)/share/man/man1
#                    (PREFIX=/usr/local; DESTDIR for staging); make uninstall removes them
#
# Sources are picked up by directory: analysis/*.c (pure C, cJSON only),
# render/*.c (chafa + stb, no curses), tui/*.c (the curses views; main.c
# holds main), tui/model/*.c (the debugger's model: session, replay, lists,
# comparison; no curses), tui/cli/*.c (the command front ends without
# curses: report, png, plot, formats, capture's options, and the option
# table all commands share), tui/opt/*.c (option machinery shared by
# tui/cli/ and tui/capture/), tui/capture/*.c (libcurl, no curses),
# tests/unit/test_*.c (one cmocka binary each).  The fences between them
# are checked on every compile (FENCE below).

.DEFAULT_GOAL := all
BUILD ?= build
SAN ?=
OPT ?= -O2
CC ?= cc

# Targets that run the dependency step themselves and then call $(MAKE)
# again don't read config.mk at the top level (its rule would run the step
# a second time: a user without root would see the apt-get line twice).
SELF_DEPS_GOALS := clean distclean demo test deps deps-test asan-test bench sample-runs \
                   fuzz fuzz-smoke fuzz-build fresh-check
ifeq ($(filter $(SELF_DEPS_GOALS),$(MAKECMDGOALS)),)
-include $(BUILD)/config.mk
endif

# Generated once per build directory: runs the dependency step (installs
# missing Debian packages as root, otherwise prints the command and stops),
# then records the pkg-config flags.
$(BUILD)/config.mk: .ci/deps
	@mkdir -p $(@D)
	@sh .ci/deps
	@{ \
	  echo "CJSON_CFLAGS := $$(pkg-config --cflags libcjson)"; \
	  echo "CJSON_LIBS := $$(pkg-config --libs libcjson)"; \
	  echo "CHAFA_CFLAGS := $$(pkg-config --cflags chafa glib-2.0)"; \
	  echo "CHAFA_LIBS := $$(pkg-config --libs chafa glib-2.0)"; \
	  echo "CURSES_CFLAGS := $$(pkg-config --cflags ncursesw | sed 's/-D_XOPEN_SOURCE=[0-9]*//; s/-D_DEFAULT_SOURCE//')"; \
	  echo "CURSES_LIBS := $$(pkg-config --libs ncursesw)"; \
	  echo "STB_CFLAGS := -isystem /usr/include/stb"; \
	  echo "CURL_CFLAGS := $$(pkg-config --cflags libcurl)"; \
	  echo "CURL_LIBS := $$(pkg-config --libs libcurl)"; \
	  echo "Z_CFLAGS := $$(pkg-config --cflags zlib libzstd)"; \
	  echo "Z_LIBS := $$(pkg-config --libs zlib libzstd)"; \
	} > $@.tmp && mv $@.tmp $@

VERSION := 0.1.0

WARN   = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CSTD   = -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -g -MMD -MP $(SAN) -DTS_VERSION='"$(VERSION)"' $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

ANALYSIS_SRC := $(wildcard analysis/*.c)
RENDER_SRC   := $(wildcard render/*.c)
TUI_SRC      := $(filter-out tui/main.c,$(wildcard tui/*.c tui/model/*.c tui/cli/*.c tui/opt/*.c))
CAPTURE_SRC  := $(wildcard tui/capture/*.c)
SIM_SRC      := $(wildcard sample_runs/gen/*.c)
TEST_SRC     := $(wildcard tests/unit/test_*.c)
BENCH_SRC    := $(wildcard tests/bench/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

ANALYSIS_OBJ := $(call obj,$(ANALYSIS_SRC))
RENDER_OBJ   := $(call obj,$(RENDER_SRC))
TUI_OBJ      := $(call obj,$(TUI_SRC))
CAPTURE_OBJ  := $(call obj,$(CAPTURE_SRC))
SIM_OBJ      := $(call obj,$(SIM_SRC))

LIB_ANALYSIS := $(BUILD)/libtsanalysis.a
LIB_RENDER   := $(BUILD)/libtsrender.a
LIB_TUI      := $(BUILD)/libtstui.a
BIN          := $(BUILD)/tailscope
SIMGEN       := $(BUILD)/tailscope-simgen
TEST_BINS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCH_BINS   := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

ALL_LIBS = $(CURSES_LIBS) $(CHAFA_LIBS) $(CJSON_LIBS) $(CURL_LIBS) $(Z_LIBS) -lm

.PHONY: all demo test check asan-test golden bench sample-runs clean distclean deps deps-test fresh-check install uninstall
# keep intermediate objects (no 'rm' lines after the test summary)
.SECONDARY:

all: $(BIN) $(if $(SIM_SRC),$(SIMGEN))

# analysis/ sees only cJSON and the decompressors (zlib, zstd: analysis/zfile.c):
# it cannot include curses, chafa or stb.
$(BUILD)/analysis/%.o: analysis/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CJSON_CFLAGS) $(Z_CFLAGS) -c $< -o $@

# render/ sees chafa and stb, never curses.
$(BUILD)/render/%.o: render/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CHAFA_CFLAGS) $(STB_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -c $< -o $@

# FENCE(regex, what): fails the compile when the source reaches a header
# (directly or through another, system headers included: `cc -M`) whose path
# matches regex.  Curses headers: ncurses.h, curses.h, tui/tcurses.h.
CURSES_HDR := curses[^/ ]*\.h
define FENCE
	@if $(CC) $(CSTD) -M $(FENCE_INC) $< 2>/dev/null | tr ' \\' '\n\n' | grep -E '$(1)' > $@.fence; then \
	  echo "fence: $< reaches $$(head -n 1 $@.fence): $(2)" >&2; rm -f $@ $@.fence; exit 1; fi; \
	rm -f $@.fence
endef

# the curses views: everything below
$(BUILD)/tui/%.o: tui/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CURSES_CFLAGS) $(CHAFA_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui -Itui/model -Itui/cli -Itui/opt -c $< -o $@

# the debugger's model: analysis/ and render/ only, no curses, no view
$(BUILD)/tui/model/%.o: FENCE_INC = $(CHAFA_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui/model
$(BUILD)/tui/model/%.o: tui/model/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(FENCE_INC) -c $< -o $@
	$(call FENCE,$(CURSES_HDR)|(^|/)tui/[a-z_]+\.h$$|tui/(cli|capture|opt)/,the model sees analysis/ and render/ only)

# the option machinery tui/cli/ and tui/capture/ share: no curses, neither of them
$(BUILD)/tui/opt/%.o: FENCE_INC = $(CHAFA_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui/opt
$(BUILD)/tui/opt/%.o: tui/opt/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(FENCE_INC) -c $< -o $@
	$(call FENCE,$(CURSES_HDR)|tui/(cli|capture)/,tui/opt/ is below tui/cli/ and tui/capture/)

# the command front ends: no curses flags, no curses header, of capture only
# its public headers (capture.h, cap_redact.h)
$(BUILD)/tui/cli/%.o: FENCE_INC = $(CHAFA_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui -Itui/cli -Itui/opt
$(BUILD)/tui/cli/%.o: tui/cli/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(FENCE_INC) -c $< -o $@
	$(call FENCE,$(CURSES_HDR)|tui/capture/cap_(buf|resp|sse)\.h,tui/cli/ uses no curses and capture.h / cap_redact.h only)

# tui/capture/ (tailscope capture) is the only code that sees libcurl; it
# talks to no terminal library either (glib for base64 comes with chafa's
# flags) and never includes tui/cli/ (no include cycle).
$(BUILD)/tui/capture/%.o: FENCE_INC = $(CURL_CFLAGS) $(CHAFA_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui/opt
$(BUILD)/tui/capture/%.o: tui/capture/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(FENCE_INC) -c $< -o $@
	$(call FENCE,$(CURSES_HDR)|tui/cli/|(^|/)tui/[a-z_]+\.h$$,tui/capture/ sees tui/opt/ and analysis/ and render/ only)

$(BUILD)/tests/bench/capture_%.o: tests/bench/capture_%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CURL_CFLAGS) $(CHAFA_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui -Itui/model -Itui/cli -Itui/opt -c $< -o $@

$(BUILD)/sample_runs/%.o: sample_runs/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(STB_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c $(BUILD)/config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CURSES_CFLAGS) $(CHAFA_CFLAGS) $(STB_CFLAGS) $(CJSON_CFLAGS) -Ianalysis -Irender -Itui -Itui/model -Itui/cli -Itui/opt -c $< -o $@

$(LIB_ANALYSIS): $(ANALYSIS_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(LIB_RENDER): $(RENDER_OBJ)
	@rm -f $@
	ar rcs $@ $^
# capture/ joins the tui archive (capture's option handlers, tui/cli/cap_cli.c,
# call into it; it calls nothing in tui/cli/)
$(LIB_TUI): $(TUI_OBJ) $(CAPTURE_OBJ)
	@rm -f $@
	ar rcs $@ $^

LIBS_OURS = $(LIB_TUI) $(LIB_RENDER) $(LIB_ANALYSIS)

$(BIN): $(BUILD)/tui/main.o $(LIBS_OURS)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(ALL_LIBS)

$(SIMGEN): $(SIM_OBJ) $(LIB_RENDER) $(LIB_ANALYSIS)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(ALL_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBS_OURS)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(ALL_LIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIBS_OURS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(ALL_LIBS)

deps:
	@sh .ci/deps
deps-test:
	@sh .ci/deps test

# Opens the TUI on the sample runs (prints the report when stdin is not a terminal).
demo: deps
	@$(MAKE) --no-print-directory all
	@if [ -t 0 ] && [ -t 1 ]; then exec $(BIN) sample_runs/lora-qkvo-r16; \
	 else $(BIN) report sample_runs/lora-qkvo-r16; fi

test: deps-test
	@$(MAKE) --no-print-directory check

TEST_SUITES ?= cli hostile tui
check: all $(TEST_BINS)
	@BUILD=$(BUILD) TEST_SUITES="$(TEST_SUITES)" sh tests/run.sh $(TEST_BINS)

# Rewrites the golden screen dumps (tests/tui/golden/); review with git diff.
# The text screens are rendered headless (tests/unit/test_tui_screens.c);
# the colour dumps come from tmux (tests/tui/test_golden.sh).
golden: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/tests/test_tui_screens
	@TS_GOLDEN_UPDATE=1 $(BUILD)/tests/test_tui_screens
	@BUILD=$(BUILD) sh tests/tui/test_golden.sh --update

asan-test: deps-test
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 TEST_SUITES="cli hostile" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" check

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@if pkg-config --exists simdjson; then $(MAKE) --no-print-directory $(SIMDJSON_TOOL); \
	 else echo "bench: libsimdjson-dev not installed: bench_report skips its simdjson row"; fi
	@BUILD=$(BUILD) sh tests/bench/run.sh

# bench-only baseline (issue 21): simdjson on-demand over the same lines, built
# only when libsimdjson-dev is installed; never linked into tailscope
SIMDJSON_TOOL := $(BUILD)/bench-tools/simdjson_lines
$(SIMDJSON_TOOL): tests/bench/simdjson/simdjson_lines.cpp
	@mkdir -p $(@D)
	$(CXX) -O2 -std=c++17 $$(pkg-config --cflags simdjson) $< -o $@ $$(pkg-config --libs simdjson)

sample-runs: deps
	@$(MAKE) --no-print-directory $(SIMGEN)
	$(SIMGEN) sample_runs

# debootstrap a minimal Debian 12, then make demo, make test and .ci/run in it
fresh-check:
	@sh tests/fresh/run.sh

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
MAN1DIR = $(DESTDIR)$(PREFIX)/share/man/man1

# `man tailscope` works once $(PREFIX)/share/man is on the manual path (it
# is for /usr/local and /usr; elsewhere: MANPATH=$(PREFIX)/share/man:).
install: all
	install -d "$(BINDIR)" "$(MAN1DIR)"
	install -m 755 $(BIN) "$(BINDIR)/tailscope"
	install -m 644 tui/tailscope.1 "$(MAN1DIR)/tailscope.1"

uninstall:
	rm -f "$(BINDIR)/tailscope" "$(MAN1DIR)/tailscope.1"

clean:
	rm -rf build build-asan build-fuzz

distclean: clean

# libFuzzer harnesses: make fuzz, make fuzz-smoke (clang; tests/fuzz/fuzz.mk)
include tests/fuzz/fuzz.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
