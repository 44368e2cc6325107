//! `kz apply`'s engine, below the command (and `kz diff`'s, which shows what apply would
//! do): the `-f` input, read and checked as a whole (`input`), how one object is applied
//! server-side (`object`), the last-applied annotation kubectl's client-side apply reads
//! (`last_applied`), taking objects over from kubectl (`migrate`), what a conflict says
//! (`conflict`), fields the type does not have (`unknown_fields`), and the order objects go
//! in (`order`).

pub mod conflict;
pub mod input;
pub mod last_applied;
pub mod migrate;
pub mod object;
pub mod order;
pub mod unknown_fields;

pub use conflict::ApplyConflict;
pub use object::{Applied, Change, Settings, Validation, apply, dry_run};
