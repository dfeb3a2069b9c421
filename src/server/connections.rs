//! How many connections are served at once.

use axum_server::accept::Accept;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// An acceptor that serves at most as many connections at once as it has
/// slots: one more is closed at once instead of waiting, holding a file
/// descriptor and a task, for a slot that slow clients may never give back.
#[derive(Clone)]
pub struct Capped<A> {
    inner: A,
    slots: Arc<Semaphore>,
}

impl<A> Capped<A> {
    pub fn new(inner: A, slots: Arc<Semaphore>) -> Self {
        Self { inner, slots }
    }
}

impl<I, S, A> Accept<I, S> for Capped<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
{
    type Stream = Held<A::Stream>;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Held<A::Stream>, A::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let slot = Arc::clone(&self.slots).try_acquire_owned();
        let accepted = self.inner.accept(stream, service);
        Box::pin(async move {
            let slot = slot.map_err(|_| io::Error::other("too many connections; closed"))?;
            let (stream, service) = accepted.await?;
            Ok((
                Held {
                    stream,
                    _slot: slot,
                },
                service,
            ))
        })
    }
}

/// A connection and the slot it holds until it closes.
pub struct Held<S> {
    stream: S,
    _slot: OwnedSemaphorePermit,
}

impl<S: AsyncRead + Unpin> AsyncRead for Held<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Held<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
