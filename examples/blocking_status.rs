// Run: `cargo run -p nut-examples --example blocking_status -- UPS[@HOST[:PORT]]` against any
// NUT server (real upsd or ours); prints that UPS's ups.status, no async code needed.
//! Prints `ups.status` of one UPS with the blocking client.

use std::error::Error;

use nut_client::blocking::Client;
use nut_client::proto::UpsAddr;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let Some(arg) = std::env::args().nth(1) else {
        eprintln!("usage: blocking_status <ups>[@<host>[:<port>]]");
        std::process::exit(2);
    };
    let addr: UpsAddr = arg.parse()?;
    let Some(ups) = addr.ups.as_deref() else {
        eprintln!("no UPS name in {arg:?}");
        std::process::exit(2);
    };

    let mut client = Client::connect(&addr.host, addr.port)?;
    let status = client.get_var(ups, "ups.status")?;
    println!("{ups}@{}:{}: {status}", addr.host, addr.port);
    Ok(())
}
