//! The management-API subset over HTTP, on a directory of known contents:
//! paging (limit, offset, totalCount, the 500 cap), and bad parameters
//! answered with the API's 400 envelope, and the login a real controller
//! asks for.

use super::*;
use zitiscope_core::mgmt::{EdgeRouter, ErrorEnvelope, Identity, ListEnvelope, Pagination};

/// 1,234 routers `r0000`…, 3 identities.
struct Fixed;

impl Directory for Fixed {
    fn edge_routers(&self, paging: Paging) -> (Vec<EdgeRouter>, usize) {
        let all: Vec<EdgeRouter> = (0..1234)
            .map(|i| EdgeRouter { id: format!("r{i:04}"), name: format!("edge-{i}"), ..EdgeRouter::default() })
            .collect();
        (all[paging.range(all.len())].to_vec(), all.len())
    }

    fn identities(&self, paging: Paging) -> (Vec<Identity>, usize) {
        let all: Vec<Identity> = (0..3)
            .map(|i| Identity { id: format!("i{i}"), name: format!("laptop-{i}"), ..Identity::default() })
            .collect();
        (all[paging.range(all.len())].to_vec(), all.len())
    }
}

async fn serve() -> String {
    serve_with(MgmtState::new(Arc::new(Fixed), None)).await
}

async fn serve_with(state: MgmtState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    base
}

async fn get(url: String) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn pages_say_where_they_are_and_cover_the_list_once() {
    let base = serve().await;
    let page = |q: &'static str| {
        let base = base.clone();
        async move {
            let (status, body) = get(format!("{base}{}{q}", mgmt::EDGE_ROUTERS_PATH)).await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<ListEnvelope<EdgeRouter>>(&body).unwrap()
        }
    };
    let first = page("").await;
    assert_eq!(first.data.len(), 10, "the default page");
    assert_eq!(first.meta.pagination, Some(Pagination { limit: 10, offset: 0, total_count: 1234 }));
    assert!(first.meta.filterable_fields.contains(&"name".to_string()));
    let capped = page("?limit=100000").await;
    assert_eq!((capped.data.len(), capped.meta.pagination.unwrap().limit), (500, 500), "capped at 500");
    let last = page("?limit=500&offset=1000").await;
    assert_eq!(last.data.len(), 234);
    assert_eq!(last.data[0].id, "r1000");
    assert_eq!(page("?offset=5000&limit=5").await.data.len(), 0, "past the end");
    assert_eq!(page("?limit=2&limit=3").await.data.len(), 3, "the last of a repeated parameter");
    // Pages of 500 cover the list once.
    let mut ids = Vec::new();
    for offset in [0, 500, 1000] {
        let url = format!("{base}{}?limit=500&offset={offset}", mgmt::EDGE_ROUTERS_PATH);
        let env: ListEnvelope<EdgeRouter> = serde_json::from_str(&get(url).await.1).unwrap();
        ids.extend(env.data.into_iter().map(|r| r.id));
    }
    assert_eq!(ids, (0..1234).map(|i| format!("r{i:04}")).collect::<Vec<_>>());

    let (status, body) = get(format!("{base}{}?limit=-1", mgmt::IDENTITIES_PATH)).await;
    assert_eq!(status, 200);
    let all: ListEnvelope<Identity> = serde_json::from_str(&body).unwrap();
    assert_eq!(all.data.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["laptop-0", "laptop-1", "laptop-2"]);
    assert_eq!(all.meta.pagination.unwrap().limit, -1);
}

#[tokio::test]
async fn bad_parameters_get_the_apis_400_envelope() {
    let base = serve().await;
    for (path, query, field) in [
        (mgmt::EDGE_ROUTERS_PATH, "?limit=ten", "limit"),
        (mgmt::IDENTITIES_PATH, "?offset=1e3", "offset"),
        (mgmt::IDENTITIES_PATH, "?limit=%3Cscript%3E", "limit"),
    ] {
        let (status, body) = get(format!("{base}{path}{query}")).await;
        assert_eq!(status, 400, "{body}");
        let e: ErrorEnvelope = serde_json::from_str(&body).unwrap();
        assert_eq!(e.error.code, "COULD_NOT_VALIDATE");
        assert_eq!(e.error.cause.as_ref().map(|c| c.field.as_str()), Some(field));
        assert!(e.error.request_id.len() == 36, "a request id in the UUID shape: {}", e.error.request_id);
        assert_eq!(e.meta.api_version.as_deref(), Some(mgmt::API_VERSION));
        assert!(e.meta.pagination.is_none());
    }
    // A query that does not decode is no parameters at all.
    assert_eq!(get(format!("{base}{}?%zz", mgmt::EDGE_ROUTERS_PATH)).await.0, 200);
}

#[tokio::test]
async fn with_a_login_the_lists_need_a_session_as_a_controller_s_do() {
    let login = Credentials { username: "admin".into(), password: "s3cret".into() };
    let state = MgmtState::new(Arc::new(Fixed), Some(login.clone()));
    let base = serve_with(state.clone()).await;
    let http = reqwest::Client::new();
    let list = format!("{base}{}", mgmt::IDENTITIES_PATH);
    let r = http.get(&list).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let e: ErrorEnvelope = r.json().await.unwrap();
    assert_eq!(e.error.code, "UNAUTHORIZED");

    let auth = format!("{base}{}?method=password", mgmt::AUTHENTICATE_PATH);
    let wrong = Credentials { password: "nope".into(), ..login.clone() };
    let r = http.post(&auth).json(&wrong).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.json::<ErrorEnvelope>().await.unwrap().error.code, "INVALID_AUTH");
    let no_method = format!("{base}{}", mgmt::AUTHENTICATE_PATH);
    assert_eq!(http.post(&no_method).json(&login).send().await.unwrap().status().as_u16(), 401, "method=password");

    let r = http.post(&auth).json(&login).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let header = r.headers()[mgmt::SESSION_HEADER].to_str().unwrap().to_owned();
    let session: DataEnvelope<ApiSession> = r.json().await.unwrap();
    assert_eq!(session.data.token, header, "the token in the body and the header");
    assert_eq!(session.data.token.len(), 36);
    let ok = http.get(&list).header(mgmt::SESSION_HEADER, &header).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let bearer = http.get(&list).bearer_auth(&header).send().await.unwrap();
    assert_eq!(bearer.status().as_u16(), 200, "newer controllers take a bearer token too");
    let forged = http.get(&list).header(mgmt::SESSION_HEADER, "00000000-0000-4000-8000-000000000001").send().await;
    assert_eq!(forged.unwrap().status().as_u16(), 401);

    state.revoke_sessions();
    let after = http.get(&list).header(mgmt::SESSION_HEADER, &header).send().await.unwrap();
    assert_eq!(after.status().as_u16(), 401, "a restart ends every session");
}
