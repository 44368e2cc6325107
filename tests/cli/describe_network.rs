//! `kz describe` for Services, Endpoints, EndpointSlices, Ingresses, IngressClasses and
//! NetworkPolicies, byte for byte against the real kubectl on the test server.
//!
//! kubectl here is v1.32; its describers of these kinds are the same code as v1.33's (the
//! recorded v1.33 descriptions are checked in the describers' unit tests).

use kz_testserver::{TestServer, User};

use crate::describe::describe_like_kubectl;
use crate::support::{Sandbox, run};

/// Objects beside the fixture cluster's: Services of every type, an Ingress with TLS, rules
/// and a default backend, an IngressClass, and NetworkPolicies.
const NETWORK: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  replicas: 5
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: "api:1.0"
        ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop, labels: {app: api, tier: backend}, annotations: {team: shop}}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: 9090, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata: {name: cache-headless, namespace: shop}
spec:
  clusterIP: None
  selector: {app: cache}
---
apiVersion: v1
kind: Service
metadata: {name: nobody, namespace: shop}
spec:
  selector: {app: nobody}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: frontend}
  externalIPs: [192.0.2.10, 192.0.2.11]
  loadBalancerSourceRanges: [10.0.0.0/8]
  sessionAffinity: ClientIP
  ports: [{port: 443, targetPort: 8080, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: docs, namespace: shop}
spec:
  type: ExternalName
  externalName: docs.example.org
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, labels: {app: ingress}, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.org, kind: IngressParameters, name: external}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: plain}
spec:
  controller: example.org/plain
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge, namespace: shop, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: api, port: {name: http}}}
  tls:
  - {hosts: [api.example.org, www.example.org], secretName: edge-tls}
  - {hosts: [sni.example.org]}
  rules:
  - host: api.example.org
    http:
      paths:
      - {path: /v1, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /metrics, pathType: Exact, backend: {service: {name: api, port: {name: metrics}}}}
      - {path: /static, pathType: Prefix, backend: {resource: {apiGroup: k8s.example.org, kind: Bucket, name: assets}}}
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: nobody, port: {number: 80}}}}
      - {path: /gone, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback, namespace: shop}
spec:
  defaultBackend: {service: {name: edge, port: {number: 443}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop, labels: {app: db}}
spec:
  podSelector:
    matchLabels: {app: db}
    matchExpressions: [{key: tier, operator: In, values: [data, cache]}]
  policyTypes: [Ingress, Egress]
  ingress:
  - ports: [{protocol: TCP, port: 5432}, {port: metrics}, {protocol: UDP, port: 7000, endPort: 7100}]
    from:
    - namespaceSelector: {matchLabels: {team: shop}}
      podSelector: {matchLabels: {app: api}}
    - namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}
  - {}
  egress:
  - to:
    - ipBlock: {cidr: 0.0.0.0/0}
    - podSelector: {}
    ports: [{port: 53, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: batch}}
  policyTypes: [Egress]
  egress: [{}]
"#;

/// The fixture cluster with the objects above, the `api` pods running and their endpoints
/// published, then still.
fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    server.create(NETWORK).expect("network objects");
    server.controller().step(12);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

/// `kz describe ARGS`, asserted equal to kubectl's; its stdout with runs of spaces squeezed
/// to one, for the assertions on its content.
fn describe(sandbox: &Sandbox, args: &[&str]) -> String {
    let mut all = vec!["describe"];
    all.extend_from_slice(args);
    let out = describe_like_kubectl(sandbox, &all);
    let mut squeezed = String::with_capacity(out.len());
    for c in out.chars() {
        if !(c == ' ' && squeezed.ends_with(' ')) {
            squeezed.push(c);
        }
    }
    squeezed
}

#[test]
fn services_of_every_type_are_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let api = describe(&sandbox, &["svc", "api", "-n", "shop"]);
    // Five ready pods behind two ports: three shown for each, then the count of the rest.
    assert!(
        api.contains("\nPort: http 80/TCP\nTargetPort: http/TCP\nEndpoints: "),
        "{api}"
    );
    assert_eq!(api.matches(" + 2 more...\n").count(), 2, "{api}");
    let headless = describe(&sandbox, &["svc", "cache-headless", "-n", "shop"]);
    assert!(headless.contains("\nIP: None\n"), "{headless}");
    let nobody = describe(&sandbox, &["svc", "nobody", "-n", "shop"]);
    // A placeholder slice: no endpoints, and kubectl prints nothing after the label.
    assert!(nobody.contains("\nEndpoints: \n"), "{nobody}");
    let edge = describe(&sandbox, &["svc", "edge", "-n", "shop"]);
    assert!(edge.contains("\nPort: <unset> 443/TCP\n"), "{edge}");
    describe(&sandbox, &["svc", "docs", "-n", "shop"]);
    describe(&sandbox, &["svc", "frontend", "-n", "shop"]);
    describe(&sandbox, &["svc", "-A"]);
}

#[test]
fn endpoints_and_slices_are_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let endpoints = describe(&sandbox, &["endpoints", "-n", "shop"]);
    assert!(endpoints.contains("Name: api\n"), "{endpoints}");
    describe(&sandbox, &["endpoints", "kubernetes", "-n", "default"]);
    let slices = describe(&sandbox, &["endpointslices", "-n", "shop"]);
    assert!(
        slices.contains("\nPorts: <unset>\nEndpoints: <none>\n"),
        "{slices}"
    );
    describe(
        &sandbox,
        &[
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=api",
            "-n",
            "shop",
        ],
    );
    describe(&sandbox, &["endpointslice", "kubernetes", "-n", "default"]);
}

#[test]
fn ingresses_and_classes_are_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let edge = describe(&sandbox, &["ingress", "edge", "-n", "shop"]);
    assert!(edge.contains("\nTLS:\n edge-tls terminates api.example.org,www.example.org\n SNI routes sni.example.org\n"), "{edge}");
    assert!(
        edge.contains("missing:80 (<error: services \"missing\" not found>)"),
        "{edge}"
    );
    let fallback = describe(&sandbox, &["ingress", "fallback", "-n", "shop"]);
    assert!(fallback.contains("\n * * edge:443 ("), "{fallback}");
    describe(&sandbox, &["ingress", "shop", "-n", "shop"]);
    describe(&sandbox, &["ingresses", "-A"]);
    let nginx = describe(&sandbox, &["ingressclass", "nginx"]);
    assert!(
        nginx.contains("\nParameters:\n APIGroup: k8s.example.org\n"),
        "{nginx}"
    );
    describe(&sandbox, &["ingressclasses"]);
}

#[test]
fn network_policies_are_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let db = describe(&sandbox, &["netpol", "db", "-n", "shop"]);
    assert!(
        db.contains("\n NamespaceSelector: env notin (dev)\n"),
        "{db}"
    );
    assert!(!db.contains("Events:"), "{db}");
    let deny = describe(&sandbox, &["netpol", "deny-all", "-n", "shop"]);
    assert!(
        deny.contains(" <none> (Selected pods are isolated for ingress connectivity)\n"),
        "{deny}"
    );
    describe(&sandbox, &["netpol", "egress-only", "-n", "shop"]);
    describe(&sandbox, &["networkpolicies", "-A"]);
}

/// Missing objects, names taken as prefixes, and events the user may not read.
#[test]
fn bad_input_is_reported_like_kubectl() {
    let (server, sandbox) = cluster();
    for args in [
        &["svc", "nope", "-n", "shop"][..],
        &["ingress", "nope", "-n", "shop"],
        &["netpol", "nope", "-n", "shop"],
        &["ingressclass", "nope"],
        &["endpointslices", "nope", "-n", "shop"],
        &["svc/nope", "-n", "shop"],
        &["svc", "-n", "empty"],
    ] {
        describe(&sandbox, args);
    }
    let missing = run(sandbox.kz(), &["describe", "svc", "nope", "-n", "shop"]);
    assert_eq!(
        missing.failure(),
        "Error from server (NotFound): services \"nope\" not found\n"
    );
    let prefix = describe(&sandbox, &["svc", "no", "-n", "shop"]);
    assert!(prefix.starts_with("Name: nobody\n"), "{prefix}");
    describe(&sandbox, &["netpol", "d", "-n", "shop"]);

    server.deny("alice", "list", "events");
    server.deny("alice", "list", "endpointslices");
    let alice = Sandbox::for_server(&server, &User::named("alice"));
    let api = describe(&alice, &["svc", "api", "-n", "shop"]);
    // kubectl ignores both errors: no endpoints, and an empty Events section.
    assert!(api.ends_with("Events: <none>\n"), "{api}");
    let edge = describe(&alice, &["ingress", "edge", "-n", "shop"]);
    assert!(
        edge.contains("(<error: endpointslices.discovery.k8s.io is forbidden"),
        "{edge}"
    );
}
