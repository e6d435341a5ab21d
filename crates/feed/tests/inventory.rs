//! The inventory client (`--controller`) against a management API over real
//! HTTP and HTTPS: the simulator's own (paging over 1,200 identities, a
//! login), and a test controller whose lists, sessions and failures the
//! test steers (a rename, a deletion, a restart that ends the session,
//! 401, 500, garbage, an answer that never comes, an unknown CA). The
//! feed under test reads no events at all: everything it knows here came
//! through the API.

mod common;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use common::{start, Feed, TempDir, WAIT};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use zitiscope_core::mgmt::{
    ApiSession, Credentials, DataEnvelope, Directory, EdgeRouter, EntityRef, Identity, ListEnvelope, Paging,
    AUTHENTICATE_PATH, EDGE_ROUTERS_PATH,
};
use zitiscope_feed::mgmt::{router, MgmtState};

async fn json(url: String) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Polls `what` of the feed until `ok` holds; fails with the last value.
async fn until(feed: &Feed, path: &str, what: &str, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = json(format!("{}{path}", feed.base)).await;
        if ok(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: {v:#}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn api_source(health: &serde_json::Value) -> &serde_json::Value {
    &health["sources"]["controller-api"]
}

fn node_name<'a>(nodes: &'a serde_json::Value, id: &str) -> Option<&'a str> {
    nodes.as_array()?.iter().find(|n| n["node"] == format!("router:{id}"))?["name"].as_str()
}

/// A feed whose only event source is an empty file: all it learns comes
/// from `--controller`.
async fn client_feed(dir: &TempDir, extra: &[&str]) -> Feed {
    let empty = dir.0.join("events.jsonl");
    std::fs::write(&empty, "").unwrap();
    let file = empty.to_str().unwrap().to_owned();
    let mut args = vec!["--file", file.as_str(), "--controller-refresh", "1", "--controller-timeout", "1"];
    args.extend_from_slice(extra);
    start(&args).await
}

/// Logs in to the API at `base` as the tests' admin; returns the token.
async fn login(base: &str) -> String {
    let session: DataEnvelope<ApiSession> = reqwest::Client::new()
        .post(format!("{base}{AUTHENTICATE_PATH}?method=password"))
        .json(&Credentials { username: "admin".into(), password: "s3cret".into() })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session.data.token
}

fn write(dir: &TempDir, name: &str, text: &str) -> String {
    let p = dir.0.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_simulators_api_names_every_router_and_identity_before_any_event() {
    let sim = start(&[
        "simulate",
        "--routers",
        "12",
        "--identities",
        "1200",
        "--renames-every",
        "0",
        "--api-login",
        "admin:s3cret",
    ])
    .await;
    let dir = TempDir::new("inventory-sim");
    let pw = write(&dir, "password", "s3cret\n");
    let feed = client_feed(&dir, &["--controller", &sim.base, "--controller-password-file", &pw]).await;

    // 12 routers and 1,200 identities: three pages of identities.
    let health = until(&feed, "/healthz", "every entity listed", |h| {
        api_source(h)["events"] == 1212 && h["summary"]["identities"]["total"] == 1200
    })
    .await;
    assert_eq!(api_source(&health)["up"], true);
    assert_eq!(health["summary"]["routers"]["total"], 12);

    // Names, attributes and states as the simulator's API lists them.
    let token = login(&sim.base).await;
    let listed: ListEnvelope<EdgeRouter> = reqwest::Client::new()
        .get(format!("{}{EDGE_ROUTERS_PATH}?limit=500", sim.base))
        .header("zt-session", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let nodes = json(format!("{}/nodes", feed.base)).await;
    for r in &listed.data {
        let node = nodes.as_array().unwrap().iter().find(|n| n["node"] == format!("router:{}", r.id)).unwrap();
        assert_eq!(node["name"], r.name.as_str());
        assert_eq!(node["attributes"], serde_json::json!(r.role_attributes.clone().unwrap_or_default()));
        assert_eq!(node["health"], if r.is_online { "ok" } else { "down" }, "{} listed online={}", r.name, r.is_online);
    }
}

/// A test controller's lists.
#[derive(Default)]
struct Net {
    routers: Mutex<Vec<EdgeRouter>>,
    identities: Mutex<Vec<Identity>>,
}

impl Directory for Net {
    fn edge_routers(&self, paging: Paging) -> (Vec<EdgeRouter>, usize) {
        let all = self.routers.lock().unwrap();
        (all[paging.range(all.len())].to_vec(), all.len())
    }
    fn identities(&self, paging: Paging) -> (Vec<Identity>, usize) {
        let all = self.identities.lock().unwrap();
        (all[paging.range(all.len())].to_vec(), all.len())
    }
}

/// How the test controller answers the lists.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Normal,
    Fail500,
    Garbage,
    Hang,
}

struct Controller {
    base: String,
    state: MgmtState,
    net: Arc<Net>,
    mode: Arc<Mutex<Mode>>,
}

async fn steer(State(mode): State<Arc<Mutex<Mode>>>, req: Request, next: Next) -> Response {
    let m = *mode.lock().unwrap();
    match m {
        Mode::Normal => next.run(req).await,
        Mode::Fail500 => {
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "<html>upstream exploded</html>").into_response()
        }
        Mode::Garbage => "<html>\u{1b}[31mnot json".into_response(),
        Mode::Hang => std::future::pending().await,
    }
}

fn router_entity(id: &str, name: &str, online: bool) -> EdgeRouter {
    EdgeRouter {
        id: id.into(),
        name: name.into(),
        role_attributes: Some(vec!["eu".into()]),
        is_online: online,
        ..EdgeRouter::default()
    }
}

fn identity_entity(id: &str, name: &str) -> Identity {
    Identity {
        id: id.into(),
        name: name.into(),
        identity_type: Some(EntityRef { id: "Device".into(), name: "Device".into(), ..EntityRef::default() }),
        ..Identity::default()
    }
}

/// A test controller on `listener`, with a login; served over TLS when
/// `tls` is given.
async fn controller(tls: Option<tokio_rustls::TlsAcceptor>) -> Controller {
    let net = Arc::new(Net::default());
    *net.routers.lock().unwrap() =
        vec![router_entity("Kx7pWq2mRa", "edge-eu-1", true), router_entity("Zz9aaaaaaa", "edge-eu-2", false)];
    *net.identities.lock().unwrap() =
        vec![identity_entity("D4vX.q9LmP", "alice"), identity_entity("Bb.0000000", "bob")];
    let login = Credentials { username: "admin".into(), password: "s3cret".into() };
    let state = MgmtState::new(net.clone(), Some(login));
    let mode = Arc::new(Mutex::new(Mode::Normal));
    let app = router(state.clone()).layer(axum::middleware::from_fn_with_state(mode.clone(), steer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = match tls {
        None => {
            tokio::spawn(async move { axum::serve(listener, app).await });
            format!("http://127.0.0.1:{port}")
        }
        Some(acceptor) => {
            tokio::spawn(serve_tls(listener, acceptor, app));
            format!("https://localhost:{port}")
        }
    };
    Controller { base, state, net, mode }
}

async fn serve_tls(listener: tokio::net::TcpListener, acceptor: tokio_rustls::TlsAcceptor, app: axum::Router) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    loop {
        let Ok((tcp, _)) = listener.accept().await else { return };
        let (acceptor, app) = (acceptor.clone(), app.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

#[tokio::test]
async fn renames_deletions_a_restart_and_every_failure_are_shown_and_lose_nothing() {
    let ctrl = controller(None).await;
    let dir = TempDir::new("inventory-life");
    let pw = write(&dir, "password", "s3cret");
    let feed = client_feed(&dir, &["--controller", &ctrl.base, "--controller-password-file", &pw]).await;

    let nodes = until(&feed, "/nodes", "both routers named", |n| node_name(n, "Zz9aaaaaaa") == Some("edge-eu-2")).await;
    assert_eq!(node_name(&nodes, "Kx7pWq2mRa"), Some("edge-eu-1"));
    let health = until(&feed, "/healthz", "two identities", |h| h["summary"]["identities"]["total"] == 2).await;
    assert_eq!(health["summary"]["routers"]["online"], 1, "isOnline: one up, one down");

    // A controller restart ends the session; a rename follows. The client
    // logs in again without a failure.
    ctrl.state.revoke_sessions();
    ctrl.net.routers.lock().unwrap()[0].name = "edge-eu-1-renamed".into();
    until(&feed, "/nodes", "the rename", |n| node_name(n, "Kx7pWq2mRa") == Some("edge-eu-1-renamed")).await;
    let h = json(format!("{}/healthz", feed.base)).await;
    assert_eq!((api_source(&h)["up"].clone(), api_source(&h)["rejected"].clone()), (true.into(), 0.into()));

    // A deleted identity goes (after two complete listings without it).
    ctrl.net.identities.lock().unwrap().retain(|i| i.name != "bob");
    until(&feed, "/healthz", "bob deleted", |h| h["summary"]["identities"]["total"] == 1).await;

    // Each failure is shown with its reason; what is known stays.
    for (mode, reason) in
        [(Mode::Fail500, "HTTP 500"), (Mode::Garbage, "not the API's JSON"), (Mode::Hang, "no answer from")]
    {
        *ctrl.mode.lock().unwrap() = mode;
        let h = until(&feed, "/healthz", reason, |h| {
            api_source(h)["up"] == false && api_source(h)["reason"].as_str().is_some_and(|r| r.contains(reason))
        })
        .await;
        let why = api_source(&h)["reason"].as_str().unwrap();
        assert!(!why.contains('\u{1b}'), "control characters are dropped: {why:?}");
        assert_eq!(h["sources_down"][0], "controller-api");
        let nodes = json(format!("{}/nodes", feed.base)).await;
        assert_eq!(node_name(&nodes, "Kx7pWq2mRa"), Some("edge-eu-1-renamed"), "{mode:?} loses nothing");
        assert_eq!(h["summary"]["identities"]["total"], 1);
        *ctrl.mode.lock().unwrap() = Mode::Normal;
        until(&feed, "/healthz", "back up", |h| api_source(h)["up"] == true).await;
    }
    let h = json(format!("{}/healthz", feed.base)).await;
    assert!(api_source(&h)["rejected"].as_u64().unwrap() >= 3, "each failed round is counted: {h}");
}

#[tokio::test]
async fn a_wrong_password_is_a_401_and_a_token_file_works() {
    let ctrl = controller(None).await;
    let dir = TempDir::new("inventory-login");
    let wrong = write(&dir, "wrong", "guess");
    let feed = client_feed(&dir, &["--controller", &ctrl.base, "--controller-password-file", &wrong]).await;
    let h = until(&feed, "/healthz", "the login refused", |h| api_source(h)["up"] == false).await;
    let why = api_source(&h)["reason"].as_str().unwrap();
    assert!(why.contains("401") && why.contains("INVALID_AUTH") && why.contains("\"admin\""), "{why}");
    assert_eq!(h["summary"]["routers"]["total"], 0);

    // A token from an earlier login, in a file.
    let file = write(&dir, "token", &format!("{}\n", login(&ctrl.base).await));
    let feed = client_feed(&dir, &["--controller", &ctrl.base, "--controller-token-file", &file]).await;
    until(&feed, "/nodes", "named through the token", |n| node_name(n, "Kx7pWq2mRa") == Some("edge-eu-1")).await;
}

#[tokio::test]
async fn https_trusts_the_controllers_own_ca_and_only_that() {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    use tokio_rustls::rustls;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "zitiscope test controller CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()]).unwrap().signed_by(&key, &ca, &ca_key).unwrap();
    // ring, as reqwest's rustls uses here (aws-lc-rs would need cmake);
    // post-quantum key exchange, why it is deprecated, is moot for a test.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    let ctrl = controller(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await;
    let dir = TempDir::new("inventory-tls");
    let pw = write(&dir, "password", "s3cret");
    let ca_file = write(&dir, "ca.pem", &ca.pem());

    let trusted = client_feed(
        &dir,
        &["--controller", &ctrl.base, "--controller-password-file", &pw, "--controller-ca", &ca_file],
    )
    .await;
    until(&trusted, "/nodes", "named over HTTPS", |n| node_name(n, "Kx7pWq2mRa") == Some("edge-eu-1")).await;

    let untrusted = client_feed(&dir, &["--controller", &ctrl.base, "--controller-password-file", &pw]).await;
    let h = until(&untrusted, "/healthz", "an unknown CA refused", |h| api_source(h)["up"] == false).await;
    let why = api_source(&h)["reason"].as_str().unwrap().to_lowercase();
    assert!(why.contains("certificate") || why.contains("issuer"), "{why}");
    assert_eq!(h["summary"]["routers"]["total"], 0, "nothing read from a controller it cannot trust");
}

#[tokio::test]
async fn a_ca_bundle_that_cannot_be_used_stops_the_feed_at_start() {
    let dir = TempDir::new("inventory-badca");
    let bad = write(&dir, "ca.pem", "not a certificate");
    let feed = client_feed(&dir, &["--controller", "https://localhost:1", "--controller-ca", &bad]).await;
    let ended = tokio::time::timeout(WAIT, feed.task).await.expect("the feed stops").unwrap();
    let err = ended.expect_err("a start error").to_string();
    assert!(err.contains("holds no certificate") || err.contains("not PEM"), "{err}");
}
