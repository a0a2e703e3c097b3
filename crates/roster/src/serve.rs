//! The HTTP server loop: accepts connections up to a cap, serves each with HTTP/1.1 under a
//! header read timeout, and drains in-flight requests on shutdown within a deadline.
//!
//! Why not `axum::serve`: it has no header read timeout (a client trickling header lines
//! holds its connection forever), no connection cap, and no drain deadline.
//!
//! - **Cap:** a connection is accepted only with one of `max_connections` permits in hand;
//!   beyond the cap, new connections wait in the kernel's listen backlog until one closes.
//! - **Header read timeout:** hyper closes a connection whose request head has not fully
//!   arrived within the timeout — also an idle keep-alive connection waiting for its next
//!   request — so slow or idle clients give their permit back.
//! - **Drain:** on shutdown the listener closes, idle connections close, in-flight requests
//!   finish (their connections close after the response), and whatever is still running at
//!   the deadline is cut.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How the server treats connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Longest wait for a complete request head (and between keep-alive requests).
    pub header_read_timeout: Duration,
    /// Longest wait for in-flight requests once a shutdown begins.
    pub drain_deadline: Duration,
}

/// A handle to stop a running [`serve`] loop.
#[derive(Debug, Clone)]
pub struct Stopper(watch::Sender<bool>);

impl Stopper {
    pub fn new() -> (Self, watch::Receiver<bool>) {
        let (tx, rx) = watch::channel(false);
        (Self(tx), rx)
    }

    /// Stops accepting and starts the drain.
    pub fn stop(&self) {
        let _ = self.0.send(true);
    }
}

async fn stopped(rx: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: nobody can stop us any more, so wait forever.
    if rx.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Serves `router` on `listener` until `stop` fires, then drains. Returns how many
/// connections were still busy at the deadline and had to be cut.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, mut stop: watch::Receiver<bool>) -> usize {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    // Dropping the set (when this future is dropped) aborts every connection task.
    let mut connections = JoinSet::new();
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and similar: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |mut req: axum::http::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        connections.spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let busy = graceful.count();
    tracing::info!(connections = busy, "draining connections");
    if tokio::time::timeout(limits.drain_deadline, graceful.shutdown()).await.is_ok() {
        0
    } else {
        let cut = connections.len();
        tracing::warn!(connections = cut, "drain deadline reached; cutting the remaining connections");
        connections.abort_all();
        cut
    }
}
