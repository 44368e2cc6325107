//! The flags that say which objects a verb acts on — `TYPE NAME…`, `TYPE/NAME…`, `-f` (with
//! `-R`) and `-l` — flattened into scale, delete and the rollout subcommands, and handed to
//! the resource builder in one place.

use std::path::PathBuf;

use clap::Args;
use clap_complete::ArgValueCompleter;

use crate::resource::{Builder, Verb};

#[derive(Debug, Clone, Default, Args)]
pub struct ObjectArgs {
    /// TYPE NAME ..., or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]", add = ArgValueCompleter::new(crate::complete::resource_args))]
    pub args: Vec<String>,

    /// Files, directories, URLs or "-" (stdin) with the objects to act on.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Label selector (=, ==, !=, in, notin, exists, !key).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
}

impl ObjectArgs {
    /// A resource builder for `verb` with these targets (the verb adds its own flags).
    pub fn builder(&self, verb: Verb) -> Builder {
        Builder::new(verb)
            .args(&self.args)
            .filenames(&self.filenames, self.recursive)
            .label_selector(self.selector.as_deref())
    }
}
