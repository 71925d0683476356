//! "Did you mean" suggestions for misspelt names.

/// The candidate closest to `name`, if one is close enough to be a likely
/// typo (edit distance at most a third of the name's length, at least 1).
///
/// ```
/// use seccomp_dsl_core::suggest::closest;
/// assert_eq!(closest("rea", ["read", "write"]), Some("read"));
/// assert_eq!(closest("xyzzy", ["read", "write"]), None);
/// ```
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let budget = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(name, candidate), candidate))
        .filter(|&(distance, _)| distance <= budget)
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map(|(_, candidate)| candidate)
}
