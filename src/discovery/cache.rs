//! Discovery on disk: `<cache root>/discovery/<server host_port>/catalog.json`, one file per
//! server, written atomically, trusted for `DISCOVERY_TTL`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::Catalog;

/// Bumped when the file layout changes; older files are ignored.
const FORMAT: u32 = 1;

#[derive(Debug, Clone)]
pub struct DiscoveryCache {
    path: PathBuf,
    server: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    format: u32,
    server: String,
    /// Seconds since the Unix epoch.
    fetched_at: u64,
    catalog: Catalog,
}

impl DiscoveryCache {
    /// The cache for `server_url` under `root` (e.g. `~/.cache/kz`).
    pub fn new(root: &Path, server_url: &str) -> Self {
        let server = server_url.trim_end_matches('/').to_owned();
        DiscoveryCache {
            path: root
                .join("discovery")
                .join(server_dir_name(&server))
                .join("catalog.json"),
            server,
        }
    }

    /// Where the catalog file lives; tests look inside it.
    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached catalog, if there is one for this server that is younger than `max_age`
    /// (any age when `None`). A missing, corrupt or foreign file is simply a miss.
    pub fn read(&self, max_age: Option<Duration>) -> Option<Catalog> {
        let bytes = fs::read(&self.path).ok()?;
        let file: CacheFile = serde_json::from_slice(&bytes).ok()?;
        if file.format != FORMAT || file.server != self.server {
            return None;
        }
        if let Some(max_age) = max_age {
            let age = now_secs().checked_sub(file.fetched_at)?;
            if age > max_age.as_secs() {
                return None;
            }
        }
        Some(file.catalog)
    }

    pub fn write(&self, catalog: &Catalog) -> std::io::Result<()> {
        let file = CacheFile {
            format: FORMAT,
            server: self.server.clone(),
            fetched_at: now_secs(),
            catalog: catalog.clone(),
        };
        let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let temp = dir.join(format!(".catalog.json.{}.tmp", std::process::id()));
        let result = fs::File::create(&temp)
            .and_then(|mut out| out.write_all(&bytes))
            .and_then(|()| fs::rename(&temp, &self.path));
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }
}

/// `https://127.0.0.1:6443` → `127.0.0.1_6443`; a path (`https://rancher/k8s/clusters/c-1`)
/// stays part of the name so proxied clusters do not share a cache.
fn server_dir_name(server: &str) -> String {
    let without_scheme = server.split_once("://").map_or(server, |(_, rest)| rest);
    let name: String = without_scheme
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "_".to_owned()
    } else {
        name
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::tests::fixture_catalog;

    #[test]
    fn directory_names_are_host_and_port() {
        assert_eq!(server_dir_name("https://127.0.0.1:6443"), "127.0.0.1_6443");
        assert_eq!(
            server_dir_name("https://rancher.example/k8s/clusters/c-1"),
            "rancher.example_k8s_clusters_c-1"
        );
        assert_eq!(server_dir_name("https://.."), "_");
    }

    #[test]
    fn round_trip_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiscoveryCache::new(dir.path(), "https://127.0.0.1:6443/");
        assert_eq!(cache.read(None), None);
        cache.write(&fixture_catalog()).unwrap();
        assert!(
            cache
                .path()
                .ends_with("discovery/127.0.0.1_6443/catalog.json")
        );
        assert_eq!(
            cache.read(Some(Duration::from_secs(60))),
            Some(fixture_catalog())
        );

        // Age the file by rewriting its timestamp.
        let mut file: CacheFile = serde_json::from_slice(&fs::read(cache.path()).unwrap()).unwrap();
        file.fetched_at -= 7 * 3600;
        fs::write(cache.path(), serde_json::to_vec(&file).unwrap()).unwrap();
        assert_eq!(cache.read(Some(Duration::from_secs(6 * 3600))), None);
        assert!(cache.read(None).is_some());
    }

    #[test]
    fn corrupt_or_foreign_files_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiscoveryCache::new(dir.path(), "https://a:1");
        fs::create_dir_all(cache.path().parent().unwrap()).unwrap();
        fs::write(cache.path(), b"{not json").unwrap();
        assert_eq!(cache.read(None), None);

        let other = DiscoveryCache::new(dir.path(), "http://a:1");
        other.write(&fixture_catalog()).unwrap();
        // Same directory (scheme is not part of it), different server: not trusted.
        assert_eq!(cache.read(None), None);
    }
}
