//! Password hashing with argon2id, off the async runtime.

use crate::error::AppError;
use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// A password as typed. Its `Debug` never shows it, so it cannot leak into a log.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(password: String) -> Self {
        Self(password)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's recommended minimum).
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

/// How long a password check waits for a free slot before the caller is told to try again.
const WAIT_FOR_SLOT: Duration = Duration::from_secs(5);

/// At most one argon2 computation per core runs at a time. Each holds 19 MiB while it runs,
/// so a flood of sign-ins queues here (in order) instead of growing memory and starving
/// every other request of CPU.
fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Semaphore::new(cores)
    })
}

/// Runs one argon2 computation off the async runtime, in a free slot.
async fn in_slot<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    let _slot = match tokio::time::timeout(WAIT_FOR_SLOT, slots().acquire()).await {
        Ok(slot) => slot.context("the hashing slots were closed")?,
        Err(_) => {
            tracing::warn!("every password-hashing slot stayed busy: asking the client to retry");
            return Err(AppError::Busy);
        }
    };
    let result = tokio::task::spawn_blocking(work)
        .await
        .context("joining the hashing task")??;
    Ok(result)
}

/// Hashes a new password (PHC string with its salt and parameters).
pub async fn hash(password: Password) -> Result<String, AppError> {
    in_slot(move || hash_blocking(password.expose())).await
}

/// A hash of a random password, verified against when the account does not exist so that
/// unknown emails take as long as wrong passwords.
fn dummy_hash() -> anyhow::Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_blocking("not a real password, only spends the same time")?;
    Ok(DUMMY.get_or_init(|| hash))
}

fn verify_blocking(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let (stored, real) = match stored {
        Some(stored) => (stored, true),
        None => (dummy_hash()?, false),
    };
    let parsed = PasswordHash::new(stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let matches = hasher()?.verify_password(password.as_bytes(), &parsed).is_ok();
    Ok(real && matches)
}

/// Whether `password` matches `stored`; with no stored hash, spends the same time and says no.
pub async fn verify(password: Password, stored: Option<String>) -> Result<bool, AppError> {
    in_slot(move || verify_blocking(password.expose(), stored.as_deref())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let hash = hash(Password::new("correct horse battery".into())).await.unwrap();
        assert!(
            verify(Password::new("correct horse battery".into()), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify(Password::new("correct horse battery!".into()), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_agreed_cost_and_a_fresh_salt() {
        let a = hash(Password::new("same password here".into())).await.unwrap();
        let b = hash(Password::new("same password here".into())).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn a_missing_account_never_verifies() {
        let matches = verify(
            Password::new("not a real password, only spends the same time".into()),
            None,
        )
        .await
        .unwrap();
        assert!(!matches);
    }

    #[test]
    fn debug_output_hides_the_password() {
        let shown = format!("{:?}", Password::new("hunter2hunter2".into()));
        assert!(!shown.contains("hunter2"));
    }
}
