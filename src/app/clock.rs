//! Time, passed in: the system clock in production, a hand-moved clock in
//! tests (fallback timers are tested by moving time, never by sleeping).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A clock that only moves when told to, starting now.
    pub fn manual() -> Clock {
        Clock::Manual(Arc::new(Mutex::new(Utc::now())))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(time) => *time.lock().expect("clock lock"),
        }
    }

    /// Sets a manual clock (no effect on the system clock).
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Manual(time) = self {
            *time.lock().expect("clock lock") = to;
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(time) = self {
            *time.lock().expect("clock lock") += by;
        }
    }
}
