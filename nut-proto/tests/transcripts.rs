//! Replays the conversations captured from real upsd 2.8.0 in `tests/data/transcripts/`
//! (see the README there) through our parsers:
//! - `C: ` request lines parse and re-serialise to exactly the same text;
//! - `C~ ` request lines parse, are not canonical, and their canonical form parses the same;
//! - `C! ` request lines are refused, with the `ERR` code upsd answered on the next line;
//! - `S: ` reply lines parse and re-serialise byte for byte;
//! - every LIST reply assembles through `ListCollector`;
//! - together the files cover every request and reply kind.
#![allow(clippy::unwrap_used)]

use std::{collections::BTreeSet, fs, path::PathBuf};

use nut_proto::{
    response::{ListCollector, ListError},
    Request, Response,
};

fn transcripts() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/transcripts");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "transcripts missing in {}", dir.display());
    files
        .into_iter()
        .map(|p| (p.display().to_string(), fs::read_to_string(&p).unwrap()))
        .collect()
}

/// `Get(Var)`, `Item(Rw)`, `SetTracking`, ...: the variant path of a message's Debug form.
fn variant(debug: &str) -> String {
    let mut words = debug
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or_default();
    match words.next() {
        Some(sub)
            if ["Get", "List", "Item", "BeginList", "EndList"].contains(&first)
                && sub.starts_with(|c: char| c.is_ascii_uppercase()) =>
        {
            format!("{first}({sub})")
        }
        _ => first.to_owned(),
    }
}

#[derive(Default)]
struct Seen {
    requests: BTreeSet<String>,
    responses: BTreeSet<String>,
    lines: usize,
}

fn check_request(marker: &str, text: &str, next: Option<&str>, where_: &str, seen: &mut Seen) {
    match marker {
        "C:" => {
            let req = Request::parse(text).unwrap_or_else(|e| panic!("{where_}: {e}"));
            assert_eq!(req.to_string(), text, "{where_}: not canonical");
            seen.requests.insert(variant(&format!("{req:?}")));
        }
        "C~" => {
            let req = Request::parse(text).unwrap_or_else(|e| panic!("{where_}: {e}"));
            let canonical = req.to_string();
            assert_ne!(canonical, text, "{where_}: canonical, mark it C:");
            assert_eq!(Request::parse(&canonical), Ok(req), "{where_}");
        }
        _ => {
            let err = Request::parse(text).expect_err(where_);
            let answer = next.and_then(|l| l.strip_prefix("S: ERR "));
            assert_eq!(answer, Some(err.error_code().as_str()), "{where_}: {err:?}");
        }
    }
}

fn check_response(text: &str, where_: &str, seen: &mut Seen) -> Response {
    let resp = Response::parse(text).unwrap_or_else(|e| panic!("{where_}: {e}"));
    assert_eq!(resp.to_string(), text, "{where_}: not byte-exact");
    seen.responses.insert(variant(&format!("{resp:?}")));
    resp
}

/// After a LIST request, every reply line up to the end of the list goes through a collector.
fn check_list(req: &Request, replies: &[Response], where_: &str) {
    let Request::List(list) = req else { return };
    let mut collector = ListCollector::new(list.kind());
    for r in replies {
        match collector.push(r.clone()) {
            Ok(None) => {}
            Ok(Some(items)) => {
                assert_eq!(items.len() + 2, replies.len(), "{where_}");
                return;
            }
            Err(ListError::Server(_)) if replies.len() == 1 => return,
            Err(e) => panic!("{where_}: {e}"),
        }
    }
    panic!("{where_}: list reply never ended");
}

fn check_file(name: &str, text: &str, seen: &mut Seen) {
    let lines: Vec<&str> = text.lines().collect();
    seen.lines += lines.len();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let where_ = format!("{name}:{}", i + 1);
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (marker, body) = line.split_at(line.len().min(3));
        match marker.trim_end() {
            m @ ("C:" | "C~" | "C!") => {
                check_request(m, body, lines.get(i).copied(), &where_, seen);
                let mut replies = Vec::new();
                while let Some(reply) = lines.get(i).and_then(|l| l.strip_prefix("S: ")) {
                    replies.push(check_response(reply, &format!("{name}:{}", i + 1), seen));
                    i += 1;
                }
                assert!(!replies.is_empty(), "{where_}: no reply recorded");
                if let Ok(req) = Request::parse(body) {
                    check_list(&req, &replies, &where_);
                }
            }
            other => panic!("{where_}: unknown marker {other:?}"),
        }
    }
}

#[test]
fn transcripts_replay_through_our_parsers() {
    let mut seen = Seen::default();
    for (name, text) in transcripts() {
        check_file(&name, &text, &mut seen);
    }
    assert!(seen.lines > 300, "only {} lines", seen.lines);

    let requests = [
        "Get(NumLogins)",
        "Get(UpsDesc)",
        "Get(Var)",
        "Get(Type)",
        "Get(Desc)",
        "Get(CmdDesc)",
        "Get(Tracking)",
        "List(Ups)",
        "List(Var)",
        "List(Rw)",
        "List(Cmd)",
        "List(Enum)",
        "List(Range)",
        "List(Client)",
        "SetVar",
        "SetTracking",
        "InstCmd",
        "Username",
        "Password",
        "Login",
        "Logout",
        "Primary",
        "Master",
        "Fsd",
        "StartTls",
        "Ver",
        "NetVer",
        "ProtVer",
        "Help",
    ];
    let missing: Vec<_> = requests
        .iter()
        .filter(|r| !seen.requests.contains(**r))
        .collect();
    assert!(missing.is_empty(), "requests never captured: {missing:?}");

    // OK STARTTLS needs a TLS-enabled upsd and is covered by the unit table instead.
    let mut responses = vec![
        "Ok",
        "OkTracking",
        "OkGoodbye",
        "OkFsdSet",
        "OkPrimaryGranted",
        "OkMasterGranted",
        "Err",
        "Var",
        "Type",
        "Desc",
        "CmdDesc",
        "UpsDesc",
        "NumLogins",
        "TrackingMode",
        "Pending",
        "Success",
        "Text",
        "Item(Ups)",
        "Item(Rw)",
        "Item(Cmd)",
        "Item(Enum)",
        "Item(Range)",
        "Item(Client)",
    ];
    let kinds = ["Ups", "Var", "Rw", "Cmd", "Enum", "Range", "Client"];
    let frames: Vec<String> = kinds
        .iter()
        .flat_map(|k| [format!("BeginList({k})"), format!("EndList({k})")])
        .collect();
    responses.extend(frames.iter().map(String::as_str));
    let missing: Vec<_> = responses
        .iter()
        .filter(|r| !seen.responses.contains(**r))
        .collect();
    assert!(missing.is_empty(), "replies never captured: {missing:?}");
}
