//! A database that exists for one test: a SQLite file, or a database created on the server
//! `DATABASE_URL` names and dropped afterwards.

use cartql::db;
use sea_orm::{ConnectionTrait, DbBackend};

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    drop: Option<(String, String)>,
    file: Option<std::path::PathBuf>,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let base = std::env::var("DATABASE_URL").unwrap_or_default();
        let name = format!("cartql_t_{}", uuid::Uuid::new_v4().simple());
        if base.starts_with("postgres") || base.starts_with("mysql") {
            let admin = db::connect(&base, 1)
                .await
                .expect("connect to DATABASE_URL");
            let backend = admin.get_database_backend();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the test database");
            let _ = admin.close().await;
            let (prefix, _) = base
                .rsplit_once('/')
                .expect("DATABASE_URL names a database");
            let drop_sql = match backend {
                DbBackend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                _ => format!("DROP DATABASE IF EXISTS {name}"),
            };
            return Self {
                url: format!("{prefix}/{name}"),
                drop: Some((base, drop_sql)),
                file: None,
            };
        }
        let path = std::env::temp_dir().join(format!("{name}.db"));
        Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            drop: None,
            file: Some(path),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(path) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        if let Some((base, sql)) = self.drop.take() {
            // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async move {
                    if let Ok(admin) = db::connect(&base, 1).await {
                        let _ = admin.execute_unprepared(&sql).await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}
