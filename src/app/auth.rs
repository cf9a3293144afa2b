//! People and sign-in: roles, password hashing (argon2id), sessions.
//!
//! A session token is random; only its SHA-256 is stored, so a leaked
//! database does not leak live sessions. Each session has its own CSRF token.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::AppError;
use crate::store::users::{NewUser, SessionRecord};
use crate::store::{self, Db};

/// How long a sign-in lasts.
pub const SESSION_HOURS: i64 = 12;

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Marketer,
    Manager,
    Rep,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "marketer" => Some(Role::Marketer),
            "manager" => Some(Role::Manager),
            "rep" => Some(Role::Rep),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Marketer => "marketer",
            Role::Manager => "manager",
            Role::Rep => "rep",
        }
    }

    /// Managers and admins see every lead and may reassign.
    pub fn sees_all_leads(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

/// The signed-in person of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub csrf_token: String,
}

/// A new session: the cookie value and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub user: CurrentUser,
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// A random password for new accounts (printed once by the CLI).
pub fn generate_password() -> String {
    random_hex(12)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A person to add, checked field by field.
#[derive(validator::Validate)]
struct NewPerson<'a> {
    #[validate(email(message = "Enter an email address like name@company.com."))]
    email: &'a str,
    #[validate(length(min = 1, max = 100, message = "The name needs 1 to 100 characters."))]
    name: &'a str,
    #[validate(length(min = 10, max = 200, message = "The password needs at least 10 characters."))]
    password: &'a str,
}

/// Creates a user. Passwords must have at least 10 characters.
pub async fn add_user(db: &Db, email: &str, name: &str, role: Role, password: &str) -> Result<Uuid, AppError> {
    let email = email.trim().to_lowercase();
    let name = name.trim();
    validator::Validate::validate(&NewPerson { email: &email, name, password })?;
    let hash = hash_blocking(password.to_string()).await?;
    let id = Uuid::now_v7();
    let mut tx = db.begin().await?;
    let user = NewUser { id, email: &email, name, role: role.as_str(), password_hash: &hash, now: Utc::now() };
    store::users::insert_user(tx.conn(), user).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets a new password and ends the user's sessions.
pub async fn reset_password(db: &Db, email: &str, password: &str) -> Result<(), AppError> {
    let email = email.trim().to_lowercase();
    let person = NewPerson { email: &email, name: "-", password };
    validator::Validate::validate(&person)?;
    let hash = hash_blocking(password.to_string()).await?;
    let mut tx = db.begin().await?;
    store::users::update_password(tx.conn(), &email, &hash).await?;
    store::users::delete_sessions_of(tx.conn(), &email).await?;
    tx.commit().await?;
    Ok(())
}

async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|e| AppError::Internal(e.into()))?
}

/// Checks the password and opens a new session (a fresh token every time,
/// so a session id planted before sign-in is never promoted).
pub async fn log_in(db: &Db, email: &str, password: &str, now: DateTime<Utc>) -> Result<NewSession, AppError> {
    let email = email.trim().to_lowercase();
    let user = {
        let mut conn = db.read().await?;
        store::users::find_user_by_email(conn.conn(), &email).await?
    };
    let wrong = || AppError::invalid("password", "The email or the password is wrong.");
    // Verify against a fixed hash for unknown users so timing reveals nothing.
    let stored = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_string());
    let password = password.to_string();
    let valid = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let user = user.filter(|u| valid && u.active).ok_or_else(wrong)?;
    let role =
        Role::parse(&user.role).ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown role {}", user.role)))?;
    let token = random_hex(32);
    let csrf_token = random_hex(32);
    let mut tx = db.begin().await?;
    let expires = now + Duration::hours(SESSION_HOURS);
    store::users::insert_session(tx.conn(), &token_hash(&token), user.id, &csrf_token, now, expires).await?;
    tx.commit().await?;
    let current = CurrentUser { id: user.id, email: user.email, name: user.name, role, csrf_token };
    Ok(NewSession { token, user: current })
}

/// The signed-in user for a session token, if the session is live.
pub async fn current_user(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<CurrentUser>, AppError> {
    let session = {
        let mut conn = db.read().await?;
        store::users::find_session(conn.conn(), &token_hash(token), now).await?
    };
    Ok(session.and_then(to_current_user))
}

fn to_current_user(session: SessionRecord) -> Option<CurrentUser> {
    Some(CurrentUser {
        id: session.user_id,
        role: Role::parse(&session.role)?,
        email: session.email,
        name: session.name,
        csrf_token: session.csrf_token,
    })
}

/// Ends the session.
pub async fn log_out(db: &Db, token: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    store::users::delete_session(tx.conn(), &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// An argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zl5wQ2x5b1FlU3ZnTGpJd2d0d0RnQ2x5b1FlU3ZnTGo";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", DUMMY_HASH));
    }
}
