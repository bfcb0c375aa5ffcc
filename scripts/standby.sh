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
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] && [ -x "$bin/pg_basebackup" ] || die "PostgreSQL's server binaries are missing (apt-get install postgresql)"

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
	local p
	for p in $(seq 55600 55700); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port in 55600-55700"
}

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

running() { [ -f "$pg/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$pg" status >/dev/null 2>&1; }

case $1 in
start)
	if [ ! -f "$pg/PG_VERSION" ]; then
		mkdir -p "$pg"
		[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg"
		chmod 700 "$pg"
		as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$pg" -R -X stream -c fast >/dev/null ||
			die "pg_basebackup from 127.0.0.1:$primary failed"
	fi
	running && { cat "$dir/port"; exit 0; }
	port=$(free_port)
	echo "$port" >"$dir/port"
	touch "$dir/postgres.log"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir/postgres.log"
	as_owner "$bin/pg_ctl" -D "$pg" -l "$dir/postgres.log" -o "-p $port" -w -t 120 start >/dev/null ||
		die "the standby did not start; see $dir/postgres.log"
	[ "$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc 'SELECT pg_is_in_recovery()')" = t ] ||
		die "the copy on port $port is not in recovery (no standby.signal?)"
	echo "$port"
	;;
stop)
	if running; then as_owner "$bin/pg_ctl" -D "$pg" -m fast -w stop >/dev/null; fi
	;;
clean)
	if running; then as_owner "$bin/pg_ctl" -D "$pg" -m immediate -w stop >/dev/null; fi
	rm -rf "$dir"
	;;
esac
