//! How `rollout` subcommands print the objects they acted on: `deployment.apps/web paused`
//! by default, or the object through the shared printers for `-o` (kubectl's PrintFlags with
//! an operation, which have no table printers).

use std::io::Write;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::cli::PrintArgs;
use crate::discovery::ResourceType;
use crate::print::format::OutputFormat;
use crate::print::printer::{EachObject, PrintOptions, Printer, kind_label};

/// The formats kubectl's rollout subcommands accept.
const FORMATS: &str = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

/// `-o` and its flags, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    options: PrintOptions,
    /// A table format kubectl has no printer for here; it says so only when it comes to
    /// print (after the object was changed).
    unsupported: Option<String>,
}

impl Output {
    pub fn from_args(args: &PrintArgs) -> Result<Output> {
        let options = args.to_options()?;
        let unsupported = match (&options.format, &args.output) {
            (OutputFormat::Wide | OutputFormat::CustomColumns { .. }, Some(output)) => {
                Some(match &output.value {
                    Some(value) => format!("{}={value}", output.name),
                    None => output.name.to_owned(),
                })
            }
            _ => None,
        };
        Ok(Output {
            options,
            unsupported,
        })
    }

    /// kubectl's error for a format it has no printer for here.
    pub fn check(&self) -> Result<()> {
        match &self.unsupported {
            Some(name) => bail!(
                "unable to match a printer suitable for the output format {name:?}, allowed formats are: {FORMATS}"
            ),
            None => Ok(()),
        }
    }

    /// Whether `-o` was left out: the name and what was done are printed.
    pub fn is_default(&self) -> bool {
        self.options.format == OutputFormat::Table
    }

    /// A printer for several objects in a row, as one kubectl printer prints them (for
    /// `-o`, once `check` passed).
    pub fn stream(&self) -> EachObject<'_> {
        EachObject::new(&self.options)
    }

    /// Prints one object `operation` was done to (with a printer of its own, as kubectl
    /// makes one per object).
    pub fn print(
        &self,
        rt: &ResourceType,
        object: Value,
        operation: &str,
        out: &mut impl Write,
    ) -> Result<()> {
        self.check()?;
        if self.is_default() {
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            writeln!(out, "{}/{name} {operation}", kind_label(rt))?;
            return Ok(());
        }
        let mut printer = Printer::new(&self.options, true)?;
        printer.begin(rt, false);
        printer.object(rt, object, out)?;
        printer.end(rt)?;
        printer.finish(out)
    }
}
