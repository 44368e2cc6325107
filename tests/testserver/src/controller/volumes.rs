//! The persistent volume controller, for claims bound ahead of time: a Pending claim whose
//! `spec.volumeName` names an Available volume (or an Available volume whose `claimRef`
//! names the claim) is bound both ways, as the real controller leaves them: the volume
//! Bound with a full claimRef, the claim Bound with the volume's capacity and access modes
//! and the bind annotations.

use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, name, namespace, str_at, uid};
use crate::store::{Collection, ObjectKey};

pub(super) fn reconcile(ctx: &Ctx) {
    let (volumes, _) = ctx
        .store
        .list(&Collection::new("", "persistentvolumes"), None);
    let (claims, _) = ctx
        .store
        .list(&Collection::new("", "persistentvolumeclaims"), None);
    for claim in claims
        .iter()
        .filter(|c| str_at(c, "/status/phase") == Some("Pending"))
    {
        let wanted = str_at(claim, "/spec/volumeName").unwrap_or_default();
        let volume = volumes.iter().find(|pv| {
            str_at(pv, "/status/phase") == Some("Available")
                && (name(pv) == wanted
                    || (str_at(pv, "/spec/claimRef/name") == Some(name(claim))
                        && str_at(pv, "/spec/claimRef/namespace") == Some(namespace(claim))))
        });
        if let Some(volume) = volume {
            bind(ctx, volume, claim);
        }
    }
}

fn bind(ctx: &Ctx, volume: &Value, claim: &Value) {
    let mut pv = volume.clone();
    pv["spec"]["claimRef"] = json!({
        "kind": "PersistentVolumeClaim", "apiVersion": "v1",
        "namespace": namespace(claim), "name": name(claim), "uid": uid(claim),
        "resourceVersion": claim["metadata"]["resourceVersion"],
    });
    // A volume the user pointed at the claim was not bound by the controller.
    if !volume["spec"]["claimRef"].is_object() {
        util::set_annotation(&mut pv, "pv.kubernetes.io/bound-by-controller", "yes");
    }
    pv["status"] = json!({"phase": "Bound", "lastPhaseTransitionTime": util::time(ctx.now)});
    util::write(
        ctx.store,
        &ObjectKey::new("", "persistentvolumes", "", name(volume)),
        pv,
    );

    let mut pvc = claim.clone();
    pvc["spec"]["volumeName"] = json!(name(volume));
    util::set_annotation(&mut pvc, "pv.kubernetes.io/bind-completed", "yes");
    if str_at(claim, "/spec/volumeName").is_none_or(str::is_empty) {
        util::set_annotation(&mut pvc, "pv.kubernetes.io/bound-by-controller", "yes");
    }
    pvc["status"] = json!({
        "phase": "Bound",
        "accessModes": volume["spec"]["accessModes"],
        "capacity": volume["spec"]["capacity"],
    });
    let key = util::key("", "persistentvolumeclaims", claim);
    util::write(ctx.store, &key, pvc);
}
