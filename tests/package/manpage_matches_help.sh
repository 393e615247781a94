#!/usr/bin/env bash
# ergon-console(1) against the console's help: the page lists the verbs --help lists, no more
# and no fewer, and shows the help of the console and of each verb exactly as it prints now.
#   manpage_matches_help.sh CONSOLE MANPAGE
set -euo pipefail
console="$1" page="$2"
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
[[ -f "$page" ]] || fail "no manual page at $page"

# As the page is generated: the default database under a home written ~.
help() {
    env -u XDG_DATA_HOME HOME='~' "$console" "$@" | sed -e '1s|^Usage: [^ ]*ergon-console|Usage: ergon-console|'
}
# The .nf block after a line (the first match of a sed address), with roff's escapes undone.
block() {
    awk -v start="$1" '
        found == 0 && $0 == start { found = 1; next }
        found == 1 && $0 == ".nf" { found = 2; next }
        found == 2 && $0 == ".fi" { exit }
        found == 2 { print }' "$page" | sed -e 's/^\\&//' -e 's/\\-/-/g' -e 's/\\e/\\/g'
}
same() { # same WHAT EXPECTED ACTUAL
    if [[ "$2" != "$3" ]]; then
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") >&2 || true
        fail "the manual page's $1 differs from the help (above: < help, > page)"
    fi
}

main_help="$(help --help)"
same "DESCRIPTION" "$(printf '%s' "$main_help" | sed -e '/./,$!d')" "$(block .PP)"
verbs="$(printf '%s\n' "$main_help" | sed -n '/^Commands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')"
[[ -n "$verbs" ]] || fail "--help lists no commands"
page_verbs="$(sed -n 's/^\.SS //p' "$page")"
same "list of commands (.SS)" "$verbs" "$page_verbs"
for verb in $verbs; do
    same "section $verb" "$(help "$verb" --help | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')" "$(block ".SS $verb")"
done
# The page renders (man-db's groff) without warnings, where man is installed.
if command -v man >/dev/null; then
    warnings="$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)"
    [[ -z "$warnings" ]] || fail "man warns: $warnings"
fi
echo "ok: the manual page shows the help of ergon-console and of its $(printf '%s\n' $verbs | wc -l) commands"
