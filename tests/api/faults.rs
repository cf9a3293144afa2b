//! Faults at the receivers: an SMTP server or a webhook receiver that is
//! down or slow. Notices wait and retry, nothing is lost, the rest of
//! leadgate goes on, and a notice that never gets through ends as a dead
//! letter. A worker that dies holding a notice only delays it until its
//! lease runs out.
//!
//! These tests run with the production retry delays (5 s, doubling) on the
//! manual clock: "down for 5 minutes" is 6 failed attempts over 315 s of
//! the app's time, which the test moves through in well under a second of
//! real time.

use std::time::Duration;

use axum::http::StatusCode;
use leadgate::notify::email::{SmtpSecurity, SmtpSettings};

use crate::helpers::{BRANCHING_FORM, Team, TestApp, spawn_app_with};
use crate::receivers::{SmtpServer, WebhookReceiver};

/// The production retry policy: 5 s after the first failure, doubling.
const FIRST_DELAY: Duration = Duration::from_secs(5);

fn smtp_on(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "leadgate <leads@team.example>".into(),
    }
}

/// A port nobody listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn add_endpoint(app: &TestApp, team: &Team, url: &str) {
    let admin = app.login_as(&team.admin).await;
    let pairs = [("url", url), ("allow_private", "yes"), ("events", "lead.assigned")];
    let response = admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &pairs).await;
    assert_eq!(response.status(), 200);
}

async fn endpoint_id(app: &TestApp) -> String {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::webhooks::list_endpoints(conn.conn()).await.unwrap()[0].id.to_string()
}

/// Waits until the `lead.assigned` notice of `channel`/`target` has had
/// `attempts` tries. (Moving the clock past the accept time also fires the
/// routing fallback, whose own notices follow on their own schedule.)
async fn wait_for_attempts(app: &TestApp, channel: &str, target: &str, attempts: i32) {
    app.wait_until(&format!("attempt {attempts} on {channel}"), || async {
        let notices = app.notices(channel, target).await;
        notices.iter().find(|n| n.event_type == "lead.assigned").is_some_and(|n| n.attempts >= attempts)
    })
    .await;
}

/// Every email notice to the team, whoever it went to.
async fn all_emails(app: &TestApp, team: &Team) -> Vec<leadgate::store::outbox::NoticeRecord> {
    let mut all = Vec::new();
    for person in [&team.rita, &team.sam, &team.manager, &team.admin] {
        all.extend(app.notices("email", &person.email).await);
    }
    all
}

/// Fails `attempts` more times, moving the clock by each backoff delay.
async fn stay_down(app: &TestApp, channel: &str, target: &str, from: i32, to: i32) -> Duration {
    let mut down = Duration::ZERO;
    for attempt in from..to {
        let delay = FIRST_DELAY * 2u32.pow((attempt - 1) as u32);
        app.clock.advance(chrono::Duration::from_std(delay).unwrap());
        down += delay;
        wait_for_attempts(app, channel, target, attempt + 1).await;
    }
    down
}

#[tokio::test]
async fn an_smtp_server_down_for_minutes_delays_only_the_emails_which_arrive_once_it_is_back() {
    let port = closed_port();
    let app = spawn_app_with(move |s| {
        s.smtp = Some(smtp_on(port));
        s.notices.first_delay = FIRST_DELAY;
    })
    .await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    add_endpoint(&app, &team, &receiver.url).await;
    app.finish_tier1("cto@acme.example").await;
    wait_for_attempts(&app, "email", &team.rita.email, 1).await;
    // The rest goes on: the live notice and the webhook are out, prospects still finish.
    let rita = team.rita.id.to_string();
    app.wait_until("the live notice", || async { app.notices("live", &rita).await[0].status == "delivered" }).await;
    app.wait_until("the webhook", || async { receiver.all().len() == 1 }).await;
    app.finish_tier1("ceo@globex.example").await;
    app.wait_until("the second webhook", || async { receiver.all().len() == 2 }).await;
    let down = stay_down(&app, "email", &team.rita.email, 1, 7).await;
    assert!(down >= Duration::from_secs(300), "down for {down:?} of the app's time");
    let emails = all_emails(&app, &team).await;
    assert!(emails.iter().all(|n| n.status == "pending"), "still waiting, not given up");
    let tried = emails.iter().filter(|n| n.event_type == "lead.assigned");
    assert!(
        tried.clone().count() >= 2 && tried.clone().all(|n| n.last_error.as_deref().is_some_and(|e| !e.is_empty()))
    );

    let smtp = SmtpServer::start_on(port).await;
    // Keep time moving (a retry recorded while the clock moved is due later),
    // but slower than the 60 s lease, so no delivery in flight is taken twice.
    app.wait_until("every email", || async {
        app.clock.advance(chrono::Duration::seconds(20));
        all_emails(&app, &team).await.iter().all(|n| n.status == "delivered")
    })
    .await;
    let notices: std::collections::BTreeSet<String> =
        all_emails(&app, &team).await.iter().map(|n| n.id.to_string()).collect();
    assert!(notices.len() >= 2, "at least the two leads' emails");
    // Every notice arrived; a repeat would carry the same Message-ID (at least once, never lost).
    let arrived: std::collections::BTreeSet<String> = smtp
        .all()
        .iter()
        .filter_map(|m| m.lines().find_map(|l| l.strip_prefix("Message-ID: <")).map(str::to_string))
        .filter_map(|id| notices.iter().find(|n| id.starts_with(n.as_str())).cloned())
        .collect();
    assert_eq!(arrived, notices, "every email notice arrived, none lost");
}

#[tokio::test]
async fn an_email_that_never_gets_through_becomes_a_dead_letter_after_the_last_attempt() {
    let port = closed_port();
    let app = spawn_app_with(move |s| {
        s.smtp = Some(smtp_on(port));
        s.notices.first_delay = FIRST_DELAY;
        s.notices.max_attempts = 3;
    })
    .await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    app.finish_tier1("cto@acme.example").await;
    wait_for_attempts(&app, "email", &team.rita.email, 1).await;
    stay_down(&app, "email", &team.rita.email, 1, 3).await;
    let email = app.notices("email", &team.rita.email).await.remove(0);
    assert_eq!((email.status.as_str(), email.attempts, email.event_type.as_str()), ("dead", 3, "lead.assigned"));
    app.clock.advance(chrono::Duration::hours(2));
    let admin = app.login_as(&team.admin).await;
    let page = admin.get_html("/admin/notices").await;
    let row = scraper::Selector::parse("table.dead tr[data-notice]").unwrap();
    let listed: Vec<_> = page.select(&row).filter_map(|r| r.value().attr("data-notice")).collect();
    assert_eq!(listed, vec![email.id.to_string().as_str()], "the admin sees the dead letter");
    assert_eq!(app.notices("email", &team.rita.email).await[0].attempts, 3, "no attempt after the last");
    assert!(email.last_error.is_some_and(|e| !e.is_empty()), "the dead letter says why");
}

#[tokio::test]
async fn a_webhook_receiver_down_for_minutes_gets_the_notice_once_it_is_back_with_the_same_id() {
    let app = spawn_app_with(|s| s.notices.first_delay = FIRST_DELAY).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    receiver.answer_with(StatusCode::SERVICE_UNAVAILABLE);
    add_endpoint(&app, &team, &receiver.url).await;
    app.finish_tier1("cto@acme.example").await;
    let endpoint = endpoint_id(&app).await;
    wait_for_attempts(&app, "webhook", &endpoint, 1).await;
    let down = stay_down(&app, "webhook", &endpoint, 1, 7).await;
    assert!(down >= Duration::from_secs(300));
    receiver.answer_with(StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(10));
    app.wait_until("delivery", || async { app.notices("webhook", &endpoint).await[0].status == "delivered" }).await;
    let attempts = receiver.all();
    assert_eq!(attempts.len(), 8, "7 refused attempts, then the one that got through");
    let ids: std::collections::HashSet<_> =
        attempts.iter().map(|r| r.headers["webhook-id"].to_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 1, "every retry carries the same webhook-id");
}

/// A team, a webhook receiver that takes `delay` to answer, and a first
/// Tier 1 lead (Rita's) whose webhook goes to it.
async fn first_lead_with_slow_webhook(delay: Duration) -> (TestApp, Team, WebhookReceiver) {
    let app = spawn_app_with(|_| {}).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let receiver = WebhookReceiver::start().await;
    receiver.answer_after(delay);
    add_endpoint(&app, &team, &receiver.url).await;
    app.finish_tier1("cto@acme.example").await;
    (app, team, receiver)
}

#[tokio::test]
async fn a_slow_webhook_receiver_holds_up_neither_the_live_inbox_nor_other_leads() {
    let (app, team, receiver) = first_lead_with_slow_webhook(Duration::from_secs(4)).await;
    app.wait_until("the slow webhook to be in flight", || async { receiver.all().len() == 1 }).await;
    let endpoint = endpoint_id(&app).await;
    // Rita took the first lead; the second goes to Sam, round robin.
    app.finish_tier1("ceo@globex.example").await;
    let sam = team.sam.id.to_string();
    app.wait_until("Sam's live notice", || async {
        app.notices("live", &sam).await.first().is_some_and(|n| n.status == "delivered")
    })
    .await;
    let first_webhook = app.notices("webhook", &endpoint).await.remove(0);
    assert_eq!(first_webhook.status, "pending", "the slow webhook was still in flight meanwhile");
    app.wait_until("both webhooks", || async {
        app.notices("webhook", &endpoint).await.iter().all(|n| n.status == "delivered")
    })
    .await;
}

#[tokio::test]
async fn a_full_webhook_lane_is_left_out_of_claims_and_the_live_inbox_goes_on() {
    let (app, team, receiver) = first_lead_with_slow_webhook(Duration::from_secs(6)).await;
    let endpoint = endpoint_id(&app).await;
    // More slow webhooks than the worker claims at once in all lanes together.
    let queued = leadgate::notify::worker::MAX_IN_FLIGHT + 6;
    let first = app.notices("webhook", &endpoint).await.remove(0);
    let copies: Vec<_> = (0..queued).map(|_| uuid::Uuid::now_v7()).collect();
    let notices: Vec<_> = copies
        .iter()
        .map(|&id| leadgate::store::outbox::NewNotice {
            id,
            event_type: &first.event_type,
            channel: "webhook",
            target: &endpoint,
            payload: &first.payload.0,
            now: app.clock.now(),
        })
        .collect();
    let mut tx = app.db.begin().await.unwrap();
    leadgate::store::outbox::insert_notices(tx.conn(), &notices).await.unwrap();
    tx.commit().await.unwrap();
    app.wait_until("the webhook lane to be busy", || async { receiver.all().len() >= 16 }).await;
    app.clock.advance(chrono::Duration::seconds(1));
    app.finish_tier1("ceo@globex.example").await;
    let sam = team.sam.id.to_string();
    app.wait_until("Sam's live notice", || async {
        app.notices("live", &sam).await.first().is_some_and(|n| n.status == "delivered")
    })
    .await;
    let webhooks = app.notices("webhook", &endpoint).await;
    let delivered = webhooks.iter().filter(|n| n.status == "delivered").count();
    assert_eq!(delivered, 0, "the live notice did not wait for a slow webhook to finish");
}

/// When the lease on a notice runs out (None: not claimed).
async fn locked_until(app: &TestApp, id: uuid::Uuid) -> Option<chrono::DateTime<chrono::Utc>> {
    let mut conn = app.db.read().await.unwrap();
    leadgate::on_conn!(conn.conn(), c => sqlx::query_scalar::<_, Option<chrono::DateTime<chrono::Utc>>>(
        "SELECT locked_until FROM outbox WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_notice_claimed_by_a_worker_that_died_is_delivered_by_a_running_one_after_the_lease() {
    use leadgate::notify::worker::LEASE;
    // The instance whose worker dies: it runs no worker of its own.
    let app = spawn_app_with(|s| s.run_worker = false).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    app.finish_tier1("cto@acme.example").await;
    app.clock.advance(chrono::Duration::seconds(1));
    app.finish_tier1("ceo@globex.example").await;
    let (rita, sam) = (team.rita.id.to_string(), team.sam.id.to_string());
    // It claims the older notice, as its worker does, and dies before recording anything.
    let claimed_at = app.clock.now();
    let mut tx = app.db.begin().await.unwrap();
    let claimed = leadgate::store::outbox::claim_due(tx.conn(), claimed_at, claimed_at + LEASE, 1, &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.iter().map(|n| n.target.as_str()).collect::<Vec<_>>(), [rita.as_str()]);
    let held = claimed[0].id;
    // A running worker on the same database (another instance, or this one restarted).
    let other = crate::helpers::spawn_on_database(&app.database_url, |_| {}).await;
    other.clock.set(claimed_at + chrono::Duration::seconds(1));
    other.wait_until("Sam's notice", || async { other.notices("live", &sam).await[0].status == "delivered" }).await;
    let waiting = other.notices("live", &rita).await.remove(0);
    assert_eq!((waiting.status.as_str(), waiting.attempts), ("pending", 0));
    assert_eq!(locked_until(&other, held).await, Some(claimed_at + LEASE), "not claimed again while leased");
    other.clock.advance(LEASE);
    other
        .wait_until("Rita's notice after the lease", || async {
            other.notices("live", &rita).await[0].status == "delivered"
        })
        .await;
    let delivered = other.notices("live", &rita).await.remove(0);
    assert_eq!((delivered.id, delivered.attempts), (held, 1), "delivered once, by the running worker");
}
