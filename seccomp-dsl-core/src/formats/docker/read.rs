//! A Docker profile read into a policy: every field checked, every value
//! the format does not define an [`Error`] naming the field.

use std::borrow::Cow;

use crate::constants::CAPABILITIES;
use crate::model::{
    Action, ArchMapEntry, Architectures, ArgCondition, CmpOp, Filter, Flag, KernelVersion, Policy,
    Rule, SeccompArch, ARG_COUNT, DOCKER_ARCHES,
};
use crate::suggest;

use super::{field_error, Arg, Entry, Error, FilterJson, Profile, ACTION_NAMES, OPERATORS};

/// Reads a Docker profile into a policy, one rule per entry, as written:
/// an entry comparing one argument twice becomes one rule whose
/// comparisons must all hold, where runc adds a rule per comparison (any
/// one enough). The profile as the engines apply it, that included, is
/// [`crate::dsl::import_docker_as_engines`]'s.
///
/// ```
/// let error = seccomp_dsl_core::docker::from_json(
///     r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALOW"}]}"#,
/// ).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "invalid Docker seccomp profile: `syscalls[0].action`: unknown action `SCMP_ACT_ALOW`; did you mean `SCMP_ACT_ALLOW`?"
/// );
/// ```
pub fn from_json(json: &str) -> Result<Policy, Error> {
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    let profile: Profile =
        serde_path_to_error::deserialize(deserializer).map_err(|error| Error::Json {
            path: error.path().to_string(),
            source: error.into_inner(),
        })?;
    from_profile(&profile)
}

/// Converts a Docker profile into a policy.
pub fn from_profile(profile: &Profile) -> Result<Policy, Error> {
    let default_errno = errno_of(
        profile.default_errno.as_deref(),
        profile.default_errno_ret,
        ("defaultErrno", "defaultErrnoRet"),
    )?;
    let default_action =
        action_from_docker(&profile.default_action, default_errno, "defaultAction")?;
    let architectures = architectures_from_profile(profile)?;
    let flags = flags_from_profile(profile)?;
    let rules = profile
        .syscalls
        .iter()
        .enumerate()
        .map(|(i, entry)| rule_from_docker(entry, &format!("syscalls[{i}]")))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Policy {
        default_action,
        rules: Cow::Owned(rules),
        architectures,
        flags: Cow::Owned(flags),
    })
}

/// The profile's `architectures` or `archMap`, as the ABIs it covers.
fn architectures_from_profile(profile: &Profile) -> Result<Architectures, Error> {
    Ok(
        match (
            profile.architectures.is_empty(),
            profile.arch_map.is_empty(),
        ) {
            (true, true) => Architectures::Native,
            (false, false) => {
                return Err(field_error(
                    "architectures",
                    "a profile has either `architectures` or `archMap`, not both",
                ))
            }
            (false, true) => Architectures::List(Cow::Owned(arches_from_docker(
                &profile.architectures,
                "architectures",
            )?)),
            (true, false) => Architectures::Map(Cow::Owned(
                profile
                    .arch_map
                    .iter()
                    .enumerate()
                    .map(|(i, entry)| {
                        let path = format!("archMap[{i}]");
                        Ok(ArchMapEntry {
                            arch: arch_from_docker(
                                &entry.architecture,
                                &format!("{path}.architecture"),
                            )?,
                            sub_arches: match &entry.sub_architectures {
                                None => None,
                                Some(subs) => Some(Cow::Owned(arches_from_docker(
                                    subs,
                                    &format!("{path}.subArchitectures"),
                                )?)),
                            },
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?,
            )),
        },
    )
}

/// The profile's `flags`, each one the kernel accepts.
fn flags_from_profile(profile: &Profile) -> Result<Vec<Flag>, Error> {
    let flags = profile
        .flags
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Flag::ALL
                .into_iter()
                .find(|flag| flag.docker_name() == *name)
                .ok_or_else(|| {
                    let known = Flag::ALL.map(Flag::docker_name);
                    unknown(
                        &format!("flags[{i}]"),
                        "flag",
                        name,
                        known.iter().map(String::as_str),
                    )
                })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    for (i, flag) in flags.iter().enumerate() {
        if let Some(reason) = flag.refused_by_the_kernel() {
            return Err(field_error(format!("flags[{i}]"), reason));
        }
    }
    Ok(flags)
}

/// The errno a profile means where containers/common's dialect names it
/// (`errno: "EPERM"`) beside the number Docker's format and older readers
/// take (`errnoRet: 1`): both must say the same; a name alone is refused,
/// as readers that know only the number would deny with EPERM instead.
fn errno_of(
    name: Option<&str>,
    number: Option<u32>,
    fields: (&str, &str),
) -> Result<Option<u32>, Error> {
    let Some(name) = name else {
        return Ok(number);
    };
    let (name_field, number_field) = fields;
    let Some(value) = crate::constants::errno(name) else {
        let known = crate::constants::ERRNO
            .constants
            .iter()
            .map(|(name, _)| *name);
        let hint = suggest::closest(name, known)
            .map(|close| format!("; did you mean `{close}`?"))
            .unwrap_or_default();
        return Err(field_error(
            name_field,
            format!("unknown errno `{name}`{hint}"),
        ));
    };
    match number {
        Some(number) if u64::from(number) == value => Ok(Some(number)),
        Some(number) => Err(field_error(
            name_field,
            format!(
                "`{name}` is {value}, but `{number_field}` says {number}: readers of the two \
                 dialects would deny with different errnos"
            ),
        )),
        None => Err(field_error(
            name_field,
            format!(
                "`{name}` without `{number_field}`: readers that know only `{number_field}` deny \
                 with EPERM instead; state `{number_field}: {value}` too"
            ),
        )),
    }
}

fn rule_from_docker(entry: &Entry, path: &str) -> Result<Rule, Error> {
    let names: Vec<Cow<'static, str>> = match (&entry.name, entry.names.is_empty()) {
        (Some(_), false) => {
            return Err(field_error(
                path,
                "an entry has either `name` or `names`, not both",
            ));
        }
        (Some(name), true) => vec![Cow::Owned(name.clone())],
        (None, false) => entry
            .names
            .iter()
            .map(|name| Cow::Owned(name.clone()))
            .collect(),
        (None, true) => return Err(field_error(format!("{path}.names"), "names no syscall")),
    };
    let errno = errno_of(
        entry.errno.as_deref(),
        entry.errno_ret,
        (&format!("{path}.errno"), &format!("{path}.errnoRet")),
    )?;
    let action = action_from_docker(&entry.action, errno, &format!("{path}.action"))?;
    let conditions = entry
        .args
        .iter()
        .enumerate()
        .map(|(j, arg)| condition_from_docker(arg, &format!("{path}.args[{j}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rule {
        syscalls: Cow::Owned(names),
        conditions: Cow::Owned(conditions),
        action,
        includes: filter_from_docker(&entry.includes, &format!("{path}.includes"))?,
        excludes: filter_from_docker(&entry.excludes, &format!("{path}.excludes"))?,
        comment: entry
            .comment
            .clone()
            .filter(|c| !c.is_empty())
            .map(Cow::Owned),
        // A container applies every entry.
        startup: false,
    })
}

fn unknown<'a>(
    path: &str,
    what: &str,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Error {
    let hint = suggest::closest(name, known)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    field_error(path, format!("unknown {what} `{name}`{hint}"))
}

fn arch_from_docker(name: &str, path: &str) -> Result<SeccompArch, Error> {
    SeccompArch::from_docker_name(name).ok_or_else(|| {
        let known: Vec<String> = SeccompArch::ALL.iter().map(|a| a.docker_name()).collect();
        unknown(path, "architecture", name, known.iter().map(String::as_str))
    })
}

fn arches_from_docker(names: &[String], path: &str) -> Result<Vec<SeccompArch>, Error> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| arch_from_docker(name, &format!("{path}[{i}]")))
        .collect()
}

fn filter_from_docker(filter: &FilterJson, path: &str) -> Result<Filter, Error> {
    let caps = filter
        .caps
        .iter()
        .enumerate()
        .map(|(i, cap)| match CAPABILITIES.get(cap) {
            Some(_) => Ok(Cow::Owned(cap.clone())),
            None => Err(unknown(
                &format!("{path}.caps[{i}]"),
                "capability",
                cap,
                CAPABILITIES.constants.iter().map(|c| c.0),
            )),
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let arches = filter
        .arches
        .iter()
        .enumerate()
        .map(|(i, arch)| match DOCKER_ARCHES.contains(&arch.as_str()) {
            true => Ok(Cow::Owned(arch.clone())),
            false => Err(unknown(
                &format!("{path}.arches[{i}]"),
                "architecture",
                arch,
                DOCKER_ARCHES,
            )),
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let min_kernel = match &filter.min_kernel {
        None => None,
        Some(text) => Some(KernelVersion::parse(text).ok_or_else(|| {
            field_error(
                format!("{path}.minKernel"),
                format!("`{text}` is not a kernel version such as `4.8`"),
            )
        })?),
    };
    Ok(Filter {
        caps: Cow::Owned(caps),
        arches: Cow::Owned(arches),
        min_kernel,
    })
}

fn action_from_docker(name: &str, data: Option<u32>, path: &str) -> Result<Action, Error> {
    // Engines (runc, crun) return EPERM when errnoRet is absent.
    const EPERM: u32 = 1;
    let with_data = |make: fn(u64) -> Result<Action, crate::model::RangeError>| {
        make(u64::from(data.unwrap_or(EPERM))).map_err(|e| field_error(path, e.to_string()))
    };
    match name {
        "SCMP_ACT_ALLOW" => Ok(Action::Allow),
        "SCMP_ACT_ERRNO" => with_data(Action::errno),
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => Ok(Action::KillThread),
        "SCMP_ACT_KILL_PROCESS" => Ok(Action::KillProcess),
        "SCMP_ACT_TRAP" => Ok(Action::Trap),
        "SCMP_ACT_TRACE" => with_data(Action::trace),
        "SCMP_ACT_LOG" => Ok(Action::Log),
        "SCMP_ACT_NOTIFY" => Err(field_error(
            path,
            "`SCMP_ACT_NOTIFY` needs a listener, which this crate does not support",
        )),
        other => Err(unknown(path, "action", other, ACTION_NAMES)),
    }
}

fn condition_from_docker(arg: &Arg, path: &str) -> Result<ArgCondition, Error> {
    let index = u8::try_from(arg.index)
        .ok()
        .filter(|&index| index < ARG_COUNT)
        .ok_or_else(|| {
            field_error(
                format!("{path}.index"),
                format!("argument index {} is not 0 to 5", arg.index),
            )
        })?;
    let make = OPERATORS
        .iter()
        .find(|(name, _)| *name == arg.op)
        .map(|(_, make)| make)
        .ok_or_else(|| {
            unknown(
                &format!("{path}.op"),
                "operator",
                &arg.op,
                OPERATORS.map(|(name, _)| name),
            )
        })?;
    let op = make(arg.value);
    let value = if matches!(op, CmpOp::MaskedEq(_)) {
        arg.value_two
    } else {
        arg.value
    };
    Ok(ArgCondition::new(index, op, value))
}
