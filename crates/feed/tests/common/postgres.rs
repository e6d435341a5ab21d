//! A real PostgreSQL for the history's tests: Debian's package, run by
//! `scripts/postgres.sh` (started once per test binary if it is not
//! already running; `make test` stops it at the end), and a schema of its
//! own for each test. The feed's unit tests and benchmarks use it too.
//!
//! rust-postgres' blocking client may not run inside a tokio task, and the
//! feed's tests are tasks: each call here runs on a thread of its own.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Runs `f` on a thread of its own (see the module's header).
fn apart<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| s.spawn(f).join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
}

/// The server's URL, once it listens.
pub fn url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres.sh");
        let run = |what: &str| {
            let out = Command::new(&script).arg(what).output().expect("scripts/postgres.sh runs");
            assert!(out.status.success(), "postgres.sh {what}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        };
        run("start");
        run("url")
    })
}

/// Runs `sql` on the server (as its superuser), returning the first
/// column of each row as text.
pub fn query(url: &str, sql: &str) -> Vec<String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    apart(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("the tests' PostgreSQL accepts");
        c.simple_query(&sql)
            .expect("the query runs")
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
                _ => None,
            })
            .collect()
    })
}

/// A schema of its own, dropped with it: a feed given [`Schema::url`]
/// makes its tables there.
pub struct Schema {
    pub name: String,
    pub url: String,
    server: String,
}

impl Schema {
    /// A schema on the shared server.
    pub fn new(name: &str) -> Schema {
        Schema::on(url(), name)
    }

    /// A schema on the server at `server`.
    pub fn on(server: &str, name: &str) -> Schema {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("t_{name}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        query(server, &format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"));
        let url = format!("{server}?options=-c%20search_path%3D{name}");
        Schema { name, url, server: server.to_owned() }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // Not while a test is failing: what it left is worth a look.
        if !std::thread::panicking() {
            query(&self.server, &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// A server of a test's own, to stop and start under a running feed (the
/// shared one serves the other tests meanwhile): its own cluster folder
/// and port; stopped when dropped.
pub struct Own {
    dir: std::path::PathBuf,
    port: u16,
}

impl Own {
    /// Starts it (making its cluster the first time).
    pub fn start(name: &str, port: u16) -> Own {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/services/postgres-{name}"));
        let own = Own { dir, port };
        own.script("start");
        own
    }

    pub fn script(&self, what: &str) -> String {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres.sh");
        let out = Command::new(script)
            .arg(what)
            .env("ZITISCOPE_POSTGRES_DIR", &self.dir)
            .env("ZITISCOPE_POSTGRES_PORT", self.port.to_string())
            .output()
            .expect("scripts/postgres.sh runs");
        assert!(out.status.success(), "postgres.sh {what}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn url(&self) -> String {
        self.script("url")
    }
}

impl Drop for Own {
    fn drop(&mut self) {
        self.script("stop");
    }
}
