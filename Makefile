# Shortcuts for the npm scripts; `make help` lists them.
.PHONY: help install start start-auth start-compute test test-docker typecheck build render-nginx compose-up compose-down bench

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-14s %s\n", $$1, $$2}'

install: ## npm ci
	npm ci
start: ## the all-in-one emulator on :8080 (embedded SQLite in ./data)
	npm start
start-auth: ## the auth service alone
	npm run start:auth
start-compute: ## the compute service alone
	npm run start:compute
test: ## the whole Docker-free suite
	npm test
test-docker: ## image, compose stack and testcontainers tests (needs a Docker engine)
	npm run test:docker
typecheck: ## tsc --noEmit over every workspace
	npm run typecheck
build: ## production bundles in dist/
	npm run build
render-nginx: ## re-render the gateway's nginx config from the route table
	npm run render:nginx
compose-up: ## the compose stack behind nginx on :8080
	docker compose up -d --build
compose-down: ## stop the compose stack (the data volume is kept)
	docker compose down
bench: ## benchmarks (not tests)
	npm run bench
