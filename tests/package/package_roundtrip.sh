#!/usr/bin/env bash
# The Debian packages as a user gets them: made by CPack from this build, unpacked into an empty
# root (dpkg -x), the installed console run from there (--version, --help, a schedule / worker /
# list round trip on the bundled plugins), and plugins/example-outoftree built against the
# installed development files and run by the installed console.
#   package_roundtrip.sh CPACK BUILD_DIR SOURCE_DIR CMAKE GENERATOR MAKE_PROGRAM VERSION
# Exits 77 (skipped) without dpkg-deb or dpkg-shlibdeps.
set -euo pipefail
cpack="$1" build_dir="$2" source_dir="$3" cmake="$4" generator="$5" make_program="$6" version="$7"

for tool in dpkg-deb dpkg-shlibdeps; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: no $tool (Debian packages dpkg and dpkg-dev): the package cannot be made here"
        exit 77
    fi
done

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
work="$(realpath "$(mktemp -d)")"
worker_pid=""
cleanup() {
    if [[ -n "$worker_pid" ]]; then kill -KILL "$worker_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$cpack" --config "$build_dir/CPackConfig.cmake" -B "$work/packages" >"$work/cpack.log" 2>&1 \
    || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb="$work/packages/ergon-console_${version}_$(dpkg --print-architecture).deb"
dev="$work/packages/ergon-console-dev_${version}_$(dpkg --print-architecture).deb"
[[ -f "$deb" && -f "$dev" ]] || fail "cpack made $(ls "$work/packages"), not the two packages"

# What the package promises: computed dependencies, and the files a desktop and a server need.
depends="$(dpkg-deb -f "$deb" Depends)"
for needed in libqt6core6 libqt6widgets6 libqcoro6core0 libsqlite3-0 libqt6sql6-sqlite; do
    [[ "$depends" == *"$needed"* ]] || fail "Depends lacks $needed: $depends"
done
[[ "$(dpkg-deb -f "$dev" Depends)" == *"ergon-console (= $version)"* ]] || fail "the -dev package does not depend on this version"
root="$work/root"
dpkg -x "$deb" "$root"
dpkg -x "$dev" "$root"
for file in usr/bin/ergon-console usr/share/applications/ergon-console.desktop \
    usr/share/icons/hicolor/scalable/apps/ergon-console.svg usr/share/icons/hicolor/48x48/apps/ergon-console.png \
    usr/share/man/man1/ergon-console.1.gz usr/lib/systemd/system/ergon-worker@.service \
    usr/lib/sysusers.d/ergon-console.conf usr/include/ergon/flowcontext.h usr/lib/cmake/Ergon/ErgonConfig.cmake; do
    [[ -e "$root/$file" ]] || fail "the packages do not install /$file"
done
ls "$root"/usr/lib/ergon/plugins/*.so >/dev/null 2>&1 || fail "no bundled plugins in /usr/lib/ergon/plugins"
if dpkg-deb -c "$deb" | grep -q 'usr/include/'; then fail "headers in the runtime package"; fi

# The installed console runs from the root alone: its libraries by its RPATH, its plugins next
# to it. HOME is empty, so that no plugin of the user's is found.
console="$root/usr/bin/ergon-console"
export HOME="$work/home"
unset XDG_DATA_HOME ERGON_PLUGIN_PATH LD_LIBRARY_PATH
mkdir -p "$HOME"
engine="$(realpath "$(ldd "$console" | awk '/libergon-engine/ {print $3}')")"
[[ "$engine" == "$root/usr/lib/"* ]] || fail "the installed console loads its engine from '$engine', not from the package"
[[ "$("$console" --version)" == "ergon-console $version" ]] || fail "--version printed '$("$console" --version)'"
"$console" --help | grep -q '^  worker ' || fail "--help lists no worker command"

db="$work/flows.db"
id="$("$console" schedule orders.OrderProcessor --db "$db" --args '{"order_id": "P-1", "amount": 5}')" \
    || fail "schedule with the installed plugins failed"
"$console" worker --db "$db" 2>"$work/worker.err" &
worker_pid=$!

# wait_completed ID: polls the flow's status until it completes (or 60 s pass: a hang, not a timing).
wait_completed() {
    for _ in $(seq 1 600); do
        if "$console" show "$1" --db "$db" --json | grep -q '"status": *"completed"'; then return 0; fi
        sleep 0.1
    done
    fail "flow $1 did not complete: $("$console" show "$1" --db "$db" 2>&1); worker: $(cat "$work/worker.err")"
}
wait_completed "$id"
"$console" list --db "$db" | grep -E "^$id +orders\.OrderProcessor +completed" >/dev/null \
    || fail "list does not show flow $id completed: $("$console" list --db "$db")"

# A plugin author's build against the installed development files, installed beside the
# bundled plugins of the root (ERGON_PLUGIN_DIR points there).
"$cmake" -S "$source_dir/plugins/example-outoftree" -B "$work/example" -G "$generator" \
    -DCMAKE_MAKE_PROGRAM="$make_program" -DCMAKE_PREFIX_PATH="$root/usr" -DCMAKE_BUILD_TYPE=Release \
    >"$work/example.log" 2>&1 || { cat "$work/example.log" >&2; fail "the example plugin does not configure"; }
grep -q "$root/usr/lib/cmake/Ergon" "$work/example/CMakeCache.txt" || fail "the example did not find the installed Ergon"
"$cmake" --build "$work/example" >>"$work/example.log" 2>&1 \
    && "$cmake" --install "$work/example" >>"$work/example.log" 2>&1 \
    || { cat "$work/example.log" >&2; fail "the example plugin does not build or install"; }
[[ -f "$root/usr/lib/ergon/plugins/libgreeter_flows.so" ]] || fail "the example plugin was not installed beside the bundled ones"
greet="$("$console" schedule greeter.Greet --db "$db" --args '{"name": "Ada"}')" || fail "schedule greeter.Greet failed"
# The running worker loaded its plugins before the example existed: a new one runs it.
kill -TERM "$worker_pid"
wait "$worker_pid" || fail "the worker did not stop gracefully on SIGTERM (exit $?)"
"$console" worker --db "$db" 2>"$work/worker.err" &
worker_pid=$!
wait_completed "$greet"
"$console" show "$greet" --db "$db" --json | grep -q '"result": *"Hello, Ada."' || fail "greeter.Greet's result is wrong"
kill -TERM "$worker_pid"
wait "$worker_pid" || fail "the worker did not stop gracefully on SIGTERM (exit $?)"
worker_pid=""
echo "ok: $(basename "$deb") ($(stat -c %s "$deb") bytes) and $(basename "$dev") install and run from a clean root"
