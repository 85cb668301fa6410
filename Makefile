# Two commands for a newcomer: `make dashboard` and `make test`. Everything else is plumbing.
VENV := .venv
PY := $(VENV)/bin/python
DB := data/monitor.db

.PHONY: dashboard test lint demo-db browser pango screenshots

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Built from seeds/ only when missing: an analyst's own database is never overwritten.
$(DB): | $(VENV)/.installed
	$(PY) -m ingest seeds seeds --db $(DB)

demo-db: $(DB)

# `init` upgrades a database made by an older release (after a `git pull`); `cluster` and
# `events` then place what the upgrade left in no story or event (else they do nothing).
dashboard: $(VENV)/.installed $(DB) pango
	$(PY) -m ingest init --db $(DB)
	$(PY) -m ingest cluster --db $(DB)
	$(PY) -m ingest events --db $(DB)
	$(VENV)/bin/streamlit run dashboard.py --server.address 127.0.0.1

# The browser test drives Debian's chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q --no-install-recommends chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q --no-install-recommends chromium; fi; }

# WeasyPrint (PDF briefs) lays text out with Pango, a system library (Debian package names).
pango:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; \
	  else sudo apt-get update -q && sudo apt-get install -y -q --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; fi; }

test: $(VENV)/.installed browser pango
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# The guide's screenshots (docs/img/): the browser test on the bundled demo, kept small.
screenshots: $(VENV)/.installed browser
	MONITOR_SCREENSHOTS=docs/img $(PY) -m pytest tests/test_browser.py -q -k "every_page and demo"
