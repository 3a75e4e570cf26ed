//! [`EcaFolder`]: an External Client App read back from a Salesforce DX source folder, for the
//! emulator to play and for `sfjwt check --eca` to cross-check.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use sfjwt_core::key::Certificate;

use crate::error::EcaError;
use crate::fields::{ALL_TYPES, EXTERNAL_CLIENT_APPLICATION, MetadataType, PERMISSION_SET};
use crate::values::{IpRelaxation, PermittedUsersPolicy, Scope};
use crate::version::ApiVersion;
use crate::xml::{check_against, read_flat};

/// The largest `sfdx-project.json` read.
const MAX_PROJECT_FILE: u64 = 1024 * 1024;
/// How deep and how wide the package directories are searched: a source folder is small.
const MAX_DEPTH: usize = 8;
const MAX_ENTRIES: usize = 20_000;

/// A field found in the folder, with the version it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldUse {
    /// The metadata type.
    pub metadata_type: &'static str,
    /// The element.
    pub field: &'static str,
    /// The first API version with it (the type's own, if later).
    pub since: ApiVersion,
    /// The file.
    pub file: PathBuf,
}

/// An External Client App as a source folder describes it.
///
/// ```no_run
/// let eca = sfjwt_eca::EcaFolder::load("acme_etl".as_ref())?;
/// println!("{} trusts {:?}", eca.name(), eca.certificate().map(|c| c.subject()));
/// # Ok::<(), sfjwt_eca::EcaError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EcaFolder {
    root: PathBuf,
    name: String,
    api_version: Option<ApiVersion>,
    certificate: Option<Certificate>,
    scopes: Vec<Scope>,
    permitted_users: Option<PermittedUsersPolicy>,
    permission_sets: Vec<String>,
    profiles: Vec<String>,
    ip_relaxation: IpRelaxation,
    fields: Vec<FieldUse>,
    types: Vec<&'static str>,
}

impl EcaFolder {
    /// Reads the folder `root` (the one holding `sfdx-project.json`): every file of the five
    /// External Client App types and of PermissionSet under its package directories.
    ///
    /// # Errors
    /// [`EcaError::Folder`] when the project file, the app or its references are missing or
    /// inconsistent, [`EcaError::Xml`] naming the file and element that is not what the field
    /// table allows, [`EcaError::Certificate`] for a `certificate` that is not an RSA
    /// certificate, [`EcaError::Io`].
    pub fn load(root: &Path) -> Result<Self, EcaError> {
        let (package_dirs, api_version) = read_project(root)?;
        let mut found: Vec<(MetadataType, PathBuf)> = Vec::new();
        let mut budget = MAX_ENTRIES;
        for dir in &package_dirs {
            collect(&root.join(dir), 0, &mut budget, &mut found)?;
        }
        let apps: Vec<&PathBuf> = found
            .iter()
            .filter(|(ty, _)| ty.name == EXTERNAL_CLIENT_APPLICATION.name)
            .map(|(_, p)| p)
            .collect();
        let app_file = match apps.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(EcaError::Folder {
                    path: root.to_owned(),
                    reason: format!(
                        "no ExternalClientApplication (*.eca-meta.xml) under {}: write one with `sfjwt eca new`",
                        package_dirs.join(", ")
                    ),
                });
            }
            many => {
                return Err(EcaError::Folder {
                    path: root.to_owned(),
                    reason: format!(
                        "{} External Client Apps: sfjwt reads a folder with one",
                        many.len()
                    ),
                });
            }
        };
        let name = component_name(&app_file, &EXTERNAL_CLIENT_APPLICATION);
        let mut eca = Self {
            root: root.to_owned(),
            name,
            api_version,
            certificate: None,
            scopes: Vec::new(),
            permitted_users: None,
            permission_sets: Vec::new(),
            profiles: Vec::new(),
            ip_relaxation: IpRelaxation::Enforce,
            fields: Vec::new(),
            types: Vec::new(),
        };
        for (ty, path) in &found {
            eca.read_component(ty, path)?;
        }
        Ok(eca)
    }

    fn read_component(&mut self, ty: &MetadataType, path: &Path) -> Result<(), EcaError> {
        let parsed = read_flat(path)?;
        check_against(ty, &parsed).map_err(|reason| EcaError::Xml {
            path: path.to_owned(),
            reason,
        })?;
        let xml = |reason: String| EcaError::Xml {
            path: path.to_owned(),
            reason,
        };
        let fields = parsed.1;
        if ty.name != EXTERNAL_CLIENT_APPLICATION.name && ty.name != PERMISSION_SET.name {
            match fields
                .iter()
                .find(|(f, _)| f == "externalClientApplication")
            {
                Some((_, app)) if *app == self.name => {}
                Some((_, app)) => {
                    return Err(xml(format!(
                        "<externalClientApplication> is {app:?}, but the folder's app is {:?}",
                        self.name
                    )));
                }
                None => {
                    return Err(xml(
                        "<externalClientApplication> is missing: Salesforce requires it".to_owned(),
                    ));
                }
            }
        }
        if !self.types.contains(&ty.name) {
            self.types.push(ty.name);
        }
        for (field, value) in &fields {
            let Some(known) = ty.field(field) else {
                continue;
            };
            self.fields.push(FieldUse {
                metadata_type: ty.name,
                field: known.name,
                since: known.since.max(ty.since),
                file: path.to_owned(),
            });
            match (ty.name, field.as_str()) {
                ("ExtlClntAppGlobalOauthSettings", "certificate") if !value.trim().is_empty() => {
                    let cert = Certificate::from_pem(value)
                        .map_err(|source| EcaError::Certificate { source })?;
                    self.certificate = Some(cert);
                }
                ("ExtlClntAppOauthSettings", "commaSeparatedOauthScopes") => {
                    self.scopes = Scope::parse_list(value).map_err(|e| xml(e.to_string()))?;
                }
                ("ExtlClntAppOauthConfigurablePolicies", "permittedUsersPolicyType") => {
                    self.permitted_users = PermittedUsersPolicy::from_metadata_name(value);
                }
                ("ExtlClntAppOauthConfigurablePolicies", "commaSeparatedPermissionSet") => {
                    self.permission_sets = split_list(value);
                }
                ("ExtlClntAppOauthConfigurablePolicies", "commaSeparatedProfile") => {
                    self.profiles = split_list(value);
                }
                ("ExtlClntAppOauthConfigurablePolicies", "ipRelaxationPolicyType") => {
                    self.ip_relaxation =
                        IpRelaxation::from_metadata_name(value).unwrap_or_default();
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The app's API name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `sourceApiVersion` of `sfdx-project.json`, if set.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.api_version
    }

    /// The certificate of ExtlClntAppGlobalOauthSettings: present means the JWT bearer flow is
    /// on.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    /// The OAuth scopes (empty if the folder sets none).
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// The permitted-users policy, if set.
    pub fn permitted_users(&self) -> Option<PermittedUsersPolicy> {
        self.permitted_users
    }

    /// Whether the holders of what the policy names are pre-authorized: the policy is
    /// `AdminApprovedPreAuthorized` and names at least one permission set or profile. If not,
    /// nobody is, and the JWT bearer flow (which has no approval screen) refuses every user
    /// with `user hasn't approved this consumer`.
    pub fn pre_authorizes_holders(&self) -> bool {
        self.permitted_users() == Some(PermittedUsersPolicy::AdminApprovedPreAuthorized)
            && !(self.permission_sets().is_empty() && self.profiles().is_empty())
    }

    /// The permission sets the policy names.
    pub fn permission_sets(&self) -> &[String] {
        &self.permission_sets
    }

    /// The profiles the policy names.
    pub fn profiles(&self) -> &[String] {
        &self.profiles
    }

    /// The IP relaxation policy (Enforce if unset).
    pub fn ip_relaxation(&self) -> IpRelaxation {
        self.ip_relaxation
    }

    /// Every field found, with the version it needs.
    pub fn fields(&self) -> &[FieldUse] {
        &self.fields
    }

    /// The fields the project's `sourceApiVersion` is too old for (none if it sets no
    /// version: the Salesforce CLI then uses the org's).
    pub fn fields_newer_than_project(&self) -> Vec<&FieldUse> {
        match self.api_version {
            Some(version) => self.fields.iter().filter(|f| f.since > version).collect(),
            None => Vec::new(),
        }
    }

    /// The metadata types found, by name.
    pub fn types(&self) -> &[&'static str] {
        &self.types
    }
}

/// `a, b,c` → `[a, b, c]`.
fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The package directories and `sourceApiVersion` of `root/sfdx-project.json`.
fn read_project(root: &Path) -> Result<(Vec<String>, Option<ApiVersion>), EcaError> {
    let path = root.join("sfdx-project.json");
    let folder = |reason: String| EcaError::Folder {
        path: path.clone(),
        reason,
    };
    let file = std::fs::File::open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            folder(
                "missing: give the folder `sfjwt eca new` wrote (it holds sfdx-project.json)"
                    .to_owned(),
            )
        } else {
            EcaError::io(&path, e)
        }
    })?;
    let mut text = Vec::new();
    file.take(MAX_PROJECT_FILE)
        .read_to_end(&mut text)
        .map_err(|e| EcaError::io(&path, e))?;
    let json: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| folder(format!("not JSON: {e}")))?;
    let dirs: Vec<String> = json
        .get("packageDirectories")
        .and_then(|v| v.as_array())
        .map(|dirs| {
            dirs.iter()
                .filter_map(|d| d.get("path").and_then(|p| p.as_str()))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if dirs.is_empty() {
        return Err(folder("no packageDirectories with a path".to_owned()));
    }
    for dir in &dirs {
        let p = Path::new(dir);
        if p.is_absolute()
            || p.components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(folder(format!(
                "package directory {dir:?} leaves the project folder"
            )));
        }
    }
    let version = match json.get("sourceApiVersion") {
        None => None,
        Some(v) => {
            let text = v
                .as_str()
                .ok_or_else(|| folder("sourceApiVersion is not a string".to_owned()))?;
            Some(ApiVersion::parse(text)?)
        }
    };
    Ok((dirs, version))
}

/// Every metadata file of the known types under `dir`.
fn collect(
    dir: &Path,
    depth: usize,
    budget: &mut usize,
    found: &mut Vec<(MetadataType, PathBuf)>,
) -> Result<(), EcaError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(EcaError::io(dir, e)),
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| EcaError::io(dir, e))?;
        *budget = budget.checked_sub(1).ok_or_else(|| EcaError::Folder {
            path: dir.to_owned(),
            reason: format!("more than {MAX_ENTRIES} files: not a source folder"),
        })?;
        paths.push(entry.path());
    }
    // A stable order, so errors and reports do not depend on the file system.
    paths.sort();
    for path in paths {
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if file_name.starts_with('.') {
            continue;
        }
        // Symlinks are not followed: a source folder has none, and a loop must not hang.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect(&path, depth + 1, budget, found)?;
        } else if meta.is_file() {
            if let Some(ty) = ALL_TYPES
                .iter()
                .find(|ty| file_name.ends_with(&format!(".{}-meta.xml", ty.suffix)))
            {
                found.push((*ty, path));
            }
        }
    }
    Ok(())
}

/// `dir/acme_etl.eca-meta.xml` → `acme_etl`.
fn component_name(path: &Path, ty: &MetadataType) -> String {
    let file = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    file.strip_suffix(&format!(".{}-meta.xml", ty.suffix))
        .unwrap_or(file)
        .to_owned()
}
