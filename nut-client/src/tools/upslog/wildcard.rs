//! `*` as the UPS name (`-s '*@host'`, `-m '*,-'`): log every UPS the data server serves
//! (NUT 2.8.3 and later).
//!
//! As in later NUT, each `*` target is replaced, in place, by one `ups@host:port` target per
//! UPS that `LIST UPS` names, all writing to the `*` target's log. The query is announced
//! on stderr; a failed connection or query is fatal; a server serving nothing is a warning,
//! and it is fatal only when no target is left. Unlike NUT, an IPv6 host keeps its brackets
//! in the generated targets, so they can be parsed again.

use crate::tools::upscli::Conn;
use crate::tools::{split_name, Fatal};

/// The text a target's UPS part must be for expansion.
const ALL: &str = "*";

/// Replaces every `*` target of `targets` (`(ups spec, log file)` pairs) by the UPSes its
/// server lists.
pub(super) async fn expand(targets: Vec<(String, String)>) -> Result<Vec<(String, String)>, Fatal> {
    let mut out = Vec::new();
    for (monhost, logfn) in targets {
        if !is_wildcard(&monhost) {
            out.push((monhost, logfn));
            continue;
        }
        let (_, host, port) = split_name(Some(&monhost)).ok_or_else(invalid_definition)?;
        let names = served_upses(&host, port).await?;
        if names.is_empty() {
            eprintln!("Data server at {host}:{port} does not currently serve any devices");
        }
        out.extend(
            names
                .into_iter()
                .map(|ups| (target_name(&ups, &host, port), logfn.clone())),
        );
    }
    if out.is_empty() {
        return Err(Fatal::new("Queries failed to find anything"));
    }
    Ok(out)
}

/// True if the UPS part of `monhost` (the first non-empty `@`-separated word) is `*`.
fn is_wildcard(monhost: &str) -> bool {
    monhost.split('@').find(|s| !s.is_empty()) == Some(ALL)
}

fn invalid_definition() -> Fatal {
    Fatal::new("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n")
}

/// `ups@host:port`, with an IPv6 address in brackets.
fn target_name(ups: &str, host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("{ups}@[{host}]:{port}")
    } else {
        format!("{ups}@{host}:{port}")
    }
}

/// The names `LIST UPS` gives, in the server's order.
async fn served_upses(host: &str, port: u16) -> Result<Vec<String>, Fatal> {
    eprintln!("Querying {host}:{port} for currently served devices");
    let mut conn = Conn::connect(host, port, true)
        .await
        .map_err(|e| Fatal::new(format!("Error: {e}")))?;
    if let Err(e) = conn.list_start(&["UPS"]).await {
        return Err(Fatal::new(if e.is_unknown_command() {
            "Error: upsd is too old to support this query".to_string()
        } else {
            format!("Error: {e}")
        }));
    }
    let mut names = Vec::new();
    while let Ok(Some(words)) = conn.list_next(&["UPS"]).await {
        if words.len() < 3 {
            return Err(Fatal::new(format!(
                "Error: insufficient data (got {} args, need at least 3)",
                words.len()
            )));
        }
        names.push(words[1].clone());
    }
    conn.disconnect().await;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_wildcard() {
        assert!(is_wildcard("*"));
        assert!(is_wildcard("*@host:1"));
        assert!(is_wildcard("@*@host"));
        assert!(!is_wildcard("ups@host"));
        assert!(!is_wildcard("**@host"));
        assert!(!is_wildcard("ups@*"));
    }

    #[test]
    fn generated_targets_parse_again() {
        assert_eq!(target_name("a", "localhost", 3493), "a@localhost:3493");
        let v6 = target_name("a", "::1", 9);
        assert_eq!(v6, "a@[::1]:9");
        assert_eq!(
            split_name(Some(&v6)),
            Some(("a".to_string(), "::1".to_string(), 9))
        );
    }

    #[tokio::test]
    async fn targets_without_wildcard_are_kept() {
        let t = vec![("a@h:1".to_string(), "-".to_string())];
        assert_eq!(expand(t.clone()).await.expect("kept"), t);
    }

    #[tokio::test]
    async fn unreachable_server_is_fatal() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let t = vec![(format!("*@127.0.0.1:{port}"), "-".to_string())];
        let err = expand(t).await.expect_err("refused");
        assert_eq!(err.message, "Error: Connection failure: Connection refused");
    }
}
