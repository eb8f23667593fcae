//! Spreading an amount over lines in proportion to their weights, exactly.

/// Splits `total` over `weights` in proportion, in whole minor units: each share is the floor
/// of its exact part, and the units left over go to the largest remainders (ties to the
/// earlier line). The shares add up to `total` exactly, and when `total ≤ Σ weights` no share
/// exceeds its weight, so a line is never discounted below zero.
pub fn largest_remainder(total: i128, weights: &[i128]) -> Vec<i128> {
    let sum: i128 = weights.iter().sum();
    if sum <= 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut left = total - shares.iter().sum::<i128>();
    let mut by_remainder: Vec<(i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (total * w % sum, i))
        .collect();
    // Largest remainder first; the earlier line first among equals.
    by_remainder.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in by_remainder {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_favour_the_largest_remainders() {
        // 100 over 1:1:1 is 33.3 each: the first line takes the spare cent.
        assert_eq!(largest_remainder(100, &[1, 1, 1]), vec![34, 33, 33]);
        // 10 over 50:30:20 divides exactly.
        assert_eq!(largest_remainder(10, &[50, 30, 20]), vec![5, 3, 2]);
        // 7 over 1:2 is 2.33 + 4.67: the spare unit goes to the second.
        assert_eq!(largest_remainder(7, &[1, 2]), vec![2, 5]);
        assert_eq!(largest_remainder(5, &[0, 0]), vec![0, 0]);
        assert_eq!(largest_remainder(3, &[0, 4]), vec![0, 3]);
    }
}
