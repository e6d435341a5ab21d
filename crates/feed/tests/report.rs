//! Availability reports and maintenance windows through the real server,
//! on SQLite and on PostgreSQL: `/report` is the core's own report over the
//! same events, and `/maintenance` checks, keeps and deletes windows that
//! reports leave out.

mod common;

use common::history::*;
use common::{start, TempDir};

on_both!(a_report_is_the_cores_own_over_the_same_events, maintenance_windows_are_checked_kept_and_left_out_of_reports);

/// `GET /report`: availability over a range is the core's own report over
/// the same events (the state at its start, then the range's events), as
/// JSON and as CSV; a reversed, too long or unknown request is refused.
async fn a_report_is_the_cores_own_over_the_same_events(backend: Backend) {
    use zitiscope_core::report::{self, Subject, Timelines};
    let dir = TempDir::new(&format!("history-report-{backend:?}"));
    let db = Db::new(backend, &dir, "report");
    let path = dir.0.join("events.jsonl");
    log(&path, 0..500);
    // A maintenance window over part of edge-4's outage (it goes offline
    // at 14 ms and stays so), from the config file.
    let config = dir.0.join("feed.toml");
    let window = format!(
        "[[maintenance]]\nname = \"edge-4 swap\"\nwhen = {{ kind = \"once\", from = {}, to = {} }}\nscope = {{ nodes = [\"edge-4\"] }}\n",
        T0 + 100 * 1_000_000,
        T0 + 200 * 1_000_000
    );
    std::fs::write(&config, &window).unwrap();
    let (config, log_path) = (config.to_str().unwrap().to_owned(), path.to_str().unwrap().to_owned());
    let args =
        ["--config", &config, "--history", db.arg(), "--batch-interval-ms", "5", "file", &log_path, "--from-start"];
    let feed = start(&args).await;
    settled(&feed, 500).await;

    let (from, to) = (T0 + 50 * 1_000_000, T0 + 450 * 1_000_000);
    let (status, body) = json(format!("{}/report?from={from}&to={to}", feed.base)).await;
    assert_eq!(status, 200, "{body}");
    let events: Vec<zitiscope_core::Event> = (0..500)
        .filter_map(|k| match zitiscope_core::parse_line(&line(k)) {
            Ok(zitiscope_core::Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let mut start = zitiscope_core::Store::new();
    events.iter().filter(|e| e.at.0 <= from).for_each(|e| drop(start.apply(e)));
    let mut timelines = Timelines::new(start, from);
    let inside: Vec<_> = events.iter().filter(|e| e.at.0 >= from && e.at.0 < to).collect();
    inside.iter().for_each(|e| timelines.observe(e));
    let id = |s: &Subject| match s {
        Subject::Router(id) | Subject::Controller(id) | Subject::Link(id) => id.clone(),
    };
    let range = report::Span::new(from, to);
    let windows: Vec<report::windows::Window> =
        vec![toml::from_str::<toml::Table>(&window).unwrap()["maintenance"].as_array().unwrap()[0]
            .clone()
            .try_into()
            .unwrap()];
    let maintenance = report::windows::maintenance(&windows, &timelines.nodes(to), range);
    let known = timelines.known_since();
    let known = |s: &Subject| known.get(s).copied().unwrap_or(from);
    let rows = report::rows(timelines.finish(), range, |s| maintenance.get(s).cloned().unwrap_or_default(), id, known);
    let want = report::Report { range, events: inside.len() as u64, complete: true, rows };
    assert_eq!(body, serde_json::to_value(&want).unwrap());
    // The window is left out of edge-4's time, and said so.
    let edge4 = want.rows.iter().find(|r| r.subject == Subject::Router("edge-4".into())).unwrap();
    assert_eq!(edge4.availability.maintenance_ns, 100 * 1_000_000);
    assert_eq!(edge4.availability.down_ns, (400 - 100) * 1_000_000, "down all along but for the window");
    // Routers went offline one by one, and stayed so: the worst is down
    // to the end, and said so.
    let worst = &want.rows[0].availability;
    assert!(worst.percent < Some(100.0) && worst.outages.last().is_some_and(|o| o.ongoing), "{worst:?}");

    // A group, or any set of nodes, by the list's filter language.
    let (_, some) =
        json(format!("{}/report?from={from}&to={to}&filter=type%3Drouter%20AND%20id%3Dedge-4", feed.base)).await;
    let kept: Vec<&serde_json::Value> = some["rows"].as_array().unwrap().iter().collect();
    assert_eq!(kept.len(), 1, "{some}");
    assert_eq!(kept[0], &serde_json::to_value(want.rows.iter().find(|r| r.name == "edge-4").unwrap()).unwrap());
    let (status, bad) = json(format!("{}/report?filter=stat%3D1", feed.base)).await;
    assert_eq!(status, 400);
    assert!(bad["error"].as_str().unwrap().starts_with("filter:"), "{bad}");
    let csv = reqwest::get(format!("{}/report?from={from}&to={to}&format=csv", feed.base)).await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.text().await.unwrap(), report::csv(&want.rows));
    for bad in [
        format!("from={to}&to={from}"),
        format!("from={from}&to={}", from + 401 * 86_400_000_000_000),
        "format=xml".into(),
    ] {
        let (status, body) = json(format!("{}/report?{bad}", feed.base)).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    stop(feed).await;
}

/// `/maintenance`: a window made through the API is checked (a node that
/// does not exist, a zone that does not, a body that is not a window: each
/// refused with its reason), kept across a restart, listed with where it
/// holds, left out of `/report`, and deleted.
async fn maintenance_windows_are_checked_kept_and_left_out_of_reports(backend: Backend) {
    let dir = TempDir::new(&format!("history-maintenance-{backend:?}"));
    let db = Db::new(backend, &dir, "maintenance");
    let path = dir.0.join("events.jsonl");
    log(&path, 0..300);
    let first = feed(&db, &path).await;
    settled(&first, 300).await;
    let http = reqwest::Client::new();
    let post = |base: String, body: String| {
        let http = http.clone();
        async move {
            let r = http.post(format!("{base}/maintenance")).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let once = |node: &str| {
        format!(
            r#"{{"name":"swap","when":{{"kind":"once","from":{},"to":{}}},"scope":{{"nodes":["{node}"]}}}}"#,
            T0 + 100 * 1_000_000,
            T0 + 200 * 1_000_000
        )
    };
    let weekly_on_mars = r#"{"name":"x","when":{"kind":"weekly","days":["sun"],"start":"01:00","minutes":60,"zone":"Mars/Base"},"scope":{"filter":"attr=eu"}}"#;
    for (body, why) in [
        (once("edge-99"), "scope: no node is named \"edge-99\""),
        (weekly_on_mars.to_owned(), "zone: \"Mars/Base\" is not an IANA time zone"),
        ("{\"name\":1}".to_owned(), "not a window"),
    ] {
        let (status, answer) = post(first.base.clone(), body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["error"].as_str().unwrap().contains(why), "{body}: {answer}");
    }
    let (status, made) = post(first.base.clone(), once("edge-4")).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().unwrap();
    let (status, again) = post(first.base.clone(), once("edge-4")).await;
    assert_eq!(status, 400, "the same window twice: {again}");
    assert!(again["error"].as_str().unwrap().contains(&format!("overlaps the window \"swap\" (id {id})")), "{again}");
    stop(first).await;

    // Kept across a restart, and listed with where it holds.
    let second = feed(&db, &path).await;
    settled(&second, 300).await;
    let (_, listed) = json(format!("{}/maintenance?from={T0}&to={}", second.base, T0 + 1_000_000_000)).await;
    let windows = listed["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1, "{listed}");
    assert_eq!(windows[0]["id"], id);
    assert_eq!(windows[0]["spans"], serde_json::json!([{ "from": T0 + 100_000_000, "to": T0 + 200_000_000 }]));
    // Left out of edge-4's report (it is down from 14 ms on).
    let (_, report) = json(format!("{}/report?from={T0}&to={}", second.base, T0 + 300 * 1_000_000)).await;
    let edge4 = report["rows"].as_array().unwrap().iter().find(|r| r["subject"]["id"] == "edge-4").unwrap().clone();
    assert_eq!(edge4["availability"]["maintenance_ns"], 100_000_000, "{edge4}");

    let delete = |n: i64| http.delete(format!("{}/maintenance/{n}", second.base)).send();
    assert_eq!(delete(id).await.unwrap().status(), 204);
    assert_eq!(delete(id).await.unwrap().status(), 404, "gone");
    let (_, listed) = json(format!("{}/maintenance", second.base)).await;
    assert_eq!(listed["windows"], serde_json::json!([]));
    stop(second).await;
}
