//! `-o`: kubectl's output formats, parsed by clap so `--help`, man pages and completions can
//! list them. Template files are only named here; they are read when the printer is built.

use std::ffi::OsStr;
use std::path::PathBuf;

use anyhow::Result;

/// The names `-o` accepts, in kubectl's order for its error message.
pub const FORMAT_NAMES: &[&str] = &[
    "custom-columns",
    "custom-columns-file",
    "go-template",
    "go-template-file",
    "json",
    "jsonpath",
    "jsonpath-as-json",
    "jsonpath-file",
    "name",
    "template",
    "templatefile",
    "wide",
    "yaml",
];

/// `-o NAME[=VALUE]` as typed: which format, and its template or file when given inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputArg {
    pub name: &'static str,
    pub value: Option<String>,
}

/// kubectl's words for a format it does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unable to match a printer suitable for the output format {0:?}, allowed formats are: {allowed}",
    allowed = FORMAT_NAMES.join(",")
)]
pub struct UnknownFormat(pub String);

/// The formats of kubectl's object printers, no table among them: what `create -o` and
/// `config view -o` take.
pub fn object_format_names() -> impl Iterator<Item = &'static str> {
    const TABLES: [&str; 3] = ["custom-columns", "custom-columns-file", "wide"];
    FORMAT_NAMES
        .iter()
        .copied()
        .filter(|name| !TABLES.contains(name))
}

/// kubectl's words for a table format (`wide`, `custom-columns=…`) where only an object
/// printer will do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unable to match a printer suitable for the output format {0:?}, allowed formats are: {allowed}",
    allowed = object_format_names().collect::<Vec<_>>().join(",")
)]
pub struct NotAnObjectFormat(pub String);

impl OutputArg {
    /// The argument as typed: `custom-columns=NAME:.metadata.name`.
    pub fn text(&self) -> String {
        match &self.value {
            Some(value) => format!("{}={value}", self.name),
            None => self.name.to_owned(),
        }
    }

    pub fn parse(text: &str) -> Result<OutputArg, UnknownFormat> {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (text, None),
        };
        let name = FORMAT_NAMES
            .iter()
            .find(|known| **known == name)
            .ok_or_else(|| UnknownFormat(name.to_string()))?;
        Ok(OutputArg { name, value })
    }
}

/// clap's parser for `-o`, with the format names as its possible values.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputArgParser;

impl clap::builder::TypedValueParser for OutputArgParser {
    type Value = OutputArg;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<OutputArg, clap::Error> {
        let text = value.to_string_lossy();
        // A raw error prints as `error: MESSAGE`, kubectl's line for an unknown format.
        OutputArg::parse(&text).map_err(|err| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{err}\n"))
                .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            FORMAT_NAMES
                .iter()
                .map(|name| clap::builder::PossibleValue::new(*name)),
        ))
    }
}

/// `-o`, resolved: `--template` filled in, files named but not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Wide,
    Json,
    Yaml,
    Name,
    JsonPath { template: Template, as_json: bool },
    CustomColumns { spec: Template },
    GoTemplate { template: Template },
}

/// A template given inline, or the file that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Template {
    Inline(String),
    File(PathBuf),
}

impl Template {
    /// The template's text (a file is read now). kubectl's error for an unreadable file.
    pub fn text(&self) -> Result<String> {
        match self {
            Template::Inline(text) => Ok(text.clone()),
            Template::File(path) => std::fs::read_to_string(path).map_err(|err| {
                anyhow::anyhow!(
                    "error reading --template {}, {}",
                    path.display(),
                    go_open_error(&path.display().to_string(), &err)
                )
            }),
        }
    }

    pub fn is_file(&self) -> bool {
        matches!(self, Template::File(_))
    }
}

impl OutputFormat {
    /// The format of `-o` (none: a table) with `--template` as the value it lacks.
    pub fn resolve(output: Option<&OutputArg>, template_flag: Option<&str>) -> Result<Self> {
        let Some(output) = output else {
            return Ok(OutputFormat::Table);
        };
        let value = output.value.as_deref().or(template_flag);
        let given = || -> Result<String> {
            match value {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => anyhow::bail!("template format specified but no template given"),
            }
        };
        let inline = || given().map(Template::Inline);
        let file = || given().map(|path| Template::File(PathBuf::from(path)));
        Ok(match output.name {
            "wide" => OutputFormat::Wide,
            "json" => OutputFormat::Json,
            "yaml" => OutputFormat::Yaml,
            "name" => OutputFormat::Name,
            "jsonpath" => OutputFormat::JsonPath {
                template: inline()?,
                as_json: false,
            },
            "jsonpath-as-json" => OutputFormat::JsonPath {
                template: inline()?,
                as_json: true,
            },
            "jsonpath-file" => OutputFormat::JsonPath {
                template: file()?,
                as_json: false,
            },
            // kubectl lets an empty spec through to the printer, which rejects it.
            "custom-columns" => OutputFormat::CustomColumns {
                spec: Template::Inline(value.unwrap_or_default().to_string()),
            },
            "custom-columns-file" => OutputFormat::CustomColumns { spec: file()? },
            "go-template" | "template" => OutputFormat::GoTemplate {
                template: inline()?,
            },
            "go-template-file" | "templatefile" => OutputFormat::GoTemplate { template: file()? },
            other => return Err(UnknownFormat(other.to_string()).into()),
        })
    }

    /// Table formats ask the server for Tables.
    pub fn is_table(&self) -> bool {
        matches!(self, OutputFormat::Table | OutputFormat::Wide)
    }

    /// The name kubectl uses in "--show-labels option cannot be used with … printer".
    pub fn printer_name(&self) -> &'static str {
        match self {
            OutputFormat::Table | OutputFormat::Wide => "",
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
            OutputFormat::Name => "name",
            OutputFormat::JsonPath { .. } => "jsonpath",
            OutputFormat::CustomColumns { .. } => "custom-columns",
            OutputFormat::GoTemplate { .. } => "go-template",
        }
    }
}

/// Go's `open PATH: no such file or directory`, as kubectl reports a file it cannot read.
fn go_open_error(path: &str, err: &std::io::Error) -> String {
    let reason = match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => err.to_string().to_lowercase(),
    };
    format!("open {path}: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(output: &str, template: Option<&str>) -> Result<OutputFormat> {
        let arg = OutputArg::parse(output)?;
        OutputFormat::resolve(Some(&arg), template)
    }

    #[test]
    fn output_formats_parse_like_kubectl() {
        assert_eq!(
            OutputFormat::resolve(None, None).expect("default"),
            OutputFormat::Table
        );
        assert_eq!(
            format("jsonpath={.a}", None).expect("jsonpath"),
            OutputFormat::JsonPath {
                template: Template::Inline("{.a}".into()),
                as_json: false
            }
        );
        assert_eq!(
            format("jsonpath", Some("{.b}")).expect("--template"),
            OutputFormat::JsonPath {
                template: Template::Inline("{.b}".into()),
                as_json: false
            }
        );
        assert_eq!(
            OutputArg::parse("bogus").unwrap_err().to_string(),
            "unable to match a printer suitable for the output format \"bogus\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
        );
        assert_eq!(
            format("jsonpath=", None).unwrap_err().to_string(),
            "template format specified but no template given"
        );
    }

    #[test]
    fn template_files_are_read_when_asked_not_when_parsed() {
        let missing = format("go-template-file=/no/such/file", None).expect("only named");
        let OutputFormat::GoTemplate { template } = missing else {
            panic!("{missing:?}");
        };
        assert!(template.is_file());
        assert_eq!(
            template.text().unwrap_err().to_string(),
            "error reading --template /no/such/file, open /no/such/file: no such file or directory"
        );
    }

    #[test]
    fn clap_lists_every_format() {
        use clap::builder::TypedValueParser as _;
        let names: Vec<String> = OutputArgParser
            .possible_values()
            .expect("listed")
            .map(|value| value.get_name().to_string())
            .collect();
        assert_eq!(names, FORMAT_NAMES);
    }
}
