//! A real RabbitMQ for the `amqp` tests: Debian's package, run by
//! `scripts/rabbitmq.sh` (started once per test binary if it is not
//! already running; `make test` stops it at the end), and a publisher that
//! publishes as the controller's AMQP handler does.

use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// Runs `scripts/rabbitmq.sh what`, panicking with its output if it fails.
pub fn script(what: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/rabbitmq.sh");
    let out = Command::new(script).arg(what).output().expect("scripts/rabbitmq.sh runs");
    assert!(out.status.success(), "rabbitmq.sh {what}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The broker's URL, once it listens.
pub fn url() -> String {
    static STARTED: OnceLock<String> = OnceLock::new();
    STARTED
        .get_or_init(|| {
            script("start");
            script("url")
        })
        .clone()
}

/// A channel on the broker.
pub async fn channel() -> (Connection, Channel) {
    let conn = Connection::connect(&url(), ConnectionProperties::default()).await.expect("the broker accepts");
    let ch = conn.create_channel().await.unwrap();
    (conn, ch)
}

/// Declares `queue` as the controller's handler does (durable, no
/// arguments) and empties it. Returns the channel for [`publish`].
pub async fn fresh_queue(queue: &str) -> (Connection, Channel) {
    let (conn, ch) = channel().await;
    ch.queue_declare(queue.into(), QueueDeclareOptions { durable: true, ..Default::default() }, FieldTable::default())
        .await
        .unwrap();
    ch.queue_purge(queue.into(), Default::default()).await.unwrap();
    (conn, ch)
}

/// Publishes each body as the controller does: one event a message, to
/// the default exchange with the queue's name as routing key, as
/// `application/json`, transient, with no trailing newline.
pub async fn publish(ch: &Channel, queue: &str, bodies: impl IntoIterator<Item = String>) {
    for body in bodies {
        ch.basic_publish(
            "".into(),
            queue.into(),
            BasicPublishOptions::default(),
            body.as_bytes(),
            BasicProperties::default().with_content_type("application/json".into()),
        )
        .await
        .unwrap();
    }
}

/// The messages in `queue` that no consumer holds (ready), and the number
/// of consumers: a passive declaration.
pub async fn queue_state(ch: &Channel, queue: &str) -> (u32, u32) {
    let q = ch
        .queue_declare(queue.into(), QueueDeclareOptions { passive: true, ..Default::default() }, FieldTable::default())
        .await
        .unwrap();
    (q.message_count(), q.consumer_count())
}
