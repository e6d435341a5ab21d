//! Who may read the feed, and the headers that keep the served app safe.
//!
//! - An optional bearer token guards `/events`, `/snapshot`, `/metrics`
//!   and the other reads of the network (`GUARDED`).
//!   EventSource cannot set headers, so it is accepted as `?token=`, as the
//!   `zitiscope_token` cookie (set on any request that brings a valid
//!   `?token=`, so the served app works after opening `/?token=…` once), or
//!   as `Authorization: Bearer` (scrapers, scripts). `/healthz` answers
//!   without it, but then says only `ok`. The app's files are public: they
//!   hold no data.
//! - A strict Content-Security-Policy: scripts only from this origin, plus
//!   the hash of the one inline loader script that trunk writes into
//!   `index.html` (computed from the file at start), and `wasm-unsafe-eval`
//!   for WebAssembly; no inline styles, no plugins, no framing.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The cookie that carries the token.
pub const TOKEN_COOKIE: &str = "zitiscope_token";

/// Paths that need the token when one is configured (the network's state,
/// its history, and the simulator's management-API subset).
const GUARDED: [&str; 14] = [
    "/events",
    "/snapshot",
    "/metrics",
    "/nodes",
    "/history",
    "/state",
    "/aggregate",
    "/report",
    "/maintenance",
    "/acks",
    "/silences",
    "/changes",
    zitiscope_core::mgmt::EDGE_ROUTERS_PATH,
    zitiscope_core::mgmt::IDENTITIES_PATH,
];

/// Whether `path` needs the token: one of [`GUARDED`], or below
/// `/maintenance` or `/silences` (`/maintenance/{id}`).
fn guarded(path: &str) -> bool {
    GUARDED.contains(&path) || path.starts_with("/maintenance/") || path.starts_with("/silences/")
}

/// Whether a request proved it holds the token (or none is needed);
/// handlers read it from the request's extensions.
#[derive(Clone, Copy, Debug)]
pub struct Authorized(pub bool);

/// The configured token, if any.
#[derive(Debug, Default)]
pub struct Auth {
    token: Option<String>,
}

impl Auth {
    /// Checks that a token is strong enough and safe in a URL and a cookie.
    pub fn new(token: Option<String>) -> Result<Auth, String> {
        if let Some(t) = &token {
            if t.len() < 16 {
                return Err("the token must be at least 16 characters long".into());
            }
            if !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
                return Err("the token may hold only letters, digits and - . _ ~".into());
            }
        }
        Ok(Auth { token })
    }

    /// Whether a token is configured.
    pub fn required(&self) -> bool {
        self.token.is_some()
    }

    fn matches(&self, candidate: &str) -> bool {
        self.token.as_deref().is_some_and(|t| t.as_bytes().ct_eq(candidate.as_bytes()).into())
    }
}

/// The token a request offers, and whether it came in the query string.
fn offered(req: &Request) -> (Option<String>, bool) {
    let query = req.uri().query().unwrap_or("");
    let from_query = url_param(query, "token");
    if from_query.is_some() {
        return (from_query, true);
    }
    let bearer = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    if bearer.is_some() {
        return (bearer, false);
    }
    let cookie = req.headers().get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|kv| kv.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('=').map(str::to_owned))
    });
    (cookie, false)
}

/// One query parameter, decoded.
fn url_param(query: &str, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The middleware: marks each request [`Authorized`] or not, refuses the
/// guarded paths without the token, and sets the cookie when a valid
/// `?token=` arrives.
pub async fn guard(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Response {
    if !auth.required() {
        req.extensions_mut().insert(Authorized(true));
        return next.run(req).await;
    }
    let (token, in_query) = offered(&req);
    let ok = token.as_deref().is_some_and(|t| auth.matches(t));
    if !ok && guarded(req.uri().path()) {
        let why = if token.is_some() { "the token is wrong" } else { "a token is required" };
        return (
            StatusCode::UNAUTHORIZED,
            format!("zitiscope-feed: {why}: open the app with ?token=…, or send Authorization: Bearer …\n"),
        )
            .into_response();
    }
    req.extensions_mut().insert(Authorized(ok));
    let mut resp = next.run(req).await;
    if ok && in_query {
        let token = token.unwrap_or_default();
        let cookie = format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

/// The Content-Security-Policy for the served app. `connect` lists other
/// feeds' origins the app may be pointed at with `?feed=`. The app's worker
/// (`/zitiscope-worker_loader.js`) is served with the same policy, which is
/// the one inside the worker: its module imports are `script-src`, its
/// wasm needs `'wasm-unsafe-eval'`, its stream is `connect-src`.
pub fn content_security_policy(static_dir: Option<&Path>, connect: &[String]) -> String {
    let mut script_src = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    if let Some(html) = static_dir.and_then(|d| std::fs::read_to_string(d.join("index.html")).ok()) {
        for body in inline_scripts(&html) {
            let digest = Sha256::digest(body.as_bytes());
            script_src.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
    }
    let mut connect_src = vec!["'self'".to_owned()];
    connect_src.extend(connect.iter().map(|o| o.trim_end_matches('/').to_owned()));
    format!(
        "default-src 'self'; script-src {}; worker-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {}; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
        script_src.join(" "),
        connect_src.join(" ")
    )
}

/// The bodies of `<script>` elements without `src`, exactly as written
/// (a CSP hash covers the exact text).
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + open_end];
        let body_start = start + open_end + 1;
        let Some(len) = rest[body_start..].find("</script>") else { break };
        if !tag.contains(" src=") {
            out.push(&rest[body_start..body_start + len]);
        }
        rest = &rest[body_start + len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_script_hashes_cover_exactly_the_loader() {
        let html = "<head><script type=\"module\">\nimport init from '/a.js';\n</script>\
                    <script src=\"/b.js\"></script></head>";
        assert_eq!(inline_scripts(html), vec!["\nimport init from '/a.js';\n"]);
        let dir = std::env::temp_dir().join(format!("zitiscope-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), html).unwrap();
        let csp = content_security_policy(Some(&dir), &["https://feed.example/".into()]);
        let digest = Sha256::digest("\nimport init from '/a.js';\n".as_bytes());
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")), "{csp}");
        assert!(csp.contains("connect-src 'self' https://feed.example;"), "{csp}");
        // The worker that listens is the app's own script, and no other.
        assert!(csp.contains("worker-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn weak_or_unsafe_tokens_are_refused() {
        assert!(Auth::new(Some("short".into())).is_err());
        assert!(Auth::new(Some("has space in it, and more".into())).is_err());
        assert!(Auth::new(Some("abcdefghijklmnop".into())).unwrap().matches("abcdefghijklmnop"));
        assert!(!Auth::new(Some("abcdefghijklmnop".into())).unwrap().matches("abcdefghijklmnoq"));
        assert!(!Auth::new(None).unwrap().matches(""));
    }
}
