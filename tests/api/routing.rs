//! Routing a finished lead: strategies, eligibility, account owners, the
//! routing lock and the fallback, with every decision's reason recorded.

use chrono::Duration;

use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app};

async fn app_with_team() -> (TestApp, crate::helpers::Team) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    (app, team)
}

#[tokio::test]
async fn finishing_a_tier1_response_assigns_the_lead_and_queues_a_notice() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.status, "assigned");
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    assert_eq!(lead.pool.as_deref(), Some("senior-ae"));
    assert!(lead.accept_by.is_some(), "a Tier 1 lead has a time limit to accept");
    let history = app.history(lead.id).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].reason, "round robin: first in pool");
    let live = app.notices("live", &team.rita.id.to_string()).await;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].event_type, "lead.assigned");
    assert_eq!(live[0].payload.0["lead"]["reason"], "round robin: first in pool");
}

#[tokio::test]
async fn round_robin_takes_turns_and_says_after_whom() {
    let (app, team) = app_with_team().await;
    let mut owners = Vec::new();
    for n in 0..3 {
        let lead = app.lead_of(&app.finish_tier1(&format!("buyer{n}@acme{n}.example")).await).await;
        owners.push(lead.assigned_user_id.unwrap());
        if n == 1 {
            assert_eq!(app.history(lead.id).await[0].reason, "round robin: next after Rita Rep");
        }
    }
    assert_eq!(owners, vec![team.rita.id, team.sam.id, team.rita.id]);
}

#[tokio::test]
async fn least_loaded_gives_the_lead_to_the_rep_with_fewest_open_leads() {
    let (app, team) = app_with_team().await;
    // Sam is first in the sdr pool; give him two open leads through senior-ae first.
    app.update_rep(&team.rita, |r| r.capacity = Some(0)).await;
    app.finish_tier1("a@one.example").await;
    app.finish_tier1("b@two.example").await;
    app.update_rep(&team.rita, |r| r.capacity = None).await;
    let lead = app.lead_of(&app.finish_tier2("c@three.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    assert!(app.history(lead.id).await[0].reason.starts_with("least loaded: Rita Rep has 0 open leads"));
}

#[tokio::test]
async fn a_rep_at_capacity_out_of_office_or_inactive_is_skipped() {
    let (app, team) = app_with_team().await;
    app.update_rep(&team.rita, |r| r.capacity = Some(0)).await;
    let lead = app.lead_of(&app.finish_tier1("a@one.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.sam.id), "Rita is at capacity");

    let today = crate::helpers::test_start_time().date_naive();
    app.update_rep(&team.rita, |r| r.out_of_office = vec![leadgate::engine::DateRange { start: today, end: today }])
        .await;
    let lead = app.lead_of(&app.finish_tier1("b@two.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.sam.id), "Rita is out of office");

    app.update_rep(&team.rita, |r| r.active = false).await;
    let lead = app.lead_of(&app.finish_tier1("c@three.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.sam.id), "Rita is inactive");
}

#[tokio::test]
async fn with_nobody_eligible_the_pool_overflows_to_its_manager_with_the_reason() {
    let (app, team) = app_with_team().await;
    app.update_rep(&team.rita, |r| r.capacity = Some(0)).await;
    app.update_rep(&team.sam, |r| r.active = false).await;
    let lead = app.lead_of(&app.finish_tier1("a@one.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.manager.id));
    let reason = &app.history(lead.id).await[0].reason;
    assert!(reason.starts_with("fallback: no eligible rep in pool senior-ae"), "{reason}");
    assert!(reason.contains("Rita Rep is at capacity"), "{reason}");
    assert!(reason.contains("Sam Rep is inactive"), "{reason}");
}

#[tokio::test]
async fn a_lead_of_an_owned_account_goes_to_the_owner() {
    let (app, team) = app_with_team().await;
    let first = app.lead_of(&app.finish_tier1("one@acme.example").await).await;
    assert_eq!(first.assigned_user_id, Some(team.rita.id));
    let rita = app.login_as(&team.rita).await;
    let page = format!("/inbox/leads/{}", first.id);
    let accepted = rita.post_with_csrf(&page, &format!("{page}/accept"), &[]).await;
    assert_eq!(accepted.status(), 303);
    // Round robin would say Sam now; the account says Rita.
    let second = app.lead_of(&app.finish_tier1("two@acme.example").await).await;
    assert_eq!(second.assigned_user_id, Some(team.rita.id));
    assert_eq!(app.history(second.id).await[0].reason, "account owner: Rita Rep");
}

#[tokio::test]
async fn a_resubmission_goes_back_to_the_rep_who_has_the_lead() {
    let (app, team) = app_with_team().await;
    let first = app.lead_of(&app.finish_tier1("cto@gmail-like.example").await).await;
    assert_eq!(first.assigned_user_id, Some(team.rita.id));
    let again = app.lead_of(&app.finish_tier1("cto@gmail-like.example").await).await;
    assert_eq!(again.id, first.id);
    assert_eq!(again.assigned_user_id, Some(team.rita.id), "first route wins");
    let history = app.history(first.id).await;
    assert!(history[1].reason.starts_with("re-submission: stays with Rita Rep"), "{:?}", history[1].reason);
}

#[tokio::test]
async fn a_lead_not_accepted_in_time_falls_back_to_the_next_rep_and_both_are_told() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    app.clock.advance(Duration::minutes(3));
    let lead_id = lead.id;
    app.wait_until("the fallback", || async { app.lead(lead_id).await.assigned_user_id == Some(team.sam.id) }).await;
    let history = app.history(lead_id).await;
    let last = history.last().unwrap();
    assert_eq!(last.kind, "fallback");
    assert!(last.reason.starts_with("fallback: not accepted within 2 min"), "{}", last.reason);
    let to_sam = told(&app, &team.sam, "lead.reassigned").await;
    crate::notices::assert_carries_the_tier1_lead(&to_sam, lead_id, "cto@acme.example");
    let to_rita = told(&app, &team.rita, "lead.taken_back").await;
    crate::notices::assert_carries_the_tier1_lead(&to_rita, lead_id, "cto@acme.example");
}

#[tokio::test]
async fn a_fallback_with_no_other_rep_free_goes_to_the_overflow_manager_and_both_are_told() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    app.update_rep(&team.sam, |r| r.active = false).await;
    app.clock.advance(Duration::minutes(3));
    let lead_id = lead.id;
    app.wait_until("the fallback", || async { app.lead(lead_id).await.assigned_user_id == Some(team.manager.id) })
        .await;
    let history = app.history(lead_id).await;
    let last = history.last().unwrap();
    assert_eq!((last.kind.as_str(), last.user_id), ("fallback", Some(team.manager.id)));
    assert!(
        last.reason.starts_with("fallback: not accepted within 2 min; fallback: no eligible rep in pool senior-ae"),
        "{}",
        last.reason
    );
    assert!(last.reason.contains("Sam Rep is inactive"), "{}", last.reason);
    let to_manager = told(&app, &team.manager, "lead.reassigned").await;
    assert_eq!(to_manager["reason"], last.reason.as_str());
    assert_eq!(to_manager["assigned_to"], "Mona Manager");
    crate::notices::assert_carries_the_tier1_lead(&to_manager, lead_id, "cto@acme.example");
    let to_rita = told(&app, &team.rita, "lead.taken_back").await;
    crate::notices::assert_carries_the_tier1_lead(&to_rita, lead_id, "cto@acme.example");
}

#[tokio::test]
async fn a_fallback_that_finds_nobody_leaves_the_lead_unassigned_says_why_and_tells_the_rep_and_managers() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    app.update_rep(&team.sam, |r| r.active = false).await;
    app.update_rep(&team.manager, |r| r.active = false).await;
    app.clock.advance(Duration::minutes(3));
    let lead_id = lead.id;
    app.wait_until("the fallback", || async { app.lead(lead_id).await.status == "unassigned" }).await;
    assert_eq!(app.lead(lead_id).await.assigned_user_id, None);
    let history = app.history(lead_id).await;
    let last = history.last().unwrap();
    assert_eq!((last.kind.as_str(), last.user_id), ("fallback", None));
    assert!(
        last.reason.starts_with("fallback: not accepted within 2 min; no eligible rep in pool senior-ae"),
        "{}",
        last.reason
    );
    assert!(last.reason.contains("overflow rep: Mona Manager is inactive"), "{}", last.reason);
    let to_rita = told(&app, &team.rita, "lead.taken_back").await;
    assert_eq!(to_rita["reason"], last.reason.as_str());
    crate::notices::assert_carries_the_tier1_lead(&to_rita, lead_id, "cto@acme.example");
    for manager in [&team.manager, &team.admin] {
        let unassigned = told(&app, manager, "lead.unassigned").await;
        assert_eq!(unassigned["reason"], last.reason.as_str());
    }
}

/// The `lead` of the one live notice of `event` to `person`.
async fn told(app: &TestApp, person: &crate::helpers::Person, event: &str) -> serde_json::Value {
    let notices = app.notices("live", &person.id.to_string()).await;
    let mut of_event: Vec<_> = notices.into_iter().filter(|n| n.event_type == event).collect();
    assert_eq!(of_event.len(), 1, "one {event} for {}", person.email);
    of_event.remove(0).payload.0["lead"].clone()
}

#[tokio::test]
async fn an_accepted_lead_is_never_moved_by_the_fallback() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    let rita = app.login_as(&team.rita).await;
    let page = format!("/inbox/leads/{}", lead.id);
    rita.post_with_csrf(&page, &format!("{page}/accept"), &[]).await;
    app.clock.advance(Duration::minutes(30));
    // A second finish forces a worker round (fallbacks run before notices
    // are delivered); once its notice is out, the first lead must be in place.
    let other = app.lead_of(&app.finish_tier1("x@other.example").await).await;
    let other_rep = other.assigned_user_id.unwrap().to_string();
    app.wait_until("the worker's round", || async {
        let notices = app.notices("live", &other_rep).await;
        notices.iter().any(|n| n.payload.0["lead"]["lead_id"] == other.id.to_string() && n.status == "delivered")
    })
    .await;
    let still = app.lead(lead.id).await;
    assert_eq!(still.status, "accepted");
    assert_eq!(still.assigned_user_id, Some(team.rita.id));
}

#[tokio::test]
async fn a_nurture_lead_is_not_given_to_a_rep() {
    let (app, _team) = app_with_team().await;
    let browser = app.new_browser();
    let path = browser.start_form("qualify", "", &["kid@gmail.com"]).await;
    browser.answer_ok(&path, "company_size", &["small"]).await;
    browser.answer_ok(&path, "budget", &["10"]).await;
    browser.answer_ok(&path, "timeline", &["later"]).await;
    browser.answer_ok(&path, "consent", &["yes"]).await;
    let lead = app.lead_of(&path).await;
    assert_eq!(lead.outcome_id, "nurture");
    assert_eq!(lead.status, "nurture");
    assert_eq!(lead.assigned_user_id, None);
}

#[tokio::test]
async fn weighted_round_robin_follows_the_weights() {
    let (app, team) = app_with_team().await;
    use leadgate::engine::{Pool, PoolMember, RoutingRule, Strategy};
    let member =
        |p: &crate::helpers::Person, weight| PoolMember { rep_id: p.id.to_string(), weight, assigned_count: 0 };
    let mut tx = app.db.begin().await.unwrap();
    let pool = Pool {
        name: "weighted".into(),
        strategy: Strategy::WeightedRoundRobin,
        members: vec![member(&team.rita, 2), member(&team.sam, 1)],
        overflow_rep: None,
        last_assigned: None,
    };
    leadgate::store::routing::insert_pool(tx.conn(), &pool).await.unwrap();
    let rule = RoutingRule {
        name: "All Tier 1 to the weighted pool".into(),
        handoff: Some("senior-ae".into()),
        when: None,
        pool: "weighted".into(),
    };
    leadgate::store::routing::insert_rule(tx.conn(), 0, &rule).await.unwrap();
    tx.commit().await.unwrap();
    let mut to_rita = 0;
    for n in 0..6 {
        let lead = app.lead_of(&app.finish_tier1(&format!("b{n}@c{n}.example")).await).await;
        assert_eq!(lead.pool.as_deref(), Some("weighted"));
        if lead.assigned_user_id == Some(team.rita.id) {
            to_rita += 1;
        }
    }
    assert_eq!(to_rita, 4, "weight 2 of 3 gets two leads in three");
}

#[tokio::test]
async fn a_routing_rule_sends_matching_leads_to_its_pool_and_says_so() {
    let (app, team) = app_with_team().await;
    let condition: leadgate::engine::Condition = serde_json::from_value(
        serde_json::json!({ "answer": { "question": "procurement", "is": { "equals": "no" } } }),
    )
    .unwrap();
    let rule = leadgate::engine::RoutingRule {
        name: "No procurement: SDR first".into(),
        handoff: Some("senior-ae".into()),
        when: Some(condition),
        pool: "sdr".into(),
    };
    let mut tx = app.db.begin().await.unwrap();
    leadgate::store::routing::insert_rule(tx.conn(), 0, &rule).await.unwrap();
    tx.commit().await.unwrap();
    let browser = app.new_browser();
    let path = browser.start_form("qualify", "", &["cto@acme.example"]).await;
    browser.answer_ok(&path, "company_size", &["large"]).await;
    browser.answer_ok(&path, "procurement", &["no"]).await;
    browser.answer_ok(&path, "timeline", &["now"]).await;
    browser.answer_ok(&path, "consent", &["yes"]).await;
    let lead = app.lead_of(&path).await;
    assert_eq!(lead.pool.as_deref(), Some("sdr"));
    assert_eq!(lead.assigned_user_id, Some(team.sam.id));
    let reason = &app.history(lead.id).await[0].reason;
    assert!(reason.contains("(rule: No procurement: SDR first)"), "{reason}");
    // A lead the rule does not match keeps the outcome's pool.
    let other = app.lead_of(&app.finish_tier1("x@other.example").await).await;
    assert_eq!(other.pool.as_deref(), Some("senior-ae"));
}

#[tokio::test]
async fn fallback_timers_survive_a_restart() {
    let app = crate::helpers::spawn_app_with(|s| s.run_worker = false).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    let restarted = crate::helpers::spawn_on_database(&app.database_url, |_| {}).await;
    restarted.clock.set(app.clock.now() + Duration::minutes(5));
    restarted
        .wait_until("the fallback after restart", || async {
            restarted.lead(lead.id).await.assigned_user_id == Some(team.sam.id)
        })
        .await;
}

/// A rep in two pools has one capacity: leads finishing at the same moment
/// into both pools (on two instances when the database is PostgreSQL)
/// never give the rep more open leads than allowed, and the rest overflow.
#[tokio::test]
async fn leads_finishing_at_once_into_two_pools_never_take_a_rep_past_capacity() {
    let (app, team) = app_with_team().await;
    app.update_rep(&team.sam, |r| r.active = false).await;
    app.update_rep(&team.rita, |r| r.capacity = Some(2)).await;
    let other = if app.database_url.starts_with("postgres") {
        let other = crate::helpers::spawn_on_database(&app.database_url, |_| {}).await;
        other.clock.set(app.clock.now());
        other
    } else {
        app.clone()
    };
    let mut finishes = tokio::task::JoinSet::new();
    for n in 0..8 {
        let instance = if n % 2 == 0 { app.clone() } else { other.clone() };
        finishes.spawn(async move {
            let email = format!("buyer{n}@company{n}.example");
            if n % 4 < 2 { instance.finish_tier1(&email).await } else { instance.finish_tier2(&email).await }
        });
    }
    let mut owners = Vec::new();
    while let Some(path) = finishes.join_next().await {
        owners.push(app.lead_of(&path.unwrap()).await.assigned_user_id.unwrap());
    }
    let to_rita = owners.iter().filter(|o| **o == team.rita.id).count();
    let to_manager = owners.iter().filter(|o| **o == team.manager.id).count();
    assert_eq!((to_rita, to_manager), (2, 6), "Rita may hold two open leads, the rest overflow: {owners:?}");
}
