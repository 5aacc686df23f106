#!/usr/bin/env bash
# The Debian packages Haven needs beyond Python, installed when missing (apt-get, as root or through
# sudo). Add a package to the list it belongs to, with a word on what needs it.
#
#   scripts/debian-packages.sh            runtime and development packages (make install runs this)
#   scripts/debian-packages.sh --runtime  only what the running site needs (the Dockerfile runs this)
#   scripts/debian-packages.sh --check    list what is missing, install nothing (exit 1 if anything is);
#                                         with --runtime, only the runtime list
set -euo pipefail

# What the site needs to run.
RUNTIME=(
  fonts-noto-core  # PDF receipts and statements: Latin (Vietnamese too), Greek, Cyrillic, Arabic, Hebrew, Indic, Thai…
  fonts-noto-cjk   # PDF receipts and statements: Chinese, Japanese and Korean names
  gettext          # msgfmt: compilemessages builds the translations (install, demo, image); makemessages
)
# What development, tests and CI need on top.
DEVELOPMENT=(
  poppler-utils    # pdftoppm / pdftotext: look at a generated PDF (pdftoppm -png receipt.pdf page)
  wrk              # make bench: the side-by-side load generator (bench/sidebyside.py)
)

runtime_only=false
check_only=false
for arg in "$@"; do
  case "$arg" in
    --runtime) runtime_only=true ;;
    --check) check_only=true ;;
    *) echo "usage: $0 [--runtime] [--check]" >&2; exit 2 ;;
  esac
done

wanted=("${RUNTIME[@]}")
$runtime_only || wanted+=("${DEVELOPMENT[@]}")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian-like system: install these (or your system's equivalents) yourself: ${wanted[*]}" >&2
  exit 1
fi

missing=()
for package in "${wanted[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if $check_only; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get update && apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
