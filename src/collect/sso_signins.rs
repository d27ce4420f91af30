//! IAM Identity Center's own sign-in events, read from CloudTrail event history in the
//! instance's home region (where Identity Center records them) with the shared event
//! reader: every `UserAuthentication` (a completed sign-in) and every
//! `CredentialVerification` (one credential checked), joined by `AuthWorkflowID`, so each
//! sign-in says which credentials it used, and whether one was a second factor.
//!
//! AWS documents these events in "Understanding IAM Identity Center sign-in events"
//! (IAM Identity Center User Guide): `CredentialChallenge`/`CredentialVerification` only
//! for users of the Identity Center directory and of Active Directory; a sign-in through
//! an external identity provider has a `UserAuthentication` with `CredentialType`
//! `EXTERNAL_IDP` and nothing about its factors. Those stay null (`mfa_used`), never a pass.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use serde_json::Value;

use super::trail_events;
use super::{ServiceCtx, resource};
use crate::snapshot::resources::{IdentitystoreGroup, SsoSignin};
use crate::snapshot::{Attributes, Resource, Tags};

pub const TYPE: &str = "aws_sso_signin";
/// Credential types that are a second factor.
const SECOND_FACTORS: &[&str] = &["TOTP", "WEBAUTHN", "RESYNC_TOTP"];
const EXTERNAL_IDP: &str = "EXTERNAL_IDP";

/// What one sign-in event's `CloudTrailEvent` document says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SigninEvent {
    pub workflow: Option<String>,
    pub credential_types: Vec<String>,
    pub user_name: Option<String>,
    pub user_id: Option<String>,
    /// `serviceEventDetails.<EventName>`: `Success` or `Failure`.
    pub result: Option<String>,
}

/// Reads a sign-in event's document (`None` when it is not a JSON object).
pub fn parse(event_name: &str, document: &str) -> Option<SigninEvent> {
    let value: Value = serde_json::from_str(document).ok()?;
    if !value.is_object() {
        return None;
    }
    let text = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Some(SigninEvent {
        workflow: text("/additionalEventData/AuthWorkflowID"),
        credential_types: text("/additionalEventData/CredentialType")
            .map(|t| {
                t.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        user_name: text("/additionalEventData/UserName"),
        user_id: text("/userIdentity/onBehalfOf/userId"),
        result: text(&format!("/serviceEventDetails/{event_name}")),
    })
}

/// Whether the credentials used show a second factor: null when none is known or the
/// sign-in came through an external identity provider (AWS cannot see its factors).
pub fn mfa_used(credential_types: &BTreeSet<String>) -> Option<bool> {
    if credential_types.is_empty() || credential_types.contains(EXTERNAL_IDP) {
        return None;
    }
    Some(
        credential_types
            .iter()
            .any(|t| SECOND_FACTORS.contains(&t.as_str())),
    )
}

/// The sign-ins of the last 90 days in the context's region, for the identity store
/// `store_id` whose `groups` were read. A lookup that fails leaves `aws_sso_signin`
/// unread in the region (a gap): no sign-in is kept from half a history.
pub async fn collect(
    ctx: &ServiceCtx<'_>,
    store_id: &str,
    groups: &[(String, IdentitystoreGroup)],
) -> Vec<Resource> {
    let client = service_client!(aws_sdk_cloudtrail, ctx);
    let window = trail_events::window(Utc::now());
    let subject = |name: &str| format!("Identity Center sign-ins ({name})");
    let verifications = trail_events::lookup(
        ctx,
        &client,
        "CredentialVerification",
        window,
        &[TYPE],
        &subject("CredentialVerification"),
    )
    .await;
    let Some(verifications) = verifications.complete() else {
        return Vec::new();
    };
    let authentications = trail_events::lookup(
        ctx,
        &client,
        "UserAuthentication",
        window,
        &[TYPE],
        &subject("UserAuthentication"),
    )
    .await;
    let Some(authentications) = authentications.complete() else {
        return Vec::new();
    };
    // The credentials each sign-in workflow verified successfully.
    let mut verified: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (event, _) in &verifications {
        let Some(parsed) = parse(
            "CredentialVerification",
            event.cloud_trail_event().unwrap_or_default(),
        ) else {
            continue;
        };
        if let (Some(workflow), Some("Success")) = (parsed.workflow, parsed.result.as_deref()) {
            verified
                .entry(workflow)
                .or_default()
                .extend(parsed.credential_types);
        }
    }
    let (account, region) = (ctx.account, ctx.region);
    authentications
        .into_iter()
        .map(|(event, listed)| {
            let id = event.event_id().unwrap_or_default().to_string();
            let arn = format!("arn:aws:cloudtrail:{region}:{account}:event/{id}");
            let parsed = parse(
                "UserAuthentication",
                event.cloud_trail_event().unwrap_or_default(),
            )
            .unwrap_or_default();
            let mut types: BTreeSet<String> = parsed.credential_types.iter().cloned().collect();
            if let Some(more) = parsed.workflow.as_ref().and_then(|w| verified.get(w)) {
                types.extend(more.iter().cloned());
            }
            let member_of: Vec<String> = parsed
                .user_id
                .as_ref()
                .map(|user| {
                    groups
                        .iter()
                        .filter(|(_, g)| g.members.iter().any(|m| m == user))
                        .map(|(name, _)| name.clone())
                        .collect()
                })
                .unwrap_or_default();
            let event_time = event
                .event_time()
                .and_then(trail_events::rfc3339)
                .unwrap_or_default();
            let user_name = parsed.user_name.or(event.username().map(str::to_string));
            let name = format!(
                "{} {event_time}",
                user_name.as_deref().unwrap_or("unknown user")
            );
            let attributes = SsoSignin {
                event_time,
                user_name,
                user_id: parsed.user_id,
                identity_store_id: store_id.to_string(),
                groups: member_of,
                federated: types.contains(EXTERNAL_IDP),
                mfa_used: mfa_used(&types),
                credential_types: types.into_iter().collect(),
                result: parsed.result,
            };
            resource(
                Attributes::SsoSignin(attributes),
                arn,
                id,
                Some(name),
                account,
                region,
                Tags::new(),
                BTreeMap::from([("resource".to_string(), listed)]),
                Vec::new(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(types: &[&str]) -> BTreeSet<String> {
        types.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn a_second_factor_is_mfa_a_password_alone_is_not_and_an_external_idp_does_not_say() {
        assert_eq!(mfa_used(&set(&["PASSWORD", "TOTP"])), Some(true));
        assert_eq!(mfa_used(&set(&["PASSWORD", "WEBAUTHN"])), Some(true));
        assert_eq!(mfa_used(&set(&["PASSWORD"])), Some(false));
        assert_eq!(mfa_used(&set(&["EXTERNAL_IDP"])), None);
        assert_eq!(mfa_used(&set(&[])), None);
    }

    #[test]
    fn a_verification_event_names_its_workflow_credential_and_result() {
        let e = parse(
            "CredentialVerification",
            r#"{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","userIdentity":{"type":"Unknown","onBehalfOf":{"userId":"u-1","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-1"}},"serviceEventDetails":{"CredentialVerification":"Success"},"additionalEventData":{"AuthWorkflowID":"w-1","CredentialType":"TOTP"}}"#,
        )
        .unwrap();
        assert_eq!(e.workflow.as_deref(), Some("w-1"));
        assert_eq!(e.credential_types, ["TOTP"]);
        assert_eq!(e.result.as_deref(), Some("Success"));
        assert_eq!(e.user_id.as_deref(), Some("u-1"));
        assert!(parse("UserAuthentication", "not json").is_none());
    }
}
