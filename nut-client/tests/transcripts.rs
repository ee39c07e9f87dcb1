//! The transcripts captured from real upsd 2.8.0 (`nut-proto/tests/data/transcripts`), reversed:
//! for every canonical `C:` request, a fake server checks that the client sends exactly that
//! line and answers with the recorded `S:` lines; the client's result must be what those lines
//! say (the reply, the list items, or the ERR code).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use nut_client::proto::{ListItem, Request, Response};
use nut_client::{Client, ClientError};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One recorded exchange: a canonical request and the reply lines upsd sent.
struct Exchange {
    file: String,
    request: String,
    replies: Vec<String>,
}

fn transcripts() -> Vec<Exchange> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../nut-proto/tests/data/transcripts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("transcripts directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut out: Vec<Exchange> = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut canonical = false;
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if let Some(request) = line.strip_prefix("C: ") {
                canonical = true;
                let (file, request, replies) = (file.clone(), request.to_string(), Vec::new());
                out.push(Exchange {
                    file,
                    request,
                    replies,
                });
            } else if line.starts_with('C') {
                canonical = false;
            } else if let (Some(reply), true) = (line.strip_prefix("S: "), canonical) {
                out.last_mut().unwrap().replies.push(reply.to_string());
            }
        }
    }
    out
}

/// Replays one exchange; returns what the client made of it.
async fn replay(exchange: &Exchange) -> (Request, Result<Vec<Response>, ClientError>) {
    let request = Request::parse(&exchange.request).unwrap();
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let expected = exchange.request.clone();
    let reply: String = exchange.replies.iter().map(|l| format!("{l}\n")).collect();
    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_io);
        let mut lines = BufReader::new(read).lines();
        let got = lines.next_line().await.unwrap().unwrap();
        write.write_all(reply.as_bytes()).await.unwrap();
        got
    });
    let mut client = Client::attach(client_io);
    let result = match &request {
        Request::List(list) => client
            .request_list(list)
            .await
            .map(|items| items.into_iter().map(Response::Item).collect()),
        other => client.request(other).await.map(|r| vec![r]),
    };
    let sent = server.await.unwrap();
    assert_eq!(
        sent, expected,
        "{}: bytes sent for {:?}",
        exchange.file, request
    );
    (request, result)
}

/// What the recorded lines mean for the client.
fn expected(request: &Request, replies: &[String]) -> Result<Vec<Response>, ClientError> {
    let parsed: Vec<Response> = replies
        .iter()
        .map(|l| Response::parse(l).unwrap())
        .collect();
    match (request, parsed.first()) {
        (Request::List(_), Some(Response::Err { code, .. })) => {
            Err(ClientError::Server(code.clone()))
        }
        (Request::List(_), _) => Ok(parsed[1..parsed.len() - 1]
            .iter()
            .map(|r| match r {
                Response::Var { ups, var, value } => Response::Item(ListItem::Var {
                    ups: ups.clone(),
                    var: var.clone(),
                    value: value.clone(),
                }),
                other => other.clone(),
            })
            .collect()),
        _ => Ok(parsed),
    }
}

#[tokio::test]
async fn client_replays_every_canonical_exchange() {
    let exchanges = transcripts();
    assert!(
        exchanges.len() > 50,
        "only {} exchanges found",
        exchanges.len()
    );
    let mut replayed = 0;
    for exchange in exchanges.iter().filter(|e| !e.replies.is_empty()) {
        let (request, result) = replay(exchange).await;
        let want = expected(&request, &exchange.replies);
        assert_eq!(result, want, "{}: {}", exchange.file, exchange.request);
        replayed += 1;
    }
    assert!(replayed > 50, "only {replayed} exchanges replayed");
}
