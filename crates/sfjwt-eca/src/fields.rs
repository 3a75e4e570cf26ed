//! The metadata types of an External Client App and the fields sfjwt reads and writes, with
//! the API version each needs. Transcribed from the Metadata API Developer Guide (one page per
//! type, named after it) and, for the source layout, from the Salesforce CLI's metadata
//! registry (`@salesforce/source-deploy-retrieve`). The manual page
//! `sfjwt_core::manual::eca_metadata` cites each fact.
//!
//! Only these fields are accepted when a folder is read: any other element is refused by
//! name, so a typo never passes silently as a setting Salesforce would ignore or reject.

use crate::version::ApiVersion;

/// What a field's text may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Any text.
    Text,
    /// `true` or `false`.
    Boolean,
    /// One of these values, exactly.
    Enum(&'static [&'static str]),
    /// A comma-separated list of OAuth scope names ([`Scope`](crate::Scope)).
    Scopes,
}

/// One field of a metadata type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The element name.
    pub name: &'static str,
    /// What its text may be.
    pub kind: FieldKind,
    /// The first API version with the field.
    pub since: ApiVersion,
}

/// A metadata type in Salesforce DX source form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataType {
    /// The type's name, also the XML root element (`ExternalClientApplication`).
    pub name: &'static str,
    /// The file suffix, before `-meta.xml` (`eca`).
    pub suffix: &'static str,
    /// The folder under the package directory's `main/default` (`externalClientApps`).
    pub folder: &'static str,
    /// The first API version with the type.
    pub since: ApiVersion,
    /// The fields sfjwt knows.
    pub fields: &'static [Field],
}

impl MetadataType {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const V22: ApiVersion = ApiVersion::new(22);
const V59: ApiVersion = ApiVersion::ECA_TYPES;
const V60: ApiVersion = ApiVersion::CERTIFICATE;

const fn text(name: &'static str, since: ApiVersion) -> Field {
    Field {
        name,
        kind: FieldKind::Text,
        since,
    }
}

const fn boolean(name: &'static str, since: ApiVersion) -> Field {
    Field {
        name,
        kind: FieldKind::Boolean,
        since,
    }
}

/// `ExternalClientApplication`: the app's header.
pub const EXTERNAL_CLIENT_APPLICATION: MetadataType = MetadataType {
    name: "ExternalClientApplication",
    suffix: "eca",
    folder: "externalClientApps",
    since: V59,
    fields: &[
        text("contactEmail", V59),
        text("contactPhone", V59),
        text("description", V59),
        Field {
            name: "distributionState",
            kind: FieldKind::Enum(&["Local", "Packaged", "Managed", "AutoInstalled"]),
            since: V59,
        },
        boolean("isProtected", V59),
        text("label", V59),
        // Salesforce fills it in on the first deploy ([org id]:[app name]); a retrieved
        // folder has it.
        text("orgScopedExternalApp", V59),
    ],
};

/// `ExtlClntAppOauthSettings`: the OAuth plugin's settings (the scopes).
pub const OAUTH_SETTINGS: MetadataType = MetadataType {
    name: "ExtlClntAppOauthSettings",
    suffix: "ecaOauth",
    folder: "extlClntAppOauthSettings",
    since: V59,
    fields: &[
        Field {
            name: "commaSeparatedOauthScopes",
            kind: FieldKind::Scopes,
            since: V59,
        },
        text("externalClientApplication", V59),
        text("label", V59),
    ],
};

/// `ExtlClntAppGlobalOauthSettings`: the OAuth consumer's global settings, where the
/// `certificate` turns the JWT bearer flow on.
pub const GLOBAL_OAUTH_SETTINGS: MetadataType = MetadataType {
    name: "ExtlClntAppGlobalOauthSettings",
    suffix: "ecaGlblOauth",
    folder: "extlClntAppGlobalOauthSets",
    since: V59,
    fields: &[
        text("callbackUrl", V59),
        text("certificate", V60),
        // Salesforce generates it; a retrieved folder has it. sfjwt never writes it.
        text("consumerKey", V59),
        text("externalClientApplication", V59),
        text("label", V59),
    ],
};

/// `ExtlClntAppOauthConfigurablePolicies`: the admin's OAuth policies (who may log in).
pub const OAUTH_POLICIES: MetadataType = MetadataType {
    name: "ExtlClntAppOauthConfigurablePolicies",
    suffix: "ecaOauthPlcy",
    folder: "extlClntAppOauthPolicies",
    since: V59,
    fields: &[
        text("commaSeparatedPermissionSet", V59),
        text("commaSeparatedProfile", V59),
        text("externalClientApplication", V59),
        Field {
            name: "ipRelaxationPolicyType",
            kind: FieldKind::Enum(&[
                "Enforce",
                "Bypass",
                "Bypass_2factor",
                "Enforce_RelaxRefresh",
            ]),
            since: V59,
        },
        text("label", V59),
        Field {
            name: "permittedUsersPolicyType",
            kind: FieldKind::Enum(&["AdminApprovedPreAuthorized", "AllSelfAuthorized"]),
            since: V59,
        },
    ],
};

/// `ExtlClntAppConfigurablePolicies`: which plugins are on (the OAuth plugin).
pub const POLICIES: MetadataType = MetadataType {
    name: "ExtlClntAppConfigurablePolicies",
    suffix: "ecaPlcy",
    folder: "extlClntAppPolicies",
    since: V60,
    fields: &[
        text("externalClientApplication", V60),
        boolean("isEnabled", V60),
        boolean("isOauthPluginEnabled", V60),
        text("label", V60),
    ],
};

/// `PermissionSet`: the set the integration user is assigned; the OAuth policies name it.
pub const PERMISSION_SET: MetadataType = MetadataType {
    name: "PermissionSet",
    suffix: "permissionset",
    folder: "permissionsets",
    since: V22,
    fields: &[text("description", V22), text("label", V22)],
};

/// The five External Client App types, in the order `sfjwt eca new` writes them.
pub const ECA_TYPES: [MetadataType; 5] = [
    EXTERNAL_CLIENT_APPLICATION,
    OAUTH_SETTINGS,
    GLOBAL_OAUTH_SETTINGS,
    OAUTH_POLICIES,
    POLICIES,
];

/// Every type of the folder: the five ECA types and the permission set.
pub const ALL_TYPES: [MetadataType; 6] = [
    EXTERNAL_CLIENT_APPLICATION,
    OAUTH_SETTINGS,
    GLOBAL_OAUTH_SETTINGS,
    OAUTH_POLICIES,
    POLICIES,
    PERMISSION_SET,
];
