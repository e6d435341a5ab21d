//! Where the history is kept ([`Location`]: an SQLite file or a
//! PostgreSQL URL), how each is opened, and the readers' pool over either.

#[cfg(feature = "postgres")]
use super::Postgres;
use super::{HistoryStore, Sqlite, StoreError};
use std::path::PathBuf;

/// Where the history is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (the default).
    File(PathBuf),
    /// A PostgreSQL database, by its URL (`postgres://user:pw@host/db`).
    Postgres(String),
}

impl std::str::FromStr for Location {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_owned())
        } else {
            Location::File(s.into())
        })
    }
}

/// The file's path, or the URL without its credentials.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&crate::redact::redacted(url)),
        }
    }
}

impl Location {
    /// Opens the history for writing, making its tables if need be.
    pub fn open(&self) -> Result<Box<dyn HistoryStore>, StoreError> {
        match self {
            Location::File(path) => Ok(Box::new(Sqlite::open(path)?)),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Ok(Box::new(Postgres::open(url)?)),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => Err(no_postgres()),
        }
    }

    /// Opens the history for reading only (queries, beside the writer).
    pub fn open_read_only(&self) -> Result<Box<dyn HistoryStore>, StoreError> {
        match self {
            Location::File(path) => Ok(Box::new(Sqlite::open_read_only(path)?)),
            #[cfg(feature = "postgres")]
            Location::Postgres(url) => Ok(Box::new(Postgres::open_read_only(url)?)),
            #[cfg(not(feature = "postgres"))]
            Location::Postgres(_) => Err(no_postgres()),
        }
    }
}

#[cfg(not(feature = "postgres"))]
fn no_postgres() -> StoreError {
    StoreError("this zitiscope-feed was built without PostgreSQL (its `postgres` feature)".into())
}

/// The readers' pool: each connection a [`HistoryStore`] opened read-only.
pub(super) struct Readers(pub(super) Location);

impl r2d2::ManageConnection for Readers {
    type Connection = Box<dyn HistoryStore>;
    type Error = StoreError;

    fn connect(&self) -> Result<Self::Connection, StoreError> {
        self.0.open_read_only()
    }

    fn is_valid(&self, _: &mut Self::Connection) -> Result<(), StoreError> {
        Ok(())
    }

    fn has_broken(&self, conn: &mut Self::Connection) -> bool {
        conn.is_broken()
    }
}
