//! Query parameters added to the feed's URL (`?since=`, `?token=`),
//! encoded as the browser's `encodeURIComponent` encodes them.

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

/// `url` with `since=<id>` added, when there is a point to resume.
pub fn with_since(url: &str, since: Option<&str>) -> String {
    match since {
        None => url.to_string(),
        Some(id) => with_param(url, "since", id),
    }
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
}
