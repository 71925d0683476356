//! The shape of a search over ranges of values with the same outcome (the
//! syscall number, or a word of an argument): balanced, or, where every
//! range must be reached within a number of tests, a shape that meets
//! those bounds.
//!
//! A shape has three kinds of node: a leaf (a range, reached), a `jge`
//! split between two neighbouring ranges, and a chain of `jeq` tests of
//! single values that leaves the other ranges it spans, which share one
//! outcome, to the end of the chain (as libseccomp dispatches syscalls).

/// One range, as the search sees it.
#[derive(Clone, Copy, Debug)]
pub struct Leaf {
    /// The range holds one value.
    pub single: bool,
    /// Ranges of the same class have the same outcome.
    pub class: usize,
    /// At most this many tests may run before the range is reached.
    pub bound: u32,
}

/// No bound.
pub const UNBOUNDED: u32 = u32::MAX;

/// A search; ranges are named by their index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The range is known.
    Leaf(usize),
    /// `jge` the start of range `at`: `high` from there up, else `low`.
    Split {
        at: usize,
        low: Box<Shape>,
        high: Box<Shape>,
    },
    /// `jeq` each of the single-value `points` in turn; the `others`, all
    /// of one class, when none is equal.
    Chain {
        points: Vec<usize>,
        others: Vec<usize>,
    },
}

/// The longest chain a bounded search makes.
const MAX_CHAIN: usize = 16;

/// The balanced search over `leaves` (at least one): splits in the middle,
/// and a single `jeq` for a value alone inside ranges of one class.
pub fn balanced(leaves: &[Leaf]) -> Shape {
    balanced_between(leaves, 0, leaves.len())
}

fn balanced_between(leaves: &[Leaf], start: usize, end: usize) -> Shape {
    match end - start {
        1 => Shape::Leaf(start),
        3 if leaves[start + 1].single && leaves[start].class == leaves[start + 2].class => {
            Shape::Chain {
                points: vec![start + 1],
                others: vec![start, start + 2],
            }
        }
        count => {
            let at = start + count / 2;
            Shape::Split {
                at,
                low: Box::new(balanced_between(leaves, start, at)),
                high: Box::new(balanced_between(leaves, at, end)),
            }
        }
    }
}

/// How many tests run before each range is reached.
pub fn depths(shape: &Shape, count: usize) -> Vec<u32> {
    fn walk(shape: &Shape, depth: u32, depths: &mut [u32]) {
        match shape {
            Shape::Leaf(index) => depths[*index] = depth,
            Shape::Split { low, high, .. } => {
                walk(low, depth + 1, depths);
                walk(high, depth + 1, depths);
            }
            Shape::Chain { points, others } => {
                for (position, point) in points.iter().enumerate() {
                    depths[*point] = depth + 1 + position as u32;
                }
                for other in others {
                    depths[*other] = depth + points.len() as u32;
                }
            }
        }
    }
    let mut depths = vec![0; count];
    walk(shape, 0, &mut depths);
    depths
}

/// Whether `shape` reaches every leaf within its bound.
pub fn meets_bounds(shape: &Shape, leaves: &[Leaf]) -> bool {
    depths(shape, leaves.len())
        .iter()
        .zip(leaves)
        .all(|(depth, leaf)| *depth <= leaf.bound)
}

/// A search that reaches every leaf within its bound, as balanced as the
/// bounds allow; `None` when there is none.
pub fn within_bounds(leaves: &[Leaf]) -> Option<Shape> {
    // Tighter bounds keep the table small; a search is never that deep.
    let leaves: Vec<Leaf> = leaves
        .iter()
        .map(|leaf| Leaf {
            bound: if leaf.bound == UNBOUNDED {
                UNBOUNDED
            } else {
                leaf.bound.min(DEEPEST_BOUND)
            },
            ..*leaf
        })
        .collect();
    let reach = Reach::new(&leaves);
    (reach.at(0, 0) == leaves.len()).then(|| reach.build(0, leaves.len(), 0))
}

/// Bounds above this count as this.
const DEEPEST_BOUND: u32 = 64;

/// `reach[depth][start]`: the furthest `end` such that ranges
/// `start..end` can be searched by a shape entered after `depth` tests.
/// Dropping ranges from either end of a shape keeps it within bounds, so
/// the furthest reach of a left part never hurts the right part.
struct Reach<'l> {
    leaves: &'l [Leaf],
    /// Past this depth only unbounded ranges can be reached.
    deepest: u32,
    table: Vec<Vec<usize>>,
    /// For each start, the chains from it: `(end, the class that falls
    /// through, the deepest entry that meets every bound)`.
    chains: Vec<Vec<(usize, usize, u32)>>,
}

impl<'l> Reach<'l> {
    fn new(leaves: &'l [Leaf]) -> Reach<'l> {
        let deepest = leaves
            .iter()
            .map(|leaf| leaf.bound)
            .filter(|bound| *bound != UNBOUNDED)
            .max()
            .map_or(0, |bound| bound + 1);
        let mut reach = Reach {
            leaves,
            deepest,
            table: vec![Vec::new(); deepest as usize + 1],
            chains: (0..leaves.len())
                .map(|start| chains_from(leaves, start))
                .collect(),
        };
        // At the deepest level, runs of unbounded ranges.
        let mut last = vec![0; leaves.len()];
        for start in (0..leaves.len()).rev() {
            last[start] = if leaves[start].bound != UNBOUNDED {
                start
            } else if start + 1 < leaves.len() {
                last[start + 1].max(start + 1)
            } else {
                start + 1
            };
        }
        reach.table[deepest as usize] = last;
        for depth in (0..deepest).rev() {
            let row = (0..leaves.len())
                .map(|start| reach.furthest(start, depth))
                .collect();
            reach.table[depth as usize] = row;
        }
        reach
    }

    fn at(&self, start: usize, depth: u32) -> usize {
        if start >= self.leaves.len() {
            return start;
        }
        self.table[depth.min(self.deepest) as usize][start]
    }

    fn furthest(&self, start: usize, depth: u32) -> usize {
        // A shape entered one test later fits here too; or a leaf; or a
        // split, its left part reaching as far as it can.
        let deeper = self.at(start, depth + 1);
        let mut end = deeper;
        if self.leaves[start].bound >= depth {
            end = end.max(start + 1);
        }
        if deeper > start && deeper < self.leaves.len() {
            end = end.max(self.at(deeper, depth + 1));
        }
        for &(chain_end, _, deepest) in &self.chains[start] {
            if deepest >= depth {
                end = end.max(chain_end);
            }
        }
        end
    }

    /// The chain over exactly `start..end` entered after `depth` tests, if
    /// one meets the bounds.
    fn chain(&self, start: usize, end: usize, depth: u32) -> Option<Shape> {
        let &(_, class, _) = self.chains[start]
            .iter()
            .find(|&&(chain_end, _, deepest)| chain_end == end && deepest >= depth)?;
        let (mut points, others): (Vec<usize>, Vec<usize>) =
            (start..end).partition(|index| self.leaves[*index].class != class);
        points.sort_by_key(|point| self.leaves[*point].bound);
        Some(Shape::Chain { points, others })
    }

    /// The shape for `start..end`, known to be reachable after `depth` tests.
    fn build(&self, start: usize, end: usize, depth: u32) -> Shape {
        if end == start + 1 {
            return Shape::Leaf(start);
        }
        if let Some(chain) = self.chain(start, end, depth) {
            if matches!(&chain, Shape::Chain { points, .. } if points.len() == 1) {
                return chain;
            }
        }
        let balanced = (start + end) / 2;
        let split = (start + 1..end)
            .filter(|&at| self.at(start, depth + 1) >= at && self.at(at, depth + 1) >= end)
            .min_by_key(|&at| at.abs_diff(balanced));
        if let Some(at) = split {
            return Shape::Split {
                at,
                low: Box::new(self.build(start, at, depth + 1)),
                high: Box::new(self.build(at, end, depth + 1)),
            };
        }
        match self.chain(start, end, depth) {
            Some(chain) => chain,
            // Reachable only as a deeper shape, which is within bounds here too.
            None => self.build(start, end, depth + 1),
        }
    }
}

/// The chains that can start at `start`: for each end, the class that falls
/// through and how deep the chain may
/// be entered with every range within its bound, its points tested
/// tightest bound first (`None`: at no depth).
fn chains_from(leaves: &[Leaf], start: usize) -> Vec<(usize, usize, u32)> {
    let mut chains: Vec<(usize, usize, u32)> = Vec::new();
    // The class that falls through is that of a range of several values, or
    // of one of the first ranges.
    let window = &leaves[start..leaves.len().min(start + 2 * MAX_CHAIN + 1)];
    let mut classes: Vec<usize> = window.iter().take(3).map(|leaf| leaf.class).collect();
    classes.extend(
        window
            .iter()
            .find(|leaf| !leaf.single)
            .map(|leaf| leaf.class),
    );
    classes.sort_unstable();
    classes.dedup();
    for class in classes {
        // Bounds of the points so far, sorted; the tightest bound of the others.
        let mut points: Vec<u32> = Vec::new();
        let mut others: Option<u32> = None;
        for (index, leaf) in leaves
            .iter()
            .enumerate()
            .skip(start)
            .take(4 * MAX_CHAIN + 1)
        {
            if leaf.class == class {
                others = Some(others.map_or(leaf.bound, |bound| bound.min(leaf.bound)));
            } else if leaf.single && points.len() < MAX_CHAIN {
                let at = points.partition_point(|bound| *bound <= leaf.bound);
                points.insert(at, leaf.bound);
            } else {
                break;
            }
            let (Some(others), false) = (others, points.is_empty()) else {
                continue;
            };
            let end = index + 1;
            // Point `t` (from 1) is reached after `depth + t` tests; the
            // others after `depth + points`.
            let deepest_for_points = points
                .iter()
                .enumerate()
                .map(|(position, bound)| i64::from(*bound) - 1 - position as i64)
                .min()
                .unwrap_or(i64::MAX);
            let deepest_for_others = i64::from(others) - points.len() as i64;
            let deepest = deepest_for_points.min(deepest_for_others);
            if deepest < 0 {
                continue;
            }
            let deepest = u32::try_from(deepest).unwrap_or(UNBOUNDED - 1);
            match chains.iter_mut().find(|(known, _, _)| *known == end) {
                Some(entry) if entry.2 < deepest => *entry = (end, class, deepest),
                Some(_) => {}
                None => chains.push((end, class, deepest)),
            }
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(bounds: &[u32], singles: &[bool], classes: &[usize]) -> Vec<Leaf> {
        bounds
            .iter()
            .zip(singles)
            .zip(classes)
            .map(|((&bound, &single), &class)| Leaf {
                single,
                class,
                bound,
            })
            .collect()
    }

    #[test]
    fn bounds_move_ranges_up_the_search() {
        // Eight ranges; the last must be reached after one test.
        let mut bounds = vec![UNBOUNDED; 8];
        bounds[7] = 1;
        let leaves = leaves(&bounds, &[false; 8], &[0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(!meets_bounds(&balanced(&leaves), &leaves));
        let shape = within_bounds(&leaves).unwrap();
        assert!(meets_bounds(&shape, &leaves));
        assert_eq!(depths(&shape, 8)[7], 1);
    }

    #[test]
    fn sparse_values_are_chained_as_libseccomp_does() {
        // gap, value, gap, value, gap: the first value after one test.
        let leaves = leaves(
            &[3, 1, 3, 2, 3],
            &[false, true, false, true, false],
            &[0, 1, 0, 2, 0],
        );
        let shape = within_bounds(&leaves).unwrap();
        assert_eq!(
            shape,
            Shape::Chain {
                points: vec![1, 3],
                others: vec![0, 2, 4]
            }
        );
    }

    #[test]
    fn impossible_bounds_give_none() {
        let leaves = leaves(&[0, 0], &[false, false], &[0, 1]);
        assert_eq!(within_bounds(&leaves), None);
    }
}
