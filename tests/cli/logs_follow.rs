//! `kz logs -f`: many streams at once on one writer, compared with kubectl for the same pods;
//! what kz does beyond kubectl — pods that join and leave while following (`--watch-pods`), a
//! rollout's new pods, a stream the server cuts resumed with nothing lost or repeated — and
//! the ways a follow ends: Ctrl-C exits 0, a broken pipe exits 0 quietly.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use kz_testserver::{Fault, ObjectKey, TestServer, User};
use serde_json::json;

use crate::compare::like_kubectl;
use crate::support::Sandbox;

/// How long to wait for a line before the test fails (never a fixed sleep).
const PATIENCE: Duration = Duration::from_secs(20);

/// What a follower printed, in the order the test read it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Printed {
    Out(String),
    Err(String),
}

/// A running `logs -f` (kz or kubectl), stdout and stderr read line by line on threads.
struct Follower {
    child: Child,
    lines: Receiver<Printed>,
    seen: Vec<Printed>,
}

impl Follower {
    fn start(mut command: Command, args: &[&str]) -> Follower {
        let mut child = command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the follower");
        let (sender, lines) = channel();
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let to_out = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if to_out.send(Printed::Out(line)).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if sender.send(Printed::Err(line)).is_err() {
                    break;
                }
            }
        });
        Follower {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Reads until `wanted` has been printed (on either stream); fails after `PATIENCE`.
    #[track_caller]
    fn until(&mut self, wanted: &Printed) {
        let deadline = Instant::now() + PATIENCE;
        while !self.seen.contains(wanted) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("{wanted:?} not printed; so far: {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the follower stopped before {wanted:?}: {:#?}", self.seen)
                }
            }
        }
    }

    #[track_caller]
    fn until_out(&mut self, line: &str) {
        self.until(&Printed::Out(line.to_string()));
    }

    #[track_caller]
    fn until_err(&mut self, line: &str) {
        self.until(&Printed::Err(line.to_string()));
    }

    /// Ctrl-C; waits for the exit and the rest of the output. Returns the exit code.
    #[track_caller]
    fn interrupt(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill -INT");
        assert!(status.success());
        let deadline = Instant::now() + PATIENCE;
        let code = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status.code();
            }
            assert!(
                Instant::now() < deadline,
                "no exit after Ctrl-C: {:#?}",
                self.seen
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // Both pipes close with the process: the readers end, and so does this.
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            self.seen.push(line);
        }
        code
    }

    fn out(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|p| match p {
                Printed::Out(line) => Some(line.clone()),
                Printed::Err(_) => None,
            })
            .collect()
    }

    fn err(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|p| match p {
                Printed::Err(line) => Some(line.clone()),
                Printed::Out(_) => None,
            })
            .collect()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn frontend_pods(server: &TestServer) -> Vec<String> {
    let mut names: Vec<String> = server
        .store()
        .all()
        .into_iter()
        .filter(|(key, _)| key.collection.resource == "pods" && key.name.starts_with("frontend-"))
        .map(|(key, _)| key.name)
        .collect();
    names.sort();
    names
}

fn frozen() -> TestServer {
    TestServer::builder().frozen().start()
}

#[test]
fn a_multi_pod_follow_prints_every_pods_lines_like_kubectl() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pods = frontend_pods(&server);
    let args = [
        "logs",
        "-l",
        "app=frontend",
        "-n",
        "shop",
        "-f",
        "--prefix",
        "--tail=1",
    ];
    let mut followers = vec![Follower::start(sandbox.kz(), &args)];
    followers.extend(
        sandbox
            .kubectl()
            .map(|kubectl| Follower::start(kubectl, &args)),
    );
    for follower in &mut followers {
        for pod in &pods {
            follower.until_out(&format!("[pod/{pod}/web] {pod}/web line 20"));
        }
    }
    for n in 1..=3 {
        for pod in &pods {
            server.append_log("shop", pod, "web", &format!("{pod} appended {n}"));
        }
    }
    let mut printed = Vec::new();
    for follower in &mut followers {
        for pod in &pods {
            follower.until_out(&format!("[pod/{pod}/web] {pod} appended 3"));
        }
        let code = follower.interrupt();
        let mut lines = follower.out();
        // Each stream's lines in order; the streams interleave as they come.
        for pod in &pods {
            let own: Vec<&String> = lines.iter().filter(|l| l.contains(pod.as_str())).collect();
            assert_eq!(own.len(), 4, "{lines:#?}");
            assert!(own[1].ends_with("appended 1") && own[3].ends_with("appended 3"));
        }
        lines.sort();
        printed.push((lines, code));
    }
    assert_eq!(printed[0].1, Some(1), "kz: Ctrl-C ends the follow with 1");
    if let [kz, kubectl] = printed.as_slice() {
        assert_eq!(
            kz.0, kubectl.0,
            "kz (left) and kubectl (right) printed other lines"
        );
        assert_eq!(
            kz.1, kubectl.1,
            "kz's and kubectl's exit codes after Ctrl-C"
        );
    }
}

#[test]
fn pods_joining_and_leaving_are_followed_with_notices() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pods = frontend_pods(&server);
    let mut kz = Follower::start(
        sandbox.kz(),
        &[
            "logs",
            "-l",
            "app=frontend",
            "-n",
            "shop",
            "-f",
            "--watch-pods",
            "--tail=1",
        ],
    );
    for pod in &pods {
        kz.until_err(&format!("+ pod/{pod} › web"));
        kz.until_out(&format!("{pod}/web line 20"));
    }
    server
        .create(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: frontend-extra, namespace: shop, labels: {app: frontend}}\nspec:\n  containers: [{name: web, image: httpd}]\n",
        )
        .expect("create frontend-extra");
    server.controller().step(2);
    kz.until_err("+ pod/frontend-extra › web");
    // A pod that joins later is read from its start.
    kz.until_out("frontend-extra/web line 1");
    kz.until_out("frontend-extra/web line 20");

    let leaving = &pods[0];
    let key = ObjectKey::new("", "pods", "shop", leaving);
    let mut pod = (*server.store().get(&key).expect("pod")).clone();
    pod["metadata"]["labels"]["app"] = json!("elsewhere");
    server.store().update(&key, pod).expect("relabel");
    kz.until_err(&format!("- pod/{leaving} › web"));
    server.append_log("shop", leaving, "web", "not followed any more");
    server.append_log("shop", &pods[1], "web", "still followed");
    kz.until_out("still followed");
    assert_eq!(kz.interrupt(), Some(1), "Ctrl-C: exit 1, as kubectl");
    assert!(
        !kz.out().iter().any(|l| l == "not followed any more"),
        "{:#?}",
        kz.seen
    );
    let mut notices = kz.err();
    notices.sort();
    let mut expected: Vec<String> = pods.iter().map(|p| format!("+ pod/{p} › web")).collect();
    expected.push("+ pod/frontend-extra › web".into());
    expected.push(format!("- pod/{leaving} › web"));
    expected.sort();
    assert_eq!(
        notices, expected,
        "one notice a stream, nothing else on stderr"
    );
}

#[test]
fn following_a_rollout_shows_the_new_replica_sets_pods() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let before = frontend_pods(&server);
    let mut kz = Follower::start(
        sandbox.kz(),
        &[
            "logs",
            "deploy/frontend",
            "-n",
            "shop",
            "-f",
            "--watch-pods",
            "--tail=0",
        ],
    );
    for pod in &before {
        kz.until_err(&format!("+ pod/{pod} › web"));
    }
    let key = ObjectKey::new("apps", "deployments", "shop", "frontend");
    let mut frontend = (*server.store().get(&key).expect("frontend")).clone();
    frontend["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    server.store().update(&key, frontend).expect("new image");
    let deadline = Instant::now() + PATIENCE;
    let (started, stopped) = loop {
        assert!(Instant::now() < deadline, "no rollout seen: {:#?}", kz.seen);
        server.controller().step(1);
        while let Ok(line) = kz.lines.recv_timeout(Duration::from_millis(100)) {
            kz.seen.push(line);
        }
        let notices = kz.err();
        let started: Vec<String> = notices
            .iter()
            .filter(|n| n.starts_with("+ ") && !before.iter().any(|p| n.contains(p.as_str())))
            .cloned()
            .collect();
        let stopped = notices.iter().filter(|n| n.starts_with("- ")).count();
        if started.len() == before.len() && stopped == before.len() {
            break (started, stopped);
        }
    };
    let new_pod = started[0]
        .trim_start_matches("+ pod/")
        .trim_end_matches(" › web")
        .to_string();
    kz.until_out(&format!("{new_pod}/web line 1"));
    assert_eq!(stopped, before.len(), "the old pods were dropped");
    assert_eq!(kz.interrupt(), Some(1), "Ctrl-C: exit 1, as kubectl");
}

#[test]
fn a_cut_stream_resumes_with_nothing_lost_or_repeated() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &frontend_pods(&server)[0];
    // Lines 2 to 5 share a second: the resumed request (sinceTime, to the second) sends them
    // again, and kz must skip exactly the ones it printed.
    server.set_timed_log(
        "shop",
        pod,
        "web",
        &[
            ("2026-11-22T10:00:01Z", "one"),
            ("2026-11-22T10:00:02.1Z", "two"),
            ("2026-11-22T10:00:02.2Z", "three"),
            ("2026-11-22T10:00:02.2Z", "three again"),
            ("2026-11-22T10:00:02.7Z", "four"),
            ("2026-11-22T10:00:03Z", "five"),
        ],
    );
    server.inject(Fault::cut_stream_after(4).path_contains("/log").times(1));
    let mut kz = Follower::start(sandbox.kz(), &["logs", pod, "-n", "shop", "-f"]);
    kz.until_out("five");
    server.append_log("shop", pod, "web", "six");
    kz.until_out("six");
    assert_eq!(kz.interrupt(), Some(1), "Ctrl-C: exit 1, as kubectl");
    assert_eq!(
        kz.out(),
        ["one", "two", "three", "three again", "four", "five", "six"]
    );
    assert!(kz.err().is_empty(), "{:#?}", kz.seen);
    let logs: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/log"))
        .map(|r| r.query)
        .collect();
    assert_eq!(
        logs,
        [
            "container=web&follow=true&timestamps=true",
            "container=web&follow=true&sinceTime=2026-11-22T10%3A00%3A02Z&timestamps=true"
        ]
    );
}

#[test]
fn a_byte_limit_ends_a_follow_like_kubectl() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &frontend_pods(&server)[0];
    let limited = like_kubectl(
        &sandbox,
        &["logs", pod, "-n", "shop", "-f", "--limit-bytes=45"],
    );
    assert_eq!(
        limited,
        format!("{pod}/web line 1\n{pod}/web line 2\n")[..45]
    );
}

#[test]
fn stream_errors_end_the_follow_unless_ignored() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server
        .create(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: frontend-new, namespace: shop, labels: {app: frontend}}\nspec:\n  containers: [{name: web, image: httpd}]\n",
        )
        .expect("create a pod that has not started");
    let waiting =
        "container \"web\" in pod \"frontend-new\" is waiting to start: ContainerCreating";
    let args = ["logs", "-l", "app=frontend", "-n", "shop", "-f", "--tail=1"];
    let failed = crate::support::run(sandbox.kz(), &args);
    assert_eq!(failed.code, Some(1));
    assert_eq!(
        failed.stderr,
        format!("Error from server (BadRequest): {waiting}\n")
    );
    let pods = frontend_pods(&server);
    let mut kz = Follower::start(sandbox.kz(), &[&args[..], &["--ignore-errors"]].concat());
    kz.until_out(&format!("error: {waiting}"));
    let running = pods
        .iter()
        .find(|p| *p != "frontend-new")
        .expect("a running pod");
    server.append_log("shop", running, "web", "still here");
    kz.until_out("still here");
    assert_eq!(kz.interrupt(), Some(1), "Ctrl-C: exit 1, as kubectl");
}

#[test]
fn a_broken_pipe_ends_a_follow_quietly() {
    let server = frozen();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &frontend_pods(&server)[0];
    let mut child = sandbox
        .kz()
        .args(["logs", pod, "-n", "shop", "-f", "--tail=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kz");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a line");
    assert_eq!(first, format!("{pod}/web line 20\n"));
    drop(stdout);
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        server.append_log("shop", pod, "web", "into a closed pipe");
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "kz kept writing into a closed pipe"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}
