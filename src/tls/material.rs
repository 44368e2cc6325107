//! The kubeconfig's TLS files and data: the cluster's CA bundle and the user's client
//! certificate and key. kz reads and checks them itself, so that every problem is one line
//! naming the field and file at fault, then hands kube the PEM blocks it checked, inline
//! (`*-data`), so kube reads no file again.

use std::fmt;
use std::fs;
use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kube::config::{AuthInfo, Cluster};
use rustls::pki_types::pem::{self, PemObject as _};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::SigningKey;
use secrecy::{ExposeSecret as _, SecretString};

use super::{der, provider};

/// A kubeconfig setting that is either inline (`*-data`, base64) or a file.
struct Setting {
    data: &'static str,
    file: &'static str,
}

const CERTIFICATE_AUTHORITY: Setting = Setting {
    data: "certificate-authority-data",
    file: "certificate-authority",
};
const CLIENT_CERTIFICATE: Setting = Setting {
    data: "client-certificate-data",
    file: "client-certificate",
};
const CLIENT_KEY: Setting = Setting {
    data: "client-key-data",
    file: "client-key",
};

/// Where one piece of TLS material comes from: the `*-data` field wins over the file, and an
/// empty value counts as unset, as with kubectl.
enum Source<'a> {
    Data {
        field: &'static str,
        base64: &'a str,
    },
    File {
        field: &'static str,
        path: &'a str,
    },
}

impl<'a> Source<'a> {
    fn pick(setting: Setting, data: Option<&'a str>, file: Option<&'a str>) -> Option<Self> {
        if let Some(base64) = data.filter(|value| !value.is_empty()) {
            return Some(Source::Data {
                field: setting.data,
                base64,
            });
        }
        file.filter(|path| !path.is_empty())
            .map(|path| Source::File {
                field: setting.file,
                path,
            })
    }

    /// The bytes; `owner` (` for user "u"`) completes the error messages.
    fn read(&self, owner: &str) -> Result<Vec<u8>> {
        match self {
            Source::Data { field, base64 } => {
                // Like Go's decoder, which the kubeconfig's data fields go through, skip
                // line breaks.
                let text: String = base64
                    .chars()
                    .filter(|c| !matches!(c, '\r' | '\n'))
                    .collect();
                STANDARD
                    .decode(text)
                    .with_context(|| format!("{field}{owner} is not base64"))
            }
            Source::File { field, path } => {
                fs::read(path).with_context(|| format!("reading {field} {path}{owner}"))
            }
        }
    }
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Data { field, .. } => f.write_str(field),
            Source::File { field, path } => write!(f, "{field} {path}"),
        }
    }
}

/// ` for cluster "name"`, or nothing when the flags alone define it.
fn owner(kind: &str, name: Option<&str>) -> String {
    name.map(|name| format!(" for {kind} \"{name}\""))
        .unwrap_or_default()
}

/// Reads and checks the cluster's CA bundle and leaves it inline in
/// `certificate-authority-data`.
pub fn inline_cluster(cluster: &mut Cluster, name: Option<&str>) -> Result<()> {
    let owner = owner("cluster", name);
    let Some(source) = Source::pick(
        CERTIFICATE_AUTHORITY,
        cluster.certificate_authority_data.as_deref(),
        cluster.certificate_authority.as_deref(),
    ) else {
        return Ok(());
    };
    let bundle = source.read(&owner)?;
    let certificates = certificates(&bundle)
        .map_err(|err| anyhow!("{source}{owner} is not valid PEM: {}", pem_problem(&err)))?;
    if certificates.is_empty() {
        bail!("{source}{owner} has no certificates in it: no -----BEGIN CERTIFICATE----- block");
    }
    let mut roots = rustls::RootCertStore::empty();
    for certificate in &certificates {
        roots
            .add(certificate.clone())
            .map_err(|err| anyhow!("{source}{owner} has a certificate kz cannot use: {err}"))?;
    }
    // kube gets only the blocks checked here.
    let bundle: String = certificates
        .iter()
        .map(|cert| pem_block("CERTIFICATE", cert))
        .collect();
    cluster.certificate_authority_data = Some(STANDARD.encode(bundle));
    cluster.certificate_authority = None;
    Ok(())
}

/// Reads and checks the user's client certificate and key, and leaves them inline in
/// `client-certificate-data` and `client-key-data`. Whether the server trusts the
/// certificate is the server's to say; that the key is the certificate's is checked here.
pub fn inline_user(user: &mut AuthInfo, name: Option<&str>) -> Result<()> {
    let owner = owner("user", name);
    let certificate = Source::pick(
        CLIENT_CERTIFICATE,
        user.client_certificate_data.as_deref(),
        user.client_certificate.as_deref(),
    );
    let key_data = user.client_key_data.as_ref().map(|key| key.expose_secret());
    let key = Source::pick(CLIENT_KEY, key_data, user.client_key.as_deref());
    let (certificate, key) = match (certificate, key) {
        (None, None) => return Ok(()),
        (Some(certificate), None) => {
            bail!("{certificate}{owner} has no client-key or client-key-data to go with it")
        }
        (None, Some(key)) => {
            bail!("{key}{owner} has no client-certificate or client-certificate-data to go with it")
        }
        (Some(certificate), Some(key)) => (certificate, key),
    };

    let chain = read_chain(&certificate, &owner)?;
    let (key_der, signing_key) = read_key(&key, &owner)?;
    let leaf_key = chain
        .first()
        .and_then(|leaf| der::subject_public_key_info(leaf))
        .ok_or_else(|| anyhow!("{certificate}{owner} is not an X.509 certificate"))?;
    if signing_key
        .public_key()
        .is_some_and(|public| public.as_ref() != leaf_key)
    {
        bail!("{key}{owner} is not the key of {certificate}");
    }

    // kube gets only the blocks checked here, as Go's tls.X509KeyPair uses only them (and
    // kube would refuse a `PUBLIC KEY` block next to the certificate, for one).
    let chain_pem: String = chain
        .iter()
        .map(|cert| pem_block("CERTIFICATE", cert))
        .collect();
    let key_label = match &key_der {
        PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
        PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    };
    let key_pem = pem_block(key_label, key_der.secret_der());
    user.client_certificate_data = Some(STANDARD.encode(chain_pem));
    user.client_certificate = None;
    user.client_key_data = Some(SecretString::from(STANDARD.encode(key_pem)));
    user.client_key = None;
    Ok(())
}

/// The certificates of a client certificate file or data; at least one.
fn read_chain(source: &Source<'_>, owner: &str) -> Result<Vec<CertificateDer<'static>>> {
    let text = source.read(owner)?;
    let chain = certificates(&text)
        .map_err(|err| anyhow!("{source}{owner} is not valid PEM: {}", pem_problem(&err)))?;
    if chain.is_empty() {
        bail!(
            "{source}{owner} is not a PEM certificate: it has no -----BEGIN CERTIFICATE----- block"
        );
    }
    Ok(chain)
}

/// The private key of a client key file or data, and that key loaded for signing.
fn read_key(
    source: &Source<'_>,
    owner: &str,
) -> Result<(PrivateKeyDer<'static>, Arc<dyn SigningKey>)> {
    let text = source.read(owner)?;
    let der = match PrivateKeyDer::from_pem_slice(&text) {
        Ok(der) => der,
        Err(pem::Error::NoItemsFound) => bail!(
            "{source}{owner} is not a PEM private key: it has no -----BEGIN PRIVATE KEY----- block"
        ),
        Err(err) => bail!("{source}{owner} is not valid PEM: {}", pem_problem(&err)),
    };
    let signing_key = provider::load_private_key(der.clone_key()).map_err(|err| {
        let reason = match err {
            rustls::Error::General(reason) => reason,
            other => other.to_string(),
        };
        anyhow!("{source}{owner} is not a usable private key: {reason}")
    })?;
    Ok((der, signing_key))
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let base64 = STANDARD.encode(der);
    let lines: Vec<&str> = base64
        .as_bytes()
        .chunks(64)
        .filter_map(|line| std::str::from_utf8(line).ok())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A PEM syntax error in words (rustls' own messages print the lines as byte lists).
fn pem_problem(err: &pem::Error) -> String {
    match err {
        pem::Error::MissingSectionEnd { end_marker } => format!(
            "no \"-----END {}-----\" line",
            String::from_utf8_lossy(end_marker)
        ),
        pem::Error::IllegalSectionStart { line } => {
            format!("bad line \"{}\"", String::from_utf8_lossy(line))
        }
        other => other.to_string(),
    }
}

/// The `CERTIFICATE` blocks of a PEM text (other blocks are skipped).
fn certificates(text: &[u8]) -> Result<Vec<CertificateDer<'static>>, pem::Error> {
    CertificateDer::pem_slice_iter(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kz_testserver::tls::{CertifiedKey, Pki};

    fn user_with(cert: &CertifiedKey, key_pem: &str) -> AuthInfo {
        AuthInfo {
            client_certificate_data: Some(STANDARD.encode(&cert.cert_pem)),
            client_key_data: Some(SecretString::from(STANDARD.encode(key_pem))),
            ..AuthInfo::default()
        }
    }

    #[test]
    fn files_are_read_and_inlined() {
        let pki = Pki::generate().unwrap();
        let cert = pki.client_certificate_v1("alice", &[]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        fs::write(path("ca.crt"), pki.ca_pem()).unwrap();
        fs::write(path("c.crt"), &cert.cert_pem).unwrap();
        fs::write(path("c.key"), &cert.key_pem).unwrap();

        let mut cluster = Cluster {
            certificate_authority: Some(path("ca.crt")),
            ..Cluster::default()
        };
        inline_cluster(&mut cluster, Some("k")).unwrap();
        assert_eq!(cluster.certificate_authority, None);
        assert_eq!(
            cluster.certificate_authority_data,
            Some(STANDARD.encode(pki.ca_pem()))
        );

        let mut user = AuthInfo {
            client_certificate: Some(path("c.crt")),
            client_key: Some(path("c.key")),
            ..AuthInfo::default()
        };
        inline_user(&mut user, Some("alice")).unwrap();
        assert_eq!((user.client_certificate, user.client_key), (None, None));
        assert_eq!(
            user.client_certificate_data,
            Some(STANDARD.encode(&cert.cert_pem))
        );
        let key = user.client_key_data.unwrap();
        assert_eq!(key.expose_secret(), STANDARD.encode(&cert.key_pem));
    }

    #[test]
    fn data_wins_over_files_and_may_have_line_breaks() {
        let pki = Pki::generate().unwrap();
        let encoded = STANDARD.encode(pki.ca_pem());
        let wrapped = encoded
            .as_bytes()
            .chunks(76)
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect::<Vec<_>>()
            .join("\n");
        let mut cluster = Cluster {
            certificate_authority_data: Some(wrapped),
            certificate_authority: Some("/nonexistent/ca.crt".into()),
            ..Cluster::default()
        };
        inline_cluster(&mut cluster, None).unwrap();
        assert_eq!(cluster.certificate_authority_data, Some(encoded));
    }

    #[test]
    fn the_key_must_be_the_certificates() {
        let pki = Pki::generate().unwrap();
        let alice = pki.client_certificate_v1("alice", &[]).unwrap();
        let bob = pki.client_certificate("bob", &[]).unwrap();
        assert!(inline_user(&mut user_with(&alice, &alice.key_pem), None).is_ok());
        assert!(inline_user(&mut user_with(&bob, &bob.key_pem), None).is_ok());
        let err = inline_user(&mut user_with(&alice, &bob.key_pem), Some("alice")).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"client-key-data for user "alice" is not the key of client-certificate-data"#
        );
    }

    #[test]
    fn only_the_certificate_and_key_blocks_reach_kube() {
        let pki = Pki::generate().unwrap();
        let cert = pki.client_certificate("alice", &[]).unwrap();
        let public_key = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        let parameters =
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        let mut user = AuthInfo {
            client_certificate_data: Some(
                STANDARD.encode(format!("{public_key}{}", cert.cert_pem)),
            ),
            client_key_data: Some(SecretString::from(
                STANDARD.encode(format!("{parameters}{}", cert.key_pem)),
            )),
            ..AuthInfo::default()
        };
        inline_user(&mut user, None).unwrap();
        assert_eq!(
            user.client_certificate_data,
            Some(STANDARD.encode(&cert.cert_pem))
        );
        let key = user.client_key_data.unwrap();
        assert_eq!(key.expose_secret(), STANDARD.encode(&cert.key_pem));
    }

    #[test]
    fn pem_syntax_errors_are_in_words() {
        let mut cluster = Cluster {
            certificate_authority_data: Some(
                STANDARD.encode("-----BEGIN CERTIFICATE-----\nAAAA\n"),
            ),
            ..Cluster::default()
        };
        let err = inline_cluster(&mut cluster, Some("k")).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"certificate-authority-data for cluster "k" is not valid PEM: no "-----END CERTIFICATE-----" line"#
        );
    }

    #[test]
    fn nothing_to_do_without_material() {
        let mut cluster = Cluster::default();
        inline_cluster(&mut cluster, Some("k")).unwrap();
        assert_eq!(cluster.certificate_authority_data, None);
        let mut user = AuthInfo {
            client_key_data: Some(SecretString::from(String::new())),
            ..AuthInfo::default()
        };
        inline_user(&mut user, Some("u")).unwrap();
    }
}
