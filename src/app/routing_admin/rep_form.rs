//! A rep's routing profile as typed into the edit page, and back: lists as
//! comma-separated words, each weekday's hours as "09:00-12:00, 13:00-17:30",
//! absences as pairs of dates. Parsing names the field of every problem.

use chrono::{NaiveDate, NaiveTime};

use crate::app::FieldError;
use crate::engine::{DateRange, Rep, TimeRange, WeeklyHours, parse_time_zone};

pub const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MAX_CAPACITY: u32 = 10_000;
const MAX_WORDS: usize = 50;
const MAX_WORD_CHARS: usize = 60;

/// What the edit page sends, kept as typed so a refused form shows it again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepForm {
    pub active: bool,
    pub territories: String,
    pub segments: String,
    pub seniority: String,
    pub languages: String,
    pub time_zone: String,
    /// Monday first.
    pub hours: [String; 7],
    pub capacity: String,
    /// (first day, last day) pairs, as typed.
    pub out_of_office: Vec<(String, String)>,
}

impl RepForm {
    /// The form filled in from a stored profile.
    pub fn from_rep(rep: &Rep) -> Self {
        RepForm {
            active: rep.active,
            territories: rep.territories.join(", "),
            segments: rep.segments.join(", "),
            seniority: rep.seniority.clone().unwrap_or_default(),
            languages: rep.languages.join(", "),
            time_zone: rep.time_zone.clone(),
            hours: std::array::from_fn(|day| format_day_hours(&rep.working_hours.days[day])),
            capacity: rep.capacity.map(|c| c.to_string()).unwrap_or_default(),
            out_of_office: rep.out_of_office.iter().map(|r| (r.start.to_string(), r.end.to_string())).collect(),
        }
    }

    /// The profile, or every problem found (field names as on the page).
    pub fn parse(&self) -> Result<Rep, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        let mut days: [Vec<TimeRange>; 7] = Default::default();
        for (day, text) in self.hours.iter().enumerate() {
            match parse_day_hours(text) {
                Ok(ranges) => days[day] = ranges,
                Err(message) => fail(&format!("hours_{day}"), format!("{}: {message}", WEEKDAYS[day])),
            }
        }
        if let Err(error) = parse_time_zone(&self.time_zone) {
            fail("time_zone", error.to_string());
        }
        let capacity = match self.capacity.trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(n) if n <= MAX_CAPACITY => Some(n),
                _ => {
                    fail("capacity", format!("Enter a whole number from 0 to {MAX_CAPACITY}, or leave it empty."));
                    None
                }
            },
        };
        let out_of_office = parse_absences(&self.out_of_office).unwrap_or_else(|message| {
            fail("out_of_office", message);
            Vec::new()
        });
        let mut list = |field: &str, text: &str| {
            words(text).unwrap_or_else(|message| {
                fail(field, message);
                Vec::new()
            })
        };
        let territories = list("territories", &self.territories);
        let segments = list("segments", &self.segments);
        let languages = list("languages", &self.languages);
        let seniority = self.seniority.trim();
        if seniority.chars().count() > MAX_WORD_CHARS {
            fail("seniority", format!("Keep it under {MAX_WORD_CHARS} characters."));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Rep {
            id: String::new(),
            name: String::new(),
            active: self.active,
            territories,
            segments,
            seniority: (!seniority.is_empty()).then(|| seniority.to_owned()),
            languages,
            time_zone: self.time_zone.trim().to_owned(),
            working_hours: WeeklyHours { days },
            capacity,
            out_of_office,
        })
    }
}

/// Comma-separated words, trimmed, without repeats.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut list: Vec<String> = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        if word.chars().count() > MAX_WORD_CHARS {
            return Err(format!("\"{word}\" is too long; keep each entry under {MAX_WORD_CHARS} characters."));
        }
        if !list.iter().any(|w| w.eq_ignore_ascii_case(word)) {
            list.push(word.to_owned());
        }
    }
    if list.len() > MAX_WORDS {
        return Err(format!("List at most {MAX_WORDS} entries."));
    }
    Ok(list)
}

/// "09:00-12:00, 13:00-17:30" (a blank day is a day off; 24:00 is midnight).
pub fn parse_day_hours(text: &str) -> Result<Vec<TimeRange>, String> {
    let mut ranges = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (start, end) =
            part.split_once(['-', '–']).ok_or_else(|| format!("write \"{part}\" as start-end, like 09:00-17:00"))?;
        let start = parse_time(start).ok_or_else(|| format!("\"{}\" is not a time like 09:00", start.trim()))?;
        let end = parse_time(end).ok_or_else(|| format!("\"{}\" is not a time like 17:30", end.trim()))?;
        let range = TimeRange::new(start, end);
        if range.is_empty() {
            return Err(format!("{} ends before it starts; split a night shift over two days", part));
        }
        ranges.push(range);
    }
    Ok(ranges)
}

/// "9", "9:30", "09:30" or "24:00" (midnight at the end of the day).
fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    let (hour, minute) = text.split_once(':').unwrap_or((text, "0"));
    let (hour, minute): (u32, u32) = (hour.parse().ok()?, minute.parse().ok()?);
    if hour == 24 && minute == 0 {
        return Some(NaiveTime::MIN);
    }
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// The day's ranges as they are typed.
pub fn format_day_hours(ranges: &[TimeRange]) -> String {
    let time = |t: NaiveTime, end: bool| {
        if end && t == NaiveTime::MIN { "24:00".into() } else { t.format("%H:%M").to_string() }
    };
    ranges.iter().map(|r| format!("{}-{}", time(r.start, false), time(r.end, true))).collect::<Vec<_>>().join(", ")
}

/// Absences from (first, last) pairs; a blank last day is the first day.
fn parse_absences(pairs: &[(String, String)]) -> Result<Vec<DateRange>, String> {
    let date = |text: &str, n: usize| {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| format!("Absence {n}: \"{}\" is not a date like 2026-12-24.", text.trim()))
    };
    let mut ranges = Vec::new();
    for (n, (start, end)) in pairs.iter().enumerate().map(|(i, p)| (i + 1, p)) {
        let (start, end) = (start.trim(), end.trim());
        if start.is_empty() && end.is_empty() {
            continue;
        }
        if start.is_empty() {
            return Err(format!("Absence {n}: give the first day too."));
        }
        let first = date(start, n)?;
        let last = if end.is_empty() { first } else { date(end, n)? };
        let range = DateRange::new(first, last);
        range.validate().map_err(|e| format!("Absence {n}: {e}."))?;
        ranges.push(range);
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> RepForm {
        RepForm {
            active: true,
            territories: "EMEA, DACH, emea".into(),
            time_zone: "Europe/Berlin".into(),
            hours: std::array::from_fn(|d| if d < 5 { "09:00-12:00, 13:00-17:30".into() } else { String::new() }),
            capacity: "25".into(),
            out_of_office: vec![("2026-12-24".into(), "2026-12-31".into()), (String::new(), String::new())],
            ..Default::default()
        }
    }

    #[test]
    fn a_typed_profile_parses_and_reads_back_the_same() {
        let rep = typed().parse().unwrap();
        assert_eq!(rep.territories, ["EMEA", "DACH"]);
        assert_eq!(rep.working_hours.days[0].len(), 2);
        assert!(rep.working_hours.days[6].is_empty());
        assert_eq!(rep.capacity, Some(25));
        assert_eq!(rep.out_of_office.len(), 1);
        let again = RepForm::from_rep(&rep);
        assert_eq!(again.hours[0], "09:00-12:00, 13:00-17:30");
        assert_eq!(again.parse().unwrap(), rep);
    }

    #[test]
    fn midnight_and_short_times_are_understood() {
        let ranges = parse_day_hours("0-24:00, 9:5-10").unwrap();
        assert_eq!(format_day_hours(&ranges), "00:00-24:00, 09:05-10:00");
        assert!(parse_day_hours("17:00-09:00").unwrap_err().contains("ends before it starts"));
        assert!(parse_day_hours("nine to five").is_err());
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut form = typed();
        form.time_zone = "Mars/Olympus".into();
        form.hours[2] = "25:00-26:00".into();
        form.capacity = "lots".into();
        form.out_of_office = vec![("2026-12-31".into(), "2026-12-24".into())];
        let errors = form.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["hours_2", "time_zone", "capacity", "out_of_office"]);
        assert!(errors[0].message.starts_with("Wednesday: "));
        assert!(errors[1].message.contains("Mars/Olympus"));
    }
}
