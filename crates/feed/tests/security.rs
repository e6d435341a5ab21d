//! Token enforcement, the loopback rule, and the headers of the served app,
//! over real HTTP.

mod common;

use base64::Engine;
use clap::Parser;
use common::{start, TempDir};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::watch;
use zitiscope_feed::{run, Args};

const TOKEN: &str = "s3cret-token-0123456789";

#[tokio::test]
async fn the_token_is_required_and_accepted_as_query_cookie_or_bearer() {
    let feed = start(&["--token", TOKEN, "simulate", "--identities", "10"]).await;
    let c = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", feed.base);
    for path in ["/events", "/snapshot", "/metrics"] {
        assert_eq!(c.get(url(path)).send().await.unwrap().status(), 401, "{path} without a token");
        let wrong = c.get(url(&format!("{path}?token=wrong-token-000000000"))).send().await.unwrap();
        assert_eq!(wrong.status(), 401, "{path} with a wrong token");
        assert_eq!(c.get(url(path)).bearer_auth(TOKEN).send().await.unwrap().status(), 200, "{path} with bearer");
    }

    let by_query = c.get(url(&format!("/snapshot?token={TOKEN}"))).send().await.unwrap();
    assert_eq!(by_query.status(), 200);
    let cookie = by_query.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with(&format!("zitiscope_token={TOKEN};")), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let by_cookie = c.get(url("/snapshot")).header("cookie", format!("theme=dark; zitiscope_token={TOKEN}"));
    assert_eq!(by_cookie.send().await.unwrap().status(), 200);

    // Liveness for anyone, numbers only with the token.
    let anon: serde_json::Value = c.get(url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(anon, serde_json::json!({ "status": "ok" }));
    let full: serde_json::Value = c.get(url("/healthz")).bearer_auth(TOKEN).send().await.unwrap().json().await.unwrap();
    assert!(full["summary"]["routers"]["total"].as_u64().unwrap() > 0);
    let _ = feed.stop.send(true);
}

#[tokio::test]
async fn config_json_tells_the_app_this_feed_s_heartbeat_with_no_token_needed() {
    let feed = start(&["--token", TOKEN, "--heartbeat-ms", "1234", "simulate", "--identities", "10"]).await;
    let reply = reqwest::get(format!("{}/config.json", feed.base)).await.unwrap();
    assert_eq!(reply.status(), 200, "the page needs it before it has a token");
    let cfg: zitiscope_core::alerts::AppConfig = serde_json::from_str(&reply.text().await.unwrap()).unwrap();
    assert_eq!(cfg.alerts.heartbeat_ms, 1234);
    assert_eq!(cfg.alerts.mass_count, zitiscope_core::alerts::AlertConfig::default().mass_count);
    let _ = feed.stop.send(true);
}

#[tokio::test]
async fn a_non_loopback_listener_needs_a_token_or_an_explicit_waiver() {
    let (_stop, rx) = watch::channel(false);
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let args = Args::try_parse_from(["zitiscope-feed", "--no-history", "simulate", "--identities", "10"]).unwrap();
    let err = run(args, listener, rx.clone()).await.expect_err("refused without a token");
    assert!(err.to_string().contains("--token"), "{err}");

    for waiver in [&["--no-auth"][..], &["--token", TOKEN][..]] {
        let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut argv = vec!["zitiscope-feed", "--no-history"];
        argv.extend_from_slice(waiver);
        argv.extend_from_slice(&["simulate", "--identities", "10"]);
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(run(Args::try_parse_from(argv).unwrap(), listener, rx));
        let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200, "{waiver:?} starts");
        let _ = stop.send(true);
        task.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn the_served_app_gets_csp_nosniff_and_compression_and_the_stream_is_never_compressed() {
    let dir = TempDir::new("csp");
    let loader = "\nimport init from '/app.js';\nawait init('/app_bg.wasm');\n";
    let html = format!("<!doctype html><title>zitiscope</title><script type=\"module\">{loader}</script>");
    std::fs::write(dir.0.join("index.html"), &html).unwrap();
    std::fs::write(dir.0.join("app.js"), "export default function init() {}\n".repeat(200)).unwrap();
    let feed = start(&[
        "--static",
        dir.0.to_str().unwrap(),
        "--connect-src",
        "https://other-feed.example",
        "simulate",
        "--identities",
        "10",
    ])
    .await;
    let c = reqwest::Client::new();

    let index = c.get(format!("{}/", feed.base)).send().await.unwrap();
    let csp = index.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(loader.as_bytes()));
    assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'")), "{csp}");
    assert!(csp.contains("connect-src 'self' https://other-feed.example;"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(index.headers()["x-content-type-options"], "nosniff");
    assert_eq!(index.headers()["referrer-policy"], "no-referrer");

    let js = c.get(format!("{}/app.js", feed.base)).header("accept-encoding", "br, gzip").send().await.unwrap();
    assert_eq!(js.headers()["content-encoding"], "br", "static files are compressed");
    // The worker's files and the page keep their names across builds.
    assert_eq!(js.headers()["cache-control"], "no-cache", "revalidated on every load");
    assert_eq!(index.headers()["cache-control"], "no-cache");
    assert!(csp.contains("worker-src 'self';"), "{csp}");

    let events = c.get(format!("{}/events", feed.base)).header("accept-encoding", "br, gzip").send().await.unwrap();
    assert!(events.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert!(events.headers().get("content-encoding").is_none(), "a compressed stream would be buffered");
    let _ = feed.stop.send(true);
}

/// Every service's routes sit behind the one token check, the history's
/// too on a feed that keeps none (which, with the token, says why).
#[tokio::test]
async fn every_api_route_needs_the_token_whichever_service_owns_it() {
    let feed = start(&["--token", TOKEN, "simulate", "--identities", "10"]).await;
    let c = reqwest::Client::new();
    for path in ["/events", "/snapshot", "/metrics", "/nodes", "/history", "/changes", "/state", "/aggregate"] {
        let url = format!("{}{path}", feed.base);
        assert_eq!(c.get(&url).send().await.unwrap().status(), 401, "{path} without a token");
        if matches!(path, "/history" | "/changes" | "/state" | "/aggregate") {
            let reply = c.get(&url).bearer_auth(TOKEN).send().await.unwrap();
            assert_eq!(reply.status(), 404, "{path}: no history here");
            let body: serde_json::Value = reply.json().await.unwrap();
            assert!(body["error"].as_str().unwrap().contains("keeps no history"), "{path}: {body}");
        }
    }
    let _ = feed.stop.send(true);

    // Serving the app, whose fallback answers unknown paths with its page:
    // the history's paths still say why, not with the page.
    let dir = TempDir::new("no-history-app");
    std::fs::write(dir.0.join("index.html"), "<!doctype html><title>zitiscope</title>").unwrap();
    let feed = start(&["--static", dir.0.to_str().unwrap(), "simulate", "--identities", "10"]).await;
    let reply = c.get(format!("{}/changes", feed.base)).send().await.unwrap();
    assert_eq!(reply.status(), 404);
    assert!(reply.text().await.unwrap().contains("keeps no history"));
    assert_eq!(c.get(format!("{}/a/deep/link", feed.base)).send().await.unwrap().status(), 200, "the app");
    let _ = feed.stop.send(true);
}
