# The front door. `make run` starts the product with demo data (web server, background worker and its
# scheduler); `make test` runs every test.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-pg lint bench bench-insights bench-reliability fuzz install clean-db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Front-end libraries (ECharts) come from the npm registry at build time and are served from node_modules.
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | md5sum | cut -c1-8)
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -f node_modules/.installed-*
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

run: $(STAMP) $(NODE_STAMP)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py seed_fieldwork --if-empty
	$(BIN)/python manage.py seed_credit --if-empty
	$(BIN)/python manage.py seed_policies --if-empty
	$(BIN)/python manage.py seed_projects --if-empty
	$(BIN)/python manage.py seed_index --if-empty
	$(BIN)/python manage.py seed_plans --if-empty
	$(BIN)/python manage.py train_routing --if-missing
	@echo ""
	@echo "亲清 is running at http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/docs)"
	@echo "Demo accounts, password qinqing2026:"
	@echo "  qiye / qiye2      enterprise users (企业用户)"
	@echo "  diaodu            dispatcher of the city office (市营商办调度员); dongcheng: 东城区"
	@echo "  renshe            handler, 市人社局 (部门经办人); renshe_head: its head; gongdian: 供电公司; ziran: 自然资源局"
	@echo "  shichang          handler, 市市场监管局 (经营异常名录的认定部门: 信用名单导入, 信用修复办理)"
	@echo "  lingdao           leader (市领导; 挂钩 key enterprises); duban: 督办专员 of the action plan's tasks"
	@echo "  fuwuguan          chief service officer (首席服务官); zhuanyuan: 驻点服务专员"
	@echo "  jiandu            special supervisor (特约监督员); jijian: 纪检监察组 (reads problem clues)"
	@echo "  admin             system administrator (/admin/: reference data)"
	@echo "  anquan            security administrator (/admin/: accounts, roles, tokens)"
	@echo "  shenji            audit administrator (审计日志)"
	@echo "Background worker and scheduler log to var/worker.log (docs/worker.md); they stop with the server."
	@echo ""
	@# The worker (django-tasks-db) runs queued jobs; the scheduler enqueues the periodic ones. Both are stopped
	@# when runserver exits, however it exits (Ctrl+C included: background jobs of a script ignore SIGINT).
	@mkdir -p var; \
	$(BIN)/python manage.py db_worker --no-reload --queue-name='*' >> var/worker.log 2>&1 & worker=$$!; \
	$(BIN)/python manage.py run_scheduler >> var/worker.log 2>&1 & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: $(STAMP) $(NODE_STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# schemathesis against a live server (gunicorn) on a fresh database, as every API role and as nobody
# (tools/fuzz_api.py; docs/security.md, API 模糊测试). FUZZ_DATABASE_URL names a throwaway PostgreSQL database
# (dropped and created again); without it, SQLite in a temporary directory. FUZZ_SECONDS: the budget per role.
fuzz: $(STAMP)
	$(BIN)/python tools/fuzz_api.py

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/insights.py
	$(BIN)/python bench/supervision.py
	$(BIN)/python bench/policies.py
	BENCH_POL_DISTINCT=1 $(BIN)/python bench/policies.py
	$(BIN)/python bench/projects.py
	$(BIN)/python bench/indices.py
	$(BIN)/python bench/plans.py

bench-insights: $(STAMP)
	$(BIN)/python bench/insights.py

# Load and faults (not a timed test): 50 API users for MINUTES (default 10) while a worker is killed every minute
# and PostgreSQL (a private cluster on port 55432) is restarted once; then the books are checked. BENCHMARKS.md.
bench-reliability: $(STAMP)
	$(BIN)/python bench/reliability.py --minutes $${MINUTES:-10}

clean-db:
	rm -f var/qinqing.sqlite3*
