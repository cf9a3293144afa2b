//! Delivering notices: the outbox worker and its channels (live inbox,
//! email, webhooks).

pub mod booking_email;
pub mod channels;
pub mod email;
pub mod feeds;
pub mod lanes;
pub mod live;
pub mod webhook;
pub mod worker;
