#!/usr/bin/env bash
# Installs everything Colophon needs beyond npm, then the npm packages.
# Debian/Ubuntu: installs missing system packages with apt-get (as root, or via sudo).
# Elsewhere: says what to install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
chromium_found() {
  for c in "${COLOPHON_CHROMIUM:-}" "$(command -v chromium || true)" "$(command -v chromium-browser || true)" \
           "$(command -v google-chrome || true)" /usr/bin/chromium; do
    [ -n "$c" ] && [ -x "$c" ] && return 0
  done
  return 1
}
chromium_found || need+=(chromium)
have java || need+=(default-jre-headless)
[ -f /usr/share/java/epubcheck.jar ] || need+=(epubcheck)
have pdfinfo && have pdffonts && have pdftotext && have pdftoppm || need+=(poppler-utils)
have qpdf || need+=(qpdf)
# Fonts are never taken from the system for outputs, but Chromium wants a default one.
fc-list 2>/dev/null | grep -q . || need+=(fonts-dejavu-core)

if [ ${#need[@]} -gt 0 ]; then
  if have apt-get; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "setup: installing ${need[*]} with apt-get"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    cat >&2 <<MSG
setup: these are missing: ${need[*]}
Install them with your system's package manager:
  - Chromium or Google Chrome (set COLOPHON_CHROMIUM=/path/to/chrome if it is not on PATH)
  - Java 11 or later and EPUBCheck 4.2+ (jar at /usr/share/java/epubcheck.jar, or set EPUBCHECK_JAR)
  - poppler (pdfinfo, pdffonts, pdftotext, pdftoppm) and qpdf
  macOS with Homebrew: brew install --cask chromium; brew install openjdk epubcheck poppler qpdf
MSG
    exit 1
  fi
fi

# Puppeteer (pulled in by pagedjs-cli) would download its own Chrome; we use the system's.
export PUPPETEER_SKIP_DOWNLOAD=1
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# The CLI as plain JavaScript in lib/: it starts half a second sooner than through tsx.
npm run compile
