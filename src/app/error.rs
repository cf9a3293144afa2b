//! The use-case layer's one error type.

use crate::store::StoreError;

/// A problem with one field, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Errors of the use cases.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that cannot be accepted; the person can fix it.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("forbidden")]
    Forbidden,
    /// A transient failure (database busy or unreachable): try again shortly.
    #[error("temporarily unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError { field: field.into(), message: message.into() }])
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => AppError::Conflict(what.to_string()),
            StoreError::Unavailable(_) => AppError::Unavailable(error),
            other => AppError::Internal(other.into()),
        }
    }
}
