//! The `leadgate` binary: parse the command line, then serve, migrate or check.

use std::process::ExitCode;

use clap::Parser;
use leadgate::config::{Cli, Command};
use leadgate::engine;
use leadgate::startup::Application;
use leadgate::store::Db;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match cli.raw.parse() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("leadgate: {error}");
            return ExitCode::from(2);
        }
    };
    leadgate::telemetry::init(settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => migrate(&settings.database_url).await,
        Command::Check { file } => return check(&file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("leadgate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: leadgate::config::Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let base = app.base_url().to_string();
    println!("leadgate is running at {base}");
    if let Some(slug) = app.demo_slug() {
        println!("  demo form:   {base}/f/{slug}");
    }
    println!("  health:      {base}/healthz");
    println!("Press Ctrl-C to stop.");
    app.run_until_stopped().await?;
    Ok(())
}

async fn migrate(url: &str) -> anyhow::Result<()> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    println!("migrations applied");
    Ok(())
}

/// Lints a definition file; exit code 1 when it has errors.
fn check(path: &std::path::Path) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("leadgate: cannot read {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let is_json = path.extension().is_some_and(|e| e == "json");
    let parsed = if is_json {
        engine::parse_definition_json(&text)
    } else {
        engine::parse_definition_yaml(&text)
    };
    let definition = match parsed {
        Ok(definition) => definition,
        Err(error) => {
            println!("{}: error: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let findings = engine::lint(&definition);
    for finding in &findings {
        let level = if finding.severity == engine::Severity::Error {
            "error"
        } else {
            "warning"
        };
        println!(
            "{}: {level}: {}: {}",
            path.display(),
            finding.location,
            finding.message
        );
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == engine::Severity::Error)
        .count();
    println!(
        "{} error(s), {} warning(s)",
        errors,
        findings.len() - errors
    );
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
