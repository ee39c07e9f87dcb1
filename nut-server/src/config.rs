//! What upsd serves, assembled from the three parsed configuration files.
//!
//! [`ServedConfig::from_configs`] takes `nut-proto`'s parsed `upsd.conf`, `upsd.users` and
//! `ups.conf` and keeps what the data server needs: the UPS table (in `ups.conf` order, which is
//! the order of `LIST UPS`), the users and their rights, `MAXAGE` and `TRACKINGDELAY`.
//! Like upsd 2.8.0, a section without `driver` or `port` is skipped (listed in
//! [`ServedConfig::skipped`] so the caller can log it), and having no UPS at all is an error
//! unless `ALLOW_NO_DEVICE` is set.

use std::time::Duration;

use nut_proto::config::{UpsConf, UpsdConf, UpsdUsers};

use crate::{auth::Users, ServerError};

/// The version upsd reports (`VER`, `server.version`) unless told otherwise: the NUT release
/// whose protocol behaviour this crate reproduces.
pub const DEFAULT_VERSION: &str = "2.8.0";

/// One UPS from `ups.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsDef {
    /// The section name, as written (the canonical spelling, used in `LIST UPS`).
    pub name: String,
    /// `driver` (the driver socket is `<statepath>/<driver>-<name>`).
    pub driver: String,
    /// `port`.
    pub port: String,
    /// `desc`, if any.
    pub desc: Option<String>,
}

impl UpsDef {
    /// A definition with no description.
    pub fn new(
        name: impl Into<String>,
        driver: impl Into<String>,
        port: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            driver: driver.into(),
            port: port.into(),
            desc: None,
        }
    }

    /// The file name of the driver's socket inside the state path: `<driver>-<name>`.
    pub fn socket_name(&self) -> String {
        format!("{}-{}", self.driver, self.name)
    }
}

/// Everything the data server's state needs from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedConfig {
    /// The UPSes, in `ups.conf` order.
    pub upses: Vec<UpsDef>,
    /// Accounts from `upsd.users`.
    pub users: Users,
    /// `MAXAGE`: data older than this is stale.
    pub maxage: Duration,
    /// `TRACKINGDELAY`: how long TRACKING results are kept.
    pub trackingdelay: Duration,
    /// The version string reported by `VER` and `server.version`.
    pub version: String,
    /// `ALLOW_NO_DEVICE`.
    pub allow_no_device: bool,
    /// Sections of `ups.conf` skipped because `driver` or `port` was missing.
    pub skipped: Vec<String>,
    /// Sections of `ups.conf` skipped because another one has the same name but for case
    /// (upsd: `UPS name [x] is already in use!`).
    pub in_use: Vec<String>,
}

impl ServedConfig {
    /// A configuration serving `upses` to `users`, with upsd's defaults for the rest.
    pub fn new(upses: Vec<UpsDef>, users: Users) -> Self {
        Self {
            upses,
            users,
            maxage: Duration::from_secs(u64::from(nut_proto::config::upsd_conf::DEFAULT_MAXAGE)),
            trackingdelay: Duration::from_secs(u64::from(
                nut_proto::config::upsd_conf::DEFAULT_TRACKINGDELAY,
            )),
            version: DEFAULT_VERSION.to_owned(),
            allow_no_device: false,
            skipped: Vec::new(),
            in_use: Vec::new(),
        }
    }

    /// Assembles the served configuration from the parsed files.
    ///
    /// ```
    /// use nut_proto::config::{UpsConf, UpsdConf, UpsdUsers};
    /// use nut_server::ServedConfig;
    /// let ups = UpsConf::parse("[ups1]\n driver = dummy-ups\n port = a.dev\n desc = \"Lab\"\n", "ups.conf")?.config;
    /// let upsd = UpsdConf::parse("MAXAGE 30\n", "upsd.conf")?.config;
    /// let users = UpsdUsers::parse("", "upsd.users")?.config;
    /// let cfg = ServedConfig::from_configs(&upsd, &users, &ups)?;
    /// assert_eq!(cfg.upses[0].socket_name(), "dummy-ups-ups1");
    /// assert_eq!(cfg.maxage.as_secs(), 30);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_configs(
        upsd: &UpsdConf,
        users: &UpsdUsers,
        ups: &UpsConf,
    ) -> Result<Self, ServerError> {
        let mut upses: Vec<UpsDef> = Vec::new();
        let mut skipped = Vec::new();
        let mut in_use = Vec::new();
        // upsd takes the sections last to first: of two names equal but for case, the later
        // one is served and the earlier one reported.
        for s in ups.sections.iter().rev() {
            let (Some(driver), Some(port)) = (&s.driver, &s.port) else {
                skipped.push(s.name.clone());
                continue;
            };
            if upses.iter().any(|u| u.name.eq_ignore_ascii_case(&s.name)) {
                in_use.push(s.name.clone());
                continue;
            }
            upses.push(UpsDef {
                name: s.name.clone(),
                driver: driver.clone(),
                port: port.clone(),
                desc: s.desc.clone(),
            });
        }
        upses.reverse();
        let allow_no_device = upsd.allow_no_device.unwrap_or(false);
        if upses.is_empty() && !allow_no_device {
            return Err(ServerError::NoDevices);
        }
        Ok(Self {
            maxage: Duration::from_secs(u64::from(upsd.maxage())),
            trackingdelay: Duration::from_secs(u64::from(upsd.trackingdelay())),
            allow_no_device,
            skipped,
            in_use,
            ..Self::new(upses, Users::from_config(users))
        })
    }
}
