# ChatCart — `make run` starts it, `make test` tests it. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
RASA_VENV := .venv-rasa
UV := $(VENV)/bin/uv
APP := $(VENV)/.installed
ENGINE := $(RASA_VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run cluster test test-fast lint install chromium tesseract nginx train chat evaluate bench lock parse clean help
.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(APP): pyproject.toml requirements/app.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "ChatCart needs python3 >= 3.11 for the app (found $$($(PYTHON) -V 2>&1)); set PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(VENV)/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@echo "==> installing the app environment ($(VENV))"
	@$(UV) pip sync -q --python $(VENV)/bin/python requirements/app.lock
	@$(UV) pip install -q --python $(VENV)/bin/python --no-deps -e .
	@touch $@

$(ENGINE): requirements/rasa.lock | $(APP)
	@echo "==> installing the Rasa engine environment ($(RASA_VENV), Python 3.10)"
	@py310=$$(scripts/find-python310) && \
		{ test -x $(RASA_VENV)/bin/python || $(UV) venv -q --python "$$py310" $(RASA_VENV); }
	@$(UV) pip sync -q --python $(RASA_VENV)/bin/python requirements/rasa.lock
	@touch $@

install: $(APP) $(ENGINE) chromium tesseract nginx ## Create or update both environments (and Debian's Chromium, Tesseract and nginx)

CHROMIUM := /usr/bin/chromium
# Hindi in screenshots needs a Devanagari font; Chromium alone draws boxes.
DEVANAGARI_FONT := /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf
chromium: ## Debian's Chromium and fonts for the browser tests; skipped when present
	@test -x $(CHROMIUM) -a -f $(DEVANAGARI_FONT) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "==> installing chromium and fonts (apt-get)"; \
			apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-color-emoji fonts-noto-core >/dev/null; \
		else \
			echo "chromium or its fonts are missing and cannot be installed here (needs root and apt-get): browser tests may be skipped"; \
		fi; }

TESSERACT := /usr/bin/tesseract
TESSDATA := /usr/share/tesseract-ocr/5/tessdata
# Photos of shopping lists (bot/ocr): Tesseract 5 with its English and Hindi models, and the
# handwriting-style fonts scripts/make_list_images.py draws data/eval/lists/ with.
LIST_FONTS := fonts-comic-neue fonts-dkg-handwriting fonts-humor-sans fonts-lohit-deva fonts-deva-extra fonts-aksharyogini2
HAND_FONT := /usr/share/fonts/truetype/fonts-aksharyogini2/Aksharyogini2Normal.ttf
tesseract: ## Debian's Tesseract with English and Hindi models for photos of lists (and the list set's fonts); skipped when present
	@test -x $(TESSERACT) -a -f $(TESSDATA)/eng.traineddata -a -f $(TESSDATA)/hin.traineddata -a -f $(HAND_FONT) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "==> installing tesseract with English and Hindi (apt-get)"; \
			apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q tesseract-ocr tesseract-ocr-eng tesseract-ocr-hin $(LIST_FONTS) >/dev/null; \
		else \
			echo "tesseract or its English/Hindi models are missing and cannot be installed here (needs root and apt-get): photos of lists will not be read"; \
		fi; }

NGINX := /usr/sbin/nginx
nginx: ## Debian's nginx, the entry point of `make cluster` (deploy/nginx.conf.template); skipped when present
	@test -x $(NGINX) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "==> installing nginx (apt-get)"; \
			apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null; \
		else \
			echo "nginx is missing and cannot be installed here (needs root and apt-get): make cluster and its test need it"; \
		fi; }

run: install ## Install, load the catalog, train if needed, start every process (Ctrl-C stops)
	@$(VENV)/bin/chatcart run

# The production shape on this machine: PostgreSQL and Redis (the machine's servers), nginx on
# CLUSTER_PORT in front of CLUSTER_APIS APIs, CLUSTER_ENGINES engines, CLUSTER_ACTIONS action
# servers and CLUSTER_WORKERS WhatsApp workers (2 of each by default). Configuration: deploy/.
cluster: install ## Start the production shape here: nginx, N of every process on PostgreSQL + Redis (Ctrl-C stops)
	@$(VENV)/bin/chatcart cluster run

train: install ## Train a model when the training data changed (a candidate; the first one is production)
	@$(VENV)/bin/chatcart model train

chat: $(APP) ## Chat with the running assistant in the terminal
	@$(VENV)/bin/chatcart chat

# The suite runs on every core (pytest-xdist); the tests that use the Rasa engine share one
# worker and one engine; the longest chains are handed out first (tests/processes.py).
# TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=15

test: install ## Lint, train the model if the data changed, run the whole suite (the 15 slowest tests last)
	@$(MAKE) --no-print-directory lint
	@$(VENV)/bin/chatcart model train
	@$(PYTEST) $(PYTEST_ARGS)

test-fast: $(APP) ## The unit tests alone: no engine, no servers, no browser (under 2 minutes)
	@$(PYTEST) -m "not processes" $(PYTEST_ARGS)

lint: $(APP) ## ruff check, ruff format --check and mypy (strict on bot/); fails on any finding
	@echo "==> ruff check" && $(VENV)/bin/ruff check --quiet .
	@echo "==> ruff format --check" && $(VENV)/bin/ruff format --check --quiet .
	@echo "==> mypy" && $(VENV)/bin/mypy

evaluate: install ## The newest model against production (intents, entities, item lines), then the conversation set on the newest model, then photos of lists (reports/)
	@$(VENV)/bin/chatcart evaluate model
	@$(VENV)/bin/chatcart evaluate conversations --model newest
	@$(VENV)/bin/chatcart evaluate lists

bench: $(APP) ## Run the benchmarks in bench/ (results in bench/results/)
	@$(VENV)/bin/python bench/parse.py
	@$(VENV)/bin/python bench/orders.py

parse: $(APP) ## Parse messages interactively
	@$(VENV)/bin/chatcart parse

lock: $(APP) ## Re-pin both environments after editing pyproject.toml or requirements/rasa.in
	$(UV) pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements/app.lock
	$(UV) pip compile -q requirements/rasa.in --python-version 3.10 -o requirements/rasa.lock

clean: ## Remove both environments and local data
	rm -rf $(VENV) $(RASA_VENV) var
