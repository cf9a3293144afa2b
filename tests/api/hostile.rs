//! Hostile input over HTTP and through the definition importers: a clear
//! 4xx page or message, never a 500 or a panic.

use scraper::Html;

use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app, text_of};

const NUMBERS_FORM: &str = r#"
slug: numbers
title: Numbers
questions:
  - { id: seats, kind: number, label: Seats, required: true, validation: { min: 1, max: 100000 } }
  - { id: name, kind: short_text, label: Name, required: true }
outcomes:
  - { id: all, tier: All, ending: { title: Thanks, message: Bye }, handoff: nurture }
settings:
  min_seconds_before_first_answer: 0
"#;

/// The status and the error page's heading.
async fn page_of(response: reqwest::Response) -> (u16, Option<String>, String) {
    let status = response.status().as_u16();
    let is_html = response.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    let heading = if is_html { text_of(&Html::parse_document(&body), "h1") } else { None };
    (status, heading, body)
}

#[tokio::test]
async fn an_oversized_body_gets_a_413_page_that_says_what_to_do() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    let huge = format!("question=company_size&answer={}", "a".repeat(300 * 1024));
    for (url, chunked) in [(app.url(&path), false), (app.url("/f/qualify"), true), (app.url("/login"), false)] {
        let request = app.client.post(&url).header("content-type", "application/x-www-form-urlencoded");
        let request = if chunked {
            let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(huge.clone().into_bytes())]);
            request.body(reqwest::Body::wrap_stream(stream))
        } else {
            request.body(huge.clone())
        };
        let (status, heading, body) = page_of(request.send().await.unwrap()).await;
        assert_eq!(status, 413, "{url}");
        assert_eq!(heading.as_deref(), Some("Too much at once"), "{url}: {body}");
        assert!(body.contains("256 KB"));
    }
}

#[tokio::test]
async fn malformed_utf8_in_the_path_query_or_body_is_a_4xx_page_naming_the_problem() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    for url in ["/f/%FF%FE", "/f/qualify/r/%C0%AF", "/static/%FF"] {
        let (status, heading, _) = page_of(app.new_browser().get(url).await).await;
        assert!((400..500).contains(&status), "{url}: {status}");
        assert!(heading.is_some(), "{url} is a page");
    }
    // Query strings are read leniently (bad bytes replaced): a UTM label or a
    // step name that is not UTF-8 changes nothing that matters.
    for url in ["/f/qualify?utm_source=%FF".to_string(), format!("{path}?step=%FF")] {
        assert_eq!(app.new_browser().get(&url).await.status(), 200, "{url}");
    }
    let bad_body = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"question=company_size&answer=caf\xe9".to_vec())
        .send()
        .await
        .unwrap();
    let (status, _, body) = page_of(bad_body).await;
    assert_eq!(status, 422);
    assert!(body.contains("not valid UTF-8"), "the page names the problem");
}

#[tokio::test]
async fn huge_odd_and_non_numbers_are_refused_beside_the_field() {
    let app = spawn_app().await;
    app.publish_form(NUMBERS_FORM).await;
    for value in ["1e999", "-1e999", "NaN", "inf", "99999999999999999999999", "0x10", "1,5", "١٢", "0", "100001"] {
        let response = app.new_browser().start_form_raw("numbers", "", &[value], &[]).await;
        let (status, _, body) = page_of(response).await;
        assert_eq!(status, 422, "{value}");
        let page = Html::parse_document(&body);
        assert!(text_of(&page, ".field-error").is_some_and(|m| !m.is_empty()), "{value}: a message beside the field");
    }
    assert_eq!(app.start_form_raw("numbers", "", &["1e3"], &[]).await.status(), 303, "1e3 is a fine number");
}

#[tokio::test]
async fn unknown_and_repeated_fields_in_a_post_are_ignored_or_refused_clearly() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    let extra = [("question", "company_size"), ("answer", "large"), ("role", "admin"), ("lead_id", "1")];
    assert_eq!(app.post_form(&path, &extra).await.status(), 303, "unknown fields are ignored");
    let twice = [("question", "procurement"), ("answer", "yes"), ("answer", "no")];
    assert_eq!(app.post_form(&path, &twice).await.status(), 422, "two answers to a single choice");
    let two_questions = [("question", "procurement"), ("question", "budget"), ("answer", "yes")];
    assert_eq!(app.post_form(&path, &two_questions).await.status(), 303, "the first question named counts");
    for (question, status) in [("nope", 409), ("", 409), ("finish", 409), ("budget", 409)] {
        let response = app.post_form(&path, &[("question", question), ("answer", "x")]).await;
        assert_eq!(response.status().as_u16(), status, "question {question:?}");
    }
    let no_form = app.client.post(app.url(&path)).body("%%%&&&===").send().await.unwrap();
    assert!(no_form.status().is_client_error(), "{}", no_form.status());
}

fn corpus(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus/definitions").join(name)
}

#[tokio::test]
async fn leadgate_check_refuses_every_hostile_corpus_definition_with_a_message_and_never_panics() {
    let dir = std::fs::read_dir(corpus("")).unwrap();
    let mut checked = 0;
    for entry in dir {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let output =
            std::process::Command::new(env!("CARGO_BIN_EXE_leadgate")).arg("check").arg(&path).output().unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!said.contains("panicked"), "{name}: {said}");
        let code = output.status.code().expect("an exit code, not a signal");
        if name.starts_with("ok-") {
            assert_eq!(code, 0, "{name}: {said}");
        } else {
            assert!(code == 1 || code == 2, "{name} exits 1 or 2, got {code}: {said}");
            assert!(said.contains("error") || said.contains("not valid UTF-8"), "{name}: {said}");
        }
        checked += 1;
    }
    assert!(checked >= 15);
}

#[tokio::test]
async fn importing_deeply_nested_or_broken_definitions_is_refused_with_the_reason() {
    let app: TestApp = spawn_app().await;
    let text = std::fs::read_to_string(corpus("err-nesting-40-levels.json")).unwrap();
    let definition =
        leadgate::engine::parse_definition_json(&text).expect("parses: 40 levels is within the parser's limit");
    let refused = leadgate::app::forms::create_published_form(&app.db, &definition, chrono::Utc::now()).await;
    match refused {
        Err(leadgate::app::AppError::Invalid(errors)) => {
            assert!(errors.iter().any(|e| e.message.contains("41 levels deep")), "{errors:?}")
        }
        other => panic!("expected a refusal naming the depth, got {other:?}"),
    }
    for name in ["err-nesting-200-levels.json", "err-duplicate-key.json", "err-wrong-types.json"] {
        let text = std::fs::read_to_string(corpus(name)).unwrap();
        let error = leadgate::engine::parse_definition_json(&text).expect_err(name);
        assert!(!error.message.is_empty(), "{name}");
    }
    let laughs = std::fs::read_to_string(corpus("err-billion-laughs.yaml")).unwrap();
    let started = std::time::Instant::now();
    assert!(leadgate::engine::parse_definition_yaml(&laughs).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "no exponential alias expansion");
    let mut conn = app.db.read().await.unwrap();
    assert!(leadgate::store::forms::list_forms(conn.conn()).await.unwrap().is_empty(), "nothing was stored");
}
