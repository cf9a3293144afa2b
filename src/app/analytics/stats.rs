//! Small statistics over durations in seconds: percentiles by nearest rank
//! and the median.

/// The `p`th percentile (0 < p ≤ 100) by nearest rank: the smallest value
/// with at least p% of the values at or below it. None for no values.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (u64::from(p.clamp(1, 100)) * sorted.len() as u64).div_ceil(100) as usize;
    Some(sorted[rank.max(1) - 1])
}

/// The median: the middle value, or the mean of the two middle ones
/// (rounded down). None for no values.
pub fn median(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]).div_euclid(2) })
}

/// A duration in seconds as people read it: "45s", "3m 05s", "2h 10m".
pub fn format_seconds(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// `part` of `whole` in percent, rounded to one decimal; 0 for nothing.
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { (part as f64 * 1000.0 / whole as f64).round() / 10.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values = [15, 20, 35, 40, 50];
        assert_eq!(percentile(&values, 50), Some(35));
        assert_eq!(percentile(&values, 95), Some(50));
        assert_eq!(percentile(&values, 30), Some(20));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 95), Some(95));
        assert_eq!(percentile(&hundred, 50), Some(50));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[40, 10, 30, 20]), Some(25));
        assert_eq!(median(&[3, 1, 2]), Some(2));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn durations_read_in_the_largest_useful_unit() {
        assert_eq!(format_seconds(45), "45s");
        assert_eq!(format_seconds(185), "3m 05s");
        assert_eq!(format_seconds(7800), "2h 10m");
    }

    #[test]
    fn percentages_round_to_one_decimal() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(2, 8), 25.0);
    }
}
