//! Writing a booking as an RFC 5545 iCalendar file: one VCALENDAR with one
//! VEVENT, times in UTC, lines ended by CRLF and folded at 75 octets
//! (never inside a UTF-8 character), TEXT values escaped and parameter
//! values quoted. Pure: the caller passes every value, the stamp included.
//!
//! The method is REQUEST for a new or moved meeting and CANCEL for a
//! cancelled one (RFC 5546), so calendar programs update the same event:
//! the UID stays, SEQUENCE goes up with every change.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

/// Who takes part, as the calendar shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcsPerson<'a> {
    /// Display name (CN).
    pub name: &'a str,
    /// Email address (the `mailto:` URI).
    pub email: &'a str,
}

/// One meeting to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcsMeeting<'a> {
    /// Stable per booking, e.g. `booking-<id>@leadgate`.
    pub uid: &'a str,
    /// 0 when booked, +1 on every reschedule or cancellation.
    pub sequence: u32,
    /// True writes METHOD:CANCEL and STATUS:CANCELLED.
    pub cancelled: bool,
    /// When this version of the file was made (DTSTAMP).
    pub stamp: DateTime<Utc>,
    /// When the meeting starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// Title.
    pub summary: &'a str,
    /// Body text; may hold line breaks.
    pub description: &'a str,
    /// The rep.
    pub organizer: IcsPerson<'a>,
    /// The prospect.
    pub attendee: IcsPerson<'a>,
    /// A link to manage the meeting, if any.
    pub url: Option<&'a str>,
}

/// The product identifier written into every file.
pub const PRODID: &str = "-//leadgate//Booking//EN";

/// The whole file, ready to send as `text/calendar; charset=utf-8`.
pub fn meeting_ics(meeting: &IcsMeeting) -> String {
    let method = if meeting.cancelled { "CANCEL" } else { "REQUEST" };
    let status = if meeting.cancelled { "CANCELLED" } else { "CONFIRMED" };
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        format!("PRODID:{PRODID}"),
        "VERSION:2.0".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("METHOD:{method}"),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(meeting.uid)),
        format!("SEQUENCE:{}", meeting.sequence),
        format!("DTSTAMP:{}", utc_stamp(meeting.stamp)),
        format!("DTSTART:{}", utc_stamp(meeting.start)),
        format!("DTEND:{}", utc_stamp(meeting.end)),
        format!("SUMMARY:{}", text(meeting.summary)),
        format!("DESCRIPTION:{}", text(meeting.description)),
        format!("STATUS:{status}"),
        "TRANSP:OPAQUE".to_owned(),
        format!("ORGANIZER;CN={}:mailto:{}", param(meeting.organizer.name), address(meeting.organizer.email)),
        format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{}",
            param(meeting.attendee.name),
            address(meeting.attendee.email)
        ),
    ];
    if let Some(url) = meeting.url {
        lines.push(format!("URL:{}", address(url)));
    }
    lines.extend(["END:VEVENT".to_owned(), "END:VCALENDAR".to_owned()]);
    let mut out = String::new();
    for line in lines {
        fold_into(&mut out, &line);
    }
    out
}

/// `20261118T100000Z`.
fn utc_stamp(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as
/// `\n`, other control characters dropped (RFC 5545 section 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value, always quoted; a double quote cannot appear inside
/// one, so it becomes a single quote (section 3.2).
fn param(value: &str) -> String {
    let clean: String = value.chars().filter(|c| !c.is_control()).map(|c| if c == '"' { '\'' } else { c }).collect();
    format!("\"{clean}\"")
}

/// A URI or address value: no control characters or spaces can break it.
fn address(value: &str) -> String {
    value.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect()
}

/// Appends `line` folded to lines of at most 75 octets, each ended by CRLF;
/// continuation lines start with one space (section 3.1).
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting<'a>(summary: &'a str, description: &'a str) -> IcsMeeting<'a> {
        IcsMeeting {
            uid: "booking-1@leadgate",
            sequence: 2,
            cancelled: false,
            stamp: "2026-11-18T10:00:00Z".parse().unwrap(),
            start: "2026-11-19T09:00:00Z".parse().unwrap(),
            end: "2026-11-19T09:30:00Z".parse().unwrap(),
            summary,
            description,
            organizer: IcsPerson { name: "Ana \"the AE\" Alvarez", email: "ana@demo.example" },
            attendee: IcsPerson { name: "Ada; Lovelace", email: "ada@bigcorp.example" },
            url: Some("https://forms.example/b/1?t=x"),
        }
    }

    #[test]
    fn every_line_ends_with_crlf_and_holds_at_most_75_octets() {
        let long = "Ünïcödé ".repeat(40);
        let ics = meeting_ics(&meeting(&long, &long));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "no bare line feeds");
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", long)), "folding loses nothing");
    }

    #[test]
    fn text_is_escaped_and_parameters_are_quoted() {
        let ics = meeting_ics(&meeting("Call, with Ana; today", "Line one\nLine two \\ done"));
        assert!(ics.contains("SUMMARY:Call\\, with Ana\\; today\r\n"), "{ics}");
        assert!(ics.contains("DESCRIPTION:Line one\\nLine two \\\\ done\r\n"), "{ics}");
        assert!(ics.contains("ORGANIZER;CN=\"Ana 'the AE' Alvarez\":mailto:ana@demo.example\r\n"), "{ics}");
        assert!(ics.contains("ATTENDEE;CN=\"Ada; Lovelace\";ROLE=REQ-PARTICIPANT"), "{ics}");
    }

    #[test]
    fn times_are_utc_and_a_cancellation_says_so() {
        let ics = meeting_ics(&meeting("Call", ""));
        for line in ["METHOD:REQUEST", "DTSTART:20261119T090000Z", "DTEND:20261119T093000Z", "STATUS:CONFIRMED"] {
            assert!(ics.contains(&format!("{line}\r\n")), "{line} in {ics}");
        }
        let cancelled = meeting_ics(&IcsMeeting { cancelled: true, ..meeting("Call", "") });
        assert!(cancelled.contains("METHOD:CANCEL\r\n") && cancelled.contains("STATUS:CANCELLED\r\n"));
        assert!(cancelled.contains("SEQUENCE:2\r\n"));
    }
}
