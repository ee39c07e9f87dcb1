//! upsmon's timing and shutdown settings, with NUT's defaults.

use std::time::Duration;

use nut_proto::config::upsmon_conf::{ShutdownExit, UpsmonConf, UpsmonRole};

use super::notify::NotifyTable;

/// upsmon 2.8.0's pause between polls before any UPS was seen on line or on battery.
pub const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// One `MONITOR` line, reduced to what the decisions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorTarget {
    /// `ups@host[:port]`.
    pub system: String,
    /// Power value.
    pub power_value: u32,
    /// Primary (`primary`/`master`) or not.
    pub primary: bool,
}

/// Everything the state machine needs from `upsmon.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The monitored UPSes, in file order.
    pub targets: Vec<MonitorTarget>,
    /// MINSUPPLIES (default 1).
    pub minsupplies: u32,
    /// POLLFREQ (default 5 s).
    pub pollfreq: Duration,
    /// POLLFREQALERT, used while any UPS is on battery (default 5 s).
    pub pollfreqalert: Duration,
    /// The pause between polls until a UPS is first seen on line or on battery: upsmon
    /// 2.8.0 starts with 5 s whatever POLLFREQ says ([`FIRST_POLL_INTERVAL`]).
    pub first_pollfreq: Duration,
    /// HOSTSYNC (default 15 s).
    pub hostsync: Duration,
    /// DEADTIME (default 15 s).
    pub deadtime: Duration,
    /// RBWARNTIME (default 43200 s).
    pub rbwarntime: Duration,
    /// NOCOMMWARNTIME (default 300 s).
    pub nocommwarntime: Duration,
    /// FINALDELAY (default 5 s).
    pub finaldelay: Duration,
    /// OFFDURATION: OFF for this long makes a UPS critical (`None`: never; NUT 2.8.1+).
    pub offduration: Option<Duration>,
    /// OBLBDURATION: OB+LB must last this long before it is critical (NUT 2.8.3+).
    pub oblbduration: Option<Duration>,
    /// SHUTDOWNEXIT.
    pub shutdown_exit: ShutdownExit,
    /// Messages and flags.
    pub notify: NotifyTable,
}

impl Settings {
    /// From a parsed `upsmon.conf`.
    pub fn from_conf(conf: &UpsmonConf) -> Self {
        let secs = |n: u32| Duration::from_secs(u64::from(n));
        let opt_secs = |n: Option<i32>| {
            n.and_then(|v| u64::try_from(v).ok())
                .map(Duration::from_secs)
        };
        Self {
            targets: conf
                .monitors
                .iter()
                .map(|m| MonitorTarget {
                    system: m.system.clone(),
                    power_value: m.power_value,
                    primary: m.role == UpsmonRole::Primary,
                })
                .collect(),
            minsupplies: conf.minsupplies(),
            pollfreq: secs(conf.pollfreq()),
            pollfreqalert: secs(conf.pollfreqalert()),
            first_pollfreq: FIRST_POLL_INTERVAL,
            hostsync: secs(conf.hostsync()),
            deadtime: secs(conf.deadtime()),
            rbwarntime: secs(conf.rbwarntime()),
            nocommwarntime: secs(conf.nocommwarntime()),
            finaldelay: secs(conf.finaldelay()),
            offduration: opt_secs(conf.offduration.or(Some(30))),
            oblbduration: opt_secs(conf.oblbduration).filter(|d| !d.is_zero()),
            shutdown_exit: conf.shutdownexit.unwrap_or(ShutdownExit::Yes),
            notify: NotifyTable::from_conf(conf),
        }
    }
}
