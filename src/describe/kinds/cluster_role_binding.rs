//! kubectl's describer for a ClusterRoleBinding: name, labels, annotations and its role and subjects
//! (no events: kubectl shows none for RBAC objects).

use anyhow::Result;
use serde_json::Value;

use super::rbac::describe_binding;
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};

pub struct ClusterRoleBinding;

impl Describer for ClusterRoleBinding {
    fn shows_events(&self) -> bool {
        false
    }

    fn describe(
        &self,
        object: &Value,
        _fetched: &Fetched,
        _settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        describe_binding(object, w);
        Ok(())
    }
}
