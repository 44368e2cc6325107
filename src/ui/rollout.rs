//! `rollout status` on a terminal: one line per object — its name, the time waited, bars for
//! updated / ready / available pods out of desired, and kubectl's current message — redrawn
//! in place while the rollouts go on, and cleared before the final lines are printed, so
//! nothing of it is left on the screen.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::rollout::status::Progress;

/// Cells of each little bar.
const BAR_WIDTH: i64 = 6;
/// How often the elapsed time is redrawn when nothing else changes.
const TICK: Duration = Duration::from_millis(250);

/// The lines of every object being waited for, drawn on stdout (where kubectl prints).
pub struct RolloutDisplay {
    multi: MultiProgress,
    color: bool,
}

impl RolloutDisplay {
    /// A display on stdout; `color` as the context decided for stdout.
    pub fn new(color: bool) -> RolloutDisplay {
        RolloutDisplay {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stdout()),
            color,
        }
    }

    /// A line for the object called `label` (`deployment/web`), below the earlier ones.
    pub fn add(&self, label: &str) -> ObjectLine {
        let style = ProgressStyle::with_template("{prefix} {elapsed:>4} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.add(
            ProgressBar::no_length()
                .with_style(style)
                .with_prefix(label.to_string()),
        );
        bar.enable_steady_tick(TICK);
        ObjectLine {
            bar,
            color: self.color,
        }
    }

    /// Removes every line from the screen.
    pub fn clear(&self) {
        // A failed clear leaves lines behind on a terminal that is going away anyway.
        let _ = self.multi.clear();
    }
}

/// One object's line.
pub struct ObjectLine {
    bar: ProgressBar,
    color: bool,
}

impl ObjectLine {
    /// Shows the object's counts and kubectl's message for them.
    pub fn show(&self, progress: Progress, message: &str) {
        self.bar.set_message(render(progress, message, self.color));
    }

    /// Stops the line's clock and takes it off the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// `updated [████░░] 2/3 ready [...] 1/3 available [...] 1/3 <message>`; the filled
/// cells green when `color`.
pub fn render(progress: Progress, message: &str, color: bool) -> String {
    let bars = [
        ("updated", progress.updated),
        ("ready", progress.ready),
        ("available", progress.available),
    ]
    .map(|(name, count)| {
        format!(
            "{name} [{}] {count}/{}",
            bar(count, progress.desired, color),
            progress.desired
        )
    });
    format!("{}  {message}", bars.join(" "))
}

fn bar(count: i64, desired: i64, color: bool) -> String {
    let filled = if desired <= 0 {
        BAR_WIDTH
    } else {
        (count.clamp(0, desired) * BAR_WIDTH) / desired
    };
    let filled_cells = "█".repeat(usize::try_from(filled).unwrap_or(0));
    let empty_cells = "░".repeat(usize::try_from(BAR_WIDTH - filled).unwrap_or(0));
    if color && filled > 0 {
        format!("\x1b[32m{filled_cells}\x1b[0m{empty_cells}")
    } else {
        format!("{filled_cells}{empty_cells}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(desired: i64, updated: i64, ready: i64, available: i64) -> Progress {
        Progress {
            desired,
            updated,
            ready,
            available,
        }
    }

    #[test]
    fn a_line_shows_three_bars_out_of_desired_then_the_message() {
        assert_eq!(
            render(counts(4, 2, 1, 0), "Waiting...", false),
            "updated [███░░░] 2/4 ready [█░░░░░] 1/4 available [░░░░░░] 0/4  Waiting..."
        );
    }

    #[test]
    fn bars_are_full_when_nothing_is_desired_and_never_overflow() {
        assert_eq!(bar(0, 0, false), "██████");
        assert_eq!(bar(5, 3, false), "██████");
        assert_eq!(bar(-1, 3, false), "░░░░░░");
    }

    #[test]
    fn colour_is_only_used_when_asked_for() {
        assert_eq!(bar(1, 2, true), "\x1b[32m███\x1b[0m░░░");
        assert!(!render(counts(2, 1, 1, 1), "m", false).contains('\x1b'));
    }
}
