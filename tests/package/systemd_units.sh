#!/usr/bin/env bash
# The worker service's unit: systemd-analyze verify finds nothing, and stopping waits longer than
# the worker's grace period (its --grace default, read from `worker --help`) before SIGKILL.
#   systemd_units.sh UNIT_DIR CONSOLE MANPAGE
# Exits 77 (skipped) without systemd-analyze.
set -euo pipefail
unit_dir="$1" console="$2" page="$3"
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
unit="$unit_dir/ergon-worker@.service"
[[ -f "$unit" ]] || fail "no $unit"

setting() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
grace="$("$console" worker --help | tr '\n' ' ' | sed -n 's/.*--grace <seconds>.*(default: \([0-9.]*\)).*/\1/p')"
[[ -n "$grace" ]] || fail "worker --help names no --grace default"
stop="$(setting TimeoutStopSec)"
[[ "$stop" =~ ^[0-9]+$ ]] || fail "TimeoutStopSec is '$stop', not seconds"
awk -v stop="$stop" -v grace="$grace" 'BEGIN { exit !(stop > grace + 5) }' \
    || fail "TimeoutStopSec=$stop leaves the worker's $grace s of grace no margin"
[[ "$(setting KillSignal)" == SIGTERM ]] || fail "KillSignal is not SIGTERM"
[[ "$(setting Restart)" == on-failure ]] || fail "Restart is not on-failure"
for key in User ProtectSystem ProtectHome NoNewPrivileges StateDirectory EnvironmentFile; do
    [[ -n "$(setting "$key")" ]] || fail "$key is not set"
done

if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: no systemd-analyze (Debian package systemd): the unit was checked by its keys only"
    exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Documentation=man:ergon-console(1) is looked up with man: the page of this build.
mkdir -p "$work/man/man1"
cp "$page" "$work/man/man1/ergon-console.1"
cp "$unit" "$work/"
out="$(cd "$work" && MANPATH="$work/man" systemd-analyze verify --man=yes "$work/ergon-worker@test.service" 2>&1)" \
    || fail "systemd-analyze verify: $out"
# verify prints its findings and may still exit 0 on some of them.
if [[ -n "$out" ]]; then fail "systemd-analyze verify: $out"; fi
echo "ok: ergon-worker@.service verifies; TimeoutStopSec=$stop > grace $grace s"
