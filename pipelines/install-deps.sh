#!/usr/bin/env bash
# Installs the Debian packages p07 needs that are missing (build, tests, loads,
# charts).  The one list of packages: .ci/run and `make demo` both use it.
# Usage: pipelines/install-deps.sh [--all]   (--all: reinstall check for every package)
set -euo pipefail

packages=(
	gcc libc6-dev make pkg-config          # build
	zlib1g-dev libssl-dev libisal-dev      # gzip, md5/sha256, fast inflate
	isal gzip curl ca-certificates          # igzip for benchmarks, fetch.sh
	bats bats-support bats-assert          # tests
	bc bsdextrautils python3               # tests: exact decimals, col(1) for man pages, JSON checks
	busybox                                # local HTTP server in fetch tests
	sqlite3 postgresql jq                  # loads, differential tests, JSON checks
	mandoc shellcheck                      # make lint
	gnuplot-nox parallel datamash          # charts, partitioned runs, bench peer
	chromium tidy libxml2-utils            # report.sh tests: headless render, HTML checks
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} Debian packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
