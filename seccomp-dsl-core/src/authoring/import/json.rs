//! A profile's JSON read as Go's `encoding/json` reads it for moby and
//! containers/common: keys matched without regard to case, unknown ones
//! ignored, each with a note.

use serde_json::{Map, Value};

use crate::docker::{self, Profile};
use crate::suggest;

/// The fields of each object of the format, as Go's reader names them.
const PROFILE_KEYS: [&str; 9] = [
    "defaultAction",
    "defaultErrnoRet",
    "defaultErrno",
    "architectures",
    "archMap",
    "flags",
    "syscalls",
    "listenerPath",
    "listenerMetadata",
];
const ARCH_MAP_KEYS: [&str; 2] = ["architecture", "subArchitectures"];
const ENTRY_KEYS: [&str; 9] = [
    "name", "names", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes",
];
const FILTER_KEYS: [&str; 3] = ["caps", "arches", "minKernel"];
const ARG_KEYS: [&str; 4] = ["index", "value", "valueTwo", "op"];

/// The profile in `json` as the engines' JSON reader takes it, and a note
/// for each key it ignores or matches in another case.
pub fn read_profile(json: &str) -> Result<(Profile, Vec<String>), docker::Error> {
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    let mut value: Value =
        serde_path_to_error::deserialize(deserializer).map_err(|error| docker::Error::Json {
            path: error.path().to_string(),
            source: error.into_inner(),
        })?;
    let mut notes = Vec::new();
    if let Value::Object(profile) = &mut value {
        normalize(profile, &PROFILE_KEYS, "", &mut notes)?;
        for (list, keys) in [("archMap", &ARCH_MAP_KEYS[..]), ("syscalls", &ENTRY_KEYS)] {
            let Some(Value::Array(items)) = profile.get_mut(list) else {
                continue;
            };
            for (index, item) in items.iter_mut().enumerate() {
                let Value::Object(item) = item else { continue };
                let path = format!("{list}[{index}]");
                normalize(item, keys, &path, &mut notes)?;
                normalize_entry(item, &path, &mut notes)?;
            }
        }
        for key in ["listenerPath", "listenerMetadata"] {
            if let Some(said) = profile.remove(key) {
                notes.push(format!(
                    "`{key}` ({said}) is for the engine: it hands the calls of `SCMP_ACT_NOTIFY` \
                     rules to a seccomp agent; a policy has no agent, and such rules are refused"
                ));
            }
        }
    }
    let profile = serde_path_to_error::deserialize(value).map_err(|error| docker::Error::Json {
        path: error.path().to_string(),
        source: error.into_inner(),
    })?;
    Ok((profile, notes))
}

/// An entry's `includes`, `excludes` and `args`, normalized.
fn normalize_entry(
    entry: &mut Map<String, Value>,
    path: &str,
    notes: &mut Vec<String>,
) -> Result<(), docker::Error> {
    for filter in ["includes", "excludes"] {
        if let Some(Value::Object(object)) = entry.get_mut(filter) {
            normalize(object, &FILTER_KEYS, &format!("{path}.{filter}"), notes)?;
        }
    }
    if let Some(Value::Array(args)) = entry.get_mut("args") {
        for (index, arg) in args.iter_mut().enumerate() {
            if let Value::Object(arg) = arg {
                normalize(arg, &ARG_KEYS, &format!("{path}.args[{index}]"), notes)?;
            }
        }
    }
    Ok(())
}

/// Renames each key of `object` that matches one of `known` but for case
/// (as Go does) and removes each that matches none, with a note; two keys
/// that are one field to Go are refused (which one an engine keeps depends
/// on their order).
fn normalize(
    object: &mut Map<String, Value>,
    known: &[&str],
    path: &str,
    notes: &mut Vec<String>,
) -> Result<(), docker::Error> {
    let at = |key: &str| match path {
        "" => key.to_string(),
        _ => format!("{path}.{key}"),
    };
    let keys: Vec<String> = object.keys().cloned().collect();
    let mut seen: Vec<(&str, String)> = Vec::new();
    for key in keys {
        let field = known
            .iter()
            .find(|field| **field == key)
            .or_else(|| known.iter().find(|field| field.eq_ignore_ascii_case(&key)));
        let Some(&field) = field else {
            let value = object.remove(&key).expect("listed above");
            let meant = suggest::closest(&key, known.iter().copied())
                .map(|meant| format!(" (did you mean `{meant}`?)"))
                .unwrap_or_default();
            let ignored = match key.starts_with('_') || key.eq_ignore_ascii_case("comment") {
                true => "a comment".to_string(),
                false => format!("`{}`", compact(&value)),
            };
            notes.push(format!(
                "`{}` is no field of the format{meant}: the engines ignore it, and {ignored} with it",
                at(&key)
            ));
            continue;
        };
        if let Some((_, other)) = seen.iter().find(|(known, _)| *known == field) {
            return Err(docker::Error::Field {
                path: at(&key),
                message: format!(
                    "`{other}` and `{key}` are one field to the engines' JSON reader, which keeps \
                     the one written last: write it once"
                ),
            });
        }
        seen.push((field, key.clone()));
        if key != field {
            let value = object.remove(&key).expect("listed above");
            object.insert(field.to_string(), value);
            notes.push(format!(
                "`{}` is read as `{field}`: the engines' JSON reader ignores case in keys",
                at(&key)
            ));
        }
    }
    Ok(())
}

/// A value, short enough for a note.
fn compact(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text,
    }
}
