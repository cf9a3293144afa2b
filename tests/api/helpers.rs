//! The test harness: the real application on a random port with a fresh
//! database, and one helper per thing a person does.

use std::sync::Arc;
use std::time::Duration;

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
    _running: Arc<Running>,
}

/// Keeps the database directory and the server alive while any handle lives.
struct Running {
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Starts the app with the test defaults: no bot timing check, generous limits.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after `customise` has changed the settings.
pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(&dir).await;
    let raw = RawSettings {
        database_url: Some(database_url.clone()),
        bind: Some("127.0.0.1:0".into()),
        ..Default::default()
    };
    let mut settings = raw.parse().expect("test settings");
    settings.limits.min_seconds_before_first_answer = Some(0);
    settings.limits.starts_per_minute = 10_000;
    settings.limits.answers_per_minute = 10_000;
    customise(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let address = app.base_url().to_string();
    let db = app.state().db.clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let running = Arc::new(Running {
        _dir: dir,
        _shutdown: shutdown,
    });
    TestApp {
        address,
        client: new_client(),
        db,
        _running: running,
    }
}

/// A client that keeps cookies and does not follow redirects (tests check them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// SQLite in a temp dir, or a new database on `LEADGATE_TEST_DATABASE_URL`.
async fn fresh_database_url(dir: &tempfile::TempDir) -> String {
    let Ok(server) = std::env::var("LEADGATE_TEST_DATABASE_URL") else {
        return format!("sqlite://{}", dir.path().join("test.db").display());
    };
    let name = format!("leadgate_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(&server)
        .await
        .expect("PostgreSQL for tests reachable");
    let Db::Postgres(pool) = &admin else {
        panic!("LEADGATE_TEST_DATABASE_URL must be a postgres:// URL")
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(pool)
        .await
        .expect("create database");
    admin.close().await;
    with_database_name(&server, &name)
}

fn with_database_name(server: &str, name: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map(|(b, q)| (b, Some(q)))
        .unwrap_or((server, None));
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[authority_end..]
        .find('/')
        .map(|i| i + authority_end)
        .unwrap_or(base.len());
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
    /// Another visitor of the same server, with its own cookies.
    pub fn new_browser(&self) -> TestApp {
        TestApp {
            client: new_client(),
            ..self.clone()
        }
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
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        Html::parse_document(&response.text().await.unwrap())
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(pairs)
            .send()
            .await
            .expect("POST")
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
        let page = self.get_html(&format!("/f/{slug}{query}")).await;
        let mut pairs = hidden_inputs(&page);
        pairs.extend(values.iter().map(|v| ("answer".to_string(), v.to_string())));
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.client
            .post(self.url(&format!("/f/{slug}")))
            .form(&pairs)
            .send()
            .await
            .expect("POST start")
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
        assert_eq!(
            response.status(),
            303,
            "answer to {question} should be accepted"
        );
    }

    /// The id of the question the response page shows now.
    pub async fn current_question(&self, path: &str) -> String {
        let page = self.get_html(path).await;
        input_value(&page, "question").expect("a question is shown")
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
        .filter_map(|i| {
            Some((
                i.value().attr("name")?.to_string(),
                i.value().attr("value").unwrap_or("").to_string(),
            ))
        })
        .collect()
}

/// The value of the input named `name`.
pub fn input_value(page: &Html, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    page.select(&selector)
        .next()
        .and_then(|i| i.value().attr("value"))
        .map(str::to_string)
}

/// Text of the first element matching `css`.
pub fn text_of(page: &Html, css: &str) -> Option<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector)
        .next()
        .map(|e| e.text().collect::<String>().trim().to_string())
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .expect("Location header")
        .to_str()
        .unwrap()
        .to_string()
}
