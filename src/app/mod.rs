//! Use cases: what people do with leadgate, one transaction each.
//!
//! Each use case takes typed input, opens a transaction, loads what it
//! needs, asks the engine, saves and commits. No HTTP types here; the web
//! layer turns [`AppError`] into pages or JSON problems.

pub mod auth;
pub mod clock;
pub mod context;
pub mod demo;
pub mod drafts;
pub mod error;
pub mod forms;
pub mod inbox;
pub mod notices;
pub mod preview;
pub mod replay;
pub mod respond;
pub mod routing;
pub mod routing_admin;
pub mod signing;
pub mod webhooks;

pub use context::Context;
pub use error::{AppError, FieldError};
