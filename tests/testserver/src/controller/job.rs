use super::Ctx;

pub(super) fn reconcile(_ctx: &Ctx) {}
