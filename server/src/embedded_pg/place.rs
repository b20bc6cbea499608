//! Where the embedded cluster lives and as whom it runs: PostgreSQL's binaries, the account
//! that runs them (root's clusters run as `postgres`), and a data directory that account can
//! reach.

use anyhow::{bail, Context};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The data directory used when none is configured (relative to the working directory).
pub const DEFAULT_DATA_DIR: &str = ".tollgate/pgdata";
/// Where clusters go when, as root, the `postgres` user can't reach the default directory.
pub const FALLBACK_ROOT: &str = "/var/lib/tollgate";

/// The message shown when no PostgreSQL binaries can be found.
pub const NOT_INSTALLED: &str = "PostgreSQL is not installed: no initdb/pg_ctl on PATH or under \
/usr/lib/postgresql/*/bin. Install it (Debian/Ubuntu: `apt-get install postgresql`) or set \
DATABASE_URL to an existing PostgreSQL server.";

/// The directory holding `initdb`, `pg_ctl` and `postgres`: on PATH, else the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn find_binaries() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(dir) = on_path.into_iter().find(|dir| complete(dir)) {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

pub(super) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The unprivileged account the cluster runs as when Tollgate runs as root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub uid: u32,
    pub gid: u32,
}

/// The `postgres` account, which Debian's package creates.
pub fn postgres_account() -> anyhow::Result<Account> {
    let name = std::ffi::CString::new("postgres").context("account name")?;
    // SAFETY: getpwnam reads a static buffer; we copy the two numbers out before anything else
    // could call it again, and check for NULL.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        bail!(
            "there is no `postgres` user to run the embedded PostgreSQL as (install the postgresql package)"
        );
    }
    // SAFETY: checked non-null above.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok(Account { uid, gid })
}

/// Whether `account` may pass through a directory with this mode and owner.
pub fn traversable(mode: u32, owner: u32, group: u32, account: Account) -> bool {
    if owner == account.uid {
        mode & 0o100 != 0
    } else if group == account.gid {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

/// The first directory above `path` (existing ones only) that `account` cannot pass through.
pub fn unreachable_ancestor(path: &Path, account: Account) -> Option<PathBuf> {
    path.ancestors().skip(1).find_map(|dir| {
        let meta = std::fs::metadata(dir).ok()?;
        (!traversable(meta.mode(), meta.uid(), meta.gid(), account)).then(|| dir.to_path_buf())
    })
}

/// The data directory to use when none is configured: `.tollgate/pgdata` under `base` — unless
/// Tollgate runs as root and the `postgres` user can't reach it (a checkout in `/root`, or in a
/// private temporary folder), in which case a directory of its own under `fallback_root`,
/// named after `base`, so each checkout keeps its own data.
pub fn default_data_dir(base: &Path, fallback_root: &Path) -> PathBuf {
    let preferred = base.join(DEFAULT_DATA_DIR);
    if !is_root() {
        return preferred;
    }
    let Ok(account) = postgres_account() else {
        return preferred;
    };
    let Some(blocked) = unreachable_ancestor(&preferred, account) else {
        return preferred;
    };
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    base.hash(&mut hasher);
    let name = base
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("tollgate")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect::<String>();
    let moved = fallback_root
        .join(format!("{name}-{:08x}", hasher.finish() as u32))
        .join("pgdata");
    tracing::info!(
        blocked = %blocked.display(),
        data_dir = %moved.display(),
        "the postgres user can't reach this checkout, so the embedded cluster keeps its data elsewhere"
    );
    moved
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG: Account = Account { uid: 104, gid: 110 };

    #[test]
    fn a_private_directory_of_someone_else_cannot_be_passed() {
        assert!(!traversable(0o700, 0, 0, PG));
        assert!(traversable(0o711, 0, 0, PG));
        assert!(traversable(0o755, 0, 0, PG));
    }

    #[test]
    fn owner_and_group_bits_count_for_the_owner_and_the_group() {
        assert!(traversable(0o700, PG.uid, 0, PG));
        assert!(traversable(0o750, 0, PG.gid, PG));
        assert!(
            !traversable(0o705, 0, PG.gid, PG),
            "the group bits decide for the group"
        );
    }
}
