//! The rustls crypto provider of kube's connections: *ring*, with private keys that do not
//! tell rustls their public key.
//!
//! Given a client certificate and key, rustls 0.23 checks that they belong together by
//! parsing the certificate with webpki, which refuses X.509 v1 certificates. kubectl sends
//! such certificates, and the server (not the client) judges a client certificate. A key that
//! keeps its public key to itself makes rustls skip the check (it treats "cannot tell" as
//! fine); kz checks instead, without webpki, when it loads the key (see `material`).

use std::sync::{Arc, Once};

use rustls::SignatureScheme;
use rustls::crypto::{CryptoProvider, KeyProvider, ring};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::{Signer, SigningKey};

/// Makes kz's provider the process default, which kube's TLS set-up builds on. Runs once.
pub fn install_provider() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // This fails only when a provider is installed already; kz installs none elsewhere.
        let _ = provider().install_default();
    });
}

fn provider() -> CryptoProvider {
    CryptoProvider {
        key_provider: &KEYS_WITHOUT_PUBLIC_KEY,
        ..ring::default_provider()
    }
}

/// Loads a private key with *ring*, public key included.
pub(super) fn load_private_key(
    der: PrivateKeyDer<'static>,
) -> Result<Arc<dyn SigningKey>, rustls::Error> {
    ring::default_provider().key_provider.load_private_key(der)
}

static KEYS_WITHOUT_PUBLIC_KEY: KeysWithoutPublicKey = KeysWithoutPublicKey;

#[derive(Debug)]
struct KeysWithoutPublicKey;

impl KeyProvider for KeysWithoutPublicKey {
    fn load_private_key(
        &self,
        der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        Ok(Arc::new(WithoutPublicKey(load_private_key(der)?)))
    }
}

/// A signing key whose `public_key` is left at rustls' default: unknown.
#[derive(Debug)]
struct WithoutPublicKey(Arc<dyn SigningKey>);

impl SigningKey for WithoutPublicKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        self.0.choose_scheme(offered)
    }

    fn algorithm(&self) -> rustls::SignatureAlgorithm {
        self.0.algorithm()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;

    fn client_auth(provider: CryptoProvider, cert: &kz_testserver::tls::CertifiedKey) -> bool {
        let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
        rustls::ClientConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_client_auth_cert(vec![CertificateDer::from(cert.cert_der.clone())], key)
            .is_ok()
    }

    #[test]
    fn v1_client_certificates_are_accepted() {
        let pki = kz_testserver::tls::Pki::generate().unwrap();
        let v1 = pki.client_certificate_v1("alice", &[]).unwrap();
        assert!(
            !client_auth(ring::default_provider(), &v1),
            "plain ring refuses v1"
        );
        assert!(client_auth(provider(), &v1));
        let v3 = pki.client_certificate("alice", &[]).unwrap();
        assert!(client_auth(provider(), &v3));
    }

    #[test]
    fn keys_still_sign_but_keep_their_public_key_to_themselves() {
        let pki = kz_testserver::tls::Pki::generate().unwrap();
        let cert = pki.client_certificate("alice", &[]).unwrap();
        let der = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
        let key = KEYS_WITHOUT_PUBLIC_KEY.load_private_key(der).unwrap();
        assert!(key.public_key().is_none());
        let signer = key
            .choose_scheme(&[SignatureScheme::ECDSA_NISTP256_SHA256])
            .unwrap();
        assert!(!signer.sign(b"message").unwrap().is_empty());
    }
}
