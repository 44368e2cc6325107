//! Just enough DER to read the parts of an X.509 certificate and to write a version 1 one:
//! webpki refuses v1 certificates, so the test server handles them itself (see `x509v1`).

pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OBJECT_IDENTIFIER: u8 = 0x06;
pub const UTF8_STRING: u8 = 0x0c;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
/// `[0] EXPLICIT`, which holds a certificate's version (absent in v1 certificates).
pub const VERSION: u8 = 0xa0;

/// One DER element: its tag, its contents, and all of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    pub tag: u8,
    pub contents: &'a [u8],
    pub encoded: &'a [u8],
}

/// Reads the element at the start of `input`; returns it and the bytes after it.
pub fn read(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        // Long form with 1 to 4 length bytes; 0x80 (indefinite length) is not DER.
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            if rest.len() < count {
                return None;
            }
            let (bytes, rest) = rest.split_at(count);
            let len = bytes
                .iter()
                .fold(0usize, |len, byte| (len << 8) | usize::from(*byte));
            (len, rest)
        }
        _ => return None,
    };
    if rest.len() < len {
        return None;
    }
    let header = input.len() - rest.len();
    let (contents, after) = rest.split_at(len);
    let element = Element {
        tag,
        contents,
        encoded: &input[..header + len],
    };
    Some((element, after))
}

/// Reads an element that must have `tag`.
pub fn expect(input: &[u8], tag: u8) -> Option<(Element<'_>, &[u8])> {
    read(input).filter(|(element, _)| element.tag == tag)
}

/// Encodes one element.
pub fn write(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match contents.len() {
        len @ 0..=0x7f => out.push(len as u8),
        len => {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|byte| **byte == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    out.extend_from_slice(contents);
    out
}

/// A `SubjectPublicKeyInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKeyInfo<'a> {
    /// The whole encoding, as rustls' `SubjectPublicKeyInfoDer` holds it.
    pub encoded: &'a [u8],
    /// The contents of its `AlgorithmIdentifier`, as webpki's algorithm ids are written.
    pub algorithm: &'a [u8],
    /// The key itself (the `BIT STRING` without its unused-bits byte).
    pub key: &'a [u8],
}

impl<'a> PublicKeyInfo<'a> {
    pub fn parse(encoded: &'a [u8]) -> Option<PublicKeyInfo<'a>> {
        let (spki, _) = expect(encoded, SEQUENCE)?;
        let (algorithm, rest) = expect(spki.contents, SEQUENCE)?;
        let (key, _) = expect(rest, BIT_STRING)?;
        Some(PublicKeyInfo {
            encoded: spki.encoded,
            algorithm: algorithm.contents,
            key: bit_string_bytes(key.contents)?,
        })
    }
}

/// The parts of an X.509 certificate that checking one by hand needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// 1 or 3 (absent `version` means 1).
    pub version: u8,
    /// The whole `TBSCertificate`: what the issuer signed.
    pub signed: &'a [u8],
    /// The encoded issuer and subject `Name`s.
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
    pub not_before: Element<'a>,
    pub not_after: Element<'a>,
    pub public_key: PublicKeyInfo<'a>,
    /// The contents of the outer `signatureAlgorithm`.
    pub signature_algorithm: &'a [u8],
    pub signature: &'a [u8],
}

impl<'a> Certificate<'a> {
    pub fn parse(der: &'a [u8]) -> Option<Certificate<'a>> {
        let (certificate, _) = expect(der, SEQUENCE)?;
        let (tbs, rest) = expect(certificate.contents, SEQUENCE)?;
        let (algorithm, rest) = expect(rest, SEQUENCE)?;
        let (signature, _) = expect(rest, BIT_STRING)?;

        let mut fields = tbs.contents;
        let mut version = 1;
        if let Some((explicit, rest)) = expect(fields, VERSION) {
            let (number, _) = expect(explicit.contents, INTEGER)?;
            version = number.contents.last()?.checked_add(1)?;
            fields = rest;
        }
        let (_serial, fields) = expect(fields, INTEGER)?;
        let (_signature, fields) = expect(fields, SEQUENCE)?;
        let (issuer, fields) = expect(fields, SEQUENCE)?;
        let (validity, fields) = expect(fields, SEQUENCE)?;
        let (subject, fields) = expect(fields, SEQUENCE)?;
        let (spki, _) = expect(fields, SEQUENCE)?;
        let (not_before, rest) = read(validity.contents)?;
        let (not_after, _) = read(rest)?;
        Some(Certificate {
            version,
            signed: tbs.encoded,
            issuer: issuer.encoded,
            subject: subject.encoded,
            not_before,
            not_after,
            public_key: PublicKeyInfo::parse(spki.encoded)?,
            signature_algorithm: algorithm.contents,
            signature: bit_string_bytes(signature.contents)?,
        })
    }
}

/// A `BIT STRING`'s bytes, which must be whole (no unused bits).
fn bit_string_bytes(contents: &[u8]) -> Option<&[u8]> {
    match contents.split_first() {
        Some((0, bytes)) => Some(bytes),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_in_short_and_long_form() {
        for len in [0, 1, 127, 128, 255, 256, 70_000] {
            let contents = vec![7u8; len];
            let encoded = write(SEQUENCE, &contents);
            let (element, rest) = read(&encoded).expect("readable");
            assert_eq!(element.tag, SEQUENCE);
            assert_eq!(element.contents, contents.as_slice());
            assert_eq!(element.encoded, encoded.as_slice());
            assert!(rest.is_empty());
        }
        assert_eq!(write(INTEGER, &[5]), [INTEGER, 1, 5]);
        assert_eq!(&write(SET, &[0; 200])[..3], [SET, 0x81, 200]);
    }

    #[test]
    fn truncated_and_indefinite_lengths_are_refused() {
        assert_eq!(read(&[SEQUENCE, 3, 1, 2]), None);
        assert_eq!(read(&[SEQUENCE, 0x82, 1]), None);
        assert_eq!(read(&[SEQUENCE, 0x80, 0, 0]), None);
        assert_eq!(expect(&[INTEGER, 1, 5], SEQUENCE), None);
    }

    #[test]
    fn reads_a_v3_certificate() {
        let pki = crate::tls::Pki::generate().expect("pki");
        let cert = pki.client_certificate("alice", &[]).expect("cert");
        let parsed = Certificate::parse(&cert.cert_der).expect("parsed");
        assert_eq!(parsed.version, 3);
        assert_ne!(parsed.issuer, parsed.subject);
        assert_eq!(parsed.not_before.tag, UTC_TIME);
        let key = rcgen::KeyPair::from_pem(&cert.key_pem).expect("key");
        use rcgen::PublicKeyData as _;
        assert_eq!(parsed.public_key.encoded, key.subject_public_key_info());
        assert_eq!(parsed.public_key.key, key.der_bytes());
    }
}
