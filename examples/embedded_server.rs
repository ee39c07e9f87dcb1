//! Serve your own device over the NUT protocol from a Rust program: no driver process, no
//! configuration files. A simulated UPS slowly discharges while real NUT clients watch it.
//!
//! Run: `cargo run -p nut-examples --example embedded_server [port]` (default 3493), then
//! `upsc sim@127.0.0.1:<port>` or `upsrw -s ups.id=lab -u admin -p secret sim@127.0.0.1:<port>`.
use std::time::Duration;

use async_trait::async_trait;
use nut_driver_core::sock::TrackingResult;
use nut_driver_core::{Driver, DriverError, DriverInfo, DriverState};
use nut_proto::config::UpsdUsers;
use nut_server::auth::Users;
use nut_server::{
    Descriptions, InProcess, ServedConfig, Server, ServerOptions, ServerState, UpsDef,
};

/// The device: a battery that loses 1 % per poll and recharges when empty.
struct SimUps {
    charge: u32,
}

#[async_trait]
impl Driver for SimUps {
    fn info(&self) -> DriverInfo {
        DriverInfo {
            name: "sim",
            version: "0.1",
            description: "simulated UPS",
        }
    }

    async fn init(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.set_info("device.mfr", "Example Corp");
        st.set_info("device.model", "Embedded 1000");
        st.set_info("ups.id", "demo");
        st.set_rw_string("ups.id", 32);
        st.add_cmd("test.battery.start");
        Ok(())
    }

    async fn update(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        self.charge = if self.charge == 0 {
            100
        } else {
            self.charge - 1
        };
        st.set_info("battery.charge", self.charge.to_string());
        st.status_init();
        st.status_set(if self.charge > 20 { "OL" } else { "OB" });
        if self.charge <= 20 {
            st.status_set("LB");
        }
        st.status_commit();
        st.data_ok();
        Ok(())
    }

    async fn set_var(&mut self, st: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        if var != "ups.id" {
            return TrackingResult::Unknown;
        }
        st.set_info("ups.id", value);
        TrackingResult::Handled
    }

    async fn instcmd(&mut self, _: &mut DriverState, cmd: &str, _: Option<&str>) -> TrackingResult {
        println!("instant command: {cmd}");
        TrackingResult::Handled
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args().nth(1).map_or(Ok(3493), |p| p.parse())?;
    let users = UpsdUsers::parse(
        "[admin]\n password = secret\n actions = SET\n instcmds = ALL\n",
        "users",
    )?;
    let mut ups = UpsDef::new("sim", "embedded", "none");
    ups.desc = Some("Simulated UPS served in process".into());
    let cfg = ServedConfig::new(vec![ups], Users::from_config(&users.config));

    let backend = InProcess::new().with_poll_interval(Duration::from_secs(1));
    backend.add("sim", SimUps { charge: 100 });
    let server = Server::new(
        ServerState::new(cfg, Descriptions::builtin()),
        ServerOptions::with_backend(backend),
    );

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "serving on {}; try: upsc sim@{}",
        listener.local_addr()?,
        listener.local_addr()?
    );
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server.serve(vec![listener], ctrl_c).await?;
    Ok(())
}
