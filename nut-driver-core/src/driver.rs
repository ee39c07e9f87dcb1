//! The trait every device driver implements, and the options it declares.

use async_trait::async_trait;

use crate::dstate::DriverState;
use crate::error::DriverError;
use crate::sock::TrackingResult;

/// Static facts about a driver, published as `driver.name`, `driver.version.internal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverInfo {
    /// Program name (`dummy-ups`, `usbhid-ups`, ...).
    pub name: &'static str,
    /// The driver's own version (`driver.version.internal`).
    pub version: &'static str,
    /// One-line description for `-h` / `-V`.
    pub description: &'static str,
}

/// One option a driver accepts in `ups.conf` or with `-x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverOption {
    /// Option name.
    pub name: &'static str,
    /// Whether it takes a value (`name = value`) or is a flag (`name`).
    pub takes_value: bool,
    /// Human description for `-h`.
    pub description: &'static str,
}

/// The options given to a driver: `ups.conf` section settings and `-x` overrides, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriverOptions {
    entries: Vec<(String, Option<String>)>,
}

impl DriverOptions {
    /// Builds from `(name, value)` pairs; a later pair with the same name wins on lookup.
    pub fn new(entries: Vec<(String, Option<String>)>) -> Self {
        Self { entries }
    }

    /// Adds or replaces an option.
    pub fn set(&mut self, name: &str, value: Option<&str>) {
        self.entries.retain(|(n, _)| n != name);
        self.entries
            .push((name.to_owned(), value.map(str::to_owned)));
    }

    /// The value of an option that has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether an option (flag or valued) is present.
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }

    /// All options in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_deref()))
    }

    /// A numeric option, with a clear error naming it when it does not parse.
    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, DriverError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| DriverError::Config(format!("invalid value '{v}' for {name}"))),
        }
    }
}

/// A device driver.
///
/// The driver loop calls [`init`](Self::init) once (upsdrvctl retries a failed start per
/// `maxretry`/`retrydelay`),
/// then [`update`](Self::update) every `pollinterval`; an `Err` from `update` marks the data
/// stale and the loop retries with backoff. Socket requests arrive as
/// [`instcmd`](Self::instcmd) and [`set_var`](Self::set_var) between polls.
#[async_trait]
pub trait Driver: Send {
    /// Name and version.
    fn info(&self) -> DriverInfo;

    /// The options this driver understands (beyond the ones every driver has).
    fn options(&self) -> Vec<DriverOption> {
        Vec::new()
    }

    /// Finds the device and publishes its static data.
    async fn init(&mut self, state: &mut DriverState) -> Result<(), DriverError>;

    /// Polls the device and publishes what changed; call `state.data_ok()` on success.
    async fn update(&mut self, state: &mut DriverState) -> Result<(), DriverError>;

    /// Powers the load off (the `-k` option), after the configured delays.
    async fn shutdown(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        let _ = state;
        Err(DriverError::Unsupported(format!(
            "{} cannot shut the load off",
            self.info().name
        )))
    }

    /// Runs an instant command.
    async fn instcmd(
        &mut self,
        state: &mut DriverState,
        cmd: &str,
        param: Option<&str>,
    ) -> TrackingResult {
        let _ = (state, cmd, param);
        TrackingResult::Unknown
    }

    /// Sets a writable variable.
    async fn set_var(&mut self, state: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        let _ = (state, var, value);
        TrackingResult::Unknown
    }
}
