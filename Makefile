# The front door: every target calls ./cicd.sh, which lists the verbs; their code is in scripts/.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show the targets with one line each.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: build-local
build-local: ## Build the leader-election and gist-server binaries (debug) into .build.
	./cicd.sh build-local

.PHONY: test
test: ## Run every check: lint, Swift tests, system tests, chart and script checks.
	./cicd.sh test

.PHONY: test-release
test-release: ## Build the app as the Dockerfile does and check that binary (what it loads, the chart's environment).
	./cicd.sh test-release

.PHONY: test-demo
test-demo: ## Run make demo as on a fresh clone (its own build without the etcd lock) and check what it shows.
	./cicd.sh test-demo

.PHONY: test-deploy
test-deploy: ## Run the image, chart and cluster-script checks alone (no cluster needed).
	./cicd.sh test-deploy

.PHONY: bench
bench: ## Measure request rates against GitHub's limits, failover times, memory and CPU (BENCH_QUICK=1: short; LOCK=etcd).
	./cicd.sh bench

.PHONY: format
format: ## Apply swift-format and ruff's fixes with the project's settings (make test checks them).
	./cicd.sh format

.PHONY: docs
docs: ## Render the flag tables in docs/ from the binaries' --help (builds them first).
	./cicd.sh docs

.PHONY: chaos
chaos: ## Run the copies through process, network, server, clock and contention faults; report and timeline (LOCK=etcd).
	./cicd.sh chaos

##@ Demo

# The lock of the demo (gist: a local gist server; etcd: a local three-member etcd) and of deploy's
# releases; make demo LOCK=etcd, make deploy LOCK=etcd ETCD_ENDPOINTS=...
LOCK ?= gist

.PHONY: demo
demo: ## Run napoleon, stalin and cleopatra against a local gist server (LOCK=etcd: etcd) and show two failovers.
	LOCK="$(LOCK)" ./cicd.sh demo

##@ Clusters

# Which vclusters to use; override like: make deploy CLUSTERS="napoleon stalin".
CLUSTERS ?= napoleon stalin cleopatra
export CLUSTERS

.PHONY: build
build: ## Build the container image; push it to the REGISTRY, or load it into kind.
	./cicd.sh build

.PHONY: provision
provision: ## Create the kind cluster and the vclusters napoleon, stalin and cleopatra (idempotent).
	./cicd.sh provision

.PHONY: deploy
deploy: ## Install or upgrade the chart in every vcluster (needs LEADER_ELECTION_GITHUB_API_TOKEN; LOCK=etcd: ETCD_ENDPOINTS or ETCD_IN_CLUSTER=true).
	LOCK="$(LOCK)" ./cicd.sh deploy

.PHONY: check-leader
check-leader: ## Show each cluster's logs and the current lock record.
	./cicd.sh check-leader

.PHONY: kill-leader
kill-leader: ## Scale the leader's deployment to 0 to watch a failover.
	./cicd.sh kill-leader

.PHONY: handover
handover: ## Ask the leader to hand over without waiting out a lease (TO=stalin; without TO: any other copy).
	./cicd.sh handover $(TO)

.PHONY: status
status: ## Show the clusters, vclusters and releases.
	./cicd.sh status

.PHONY: teardown
teardown: ## Delete what provision made.
	./cicd.sh teardown
