//! `/api/v1/leads`: filters, cursor pages, a lead with its breakdown and
//! history, and dispositions (accepted, disqualified, won, lost).

use std::collections::HashSet;

use serde_json::json;

use crate::api_support::{Path, api_app, finish_from};

#[tokio::test]
async fn leads_page_by_cursor_newest_first_without_gaps_or_repeats() {
    let (app, _team, api) = api_app().await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(finish_from(&app, &format!("p{i}@acme{i}.example"), "", Path::Tier2).await);
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/leads?limit=2&cursor={c}"),
            None => "/api/v1/leads?limit=2".to_string(),
        };
        let page = api.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|l| l["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap()));
        pages += 1;
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);
}

#[tokio::test]
async fn leads_filter_by_outcome_rep_source_and_creation_time() {
    let (app, team, api) = api_app().await;
    let ads = finish_from(&app, "a@big.example", "?utm_source=ads", Path::Tier1).await;
    let news = finish_from(&app, "b@mid.example", "?utm_source=newsletter", Path::Tier2).await;
    let ids = |reply: &crate::api_support::Reply| -> Vec<String> {
        reply.body["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap().to_string()).collect()
    };
    // By rep before the clock moves on: later the accept-in-time fallback
    // may move the lead.
    let rep = app.lead(ads).await.assigned_user_id.unwrap();
    let other = if rep == team.rita.id { team.sam.id } else { team.rita.id };
    assert!(ids(&api.get(&format!("/api/v1/leads?rep={rep}")).await).contains(&ads.to_string()));
    assert!(!ids(&api.get(&format!("/api/v1/leads?rep={other}")).await).contains(&ads.to_string()));
    app.clock.advance(chrono::Duration::days(2));
    let late = finish_from(&app, "c@small.example", "", Path::Nurture).await;
    assert_eq!(ids(&api.get("/api/v1/leads?outcome=tier1").await), vec![ads.to_string()]);
    assert_eq!(ids(&api.get("/api/v1/leads?source=newsletter").await), vec![news.to_string()]);
    let day = crate::helpers::test_start_time().date_naive();
    let first_day = ids(&api.get(&format!("/api/v1/leads?created_from={day}&created_to={day}")).await);
    assert_eq!(first_day.len(), 2);
    assert!(!first_day.contains(&late.to_string()));
    let after = (crate::helpers::test_start_time() + chrono::Duration::days(1)).to_rfc3339();
    let later = api.get(&format!("/api/v1/leads?created_from={}", after.replace('+', "%2B"))).await;
    assert_eq!(ids(&later), vec![late.to_string()]);
    api.get("/api/v1/leads?rep=nobody").await.assert_problem(400, Some("rep"));
}

#[tokio::test]
async fn a_lead_shows_its_breakdown_answers_and_history() {
    let (app, _team, api) = api_app().await;
    let id = finish_from(&app, "cto@acme.example", "?utm_source=ads&utm_campaign=spring", Path::Tier1).await;
    let lead = api.get(&format!("/api/v1/leads/{id}")).await;
    assert_eq!(lead.status, 200, "{}", lead.body);
    assert_eq!(lead.body["outcome"], "tier1");
    assert_eq!(lead.body["status"], "assigned");
    assert_eq!(lead.body["rep"]["name"], "Rita Rep");
    assert_eq!(lead.body["hidden"]["utm_campaign"], "spring");
    let fit: i64 = lead.body["fit_breakdown"].as_array().unwrap().iter().map(|l| l["points"].as_i64().unwrap()).sum();
    assert_eq!(fit, lead.body["fit"].as_i64().unwrap(), "the breakdown adds up");
    assert!(lead.body["answers"].as_array().unwrap().iter().any(|a| a["answer"] == "Over 1000"));
    assert_eq!(lead.body["history"][0]["kind"], "routed");
    api.get(&format!("/api/v1/leads/{}", uuid::Uuid::new_v4())).await.assert_problem(404, None);
}

#[tokio::test]
async fn dispositions_accept_disqualify_win_and_lose_with_history() {
    let (app, _team, api) = api_app().await;
    let won = finish_from(&app, "w@big.example", "?utm_source=ads", Path::Tier1).await;
    let lost = finish_from(&app, "l@mid.example", "?utm_source=ads", Path::Tier2).await;
    let dq = finish_from(&app, "d@mid2.example", "?utm_source=ads", Path::Tier2).await;
    let path = |id: uuid::Uuid| format!("/api/v1/leads/{id}/disposition");
    let accepted = api.patch(&path(won), json!({"status": "accepted"})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["status"], "accepted");
    assert!(accepted.body["accepted_at"].is_string());
    let deal = api.patch(&path(won), json!({"status": "won", "value": 12500.5, "currency": "EUR"})).await;
    assert_eq!(deal.status, 200, "{}", deal.body);
    assert_eq!(deal.body["deal"]["status"], "won");
    assert_eq!(deal.body["deal"]["value"], "12500.50");
    assert_eq!(deal.body["deal"]["currency"], "EUR");
    let kinds: Vec<&str> =
        deal.body["history"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["routed", "accepted", "won"]);
    assert_eq!(deal.body["history"][2]["by"], "Ada Admin", "the token acts for the admin who made it");
    assert!(deal.body["history"][2]["reason"].as_str().unwrap().contains("API token tests"));
    let gone = api.patch(&path(lost), json!({"status": "lost"})).await;
    assert_eq!(gone.body["deal"]["status"], "lost");
    assert!(gone.body["deal"]["value"].is_null());
    let disqualified =
        api.patch(&path(dq), json!({"status": "disqualified", "reason": "no_budget", "note": "Pilot only"})).await;
    assert_eq!(disqualified.status, 200, "{}", disqualified.body);
    assert_eq!(disqualified.body["status"], "disqualified");
    assert_eq!(disqualified.body["verdict_reason"], "No budget: Pilot only");
    api.patch(&path(dq), json!({"status": "accepted"})).await.assert_problem(409, None);
    api.patch(&path(dq), json!({"status": "disqualified"})).await.assert_problem(422, Some("reason"));
    api.patch(&path(dq), json!({"status": "disqualified", "reason": "bored"}))
        .await
        .assert_problem(422, Some("reason"));
    api.patch(&path(won), json!({"status": "won", "value": 10})).await.assert_problem(422, Some("currency"));
    api.patch(&path(won), json!({"status": "won", "value": -1, "currency": "EUR"}))
        .await
        .assert_problem(422, Some("value"));
    api.patch(&path(won), json!({"status": "won", "value": 1, "currency": "euro"}))
        .await
        .assert_problem(422, Some("currency"));
    api.patch(&path(won), json!({"status": "accepted", "value": 1})).await.assert_problem(422, Some("value"));
    api.patch(&path(won), json!({"status": "maybe"})).await.assert_problem(422, Some("status"));
    api.patch(&path(uuid::Uuid::new_v4()), json!({"status": "lost"})).await.assert_problem(404, None);
}

#[tokio::test]
async fn a_lost_deal_keeps_the_value_it_was_worth() {
    let (app, _team, api) = api_app().await;
    let lead = finish_from(&app, "l@mid.example", "?utm_source=ads", Path::Tier2).await;
    let path = format!("/api/v1/leads/{lead}/disposition");
    api.patch(&path, json!({"status": "lost", "value": 4200.5})).await.assert_problem(422, Some("currency"));
    let lost = api.patch(&path, json!({"status": "lost", "value": 4200.5, "currency": "USD"})).await;
    assert_eq!(lost.status, 200, "{}", lost.body);
    let stored = api.get(&format!("/api/v1/leads/{lead}")).await;
    for reply in [&lost, &stored] {
        assert_eq!(reply.body["deal"]["status"], "lost");
        assert_eq!(reply.body["deal"]["value"], "4200.50");
        assert_eq!(reply.body["deal"]["currency"], "USD");
    }
    let last = stored.body["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "lost");
    assert!(last["reason"].as_str().unwrap().starts_with("deal lost (4200.50 USD)"), "{last}");
}
