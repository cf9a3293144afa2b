//! The navigation of signed-in pages: each role sees exactly the pages it
//! may use, each link opens (no 403, no 404), the current one is marked,
//! and each role lands on its own start page after signing in.

use scraper::Html;

use crate::draft_support::{attrs, texts};
use crate::helpers::{BRANCHING_FORM, Person, Team, TestApp, location, spawn_app};

async fn app_with_team() -> (TestApp, Team) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    (app, team)
}

/// (who, their start page, the links they see).
fn expected(team: &Team) -> Vec<(&Person, &'static str, Vec<&'static str>)> {
    vec![
        (&team.rita, "/inbox", vec!["Inbox", "Bookings", "Calendar"]),
        (&team.manager, "/inbox", vec!["Inbox", "Bookings", "Routing", "Analytics"]),
        (&team.marketer, "/admin/forms", vec!["Forms", "Analytics"]),
        (
            &team.admin,
            "/inbox",
            vec!["Inbox", "Bookings", "Calendar", "Forms", "Routing", "Analytics", "Notices", "Webhooks", "API tokens"],
        ),
    ]
}

/// Signs in with no page asked for; returns the browser and where it landed.
async fn sign_in(app: &TestApp, person: &Person, next: &str) -> (TestApp, String) {
    let browser = app.new_browser();
    let response = browser
        .post_form("/login", &[("email", &person.email), ("password", crate::helpers::PASSWORD), ("next", next)])
        .await;
    assert_eq!(response.status(), 303);
    let landed = location(&response);
    (browser, landed)
}

/// GET, following this site's redirects; the final status and page.
async fn open(browser: &TestApp, path: &str) -> (u16, String, Html) {
    let mut path = path.to_owned();
    for _ in 0..5 {
        let response = browser.get(&path).await;
        if response.status().is_redirection() {
            path = location(&response);
            continue;
        }
        let status = response.status().as_u16();
        return (status, path, Html::parse_document(&response.text().await.unwrap()));
    }
    panic!("too many redirects from {path}");
}

#[tokio::test]
async fn each_role_sees_exactly_its_links_and_every_link_opens_with_itself_marked_current() {
    let (app, team) = app_with_team().await;
    for (person, home, links) in expected(&team) {
        let (browser, landed) = sign_in(&app, person, "").await;
        assert_eq!(landed, home, "{} lands on their start page", person.email);
        let (status, _, page) = open(&browser, home).await;
        assert_eq!(status, 200);
        assert_eq!(texts(&page, "header nav a"), links, "{}", person.email);
        assert_eq!(attrs(&page, "header a.brand", "href"), [home], "the brand goes home");
        for (label, href) in links.iter().zip(attrs(&page, "header nav a", "href")) {
            let (status, _, target) = open(&browser, &href).await;
            assert_eq!(status, 200, "{} opens {href}", person.email);
            assert_eq!(texts(&target, "header nav a[aria-current=page]"), [*label], "{href} marks itself");
            assert_eq!(texts(&target, "header nav a"), links, "{href} shows the same navigation");
        }
    }
}

#[tokio::test]
async fn a_page_inside_a_section_marks_its_section_without_calling_it_the_current_page() {
    let (app, team) = app_with_team().await;
    let path = app.finish_tier1("cto@acme.example").await;
    let lead = app.lead_of(&path).await;
    let (manager, _) = sign_in(&app, &team.manager, "").await;
    let (_, _, page) = open(&manager, &format!("/inbox/leads/{}", lead.id)).await;
    assert_eq!(texts(&page, "header nav a[aria-current=true]"), ["Inbox"]);
    assert!(texts(&page, "header nav a[aria-current=page]").is_empty());
    let (marketer, _) = sign_in(&app, &team.marketer, "").await;
    let (_, _, list) = open(&marketer, "/admin/forms").await;
    let form = attrs(&list, "table a[href^='/admin/forms/']", "href")[0].clone();
    let (_, _, page) = open(&marketer, &format!("{form}/scoring")).await;
    assert_eq!(texts(&page, "header nav a[aria-current=true]"), ["Forms"]);
}

#[tokio::test]
async fn signing_in_goes_to_the_page_asked_for_unless_the_role_may_not_open_it() {
    let (app, team) = app_with_team().await;
    assert_eq!(sign_in(&app, &team.marketer, "/inbox").await.1, "/admin/forms", "not a 403");
    assert_eq!(sign_in(&app, &team.rita, "/admin/routing").await.1, "/inbox");
    assert_eq!(sign_in(&app, &team.manager, "/admin/routing").await.1, "/admin/routing");
    assert_eq!(sign_in(&app, &team.marketer, "https://evil.example/").await.1, "/admin/forms");
}

#[tokio::test]
async fn the_site_root_sends_people_to_their_start_page_and_strangers_to_sign_in() {
    let (app, team) = app_with_team().await;
    assert_eq!(location(&app.new_browser().get("/").await), "/login");
    let (marketer, _) = sign_in(&app, &team.marketer, "").await;
    assert_eq!(location(&marketer.get("/").await), "/admin/forms");
}

#[tokio::test]
async fn calendar_for_someone_without_one_lists_the_reps_calendars_instead_of_a_missing_page() {
    let (app, team) = app_with_team().await;
    let (admin, _) = sign_in(&app, &team.admin, "").await;
    let (status, path, page) = open(&admin, "/inbox/calendar").await;
    assert_eq!((status, path.as_str()), (200, "/inbox/calendar"));
    let reps = attrs(&page, "table.calendars a", "href");
    assert_eq!(reps.len(), 2, "Rita and Sam");
    for rep in reps {
        assert_eq!(open(&admin, &rep).await.0, 200);
    }
    let (rita, _) = sign_in(&app, &team.rita, "").await;
    assert_eq!(open(&rita, "/inbox/calendar").await.1, format!("/inbox/calendar/{}", team.rita.id));
}

#[tokio::test]
async fn a_refused_page_offers_the_way_back_to_ones_start_page() {
    let (app, team) = app_with_team().await;
    let (marketer, _) = sign_in(&app, &team.marketer, "").await;
    let response = marketer.get("/inbox").await;
    assert_eq!(response.status(), 403);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(attrs(&page, ".error-page a", "href"), ["/"]);
    assert_eq!(location(&marketer.get("/").await), "/admin/forms");
    let prospect = app.new_browser().get("/f/no-such-form").await;
    let page = Html::parse_document(&prospect.text().await.unwrap());
    assert!(attrs(&page, ".error-page a", "href").is_empty(), "prospects are not sent to a sign-in page");
}
