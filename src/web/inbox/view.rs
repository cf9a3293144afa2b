//! View models for the inbox pages.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};

use crate::app::auth::CurrentUser;
use crate::app::inbox::{DISQUALIFY_REASONS, LeadPage};
use crate::app::notices::AnswerLine;
use crate::store::leads::LeadRecord;
use crate::web::local_time::LocalClock;

/// One lead in the list.
pub struct LeadRow {
    pub id: String,
    pub name: String,
    pub company: String,
    pub tier: String,
    pub tier_class: String,
    pub fit: i32,
    pub intent: i32,
    /// The status code (`assigned`, `accepted`...), for styles and tests.
    pub status: String,
    /// The status in words.
    pub status_label: String,
    pub assignee: String,
    pub since_assigned: String,
    pub time_left: String,
}

impl LeadRow {
    pub fn new(lead: &LeadRecord, now: DateTime<Utc>) -> LeadRow {
        LeadRow {
            id: lead.id.to_string(),
            name: display_name(lead),
            company: lead.fields.0.get("company").cloned().unwrap_or_default(),
            tier: lead.tier.clone(),
            tier_class: lead.outcome_id.replace(|c: char| !c.is_ascii_alphanumeric(), ""),
            fit: lead.fit,
            intent: lead.intent,
            status: lead.status.clone(),
            status_label: status_label(&lead.status),
            assignee: lead.assignee_name.clone().unwrap_or_else(|| "nobody".into()),
            since_assigned: lead.assigned_at.map(|t| ago(now - t)).unwrap_or_default(),
            time_left: match (lead.status.as_str(), lead.accept_by) {
                ("assigned", Some(deadline)) if deadline > now => format!("{} left", duration(deadline - now)),
                ("assigned", Some(_)) => "overdue".into(),
                _ => String::new(),
            },
        }
    }
}

/// A lead's status as people say it.
pub fn status_label(status: &str) -> String {
    match status {
        "assigned" => "Waiting for acceptance".to_owned(),
        "unassigned" => "Nobody assigned".to_owned(),
        "nurture" => "Handed to nurture".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
                .replace('_', " ")
        }
    }
}

pub fn display_name(lead: &LeadRecord) -> String {
    let f = &lead.fields.0;
    let name = [f.get("first_name"), f.get("last_name")].into_iter().flatten().cloned().collect::<Vec<_>>().join(" ");
    if name.is_empty() { lead.email.clone().unwrap_or_else(|| "Unnamed lead".into()) } else { name }
}

fn duration(d: chrono::Duration) -> String {
    let seconds = d.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86400 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86400),
    }
}

fn ago(d: chrono::Duration) -> String {
    format!("{} ago", duration(d))
}

/// The inbox; `as_leads()` renders only the list for live refreshes.
#[derive(Template, WebTemplate)]
#[template(path = "inbox/list.html", blocks = ["leads"])]
pub struct InboxPage {
    pub user: CurrentUser,
    pub rows: Vec<LeadRow>,
    pub sees_all: bool,
}

impl InboxPage {
    /// What a screen reader announces when the list updates by itself:
    /// the counts and the lead at the top.
    pub fn live_summary(&self) -> String {
        let waiting = self.rows.iter().filter(|r| r.status == "assigned").count();
        let count = match self.rows.len() {
            0 => "No leads".to_owned(),
            1 => "1 lead".to_owned(),
            n => format!("{n} leads"),
        };
        let mut summary = format!("Leads updated: {count}, {waiting} waiting to be accepted.");
        if let Some(top) = self.rows.first() {
            summary.push_str(&format!(" At the top: {}, {}, {}.", top.name, top.tier, top.status_label.to_lowercase()));
        }
        summary
    }
}

/// A line of score breakdown.
pub struct ReasonView {
    pub points: String,
    pub reason: String,
}

pub struct HistoryView {
    pub when: String,
    pub who: String,
    pub kind: String,
    pub reason: String,
}

/// The lead's live meeting, on the reader's clock.
pub struct MeetingView {
    pub id: String,
    pub when: String,
    pub rep: String,
}

/// The verdict forms' fields as typed (kept when one is refused).
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub reason: String,
    pub note: String,
    pub rep: String,
}

pub struct PersonOption {
    pub id: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox/lead.html")]
pub struct LeadDetailPage {
    pub user: CurrentUser,
    pub row: LeadRow,
    pub email: String,
    pub fields: Vec<(String, String)>,
    pub answers: Vec<AnswerLine>,
    pub fit_reasons: Vec<ReasonView>,
    pub intent_reasons: Vec<ReasonView>,
    pub utm: Vec<(String, String)>,
    pub history: Vec<HistoryView>,
    pub reasons: Vec<(&'static str, &'static str)>,
    pub people: Vec<PersonOption>,
    pub can_accept: bool,
    pub can_reassign: bool,
    pub verdict: String,
    /// A refused verdict: (field, message), shown beside that field.
    pub error: Option<(String, String)>,
    /// What was typed in the refused form, kept.
    pub typed: Typed,
    /// The lead's live meeting.
    pub meeting: Option<MeetingView>,
    /// The reader's zone: the page's times are on their clock.
    pub zone: &'static str,
    /// The zone is the reader's own (else UTC, for want of one).
    pub own_zone: bool,
}

impl LeadDetailPage {
    /// The message for a refused field.
    pub fn err(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn new(
        user: CurrentUser,
        page: LeadPage,
        people: Vec<PersonOption>,
        now: DateTime<Utc>,
        clock: &LocalClock,
    ) -> Self {
        let lead = &page.lead;
        let reasons = |items: &[crate::engine::ScoreItem]| {
            items.iter().map(|i| ReasonView { points: format!("{:+}", i.points), reason: i.reason.clone() }).collect()
        };
        let can_reassign = user.role.sees_all_leads();
        LeadDetailPage {
            row: LeadRow::new(lead, now),
            email: lead.email.clone().unwrap_or_default(),
            fields: lead.fields.0.iter().map(|(k, v)| (k.replace('_', " "), v.clone())).collect(),
            answers: page.answers,
            fit_reasons: reasons(&lead.breakdown.0.fit),
            intent_reasons: reasons(&lead.breakdown.0.intent),
            utm: lead.hidden.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            history: page
                .history
                .iter()
                .map(|h| HistoryView {
                    when: clock.moment(h.created_at),
                    who: h.user_name.clone().unwrap_or_else(|| "nobody".into()),
                    kind: h.kind.replace('_', " "),
                    reason: h.reason.clone(),
                })
                .collect(),
            reasons: DISQUALIFY_REASONS.to_vec(),
            can_accept: lead.status == "assigned",
            verdict: lead.verdict_reason.clone().unwrap_or_default(),
            people: if can_reassign { people } else { Vec::new() },
            can_reassign,
            user,
            error: None,
            typed: Typed::default(),
            meeting: None,
            zone: clock.zone_name(),
            own_zone: clock.is_own(),
        }
    }
}
