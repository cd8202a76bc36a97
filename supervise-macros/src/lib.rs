//! Procedural macros of `supervise`. Use them through `supervise_runtime`, which re-exports them.
