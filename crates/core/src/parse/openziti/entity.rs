//! `entityChange` (camelCase keys): routers and identities created, updated
//! and deleted, and the commits that make those changes hold.
//!
//! Shapes from `controller/event/entity_change.go` (`EntityChangeEvent`) and
//! `controller/events/dispatcher_entity_change.go`, checked from v1.0 to
//! v2.1 (`docs/openziti-shapes.md`):
//! - `created`/`updated`/`deleted` carry `eventId`, `entityType`,
//!   `isParentEvent`, and the stored entity as `initialState` (`null` on a
//!   create) and `finalState` (`null` on a delete);
//! - `committed` carries only `eventId`: the controller's filter clears its
//!   entity type and parent flag. It cannot be told apart by type, so every
//!   commit becomes an event, and a consumer pairs it with its change.
//!
//! An edge router's change comes twice when the subscription sets
//! `includeParentEvents`: once from the edge-router store (with role
//! attributes) and once, `isParentEvent: true`, from the router store it
//! extends. The parent copy says less about the same change, so it is
//! skipped. Other entity types (services, policies, sessions, …) are
//! skipped too.

use super::some;
use crate::event::{Body, EntityChange, EntityEvent, EntityOp};
use crate::parse::raw::{RawEvent, RawState};
use crate::parse::{bounded, preview, required, ParseError, MAX_FIELD_LEN};
use crate::EntityType;
use serde_json::value::RawValue;

/// Most role attributes we keep per entity. Real ones have a handful; a
/// list far longer is broken or hostile, and would sit in every snapshot.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

pub(super) fn body(raw: &RawEvent) -> Result<Option<Body>, ParseError> {
    let Some(event_type) = raw.event_type.as_deref() else { return Err(ParseError::missing("eventType")) };
    let op = match event_type {
        "created" => EntityOp::Created,
        "updated" => EntityOp::Updated,
        "deleted" => EntityOp::Deleted,
        "committed" => {
            let change = required("eventId", &raw.event_id)?.to_owned();
            return some(Body::Entity(EntityEvent::Committed { change }));
        }
        _ => return Ok(None),
    };
    let change = required("eventId", &raw.event_id)?.to_owned();
    if raw.is_parent_event == Some(true) {
        return Ok(None);
    }
    let entity = match required("entityType", &raw.entity_type)? {
        "routers" => EntityType::Router,
        "identities" => EntityType::Identity,
        _ => return Ok(None),
    };
    // A deletion says what the entity was; the others what it became.
    let (field, state) = match op {
        EntityOp::Deleted => (Fields::INITIAL, raw.initial_state),
        EntityOp::Created | EntityOp::Updated => (Fields::FINAL, raw.final_state),
    };
    let state = read_state(&field, state)?;
    let id = required(field.id, &state.id)?.to_owned();
    let name = match state.name.as_deref() {
        None | Some("") => None,
        Some(n) => Some(bounded(field.name, n)?.to_owned()),
    };
    let identity_type = match (entity, state.identity_type.as_deref()) {
        (EntityType::Identity, Some(t)) if !t.is_empty() => Some(bounded(field.identity_type, t)?.to_owned()),
        _ => None,
    };
    let attributes = match state.role_attributes {
        None => None,
        Some(list) => Some(attributes(&field, list.unwrap_or_default())?),
    };
    some(Body::Entity(EntityEvent::Staged(EntityChange { change, entity, op, id, name, attributes, identity_type })))
}

/// The field names an error can name, per state (they must be `'static`).
struct Fields {
    state: &'static str,
    id: &'static str,
    name: &'static str,
    identity_type: &'static str,
    attributes: &'static str,
}

impl Fields {
    const INITIAL: Fields = Fields {
        state: "initialState",
        id: "initialState.id",
        name: "initialState.name",
        identity_type: "initialState.identityTypeId",
        attributes: "initialState.roleAttributes",
    };
    const FINAL: Fields = Fields {
        state: "finalState",
        id: "finalState.id",
        name: "finalState.name",
        identity_type: "finalState.identityTypeId",
        attributes: "finalState.roleAttributes",
    };
}

fn read_state<'a>(field: &Fields, state: Option<&'a RawValue>) -> Result<RawState<'a>, ParseError> {
    let Some(state) = state else { return Err(ParseError::missing(field.state)) };
    serde_json::from_str(state.get())
        .map_err(|e| ParseError::new(field.state, format!("is not a stored router or identity: {e}")))
}

fn attributes(field: &Fields, list: Vec<String>) -> Result<Vec<String>, ParseError> {
    if list.len() > MAX_ATTRIBUTES {
        return Err(ParseError::new(
            field.attributes,
            format!("has {} entries; the limit is {MAX_ATTRIBUTES}", list.len()),
        ));
    }
    if let Some(long) = list.iter().find(|a| a.len() > MAX_FIELD_LEN) {
        return Err(ParseError::new(
            field.attributes,
            format!("has an entry of {} bytes ({:?}…); the limit is {MAX_FIELD_LEN}", long.len(), preview(long)),
        ));
    }
    Ok(list)
}
