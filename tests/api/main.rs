//! The HTTP suite: every test starts the real application on a random port
//! with its own database (SQLite, or PostgreSQL when
//! `LEADGATE_TEST_DATABASE_URL` is set) and talks HTTP to it.

mod faults;
mod faults_db;
mod foundation;
mod helpers;
mod hostile;
mod inbox;
mod injection;
mod instances;
mod notices;
mod prospect;
mod receivers;
mod route_matrix;
mod routing;
mod security;
