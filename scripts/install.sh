#!/bin/sh
# Installs a released assay binary in seconds: downloads the archive for this OS and CPU
# and the release's SHA256SUMS, checks the archive's SHA-256 against it, and only then
# unpacks `assay` into the install directory. Nothing is installed when a download fails
# or a checksum differs (exit 2).
#
#   sh install.sh --repo OWNER/NAME [--version vX.Y.Z|latest] [--dir DIR]
#
# Environment (the flags win): ASSAY_REPOSITORY, ASSAY_VERSION (default latest),
# ASSAY_INSTALL_DIR (default $HOME/.local/bin), ASSAY_RELEASE_URL (the base URL of the
# release's files, for a mirror; replaces --repo and --version).
#
# Builds: Linux x86_64 and arm64 (static, musl: any distribution, Alpine included) and
# macOS arm64. Elsewhere, build from source: cargo install --locked --git <repository> assay
#
# The checksum proves the archive is the one the release lists. That it was built by the
# release workflow from the tagged commit is proven by its provenance attestation:
#   gh attestation verify assay-<target>.tar.gz --repo OWNER/NAME
set -eu

# The release workflow writes its repository here in the copy attached to a release.
DEFAULT_REPOSITORY=""

repository="${ASSAY_REPOSITORY:-$DEFAULT_REPOSITORY}"
version="${ASSAY_VERSION:-latest}"
dir="${ASSAY_INSTALL_DIR:-${HOME:-.}/.local/bin}"
base="${ASSAY_RELEASE_URL:-}"

fail() {
  echo "install.sh: $*" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --repo) [ $# -ge 2 ] || fail "--repo needs OWNER/NAME"; repository="$2"; shift 2 ;;
    --version) [ $# -ge 2 ] || fail "--version needs a tag or latest"; version="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || fail "--dir needs a directory"; dir="$2"; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) fail "unknown argument: $1 (see --help)" ;;
  esac
done

# The release target for this machine.
os="$(uname -s)"
cpu="$(uname -m)"
if [ "$os" = Darwin ] && [ "$cpu" = x86_64 ] \
  && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
  cpu=arm64 # a shell under Rosetta on Apple silicon: the native build runs
fi
case "$os/$cpu" in
  Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
  *) fail "no release build for $os $cpu; build from source: cargo install --locked --git <repository> assay" ;;
esac
asset="assay-$target.tar.gz"

if [ -z "$base" ]; then
  [ -n "$repository" ] || fail "name the repository the release is in: --repo OWNER/NAME"
  case "$version" in
    latest) base="https://github.com/$repository/releases/latest/download" ;;
    *) base="https://github.com/$repository/releases/download/$version" ;;
  esac
fi

fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl --proto '=https,file' -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is installed"
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
  else
    fail "no SHA-256 tool (sha256sum, shasum or openssl) to check the download with"
  fi
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM

fetch "$base/$asset" "$work/$asset" || fail "could not download $base/$asset"
fetch "$base/SHA256SUMS" "$work/SHA256SUMS" || fail "could not download $base/SHA256SUMS"

# `sha256sum` lines: "<hex>  <file>" (text mode) or "<hex> *<file>" (binary mode).
expected="$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$work/SHA256SUMS")"
[ -n "$expected" ] || fail "$asset is not listed in $base/SHA256SUMS"
actual="$(sha256 "$work/$asset")"
[ "$actual" = "$expected" ] \
  || fail "checksum mismatch for $asset: SHA256SUMS lists $expected, the download is $actual; nothing installed"

mkdir "$work/unpacked"
tar -xzf "$work/$asset" -C "$work/unpacked"
binary="$work/unpacked/assay-$target/assay"
[ -f "$binary" ] || fail "$asset holds no assay-$target/assay"
mkdir -p "$dir"
# Copied beside the target, then renamed: a running assay is never half-replaced.
cp "$binary" "$dir/.assay.tmp.$$"
chmod 0755 "$dir/.assay.tmp.$$"
mv -f "$dir/.assay.tmp.$$" "$dir/assay"

echo "installed $dir/assay (sha256 of $asset verified: $actual)" >&2
"$dir/assay" --version >&2 || fail "the installed $dir/assay does not run"
case ":${PATH:-}:" in
  *":$dir:"*) ;;
  *) echo "note: $dir is not on PATH" >&2 ;;
esac
