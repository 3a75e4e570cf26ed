//! Every XML file `EcaSpec` writes, element by element, against a table transcribed by hand
//! from the Metadata API Developer Guide (API 66.0; one page per type, `meta_<type>.htm`):
//! field name, type, allowed values and the first API version. An element missing from the
//! table fails, so nothing undocumented can be written. The library's own field table
//! (`sfjwt_eca::fields`) must agree with this one.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::time::SystemTime;

use sfjwt_eca::fields::{ALL_TYPES, FieldKind};
use sfjwt_eca::{EcaSpec, IpRelaxation, Scope};

/// What a field holds, as the guide's "Field Type" column says.
#[derive(Debug, Clone, Copy)]
enum Type {
    /// `string`.
    String,
    /// `boolean`.
    Boolean,
    /// An enumeration of type string, with its documented values.
    Enum(&'static [&'static str]),
    /// `string`, a comma-separated list of scope names.
    ScopeList,
}

/// One documented field.
struct Doc {
    field: &'static str,
    ty: Type,
    /// API version the field (or its type) first appears in.
    since: u16,
}

/// One documented type, with the page it comes from.
struct Page {
    metadata_type: &'static str,
    /// The guide's page (Metadata API Developer Guide, Metadata Types).
    page: &'static str,
    fields: &'static [Doc],
}

const fn f(field: &'static str, ty: Type, since: u16) -> Doc {
    Doc { field, ty, since }
}

/// Scope values: the connected app's OAuth scope enumeration, which ECA's
/// `commaSeparatedOauthScopes` takes (the guide's own example: `Api, RefreshToken`).
const SCOPES: &[&str] = &[
    "Address",
    "Api",
    "Basic",
    "Chatter",
    "CustomPermissions",
    "Email",
    "Full",
    "OfflineAccess",
    "OpenID",
    "Phone",
    "Profile",
    "RefreshToken",
    "Web",
];

const TABLE: &[Page] = &[
    Page {
        metadata_type: "ExternalClientApplication",
        page: "ExternalClientApplication (meta_externalclientapplication.htm): suffix .eca, folder externalClientApps, API 59.0+",
        fields: &[
            f("contactEmail", Type::String, 59),
            f("contactPhone", Type::String, 59),
            f("description", Type::String, 59),
            // "AutoInstalled" and "Managed" are documented "for internal use only".
            f(
                "distributionState",
                Type::Enum(&["Local", "Packaged", "Managed", "AutoInstalled"]),
                59,
            ),
            f("iconUrl", Type::String, 59),
            f("infoUrl", Type::String, 59),
            f("isProtected", Type::Boolean, 59),
            f("label", Type::String, 59),
            f("logoUrl", Type::String, 59),
            f("orgScopedExternalApp", Type::String, 59),
        ],
    },
    Page {
        metadata_type: "ExtlClntAppOauthSettings",
        page: "ExtlClntAppOauthSettings (meta_extlclntappoauthsettings.htm): suffix .ecaOauth, folder extlClntAppOauthSettings, API 59.0+",
        fields: &[
            f("areAttributesIncludedInAssetToken", Type::Boolean, 61),
            f("areCustomPermsIncludedInAssetToken", Type::Boolean, 61),
            f("assetTokenAudiences", Type::String, 61),
            f("commaSeparatedOauthScopes", Type::ScopeList, 59),
            f("externalClientApplication", Type::String, 59),
            f("label", Type::String, 59),
            f("oauthLink", Type::String, 59),
            f("singleLogoutUrl", Type::String, 59),
        ],
    },
    Page {
        metadata_type: "ExtlClntAppGlobalOauthSettings",
        page: "ExtlClntAppGlobalOauthSettings (meta_extlclntappglobaloauthsettings.htm): suffix .ecaGlblOauth, folder extlClntAppGlobalOauthSets, API 59.0+; certificate 60.0+ (\"when provided, it enables the JWT Bearer flow\")",
        fields: &[
            f("callbackUrl", Type::String, 59),
            f("certificate", Type::String, 60),
            f("consumerKey", Type::String, 59),
            // Documented, never written by sfjwt (the secret stays in Salesforce).
            f("consumerSecret", Type::String, 59),
            f("externalClientApplication", Type::String, 59),
            f("isClientCredentialsFlowEnabled", Type::Boolean, 60),
            f("isConsumerSecretOptional", Type::Boolean, 59),
            f("isIntrospectAllTokens", Type::Boolean, 59),
            f("label", Type::String, 59),
        ],
    },
    Page {
        metadata_type: "ExtlClntAppOauthConfigurablePolicies",
        page: "ExtlClntAppOauthConfigurablePolicies (meta_extlclntappoauthconfigurablepolicies.htm): suffix .ecaOauthPlcy, folder extlClntAppOauthPolicies, API 59.0+",
        fields: &[
            f("apexHandler", Type::String, 61),
            f("clientCredentialsFlowUser", Type::String, 60),
            f("commaSeparatedCustomScopes", Type::String, 61),
            f("commaSeparatedPermissionSet", Type::String, 59),
            f("commaSeparatedProfile", Type::String, 59),
            f("externalClientApplication", Type::String, 59),
            f(
                "ipRelaxationPolicyType",
                Type::Enum(&[
                    "Enforce",
                    "Bypass",
                    "Bypass_2factor",
                    "Enforce_RelaxRefresh",
                ]),
                59,
            ),
            f("isClientCredentialsFlowEnabled", Type::Boolean, 60),
            f("isTokenExchangeFlowEnabled", Type::Boolean, 60),
            f("label", Type::String, 59),
            f(
                "permittedUsersPolicyType",
                Type::Enum(&["AdminApprovedPreAuthorized", "AllSelfAuthorized"]),
                59,
            ),
            f(
                "policyAction",
                Type::Enum(&["Block", "RaiseSessionLevel"]),
                59,
            ),
        ],
    },
    Page {
        metadata_type: "ExtlClntAppConfigurablePolicies",
        page: "ExtlClntAppConfigurablePolicies (meta_extlclntappconfigurablepolicies.htm): suffix .ecaPlcy, folder extlClntAppPolicies, API 60.0+",
        fields: &[
            f("externalClientApplication", Type::String, 60),
            f("isEnabled", Type::Boolean, 60),
            f("isOauthPluginEnabled", Type::Boolean, 60),
            f("label", Type::String, 60),
        ],
    },
    Page {
        metadata_type: "PermissionSet",
        page: "PermissionSet (meta_permissionset.htm): suffix .permissionset, folder permissionsets; the object since API 22.0 (Object Reference, PermissionSet)",
        fields: &[
            f("description", Type::String, 22),
            f("hasActivationRequired", Type::Boolean, 37),
            f("label", Type::String, 22),
        ],
    },
];

fn page(metadata_type: &str) -> &'static Page {
    TABLE
        .iter()
        .find(|p| p.metadata_type == metadata_type)
        .unwrap_or_else(|| panic!("{metadata_type} is not in the transcribed table"))
}

/// `(root, [(element, text)])` of a flat metadata file, by a parser of the test's own
/// (a second reading, independent of the crate's).
fn parse(xml: &str) -> (String, Vec<(String, String)>) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let open_end = body.find('>').unwrap();
    let open = &body[1..open_end];
    let (root, attrs) = open.split_once(' ').unwrap();
    assert_eq!(attrs, "xmlns=\"http://soap.sforce.com/2006/04/metadata\"");
    let inner = body[open_end + 1..]
        .trim_end()
        .strip_suffix(&format!("</{root}>"))
        .expect("closing root tag");
    let mut fields = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let name_end = rest.find('>').unwrap();
        let name = &rest[1..name_end];
        assert!(!name.contains(['/', ' ', '<']), "odd element <{name}>");
        let close = format!("</{name}>");
        let value_end = rest.find(&close).expect("closing tag");
        let value = &rest[name_end + 1..value_end];
        assert!(!value.contains('<'), "<{name}> is not a plain field");
        let value = value
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        fields.push((name.to_owned(), value));
        rest = rest[value_end + close.len()..].trim_start();
    }
    (root.to_owned(), fields)
}

fn check_value(page: &Page, doc: &Doc, value: &str) {
    let what = format!("{}.{} ({})", page.metadata_type, doc.field, page.page);
    match doc.ty {
        Type::String => assert!(!value.trim().is_empty(), "{what}: empty"),
        Type::Boolean => assert!(value == "true" || value == "false", "{what}: {value:?}"),
        Type::Enum(values) => assert!(
            values.contains(&value),
            "{what}: {value:?} not in {values:?}"
        ),
        Type::ScopeList => {
            for scope in value.split(',') {
                assert!(SCOPES.contains(&scope.trim()), "{what}: scope {scope:?}");
            }
        }
    }
}

fn specs() -> Vec<EcaSpec> {
    let cert = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/keys/rsa2048.crt.pem"
    ))
    .unwrap();
    let now = SystemTime::now();
    vec![
        EcaSpec::new("acme_etl", &cert, now).unwrap(),
        EcaSpec::new("Etl2", &cert, now)
            .unwrap()
            .contact_email("ops+sf@acme.example.com")
            .unwrap()
            .permission_set_name("Integration_Users")
            .unwrap()
            .scopes(Scope::ALL.to_vec())
            .unwrap()
            .ip_relaxation(IpRelaxation::Bypass)
            .api_version(sfjwt_eca::ApiVersion::new(60))
            .unwrap(),
    ]
}

#[test]
fn every_generated_element_is_documented_with_a_documented_value() {
    let mut types_seen = Vec::new();
    for spec in specs() {
        for file in spec.files() {
            let Some(metadata_type) = file.metadata_type else {
                continue;
            };
            let page = page(metadata_type);
            let (root, fields) = parse(&file.contents);
            assert_eq!(root, metadata_type, "{}", file.path);
            assert!(!fields.is_empty(), "{}", file.path);
            for (name, value) in &fields {
                let doc = page
                    .fields
                    .iter()
                    .find(|d| d.field == *name)
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: <{name}> is not a field of {metadata_type} in the guide ({})",
                            file.path, page.page
                        )
                    });
                check_value(page, doc, value);
                assert!(
                    u32::from(doc.since) <= u32::from(spec.version().major()),
                    "{}: <{name}> needs API {}.0, the project declares {}",
                    file.path,
                    doc.since,
                    spec.version()
                );
            }
            // Elements in alphabetical order, as Salesforce writes them on retrieve.
            let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            assert_eq!(names, sorted, "{}", file.path);
            types_seen.push(metadata_type);
        }
    }
    for page in TABLE {
        assert!(
            types_seen.contains(&page.metadata_type),
            "{} never written",
            page.metadata_type
        );
    }
}

#[test]
fn what_the_jwt_bearer_flow_needs_is_there_and_nothing_more() {
    for spec in specs() {
        let files = spec.files();
        let text = |ty: &str| {
            files
                .iter()
                .find(|f| f.metadata_type == Some(ty))
                .map(|f| f.contents.clone())
                .unwrap()
        };
        let global = text("ExtlClntAppGlobalOauthSettings");
        assert!(
            global.contains("<certificate>-----BEGIN CERTIFICATE-----\n"),
            "{global}"
        );
        let policies = text("ExtlClntAppOauthConfigurablePolicies");
        assert!(policies.contains(
            "<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>"
        ));
        assert!(policies.contains(&format!(
            "<commaSeparatedPermissionSet>{}</commaSeparatedPermissionSet>",
            spec.permission_set()
        )));
        let all: String = files.iter().map(|f| f.contents.as_str()).collect();
        // Not the JWT bearer flow, and never secrets.
        for absent in [
            "consumerSecret",
            "consumerKey",
            "isConsumerSecretOptional",
            "isNamedUserJwtEnabled",
            "clientAssertionCertificate",
            "assetTokenSigningCertificate",
            "PRIVATE KEY",
            "....",
        ] {
            assert!(!all.contains(absent), "{absent} written");
        }
        // Well-formed: every opened element closed (the guide's sample has a mismatched tag).
        for file in &files {
            if file.path.ends_with(".xml") {
                let opens = file.contents.matches('<').count();
                let closes = file.contents.matches("</").count();
                assert_eq!(opens - 1, closes * 2, "{}", file.path);
            }
        }
    }
}

#[test]
fn the_library_table_agrees_with_the_guide() {
    for ty in ALL_TYPES {
        let page = page(ty.name);
        for field in ty.fields {
            let doc = page
                .fields
                .iter()
                .find(|d| d.field == field.name)
                .unwrap_or_else(|| {
                    panic!(
                        "sfjwt_eca::fields has {}.{}, the guide does not",
                        ty.name, field.name
                    )
                });
            assert_eq!(
                u32::from(field.since.major()),
                u32::from(doc.since),
                "{}.{}",
                ty.name,
                field.name
            );
            match (field.kind, doc.ty) {
                (FieldKind::Text, Type::String)
                | (FieldKind::Boolean, Type::Boolean)
                | (FieldKind::Scopes, Type::ScopeList) => {}
                (FieldKind::Enum(ours), Type::Enum(theirs)) => {
                    assert_eq!(ours, theirs, "{}.{}", ty.name, field.name)
                }
                (ours, theirs) => panic!("{}.{}: {ours:?} vs {theirs:?}", ty.name, field.name),
            }
        }
    }
    let ours: Vec<&str> = Scope::ALL.iter().map(|s| s.metadata_name()).collect();
    for scope in &ours {
        assert!(SCOPES.contains(scope), "{scope}");
    }
    assert_eq!(ours.len(), SCOPES.len());
}

#[test]
fn the_manifest_names_every_component_once() {
    for spec in specs() {
        let files = spec.files();
        let manifest = files
            .iter()
            .find(|f| f.path == sfjwt_eca::MANIFEST)
            .unwrap();
        for file in files.iter().filter(|f| f.metadata_type.is_some()) {
            let entry = format!(
                "<types>\n        <members>{}</members>\n        <name>{}</name>\n    </types>",
                file.component.as_deref().unwrap(),
                file.metadata_type.unwrap()
            );
            assert_eq!(
                manifest.contents.matches(&entry).count(),
                1,
                "{entry}\n{}",
                manifest.contents
            );
        }
        assert!(
            manifest
                .contents
                .contains(&format!("<version>{}</version>", spec.version()))
        );
    }
}
