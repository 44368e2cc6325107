//! What kz says when a server-side apply conflicts (409 with `FieldManagerConflict` causes):
//! the object, each field with the manager that owns it, and the ways out. A field set
//! through the `scale` subresource (an autoscaler's or `kubectl scale`'s replicas) is the
//! common case and gets its own advice.

use std::fmt;

use crate::error::Status;

/// A conflicting apply, ready to be printed as kz's `error: …` lines.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ApplyConflict {
    /// `deployment.apps/web`.
    pub object: String,
    /// Where the object came from: a file, `STDIN` or a URL.
    pub origin: String,
    /// `(field, owner)`: `.spec.replicas` and `conflict with "kube-controller-manager" …`.
    pub fields: Vec<(String, String)>,
}

const SCALE: &str = "with subresource \"scale\"";

impl ApplyConflict {
    /// The conflict a 409 answer describes, if it is one (a 409 on a stale resourceVersion
    /// is not).
    pub fn of(status: &Status, object: String, source: &str) -> Option<ApplyConflict> {
        let details = status.details.as_ref()?;
        let fields: Vec<(String, String)> = details
            .causes
            .iter()
            .filter(|cause| cause.reason == "FieldManagerConflict")
            .map(|cause| (cause.field.clone(), cause.message.clone()))
            .collect();
        if status.code != 409 || fields.is_empty() {
            return None;
        }
        Some(ApplyConflict {
            object,
            origin: source.to_owned(),
            fields,
        })
    }

    /// Whether a field belongs to `kubectl apply --server-side` (which applies as `kubectl`).
    fn kubectl_server_side(&self) -> bool {
        self.fields
            .iter()
            .any(|(_, owner)| owner == "conflict with \"kubectl\"")
    }

    fn replicas_from_scale(&self) -> bool {
        self.fields
            .iter()
            .any(|(field, owner)| field == ".spec.replicas" && owner.contains(SCALE))
    }
}

impl fmt::Display for ApplyConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.fields.len();
        let (fields, are) = if count == 1 {
            ("1 field", "is")
        } else {
            ("fields", "are")
        };
        writeln!(
            f,
            "Apply failed for {} from {:?}: {} {are} managed by someone else:",
            self.object,
            self.origin,
            if count == 1 {
                fields.to_owned()
            } else {
                format!("{count} {fields}")
            }
        )?;
        for (field, owner) in &self.fields {
            writeln!(f, "  {field}: {owner}")?;
        }
        if self.replicas_from_scale() {
            writeln!(
                f,
                "The replica count is set through the scale subresource, usually by a HorizontalPodAutoscaler: remove `replicas` from the manifest to leave it to the autoscaler."
            )?;
        }
        if self.kubectl_server_side() {
            writeln!(
                f,
                "\"kubectl\" is the manager of `kubectl apply --server-side`: with --field-manager=kubectl, kz applies as that same manager and shares its fields."
            )?;
        }
        writeln!(f, "To resolve this, either:")?;
        writeln!(
            f,
            "  * remove these fields from the manifest, so that their managers keep them,"
        )?;
        writeln!(
            f,
            "  * run the apply again with --force-conflicts to take them over, or"
        )?;
        write!(
            f,
            "  * set them to their current values, to share them with their managers."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{StatusCause, StatusDetails};

    fn conflict(causes: &[(&str, &str)]) -> Status {
        Status {
            kind: "Status".into(),
            message: "Apply failed with 1 conflict".into(),
            reason: "Conflict".into(),
            code: 409,
            details: Some(StatusDetails {
                causes: causes
                    .iter()
                    .map(|(field, message)| StatusCause {
                        reason: "FieldManagerConflict".into(),
                        message: (*message).into(),
                        field: (*field).into(),
                    })
                    .collect(),
                ..StatusDetails::default()
            }),
        }
    }

    #[test]
    fn an_autoscalers_replicas_get_their_own_advice() {
        let status = conflict(&[(
            ".spec.replicas",
            "conflict with \"kube-controller-manager\" with subresource \"scale\" using apps/v1",
        )]);
        let text = ApplyConflict::of(&status, "deployment.apps/web".into(), "web.yaml")
            .expect("a conflict")
            .to_string();
        assert!(text.starts_with("Apply failed for deployment.apps/web from \"web.yaml\": 1 field is managed by someone else:\n  .spec.replicas: conflict with \"kube-controller-manager\" with subresource \"scale\" using apps/v1\nThe replica count"), "{text}");
        assert!(text.contains("--force-conflicts"), "{text}");
    }

    #[test]
    fn several_fields_are_listed_and_other_409s_are_not_conflicts() {
        let status = conflict(&[
            (".data.a", "conflict with \"alice\""),
            (".data.b", "conflict with \"bob\""),
        ]);
        let text = ApplyConflict::of(&status, "configmap/x".into(), "STDIN")
            .expect("a conflict")
            .to_string();
        assert!(text.contains("2 fields are managed by someone else:\n  .data.a: conflict with \"alice\"\n  .data.b: conflict with \"bob\"\nTo resolve"), "{text}");
        assert!(!text.contains("replica count"));
        assert!(!text.contains("--field-manager=kubectl"));
        let kubectl = conflict(&[(".data.a", "conflict with \"kubectl\"")]);
        let text = ApplyConflict::of(&kubectl, "configmap/x".into(), "STDIN")
            .expect("a conflict")
            .to_string();
        assert!(
            text.contains("with --field-manager=kubectl, kz applies as that same manager"),
            "{text}"
        );
        let stale = Status {
            details: None,
            ..conflict(&[])
        };
        assert_eq!(
            ApplyConflict::of(&stale, "configmap/x".into(), "STDIN"),
            None
        );
    }
}
