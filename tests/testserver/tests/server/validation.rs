//! Server-side field validation over HTTP: each `fieldValidation` mode on create, update, the
//! three patch types and server-side apply, with the real server's wording and `Warning`
//! headers, and unknown fields never stored.

use kz_testserver::TestServer;
use serde_json::{Value, json};

use crate::client::{Answer, Client};

const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";
const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

fn send(client: &Client, method: &str, path: &str, content_type: &str, body: &str) -> Answer {
    client.send(
        method,
        path,
        &[
            ("Accept", "application/json"),
            ("Content-Type", content_type),
        ],
        body,
    )
}

fn post(client: &Client, path: &str, body: &str) -> Answer {
    send(client, "POST", path, "application/json", body)
}

/// A Deployment with two unknown fields in `spec`, in that order.
const DEPLOYMENT: &str = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
  "spec":{"foo":1,"replicas":1,"bar":"x","selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","colour":"red"}]}}}}"#;

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code})
}

#[test]
fn strict_creates_and_updates_fail_with_the_decoders_message() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let answer = post(
        &admin,
        &format!("{DEPLOYMENTS}?fieldValidation=Strict"),
        DEPLOYMENT,
    );
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        status(
            400,
            "BadRequest",
            r#"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.bar", unknown field "spec.template.spec.containers[0].colour""#
        )
    );
    assert!(answer.warnings.is_empty());
    assert_eq!(admin.get(&format!("{DEPLOYMENTS}/web")).status, 404);

    let created = post(
        &admin,
        CONFIGMAPS,
        r#"{"metadata":{"name":"cm"},"data":{"a":"1"}}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let update = send(
        &admin,
        "PUT",
        &format!("{CONFIGMAPS}/cm?fieldValidation=Strict"),
        "application/json",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"a":"2","a":"3"},"extra":true}"#,
    );
    assert_eq!(update.status, 400);
    assert_eq!(
        update.json()["message"],
        r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.a", unknown field "extra""#
    );
}

#[test]
fn warn_and_the_default_write_with_one_warning_per_problem_and_prune() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    for (query, name) in [("?fieldValidation=Warn", "warned"), ("", "defaulted")] {
        let body = DEPLOYMENT.replace(r#""name":"web"}"#, &format!(r#""name":"{name}"}}"#));
        let answer = post(&admin, &format!("{DEPLOYMENTS}{query}"), &body);
        assert_eq!(answer.status, 201, "{}", answer.body);
        assert_eq!(
            answer.warnings,
            [
                r#"299 - "unknown field \"spec.foo\"""#,
                r#"299 - "unknown field \"spec.bar\"""#,
                r#"299 - "unknown field \"spec.template.spec.containers[0].colour\"""#,
            ]
        );
        let created = answer.json();
        assert!(created["spec"].get("foo").is_none(), "{created}");
        let stored = admin.get(&format!("{DEPLOYMENTS}/{name}")).json();
        assert!(stored["spec"].get("bar").is_none());
        let container = &stored["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], "nginx");
        assert!(container.get("colour").is_none(), "{container}");
    }
}

#[test]
fn ignore_writes_silently_and_still_prunes() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let answer = post(
        &admin,
        &format!("{CONFIGMAPS}?fieldValidation=Ignore"),
        r#"{"metadata":{"name":"cm","bogus":1},"data":{"a":"1"},"extra":true}"#,
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert!(answer.warnings.is_empty());
    let stored = admin.get(&format!("{CONFIGMAPS}/cm")).json();
    assert!(stored.get("extra").is_none() && stored["metadata"].get("bogus").is_none());
    assert_eq!(stored["data"], json!({"a": "1"}));
}

#[test]
fn an_unsupported_directive_is_invalid() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let answer = post(
        &admin,
        &format!("{CONFIGMAPS}?fieldValidation=strict"),
        r#"{"metadata":{"name":"cm"}}"#,
    );
    assert_eq!(answer.status, 422);
    let message =
        r#"Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn""#;
    assert_eq!(
        answer.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!(r#"CreateOptions.meta.k8s.io "" is invalid: fieldValidation: {message}"#),
            "reason": "Invalid",
            "details": {"group": "meta.k8s.io", "kind": "CreateOptions",
                "causes": [{"reason": "FieldValueNotSupported", "message": message, "field": "fieldValidation"}]},
            "code": 422})
    );
}

fn patch(client: &Client, query: &str, content_type: &str, body: &str) -> Answer {
    send(
        client,
        "PATCH",
        &format!("{CONFIGMAPS}/cm{query}"),
        content_type,
        body,
    )
}

#[test]
fn strict_patches_are_invalid_and_warned_patches_apply_without_the_unknown_fields() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let created = post(
        &admin,
        CONFIGMAPS,
        r#"{"metadata":{"name":"cm"},"data":{"a":"1"}}"#,
    );
    assert_eq!(created.status, 201);

    let merge = patch(
        &admin,
        "?fieldValidation=Strict",
        "application/merge-patch+json",
        r#"{"data":{"b":"2","b":"3"},"spec":{"x":1}}"#,
    );
    assert_eq!(merge.status, 422, "{}", merge.body);
    let status = merge.json();
    let message = status["message"].as_str().expect("message");
    assert!(
        message.starts_with(r#" "" is invalid: patch: Invalid value: "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\",\"b\":\"3\"},\"kind\":\"ConfigMap\","#),
        "{message}"
    );
    assert!(
        message.ends_with(
            r#"\"spec\":{\"x\":1}}": strict decoding error: duplicate field "data.b", unknown field "spec""#
        ),
        "{message}"
    );
    assert_eq!(status["reason"], "Invalid");
    assert_eq!(status["details"]["causes"][0]["field"], "patch");
    assert_eq!(
        format!(
            " \"\" is invalid: patch: {}",
            status["details"]["causes"][0]["message"]
                .as_str()
                .expect("cause")
        ),
        message
    );

    let strategic = patch(
        &admin,
        "?fieldValidation=Strict",
        "application/strategic-merge-patch+json",
        r#"{"data":{"b":"2"},"spec":{"x":[1,"y"]}}"#,
    );
    assert_eq!(strategic.status, 422);
    assert_eq!(
        strategic.json()["message"],
        r#" "" is invalid: patch: Invalid value: "map[data:map[b:2] spec:map[x:[1 y]]]": strict decoding error: unknown field "spec""#
    );

    let json_patch = patch(
        &admin,
        "?fieldValidation=Warn",
        "application/json-patch+json",
        r#"[{"op":"add","path":"/data/c","value":"3","frm":"x"},{"op":"add","path":"/spec","value":{"x":1}}]"#,
    );
    assert_eq!(json_patch.status, 200, "{}", json_patch.body);
    assert_eq!(
        json_patch.warnings,
        [
            r#"299 - "json patch unknown field \"[0].frm\"""#,
            r#"299 - "unknown field \"spec\"""#,
        ]
    );
    let stored = admin.get(&format!("{CONFIGMAPS}/cm")).json();
    assert_eq!(stored["data"], json!({"a": "1", "c": "3"}));
    assert!(stored.get("spec").is_none());

    let ignored = patch(
        &admin,
        "?fieldValidation=Ignore",
        "application/merge-patch+json",
        r#"{"data":{"d":"4"},"spec":{"x":1}}"#,
    );
    assert_eq!((ignored.status, ignored.warnings.len()), (200, 0));
    assert!(ignored.json().get("spec").is_none());
}

#[test]
fn server_side_apply_refuses_undeclared_fields_in_every_mode() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let applied = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default, colour: red}\ndata: {a: '1'}\nspec: {x: 1}\nzzz: 2\n";
    for mode in ["Strict", "Warn", "Ignore"] {
        let answer = patch(
            &admin,
            &format!("?fieldManager=me&fieldValidation={mode}"),
            "application/apply-patch+yaml",
            applied,
        );
        assert_eq!(answer.status, 500, "{mode}: {}", answer.body);
        assert_eq!(
            answer.json(),
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "failed to create typed patch object (default/cm; /v1, Kind=ConfigMap): errors:\n  .metadata.colour: field not declared in schema\n  .spec: field not declared in schema",
                "code": 500})
        );
    }
    let clean = patch(
        &admin,
        "?fieldManager=me&fieldValidation=Strict",
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1'}\n",
    );
    assert_eq!(
        (clean.status, clean.warnings.len()),
        (201, 0),
        "{}",
        clean.body
    );
}

#[test]
fn custom_resources_are_checked_against_their_crds_schema() {
    let server = TestServer::start();
    let admin = Client::admin(&server);
    let gizmos = "/apis/example.org/v1/namespaces/default/gizmos";
    let body = r#"{"apiVersion":"example.org/v1","kind":"Gizmo","metadata":{"name":"g","zzz":1},"spec":{"replicas":1,"size":2,"flavor":"x","colour":"y"}}"#;
    let strict = post(&admin, &format!("{gizmos}?fieldValidation=Strict"), body);
    assert_eq!(strict.status, 400, "{}", strict.body);
    assert_eq!(
        strict.json()["message"],
        r#"Gizmo in version "v1" cannot be handled as a Gizmo: strict decoding error: unknown field "metadata.zzz", unknown field "spec.colour", unknown field "spec.size""#
    );
    let warned = post(&admin, gizmos, body);
    assert_eq!(warned.status, 201, "{}", warned.body);
    assert_eq!(warned.warnings.len(), 3);
    assert_eq!(
        admin.get(&format!("{gizmos}/g")).json()["spec"],
        json!({"replicas": 1, "flavor": "x"})
    );
    let apply = send(
        &admin,
        "PATCH",
        &format!("{gizmos}/g?fieldManager=me"),
        "application/apply-patch+yaml",
        "apiVersion: example.org/v1\nkind: Gizmo\nmetadata: {name: g, namespace: default}\nspec: {size: 3}\n",
    );
    assert_eq!(apply.status, 500);
    assert_eq!(
        apply.json()["message"],
        "failed to create typed patch object (default/g; example.org/v1, Kind=Gizmo): .spec.size: field not declared in schema"
    );
}
