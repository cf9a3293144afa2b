//! The HTTP suite: every test starts the real application on a random port
//! with its own database (SQLite, or PostgreSQL when
//! `LEADGATE_TEST_DATABASE_URL` is set) and talks HTTP to it.

mod api_analytics;
mod api_auth;
mod api_booking_rate;
mod api_bookings;
mod api_form_drafts;
mod api_form_publish;
mod api_forms;
mod api_leads;
mod api_marketing_loop;
mod api_metrics;
mod api_people_webhooks;
mod api_rep_calendar;
mod api_responses;
mod api_support;
mod booking;
mod booking_calendar;
mod booking_helpers;
mod booking_links;
mod diagram;
mod draft_support;
mod editor;
mod editor_access;
mod editor_publish;
mod editor_support;
mod faults;
mod faults_db;
mod foundation;
mod helpers;
mod hostile;
mod hot_responses;
mod inbox;
mod injection;
mod instances;
mod notices;
mod preview;
mod prospect;
mod receivers;
mod replay;
mod route_matrix;
mod routing;
mod routing_admin;
mod security;
