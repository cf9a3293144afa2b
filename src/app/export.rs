//! CSV exports of leads and responses. Every cell that a spreadsheet could
//! read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return) is prefixed with `'`; cells are quoted when they hold a comma, a
//! quote or a line break (RFC 4180).

use super::analytics::{ReportQuery, window};
use super::{AppError, Context};
use crate::store::lead_queries::LeadFilter;
use crate::store::{self};

/// One cell, neutralised and quoted as needed.
pub fn cell(value: &str) -> String {
    let neutral =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if neutral.contains([',', '"', '\n', '\r']) { format!("\"{}\"", neutral.replace('"', "\"\"")) } else { neutral }
}

/// One CSV line (CRLF-terminated).
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut text = cells.iter().map(|c| cell(c.as_ref())).collect::<Vec<_>>().join(",");
    text.push_str("\r\n");
    text
}

const LEAD_FIELDS: [&str; 6] = ["email", "first_name", "last_name", "company", "job_title", "country"];
const UTM: [&str; 3] = ["utm_source", "utm_medium", "utm_campaign"];

/// Leads of the form created in the query's range, newest first.
pub async fn leads_csv(ctx: &Context, query: &ReportQuery) -> Result<String, AppError> {
    let form = form_id(ctx, &query.slug).await?;
    let w = window(form, query);
    let mut out = String::new();
    let mut header: Vec<&str> = vec!["id", "created_at"];
    header.extend(LEAD_FIELDS);
    header.extend(["outcome", "tier", "fit", "intent", "status", "assigned_to", "pool"]);
    header.extend(UTM);
    header.extend(["verdict_reason", "deal_status", "deal_value", "deal_currency"]);
    out.push_str(&line(&header));
    let mut filter =
        LeadFilter { form_id: Some(form), created_from: Some(w.from), created_to: Some(w.to), ..Default::default() };
    let mut written = 0;
    loop {
        let mut conn = ctx.db.read().await?;
        let page = store::lead_queries::list_leads_filtered(conn.conn(), &filter, 1000).await?;
        drop(conn);
        for row in &page {
            let l = &row.lead;
            let mut cells = vec![l.id.to_string(), l.created_at.to_rfc3339()];
            cells.extend(LEAD_FIELDS.iter().map(|f| l.fields.0.get(*f).cloned().unwrap_or_default()));
            cells.extend([
                l.outcome_id.clone(),
                l.tier.clone(),
                l.fit.to_string(),
                l.intent.to_string(),
                l.status.clone(),
                l.assignee_name.clone().unwrap_or_default(),
                l.pool.clone().unwrap_or_default(),
            ]);
            cells.extend(UTM.iter().map(|k| l.hidden.0.get(*k).cloned().unwrap_or_default()));
            cells.extend([
                l.verdict_reason.clone().unwrap_or_default(),
                row.deal_status.clone().unwrap_or_default(),
                row.deal_value_cents.map(super::deals::format_cents).unwrap_or_default(),
                row.deal_currency.clone().unwrap_or_default(),
            ]);
            out.push_str(&line(&cells));
        }
        written += page.len();
        match page.last() {
            Some(last) if page.len() == 1000 && (written as i64) < store::analytics::MAX_ROWS => {
                filter.before = Some(last.lead.id)
            }
            _ => break,
        }
    }
    Ok(out)
}

/// Responses started in the query's range (bots marked), with one column
/// per question of the shown version.
pub async fn responses_csv(ctx: &Context, query: &ReportQuery) -> Result<String, AppError> {
    let form = form_id(ctx, &query.slug).await?;
    let rows = {
        let mut conn = ctx.db.read().await?;
        store::analytics::list_responses(conn.conn(), window(form, query)).await?
    };
    let version = match query.version {
        Some(v) => v,
        None => rows.iter().map(|r| r.version).max().unwrap_or(1),
    };
    let questions: Vec<String> = match ctx.forms.version(&ctx.db, form, version).await {
        Ok(f) => f.definition().questions.iter().map(|q| q.id.clone()).collect(),
        Err(_) => Vec::new(),
    };
    let mut header: Vec<String> =
        ["id", "version", "status", "is_bot", "started_at", "finished_at", "outcome", "running_outcome", "stopped_at"]
            .map(String::from)
            .to_vec();
    header.extend(UTM.map(String::from));
    header.extend(questions.iter().cloned());
    let mut out = line(&header);
    for r in &rows {
        let mut cells = vec![
            r.id.to_string(),
            r.version.to_string(),
            r.status.clone(),
            r.is_bot.to_string(),
            r.started_at.to_rfc3339(),
            r.finished_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.outcome_id.clone().unwrap_or_default(),
            r.running_outcome.clone().unwrap_or_default(),
            if r.status == "in_progress" { r.current_question.clone().unwrap_or_default() } else { String::new() },
        ];
        cells.extend(UTM.iter().map(|k| r.hidden.0.get(*k).cloned().unwrap_or_default()));
        cells.extend(questions.iter().map(|q| r.answers.0.get(q).and_then(|a| a.display_text()).unwrap_or_default()));
        out.push_str(&line(&cells));
    }
    Ok(out)
}

async fn form_id(ctx: &Context, slug: &str) -> Result<uuid::Uuid, AppError> {
    let mut conn = ctx.db.read().await?;
    let form = store::form_queries::find_form_by_slug(conn.conn(), slug).await?;
    form.map(|f| f.id).ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+1 555"), "'+1 555");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tcmd"), "'\tcmd");
        assert_eq!(cell("\rcmd"), "\"'\rcmd\"");
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn cells_with_commas_quotes_or_line_breaks_are_quoted() {
        assert_eq!(cell("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
