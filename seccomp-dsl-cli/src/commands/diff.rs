//! `seccomp-dsl diff BEFORE AFTER`: every class of calls two sides answer
//! differently, each side a policy (DSL source or a Docker profile), a
//! compiled program (`bpf:FILE`, or a file ending `.bpf`: `struct
//! sock_filter` records, as libseccomp's `seccomp_export_bpf` writes them),
//! or the filters a running process is under (`pid:N`). Decided exactly.

use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;

use seccomp_dsl::bpf::{self, disasm, Instruction};
use seccomp_dsl::compare::{call, decided_call};
use seccomp_dsl::decide::{self, Limits, Side};
use seccomp_dsl::model::{Context, Policy, Resolved, SeccompArch};

use crate::policy_file::load;
use crate::process::{process_error, process_filters};

/// The arguments of `seccomp-dsl diff`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The side before: a policy (a Docker profile or DSL source), a
    /// compiled program (`bpf:FILE`, or FILE.bpf: `struct sock_filter`
    /// records), or a running process's filters (`pid:N`).
    pub(crate) before: String,
    /// The side after, as BEFORE.
    pub(crate) after: String,
    /// Print the differences as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, String> {
    diff(&args.before, &args.after, args.json)
}

/// One side of a comparison.
enum Subject {
    Policy(Policy),
    /// Filters (the oldest first), how to say whose, and the context of
    /// the process they belong to, if they do.
    Filters {
        filters: Vec<Vec<Instruction>>,
        whose: String,
        context: Option<Context>,
    },
}

/// One class of calls the two sides answer differently.
struct Row {
    place: String,
    abi: SeccompArch,
    syscall: String,
    args: [u64; 6],
    before: (String, String),
    after: (String, String),
}

fn subject(spec: &str) -> Result<Subject, String> {
    if let Some(pid) = spec.strip_prefix("pid:") {
        let pid: i32 = pid
            .parse()
            .map_err(|_| format!("`{spec}`: not a process id"))?;
        let filters = process_filters(pid, false)?.ok_or(format!(
            "process {pid} is in strict mode: it has no filter to compare"
        ))?;
        let context = seccomp_dsl::context_of(pid).map_err(|error| match error {
            seccomp_dsl::Error::Context(error) => process_error(pid, &error),
            error => error.to_string(),
        })?;
        return Ok(Subject::Filters {
            whose: format!("process {pid}'s {} filter(s)", filters.len()),
            filters,
            context: Some(context),
        });
    }
    let program = spec
        .strip_prefix("bpf:")
        .or_else(|| spec.ends_with(".bpf").then_some(spec));
    if let Some(path) = program {
        let bytes = std::fs::read(path).map_err(|error| format!("{path}: {error}"))?;
        if bytes.is_empty() || bytes.len() % 8 != 0 {
            return Err(format!(
                "{path}: {} bytes, not a whole number of 8-byte BPF instructions",
                bytes.len()
            ));
        }
        let program = bytes
            .chunks_exact(8)
            .map(|c| {
                Instruction::new(
                    u16::from_ne_bytes([c[0], c[1]]),
                    c[2],
                    c[3],
                    u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
                )
            })
            .collect();
        return Ok(Subject::Filters {
            filters: vec![program],
            whose: format!("the program in {path}"),
            context: None,
        });
    }
    load(Path::new(spec)).map(Subject::Policy)
}

fn diff(before: &str, after: &str, json: bool) -> Result<ExitCode, String> {
    let (old, new) = (subject(before)?, subject(after)?);
    let rows = match (&old, &new) {
        (Subject::Policy(old), Subject::Policy(new)) => policies(old, new)?,
        _ => filters(&old, &new)?,
    };
    print!("{}", listing(&rows, json));
    Ok(if rows.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Two policies, in every place their rules can tell apart.
fn policies(old: &Policy, new: &Policy) -> Result<Vec<Row>, String> {
    let differences =
        seccomp_dsl::compare::differences(old, new).map_err(|error| error.to_string())?;
    Ok(differences
        .into_iter()
        .map(|difference| Row {
            place: difference.place,
            abi: difference.abi,
            syscall: difference.syscall,
            args: difference.args,
            before: (difference.before.0.to_string(), difference.before.1),
            after: (difference.after.0.to_string(), difference.after.1),
        })
        .collect())
}

/// Sides one of which is a program or a process: in that process's
/// context (or this host's), on this host's ABIs.
fn filters(old: &Subject, new: &Subject) -> Result<Vec<Row>, String> {
    let process_context = [old, new].into_iter().find_map(|subject| match subject {
        Subject::Filters { context, .. } => context.clone(),
        Subject::Policy(_) => None,
    });
    let (context, place) = match process_context {
        Some(context) => (context, "in the process's context".to_string()),
        None => (
            seccomp_dsl::current_context().map_err(|error| error.to_string())?,
            "in this host's context".to_string(),
        ),
    };
    let native = SeccompArch::native().ok_or("this machine's architecture is unknown")?;
    let (old_resolved, new_resolved) = (
        resolve(old, &context, native),
        resolve(new, &context, native),
    );
    // What a side answers, and what decides, said.
    let said = |subject: &Subject,
                resolved: &Option<Resolved<'_>>,
                data: &bpf::emulate::SeccompData,
                answer: u32| match (subject, resolved) {
        (Subject::Filters { whose, .. }, _) => (disasm::action(answer), whose.clone()),
        (_, Some(resolved)) => decided_call(resolved, data)
            .map(|(action, by)| (action.to_string(), by))
            .unwrap_or_else(|| (disasm::action(answer), "the ABI is not covered".into())),
        _ => unreachable!("a policy is resolved"),
    };
    let (left, right) = (side(old, &old_resolved), side(new, &new_resolved));
    let mut rows: Vec<Row> = Vec::new();
    decide::differences(&left, &right, &Limits::default(), |difference| {
        let data = &difference.data;
        let Some((abi, name)) = bpf::syscall_of(data.arch, data.nr as u32) else {
            // An ABI no table describes: said by its numbers.
            rows.push(Row {
                place: format!("{place}, ABI {:#x}", data.arch),
                abi: native,
                syscall: format!("syscall {}", data.nr as u32),
                args: data.args,
                before: (disasm::action(difference.left), "its number".into()),
                after: (disasm::action(difference.right), "its number".into()),
            });
            return ControlFlow::Continue(());
        };
        let syscall = name.map_or_else(
            || format!("syscall {}", data.nr as u32 & !bpf::number_bias(abi)),
            str::to_string,
        );
        let before = said(old, &old_resolved, data, difference.left);
        let after = said(new, &new_resolved, data, difference.right);
        let seen = rows.iter().any(|row| {
            (row.abi, &row.syscall, &row.before.0, &row.after.0)
                == (abi, &syscall, &before.0, &after.0)
        });
        if !seen {
            rows.push(Row {
                place: place.clone(),
                abi,
                syscall,
                args: data.args,
                before,
                after,
            });
        }
        ControlFlow::Continue(())
    })
    .map_err(|undecided| undecided.to_string())?;
    Ok(rows)
}

fn resolve<'s>(
    subject: &'s Subject,
    context: &Context,
    native: SeccompArch,
) -> Option<Resolved<'s>> {
    match subject {
        Subject::Policy(policy) => Some(policy.resolve(context, native)),
        Subject::Filters { .. } => None,
    }
}

fn side<'s>(subject: &'s Subject, resolved: &'s Option<Resolved<'s>>) -> Side<'s> {
    match (subject, resolved) {
        (Subject::Filters { filters, .. }, _) => Side::Filters(filters),
        (_, Some(resolved)) => Side::Policy(resolved),
        _ => unreachable!("a policy is resolved"),
    }
}

/// The differences, for a code review (grouped by syscall and ABI) or as
/// JSON.
fn listing(rows: &[Row], json: bool) -> String {
    let written = |row: &Row| match row.syscall.strip_prefix("syscall ") {
        Some(_) => format!("{}{:x?}", row.syscall, row.args),
        None => call(&row.syscall, &row.args),
    };
    if json {
        let entries: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "syscall": row.syscall,
                    "abi": row.abi.name(),
                    "where": row.place,
                    "call": written(row),
                    "args": row.args,
                    "before": {"action": row.before.0, "by": row.before.1},
                    "after": {"action": row.after.0, "by": row.after.1},
                })
            })
            .collect();
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&entries).expect("JSON values print")
        );
    }
    let mut listing = String::new();
    let mut heading = String::new();
    for row in rows {
        let this = format!("{} on {}, {}:", row.syscall, row.abi.name(), row.place);
        if this != heading {
            listing.push_str(&this);
            listing.push('\n');
            heading = this;
        }
        listing.push_str(&format!(
            "  {}: {} ({})  ->  {} ({})\n",
            written(row),
            row.before.0,
            row.before.1,
            row.after.0,
            row.after.1
        ));
    }
    listing
}
