//! Use cases: what people do with leadgate, one transaction each.
//!
//! Each use case takes typed input, opens a transaction, loads what it
//! needs, asks the engine, saves and commits. No HTTP types here; the web
//! layer turns [`AppError`] into pages or JSON problems.

pub mod abandoned;
pub mod analytics;
pub mod auth;
pub mod availability;
pub mod booking;
pub mod booking_changes;
pub mod booking_notices;
pub mod calendar;
pub mod calendar_feed;
pub mod calendar_settings;
pub mod catalog;
pub mod clock;
pub mod context;
pub mod deals;
pub mod demo;
pub mod drafts;
pub mod editor;
pub mod error;
pub mod export;
pub mod form_tests;
pub mod forms;
pub mod hot;
pub mod inbox;
pub mod metrics;
pub mod notices;
pub mod preview;
pub mod publishing;
pub mod quality;
pub mod replay;
pub mod respond;
pub mod routing;
pub mod routing_admin;
pub mod signing;
pub mod tokens;
pub mod views;
pub mod webhooks;

pub use context::Context;
pub use error::{AppError, FieldError};
