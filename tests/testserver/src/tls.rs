//! The server's PKI: a generated CA, a serving certificate for 127.0.0.1/localhost, and client
//! certificates (X.509 v3, or v1 as hand-made PKI has them) for users who authenticate with one.

use std::sync::Arc;

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

use crate::x509v1;

/// A certificate and its private key, PEM-encoded, as a kubeconfig embeds them.
#[derive(Debug, Clone)]
pub struct CertifiedKey {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
}

/// The CA and the serving certificate signed by it.
pub struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
    server: CertifiedKey,
    server_key_der: Vec<u8>,
}

impl Pki {
    pub fn generate() -> Result<Pki> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "kz-testserver-ca");
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate()?)
            .context("generating the test CA")?;

        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params
            .signed_by(&key, &ca)
            .context("signing the serving certificate")?;
        Ok(Pki {
            server: CertifiedKey {
                cert_pem: cert.pem(),
                key_pem: key.serialize_pem(),
                cert_der: cert.der().to_vec(),
            },
            server_key_der: key.serialize_der(),
            ca,
        })
    }

    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// A client certificate for `user` in `groups` (CN and O, as Kubernetes reads them).
    pub fn client_certificate(&self, user: &str, groups: &[&str]) -> Result<CertifiedKey> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, user);
        for group in groups {
            params
                .distinguished_name
                .push(DnType::OrganizationName, *group);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate()?;
        let cert = params
            .signed_by(&key, &self.ca)
            .with_context(|| format!("signing a client certificate for {user}"))?;
        Ok(CertifiedKey {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
        })
    }

    /// A client certificate for `user` in `groups`, as X.509 version 1 (no extensions).
    pub fn client_certificate_v1(&self, user: &str, groups: &[&str]) -> Result<CertifiedKey> {
        x509v1::issue(self.ca.der(), self.ca.key(), user, groups)
            .with_context(|| format!("signing a v1 client certificate for {user}"))
    }

    /// Asks for (but does not require) a client certificate signed by our CA, of X.509 version
    /// 3 or 1, as kube-apiserver does.
    pub fn client_verifier(&self) -> Result<Arc<x509v1::ClientVerifier>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.ca.der().clone())
            .context("trusting the test CA")?;
        let webpki = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .allow_unauthenticated()
            .build()
            .context("building the client certificate verifier")?;
        let verifier = x509v1::ClientVerifier::new(
            webpki,
            self.ca.der(),
            provider.signature_verification_algorithms,
        )?;
        Ok(Arc::new(verifier))
    }

    /// The rustls configuration: serve our certificate, ask for (but do not require) a client
    /// certificate signed by our CA, speak HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = self.client_verifier()?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("choosing TLS versions")?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(self.server.cert_der.clone())],
                key,
            )
            .context("loading the serving certificate")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}
