# rootwatchd — build, test, demo, benchmark, install.
#   make demo    the daemon against the bundled fake cloud, showing real alerts
#   make test    everything: dependencies, format check, Swift tests, end-to-end tests
#   make bench   the benchmarks (ratios against a baseline measured in the same run);
#                BENCH_ARGS=--curl adds the CurlTransport micro-benchmark, --help lists the options

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
SWIFT_FLAGS ?= -Xswiftc -warnings-as-errors
PYTHON := $(CURDIR)/.venv/bin/python
RELEASE_FLAGS := -c release --static-swift-stdlib $(SWIFT_FLAGS)
export ROOTWATCH_PYTHON := $(PYTHON)
export ROOTWATCH_SOURCE_ROOT := $(CURDIR)
export no_proxy := 127.0.0.1,localhost,::1
export NO_PROXY := 127.0.0.1,localhost,::1

.PHONY: all deps venv build release format format-check test test-swift test-e2e demo bench install clean

all: build

deps:
	scripts/install-deps

venv: deps
	scripts/make-venv

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests

format-check:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests

test: venv format-check test-swift test-e2e

test-swift: venv
	scripts/with-journald $(SWIFT) test $(SWIFT_FLAGS)

test-e2e: venv release
	scripts/with-journald $(PYTHON) -m pytest -q -p no:cacheprovider Tests/e2e

demo: venv release
	scripts/with-journald $(PYTHON) scripts/demo.py

bench: venv release
	scripts/with-journald $(PYTHON) Benchmarks/run.py $(BENCH_ARGS)
	scripts/with-journald $(PYTHON) Benchmarks/actiontrail_latency.py

install: release
	install -D -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/rootwatchd" "$(DESTDIR)$(PREFIX)/bin/rootwatchd"
	install -d -m 0755 "$(DESTDIR)/usr/lib/systemd/system"
	sed 's|^ExecStart=/usr/bin/rootwatchd|ExecStart=$(PREFIX)/bin/rootwatchd|' systemd/rootwatchd.service \
		> "$(DESTDIR)/usr/lib/systemd/system/rootwatchd.service"
	chmod 0644 "$(DESTDIR)/usr/lib/systemd/system/rootwatchd.service"
	install -D -m 0644 systemd/rootwatchd.catalog "$(DESTDIR)/usr/lib/systemd/catalog/rootwatchd.catalog"
	install -D -m 0644 systemd/rootwatchd.tmpfiles "$(DESTDIR)/usr/lib/tmpfiles.d/rootwatchd.conf"
	install -D -m 0644 etc/rootwatchd.conf "$(DESTDIR)/etc/rootwatchd/rootwatchd.conf.example"
	install -d -m 0755 "$(DESTDIR)/etc/rootwatchd/rootwatchd.conf.d"
	install -d -m 0700 "$(DESTDIR)/etc/rootwatchd/secrets"
	install -D -m 0644 docs/systemd.md "$(DESTDIR)/usr/share/doc/rootwatchd/systemd.md"
	install -D -m 0644 README.md "$(DESTDIR)/usr/share/doc/rootwatchd/README.md"
	@if [ -z "$(DESTDIR)" ]; then \
		journalctl --update-catalog || true; \
		systemd-tmpfiles --create rootwatchd.conf || true; \
		systemctl daemon-reload 2>/dev/null || true; \
	fi

clean:
	rm -rf .build .venv
