//! The OpenZiti edge management API, the subset zitiscope reads: the list
//! of edge routers and the list of identities, each a page at a time in the
//! API's envelope, and the API's error envelope. The feed's simulator serves
//! exactly these shapes (`crates/feed/src/mgmt/`), so that a client of a
//! real controller parses what the simulator serves.
//!
//! Where the shapes come from (read at `openziti/edge-api` and
//! `openziti/ziti`, 2025):
//! - the paths and parameters: `edge-api` `source/management/edge-routers.yml`
//!   (`listEdgeRouters`) and `identities.yml` (`listIdentities`): `limit`
//!   and `offset` are `integer` query parameters (`source/shared/parameters.yml`);
//! - the envelope: `listEdgeRoutersEnvelope` / `listIdentitiesEnvelope`
//!   `{meta, data}`, `meta` as in `source/shared/standard-responses.yml`
//!   (`filterableFields`, `pagination`), and the generated `rest_model`
//!   `Pagination` (`limit`, `offset`, `totalCount`, all required), `Meta`
//!   (`apiEnrolmentVersion`, `apiVersion`, `filterableFields`, `pagination`,
//!   each omitted when empty);
//! - the items: `edgeRouterDetail` (`baseEntity`, `commonEdgeRouterProperties`,
//!   and `isVerified`, `roleAttributes`, `isTunnelerEnabled`, …) and the
//!   generated `IdentityDetail` (`type` an `entityRef`, `typeId`,
//!   `hasApiSession`, `hasEdgeRouterConnection`, `edgeRouterConnectionStatus`,
//!   `roleAttributes`, …). `roleAttributes` is `null` for an entity with none
//!   (a nil Go slice);
//! - the paging rules: `ziti` `controller/models/base_model.go`, `checkLimits`:
//!   a missing, zero or below −1 `limit` is 10, one over 500 is 500, −1 is
//!   "all"; a missing or negative `offset` is 0, one over 100,000 is 100,000;
//! - a `limit` or `offset` that is not an integer never reaches the handler:
//!   go-swagger's binding (`list_edge_routers_parameters.go`,
//!   `errors.InvalidType`) refuses it, and the controller's error handler
//!   answers any validation error 400 `COULD_NOT_VALIDATE` with the field
//!   as the cause (`controller/api_impl`, `ToRestModel`; the envelope's
//!   `meta` carries the API versions).
//!
//! - logging in: `POST /edge/management/v1/authenticate?method=password`
//!   with `{"username","password"}` answers `{"data":{"token",…}}` (and the
//!   same token in the `zt-session` header); every later request sends
//!   `zt-session: <token>`; a missing or expired session is 401
//!   `UNAUTHORIZED`, a failed login 401 `INVALID_AUTH`.
//!
//! Parsing is lenient where the spec allows absence (every optional field
//! has a default), so a newer controller's extra fields are ignored.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod listing;

/// `GET` this for the edge routers.
pub const EDGE_ROUTERS_PATH: &str = "/edge/management/v1/edge-routers";
/// `GET` this for the identities.
pub const IDENTITIES_PATH: &str = "/edge/management/v1/identities";

/// The most items a page holds (`ListLimitMax`).
pub const LIMIT_MAX: i64 = 500;
/// A page's size when `limit` is missing or nonsense (`ListLimitDefault`).
pub const LIMIT_DEFAULT: i64 = 10;
/// The furthest a page may start (`ListOffsetMax`).
pub const OFFSET_MAX: i64 = 100_000;
/// The API versions an error envelope names (the spec's examples).
pub const API_VERSION: &str = "0.0.1";

/// `POST` this (with `?method=password`) to log in.
pub const AUTHENTICATE_PATH: &str = "/edge/management/v1/authenticate";
/// The header that carries an API session's token, both ways.
pub const SESSION_HEADER: &str = "zt-session";

/// The body of a password login (`authenticate`, `method=password`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// A single resource: `{"data":{...},"meta":{...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataEnvelope<T> {
    pub data: T,
    #[serde(default)]
    pub meta: Meta,
}

/// A login's answer (`currentApiSessionDetail`), the fields zitiscope
/// reads: the token to send as [`SESSION_HEADER`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiSession {
    #[serde(default)]
    pub id: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<EntityRef>,
}

/// The controller's answer to a request without a valid session (401).
pub fn unauthorized() -> ApiError {
    ApiError {
        code: "UNAUTHORIZED".into(),
        message: "The request could not be completed. The session is not authorized or the credentials are invalid"
            .into(),
        ..ApiError::default()
    }
}

/// The controller's answer to a failed login (401).
pub fn invalid_auth() -> ApiError {
    ApiError { code: "INVALID_AUTH".into(), message: "The authentication request failed".into(), ..ApiError::default() }
}

/// A page of a list: `{"data":[...],"meta":{...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListEnvelope<T> {
    pub data: Vec<T>,
    pub meta: Meta,
}

/// What the API says about a response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// The fields a `filter` may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filterable_fields: Vec<String>,
    /// (Spelt with one "l", as the generated model writes it.)
    #[serde(default, rename = "apiEnrolmentVersion", skip_serializing_if = "Option::is_none")]
    pub api_enrolment_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
}

/// Where a page sits in the whole list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// The page size used (after the limits), −1 for "all".
    pub limit: i64,
    /// Where the page starts (after the limits).
    pub offset: i64,
    /// How many items the whole list holds.
    pub total_count: i64,
}

/// A link to a resource (`_links` values).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub href: String,
}

/// Named links, as every entity carries them.
pub type Links = BTreeMap<String, Link>;

/// A reference to another resource (`entityRef`): an identity's type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "_links", skip_serializing_if = "BTreeMap::is_empty")]
    pub links: Links,
}

/// What every entity carries besides its id and name (`baseEntity`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Base {
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    #[serde(default, rename = "_links")]
    pub links: Links,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, serde_json::Value>>,
}

/// One edge router (`edgeRouterDetail`), the fields zitiscope knows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeRouter {
    pub id: String,
    pub name: String,
    /// `null` when it has none.
    #[serde(default)]
    pub role_attributes: Option<Vec<String>>,
    /// Whether a controller holds its control channel now.
    #[serde(default)]
    pub is_online: bool,
    #[serde(default)]
    pub is_verified: bool,
    #[serde(default)]
    pub is_tunneler_enabled: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub no_traversal: Option<bool>,
    #[serde(default)]
    pub cost: Option<i64>,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub sync_status: String,
    #[serde(default)]
    pub supported_protocols: BTreeMap<String, String>,
    /// The times, links and tags every entity has.
    #[serde(flatten)]
    pub base: Base,
}

/// One identity (`identityDetail`), the fields zitiscope knows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub id: String,
    pub name: String,
    /// `{"id":"Default","name":"Default"}` (or `Router`: a router's own).
    #[serde(default, rename = "type")]
    pub identity_type: Option<EntityRef>,
    #[serde(default)]
    pub type_id: String,
    /// `null` when it has none.
    #[serde(default)]
    pub role_attributes: Option<Vec<String>>,
    #[serde(default)]
    pub has_api_session: bool,
    #[serde(default)]
    pub has_edge_router_connection: bool,
    /// `online`, `offline` or `unknown`.
    #[serde(default)]
    pub edge_router_connection_status: Option<String>,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub disabled: bool,
    /// The times, links and tags every entity has.
    #[serde(flatten)]
    pub base: Base,
}

/// An error answer: `{"error":{...},"meta":{...}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ApiError,
    #[serde(default)]
    pub meta: Meta,
}

/// What went wrong (`apiError`); empty fields are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<FieldError>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cause_message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_id: String,
}

/// The field an error is about (`apiFieldError`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub value: String,
}

/// The page a list request asks for, after the controller's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// Items per page; −1 for all of them.
    pub limit: i64,
    pub offset: i64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging { limit: LIMIT_DEFAULT, offset: 0 }
    }
}

impl Paging {
    /// Reads the raw `limit` and `offset` query values as the controller
    /// does (see the module docs); an empty value counts as absent. A value
    /// that is not a 64-bit integer is the API's 400 answer.
    pub fn from_query(limit: Option<&str>, offset: Option<&str>) -> Result<Paging, Box<ApiError>> {
        let limit = integer("limit", limit)?;
        let offset = integer("offset", offset)?;
        let limit = match limit {
            None => LIMIT_DEFAULT,
            Some(l) if l < -1 || l == 0 => LIMIT_DEFAULT,
            Some(l) => l.min(LIMIT_MAX),
        };
        let offset = offset.filter(|o| *o >= 0).unwrap_or(0).min(OFFSET_MAX);
        Ok(Paging { limit, offset })
    }

    /// The items of a list of `total` this page holds, as index bounds.
    pub fn range(self, total: usize) -> std::ops::Range<usize> {
        let start = usize::try_from(self.offset).unwrap_or(0).min(total);
        let end = match usize::try_from(self.limit) {
            Ok(n) => start.saturating_add(n).min(total),
            Err(_) => total, // −1: all
        };
        start..end
    }

    /// The envelope of the page `data` of a list of `total` items.
    pub fn envelope<T>(self, data: Vec<T>, total: usize, filterable: &[&str]) -> ListEnvelope<T> {
        ListEnvelope {
            data,
            meta: Meta {
                pagination: Some(Pagination {
                    limit: self.limit,
                    offset: self.offset,
                    total_count: i64::try_from(total).unwrap_or(i64::MAX),
                }),
                filterable_fields: filterable.iter().map(|f| f.to_string()).collect(),
                ..Meta::default()
            },
        }
    }
}

/// A query value as an integer, or the error the API gives for it.
fn integer(field: &str, raw: Option<&str>) -> Result<Option<i64>, Box<ApiError>> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
    raw.parse::<i64>().map(Some).map_err(|_| Box::new(invalid(field, raw)))
}

/// The controller's answer to a query value of the wrong type (go-openapi's
/// `InvalidType` wording, under `COULD_NOT_VALIDATE`). The value is cut to
/// 64 characters, with control characters dropped.
pub fn invalid(field: &str, raw: &str) -> ApiError {
    let value: String = raw.chars().filter(|c| !c.is_control()).take(64).collect();
    ApiError {
        code: "COULD_NOT_VALIDATE".into(),
        message: "The supplied request contains an invalid document".into(),
        cause: Some(FieldError {
            field: field.into(),
            reason: format!("{field} in query must be of type int64: {value:?}"),
            value,
        }),
        ..ApiError::default()
    }
}

impl ApiError {
    /// This error in its envelope, with the request's id.
    pub fn envelope(mut self, request_id: &str) -> ErrorEnvelope {
        self.request_id = request_id.into();
        ErrorEnvelope {
            error: self,
            meta: Meta {
                api_enrolment_version: Some(API_VERSION.into()),
                api_version: Some(API_VERSION.into()),
                ..Meta::default()
            },
        }
    }
}

/// The fields a real controller lets a `filter` name on edge routers (a
/// subset: the simulator does not filter).
pub const EDGE_ROUTER_FIELDS: [&str; 12] = [
    "id",
    "createdAt",
    "updatedAt",
    "tags",
    "isSystem",
    "name",
    "cost",
    "noTraversal",
    "disabled",
    "isVerified",
    "roleAttributes",
    "isTunnelerEnabled",
];

/// The same for identities.
pub const IDENTITY_FIELDS: [&str; 12] = [
    "id",
    "createdAt",
    "updatedAt",
    "tags",
    "isSystem",
    "name",
    "type",
    "isAdmin",
    "isDefaultAdmin",
    "roleAttributes",
    "hasApiSession",
    "hasEdgeRouterConnection",
];

/// A source of the two lists, a page at a time, in id order: the
/// simulator's model (and, later, a cache of a real controller's).
pub trait Directory: Send + Sync {
    /// The edge routers `paging` picks, and how many there are in all.
    fn edge_routers(&self, paging: Paging) -> (Vec<EdgeRouter>, usize);
    /// The identities `paging` picks, and how many there are in all.
    fn identities(&self, paging: Paging) -> (Vec<Identity>, usize);
}

#[cfg(test)]
#[path = "mgmt_tests.rs"]
mod tests;
