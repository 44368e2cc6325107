//! Unified diffs of two texts, line by line, in the hunks GNU `diff -u` prints: three lines
//! of context, changes at most twice that apart in one hunk, `@@ -l,n +l,n @@` headers with
//! `,1` left out and an empty range numbered by the line before it, and within each run of
//! changed lines the removed ones first. The edit script is similar's Myers diff.

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Lines of context around each change (`diff -u`'s default).
pub const CONTEXT: usize = 3;

/// What a line of a hunk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// In both texts: ` `.
    Context,
    /// Only in the old text: `-`.
    Removed,
    /// Only in the new text: `+`.
    Added,
}

impl Mark {
    /// The character that starts the line in a unified diff.
    pub fn symbol(self) -> char {
        match self {
            Mark::Context => ' ',
            Mark::Removed => '-',
            Mark::Added => '+',
        }
    }
}

/// One hunk: where it is in each text and its lines, each with its newline (the last line
/// of a text may have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk<'a> {
    /// 0-based index of the hunk's first line in the old text, and how many lines it has there.
    old_start: usize,
    old_len: usize,
    new_start: usize,
    new_len: usize,
    pub lines: Vec<(Mark, &'a str)>,
}

impl Hunk<'_> {
    /// `@@ -6,7 +6,7 @@`.
    pub fn header(&self) -> String {
        format!(
            "@@ -{} +{} @@",
            range(self.old_start, self.old_len),
            range(self.new_start, self.new_len)
        )
    }
}

/// GNU diff's numbering of a range: `start,len`; a single line by its number alone; an
/// empty range by the number of the line before it, with `,0`.
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// One line of the edit script, with where it is in each text (for an added line, the old
/// text's position is the line it comes before, and the other way round).
#[derive(Debug, Clone, Copy)]
struct Edit {
    mark: Mark,
    old: usize,
    new: usize,
}

/// The hunks that turn `old` into `new`, with `context` lines around each change; none when
/// the texts are the same.
pub fn hunks<'a>(old: &'a str, new: &'a str, context: usize) -> Vec<Hunk<'a>> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let script = edits(&old_lines, &new_lines);
    let is_change = |index: usize| script[index].mark != Mark::Context;
    let mut hunks = Vec::new();
    let mut next = 0;
    while let Some(first) = (next..script.len()).find(|&index| is_change(index)) {
        let start = first.saturating_sub(context).max(next);
        // Extend over changes and the unchanged runs between them that are short enough for
        // their contexts to touch.
        let mut end = first;
        loop {
            while end < script.len() && is_change(end) {
                end += 1;
            }
            let gap = (end..script.len())
                .take_while(|&index| !is_change(index))
                .count();
            if end + gap < script.len() && gap <= 2 * context {
                end += gap;
            } else {
                break;
            }
        }
        let stop = (end + context).min(script.len());
        hunks.push(hunk(&script[start..stop], &old_lines, &new_lines));
        next = stop;
    }
    hunks
}

/// The edit script, one entry per line.
fn edits(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let mut script = Vec::with_capacity(old.len().max(new.len()));
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (_, old_range, new_range) = op.as_tag_tuple();
        let (removed, added) = match op {
            DiffOp::Equal { .. } => {
                script.extend(old_range.zip(new_range).map(|(old, new)| Edit {
                    mark: Mark::Context,
                    old,
                    new,
                }));
                continue;
            }
            DiffOp::Delete { .. } => (old_range, new_range.start..new_range.start),
            DiffOp::Insert { .. } => (old_range.start..old_range.start, new_range),
            DiffOp::Replace { .. } => (old_range, new_range),
        };
        let (old_end, new_start) = (removed.end, added.start);
        script.extend(removed.map(|old| Edit {
            mark: Mark::Removed,
            old,
            new: new_start,
        }));
        script.extend(added.map(|new| Edit {
            mark: Mark::Added,
            old: old_end,
            new,
        }));
    }
    script
}

/// A hunk of `edits`: each run of changes with its removed lines first.
fn hunk<'a>(edits: &[Edit], old: &[&'a str], new: &[&'a str]) -> Hunk<'a> {
    let count = |mark: Mark| edits.iter().filter(|edit| edit.mark == mark).count();
    let context = count(Mark::Context);
    let mut lines = Vec::with_capacity(edits.len());
    let mut added = Vec::new();
    for edit in edits {
        match edit.mark {
            Mark::Context => {
                lines.append(&mut added);
                lines.push((Mark::Context, old[edit.old]));
            }
            Mark::Removed => lines.push((Mark::Removed, old[edit.old])),
            Mark::Added => added.push((Mark::Added, new[edit.new])),
        }
    }
    lines.append(&mut added);
    let first = edits.first().copied().unwrap_or(Edit {
        mark: Mark::Context,
        old: 0,
        new: 0,
    });
    Hunk {
        old_start: first.old,
        old_len: context + count(Mark::Removed),
        new_start: first.new,
        new_len: context + count(Mark::Added),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(old: &str, new: &str) -> String {
        let mut text = String::new();
        for hunk in hunks(old, new, CONTEXT) {
            text.push_str(&hunk.header());
            text.push('\n');
            for (mark, line) in hunk.lines {
                text.push(mark.symbol());
                text.push_str(line);
            }
        }
        text
    }

    fn numbered(range: std::ops::Range<usize>) -> String {
        range.map(|n| format!("line {n}\n")).collect()
    }

    #[test]
    fn the_same_texts_have_no_hunks() {
        assert!(hunks("a\nb\n", "a\nb\n", CONTEXT).is_empty());
        assert!(hunks("", "", CONTEXT).is_empty());
    }

    #[test]
    fn a_changed_line_has_three_lines_of_context() {
        let old = numbered(1..11);
        let new = old.replace("line 5\n", "line five\n");
        assert_eq!(
            render(&old, &new),
            "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n"
        );
    }

    #[test]
    fn a_new_text_is_all_added_from_line_zero() {
        assert_eq!(render("", "a\nb\n"), "@@ -0,0 +1,2 @@\n+a\n+b\n");
        assert_eq!(render("a\n", ""), "@@ -1 +0,0 @@\n-a\n");
    }

    #[test]
    fn changes_six_lines_apart_share_a_hunk_and_seven_do_not() {
        let old = numbered(1..20);
        let six = old.replace("line 3\n", "x\n").replace("line 10\n", "y\n");
        assert_eq!(hunks(&old, &six, CONTEXT).len(), 1);
        let seven = old.replace("line 3\n", "x\n").replace("line 11\n", "y\n");
        assert_eq!(hunks(&old, &seven, CONTEXT).len(), 2);
    }
}
