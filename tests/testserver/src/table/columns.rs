//! Column definitions (`meta.k8s.io/v1` `TableColumnDefinition`) and the ones many kinds share.

use serde_json::{Value, json};

/// One column as the server describes it. `kind` is the JSON `type` (string, integer, number,
/// boolean, date); `priority` 1 marks the columns clients show only with `-o wide`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    pub priority: u8,
}

impl Column {
    const fn of(kind: &'static str, name: &'static str, description: &'static str) -> Column {
        Column {
            name,
            kind,
            format: "",
            description,
            priority: 0,
        }
    }

    pub const fn string(name: &'static str, description: &'static str) -> Column {
        Column::of("string", name, description)
    }

    pub const fn integer(name: &'static str, description: &'static str) -> Column {
        Column::of("integer", name, description)
    }

    pub const fn boolean(name: &'static str, description: &'static str) -> Column {
        Column::of("boolean", name, description)
    }

    pub const fn date(name: &'static str, description: &'static str) -> Column {
        Column::of("date", name, description)
    }

    pub const fn format(self, format: &'static str) -> Column {
        Column { format, ..self }
    }

    /// Shown only in wide output (priority 1).
    pub const fn wide(self) -> Column {
        Column {
            priority: 1,
            ..self
        }
    }

    pub fn to_json(self) -> Value {
        json!({
            "name": self.name,
            "type": self.kind,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// `ObjectMeta.name`'s documentation, the description of every Name column.
pub(crate) const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// `ObjectMeta.creationTimestamp`'s documentation, the description of every Age column.
pub(crate) const AGE_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

pub(crate) const NAME: Column = Column::string("Name", NAME_DESCRIPTION).format("name");
pub(crate) const AGE: Column = Column::string("Age", AGE_DESCRIPTION);
pub(crate) const CONTAINERS: Column =
    Column::string("Containers", "Names of each container in the template.").wide();
pub(crate) const IMAGES: Column = Column::string(
    "Images",
    "Images referenced by each container in the template.",
)
.wide();
