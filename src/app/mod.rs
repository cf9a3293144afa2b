//! Use cases: what people do with leadgate, one transaction each.
//!
//! Each use case takes typed input, opens a transaction, loads what it
//! needs, asks the engine, saves and commits. No HTTP types here; the web
//! layer turns [`AppError`] into pages or JSON problems.

pub mod demo;
pub mod error;
pub mod forms;
pub mod respond;
pub mod signing;

pub use error::{AppError, FieldError};
