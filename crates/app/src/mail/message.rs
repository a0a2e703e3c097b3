//! Turns a [`Mail`] into an RFC 5322 message: From, To, Subject, Date, Message-ID and a
//! UTF-8 `text/plain` body (7bit or quoted-printable, whichever fits). Addresses are
//! checked here; nothing is sent.

use super::Mail;
use crate::AppError;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, SinglePart};

/// Parses an address such as `ann@example.com` or `Roster <roster@example.com>`.
/// `field` names the setting or parameter in the error.
pub(super) fn mailbox(field: &str, raw: &str) -> Result<Mailbox, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::invalid(field, "must be an email address"));
    }
    raw.parse::<Mailbox>().map_err(|e| AppError::invalid(field, format!("is not a valid email address ({e})")))
}

/// The complete message from `from` for `mail`.
pub(super) fn build(from: &str, mail: &Mail) -> Result<Message, AppError> {
    let from = mailbox("mail_from", from)?;
    // A bare address goes to its deliverable form: the domain in ASCII (IDNA), so that no
    // mail server has to understand internationalized domains.
    let to = match domain::user::Email::from_stored(&mail.to) {
        Ok(email) => mailbox("to", email.delivery_address())?,
        Err(_) => mailbox("to", &mail.to)?,
    };
    // The sender's domain, not the host name: the machine may be a container.
    let message_id = format!("<{}@{}>", uuid::Uuid::now_v7().simple(), from.email.domain());
    Message::builder()
        .from(from)
        .to(to)
        .subject(one_line(&mail.subject))
        .date_now()
        .message_id(Some(message_id))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.body.clone()))
        .map_err(|e| AppError::Internal(format!("mail: cannot build the message: {e}")))
}

/// A subject is one line: control characters (CR and LF above all) become spaces.
fn one_line(subject: &str) -> String {
    subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(to: &str) -> Mail {
        Mail { to: to.into(), subject: "Hello Zoë\r\nBcc: evil@example.com".into(), body: "Hi Zoë,\nbye\n".into() }
    }

    #[test]
    fn builds_every_header_a_receiver_expects() {
        let m = build("Roster <roster@example.com>", &mail("zoe@example.com")).unwrap();
        let text = String::from_utf8(m.formatted()).unwrap();
        for header in ["From: Roster <roster@example.com>", "To: zoe@example.com", "Date: ", "Message-ID: <"] {
            assert!(text.contains(header), "{header} missing in\n{text}");
        }
        assert!(text.contains("@example.com>\r\n"), "Message-ID uses the sender's domain:\n{text}");
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"), "{text}");
        assert!(!text.contains("\r\nBcc:"), "the subject cannot inject headers:\n{text}");
        assert_eq!(m.envelope().to().len(), 1);
    }

    #[test]
    fn mail_to_an_internationalized_domain_goes_to_its_ascii_form() {
        let m = build("r@example.com", &mail("lena@Müller.example")).unwrap();
        let to: Vec<String> = m.envelope().to().iter().map(ToString::to_string).collect();
        assert_eq!(to, ["lena@xn--mller-kva.example"]);
    }

    #[test]
    fn bad_addresses_name_their_field() {
        for (from, to, field) in
            [("nope", "zoe@example.com", "mail_from"), ("r@example.com", "zoe@", "to"), ("r@example.com", " ", "to")]
        {
            match build(from, &mail(to)) {
                Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{from} / {to}"),
                other => panic!("{from} / {to}: {other:?}"),
            }
        }
    }
}
