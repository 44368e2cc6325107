//! Authentication (bearer tokens, client certificates), impersonation, and "RBAC-lite":
//! everybody may do everything except what a deny rule forbids.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::json;

use crate::status::ApiError;

/// Who a request runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub groups: Vec<String>,
}

/// One forbidden verb on one resource (`*` matches any) for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyRule {
    pub user: String,
    pub verb: String,
    pub resource: String,
}

/// What a request wants to do, for authorization and for the Forbidden message.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub resource: &'a str,
    pub subresource: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
}

#[derive(Default)]
pub struct Auth {
    tokens: Mutex<HashMap<String, Identity>>,
    certificates: Mutex<HashMap<Vec<u8>, Identity>>,
    deny: Mutex<Vec<DenyRule>>,
}

/// Users in this group may impersonate others, like cluster-admins.
pub const ADMIN_GROUP: &str = "system:masters";

impl Auth {
    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The token for `user`, minted on first use.
    pub fn token_for(&self, user: &str, groups: &[&str]) -> String {
        let mut tokens = Self::lock(&self.tokens);
        if let Some((token, _)) = tokens.iter().find(|(_, id)| id.name == user) {
            return token.clone();
        }
        let token = format!("kz-{user}-{:016x}", fastrand::u64(..));
        tokens.insert(
            token.clone(),
            Identity {
                name: user.to_string(),
                groups: groups.iter().map(|g| g.to_string()).collect(),
            },
        );
        token
    }

    /// Forgets a token, so requests with it get 401 (an expired credential).
    pub fn revoke_token(&self, token: &str) {
        Self::lock(&self.tokens).remove(token);
    }

    pub fn register_certificate(&self, der: Vec<u8>, user: &str, groups: &[&str]) {
        Self::lock(&self.certificates).insert(
            der,
            Identity {
                name: user.to_string(),
                groups: groups.iter().map(|g| g.to_string()).collect(),
            },
        );
    }

    pub fn deny(&self, rule: DenyRule) {
        Self::lock(&self.deny).push(rule);
    }

    /// Who sent the request: a known bearer token wins, then a known client certificate.
    pub fn authenticate(
        &self,
        authorization: Option<&str>,
        peer_certificate: Option<&[u8]>,
    ) -> Result<Identity, ApiError> {
        if let Some(header) = authorization {
            let token = header
                .strip_prefix("Bearer ")
                .ok_or_else(ApiError::unauthorized)?;
            return Self::lock(&self.tokens)
                .get(token.trim())
                .cloned()
                .ok_or_else(ApiError::unauthorized);
        }
        if let Some(der) = peer_certificate {
            return Self::lock(&self.certificates)
                .get(der)
                .cloned()
                .ok_or_else(ApiError::unauthorized);
        }
        Err(ApiError::unauthorized())
    }

    /// Applies `Impersonate-User`/`Impersonate-Group`: only admins may.
    pub fn impersonate(
        &self,
        caller: Identity,
        user: Option<&str>,
        groups: Vec<String>,
    ) -> Result<Identity, ApiError> {
        let Some(user) = user else {
            return Ok(caller);
        };
        if !caller.groups.iter().any(|g| g == ADMIN_GROUP) {
            return Err(ApiError::new(
                403,
                "Forbidden",
                format!(
                    "users \"{user}\" is forbidden: User \"{}\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
                    caller.name
                ),
            )
            .with_details(json!({"name": user, "kind": "users"})));
        }
        Ok(Identity {
            name: user.to_string(),
            groups,
        })
    }

    /// 403 with the real server's wording when a deny rule matches.
    pub fn authorize(&self, who: &Identity, attrs: &Attributes) -> Result<(), ApiError> {
        let resource = match attrs.subresource {
            Some(sub) => format!("{}/{sub}", attrs.resource),
            None => attrs.resource.to_string(),
        };
        let denied = Self::lock(&self.deny).iter().any(|rule| {
            rule.user == who.name
                && (rule.verb == "*" || rule.verb == attrs.verb)
                && (rule.resource == "*"
                    || rule.resource == resource
                    || rule.resource == attrs.resource)
        });
        if !denied {
            return Ok(());
        }
        Err(forbidden(who, attrs, &resource))
    }
}

fn forbidden(who: &Identity, attrs: &Attributes, resource: &str) -> ApiError {
    let subject = match attrs.name {
        Some(name) => format!("{} \"{name}\"", qualified_resource(attrs)),
        None => qualified_resource(attrs),
    };
    let scope = match attrs.namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_string(),
    };
    let message = format!(
        "{subject} is forbidden: User \"{}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
        who.name, attrs.verb, attrs.group
    );
    let mut details = json!({});
    if let Some(name) = attrs.name {
        details["name"] = json!(name);
    }
    if !attrs.group.is_empty() {
        details["group"] = json!(attrs.group);
    }
    details["kind"] = json!(attrs.resource);
    ApiError::new(403, "Forbidden", message).with_details(details)
}

fn qualified_resource(attrs: &Attributes) -> String {
    let base = crate::status::qualified(attrs.group, attrs.resource);
    match attrs.subresource {
        Some(sub) => format!("{base}/{sub}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> serde_json::Value {
        let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
    }

    #[test]
    fn tokens_and_certificates_authenticate() {
        let auth = Auth::default();
        let token = auth.token_for("viewer", &[]);
        assert_eq!(auth.token_for("viewer", &[]), token, "one token per user");
        let who = auth
            .authenticate(Some(&format!("Bearer {token}")), None)
            .expect("known token");
        assert_eq!(who.name, "viewer");
        auth.register_certificate(vec![1, 2, 3], "alice", &["devs"]);
        assert_eq!(
            auth.authenticate(None, Some(&[1, 2, 3]))
                .expect("cert")
                .name,
            "alice"
        );
        assert_eq!(
            auth.authenticate(Some("Bearer nope"), None)
                .unwrap_err()
                .code,
            401
        );
        assert_eq!(
            auth.authenticate(None, None).unwrap_err(),
            ApiError::unauthorized()
        );
        auth.revoke_token(&token);
        assert_eq!(
            auth.authenticate(Some(&format!("Bearer {token}")), None)
                .unwrap_err()
                .code,
            401
        );
    }

    #[test]
    fn unauthorized_matches_the_real_server() {
        assert_eq!(
            ApiError::unauthorized().to_status(),
            fixture("105-list-pods-unauthorized.json")
        );
    }

    #[test]
    fn forbidden_matches_the_real_server() {
        let auth = Auth::default();
        auth.deny(DenyRule {
            user: "viewer".into(),
            verb: "list".into(),
            resource: "pods".into(),
        });
        let viewer = Identity {
            name: "viewer".into(),
            groups: vec![],
        };
        let attrs = Attributes {
            verb: "list",
            group: "",
            resource: "pods",
            subresource: None,
            namespace: Some("shop"),
            name: None,
        };
        let err = auth.authorize(&viewer, &attrs).unwrap_err();
        assert_eq!(
            err.to_status(),
            fixture("104-list-pods-forbidden-viewer.json")
        );
        let get = Attributes {
            verb: "get",
            ..attrs
        };
        assert!(auth.authorize(&viewer, &get).is_ok());
    }

    #[test]
    fn only_admins_impersonate() {
        let auth = Auth::default();
        let admin = Identity {
            name: "admin".into(),
            groups: vec![ADMIN_GROUP.into()],
        };
        let as_viewer = auth
            .impersonate(admin, Some("viewer"), vec!["g".into()])
            .expect("admin may");
        assert_eq!(as_viewer.name, "viewer");
        assert_eq!(
            auth.impersonate(as_viewer, Some("root"), vec![])
                .unwrap_err()
                .code,
            403
        );
    }
}
