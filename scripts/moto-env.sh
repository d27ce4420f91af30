# Sourced by scripts/test.sh and samples/regenerate.sh from the repository root.
# The AWS emulator for the live-scan tests: moto in server mode, pinned (5.2.x breaks
# GetBucketVersioning for the Rust SDK; see docs), in a virtual environment the test
# harness finds at this path (or at ASSAY_MOTO_SERVER / ASSAY_MOTO_PYTHON).
MOTO_VENV="${ASSAY_MOTO_VENV:-$HOME/.cache/assay/moto-venv}"
if [[ ! -x "$MOTO_VENV/bin/moto_server" ]] || ! "$MOTO_VENV/bin/python" -c 'import moto, boto3, sys; sys.exit(moto.__version__ != "5.1.22")' 2>/dev/null; then
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.1.22' 'boto3>=1.35,<2'
fi
export ASSAY_MOTO_SERVER="$MOTO_VENV/bin/moto_server" ASSAY_MOTO_PYTHON="$MOTO_VENV/bin/python"
