# Sourced by db.sh and standby.sh: the one place that finds Debian's
# PostgreSQL server binaries, runs them as the cluster's owner, picks a free
# loopback port, and starts or stops a cluster. The sourcing script defines
# die (its own prefix).

# pg_bin prints the newest installed server binaries' folder.
pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

# as_owner runs a command as the cluster's owner: as root, the 'postgres'
# system user (initdb and the server refuse root).
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_free_port FIRST LAST [SKIP] prints the first port from FIRST to LAST,
# other than SKIP, that nothing on 127.0.0.1 listens on.
pg_free_port() {
	local p
	for p in $(seq "$1" "$2"); do
		[ "$p" = "${3:-}" ] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port in $1-$2"
}

# pg_running PGDATA says whether the cluster in PGDATA runs.
pg_running() {
	local bin
	bin=$(pg_bin) || return 1
	[ -f "$1/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# pg_start PGDATA PORT LOG SECONDS starts the cluster in PGDATA on PORT,
# logging to LOG, and waits up to SECONDS for it to accept connections.
pg_start() {
	touch "$3"
	[ "$(id -u)" -eq 0 ] && chown postgres "$3"
	as_owner "$(pg_bin)/pg_ctl" -D "$1" -l "$3" -o "-p $2" -w -t "$4" start >/dev/null
}

# pg_stop PGDATA MODE stops the cluster in PGDATA if it runs (MODE fast
# cuts its sessions; immediate does not even checkpoint).
pg_stop() {
	if pg_running "$1"; then
		as_owner "$(pg_bin)/pg_ctl" -D "$1" -m "$2" -w stop >/dev/null
	fi
}
