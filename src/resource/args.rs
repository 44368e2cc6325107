//! A verb's positional arguments, read the way kubectl's resource builder reads them
//! (`ResourceTypeOrNameArgs`): `pods,svc`, `pod web api`, `deploy/web svc/web`, and
//! `pods,svc web`, which means `pods/web svc/web`. Pure: nothing is looked up here.

use anyhow::{Result, bail};

/// What the arguments name, before discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `pods,svc`: type words (repeats dropped; an empty word is kept for discovery to reject,
    /// as kubectl does).
    Types(Vec<String>),
    /// `pod web api`: one type word, which may still name a category (`all`), and names.
    Names { word: String, names: Vec<String> },
    /// `deploy/web svc/web`: one object per (type word, name) pair, in order.
    Pairs(Vec<(String, String)>),
}

/// Splits the arguments; no arguments is `None`.
pub fn parse_args(args: &[String]) -> Result<Option<Selection>> {
    let args = spell_out_pairs(args);
    let slashed = args.iter().filter(|arg| arg.contains('/')).count();
    if slashed > 0 {
        if slashed != args.len() {
            bail!(
                "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'"
            );
        }
        return Ok(Some(Selection::Pairs(
            args.iter()
                .map(|arg| split_pair(arg))
                .collect::<Result<_>>()?,
        )));
    }
    Ok(match args.as_slice() {
        [] => None,
        [types] => Some(Selection::Types(split_types(types))),
        [word, names @ ..] => Some(Selection::Names {
            word: word.clone(),
            names: names.to_vec(),
        }),
    })
}

/// The arguments of a verb that names one object, kubectl's `ResourceNames`: `NAME` is an
/// object of `default_type`, `TYPE/NAME` any object (`logs web-0`, `logs deploy/web`).
pub fn parse_object_arg(arg: &str, default_type: &str) -> Result<Selection> {
    let pair = if arg.contains('/') {
        split_pair(arg)?
    } else {
        (default_type.to_owned(), arg.to_owned())
    };
    Ok(Selection::Pairs(vec![pair]))
}

/// `pods,svc web api` → `pods/web pods/api svc/web svc/api` (kubectl's
/// `normalizeMultipleResourcesArgs`).
fn spell_out_pairs(args: &[String]) -> Vec<String> {
    match args {
        [types, names @ ..] if !names.is_empty() => {
            let types = split_types(types);
            if types.len() < 2 {
                return args.to_vec();
            }
            types
                .iter()
                .flat_map(|t| names.iter().map(move |name| format!("{t}/{name}")))
                .collect()
        }
        _ => args.to_vec(),
    }
}

/// kubectl's `SplitResourceArgument`: comma-separated, repeats dropped, order kept.
fn split_types(arg: &str) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for word in arg.split(',') {
        if !types.iter().any(|t| t == word) {
            types.push(word.to_owned());
        }
    }
    types
}

fn split_pair(arg: &str) -> Result<(String, String)> {
    let parts: Vec<&str> = arg.split('/').collect();
    let [word, name] = parts.as_slice() else {
        bail!("arguments in resource/name form may not have more than one slash");
    };
    if word.is_empty() || name.is_empty() || split_types(word).len() != 1 {
        bail!("arguments in resource/name form must have a single resource and name");
    }
    Ok((word.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn parse(list: &[&str]) -> Option<Selection> {
        parse_args(&strings(list)).expect("valid")
    }

    fn error(list: &[&str]) -> String {
        parse_args(&strings(list)).unwrap_err().to_string()
    }

    fn pairs(list: &[(&str, &str)]) -> Option<Selection> {
        Some(Selection::Pairs(
            list.iter()
                .map(|(t, n)| (t.to_string(), n.to_string()))
                .collect(),
        ))
    }

    #[test]
    fn one_argument_is_types() {
        assert_eq!(parse(&[]), None);
        assert_eq!(
            parse(&["pods,svc,pods"]),
            Some(Selection::Types(strings(&["pods", "svc"])))
        );
        assert_eq!(
            parse(&["pods,"]),
            Some(Selection::Types(strings(&["pods", ""]))),
            "kubectl: the server doesn't have a resource type \"\""
        );
    }

    #[test]
    fn a_type_and_names() {
        assert_eq!(
            parse(&["all", "web", "api"]),
            Some(Selection::Names {
                word: "all".into(),
                names: strings(&["web", "api"])
            })
        );
    }

    #[test]
    fn several_types_with_names_are_spelled_out_type_by_type() {
        assert_eq!(
            parse(&["pods,svc", "a", "b"]),
            pairs(&[("pods", "a"), ("pods", "b"), ("svc", "a"), ("svc", "b")])
        );
        assert_eq!(
            parse(&["deploy/web", "svc/web"]),
            pairs(&[("deploy", "web"), ("svc", "web")])
        );
    }

    #[test]
    fn kubectls_usage_errors() {
        assert!(
            error(&["pod/a", "svc"])
                .starts_with("there is no need to specify a resource type as a separate argument")
        );
        assert_eq!(
            error(&["pods/a/b"]),
            "arguments in resource/name form may not have more than one slash"
        );
        for bad in [&["pod/"][..], &["/x"], &["pods,svc/a"], &["pods,", "web"]] {
            assert_eq!(
                error(bad),
                "arguments in resource/name form must have a single resource and name",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn object_arguments_default_their_type() {
        assert_eq!(
            parse_object_arg("web-0", "pods").expect("valid"),
            pairs(&[("pods", "web-0")]).expect("some")
        );
        assert_eq!(
            parse_object_arg("deploy/web", "pods").expect("valid"),
            pairs(&[("deploy", "web")]).expect("some")
        );
        assert!(parse_object_arg("deploy/web/x", "pods").is_err());
    }
}
