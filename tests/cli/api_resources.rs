use kz_testserver::{Fault, TestServer, User};

use crate::support::{Sandbox, discovery_requests, fixture_stdout, run};

#[test]
fn table_matches_the_recorded_kubectl_output() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let out = run(sandbox.kz(), &["api-resources"]);
    assert_eq!(out.success(), fixture_stdout("api-resources.txt"));
    let wide = run(sandbox.kz(), &["api-resources", "-o", "wide"]);
    assert_eq!(wide.success(), fixture_stdout("api-resources-wide.txt"));
}

#[test]
fn every_format_and_filter_matches_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    if sandbox.kubectl().is_none() {
        return;
    }
    for args in [
        &["api-resources"][..],
        &["api-resources", "-o", "wide"],
        &["api-resources", "-o", "name"],
        &["api-resources", "--namespaced=false"],
        &["api-resources", "--namespaced=true", "--no-headers"],
        &["api-resources", "--api-group=apps"],
        &["api-resources", "--api-group="],
        &["api-resources", "--verbs=list,watch", "--sort-by=kind"],
        &["api-resources", "--sort-by=name", "-o", "wide"],
        &["api-resources", "--categories=all", "-o", "name"],
        &["api-versions"],
    ] {
        let kubectl = run(sandbox.kubectl().expect("kubectl"), args);
        let kz = run(sandbox.kz(), args);
        assert_eq!(kz.code, kubectl.code, "{args:?}");
        assert_eq!(kz.stdout, kubectl.stdout, "{args:?}");
        assert_eq!(kz.stderr, "", "{args:?}");
    }
}

#[test]
fn a_run_makes_two_requests_and_a_cached_run_none() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    run(sandbox.kz(), &["api-resources"]).success();
    let mut cold = discovery_requests(&server);
    cold.sort();
    assert_eq!(cold, ["/api", "/apis"]);
    let accepts: Vec<String> = server.requests().into_iter().map(|r| r.accept).collect();
    for accept in &accepts {
        assert!(
            accept.starts_with(
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
            ),
            "{accept}"
        );
    }
    let agents: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.user_agent)
        .collect();
    assert!(
        agents.iter().all(|agent| agent.starts_with("kz/")),
        "{agents:?}"
    );

    server.clear_requests();
    run(sandbox.kz(), &["api-resources", "--cached", "-o", "wide"]).success();
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // Without --cached kz refreshes like kubectl, so a CRD installed since shows at once.
    server
        .create("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.acme.io}\nspec:\n  group: acme.io\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n")
        .expect("crd");
    let fresh = run(
        sandbox.kz(),
        &["api-resources", "--api-group", "acme.io", "-o", "name"],
    );
    assert_eq!(fresh.success(), "widgets.acme.io\n");
    let versions = run(sandbox.kz(), &["api-versions"]);
    assert!(versions.success().contains("acme.io/v1\n"));
    assert_eq!(
        discovery_requests(&server).len(),
        4,
        "two refreshes of two requests"
    );
}

#[test]
fn the_cache_is_per_server() {
    let first = TestServer::start();
    let second = TestServer::builder().plain_http().start();
    let sandbox = Sandbox::for_server(&first, &User::admin());
    run(sandbox.kz(), &["api-resources"]).success();
    second
        .write_kubeconfig(&sandbox.kubeconfig, &User::admin())
        .expect("kubeconfig");
    run(sandbox.kz(), &["api-resources"]).success();
    assert_eq!(discovery_requests(&second).len(), 2);
}

#[test]
fn a_server_error_during_discovery_is_reported_like_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.inject(Fault::status(500).path_contains("/apis").times(1));
    let out = run(sandbox.kz(), &["api-resources"]);
    let stderr = out.failure();
    assert!(
        stderr.starts_with("Error from server (InternalError): "),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Nothing bad was cached: the next run asks again and succeeds.
    let again = run(sandbox.kz(), &["api-resources", "-o", "name"]);
    assert!(again.success().contains("deployments.apps\n"));
}

#[test]
fn output_to_a_closed_pipe_exits_quietly() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut child = sandbox
        .kz()
        .arg("api-resources")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn kz");
    // Close the reading end before kz has fetched anything to print.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for kz");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn unknown_output_formats_are_usage_errors() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.kz(), &["api-resources", "-o", "yaml"]);
    assert_eq!(out.code, Some(1), "kubectl exits 1 on usage errors");
    assert!(out.stderr.contains("invalid value 'yaml'"), "{out:?}");
}
