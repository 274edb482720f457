# tests/fuzz/fuzz.mk — libFuzzer harnesses (included from the Makefile).
#
#   make fuzz                 build every tests/fuzz/fuzz_*.c into build-fuzz/ and
#                             run each for FUZZ_SECONDS (default 60)
#   make fuzz-smoke           the same, 10 s each (CI)
#   make fuzz-build           build only
#   make build-fuzz/fuzz_trace && build-fuzz/fuzz_trace CRASH-FILE   reproduce one input
#
# The harnesses compile analysis/ and render/ directly with clang
# (-fsanitize=fuzzer,address,undefined), never the gcc static libraries.
# Seeds: tests/fuzz/corpus/<harness>/ (committed, small).  Inputs found while
# fuzzing go to build-fuzz/corpus/<harness>/, crashes to
# build-fuzz/crashes/<harness>-crash-*; tests/fuzz/run.sh prints one summary
# line per harness and fails when any harness crashed.

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60

FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS      := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_HARNESSES))

# deferred (=): pkg-config runs only when a fuzz target is built
FUZZ_CJSON_CFLAGS = $(shell pkg-config --cflags libcjson)
FUZZ_CJSON_LIBS   = $(shell pkg-config --libs libcjson zlib libzstd)
FUZZ_CHAFA_CFLAGS = $(shell pkg-config --cflags chafa glib-2.0)
FUZZ_CHAFA_LIBS   = $(shell pkg-config --libs chafa glib-2.0)

FUZZ_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -DTS_FUZZ_SMALL_BUFFERS -g -O1 -MMD -MP \
              -Wall -Wextra -Wshadow -Wstrict-prototypes $(FUZZ_SAN) -fsanitize=fuzzer-no-link

FUZZ_ANALYSIS_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(wildcard analysis/*.c))
FUZZ_RENDER_OBJ   := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(wildcard render/*.c))
# tailscope capture's parsing pieces (no libcurl in these three; the JSON scanner is analysis/jscan.c)
FUZZ_CAPTURE_OBJ  := $(patsubst %,$(FUZZ_BUILD)/tui/capture/%.o,cap_buf cap_resp cap_sse)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-bins
.PRECIOUS: $(FUZZ_BUILD)/tests/fuzz/%.o

# the dependency step first (clang and its fuzzer/sanitizer runtimes)
fuzz-build: deps-test
	@$(MAKE) --no-print-directory fuzz-bins
fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

fuzz-smoke: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) sh tests/fuzz/run.sh 10 $(FUZZ_HARNESSES)

$(FUZZ_BUILD)/analysis/%.o: analysis/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CJSON_CFLAGS) -c $< -o $@

# stb_image 2.27 (Debian 12) shifts a 32-bit code buffer by more than 31 on
# corrupt JPEG data (stb_image.h:2065, nothings/stb#1293, fixed upstream after
# 2.27; x86 wraps the count: garbage pixels, no memory error under ASan).  Not
# ours to patch: keep UBSan's shift check off in that one file so fuzzing
# goes on looking for memory errors behind it.
$(FUZZ_BUILD)/render/stb_impl.o: FUZZ_FILE_FLAGS = -fno-sanitize=shift

$(FUZZ_BUILD)/render/%.o: render/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FILE_FLAGS) $(FUZZ_CHAFA_CFLAGS) -isystem /usr/include/stb $(FUZZ_CJSON_CFLAGS) -Ianalysis -c $< -o $@

$(FUZZ_BUILD)/tui/capture/%.o: tui/capture/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CJSON_CFLAGS) -Ianalysis -Irender -c $< -o $@

$(FUZZ_BUILD)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror $(FUZZ_CHAFA_CFLAGS) $(FUZZ_CJSON_CFLAGS) -Ianalysis -Irender -Itui -c $< -o $@

# image harness: render/ + analysis/; the others need analysis/ only
$(FUZZ_BUILD)/fuzz_image: $(FUZZ_BUILD)/tests/fuzz/fuzz_image.o $(FUZZ_RENDER_OBJ) $(FUZZ_ANALYSIS_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_CHAFA_LIBS) $(FUZZ_CJSON_LIBS) -lm

$(FUZZ_BUILD)/fuzz_capture: $(FUZZ_BUILD)/tests/fuzz/fuzz_capture.o $(FUZZ_CAPTURE_OBJ) $(FUZZ_ANALYSIS_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_CJSON_LIBS) -lm

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_ANALYSIS_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_CJSON_LIBS) -lm

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
