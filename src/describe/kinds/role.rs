//! kubectl's describer for a Role: name, labels, annotations and its rules as kubectl's PolicyRule table
//! (no events: kubectl shows none for RBAC objects).

use anyhow::Result;
use serde_json::Value;

use super::rbac::describe_role;
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};

pub struct Role;

impl Describer for Role {
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
        describe_role(object, w);
        Ok(())
    }
}
