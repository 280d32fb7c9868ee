//! Async events (feature `tokio`): an [`EventStream`] driven by tokio's reactor, as
//! an `async fn next` or a [`futures_core::Stream`].
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
//!
//! The reactor watches a duplicate of the socket's descriptor that only the
//! [`AsyncEventStream`] holds: whatever safe code does with the stream it lends out
//! ([`AsyncEventStream::get_mut`]), even putting another socket in place of the first
//! and closing it, cannot close or change what tokio has registered. The stream then
//! follows the new socket:
//!
//! ```no_run
//! # async fn demo() -> Result<(), audit_netlink::Error> {
//! use audit_netlink::{tokio_stream::AsyncEventStream, AuditSocket, EventStream};
//! let mut events = AsyncEventStream::new(EventStream::new(AuditSocket::open_readlog()?))?;
//! let old = std::mem::replace(events.get_mut().socket(), AuditSocket::open_readlog()?);
//! drop(old); // closes the first socket; tokio's registration is of another descriptor
//! let item = events.next().await?; // read from the new socket, woken by it
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::events::{EventStream, StreamItem};
use std::future::Future;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::time::{Instant, Sleep};

/// How often open events are aged while the socket is quiet.
const AGE_TICK: Duration = Duration::from_millis(500);

/// Owns an [`EventStream`] and keeps its socket registered with the tokio reactor; the
/// socket is read only when the reactor says it is readable, and open events are aged
/// every half second. With a gather ([`EventStream::set_gather`], set through
/// [`get_mut`](AsyncEventStream::get_mut) or before [`new`](AsyncEventStream::new)),
/// the stream pauses on a tokio timer after a read that found records, as the
/// blocking stream sleeps.
#[derive(Debug)]
pub struct AsyncEventStream {
    stream: EventStream,
    /// A duplicate of the socket's descriptor, owned here and never lent out: the
    /// descriptor tokio watches, or holds out of its reactor while records gather.
    watch: Watch,
    /// Device and inode of the registered socket, to notice a socket put in its place.
    identity: (u64, u64),
    /// Set when the stream was lent out mutably: check the socket is still the same.
    lent: bool,
    /// Wakes a quiet stream to age its open events.
    tick: Pin<Box<Sleep>>,
    /// Ends a pause that lets records gather ([`EventStream::set_gather`]).
    pause: Pin<Box<Sleep>>,
    /// The stream is pausing until `pause` fires.
    pausing: bool,
}

/// The descriptor an [`AsyncEventStream`] owns, in or out of tokio's reactor.
#[derive(Debug)]
enum Watch {
    /// In the reactor: the socket is read when tokio says it is readable.
    Registered(AsyncFd<OwnedFd>),
    /// Out of it while records gather: a socket in the reactor wakes the runtime
    /// at each datagram even while no task waits for it, which is what a pause
    /// saves. Read after each pause; registered again once a read finds nothing
    /// new (the registration reports data already queued: none is missed).
    Held(OwnedFd),
    /// Neither: between the two inside a step, or after registering again failed
    /// (the next step registers a new duplicate).
    Moving,
}

/// A duplicate of `stream`'s socket descriptor, and its device and inode.
fn duplicate(stream: &EventStream) -> Result<(OwnedFd, (u64, u64))> {
    let fd = stream
        .as_fd()
        .try_clone_to_owned()
        .map_err(Error::io("dup the socket"))?;
    let file = std::fs::File::from(fd);
    let meta = file.metadata().map_err(Error::io("fstat the socket"))?;
    Ok((OwnedFd::from(file), (meta.dev(), meta.ino())))
}

/// Register a descriptor this module owns with the current runtime's reactor.
fn register(fd: OwnedFd) -> Result<AsyncFd<OwnedFd>> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::InvalidArgument(
            "AsyncEventStream must be used inside a tokio runtime",
        ));
    }
    // SAFETY: the AsyncFd owns `fd` (an OwnedFd, open until dropped, whose as_raw_fd
    // never changes), and this module never takes it out (`into_inner`) nor lends it
    // mutably: it stays open and the same for the AsyncFd's whole life.
    unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.map_err(|e| {
        let (_, source) = e.into_parts();
        Error::Io {
            op: "register with tokio",
            source,
        }
    })
}

impl AsyncEventStream {
    /// Register `stream`'s socket with the current tokio runtime (which needs IO and
    /// time enabled); an error outside a runtime.
    pub fn new(stream: EventStream) -> Result<Self> {
        let (fd, identity) = duplicate(&stream)?;
        let registered = register(fd)?;
        Ok(Self {
            stream,
            watch: Watch::Registered(registered),
            identity,
            lent: false,
            tick: Box::pin(tokio::time::sleep(AGE_TICK)),
            pause: Box::pin(tokio::time::sleep(Duration::ZERO)),
            pausing: false,
        })
    }

    /// The wrapped stream, e.g. for control requests on its socket
    /// ([`EventStream::socket`]). A socket put in place of the first one is followed
    /// from the next read on.
    pub fn get_mut(&mut self) -> &mut EventStream {
        self.lent = true;
        &mut self.stream
    }

    /// The wrapped stream, to read (such as its parser's statistics).
    pub fn get_ref(&self) -> &EventStream {
        &self.stream
    }

    /// Unregister from the reactor and give the stream back.
    pub fn into_inner(self) -> EventStream {
        self.stream
    }

    /// The next item (complete event, loss notice or unreadable record).
    pub async fn next(&mut self) -> Result<StreamItem> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Register the stream's socket anew if another was put in place of the one
    /// registered (after [`get_mut`](Self::get_mut)).
    fn follow_socket(&mut self) -> Result<()> {
        if !std::mem::take(&mut self.lent) {
            return Ok(());
        }
        let (fd, identity) = duplicate(&self.stream)?;
        if identity != self.identity {
            self.watch = Watch::Registered(register(fd)?);
            self.identity = identity;
        }
        Ok(())
    }

    /// One step of [`next`](Self::next) / [`Stream::poll_next`]: an item, or pending
    /// until the socket is readable, a pause to let records gather has ended, or
    /// the aging tick.
    ///
    /// The socket is read only while tokio says it is readable, until a receive
    /// finds it empty (fails with `EAGAIN`; then that readiness is cleared: data
    /// that came after is a new readiness): each wake-up costs one failed
    /// receive.
    ///
    /// [`Stream::poll_next`]: futures_core::Stream::poll_next
    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Result<StreamItem>> {
        self.follow_socket()?;
        // A drain ended without finding the socket empty in this step.
        let mut unconfirmed = false;
        loop {
            if let Some(item) = self.stream.next_ready() {
                return Poll::Ready(Ok(item));
            }
            // Records received while the stream was lent out (a control request
            // keeps them): the descriptor is not readable for them.
            if self.stream.has_waiting() {
                if let Some(item) = self.stream.drain()? {
                    return Poll::Ready(Ok(item));
                }
            }
            if self.pausing {
                match self.pause.as_mut().poll(cx) {
                    Poll::Ready(()) => self.pausing = false,
                    Poll::Pending => {
                        self.poll_tick(cx);
                        return Poll::Pending;
                    }
                }
            }
            match &mut self.watch {
                Watch::Registered(fd) => match fd.poll_read_ready(cx) {
                    Poll::Ready(Ok(mut guard)) => {
                        // Readiness stays set while items come: the next step reads on.
                        if let Some(item) = self.stream.drain()? {
                            return Poll::Ready(Ok(item));
                        }
                        // Readiness is cleared only after a receive failed with
                        // EAGAIN (tokio's rule): a short recvmmsg may have ended
                        // at an overflow with the queue still full, and while it
                        // is full the kernel drops new records without a wake-up.
                        if !self.stream.found_empty() {
                            // Twice: others' datagrams keep coming; let other
                            // tasks run, and come back at once.
                            if std::mem::replace(&mut unconfirmed, true) {
                                cx.waker().wake_by_ref();
                                return Poll::Pending;
                            }
                            continue;
                        }
                        guard.clear_ready();
                        if self.start_pause() {
                            if let Watch::Registered(fd) =
                                std::mem::replace(&mut self.watch, Watch::Moving)
                            {
                                self.watch = Watch::Held(fd.into_inner());
                            }
                        }
                    }
                    Poll::Ready(Err(source)) => {
                        return Poll::Ready(Err(Error::Io {
                            op: "wait for readiness",
                            source,
                        }))
                    }
                    Poll::Pending => {
                        if !self.poll_tick(cx) {
                            return Poll::Pending;
                        }
                    }
                },
                Watch::Held(_) => {
                    if let Some(item) = self.stream.drain()? {
                        return Poll::Ready(Ok(item));
                    }
                    if !self.start_pause() {
                        // Quiet again: back into the reactor.
                        if let Watch::Held(fd) = std::mem::replace(&mut self.watch, Watch::Moving) {
                            self.watch = Watch::Registered(register(fd)?);
                        }
                    }
                }
                // A registration that failed (its error was returned): try anew.
                Watch::Moving => {
                    let (fd, identity) = duplicate(&self.stream)?;
                    self.watch = Watch::Registered(register(fd)?);
                    self.identity = identity;
                }
            }
        }
    }

    /// After a read that found the socket empty: pause for the gather if records
    /// came since the last pause (and the stream has a gather).
    fn start_pause(&mut self) -> bool {
        let gather = self.stream.gather();
        if !self.stream.take_fresh() || gather.is_zero() {
            return false;
        }
        self.pause.as_mut().reset(Instant::now() + gather);
        self.pausing = true;
        true
    }

    /// Age open events when the tick fires (every [`AGE_TICK`], busy or quiet);
    /// true when it did.
    fn poll_tick(&mut self, cx: &mut Context<'_>) -> bool {
        match self.tick.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.stream.age();
                self.tick.as_mut().reset(Instant::now() + AGE_TICK);
                true
            }
            Poll::Pending => false,
        }
    }
}

/// The same items as [`AsyncEventStream::next`]; it never ends on its own.
impl futures_core::Stream for AsyncEventStream {
    type Item = Result<StreamItem>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuditSocket;
    use std::os::fd::BorrowedFd;

    fn identity_of(fd: impl AsFd) -> (u64, u64) {
        let file = std::fs::File::from(fd.as_fd().try_clone_to_owned().unwrap());
        let meta = file.metadata().unwrap();
        (meta.dev(), meta.ino())
    }

    /// Putting another socket in place of the registered one (and closing the first)
    /// leaves tokio's descriptor open and the same; the stream then follows the new
    /// socket. (Opening a NETLINK_AUDIT socket needs no privilege.)
    #[test]
    fn a_replaced_socket_leaves_the_registration_open_and_is_followed() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let first = AuditSocket::open().unwrap();
            let first_identity = identity_of(&first);
            let mut events = AsyncEventStream::new(EventStream::new(first)).unwrap();
            assert_eq!(identity_of(events.watched()), first_identity);

            let old = std::mem::replace(events.get_mut().socket(), AuditSocket::open().unwrap());
            drop(old);
            let second_identity = identity_of(events.get_ref());
            assert_ne!(second_identity, first_identity);
            // The first socket is closed, but what tokio watches is still open.
            assert_eq!(identity_of(events.watched()), first_identity);

            // A step reads the (empty) new socket and registers it.
            let step = std::future::poll_fn(|cx| Poll::Ready(events.poll_item(cx))).await;
            assert!(step.is_pending());
            assert_eq!(identity_of(events.watched()), second_identity);
            assert_eq!(events.identity, second_identity);
        });
    }

    impl AsyncEventStream {
        /// The descriptor tokio watches (or holds out of its reactor).
        fn watched(&self) -> BorrowedFd<'_> {
            match &self.watch {
                Watch::Registered(fd) => fd.get_ref().as_fd(),
                Watch::Held(fd) => fd.as_fd(),
                Watch::Moving => panic!("no descriptor watched"),
            }
        }
    }

    /// Records the socket received during a control request (kept in its queue)
    /// come out at once: the descriptor's readiness does not show them.
    #[test]
    fn records_kept_during_a_request_come_out_without_readiness() {
        use crate::{Incoming, RawRecord, StreamItem};
        use audit_wire::RecordType;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut events =
                AsyncEventStream::new(EventStream::new(AuditSocket::open().unwrap())).unwrap();
            for (ty, text) in [
                (
                    RecordType::SYSCALL,
                    "audit(1.000:3): arch=c000003e syscall=59",
                ),
                (RecordType::EOE, "audit(1.000:3): "),
            ] {
                let r = RawRecord::new(ty, text.as_bytes());
                events.get_mut().socket().queue_item(Incoming::Record(r));
            }
            let step = std::future::poll_fn(|cx| Poll::Ready(events.poll_item(cx))).await;
            match step {
                Poll::Ready(Ok(StreamItem::Event(ev))) => assert_eq!(ev.id().serial, 3),
                other => panic!("{other:?}"),
            }
        });
    }

    #[test]
    fn outside_a_runtime_is_an_error() {
        let stream = EventStream::new(AuditSocket::open().unwrap());
        let e = AsyncEventStream::new(stream).unwrap_err();
        assert!(e.to_string().contains("tokio runtime"), "{e}");
    }
}
