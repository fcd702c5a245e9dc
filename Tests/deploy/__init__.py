"""The deployment checks: the image, the chart and cicd.sh's workflows, without a cluster. A package, so
that its conftest is `deploy.conftest` and never shadows the system tests' when both are collected."""
