//! Sessions, cookies, brute force, signed-out CSRF, forged links and
//! webhook targets.

use crate::helpers::{BRANCHING_FORM, PASSWORD, Team, TestApp, location, spawn_app, spawn_app_with};

async fn app_with_team(customise: impl FnOnce(&mut leadgate::config::Settings)) -> (TestApp, Team) {
    let app = spawn_app_with(customise).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    (app, team)
}

/// A client without a cookie jar, so each request carries exactly the cookies given.
fn bare_client() -> reqwest::Client {
    leadgate::notify::webhook::install_crypto_provider();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_session_id_planted_before_sign_in_is_never_promoted() {
    let (app, team) = app_with_team(|_| {}).await;
    let planted = "lg_session=".to_string() + &"a".repeat(64);
    let client = bare_client();
    let pairs = [("email", team.rita.email.as_str()), ("password", PASSWORD)];
    let login = client.post(app.url("/login")).header("cookie", &planted).form(&pairs).send().await.unwrap();
    assert_eq!(login.status(), 303);
    let issued = set_cookies(&login).into_iter().find(|c| c.starts_with("lg_session=")).expect("a new session");
    let issued = issued.split(';').next().unwrap().to_string();
    assert_ne!(issued, planted, "sign-in issues its own session id");
    let with = |cookie: &str| client.get(app.url("/inbox")).header("cookie", cookie.to_string()).send();
    assert_eq!(with(&planted).await.unwrap().status(), 303, "the planted id signs nobody in");
    assert_eq!(with(&issued).await.unwrap().status(), 200);
}

#[tokio::test]
async fn cookies_are_http_only_same_site_and_secure_when_the_public_address_is_https() {
    let (app, team) = app_with_team(|s| s.base_url = Some("https://forms.example.com".into())).await;
    let pairs = [("email", team.rita.email.as_str()), ("password", PASSWORD)];
    let login = bare_client().post(app.url("/login")).form(&pairs).send().await.unwrap();
    let session = set_cookies(&login).into_iter().find(|c| c.starts_with("lg_session=")).unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.split("; ").any(|part| part == flag), "{flag} in {session}");
    }
    let start = app.start_form_raw("qualify", "", &["buyer@acme.example"], &[]).await;
    let resume = set_cookies(&start).into_iter().find(|c| c.starts_with("lg_qualify=")).expect("a resume cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/f/qualify"] {
        assert!(resume.split("; ").any(|part| part == flag), "{flag} in {resume}");
    }
}

#[tokio::test]
async fn plain_http_cookies_are_not_marked_secure_so_a_local_install_works() {
    let (app, team) = app_with_team(|_| {}).await;
    let pairs = [("email", team.rita.email.as_str()), ("password", PASSWORD)];
    let login = bare_client().post(app.url("/login")).form(&pairs).send().await.unwrap();
    let session = set_cookies(&login).into_iter().find(|c| c.starts_with("lg_session=")).unwrap();
    assert!(!session.contains("Secure"), "{session}");
}

#[tokio::test]
async fn guessing_one_accounts_password_is_limited_per_account_whatever_the_address() {
    let (app, team) = app_with_team(|s| s.limits.logins_per_account_per_minute = 3).await;
    let wrong = [("email", team.rita.email.as_str()), ("password", "not-the-password")];
    for _ in 0..3 {
        assert_eq!(app.post_form("/login", &wrong).await.status(), 422);
    }
    // Even the right password waits now: the attacker cannot tell when they guessed it.
    let right = [("email", team.rita.email.as_str()), ("password", PASSWORD)];
    let refused = app.post_form("/login", &right).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry after {retry} s");
    let other = [("email", team.sam.email.as_str()), ("password", PASSWORD)];
    assert_eq!(app.post_form("/login", &other).await.status(), 303, "other accounts are not locked");
    let shouted = [("email", "RITA@TEAM.EXAMPLE"), ("password", "x")];
    assert_eq!(app.post_form("/login", &shouted).await.status(), 429, "the email's case does not reset the count");
}

#[tokio::test]
async fn signing_out_needs_the_sessions_csrf_token_and_then_ends_the_session_on_the_server() {
    let (app, team) = app_with_team(|_| {}).await;
    let rita = app.login_as(&team.rita).await;
    let forced = rita.post_form("/logout", &[]).await;
    assert_eq!(forced.status(), 403, "another site cannot sign a rep out");
    assert_eq!(rita.get("/inbox").await.status(), 200, "still signed in");
    let out = rita.post_with_csrf("/inbox", "/logout", &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(location(&out), "/login");
    assert!(set_cookies(&out).iter().any(|c| c.starts_with("lg_session=;") && c.contains("Max-Age=0")));
    let mut conn = app.db.read().await.unwrap();
    let sessions: i64 = leadgate::on_conn!(conn.conn(), c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE user_id = $1").bind(team.rita.id).fetch_one(&mut *c).await)
    .unwrap();
    assert_eq!(sessions, 0, "the session is gone from the server, not only from the browser");
}

#[tokio::test]
async fn a_resume_link_cannot_be_guessed_altered_or_moved_to_another_form() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    let id: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 4, "122 random bits, not a time-ordered id");
    let stranger = app.new_browser();
    let mut altered = id.simple().to_string();
    let last = if altered.ends_with('0') { '1' } else { '0' };
    altered.replace_range(31..32, &last.to_string());
    for forged in [
        format!("/f/qualify/r/{}", uuid::Uuid::new_v4()),
        format!("/f/qualify/r/{altered}"),
        format!("/f/talk-to-sales/r/{id}"),
        "/f/qualify/r/1".to_string(),
        "/f/qualify/r/..%2f..%2fadmin".to_string(),
    ] {
        let status = stranger.get(&forged).await.status();
        assert!(status == 404 || status == 400, "{forged}: {status}");
        let post = stranger.answer(&forged, "company_size", &["large"]).await.status();
        assert!(post == 404 || post == 400, "POST {forged}: {post}");
    }
    // A resume cookie naming someone else's response only starts a new one.
    let cookie = format!("lg_qualify={}", uuid::Uuid::new_v4());
    let page = bare_client().get(app.url("/f/qualify")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(page.status(), 200, "a made-up resume cookie shows the first page");
}

#[tokio::test]
async fn webhook_targets_on_loopback_private_link_local_or_metadata_addresses_are_refused() {
    let (app, team) = app_with_team(|_| {}).await;
    let admin = app.login_as(&team.admin).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://2130706433/hook",
        "http://0x7f.0.0.1/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
    ] {
        let response = admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &[("url", url)]).await;
        assert_eq!(response.status(), 422, "{url} must be refused");
    }
    let mut conn = app.db.read().await.unwrap();
    assert!(leadgate::store::webhooks::list_endpoints(conn.conn()).await.unwrap().is_empty());
}
