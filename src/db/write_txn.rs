//! A cart mutation's write: a transaction of its own, or (SQLite's group commit) a savepoint
//! in a shared one.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

use super::{
    group_commit::{GroupCommit, Member},
    write::{TxError, begin_write},
};

/// A write transaction: one of its own, or a mutation's savepoint in a group commit.
pub enum WriteTxn {
    Alone(DatabaseTransaction),
    Grouped(Member),
}

impl WriteTxn {
    /// Begins a write: in `group` when there is one, else a transaction of its own.
    pub async fn begin(
        db: &DatabaseConnection,
        group: Option<&Arc<GroupCommit>>,
    ) -> Result<Self, DbErr> {
        Ok(match group {
            Some(group) => Self::Grouped(group.join().await?),
            None => Self::Alone(begin_write(db).await?),
        })
    }

    /// Where the write's statements run.
    pub fn connection(&self) -> Result<&DatabaseTransaction, DbErr> {
        match self {
            Self::Alone(txn) => Ok(txn),
            Self::Grouped(member) => member.transaction(),
        }
    }

    /// Stores the write; a grouped one returns once its group's COMMIT did.
    pub async fn commit(self) -> Result<(), TxError> {
        match self {
            Self::Alone(txn) => Ok(txn.commit().await?),
            Self::Grouped(member) => member.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        match self {
            Self::Alone(txn) => txn.rollback().await,
            Self::Grouped(member) => member.rollback().await,
        }
    }

    /// Ends a write that changed nothing but read what other writes stored: a grouped one
    /// returns once its group (which may hold what it read) has committed.
    pub async fn close_unchanged(self) -> Result<(), TxError> {
        match self {
            Self::Alone(txn) => Ok(txn.rollback().await?),
            Self::Grouped(member) => member.commit().await,
        }
    }
}
