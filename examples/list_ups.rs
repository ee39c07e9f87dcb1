// Run: `cargo run -p nut-examples --example list_ups -- [HOST [PORT]]` against any NUT
// server (real upsd or ours, default 127.0.0.1:3493); prints every UPS and its variables.
//! Lists every UPS of a NUT server with all of its variables, like `upsc -l` + `upsc`.

use std::error::Error;
use std::time::Duration;

use nut_client::{Client, ClientConfig, TlsConfig, TlsMode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let host = args.next().unwrap_or_else(|| "127.0.0.1".to_string());
    let port = match args.next() {
        Some(port) => port.parse()?,
        None => nut_client::proto::model::DEFAULT_PORT,
    };

    // Like upsc: try STARTTLS, carry on in plain text if the server has no certificate.
    let config = ClientConfig::default()
        .io_timeout(Duration::from_secs(10))
        .tls(TlsMode::Try(TlsConfig::accept_any_server()));
    let mut client = Client::connect_with(&host, port, &config).await?;
    let tls = if client.stream().is_tls() {
        "TLS"
    } else {
        "plain text"
    };
    println!("{} ({tls})", client.ver().await?);

    for (ups, desc) in client.list_ups().await? {
        println!("\n{ups}: {desc}");
        for (name, value) in client.list_vars(&ups).await? {
            println!("  {name}: {value}");
        }
    }
    // upsd closes the connection after answering LOGOUT.
    client.logout().await?;
    Ok(())
}
