//! YAML in and out: parsing with serde-saphyr (errors with a position), writing in the style
//! kubectl writes it (sigs.k8s.io/yaml), through `print::kubectl_yaml`.
//!
//! Parsing is bounded, whatever the text: serde-saphyr's budget caps the nodes, nesting, text
//! and alias expansion of a document, so an alias bomb ("billion laughs") or a 100,000-deep
//! nesting is an error at the place that breached the limit, in a few milliseconds, and never
//! a crash or an unbounded allocation.

mod document;

use anyhow::{Context as _, Result};
use serde::Serialize;
use serde_json::Value;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::options::AliasLimits;
use serde_saphyr::{Budget, Error, Location};

use document::Document;

/// The most events that aliases may add to a text. Real manifests use a few aliases, if any;
/// an alias bomb needs millions.
const MAX_REPLAYED_EVENTS: usize = 100_000;

/// Parses every document in `text` as kubectl reads YAML ([`document`]: keys such as `on` and
/// `0x1F` become `"true"` and `"31"`). Errors are one line with the position ("line 2 column
/// 11: unclosed bracket '['"), for messages that already name the file.
pub fn from_multiple(text: &str) -> Result<Vec<Value>, Error> {
    let documents: Vec<Document> =
        serde_saphyr::from_multiple_with_options(text, parse_options()).map_err(explain_limits)?;
    Ok(documents.into_iter().map(|document| document.0).collect())
}

/// Parses a single document; see `from_multiple`.
pub fn from_str(text: &str) -> Result<Value, Error> {
    let document: Document =
        serde_saphyr::from_str_with_options(text, parse_options()).map_err(explain_limits)?;
    Ok(document.0)
}

fn parse_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        // serde-saphyr's defaults: 250,000 nodes, 64 levels of nesting, 64 MiB of text.
        budget: Some(Budget::default()),
        alias_limits: alias_limits(),
        // go-yaml reads YAML 1.1, where `010` is 8.
        legacy_octal_numbers: true,
    }
}

fn alias_limits() -> AliasLimits {
    let mut limits = AliasLimits::default();
    limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    limits
}

/// A breached limit in kz's words ("aliases expand the document past kz's limit of 100000
/// events"), placed at the alias that breached it when one did; other errors as they are.
fn explain_limits(err: Error) -> Error {
    let mut inner = &err;
    let mut alias_use: Option<Location> = None;
    while let Error::AliasError {
        error, locations, ..
    } = inner
    {
        alias_use.get_or_insert(locations.reference_location);
        inner = error;
    }
    let Some(mut msg) = limit_message(inner) else {
        return err;
    };
    if alias_use.is_some() && !msg.contains("alias") {
        msg = format!("aliases expand the document to {msg}");
    }
    match alias_use.or_else(|| err.location()) {
        Some(location) => Error::Message { msg, location },
        None => err,
    }
}

/// What a limit error says; `None` for every other error.
fn limit_message(err: &Error) -> Option<String> {
    let budget = Budget::default();
    let aliases = alias_limits();
    Some(match err {
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => {
                format!(
                    "nesting deeper than kz's limit of {} levels",
                    budget.max_depth
                )
            }
            BudgetBreach::Nodes { .. } => {
                format!("more than kz's limit of {} nodes", budget.max_nodes)
            }
            BudgetBreach::Events { .. } => {
                format!("more than kz's limit of {} YAML events", budget.max_events)
            }
            BudgetBreach::ScalarBytes { .. } => format!(
                "more than kz's limit of {} MiB of text",
                budget.max_total_scalar_bytes >> 20
            ),
            BudgetBreach::Documents { .. } => {
                format!("more than kz's limit of {} documents", budget.max_documents)
            }
            BudgetBreach::Aliases { .. } => {
                format!("more than kz's limit of {} aliases", budget.max_aliases)
            }
            BudgetBreach::Anchors { .. } => {
                format!("more than kz's limit of {} anchors", budget.max_anchors)
            }
            BudgetBreach::MergeKeys { .. } => {
                format!(
                    "more than kz's limit of {} merge keys",
                    budget.max_merge_keys
                )
            }
            BudgetBreach::AliasAnchorRatio { aliases, anchors } => {
                format!("{aliases} aliases of {anchors} anchors, more than kz reads")
            }
            BudgetBreach::RecordedAnchorEvents { .. }
            | BudgetBreach::RecordedAnchorBytes { .. } => {
                "anchors that hold more than kz keeps for their aliases".to_string()
            }
            _ => return None,
        },
        Error::AliasReplayLimitExceeded { .. } | Error::AliasReplayCounterOverflow { .. } => {
            format!(
                "aliases expand the document past kz's limit of {} events",
                aliases.max_total_replayed_events
            )
        }
        Error::AliasReplayStackDepthExceeded { .. } => format!(
            "aliases nested deeper than kz's limit of {}",
            aliases.max_replay_stack_depth
        ),
        _ => return None,
    })
}

/// Serialises `value` as one YAML document, as kubectl writes YAML (see
/// `print::kubectl_yaml`): sorted keys, go-yaml's quoting, literal blocks for multi-line text.
pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    let value = serde_json::to_value(value).context("serialising YAML")?;
    Ok(crate::print::kubectl_yaml::to_string(&value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_errors_are_one_line_with_a_position() {
        let err = from_str("apiVersion: v1\nclusters: [\n").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn limits_are_errors_in_kz_words_where_they_were_breached() {
        let nodes = format!("[{}]", vec!["1"; 250_001].join(","));
        let err = from_str(&nodes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "more than kz's limit of 250000 nodes at line 1, column 500000"
        );
        // Fewer events than the aliases' own limit, but past the nodes of the document.
        let nodes_by_alias = format!(
            "a: &a [{}]\nb: [{}]\nc: *a\n",
            vec!["1"; 60_000].join(","),
            vec!["1"; 180_000].join(",")
        );
        let err = from_str(&nodes_by_alias).unwrap_err();
        assert_eq!(
            err.to_string(),
            "aliases expand the document to more than kz's limit of 250000 nodes at line 3, column 4"
        );
    }

    #[test]
    fn writes_kubeconfig_shaped_documents_like_kubectl() {
        let doc = json!({
            "apiVersion": "v1",
            "clusters": [{"cluster": {"server": "https://127.0.0.1:6443"}, "name": "c1"}],
            "current-context": "",
            "preferences": {},
            "users": null,
            "major": "1",
            "long": "x".repeat(120),
        });
        let text = to_string(&doc).unwrap();
        let expected = format!(
            "apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: c1\ncurrent-context: \"\"\nlong: {}\nmajor: \"1\"\npreferences: {{}}\nusers: null\n",
            "x".repeat(120)
        );
        assert_eq!(text, expected);
    }
}
