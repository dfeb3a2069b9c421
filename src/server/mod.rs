//! Serving HTTP or HTTPS until asked to stop; in-flight requests finish first.

mod connections;

use crate::app::App;
use crate::config::TlsFiles;
use anyhow::Context;
use axum_server::accept::DefaultAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use connections::Capped;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// How long requests in flight may take to finish once a stop is asked for.
const DRAIN: Duration = Duration::from_secs(30);

pub async fn serve(app: App, bind: &str) -> anyhow::Result<()> {
    let listener = listen(bind).await?;
    serve_on(app, listener).await
}

/// Takes the address to listen on (a busy or forbidden address fails here,
/// before anything else is done).
pub async fn listen(bind: &str) -> anyhow::Result<TcpListener> {
    listen_on(bind).await.with_context(|| {
        format!(
            "cannot listen on {bind} (another program may be using it; choose another with --bind)"
        )
    })
}

/// Serves on a listener already taken ([`listen`]) until asked to stop.
pub async fn serve_on(app: App, listener: TcpListener) -> anyhow::Result<()> {
    let tls = app.settings.tls.as_ref().map(tls_config).transpose()?;
    let addr = listener.local_addr()?;
    if !app.settings.https() && !addr.ip().is_loopback() {
        tracing::warn!(%addr, "serving without TLS on a non-loopback address: configure `tls` or \
                               put a TLS-terminating proxy in front (and set `behind_tls_proxy`)");
    }
    // The periodic work, stopped before the database closes (a task cut
    // off mid-write has its transaction rolled back).
    let mut periodic = JoinSet::new();
    if let Some(file) = app.settings.audit_checkpoint_file.clone() {
        periodic.spawn(write_checkpoints(app.clone(), file));
    }
    periodic.spawn(sweep_alerts(app.clone()));
    periodic.spawn(fold_refusals(app.clone()));
    periodic.spawn(forget_submissions(app.clone()));
    periodic.spawn(watch_disk(app.clone()));
    let gateways = crate::gateways::Gateways::from_settings(&app.settings)?;
    if gateways.any() {
        periodic.spawn(send_reminders(app.clone(), gateways));
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, scheme, "Bridgeway is listening");
    let db = app.db.clone();
    let limits = app.settings.http.clone();
    let service = crate::web::router(app).into_make_service_with_connect_info::<SocketAddr>();
    let listener = listener.into_std()?;
    let handle = axum_server::Handle::new();
    tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown_signal().await;
            handle.graceful_shutdown(Some(DRAIN));
        }
    });
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let header_time = Duration::from_secs(limits.header_seconds);
    match tls {
        None => {
            let server = axum_server::from_tcp(listener)?
                .acceptor(Capped::new(DefaultAcceptor::new(), slots));
            bounded(server, header_time)
                .handle(handle)
                .serve(service)
                .await
                .context("serving HTTP")?
        }
        Some(config) => {
            let tls = RustlsAcceptor::new(config).handshake_timeout(header_time);
            let server = axum_server::from_tcp(listener)?.acceptor(Capped::new(tls, slots));
            bounded(server, header_time)
                .handle(handle)
                .serve(service)
                .await
                .context("serving HTTPS")?
        }
    }
    periodic.shutdown().await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Connections the kernel holds for the server before it accepts them. The
/// system's default (128 here) overflowed when a few hundred clients
/// connected at once: the rest waited a second or more for their retry.
const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `bind` (the kernel caps the backlog at `net.core.somaxconn`).
async fn listen_on(bind: &str) -> std::io::Result<TcpListener> {
    let addr = tokio::net::lookup_host(bind)
        .await?
        .next()
        .ok_or_else(|| std::io::Error::other("the address names no host"))?;
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// A server whose clients must send each request's headers within
/// `header_time` of connecting, or of their last answer (hyper starts the
/// same timer while a kept-alive connection waits: an idle one is closed
/// after as long).
fn bounded<A: axum_server::Address, Acc>(
    mut server: axum_server::Server<A, Acc>,
    header_time: Duration,
) -> axum_server::Server<A, Acc> {
    server
        .http_builder()
        .http1()
        .header_read_timeout(Some(header_time));
    server.first_request_timeout(Some(header_time))
}

/// Appends a signed checkpoint of the audit chain every
/// `audit_checkpoint_minutes` (when the trail has grown); a failure is
/// logged and tried again next time.
async fn write_checkpoints(app: App, file: std::path::PathBuf) {
    let every = Duration::from_secs(app.settings.audit_checkpoint_minutes * 60);
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        match crate::app::audit::integrity::write_checkpoint(&app, &file).await {
            Ok(Some(c)) => {
                tracing::info!(seq = c.seq, events = c.events, "audit checkpoint written")
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, file = %file.display(), "audit checkpoint failed")
            }
        }
    }
}

/// Sweeps for new alerts every `alerts.sweep_minutes`. With several servers
/// each sweeps; raising is idempotent, so nothing is raised twice.
async fn sweep_alerts(app: App) {
    let every = Duration::from_secs(app.settings.alerts.sweep_minutes * 60);
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        match crate::app::casework::alerts::sweep(&app).await {
            Ok(0) => {}
            Ok(raised) => tracing::info!(raised, "alert sweep"),
            Err(e) => tracing::error!(error = %e, "alert sweep failed"),
        }
    }
}

/// Audits the counts of refused requests once their minute has passed
/// (`app::audit::refusals`).
async fn fold_refusals(app: App) {
    let mut ticks = tokio::time::interval(Duration::from_secs(60));
    loop {
        ticks.tick().await;
        if let Err(e) = crate::app::audit::refusals::fold(&app).await {
            tracing::error!(error = %e, "auditing the refusals' counts failed");
        }
    }
}

/// Forgets one-time submissions past their day, every hour.
async fn forget_submissions(app: App) {
    let mut ticks = tokio::time::interval(Duration::from_secs(3600));
    loop {
        ticks.tick().await;
        if let Err(e) = crate::app::submissions::forget_old(&app).await {
            tracing::error!(error = %e, "forgetting old one-time submissions failed");
        }
    }
}

/// Warns in the log, every five minutes while it lasts, that the database's
/// disk is running out of room (administrators also see it on their pages).
async fn watch_disk(app: App) {
    let mut ticks = tokio::time::interval(Duration::from_secs(300));
    loop {
        ticks.tick().await;
        if let Some(warning) = crate::app::health::disk(&app).warning() {
            tracing::warn!(free_below_mb = app.settings.disk.warn_below_mb, "{warning}");
        }
    }
}

/// Plans and sends reminders every `reminders.poll_seconds`. Several
/// servers may run this: each claims messages under its own name.
async fn send_reminders(app: App, gateways: crate::gateways::Gateways) {
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let every = Duration::from_secs(app.settings.reminders.poll_seconds);
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        if let Err(e) = crate::app::outreach::reminders::plan(&app).await {
            tracing::error!(error = %e, "planning reminders failed");
        }
        match crate::app::outreach::reminders::deliver(&app, &gateways, &worker).await {
            Ok(d) if d == Default::default() => {}
            Ok(d) => tracing::info!(
                sent = d.sent,
                retrying = d.retrying,
                failed = d.failed,
                "messages"
            ),
            Err(e) => tracing::error!(error = %e, "sending messages failed"),
        }
    }
}

/// TLS 1.2 and 1.3 with rustls' safe defaults (forward-secret AEAD suites only).
fn tls_config(files: &TlsFiles) -> anyhow::Result<RustlsConfig> {
    let certificate = &files.certificate;
    let chain = CertificateDer::pem_file_iter(certificate)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .with_context(|| format!("reading the TLS certificate {}", certificate.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "the TLS certificate file {} holds no certificate",
        certificate.display()
    );
    let key = PrivateKeyDer::from_pem_file(&files.private_key).with_context(|| {
        format!(
            "reading the TLS private key {}",
            files.private_key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the TLS certificate and private key do not belong together")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
