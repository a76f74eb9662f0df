# Bailanys — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo edge secret is for this machine only; production edges get theirs from `register_telephony_edge`.
DEMO_EDGE_SECRET := demo-edge-secret-for-make-run-only-1414
# The SQLite suite runs on both cores (tests choose their ports per xdist worker); PYTEST_ARGS= runs it serially.
PYTEST_ARGS ?= -n 2
RUN_ENV := DEBUG=True EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=var/outbox \
	TELEPHONY_EDGE_SECRET=$(DEMO_EDGE_SECRET) TELEPHONY_PLATFORM_URL=http://$(HOST):$(PORT)

.PHONY: run test install install-dev system-test-deps catalogues lint demo-data check-deploy schema clean bench-search bench-telephony bench-recordings bench-intake bench-signatures

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed catalogues

install-dev: $(VENV)/.installed-dev catalogues

catalogues: $(VENV)/.installed
	$(RUN_ENV) $(PY) manage.py compile_catalogues

demo-data: install
	mkdir -p var
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo_data

run: demo-data
	@$(RUN_ENV) $(PY) manage.py print_demo_logins --url http://$(HOST):$(PORT)
	$(RUN_ENV) $(PY) scripts/run_local.py $(HOST):$(PORT)

# Debian packages the tests use (headless Chromium for browser tests, gettext for catalogue checks,
# baresip phones + sox tones for real SIP calls, Kamailio for the SIP dispatcher in front of edge workers,
# SIPp for the telephony benchmark's callers, Dovecot as the IMAP server the mail intake tests poll).
system-test-deps:
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && command -v baresip >/dev/null \
	  && command -v sox >/dev/null && test -x /usr/sbin/kamailio && command -v sipp >/dev/null \
	  && test -x /usr/sbin/dovecot && command -v unzip >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium gettext baresip-core sox kamailio sip-tester dovecot-imapd unzip >/dev/null; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=True $(VENV)/bin/mypy .
	DEBUG=True $(PY) manage.py makemigrations --check --dry-run
	DEBUG=True $(PY) manage.py check_catalogues
	$(MAKE) check-deploy

check-deploy:
	DEBUG=False SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  ALLOWED_HOSTS=1414.example.kz $(PY) manage.py check --deploy --fail-level WARNING

schema: install-dev
	DEBUG=True $(PY) manage.py spectacular --lang en --file openapi.yaml --validate --fail-on-warn

test: install-dev system-test-deps lint
	DEBUG=True $(VENV)/bin/pytest $(PYTEST_ARGS)

# Knowledge search benchmark: quality per spelling variant with baselines, latency, 100k build (bench/search).
bench-search: install
	DEBUG=True $(PY) bench/search/run.py $(BENCH_ARGS)

# Phone line benchmark: SIPp callers through Kamailio and the PJSIP edge to the platform (bench/telephony);
# e.g. `make bench-telephony BENCH_ARGS="--calls 100"`. Needs PostgreSQL, kamailio, sip-tester, sox.
bench-telephony: install system-test-deps
	$(PY) bench/telephony/run.py $(BENCH_ARGS)

# E-mail intake benchmark: a realistic mix of mail through the SMTP receiver to a Celery worker on Redis, appeals per
# second beside bare inserts of the same rows, time per stage (bench/intake); needs PostgreSQL and Redis;
# e.g. `make bench-intake BENCH_ARGS="--messages 500 --json"`.
bench-intake: install
	$(PY) bench/intake/run.py $(BENCH_ARGS)

# Recordings archive benchmark: look-up by date + phone at 10M generated rows, a typical request to a ready package,
# export vs a plain copy (bench/recordings); needs PostgreSQL, keeps its database `bench_recordings` for reruns;
# e.g. `make bench-recordings BENCH_ARGS="--rows 200000"`.
bench-recordings: install
	$(PY) bench/recordings/run.py $(BENCH_ARGS)

# EDS benchmark: detached-CMS RSA-2048 verifications per second on one core, chain and CRL checks included, with a
# bare RSA verification beside it (bench/signatures); e.g. `make bench-signatures BENCH_ARGS="--json"`.
bench-signatures: install
	$(PY) bench/signatures/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
