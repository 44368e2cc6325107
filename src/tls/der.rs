//! Just enough DER to find the public key in an X.509 certificate of any version (webpki,
//! which rustls uses for that, refuses every certificate below v3).

/// The element at the start of `input` when it has `tag`: its whole encoding, its contents,
/// and the bytes after it.
fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8], &[u8])> {
    let (&found, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        // Long form with 1 to 4 length bytes; 0x80 (indefinite length) is not DER.
        0x81..=0x84 => {
            let (bytes, rest) = rest.split_at_checked(usize::from(first & 0x7f))?;
            let len = bytes
                .iter()
                .fold(0usize, |len, byte| (len << 8) | usize::from(*byte));
            (len, rest)
        }
        _ => return None,
    };
    if found != tag {
        return None;
    }
    let (contents, after) = rest.split_at_checked(len)?;
    let header = input.len() - rest.len();
    Some((&input[..header + len], contents, after))
}

const INTEGER: u8 = 0x02;
const SEQUENCE: u8 = 0x30;
/// `[0] EXPLICIT Version`, absent in v1 certificates.
const VERSION: u8 = 0xa0;

/// The encoded `SubjectPublicKeyInfo` of a DER certificate, the form rustls' signing keys
/// give their public key in; `None` when `cert` is not an X.509 certificate.
pub fn subject_public_key_info(cert: &[u8]) -> Option<&[u8]> {
    let (_, certificate, _) = element(cert, SEQUENCE)?;
    let (_, tbs, _) = element(certificate, SEQUENCE)?;
    let fields = match element(tbs, VERSION) {
        Some((_, _, rest)) => rest,
        None => tbs,
    };
    let (_, _, fields) = element(fields, INTEGER)?; // serialNumber
    let (_, _, fields) = element(fields, SEQUENCE)?; // signature
    let (_, _, fields) = element(fields, SEQUENCE)?; // issuer
    let (_, _, fields) = element(fields, SEQUENCE)?; // validity
    let (_, _, fields) = element(fields, SEQUENCE)?; // subject
    let (spki, _, _) = element(fields, SEQUENCE)?;
    Some(spki)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject as _;

    #[test]
    fn elements_in_short_and_long_form() {
        assert_eq!(
            element(&[SEQUENCE, 1, 7, 9], SEQUENCE),
            Some((&[SEQUENCE, 1, 7][..], &[7][..], &[9][..]))
        );
        let mut long = vec![SEQUENCE, 0x82, 1, 0];
        long.extend([0; 256]);
        let (whole, contents, rest) = element(&long, SEQUENCE).unwrap();
        assert_eq!((whole.len(), contents.len(), rest.len()), (260, 256, 0));
        assert_eq!(element(&[SEQUENCE, 3, 1], SEQUENCE), None);
        assert_eq!(element(&[SEQUENCE, 0x80, 0, 0], SEQUENCE), None);
        assert_eq!(element(&[INTEGER, 1, 1], SEQUENCE), None);
    }

    #[test]
    fn finds_the_key_in_v3_and_v1_certificates() {
        let pki = kz_testserver::tls::Pki::generate().unwrap();
        for cert in [
            pki.client_certificate("alice", &["devs"]).unwrap(),
            pki.client_certificate_v1("alice", &["devs"]).unwrap(),
        ] {
            let key =
                rustls::pki_types::PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap();
            let key = super::super::provider::load_private_key(key).unwrap();
            assert_eq!(
                subject_public_key_info(&cert.cert_der),
                Some(key.public_key().unwrap().as_ref())
            );
        }
        assert_eq!(subject_public_key_info(b"not DER"), None);
    }
}
