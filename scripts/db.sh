#!/usr/bin/env bash
# Project-local PostgreSQL + PostGIS for development and tests.
#
#   scripts/db.sh url DBNAME   install what is missing, start the cluster under
#                              .data/ if needed, create DBNAME, print its URL
#   scripts/db.sh start        start the cluster (prints nothing else)
#   scripts/db.sh stop         stop the cluster if it runs
#   scripts/db.sh restart [S]  stop it (fast: sessions are cut), wait S seconds
#                              (default 0), start it again on the same port
#   scripts/db.sh status       say whether it runs, and where
#   scripts/db.sh clean        stop it and delete all its data
#
# The cluster listens on 127.0.0.1 only, on a free port chosen once and kept in
# .data/port, with trust auth for the local superuser. When run as root the
# server runs as the 'postgres' system user (initdb refuses root).
#
# LANDQUOTA_DB_DIR chooses another home for a second, independent cluster
# (its pg/, port and postgres.log), e.g. the fault test's .data/fault, which
# it may restart without disturbing the shared one; default: .data.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data="${LANDQUOTA_DB_DIR:-$root/.data}"
case $data in /*) ;; *) data="$PWD/$data" ;; esac
pgdata="$data/pg"
log="$data/postgres.log"
mkdir -p "$data"

say() { printf 'db: %s\n' "$*" >&2; }
die() { printf 'db: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/pglib.sh
. "$root/scripts/pglib.sh"

need_packages() {
	local bin ver missing=()
	bin=$(pg_bin || true)
	if [ -z "$bin" ]; then
		missing+=(postgresql)
		ver=$(apt-cache policy postgresql 2>/dev/null | awk '/Candidate:/ {print $2}' | sed -E 's/^([0-9]+).*/\1/')
	else
		ver=$(basename "$(dirname "$bin")")
	fi
	if [ -z "$bin" ] || ! ls "/usr/share/postgresql/$ver/extension/postgis.control" >/dev/null 2>&1; then
		missing+=("postgresql-${ver:-15}-postgis-3")
	fi
	command -v ogr2ogr >/dev/null 2>&1 || missing+=(gdal-bin)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages: ${missing[*]}. Install them with:
    sudo apt-get update && sudo apt-get install -y ${missing[*]}
  or point DATABASE_URL at an existing PostGIS database."
	fi
	say "installing ${missing[*]} from Debian's packages (once)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	if [ -z "$bin" ]; then
		# postgresql-common must not create and start its own cluster on 5432.
		mkdir -p /etc/postgresql-common/createcluster.d
		echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/landquota.conf
		apt-get install -y -qq postgresql >/dev/null
		ver=$(basename "$(dirname "$(pg_bin)")")
		missing=("${missing[@]/postgresql-15-postgis-3/postgresql-$ver-postgis-3}")
		missing=("${missing[@]/postgresql}")
	fi
	apt-get install -y -qq ${missing[*]} >/dev/null
	pg_bin >/dev/null || die "PostgreSQL server binaries still missing after install"
}

# prepare_datadir makes .data/pg writable by the server's user. If the project
# lives somewhere the postgres user cannot reach (a root-only home), the data
# goes to /var/lib/landquota/<hash> and .data/pg links to it.
prepare_datadir() {
	[ -e "$pgdata" ] && return 0
	if [ "$(id -u)" -eq 0 ]; then
		mkdir -p "$pgdata"
		chown postgres:postgres "$pgdata"
		chmod 700 "$pgdata"
		if ! runuser -u postgres -- test -w "$pgdata"; then
			rmdir "$pgdata"
			local alt
			local key=$root
			[ "$data" = "$root/.data" ] || key=$data
			alt="/var/lib/landquota/$(printf '%s' "$key" | sha1sum | cut -c1-12)"
			mkdir -p "$alt"
			chown postgres:postgres "$alt"
			chmod 700 "$alt"
			ln -s "$alt" "$pgdata"
			say "postgres cannot reach $root; cluster data kept in $alt"
		fi
	else
		mkdir -p "$pgdata"
		chmod 700 "$pgdata"
	fi
}

free_port() {
	local other=
	# A second cluster keeps clear of the default one's port, running or not.
	[ "$data" = "$root/.data" ] || other=$(cat "$root/.data/port" 2>/dev/null || true)
	pg_free_port 55432 55532 "$other"
}

port() {
	[ -s "$data/port" ] || free_port >"$data/port"
	cat "$data/port"
}

running() { pg_running "$pgdata"; }

start() {
	need_packages
	local bin p
	bin=$(pg_bin)
	prepare_datadir
	if [ ! -f "$pgdata/PG_VERSION" ]; then
		say "creating a PostgreSQL cluster in $pgdata"
		as_owner "$bin/initdb" -D "$pgdata" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
		cat >>"$pgdata/postgresql.conf" <<CONF
# landquota: a local development/test server
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
max_connections = 200
CONF
	fi
	running && return 0
	p=$(port)
	# The port may have been taken since it was chosen: pick another.
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		p=$(free_port)
		echo "$p" >"$data/port"
	fi
	pg_start "$pgdata" "$p" "$log" 60 ||
		die "PostgreSQL did not start; see $log"
	say "PostgreSQL running on 127.0.0.1:$p (data in $pgdata)"
}

stop() {
	if running; then
		pg_stop "$pgdata" fast
		say "PostgreSQL stopped"
	fi
}

# restart stops the cluster, leaves it down for $1 seconds and starts it
# again on the same port, so clients see a real outage and then recovery.
restart() {
	local pause=${1:-0}
	stop
	sleep "$pause"
	start
}

url() {
	local db=${1:?database name}
	start
	local p bin
	p=$(port)
	bin=$(pg_bin)
	if ! "$bin/psql" -h 127.0.0.1 -p "$p" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
		"$bin/createdb" -h 127.0.0.1 -p "$p" -U postgres "$db"
	fi
	echo "postgres://postgres@127.0.0.1:$p/$db?sslmode=disable"
}

case "${1:-}" in
url) url "${2:-landquota}" ;;
start) start ;;
stop) stop ;;
restart) restart "${2:-0}" ;;
running) running ;;
status)
	if running; then echo "running on 127.0.0.1:$(port), data in $pgdata"; else echo "not running"; fi
	;;
clean)
	stop
	if [ -L "$pgdata" ]; then rm -rf "$(readlink "$pgdata")"; fi
	rm -rf "$pgdata" "$data/port" "$log"
	say "local cluster removed"
	;;
*) die "usage: $0 url DBNAME | start | stop | restart [SECONDS] | status | clean" ;;
esac
