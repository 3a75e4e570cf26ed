//! A small loopback HTTP server for the API middleware tests: "another host" that records
//! whether a token reached it, and a stand-in org whose API answers what a test needs (a 401
//! that is not `INVALID_SESSION_ID`, which the emulator never sends).
//!
//! One thread per connection, `connection: close` on every answer; requests are recorded
//! with their method, path and `Authorization` header.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the stub answers to requests that are not a token request.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

impl Answer {
    /// `200 {"ok":true}`.
    pub fn ok() -> Self {
        Self {
            status: 200,
            body: r#"{"ok":true}"#.to_owned(),
        }
    }

    /// A 401 Salesforce answers when the session is fine but something else is refused
    /// (here: `INSUFFICIENT_ACCESS`), or a proxy's: a new login does not help.
    pub fn unauthorized_not_session() -> Self {
        Self {
            status: 401,
            body: r#"[{"message":"Not allowed","errorCode":"INSUFFICIENT_ACCESS"}]"#.to_owned(),
        }
    }
}

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path and query.
    pub target: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// How many body bytes arrived.
    pub body_len: usize,
}

#[derive(Default)]
struct State {
    seen: Mutex<Vec<Seen>>,
    grants: AtomicU64,
}

/// A running stub; it stops with the test process.
pub struct ApiStub {
    url: String,
    state: Arc<State>,
}

impl ApiStub {
    /// Starts a stub answering every request with `answer`, and `POST
    /// /services/oauth2/token` with a new token whose `instance_url` is the stub itself.
    pub fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State::default());
        let (thread_state, base) = (state.clone(), url.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (state, answer, base) = (thread_state.clone(), answer.clone(), base.clone());
                std::thread::spawn(move || serve(stream, &state, &answer, &base));
            }
        });
        Self { url, state }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The requests received so far (token requests included).
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// The API requests received so far (token requests left out).
    pub fn api_requests(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| !s.target.starts_with("/services/oauth2/token"))
            .collect()
    }

    /// How many tokens the stub granted.
    pub fn grant_count(&self) -> u64 {
        self.state.grants.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, state: &State, answer: &Answer, base: &str) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (mut authorization, mut length, mut chunked) = (None, 0usize, false);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
        match name.as_str() {
            "authorization" => authorization = Some(value),
            "content-length" => length = value.parse().unwrap_or(0),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    let body_len = if chunked {
        read_chunked(&mut reader)
    } else {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_or(0, |()| length)
    };
    state.seen.lock().unwrap().push(Seen {
        method,
        target: target.clone(),
        authorization,
        body_len,
    });
    let (status, body) = if target.starts_with("/services/oauth2/token") {
        let n = state.grants.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!(
            r#"{{"access_token":"00D000000000001!AQstub.token.{n}","instance_url":"{base}","id":"{base}/id/00D000000000001AAA/005000000000001AAA","token_type":"Bearer","scope":"api"}}"#
        );
        (200, token)
    } else {
        (answer.status, answer.body.clone())
    };
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Stub\r\ncontent-type: application/json;charset=UTF-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> usize {
    let mut total = 0;
    loop {
        let mut size = String::new();
        if reader.read_line(&mut size).unwrap_or(0) == 0 {
            return total;
        }
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let mut chunk = vec![0; n + 2];
        if reader.read_exact(&mut chunk).is_err() {
            return total;
        }
        total += n;
        if n == 0 {
            return total;
        }
    }
}
