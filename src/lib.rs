//! leadgate: an adaptive lead-qualification form server.
//!
//! A short tour, from the centre outwards:
//!
//! - [`engine`]: pure Rust, no IO. Form definitions, the one condition
//!   evaluator, branching, scoring with reasons, outcomes, lint.
//! - [`store`]: SQLite or PostgreSQL behind one interface (native pools).
//! - [`app`]: use cases (start a response, answer a step, finish), one
//!   transaction each, engine + store, no HTTP types.
//! - [`web`]: axum routers per audience, askama templates, error pages.
//! - [`config`], [`telemetry`], [`startup`]: settings, logs, and wiring it
//!   all into a running [`startup::Application`].

pub mod app;
pub mod config;
pub mod engine;
pub mod notify;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
