//! One controller's management API over HTTP(S): the login, and one list
//! read a page at a time (the walk's rules are core's,
//! `zitiscope_core::mgmt::listing`).
//!
//! The rules:
//! - TLS through rustls, trusting the system's roots and `--controller-ca`
//!   (the controller's own PKI); a CA file that cannot be read or holds no
//!   certificate stops the feed at start, with the reason;
//! - a session is made when first needed (a password login, or the token
//!   file read as it is) and kept; a 401 drops it and the request is tried
//!   once more with a new one, as a controller restart ends every session;
//! - every request has a deadline (`--controller-timeout`), so a controller
//!   that accepts and never answers is a failure, not a hang;
//! - an answer is read up to [`MAX_BODY`] bytes, and anything that is not
//!   the API's JSON is a failure that quotes its first bytes (cleaned);
//! - a failure is a sentence an operator can act on: the status, the API's
//!   error code and message, or the transport's reason.

use super::options::{ApiOptions, Login};
use serde::de::DeserializeOwned;
use std::fmt;
use zitiscope_core::mgmt::listing::{Ended, PageWalk};
use zitiscope_core::mgmt::{self, ApiSession, Credentials, DataEnvelope, ErrorEnvelope, ListEnvelope};

/// The most bytes one answer may hold (a page of 500 entities is well
/// under 2 MB).
pub const MAX_BODY: usize = 32 << 20;

/// Why a request failed, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client of one controller's management API.
pub struct Api {
    http: reqwest::Client,
    opts: ApiOptions,
    session: Option<String>,
}

impl Api {
    /// A client for `opts`; an error when the CA bundle cannot be used.
    pub fn new(opts: ApiOptions) -> Result<Api, String> {
        let mut b = reqwest::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .user_agent(concat!("zitiscope-feed/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &opts.ca {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("the CA bundle {} is not PEM: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("the CA bundle {} holds no certificate", path.display()));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let http = b.build().map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(Api { http, opts, session: None })
    }

    /// Every item of the list at `path`, and whether the walk read it all.
    pub async fn list<T: DeserializeOwned>(&mut self, path: &str) -> Result<(Vec<T>, Ended), Failure> {
        let mut walk = PageWalk::new();
        let mut all = Vec::new();
        while let Some((limit, offset)) = walk.next() {
            let page: ListEnvelope<T> = self.get(&format!("{path}?limit={limit}&offset={offset}")).await?;
            walk.take(&page).map_err(Failure)?;
            all.extend(page.data);
        }
        Ok((all, walk.ended().unwrap_or(Ended::Incomplete)))
    }

    /// `GET base + path_and_query`, with the session; one retry with a new
    /// session after a 401.
    async fn get<T: DeserializeOwned>(&mut self, path_and_query: &str) -> Result<T, Failure> {
        let url = format!("{}{path_and_query}", self.opts.base);
        for attempt in 0..2 {
            let session = self.session().await?;
            let mut req = self.http.get(&url);
            if let Some(token) = &session {
                req = if looks_like_jwt(token) {
                    req.bearer_auth(token)
                } else {
                    req.header(mgmt::SESSION_HEADER, token)
                };
            }
            let resp = req.send().await.map_err(|e| transport(&url, &e, self.opts.timeout))?;
            if resp.status() == reqwest::StatusCode::UNAUTHORIZED && attempt == 0 && self.opts.login != Login::None {
                self.session = None;
                continue;
            }
            return read(resp).await;
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// The session to send, making one if there is none.
    async fn session(&mut self) -> Result<Option<String>, Failure> {
        if self.session.is_none() {
            self.session = match &self.opts.login {
                Login::None => return Ok(None),
                Login::TokenFile(path) => Some(read_secret(path, "token")?),
                Login::Password { username, password_file } => {
                    let password = read_secret(password_file, "password")?;
                    Some(self.login(username, password).await?)
                }
            };
        }
        Ok(self.session.clone())
    }

    async fn login(&self, username: &str, password: String) -> Result<String, Failure> {
        let url = format!("{}{}?method=password", self.opts.base, mgmt::AUTHENTICATE_PATH);
        let body = Credentials { username: username.to_owned(), password };
        let resp = self.http.post(&url).json(&body).send().await.map_err(|e| transport(&url, &e, self.opts.timeout))?;
        let header = resp.headers().get(mgmt::SESSION_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        match read::<DataEnvelope<ApiSession>>(resp).await {
            Ok(s) if !s.data.token.is_empty() => Ok(s.data.token),
            Ok(_) => header.ok_or_else(|| Failure("the login answered no session token".into())),
            Err(Failure(why)) => Err(Failure(format!("login as {username:?} refused: {why}"))),
        }
    }
}

/// A file's first line, trimmed; an empty or unreadable file is a failure.
fn read_secret(path: &std::path::Path, what: &str) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read the {what} file {}: {e}", path.display())))?;
    let line = text.lines().next().unwrap_or("").trim().to_owned();
    if line.is_empty() {
        return Err(Failure(format!("the {what} file {} is empty", path.display())));
    }
    Ok(line)
}

/// An OIDC access token (a JWT: three base64url parts, the first `eyJ`)
/// goes in `Authorization: Bearer`; a legacy session token in `zt-session`.
fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.split('.').count() == 3
}

/// A transport error in words: no answer in time, no connection (with the
/// TLS reason, if that was it), or whatever else.
fn transport(url: &str, e: &reqwest::Error, timeout: std::time::Duration) -> Failure {
    if e.is_timeout() {
        return Failure(format!("no answer from {url} within {} s", timeout.as_secs()));
    }
    let mut why = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        why = format!("{why}: {s}");
        source = s.source();
    }
    let what = if e.is_connect() { "cannot connect to" } else { "request failed:" };
    Failure(format!("{what} {url}: {}", clean(&why, 300)))
}

/// Reads an answer: the JSON of a 2xx, else the API's error in words.
async fn read<T: DeserializeOwned>(mut resp: reqwest::Response) -> Result<T, Failure> {
    let status = resp.status();
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(Failure(format!("HTTP {}: the answer is over {} MB", status.as_u16(), MAX_BODY >> 20)));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return Err(Failure("the answer stopped coming (timed out)".into())),
            Err(e) => return Err(Failure(format!("the answer broke off: {e}"))),
        }
    }
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| {
            Failure(format!(
                "HTTP {} but not the API's JSON ({e}): {:?}",
                status.as_u16(),
                clean(&String::from_utf8_lossy(&body), 80)
            ))
        });
    }
    let detail = match serde_json::from_slice::<ErrorEnvelope>(&body) {
        Ok(env) => format!("{} {}", clean(&env.error.code, 60), clean(&env.error.message, 200)),
        Err(_) => format!("{:?}", clean(&String::from_utf8_lossy(&body), 80)),
    };
    Err(Failure(format!("HTTP {}: {}", status.as_u16(), detail.trim())))
}

/// At most `max` characters of untrusted text, without control characters.
fn clean(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}
