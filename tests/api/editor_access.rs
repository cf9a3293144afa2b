//! Who may use the editor, CSRF on its forms, duplicating and archiving.

use crate::editor::{marketer_app, published};
use crate::editor_support::{EditedForm, attrs, texts};
use crate::helpers::{TestApp, location};

/// Every editor address for `form`: (method, path).
async fn editor_routes(marketer: &TestApp, form: &EditedForm) -> Vec<(&'static str, String)> {
    let (_, tests) = marketer.page(&form.path("/tests")).await;
    let case = attrs(&tests, ".case-links a", "href")[0].rsplit('/').next().unwrap().to_owned();
    let gets = [
        "",
        "/questions/size",
        "/scoring",
        "/scoring/new",
        "/scoring/1",
        "/lists",
        "/outcomes",
        "/outcomes/new",
        "/outcomes/1",
        "/settings",
        "/tests",
        "/tests/new",
        &format!("/tests/{case}"),
        "/versions",
        "/export?format=yaml",
        "/yaml",
    ];
    let posts = [
        "/duplicate",
        "/archive",
        "/restore",
        "/publish",
        "/questions",
        "/questions/size",
        "/questions/size/move",
        "/questions/size/delete",
        "/scoring/new",
        "/scoring/1",
        "/scoring/1/move",
        "/scoring/1/delete",
        "/lists",
        "/lists/delete",
        "/outcomes/new",
        "/outcomes/1",
        "/outcomes/1/move",
        "/outcomes/1/delete",
        "/settings",
        "/tests/new",
        &format!("/tests/{case}"),
        &format!("/tests/{case}/delete"),
        "/versions/1/rollback",
        "/yaml",
    ];
    let mut routes = vec![
        ("GET", "/admin/forms".to_owned()),
        ("POST", "/admin/forms".to_owned()),
        ("POST", "/admin/forms/import".to_owned()),
    ];
    routes.extend(gets.iter().map(|p| ("GET", form.path(p))));
    routes.extend(posts.iter().map(|p| ("POST", form.path(p))));
    routes
}

async fn status_of(browser: &TestApp, method: &str, path: &str, csrf: &str) -> reqwest::Response {
    match method {
        "GET" => browser.get(path).await,
        _ => browser.post_form(path, &[("csrf", csrf), ("revision", "1"), ("title", "X"), ("slug", "x-copy")]).await,
    }
}

#[tokio::test]
async fn only_admins_and_marketers_reach_the_editor_and_anonymous_visitors_are_sent_to_sign_in() {
    let (app, marketer, form, team) = published("roles").await;
    let before = marketer.draft(&form).await;
    let routes = editor_routes(&marketer, &form).await;
    assert!(routes.len() > 40);
    for person in [&team.manager, &team.rita] {
        let browser = app.login_as(person).await;
        let csrf = browser.csrf("/inbox").await;
        for (method, path) in &routes {
            let response = status_of(&browser, method, path, &csrf).await;
            assert_eq!(response.status(), 403, "{} {method} {path}", person.email);
        }
    }
    let anonymous = app.new_browser();
    for (method, path) in &routes {
        let response = status_of(&anonymous, method, path, "").await;
        assert_eq!(response.status(), 303, "anonymous {method} {path}");
        assert!(location(&response).starts_with("/login?next="), "{method} {path}");
    }
    let (_, inbox_nav) = marketer.page("/admin/forms").await;
    assert!(attrs(&inbox_nav, "nav.nav a", "href").contains(&"/admin/forms".to_owned()));
    assert_eq!(marketer.draft(&form).await, before, "nothing changed");
}

#[tokio::test]
async fn the_use_cases_refuse_people_who_may_not_change_forms_whoever_calls_them() {
    let (app, marketer, form, team) = published("use-cases").await;
    let ctx = leadgate::app::Context::new(app.db.clone(), app.clock.clone(), app.address.clone(), false);
    let rep = leadgate::app::auth::CurrentUser {
        id: team.rita.id,
        email: team.rita.email.clone(),
        name: "Rita Rep".into(),
        role: leadgate::app::auth::Role::Rep,
        csrf_token: String::new(),
    };
    let id: uuid::Uuid = form.id.parse().unwrap();
    let draft = marketer.draft(&form).await;
    let new = leadgate::app::catalog::NewForm { title: "Mine".into(), slug: "mine".into() };
    use leadgate::app::AppError::Forbidden;
    assert!(matches!(leadgate::app::catalog::create_form(&ctx, &rep, &new).await, Err(Forbidden)));
    assert!(matches!(leadgate::app::drafts::save_draft(&ctx, &rep, id, 1, draft.clone()).await, Err(Forbidden)));
    assert!(matches!(leadgate::app::publishing::publish_draft(&ctx, &rep, id, 1, "").await, Err(Forbidden)));
    assert!(matches!(leadgate::app::catalog::archive_form(&ctx, &rep, id).await, Err(Forbidden)));
    assert_eq!(marketer.draft(&form).await, draft);
}

#[tokio::test]
async fn editor_posts_without_the_sessions_csrf_token_are_refused() {
    let (_app, marketer, form, _) = published("csrf").await;
    let before = marketer.draft(&form).await;
    for path in ["/publish", "/questions/size/delete", "/archive"] {
        let response = marketer.post_form(&form.path(path), &[("csrf", "forged"), ("revision", "1")]).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(marketer.draft(&form).await, before);
}

#[tokio::test]
async fn a_marketer_signing_in_lands_on_the_forms_list() {
    let (app, _marketer, team) = marketer_app().await;
    let browser = app.new_browser();
    let response = browser
        .post_form(
            "/login",
            &[("email", &team.marketer.email), ("password", crate::helpers::PASSWORD), ("next", "/inbox")],
        )
        .await;
    assert_eq!(location(&response), "/admin/forms");
}

#[tokio::test]
async fn duplicating_copies_the_draft_and_its_test_cases_to_a_new_address() {
    let (_app, marketer, form, _) = published("original").await;
    let csrf = marketer.csrf("/admin/forms").await;
    let taken =
        marketer.post_form(&form.path("/duplicate"), &[("csrf", &csrf), ("title", "Copy"), ("slug", "original")]).await;
    assert_eq!(taken.status(), 422, "the address is taken");
    let response =
        marketer.post_form(&form.path("/duplicate"), &[("csrf", &csrf), ("title", "Copy"), ("slug", "copy")]).await;
    assert_eq!(response.status(), 303);
    let id = location(&response).trim_start_matches("/admin/forms/").split('?').next().unwrap().to_owned();
    let copy = EditedForm { id, slug: "copy".into() };
    let (original, duplicated) = (marketer.draft(&form).await, marketer.draft(&copy).await);
    assert_eq!((duplicated.slug.as_str(), duplicated.title.as_str()), ("copy", "Copy"));
    assert_eq!(duplicated.questions, original.questions);
    assert_eq!(duplicated.outcomes, original.outcomes);
    let (_, tests) = marketer.page(&copy.path("/tests")).await;
    assert_eq!(attrs(&tests, ".case", "data-case"), ["Big buyer"]);
    let (_, list) = marketer.page("/admin/forms").await;
    assert_eq!(texts(&list, "tr[data-form=copy] .status"), ["Draft only"]);
    assert_eq!(marketer.new_browser().get("/f/copy").await.status(), 404, "not published yet");
}

#[tokio::test]
async fn an_archived_form_says_it_is_closed_but_a_response_under_way_can_finish() {
    let (app, marketer, form, _) = published("archived").await;
    let prospect = app.new_browser();
    let path = prospect.start_form(&form.slug, "", &["cio@big.example"]).await;
    let csrf = marketer.csrf("/admin/forms").await;
    let response = marketer.post_form(&form.path("/archive"), &[("csrf", &csrf)]).await;
    assert_eq!(location(&response), "/admin/forms?done=archived");
    let visitor = app.new_browser();
    let (status, page) = visitor.page(&format!("/f/{}", form.slug)).await;
    assert_eq!(status, 410);
    assert_eq!(attrs(&page, "section.closed", "data-closed"), ["true"]);
    let start = visitor.start_form_raw(&form.slug, "", &["someone@else.example"], &[]).await;
    assert_eq!(start.status(), 410, "no new responses");
    prospect.answer_ok(&path, "size", &["large"]).await;
    prospect.answer_ok(&path, "budget", &["5000"]).await;
    assert_eq!(prospect.ending_outcome(&path).await, "hot", "the response under way finished");
    let (_, list) = marketer.page("/admin/forms").await;
    assert_eq!(texts(&list, "tr[data-form=archived] .status"), ["Archived"]);
    let (status, page, _) = marketer.publish(&form, "").await;
    assert_eq!(status, 409);
    assert!(texts(&page, "#form-error")[0].contains("archived"));
    let csrf = marketer.csrf("/admin/forms").await;
    marketer.post_form(&form.path("/restore"), &[("csrf", &csrf)]).await;
    assert_eq!(app.new_browser().get(&format!("/f/{}", form.slug)).await.status(), 200);
}
