//! Fixtures for the route matrix, made through the app's own use cases
//! and store: a lead routed to a rep (and its meeting), a form with
//! versions, a draft and a test case, a pool, a rule, a busy block, an API
//! token and a dead notice.

use uuid::Uuid;

use crate::helpers::{BRANCHING_FORM, Person};
use crate::route_matrix::{Route, Who};
use crate::route_world::World;

/// The ids a row's placeholders are filled with.
#[derive(Clone)]
pub struct Fixtures {
    pub lead: String,
    /// The lead's rep (the standing lead's when a row makes no lead); the
    /// calendar and the busy block are theirs.
    pub rep: Person,
    pub other_rep: Person,
    pub form: String,
    pub case: String,
    pub pool: String,
    pub rule: String,
    pub block: String,
    pub token: String,
    pub notice: String,
}

impl World {
    /// New fixtures for the placeholders in `needs`.
    pub async fn fixtures(&self, needs: &str) -> Fixtures {
        let mut fx = self.standing.clone();
        if needs.contains("{lead}") {
            let (lead, owner) = self.new_lead(needs.contains("{meeting}")).await;
            fx.lead = lead.to_string();
            (fx.rep, fx.other_rep) = if owner.id == self.team.sam.id {
                (self.team.sam.clone(), self.team.rita.clone())
            } else {
                (self.team.rita.clone(), self.team.sam.clone())
            };
        }
        if needs.contains("{form}") || needs.contains("{case}") {
            (fx.form, fx.case) = self.new_form().await;
        }
        if needs.contains("{pool}") {
            fx.pool = self.new_pool().await;
        }
        if needs.contains("{rule}") {
            fx.rule = self.new_rule().await;
        }
        if needs.contains("{block}") {
            fx.block = self.new_block(&fx.rep).await;
        }
        if needs.contains("{token}") {
            let name = unique();
            let (id, _) =
                leadgate::app::tokens::create_token(&self.ctx, &self.admin, &name, &["read".into()]).await.unwrap();
            fx.token = id.to_string();
        }
        if needs.contains("{notice}") {
            fx.notice = self.dead_notice().await.to_string();
        }
        fx
    }

    /// New fixtures for what `route` uses when it changes something, else the standing ones.
    pub async fn fixtures_for(&self, route: &Route, who: Who) -> Fixtures {
        if route.method == "POST" && route.allowed.contains(&who) {
            self.fixtures(&needs_of(route)).await
        } else {
            self.standing.clone()
        }
    }

    /// A lead from a finished Tier 1 response (whose prospect books a
    /// meeting when `meeting`), and the rep it was routed to.
    async fn new_lead(&self, meeting: bool) -> (Uuid, Person) {
        let path = self.app.finish_tier1(&format!("{}@m.example", unique())).await;
        if meeting {
            let slot = crate::booking_helpers::first_slot(&self.app, &path).await;
            let booked = crate::booking_helpers::book(&self.app, &path, &slot.value, "UTC").await;
            assert_eq!(booked.status(), 303, "the meeting is booked");
        }
        let lead = self.app.lead_of(&path).await;
        let assignee = lead.assigned_user_id.expect("routed to a rep");
        let owner = [&self.team.rita, &self.team.sam].into_iter().find(|p| p.id == assignee).expect("a rep's lead");
        (lead.id, owner.clone())
    }

    /// The fixture form with an unused list `partners`: version 1, version 2
    /// live, a draft changed since, and a test case; returns (form, case).
    async fn new_form(&self) -> (String, String) {
        use leadgate::app::{drafts, form_tests, publishing};
        let mut definition = leadgate::engine::parse_definition_yaml(BRANCHING_FORM).unwrap();
        definition.slug = unique();
        definition.lists.insert("partners".into(), vec!["partner.example".into()]);
        let id =
            leadgate::app::forms::create_published_form(&self.app.db, &definition, self.app.clock.now()).await.unwrap();
        let answers = [("email", "cio@big.example"), ("company_size", "large"), ("procurement", "yes")]
            .into_iter()
            .chain([("timeline", "now"), ("consent", "yes")])
            .map(|(q, v)| (q.to_owned(), vec![v.to_owned()]))
            .collect();
        let case = form_tests::CaseInput {
            name: "Big buyer".into(),
            answers,
            expected_outcome: "tier1".into(),
            ..Default::default()
        };
        let case = form_tests::save_case(&self.ctx, &self.admin, id, None, case).await.unwrap();
        for title in ["Second version", "Draft since"] {
            let draft = drafts::load_draft(&self.ctx, id).await.unwrap();
            let mut changed = draft.definition.clone();
            changed.title = title.into();
            let saved = drafts::save_draft(&self.ctx, &self.admin, id, draft.revision, changed).await.unwrap();
            if title == "Second version" {
                let published = publishing::publish_draft(&self.ctx, &self.admin, id, saved.revision, "").await;
                assert!(matches!(published, Ok(publishing::PublishResult::Published { version: 2, .. })));
            }
        }
        (id.to_string(), case.to_string())
    }

    async fn new_pool(&self) -> String {
        use leadgate::engine::{Pool, PoolMember, Strategy};
        let pool = Pool {
            name: unique(),
            strategy: Strategy::RoundRobin,
            members: vec![PoolMember { rep_id: self.team.rita.id.to_string(), weight: 1, assigned_count: 0 }],
            overflow_rep: Some(self.team.manager.id.to_string()),
            last_assigned: None,
        };
        let mut tx = self.app.db.begin().await.unwrap();
        let id = leadgate::store::routing::insert_pool(tx.conn(), &pool).await.unwrap();
        tx.commit().await.unwrap();
        id.to_string()
    }

    /// A rule for Tier 2 leads to `sdr`, where they go anyway; last in the order.
    async fn new_rule(&self) -> String {
        let name = unique();
        let rule = leadgate::engine::RoutingRule {
            name: name.clone(),
            handoff: Some("sdr".into()),
            when: None,
            pool: "sdr".into(),
        };
        let mut tx = self.app.db.begin().await.unwrap();
        let rows = leadgate::store::routing_admin::list_rule_rows(tx.conn()).await.unwrap();
        leadgate::store::routing::insert_rule(tx.conn(), rows.len() as i32 + 1, &rule).await.unwrap();
        let rows = leadgate::store::routing_admin::list_rule_rows(tx.conn()).await.unwrap();
        tx.commit().await.unwrap();
        rows.into_iter().find(|r| r.rule.0.name == name).unwrap().id.to_string()
    }

    async fn new_block(&self, rep: &Person) -> String {
        let now = self.app.clock.now();
        let block = leadgate::store::calendars::NewBusyBlock {
            user_id: rep.id,
            source: "manual",
            starts_at: now + chrono::Duration::days(2),
            ends_at: now + chrono::Duration::days(2) + chrono::Duration::hours(1),
            note: "matrix",
            now,
        };
        let mut tx = self.app.db.begin().await.unwrap();
        let id = leadgate::store::calendars::insert_busy_block(tx.conn(), block).await.unwrap();
        tx.commit().await.unwrap();
        id.to_string()
    }

    async fn dead_notice(&self) -> Uuid {
        let mut tx = self.app.db.begin().await.unwrap();
        let id = Uuid::now_v7();
        let target = Uuid::nil().to_string();
        let notice = leadgate::store::outbox::NewNotice {
            id,
            event_type: "lead.assigned",
            channel: "webhook",
            target: &target,
            payload: &serde_json::json!({}),
            now: self.app.clock.now(),
        };
        leadgate::store::outbox::insert_notice(tx.conn(), notice).await.unwrap();
        leadgate::store::outbox::mark_failed(tx.conn(), id, "matrix", None).await.unwrap();
        tx.commit().await.unwrap();
        id
    }
}

/// A new lowercase name, fit for an address, an id or a list.
pub fn unique() -> String {
    format!("m{}", &Uuid::new_v4().simple().to_string()[..12])
}

/// Everything a row fills in: its path, its form's page and its fields.
fn needs_of(route: &Route) -> String {
    let mut needs = route.path.to_owned();
    needs.extend(route.form.map(|(page, _)| page));
    needs.extend(route.set.iter().map(|(_, value)| *value));
    needs
}
