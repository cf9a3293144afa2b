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

impl From<validator::ValidationErrors> for AppError {
    /// Field checks declared with `validator` become field errors, each with
    /// the message its rule names.
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields: Vec<FieldError> = errors
            .field_errors()
            .into_iter()
            .flat_map(|(field, list)| {
                list.iter().map(move |e| FieldError {
                    field: field.to_string(),
                    message: e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| format!("Check {field}.")),
                })
            })
            .collect();
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        AppError::Invalid(fields)
    }
}
