//! The test harness: the real application on a random port with a fresh
//! database, and one helper per thing a person does.

use std::sync::Arc;
use std::time::Duration;

use leadgate::app::clock::Clock;
use leadgate::config::{RawSettings, Settings};
use leadgate::engine::FormDefinition;
use leadgate::startup::Application;
use leadgate::store::Db;
use reqwest::header::LOCATION;
use scraper::{Html, Selector};

/// A running application and a browser-like client with its own cookies.
/// Clones share the server; [`TestApp::new_browser`] gets a fresh cookie jar.
#[derive(Clone)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// Time as the app sees it: moved by hand, never by sleeping.
    pub clock: Clock,
    /// The application's in-memory copies of responses in progress.
    pub hot: leadgate::app::hot::HotResponses,
    pub database_url: String,
    running: Arc<Running>,
}

/// Keeps the database directory and the server alive while any handle lives.
struct Running {
    _dir: tempfile::TempDir,
    shutdown: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    server: std::sync::Mutex<Option<tokio::task::JoinHandle<std::io::Result<()>>>>,
}

/// Starts the app with the test defaults: no demo, no bot timing check,
/// generous limits, quick notice retries.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app with the demo form and people loaded.
pub async fn spawn_app_with_demo() -> TestApp {
    spawn_app_with(|s| s.demo = true).await
}

/// A Wednesday, 10:00 UTC: inside everyone's default working hours in Europe.
pub fn test_start_time() -> chrono::DateTime<chrono::Utc> {
    "2026-11-18T10:00:00Z".parse().unwrap()
}

/// Starts the app after `customise` has changed the settings.
pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(&dir).await;
    spawn_on(database_url, dir, customise).await
}

/// Starts an app on an existing database (a restart, or a second instance).
pub async fn spawn_on_database(database_url: &str, customise: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    spawn_on(database_url.to_string(), dir, customise).await
}

async fn spawn_on(database_url: String, dir: tempfile::TempDir, customise: impl FnOnce(&mut Settings)) -> TestApp {
    let raw = RawSettings {
        database_url: Some(database_url.clone()),
        bind: Some("127.0.0.1:0".into()),
        ..Default::default()
    };
    let mut settings = raw.parse().expect("test settings");
    settings.limits.min_seconds_before_first_answer = Some(0);
    settings.limits.starts_per_minute = 10_000;
    settings.limits.answers_per_minute = 10_000;
    settings.limits.logins_per_minute = 10_000;
    settings.limits.logins_per_account_per_minute = 10_000;
    settings.demo = false;
    settings.notices.first_delay = Duration::from_secs(1);
    customise(&mut settings);
    let clock = Clock::manual();
    clock.set(test_start_time());
    let app = Application::build_with_clock(settings, clock.clone()).await.expect("application builds");
    // The listening address itself, also when the public base URL is another one.
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state().ctx.db.clone();
    let hot = app.state().ctx.hot.clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let running = Arc::new(Running {
        _dir: dir,
        shutdown: std::sync::Mutex::new(Some(shutdown)),
        server: std::sync::Mutex::new(Some(server)),
    });
    TestApp { address, client: new_client(), db, clock, hot, database_url, running }
}

/// A client that keeps cookies and does not follow redirects (tests check them).
pub fn new_client() -> reqwest::Client {
    leadgate::notify::webhook::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// SQLite in a temp dir, or a new database on `LEADGATE_TEST_DATABASE_URL`.
pub async fn fresh_database_url(dir: &tempfile::TempDir) -> String {
    let Ok(server) = std::env::var("LEADGATE_TEST_DATABASE_URL") else {
        return format!("sqlite://{}", dir.path().join("test.db").display());
    };
    let name = format!("leadgate_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(&server).await.expect("PostgreSQL for tests reachable");
    let Db::Postgres(pool) = &admin else { panic!("LEADGATE_TEST_DATABASE_URL must be a postgres:// URL") };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(pool).await.expect("create database");
    admin.close().await;
    with_database_name(&server, &name)
}

fn with_database_name(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((server, None));
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[authority_end..].find('/').map(|i| i + authority_end).unwrap_or(base.len());
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// The fixture form with three paths, published as version 1.
pub const BRANCHING_FORM: &str = include_str!("fixtures/branching.yaml");

impl TestApp {
    /// Asks the server to stop (as SIGTERM does) and waits until it has.
    pub async fn shut_down(&self) -> std::io::Result<()> {
        if let Some(shutdown) = self.running.shutdown.lock().unwrap().take() {
            let _ = shutdown.send(());
        }
        let server = self.running.server.lock().unwrap().take().expect("the server was shut down once");
        server.await.expect("the server task did not panic")
    }

    /// Another visitor of the same server, with its own cookies.
    pub fn new_browser(&self) -> TestApp {
        TestApp { client: new_client(), ..self.clone() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Publishes a form from YAML (the editor arrives in a later issue).
    pub async fn publish_form(&self, yaml: &str) -> FormDefinition {
        let definition = leadgate::engine::parse_definition_yaml(yaml).expect("fixture parses");
        leadgate::app::forms::create_published_form(&self.db, &definition, chrono::Utc::now())
            .await
            .expect("fixture publishes");
        definition
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> Html {
        let response = self.get(path).await;
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        Html::parse_document(&response.text().await.unwrap())
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).form(pairs).send().await.expect("POST")
    }

    /// Opens the form's first page (with `query`, e.g. UTM fields) and answers
    /// its first question; returns the response's path.
    pub async fn start_form(&self, slug: &str, query: &str, values: &[&str]) -> String {
        let response = self.start_form_raw(slug, query, values, &[]).await;
        assert_eq!(response.status(), 303, "starting {slug} should redirect");
        location(&response)
    }

    /// Like `start_form` but returns the raw response; `extra` pairs are added.
    pub async fn start_form_raw(
        &self,
        slug: &str,
        query: &str,
        values: &[&str],
        extra: &[(&str, &str)],
    ) -> reqwest::Response {
        // The parsed page is not Send: keep it out of the awaits below.
        let html = self.get(&format!("/f/{slug}{query}")).await.text().await.unwrap();
        let mut pairs = hidden_inputs(&Html::parse_document(&html));
        pairs.extend(values.iter().map(|v| ("answer".to_string(), v.to_string())));
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.client.post(self.url(&format!("/f/{slug}"))).form(&pairs).send().await.expect("POST start")
    }

    /// Answers `question` on the response at `path`.
    pub async fn answer(&self, path: &str, question: &str, values: &[&str]) -> reqwest::Response {
        let mut pairs = vec![("question", question)];
        pairs.extend(values.iter().map(|v| ("answer", *v)));
        self.post_form(path, &pairs).await
    }

    /// Answers and expects the redirect back to the response.
    pub async fn answer_ok(&self, path: &str, question: &str, values: &[&str]) {
        let response = self.answer(path, question, values).await;
        assert_eq!(response.status(), 303, "answer to {question} should be accepted");
    }

    /// The id of the question the response page shows now.
    pub async fn current_question(&self, path: &str) -> String {
        let html = self.get(path).await.text().await.unwrap();
        input_value(&Html::parse_document(&html), "question").expect("a question is shown")
    }

    /// The outcome id on a finished response's ending page.
    pub async fn ending_outcome(&self, path: &str) -> String {
        let page = self.get_html(path).await;
        let selector = Selector::parse("section.ending").unwrap();
        let ending = page.select(&selector).next().expect("an ending is shown");
        ending.value().attr("data-outcome").unwrap().to_string()
    }
}

/// Every hidden input of the page as (name, value).
pub fn hidden_inputs(page: &Html) -> Vec<(String, String)> {
    let selector = Selector::parse("input[type=hidden]").unwrap();
    page.select(&selector)
        .filter_map(|i| Some((i.value().attr("name")?.to_string(), i.value().attr("value").unwrap_or("").to_string())))
        .collect()
}

/// The value of the input named `name`.
pub fn input_value(page: &Html, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    page.select(&selector).next().and_then(|i| i.value().attr("value")).map(str::to_string)
}

/// Text of the first element matching `css`.
pub fn text_of(page: &Html, css: &str) -> Option<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector).next().map(|e| e.text().collect::<String>().trim().to_string())
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers().get(LOCATION).expect("Location header").to_str().unwrap().to_string()
}

/// The password of every person `seed_team` creates.
pub const PASSWORD: &str = "correct-horse-battery";

/// A person made by `seed_team`.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: uuid::Uuid,
    pub email: String,
}

/// A sales team: a manager (the pools' overflow), two reps, an admin, a marketer.
pub struct Team {
    pub admin: Person,
    pub marketer: Person,
    pub manager: Person,
    pub rita: Person,
    pub sam: Person,
}

/// A rep profile working around the clock in UTC (routing tests must not
/// depend on the hour they run at).
pub fn always_working_rep() -> leadgate::engine::Rep {
    let all_day = leadgate::engine::TimeRange { start: chrono::NaiveTime::MIN, end: chrono::NaiveTime::MIN };
    leadgate::engine::Rep {
        id: String::new(),
        name: String::new(),
        active: true,
        territories: Vec::new(),
        segments: Vec::new(),
        seniority: None,
        languages: Vec::new(),
        time_zone: "UTC".into(),
        working_hours: leadgate::engine::WeeklyHours { days: std::array::from_fn(|_| vec![all_day]) },
        capacity: None,
        out_of_office: Vec::new(),
    }
}

impl TestApp {
    async fn add_person(&self, email: &str, name: &str, role: leadgate::app::auth::Role) -> Person {
        let id = leadgate::app::auth::add_user(&self.db, email, name, role, PASSWORD).await.expect("user added");
        Person { id, email: email.to_string() }
    }

    /// People, rep profiles and two pools: `senior-ae` (round robin: Rita,
    /// Sam) and `sdr` (least loaded: Sam, Rita), both overflowing to the manager.
    pub async fn seed_team(&self) -> Team {
        use leadgate::app::auth::Role;
        use leadgate::engine::{Pool, PoolMember, Strategy};
        let team = Team {
            admin: self.add_person("admin@team.example", "Ada Admin", Role::Admin).await,
            marketer: self.add_person("mark@team.example", "Mark Marketer", Role::Marketer).await,
            manager: self.add_person("manager@team.example", "Mona Manager", Role::Manager).await,
            rita: self.add_person("rita@team.example", "Rita Rep", Role::Rep).await,
            sam: self.add_person("sam@team.example", "Sam Rep", Role::Rep).await,
        };
        let member = |p: &Person| PoolMember { rep_id: p.id.to_string(), weight: 1, assigned_count: 0 };
        let mut tx = self.db.begin().await.unwrap();
        for rep in [&team.rita, &team.sam] {
            leadgate::store::routing::upsert_rep(tx.conn(), rep.id, &always_working_rep()).await.unwrap();
        }
        let pools = [
            ("senior-ae", Strategy::RoundRobin, vec![member(&team.rita), member(&team.sam)]),
            ("sdr", Strategy::LeastLoaded, vec![member(&team.sam), member(&team.rita)]),
        ];
        for (name, strategy, members) in pools {
            let pool = Pool {
                name: name.into(),
                strategy,
                members,
                overflow_rep: Some(team.manager.id.to_string()),
                last_assigned: None,
            };
            leadgate::store::routing::insert_pool(tx.conn(), &pool).await.unwrap();
        }
        tx.commit().await.unwrap();
        team
    }

    /// Changes a rep's routing profile.
    pub async fn update_rep(&self, person: &Person, change: impl FnOnce(&mut leadgate::engine::Rep)) {
        let mut rep = always_working_rep();
        change(&mut rep);
        let mut tx = self.db.begin().await.unwrap();
        leadgate::store::routing::upsert_rep(tx.conn(), person.id, &rep).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// Another browser, signed in as `person`.
    pub async fn login_as(&self, person: &Person) -> TestApp {
        let browser = self.new_browser();
        let response =
            browser.post_form("/login", &[("email", &person.email), ("password", PASSWORD), ("next", "/inbox")]).await;
        assert_eq!(response.status(), 303, "sign-in as {} should work", person.email);
        browser
    }

    /// The CSRF token from a signed-in page.
    pub async fn csrf(&self, path: &str) -> String {
        let page = self.get_html(path).await;
        input_value(&page, "csrf").expect("a CSRF token on the page")
    }

    /// Posts a signed-in form with its CSRF token taken from `page`.
    pub async fn post_with_csrf(&self, page: &str, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf(page).await;
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(pairs);
        self.post_form(path, &all).await
    }

    /// Finishes the fixture form as an enterprise buyer ready now (Tier 1, pool senior-ae).
    pub async fn finish_tier1(&self, email: &str) -> String {
        self.finish_tier1_from(email, "").await
    }

    /// As `finish_tier1`, opening the form with `query` (UTM fields).
    pub async fn finish_tier1_from(&self, email: &str, query: &str) -> String {
        let browser = self.new_browser();
        let path = browser.start_form("qualify", query, &[email]).await;
        browser.answer_ok(&path, "company_size", &["large"]).await;
        browser.answer_ok(&path, "procurement", &["yes"]).await;
        browser.answer_ok(&path, "timeline", &["now"]).await;
        browser.answer_ok(&path, "consent", &["yes"]).await;
        path
    }

    /// Finishes the fixture form as a mid-sized company, later (Tier 2, pool sdr).
    pub async fn finish_tier2(&self, email: &str) -> String {
        let browser = self.new_browser();
        let path = browser.start_form("qualify", "", &[email]).await;
        browser.answer_ok(&path, "company_size", &["mid"]).await;
        browser.answer_ok(&path, "current_tool", &["spreadsheets"]).await;
        browser.answer_ok(&path, "timeline", &["later"]).await;
        browser.answer_ok(&path, "consent", &["yes"]).await;
        path
    }

    /// The lead made by the finished response at `path`.
    pub async fn lead_of(&self, path: &str) -> leadgate::store::leads::LeadRecord {
        let id: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
        let mut conn = self.db.read().await.unwrap();
        let response = leadgate::store::responses::find_response(conn.conn(), id).await.unwrap().unwrap();
        leadgate::store::leads::find_lead(conn.conn(), response.lead_id.expect("a lead")).await.unwrap().unwrap()
    }

    pub async fn lead(&self, id: uuid::Uuid) -> leadgate::store::leads::LeadRecord {
        let mut conn = self.db.read().await.unwrap();
        leadgate::store::leads::find_lead(conn.conn(), id).await.unwrap().unwrap()
    }

    pub async fn history(&self, id: uuid::Uuid) -> Vec<leadgate::store::leads::AssignmentRecord> {
        let mut conn = self.db.read().await.unwrap();
        leadgate::store::leads::list_assignments(conn.conn(), id).await.unwrap()
    }

    /// Waits (polling, with a deadline) until `check` holds.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while !check().await {
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Notices of one channel for one target, as stored.
    pub async fn notices(&self, channel: &str, target: &str) -> Vec<leadgate::store::outbox::NoticeRecord> {
        let mut conn = self.db.read().await.unwrap();
        leadgate::store::outbox::list_for_target(conn.conn(), channel, target).await.unwrap()
    }
}
