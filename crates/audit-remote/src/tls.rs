//! TLS between our sender and our receiver (with `rustls`): the same frames, inside a
//! TLS session on the same TCP connection. The receiver's certificate is checked
//! against the CA the sender is given, and the receiver may require a client
//! certificate signed by a CA it is given.
//!
//! How this relates to auditd: 3.0.9 protects its remote link only with Kerberos
//! (`transport = krb5`, GSS-API wrapping each frame), which our sender and receiver
//! do not offer; our TLS link does not talk to it. auditd 4.2 added `transport =
//! tls`: TLS 1.3 with a pre-shared key, no certificates. Ours uses certificates
//! (TLS 1.3, or 1.2 when a peer asks) and so does not interoperate with 4.2's TLS
//! either: it is for our sender talking to our receiver. With both ends ours, the
//! frames inside are byte for byte those of the plain protocol.
//!
//! Set [`SenderConfig::tls`](crate::sender::SenderConfig::tls) and
//! [`ReceiverConfig::tls`](crate::server::ReceiverConfig::tls); tests/tls.rs makes
//! its certificates with `rcgen`.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection, StreamOwned,
};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

/// Why TLS settings could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM input held no certificate or key, or a bad one.
    #[error("{what}: {why}")]
    Pem {
        /// Which input.
        what: &'static str,
        /// What is wrong.
        why: String,
    },
    /// rustls refused the settings (a key not matching its certificate, say).
    #[error(transparent)]
    Rustls(#[from] rustls::Error),
    /// The name to check the receiver's certificate against is not a DNS name or IP
    /// address.
    #[error("{0:?} is not a server name")]
    ServerName(String),
}

/// The `ring` provider: it builds with a C compiler alone (aws-lc-rs needs more
/// tooling and minutes of build); rustls deprecates it only for lacking
/// post-quantum key exchange.
#[allow(deprecated)]
fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certificates(what: &'static str, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            what,
            why: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            what,
            why: "no CERTIFICATE in it".into(),
        });
    }
    Ok(certs)
}

fn roots(what: &'static str, pem: &[u8]) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for cert in certificates(what, pem)? {
        store.add(cert)?;
    }
    Ok(store)
}

fn private_key(what: &'static str, pem: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| TlsError::Pem {
        what,
        why: e.to_string(),
    })
}

/// The sender's TLS settings: whom to trust, which name to check.
#[derive(Debug, Clone)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
}

impl TlsClient {
    /// Trusts the CA certificates in `ca_pem`, checks the receiver's certificate for
    /// `server_name` (a DNS name or an IP address), and presents `client` (its
    /// certificate chain and private key, PEM) when given.
    ///
    /// # Errors
    /// [`TlsError`].
    pub fn from_pem(
        ca_pem: &[u8],
        server_name: &str,
        client: Option<(&[u8], &[u8])>,
    ) -> Result<Self, TlsError> {
        let builder = ClientConfig::builder_with_provider(ring())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots("CA certificates", ca_pem)?);
        let config = match client {
            Some((chain, key)) => builder.with_client_auth_cert(
                certificates("client certificate", chain)?,
                private_key("client key", key)?,
            )?,
            None => builder.with_no_client_auth(),
        };
        Self::new(Arc::new(config), server_name)
    }

    /// Uses a rustls configuration made by the caller.
    ///
    /// # Errors
    /// [`TlsError::ServerName`].
    pub fn new(config: Arc<ClientConfig>, server_name: &str) -> Result<Self, TlsError> {
        let server_name = ServerName::try_from(server_name.to_owned())
            .map_err(|_| TlsError::ServerName(server_name.into()))?;
        Ok(Self {
            config,
            server_name,
        })
    }

    pub(crate) fn wrap(&self, tcp: TcpStream) -> io::Result<Stream> {
        let conn = ClientConnection::new(Arc::clone(&self.config), self.server_name.clone())
            .map_err(io::Error::other)?;
        Ok(Stream::Client(Box::new(StreamOwned::new(conn, tcp))))
    }
}

/// The receiver's TLS settings: its certificate, and whom it asks for client
/// certificates.
#[derive(Debug, Clone)]
pub struct TlsServer {
    config: Arc<ServerConfig>,
}

impl TlsServer {
    /// Presents the certificate chain `chain_pem` with its private key `key_pem`;
    /// with `client_ca_pem`, requires each sender to present a certificate signed by
    /// one of those CAs.
    ///
    /// # Errors
    /// [`TlsError`].
    pub fn from_pem(
        chain_pem: &[u8],
        key_pem: &[u8],
        client_ca_pem: Option<&[u8]>,
    ) -> Result<Self, TlsError> {
        let builder =
            ServerConfig::builder_with_provider(ring()).with_safe_default_protocol_versions()?;
        let builder = match client_ca_pem {
            Some(pem) => {
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots("client CA certificates", pem)?),
                    ring(),
                )
                .build()
                .map_err(|e| TlsError::Pem {
                    what: "client CA certificates",
                    why: e.to_string(),
                })?;
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let config = builder.with_single_cert(
            certificates("server certificate", chain_pem)?,
            private_key("server key", key_pem)?,
        )?;
        Ok(Self::new(Arc::new(config)))
    }

    /// Uses a rustls configuration made by the caller.
    pub fn new(config: Arc<ServerConfig>) -> Self {
        Self { config }
    }

    pub(crate) fn wrap(&self, tcp: TcpStream) -> io::Result<Stream> {
        let conn = ServerConnection::new(Arc::clone(&self.config)).map_err(io::Error::other)?;
        Ok(Stream::Server(Box::new(StreamOwned::new(conn, tcp))))
    }
}

/// A connection's byte stream: plain TCP, or TLS over it.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    Client(Box<StreamOwned<ClientConnection, TcpStream>>),
    Server(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Stream {
    /// The TCP socket underneath (for timeouts and shutdown).
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Client(s) => &s.sock,
            Stream::Server(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Client(s) => s.read(buf),
            Stream::Server(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Client(s) => s.write(buf),
            Stream::Server(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Client(s) => s.flush(),
            Stream::Server(s) => s.flush(),
        }
    }
}
