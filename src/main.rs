//! The `leadgate` binary: parse the command line, then serve, migrate or check.

use std::process::ExitCode;

use clap::Parser;
use leadgate::app::auth::{self, Role};
use leadgate::config::{Cli, Command, TokenCommand, UserCommand};
use leadgate::engine;
use leadgate::startup::Application;
use leadgate::store::Db;

#[tokio::main]
async fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    let cli = Cli::parse();
    let settings = match cli.raw.parse() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("leadgate: {error}");
            return ExitCode::from(2);
        }
    };
    let _logs = leadgate::telemetry::init(settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => migrate(&settings.database_url).await,
        Command::Check { file } => return check(&file),
        Command::User(command) => user(&settings.database_url, command).await,
        Command::Token(command) => token(&settings, command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("leadgate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// glibc raises its mmap threshold each time a large block is freed, so the
/// 19 MiB work area of every argon2 hash (each sign-in, each demo account)
/// then stays in the heap for good: idle RSS was 132 MB after the demo's
/// seven hashes instead of 18 MB. A fixed threshold gives them back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only changes glibc's allocator settings and is thread-safe.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

async fn serve(settings: leadgate::config::Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let base = app.base_url().to_string();
    println!("leadgate is running at {base}");
    if let Some(demo) = app.demo() {
        println!("  demo form:   {base}/f/{}", demo.slug);
        if !demo.logins.is_empty() {
            println!(
                "  rep inbox:   {base}/inbox   (password for every demo account: {})",
                leadgate::app::demo::DEMO_PASSWORD
            );
            for (role, email) in &demo.logins {
                println!("    {role:<9} {email}");
            }
        }
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

/// `leadgate user add|reset`: the password comes from LEADGATE_USER_PASSWORD
/// or is generated and printed once.
async fn user(url: &str, command: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let (password, generated) = match std::env::var("LEADGATE_USER_PASSWORD") {
        Ok(password) => (password, false),
        Err(_) => (auth::generate_password(), true),
    };
    let email = match command {
        UserCommand::Add { role, name, email } => {
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role: admin, marketer, manager or rep (got {role:?})"))?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            auth::add_user(&db, &email, &name, role, &password).await.map_err(describe)?;
            println!("added {email} as {}", role.as_str());
            email
        }
        UserCommand::Reset { email } => {
            auth::reset_password(&db, &email, &password).await.map_err(describe)?;
            println!("password reset for {email}; their sessions have ended");
            email
        }
    };
    if generated {
        println!("password for {email}: {password}");
    }
    Ok(())
}

/// `leadgate token add`: the token goes alone to standard output, so a
/// script can capture it; what it is goes to standard error.
async fn token(settings: &leadgate::config::Settings, command: TokenCommand) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let TokenCommand::Add { admin, scopes, name } = command;
    let ctx = leadgate::app::Context::new(db, leadgate::app::clock::Clock::System, String::new(), false);
    let scopes: Vec<String> = scopes.split(',').map(str::to_string).collect();
    let token = leadgate::app::tokens::create_token_for_admin(&ctx, &admin, &name, &scopes).await.map_err(describe)?;
    eprintln!("API token {name:?} for {admin} (shown once; send it as `Authorization: Bearer …`):");
    println!("{token}");
    Ok(())
}

fn describe(error: leadgate::app::AppError) -> anyhow::Error {
    match error {
        leadgate::app::AppError::Invalid(errors) => {
            anyhow::anyhow!(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "))
        }
        leadgate::app::AppError::Conflict(what) => anyhow::anyhow!(what),
        leadgate::app::AppError::NotFound => anyhow::anyhow!("no such user"),
        other => other.into(),
    }
}

/// Lints a definition file; exit code 1 when it has errors.
fn check(path: &std::path::Path) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::InvalidData => {
            println!("{}: error: the file is not valid UTF-8 text; save it as UTF-8", path.display());
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("leadgate: cannot read {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let is_json = path.extension().is_some_and(|e| e == "json");
    let parsed = if is_json { engine::parse_definition_json(&text) } else { engine::parse_definition_yaml(&text) };
    let definition = match parsed {
        Ok(definition) => definition,
        Err(error) => {
            println!("{}: error: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let findings = engine::lint(&definition);
    for finding in &findings {
        let level = if finding.severity == engine::Severity::Error { "error" } else { "warning" };
        println!("{}: {level}: {}: {}", path.display(), finding.location, finding.message);
    }
    let errors = findings.iter().filter(|f| f.severity == engine::Severity::Error).count();
    println!("{} error(s), {} warning(s)", errors, findings.len() - errors);
    if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
