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

/// [`closest`] among the constants of `name`'s family only (those that
/// share its prefix up to the first `_`: `FD_`, `O_`, `MREMAP_`): a name
/// of another family has another value, and a suggestion of it would
/// change what the policy means.
///
/// ```
/// use seccomp_dsl_core::suggest::closest_constant;
/// let known = ["O_CLOEXEC", "FD_CLOEXEC", "O_RDONLY"];
/// assert_eq!(closest_constant("FD_CLOEXC", known), Some("FD_CLOEXEC"));
/// assert_eq!(closest_constant("O_RDONY", known), Some("O_RDONLY"));
/// assert_eq!(closest_constant("XD_CLOEXEC", known), None);
/// ```
pub fn closest_constant<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let family = name.find('_').map(|end| &name[..=end]);
    closest(
        name,
        candidates
            .into_iter()
            .filter(|candidate| family.is_none_or(|family| candidate.starts_with(family))),
    )
}
