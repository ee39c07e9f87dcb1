//! nut-client against real upsd 2.8.0 + dummy-ups (see `common/mod.rs`): what our library
//! reads must be what the real server serves and what real `upsc` prints.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{parse_upsc_vars, run_capture, DevSource, RealNut};
use nut_client::proto::{ErrorCode, VarKind};
use nut_client::{Client, ClientError};

const UPS: &str = "epdu";

fn sandbox() -> RealNut {
    RealNut::builder()
        .device_with_desc(UPS, "Test PDU", DevSource::Shared("epdu-managed.dev"))
        .start()
}

async fn connect(nut: &RealNut) -> Client {
    Client::connect("127.0.0.1", nut.port()).await.unwrap()
}

async fn admin(nut: &RealNut) -> Client {
    let mut client = connect(nut).await;
    client.username("admin").await.unwrap();
    client.password("secret").await.unwrap();
    client
}

#[test]
fn harness_serves_epdu_to_real_upsc() {
    let nut = RealNut::start(&[("epdu", DevSource::Shared("epdu-managed.dev"))]);
    let out = run_capture(nut.command("/usr/bin/upsc").arg(nut.addr("epdu")));
    assert_eq!(out.code, Some(0), "upsc failed: {out:?}\n{}", nut.logs());
    let vars = parse_upsc_vars(&out.stdout);
    assert!(
        vars.contains(&("device.serial".into(), "ADO6750531".into())),
        "{vars:?}"
    );
    // An empty value in the .dev file is served as an empty value.
    assert!(
        vars.contains(&("ups.status".into(), String::new())),
        "{vars:?}"
    );
}

#[tokio::test]
async fn lists_match_real_upsd_and_upsc() {
    let nut = sandbox();
    let mut client = connect(&nut).await;
    let ups = client.list_ups().await.unwrap();
    assert_eq!(ups, [(UPS.to_string(), "Test PDU".to_string())]);

    let vars = client.list_vars(UPS).await.unwrap();
    let out = run_capture(nut.command("/usr/bin/upsc").arg(nut.addr(UPS)));
    assert_eq!(out.code, Some(0), "upsc failed: {out:?}");
    assert_eq!(vars, parse_upsc_vars(&out.stdout));
    assert!(vars.len() > 60, "{vars:?}");

    // dummy-ups 2.8.0 makes every variable of a .dev file writable.
    let rw = client.list_rw(UPS).await.unwrap();
    assert!(rw.contains(&("device.serial".into(), "ADO6750531".into())));
    assert!(!rw.iter().any(|(name, _)| name == "driver.name"));
    assert_eq!(client.list_cmds(UPS).await.unwrap(), ["load.off"]);
    assert!(client.list_clients(UPS).await.unwrap().is_empty());
}

#[tokio::test]
async fn get_requests_against_real_upsd() {
    let nut = sandbox();
    let mut client = connect(&nut).await;
    assert_eq!(
        client.ver().await.unwrap(),
        "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"
    );
    assert_eq!(client.netver().await.unwrap(), "1.3");
    assert_eq!(
        client.get_var(UPS, "device.serial").await.unwrap(),
        "ADO6750531"
    );
    assert_eq!(client.get_var(UPS, "ups.status").await.unwrap(), "");
    let ty = client.get_type(UPS, "ups.id").await.unwrap();
    assert!(ty.rw && !ty.enumerated && !ty.range);
    assert_eq!(ty.kind, VarKind::String(16));
    let ty = client.get_type(UPS, "driver.name").await.unwrap();
    assert!(!ty.rw);
    assert_eq!(ty.kind, VarKind::Number);
    // Descriptions come from /usr/share/nut/cmdvartab.
    assert_eq!(
        client.get_desc(UPS, "ups.status").await.unwrap(),
        "UPS status"
    );
    assert_eq!(
        client.get_cmd_desc(UPS, "load.off").await.unwrap(),
        "Turn off the load immediately"
    );
    assert_eq!(client.get_ups_desc(UPS).await.unwrap(), "Test PDU");
    assert_eq!(client.num_logins(UPS).await.unwrap(), 0);
}

#[tokio::test]
async fn login_as_primary_counts_in_numlogins() {
    let nut = sandbox();
    let mut primary = admin(&nut).await;
    primary.login(UPS).await.unwrap();
    primary.primary(UPS).await.unwrap();
    let mut observer = connect(&nut).await;
    assert_eq!(observer.num_logins(UPS).await.unwrap(), 1);
    assert_eq!(observer.list_clients(UPS).await.unwrap(), ["127.0.0.1"]);
    primary.logout().await.unwrap();
    // upsd drops the login when the connection closes; poll briefly for it.
    let mut count = 1;
    for _ in 0..50 {
        count = observer.num_logins(UPS).await.unwrap();
        if count == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(count, 0);
}

#[tokio::test]
async fn set_var_with_and_without_tracking() {
    let nut = sandbox();
    let mut client = admin(&nut).await;
    client
        .set_var_wait(UPS, "ups.id", "tracked", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(client.get_var(UPS, "ups.id").await.unwrap(), "tracked");
    assert!(client.tracking_mode().await.unwrap());

    client.set_tracking(false).await.unwrap();
    assert_eq!(client.set_var(UPS, "ups.id", "plain").await.unwrap(), None);
    // Without tracking the driver applies it within its ~1 s cycle.
    let mut value = String::new();
    for _ in 0..40 {
        value = client.get_var(UPS, "ups.id").await.unwrap();
        if value == "plain" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(value, "plain");
}

#[tokio::test]
async fn instcmd_on_dummy_ups_is_accepted_by_upsd_but_unknown_to_the_driver() {
    let nut = sandbox();
    let mut client = admin(&nut).await;
    // Without tracking upsd only says it passed the command on.
    assert_eq!(client.instcmd(UPS, "load.off", None).await.unwrap(), None);
    // With tracking the truth shows: dummy-ups 2.8.0 lists load.off but does not handle it.
    let result = client
        .instcmd_wait(UPS, "load.off", None, Duration::from_secs(10))
        .await;
    assert_eq!(result, Err(ClientError::Server(ErrorCode::Unknown)));
    let unsupported = client.instcmd(UPS, "no.such.cmd", None).await;
    assert_eq!(
        unsupported,
        Err(ClientError::Server(ErrorCode::CmdNotSupported))
    );
}

#[tokio::test]
async fn errors_from_real_upsd() {
    let nut = sandbox();
    let mut client = connect(&nut).await;
    let unknown = client.get_var("nope", "ups.status").await;
    assert_eq!(unknown, Err(ClientError::Server(ErrorCode::UnknownUps)));
    let unknown = client.list_vars("nope").await;
    assert_eq!(unknown, Err(ClientError::Server(ErrorCode::UnknownUps)));
    let missing = client.get_var(UPS, "no.such.var").await;
    assert_eq!(
        missing,
        Err(ClientError::Server(ErrorCode::VarNotSupported))
    );

    let mut wrong = connect(&nut).await;
    wrong.username("admin").await.unwrap();
    wrong.password("wrong").await.unwrap();
    let denied = wrong.set_var(UPS, "ups.id", "x").await;
    assert_eq!(denied, Err(ClientError::Server(ErrorCode::AccessDenied)));
    assert_eq!(
        wrong.login(UPS).await,
        Err(ClientError::Server(ErrorCode::AccessDenied))
    );
    // The secondary user may LOGIN but not claim the primary role.
    let mut mon = connect(&nut).await;
    mon.username("mon").await.unwrap();
    mon.password("pass").await.unwrap();
    mon.login(UPS).await.unwrap();
    assert_eq!(
        mon.primary(UPS).await,
        Err(ClientError::Server(ErrorCode::AccessDenied))
    );
}

#[tokio::test]
async fn try_tls_falls_back_against_upsd_without_certificate() {
    let nut = sandbox();
    let tls = nut_client::TlsConfig::accept_any_server();
    let config = nut_client::ClientConfig::default().tls(nut_client::TlsMode::Try(tls.clone()));
    let mut client = Client::connect_with("127.0.0.1", nut.port(), &config)
        .await
        .unwrap();
    assert!(!client.stream().is_tls());
    assert_eq!(client.get_var(UPS, "device.type").await.unwrap(), "pdu");

    let config = config.tls(nut_client::TlsMode::Require(tls));
    let refused = Client::connect_with("127.0.0.1", nut.port(), &config).await;
    let expected = nut_client::TlsError::Refused(ErrorCode::FeatureNotConfigured);
    assert_eq!(refused.err(), Some(ClientError::Tls(expected)));
}

#[test]
fn blocking_client_reads_real_upsd() {
    let nut = sandbox();
    let mut client = nut_client::blocking::Client::connect("127.0.0.1", nut.port()).unwrap();
    assert_eq!(
        client.get_var(UPS, "device.mfr").unwrap(),
        "EATON | Powerware"
    );
    assert_eq!(client.list_ups().unwrap().len(), 1);
}
