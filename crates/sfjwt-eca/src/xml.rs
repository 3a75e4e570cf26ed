//! The XML of one metadata file: written from (element, text) pairs, read back into them.
//!
//! Metadata API source files are flat for the fields sfjwt uses: a root element named after
//! the type, in the metadata namespace, holding `<field>text</field>` children. Reading
//! refuses anything else (nested elements, unknown fields, values outside the field's
//! documented set) with the element's name.

use std::path::Path;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::error::EcaError;
use crate::fields::{FieldKind, MetadataType};
use crate::values::Scope;

/// The Metadata API's XML namespace.
pub const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";

/// The largest metadata file read: a certificate is a few kilobytes.
const MAX_FILE: u64 = 256 * 1024;

/// `<?xml …?><ROOT xmlns=…><name>text</name>…</ROOT>`, four-space indented, with a final
/// newline. Texts are escaped.
pub(crate) fn document(root: &str, fields: &[(&str, String)]) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 4);
    // Writing to a Vec cannot fail; `?`-free by collecting results.
    let mut result = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| {
            writer.write_event(Event::Start(
                BytesStart::new(root).with_attributes([("xmlns", METADATA_NS)]),
            ))
        });
    for (name, text) in fields {
        result = result.and_then(|()| {
            writer
                .create_element(*name)
                .write_text_content(BytesText::new(text))
                .map(|_| ())
        });
    }
    result = result.and_then(|()| writer.write_event(Event::End(BytesEnd::new(root))));
    debug_assert!(result.is_ok(), "writing XML to memory failed");
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

/// A file's root element name and its `(field, text)` children, in order.
pub(crate) type Parsed = (String, Vec<(String, String)>);

/// Reads `path` (capped at 256 KiB) and parses it flat.
pub(crate) fn read_flat(path: &Path) -> Result<Parsed, EcaError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| EcaError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| EcaError::io(path, e))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(EcaError::Xml {
            path: path.to_owned(),
            reason: format!("larger than {MAX_FILE} bytes: not a metadata file"),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| EcaError::Xml {
        path: path.to_owned(),
        reason: "not UTF-8 text".to_owned(),
    })?;
    parse_flat(&text).map_err(|reason| EcaError::Xml {
        path: path.to_owned(),
        reason,
    })
}

/// Parses a flat metadata document.
pub(crate) fn parse_flat(text: &str) -> Result<Parsed, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut root: Option<String> = None;
    let mut fields = Vec::new();
    let mut open: Option<(String, String)> = None;
    let mut closed_root = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("not well-formed XML: {e}"))?;
        match event {
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                if closed_root {
                    return Err(format!("<{name}> after the root element"));
                }
                match (&root, &open) {
                    (None, _) => {
                        let ns = start
                            .try_get_attribute("xmlns")
                            .map_err(|e| format!("bad attribute on <{name}>: {e}"))?
                            .map(|a| a.value.into_owned());
                        if ns.as_deref() != Some(METADATA_NS) {
                            return Err(format!(
                                "<{name}> lacks xmlns=\"{METADATA_NS}\" (the Metadata API namespace)"
                            ));
                        }
                        root = Some(name);
                    }
                    (Some(_), None) => open = Some((name, String::new())),
                    (Some(_), Some((parent, _))) => {
                        return Err(format!(
                            "<{name}> inside <{parent}>: sfjwt reads only plain fields"
                        ));
                    }
                }
            }
            Event::Empty(empty) => {
                let name = empty.name().as_ref().to_owned();
                if root.is_none() || open.is_some() || closed_root {
                    return Err(format!("unexpected empty element <{name}/>"));
                }
                fields.push((name, String::new()));
            }
            Event::Text(t) => {
                // Entity references arrive as their own events (below), so this is plain.
                let unescaped = t.xml10_content();
                match &mut open {
                    Some((_, value)) => value.push_str(&unescaped),
                    None if unescaped.trim().is_empty() => {}
                    None => return Err(format!("stray text {:?}", unescaped.trim())),
                }
            }
            Event::GeneralRef(r) => {
                let name: String = r.to_string();
                let resolved = r
                    .resolve_char_ref()
                    .map_err(|e| format!("bad character reference &{name};: {e}"))?;
                let mut buf = [0u8; 4];
                let ch = match (resolved, name.as_str()) {
                    (Some(c), _) => &*c.encode_utf8(&mut buf),
                    (None, name) => match name {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                match &mut open {
                    Some((_, value)) => value.push_str(ch),
                    None => return Err(format!("stray text &{name};")),
                }
            }
            Event::CData(c) => match &mut open {
                Some((_, value)) => value.push_str(&c),
                None => return Err("stray CDATA".to_owned()),
            },
            Event::End(end) => {
                let name = end.name().as_ref().to_owned();
                match open.take() {
                    Some((field, value)) => fields.push((field, value)),
                    None if root.as_deref() == Some(name.as_str()) => closed_root = true,
                    None => return Err(format!("unexpected </{name}>")),
                }
            }
            Event::Eof => break,
            Event::PI(_) | Event::DocType(_) => {
                return Err("processing instructions and DOCTYPEs are not metadata".to_owned());
            }
        }
    }
    match root {
        Some(root) if closed_root => Ok((root, fields)),
        _ => Err("no complete root element".to_owned()),
    }
}

/// Checks a parsed file against its type's fields: the root, each element known, each value
/// of the documented kind. Returns why not, naming the element.
pub(crate) fn check_against(ty: &MetadataType, parsed: &Parsed) -> Result<(), String> {
    let (root, fields) = parsed;
    if root != ty.name {
        return Err(format!("root element <{root}>, expected <{}>", ty.name));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in fields {
        let Some(field) = ty.field(name) else {
            return Err(format!(
                "unknown element <{name}>: not a field of {} that sfjwt knows ({})",
                ty.name,
                ty.fields
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        if seen.contains(&name.as_str()) {
            return Err(format!("<{name}> appears twice"));
        }
        seen.push(name);
        match field.kind {
            FieldKind::Text => {}
            FieldKind::Boolean if value == "true" || value == "false" => {}
            FieldKind::Boolean => {
                return Err(format!("<{name}> is {value:?}, expected true or false"));
            }
            FieldKind::Enum(values) if values.contains(&value.as_str()) => {}
            FieldKind::Enum(values) => {
                return Err(format!(
                    "<{name}> is {value:?}, expected one of {}",
                    values.join(", ")
                ));
            }
            FieldKind::Scopes => {
                Scope::parse_list(value).map_err(|e| format!("<{name}>: {e}"))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::POLICIES;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a folder holds, reading it is an answer, never a panic.
        #[test]
        fn any_text_parses_or_is_refused(text in any::<String>()) {
            let _ = parse_flat(&text);
        }

        /// Any printable value survives writing and reading, escapes included.
        #[test]
        fn values_round_trip(value in "[^\\p{C}]{0,80}") {
            let doc = document("R", &[("a", value.clone())]);
            let (root, fields) = parse_flat(&doc).unwrap();
            prop_assert_eq!(root, "R");
            prop_assert_eq!(fields, vec![("a".to_owned(), value)]);
        }
    }

    #[test]
    fn writes_escaped_and_reads_back() {
        let doc = document(
            "ExtlClntAppConfigurablePolicies",
            &[
                ("externalClientApplication", "a<b&c".to_owned()),
                ("isEnabled", "true".to_owned()),
            ],
        );
        assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        assert!(doc.contains("a&lt;b&amp;c"), "{doc}");
        let parsed = parse_flat(&doc).unwrap();
        assert_eq!(parsed.0, "ExtlClntAppConfigurablePolicies");
        assert_eq!(
            parsed.1,
            vec![
                ("externalClientApplication".to_owned(), "a<b&c".to_owned()),
                ("isEnabled".to_owned(), "true".to_owned())
            ]
        );
        check_against(&POLICIES, &parsed).unwrap();
    }

    #[test]
    fn refuses_what_is_not_flat_metadata() {
        for (doc, why) in [
            ("<A><b>x</b></A>", "xmlns"),
            (
                "<A xmlns=\"http://soap.sforce.com/2006/04/metadata\"><b><c>x</c></b></A>",
                "inside",
            ),
            (
                "<A xmlns=\"http://soap.sforce.com/2006/04/metadata\"><b>x</b>",
                "root",
            ),
            (
                "<A xmlns=\"http://soap.sforce.com/2006/04/metadata\">text</A>",
                "stray",
            ),
            ("<!DOCTYPE a><A/>", "DOCTYPE"),
            ("", "root"),
        ] {
            let e = parse_flat(doc).unwrap_err();
            assert!(e.contains(why), "{doc}: {e}");
        }
    }

    #[test]
    fn unknown_elements_and_values_are_named() {
        let ns = METADATA_NS;
        let doc = format!(
            "<ExtlClntAppConfigurablePolicies xmlns=\"{ns}\"><isEnabld>true</isEnabld></ExtlClntAppConfigurablePolicies>"
        );
        let e = check_against(&POLICIES, &parse_flat(&doc).unwrap()).unwrap_err();
        assert!(e.contains("<isEnabld>"), "{e}");
        let doc = format!(
            "<ExtlClntAppConfigurablePolicies xmlns=\"{ns}\"><isEnabled>yes</isEnabled></ExtlClntAppConfigurablePolicies>"
        );
        let e = check_against(&POLICIES, &parse_flat(&doc).unwrap()).unwrap_err();
        assert!(e.contains("true or false"), "{e}");
    }
}
