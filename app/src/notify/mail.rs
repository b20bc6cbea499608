//! Email (server only): a message written as plain text and as HTML, every item linking to its
//! page at the public URL, sent through SMTP.

use super::Message;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// Where and how notifications are sent; cloned into every worker.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// The SMTP relay (`TOLLGATE_SMTP_URL`); none: notifications stay in the app.
    pub mailer: Option<Mailer>,
    /// The origin links in mail point at (`TOLLGATE_PUBLIC_URL`, or the address served).
    pub public_url: String,
    /// Where escalations are emailed as well as to the admins (`TOLLGATE_ESCALATION_EMAIL`).
    pub escalation_address: Option<String>,
    /// When the weekly digest goes out (UTC).
    pub digest_weekday: chrono::Weekday,
    pub digest_hour: u32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            mailer: None,
            public_url: "http://127.0.0.1:3000".into(),
            escalation_address: None,
            digest_weekday: chrono::Weekday::Mon,
            digest_hour: 8,
        }
    }
}

/// An SMTP transport and the sender it writes as.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The relay's URL without its password, for the admin page and logs.
    pub shown_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("url", &self.shown_url).finish()
    }
}

impl Mailer {
    /// A mailer for `url` (`smtp://host:port` plain, `?tls=required` for STARTTLS,
    /// `smtps://` for TLS from the start; `user:password@` to sign in) sending as `from`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("TOLLGATE_SMTP_FROM is not an address ({e})"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("TOLLGATE_SMTP_URL is not an SMTP URL ({e})"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let mut shown = url::Url::parse(url).map_err(|e| format!("TOLLGATE_SMTP_URL: {e}"))?;
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        Ok(Self {
            transport,
            from,
            shown_url: shown.to_string(),
        })
    }

    /// Sends `message` to `to` as a text and an HTML part.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        message: &Message,
        public_url: &str,
    ) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("{to} is not an address ({e})"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text_body(message, public_url)),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html_body(subject, message, public_url)),
                    ),
            )
            .map_err(|e| format!("writing the message: {e}"))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}

fn absolute(public_url: &str, link: &str) -> String {
    format!("{}{link}", public_url.trim_end_matches('/'))
}

/// The message as plain text: each item on its line with its link below it.
pub fn text_body(message: &Message, public_url: &str) -> String {
    let mut out = format!("{}\n", message.intro);
    for section in &message.sections {
        out.push('\n');
        if let Some(heading) = &section.heading {
            out.push_str(&format!("{heading}\n{}\n", "-".repeat(heading.chars().count())));
        }
        if section.items.is_empty() {
            if let Some(empty) = &section.empty {
                out.push_str(&format!("{empty}\n"));
            }
        }
        for item in &section.items {
            out.push_str(&format!("- {}\n", item.text));
            if let Some(link) = &item.link {
                out.push_str(&format!("  {}\n", absolute(public_url, link)));
            }
        }
    }
    out.push_str(&format!(
        "\n--\nTollgate · {}\nChoose what you receive: {}\n",
        public_url,
        absolute(public_url, "/account")
    ));
    out
}

/// `text` with the characters HTML gives meaning to written as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The message as an HTML document: each item a link to its page.
pub fn html_body(subject: &str, message: &Message, public_url: &str) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\"><p>{}</p>",
        escape(subject),
        escape(&message.intro)
    );
    for section in &message.sections {
        if let Some(heading) = &section.heading {
            out.push_str(&format!("<h2 style=\"font-size:1.1em\">{}</h2>", escape(heading)));
        }
        if section.items.is_empty() {
            if let Some(empty) = &section.empty {
                out.push_str(&format!("<p>{}</p>", escape(empty)));
            }
            continue;
        }
        out.push_str("<ul>");
        for item in &section.items {
            match &item.link {
                Some(link) => out.push_str(&format!(
                    "<li><a href=\"{}\">{}</a></li>",
                    escape(&absolute(public_url, link)),
                    escape(&item.text)
                )),
                None => out.push_str(&format!("<li>{}</li>", escape(&item.text))),
            }
        }
        out.push_str("</ul>");
    }
    out.push_str(&format!(
        "<p style=\"color:#555;font-size:0.9em\">Tollgate · <a href=\"{}\">choose what you receive</a></p></body></html>",
        escape(&absolute(public_url, "/account"))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{Item, Section};

    fn message() -> Message {
        Message {
            intro: "Your week".into(),
            sections: vec![
                Section {
                    heading: Some("Needs your attention".into()),
                    items: vec![Item {
                        text: "Churn <beta> & co — stalled".into(),
                        link: Some("/projects/42".into()),
                    }],
                    empty: None,
                },
                Section {
                    heading: Some("Stage moves".into()),
                    items: vec![],
                    empty: Some("None this week.".into()),
                },
            ],
        }
    }

    #[test]
    fn the_text_body_lists_each_item_with_its_full_link() {
        let text = text_body(&message(), "https://tollgate.example/");
        assert!(text.contains("- Churn <beta> & co — stalled\n  https://tollgate.example/projects/42\n"));
        assert!(text.contains("Stage moves\n-----------\nNone this week.\n"));
        assert!(text.contains("https://tollgate.example/account"));
    }

    #[test]
    fn the_html_body_escapes_text_and_links_each_item() {
        let html = html_body("Digest <1>", &message(), "https://tollgate.example");
        assert!(html.contains(
            "<li><a href=\"https://tollgate.example/projects/42\">Churn &lt;beta&gt; &amp; co — stalled</a></li>"
        ));
        assert!(html.contains("<title>Digest &lt;1&gt;</title>"));
        assert!(!html.contains("<beta>"));
    }

    #[test]
    fn a_password_in_the_smtp_url_is_never_shown() {
        let mailer = Mailer::new(
            "smtp://tollgate:hunter2@mail.example:587?tls=required",
            "Tollgate <t@x.example>",
        )
        .expect("a mailer");
        assert!(!mailer.shown_url.contains("hunter2"));
        assert!(!format!("{mailer:?}").contains("hunter2"));
        assert!(Mailer::new("http://mail.example", "t@x.example").is_err());
        assert!(Mailer::new("smtp://mail.example", "not an address").is_err());
    }
}
