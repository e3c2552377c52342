#!/usr/bin/env bash
# pg.sh start|stop|uri|status DIR [DBNAME] - a throwaway PostgreSQL server
# for the tests (Debian's postgresql package, any version; the highest one
# under /usr/lib/postgresql/*/bin is used).
#
#   pg.sh start DIR    install the packages if missing (deps.sh --pg), create
#                      DIR (absent or empty), initdb, start the server, create
#                      role "oaiusage" and database "oaiusage_test", and print
#                      one line: the libpq URI, e.g.
#                        postgresql:///oaiusage_test?host=/tmp/x/run&port=5432&user=oaiusage
#   pg.sh stop DIR     stop the server (fast, then immediate, then SIGKILL of
#                      it and its children) and remove DIR. A DIR that does not
#                      exist, or whose server is not running, is fine.
#   pg.sh uri DIR [DB] print the URI again (for database DB if given).
#   pg.sh status DIR   exit 0 if the server accepts connections.
#
# The server listens on a Unix socket only (listen_addresses = ''), in a
# directory private to the server's user: no TCP port, so any number of
# servers can run side by side, one per DIR. Authentication on the socket
# is "trust" (a throwaway test server), and the socket directory is 0700:
# only the server's user and root can connect. Superuser "postgres" exists
# too (user=postgres in the URI). Durability is off (fsync,
# synchronous_commit, full_page_writes), TimeZone is UTC.
#
# initdb and postgres refuse to run as root: as root the server runs as the
# system user "oaiusage-pg" (created if missing; override with
# OAIUSAGE_PG_USER=name); otherwise as the calling user. That user owns
# DIR/run (data directory, socket, log); DIR itself and DIR/pg.env (the
# state stop and uri read) belong to the caller. When that user cannot
# reach DIR/run (a parent directory is private, e.g. made by mktemp -d as
# root), the socket path would exceed the 107-byte limit of Unix socket
# paths, or the path has characters other than [A-Za-z0-9/._+-], the run
# directory is a fresh /tmp/oaiusage-pg.XXXXXX instead, recorded in pg.env
# and removed by stop.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() { die "usage: pg.sh start|stop|uri|status DIR [DBNAME]"; }

here=$(cd "$(dirname "$0")" && pwd)
port=5432             # only names the socket file (.s.PGSQL.5432)
role=oaiusage
db=oaiusage_test
sock_max=107          # sizeof(sun_path) - 1

# libpq and the server tools read PG* variables (PGHOST, PGPORT, PGDATA,
# PGOPTIONS, PGSSLMODE...); every setting this script needs is explicit.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^PG' || true)
unset PSQLRC

# Percent-encode a URI query value, byte by byte (libpq decodes it).
urlenc() {
    local LC_ALL=C s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9/._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

make_uri() { # rundir dbname [user]
    printf 'postgresql:///%s?host=%s&port=%s&user=%s\n' \
        "$(urlenc "$2")" "$(urlenc "$1")" "$port" "$(urlenc "${3:-$role}")"
}

# Highest PostgreSQL version installed by Debian's packages.
find_pgbin() {
    local d t best="" bestv=-1 v
    for d in /usr/lib/postgresql/*/bin; do
        for t in initdb postgres pg_ctl psql pg_isready; do
            [ -x "$d/$t" ] || continue 2
        done
        v=${d#/usr/lib/postgresql/}
        v=${v%/bin}
        [[ $v =~ ^[0-9]+$ ]] || continue
        if [ "$v" -gt "$bestv" ]; then bestv=$v best=$d; fi
    done
    [ -n "$best" ] && printf '%s\n' "$best"
}

# pg.env: key=value lines written by start, read (not sourced) here.
envget() { # file key
    local k v
    while IFS='=' read -r k v; do
        if [ "$k" = "$2" ]; then printf '%s\n' "$v"; return 0; fi
    done <"$1"
    return 1
}

# Close every descriptor but 0-2 (of a subshell about to exec): the server
# must not hold the caller's pipes, e.g. that of URI=$(pg.sh start DIR),
# which would then never see end-of-file.
close_fds() {
    local f
    for f in /proc/"$BASHPID"/fd/*; do
        f=${f##*/}
        if [ "$f" -gt 2 ]; then { eval "exec $f>&-"; } 2>/dev/null || true; fi
    done
}

# Run a command as the server's user, from a directory it can enter, with
# only descriptors 0-2.
as_pg() { # user rundir cmd...
    local u=$1 d=$2
    shift 2
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$d" && close_fds && exec runuser -u "$u" -- "$@")
    else
        (cd "$d" && close_fds && exec "$@")
    fi
}

# Is $1 a live (not zombie) postgres process of data directory $2? Every
# process of a server runs in its data directory, children too: that finds
# them even after the postmaster died (they are in process groups of their
# own and may have been reparented).
is_server_proc() { # pid datadir
    local exe
    [ -n "$1" ] && [ "/proc/$1/cwd" -ef "$2" ] || return 1
    exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
    case ${exe##*/} in postgres | postgres\ \(deleted\) | postmaster) return 0 ;; esac
    return 1
}

# Pids of the processes of the server on data directory $1.
server_procs() {
    local p
    [ -d "$1" ] || return 0
    for p in /proc/[0-9]*; do
        [ "$p/cwd" -ef "$1" ] && is_server_proc "${p#/proc/}" "$1" && printf '%s ' "${p#/proc/}"
    done
    return 0
}

# rm -rf, retried for a while: a process that is still ending (say initdb
# cleaning up after a signal) may still be writing there.
rmtree() {
    local t
    for ((t = 0; t < 20; t++)); do
        rm -rf -- "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    rm -rf -- "$1"
}

# Stop the server recorded in DIR and remove everything. Returns non-zero
# only if processes survive.
do_stop() { # dir
    local dir=$1 envf="$1/pg.env" pgbin u rundir data pid="" left="" t rc=0
    [ -e "$dir" ] || return 0
    [ -d "$dir" ] || die "$dir is not a directory"
    dir=$(cd "$dir" && pwd -P) envf=$dir/pg.env
    if [ ! -f "$envf" ]; then
        # Not (or no longer) ours: remove it only if empty.
        rmdir "$dir" 2>/dev/null || die "$dir has no pg.env: not a pg.sh directory, not removing it"
        return 0
    fi
    pgbin=$(envget "$envf" pgbin || true)
    u=$(envget "$envf" user || true)
    rundir=$(envget "$envf" rundir || true)
    data=$rundir/data
    if [ -n "$rundir" ] && [ -f "$data/postmaster.pid" ]; then
        pid=$(head -n1 "$data/postmaster.pid" 2>/dev/null || true)
    fi
    [ -n "$pid" ] || pid=$(envget "$envf" pid || true)
    if [ -n "$rundir" ] && [ -d "$data" ]; then
        if is_server_proc "$pid" "$data" && [ -n "$pgbin" ] && [ -x "$pgbin/pg_ctl" ] &&
            [ -n "$u" ] && id -u "$u" >/dev/null 2>&1; then
            as_pg "$u" / "$pgbin/pg_ctl" stop -D "$data" -m fast -w -t 20 >/dev/null 2>&1 ||
                as_pg "$u" / "$pgbin/pg_ctl" stop -D "$data" -m immediate -w -t 10 >/dev/null 2>&1 || true
        fi
        if is_server_proc "$pid" "$data"; then
            echo "pg.sh: server $pid did not stop, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        # Without a postmaster the others exit by themselves (a crashed
        # server); kill stragglers.
        for ((t = 0; t < 100; t++)); do
            left=$(server_procs "$data")
            [ -z "$left" ] && break
            # shellcheck disable=SC2086
            [ "$t" -eq 30 ] && kill -KILL $left 2>/dev/null
            sleep 0.1
        done
        if [ -n "$left" ]; then
            echo "pg.sh: processes of server $data survive: $left" >&2
            rc=1
        fi
    fi
    if [ -n "$rundir" ] && [ "$rundir" != "$dir/run" ]; then
        case $rundir in
        /tmp/oaiusage-pg.*) rmtree "$rundir" || rc=1 ;;
        *) echo "pg.sh: not removing unexpected run directory $rundir" >&2 ;;
        esac
    fi
    rmtree "$dir" || rc=1
    return "$rc"
}

# start's state is global: the EXIT trap (start_failed) reads it.
dir="" rundir="" created=0
start_failed() {
    local rc=$?
    trap - EXIT
    [ "$rc" -eq 0 ] && return 0
    # Finish cleaning up even if signalled again (timeout(1) signals both
    # the process and its group, so a second signal is common).
    trap ':' INT TERM HUP
    # A signal's trap runs with the redirections of the interrupted command.
    exec 1>&3 2>&4
    if [ -n "$rundir" ] && [ -f "$rundir/log" ]; then
        echo "pg.sh: server log ($rundir/log):" >&2
        tail -n 20 "$rundir/log" | sed 's/^/  /' >&2
    fi
    do_stop "$dir" || true
    # A DIR that existed before start is left (empty) as it was.
    [ "$created" -eq 1 ] || mkdir -p -- "$dir" 2>/dev/null || true
    echo "pg.sh: start failed, cleaned up $dir" >&2
    exit "$rc"
}

cmd_start() {
    local pgbin u uri pid i
    dir=$1
    case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac

    pgbin=$(find_pgbin || true)
    if [ -z "$pgbin" ]; then
        # Serialise installs: parallel starts would fight over dpkg's lock.
        flock "$here/deps.sh" "$here/deps.sh" --pg >&2 ||
            die "installing the PostgreSQL packages failed (scripts/deps.sh --pg)"
        pgbin=$(find_pgbin || true)
        [ -n "$pgbin" ] || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin"
    fi

    # Claim DIR: absent (created) or empty.
    if [ -e "$dir" ]; then
        [ -d "$dir" ] || die "$dir exists and is not a directory"
        [ -z "$(ls -A "$dir")" ] || die "$dir is not empty (already started? run: pg.sh stop $dir)"
    else
        mkdir -p -- "$(dirname "$dir")" || die "cannot create $(dirname "$dir")"
        mkdir -- "$dir" || die "cannot create $dir"
        created=1
    fi
    dir=$(cd "$dir" && pwd -P)
    # From here on a failure removes what was made.
    exec 3>&1 4>&2
    trap 'start_failed' EXIT
    trap 'exit 130' INT TERM HUP
    printf 'pgbin=%s\n' "$pgbin" >"$dir/pg.env"

    # The server's user.
    if [ "$(id -u)" -eq 0 ]; then
        u=${OAIUSAGE_PG_USER:-oaiusage-pg}
        command -v runuser >/dev/null || die "runuser (util-linux) is needed to run the server as $u"
        for ((i = 0; i < 20; i++)); do
            id -u "$u" >/dev/null 2>&1 && break
            # A parallel start may be creating it: retry on lock errors.
            useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin --user-group "$u" 2>/dev/null || sleep 0.2
        done
        id -u "$u" >/dev/null 2>&1 || die "cannot create system user $u (useradd)"
        [ "$(id -u "$u")" -ne 0 ] || die "server user $u is root"
    else
        u=$(id -un)
    fi
    printf 'user=%s\n' "$u" >>"$dir/pg.env"

    # The run directory: DIR/run if the server's user can use it, the
    # socket path fits and the path needs no quoting (it goes in the
    # configuration and the URI), else a short one in /tmp.
    rundir=$dir/run
    mkdir -m 700 -- "$rundir"
    [ "$(id -u)" -ne 0 ] || chown "$u:" "$rundir"
    if [ $(($(printf %s "$rundir" | wc -c) + 14)) -gt "$sock_max" ] ||
        [[ $rundir =~ [^A-Za-z0-9/._+-] ]] ||
        ! as_pg "$u" / test -w "$rundir" -a -x "$rundir" 2>/dev/null; then
        rmdir -- "$rundir"
        rundir=$(mktemp -d /tmp/oaiusage-pg.XXXXXX)
        # Recorded before anything else so that stop removes it.
        printf 'rundir=%s\n' "$rundir" >>"$dir/pg.env"
        [ "$(id -u)" -ne 0 ] || chown "$u:" "$rundir"
        as_pg "$u" / test -w "$rundir" -a -x "$rundir" ||
            die "user $u cannot use $rundir"
    else
        printf 'rundir=%s\n' "$rundir" >>"$dir/pg.env"
    fi

    as_pg "$u" "$rundir" "$pgbin/initdb" -D "$rundir/data" -U postgres \
        --auth=trust --no-locale -E UTF8 --no-sync >"$rundir/initdb.log" 2>&1 || {
        sed 's/^/  /' "$rundir/initdb.log" >&2
        die "initdb failed"
    }
    # Settings go in the files (not on pg_ctl -o) so that any path works.
    cat >"$rundir/data/pg_hba.conf" <<'EOF'
# throwaway test server (scripts/pg.sh): Unix socket only, trust
local all all trust
EOF
    {
        echo "# scripts/pg.sh"
        echo "listen_addresses = ''"
        echo "port = $port"
        echo "unix_socket_directories = '${rundir//\'/\'\'}'"
        echo "unix_socket_permissions = 0700"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "shared_buffers = 32MB"
        echo "max_connections = 100"
        echo "timezone = 'UTC'"
        echo "log_timezone = 'UTC'"
        echo "logging_collector = off"
        echo "log_min_messages = warning"
    } >>"$rundir/data/postgresql.conf"
    [ "$(id -u)" -ne 0 ] || chown "$u:" "$rundir/data/pg_hba.conf" "$rundir/data/postgresql.conf"
    as_pg "$u" "$rundir" "$pgbin/pg_ctl" start -D "$rundir/data" -l "$rundir/log" \
        -w -t 60 >/dev/null 2>&1 || die "the server did not start"
    pid=$(head -n1 "$rundir/data/postmaster.pid")
    printf 'pid=%s\n' "$pid" >>"$dir/pg.env"
    for ((i = 0; i < 300; i++)); do
        "$pgbin/pg_isready" -q -h "$rundir" -p "$port" -d postgres -U postgres && break
        sleep 0.1
    done
    "$pgbin/pg_isready" -q -h "$rundir" -p "$port" -d postgres -U postgres ||
        die "the server does not accept connections on $rundir"

    "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$rundir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE $role LOGIN CREATEDB" \
        -c "CREATE DATABASE $db OWNER $role" >/dev/null ||
        die "cannot create role $role and database $db"

    uri=$(make_uri "$rundir" "$db")
    printf 'uri=%s\n' "$uri" >>"$dir/pg.env"
    trap - EXIT INT TERM HUP
    printf '%s\n' "$uri"
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
[ -n "$dir" ] || usage
case $cmd in
start)
    [ $# -eq 2 ] || usage
    cmd_start "$dir"
    ;;
stop)
    [ $# -eq 2 ] || usage
    do_stop "$dir"
    ;;
uri)
    [ $# -le 3 ] || usage
    [ -f "$dir/pg.env" ] || die "$dir: no server (pg.sh start $dir)"
    rundir=$(envget "$dir/pg.env" rundir) || die "$dir: no server (pg.sh start $dir)"
    envget "$dir/pg.env" uri >/dev/null || die "$dir: server not started"
    make_uri "$rundir" "${3:-$db}"
    ;;
status)
    [ $# -eq 2 ] || usage
    [ -f "$dir/pg.env" ] || exit 1
    pgbin=$(envget "$dir/pg.env" pgbin) || exit 1
    rundir=$(envget "$dir/pg.env" rundir) || exit 1
    "$pgbin/pg_isready" -q -h "$rundir" -p "$port" -d postgres -U postgres
    ;;
*) usage ;;
esac
