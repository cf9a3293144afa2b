//! View models for the calendar and bookings pages of the inbox.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};

use crate::app::FieldError;
use crate::app::auth::CurrentUser;
use crate::app::calendar::{BlockInput, CalendarInput, CalendarSummary, CalendarView, format_day};
use crate::store::bookings::BookingRecord;
use crate::store::calendars::CalendarRecord;

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

/// The feed's last result, for people.
pub struct FeedStatus {
    pub checked: String,
    pub ok: String,
    pub error: Option<String>,
    pub events: i32,
}

impl FeedStatus {
    pub fn new(record: &CalendarRecord) -> Option<FeedStatus> {
        record.feed_url.as_ref()?;
        let when = |t: Option<DateTime<Utc>>| {
            t.map_or_else(|| "not yet".to_owned(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        };
        Some(FeedStatus {
            checked: when(record.feed_checked_at),
            ok: when(record.feed_ok_at),
            error: record.feed_error.clone(),
            events: record.feed_events,
        })
    }
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
    pub input: CalendarInput,
    pub days: Vec<DayField>,
    pub numbers: Vec<NumberField>,
    pub errors: Vec<FieldError>,
    pub feed: Option<FeedStatus>,
    pub feed_blocks: usize,
    pub blocks: Vec<BlockRow>,
    pub block: BlockInput,
    pub block_error: Option<String>,
    pub saved: bool,
}

impl CalendarPage {
    /// The page with the stored values.
    pub fn new(user: CurrentUser, view: &CalendarView) -> Self {
        let s = &view.settings;
        let input = CalendarInput {
            time_zone: view.rep.time_zone.clone(),
            meeting_minutes: s.meeting_minutes.to_string(),
            buffer_minutes: s.buffer_minutes.to_string(),
            minimum_notice_minutes: s.minimum_notice_minutes.to_string(),
            horizon_days: s.horizon_days.to_string(),
            daily_maximum: s.daily_maximum.map(|m| m.to_string()).unwrap_or_default(),
            slot_step_minutes: s.slot_step_minutes.to_string(),
            hours: std::array::from_fn(|i| format_day(&view.hours.days[i])),
            feed_url: view.feed.as_ref().and_then(|f| f.feed_url.clone()).unwrap_or_default(),
        };
        let zone = crate::engine::parse_time_zone(&view.rep.time_zone).unwrap_or(chrono_tz::Tz::UTC);
        let local = |t: DateTime<Utc>| t.with_timezone(&zone);
        let blocks = view
            .blocks
            .iter()
            .map(|b| BlockRow {
                id: b.id.to_string(),
                when: format!(
                    "{} to {}",
                    local(b.starts_at).format("%a %Y-%m-%d %H:%M"),
                    local(b.ends_at).format("%H:%M")
                ),
                note: b.note.clone(),
            })
            .collect();
        let mut page = CalendarPage {
            user,
            rep_id: view.rep_id.to_string(),
            rep_name: view.rep.name.clone(),
            days: Vec::new(),
            numbers: Vec::new(),
            input,
            errors: Vec::new(),
            feed: view.feed.as_ref().and_then(FeedStatus::new),
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
    /// `zone` is the rep's: a rep reads meetings on their own clock.
    pub fn new(booking: &BookingRecord, zone: &str) -> Self {
        let tz = crate::engine::parse_time_zone(zone).unwrap_or(chrono_tz::Tz::UTC);
        BookingRow {
            id: booking.id.to_string(),
            lead_id: booking.lead_id.to_string(),
            when: format!("{} {}", booking.starts_at.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"), tz.name()),
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
    pub fn new(summary: &CalendarSummary) -> Self {
        CalendarRow {
            rep_id: summary.rep_id.to_string(),
            name: summary.name.clone(),
            time_zone: summary.time_zone.clone(),
            feed: summary.calendar.as_ref().and_then(FeedStatus::new),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/bookings.html")]
pub struct BookingsPage {
    pub user: CurrentUser,
    pub sees_all: bool,
    pub rows: Vec<BookingRow>,
    pub calendars: Vec<CalendarRow>,
}
