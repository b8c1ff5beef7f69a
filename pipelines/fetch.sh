#!/usr/bin/env bash
# fetch.sh — download the IMDb non-commercial dataset files and record them in a manifest.
#
# Each file is fetched with curl into NAME.tsv.gz.part (resumed when a .part is already there), checked with
# gzip -t, and only then renamed to NAME.tsv.gz, so a final name always holds a complete gzip stream.
# DIR/MANIFEST.tsv lists every final file in DIR: bytes, sha256, the server's Last-Modified and the URL.
# A final file already present is not downloaded again: it is re-verified (gzip -t, and sha256 against its
# manifest row). To fetch a newer release, remove the old file first.

set -euo pipefail
export LC_ALL=C

readonly PROG=fetch.sh
readonly ALL_FILES=(name.basics title.akas title.basics title.crew title.episode title.principals title.ratings)
readonly MANIFEST_HEADER=$'file\tbytes\tsha256\tlast_modified\turl'
readonly NULL='\N'

base_url=https://datasets.imdbws.com/
dir=.
retries=3
files=("${ALL_FILES[@]}")

# Manifest rows by file name (NAME.tsv.gz); the previous manifest's rows are kept for files not fetched now.
declare -A row=()
failures=0
tmp_files=()

usage() {
	printf 'usage: %s [--base-url URL] [--dir DIR] [--files LIST] [--retries N] [--help]\n' "$PROG"
}

print_help() {
	usage
	cat <<EOF

Download the seven IMDb dataset files (NAME.tsv.gz) into DIR and write DIR/MANIFEST.tsv
(file, bytes, sha256, last_modified, url; sorted by file name).

  --base-url URL  where the files are (default $base_url)
  --dir DIR       where to put them, created if missing (default .)
  --files LIST    comma-separated subset, e.g. title.basics,title.ratings
                  (default: ${ALL_FILES[*]})
  --retries N     curl retries on transient errors (default $retries)
  --help          show this help and exit

A download goes to NAME.tsv.gz.part and is resumed on the next run if interrupted; it is renamed to
NAME.tsv.gz only after gzip -t passes. A file already present is re-verified, not downloaded again.
Exit status: 0 success, 1 a download or check failed, 2 usage error.
EOF
}

usage_error() {
	printf '%s: %s\n' "$PROG" "$1" >&2
	printf "Try '%s --help' for more information.\n" "$PROG" >&2
	exit 2
}

die() {
	printf '%s: %s\n' "$PROG" "$1" >&2
	exit 1
}

note() {
	printf '%s: %s\n' "$PROG" "$1" >&2
}

# A failed file is reported and counted; the other files are still fetched, and the run exits 1 at the end.
fail() {
	note "$1"
	failures=$((failures + 1))
}

cleanup() {
	if ((${#tmp_files[@]})); then
		rm -f -- "${tmp_files[@]}"
	fi
}

parse_files() {
	local list=$1 item name known f
	local -a items=()
	local -A wanted=()
	[[ -n $list ]] || usage_error "--files: expected a comma-separated list of file names, got ''"
	IFS=, read -r -a items <<<"$list"
	for item in "${items[@]}"; do
		name=${item%.tsv.gz}
		known=
		for f in "${ALL_FILES[@]}"; do
			if [[ $name == "$f" ]]; then
				known=1
			fi
		done
		[[ -n $known ]] || usage_error "--files: unknown file '$item' (expected one of: ${ALL_FILES[*]})"
		wanted[$name]=1
	done
	# Canonical order, duplicates removed: the run log reads the same whatever order LIST had.
	files=()
	for f in "${ALL_FILES[@]}"; do
		if [[ -n ${wanted[$f]:-} ]]; then
			files+=("$f")
		fi
	done
}

parse_args() {
	local opt val
	while (($#)); do
		opt=$1
		case $opt in
		--help)
			print_help
			exit 0
			;;
		--base-url=* | --dir=* | --files=* | --retries=*)
			val=${opt#*=}
			opt=${opt%%=*}
			shift
			;;
		--base-url | --dir | --files | --retries)
			(($# >= 2)) || usage_error "option '$opt' requires an argument"
			val=$2
			shift 2
			;;
		--)
			shift
			(($# == 0)) || usage_error "unexpected argument '$1'"
			break
			;;
		-*)
			usage_error "unrecognized option '$opt'"
			;;
		*)
			usage_error "unexpected argument '$opt'"
			;;
		esac
		case $opt in
		--base-url)
			[[ $val =~ ^https?://[^/]+ ]] ||
				usage_error "--base-url: expected an http:// or https:// URL, got '$val'"
			base_url=$val
			;;
		--dir)
			[[ -n $val ]] || usage_error "--dir: expected a directory, got ''"
			dir=$val
			;;
		--files)
			parse_files "$val"
			;;
		--retries)
			if ! [[ $val =~ ^[0-9]{1,3}$ ]] || ((10#$val > 100)); then
				usage_error "--retries: expected an integer from 0 to 100, got '$val'"
			fi
			retries=$((10#$val))
			;;
		esac
	done
}

check_tools() {
	local tool
	for tool in curl gzip sha256sum date touch; do
		command -v "$tool" >/dev/null || die "$tool: not found (install it and run again)"
	done
}

prepare_dir() {
	mkdir -p -- "$dir" 2>/dev/null || die "$dir: cannot create directory"
	[[ -w $dir ]] || die "$dir: directory not writable"
}

# Reads DIR/MANIFEST.tsv, if any, into row[]. A damaged manifest is an error: it is our only record of
# where a present file came from.
read_manifest() {
	local manifest=$dir/MANIFEST.tsv line n=0 file bytes sha lm url extra
	[[ -e $manifest ]] || return 0
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		if ((n == 1)); then
			[[ $line == "$MANIFEST_HEADER" ]] ||
				die "$manifest:1: unexpected header (expected '${MANIFEST_HEADER//$'\t'/ }', tab-separated)"
			continue
		fi
		IFS=$'\t' read -r file bytes sha lm url extra <<<"$line"
		[[ -n $url && -z $extra && $file == *.tsv.gz ]] ||
			die "$manifest:$n: malformed row (expected 5 tab-separated fields: ${MANIFEST_HEADER//$'\t'/ })"
		row[$file]=$line
	done <"$manifest"
}

file_bytes() {
	local bytes
	bytes=$(wc -c <"$1")
	printf '%s\n' "$((bytes))"
}

file_sha256() {
	local sum
	sum=$(sha256sum <"$1")
	printf '%s\n' "${sum%% *}"
}

# gzip -t reads the whole stream and checks every member's CRC and length; its one-line reason is kept
# (without gzip's own "gzip: PATH: " prefix) for our message.
gzip_check() {
	local path=$1 reason
	if reason=$(gzip -t -- "$path" 2>&1); then
		return 0
	fi
	# gzip may start its message with a newline; its first non-empty line is the one that says why.
	reason=${reason#"${reason%%[!$'\n']*}"}
	reason=${reason%%$'\n'*}
	printf '%s\n' "${reason##*: }"
	return 1
}

# Last-Modified as the server sent it (IMF-fixdate) → ISO 8601 UTC; \N when absent or unreadable.
iso_time() {
	local http_date=$1
	http_date=${http_date%$'\r'}
	if [[ -n $http_date ]] && date -u -d "$http_date" '+%Y-%m-%dT%H:%M:%SZ' 2>/dev/null; then
		return 0
	fi
	printf '%s\n' "$NULL"
}

# A file that is already there is trusted only after the same checks a download gets, plus its sha256
# against the manifest row that recorded it.
verify_present() {
	local gz=$1.tsv.gz final=$2 reason sha bytes old_sha lm url
	if ! reason=$(gzip_check "$final"); then
		fail "$final: gzip -t failed: $reason (remove it to download again)"
		return 0
	fi
	sha=$(file_sha256 "$final")
	bytes=$(file_bytes "$final")
	lm=$NULL
	url=$NULL
	if [[ -n ${row[$gz]:-} ]]; then
		IFS=$'\t' read -r _ _ old_sha lm url <<<"${row[$gz]}"
		if [[ $old_sha != "$sha" ]]; then
			fail "$final: sha256 $sha differs from MANIFEST.tsv ($old_sha); remove it to download again"
			return 0
		fi
	fi
	row[$gz]=$gz$'\t'$bytes$'\t'$sha$'\t'$lm$'\t'$url
	note "$gz: present, verified ($bytes bytes)"
}

# Runs one curl transfer into PART, resuming from its current size. Prints three lines, HTTP code,
# Last-Modified and curl's error message (the last two may be empty), and returns curl's exit status.
curl_transfer() {
	local url=$1 part=$2 progress=(--silent)
	if [[ -t 2 ]]; then
		progress=(--progress-bar)
	fi
	curl "${progress[@]}" --fail --location --proto '=http,https' --proto-redir '=http,https' \
		--retry "$retries" --retry-connrefused --connect-timeout 30 --speed-limit 1024 --speed-time 60 \
		--continue-at - --remote-time --output "$part" \
		--write-out '%{http_code}\n%header{last-modified}\n%{errormsg}\n' \
		-- "$url"
}

download() {
	local gz=$1.tsv.gz final=$2 part=$2.part url=${base_url%/}/$1.tsv.gz
	local result status=0 code lm errmsg reason resumed_at=0 sha bytes iso
	local -a lines=()
	if [[ -e $part ]]; then
		resumed_at=$(file_bytes "$part")
	fi
	result=$(curl_transfer "$url" "$part") || status=$?
	if ((status == 33)); then
		# The server ignored our Range request (no range support, or the .part is longer than the file):
		# the .part cannot be continued, so start over.
		note "$gz: server cannot resume at byte $resumed_at; downloading from the start"
		rm -f -- "$part"
		resumed_at=0
		status=0
		result=$(curl_transfer "$url" "$part") || status=$?
	fi
	mapfile -t lines <<<"$result"
	code=${lines[0]:-000}
	lm=${lines[1]:-}
	errmsg=${lines[2]:-}
	if ((status != 0)); then
		# curl creates the output file only when data arrives; an empty one is no progress worth keeping.
		if [[ -f $part && ! -s $part ]]; then
			rm -f -- "$part"
		fi
		if ((status == 22)); then
			fail "$gz: download failed: HTTP $code from $url"
		else
			fail "$gz: download failed: ${errmsg:-curl exit status $status} ($url)"
		fi
		return 0
	fi
	if ! reason=$(gzip_check "$part"); then
		fail "$part: gzip -t failed: $reason (kept for resume; remove it to download afresh)"
		return 0
	fi
	mv -f -- "$part" "$final" || die "$final: cannot rename $part into place"
	sha=$(file_sha256 "$final")
	bytes=$(file_bytes "$final")
	iso=$(iso_time "$lm")
	row[$gz]=$gz$'\t'$bytes$'\t'$sha$'\t'$iso$'\t'$url
	if ((resumed_at > 0)); then
		note "$gz: resumed at byte $resumed_at, $bytes bytes"
	else
		note "$gz: downloaded $bytes bytes"
	fi
}

fetch_file() {
	local name=$1 final=$dir/$1.tsv.gz
	if [[ -e $final ]]; then
		verify_present "$name" "$final"
	else
		download "$name" "$final"
	fi
}

# The manifest describes the final files in DIR: rows of files since removed are dropped. Written to a
# temporary file and renamed, so a reader never sees half a manifest.
write_manifest() {
	local manifest=$dir/MANIFEST.tsv tmp=$dir/MANIFEST.tsv.tmp.$$ f
	tmp_files+=("$tmp")
	{
		printf '%s\n' "$MANIFEST_HEADER"
		for f in "${ALL_FILES[@]}"; do
			if [[ -e $dir/$f.tsv.gz && -n ${row[$f.tsv.gz]:-} ]]; then
				printf '%s\n' "${row[$f.tsv.gz]}"
			fi
		done
	} >"$tmp" || die "$tmp: write failed"
	mv -f -- "$tmp" "$manifest" || die "$manifest: cannot rename $tmp into place"
}

main() {
	local name
	parse_args "$@"
	check_tools
	prepare_dir
	trap cleanup EXIT
	read_manifest
	for name in "${files[@]}"; do
		fetch_file "$name"
	done
	write_manifest
	((failures == 0)) || exit 1
}

main "$@"
