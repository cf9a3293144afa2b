//! View models for the calendar and bookings pages of the inbox.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};

use crate::app::FieldError;
use crate::app::auth::CurrentUser;
use crate::app::calendar::{BlockInput, CalendarInput, CalendarSummary, CalendarView, format_day};
use crate::store::bookings::BookingRecord;
use crate::store::calendars::CalendarRecord;
use crate::web::local_time::LocalClock;

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// One day's hours field.
pub struct DayField {
    pub name: String,
    pub label: &'static str,
    pub value: String,
}

/// One number field of the meeting settings.
pub struct NumberField {
    pub name: String,
    pub label: &'static str,
    pub value: String,
}

/// The feed's last result, for people. Its address is a secret (whoever
/// has it reads the rep's calendar), so only the host is kept here.
pub struct FeedStatus {
    /// The feed's host, e.g. `calendar.google.com`.
    pub host: String,
    /// "waiting" (never read yet), "working" or "failing".
    pub state: &'static str,
    pub checked: String,
    pub ok: String,
    pub error: Option<String>,
    pub events: i32,
}

impl FeedStatus {
    /// The status of `record`'s feed, times on `clock`.
    pub fn new(record: &CalendarRecord, clock: &LocalClock) -> Option<FeedStatus> {
        let url = record.feed_url.as_ref()?;
        let when = |t: Option<DateTime<Utc>>, none: &str| t.map_or_else(|| none.to_owned(), |t| clock.moment(t));
        let state = match (&record.feed_error, record.feed_checked_at) {
            (Some(_), _) => "failing",
            (None, None) => "waiting",
            (None, Some(_)) => "working",
        };
        Some(FeedStatus {
            host: feed_host(url),
            state,
            checked: when(record.feed_checked_at, "not yet"),
            ok: when(record.feed_ok_at, "never"),
            error: record.feed_error.clone(),
            events: record.feed_events,
        })
    }
}

/// The host of a feed address ("an address" when it cannot be read).
pub fn feed_host(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| "an address".into())
}

/// A manual block in the list.
pub struct BlockRow {
    pub id: String,
    pub when: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/calendar.html")]
pub struct CalendarPage {
    pub user: CurrentUser,
    pub rep_id: String,
    pub rep_name: String,
    /// The signed-in person's own calendar (else a manager's view of a rep's).
    pub own: bool,
    /// The rep's time zone: the page's times and hours are on their clock.
    pub zone: &'static str,
    pub input: CalendarInput,
    pub days: Vec<DayField>,
    pub numbers: Vec<NumberField>,
    pub errors: Vec<FieldError>,
    pub feed: Option<FeedStatus>,
    pub feed_blocks: usize,
    pub blocks: Vec<BlockRow>,
    pub block: BlockInput,
    /// A refused busy block: (field, message), shown beside that field.
    pub block_error: Option<(String, String)>,
    pub saved: bool,
}

impl CalendarPage {
    /// The page with the stored values.
    pub fn new(user: CurrentUser, view: &CalendarView) -> Self {
        let s = &view.settings;
        let own = user.id == view.rep_id;
        let stored_feed = view.feed.as_ref().and_then(|f| f.feed_url.clone());
        let input = CalendarInput {
            time_zone: view.rep.time_zone.clone(),
            meeting_minutes: s.meeting_minutes.to_string(),
            buffer_minutes: s.buffer_minutes.to_string(),
            minimum_notice_minutes: s.minimum_notice_minutes.to_string(),
            horizon_days: s.horizon_days.to_string(),
            daily_maximum: s.daily_maximum.map(|m| m.to_string()).unwrap_or_default(),
            slot_step_minutes: s.slot_step_minutes.to_string(),
            hours: std::array::from_fn(|i| format_day(&view.hours.days[i])),
            // Only the rep sees their feed's secret address; others keep it unseen.
            feed_url: if own || stored_feed.is_none() { Some(stored_feed.unwrap_or_default()) } else { None },
        };
        let clock = LocalClock::of(&view.rep.time_zone);
        let blocks = view
            .blocks
            .iter()
            .map(|b| BlockRow { id: b.id.to_string(), when: clock.span(b.starts_at, b.ends_at), note: b.note.clone() })
            .collect();
        let mut page = CalendarPage {
            own,
            zone: clock.zone_name(),
            user,
            rep_id: view.rep_id.to_string(),
            rep_name: view.rep.name.clone(),
            days: Vec::new(),
            numbers: Vec::new(),
            input,
            errors: Vec::new(),
            feed: view.feed.as_ref().and_then(|f| FeedStatus::new(f, &clock)),
            feed_blocks: view.feed_blocks,
            blocks,
            block: BlockInput::default(),
            block_error: None,
            saved: false,
        };
        page.set_input(page.input.clone());
        page
    }

    /// Shows `input` (what was typed) instead of the stored values.
    pub fn set_input(&mut self, input: CalendarInput) {
        self.days = DAYS
            .iter()
            .zip(input.hours.iter())
            .map(|((name, label), value)| DayField { name: format!("hours_{name}"), label, value: value.clone() })
            .collect();
        let number = |name: &str, label: &'static str, value: &str| NumberField {
            name: name.into(),
            label,
            value: value.into(),
        };
        self.numbers = vec![
            number("meeting_minutes", "Meeting length (minutes)", &input.meeting_minutes),
            number("buffer_minutes", "Buffer before and after (minutes)", &input.buffer_minutes),
            number("minimum_notice_minutes", "Minimum notice (minutes)", &input.minimum_notice_minutes),
            number("horizon_days", "Days ahead, counting today", &input.horizon_days),
            number("daily_maximum", "Most meetings a day (empty: no limit)", &input.daily_maximum),
            number("slot_step_minutes", "A slot every (minutes)", &input.slot_step_minutes),
        ];
        self.input = input;
    }

    /// The feed address field's value; `None` when the address is kept
    /// unseen (someone else's saved feed).
    pub fn feed_field(&self) -> Option<&str> {
        self.input.feed_url.as_deref()
    }

    /// What was typed in a field of the busy block form.
    pub fn block_value(&self, field: &str) -> &str {
        match field {
            "date" => &self.block.date,
            "from" => &self.block.from,
            "to" => &self.block.to,
            _ => &self.block.note,
        }
    }

    /// The message for a refused field of the busy block form.
    pub fn block_err(&self, field: &str) -> Option<&str> {
        self.block_error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// The message for a field, if it was refused.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field || (field == "hours" && e.field.starts_with("hours")))
            .map(|e| e.message.as_str())
    }
}

/// One upcoming meeting.
pub struct BookingRow {
    pub id: String,
    pub lead_id: String,
    pub when: String,
    pub prospect: String,
    pub rep: String,
}

impl BookingRow {
    /// On `clock`, the signed-in person's.
    pub fn new(booking: &BookingRecord, clock: &LocalClock) -> Self {
        BookingRow {
            id: booking.id.to_string(),
            lead_id: booking.lead_id.to_string(),
            when: clock.span(booking.starts_at, booking.ends_at),
            prospect: booking.prospect_name(),
            rep: booking.rep_name.clone(),
        }
    }
}

/// One rep in the managers' calendar overview.
pub struct CalendarRow {
    pub rep_id: String,
    pub name: String,
    pub time_zone: String,
    pub feed: Option<FeedStatus>,
}

impl CalendarRow {
    /// Feed times on `clock`, the signed-in person's.
    pub fn new(summary: &CalendarSummary, clock: &LocalClock) -> Self {
        CalendarRow {
            rep_id: summary.rep_id.to_string(),
            name: summary.name.clone(),
            time_zone: summary.time_zone.clone(),
            feed: summary.calendar.as_ref().and_then(|c| FeedStatus::new(c, clock)),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/bookings.html")]
pub struct BookingsPage {
    pub user: CurrentUser,
    /// The signed-in person's zone: the times are on their clock.
    pub zone: &'static str,
    /// The zone is their own (else UTC, for want of one).
    pub own_zone: bool,
    pub has_calendar: bool,
    pub sees_all: bool,
    pub rows: Vec<BookingRow>,
    pub calendars: Vec<CalendarRow>,
}

/// `/inbox/calendar` for someone without a calendar of their own.
#[derive(Template, WebTemplate)]
#[template(path = "inbox/calendars.html")]
pub struct CalendarsPage {
    pub user: CurrentUser,
    pub zone: &'static str,
    pub own_zone: bool,
    pub calendars: Vec<CalendarRow>,
}
