#!/usr/bin/env bats
# Faults around the tools (issue #10): a full disk, a read-only output
# directory, a reader that goes away (| head -1), signals to a tool and to
# pipelines/full.sh, and the stale build directory of a killed run.

load helper

TOOLS=(imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating kpi-agg dim-date evidence-sum tsv-split tsv-uniq)
H=$'tconst\tgenres\tstartYear\taverageRating\tnumVotes'

ROWS=150000

setup() {
	cd "$BATS_TEST_TMPDIR"
	# 150,000 sorted rows: every tool's output is more than its 1 MiB buffer
	# plus a pipe's worth (1 MiB too: common/pipewide.c)
	{ printf '%s\n' "$H"
	  seq 1 "$ROWS" | awk -v OFS='\t' '{ printf "tt%07d\tDrama,Short\t%d\t%d.%d\t%d\n", $1, 1900 + $1 % 120, 1 + $1 % 9, $1 % 10, $1 * 7 }'
	} >good.tsv
	: >dim0.tsv
	printf 'id\tfile\tcheck\tcolumns\targument\tseverity\nt.key\tgood.tsv\tunique\ttconst\t-\terror\n' >gates.tsv
}

teardown() {
	if [ -n "${RO_MOUNT:-}" ]; then
		umount "$RO_MOUNT" 2>/dev/null || true
	fi
	if [ -n "${IMMUTABLE:-}" ]; then
		chattr -i "$IMMUTABLE" 2>/dev/null || true
	fi
}

# cmd_of TOOL: the tool's smallest valid run over good.tsv, to stdout
cmd_of() {
	case $1 in
	imdb-cat) cmd=(imdb-cat --schema none good.tsv) ;;
	tsv-split-genres) cmd=(tsv-split-genres good.tsv) ;;
	surrogate-key) cmd=(surrogate-key -k k=tconst good.tsv) ;;
	tsv-join) cmd=(tsv-join -f good.tsv -k tconst good.tsv) ;;
	scd2-merge) cmd=(scd2-merge --as-of 2026-01-01 -k tconst --sk sk dim0.tsv good.tsv) ;;
	wrating) cmd=(wrating -r averageRating -v numVotes -m 100 -C 6.5 good.tsv) ;;
	kpi-agg) cmd=(kpi-agg -g tconst count mean:averageRating good.tsv) ;;
	dim-date) cmd=(dim-date -f startYear good.tsv) ;;
	evidence-sum) cmd=(evidence-sum --gates gates.tsv --dir .) ;;
	tsv-split) cmd=(tsv-split -k tconst --part 0/1 good.tsv) ;;
	tsv-uniq) cmd=(tsv-uniq -f tconst good.tsv) ;;
	esac
}

@test "stdout is /dev/full: exit 1, 'stdout: write error: No space left on device'" {
	need_dev_full
	for t in "${TOOLS[@]}"; do
		cmd_of "$t"
		run --separate-stderr "${cmd[@]}"
		assert_success
		run --separate-stderr bash -c '"$@" >/dev/full' _ "${cmd[@]}"
		assert_failure 1
		assert_equal "$stderr" "$t: stdout: write error: No space left on device"
	done
}

@test "-o /dev/full: exit 1 naming the file" {
	need_dev_full
	for t in "${TOOLS[@]}"; do
		cmd_of "$t"
		run --separate-stderr "${cmd[@]}" -o /dev/full
		assert_failure 1
		assert_equal "$stderr" "$t: /dev/full: write error: No space left on device"
	done
}

# no_temps: no temporary of an output is left in the current directory
no_temps() {
	[ -z "$(compgen -G '*.tmp.*')" ] || fail "left $(echo *.tmp.*)"
}

# One run's outputs are committed together: a failure writing any of them
# leaves none of them new (issue #10: -o was renamed before --stats failed).
@test "--rejects /dev/full with -o FILE: exit 1, no FILE, an old FILE unchanged, no temporary" {
	need_dev_full
	for t in imdb-cat tsv-split-genres tsv-join wrating tsv-split; do
		cmd_of "$t"
		rm -f out.tsv
		run --separate-stderr "${cmd[@]}" --rejects /dev/full -o out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: /dev/full: write error: No space left on device"
		[ ! -e out.tsv ] || fail "$t left a new out.tsv"
		echo old >out.tsv
		run --separate-stderr "${cmd[@]}" --rejects /dev/full -o out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: /dev/full: write error: No space left on device"
		assert_equal "$(cat out.tsv)" old
		no_temps
	done
}

@test "--stats /dev/full with -o FILE and --rejects R: exit 1, neither FILE nor R new, no temporary" {
	need_dev_full
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating kpi-agg dim-date tsv-split tsv-uniq; do
		cmd_of "$t"
		rm -f out.tsv rej.tsv
		run --separate-stderr "${cmd[@]}" --stats /dev/full -o out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: /dev/full: write error: No space left on device"
		[ ! -e out.tsv ] || fail "$t left a new out.tsv"
		echo old >out.tsv
		run --separate-stderr "${cmd[@]}" --stats /dev/full -o out.tsv
		assert_failure 1
		assert_equal "$(cat out.tsv)" old
		no_temps
	done
	for t in imdb-cat tsv-split-genres tsv-join wrating tsv-split; do
		cmd_of "$t"
		echo old >out.tsv
		echo oldrej >rej.tsv
		run --separate-stderr "${cmd[@]}" --rejects rej.tsv --stats /dev/full -o out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: /dev/full: write error: No space left on device"
		assert_equal "$(cat out.tsv)" old
		assert_equal "$(cat rej.tsv)" oldrej
		no_temps
	done
}

@test "tsv-split -n N --prefix P with --rejects or --stats on /dev/full: no partition file, old ones unchanged" {
	need_dev_full
	for bad in --rejects --stats; do
		rm -f p.*.tsv
		run --separate-stderr tsv-split -k tconst -n 3 --prefix p "$bad" /dev/full good.tsv
		assert_failure 1
		assert_equal "$stderr" "tsv-split: /dev/full: write error: No space left on device"
		[ -z "$(compgen -G 'p.*')" ] || fail "$bad /dev/full left $(compgen -G 'p.*')"
		for k in 0 1 2; do echo "old $k" >"p.$k.tsv"; done
		run --separate-stderr tsv-split -k tconst -n 3 --prefix p "$bad" /dev/full good.tsv
		assert_failure 1
		for k in 0 1 2; do assert_equal "$(cat "p.$k.tsv")" "old $k"; done
		no_temps
	done
	# and with a good stats file, all three parts and the stats appear
	run --separate-stderr tsv-split -k tconst -n 3 --prefix p --stats st.tsv good.tsv
	assert_success
	assert_equal "$(cat p.0.tsv p.1.tsv p.2.tsv | grep -vc '^tconst')" "$ROWS"
	assert_equal "$(awk -F '\t' '$2 == "rows_in" { print $3 }' st.tsv)" "$ROWS"
	no_temps
}

@test "the same runs with good --rejects and --stats files: all three appear, no temporary" {
	for t in imdb-cat tsv-split-genres tsv-join wrating tsv-split; do
		cmd_of "$t"
		rm -f out.tsv rej.tsv st.tsv
		run --separate-stderr "${cmd[@]}" --rejects rej.tsv --stats st.tsv -o out.tsv
		assert_success
		assert_equal "$stderr" ""
		"${cmd[@]}" >want.tsv
		assert_file_eq out.tsv want.tsv
		assert_equal "$(cat rej.tsv)" $'source\tline\treason\traw'
		assert_equal "$(awk -F '\t' '$2 == "rows_in" { print $1, $3 }' st.tsv)" "$t $ROWS"
		no_temps
	done
}

@test "evidence-sum -o FILE with a failing gate: exit 1 and the evidence is written (its man page)" {
	printf 'id\tfile\tcheck\tcolumns\targument\tseverity\nt.rows\tgood.tsv\trow_count_between\t-\t1..10\terror\n' >bad-gates.tsv
	run --separate-stderr evidence-sum --gates bad-gates.tsv --dir . -o ev.json
	assert_failure 1
	assert_equal "$stderr" "evidence-sum: fail: t.rows: $ROWS rows (expected 1..10)"
	assert_equal "$(jq -c .totals ev.json)" '{"gates":1,"passed":0,"warned":0,"failed":1,"errors":0}'
	no_temps
}

# -o through a symlink: the link stays, the file it points to is replaced
# atomically (a temporary beside the target, renamed), its mode kept.
@test "-o LINK: the link kept, its target replaced whole with its mode; a dangling link's target created" {
	mkdir d
	for t in "${TOOLS[@]}"; do
		cmd_of "$t"
		"${cmd[@]}" >want.tsv
		rm -f d/real.tsv d/new.tsv link.tsv link2.tsv dangling.tsv
		echo old >d/real.tsv
		chmod 640 d/real.tsv
		ln -s d/real.tsv link.tsv
		ln -s link.tsv link2.tsv
		run --separate-stderr "${cmd[@]}" -o link2.tsv
		assert_success
		assert_equal "$(readlink link2.tsv) $(readlink link.tsv)" "link.tsv d/real.tsv"
		assert_file_eq d/real.tsv want.tsv
		assert_equal "$(stat -c %a d/real.tsv)" 640
		ln -s d/new.tsv dangling.tsv
		run --separate-stderr "${cmd[@]}" -o dangling.tsv
		assert_success
		assert_equal "$(readlink dangling.tsv)" d/new.tsv
		assert_file_eq d/new.tsv want.tsv
		no_temps
		(cd d && no_temps)
	done
}

@test "-o LINK and a failing --stats: the target unchanged, no temporary beside it" {
	need_dev_full
	mkdir d
	echo old >d/real.tsv
	ln -s d/real.tsv link.tsv
	for t in imdb-cat surrogate-key kpi-agg wrating tsv-uniq; do
		cmd_of "$t"
		run --separate-stderr "${cmd[@]}" --stats /dev/full -o link.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: /dev/full: write error: No space left on device"
		assert_equal "$(cat d/real.tsv)" old
		assert_equal "$(readlink link.tsv)" d/real.tsv
		(cd d && no_temps)
	done
}

@test "-o names that are written in place: a link to /dev/null, /dev/stdout, a link loop" {
	ln -s /dev/null null.tsv
	run --separate-stderr imdb-cat --schema none -o null.tsv good.tsv
	assert_success
	assert_equal "$(readlink null.tsv)" /dev/null
	imdb-cat --schema none -o /dev/stdout good.tsv >so.tsv
	assert_file_eq so.tsv good.tsv
	ln -s loop1 loop2
	ln -s loop2 loop1
	run --separate-stderr imdb-cat --schema none -o loop1 good.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: loop1: Too many levels of symbolic links"
	no_temps
}

@test "a read-only output directory: exit 1, the path and the reason, nothing written" {
	mkdir ro
	if [ "$(id -u)" -ne 0 ]; then
		chmod 555 ro
		why="Permission denied"
	elif mount --bind ro ro 2>/dev/null && mount -o remount,bind,ro ro 2>/dev/null; then
		RO_MOUNT=$PWD/ro	# root ignores modes: a read-only bind mount
		why="Read-only file system"
	else
		umount ro 2>/dev/null || true
		skip "root, and no read-only bind mount here"
	fi
	for t in "${TOOLS[@]}"; do
		cmd_of "$t"
		run --separate-stderr "${cmd[@]}" -o ro/out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: ro/out.tsv: $why"
	done
	[ -z "$(ls -A ro)" ]
	# the stats or rejects file in it: the -o FILE beside it stays old
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating kpi-agg dim-date tsv-split tsv-uniq; do
		cmd_of "$t"
		echo old >out.tsv
		run --separate-stderr "${cmd[@]}" --stats ro/st.tsv -o out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: ro/st.tsv: $why"
		assert_equal "$(cat out.tsv)" old
		no_temps
	done
	for t in imdb-cat tsv-split-genres tsv-join wrating tsv-split; do
		cmd_of "$t"
		rm -f out.tsv
		run --separate-stderr "${cmd[@]}" --rejects ro/rej.tsv -o out.tsv
		assert_failure 1
		assert_equal "$stderr" "$t: ro/rej.tsv: $why"
		[ ! -e out.tsv ] || fail "$t left a new out.tsv"
		no_temps
	done
	[ -z "$(ls -A ro)" ]
}

@test "| head -1: every tool ends quietly (SIGPIPE, nothing on stderr)" {
	for t in "${TOOLS[@]}"; do
		[ "$t" = dim-date ] || [ "$t" = evidence-sum ] && continue	# outputs too small for a pipe
		cmd_of "$t"
		want=$("${cmd[@]}" | sed -n 1p)
		run --separate-stderr bash -c '"$@" | head -n 1; echo "${PIPESTATUS[0]}" >&2' _ "${cmd[@]}"
		assert_success
		assert_equal "$output" "$want"
		# 141 = 128 + SIGPIPE: the tool was ended by the closed pipe, silently
		assert_equal "$stderr" 141
	done
}

# wait_for_temp FILE: until FILE's temporary exists (30 s at most: a loaded
# machine, a sanitised build); the tool has then caught its signals
wait_for_temp() {
	local i
	for i in $(seq 1 300); do
		compgen -G "$1.tmp.*" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

@test "SIGTERM to a tool writing -o FILE: exit 143, no FILE, no temporary" {
	mkfifo fifo
	for t in imdb-cat surrogate-key kpi-agg wrating tsv-uniq; do
		cmd_of "$t"
		exec 7<>fifo	# keeps the FIFO open: the tool waits for more rows
		"${cmd[@]/#good.tsv/fifo}" -o out.tsv 2>err &
		pid=$!
		head -n 1000 good.tsv >&7
		wait_for_temp out.tsv || { kill -KILL "$pid"; fail "$t: no temporary while running"; }
		kill -TERM "$pid"
		status=0
		wait "$pid" || status=$?
		exec 7>&-
		assert_equal "$status" 143
		[ ! -e out.tsv ] || fail "$t left out.tsv"
		! ls out.tsv.tmp.* >/dev/null 2>&1 || fail "$t left $(echo out.tsv.tmp.*)"
	done
}

@test "SIGKILL to a tool writing -o FILE: FILE never appears (only the temporary can stay)" {
	mkfifo fifo
	exec 7<>fifo
	imdb-cat --schema none -o out.tsv fifo &
	pid=$!
	cat good.tsv >&7
	wait_for_temp out.tsv || { kill -KILL "$pid"; fail "no temporary while running"; }
	kill -KILL "$pid"
	wait "$pid" || true
	exec 7>&-
	[ ! -e out.tsv ]
	run imdb-cat --schema none -o out.tsv good.tsv
	assert_success
	assert_file_eq out.tsv good.tsv
}

# --- pipelines/full.sh ---------------------------------------------------------

# snapshot: sha256 of every file under out/ but the run log (it has times);
# the evidence names its stats files by the build directory's path (pid and
# all: reported in the issue note), so that path is normalised first.
snapshot() {
	(cd out && find . -type f ! -path ./logs/run.log ! -path ./evidence/P07_evidence.json \
	    -exec sha256sum {} + | sort -k 2
	 sed -E 's#/\.out\.build\.[0-9]+/#/out/#g' evidence/P07_evidence.json | sha256sum)
}

# run_full_bg OUT: full.sh on the sample in the background, in a session of
# its own (so that its children can be found when it is gone); pid in $full
run_full_bg() {
	setsid "$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out "$1" --as-of 2025-08-13 \
	    --no-report --no-sqlite 2>full.err &
	full=$!
}

# wait_for_star OUT: until the build directory has a star table (a run is midway)
wait_for_step() {
	local i
	for i in $(seq 1 600); do
		compgen -G "$(dirname "$1")/.$(basename "$1").build.*/stage/title_basics.tsv" >/dev/null && return 0
		sleep 0.1
	done
	fail "full.sh never got to its second step: $(cat full.err)"
}

@test "full.sh: SIGTERM midway ends it (143), no output and no build directory; the next run succeeds" {
	need_sample
	run_full_bg out
	wait_for_step out
	kill -TERM "$full"
	status=0
	wait "$full" || status=$?
	assert_equal "$status" 143
	[ ! -e out ] || fail "a killed run left out/"
	[ -z "$(compgen -G '.out.build.*')" ] || fail "left $(echo .out.build.*)"
	run "$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out out --as-of 2025-08-13 --no-report --no-sqlite
	assert_success
	[ -f out/evidence/P07_evidence.json ]
}

@test "full.sh: SIGKILL midway leaves the old output whole; the next run removes the stale build directory" {
	need_sample
	"$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out out --as-of 2025-08-13 --no-report --no-sqlite
	cp out/logs/run.log "$BATS_TEST_TMPDIR/run.log.before"
	before=$(snapshot)
	run_full_bg out
	wait_for_step out
	kill -KILL "$full"
	wait "$full" || true
	# the killed shell's lanes and their children may still be running (a
	# busy machine: seconds): wait for its session to end
	for i in $(seq 1 600); do pgrep -s "$full" >/dev/null || break; sleep 0.1; done
	! pgrep -s "$full" >/dev/null || fail "the killed run's children still run after 60 s"
	stale=$(compgen -G ".out.build.$full" || true)
	[ -n "$stale" ] || fail "expected the killed run's build directory"
	# its lanes stopped after the step they were in, long before the KPIs
	[ -z "$(ls "$stale/kpi")" ] || fail "the killed run's lanes went on to the KPIs"
	assert_equal "$(snapshot)" "$before"
	assert_file_eq out/logs/run.log "$BATS_TEST_TMPDIR/run.log.before"
	run "$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out out --as-of 2025-08-13 --no-report --no-sqlite
	assert_success
	[ ! -e "$stale" ] || fail "the stale $stale is still there"
	# the same result (the run log has the new run's times)
	assert_equal "$(snapshot)" "$before"
}

@test "full.sh: a killed run's build directory that cannot be removed: a warning, and the run goes on" {
	need_sample
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	mkdir -p ".out.build.$dead/stats"
	touch ".out.build.$dead/stats/x.tsv"
	chattr +i ".out.build.$dead/stats/x.tsv" 2>/dev/null || skip "chattr +i is not possible here"
	IMMUTABLE=$PWD/.out.build.$dead/stats/x.tsv	# for teardown
	run --separate-stderr "$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out out --as-of 2025-08-13 \
	    --no-report --no-sqlite
	gone=$(compgen -G ".out.gone.*") || fail "the directory was not moved aside"
	IMMUTABLE=$PWD/$gone/stats/x.tsv
	assert_success
	assert_equal "$(grep -v '^evidence-sum: warn' <<<"$stderr")" \
	    "rm: cannot remove '$PWD/$gone/stats/x.tsv': Operation not permitted
full.sh: warning: $PWD/$gone: could not remove this build directory of a killed run"
	[ -f out/evidence/P07_evidence.json ]
}

@test "full.sh: a stale build directory of a live process is left alone" {
	need_sample
	sleep 300 &
	live=$!
	mkdir -p ".out.build.$live/star"
	run "$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out out --as-of 2025-08-13 --no-report --no-sqlite
	kill "$live"
	assert_success
	[ -d ".out.build.$live" ]
}
