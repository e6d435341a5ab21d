//! The feed's URLs: query parameters added to its events URL (`?since=`,
//! `?token=`), encoded as the browser's `encodeURIComponent` encodes them,
//! and its other endpoints beside it.

/// `url` with `name=<value>` added to its query (the value encoded).
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    let mut out = format!("{url}{sep}{name}=");
    for b in value.bytes() {
        // encodeURIComponent's unreserved set; everything else as %XX of its UTF-8.
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The feed's events URL for the page's `?feed=` and `?token=` (each
/// ignored when blank): `/events` on the page's own origin, or on the feed
/// named (its base URL or its events URL), with the token passed on
/// (EventSource cannot send headers, and a cookie does not cross origins).
/// The page and its worker both read their URL's query this way.
pub fn events_url(feed: Option<&str>, token: Option<&str>) -> String {
    let url = match feed.map(str::trim).filter(|f| !f.is_empty()) {
        None => "/events".to_string(),
        Some(f) => {
            let f = f.trim_end_matches('/');
            if f.ends_with("/events") {
                f.to_string()
            } else {
                format!("{f}/events")
            }
        }
    };
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => with_param(&url, "token", t),
        None => url,
    }
}

/// `url` with `since=<id>` added, when there is a point to resume.
pub fn with_since(url: &str, since: Option<&str>) -> String {
    match since {
        None => url.to_string(),
        Some(id) => with_param(url, "since", id),
    }
}

/// A feed URL beside `events` (the app's events URL, with any `?token=`):
/// `path` (which may carry its own query) on the same feed, the token kept
/// and the resume point dropped.
pub fn feed_api_url(events: &str, path: &str) -> String {
    let (base, query) = events.split_once('?').unwrap_or((events, ""));
    let root = base.strip_suffix("/events").unwrap_or(base);
    let mut url = format!("{root}{path}");
    for pair in query.split('&').filter(|p| p.starts_with("token=")) {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(pair);
    }
    url
}

/// A read of the history that takes longer than this (ms) is given up, so
/// that a feed that never answers cannot leave a view waiting for good.
pub const HISTORY_TIMEOUT_MS: u32 = 30_000;

/// The longest reason from the feed that is shown.
pub const REASON_MAX: usize = 200;

/// A read of the history, from its reply: the body if the feed answered
/// 200, else why it refused (see [`refusal`]). The app and the worker
/// read the history alike.
pub fn history_reply(status: u16, body: String) -> Result<String, String> {
    if status == 200 {
        Ok(body)
    } else {
        Err(refusal(status, &body))
    }
}

/// Why the feed refused a read of its history, from its reply: its
/// `{"error": …}`, capped, else the status.
pub fn refusal(status: u16, body: &str) -> String {
    refusal_of("history", status, body)
}

/// Why the feed refused `what` (`history`, `ack`, `maintenance`…), from
/// its reply: its `{"error": …}`, capped, else the status.
pub fn refusal_of(what: &str, status: u16, body: &str) -> String {
    let why = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(|e| e.chars().take(REASON_MAX).collect()))
        .unwrap_or_else(|| format!("HTTP {status}"));
    format!("{what}: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_urls_name_the_resume_point() {
        assert_eq!(with_since("/events", None), "/events");
        assert_eq!(with_since("/events", Some("ab12:7")), "/events?since=ab12%3A7");
        assert_eq!(
            with_since("https://f.example/events?token=x", Some("ab12:7")),
            "https://f.example/events?token=x&since=ab12%3A7"
        );
        assert_eq!(with_param("/e", "token", "a b/é&"), "/e?token=a%20b%2F%C3%A9%26");
    }

    #[test]
    fn the_events_url_follows_the_page_s_feed_and_token() {
        assert_eq!(events_url(None, None), "/events");
        assert_eq!(events_url(Some("  "), Some("")), "/events", "blank is absent");
        assert_eq!(events_url(Some("https://f.example/zs/"), None), "https://f.example/zs/events");
        assert_eq!(events_url(Some("https://f.example/events"), Some("a b")), "https://f.example/events?token=a%20b");
    }

    #[test]
    fn the_feed_s_other_urls_keep_the_token_and_drop_the_resume_point() {
        assert_eq!(feed_api_url("/events", "/history?format=csv"), "/history?format=csv");
        assert_eq!(feed_api_url("https://f.example/zs/events", "/snapshot"), "https://f.example/zs/snapshot");
        assert_eq!(
            feed_api_url("https://f.example/events?token=abc&since=x", "/history?format=csv"),
            "https://f.example/history?format=csv&token=abc"
        );
    }

    #[test]
    fn a_refusal_keeps_the_feed_s_reason_capped() {
        assert_eq!(history_reply(200, "[]".into()), Ok("[]".into()));
        assert_eq!(
            history_reply(404, r#"{"error":"keeps no history"}"#.into()),
            Err("history: keeps no history".into())
        );
        assert_eq!(refusal(502, "<html>"), "history: HTTP 502");
        let long = format!(r#"{{"error":"{}"}}"#, "x".repeat(500));
        assert_eq!(refusal(400, &long).len(), "history: ".len() + REASON_MAX);
    }
}
