//! Routing administration through its pages: who may use them, rep
//! profiles, pools and rules edited by a manager, and what that does to
//! the next lead.

use scraper::Html;

use crate::draft_support::{attrs, pool_id, texts};
use crate::helpers::{BRANCHING_FORM, Team, TestApp, input_value, location, spawn_app, text_of};

async fn app_with_team() -> (TestApp, Team) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    (app, team)
}

/// The rep page's fields as a browser would send them, with `changes`.
fn rep_fields(page: &Html, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let selector = scraper::Selector::parse("form.rep-form input:not([type=checkbox])").unwrap();
    for input in page.select(&selector) {
        let name = input.value().attr("name").unwrap().to_string();
        if !changes.iter().any(|(k, _)| *k == name) {
            fields.push((name, input.value().attr("value").unwrap_or("").to_string()));
        }
    }
    if !attrs(page, "input[name=active][checked]", "value").is_empty() && !changes.iter().any(|(k, _)| *k == "active") {
        fields.push(("active".into(), "yes".into()));
    }
    fields.extend(changes.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

async fn post(browser: &TestApp, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    browser.client.post(browser.url(path)).form(fields).send().await.unwrap()
}

#[tokio::test]
async fn routing_pages_refuse_marketers_and_reps_and_send_strangers_to_sign_in() {
    let (app, team) = app_with_team().await;
    let pool = pool_id(&app, "sdr").await;
    let pages = [
        "/admin/routing".to_string(),
        format!("/admin/routing/reps/{}", team.rita.id),
        format!("/admin/routing/pools/{pool}"),
        "/admin/routing/rules/new".to_string(),
    ];
    for person in [&team.marketer, &team.rita] {
        let browser = app.login_as(person).await;
        for page in &pages {
            assert_eq!(browser.get(page).await.status(), 403, "{} on {page}", person.email);
        }
        let refused = browser
            .post_form("/admin/routing/pools", &[("csrf", "any"), ("name", "x"), ("strategy", "round_robin")])
            .await;
        assert_eq!(refused.status(), 403, "the role is checked before anything else");
    }
    for page in &pages {
        let response = app.new_browser().get(page).await;
        assert_eq!(response.status(), 303, "{page}");
        assert!(location(&response).starts_with("/login?next="));
    }
    for person in [&team.manager, &team.admin] {
        let browser = app.login_as(person).await;
        for page in &pages {
            assert_eq!(browser.get(page).await.status(), 200, "{} on {page}", person.email);
        }
    }
    let manager = app.login_as(&team.manager).await;
    let without_token = manager.post_form("/admin/routing/pools", &[("name", "x"), ("strategy", "round_robin")]).await;
    assert_eq!(without_token.status(), 403, "a POST without the CSRF token is refused");
}

#[tokio::test]
async fn a_bad_time_zone_gives_422_beside_the_field_with_everything_typed_kept() {
    let (app, team) = app_with_team().await;
    let manager = app.login_as(&team.manager).await;
    let path = format!("/admin/routing/reps/{}", team.rita.id);
    let page = manager.get_html(&path).await;
    let changes = [
        ("time_zone", "Mars/Olympus_Mons"),
        ("hours_0", "08:00-12:00, 13:00-16:00"),
        ("territories", "EMEA, DACH"),
        ("capacity", "7"),
    ];
    let response = post(&manager, &path, &rep_fields(&page, &changes)).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(
        text_of(&page, "#time_zone-error").is_some_and(|m| m.contains("Mars/Olympus_Mons") && m.contains("time zone"))
    );
    assert_eq!(attrs(&page, "#time_zone", "aria-invalid"), ["true"]);
    for (field, value) in changes {
        assert_eq!(input_value(&page, field).as_deref(), Some(value), "{field} kept");
    }
    let stored = leadgate::store::routing_admin::find_rep_profile(app.db.read().await.unwrap().conn(), team.rita.id)
        .await
        .unwrap();
    assert_eq!(stored.unwrap().time_zone, "UTC", "nothing was saved");
}

#[tokio::test]
async fn a_rep_switched_off_on_the_page_gets_no_more_leads() {
    let (app, team) = app_with_team().await;
    let manager = app.login_as(&team.manager).await;
    let path = format!("/admin/routing/reps/{}", team.rita.id);
    let page = manager.get_html(&path).await;
    let mut fields = rep_fields(&page, &[("time_zone", "Europe/Berlin"), ("hours_5", "10:00-14:00")]);
    fields.retain(|(k, _)| k != "active");
    let saved = post(&manager, &path, &fields).await;
    assert_eq!(saved.status(), 303);
    let page = manager.get_html(&location(&saved)).await;
    assert!(text_of(&page, ".notice.success").is_some());
    assert_eq!(input_value(&page, "time_zone").as_deref(), Some("Europe/Berlin"));
    assert_eq!(input_value(&page, "hours_5").as_deref(), Some("10:00-14:00"));
    assert!(attrs(&page, "input[name=active][checked]", "value").is_empty());
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.sam.id), "Rita is switched off, Sam gets it");
}

#[tokio::test]
async fn reordering_members_on_the_pool_page_changes_who_gets_the_next_lead() {
    let (app, team) = app_with_team().await;
    let manager = app.login_as(&team.manager).await;
    let path = format!("/admin/routing/pools/{}", pool_id(&app, "senior-ae").await);
    let moved = post_pool(&manager, &path, pool_pairs(&team, "senior-ae", &[&team.rita, &team.sam], "down:0")).await;
    assert_eq!(moved.status(), 303);
    let page = manager.get_html(&path).await;
    assert_eq!(attrs(&page, "tr[data-member]", "data-member"), [team.sam.id.to_string(), team.rita.id.to_string()]);
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.sam.id), "round robin starts with the first member, now Sam");
}

/// The pool page's fields for `members` in order, with a button's `action`.
fn pool_pairs(team: &Team, name: &str, members: &[&crate::helpers::Person], action: &str) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("name".to_string(), name.to_string()),
        ("strategy".into(), "round_robin".into()),
        ("overflow".into(), team.manager.id.to_string()),
        ("action".into(), action.to_string()),
    ];
    for member in members {
        pairs.push(("member".into(), member.id.to_string()));
        pairs.push(("weight".into(), "1".into()));
    }
    pairs
}

async fn post_pool(browser: &TestApp, path: &str, mut pairs: Vec<(String, String)>) -> reqwest::Response {
    pairs.push(("csrf".into(), browser.csrf(path).await));
    post(browser, path, &pairs).await
}

#[tokio::test]
async fn a_pool_and_a_rule_made_on_the_pages_route_the_next_lead() {
    let (app, team) = app_with_team().await;
    let manager = app.login_as(&team.manager).await;
    let created = manager
        .post_with_csrf(
            "/admin/routing",
            "/admin/routing/pools",
            &[("name", "emea"), ("strategy", "round_robin"), ("overflow", "")],
        )
        .await;
    assert_eq!(created.status(), 303);
    let pool_page = location(&created);
    let sam = team.sam.id.to_string();
    let added = manager
        .post_with_csrf(
            &pool_page,
            &pool_page,
            &[
                ("name", "emea"),
                ("strategy", "round_robin"),
                ("action", "add"),
                ("add_member", &sam),
                ("add_weight", "2"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let rule = [
        ("name", "Large companies to EMEA"),
        ("handoff", "senior-ae"),
        ("when.kind", "all"),
        ("when.items.0.kind", "leaf"),
        ("when.items.0.subject", "answer:company_size"),
        ("when.items.0.op", "equals"),
        ("when.items.0.value", "large"),
        ("pool", "emea"),
        ("action", "save"),
    ];
    let mut broken = rule;
    broken[0] = ("name", "Broken");
    broken[6] = ("when.items.0.value", "huge");
    let refused = manager.post_with_csrf("/admin/routing/rules/new", "/admin/routing/rules", &broken).await;
    assert_eq!(refused.status(), 422);
    let page = Html::parse_document(&refused.text().await.unwrap());
    let message = text_of(&page, "[data-error-for='when.items.0']").unwrap();
    assert!(message.contains("“huge” is not one of this question's options"), "{message}");
    assert_eq!(input_value(&page, "name").as_deref(), Some("Broken"), "what was typed is kept");
    let saved = manager.post_with_csrf("/admin/routing/rules/new", "/admin/routing/rules", &rule).await;
    assert_eq!(saved.status(), 303);
    let overview = manager.get_html("/admin/routing").await;
    assert_eq!(texts(&overview, "tr[data-rule] td:nth-child(4)"), ["Answer to company_size (Qualify) is large"]);
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!((lead.pool.as_deref(), lead.assigned_user_id), (Some("emea"), Some(team.sam.id)));
    let reason = &app.history(lead.id).await[0].reason;
    assert!(reason.ends_with("(rule: Large companies to EMEA)"), "{reason}");
}

#[tokio::test]
async fn rules_move_up_and_down_and_the_first_match_wins() {
    let (app, team) = app_with_team().await;
    let manager = app.login_as(&team.manager).await;
    for (name, pool) in [("Everything to SDR", "sdr"), ("Everything to senior", "senior-ae")] {
        let rule = [("name", name), ("handoff", ""), ("pool", pool)];
        assert_eq!(
            manager.post_with_csrf("/admin/routing/rules/new", "/admin/routing/rules", &rule).await.status(),
            303
        );
    }
    let lead = app.lead_of(&app.finish_tier1("one@one.example").await).await;
    assert_eq!(lead.pool.as_deref(), Some("sdr"), "the first rule wins");
    let overview = manager.get_html("/admin/routing").await;
    let forms = attrs(&overview, "tr[data-rule] form[action$='/move']", "action");
    assert_eq!(forms.len(), 2, "the first can only go down, the last only up");
    let moved = manager.post_with_csrf("/admin/routing", &forms[1], &[("direction", "up")]).await;
    assert_eq!(moved.status(), 303);
    let overview = manager.get_html("/admin/routing").await;
    assert_eq!(attrs(&overview, "tr[data-rule]", "data-rule"), ["Everything to senior", "Everything to SDR"]);
    let lead = app.lead_of(&app.finish_tier2("two@two.example").await).await;
    assert_eq!(lead.pool.as_deref(), Some("senior-ae"));
}

#[tokio::test]
async fn a_pool_still_named_by_a_rule_or_an_outcome_is_not_deleted_and_the_page_says_why() {
    let (app, team) = app_with_team().await;
    let manager = app.login_as(&team.manager).await;
    let senior = format!("/admin/routing/pools/{}", pool_id(&app, "senior-ae").await);
    let refused = manager.post_with_csrf(&senior, &format!("{senior}/delete"), &[]).await;
    assert_eq!(refused.status(), 409);
    let page = Html::parse_document(&refused.text().await.unwrap());
    let message = text_of(&page, ".pool-conflict").unwrap();
    assert!(message.contains("outcome tier1 of form qualify (published version 1) routes to it"), "{message}");
    assert!(message.contains("outcome tier1 of the draft of form qualify routes to it"), "{message}");

    let created = manager
        .post_with_csrf("/admin/routing", "/admin/routing/pools", &[("name", "spare"), ("strategy", "least_loaded")])
        .await;
    let spare = location(&created);
    let rule = [("name", "Spare rule"), ("handoff", ""), ("pool", "spare")];
    manager.post_with_csrf("/admin/routing/rules/new", "/admin/routing/rules", &rule).await;
    let refused = manager.post_with_csrf(&spare, &format!("{spare}/delete"), &[]).await;
    assert_eq!(refused.status(), 409);
    let page = Html::parse_document(&refused.text().await.unwrap());
    assert!(text_of(&page, ".pool-conflict").unwrap().contains("routing rule \"Spare rule\" names it"));

    let overview = manager.get_html("/admin/routing").await;
    let delete_rule = attrs(&overview, "tr[data-rule] form[action$='/delete']", "action");
    assert_eq!(manager.post_with_csrf("/admin/routing", &delete_rule[0], &[]).await.status(), 303);
    let deleted = manager.post_with_csrf(&spare, &format!("{spare}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(manager.get(&spare).await.status(), 404);
    let renamed = post_pool(&manager, &senior, pool_pairs(&team, "seniors", &[&team.rita], "save")).await;
    assert_eq!(renamed.status(), 422, "an outcome still routes to senior-ae");
    let page = Html::parse_document(&renamed.text().await.unwrap());
    assert!(text_of(&page, "#name-error").unwrap().contains("cannot be renamed while outcome tier1"));
    assert_eq!(input_value(&page, "name").as_deref(), Some("seniors"), "the typed name is kept");
}
