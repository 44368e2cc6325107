//! `kz describe` against the real kubectl on the same server. Describers are compared byte
//! for byte; only when the two runs straddle an age boundary (`59s` → `1m`) do they differ,
//! and then ages are normalised (and the spaces that pad them) before comparing.

use crate::support::{Sandbox, run};

/// Runs `kz ARGS` and `kubectl ARGS`, asserts they exit alike and print the same (ages
/// normalised only when they differ), and returns kz's stdout.
#[track_caller]
pub fn describe_like_kubectl(sandbox: &Sandbox, args: &[&str]) -> String {
    let mut kz = run(sandbox.kz(), args);
    // kz says why events are missing where kubectl prints `<none>` and says nothing.
    kz.stderr = without_event_warnings(&kz.stderr);
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, args);
        if kz != kubectl {
            assert_eq!(
                (kz.code, without_ages(&kz.stdout), without_ages(&kz.stderr)),
                (
                    kubectl.code,
                    without_ages(&kubectl.stdout),
                    without_ages(&kubectl.stderr)
                ),
                "kz (left) and kubectl (right) differ for {args:?} beyond ages:\n--- kz\n{}\n--- kubectl\n{}",
                kz.stdout,
                kubectl.stdout
            );
        }
    }
    kz.stdout
}

/// `stderr` without kz's `warning: the events of … could not be read` lines.
pub fn without_event_warnings(stderr: &str) -> String {
    stderr
        .split_inclusive('\n')
        .filter(|line| {
            !(line.starts_with("warning: the events of ") && line.contains(" could not be read: "))
        })
        .collect()
}

/// Every duration-like word (`5s`, `3m2s`, `<unknown>` stays) becomes `AGE`, and runs of
/// spaces one space.
pub fn without_ages(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.split(' ')
                .filter(|word| !word.is_empty())
                .map(|word| {
                    let core = word.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
                    if is_age(core) {
                        word.replacen(core, "AGE", 1)
                    } else {
                        word.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `45s`, `5m`, `2m30s`, `3h`, `4d`, `2y10d`: what `HumanDuration` prints.
fn is_age(word: &str) -> bool {
    let mut digits = false;
    let mut units = 0;
    for c in word.chars() {
        if c.is_ascii_digit() {
            digits = true;
        } else if matches!(c, 's' | 'm' | 'h' | 'd' | 'y') && digits {
            digits = false;
            units += 1;
        } else {
            return false;
        }
    }
    !digits && units > 0
}

#[test]
fn ages_are_recognised() {
    assert!(is_age("5s") && is_age("2m30s") && is_age("4d") && is_age("2y10d"));
    assert!(!is_age("web") && !is_age("5") && !is_age("s") && !is_age("1.5s"));
    assert_eq!(
        without_ages("Normal  Scheduled  59s   default-scheduler"),
        without_ages("Normal  Scheduled  1m    default-scheduler")
    );
}

mod generic {
    use kz_testserver::{TestServer, User};

    use super::describe_like_kubectl;
    use crate::support::{Sandbox, run};

    fn cluster() -> (TestServer, Sandbox) {
        let server = TestServer::builder().frozen().start();
        let sandbox = Sandbox::for_server(&server, &User::admin());
        (server, sandbox)
    }

    /// A custom resource, with the generic describer and its events section.
    #[test]
    fn a_custom_resource_is_described_like_kubectl() {
        let (_server, sandbox) = cluster();
        let out = describe_like_kubectl(&sandbox, &["describe", "gizmo", "sprocket", "-n", "shop"]);
        assert!(
            out.starts_with("Name:         sprocket\nNamespace:    shop\n"),
            "{out}"
        );
        assert!(out.ends_with("Events:      <none>\n"), "{out}");
        describe_like_kubectl(&sandbox, &["describe", "gizmos", "-n", "shop"]);
        describe_like_kubectl(&sandbox, &["describe", "gizmos", "-A"]);
    }

    /// kubectl takes a name that matches nothing as a prefix; one that matches no prefix
    /// either is the first lookup's NotFound.
    #[test]
    fn names_are_prefixes_when_nothing_matches_exactly() {
        let (_server, sandbox) = cluster();
        let out = describe_like_kubectl(&sandbox, &["describe", "gizmo", "spro", "-n", "shop"]);
        assert!(out.starts_with("Name:         sprocket\n"), "{out}");
        let missing = run(sandbox.kz(), &["describe", "gizmo", "nope", "-n", "shop"]);
        assert_eq!(
            missing.failure(),
            "Error from server (NotFound): gizmos.example.org \"nope\" not found\n"
        );
        describe_like_kubectl(&sandbox, &["describe", "gizmo", "nope", "-n", "shop"]);
    }

    #[test]
    fn bad_input_is_reported_like_kubectl() {
        let (_server, sandbox) = cluster();
        for args in [
            &["describe"][..],
            &["describe", "flurbs"],
            &["describe", "gizmos", "-n", "empty"],
            &["describe", "gizmo/nope", "gizmo/sprocket", "-n", "shop"],
            &["describe", "-f", "/no/such/file.yaml"],
        ] {
            describe_like_kubectl(&sandbox, args);
        }
    }
}
