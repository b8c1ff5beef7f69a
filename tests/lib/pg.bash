# shellcheck shell=bash
# A throw-away PostgreSQL 15 cluster for tests: pg_start creates and starts one
# under a fresh temporary directory reachable only through its Unix socket,
# pg_stop stops it and removes every file.  Nothing here touches a system
# cluster, listens on TCP, or survives the test run.
#
#   setup_file()    { load lib/pg; pg_start || skip "$PG_SKIP_REASON"; }
#   teardown_file() { pg_stop; }
#
# pg_start returns 0 when the server accepts connections, 77 with
# PG_SKIP_REASON set when PostgreSQL is not installed (the test should skip),
# and 1 (with PG_SKIP_REASON and the server log on stderr) when an installed
# server failed to start -- a real failure that a test should not hide.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

# Run a command as the cluster owner: postgres refuses to run as root, so
# under root the binaries run as the postgres user; otherwise as ourselves.
pg__as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	export PG_SKIP_REASON=
	local bin
	for bin in initdb pg_ctl postgres; do
		if [ ! -x "$PG_BINDIR/$bin" ]; then
			PG_SKIP_REASON="PostgreSQL server not installed ($PG_BINDIR/$bin missing)"
			return 77
		fi
	done
	if ! command -v psql >/dev/null 2>&1; then
		PG_SKIP_REASON="psql not installed"
		return 77
	fi
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		PG_SKIP_REASON="running as root and there is no postgres user"
		return 77
	fi

	# Under /tmp whatever TMPDIR says: the socket path must be short
	# (sun_path holds ~100 bytes) and, under root, the postgres user must be
	# able to reach the directory, which a TMPDIR below /root would forbid.
	PG_DIR=$(mktemp -d /tmp/p07-pg.XXXXXX) || return 1
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PG_DIR" || return 1
	fi
	chmod 700 "$PG_DIR"

	if ! pg__as_owner "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U postgres \
		-A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		PG_SKIP_REASON="initdb failed"
		cat "$PG_DIR/initdb.log" >&2
		return 1
	fi

	# The server must not inherit bats' descriptor 3 (3>&- below): a
	# server left holding it keeps bats waiting for ever.
	# No TCP listener is opened; the port only names the socket file, which
	# lives in our private directory, so any number will do.
	PGPORT=$((20000 + $$ % 20000))
	if ! pg__as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 30 -o "-k $PG_DIR -c listen_addresses='' -p $PGPORT -c fsync=off" \
		start >/dev/null 2>&1 3>&-; then
		PG_SKIP_REASON="pg_ctl start failed"
		cat "$PG_DIR/server.log" >&2
		return 1
	fi

	export PGHOST=$PG_DIR PGPORT PGUSER=postgres PGDATABASE=postgres
	export PG_DIR
	return 0
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		pg__as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$PG_DIR"
	unset PG_DIR
}
