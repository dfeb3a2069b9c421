//! Serving HTTP until asked to stop; in-flight requests finish first.

use crate::app::App;
use anyhow::Context;
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub async fn serve(app: App, bind: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("listening on {bind}"))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "serving without TLS on a non-loopback address: put a TLS-terminating proxy in front");
    }
    tracing::info!(%addr, "Bridgeway is listening");
    serve_on(listener, app).await
}

pub async fn serve_on(listener: TcpListener, app: App) -> anyhow::Result<()> {
    let db = app.db.clone();
    let router = crate::web::router(app);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving HTTP")?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
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
