//! `--validate`, as the verbs that send objects read it: what the server does with fields
//! the object's type does not have.

use clap::Args;

/// `--validate[=MODE]`, the same flag on `apply` and `create`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ValidateArg {
    /// How the server treats fields the type does not have: strict (refuse the object),
    /// warn (accept it and print a warning per field) or ignore (drop them silently).
    /// true means strict, false ignore.
    #[arg(
        id = "validate",
        long = "validate",
        value_name = "MODE",
        default_value = "strict",
        num_args = 0..=1,
        default_missing_value = "strict",
        require_equals = true
    )]
    pub value: String,
}

impl Default for ValidateArg {
    fn default() -> Self {
        ValidateArg {
            value: "strict".to_owned(),
        }
    }
}
