//! Fault-latency histograms: the bucket layout that the `fault_latency` system call copies
//! out, and that the kernel's power-off report, the benchmark programs and the host harness
//! all share.
//!
//! Buckets are log-linear: four per power of two, so a bucket is never wider than a quarter
//! of its lower bound and any percentile read from it is within 12.5% of the truth (the
//! midpoint is reported). Values below 4 have a bucket each. 160 buckets reach 2^40 ns,
//! about 18 minutes; anything longer lands in the last one.

/// Buckets in a histogram.
pub const BUCKETS: usize = 160;
const SUB_BUCKET_BITS: u32 = 2;
const SUB_BUCKETS: usize = 1 << SUB_BUCKET_BITS;

/// The bucket that holds `value`.
pub fn bucket_of(value: u64) -> usize {
    if value < SUB_BUCKETS as u64 {
        return value as usize;
    }
    let exponent = 63 - value.leading_zeros();
    let sub = (value >> (exponent - SUB_BUCKET_BITS)) as usize & (SUB_BUCKETS - 1);
    (SUB_BUCKETS * (exponent as usize - 1) + sub).min(BUCKETS - 1)
}

/// The values bucket `index` holds: `[low, high)`.
pub fn bucket_range(index: usize) -> (u64, u64) {
    if index < SUB_BUCKETS {
        return (index as u64, index as u64 + 1);
    }
    let shift = (index / SUB_BUCKETS - 1) as u32;
    let sub = (index % SUB_BUCKETS) as u64;
    ((SUB_BUCKETS as u64 + sub) << shift, (SUB_BUCKETS as u64 + sub + 1) << shift)
}

/// The value reported for bucket `index`: the middle of its range.
pub fn bucket_midpoint(index: usize) -> u64 {
    let (low, high) = bucket_range(index);
    low + (high - low) / 2
}

/// How a fault was resolved, for the histograms: minor or major, and whether it first had
/// to take a frame from another page (dropping a clean one, or writing a dirty one out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultClass {
    Minor = 0,
    MinorCleanEviction = 1,
    MinorDirtyEviction = 2,
    Major = 3,
    MajorCleanEviction = 4,
    MajorDirtyEviction = 5,
}

impl FaultClass {
    /// Number of classes; the `class` argument of `fault_latency` is below it.
    pub const COUNT: usize = 6;
    pub const ALL: [FaultClass; FaultClass::COUNT] = [
        FaultClass::Minor,
        FaultClass::MinorCleanEviction,
        FaultClass::MinorDirtyEviction,
        FaultClass::Major,
        FaultClass::MajorCleanEviction,
        FaultClass::MajorDirtyEviction,
    ];

    /// The class of a fault: `major` for swap-in, executable and mapped-file reads;
    /// `eviction` 0 = none, 1 = clean, 2 = dirty.
    pub fn of(major: bool, eviction: usize) -> FaultClass {
        FaultClass::ALL[usize::from(major) * 3 + eviction.min(2)]
    }

    /// The name used in reports (one word, no spaces).
    pub fn name(self) -> &'static str {
        match self {
            FaultClass::Minor => "minor",
            FaultClass::MinorCleanEviction => "minor+clean-evict",
            FaultClass::MinorDirtyEviction => "minor+dirty-evict",
            FaultClass::Major => "major",
            FaultClass::MajorCleanEviction => "major+clean-evict",
            FaultClass::MajorDirtyEviction => "major+dirty-evict",
        }
    }

    pub fn from_name(name: &str) -> Option<FaultClass> {
        FaultClass::ALL.into_iter().find(|class| class.name() == name)
    }
}

/// Counts of values (nanoseconds) per bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    pub counts: [u64; BUCKETS],
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram { counts: [0; BUCKETS] }
    }
}

impl Histogram {
    pub fn record(&mut self, value: u64) {
        self.counts[bucket_of(value)] += 1;
    }

    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
    }

    /// The values recorded since `earlier`, an older reading of the same histogram: how a
    /// program that reads `fault_latency` at the start and end of an interval gets the
    /// interval's own histogram.
    pub fn since(&self, earlier: &Histogram) -> Histogram {
        let mut interval = self.clone();
        for (mine, before) in interval.counts.iter_mut().zip(&earlier.counts) {
            *mine = mine.saturating_sub(*before);
        }
        interval
    }

    /// The `fraction` quantile (0.5 = median, 0.99 = p99) as a bucket midpoint; `None` when
    /// empty. The quantile is the smallest value with at least that fraction of the values
    /// at or below it.
    pub fn quantile(&self, fraction: f64) -> Option<u64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        // The rank ceil(fraction * total), at least 1 (`no_std` has no `f64::ceil`; the
        // tolerance keeps exact products such as 0.5 * 100 from rounding up).
        let exact = fraction * total as f64;
        let truncated = exact as u64;
        let wanted = if (truncated as f64) < exact - 1e-9 { truncated + 1 } else { truncated }.max(1);
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return Some(bucket_midpoint(index));
            }
        }
        None
    }

    /// The highest bucket used, as its upper bound (exclusive).
    pub fn max_bound(&self) -> Option<u64> {
        self.counts.iter().rposition(|&count| count > 0).map(|index| bucket_range(index).1)
    }

    /// `index:count` for every non-empty bucket, separated by spaces: the compact text form
    /// the kernel and the benchmark programs print.
    pub fn write_compact(&self, out: &mut impl core::fmt::Write) -> core::fmt::Result {
        let mut first = true;
        for (index, count) in self.counts.iter().enumerate().filter(|(_, count)| **count > 0) {
            if !first {
                out.write_char(' ')?;
            }
            write!(out, "{index}:{count}")?;
            first = false;
        }
        Ok(())
    }

    /// Reads [`Histogram::write_compact`]'s form; `None` if a pair is malformed.
    pub fn parse_compact(text: &str) -> Option<Histogram> {
        let mut histogram = Histogram::default();
        for pair in text.split_whitespace() {
            let (index, count) = pair.split_once(':')?;
            let index: usize = index.parse().ok()?;
            *histogram.counts.get_mut(index)? += count.parse::<u64>().ok()?;
        }
        Some(histogram)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn every_value_falls_inside_its_bucket() {
        for value in (0..5000).chain([1 << 20, (1 << 20) + 1, 123_456_789, (1 << 39) + 7]) {
            let (low, high) = bucket_range(bucket_of(value));
            assert!(low <= value && value < high, "{value} not in [{low}, {high})");
        }
    }

    #[test]
    fn buckets_are_contiguous_and_at_most_a_quarter_wide() {
        for index in 1..BUCKETS {
            assert_eq!(bucket_range(index - 1).1, bucket_range(index).0, "gap before bucket {index}");
            let (low, high) = bucket_range(index);
            assert!(index < 4 || (high - low) * 4 <= low, "bucket {index} too wide");
        }
    }

    #[test]
    fn huge_values_land_in_the_last_bucket() {
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn quantiles_pick_the_bucket_holding_that_rank() {
        let mut histogram = Histogram::default();
        for _ in 0..98 {
            histogram.record(1000);
        }
        histogram.record(1_000_000);
        histogram.record(1_000_000);
        let near = |value: Option<u64>, expected: u64| {
            let value = value.unwrap();
            assert!(value.abs_diff(expected) * 8 <= expected, "{value} is not near {expected}");
        };
        near(histogram.quantile(0.5), 1000);
        near(histogram.quantile(0.98), 1000);
        near(histogram.quantile(0.99), 1_000_000);
        assert_eq!(Histogram::default().quantile(0.5), None);
        assert_eq!(histogram.count(), 100);
    }

    #[test]
    fn the_compact_form_round_trips_and_merges() {
        let mut histogram = Histogram::default();
        for value in [5, 5, 700, 90_000] {
            histogram.record(value);
        }
        let mut text = std::string::String::new();
        histogram.write_compact(&mut text).unwrap();
        assert_eq!(text, "5:2 33:1 61:1");
        let mut parsed = Histogram::parse_compact(&text).unwrap();
        assert_eq!(parsed, histogram);
        parsed.merge(&histogram);
        assert_eq!(parsed.count(), 8);
        assert_eq!(Histogram::parse_compact("3:x"), None);
        assert_eq!(Histogram::parse_compact("999:1"), None);
    }

    #[test]
    fn the_histogram_since_an_earlier_reading_holds_only_the_later_values() {
        let mut earlier = Histogram::default();
        earlier.record(5);
        earlier.record(1_000_000);
        let mut later = earlier.clone();
        later.record(700);
        later.record(700);
        let interval = later.since(&earlier);
        assert_eq!(interval.count(), 2);
        assert_eq!(interval.counts[bucket_of(700)], 2);
        assert_eq!(interval.quantile(0.99), Some(bucket_midpoint(bucket_of(700))));
        assert_eq!(earlier.since(&earlier), Histogram::default());
    }

    #[test]
    fn classes_combine_kind_and_eviction() {
        assert_eq!(FaultClass::of(false, 0), FaultClass::Minor);
        assert_eq!(FaultClass::of(true, 2), FaultClass::MajorDirtyEviction);
        for class in FaultClass::ALL {
            assert_eq!(FaultClass::from_name(class.name()), Some(class));
        }
    }
}
