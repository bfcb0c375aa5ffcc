#!/usr/bin/env bash
# A hot standby of a local PostgreSQL cluster, streaming from it, for the
# replica test and make loadtest (Debian's PostgreSQL, nothing else).
#
#   scripts/standby.sh start PRIMARY_PORT DIR   copy the cluster on 127.0.0.1:PRIMARY_PORT into DIR/pg
#                                               (pg_basebackup -R, once) and start it as a standby on a
#                                               free port; prints that port
#   scripts/standby.sh stop DIR                 stop it (fast: its sessions are cut)
#   scripts/standby.sh clean DIR                stop it and delete DIR
#
# The primary needs wal_level replica (PostgreSQL's default) and replication
# connections from 127.0.0.1, which scripts/db.sh's clusters allow.
set -euo pipefail

die() { printf 'standby: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/pglib.sh
. "$(dirname "$0")/pglib.sh"
bin=$(pg_bin) && [ -x "$bin/pg_basebackup" ] || die "PostgreSQL's server binaries are missing (apt-get install postgresql)"

case ${1:-} in
start)
	primary=${2:?primary port}
	dir=${3:?directory}
	;;
stop | clean) dir=${2:?directory} ;;
*) die "usage: $0 start PRIMARY_PORT DIR | stop DIR | clean DIR" ;;
esac
case $dir in /*) ;; *) dir="$PWD/$dir" ;; esac
pg=$dir/pg

case $1 in
start)
	if [ ! -f "$pg/PG_VERSION" ]; then
		mkdir -p "$pg"
		[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg"
		chmod 700 "$pg"
		as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$pg" -R -X stream -c fast >/dev/null ||
			die "pg_basebackup from 127.0.0.1:$primary failed"
	fi
	pg_running "$pg" && { cat "$dir/port"; exit 0; }
	port=$(pg_free_port 55600 55700)
	echo "$port" >"$dir/port"
	pg_start "$pg" "$port" "$dir/postgres.log" 120 ||
		die "the standby did not start; see $dir/postgres.log"
	[ "$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc 'SELECT pg_is_in_recovery()')" = t ] ||
		die "the copy on port $port is not in recovery (no standby.signal?)"
	echo "$port"
	;;
stop)
	pg_stop "$pg" fast
	;;
clean)
	pg_stop "$pg" immediate
	rm -rf "$dir"
	;;
esac
