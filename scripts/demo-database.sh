#!/usr/bin/env bash
# Builds a demo database for Ergon Console with its own command line: a few hundred flows of
# the bundled types in every state, three worker processes of which one is killed (SIGKILL)
# so that the Workers page shows it lost, and two that keep running while the console looks.
#
#   scripts/demo-database.sh [--build DIR] [--screenshots DIR] [--keep-running] DB
#
#   --build DIR        the build folder holding bin/ergon-console (default: build, or
#                      $ERGON_BUILD_DIR)
#   --screenshots DIR  while the two workers still run and new flows keep coming, run
#                      `ergon-console --screenshots DIR` on the database (this is how
#                      docs/screenshots/ are made)
#   --keep-running     leave the two live workers running at the end (prints their PIDs)
#
# DB must not exist yet. Everything runs in the foreground for about 20 s (plus 45 s of
# readings with --screenshots). The console's settings go to a private HOME, so the demo
# never touches yours.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ERGON_BUILD_DIR:-$ROOT/build}"
SHOTS=""
KEEP=0
DB=""

die() { printf 'demo-database.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

while (($#)); do
    case "$1" in
        --build) BUILD_DIR="$(cd "$2" && pwd)"; shift 2 ;;
        --screenshots) SHOTS="$2"; shift 2 ;;
        --keep-running) KEEP=1; shift ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) [[ -z "$DB" ]] || die "one database only"; DB="$1"; shift ;;
    esac
done
[[ -n "$DB" ]] || die "usage: scripts/demo-database.sh [--build DIR] [--screenshots DIR] [--keep-running] DB"
[[ ! -e "$DB" ]] || die "$DB exists already; the demo starts from an empty database"
CONSOLE="$BUILD_DIR/bin/ergon-console"
[[ -x "$CONSOLE" ]] || die "no $CONSOLE: build it first (ninja -C $BUILD_DIR ergon-run)"
mkdir -p "$(dirname "$DB")"
DB="$(cd "$(dirname "$DB")" && pwd)/$(basename "$DB")"

# A private home: the console's settings and default database stay out of the user's.
DEMO_HOME="$(mktemp -d)"
export HOME="$DEMO_HOME" XDG_CONFIG_HOME="$DEMO_HOME/.config" XDG_DATA_HOME="$DEMO_HOME/.local/share"
export XDG_RUNTIME_DIR="$DEMO_HOME/runtime"
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$DEMO_HOME"
}
trap cleanup EXIT

ergon() { "$CONSOLE" "$@" --db "$DB"; }
schedule() { # TYPE COUNT [schedule options...]
    local type="$1" count="$2"; shift 2
    ergon schedule "$type" --count "$count" "$@" >/dev/null
}

log "scheduling flows into $DB"
schedule demo.Pipeline 120 --args '{"steps": 4, "step_ms": 30}'
schedule demo.Pipeline 3 --args '{"steps": 60, "step_ms": 1500}' --priority -1  # still running later
schedule demo.Flaky 30 --args '{"fail_times": 1}'                               # completes on attempt 2
schedule demo.Flaky 12 --args '{"fail_times": 5}'                               # fails for good
schedule demo.Sleeper 25 --args '{"seconds": 3}'
schedule demo.Sleeper 18 --args '{"seconds": 900}'                              # waiting on timer "nap"
for i in $(seq 1 40); do
    amount=$(( i % 9 == 0 ? -5 : 10 * i ))                                       # a few invalid orders fail
    schedule orders.OrderProcessor 1 --args "{\"order_id\": \"ORD-$(printf %03d "$i")\", \"amount\": $amount}"
done
for i in $(seq 1 8); do
    schedule orders.TimedOrderProcessor 1 --args "{\"order_id\": \"ORD-9$(printf %02d "$i")\", \"delay_s\": $((300 + 120 * i))}"
done
schedule demo.Pipeline 30 --delay 7200                                           # pending: due in two hours
to_cancel=$(ergon schedule demo.Pipeline --count 8 --delay 3600)
for id in $to_cancel; do ergon cancel "$id"; done

log "three workers: demo-a, demo-b and demo-c (short leases, so that a lost one shows quickly)"
for name in demo-a demo-b demo-c; do
    "$CONSOLE" worker --db "$DB" --name "$name" --concurrency 4 --lease 4 2>/dev/null &
    PIDS+=("$!")
done
sleep 8
log "kill -9 demo-c (pid ${PIDS[2]}): the Workers page shows it lost"
victim="${PIDS[2]}"
unset 'PIDS[2]'
disown "$victim"                      # no "Killed" notice from the shell
kill -KILL "$victim"
while kill -0 "$victim" 2>/dev/null; do sleep 0.1; done
sleep 6

if [[ -n "$SHOTS" ]]; then
    mkdir -p "$SHOTS"
    SHOTS="$(cd "$SHOTS" && pwd)"
    log "screenshots into $SHOTS (45 s of live readings first)"
    # New work keeps arriving while the console watches, so that its charts move.
    (
        for round in $(seq 1 60); do
            schedule demo.Pipeline $((3 + round % 5)) --args '{"steps": 3, "step_ms": 300}'
            ((round % 4)) || schedule demo.Flaky 1 --args '{"fail_times": 5}'
            ((round % 3)) || schedule demo.Sleeper 2 --args '{"seconds": 4}'
            sleep 1
        done
    ) &
    feeder=$!
    # Without a display the console draws offscreen; with one (or under xvfb-run) it shows.
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then export QT_QPA_PLATFORM=offscreen; fi
    (cd "$DEMO_HOME" && "$CONSOLE" --db "$DB" --screenshots "$SHOTS" --screenshot-wait 45) 2>/dev/null
    kill "$feeder" 2>/dev/null || true
    wait "$feeder" 2>/dev/null || true
fi

if ((KEEP)); then
    log "workers demo-a and demo-b keep running: pids ${PIDS[*]}"
    PIDS=()
    trap 'rm -rf "$DEMO_HOME"' EXIT
else
    log "stopping demo-a and demo-b"
fi
ergon stats
