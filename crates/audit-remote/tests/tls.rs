//! TLS between our sender and our receiver on loopback, certificates made with rcgen:
//! records arrive; a receiver certificate from another CA, or a missing client
//! certificate where one is required, is refused and nothing is written.

use audit_remote::sender::{SendError, Sender, SenderConfig};
use audit_remote::server::{FileSink, Receiver, ReceiverConfig, ReceiverHandle};
use audit_remote::tls::{TlsClient, TlsServer};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    /// A leaf certificate for `name`, PEM chain and PEM key.
    fn issue(&self, name: &str, usage: ExtendedKeyUsagePurpose) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn pem(&self) -> String {
        self.cert.pem()
    }
}

fn receiver(dir: &Path, tls: TlsServer) -> ReceiverHandle {
    let sink = Arc::new(FileSink::open(&dir.join("remote.log")).unwrap());
    // Several connections from 127.0.0.1 at once: a refused handshake's connection
    // may still hold its slot when the sender tries again.
    let config = ReceiverConfig {
        tls: Some(tls),
        max_per_addr: 16,
        ..ReceiverConfig::default()
    };
    Receiver::bind("127.0.0.1:0", config, sink)
        .unwrap()
        .spawn()
        .unwrap()
}

fn sender(dir: &Path, server: &ReceiverHandle, tls: TlsClient) -> Sender {
    let mut config = SenderConfig::new(server.local_addr());
    config.tls = Some(tls);
    config.retry_time = Duration::from_millis(50);
    config.max_tries = 2;
    config.reply_timeout = Duration::from_secs(10);
    Sender::open(config, &dir.join("queue")).unwrap()
}

fn record(i: usize) -> String {
    format!("type=USER_LOGIN msg=audit(1700000000.{i:03}:{i}): pid={i} res=success\n")
}

#[test]
fn records_arrive_over_tls_with_client_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("audit test CA");
    let (server_chain, server_key) = ca.issue("localhost", ExtendedKeyUsagePurpose::ServerAuth);
    let (client_chain, client_key) = ca.issue("sender", ExtendedKeyUsagePurpose::ClientAuth);
    let tls_server = TlsServer::from_pem(
        server_chain.as_bytes(),
        server_key.as_bytes(),
        Some(ca.pem().as_bytes()),
    )
    .unwrap();
    let server = receiver(dir.path(), tls_server);
    let client = TlsClient::from_pem(
        ca.pem().as_bytes(),
        "localhost",
        Some((client_chain.as_bytes(), client_key.as_bytes())),
    )
    .unwrap();
    let mut sender = sender(dir.path(), &server, client);
    let mut expected = String::new();
    for i in 0..200 {
        let line = record(i);
        sender.send(line.as_bytes()).unwrap();
        expected.push_str(&line);
    }
    sender.flush().unwrap();
    // A heartbeat goes through the TLS session too.
    sender.heartbeat().unwrap();
    assert_eq!(sender.stats().acknowledged, 200);
    assert_eq!(server.shutdown().records_written, 200);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("remote.log")).unwrap(),
        expected
    );
}

#[test]
fn a_receiver_certificate_from_another_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("the receiver's CA");
    let other = Ca::new("a CA the sender trusts");
    let (server_chain, server_key) = ca.issue("localhost", ExtendedKeyUsagePurpose::ServerAuth);
    let tls_server =
        TlsServer::from_pem(server_chain.as_bytes(), server_key.as_bytes(), None).unwrap();
    let server = receiver(dir.path(), tls_server);
    let client = TlsClient::from_pem(other.pem().as_bytes(), "localhost", None).unwrap();
    let mut sender = sender(dir.path(), &server, client);
    let err = match sender
        .send(record(1).as_bytes())
        .and_then(|_| sender.flush())
    {
        Err(e) => e,
        Ok(()) => panic!("a certificate from an untrusted CA was accepted"),
    };
    match &err {
        SendError::Network { last, .. } => {
            assert!(last.contains("certificate"), "{err}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sender.pending(), 1, "the record stays queued");
    assert_eq!(server.shutdown().records_written, 0);
}

#[test]
fn a_sender_without_a_client_certificate_is_refused_when_one_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("audit test CA");
    let (server_chain, server_key) = ca.issue("localhost", ExtendedKeyUsagePurpose::ServerAuth);
    let tls_server = TlsServer::from_pem(
        server_chain.as_bytes(),
        server_key.as_bytes(),
        Some(ca.pem().as_bytes()),
    )
    .unwrap();
    let server = receiver(dir.path(), tls_server);
    let client = TlsClient::from_pem(ca.pem().as_bytes(), "localhost", None).unwrap();
    let mut sender = sender(dir.path(), &server, client);
    let result = sender
        .send(record(1).as_bytes())
        .and_then(|_| sender.flush());
    assert!(
        matches!(result, Err(SendError::Network { .. })),
        "{result:?}"
    );
    assert_eq!(server.shutdown().records_written, 0);
}
