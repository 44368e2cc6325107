//! kz's palette: the few styles kz colours output with, as ANSI SGR sequences. Whether to use
//! them is the Context's one decision (`ctx.out_terminal().color` for stdout,
//! `ctx.err_terminal().color` for stderr); a disabled palette returns text unchanged, so
//! callers write the same code either way.
//!
//! Table headers, describe keys, YAML keys and statuses are painted by `ui::paint`; diff
//! lines (`Style::Added` / `Style::Removed`) and log prefixes (`Palette::rotating`) use the
//! same palette.

use std::borrow::Cow;

/// What a piece of text is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A table's header row: bold.
    Header,
    /// A key in describe output or YAML: cyan.
    Key,
    /// A healthy status (`Running`, `Active`, `Bound`, `True`): green.
    Good,
    /// A status on its way somewhere (`Pending`, `ContainerCreating`, `Terminating`): yellow.
    Waiting,
    /// A failed status (`CrashLoopBackOff`, `Error`, `ImagePullBackOff`, `False`): red.
    Bad,
    /// Finished and out of the way (`Completed`, `Succeeded`): faint.
    Done,
    /// An added line of a diff: green.
    Added,
    /// A removed line of a diff: red.
    Removed,
}

impl Style {
    /// The SGR parameters that start this style.
    fn sgr(self) -> &'static str {
        match self {
            Style::Header => "1",
            Style::Key => "36",
            Style::Good | Style::Added => "32",
            Style::Waiting => "33",
            Style::Bad | Style::Removed => "31",
            Style::Done => "2",
        }
    }
}

/// The colours a log prefix (`[pod/web-1/app]`) cycles through, one per source.
const ROTATION: [&str; 6] = ["32", "33", "34", "35", "36", "91"];

/// Paints text when enabled, and leaves it alone otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    /// A palette that paints when `enabled` (pass the Context's colour decision).
    pub fn new(enabled: bool) -> Palette {
        Palette { enabled }
    }

    pub fn is_enabled(self) -> bool {
        self.enabled
    }

    /// `text` in `style`.
    pub fn paint(self, style: Style, text: &str) -> Cow<'_, str> {
        self.sgr(style.sgr(), text)
    }

    /// `text` in the colour of the `index`th source, cycling, for prefixes that tell sources
    /// apart (the lines of several pods' logs).
    pub fn rotating(self, index: usize, text: &str) -> Cow<'_, str> {
        self.sgr(ROTATION[index % ROTATION.len()], text)
    }

    /// `word` in the style of the status it names, or unchanged when it names none.
    pub fn status(self, word: &str) -> Cow<'_, str> {
        match status_style(word) {
            Some(style) => self.paint(style, word),
            None => Cow::Borrowed(word),
        }
    }

    fn sgr<'a>(self, parameters: &str, text: &'a str) -> Cow<'a, str> {
        if !self.enabled || text.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(format!("\x1b[{parameters}m{text}\x1b[0m"))
    }
}

/// The style of a status word in kubectl's tables and describe output.
pub fn status_style(word: &str) -> Option<Style> {
    let style = match word {
        "Running" | "Active" | "Bound" | "Ready" | "Available" | "True" | "Healthy" => Style::Good,
        "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" | "Unknown"
        | "Released" | "SchedulingDisabled" => Style::Waiting,
        "CrashLoopBackOff"
        | "Error"
        | "Failed"
        | "ImagePullBackOff"
        | "ErrImagePull"
        | "OOMKilled"
        | "Evicted"
        | "NotReady"
        | "CreateContainerConfigError"
        | "InvalidImageName"
        | "ContainerStatusUnknown"
        | "Lost"
        | "False" => Style::Bad,
        "Completed" | "Succeeded" => Style::Done,
        _ if word.starts_with("Init:") => Style::Waiting,
        _ => return None,
    };
    Some(style)
}

/// `text` without SGR sequences: what a painted text reads as.
pub fn strip(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\x1b[") {
        plain.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('m') {
            Some(end) => rest = &after[end + 1..],
            None => {
                rest = after;
                break;
            }
        }
    }
    plain.push_str(rest);
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_palette_changes_nothing() {
        let off = Palette::new(false);
        assert_eq!(off.paint(Style::Header, "NAME"), "NAME");
        assert_eq!(off.status("Running"), "Running");
        assert_eq!(off.rotating(3, "[web]"), "[web]");
    }

    #[test]
    fn styles_and_statuses() {
        let on = Palette::new(true);
        assert_eq!(on.paint(Style::Header, "NAME"), "\x1b[1mNAME\x1b[0m");
        assert_eq!(on.paint(Style::Key, "Name:"), "\x1b[36mName:\x1b[0m");
        assert_eq!(on.status("Running"), "\x1b[32mRunning\x1b[0m");
        assert_eq!(
            on.status("CrashLoopBackOff"),
            "\x1b[31mCrashLoopBackOff\x1b[0m"
        );
        assert_eq!(on.status("Pending"), "\x1b[33mPending\x1b[0m");
        assert_eq!(on.status("Init:0/1"), "\x1b[33mInit:0/1\x1b[0m");
        assert_eq!(on.status("web-1"), "web-1");
        assert_eq!(on.paint(Style::Added, ""), "");
    }

    #[test]
    fn rotating_colours_cycle() {
        let on = Palette::new(true);
        assert_eq!(on.rotating(0, "a"), on.rotating(ROTATION.len(), "a"));
        assert_ne!(on.rotating(0, "a"), on.rotating(1, "a"));
    }

    #[test]
    fn strip_undoes_painting() {
        let on = Palette::new(true);
        let painted = format!("{} {}", on.paint(Style::Header, "NAME"), on.status("Error"));
        assert_eq!(strip(&painted), "NAME Error");
        assert_eq!(strip("plain"), "plain");
    }
}
