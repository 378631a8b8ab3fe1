//! The seeded Fisher–Yates permutation and 80/20 split of
//! `shared/data/README.md`, ported bit-exactly so that Rust and Keras train
//! on the same rows.

use super::rng::SplitMix64;

/// Returns a permutation of `0..n` by Fisher–Yates driven by splitmix64.
///
/// For `i` from `n - 1` down to 1, swaps `perm[i]` with `perm[next_u64() % (i + 1)]`.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    shuffle(&mut rng, n)
}

/// Returns a permutation of `0..n` drawn from an existing generator.
pub fn shuffle(rng: &mut SplitMix64, n: usize) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i + 1);
        perm.swap(i, j);
    }
    perm
}

/// Returns `(train, test)` row indices: the first `n * 8 / 10` entries of the
/// seeded permutation are the training rows, the rest the test rows.
pub fn train_test_indices(n: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let perm = permutation(n, seed);
    let n_train = n * 8 / 10;
    (perm[..n_train].to_vec(), perm[n_train..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vectors from `shared/data/README.md` ("Split").
    #[test]
    fn permutations_match_the_readme_test_vectors() {
        assert_eq!(
            permutation(1797, 42)[..10],
            [1324, 623, 1117, 298, 793, 1292, 632, 1339, 513, 673]
        );
        assert_eq!(
            permutation(569, 42)[..10],
            [42, 429, 424, 284, 115, 235, 256, 331, 207, 444]
        );
    }

    #[test]
    fn split_sizes_follow_integer_division() {
        let (train, test) = train_test_indices(1797, 42);
        assert_eq!((train.len(), test.len()), (1437, 360));
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1797).collect::<Vec<_>>());
    }
}
