//! Tables whose cells are not ASCII, kz against the real kubectl on the same server, byte for
//! byte. kubectl's tab writer counts runes, not terminal columns: CJK text, emoji, flags,
//! combining accents and zero-width joiners must be padded exactly as kubectl pads them (which
//! misaligns them on screen). The expected texts are kubectl v1.32's output for these objects.

use kz_testserver::{TestServer, User};

use crate::compare::like_kubectl;
use crate::support::Sandbox;

/// Config maps whose `note` annotation is the text under test; `lines` holds newlines (a
/// line with one cell ends the columns' runs, and the next run keeps the widths) and
/// `y-escape` an ESC, a carriage return and a tab.
const CONFIG_MAPS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: tables}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: japanese, namespace: tables, annotations: {note: "日本語のテキスト", lang: ja}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: rocket, namespace: tables, annotations: {note: "🚀 launch", lang: emoji}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cafe, namespace: tables, annotations: {note: "café", lang: fr}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: combining
  namespace: tables
  annotations: {note: "cafe\u0301 🇯🇵 👩\u200d👩\u200d👧", lang: mixed}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: lines, namespace: tables, annotations: {note: "one\ntwo\nthree", lang: en}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: x-bare, namespace: tables}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: y-escape
  namespace: tables
  annotations: {note: "x\u001b[31mred\rback", lang: "a\tb"}
"#;

/// A custom resource whose server-side table has two string columns.
const NOTES_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: notes.tables.example}
spec:
  group: tables.example
  scope: Namespaced
  names: {kind: Note, listKind: NoteList, plural: notes, singular: note}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
    additionalPrinterColumns:
    - {name: Text, type: string, jsonPath: .spec.text}
    - {name: Lang, type: string, jsonPath: .spec.lang}
"#;

const NOTES: &str = r#"
apiVersion: tables.example/v1
kind: Note
metadata: {name: japanese, namespace: tables}
spec: {text: "日本語のテキスト", lang: ja}
---
apiVersion: tables.example/v1
kind: Note
metadata: {name: rocket, namespace: tables}
spec: {text: "🚀 launch", lang: emoji}
---
apiVersion: tables.example/v1
kind: Note
metadata: {name: combining, namespace: tables}
spec: {text: "cafe\u0301 🇯🇵 👩\u200d👩\u200d👧", lang: mixed}
---
apiVersion: tables.example/v1
kind: Note
metadata: {name: cafe, namespace: tables}
spec: {text: "café", lang: fr}
"#;

/// The fixture cluster plus the objects above, and a sandbox that talks to it.
fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    server.create(CONFIG_MAPS).expect("config maps");
    server.create(NOTES_CRD).expect("crd");
    server.create(NOTES).expect("notes");
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

#[test]
fn custom_columns_pad_non_ascii_cells_like_kubectl() {
    let (_server, sandbox) = cluster();
    let out = like_kubectl(
        &sandbox,
        &[
            "get",
            "cm",
            "-n",
            "tables",
            "-o",
            "custom-columns=NAME:.metadata.name,NOTE:.metadata.annotations.note,\
             LANG:.metadata.annotations.lang",
        ],
    );
    assert_eq!(
        out,
        "NAME               NOTE             LANG\n\
         cafe               café             fr\n\
         combining          cafe\u{301} 🇯🇵 👩\u{200d}👩\u{200d}👧   mixed\n\
         japanese           日本語のテキスト         ja\n\
         kube-root-ca.crt   <none>           <none>\n\
         lines              one\n\
         two\n\
         three              en\n\
         rocket             🚀 launch           emoji\n\
         x-bare             <none>             <none>\n\
         y-escape           x^[[31mred\\rback   a     b\n"
    );
}

#[test]
fn server_side_tables_pad_non_ascii_cells_like_kubectl() {
    let (_server, sandbox) = cluster();
    let out = like_kubectl(&sandbox, &["get", "notes", "-n", "tables"]);
    assert_eq!(
        out,
        "NAME        TEXT             LANG\n\
         cafe        café             fr\n\
         combining   cafe\u{301} 🇯🇵 👩\u{200d}👩\u{200d}👧   mixed\n\
         japanese    日本語のテキスト         ja\n\
         rocket      🚀 launch         emoji\n"
    );
    let out = like_kubectl(&sandbox, &["get", "notes", "-A", "--show-kind"]);
    assert_eq!(
        out,
        "NAMESPACE   NAME                            TEXT             LANG\n\
         tables      note.tables.example/cafe        café             fr\n\
         tables      note.tables.example/combining   cafe\u{301} 🇯🇵 👩\u{200d}👩\u{200d}👧   mixed\n\
         tables      note.tables.example/japanese    日本語のテキスト         ja\n\
         tables      note.tables.example/rocket      🚀 launch         emoji\n"
    );
}

/// kubectl's table printer cuts a string cell at its first line break and adds `...`, defuses
/// terminal escapes, and leaves a missing (null) cell empty.
#[test]
fn server_side_cells_are_cut_escaped_and_empty_like_kubectl() {
    let (server, sandbox) = cluster();
    server
        .create(
            r#"
apiVersion: v1
kind: Namespace
metadata: {name: cells}
---
apiVersion: tables.example/v1
kind: Note
metadata: {name: multi, namespace: cells}
spec: {text: "first line\nsecond line", lang: en}
---
apiVersion: tables.example/v1
kind: Note
metadata: {name: escape, namespace: cells}
spec: {text: "\u001b[31mred\rback", lang: "x\fy"}
---
apiVersion: tables.example/v1
kind: Note
metadata: {name: missing, namespace: cells}
spec: {text: only text}
"#,
        )
        .expect("notes");
    let out = like_kubectl(&sandbox, &["get", "notes", "-n", "cells"]);
    assert_eq!(
        out,
        "NAME      TEXT            LANG\n\
         escape    ^[[31mred...    x...\n\
         missing   only text       \n\
         multi     first line...   en\n"
    );
}
