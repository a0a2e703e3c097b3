//! Browser tests: a headless Debian chromium driven through chromedriver with fantoccini.
//!
//! See `spec/BROWSER-TESTS.md` for the recipe. Every [`Browser`] owns its own chromedriver
//! (port 0, own process group, private `TMPDIR`, fresh `--user-data-dir`). The `Driver` guard
//! kills the whole process group on drop, and a watchdog shell kills it when this test process
//! dies without running destructors (SIGKILL, timeout).

// Not every test binary uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, mpsc};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const INSTALL_HINT: &str = "apt-get install -y chromium chromium-driver";
const READY_LINE: &str = "ChromeDriver was started successfully on port ";
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// A chromedriver process group (chromedriver plus every chromium it launched) and its files.
/// Dropping it kills the whole group and removes the profile and the private temp dir.
struct Driver {
    child: Child,
    port: u16,
    /// Per-session directory: holds `chromedriver.log`, `profile/` and `tmp/`.
    dir: PathBuf,
    log: PathBuf,
}

impl Driver {
    fn spawn() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        static SWEEP: Once = Once::new();
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
        SWEEP.call_once(|| sweep_dead_runs(&root));
        let dir = root.join(format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        // A leftover from an earlier run with the same pid (kept because a test failed).
        let _ = std::fs::remove_dir_all(&dir);
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).expect("create chromedriver temp dir");
        let log = dir.join("chromedriver.log");

        // Only this process holds the write end of the wrapper's stdin. When it closes (this
        // process exits in any way), `read` returns and `kill -9 0` kills the whole group.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec 3<&0; (read -r _ <&3; kill -9 0) & exec "$0" "$@" 3<&-"#)
            .arg(CHROMEDRIVER)
            .arg("--port=0")
            .arg(format!("--log-path={}", log.display()))
            .env("TMPDIR", &tmp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("spawn chromedriver");
        let stdout = child.stdout.take().expect("chromedriver stdout is piped");
        // From here on, `driver` going out of scope (also by a panic) kills the group.
        let mut driver = Self { child, port: 0, dir, log };

        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            // Keep draining stdout after the ready line so chromedriver never blocks on a full pipe.
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split(READY_LINE).nth(1)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(rest.trim().trim_end_matches('.').parse::<u16>());
                }
            }
        });
        driver.port = match rx.recv_timeout(WAIT) {
            Ok(Ok(port)) => port,
            Ok(Err(e)) => panic!("cannot parse chromedriver's port ({e}); log: {}", driver.log.display()),
            Err(e) => panic!("chromedriver did not report its port ({e}); log: {}", driver.log.display()),
        };
        driver
    }

    fn profile(&self) -> PathBuf {
        self.dir.join("profile")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The wrapper `exec`s chromedriver, so its pid is the process group id; chromium stays in
        // that group. `kill` with a negative pid signals the whole group (no `unsafe` needed).
        let pgid = self.child.id();
        let killed = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{pgid}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !killed {
            // Fall back on the watchdog: closing its stdin makes it run `kill -9 0`.
            drop(self.child.stdin.take());
        }
        let _ = self.child.wait();
        if std::thread::panicking() {
            let _ = std::fs::remove_dir_all(self.profile());
            let _ = std::fs::remove_dir_all(self.dir.join("tmp"));
            eprintln!("chromedriver log: {}", self.log.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes the session dirs (`<pid>-<n>`) of test processes that are gone: those killed
/// without running Drop, and the logs kept from failed tests of earlier runs.
fn sweep_dead_runs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.split('-').next()) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// One browser session against the app at `base`.
pub struct Browser {
    pub client: Client,
    /// The app's base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver (port 0, watchdog, private TMPDIR, fresh `--user-data-dir` under
    /// `CARGO_TARGET_TMPDIR`) and connects a session. `base` is the app's base URL (the app is
    /// started by the caller).
    ///
    /// Returns `None` (after saying why on stderr) when chromium or chromedriver is not installed
    /// and `CI` is not `true`; panics in that case under `CI=true`.
    pub async fn start(base: &str) -> Option<Self> {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            if !Path::new(binary).exists() {
                assert!(std::env::var("CI").as_deref() != Ok("true"), "{binary} is missing: run `{INSTALL_HINT}`");
                eprintln!("skipping browser test: {binary} is missing (run `{INSTALL_HINT}`)");
                return None;
            }
        }

        let driver = Driver::spawn();
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", driver.profile().display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("json!({{..}}) is an object") };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("cannot start a chromium session: {e}; log: {}", driver.log.display()));
        Some(Self { client, base: base.trim_end_matches('/').to_owned(), _driver: driver })
    }

    /// Navigates to `base + path`.
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client.goto(&url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// Clears the input matched by `css` (waiting for it) and types `value` into it.
    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.wait_for(css).await;
        input.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        input.send_keys(value).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Clicks the element matched by `css` (waiting for it). A click that lands as the page is
    /// being left ([`navigation_race`]) counts as success: wait for the next page afterwards.
    pub async fn click(&self, css: &str) {
        if let Err(e) = self.wait_for(css).await.click().await {
            assert!(navigation_race(&e), "click {css}: {e}");
        }
    }

    /// Waits at most 10 s for an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).every(POLL).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element matches {css:?} within {WAIT:?} ({e}){}", self.page_excerpt().await),
        }
    }

    /// Waits at most 10 s until the text of the (first) element matching `css` contains `needle`.
    pub async fn wait_for_text(&self, css: &str, needle: &str) {
        let deadline = Instant::now() + WAIT;
        let mut last = String::from("<no element>");
        loop {
            // Find again each time: the element may be replaced (navigation, re-render).
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.contains(needle) {
                    return;
                }
                last = text;
            }
            assert!(
                Instant::now() < deadline,
                "text of {css:?} did not contain {needle:?} within {WAIT:?}; last text: {last:?}{}",
                self.page_excerpt().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Path and query of the current URL, e.g. `/users?page=2`.
    pub async fn current_path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Saves a PNG of the viewport as `<target dir>/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("CARGO_TARGET_TMPDIR has a parent");
        self.screenshot_into(&dir.join("screenshots"), name).await
    }

    /// Saves a PNG of the viewport as `<dir>/<name>.png` (creating `dir`) and returns its path.
    pub async fn screenshot_into(&self, dir: &Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let png = self.client.screenshot().await.expect("take screenshot");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Sizes the window so that the page itself (the viewport, which screenshots show) is
    /// `width` × `height` CSS pixels: `set_window_size` sizes the whole window, and headless
    /// Chromium's window is taller than its viewport (1280×800 gives a 1280×657 page). Its
    /// `outerWidth` never reports less than 500 even when the viewport is narrower, so the
    /// window is corrected by what the viewport lacks, not by the outer size.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        let js = "return [window.innerWidth, window.innerHeight]";
        let (mut w, mut h) = (width, height);
        for _ in 0..3 {
            self.client.set_window_size(w, h).await.expect("resize");
            let inner = self.client.execute(js, vec![]).await.expect("measure the viewport");
            let size = |i: usize| u32::try_from(inner[i].as_i64().unwrap_or(0)).unwrap_or(0);
            if (size(0), size(1)) == (width, height) {
                return;
            }
            (w, h) = ((w + width).saturating_sub(size(0)), (h + height).saturating_sub(size(1)));
        }
        panic!("cannot give the page a {width}×{height} viewport");
    }

    /// Closes the session; dropping the driver then kills chromedriver and chromium.
    pub async fn finish(self) {
        let Self { client, _driver: driver, .. } = self;
        if let Err(e) = client.close().await {
            eprintln!("closing the browser session failed: {e}");
        }
        drop(driver);
    }

    /// The current URL and the start of the page source, for failure messages.
    async fn page_excerpt(&self) -> String {
        const MAX: usize = 4000;
        let url = self.client.current_url().await.map_or_else(|e| format!("<{e}>"), |u| u.to_string());
        let source = self.client.source().await.unwrap_or_else(|e| format!("<{e}>"));
        let excerpt = match source.char_indices().nth(MAX) {
            Some((end, _)) => format!("{}\n[... {} more bytes]", &source[..end], source.len() - end),
            None => source,
        };
        format!("\ncurrent URL: {url}\npage source:\n{excerpt}")
    }
}

/// Whether a click's error only says the page was being left as it landed: the click itself
/// started the navigation ("aborted by navigation"), or a navigation already under way (live
/// search submitting the form) replaced the element between finding and clicking it — which
/// Chromium words as a stale element or, from its inspector, "Node with given id does not
/// belong to the document".
pub fn navigation_race(e: &CmdError) -> bool {
    let text = e.to_string();
    ["aborted by navigation", "stale element", "does not belong to the document"].iter().any(|t| text.contains(t))
}
