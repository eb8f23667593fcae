//! The settings that keep a production deployment from trusting what it should not: tokens
//! meant for other apps of a shared identity provider, and metric labels clients choose.

use super::{
    Fallback::{Unset, Value},
    Setting, setting,
};

pub const JWT_AUDIENCE_OPTIONAL: Setting = setting(
    "CARTQL_JWT_AUDIENCE_OPTIONAL",
    Value("false"),
    "true lets production start without CARTQL_JWT_AUDIENCE, for an identity provider that issues tokens for cartql alone.",
);

pub const JWT_ROLES_CLAIM: Setting = setting(
    "CARTQL_JWT_ROLES_CLAIM",
    Value("roles"),
    "The claim carrying a user's roles (admin, checkout): a name, a dotted path into nested claims (realm_access.roles) or a namespaced URL claim (https://shop.example.com/roles). cartql token issues tokens with it.",
);

pub const METRICS_OPERATIONS: Setting = setting(
    "CARTQL_METRICS_OPERATIONS",
    Unset,
    "Comma-separated operation names that label metrics by name; any other operation is labelled by its root field (see Observability).",
);
