//! The route matrix's world: the app with its team and fixtures, a
//! signed-in browser per person, and sending a row of the table as a
//! browser would (a POST sends the form its page renders).

use std::collections::HashMap;
use std::sync::Mutex;

use leadgate::app::auth::{CurrentUser, Role};
use scraper::Html;
use uuid::Uuid;

use crate::editor_support::{form_fields, set};
use crate::helpers::{BRANCHING_FORM, Person, Team, TestApp, spawn_app};
use crate::route_fixtures::{Fixtures, unique};
use crate::route_matrix::{Route, Who};

/// The app, its team, fixtures every row may use, and signed-in browsers.
pub struct World {
    pub app: TestApp,
    pub team: Team,
    pub ctx: leadgate::app::Context,
    pub admin: CurrentUser,
    /// Another admin's browser, which reads the pages whose forms rows send.
    pub reader: TestApp,
    /// Made once (the lead with a meeting booked, so the inbox pages
    /// show one); rows that are only read or refused use them.
    pub standing: Fixtures,
    /// A signed-in browser and its CSRF token per person.
    pub sessions: Mutex<HashMap<Uuid, (TestApp, String)>>,
}

impl World {
    pub async fn new() -> World {
        let app = spawn_app().await;
        app.publish_form(BRANCHING_FORM).await;
        let team = app.seed_team().await;
        let ctx = leadgate::app::Context::new(app.db.clone(), app.clock.clone(), app.address.clone(), false);
        let admin = CurrentUser {
            id: team.admin.id,
            email: team.admin.email.clone(),
            name: "Ada Admin".into(),
            role: Role::Admin,
            csrf_token: String::new(),
        };
        let reader_id = leadgate::app::auth::add_user(
            &app.db,
            "reader@team.example",
            "Rae Reader",
            Role::Admin,
            crate::helpers::PASSWORD,
        )
        .await
        .unwrap();
        let reader = app.login_as(&Person { id: reader_id, email: "reader@team.example".into() }).await;
        for rep in [&team.rita, &team.sam] {
            crate::booking_helpers::set_booking(&app, rep, Default::default()).await;
        }
        let mut world = World {
            standing: Fixtures {
                lead: String::new(),
                rep: team.rita.clone(),
                other_rep: team.sam.clone(),
                form: String::new(),
                case: String::new(),
                pool: String::new(),
                rule: String::new(),
                block: String::new(),
                token: String::new(),
                notice: String::new(),
            },
            app,
            team,
            ctx,
            admin,
            reader,
            sessions: Mutex::new(HashMap::new()),
        };
        world.standing = world.fixtures("{lead}{meeting}{form}{pool}{rule}{block}{token}{notice}").await;
        world
    }

    pub fn person(&self, who: Who, fx: &Fixtures) -> Option<Person> {
        match who {
            Who::Anonymous => None,
            Who::Rep => Some(fx.rep.clone()),
            Who::OtherRep => Some(fx.other_rep.clone()),
            Who::Manager => Some(self.team.manager.clone()),
            Who::Marketer => Some(self.team.marketer.clone()),
            Who::Admin => Some(self.team.admin.clone()),
        }
    }

    /// A browser for `who` and its CSRF token (none for an anonymous visitor).
    pub async fn browser(&self, who: Who, fx: &Fixtures) -> (TestApp, Option<String>) {
        let Some(person) = self.person(who, fx) else { return (self.app.new_browser(), None) };
        if let Some((browser, token)) = self.sessions.lock().unwrap().get(&person.id).cloned() {
            return (browser, Some(token));
        }
        // One live session per person, so its token can be read back.
        let mut tx = self.app.db.begin().await.unwrap();
        leadgate::store::users::delete_sessions_of(tx.conn(), &person.email).await.unwrap();
        tx.commit().await.unwrap();
        let browser = self.app.login_as(&person).await;
        let mut conn = self.app.db.read().await.unwrap();
        let token: String = leadgate::on_conn!(conn.conn(), c => sqlx::query_scalar(
            "SELECT csrf_token FROM sessions WHERE user_id = $1").bind(person.id).fetch_one(&mut *c).await)
        .unwrap();
        self.sessions.lock().unwrap().insert(person.id, (browser.clone(), token.clone()));
        (browser, Some(token))
    }

    /// After signing out, the next request as `who` signs in again.
    pub fn forget(&self, who: Who, fx: &Fixtures) {
        if let Some(person) = self.person(who, fx) {
            self.sessions.lock().unwrap().remove(&person.id);
        }
    }

    /// `text` with the placeholders filled in.
    pub async fn fill(&self, text: &str, fx: &Fixtures) -> String {
        let mut filled = text
            .replace("{lead}", &fx.lead)
            .replace("{rep}", &fx.rep.id.to_string())
            .replace("{manager}", &self.team.manager.id.to_string())
            .replace("{form}", &fx.form)
            .replace("{case}", &fx.case)
            .replace("{pool}", &fx.pool)
            .replace("{rule}", &fx.rule)
            .replace("{block}", &fx.block)
            .replace("{token}", &fx.token)
            .replace("{notice}", &fx.notice)
            .replace("{question}", "consent")
            .replace("{number}", "1")
            .replace("{version}", "1")
            .replace("{unique}", &unique())
            .replace("{definition}", &BRANCHING_FORM.replace("slug: qualify", &format!("slug: {}", unique())));
        if filled.contains("{revision}") {
            let form: Uuid = fx.form.parse().unwrap();
            let revision = leadgate::app::drafts::load_draft(&self.ctx, form).await.unwrap().revision;
            filled = filled.replace("{revision}", &revision.to_string());
        }
        filled
    }

    /// What a POST sends, without its CSRF token.
    pub async fn body(&self, route: &Route, fx: &Fixtures) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some((page, css)) = route.form {
            let page = self.fill(page, fx).await;
            let response = self.reader.get(&page).await;
            assert_eq!(response.status(), 200, "GET {page} for the form of POST {}", route.path);
            let html = response.text().await.unwrap();
            pairs = form_fields(&Html::parse_document(&html), css);
        }
        for (name, value) in route.set {
            let value = self.fill(value, fx).await;
            set(&mut pairs, name, &value);
        }
        pairs.retain(|(name, _)| name != "csrf");
        pairs
    }

    /// Sends the route as `browser`, with `csrf` and extra headers.
    pub async fn send(
        &self,
        browser: &TestApp,
        route: &Route,
        fx: &Fixtures,
        csrf: Option<&str>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let url = browser.url(&self.fill(route.path, fx).await);
        let mut request = if route.method == "GET" {
            browser.client.get(url)
        } else {
            let mut pairs = self.body(route, fx).await;
            if let Some(token) = csrf {
                pairs.push(("csrf".into(), token.into()));
            }
            browser.client.post(url).form(&pairs)
        };
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }
}
