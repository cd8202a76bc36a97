//! Integration tests of supervise live in `tests/`.
