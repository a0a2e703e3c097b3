//! The HTTP side of a run: one keep-alive client, signed in as the demo admin.

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::Value;

/// A client of one server with one session cookie.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
}

impl Client {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(std::time::Duration::from_mins(5))
            .build()
            .expect("a plain HTTP client builds");
        Self { http, base: base.to_owned(), cookie: String::new() }
    }

    /// Signs in; returns the session cookie (`roster_session=…`) or the status refused with.
    pub async fn login(&self, email: &str, password: &str) -> anyhow::Result<Result<String, StatusCode>> {
        let r = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await?;
        if !r.status().is_success() {
            return Ok(Err(r.status()));
        }
        let cookie = r
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("roster_session="))
            .and_then(|v| v.split(';').next())
            .context("sign-in set no session cookie")?
            .to_owned();
        let _ = r.bytes().await;
        Ok(Ok(cookie))
    }

    /// `GET path` with the session; the body when the status is `expect`.
    pub async fn get_as(&self, cookie: &str, path: &str, expect: StatusCode) -> anyhow::Result<Vec<u8>> {
        let r = self.http.get(format!("{}{path}", self.base)).header("cookie", cookie).send().await?;
        let status = r.status();
        let body = r.bytes().await?;
        if status != expect {
            bail!(
                "GET {path}: {status} (expected {expect}): {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
        Ok(body.to_vec())
    }

    /// `GET path` as the signed-in admin, expecting 200 and JSON.
    pub async fn json(&self, path: &str) -> anyhow::Result<Value> {
        let body = self.get_as(&self.cookie, path, StatusCode::OK).await?;
        serde_json::from_slice(&body).with_context(|| format!("GET {path}: not JSON"))
    }

    /// `GET path` as the signed-in admin, expecting 200; the body.
    pub async fn fetch(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        self.get_as(&self.cookie, path, StatusCode::OK).await
    }

    /// `DELETE path` as the signed-in admin, expecting a 2xx.
    pub async fn delete(&self, path: &str) -> anyhow::Result<()> {
        let r = self.http.delete(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await?;
        if !r.status().is_success() {
            bail!("DELETE {path}: {}", r.status());
        }
        Ok(())
    }
}
