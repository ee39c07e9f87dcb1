//! The effective settings of one driver instance: `ups.conf` globals and section, then `-x`
//! options, applied with the rules of NUT 2.8.0's `drivers/main.c`. Pure: the caller reads
//! the file.

use nut_proto::config::ups_conf::{Globals, UpsConf, UpsSection};

use super::args::{above_zero, atoi, Args};
use crate::driver::{DriverOption, DriverOptions};
use crate::error::DriverError;

/// Options every driver understands (handled here, not by the driver).
const COMMON_VALUES: &[&str] = &["port", "user", "group", "synchronous", "debug_min"];
/// Options that belong to other programs (upsd, upsdrvctl) and are accepted silently.
const IGNORED: &[&str] = &["sdorder", "desc", "sddelay", "maxstartdelay", "driver"];

/// Everything a driver instance needs to know before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The UPS name (`-a`/`-s`).
    pub ups: String,
    /// Options for the driver, `port` included.
    pub options: DriverOptions,
    /// `driver.parameter.<name>` (`Some`) and `driver.flag.<name>` (`None`) to publish.
    pub published: Vec<(String, Option<String>)>,
    /// `default.<var>` values, in order.
    pub defaults: Vec<(String, String)>,
    /// `override.<var>` values, in order.
    pub overrides: Vec<(String, String)>,
    /// Seconds between polls.
    pub poll_interval: u32,
    /// `synchronous`: `yes`, `no` or `auto`.
    pub synchronous: String,
    /// User to switch to when started as root.
    pub user: Option<String>,
    /// Group that gets access to the socket.
    pub group: Option<String>,
    /// Directory to chroot into.
    pub chroot: Option<String>,
    /// Debug level: `-D` count, raised to `debug_min`.
    pub debug: u8,
    /// Seconds between attempts to re-initialise a lost device (`retrydelay`). `maxretry`
    /// is upsdrvctl's: the driver itself tries to start once, as NUT's drivers do.
    pub retry_delay: u32,
}

impl Setup {
    /// Builds the setup from the arguments and, with `-a`, the text of `ups.conf`
    /// (`file` names it in errors). `known` lists the driver's own options; `progname` must
    /// match the section's `driver`.
    pub fn build(
        args: &Args,
        ups_conf: Option<(&str, &str)>,
        progname: &str,
        known: &[DriverOption],
    ) -> Result<Self, DriverError> {
        let ups = args.ups_name().ok_or_else(|| {
            DriverError::Config(
                "specifying '-a id' or '-s id' is now mandatory. Try -h for help.".into(),
            )
        })?;
        let mut s = Self::new(ups, args);
        let mut debug_min = None;
        if let (Some(section), Some((text, file))) = (&args.section, ups_conf) {
            let conf = UpsConf::parse(text, file)
                .map_err(|e| DriverError::Config(e.to_string()))?
                .config;
            let sec = conf.section(section).ok_or_else(|| {
                DriverError::Config(format!("Section {section} not found in ups.conf"))
            })?;
            debug_min = s.apply_globals(&conf.globals)?;
            debug_min = s.apply_section(sec, progname, known)?.or(debug_min);
        }
        for (k, v) in &args.extra {
            s.store(k, v.as_deref(), known, true)?;
        }
        if let Some(i) = args.interval {
            s.poll_interval = i;
        }
        // The command line wins over ups.conf.
        for (field, cli) in [(&mut s.user, &args.user), (&mut s.group, &args.group)] {
            if cli.is_some() {
                field.clone_from(cli);
            }
        }
        if args.chroot.is_some() {
            s.chroot.clone_from(&args.chroot);
        }
        s.debug = s
            .debug
            .max(u8::try_from(debug_min.unwrap_or(0)).unwrap_or(u8::MAX));
        if s.options.get("port").is_none() {
            return Err(DriverError::Config(
                "Error: you must specify a port name in ups.conf or in '-x port=...' argument.\n\
                 Try -h for help."
                    .into(),
            ));
        }
        Ok(s)
    }

    fn new(ups: &str, args: &Args) -> Self {
        Self {
            ups: ups.to_owned(),
            options: DriverOptions::default(),
            published: Vec::new(),
            defaults: Vec::new(),
            overrides: Vec::new(),
            poll_interval: nut_proto::config::ups_conf::DEFAULT_POLLINTERVAL,
            synchronous: "auto".into(),
            user: args.user.clone(),
            group: args.group.clone(),
            chroot: args.chroot.clone(),
            debug: args.debug,
            retry_delay: nut_proto::config::ups_conf::DEFAULT_RETRYDELAY,
        }
    }

    /// The global settings; a `pollinterval` not above zero stops every driver (as NUT's).
    fn apply_globals(&mut self, g: &Globals) -> Result<Option<u32>, DriverError> {
        if let Some(n) = g.pollinterval {
            self.poll_interval = above_zero(n, "invalid pollinterval")?;
        }
        if let Some(sync) = g.synchronous {
            self.synchronous = sync.to_string();
        }
        self.user.clone_from(&g.user);
        self.group.clone_from(&g.group);
        self.chroot.clone_from(&g.chroot);
        self.retry_delay = g.retrydelay.unwrap_or(self.retry_delay);
        Ok(g.debug_min)
    }

    fn apply_section(
        &mut self,
        sec: &UpsSection,
        progname: &str,
        known: &[DriverOption],
    ) -> Result<Option<u32>, DriverError> {
        if let Some(d) = sec.driver.as_deref().filter(|d| *d != progname) {
            return Err(DriverError::Config(format!(
                "Error: UPS [{}] is for driver {d}, but I'm {progname}!\n",
                sec.name
            )));
        }
        if let Some(port) = &sec.port {
            self.store("port", Some(port), known, false)?;
        }
        let mut debug_min = None;
        for opt in &sec.options {
            match (opt.key.as_str(), opt.value.as_deref()) {
                ("pollinterval", Some(v)) => {
                    let what = format!("UPS [{}]: invalid pollinterval", sec.name);
                    self.poll_interval = above_zero(atoi(v), &what)?;
                }
                ("debug_min", Some(v)) => debug_min = u32::try_from(atoi(v)).ok(),
                (k, v) => self.store(k, v, known, false)?,
            }
        }
        Ok(debug_min)
    }

    /// NUT's `main_arg` then `storeval`: options main handles, `default.`/`override.`, then
    /// the driver's own options (which must be declared).
    fn store(
        &mut self,
        key: &str,
        value: Option<&str>,
        known: &[DriverOption],
        cmdline: bool,
    ) -> Result<(), DriverError> {
        match (key, value) {
            ("nolock" | "ignorelb", _) => self.publish(key, None),
            ("user", Some(v)) if !cmdline => self.user = Some(v.into()),
            ("group", Some(v)) if !cmdline => self.group = Some(v.into()),
            ("synchronous", Some(v)) => self.synchronous = synchronous(v).into(),
            ("port", Some(v)) => {
                self.options.set("port", Some(v));
                self.publish("port", Some(v));
            }
            (k, Some(_)) if IGNORED.contains(&k) || COMMON_VALUES.contains(&k) => {}
            (k, Some(v)) if has_prefix(k, "override.") => {
                self.overrides.push((k[9..].to_owned(), v.to_owned()))
            }
            (k, Some(v)) if has_prefix(k, "default.") => {
                self.defaults.push((k[8..].to_owned(), v.to_owned()))
            }
            (k, v) => return self.driver_option(k, v, known),
        }
        Ok(())
    }

    fn driver_option(
        &mut self,
        key: &str,
        value: Option<&str>,
        known: &[DriverOption],
    ) -> Result<(), DriverError> {
        if value.is_none() {
            // NUT publishes a flag before checking that the driver knows it.
            self.publish(key, None);
        }
        let decl = known
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(key) && o.takes_value == value.is_some());
        let Some(decl) = decl else {
            let what = if value.is_some() {
                "variable name"
            } else {
                "flag"
            };
            return Err(super::fatal::not_valid(key, what));
        };
        self.options.set(decl.name, value);
        if value.is_some() && !is_sensitive(decl.name) {
            self.publish(decl.name, value);
        }
        Ok(())
    }

    fn publish(&mut self, key: &str, value: Option<&str>) {
        self.published.retain(|(k, _)| k != key);
        self.published
            .push((key.to_owned(), value.map(str::to_owned)));
    }
}

fn has_prefix(key: &str, prefix: &str) -> bool {
    key.len() > prefix.len() && key[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn synchronous(v: &str) -> &'static str {
    match v {
        "yes" => "yes",
        "auto" => "auto",
        _ => "no",
    }
}

/// Options whose values are secrets and never published as `driver.parameter.*` (NUT marks
/// them `VAR_SENSITIVE` per driver; we recognise them by name).
pub fn is_sensitive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["pass", "secret", "community"]
        .iter()
        .any(|w| n.contains(w))
}
