//! The real Roster server, started as a child process (`roster serve`) on a free port.

use crate::dataset::roster_command;
use crate::machine::ProcessProbe;
use anyhow::{Context, bail};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running server; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub probe: ProcessProbe,
}

impl Server {
    /// Starts `roster serve` on `database_url` and waits until `/readyz` says it is ready.
    pub async fn start(
        database_url: &str,
        data_dir: &std::path::Path,
        env: &[(String, String)],
    ) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = roster_command(env)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database-url", database_url])
            .arg("--data-dir")
            .arg(data_dir)
            // Sign-in is measured, not rate-limited.
            .env("ROSTER_LOGIN_RATE_PER_MINUTE", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start roster serve")?;
        let probe = ProcessProbe::new(child.id());
        let mut server = Self { child, base: format!("http://127.0.0.1:{port}"), probe };
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
                && r.status().is_success()
            {
                return Ok(server);
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("roster serve exited with {status}");
            }
            if started.elapsed() > Duration::from_mins(2) {
                bail!("roster serve was not ready within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server gracefully (SIGTERM) and waits for it.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}
