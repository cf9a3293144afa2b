//! Responses in progress, kept in memory with their evaluation, so that
//! showing a step (a reload, the page after a plain browser's answer, the
//! htmx swap after an answer) does not read the database and evaluate the
//! form again.
//!
//! On SQLite a copy is used as it is ([`HotUse::Trusted`]): one process
//! owns the file, so every change passes through this process. With
//! PostgreSQL other instances change responses too, so a copy is used only
//! once checked against the stored revision ([`HotUse::Checked`]): a page
//! reads the revision alone and is drawn from the copy when it is still
//! current, and an answer's write applies only while the response has the
//! copy's revision (an outdated copy writes nothing, and the answer is
//! taken again on the locked row).
//!
//! A copy is never newer than what is stored and never replaces a newer
//! one: every change of a response raises its `revision` in the same
//! statement, and [`HotResponses::offer`] keeps whichever copy has the
//! higher revision. A writer offers its copy only after its commit, so
//! nothing here was not durable first; a writer with no copy to offer
//! (the abandoned-response handoff) [`HotResponses::forget`]s it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::engine::Evaluation;
use crate::store::responses::ResponseRecord;

/// How many responses are kept; the oldest copies leave first.
const CAPACITY: usize = 4096;

/// A response as stored and the engine's evaluation of it.
#[derive(Debug)]
pub struct HotResponse {
    pub record: ResponseRecord,
    pub evaluation: Evaluation,
}

/// How far the kept copies may be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotUse {
    /// As they are (SQLite: every change passes through this process).
    Trusted,
    /// Once checked against the stored revision (PostgreSQL).
    Checked,
}

/// The kept responses.
#[derive(Clone)]
pub struct HotResponses {
    inner: Arc<Mutex<Kept>>,
    use_for: HotUse,
}

#[derive(Default)]
struct Kept {
    by_id: HashMap<Uuid, (Arc<HotResponse>, u64)>,
    /// Insertion order (a counter) → id, for evicting the oldest.
    order: BTreeMap<u64, Uuid>,
    next: u64,
}

impl HotResponses {
    pub fn new(use_for: HotUse) -> HotResponses {
        HotResponses { inner: Arc::default(), use_for }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.inner.lock().expect("hot responses lock")
    }

    /// The kept copy of a response, to use as it is (SQLite only).
    pub fn get(&self, id: Uuid) -> Option<Arc<HotResponse>> {
        match self.use_for {
            HotUse::Trusted => self.get_to_check(id),
            HotUse::Checked => None,
        }
    }

    /// The kept copy of a response, which on PostgreSQL may be outdated:
    /// use it only after checking its revision against the stored one.
    pub fn get_to_check(&self, id: Uuid) -> Option<Arc<HotResponse>> {
        self.kept().by_id.get(&id).map(|(hot, _)| hot.clone())
    }

    /// Keeps `hot` unless a copy with a higher revision is already kept.
    pub fn offer(&self, hot: HotResponse) -> Arc<HotResponse> {
        let hot = Arc::new(hot);
        let mut kept = self.kept();
        let id = hot.record.id;
        if let Some((current, _)) = kept.by_id.get(&id)
            && current.record.revision >= hot.record.revision
        {
            return current.clone();
        }
        kept.insert(id, hot.clone());
        hot
    }
}

impl HotResponses {
    /// Drops the copy of a response changed without a copy to offer.
    pub fn forget(&self, id: Uuid) {
        let mut kept = self.kept();
        if let Some((_, position)) = kept.by_id.remove(&id) {
            kept.order.remove(&position);
        }
    }
}

impl Kept {
    fn insert(&mut self, id: Uuid, hot: Arc<HotResponse>) {
        let position = self.next;
        self.next += 1;
        if let Some((_, old)) = self.by_id.insert(id, (hot, position)) {
            self.order.remove(&old);
        }
        self.order.insert(position, id);
        while self.by_id.len() > CAPACITY {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            self.by_id.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hot(id: Uuid, revision: i64) -> HotResponse {
        let definition = crate::engine::parse_definition_yaml(crate::app::demo::DEMO_FORM_YAML).unwrap();
        let evaluation = crate::engine::evaluate(&definition, &Default::default(), &Default::default());
        let record = crate::store::responses::ResponseRecord::for_tests(id, revision);
        HotResponse { record, evaluation }
    }

    #[test]
    fn a_newer_revision_replaces_an_older_one_and_never_the_reverse() {
        let cache = HotResponses::new(HotUse::Trusted);
        let id = Uuid::new_v4();
        cache.offer(hot(id, 2));
        assert_eq!(cache.offer(hot(id, 1)).record.revision, 2, "an older copy is refused");
        assert_eq!(cache.get(id).unwrap().record.revision, 2);
        cache.offer(hot(id, 3));
        assert_eq!(cache.get(id).unwrap().record.revision, 3);
    }

    #[test]
    fn the_oldest_copies_leave_first_when_full() {
        let cache = HotResponses::new(HotUse::Trusted);
        let ids: Vec<Uuid> = (0..CAPACITY + 2).map(|_| Uuid::new_v4()).collect();
        for id in &ids {
            cache.offer(hot(*id, 1));
        }
        assert!(cache.get(ids[0]).is_none() && cache.get(ids[1]).is_none());
        assert!(cache.get(ids[2]).is_some() && cache.get(ids[CAPACITY + 1]).is_some());
    }

    #[test]
    fn a_copy_to_be_checked_is_never_handed_out_as_trusted() {
        let cache = HotResponses::new(HotUse::Checked);
        let id = Uuid::new_v4();
        cache.offer(hot(id, 1));
        assert!(cache.get(id).is_none());
        assert_eq!(cache.get_to_check(id).unwrap().record.revision, 1);
    }
}
