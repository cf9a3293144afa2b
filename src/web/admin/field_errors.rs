//! Field errors for admin forms: looked up by field name so each message
//! sits beside its field.

use crate::app::{AppError, FieldError};
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

/// The messages of a refused form, by field.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// The first message for `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A strictly parsed form body; bytes that are not UTF-8 are a 422.
pub fn parse_body(body: &[u8]) -> Result<FormBody, PageError> {
    FormBody::parse(body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))
}

/// The typed value of `key`, or empty.
pub fn text(form: &FormBody, key: &str) -> String {
    form.get(key).unwrap_or_default().to_owned()
}
