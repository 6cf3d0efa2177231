#!/usr/bin/env bash
# `make bench`: runs every bench/bench_*.sh in name order, each to completion even when an
# earlier one failed; exits non-zero when any of them did.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
failed=()
ran=0
for b in bench/bench_*.sh; do
	[ -e "$b" ] || continue
	ran=$((ran + 1))
	echo "=== $b"
	if ! bash "$b"; then
		failed+=("$b")
	fi
	echo
done
if [ $ran = 0 ]; then
	echo "bench: no bench/bench_*.sh found" >&2
	exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "bench: FAILED: ${failed[*]}"
	exit 1
fi
echo "bench: all $ran benchmark(s) ran"
