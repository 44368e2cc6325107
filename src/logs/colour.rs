//! Colours for log prefixes and pick-up notices, when the context's colour decision allows
//! them.
//!
//! Each `pod/NAME/CONTAINER` gets one of twelve ANSI foreground colours (31–36, then their
//! bright forms 91–96), chosen by an FNV-1a hash of its label: the same container has the same
//! colour in every run, and neighbours usually differ. Notices are green (`+`) and red (`-`).

/// The palette, in SGR codes: red, green, yellow, blue, magenta, cyan, and the bright ones.
const PALETTE: [u8; 12] = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

/// SGR code of a started stream's notice.
pub const STARTED: u8 = 32;
/// SGR code of a dropped stream's notice.
pub const STOPPED: u8 = 31;

/// FNV-1a, 64 bits: stable across runs and platforms, unlike `std`'s hashers.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The SGR code of the colour for this label.
pub fn code_for(label: &str) -> u8 {
    let index = usize::try_from(fnv1a(label) % PALETTE.len() as u64).unwrap_or(0);
    PALETTE[index]
}

/// `text` in colour `code`, reset after.
pub fn paint(text: &str, code: u8) -> String {
    format!("\x1b[{code}m{text}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_always_gets_the_same_colour_and_labels_spread() {
        let label = "pod/web-7d9-abcde/web";
        assert_eq!(code_for(label), code_for(label));
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        let codes: std::collections::BTreeSet<u8> = (0..40)
            .map(|i| code_for(&format!("pod/web-{i}/web")))
            .collect();
        assert!(codes.len() >= 8, "{codes:?}");
        assert!(codes.iter().all(|code| PALETTE.contains(code)));
    }

    #[test]
    fn paint_resets_after_the_text() {
        assert_eq!(paint("[pod/a/b]", 34), "\x1b[34m[pod/a/b]\x1b[0m");
    }
}
