# The school library system. `make run` starts it, `make test` tests it; both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
MAKEMESSAGES := $(BIN)/python manage.py makemessages -l zh_Hans --no-location --no-obsolete \
	--ignore='static/vendor/*' --ignore='.venv/*' --ignore='var/*' --ignore='test-artifacts/*'

.PHONY: run test lint format messages i18n-check venv clean

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

# The web server on http://127.0.0.1:8000 (`PORT=8080 make run` for another port) with a Celery
# worker and beat; Ctrl-C stops all three.
HOST ?= 127.0.0.1
PORT ?= 8000
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_data --address http://$(HOST):$(PORT)
	@echo "Starting the web server on http://$(HOST):$(PORT), the Celery worker and beat. Press Ctrl-C to stop all three."
	@DEBUG=$${DEBUG:-true} bash -c ' \
	  trap "kill \$$(jobs -p) 2>/dev/null; wait" EXIT; \
	  $(BIN)/celery -A library_site worker --loglevel=INFO --concurrency=2 & \
	  $(BIN)/celery -A library_site beat --loglevel=INFO & \
	  $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT) & \
	  wait -n'

test: venv
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Collect new interface text into the catalogues; translate it, then `make messages` again to compile.
messages: venv
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'

# Fails when any interface text is missing from the zh-Hans catalogue, untranslated or not compiled.
i18n-check: venv
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs
	$(BIN)/pytest -q library_site/system/tests/test_i18n.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts

# The benchmarks (benchmarks/bench_*.py) against BENCH_DATABASE_URL, a PostgreSQL database filled
# with generated data on the first run (minutes) and kept. `make bench BENCH=opac` runs one.
.PHONY: bench
bench: venv
	$(BIN)/python -m benchmarks.run $(BENCH)
