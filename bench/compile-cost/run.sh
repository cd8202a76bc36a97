#!/usr/bin/env bash
# Compile cost of `#[worker]`, as a user feels it in the editor: generates a crate of N
# workers with 4 handlers each (2 fire-and-forget, 2 request/reply), then times, with its
# dependencies already built: `cargo check` of the crate (median of 3), an incremental
# check after an edit that keeps a line's length, and one that makes it longer; and the
# expanded lines per worker when `cargo expand` is installed.
#
#   bench/compile-cost/run.sh [N]      (default 50; the crate goes to target/compile-cost)
#   SUPERVISE=/path/to/other/checkout bench/compile-cost/run.sh   (the same crate against another version)
#   SYSTEM=kameo bench/compile-cost/run.sh [N]   (the same workers written for kameo 0.19, from crates.io)
#   LAYOUT=root bench/compile-cost/run.sh [N]    (all workers in the crate root rather than a module each)
set -euo pipefail
N="${1:-50}"
SYSTEM="${SYSTEM:-supervise}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SUFFIX="${SUPERVISE:+-other}"
[ "$SYSTEM" = kameo ] && SUFFIX="-kameo"
APP="$ROOT/target/compile-cost/app$SUFFIX"
mkdir -p "$APP/src"

if [ "$SYSTEM" = kameo ]; then
cat > "$APP/Cargo.toml" <<TOML
[package]
name = "compile-cost-app"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
kameo = "=0.19.2"
tokio = { version = "1", features = ["rt", "macros"] }

[workspace]
TOML

{
    echo "//! $N generated kameo actors, 4 messages each."
    echo "#![allow(missing_docs, dead_code)]"
    [ "${LAYOUT:-modules}" = root ] && echo "use supervise_runtime::worker;"
    for i in $(seq 1 "$N"); do
        # kameo's #[messages] names a struct per message (Add, Get..): one module each.
        cat <<RS
pub mod m$i {
use kameo::{Actor, messages};
#[derive(Actor, Debug)]
pub struct W$i { n: u64 }
#[messages]
impl W$i {
    #[message] fn add(&mut self, k: u64) { self.n += k; }
    #[message] fn reset(&mut self) { self.n = 0; }
    #[message] fn get(&self) -> u64 { self.n }
    #[message] fn label(&self, prefix: String) -> String { format!("{prefix}{}", self.n) }
}
}
RS
    done
} > "$APP/src/lib.rs"
else
cat > "$APP/Cargo.toml" <<TOML
[package]
name = "compile-cost-app"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
supervise-runtime = { path = "${SUPERVISE:-$ROOT}/supervise-runtime" }
tokio = { version = "1", features = ["rt", "macros"] }

[workspace]
TOML

{
    echo "//! $N generated workers, 4 handlers each."
    echo "#![allow(missing_docs, dead_code)]"
    [ "${LAYOUT:-modules}" = root ] && echo "use supervise_runtime::worker;"
    for i in $(seq 1 "$N"); do
        # A module each, as the kameo crate has them (and as workers in their own files
        # are): the incremental figures depend on it (see README, Compile cost).
        # LAYOUT=root puts them all in the crate root instead.
        if [ "${LAYOUT:-modules}" = root ]; then open=""; close=""
        else open="pub mod m$i {
use supervise_runtime::worker;"; close="}"; fi
        cat <<RS
$open
#[derive(Debug)]
pub struct W$i { n: u64 }
#[worker]
impl W$i {
    fn init(n: u64) -> Self { W$i { n } }
    #[info] fn add(&mut self, k: u64) { self.n += k; }
    #[cast] fn reset(&mut self) { self.n = 0; }
    #[call] fn get(&self) -> u64 { self.n }
    #[call] fn label(&self, prefix: String) -> String { format!("{prefix}{}", self.n) }
}
$close
RS
    done
} > "$APP/src/lib.rs"
fi

cd "$APP"
export CARGO_TARGET_DIR="$ROOT/target/compile-cost/target$SUFFIX"
cargo check -q 2>/dev/null || cargo check   # dependencies, untimed

median() { sort -n | sed -n "2p"; }
time_it() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

check_clean=$(for _ in 1 2 3; do cargo clean -q -p compile-cost-app; time_it cargo check; done | median)
# An edit inside W1's handler body that keeps the line's length (a digit), then one that
# makes the line longer.
same=$(for i in 1 2 3; do sed -i "0,/self.n += [k0-9];/s//self.n += $i;/" src/lib.rs; time_it cargo check; done | median)
longer=$(for i in 1 2 3; do sed -i "0,/fn get(&self) -> u64 { self.n/s//fn get(\&self) -> u64 { self.n + 0/" src/lib.rs; time_it cargo check; done | median)
echo "system: $SYSTEM, workers: $N"
echo "cargo check of the app crate (median of 3): ${check_clean} s"
echo "incremental check, same length / longer: ${same} s / ${longer} s"
if command -v cargo-expand >/dev/null 2>&1; then
    lines=$(cargo expand --lib 2>/dev/null | wc -l)
    echo "expanded lines per worker: $((lines / N))"
fi
