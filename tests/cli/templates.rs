//! `-o go-template` end to end, kz against the real kubectl on the fixture cluster: Go's
//! `printf`, including the caps Go puts on widths and precisions. The expected texts are
//! kubectl v1.32's output.

use kz_testserver::{TestServer, User};

use crate::compare::like_kubectl;
use crate::support::Sandbox;

fn go_template(sandbox: &Sandbox, template: &str) -> String {
    let output = format!("go-template={template}");
    like_kubectl(
        sandbox,
        &["get", "deploy", "frontend", "-n", "shop", "-o", &output],
    )
}

/// A width or precision that is still growing past 1e6 ends the directive (and the format)
/// with `%!(NOVERB)`; one taken from an argument beyond ±1e6 is `%!(BADWIDTH)`/`%!(BADPREC)`.
/// kz used to pad to whatever number it read, allocating without bound.
#[test]
fn printf_caps_widths_and_precisions_like_go() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let template = r#"{{printf "%99999999d|rest" 1}}
{{printf "%999999999999d" .spec.replicas}}
{{printf "%.99999999f|x" 1.5}}
{{printf "%*d|%*d|%.*f" 99999999 1 1000001 .spec.replicas -1 1.5}}
{{printf "%10000009d" 1 | len}} {{printf "%*d" 1000000 1 | len}}"#;
    assert_eq!(
        go_template(&sandbox, template),
        "%!(NOVERB)%!(EXTRA int=1)\n\
         %!(NOVERB)%!(EXTRA int64=2)\n\
         %!(NOVERB)%!(EXTRA float64=1.5)\n\
         %!(BADWIDTH)1|%!(BADWIDTH)2|%!(BADPREC)1.500000\n\
         10000009 1000000"
    );
}

#[test]
fn printf_formats_like_go() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let template = r#"{{printf "%*d|%-*d|%.*f|%5.|" 3 .spec.replicas 3 1 2 1.5 1}}
{{printf "%08.3f|%+.2e|%.3g|%x|%#q|%U" -3.5 12345.678 1234.5678 "hé" "a" 65}}
{{printf "%5d|%6v|%T" (index .spec.template.spec.containers 0).ports .metadata.labels .spec.replicas}}
{{printf "x" .nope 2}}"#;
    assert_eq!(
        go_template(&sandbox, template),
        "  2|1  |1.50|%!|(int=    1)\n\
         -003.500|+1.23e+04|1.23e+03|68c3a9|`a`|U+0041\n\
         [map[%!d(string=containerPort): 8080 %!d(string= name):%!d(string=  web) \
         %!d(string=protocol):%!d(string=  TCP)]]|map[   app:frontend]|int64\n\
         x%!(EXTRA <nil>, int=2)"
    );
}
