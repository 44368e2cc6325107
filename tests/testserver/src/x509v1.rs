//! X.509 version 1 client certificates, which hand-made cluster PKI often has (`openssl x509
//! -req` without an extensions file makes them). kube-apiserver accepts them, as Go's
//! crypto/x509 does; webpki refuses every certificate below v3. So the test server issues
//! them itself (rcgen makes only v3) and checks them itself: signed by its CA, within their
//! validity. Certificates of other versions still go through webpki.

use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rcgen::{KeyPair, PublicKeyData as _, SigningKey as _};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls13_signature_with_raw_key};
use rustls::pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

use crate::der::{self, Certificate, PublicKeyInfo};
use crate::tls::CertifiedKey;

/// `ecdsa-with-SHA256` (1.2.840.10045.4.3.2), the algorithm of rcgen's default keys.
const ECDSA_WITH_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
/// `commonName` (2.5.4.3) and `organizationName` (2.5.4.10): user and groups to Kubernetes.
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0a];

/// A v1 client certificate for `user` in `groups`, signed by the CA (`ca_der`, `ca_key`).
pub fn issue(ca_der: &[u8], ca_key: &KeyPair, user: &str, groups: &[&str]) -> Result<CertifiedKey> {
    if ca_key.algorithm() != &rcgen::PKCS_ECDSA_P256_SHA256 {
        bail!("v1 certificates are made for ECDSA P-256 CAs only");
    }
    let ca = Certificate::parse(ca_der).context("reading the CA certificate")?;
    let key = KeyPair::generate()?;

    let algorithm = der::write(
        der::SEQUENCE,
        &der::write(der::OBJECT_IDENTIFIER, ECDSA_WITH_SHA256),
    );
    let mut subject = attribute(COMMON_NAME, user);
    for group in groups {
        subject.extend(attribute(ORGANIZATION, group));
    }
    let now = Timestamp::now();
    let validity = [
        utc_time(now - SignedDuration::from_hours(1))?,
        utc_time(now + SignedDuration::from_hours(24 * 365))?,
    ]
    .concat();
    let mut serial = fastrand::u64(..).to_be_bytes().to_vec();
    serial[0] = serial[0] & 0x7f | 0x01; // positive, and with no leading zero byte to drop
    // No `version` field: absent means v1.
    let tbs = der::write(
        der::SEQUENCE,
        &[
            der::write(der::INTEGER, &serial),
            algorithm.clone(),
            ca.subject.to_vec(),
            der::write(der::SEQUENCE, &validity),
            der::write(der::SEQUENCE, &subject),
            key.subject_public_key_info(),
        ]
        .concat(),
    );
    let signature = ca_key.sign(&tbs).context("signing a v1 certificate")?;
    let cert_der = der::write(
        der::SEQUENCE,
        &[tbs, algorithm, bit_string(&signature)].concat(),
    );
    Ok(CertifiedKey {
        cert_pem: pem("CERTIFICATE", &cert_der),
        key_pem: key.serialize_pem(),
        cert_der,
    })
}

/// One relative distinguished name: `SET { SEQUENCE { type, UTF8String value } }`.
fn attribute(oid: &[u8], value: &str) -> Vec<u8> {
    let pair = [
        der::write(der::OBJECT_IDENTIFIER, oid),
        der::write(der::UTF8_STRING, value.as_bytes()),
    ]
    .concat();
    der::write(der::SET, &der::write(der::SEQUENCE, &pair))
}

fn utc_time(at: Timestamp) -> Result<Vec<u8>> {
    let text = at
        .to_zoned(TimeZone::UTC)
        .strftime("%y%m%d%H%M%SZ")
        .to_string();
    Ok(der::write(der::UTC_TIME, text.as_bytes()))
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    der::write(der::BIT_STRING, &[&[0u8][..], bytes].concat())
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The server's client certificate verifier: webpki's for v3 certificates, its own for v1.
#[derive(Debug)]
pub struct ClientVerifier {
    webpki: Arc<dyn ClientCertVerifier>,
    ca_subject: Vec<u8>,
    ca_public_key: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientVerifier {
    pub fn new(
        webpki: Arc<dyn ClientCertVerifier>,
        ca_der: &[u8],
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Result<ClientVerifier> {
        let ca = Certificate::parse(ca_der).context("reading the CA certificate")?;
        Ok(ClientVerifier {
            webpki,
            ca_subject: ca.subject.to_vec(),
            ca_public_key: ca.public_key.encoded.to_vec(),
            algorithms,
        })
    }

    fn verify_v1(&self, cert: &Certificate<'_>, now: UnixTime) -> Result<(), Error> {
        if cert.issuer != self.ca_subject.as_slice() {
            return Err(CertificateError::UnknownIssuer.into());
        }
        let ca_key =
            PublicKeyInfo::parse(&self.ca_public_key).ok_or(CertificateError::BadEncoding)?;
        let algorithms = self
            .algorithms
            .all
            .iter()
            .filter(|alg| alg.signature_alg_id().as_ref() == cert.signature_algorithm);
        if !verifies(algorithms, &ca_key, cert.signed, cert.signature) {
            return Err(CertificateError::BadSignature.into());
        }
        let now = i64::try_from(now.as_secs()).map_err(|_| CertificateError::BadEncoding)?;
        let not_before = seconds(&cert.not_before).ok_or(CertificateError::BadEncoding)?;
        let not_after = seconds(&cert.not_after).ok_or(CertificateError::BadEncoding)?;
        if now < not_before {
            return Err(CertificateError::NotValidYet.into());
        }
        if now > not_after {
            return Err(CertificateError::Expired.into());
        }
        Ok(())
    }
}

/// Whether one of `algorithms` that fits `key` verifies `signature` over `message`.
fn verifies<'a>(
    algorithms: impl Iterator<Item = &'a &'static dyn SignatureVerificationAlgorithm>,
    key: &PublicKeyInfo<'_>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    algorithms
        .filter(|alg| alg.public_key_alg_id().as_ref() == key.algorithm)
        .any(|alg| alg.verify_signature(key.key, message, signature).is_ok())
}

/// Seconds since the epoch of a `UTCTime` (years 1950–2049) or `GeneralizedTime`.
fn seconds(time: &der::Element<'_>) -> Option<i64> {
    let text = std::str::from_utf8(time.contents).ok()?.strip_suffix('Z')?;
    let (year, rest) = match time.tag {
        der::UTC_TIME => {
            let year: i16 = text.get(..2)?.parse().ok()?;
            (
                if year < 50 { 2000 + year } else { 1900 + year },
                &text[2..],
            )
        }
        der::GENERALIZED_TIME => (text.get(..4)?.parse().ok()?, &text[4..]),
        _ => return None,
    };
    let field = |at: usize| rest.get(at..at + 2)?.parse::<i8>().ok();
    if rest.len() != 10 {
        return None;
    }
    let at = DateTime::new(
        year,
        field(0)?,
        field(2)?,
        field(4)?,
        field(6)?,
        field(8)?,
        0,
    )
    .ok()?;
    Some(at.to_zoned(TimeZone::UTC).ok()?.timestamp().as_second())
}

/// The certificate when it is a v1 one.
fn v1<'a>(cert: &'a CertificateDer<'_>) -> Option<Certificate<'a>> {
    Certificate::parse(cert.as_ref()).filter(|parsed| parsed.version == 1)
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        self.webpki.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.webpki.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.webpki.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        match v1(end_entity) {
            Some(cert) => self
                .verify_v1(&cert, now)
                .map(|()| ClientCertVerified::assertion()),
            None => self
                .webpki
                .verify_client_cert(end_entity, intermediates, now),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let Some(parsed) = v1(cert) else {
            return self.webpki.verify_tls12_signature(message, cert, dss);
        };
        let algorithms = self
            .algorithms
            .mapping
            .iter()
            .filter(|(scheme, _)| *scheme == dss.scheme)
            .flat_map(|(_, algorithms)| algorithms.iter());
        if verifies(algorithms, &parsed.public_key, message, dss.signature()) {
            Ok(HandshakeSignatureValid::assertion())
        } else {
            Err(Error::InvalidCertificate(CertificateError::BadSignature))
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        match v1(cert) {
            Some(parsed) => verify_tls13_signature_with_raw_key(
                message,
                &parsed.public_key.encoded.into(),
                dss,
                &self.algorithms,
            ),
            None => self.webpki.verify_tls13_signature(message, cert, dss),
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::Pki;

    fn now() -> UnixTime {
        UnixTime::now()
    }

    #[test]
    fn issued_certificates_are_v1_with_the_user_and_groups() {
        let pki = Pki::generate().expect("pki");
        let cert = pki
            .client_certificate_v1("alice", &["devs", "ops"])
            .expect("v1 certificate");
        let parsed = Certificate::parse(&cert.cert_der).expect("parsed");
        assert_eq!(parsed.version, 1);
        let expected_subject = der::write(
            der::SEQUENCE,
            &[
                attribute(COMMON_NAME, "alice"),
                attribute(ORGANIZATION, "devs"),
                attribute(ORGANIZATION, "ops"),
            ]
            .concat(),
        );
        assert_eq!(parsed.subject, expected_subject.as_slice());
        assert!(cert.cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        // webpki indeed refuses it: this is what the verifier is for.
        assert!(
            rustls::server::ParsedCertificate::try_from(&CertificateDer::from(cert.cert_der))
                .is_err()
        );
    }

    #[test]
    fn v1_certificates_from_the_ca_pass_and_others_fail() {
        let pki = Pki::generate().expect("pki");
        let verifier = pki.client_verifier().expect("verifier");
        let ours = pki.client_certificate_v1("alice", &[]).expect("ours");
        let ours = CertificateDer::from(ours.cert_der);
        assert!(verifier.verify_client_cert(&ours, &[], now()).is_ok());

        // Another test server's CA has the same name, but not the same key.
        let other = Pki::generate().expect("other pki");
        let theirs = other.client_certificate_v1("alice", &[]).expect("theirs");
        let err = verifier
            .verify_client_cert(&CertificateDer::from(theirs.cert_der), &[], now())
            .unwrap_err();
        assert_eq!(
            err,
            Error::InvalidCertificate(CertificateError::BadSignature)
        );

        let mut forged = ours.to_vec();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        let err = verifier
            .verify_client_cert(&CertificateDer::from(forged), &[], now())
            .unwrap_err();
        assert_eq!(
            err,
            Error::InvalidCertificate(CertificateError::BadSignature)
        );

        let next_year = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            now().as_secs() + 2 * 365 * 24 * 3600,
        ));
        let err = verifier
            .verify_client_cert(&ours, &[], next_year)
            .unwrap_err();
        assert_eq!(err, Error::InvalidCertificate(CertificateError::Expired));
    }

    #[test]
    fn v3_certificates_still_go_through_webpki() {
        let pki = Pki::generate().expect("pki");
        let verifier = pki.client_verifier().expect("verifier");
        let ours = pki.client_certificate("bob", &[]).expect("v3");
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(ours.cert_der), &[], now())
                .is_ok()
        );
        let other = Pki::generate().expect("other pki");
        let theirs = other.client_certificate("bob", &[]).expect("v3");
        assert!(
            verifier
                .verify_client_cert(&CertificateDer::from(theirs.cert_der), &[], now())
                .is_err()
        );
    }

    #[test]
    fn times_read_both_encodings() {
        let utc = der::write(der::UTC_TIME, b"491231235959Z");
        let (utc, _) = der::read(&utc).expect("element");
        assert_eq!(seconds(&utc), Some(2_524_607_999));
        let old = der::write(der::UTC_TIME, b"700101000000Z");
        let (old, _) = der::read(&old).expect("element");
        assert_eq!(seconds(&old), Some(0));
        let general = der::write(der::GENERALIZED_TIME, b"20491231235959Z");
        let (general, _) = der::read(&general).expect("element");
        assert_eq!(seconds(&general), Some(2_524_607_999));
        let local = der::write(der::UTC_TIME, b"4912312359");
        assert_eq!(seconds(&der::read(&local).expect("element").0), None);
    }
}
