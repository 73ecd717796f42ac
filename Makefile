# goheap: `make demo` runs the main job on a bundled fixture, `make test` runs every test.
# Both install what they need (npm packages) and build first.
SHELL := /bin/bash
NODE_STAMP := node_modules/.goheap-installed
DEMO_DIR := .cache/fixtures/zoo/go1.26

.PHONY: all install build test test-tools demo serve unpack fixtures bench clean

all: build

# @memlab/core (a test-only heap snapshot reader) depends on puppeteer: never let it download a browser.
$(NODE_STAMP): package.json package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROME_DOWNLOAD=1 PUPPETEER_SKIP_CHROME_HEADLESS_SHELL_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(NODE_STAMP)

# tsc, then the command lines bundled in place (scripts/bundle-cli.mjs: a warm command loads 6 modules, not ~180).
build: install
	npx tsc -p tsconfig.json
	node scripts/bundle-cli.mjs

# Fixtures are committed gzipped; tests and the demo read them unpacked under .cache/.
unpack:
	@for f in $$(find fixtures -name '*.gz' | sort); do \
	  o=".cache/$${f%.gz}"; \
	  if [ ! -f "$$o" ] || [ "$$f" -nt "$$o" ]; then mkdir -p "$$(dirname "$$o")"; gunzip -c "$$f" > "$$o"; fi; \
	  case "$$o" in *.dump) ;; *) chmod +x "$$o";; esac; \
	done
	@for f in $$(find fixtures -name 'facts.json'); do mkdir -p ".cache/$$(dirname $$f)"; cp "$$f" ".cache/$$f"; done

# Debian tools the tests read outputs with (dot, chromium, a JDK, readelf, llvm-dwarfdump), VisualVM's heap library and
# Go 1.26's pprof: installed only when missing (needs root the first time; says what to install otherwise).
test-tools:
	@scripts/install-test-tools.sh

test: build unpack test-tools
	@start=$$(date +%s); npx mocha; rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s wall on $$(nproc) cores"; exit $$rc

demo: build unpack
	@echo "== goheap info: what is in the dump"
	node dist/cli/goheap.js info $(DEMO_DIR)/heap1.dump $(DEMO_DIR)/zoo
	@echo; echo "== goheap types: the biggest types"
	node dist/cli/goheap.js types $(DEMO_DIR)/heap1.dump $(DEMO_DIR)/zoo --limit 12
	@echo; echo "== goheap roots: who retains the heap"
	node dist/cli/goheap.js roots $(DEMO_DIR)/heap1.dump $(DEMO_DIR)/zoo --limit 8
	@echo; echo "== goheap suspects: why it is not freed"
	node dist/cli/goheap.js suspects $(DEMO_DIR)/heap1.dump $(DEMO_DIR)/zoo
	@mkdir -p demo
	@echo; echo "== dumptodot: the heap as a Graphviz picture (demo/heap.dot)"
	node dist/cli/dumptodot.js $(DEMO_DIR)/heap1.dump $(DEMO_DIR)/zoo -o demo/heap.dot
	@if command -v dot >/dev/null; then dot -Tsvg demo/heap.dot -o demo/heap.svg && echo "demo/heap.svg: open it in a browser"; \
	 else echo "(install Graphviz to draw it: dot -Tsvg demo/heap.dot -o demo/heap.svg)"; fi
	@echo; echo "== dumptohprof: the heap as a Java HPROF file for VisualVM or Eclipse MAT (demo/heap.hprof)"
	node dist/cli/dumptohprof.js $(DEMO_DIR)/heap1.dump $(DEMO_DIR)/zoo demo/heap.hprof
	@ls -l demo/heap.dot demo/heap.hprof
	@echo; echo "== the viewer: run 'make serve', then open http://127.0.0.1:7000/ (Ctrl-C stops it); it runs"
	@echo "   node dist/cli/goheap.js serve $(DEMO_DIR)/heap2.dump $(DEMO_DIR)/zoo --baseline $(DEMO_DIR)/heap1.dump"

# The viewer on the demo fixture, with the first dump as the baseline of /diff.
serve: build unpack
	node dist/cli/goheap.js serve $(DEMO_DIR)/heap2.dump $(DEMO_DIR)/zoo --baseline $(DEMO_DIR)/heap1.dump

# Regenerates every fixture with real Go toolchains installed from Debian's packages (needs root for apt).
fixtures:
	scripts/make-fixtures.sh

# Builds a large heap dump with a real Go program and measures each stage; writes bench/results.json.
# BENCH_ARGS: --objects N (default 14000000), --stages a,b, --regenerate. Then the big stage: a 70 M-object heap
# from bench/genheap (cold open, a first CLI run, warm commands, viewer pages after a warm restart; bench/results-synthetic-N.json);
# BENCH_BIG_ARGS adds options to it (--objects N).
bench: build
	node dist/bench/run.js $(BENCH_ARGS)
	node dist/bench/run.js --heap synthetic --objects 70000000 --stages dominators,reopen,cli-cold,warm,viewer,viewer-restart $(BENCH_BIG_ARGS)

clean:
	rm -rf dist .cache
