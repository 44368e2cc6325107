//! `kz completion SHELL`: prints the script that makes the shell complete kz.

use clap::{Args, ValueEnum};

/// Output shell completion code for the specified shell (bash, zsh, fish or powershell).
#[derive(Debug, Clone, Args)]
#[command(
    long_about = "Output shell completion code for the specified shell (bash, zsh, fish or powershell).\n\nThe shell code must be evaluated to provide interactive completion of kz commands: source it from the shell's start-up file, or save it where the shell looks for completions. It completes verbs, flags and flag values, and resource types and names from the cluster, by running kz on each TAB.",
    after_help = "Examples:\n  # Load completion in the current bash shell, and in every new one\n  source <(kz completion bash)\n  echo 'source <(kz completion bash)' >> ~/.bashrc\n\n  # zsh\n  echo 'source <(kz completion zsh)' >> ~/.zshrc\n\n  # fish\n  kz completion fish > ~/.config/fish/completions/kz.fish\n\n  # PowerShell\n  kz completion powershell | Out-String | Invoke-Expression"
)]
pub struct CompletionArgs {
    /// The shell to write completion code for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: CompletionShell,
}

/// The shells kz writes completion code for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl CompletionShell {
    /// The file `completions/` keeps this shell's script in.
    pub fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "kz.bash",
            CompletionShell::Zsh => "_kz",
            CompletionShell::Fish => "kz.fish",
            CompletionShell::Powershell => "kz.ps1",
        }
    }
}
