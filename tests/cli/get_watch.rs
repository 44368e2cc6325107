//! `kz get --watch`: rows printed as events arrive, `--watch-only`, `--output-watch-events`,
//! object formats under watch, and what kz does better than kubectl: a dropped watch resumes
//! from the last resourceVersion, and a too-old one (410) relists and keeps going.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use kz_testserver::{Fault, TestServer, User};

use crate::support::{Sandbox, run};

/// How long to wait for a line before the test fails (never a fixed sleep).
const PATIENCE: Duration = Duration::from_secs(20);

/// A running `kz get … --watch`, its stdout read line by line on a thread.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(sandbox: &Sandbox, args: &[&str]) -> Watcher {
        Watcher::start_command(sandbox.kz(), args)
    }

    /// `command` (kz, or kubectl to compare with) with `args`, watched line by line.
    fn start_command(mut command: std::process::Command, args: &[&str]) -> Watcher {
        let mut child = command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the watch");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The next line, or a failure naming what was printed so far.
    #[track_caller]
    fn next(&mut self) -> String {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => {
                self.seen.push(line.clone());
                line
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "no line within {PATIENCE:?}; printed so far: {:#?}",
                    self.seen
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("kz stopped; printed: {:#?}", self.seen)
            }
        }
    }

    /// Reads lines until one satisfies `wanted`; returns every line read, that one last.
    #[track_caller]
    fn until(&mut self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut read = Vec::new();
        while Instant::now() < deadline {
            let line = self.next();
            let done = wanted(&line);
            read.push(line);
            if done {
                return read;
            }
        }
        panic!("no wanted line; printed so far: {:#?}", self.seen)
    }

    /// No more output for a moment (used only to check that nothing extra comes).
    fn quiet_for(&mut self, time: Duration) -> Vec<String> {
        let mut extra = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(time) {
            extra.push(line);
        }
        extra
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop, labels: {{app: watched}}}}\nspec:\n  containers: [{{name: c, image: busybox}}]\n"
    )
}

/// Waits until the server has seen `count` watch requests (kz lists before it watches, so a
/// change made earlier could land in the list instead of the watch).
#[track_caller]
fn wait_for_watches(server: &TestServer, count: usize) {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        let watches = server
            .requests()
            .iter()
            // kz asks with `watch=1`, kubectl with `watch=true`.
            .filter(|r| r.query.contains("watch=1") || r.query.contains("watch=true"))
            .count();
        if watches >= count {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("fewer than {count} watch requests reached the server");
}

fn first_word(line: &str) -> &str {
    line.split_whitespace().next().unwrap_or_default()
}

fn shop_pods(server: &TestServer) -> usize {
    server
        .store()
        .list(
            &kz_testserver::store::Collection::new("", "pods"),
            Some("shop"),
        )
        .0
        .len()
}

#[test]
fn rows_are_printed_as_events_arrive() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let existing = shop_pods(&server);
    let mut watch = Watcher::start(&sandbox, &["get", "pods", "-n", "shop", "-w"]);
    let header = watch.next();
    assert!(header.starts_with("NAME "), "{header}");
    let listed: Vec<String> = (0..existing).map(|_| watch.next()).collect();
    // The initial rows are the list kubectl prints without --watch.
    let plain = run(sandbox.kz(), &["get", "pods", "-n", "shop", "--no-headers"]);
    let names = |lines: &[String]| {
        lines
            .iter()
            .map(|l| first_word(l).to_string())
            .collect::<Vec<_>>()
    };
    let plain_lines: Vec<String> = plain.success().lines().map(String::from).collect();
    assert_eq!(names(&listed), names(&plain_lines));

    server.create(&pod("watched-a")).expect("create a");
    let row = watch.next();
    assert_eq!(first_word(&row), "watched-a", "{row}");
    assert!(row.contains("Pending"), "{row}");
    server.create(&pod("watched-b")).expect("create b");
    assert_eq!(first_word(&watch.next()), "watched-b");
    // The columns line up with the header (kubectl's watch printer remembers widths).
    assert_eq!(header.find("READY"), row.find("0/1"), "{header}\n{row}");
}

#[test]
fn watch_only_prints_changes_with_their_event_types() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut only = Watcher::start(
        &sandbox,
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "--watch-only",
            "--output-watch-events",
        ],
    );
    let mut events = Watcher::start(
        &sandbox,
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "-w",
            "--output-watch-events",
            "-l",
            "app=cache",
        ],
    );
    // The initial list comes as ADDED events, the column as wide as MODIFIED from the start
    // (kubectl pads the known event types to 8).
    let header = events.next();
    assert!(header.starts_with("EVENT      NAME "), "{header}");
    assert!(events.next().starts_with("ADDED      cache-"));
    assert!(events.next().starts_with("ADDED      cache-"));

    wait_for_watches(&server, 2);
    server.create(&pod("watched-a")).expect("create");
    // --watch-only: no list first, the header comes with the first change.
    let header = only.next();
    assert!(header.starts_with("EVENT      NAME "), "{header}");
    let added = only.next();
    assert_eq!(
        added.split_whitespace().take(2).collect::<Vec<_>>(),
        ["ADDED", "watched-a"]
    );
    let cache = server
        .store()
        .get(&kz_testserver::ObjectKey::new(
            "", "pods", "shop", "cache-0",
        ))
        .expect("cache-0");
    let mut relabelled = (*cache).clone();
    relabelled["metadata"]["labels"]["touched"] = "yes".into();
    server
        .store()
        .update(
            &kz_testserver::ObjectKey::new("", "pods", "shop", "cache-0"),
            relabelled,
        )
        .expect("update");
    let modified = only.until(|l| l.contains("cache-0"));
    assert!(
        modified.last().is_some_and(|l| l.starts_with("MODIFIED ")),
        "{modified:?}"
    );
    let modified = events.next();
    assert_eq!(
        modified.split_whitespace().take(2).collect::<Vec<_>>(),
        ["MODIFIED", "cache-0"]
    );
    assert_eq!(
        events.quiet_for(Duration::from_millis(300)),
        Vec::<String>::new(),
        "the selector keeps watched-a out"
    );
}

#[test]
fn object_formats_stream_under_watch() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut names = Watcher::start(&sandbox, &["get", "pods", "-n", "shop", "-w", "-o", "name"]);
    let mut json = Watcher::start(
        &sandbox,
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "--watch-only",
            "-o",
            "json",
            "--output-watch-events",
        ],
    );
    for _ in 0..shop_pods(&server) {
        assert!(names.next().starts_with("pod/"));
    }
    wait_for_watches(&server, 2);
    server.create(&pod("watched-a")).expect("create");
    assert_eq!(names.next(), "pod/watched-a");
    // One line per event, as kubectl's json.Marshal of the WatchEvent: `type` first, the
    // object whole (its managed fields kept).
    let line = json.next();
    assert!(line.starts_with(r#"{"type":"ADDED","object":{"#), "{line}");
    let event: serde_json::Value = serde_json::from_str(&line).expect("a JSON event");
    assert_eq!(event["object"]["metadata"]["name"], "watched-a");
    assert_eq!(event["object"]["kind"], "Pod");
    assert!(event["object"]["metadata"].get("managedFields").is_some());
}

#[test]
fn watch_events_print_like_kubectl_in_json_and_yaml() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    if sandbox.kubectl().is_none() {
        return;
    }
    let kubectl = || sandbox.kubectl().expect("kubectl");
    let args = |output| {
        [
            "get",
            "pods",
            "-n",
            "shop",
            "--watch-only",
            "--output-watch-events",
            "-o",
            output,
        ]
    };
    let mut watches = Vec::new();
    for output in ["json", "yaml"] {
        let kz = Watcher::start(&sandbox, &args(output));
        let theirs = Watcher::start_command(kubectl(), &args(output));
        watches.push((output, kz, theirs));
    }
    wait_for_watches(&server, 4);
    server.create(&pod("watched-a")).expect("create");
    for (output, mut kz, mut kubectl) in watches {
        // JSON: one line per event; YAML: a document ending with its `type`.
        let done = |line: &str| line.starts_with('{') || line.starts_with("type: ");
        let (ours, theirs) = (kz.until(done), kubectl.until(done));
        assert_eq!(
            ours, theirs,
            "-o {output}: kz (left) and kubectl (right) differ"
        );
        assert!(ours.join("\n").contains("managedFields"), "{ours:?}");
    }
}

#[test]
fn a_scale_shows_up_as_the_rollout_moves() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let Some(kubectl) = sandbox.kubectl() else {
        return;
    };
    let mut watch = Watcher::start(&sandbox, &["get", "deploy", "frontend", "-n", "shop", "-w"]);
    assert!(watch.next().starts_with("NAME "));
    let initial = watch.next();
    assert_eq!(first_word(&initial), "frontend");
    let scaled = run(
        kubectl,
        &["scale", "deploy/frontend", "-n", "shop", "--replicas=4"],
    );
    assert_eq!(scaled.code, Some(0), "{scaled:?}");
    let row = watch.until(|l| {
        l.split_whitespace()
            .nth(1)
            .is_some_and(|r| r.ends_with("/4"))
    });
    assert_eq!(first_word(row.last().expect("row")), "frontend");
    server.controller().step(20);
    watch.until(|l| l.split_whitespace().nth(1) == Some("4/4"));
}

/// kubectl gives up when the server ends a watch; kz resumes from the last resourceVersion
/// it saw, so later changes still show, and none twice.
#[test]
fn a_dropped_watch_resumes_where_it_was() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.inject(Fault::cut_stream_after(1).path_contains("watch=1").times(1));
    let mut watch = Watcher::start(&sandbox, &["get", "pods", "-n", "shop", "-w", "-o", "name"]);
    for _ in 0..shop_pods(&server) {
        watch.next();
    }
    server.create(&pod("watched-a")).expect("create a");
    assert_eq!(watch.next(), "pod/watched-a");
    server.create(&pod("watched-b")).expect("create b");
    assert_eq!(
        watch.next(),
        "pod/watched-b",
        "printed after the reconnection"
    );
    let watches: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.query.contains("watch=1"))
        .map(|r| r.query)
        .collect();
    assert_eq!(watches.len(), 2, "{watches:?}");
    assert!(
        watches.iter().all(|q| q.contains("resourceVersion=")),
        "{watches:?}"
    );
    assert_ne!(
        watches[0], watches[1],
        "resumed from a later resourceVersion"
    );
}

/// The resourceVersion to resume from has been compacted away (410 Gone): kz lists again,
/// prints the current state, and keeps watching from there.
#[test]
fn an_expired_watch_relists_and_keeps_going() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let existing = shop_pods(&server);
    // The first watch ends after one event; the reconnection waits long enough for the test
    // to expire the history it would resume from.
    server.inject(Fault::cut_stream_after(1).path_contains("watch=1").times(1));
    server.inject(
        Fault::delay(Duration::from_millis(1500))
            .path_contains("watch=1")
            .times(2),
    );
    let mut watch = Watcher::start(&sandbox, &["get", "pods", "-n", "shop", "-w", "-o", "name"]);
    for _ in 0..existing {
        watch.next();
    }
    server.create(&pod("watched-a")).expect("create a");
    assert_eq!(watch.next(), "pod/watched-a");
    server.expire_history();
    server.create(&pod("watched-b")).expect("create b");
    // The relist prints every pod again, watched-b among them.
    let relisted = watch.until(|l| l == "pod/watched-b");
    assert!(relisted.len() > 1, "a full relist: {relisted:?}");
    server.create(&pod("watched-c")).expect("create c");
    watch.until(|l| l == "pod/watched-c");
    let lists = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/namespaces/shop/pods" && !r.query.contains("watch=1"))
        .count();
    assert_eq!(lists, 2, "listed again after the 410");
}

fn watch_requests(server: &TestServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.query.contains("watch=1"))
        .count()
}

/// A server that ends every watch right after its headers: kz keeps resuming (a watch is
/// meant to last), but backs off — 0.25–0.5 s, then 0.5–1 s, then 1–2 s … — instead of
/// hammering it. Without the backoff there would be hundreds of reconnects in this time.
#[test]
fn a_server_that_ends_every_watch_at_once_is_not_hammered() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.inject(Fault::cut_stream_after(0).path_contains("watch=1"));
    let mut watch = Watcher::start(&sandbox, &["get", "pods", "-n", "shop", "-w", "-o", "name"]);
    for _ in 0..shop_pods(&server) {
        watch.next();
    }
    wait_for_watches(&server, 1);
    let first = Instant::now();
    wait_for_watches(&server, 4);
    let three_waits = first.elapsed();
    let reconnects = watch_requests(&server);
    assert!(
        reconnects <= 5,
        "{reconnects} watch requests by the time the 4th came"
    );
    // The three waits between them are at least 0.25 + 0.5 + 1 s.
    assert!(
        three_waits >= Duration::from_millis(1200),
        "4 watch requests within {three_waits:?}"
    );
    // And it is still watching: once the server behaves, changes show.
    server.clear_faults();
    server.create(&pod("watched-late")).expect("create");
    assert_eq!(watch.next(), "pod/watched-late");
}
