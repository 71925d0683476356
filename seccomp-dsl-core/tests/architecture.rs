//! The floors of `src/` only look down, and no two modules use each other
//! (see `ARCHITECTURE.md`): read from the source, every `crate::` path of
//! every file (its tests aside) is checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first: a module may use its own floor and those
/// below it.
const FLOORS: [&str; 7] = [
    "tables",
    "policy",
    "bpf",
    "engines",
    "formats",
    "analysis",
    "authoring",
];

/// Floors whose files are modules of their own (the others hold modules
/// as files or folders one level down).
const FLAT_FLOORS: [&str; 2] = ["bpf", "engines"];

/// Hand-written functions may hold this many lines at most.
const MOST_FUNCTION_LINES: usize = 80;

/// Hand-written files may hold this many lines at most (generated tables,
/// which say `@generated`, aside).
const MOST_LINES: usize = 600;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The module a file belongs to, as `floor/module` (or `floor` for a
/// flat floor's `mod.rs`).
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = (relative.iter())
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts.truncate(2);
    parts.join("/")
}

/// The root's aliases (`pub use policy::{model, ...}`): name → floor.
fn aliases(lib: &str) -> BTreeMap<String, String> {
    let mut aliases: BTreeMap<String, String> = FLOORS
        .iter()
        .map(|floor| (floor.to_string(), floor.to_string()))
        .collect();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let (floor, names) = rest.split_once("::").expect("`pub use floor::...`");
        for name in names.trim_matches(|c| "{};".contains(c)).split(',') {
            aliases.insert(name.trim().to_string(), floor.to_string());
        }
    }
    aliases
}

/// Every `crate::a::b` path of `code`, `crate::a::{b, c::d}` as two.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let prefix: Vec<String> = (rest[..end].split("::"))
            .filter(|segment| !segment.is_empty())
            .map(String::from)
            .collect();
        if rest[end..].starts_with('{') {
            let close = rest[end..].find('}').expect("a closed `{`") + end;
            for item in rest[end + 1..close].split(',') {
                let mut path = prefix.clone();
                path.extend(item.trim().split("::").map(String::from));
                paths.push(path);
            }
        } else {
            paths.push(prefix);
        }
    }
    paths
}

/// The module a path names, given the aliases.
fn target(path: &[String], aliases: &BTreeMap<String, String>, src: &Path) -> Option<String> {
    let first = path.first()?;
    let floor = aliases.get(first)?;
    let mut segments: Vec<&str> = vec![floor];
    if first != floor {
        segments.push(first);
    }
    segments.extend(path[1..].iter().map(String::as_str));
    if FLAT_FLOORS.contains(&floor.as_str()) {
        let module = segments.get(1).copied().unwrap_or_default();
        let own_file = src.join(floor).join(format!("{module}.rs")).exists()
            || src.join(floor).join(module).is_dir();
        return Some(match own_file {
            true => format!("{floor}/{module}"),
            false => floor.clone(),
        });
    }
    Some(segments[..2.min(segments.len())].join("/"))
}

/// The code of a file without its comments and its tests.
fn code_of(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

struct Graph {
    uses: BTreeMap<String, BTreeSet<String>>,
}

fn graph() -> Graph {
    let src = src();
    let aliases = aliases(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        if relative.parent() == Some(Path::new("")) {
            continue; // lib.rs: the map of floors, re-exporting them
        }
        let module = module_of(relative);
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let mut targets: Vec<String> = (crate_paths(&code).iter())
            .filter_map(|path| target(path, &aliases, &src))
            .collect();
        // `super::x` in a flat floor's file is another module of the floor.
        let floor = module.split('/').next().unwrap().to_string();
        if FLAT_FLOORS.contains(&floor.as_str()) && module.contains('/') {
            let mut rest = code.as_str();
            while let Some(at) = rest.find("super::") {
                rest = &rest[at + "super::".len()..];
                let name: String = (rest.chars())
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                targets.push(target(&[floor.clone(), name], &aliases, &src).unwrap());
            }
        }
        let entry = uses.entry(module.clone()).or_default();
        entry.extend(targets.into_iter().filter(|target| *target != module));
    }
    Graph { uses }
}

fn floor_of(module: &str) -> usize {
    let floor = module.split('/').next().unwrap();
    FLOORS
        .iter()
        .position(|known| *known == floor)
        .unwrap_or_else(|| panic!("`{module}` is on no floor: src/ holds only {FLOORS:?}"))
}

#[test]
fn every_floor_uses_only_those_below_it() {
    let mut upward = Vec::new();
    for (module, targets) in &graph().uses {
        for target in targets {
            if floor_of(target) > floor_of(module) {
                upward.push(format!("{module} uses {target}"));
            }
        }
    }
    assert!(upward.is_empty(), "uses of a higher floor: {upward:#?}");
}

#[test]
fn no_two_modules_use_each_other() {
    let uses = graph().uses;
    // A module is in a circle when it reaches itself.
    let mut circles = Vec::new();
    for start in uses.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = uses[start].iter().collect();
        while let Some(module) = stack.pop() {
            if module == start {
                circles.push(start.clone());
                break;
            }
            if seen.insert(module) {
                stack.extend(uses.get(module).into_iter().flatten());
            }
        }
    }
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}"
    );
}

#[test]
fn the_checker_sees_what_it_checks() {
    let uses = graph().uses;
    // Known edges: were the parser blind, the tests above would pass on
    // nothing.
    assert!(uses["analysis/explain"].contains("formats/dsl_text"));
    assert!(uses["engines"].contains("policy/model"));
    assert!(uses["bpf/compile"].contains("bpf/condition"));
    assert!(uses["tables/abi"].contains("tables/syscalls"));
    assert!(uses.contains_key("authoring/frontend"));
    let paths = crate_paths("use crate::{model::Rule, syscalls};\ncrate::bpf::x();");
    assert_eq!(paths.len(), 3);
}

/// Files over the limit that are still to be split: the list only
/// shrinks (a file split must leave it, and no other file may join it).
const STILL_OVER: [&str; 0] = [];

#[test]
fn no_hand_written_file_grows_over_the_limit() {
    let src = src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut over: Vec<String> = (files.iter())
        .filter_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let long = text.lines().count() > MOST_LINES && !text.contains("@generated");
            long.then(|| file.strip_prefix(&src).unwrap().display().to_string())
        })
        .collect();
    over.sort();
    assert_eq!(
        over, STILL_OVER,
        "hand-written files over {MOST_LINES} lines"
    );
}

/// Functions over the limit that are still to be split (`crate/path:name`):
/// the list only shrinks.
const STILL_LONG: [&str; 0] = [];

/// Every function of `text` with its length in lines: from its `fn` line
/// to the `}` at the same indentation.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = &line[..line.len() - code.len()];
        let mut rest = code;
        for prefix in ["pub(crate) ", "pub(super) ", "pub ", "const ", "unsafe "] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        let Some(signature) = rest.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = (signature.chars())
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let closing = format!("{indent}}}");
        if let Some(length) = lines[start..].iter().position(|line| **line == closing) {
            found.push((name, length + 1));
        }
    }
    found
}

#[test]
fn no_hand_written_function_grows_over_the_limit() {
    let workspace = src().join("../..");
    let mut long = Vec::new();
    for krate in [
        "seccomp-dsl-core",
        "seccomp-dsl",
        "seccomp-dsl-macros",
        "seccomp-dsl-cli",
    ] {
        let mut files = Vec::new();
        rust_files(&workspace.join(krate).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains("@generated") {
                continue;
            }
            let path = file.strip_prefix(&workspace).unwrap().display().to_string();
            for (name, lines) in function_lengths(&text) {
                if lines > MOST_FUNCTION_LINES {
                    long.push(format!("{path}:{name}"));
                }
            }
        }
    }
    long.sort();
    assert_eq!(
        long, STILL_LONG,
        "functions over {MOST_FUNCTION_LINES} lines"
    );
}

#[test]
fn function_lengths_are_counted_to_the_closing_brace() {
    let text = "fn a() {\n    x;\n}\n\nimpl A {\n    pub fn b(&self) {\n        if x {\n        }\n    }\n}\n";
    assert_eq!(
        function_lengths(text),
        [("a".to_string(), 3), ("b".to_string(), 4)]
    );
}

/// The feature sets a build can ask for: the core bare (what a program
/// that only installs its policy compiles) and with each floor's feature
/// alone, and the runtime crate bare and with `profiles`. A floor that
/// reaches a module behind a feature it does not enable fails here, where
/// the workspace's own build, which enables every feature, would not.
#[test]
fn every_feature_set_builds_on_its_own() {
    let workspace = src().join("../..");
    let builds: [(&str, &[&str]); 7] = [
        ("seccomp-dsl-core", &["--no-default-features"]),
        (
            "seccomp-dsl-core",
            &["--no-default-features", "--features", "checks"],
        ),
        (
            "seccomp-dsl-core",
            &["--no-default-features", "--features", "formats"],
        ),
        (
            "seccomp-dsl-core",
            &["--no-default-features", "--features", "analysis"],
        ),
        (
            "seccomp-dsl-core",
            &["--no-default-features", "--features", "authoring"],
        ),
        ("seccomp-dsl", &[]),
        ("seccomp-dsl", &["--features", "profiles"]),
    ];
    for (package, features) in builds {
        let output = std::process::Command::new(env!("CARGO"))
            .args(["check", "--quiet", "--package", package])
            .args(features)
            .env("CARGO_TARGET_DIR", workspace.join("target/feature-sets"))
            .env_remove("RUSTFLAGS")
            .current_dir(&workspace)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "cargo check -p {package} {}:\n{}",
            features.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
