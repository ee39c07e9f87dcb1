//! Repeater ("relay") mode: mirrors `ups@host[:port]` from another NUT server.
//!
//! SET and INSTCMD are forwarded with `SET TRACKING ON`, and the answer upsd gives for the
//! tracking id (the upstream driver's verdict) becomes ours: `upscmd -w` through the local
//! upsd sees what the device behind the upstream server said. A lost upstream makes the poll
//! fail, so the data goes stale and the driver loop reconnects with backoff.

use std::collections::HashSet;
use std::time::Duration;

use nut_client::{Client, ClientError};
use nut_driver_core::sock::TrackingResult;
use nut_driver_core::tree::Flags;
use nut_driver_core::{DriverError, DriverOptions, DriverState};
use nut_proto::{ErrorCode, UpsAddr, VarKind};

/// How long a forwarded SET or INSTCMD waits for the upstream driver's tracked answer; the
/// driver loop is busy meanwhile, so this stays well under upsd's driver timeouts.
const FORWARD_WAIT: Duration = Duration::from_secs(5);

/// A connection to the upstream server and what we mirrored from it.
#[derive(Debug)]
pub struct Relay {
    addr: UpsAddr,
    ups: String,
    login: Option<(String, String)>,
    client: Option<Client>,
    mirrored: HashSet<String>,
}

fn upstream(e: ClientError) -> DriverError {
    DriverError::NoDevice(format!("upstream server: {e}"))
}

impl Relay {
    /// Connects and mirrors everything once. `username`/`password` options are used to log
    /// in for forwarded SET and INSTCMD.
    pub async fn connect(
        port: &str,
        options: &DriverOptions,
        state: &mut DriverState,
    ) -> Result<Self, DriverError> {
        let addr: UpsAddr = port.parse().map_err(|_| {
            DriverError::Config(format!(
                "invalid UPS definition {port}: required format is upsname[@hostname[:port]]"
            ))
        })?;
        let ups = addr.ups.clone().unwrap_or_default();
        let login = match (options.get("username"), options.get("password")) {
            (Some(u), Some(p)) => Some((u.to_owned(), p.to_owned())),
            _ => None,
        };
        let mut relay = Self {
            addr,
            ups,
            login,
            client: None,
            mirrored: HashSet::new(),
        };
        relay.mirror(state, true).await?;
        Ok(relay)
    }

    async fn client(&mut self) -> Result<&mut Client, DriverError> {
        if self.client.is_none() {
            let mut c = Client::connect(&self.addr.host, self.addr.port)
                .await
                .map_err(upstream)?;
            if let Some((u, p)) = &self.login {
                c.username(u).await.map_err(upstream)?;
                c.password(p).await.map_err(upstream)?;
            }
            self.client = Some(c);
        }
        self.client
            .as_mut()
            .ok_or_else(|| DriverError::NoDevice("upstream server".into()))
    }

    /// One poll: values (and, on the first pass, types and commands).
    pub async fn update(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        let res = self.mirror(state, false).await;
        if res.is_err() {
            self.client = None; // reconnect at the next attempt
        }
        res
    }

    async fn mirror(&mut self, state: &mut DriverState, full: bool) -> Result<(), DriverError> {
        let ups = self.ups.clone();
        let c = self.client().await?;
        let vars = c.list_vars(&ups).await.map_err(upstream)?;
        let seen: HashSet<String> = vars.iter().map(|(n, _)| n.clone()).collect();
        for (name, value) in vars.iter().filter(|(n, _)| !n.starts_with("driver.")) {
            state.set_info(name, value.as_str());
        }
        for gone in self.mirrored.difference(&seen) {
            state.del_info(gone);
        }
        self.mirrored = seen
            .into_iter()
            .filter(|n| !n.starts_with("driver."))
            .collect();
        if full {
            self.mirror_types(state, &ups).await?;
        }
        Ok(())
    }

    async fn mirror_types(
        &mut self,
        state: &mut DriverState,
        ups: &str,
    ) -> Result<(), DriverError> {
        let c = self.client().await?;
        for cmd in c.list_cmds(ups).await.map_err(upstream)? {
            state.add_cmd(&cmd);
        }
        for (var, _) in c.list_rw(ups).await.map_err(upstream)? {
            let ty = c.get_type(ups, &var).await.map_err(upstream)?;
            let string = matches!(ty.kind, VarKind::String(_));
            state.set_flags(
                &var,
                Flags {
                    rw: true,
                    string,
                    ..Flags::default()
                },
            );
            if let VarKind::String(n) = ty.kind {
                state.set_aux(&var, i64::try_from(n).unwrap_or(i64::MAX));
            }
            if ty.enumerated {
                for v in c.list_enum(ups, &var).await.map_err(upstream)? {
                    state.add_enum(&var, &v);
                }
            }
            if ty.range {
                for (a, b) in c.list_range(ups, &var).await.map_err(upstream)? {
                    if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                        state.add_range(&var, a, b);
                    }
                }
            }
        }
        Ok(())
    }

    /// Forwards a SET upstream with tracking and answers what the upstream driver answered;
    /// on success the value is mirrored at once.
    pub async fn set_var(
        &mut self,
        state: &mut DriverState,
        var: &str,
        value: &str,
    ) -> TrackingResult {
        let ups = self.ups.clone();
        let res = match self.client().await {
            Ok(c) => c.set_var_wait(&ups, var, value, FORWARD_WAIT).await,
            Err(_) => return TrackingResult::Failed,
        };
        if res.is_ok() {
            state.set_info(var, value);
        }
        self.result(res)
    }

    /// Forwards an instant command upstream with tracking.
    pub async fn instcmd(
        &mut self,
        _state: &mut DriverState,
        cmd: &str,
        param: Option<&str>,
    ) -> TrackingResult {
        let ups = self.ups.clone();
        let res = match self.client().await {
            Ok(c) => c.instcmd_wait(&ups, cmd, param, FORWARD_WAIT).await,
            Err(_) => return TrackingResult::Failed,
        };
        self.result(res)
    }

    fn result(&mut self, res: Result<(), ClientError>) -> TrackingResult {
        match res {
            Ok(()) => TrackingResult::Handled,
            Err(ClientError::Server(code)) => tracking_result(&code),
            Err(ClientError::TrackingTimeout { .. }) => TrackingResult::Failed,
            Err(_) => {
                self.client = None;
                TrackingResult::Failed
            }
        }
    }
}

/// The local answer for an upstream refusal: the upstream driver's own verdict (`ERR UNKNOWN`,
/// `ERR INVALID-ARGUMENT`, `ERR FAILED` from `GET TRACKING`) or upsd's refusal.
fn tracking_result(code: &ErrorCode) -> TrackingResult {
    match code {
        ErrorCode::Unknown
        | ErrorCode::VarNotSupported
        | ErrorCode::CmdNotSupported
        | ErrorCode::UnknownVar
        | ErrorCode::UnknownInstCmd => TrackingResult::Unknown,
        ErrorCode::InvalidArgument | ErrorCode::InvalidValue | ErrorCode::TooLong => {
            TrackingResult::Invalid
        }
        _ => TrackingResult::Failed,
    }
}
