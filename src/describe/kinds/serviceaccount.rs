//! ServiceAccounts: their image pull secrets, mountable secrets and (legacy) token secrets,
//! with the ones that do not exist marked.

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct ServiceAccount;

/// The annotations that tie a token secret to its account.
const ACCOUNT_NAME: &str = "kubernetes.io/service-account.name";
const ACCOUNT_UID: &str = "kubernetes.io/service-account.uid";
const TOKEN_TYPE: &str = "kubernetes.io/service-account-token";

impl Describer for ServiceAccount {
    fn fetches(&self, object: &Value) -> Vec<Fetch> {
        let namespace = text(&object["metadata"]["namespace"]);
        vec![Fetch::labelled("secrets", Some(namespace), "")]
    }

    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);

        let names = |field: &str| -> Vec<&str> {
            object[field]
                .as_array()
                .into_iter()
                .flatten()
                .map(|reference| text(&reference["name"]))
                .collect()
        };
        let pull = names("imagePullSecrets");
        let mount = names("secrets");
        // When the secrets cannot be listed kubectl still describes the account, with no
        // tokens and nothing marked missing.
        let (tokens, missing) = match fetched.related.first() {
            Some(Ok(_)) => {
                let secrets = fetched.items(0);
                let existing: BTreeSet<&str> = secrets
                    .iter()
                    .map(|secret| text(&secret["metadata"]["name"]))
                    .collect();
                let missing: BTreeSet<&str> = pull
                    .iter()
                    .chain(&mount)
                    .copied()
                    .filter(|name| !existing.contains(name))
                    .collect();
                (tokens_of(object, secrets), missing)
            }
            _ => (Vec::new(), BTreeSet::new()),
        };

        for (header, names) in [
            ("Image pull secrets:", &pull),
            ("Mountable secrets: ", &mount),
            ("Tokens:            ", &tokens),
        ] {
            if names.is_empty() {
                put!(w, 0, "{header}\t<none>\n");
                continue;
            }
            for (i, name) in names.iter().enumerate() {
                let prefix = if i == 0 {
                    header
                } else {
                    "                   "
                };
                let marker = if missing.contains(name) {
                    " (not found)"
                } else {
                    ""
                };
                put!(w, 0, "{prefix}\t{name}{marker}\n");
            }
        }

        match &fetched.events {
            Some(Ok(events)) => describe_events(events, settings.now, w),
            // kubectl ignores the error and describes the (empty) list it was filling.
            Some(Err(_)) => describe_events(&[], settings.now, w),
            None => {}
        }
        Ok(())
    }
}

/// The names of the token secrets made for this account (its name and uid on them).
fn tokens_of<'a>(account: &Value, secrets: &'a [Value]) -> Vec<&'a str> {
    let name = text(&account["metadata"]["name"]);
    let uid = text(&account["metadata"]["uid"]);
    secrets
        .iter()
        .filter(|secret| {
            let annotations = &secret["metadata"]["annotations"];
            text(&secret["type"]) == TOKEN_TYPE
                && text(&annotations[ACCOUNT_NAME]) == name
                && text(&annotations[ACCOUNT_UID]) == uid
        })
        .map(|secret| text(&secret["metadata"]["name"]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::{fixture_item, settings};
    use serde_json::json;

    #[test]
    fn the_recorded_default_account_reads_like_kubectl() {
        let sa = fixture_item("041-list-serviceaccounts.json", "default");
        let fetched = Fetched {
            related: vec![Ok(json!({"items": []}))],
            events: Some(Ok(Vec::new())),
        };
        let text =
            crate::describe::render(&ServiceAccount, &sa, &fetched, &settings()).expect("text");
        let name = text_of(&sa, "name");
        let namespace = text_of(&sa, "namespace");
        assert_eq!(
            text,
            format!(
                "Name:                {name}\nNamespace:           {namespace}\nLabels:              <none>\nAnnotations:         <none>\nImage pull secrets:  <none>\nMountable secrets:   <none>\nTokens:              <none>\nEvents:              <none>\n"
            )
        );
    }

    fn text_of(object: &Value, field: &str) -> String {
        text(&object["metadata"][field]).to_string()
    }

    #[test]
    fn secrets_tokens_and_missing_ones() {
        let sa = json!({"metadata": {"name": "builder", "namespace": "shop", "uid": "u-1"},
            "secrets": [{"name": "builder-token"}, {"name": "gone"}],
            "imagePullSecrets": [{"name": "registry"}]});
        let token = |name: &str, uid: &str| {
            json!({"metadata": {"name": name, "annotations": {ACCOUNT_NAME: "builder", ACCOUNT_UID: uid}},
                "type": TOKEN_TYPE})
        };
        let secrets = json!({"items": [
            token("builder-token", "u-1"), token("old-token", "u-0"),
            {"metadata": {"name": "registry"}, "type": "kubernetes.io/dockerconfigjson"},
        ]});
        let fetched = Fetched {
            related: vec![Ok(secrets)],
            events: None,
        };
        let text =
            crate::describe::render(&ServiceAccount, &sa, &fetched, &settings()).expect("text");
        assert!(
            text.ends_with(
                "Image pull secrets:  registry\n\
                 Mountable secrets:   builder-token\n                     \
                 gone (not found)\n\
                 Tokens:              builder-token\n"
            ),
            "{text}"
        );
        let unlisted = Fetched {
            related: vec![Err(anyhow::anyhow!("forbidden"))],
            events: Some(Err(anyhow::anyhow!("forbidden"))),
        };
        let text =
            crate::describe::render(&ServiceAccount, &sa, &unlisted, &settings()).expect("text");
        assert!(
            text.contains("gone\nTokens:              <none>\nEvents:              <none>\n"),
            "{text}"
        );
    }
}
