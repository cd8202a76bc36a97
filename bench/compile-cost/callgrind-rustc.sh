#!/bin/bash
# RUSTC_WRAPPER that counts the instructions of the generated app crate's rustc with
# callgrind (deterministic, unlike wall time on a shared machine); other crates compile
# as usual. After bench/compile-cost/run.sh has generated the crate:
#
#   cd target/compile-cost/app && cargo clean -p compile-cost-app &&
#     CARGO_TARGET_DIR=../target RUSTC_WRAPPER=$PWD/../../../bench/compile-cost/callgrind-rustc.sh cargo check
#
# prints `I refs` (the instructions); CG_OUT names the callgrind output file.
rustc="$1"; shift
if printf '%s\n' "$@" | grep -qx compile_cost_app; then
  exec valgrind --tool=callgrind --callgrind-out-file="${CG_OUT:-/tmp/cg.rustc}" "$rustc" "$@"
fi
exec "$rustc" "$@"
