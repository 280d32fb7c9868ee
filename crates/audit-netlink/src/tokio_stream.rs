//! Async events (feature `tokio`): an [`EventStream`] driven by tokio's reactor.
//!
//! ```no_run
//! # async fn demo() -> Result<(), audit_netlink::Error> {
//! use audit_netlink::{tokio_stream::AsyncEventStream, AuditSocket, StreamItem};
//! let mut sock = AuditSocket::open_readlog()?;
//! let mut events = AsyncEventStream::new(audit_netlink::EventStream::new(sock))?;
//! while let StreamItem::Event(ev) = events.next().await? {
//!     println!("{} records", ev.len());
//! }
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::events::{EventStream, StreamItem};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// How often open events are aged while the socket is quiet.
const AGE_TICK: Duration = Duration::from_millis(500);

/// Owns an [`EventStream`] whose socket is registered with the tokio reactor; the
/// socket is read only when the reactor says it is readable.
#[derive(Debug)]
pub struct AsyncEventStream {
    fd: AsyncFd<Inner>,
}

#[derive(Debug)]
struct Inner(EventStream);

impl AsRawFd for Inner {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

impl AsyncEventStream {
    /// Register `stream`'s socket with the current tokio runtime (which needs IO
    /// enabled); an error outside a runtime.
    pub fn new(stream: EventStream) -> Result<Self> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::InvalidArgument(
                "AsyncEventStream::new must be called inside a tokio runtime",
            ));
        }
        // SAFETY: the fd belongs to the socket that `Inner` owns: it stays open and is
        // the same fd for as long as the AsyncFd holds `Inner` (the socket is never
        // replaced or closed before `into_inner` or drop).
        let fd = unsafe { AsyncFd::register_with_interest(Inner(stream), Interest::READABLE) }
            .map_err(|e| {
                let (_, source) = e.into_parts();
                Error::Io {
                    op: "register with tokio",
                    source,
                }
            })?;
        Ok(Self { fd })
    }

    /// The wrapped stream (for control requests on its socket).
    pub fn get_mut(&mut self) -> &mut EventStream {
        &mut self.fd.get_mut().0
    }

    /// Unregister from the reactor and give the stream back.
    pub fn into_inner(self) -> EventStream {
        self.fd.into_inner().0
    }

    /// The next item (complete event, loss notice or unreadable record).
    pub async fn next(&mut self) -> Result<StreamItem> {
        loop {
            if let Some(item) = self.fd.get_mut().0.next(Some(Duration::ZERO))? {
                return Ok(item);
            }
            let mut guard = match tokio::time::timeout(AGE_TICK, self.fd.readable_mut()).await {
                Ok(g) => g.map_err(Error::io("wait for readiness"))?,
                Err(_) => continue, // quiet: the next try ages open events
            };
            match guard.get_inner_mut().0.next(Some(Duration::ZERO))? {
                Some(item) => return Ok(item),
                None => guard.clear_ready(),
            }
        }
    }
}
