//! The start-up lock: many instances start together (rolling deploys), and each migrates and
//! may load the demo data. Without a lock two of them race to create the same tables (one
//! fails: "table already exists") or both load the demo promotions. Under it one instance
//! does the work while the others wait; they then find nothing left to do.
//!
//! PostgreSQL takes `pg_advisory_lock` and MySQL/MariaDB `GET_LOCK`, both session locks: they
//! belong to the connection that took them, so they are taken and released on one dedicated
//! connection opened beside the pool (a pooled connection could go back to the pool between
//! the lock and the unlock, and a pool of one would have none left for the migrations). If the
//! process dies, the connection closes and the server releases the lock.
//!
//! SQLite needs no session lock: its migrations run in one exclusive transaction (see
//! [`super::migrate`]) and the demo data loads in one write transaction, and writers queue
//! for SQLite's lock (busy timeout) instead of failing.

use std::time::Duration;

use sea_orm::{
    DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    sqlx::{self, ConnectOptions, Connection, MySqlConnection, PgConnection},
};

/// The PostgreSQL advisory lock key: "cartqlmg" as a big-endian integer, unlikely to collide
/// with another application's keys in the same database.
const PG_KEY: i64 = i64::from_be_bytes(*b"cartqlmg");
/// How long one `GET_LOCK` waits before cartql logs and waits again.
const MYSQL_WAIT_SECS: i64 = 30;

/// The held start-up lock; [`StartupLock::release`] gives it back.
pub struct StartupLock {
    held: Held,
}

enum Held {
    Postgres(PgConnection),
    MySql(MySqlConnection),
    /// SQLite (or another backend) serialises its start-up work by transactions.
    Nothing,
}

impl StartupLock {
    /// Takes the lock, waiting as long as another instance holds it.
    pub async fn acquire(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let held = match db.get_database_backend() {
            DbBackend::Postgres => {
                let options = db.get_postgres_connection_pool().connect_options();
                let mut conn = options.connect().await.map_err(db_err)?;
                lock_postgres(&mut conn).await?;
                Held::Postgres(conn)
            }
            DbBackend::MySql => {
                let options = db.get_mysql_connection_pool().connect_options();
                let mut conn = options.connect().await.map_err(db_err)?;
                lock_mysql(&mut conn).await?;
                Held::MySql(conn)
            }
            _ => Held::Nothing,
        };
        Ok(Self { held })
    }

    /// Releases the lock on the connection that took it, and closes that connection. It cannot
    /// fail: if the unlock does, closing the connection releases the lock all the same.
    pub async fn release(self) {
        let released = match self.held {
            Held::Postgres(mut conn) => {
                let released = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1)")
                    .bind(PG_KEY)
                    .fetch_one(&mut conn)
                    .await;
                let _ = conn.close().await;
                released
            }
            Held::MySql(mut conn) => {
                let released = sqlx::query_scalar::<_, Option<i64>>(
                    "SELECT RELEASE_LOCK(CONCAT('cartql.startup.', MD5(DATABASE())))",
                )
                .fetch_one(&mut conn)
                .await
                .map(|released| released == Some(1));
                let _ = conn.close().await;
                released
            }
            Held::Nothing => Ok(true),
        };
        match released {
            Ok(true) => {}
            // Released by the close anyway; said because it would mean a bug here.
            Ok(false) => tracing::warn!("the start-up lock was not held by its connection"),
            Err(err) => tracing::warn!(
                error = %err,
                "cannot release the start-up lock; closing its connection released it"
            ),
        }
    }
}

async fn lock_postgres(conn: &mut PgConnection) -> Result<(), DbErr> {
    let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(PG_KEY)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    if !taken {
        tracing::info!("another instance is migrating the database; waiting for it");
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(PG_KEY)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// `GET_LOCK` names are server-wide, so the name carries the database's (hashed, as names
/// are at most 64 characters); `release` names it the same way.
async fn lock_mysql(conn: &mut MySqlConnection) -> Result<(), DbErr> {
    loop {
        // 1: taken; 0: another session still holds it after the wait; NULL: an error.
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT GET_LOCK(CONCAT('cartql.startup.', MD5(DATABASE())), ?)")
                .bind(MYSQL_WAIT_SECS)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?;
        match taken {
            Some(1) => return Ok(()),
            Some(_) => {
                tracing::info!(
                    waited = ?Duration::from_secs(MYSQL_WAIT_SECS as u64),
                    "another instance is migrating the database; still waiting for it"
                );
            }
            None => return Err(DbErr::Custom("GET_LOCK failed".into())),
        }
    }
}

fn db_err(err: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(err.into()))
}
