# httpd.bash — a throw-away static HTTP server on 127.0.0.1 for Bats tests.
#
# Uses `busybox httpd` (Debian package busybox): it answers Range requests (206) and sends Last-Modified
# from the file's mtime, which python3's http.server does not. It binds only 127.0.0.1, on a free port.
#
#   httpd_start DIR LOG   serve DIR; sets HTTPD_PORT, HTTPD_PID, HTTPD_URL; the access log goes to LOG
#   httpd_stop            stop it (safe to call twice, or when it never started)
#   httpd_requests LOG    print the request lines ("url:/PATH") in LOG, the readiness probes left out
#   httpd_responses LOG   print the response lines ("response:CODE") in LOG, the probes left out

# shellcheck disable=SC2034 # HTTPD_PORT and HTTPD_URL are for the caller.
httpd_start() {
	local root=$1 log=$2 try port probe
	HTTPD_PID=
	HTTPD_PORT=
	HTTPD_URL=
	command -v busybox >/dev/null || {
		echo "httpd_start: busybox not found (apt-get install busybox)" >&2
		return 1
	}
	for ((try = 0; try < 10; try++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		: >"$log"
		# 3>&- so that Bats does not wait for the server's copy of its output descriptor.
		busybox httpd -f -vv -p "127.0.0.1:$port" -h "$root" >>"$log" 2>&1 3>&- &
		HTTPD_PID=$!
		# Ready when our own server has logged the probe; a bind failure makes it exit instead.
		for ((probe = 0; probe < 100; probe++)); do
			kill -0 "$HTTPD_PID" 2>/dev/null || break
			curl -s -o /dev/null "http://127.0.0.1:$port/__probe__" 2>/dev/null || true
			if grep -q '^127\.0\.0\.1:[0-9]*: url:/__probe__$' "$log"; then
				HTTPD_PORT=$port
				HTTPD_URL=http://127.0.0.1:$port
				return 0
			fi
			sleep 0.02
		done
		httpd_stop
	done
	echo "httpd_start: could not start busybox httpd on a free port (last log: $(cat "$log"))" >&2
	return 1
}

httpd_stop() {
	if [[ -n ${HTTPD_PID:-} ]]; then
		kill "$HTTPD_PID" 2>/dev/null || true
		wait "$HTTPD_PID" 2>/dev/null || true
		HTTPD_PID=
	fi
}

# Log lines look like "127.0.0.1:41234: url:/title.basics.tsv.gz" then "127.0.0.1:41234: response:200".
httpd_requests() {
	sed -n 's/^127\.0\.0\.1:[0-9]*: \(url:.*\)$/\1/p' "$1" | grep -v '^url:/__probe__$' || true
}

httpd_responses() {
	local probes
	probes=$(sed -n 's/^\(127\.0\.0\.1:[0-9]*\): url:\/__probe__$/\1/p' "$1")
	# Responses to probes come from the probes' client ports; drop those.
	awk -v probes="$probes" '
		BEGIN { n = split(probes, p, "\n"); for (i = 1; i <= n; i++) skip[p[i] ":"] = 1 }
		/: response:/ { if (!($1 in skip)) { sub(/^[^ ]* /, ""); print } }
	' "$1"
}
