//! Writing an [`EcaSpec`] as a Salesforce DX source folder: the file contents (pure), then
//! the files, all or nothing.

use std::path::{Path, PathBuf};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::error::EcaError;
use crate::fields::{
    EXTERNAL_CLIENT_APPLICATION, GLOBAL_OAUTH_SETTINGS, MetadataType, OAUTH_POLICIES,
    OAUTH_SETTINGS, PERMISSION_SET, POLICIES,
};
use crate::spec::{
    EcaSpec, GLOBAL_OAUTH_SUFFIX, OAUTH_POLICIES_SUFFIX, OAUTH_SUFFIX, POLICIES_SUFFIX,
};
use crate::values::{PermittedUsersPolicy, Scope};
use crate::xml::{METADATA_NS, document};

/// The package directory `sfjwt eca new` declares in `sfdx-project.json`.
pub const PACKAGE_DIR: &str = "force-app";
/// Where the metadata sits under the package directory (the Salesforce CLI's default).
pub const SOURCE_DIR: &str = "force-app/main/default";
/// The manifest, for `sf project deploy start --manifest`.
pub const MANIFEST: &str = "manifest/package.xml";
/// The callback URL written: the JWT bearer flow never redirects, but the OAuth settings
/// want one.
pub const CALLBACK_URL: &str = "http://localhost/";

/// A component to write: its type, full name and fields in order.
type Component = (MetadataType, String, Vec<(&'static str, String)>);

/// One file of the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path relative to the folder, `/`-separated.
    pub path: String,
    /// The metadata type, or `None` for `sfdx-project.json` and the manifest.
    pub metadata_type: Option<&'static str>,
    /// The component's full name, for metadata files.
    pub component: Option<String>,
    /// The text.
    pub contents: String,
}

impl EcaSpec {
    /// Every file of the folder, in writing order. No consumer key or secret is among them:
    /// Salesforce generates both on deploy.
    pub fn files(&self) -> Vec<SourceFile> {
        let name = self.name.as_str();
        let label = name.to_owned();
        let app = |n: &'static str| (n, name.to_owned());
        let mut header = Vec::new();
        if let Some(email) = &self.contact_email {
            header.push(("contactEmail", email.clone()));
        }
        header.extend([
            (
                "description",
                "JWT bearer flow integration (written by sfjwt eca new)".to_owned(),
            ),
            ("distributionState", "Local".to_owned()),
            ("isProtected", "false".to_owned()),
            ("label", label.clone()),
        ]);
        let components: Vec<Component> = vec![
            (EXTERNAL_CLIENT_APPLICATION, name.to_owned(), header),
            (
                OAUTH_SETTINGS,
                format!("{name}{OAUTH_SUFFIX}"),
                vec![
                    ("commaSeparatedOauthScopes", Scope::join(&self.scopes)),
                    app("externalClientApplication"),
                    ("label", label.clone()),
                ],
            ),
            (
                GLOBAL_OAUTH_SETTINGS,
                format!("{name}{GLOBAL_OAUTH_SUFFIX}"),
                vec![
                    ("callbackUrl", CALLBACK_URL.to_owned()),
                    ("certificate", self.certificate_pem.clone()),
                    app("externalClientApplication"),
                    ("label", label.clone()),
                ],
            ),
            (
                OAUTH_POLICIES,
                format!("{name}{OAUTH_POLICIES_SUFFIX}"),
                vec![
                    (
                        "commaSeparatedPermissionSet",
                        self.permission_set.to_string(),
                    ),
                    app("externalClientApplication"),
                    (
                        "ipRelaxationPolicyType",
                        self.ip_relaxation.metadata_name().to_owned(),
                    ),
                    ("label", label.clone()),
                    (
                        "permittedUsersPolicyType",
                        PermittedUsersPolicy::AdminApprovedPreAuthorized
                            .metadata_name()
                            .to_owned(),
                    ),
                ],
            ),
            (
                POLICIES,
                format!("{name}{POLICIES_SUFFIX}"),
                vec![
                    app("externalClientApplication"),
                    ("isEnabled", "true".to_owned()),
                    ("isOauthPluginEnabled", "true".to_owned()),
                    ("label", label),
                ],
            ),
            (
                PERMISSION_SET,
                self.permission_set.to_string(),
                vec![
                    (
                        "description",
                        format!("Users pre-authorized for the External Client App {name}"),
                    ),
                    ("label", self.permission_set.to_string()),
                ],
            ),
        ];
        let mut files = vec![SourceFile {
            path: "sfdx-project.json".to_owned(),
            metadata_type: None,
            component: None,
            contents: self.project_json(),
        }];
        let mut members = Vec::new();
        for (ty, component, fields) in components {
            files.push(SourceFile {
                path: format!(
                    "{SOURCE_DIR}/{}/{component}.{}-meta.xml",
                    ty.folder, ty.suffix
                ),
                metadata_type: Some(ty.name),
                component: Some(component.clone()),
                contents: document(ty.name, &fields),
            });
            members.push((ty.name, component));
        }
        files.push(SourceFile {
            path: MANIFEST.to_owned(),
            metadata_type: None,
            component: None,
            contents: manifest(&members, &self.api_version.to_string()),
        });
        files
    }

    fn project_json(&self) -> String {
        let project = serde_json::json!({
            "packageDirectories": [{ "path": PACKAGE_DIR, "default": true }],
            "name": self.name.as_str(),
            "namespace": "",
            "sourceApiVersion": self.api_version.to_string(),
        });
        let mut text = serde_json::to_string_pretty(&project).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes [`files`](Self::files) into `dir`, which must not exist or be empty. Nothing is
    /// left behind if a write fails. Returns the paths written.
    ///
    /// # Errors
    /// [`EcaError::OutDirNotEmpty`] (nothing written), [`EcaError::Io`].
    pub fn write_new(&self, dir: &Path) -> Result<Vec<PathBuf>, EcaError> {
        let existed = match std::fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(EcaError::OutDirNotEmpty {
                        dir: dir.to_owned(),
                    });
                }
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) if dir.exists() && !dir.is_dir() => {
                let _ = e;
                return Err(EcaError::OutDirNotEmpty {
                    dir: dir.to_owned(),
                });
            }
            Err(e) => return Err(EcaError::io(dir, e)),
        };
        let result = self.write_all(dir);
        if result.is_err() {
            // All or nothing: remove what this call created.
            if existed {
                if let Ok(entries) = std::fs::read_dir(dir) {
                    for entry in entries.flatten() {
                        let _ = std::fs::remove_dir_all(entry.path())
                            .or_else(|_| std::fs::remove_file(entry.path()));
                    }
                }
            } else {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        result
    }

    fn write_all(&self, dir: &Path) -> Result<Vec<PathBuf>, EcaError> {
        let mut written = Vec::new();
        for file in self.files() {
            let path = dir.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| EcaError::io(parent, e))?;
            }
            // create_new: never overwrite, even if something appeared meanwhile.
            let mut handle = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| EcaError::io(&path, e))?;
            std::io::Write::write_all(&mut handle, file.contents.as_bytes())
                .map_err(|e| EcaError::io(&path, e))?;
            written.push(path);
        }
        Ok(written)
    }
}

/// `package.xml`: one `<types>` per component, then the version.
fn manifest(members: &[(&str, String)], version: &str) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 4);
    let mut result = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| {
            writer.write_event(Event::Start(
                BytesStart::new("Package").with_attributes([("xmlns", METADATA_NS)]),
            ))
        });
    for (ty, member) in members {
        result = result.and_then(|()| {
            writer
                .create_element("types")
                .write_inner_content(|w| {
                    w.create_element("members")
                        .write_text_content(BytesText::new(member))?;
                    w.create_element("name")
                        .write_text_content(BytesText::new(ty))?;
                    Ok(())
                })
                .map(|_| ())
        });
    }
    result = result
        .and_then(|()| {
            writer
                .create_element("version")
                .write_text_content(BytesText::new(version))
                .map(|_| ())
        })
        .and_then(|()| writer.write_event(Event::End(BytesEnd::new("Package"))));
    debug_assert!(result.is_ok(), "writing XML to memory failed");
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}
