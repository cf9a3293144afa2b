//! Helpers for the draft tools: a form's id, setting its draft as the
//! editor would save it, counting rows, and posting preview steps.

use leadgate::store::Db;
use scraper::{Html, Selector};
use uuid::Uuid;

use crate::helpers::TestApp;

/// The id of the form at `slug`.
pub async fn form_id(app: &TestApp, slug: &str) -> Uuid {
    let mut conn = app.db.read().await.unwrap();
    let forms = leadgate::store::forms::list_forms(conn.conn()).await.unwrap();
    forms.into_iter().find(|f| f.slug == slug).expect("the form exists").id
}

/// Replaces the form's draft, bumping its revision, as a saved edit would.
pub async fn set_draft(app: &TestApp, form_id: Uuid, yaml: &str) {
    let definition = leadgate::engine::parse_definition_yaml(yaml).expect("draft fixture parses");
    let json = sqlx::types::Json(&definition);
    let sql = "UPDATE forms SET draft = $2, draft_revision = draft_revision + 1 WHERE id = $1";
    let mut tx = app.db.begin().await.unwrap();
    let changed = leadgate::on_conn!(tx.conn(), c => sqlx::query(sql)
        .bind(form_id)
        .bind(json)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(changed, 1);
}

/// Rows in `table` (a fixed name from the test itself).
pub async fn count_rows(app: &TestApp, table: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    match &app.db {
        Db::Sqlite { reader, .. } => sqlx::query_scalar::<_, i64>(sql).fetch_one(reader).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap(),
    }
}

/// The id of the pool named `name`.
pub async fn pool_id(app: &TestApp, name: &str) -> Uuid {
    let mut conn = app.db.read().await.unwrap();
    let pools = leadgate::store::routing_admin::list_pool_ids(conn.conn()).await.unwrap();
    pools.into_iter().find(|(_, n)| n == name).expect("the pool exists").0
}

/// Every element's trimmed text for a CSS selector.
pub fn texts(page: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector)
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// An attribute of every element matching a CSS selector.
pub fn attrs(page: &Html, css: &str, attr: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    page.select(&selector).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
}
