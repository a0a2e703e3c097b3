//! Mail: a real SMTP server on 127.0.0.1 (`support::smtp`) receives what the `Mailer`
//! sends, through SMTP; and the session-kill notice arrives there, or in the outbox when no
//! SMTP server is configured.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, spawn_app, spawn_app_with};
use crate::support::smtp::SmtpServer;
use app::mail::{Mail, MailTransport, Mailer};
use reqwest::StatusCode;
use std::sync::atomic::Ordering;
use std::time::Duration;
use store::Backend;

/// A parsed message: unfolded headers and the decoded text body.
struct Parsed {
    headers: Vec<(String, String)>,
    body: String,
}

impl Parsed {
    fn new(raw: &[u8]) -> Self {
        let text = String::from_utf8(raw.to_vec()).expect("SMTP data is ASCII or UTF-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("headers end with an empty line");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let headers: Vec<(String, String)> = unfolded
            .split("\r\n")
            .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())))
            .collect();
        let encoding =
            headers.iter().find(|(k, _)| k == "content-transfer-encoding").map(|(_, v)| v.to_ascii_lowercase());
        let bytes = match encoding.as_deref() {
            Some("quoted-printable") => quoted_printable(body),
            Some("base64") => base64(&body.replace("\r\n", "")),
            _ => body.as_bytes().to_vec(),
        };
        let body = String::from_utf8(bytes).expect("UTF-8 body").replace("\r\n", "\n");
        Self { headers, body }
    }

    /// A header's value with RFC 2047 encoded words decoded.
    fn header(&self, name: &str) -> String {
        let (_, raw) = self.headers.iter().find(|(k, _)| k == name).unwrap_or_else(|| panic!("no {name}"));
        let mut out = String::new();
        let mut last_encoded = false;
        for word in raw.split(' ') {
            let decoded = encoded_word(word);
            // Space between two encoded words is folding, not text (RFC 2047 §6.2).
            let folding = last_encoded && decoded.is_some();
            if !out.is_empty() && !folding {
                out.push(' ');
            }
            last_encoded = decoded.is_some();
            out.push_str(&decoded.unwrap_or_else(|| word.to_owned()));
        }
        out
    }
}

/// `=?utf-8?b?…?=` or `=?utf-8?q?…?=` → its text.
fn encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (_charset, kind, text) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = match kind {
        "b" | "B" => base64(text),
        "q" | "Q" => quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let (bytes, mut out, mut i) = (s.as_bytes(), Vec::new(), 0);
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("=XX"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64 character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[tokio::test]
async fn a_message_arrives_intact_through_smtp() {
    let smtp = SmtpServer::start();
    let mailer = Mailer::new(MailTransport::Smtp { url: smtp.url() }, "Roster <roster@example.com>");
    mailer.check().expect("a usable configuration");
    let mail = Mail {
        to: "zoe.quinn@example.com".into(),
        subject: "Grüße, Zoë: your session ended".into(),
        body: format!("Hallo Zoë,\n\nÇa va? {}\nA long line: {}\n", "naïve café", "x".repeat(120)),
    };
    mailer.send(&mail).await.expect("sent");
    // lettre parks the connection back in its pool from a spawned task: let that run.
    tokio::time::sleep(Duration::from_millis(200)).await;
    mailer
        .clone()
        .send(&Mail { subject: "second, on the pooled connection".into(), ..mail.clone() })
        .await
        .expect("sent");

    let got = smtp.messages().await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].from, "roster@example.com");
    assert_eq!(got[0].to, vec!["zoe.quinn@example.com".to_owned()]);
    let m = Parsed::new(&got[0].data);
    assert_eq!(m.header("from"), "Roster <roster@example.com>");
    assert_eq!(m.header("to"), "zoe.quinn@example.com");
    assert_eq!(m.header("subject"), mail.subject);
    assert!(m.header("message-id").ends_with("@example.com>"));
    assert!(!m.header("date").is_empty());
    assert_eq!(m.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(m.body.trim_end(), mail.body.trim_end());
    assert_eq!(Parsed::new(&got[1].data).header("subject"), "second, on the pooled connection");
    assert_eq!(smtp.connections.load(Ordering::SeqCst), 1, "the mailer reuses its SMTP connection");
}

#[tokio::test]
async fn a_bad_recipient_is_invalid_and_nothing_is_sent() {
    let smtp = SmtpServer::start();
    let mailer = Mailer::new(MailTransport::Smtp { url: smtp.url() }, "roster@example.com");
    let err = mailer.send(&Mail { to: "not an address".into(), subject: "x".into(), body: "x".into() }).await;
    assert!(matches!(err, Err(app::AppError::Invalid { ref field, .. }) if field == "to"), "{err:?}");
    assert!(smtp.inbox.lock().expect("inbox").is_empty());
}

/// Ann signs in; the root admin ends that session with a notice; returns the kill's status.
async fn kill_anns_session(app: &crate::support::app::TestApp) -> StatusCode {
    let org = app.seed_org().await;
    let _ann = app.login("ann.archer@example.com", PASSWORD).await;
    let admin = app.login_admin().await;
    let (status, sessions) = app.get_json(&admin, &format!("/api/v1/users/{}/sessions", org.ann)).await;
    assert_eq!(status, StatusCode::OK, "{sessions}");
    let session = sessions["items"][0]["id"].as_str().expect("ann has a live session").to_owned();
    let res = admin
        .delete(app.url(&format!("/api/v1/users/{}/sessions/{session}", org.ann)))
        .json(&serde_json::json!({"notify": true, "reason": "Lost laptop"}))
        .send()
        .await
        .expect("request");
    res.status()
}

#[tokio::test]
async fn killing_a_session_with_notice_mails_the_user_over_smtp() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let Some(app) = spawn_app_with(Backend::Sqlite, |c| c.smtp_url = url).await else { return };
    assert_eq!(kill_anns_session(&app).await, StatusCode::NO_CONTENT);

    let got = smtp.messages().await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, vec!["ann.archer@example.com".to_owned()]);
    let m = Parsed::new(&got[0].data);
    assert_eq!(m.header("to"), "ann.archer@example.com");
    assert!(m.header("subject").contains("Default"), "{}", m.header("subject"));
    for needle in ["Default", "Lost laptop", ADMIN_EMAIL] {
        assert!(m.body.contains(needle), "{needle} missing in:\n{}", m.body);
    }
    assert!(!app.outbox().exists(), "with SMTP configured nothing goes to the outbox");
}

#[tokio::test]
async fn without_smtp_the_notice_lands_in_the_outbox() {
    let Some(app) = spawn_app(Backend::Sqlite).await else { return };
    assert_eq!(kill_anns_session(&app).await, StatusCode::NO_CONTENT);
    app.settle_mail().await;

    let files: Vec<_> = std::fs::read_dir(app.outbox()).expect("outbox").map(|e| e.expect("entry").path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let m = Parsed::new(&std::fs::read(&files[0]).expect("eml"));
    assert_eq!(m.header("to"), "ann.archer@example.com");
    for needle in ["Default", "Lost laptop", ADMIN_EMAIL] {
        assert!(m.body.contains(needle), "{needle} missing in:\n{}", m.body);
    }
}
