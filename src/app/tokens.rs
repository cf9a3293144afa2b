//! API tokens: created and revoked by admins, shown once, stored as a
//! SHA-256 hash. A token acts for the admin who created it, with their
//! name in histories, and only while that person is still an active
//! admin: a creator who is deactivated or given another role takes the
//! token's powers with them (the token itself stays listed, to revoke).

use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::auth::{CurrentUser, Role};
use super::{AppError, Context};
use crate::store::{self, api_tokens::NewToken, api_tokens::TokenRecord};

/// Every token starts with this, so leaked tokens are easy to scan for.
pub const TOKEN_PREFIX: &str = "lg_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// GET requests, lint.
    Read,
    /// Everything that changes something.
    Write,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    fn parse(text: &str) -> Option<Scope> {
        match text.trim() {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            _ => None,
        }
    }
}

/// The caller of an API request, from its token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: Uuid,
    pub scopes: Vec<Scope>,
    /// Acts as the admin who created the token (histories name both).
    pub user: CurrentUser,
}

impl ApiCaller {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token; returns its id and the token (shown once, never stored).
pub async fn create_token(
    ctx: &Context,
    admin: &CurrentUser,
    name: &str,
    scopes: &[String],
) -> Result<(Uuid, String), AppError> {
    if admin.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("name", "Give the token a name of 1 to 100 characters, such as \"CRM sync\"."));
    }
    let parsed: Option<Vec<Scope>> = scopes.iter().map(|s| Scope::parse(s)).collect();
    let scopes =
        parsed.filter(|s| !s.is_empty()).ok_or_else(|| AppError::invalid("scopes", "Tick read, write or both."))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let id = Uuid::now_v7();
    let scope_text = scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
    let mut tx = ctx.db.begin().await?;
    let new = NewToken {
        id,
        name,
        token_hash: &hash(&token),
        prefix: &token[..TOKEN_PREFIX.len() + 6],
        scopes: &scope_text,
        created_by: admin.id,
        now: ctx.clock.now(),
    };
    store::api_tokens::insert_token(tx.conn(), new).await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Creates a token for the active admin with this email (the command line's
/// way in, where nobody is signed in).
pub async fn create_token_for_admin(
    ctx: &Context,
    admin_email: &str,
    name: &str,
    scopes: &[String],
) -> Result<String, AppError> {
    let email = admin_email.trim().to_lowercase();
    let record = {
        let mut conn = ctx.db.read().await?;
        store::users::find_user_by_email(conn.conn(), &email).await?
    };
    let admin = record
        .filter(|user| user.active && user.role == Role::Admin.as_str())
        .ok_or_else(|| AppError::invalid("admin", format!("{email} is not an active admin; give the email of one.")))?;
    let admin = CurrentUser {
        id: admin.id,
        email: admin.email,
        name: admin.name,
        role: Role::Admin,
        csrf_token: String::new(),
    };
    let (_, token) = create_token(ctx, &admin, name, scopes).await?;
    Ok(token)
}

pub async fn list_tokens(ctx: &Context) -> Result<Vec<TokenRecord>, AppError> {
    let mut conn = ctx.db.read().await?;
    Ok(store::api_tokens::list_tokens(conn.conn()).await?)
}

pub async fn revoke_token(ctx: &Context, admin: &CurrentUser, id: Uuid) -> Result<(), AppError> {
    if admin.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut tx = ctx.db.begin().await?;
    store::api_tokens::update_revoked(tx.conn(), id, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// What a presented token amounts to.
#[derive(Debug, Clone)]
pub enum Authentication {
    /// A live token of an active admin.
    Caller(ApiCaller),
    /// Unknown, revoked, or its creator is deactivated.
    Unknown,
    /// The token's creator is no longer an admin (their role now).
    CreatorNotAdmin(Role),
}

/// Checks a presented token.
pub async fn authenticate(ctx: &Context, token: &str) -> Result<Authentication, AppError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(Authentication::Unknown);
    }
    let record = {
        let mut conn = ctx.db.read().await?;
        store::api_tokens::find_live_token(conn.conn(), &hash(token)).await?
    };
    let Some(record) = record else { return Ok(Authentication::Unknown) };
    let role = Role::parse(&record.creator_role)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown role {}", record.creator_role)))?;
    if role != Role::Admin {
        return Ok(Authentication::CreatorNotAdmin(role));
    }
    let now = ctx.clock.now();
    if record.last_used_at.is_none_or(|t| now - t >= chrono::Duration::minutes(1)) {
        let mut tx = ctx.db.begin().await?;
        store::api_tokens::update_last_used(tx.conn(), record.id, now).await?;
        tx.commit().await?;
    }
    Ok(Authentication::Caller(ApiCaller {
        token_id: record.id,
        scopes: record.scopes.split(',').filter_map(Scope::parse).collect(),
        user: CurrentUser {
            id: record.created_by,
            email: String::new(),
            name: format!("{} (API token {})", record.creator_name, record.name),
            role,
            csrf_token: String::new(),
        },
    }))
}
