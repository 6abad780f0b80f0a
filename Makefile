# Hamkorlik: `make run` starts the portal on a bare machine, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SCALE ?= small

.PHONY: run test install migrate demo lint check vendor messages lock clean bench bench-data bench-smoke

# requirements-dev.lock = the runtime lock (requirements.lock, what production installs) plus
# the test and lint tools, at the same versions.
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_territories
	$(PY) manage.py seed_demo --scale $(SCALE)

# Local demo over plain HTTP: debug on, so secure-cookie and HTTPS redirects are off.
run: export DJANGO_DEBUG ?= true
run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Portal on http://127.0.0.1:8000  (health: http://127.0.0.1:8000/healthz)"
	$(VENV)/bin/honcho --procfile Procfile start

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py makemigrations --check --dry-run

# Benchmarks (bench/README.md), never part of `make test`. `make bench-data` loads the national
# set once (long); `make bench` measures it; `make bench-smoke` checks the harness on a tiny set
# in a throwaway database. Each Redis database must be the bench's alone: a worker listening on
# it would take the report run's tasks.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hamkorlik_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
BENCH_SMOKE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hamkorlik_bench_smoke
BENCH_SMOKE_REDIS_URL ?= redis://127.0.0.1:6379/6
BENCH_ARGS ?=

bench bench-data: export DATABASE_URL ?= $(BENCH_DATABASE_URL)
bench bench-data: export REDIS_URL ?= $(BENCH_REDIS_URL)

bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

bench-data: install
	$(PY) -m bench.database create
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_territories
	$(PY) manage.py seed_demo --scale national
	$(PY) -m bench.database analyze

# Its own var/ directory, so the smoke run neither reads nor replaces the national set's
# var/bench/seed.json; the database is dropped however the run ends.
bench-smoke: install
	@set -e; \
	export DATABASE_URL="$(BENCH_SMOKE_DATABASE_URL)" REDIS_URL="$(BENCH_SMOKE_REDIS_URL)"; \
	export DJANGO_VAR_DIR="$(CURDIR)/var/bench-smoke"; \
	rm -rf "$$DJANGO_VAR_DIR"; \
	$(PY) -m bench.database drop; \
	$(PY) -m bench.database create; \
	trap '$(PY) -m bench.database drop' EXIT; \
	$(PY) manage.py migrate --noinput --verbosity 0; \
	$(PY) manage.py load_territories --verbosity 0; \
	$(PY) manage.py seed_demo --scale tiny --verbosity 0; \
	$(PY) -m bench.run --smoke $(BENCH_ARGS)

# Translation catalogues: extract the marked strings, then compile after translating.
messages: install
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var
	$(PY) manage.py makemessages --all --no-obsolete -d djangojs --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=static/vendor --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

# Front-end libraries from the npm registry, copied under static/vendor/ (no CDN at run time).
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	rm -rf static/vendor/bootstrap static/vendor/htmx static/vendor/echarts static/vendor/workbox static/vendor/idb static/vendor/axe-core
	mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js static/vendor/htmx static/vendor/echarts static/vendor/workbox static/vendor/idb static/vendor/axe-core
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/css/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/js/
	cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	cp node_modules/@popperjs/core/LICENSE.md static/vendor/bootstrap/LICENSE.popper.md
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE static/vendor/echarts/
	# The service worker imports these browser builds from our own static files (templates/accounts/sw.js).
	for module in core routing strategies expiration precaching; do \
		cp node_modules/workbox-$$module/build/workbox-$$module.prod.js node_modules/workbox-$$module/build/workbox-$$module.prod.js.map static/vendor/workbox/; \
	done
	cp node_modules/workbox-core/LICENSE static/vendor/workbox/
	cp node_modules/idb/build/umd.js node_modules/idb/LICENSE static/vendor/idb/
	# Only the browser tests load axe-core (tests/browser/a11y.py); no page of the portal does.
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/
	node -e 'const l=require("./package-lock.json").packages; console.log(Object.entries(l).filter(([k])=>k).map(([k,v])=>k.replace("node_modules/","")+" "+v.version).join("\n"))' > static/vendor/VERSIONS.txt

# Re-resolve the locks after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 -o requirements.lock --custom-compile-command "make lock"
	uv pip compile pyproject.toml --extra dev -c requirements.lock --python-version 3.11 -o requirements-dev.lock --custom-compile-command "make lock"

clean:
	rm -rf var staticfiles
