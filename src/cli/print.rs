//! The printing flags verbs share (kubectl's PrintFlags): `-o`, `--template`,
//! `--allow-missing-template-keys`, `--show-managed-fields`. `get` adds its table flags.

use clap::Args;

use crate::print::{OutputArg, OutputArgParser, OutputFormat, PrintOptions};

#[derive(Debug, Clone, Default, Args)]
pub struct PrintArgs {
    /// Output format: json, yaml, name, wide, jsonpath=…, jsonpath-file=…, jsonpath-as-json=…,
    /// custom-columns=…, custom-columns-file=…, go-template=…, go-template-file=….
    #[arg(short = 'o', long, value_name = "FORMAT", value_parser = OutputArgParser, hide_possible_values = true)]
    pub output: Option<OutputArg>,

    /// Template string or path to a template file for -o go-template / -o jsonpath.
    #[arg(long, value_name = "TEMPLATE")]
    pub template: Option<String>,

    /// Ignore errors in templates when a field or map key is missing.
    #[arg(long, default_value = "true")]
    pub allow_missing_template_keys: bool,

    /// Keep metadata.managedFields in json and yaml output.
    #[arg(long)]
    pub show_managed_fields: bool,
}

impl PrintArgs {
    /// The print options these flags give (table flags at their defaults).
    pub fn to_options(&self) -> anyhow::Result<PrintOptions> {
        let format = OutputFormat::resolve(self.output.as_ref(), self.template.as_deref())?;
        Ok(PrintOptions {
            show_managed_fields: self.show_managed_fields,
            allow_missing_template_keys: self.allow_missing_template_keys,
            ..PrintOptions::new(format)
        })
    }
}
