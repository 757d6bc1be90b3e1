//! The engine's one error type.
//!
//! Every failure the engine can report falls in one of three groups, because a caller reacts to
//! each differently: fix the argument (`InvalidInput`), load a rate (`MissingRate`), or use
//! smaller numbers (`Overflow`, which is also caused by the caller's input). Bugs are not errors
//! here: they panic, and the bindings turn a panic into their own "engine error".

use std::fmt;

/// What went wrong, with enough detail for a message that names the culprit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// An argument was refused before anything happened. `field` names the argument.
    InvalidInput {
        field: &'static str,
        message: String,
    },
    /// No exchange rate is known for `currency` (ISO code), so a conversion was refused.
    MissingRate { currency: &'static str },
    /// Exact arithmetic would not fit in 128 bits (or a result not in 64 bits).
    Overflow { field: &'static str },
    /// An amount the engine computed itself (not an argument) would not fit: `what` says
    /// which. The bindings raise their "engine error", never blaming an argument.
    Internal { what: &'static str },
}

/// Shorthand used across the engine.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An [`Error::InvalidInput`] for `field` with `message`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            message: message.into(),
        }
    }

    /// The argument the error is about, when it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput { field, .. } | Error::Overflow { field } => Some(field),
            Error::MissingRate { .. } | Error::Internal { .. } => None,
        }
    }

    /// An [`Error::Overflow`] of the engine's own arithmetic, as [`Error::Internal`].
    pub fn internal(self, what: &'static str) -> Self {
        match self {
            Error::Overflow { .. } => Error::Internal { what },
            other => other,
        }
    }

    /// The same error, blamed on another argument name (a caller knows better which of its
    /// arguments fed the failing value).
    pub fn with_field(self, new_field: &'static str) -> Self {
        match self {
            Error::InvalidInput { message, .. } => Error::InvalidInput {
                field: new_field,
                message,
            },
            Error::Overflow { .. } => Error::Overflow { field: new_field },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { message, .. } => f.write_str(message),
            Error::MissingRate { currency } => write!(f, "No exchange rate for {currency}"),
            Error::Overflow { field } => write!(
                f,
                "{field}: amount too large for exact 128-bit arithmetic (overflow)"
            ),
            Error::Internal { what } => write!(
                f,
                "internal overflow: {what} does not fit in exact 128-bit arithmetic at these \
                 amounts and rates"
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem() {
        let e = Error::invalid("stake", "stake must be > 0, got 0");
        assert_eq!(e.to_string(), "stake must be > 0, got 0");
        assert_eq!(e.field(), Some("stake"));
        assert_eq!(
            Error::MissingRate { currency: "EUR" }.to_string(),
            "No exchange rate for EUR"
        );
        let o = Error::Overflow { field: "amount" }.with_field("limit");
        assert_eq!(o.field(), Some("limit"));
        assert!(o.to_string().contains("overflow"));
    }
}
