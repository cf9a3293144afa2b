//! Times as a signed-in person reads them: on their own clock (the time
//! zone of their rep profile; UTC for someone without one), with the zone
//! named, in one format across the inbox pages.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A person's clock.
#[derive(Debug, Clone, Copy)]
pub struct LocalClock {
    zone: Tz,
    /// The zone is the person's own (not UTC for want of one).
    own: bool,
}

impl LocalClock {
    /// The clock of someone whose zone is `zone`; UTC when they have none.
    pub fn of_person(zone: Option<&str>) -> LocalClock {
        LocalClock { own: zone.is_some(), ..LocalClock::of(zone.unwrap_or("UTC")) }
    }

    /// True when the zone is the person's own rather than UTC by default.
    pub fn is_own(&self) -> bool {
        self.own
    }

    /// The clock of the zone named `zone`; UTC when it is not a zone.
    pub fn of(zone: &str) -> LocalClock {
        LocalClock { zone: crate::engine::parse_time_zone(zone).unwrap_or(Tz::UTC), own: true }
    }

    /// The zone's name, e.g. `Europe/Paris`.
    pub fn zone_name(&self) -> &'static str {
        self.zone.name()
    }

    /// "Wed 2 Dec 2026, 09:00 CET".
    pub fn moment(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.zone).format("%a %-d %b %Y, %H:%M %Z").to_string()
    }

    /// "Wed 2 Dec 2026, 09:00–09:30 CET" (the end's date when it differs).
    pub fn span(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let (start, end) = (start.with_timezone(&self.zone), end.with_timezone(&self.zone));
        if start.date_naive() == end.date_naive() {
            format!("{}–{}", start.format("%a %-d %b %Y, %H:%M"), end.format("%H:%M %Z"))
        } else {
            format!("{} – {}", start.format("%a %-d %b %Y, %H:%M"), end.format("%a %-d %b %Y, %H:%M %Z"))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_shown_on_the_persons_clock_with_the_zone_abbreviated() {
        let start = Utc.with_ymd_and_hms(2026, 12, 2, 14, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 12, 2, 14, 30, 0).unwrap();
        let new_york = LocalClock::of("America/New_York");
        assert_eq!(new_york.moment(start), "Wed 2 Dec 2026, 09:00 EST");
        assert_eq!(new_york.span(start, end), "Wed 2 Dec 2026, 09:00–09:30 EST");
        assert_eq!(new_york.zone_name(), "America/New_York");
        assert_eq!(LocalClock::of("Nowhere/Else").moment(start), "Wed 2 Dec 2026, 14:00 UTC");
    }

    #[test]
    fn a_span_over_midnight_names_both_days() {
        let start = Utc.with_ymd_and_hms(2026, 12, 2, 23, 45, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 12, 3, 0, 15, 0).unwrap();
        assert_eq!(LocalClock::of("UTC").span(start, end), "Wed 2 Dec 2026, 23:45 – Thu 3 Dec 2026, 00:15 UTC");
    }
}
