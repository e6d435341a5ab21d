//! The worker, in the test's own thread: a `sync::Engine` that takes the
//! messages a test gives it and the commands the page sends, and whose
//! updates the page's store applies, as `crate::feed` does with the real
//! worker's. The protocol is the real one, through JSON.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;
use zitiscope::store::LiveStore;
use zitiscope_core::alerts::AlertConfig;
use zitiscope_core::client::Beats;
use zitiscope_core::sync::{Command, Engine, FeedStatus, Update};

/// See the module docs.
#[derive(Clone)]
pub struct Worker {
    engine: Rc<RefCell<Engine>>,
    commands: Rc<RefCell<Vec<Command>>>,
    store: LiveStore,
}

impl Worker {
    /// An engine behind `store`, its stream live (from a feed that beats).
    pub fn new(store: LiveStore) -> Self {
        let engine = Rc::new(RefCell::new(Engine::new(AlertConfig::default())));
        let commands = Rc::new(RefCell::new(Vec::new()));
        let queue = commands.clone();
        store.connect(move |cmd| queue.borrow_mut().push(cmd.clone()));
        let w = Worker { engine, commands, store };
        w.status(FeedStatus::Live, Beats::Sent);
        w
    }

    /// A message on the stream, arrived now.
    pub fn message(&self, event: &str, id: &str, data: &str) {
        self.message_at(event, id, data, zitiscope::web::epoch_ms());
    }

    /// A message on the stream, arrived at `ms` (the shared epoch clock).
    pub fn message_at(&self, event: &str, id: &str, data: &str, ms: f64) {
        self.engine.borrow_mut().message(event, id, data, ms);
    }

    /// The stream's state.
    pub fn status(&self, status: FeedStatus, beats: Beats) {
        self.engine.borrow_mut().connection(status, beats, zitiscope::web::epoch_ms());
    }

    /// The engine's one-second tick.
    pub fn tick(&self) {
        self.engine.borrow_mut().tick(zitiscope::web::epoch_ms());
    }

    /// Hands the engine the page's commands, and the page every update the
    /// engine has for it, until there is none.
    pub fn pump(&self) {
        loop {
            let now = zitiscope::web::epoch_ms();
            for cmd in self.commands.borrow_mut().drain(..) {
                self.engine.borrow_mut().command(cmd, now);
            }
            let Some(u) = self.engine.borrow_mut().update(now) else { return };
            let u: Update = serde_json::from_str(&serde_json::to_string(&u).unwrap()).unwrap();
            self.store.apply(u).unwrap();
            self.engine.borrow_mut().command(Command::Ready { applied: self.store.applied(), send_at: None }, now);
        }
    }

    /// When a held-back map rebuild is due (the shared epoch clock, ms), if one is.
    pub fn held_until(&self) -> Option<f64> {
        self.engine.borrow().held_until()
    }

    /// Where a reconnect would continue.
    pub fn resume_point(&self) -> Option<String> {
        self.engine.borrow().resume_point()
    }
}
