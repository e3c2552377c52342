#!/usr/bin/env bash
# examples.sh - the examples a user copies are checked: the systemd units
# with systemd-analyze verify (any message fails: it reports unknown or
# malformed settings on stderr with exit 0), the crontab's schedules and
# commands (five fields each, commands that parse with sh -n, oaiusage
# options the binary accepts), and cron.sh with sh -n.
set -u
bin=${OAIUSAGE_BIN:?OAIUSAGE_BIN}
ex=$(cd "$(dirname "$0")/../examples" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
pass=0
ok() { pass=$((pass + 1)); }
not_ok() { echo "FAIL: $*" >&2; fail=$((fail + 1)); }

# systemd: verify needs ExecStart's binary to exist; point it at the build.
if command -v systemd-analyze >/dev/null; then
    for u in "$ex"/systemd/*; do
        sed "s|/usr/bin/oaiusage|$bin|g" "$u" >"$work/${u##*/}"
    done
    if (cd "$work" && timeout 60 systemd-analyze verify ./*.service ./*.timer) >"$work/verify.out" 2>&1 &&
        [ ! -s "$work/verify.out" ]; then
        ok
    else
        not_ok "systemd-analyze verify: $(head -c 600 "$work/verify.out")"
    fi
else
    not_ok "systemd-analyze is required (scripts/deps.sh --test)"
fi

# crontab: schedule lines have five time fields; each command parses; every
# oaiusage invocation in it is accepted by the binary (--dry-run where the
# command makes requests; the offline ones are checked for their options
# with an unknown store, which must fail on the store, exit 8, not on usage).
n=0
while IFS= read -r line; do
    case $line in '' | '#'* | [A-Z]*=*) continue ;; esac
    n=$((n + 1))
    read -r m h dom mon dow cmd <<<"$line"
    for f in "$m" "$h" "$dom" "$mon" "$dow"; do
        [[ $f =~ ^[0-9*/,-]+$ ]] || not_ok "crontab: bad time field '$f' in: $line"
    done
    if ! sh -n -c "$cmd" 2>"$work/sh.err"; then
        not_ok "crontab: the command does not parse: $cmd ($(cat "$work/sh.err"))"
        continue
    fi
    ok
    # The first oaiusage command of the line, words as sh splits them.
    first=${cmd%%&&*}
    first=${first%%||*}
    first=${first%%;*}
    eval "set -- $first"
    [ "$1" = oaiusage ] || continue
    shift
    args=("${@//$HOME/$work/home}")
    case " ${args[*]} " in
    *" --db "*)
        # Offline from a store that does not exist: exit 8 proves every
        # option was accepted (a usage error would be exit 2).
        OPENAI_ADMIN_KEY= "$bin" "${args[@]}" >/dev/null 2>"$work/err"
        rc=$?
        [ "$rc" -eq 8 ] && ok || not_ok "crontab: oaiusage ${args[*]}: exit $rc: $(head -c 300 "$work/err")"
        ;;
    " sync "*)
        # sync, with a key file in place, against a loopback port where
        # nothing listens: exit 1 (the network) proves the options and the
        # key file were accepted.
        mkdir -p "$work/home/.config/oaiusage"
        install -m 600 /dev/null "$work/home/.config/oaiusage/admin-key"
        echo sk-admin-example000000000000000000000 >"$work/home/.config/oaiusage/admin-key"
        OAIUSAGE_DB=$work/store.db "$bin" --base-url http://127.0.0.1:1/v1 --retries 0 \
            "${args[@]}" >/dev/null 2>"$work/err"
        rc=$?
        [ "$rc" -eq 1 ] && ok || not_ok "crontab: oaiusage ${args[*]}: exit $rc: $(head -c 300 "$work/err")"
        ;;
    esac
done <"$ex/systemd/crontab"
[ "$n" -ge 3 ] || not_ok "crontab: only $n schedule lines"

sh -n "$ex/cron.sh" && ok || not_ok "cron.sh does not parse"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
