//! Server URLs in messages: a broker's or a database's URL carries its
//! user and password, and neither may reach a log, `/healthz` or the app.

/// `url` without its user and password.
pub fn redacted(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        }
        None => "(a URL that does not parse)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_loses_its_credentials() {
        assert_eq!(redacted("amqp://zitiscope:s3cret@rabbit:5672/%2f"), "amqp://rabbit:5672/%2f");
        assert_eq!(
            redacted("postgres://feed:pw@db/zitiscope?sslmode=disable"),
            "postgres://db/zitiscope?sslmode=disable"
        );
        assert_eq!(redacted("amqp://127.0.0.1:5672"), "amqp://127.0.0.1:5672");
        assert_eq!(redacted("amqp://u:p@ss@h/v"), "amqp://h/v", "an @ in the password");
        assert_eq!(redacted("nonsense"), "(a URL that does not parse)");
    }
}
