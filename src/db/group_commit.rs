//! Group commit for SQLite's cart mutations. SQLite takes one writer at a time and, with
//! `synchronous=FULL`, every COMMIT waits for the disk; mutations arriving together used to
//! queue behind one another's COMMIT (and wait out the busy handler's sleeps between tries).
//! Here they take turns in one open transaction instead: each runs in a savepoint of its own
//! (so a refusal rolls back only itself), and the last of a burst — the one that finds nobody
//! waiting behind it, or the [`MAX_MEMBERS`]th — commits all of them with one COMMIT. Nobody
//! is answered before the COMMIT that holds their change succeeded.
//!
//! A member dropped while it holds the turn (its request was cancelled mid-body) leaves its
//! savepoint in an unknown state, so the whole group is rolled back and its other members
//! are told to run again ([`TxError::Retry`]); nothing of theirs was committed.

use std::sync::{
    Arc,
    atomic::{AtomicU64, AtomicUsize, Ordering},
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::write::{TxError, begin_write};

/// Most mutations committed together: bounds how long the first of a burst waits.
const MAX_MEMBERS: usize = 64;

/// One database's group commit (SQLite only).
pub struct GroupCommit {
    db: DatabaseConnection,
    /// The open group, if any; holding the lock is holding the turn.
    turn: Arc<Mutex<Option<Group>>>,
    /// Members waiting for the turn: while there are any, the group stays open for them.
    waiting: AtomicUsize,
    groups: AtomicU64,
    members: AtomicU64,
}

/// A transaction shared by the mutations of one burst.
struct Group {
    txn: DatabaseTransaction,
    members: usize,
    /// What became of the group, once it is known.
    fate: watch::Sender<Option<Fate>>,
}

#[derive(Clone, Debug)]
enum Fate {
    Committed,
    /// COMMIT failed: nothing of the group was stored.
    Failed(Arc<str>),
    /// Rolled back because a member was dropped mid-body: run again.
    Abandoned,
}

/// Groups committed and mutations in them, since start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupStats {
    pub groups: u64,
    pub members: u64,
}

impl GroupCommit {
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Arc::new(Self {
            db,
            turn: Arc::new(Mutex::new(None)),
            waiting: AtomicUsize::new(0),
            groups: AtomicU64::new(0),
            members: AtomicU64::new(0),
        })
    }

    pub fn stats(&self) -> GroupStats {
        GroupStats {
            groups: self.groups.load(Ordering::Relaxed),
            members: self.members.load(Ordering::Relaxed),
        }
    }

    /// Waits for the turn and opens a savepoint for one mutation, in the open group or in a
    /// new one.
    pub async fn join(self: &Arc<Self>) -> Result<Member, DbErr> {
        let waiting = Waiting::new(self);
        let mut turn = self.turn.clone().lock_owned().await;
        waiting.acquired();
        if turn.is_none() {
            *turn = Some(Group {
                txn: begin_write(&self.db).await?,
                members: 0,
                fate: watch::channel(None).0,
            });
        }
        let mut member = Member {
            commit: self.clone(),
            turn: Some(turn),
        };
        // A failure here leaves the group in doubt: dropping the member abandons it.
        member
            .group()?
            .txn
            .execute_unprepared("SAVEPOINT member")
            .await?;
        if let Some(group) = member.turn.as_mut().and_then(|turn| turn.as_mut()) {
            group.members += 1;
        }
        Ok(member)
    }

    /// Commits the open group if nobody waits to join it (called when a waiter gave up).
    async fn commit_if_idle(self: Arc<Self>) {
        let mut turn = self.turn.clone().lock_owned().await;
        if self.waiting.load(Ordering::SeqCst) == 0
            && let Some(group) = turn.take()
        {
            self.finish(group);
        }
    }

    /// Commits `group` in a task of its own (a cancelled request must not cut a COMMIT short)
    /// and tells its members how it went.
    fn finish(&self, group: Group) {
        self.groups.fetch_add(1, Ordering::Relaxed);
        self.members
            .fetch_add(group.members as u64, Ordering::Relaxed);
        tokio::spawn(async move {
            let fate = match group.txn.commit().await {
                Ok(()) => Fate::Committed,
                Err(err) => {
                    tracing::error!(error = %err, "a group commit failed");
                    Fate::Failed(err.to_string().into())
                }
            };
            group.fate.send_replace(Some(fate));
        });
    }
}

/// Counts a member waiting for the turn; one that gives up (its request was cancelled) may
/// have been the one the group stayed open for, so it makes sure the group still commits.
struct Waiting {
    commit: Option<Arc<GroupCommit>>,
}

impl Waiting {
    fn new(commit: &Arc<GroupCommit>) -> Self {
        commit.waiting.fetch_add(1, Ordering::SeqCst);
        Self {
            commit: Some(commit.clone()),
        }
    }

    fn acquired(mut self) {
        if let Some(commit) = self.commit.take() {
            commit.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(commit) = self.commit.take() {
            commit.waiting.fetch_sub(1, Ordering::SeqCst);
            tokio::spawn(commit.commit_if_idle());
        }
    }
}

/// One mutation's place in a group: its savepoint, and the turn while it runs.
pub struct Member {
    commit: Arc<GroupCommit>,
    /// Held from `join` until the member commits or rolls back its savepoint.
    turn: Option<OwnedMutexGuard<Option<Group>>>,
}

impl Member {
    fn group(&self) -> Result<&Group, DbErr> {
        self.turn
            .as_ref()
            .and_then(|turn| turn.as_ref())
            .ok_or_else(|| DbErr::Custom("the group commit's turn is not held".into()))
    }

    /// The transaction the mutation's statements run in.
    pub fn transaction(&self) -> Result<&DatabaseTransaction, DbErr> {
        Ok(&self.group()?.txn)
    }

    /// Keeps the mutation's changes and waits for the COMMIT that stores them.
    pub async fn commit(mut self) -> Result<(), TxError> {
        self.group()?
            .txn
            .execute_unprepared("RELEASE member")
            .await?;
        let mut fate = self.group()?.fate.subscribe();
        self.end_turn();
        match fate
            .wait_for(Option::is_some)
            .await
            .map(|fate| fate.clone())
        {
            Ok(Some(Fate::Committed)) => Ok(()),
            Ok(Some(Fate::Failed(message))) => Err(TxError::Db(DbErr::Custom(format!(
                "the group commit failed: {message}"
            )))),
            Ok(Some(Fate::Abandoned) | None) | Err(_) => Err(TxError::Retry),
        }
    }

    /// Undoes the mutation's changes (the group's other members keep theirs).
    pub async fn rollback(mut self) -> Result<(), DbErr> {
        let txn = &self.group()?.txn;
        txn.execute_unprepared("ROLLBACK TO member").await?;
        txn.execute_unprepared("RELEASE member").await?;
        self.end_turn();
        Ok(())
    }

    /// Passes the turn on: to the next waiter with the group open, or, with nobody waiting
    /// (or the group full), to the COMMIT.
    fn end_turn(&mut self) {
        let Some(mut turn) = self.turn.take() else {
            return;
        };
        let full = turn
            .as_ref()
            .is_some_and(|group| group.members >= MAX_MEMBERS);
        if (full || self.commit.waiting.load(Ordering::SeqCst) == 0)
            && let Some(group) = turn.take()
        {
            self.commit.finish(group);
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        // Still holding the turn: dropped mid-body. Roll the whole group back.
        if let Some(mut turn) = self.turn.take()
            && let Some(group) = turn.take()
        {
            drop(turn);
            tokio::spawn(async move {
                if let Err(err) = group.txn.rollback().await {
                    tracing::error!(error = %err, "could not roll back an abandoned group");
                }
                group.fate.send_replace(Some(Fate::Abandoned));
            });
        }
    }
}
