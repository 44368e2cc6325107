//! Where `-f` arguments point: standard input (`-`), URLs, files, directories and globs,
//! expanded the way kubectl's builder does (`FilenameParam`, `ExpandPathsToFileVisitors`).
//!
//! - A path that does not exist is tried as a glob (`manifests/*.yaml`); no match is kubectl's
//!   `the path "…" does not exist`.
//! - A file given by name is read whatever its extension; in a directory only `.json`, `.yaml`
//!   and `.yml` files are, in byte order of their names, subdirectories too with `-R`.
//! - Like Go's `filepath.Walk`, the walk never follows a symbolic link to a directory, so a link
//!   back to an ancestor cannot loop. A link with a manifest's extension is read as a file (a
//!   link to a directory then fails to read, in its place, as in kubectl). Unlike kubectl, a
//!   symbolic link given as the `-f` argument itself is followed: kubectl treats it as a file
//!   and fails with "is a directory".

use std::path::{Component, Path, PathBuf};

use anyhow::{Result, anyhow};

use super::glob;

/// The extensions kubectl reads in directories (`resource.FileExtensions`).
pub const FILE_EXTENSIONS: [&str; 3] = [".json", ".yaml", ".yml"];

/// One place objects are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    /// An `http://` or `https://` URL.
    Url(String),
    File(PathBuf),
}

impl Source {
    /// How messages name the source: `STDIN`, the URL, or the path as kubectl spells it.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "STDIN".to_owned(),
            Source::Url(url) => url.clone(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// What one `-f` argument is, before the file system is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filename {
    Stdin,
    Url(String),
    Path(PathBuf),
}

impl Filename {
    /// Sorts a `-f` argument; a URL that does not parse is kubectl's error.
    pub fn parse(arg: &Path) -> Result<Filename> {
        if arg == Path::new("-") {
            return Ok(Filename::Stdin);
        }
        let text = arg.to_string_lossy();
        if text.starts_with("http://") || text.starts_with("https://") {
            return match text.parse::<http::Uri>() {
                Ok(_) => Ok(Filename::Url(text.into_owned())),
                Err(err) => Err(anyhow!(
                    "the URL passed to filename {text:?} is not valid: parse {text:?}: {err}"
                )),
            };
        }
        Ok(Filename::Path(arg.to_path_buf()))
    }
}

/// The sources of every `-f` argument, in order. Problems with the arguments themselves
/// (missing paths, bad patterns, unreadable directories, directories without manifests) are
/// all collected, the way kubectl reports its builder's errors together.
pub fn expand(filenames: &[Filename], recursive: bool) -> Result<Vec<Source>, Vec<anyhow::Error>> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for filename in filenames {
        match filename {
            Filename::Stdin => sources.push(Source::Stdin),
            Filename::Url(url) => sources.push(Source::Url(url.clone())),
            Filename::Path(path) => {
                let matches = match expand_pattern(path) {
                    Ok(matches) => matches,
                    Err(err) => {
                        errors.push(err);
                        continue;
                    }
                };
                for path in &matches {
                    // A glob can match a dangling link, which is not there to be read.
                    if std::fs::metadata(path).is_err() {
                        errors.push(not_found(path));
                        continue;
                    }
                    match walk(path, recursive) {
                        Ok(files) => sources.extend(files.into_iter().map(Source::File)),
                        Err(err) => errors.push(err),
                    }
                }
                if sources.is_empty() && errors.is_empty() {
                    let listed: Vec<String> =
                        matches.iter().map(|p| p.display().to_string()).collect();
                    errors.push(anyhow!(
                        "error reading [{}]: recognized file extensions are [{}]",
                        listed.join(" "),
                        FILE_EXTENSIONS.join(" ")
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(errors)
    }
}

/// The path itself when it exists, else what it matches as a glob.
fn expand_pattern(path: &Path) -> Result<Vec<PathBuf>> {
    if std::fs::metadata(path).is_ok() {
        return Ok(vec![path.to_path_buf()]);
    }
    let Some(pattern) = path.to_str() else {
        return Err(not_found(path));
    };
    match glob::glob(pattern) {
        Ok(matches) if matches.is_empty() => Err(not_found(path)),
        Ok(matches) => Ok(matches),
        Err(err) => Err(anyhow!("pattern {pattern:?} is not valid: {err}")),
    }
}

fn not_found(path: &Path) -> anyhow::Error {
    anyhow!("the path {:?} does not exist", path.display().to_string())
}

/// The files under `root` to read: `root` itself when it is not a directory, else its
/// manifests (and, with `recursive`, its subdirectories' manifests) in byte order of names.
fn walk(root: &Path, recursive: bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if std::fs::metadata(root).is_ok_and(|m| m.is_dir()) {
        walk_dir(root, root, recursive, &mut files)?;
    } else {
        files.push(root.to_path_buf());
    }
    Ok(files)
}

fn walk_dir(root: &Path, dir: &Path, recursive: bool, files: &mut Vec<PathBuf>) -> Result<()> {
    let reading = |err: std::io::Error| {
        anyhow!(
            "error reading {:?}: open {}: {}",
            root.display().to_string(),
            dir.display(),
            super::io_message(&err)
        )
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(reading)? {
        let entry = entry.map_err(reading)?;
        // The entry's own type: a symbolic link is not followed.
        let is_dir = entry.file_type().map_err(reading)?.is_dir();
        entries.push((entry.file_name(), is_dir));
    }
    entries.sort();
    for (name, is_dir) in entries {
        let path = join(dir, Path::new(&name));
        if is_dir {
            if recursive {
                walk_dir(root, &path, recursive, files)?;
            }
        } else if has_manifest_extension(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FILE_EXTENSIONS.iter().any(|known| known[1..] == *e))
}

/// Go's `filepath.Join`: the parts joined and cleaned lexically (`./d` + `a.yaml` is
/// `d/a.yaml`), which is how kubectl names the files it found in a directory.
fn join(dir: &Path, name: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in dir.components().chain(name.components()) {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir) => {}
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECT: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::TempDir::new().expect("dir");
        for rel in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, OBJECT).expect("write");
        }
        dir
    }

    fn names(dir: &tempfile::TempDir, sources: &[Source]) -> Vec<String> {
        sources
            .iter()
            .map(|s| match s {
                Source::File(path) => path
                    .strip_prefix(dir.path())
                    .expect("inside")
                    .display()
                    .to_string(),
                other => other.name(),
            })
            .collect()
    }

    fn paths(list: &[&Path]) -> Vec<Filename> {
        list.iter()
            .map(|p| Filename::parse(p).expect("filename"))
            .collect()
    }

    #[test]
    fn arguments_are_stdin_urls_or_paths() {
        assert_eq!(
            Filename::parse(Path::new("-")).expect("ok"),
            Filename::Stdin
        );
        assert_eq!(
            Filename::parse(Path::new("https://example.org/a.yaml")).expect("ok"),
            Filename::Url("https://example.org/a.yaml".into())
        );
        assert_eq!(
            Filename::parse(Path::new("ftp://x")).expect("ok"),
            Filename::Path("ftp://x".into())
        );
        let bad = Filename::parse(Path::new("http://[::1")).unwrap_err();
        assert!(
            bad.to_string().starts_with(
                r#"the URL passed to filename "http://[::1" is not valid: parse "http://[::1": "#
            ),
            "{bad}"
        );
    }

    #[test]
    fn directories_hold_manifests_subdirectories_with_recursion() {
        let dir = tree(&[
            "b.yaml",
            "a.yml",
            "c.json",
            "notes.txt",
            "sub/d.yaml",
            "sub/deeper/e.yaml",
        ]);
        let found = |recursive| names(&dir, &expand(&paths(&[dir.path()]), recursive).expect("ok"));
        assert_eq!(found(false), ["a.yml", "b.yaml", "c.json"]);
        assert_eq!(
            found(true),
            [
                "a.yml",
                "b.yaml",
                "c.json",
                "sub/d.yaml",
                "sub/deeper/e.yaml"
            ]
        );
        let named = dir.path().join("notes.txt");
        assert_eq!(
            names(&dir, &expand(&paths(&[&named]), false).expect("ok")),
            ["notes.txt"],
            "a file given by name is read whatever its extension"
        );
    }

    #[test]
    fn missing_paths_and_empty_directories_are_kubectls_errors() {
        let dir = tree(&["only.txt"]);
        let errors = |list: &[&Path]| -> Vec<String> {
            let errors = expand(&paths(list), false).unwrap_err();
            errors.iter().map(|e| e.to_string()).collect()
        };
        assert_eq!(
            errors(&[dir.path()]),
            [format!(
                "error reading [{}]: recognized file extensions are [.json .yaml .yml]",
                dir.path().display()
            )]
        );
        // Like kubectl, a directory without manifests is only an error when nothing was found
        // and nothing else was wrong before it.
        let missing = dir.path().join("nope.yaml");
        let other = dir.path().join("other.yaml");
        assert_eq!(
            errors(&[&missing, dir.path(), &other]),
            [
                format!("the path \"{}\" does not exist", missing.display()),
                format!("the path \"{}\" does not exist", other.display()),
            ]
        );
        let stdin_first = expand(&[Filename::Stdin, Filename::Path(dir.path().into())], false);
        assert_eq!(stdin_first.expect("ok"), [Source::Stdin]);
    }

    #[test]
    fn paths_that_do_not_exist_are_globs() {
        let dir = tree(&["a/1.yaml", "b/2.yaml", "b/3.yml"]);
        let pattern = dir.path().join("*/*.yaml");
        assert_eq!(
            names(&dir, &expand(&paths(&[&pattern]), false).expect("ok")),
            ["a/1.yaml", "b/2.yaml"]
        );
        let bad = dir.path().join("[");
        let errors = expand(&paths(&[&bad]), false).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            format!(
                "pattern \"{}\" is not valid: syntax error in pattern",
                bad.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_to_directories_are_not_followed() {
        use std::os::unix::fs::symlink;
        let dir = tree(&["d/a.yaml", "d/sub/b.yaml", "other/c.yaml"]);
        let d = dir.path().join("d");
        // A loop back to an ancestor, a linked directory with and without a manifest's
        // extension, a linked file and a dangling link.
        symlink("..", d.join("sub/loop")).expect("link");
        symlink("../other", d.join("linkdir")).expect("link");
        symlink("../other", d.join("linkdir.yaml")).expect("link");
        symlink("a.yaml", d.join("sub/link.yaml")).expect("link");
        symlink("/nonexistent", d.join("dangling.yaml")).expect("link");
        let found = names(&dir, &expand(&paths(&[&d]), true).expect("ok"));
        assert_eq!(
            found,
            [
                "d/a.yaml",
                "d/dangling.yaml",
                "d/linkdir.yaml",
                "d/sub/b.yaml",
                "d/sub/link.yaml"
            ],
            "links are listed as files and never descended"
        );
        // The argument itself may be a link to a directory.
        let top = dir.path().join("top");
        symlink(&d, &top).expect("link");
        let found = names(&dir, &expand(&paths(&[&top]), false).expect("ok"));
        assert_eq!(
            found,
            ["top/a.yaml", "top/dangling.yaml", "top/linkdir.yaml"]
        );
    }

    #[test]
    fn joined_names_are_cleaned_like_go() {
        assert_eq!(
            join(Path::new("./d"), Path::new("a.yaml")),
            Path::new("d/a.yaml")
        );
        assert_eq!(
            join(Path::new("d/"), Path::new("a.yaml")),
            Path::new("d/a.yaml")
        );
        assert_eq!(
            join(Path::new("/x/../d"), Path::new("a")),
            Path::new("/d/a")
        );
        assert_eq!(join(Path::new("../d"), Path::new("a")), Path::new("../d/a"));
        assert_eq!(join(Path::new("."), Path::new("a")), Path::new("a"));
    }
}
