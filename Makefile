# The two commands: `make run` sets everything up and serves the portal; `make test` runs
# every test. Nothing else needs to be installed beforehand but Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Developer defaults; production sets its own environment (see README, "Production").
export DEBUG ?= true

.PHONY: run test setup install db lint messages check-deploy clean bench bench-load

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:8000

setup: $(BIN)/.installed db

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(BIN)/.installed

db: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_areas governance/data/changzhi-divisions.csv
	$(BIN)/python manage.py seed_demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: install
	$(BIN)/python manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'tests/*' --no-obsolete
	$(BIN)/python manage.py makemessages -d djangojs --locale zh_Hans --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'staticfiles/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

# The benchmark (bench/README.md): jobs and pages at a week and a year of data, on the local
# PostgreSQL (databases bench_week and bench_year, generated when missing); and the load test.
bench: install
	$(BIN)/python bench/run.py

bench-load: install
	$(BIN)/python bench/run.py --sizes year --users 50 --duration 300 --mixed --skip-jobs --name load

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
