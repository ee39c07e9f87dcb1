//! A [`Backend`] that hosts [`Driver`]s in this process: a Rust program serves its own devices
//! over the NUT protocol without driver processes or sockets.
//!
//! Each driver runs the same cycle as a driver process: `init` (retried until it succeeds),
//! then `update` every poll interval; what it publishes through its
//! [`DriverState`] reaches the served state as the messages a driver socket would carry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use nut_driver_core::sock::{DriverMsg, ServerMsg, TrackingResult};
use nut_driver_core::{Driver, DriverState};
use tokio::time::MissedTickBehavior;

use super::backend::{Backend, UpsLink};
use crate::UpsDef;

type Hosted = Arc<tokio::sync::Mutex<Box<dyn Driver>>>;

/// Drivers hosted in process, by UPS name (case-insensitive, like UPS names on the wire).
#[derive(Clone)]
pub struct InProcess {
    drivers: Arc<Mutex<HashMap<String, Hosted>>>,
    poll_interval: Duration,
    retry: Duration,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl Default for InProcess {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcess {
    /// No drivers yet; polls every 2 s (NUT's default `pollinterval`).
    pub fn new() -> Self {
        Self {
            drivers: Arc::default(),
            poll_interval: Duration::from_secs(2),
            retry: Duration::from_secs(5),
        }
    }

    /// Changes the poll interval.
    pub fn with_poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }

    /// Serves `driver` as the UPS `ups` (which must also be in the served configuration).
    pub fn add(&self, ups: &str, driver: impl Driver + 'static) {
        let hosted: Hosted = Arc::new(tokio::sync::Mutex::new(Box::new(driver)));
        self.drivers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(ups.to_ascii_lowercase(), hosted);
    }

    fn get(&self, ups: &str) -> Option<Hosted> {
        self.drivers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&ups.to_ascii_lowercase())
            .cloned()
    }
}

#[async_trait]
impl Backend for InProcess {
    async fn run(&self, ups: UpsDef, mut link: UpsLink) {
        let Some(hosted) = self.get(&ups.name) else {
            link.logger().warn(&format!(
                "UPS [{}]: no in-process driver registered for it",
                ups.name
            ));
            return std::future::pending().await;
        };
        let mut driver = hosted.lock().await;
        let mut state = DriverState::new();
        while let Err(e) = driver.init(&mut state).await {
            link.logger()
                .warn(&format!("UPS [{}]: driver init failed: {e}", ups.name));
            tokio::time::sleep(self.retry).await;
        }
        let _ = driver.update(&mut state).await;
        state.take_updates();
        link.connected();
        link.msgs(&state.dump());
        self.serve(driver.as_mut(), &mut state, &mut link).await;
    }
}

impl InProcess {
    async fn serve(&self, driver: &mut dyn Driver, state: &mut DriverState, link: &mut UpsLink) {
        let mut poll = tokio::time::interval(self.poll_interval);
        poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
        poll.tick().await;
        loop {
            tokio::select! {
                _ = poll.tick() => {
                    if driver.update(state).await.is_err() {
                        state.data_stale();
                    }
                }
                cmd = link.next_command() => {
                    let Some(cmd) = cmd else { return };
                    if let Some(reply) = execute(driver, state, cmd).await {
                        publish(state, link);
                        link.msg(&reply);
                    }
                }
            }
            publish(state, link);
            link.check_stale();
            // Nothing crosses a socket here, so answer upsd's liveness check ourselves.
            if link.ping_due() {
                link.ping_sent();
                link.msg(&DriverMsg::Pong);
            }
        }
    }
}

fn publish(state: &mut DriverState, link: &UpsLink) {
    let updates = state.take_updates();
    if !updates.is_empty() {
        link.msgs(&updates);
    }
}

/// Runs a `SET`/`INSTCMD`; returns the `TRACKING` reply when one was asked for.
async fn execute(
    driver: &mut dyn Driver,
    state: &mut DriverState,
    cmd: ServerMsg,
) -> Option<DriverMsg> {
    let (result, tracking): (TrackingResult, Option<String>) = match cmd {
        ServerMsg::Set {
            var,
            value,
            tracking,
        } => (driver.set_var(state, &var, &value).await, tracking),
        ServerMsg::InstCmd {
            cmd,
            param,
            tracking,
        } => (
            driver.instcmd(state, &cmd, param.as_deref()).await,
            tracking,
        ),
        _ => return None,
    };
    tracking.map(|id| DriverMsg::Tracking { id, result })
}
