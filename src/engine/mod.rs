//! The form engine: definitions, answers, branching, scoring, outcomes and
//! lint. Pure Rust with no IO: no clock, no files at run time, no async.
//!
//! On every step the server calls [`evaluate`] (or [`compile`]s once, keeps
//! the [`CompiledForm`] and calls [`CompiledForm::evaluate`]) with the
//! answers so far. The [`Evaluation`] gives the path, the question to show
//! next, the answers that still count, fit and intent with their reasons,
//! the outcome that matches now and the progress. [`parse_answer`] turns
//! what the browser sent into an [`AnswerValue`]; [`lint`] checks a
//! definition before it is published.
//!
//! Where things live: `definition`, `condition_def` and `lead_field` (types
//! and serde), `format` (YAML/JSON in and out), `answer` and `input`
//! (parsing answers), `condition` and `value_test` (the one condition
//! evaluator), `facts` (email domains, job-title words, countries, lead
//! fields), `compiled`, `branching`, `scoring`, `outcome` and `evaluate`
//! (the walk), and `lint*` (findings). [`route`] picks the rep for a
//! finished lead (`routing`, `routing_pool`, `working_hours`), with rule
//! conditions tested by [`CompiledForm::check`] (`lead_check`). Booking:
//! [`free_slots`] and [`is_bookable`] lay a rep's meeting slots (`slots`),
//! [`meeting_ics`] writes a booking as an iCalendar file (`ics`) and
//! [`read_feed`] reads a rep's calendar feed into busy time (`ics_feed`,
//! `ics_lines`).

mod answer;
mod branching;
mod compiled;
mod condition;
mod condition_def;
mod condition_text;
mod definition;
mod diagram;
mod diagram_edges;
mod diagram_order;
mod diff;
mod edit;
mod evaluate;
mod facts;
mod format;
mod ics;
mod ics_feed;
mod ics_lines;
mod input;
mod lead_check;
mod lead_field;
mod lint;
mod lint_conditions;
mod lint_graph;
mod lint_questions;
mod outcome;
mod replay;
mod routing;
mod routing_pool;
mod scoring;
mod serde_helpers;
mod slots;
mod test_case;
mod value_test;
mod working_hours;

#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod test_support;

pub use answer::{AnswerError, AnswerValue, Answers, Hidden, parse_answer};
pub use compiled::{CompiledForm, compile};
pub use condition_def::{Condition, DomainTest, ListRef, Test};
pub use condition_text::describe_condition;
pub use definition::{
    BranchRule, ChoiceOption, Ending, FINISH, FormDefinition, FormSettings, Handoff, LeadField, Outcome, Question,
    QuestionKind, Resource, ScoringRule, Validation,
};
pub use diagram::{Diagram, DiagramEdge, DiagramNode, LEGEND_HEIGHT, NODE_HEIGHT, NODE_WIDTH, diagram};
pub use diff::{describe_changes, describe_definition, kind_label, points};
pub use edit::{list_references, question_references, rename_list, rename_question, starter_definition};
pub use evaluate::{Evaluation, Progress, Score, ScoreItem, ScoreSource, evaluate};
pub use facts::{
    builtin_list, company_domain, email_domain, is_academic_domain, is_disposable_domain, is_free_mail_domain,
    lead_fields, title_words,
};
pub use format::{DefinitionError, is_valid_slug, parse_definition_json, parse_definition_yaml, to_json, to_yaml};
pub use ics::{IcsMeeting, IcsPerson, PRODID, meeting_ics};
pub use ics_feed::{FeedBusy, FeedError, FeedReport, MAX_INSTANCES, read_feed};
pub use lint::{Finding, Severity, is_web_url, lint};
pub use lint_conditions::MAX_CONDITION_DEPTH;
pub use lint_questions::is_valid_question_id;
pub use replay::{
    PathChange, Placement, ReplaySummary, ReplayVerdict, compare_placements, placement_of, replay_response,
};
pub use routing::{
    Decision, DecisionKind, Eligibility, Pool, PoolMember, Rep, RepLoad, RoutingError, RoutingInput, RoutingRule,
    Strategy, fallback_reason, is_eligible, pool_for_handoff, route,
};
pub use slots::{BookingSettings, Busy, DayGroup, LocalSlot, Slot, SlotError, free_slots, group_by_day, is_bookable};
pub use test_case::{CaseRun, TestCase, run_test_case};
pub use working_hours::{
    DateRange, LOOKAHEAD_DAYS, TimeRange, WeeklyHours, is_working, next_working_start, out_of_office_until,
    parse_time_zone,
};
