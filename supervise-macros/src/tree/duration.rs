//! Durations as the block writes them: a whole number and a unit, `500ms`, `5s`, `1m`.
//! Rust lexes `5s` as the integer literal `5` with the suffix `s`, so a duration is an
//! integer literal whose suffix is the unit.

use syn::{Expr, ExprLit, ExprUnary, Lit, UnOp};

/// The units, with how many milliseconds each is.
const UNITS: &[(&str, u64)] = &[("ms", 1), ("s", 1_000), ("m", 60_000)];

/// What a duration must look like, for error messages.
pub(crate) const SHAPE: &str = "a duration is a whole number and a unit: `500ms`, `5s` or `1m`";

/// A duration in milliseconds, or the message saying what is wrong with `expr`.
pub(crate) fn millis(expr: &Expr) -> Result<u64, String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => int_millis(int),
        Expr::Lit(ExprLit {
            lit: Lit::Float(_), ..
        }) => Err(format!(
            "durations are whole numbers: write `1500ms` rather than `1.5s` ({SHAPE})"
        )),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_), ..
        }) => Err(format!("a duration cannot be negative ({SHAPE})")),
        Expr::Group(g) => millis(&g.expr),
        _ => Err(format!("malformed duration: {SHAPE}")),
    }
}

fn int_millis(int: &syn::LitInt) -> Result<u64, String> {
    let suffix = int.suffix();
    if suffix.is_empty() {
        return Err(format!("`{}` has no unit: {SHAPE}", int.base10_digits()));
    }
    let Some((_, scale)) = UNITS.iter().find(|(unit, _)| *unit == suffix) else {
        return Err(format!("unknown unit `{suffix}`: {SHAPE}"));
    };
    let n: u64 = int
        .base10_digits()
        .parse()
        .map_err(|_| format!("`{}` is too large for a duration", int.base10_digits()))?;
    n.checked_mul(*scale)
        .ok_or_else(|| format!("`{int}` is too large for a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<u64, String> {
        millis(&syn::parse_str(text).expect("test input parses"))
    }

    #[test]
    fn units() {
        assert_eq!(parse("500ms"), Ok(500));
        assert_eq!(parse("5s"), Ok(5_000));
        assert_eq!(parse("1m"), Ok(60_000));
        assert_eq!(parse("1_000ms"), Ok(1_000));
        assert_eq!(parse("0s"), Ok(0));
    }

    #[test]
    fn mistakes() {
        for bad in [
            "5",
            "1.5s",
            "-5s",
            "5h",
            "five",
            "\"5s\"",
            "99999999999999999999m",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
