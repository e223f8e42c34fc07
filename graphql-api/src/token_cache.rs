//! Recently authenticated tokens, so a busy client does not cost a token lookup per request.
//!
//! Revocation and the cache: a token may be revoked by another process (the CLI) that cannot
//! reach this cache, so an entry is only trusted for [`TOKEN_CACHE_TTL`], counted from the
//! moment *before* the lookup that filled it was sent. Any lookup that could still have seen
//! a token as valid was sent before its revocation committed, so its entry expires within
//! [`TOKEN_CACHE_TTL`] of the commit; `revoke_token` waits that long before it returns. Hence
//! the promise to operators: once `revoke` has returned, the token authenticates nothing, in
//! every server process. Only successes are cached: a new token works at once, and an unknown
//! secret is looked up every time (as before).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hrledger_commands::Actor;

/// How long a successful lookup is trusted (and how long `revoke_token` waits).
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);

/// Above this many entries, expired ones are dropped on the next insert. Only valid tokens
/// are ever cached, so the map is bounded by the token table anyway.
const PRUNE_ABOVE: usize = 1024;

/// SHA-256 of a presented secret: the key the token table is searched by.
pub type SecretHash = [u8; 32];

struct Entry {
    actor: Actor,
    expires: Instant,
}

/// Shared by every clone of a `TokenDb`.
#[derive(Clone, Default)]
pub struct TokenCache {
    entries: Arc<Mutex<HashMap<SecretHash, Entry>>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("entries", &self.lock().len())
            .finish()
    }
}

impl TokenCache {
    /// The actor of a secret looked up less than [`TOKEN_CACHE_TTL`] ago.
    pub fn get(&self, hash: &SecretHash) -> Option<Actor> {
        let entries = self.lock();
        let entry = entries.get(hash)?;
        (Instant::now() < entry.expires).then(|| entry.actor.clone())
    }

    /// Remembers a successful lookup that was sent at `asked`.
    pub fn insert(&self, hash: SecretHash, actor: Actor, asked: Instant) {
        let mut entries = self.lock();
        if entries.len() >= PRUNE_ABOVE {
            let now = Instant::now();
            entries.retain(|_, e| e.expires > now);
        }
        let expires = asked + TOKEN_CACHE_TTL;
        entries.insert(hash, Entry { actor, expires });
    }

    /// Forgets the token of `name` at once (a revocation made through this process).
    pub fn forget(&self, name: &str) {
        self.lock().retain(|_, e| e.actor.name != name);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SecretHash, Entry>> {
        // The map stays consistent whatever a panicking holder did: every operation on it is
        // a single insert, lookup or retain.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use hrledger_commands::Role;

    use super::*;

    fn payroll() -> Actor {
        Actor::new("payroll-sync", Role::Payroll)
    }

    #[test]
    fn an_entry_is_trusted_until_its_lookup_is_a_ttl_old() {
        let cache = TokenCache::default();
        cache.insert([1; 32], payroll(), Instant::now());
        assert_eq!(cache.get(&[1; 32]), Some(payroll()));
        assert_eq!(cache.get(&[2; 32]), None, "another secret");

        let long_ago = Instant::now() - TOKEN_CACHE_TTL;
        cache.insert([3; 32], payroll(), long_ago);
        assert_eq!(
            cache.get(&[3; 32]),
            None,
            "expired when the lookup is a TTL old"
        );
    }

    #[test]
    fn forgetting_a_name_drops_its_entries() {
        let cache = TokenCache::default();
        cache.insert([1; 32], payroll(), Instant::now());
        cache.insert(
            [2; 32],
            Actor::new("adviser", Role::HrAdviser),
            Instant::now(),
        );
        cache.forget("payroll-sync");
        assert_eq!(cache.get(&[1; 32]), None);
        assert!(cache.get(&[2; 32]).is_some());
    }

    #[test]
    fn expired_entries_are_pruned_when_the_map_is_large() {
        let cache = TokenCache::default();
        let long_ago = Instant::now() - TOKEN_CACHE_TTL;
        for i in 0..PRUNE_ABOVE {
            let mut hash = [0; 32];
            hash[..8].copy_from_slice(&(i as u64).to_le_bytes());
            cache.insert(hash, payroll(), long_ago);
        }
        cache.insert([0xff; 32], payroll(), Instant::now());
        assert_eq!(cache.lock().len(), 1);
    }
}
