//! A real SMTP server for tests: mailin's SMTP state machine (the engine of mailin-embedded)
//! behind a thread-per-connection TCP loop on 127.0.0.1, so tests build without any TLS
//! stack. It can refuse its first messages with a temporary failure (451), as a mail
//! server under load does.

use mailin::{Action, Handler, Response, SessionBuilder, response};
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One message as the SMTP server got it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// Collects every accepted message into `inbox`; each connection works on its own clone.
#[derive(Clone, Default)]
struct Collector {
    current: Received,
    inbox: Arc<Mutex<Vec<Received>>>,
    /// Messages still to refuse with 451 before accepting any.
    refuse: Arc<AtomicUsize>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        // Refused at DATA (mailin stays in its data state after a refusal at the end).
        if self.refuse.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            return response::INTERNAL_ERROR;
        }
        self.current = Received { from: from.to_owned(), to: to.to_vec(), data: Vec::new() };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox.lock().expect("inbox").push(std::mem::take(&mut self.current));
        response::OK
    }
}

/// A running SMTP server on a free port of 127.0.0.1. Its thread lives as long as the tests.
pub struct SmtpServer {
    pub port: u16,
    pub inbox: Arc<Mutex<Vec<Received>>>,
    pub connections: Arc<AtomicUsize>,
}

impl SmtpServer {
    pub fn start() -> Self {
        Self::refusing_first(0)
    }

    /// A server answering the first `n` messages 451 (try again later).
    pub fn refusing_first(n: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let handler = Collector { refuse: Arc::new(AtomicUsize::new(n)), ..Collector::default() };
        let inbox = Arc::clone(&handler.inbox);
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                accepted.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                std::thread::spawn(move || {
                    if let Err(e) = serve_connection(stream, handler) {
                        eprintln!("test SMTP connection failed: {e}");
                    }
                });
            }
        });
        Self { port, inbox, connections }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, waiting up to 5 s for the first one.
    pub async fn messages(&self) -> Vec<Received> {
        for _ in 0..50 {
            let got = self.inbox.lock().expect("inbox").clone();
            if !got.is_empty() {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Vec::new()
    }
}

/// One SMTP session: greeting, then a reply to each line until QUIT (no STARTTLS, no AUTH).
fn serve_connection(stream: TcpStream, handler: Collector) -> std::io::Result<()> {
    let mut session = SessionBuilder::new("smtp.test").build(stream.peer_addr()?.ip(), handler);
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    session.greeting().write_to(&mut out)?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let res = session.process(&line);
        match res.action {
            Action::Reply => res.write_to(&mut out)?,
            Action::Close | Action::UpgradeTls => return res.write_to(&mut out),
            Action::NoReply => {}
        }
    }
}
