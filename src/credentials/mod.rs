//! Bearer tokens that kz fetches itself, because they change while a command runs: those of
//! exec credential plugins and of token files. (Static tokens, basic auth, client certificates
//! and auth providers stay with kube.)
//!
//! - An exec plugin's token is used until its `expirationTimestamp` (for ever without one),
//!   then the plugin runs again; a token file is reread at least once a minute, as client-go
//!   does, and a file that cannot be read keeps the token last read.
//! - After a 401 the credential is fetched again; when it changed, the client sends the
//!   rejected request once more (a 401 means the server did nothing with it).
//! - Nothing here prints a token, and errors name the user or the file, not what was read.

mod exec;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use http::HeaderValue;
use secrecy::{ExposeSecret as _, SecretString};

pub use exec::{ClusterInfo, ExecPlugin, Interactive};

/// How often a token file is reread, like client-go's cached file token source.
const TOKEN_FILE_PERIOD: Duration = Duration::from_secs(60);

/// Where a user's bearer token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    Exec(ExecPlugin),
    File(PathBuf),
}

/// A client certificate and key an exec plugin issued (PEM), for the TLS set-up.
pub struct IssuedCertificate {
    pub certificate_pem: String,
    pub key_pem: SecretString,
}

/// A user's current bearer token, fetched again when it expires or is refused. Cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    /// The user, as messages name it.
    user: String,
    source: TokenSource,
    stdin_is_terminal: bool,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    token: SecretString,
    fresh_until: Option<jiff::Timestamp>,
    /// A credential just fetched is sent once even if it has expired already, as client-go
    /// does; it is fetched again for the next request.
    used: bool,
}

impl Credentials {
    /// Fetches the user's first credential now (blocking), as kubectl does before its first
    /// request. A plugin may issue a client certificate instead of, or with, a token: it is
    /// returned for the TLS set-up. `None` comes back when there is no token to send.
    pub fn fetch_first(
        user: &str,
        source: TokenSource,
        stdin_is_terminal: bool,
    ) -> Result<(Option<Credentials>, Option<IssuedCertificate>)> {
        let inner = Inner {
            user: user.to_owned(),
            source,
            stdin_is_terminal,
            cached: tokio::sync::Mutex::new(None),
        };
        let fetched = inner.fetch(None)?;
        let credentials = fetched.cached.map(|cached| {
            let mut inner = inner;
            *inner.cached.get_mut() = Some(cached);
            Credentials {
                inner: Arc::new(inner),
            }
        });
        Ok((credentials, fetched.certificate))
    }

    /// The `Authorization` header to send now, fetching a fresh token when the one at hand
    /// has expired.
    pub async fn header(&self) -> Result<HeaderValue> {
        let mut cached = self.inner.cached.lock().await;
        let now = jiff::Timestamp::now();
        let current = cached
            .as_mut()
            .filter(|cached| !cached.used || cached.fresh_until.is_none_or(|until| now < until));
        if let Some(current) = current {
            current.used = true;
            return bearer(&current.token);
        }
        let mut refreshed = self.refresh(cached.take()).await?;
        refreshed.used = true;
        let header = bearer(&refreshed.token)?;
        *cached = Some(refreshed);
        Ok(header)
    }

    /// After a 401 for a request sent with `rejected`: fetches the credential again (unless
    /// another request did already) and says whether there is a different one to try.
    pub async fn renew(&self, rejected: &HeaderValue) -> Result<bool> {
        let mut cached = self.inner.cached.lock().await;
        let was_used = cached
            .as_ref()
            .is_some_and(|cached| bearer(&cached.token).ok().as_ref() == Some(rejected));
        if was_used {
            let refreshed = self.refresh(cached.take()).await?;
            *cached = Some(refreshed);
        }
        Ok(cached
            .as_ref()
            .is_some_and(|cached| bearer(&cached.token).ok().as_ref() != Some(rejected)))
    }

    async fn refresh(&self, previous: Option<Cached>) -> Result<Cached> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.fetch(previous))
            .await
            .context("getting credentials")??
            .cached
            .ok_or_else(|| {
                anyhow!(
                    "getting credentials for user \"{}\": the plugin issued no token",
                    self.inner.user
                )
            })
    }
}

impl Inner {
    /// Runs the plugin or reads the file (blocking).
    fn fetch(&self, previous: Option<Cached>) -> Result<Fetched> {
        let user = &self.user;
        match &self.source {
            TokenSource::Exec(plugin) => {
                let issued = plugin
                    .run(self.stdin_is_terminal)
                    .with_context(|| format!("getting credentials for user \"{user}\""))?;
                Ok(Fetched {
                    cached: issued.token.map(|token| Cached {
                        token,
                        fresh_until: issued.expires,
                        used: false,
                    }),
                    certificate: issued.certificate.map(|(certificate_pem, key_pem)| {
                        IssuedCertificate {
                            certificate_pem,
                            key_pem,
                        }
                    }),
                })
            }
            TokenSource::File(path) => {
                let fresh_until = Some(jiff::Timestamp::now() + TOKEN_FILE_PERIOD);
                let token = match read_token_file(path) {
                    Ok(token) => token,
                    // client-go keeps the token last read: a file may be removed once read.
                    Err(_) if previous.is_some() => {
                        return Ok(Fetched {
                            cached: previous.map(|old| Cached { fresh_until, ..old }),
                            certificate: None,
                        });
                    }
                    Err(err) => {
                        return Err(
                            err.context(format!("reading the token file of user \"{user}\""))
                        );
                    }
                };
                Ok(Fetched {
                    cached: Some(Cached {
                        token,
                        fresh_until,
                        used: false,
                    }),
                    certificate: None,
                })
            }
        }
    }
}

struct Fetched {
    cached: Option<Cached>,
    certificate: Option<IssuedCertificate>,
}

fn read_token_file(path: &PathBuf) -> Result<SecretString> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| anyhow!("{}: {}", path.display(), crate::error::io_message(&err)))?;
    let token = text.trim();
    if token.is_empty() {
        bail!("{} is empty", path.display());
    }
    Ok(SecretString::from(token.to_owned()))
}

fn bearer(token: &SecretString) -> Result<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
        .map_err(|_| anyhow!("the bearer token has characters a header cannot carry"))?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_token_file_is_reread_after_a_401_and_kept_when_it_vanishes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "first\n").unwrap();
        let source = TokenSource::File(path.clone());
        let (credentials, certificate) = Credentials::fetch_first("u", source, false).unwrap();
        assert!(certificate.is_none());
        let credentials = credentials.unwrap();
        runtime().block_on(async {
            let first = credentials.header().await.unwrap();
            assert_eq!(first, "Bearer first");
            assert!(first.is_sensitive());
            // Unchanged file: nothing new to try.
            assert!(!credentials.renew(&first).await.unwrap());
            std::fs::write(&path, "second").unwrap();
            assert_eq!(credentials.header().await.unwrap(), "Bearer first");
            assert!(credentials.renew(&first).await.unwrap());
            assert_eq!(credentials.header().await.unwrap(), "Bearer second");
            std::fs::remove_file(&path).unwrap();
            let second = credentials.header().await.unwrap();
            assert!(!credentials.renew(&second).await.unwrap());
            assert_eq!(credentials.header().await.unwrap(), "Bearer second");
        });
    }

    #[test]
    fn a_missing_token_file_names_the_user_and_file() {
        let source = TokenSource::File("/nonexistent/token".into());
        let error = Credentials::fetch_first("alice", source, false)
            .err()
            .unwrap();
        assert_eq!(
            format!("{error:#}"),
            "reading the token file of user \"alice\": /nonexistent/token: no such file or directory"
        );
    }
}
