//! Unit newtypes: bytes, money in integer cents, watts, amps and link rates.
//!
//! This module owns every conversion between the text a user writes in a design file
//! (`"1.5 TB"`, `"120.00"`) and the exact integer units the engines compute with. It must not
//! know about parts or designs. Capacity is always exact bytes (`u64`) and is shown both in
//! decimal TB (10^12 B, how vendors and Backblaze sell and quote drives) and in binary TiB
//! (2^40 B, how operating systems report it). Money is always integer cents (`i64`): no `f64`
//! ever holds a price.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One decimal terabyte in bytes (10^12), the unit drives are sold in.
pub const TB: u64 = 1_000_000_000_000;
/// One binary tebibyte in bytes (2^40), the unit operating systems report.
pub const TIB: u64 = 1 << 40;

/// An exact number of bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Bytes(pub u64);

impl Bytes {
    /// The value in decimal terabytes (10^12 B).
    pub fn tb(self) -> f64 {
        self.0 as f64 / TB as f64
    }
    /// The value in binary tebibytes (2^40 B).
    pub fn tib(self) -> f64 {
        self.0 as f64 / TIB as f64
    }
    /// Sum that saturates instead of wrapping (validated designs never come near `u64::MAX`).
    pub fn saturating_add(self, other: Bytes) -> Bytes {
        Bytes(self.0.saturating_add(other.0))
    }
    /// Product by a count, saturating.
    pub fn saturating_mul(self, n: u64) -> Bytes {
        Bytes(self.0.saturating_mul(n))
    }
    /// No bytes.
    pub const ZERO: Bytes = Bytes(0);
    /// The exact count of bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
    /// True when there are no bytes.
    pub(crate) fn is_zero(self) -> bool {
        self.0 == 0
    }
    /// The bytes times a factor, rounded toward zero; the float-to-integer conversion
    /// saturates (a negative or NaN product is 0, a huge one `u64::MAX`).
    pub fn scale(self, factor: f64) -> Bytes {
        Bytes((self.0 as f64 * factor) as u64)
    }
    /// `num / den` of the bytes, rounded down, computed exactly in 128 bits; a zero
    /// denominator counts as 1. Never more than the bytes when `num <= den`.
    pub fn fraction(self, num: u32, den: u32) -> Bytes {
        Bytes((u128::from(self.0) * u128::from(num) / u128::from(den.max(1))) as u64)
    }
    /// The bytes rounded down to a whole number of `granule`s (a zero granule leaves them).
    pub(crate) fn round_down(self, granule: u64) -> Bytes {
        match granule {
            0 => self,
            g => Bytes(self.0 / g * g),
        }
    }
    /// This value as a percentage of `whole`, 0 when `whole` is zero.
    pub(crate) fn percent_of(self, whole: Bytes) -> f64 {
        if whole.0 == 0 {
            0.0
        } else {
            100.0 * self.0 as f64 / whole.0 as f64
        }
    }
}

/// Sum of byte counts; saturates at `u64::MAX` instead of wrapping.
impl std::ops::Add for Bytes {
    type Output = Bytes;
    fn add(self, o: Bytes) -> Bytes {
        self.saturating_add(o)
    }
}

/// Difference of byte counts; saturates at 0 instead of wrapping.
impl std::ops::Sub for Bytes {
    type Output = Bytes;
    fn sub(self, o: Bytes) -> Bytes {
        Bytes(self.0.saturating_sub(o.0))
    }
}

/// Sum of byte counts; saturates at `u64::MAX` instead of wrapping.
impl std::iter::Sum for Bytes {
    fn sum<I: Iterator<Item = Bytes>>(iter: I) -> Bytes {
        iter.fold(Bytes::ZERO, Bytes::saturating_add)
    }
}

impl fmt::Display for Bytes {
    /// Shows decimal TB and binary TiB side by side, e.g. `135.00 TB (122.78 TiB)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} TB ({:.2} TiB)", self.tb(), self.tib())
    }
}

/// Why a quantity string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The text is not a number followed by a known unit.
    #[error("cannot read {0:?}: {1}")]
    Malformed(String, &'static str),
    /// The number does not fit the unit's integer range.
    #[error("{0:?} is too large to represent")]
    Overflow(String),
    /// The value is negative where only non-negative values make sense.
    #[error("{0:?} is negative")]
    Negative(String),
}

const TOO_MANY_DIGITS: &str = "too many digits";

/// A non-negative decimal number split into digits and scale: `"1.50"` → (150, 2).
fn parse_decimal(text: &str) -> Result<(bool, u128, u32), &'static str> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    if t.is_empty() {
        return Err("no number");
    }
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err("no digits");
    }
    let mut value: u128 = 0;
    for c in int.chars().chain(frac.chars()) {
        let d = c.to_digit(10).ok_or("not a decimal number")?;
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u128::from(d)))
            .ok_or(TOO_MANY_DIGITS)?;
    }
    let scale = u32::try_from(frac.len()).map_err(|_| TOO_MANY_DIGITS)?;
    Ok((neg, value, scale))
}

/// Largest decimal exponent accepted in `"1e30 B"`-style numbers; any larger one overflows
/// every unit here, so it is reported as too large without computing 10^exp.
const MAX_EXPONENT: i64 = 100;

/// A number with an optional exponent (`"1e30"`, `"2.5E-3"`) as digits and a net power of ten:
/// value = digits × 10^power. Signs of the mantissa are returned apart.
fn parse_scientific(text: &str) -> Result<(bool, u128, i64), &'static str> {
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (neg, digits, scale) = parse_decimal(mantissa)?;
    let exp: i64 = match exp {
        None => 0,
        Some(e) => {
            let body = e.strip_prefix(['+', '-']).unwrap_or(e);
            if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
                return Err("not a decimal number");
            }
            // Long exponents are absurd either way; keep the arithmetic bounded.
            let mag: i64 = body
                .parse::<i64>()
                .unwrap_or(i64::MAX)
                .min(MAX_EXPONENT + 1);
            if e.starts_with('-') { -mag } else { mag }
        }
    };
    if digits != 0 && exp > MAX_EXPONENT {
        return Err(TOO_MANY_DIGITS);
    }
    Ok((neg, digits, exp - i64::from(scale)))
}

/// Formats a float for a message with at most a dozen digits: plain for ordinary magnitudes
/// (`140`, `0.5`), scientific otherwise (`1.000e308`), and words for what is not a number.
pub(crate) fn fmt_bounded(v: f64) -> String {
    if v.is_nan() {
        return "not a number".into();
    }
    if v.is_infinite() {
        return "not a finite number".into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        return format!("{v:.3e}");
    }
    let t = format!("{v:.4}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" { "0".into() } else { t.to_string() }
}

/// `3.0` → `3`, `1.5` → `1.5`, `0.12345` → `0.123`.
pub(crate) fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Parses a capacity such as `"1.5 TB"`, `"160 GB"`, `"4 TiB"` or `"512 B"` into exact bytes.
///
/// Decimal units (kB, MB, GB, TB, PB) are powers of 1000; binary units (KiB … PiB) powers of
/// 1024. A result that is not a whole number of bytes, or that overflows `u64`, is an error.
pub(crate) fn parse_bytes(text: &str) -> Result<Bytes, QuantityError> {
    let bad = |why| QuantityError::Malformed(text.to_string(), why);
    let t = text.trim();
    // The number runs up to the first character that is not part of it; an `e` belongs to it
    // when a digit or a sign and digit follow (`1e30 B`, `2.5E-3 TB`).
    let b = t.as_bytes();
    let mut split = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let exp_here = (c == b'e' || c == b'E')
            && i > 0
            && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')
            && match b.get(i + 1) {
                Some(d) if d.is_ascii_digit() => true,
                Some(b'+' | b'-') => b.get(i + 2).is_some_and(u8::is_ascii_digit),
                _ => false,
            };
        if exp_here {
            i += 2;
            continue;
        }
        if !(c.is_ascii_digit() || c == b'.' || c == b'-') {
            split = Some(i);
            break;
        }
        i += 1;
    }
    let split = split.ok_or_else(|| bad("missing unit (write e.g. \"3 TB\")"))?;
    let (num, unit) = t.split_at(split);
    let multiplier: u128 = match unit.trim() {
        "B" => 1,
        "kB" | "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        "PB" => 1_000_000_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "PiB" => 1 << 50,
        _ => {
            return Err(bad(
                "unknown unit (use B, kB, MB, GB, TB, PB, KiB, MiB, GiB, TiB or PiB)",
            ));
        }
    };
    let (neg, digits, power) = parse_scientific(num).map_err(|why| match why {
        TOO_MANY_DIGITS => QuantityError::Overflow(text.to_string()),
        other => bad(other),
    })?;
    if neg && digits != 0 {
        return Err(QuantityError::Negative(text.to_string()));
    }
    let overflow = || QuantityError::Overflow(text.to_string());
    let mut scaled = digits.checked_mul(multiplier).ok_or_else(overflow)?;
    if power > 0 && scaled != 0 {
        let up = u32::try_from(power).map_err(|_| overflow())?;
        scaled = 10u128
            .checked_pow(up)
            .and_then(|f| scaled.checked_mul(f))
            .ok_or_else(overflow)?;
    }
    let scale = u32::try_from(power.min(0).unsigned_abs()).map_err(|_| overflow())?;
    // More decimals than any unit has bytes: a fraction of a byte unless the digits are 0.
    let divisor = match 10u128.checked_pow(scale) {
        Some(d) => d,
        None if scaled == 0 => 1,
        None => return Err(bad("not a whole number of bytes")),
    };
    if scaled % divisor != 0 {
        return Err(bad("not a whole number of bytes"));
    }
    u64::try_from(scaled / divisor)
        .map(Bytes)
        .map_err(|_| overflow())
}

/// An exact amount of money in integer cents of the price's currency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

impl Cents {
    /// Extended price: unit price times a quantity, or `None` on overflow.
    pub fn checked_mul(self, qty: u64) -> Option<Cents> {
        i64::try_from(qty)
            .ok()
            .and_then(|q| self.0.checked_mul(q))
            .map(Cents)
    }
    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }
    /// The value in whole currency units as a float, for display and ratios only.
    pub(crate) fn as_units_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
    /// No money.
    pub const ZERO: Cents = Cents(0);
    /// The exact amount in cents.
    pub fn cents(self) -> i64 {
        self.0
    }
    /// True below zero.
    pub(crate) fn is_negative(self) -> bool {
        self.0 < 0
    }
    /// Difference, saturating at the `i64` range instead of wrapping.
    pub fn saturating_sub(self, other: Cents) -> Cents {
        Cents(self.0.saturating_sub(other.0))
    }
    /// An equal share of the amount among `n` (a count of at least 1; 0 counts as 1),
    /// rounded toward zero.
    pub fn share(self, n: u32) -> Cents {
        Cents(self.0 / i64::from(n.max(1)))
    }
    /// Sum of amounts, or `None` on overflow.
    pub fn checked_sum(mut iter: impl Iterator<Item = Cents>) -> Option<Cents> {
        iter.try_fold(Cents::ZERO, Cents::checked_add)
    }
    /// This amount as a percentage of `whole`, 0 when `whole` is zero.
    pub(crate) fn percent_of(self, whole: Cents) -> f64 {
        if whole.0 == 0 {
            0.0
        } else {
            100.0 * self.0 as f64 / whole.0 as f64
        }
    }
}

impl fmt::Display for Cents {
    /// Shows `$7,384.00` style: thousands separators, two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let units = abs / 100;
        let cents = abs % 100;
        write!(f, "{sign}${}.{cents:02}", group_thousands(units))
    }
}

/// `n` with a comma between thousands: `196,711,649,640,448`.
pub(crate) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parses a money amount such as `"120.00"`, `"0.17"` or `"7,384"` into integer cents.
///
/// Thousands separators (`,`) are allowed; more than two decimals is an error (a price that
/// needs fractions of a cent should be given per larger unit). Negative amounts parse (so
/// validation can report them with their place) and are flagged by the caller.
pub fn parse_cents(text: &str) -> Result<Cents, QuantityError> {
    let bad = |why| QuantityError::Malformed(text.to_string(), why);
    let cleaned: String = text.trim().trim_start_matches('$').replace(',', "");
    let (neg, digits, scale) = parse_decimal(&cleaned).map_err(bad)?;
    if scale > 2 {
        return Err(bad("more than two decimals (cents)"));
    }
    let factor = 10u128.pow(2 - scale);
    let cents = digits
        .checked_mul(factor)
        .and_then(|c| i64::try_from(c).ok())
        .ok_or_else(|| QuantityError::Overflow(text.to_string()))?;
    Ok(Cents(if neg { -cents } else { cents }))
}

/// Arithmetic shared by the floating-point quantities: sums and differences of the same unit,
/// scaling by a plain factor, the ratio of two values of the unit, and sums of iterators. Each
/// operation is the one `f64` operation on the values, in the same order, so a computation
/// moved into a newtype gives the same bits.
macro_rules! float_quantity {
    ($t:ident, $get:ident, $unit:literal) => {
        impl $t {
            /// Zero.
            pub const ZERO: $t = $t(0.0);
            #[doc = concat!("The value in ", $unit, ".")]
            pub fn $get(self) -> f64 {
                self.0
            }
            /// The value when it is a finite number (neither NaN nor infinite), else `None`:
            /// the check for a value that came from a user.
            pub fn finite(v: f64) -> Option<$t> {
                v.is_finite().then_some($t(v))
            }
            /// True when the value is a finite number.
            pub fn is_finite(self) -> bool {
                self.0.is_finite()
            }
            /// The larger of two values (`f64::max`: a NaN loses).
            pub fn max(self, other: $t) -> $t {
                $t(self.0.max(other.0))
            }
            /// The smaller of two values (`f64::min`: a NaN loses).
            pub fn min(self, other: $t) -> $t {
                $t(self.0.min(other.0))
            }
        }
        impl std::ops::Add for $t {
            type Output = $t;
            fn add(self, o: $t) -> $t {
                $t(self.0 + o.0)
            }
        }
        impl std::ops::AddAssign for $t {
            fn add_assign(&mut self, o: $t) {
                self.0 += o.0;
            }
        }
        impl std::ops::Sub for $t {
            type Output = $t;
            fn sub(self, o: $t) -> $t {
                $t(self.0 - o.0)
            }
        }
        impl std::ops::Mul<f64> for $t {
            type Output = $t;
            fn mul(self, k: f64) -> $t {
                $t(self.0 * k)
            }
        }
        impl std::ops::Mul<$t> for f64 {
            type Output = $t;
            fn mul(self, v: $t) -> $t {
                $t(self * v.0)
            }
        }
        impl std::ops::Div<f64> for $t {
            type Output = $t;
            fn div(self, k: f64) -> $t {
                $t(self.0 / k)
            }
        }
        /// The ratio of two values of the same unit, a plain number.
        impl std::ops::Div for $t {
            type Output = f64;
            fn div(self, o: $t) -> f64 {
                self.0 / o.0
            }
        }
        impl std::iter::Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                $t(iter.map(|v| v.0).sum::<f64>())
            }
        }
    };
}

/// Electrical power in watts.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Watts(pub f64);
float_quantity!(Watts, watts, "watts");

/// Electrical current in amperes.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Amps(pub f64);
float_quantity!(Amps, amps, "amperes");

/// Electrical potential in volts (a supply rail).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Volts(pub f64);
float_quantity!(Volts, volts, "volts");

/// Power drawn at a current on a rail: `P = I × V`.
impl std::ops::Mul<Amps> for Volts {
    type Output = Watts;
    fn mul(self, a: Amps) -> Watts {
        Watts(self.0 * a.0)
    }
}

/// Current drawn by a power on a rail: `I = P / V`.
impl std::ops::Div<Volts> for Watts {
    type Output = Amps;
    fn div(self, v: Volts) -> Amps {
        Amps(self.0 / v.0)
    }
}

/// A sustained data rate in decimal megabytes per second (10^6 B/s) of payload.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct MBps(pub f64);
float_quantity!(MBps, mb_s, "decimal megabytes per second");

/// Hours in a year (365 days): the unit AFRs are quoted per (model §6.1: `λ = AFR / 8760 h`).
pub const HOURS_PER_YEAR: f64 = 8760.0;
/// Hours in a day.
pub(crate) const HOURS_PER_DAY: f64 = 24.0;
/// Seconds in an hour.
pub(crate) const SECONDS_PER_HOUR: f64 = 3600.0;

/// A span of time in hours: repair, rebuild, detection delay and mission times.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Hours(pub f64);
float_quantity!(Hours, hours, "hours");

impl Hours {
    /// A span of `days` days of 24 h.
    pub(crate) fn from_days(days: f64) -> Hours {
        Hours(days * HOURS_PER_DAY)
    }
    /// A span of `years` years of [`HOURS_PER_YEAR`].
    pub fn from_years(years: f64) -> Hours {
        Hours(years * HOURS_PER_YEAR)
    }
    /// The value in days of 24 h.
    pub fn days(self) -> f64 {
        self.0 / HOURS_PER_DAY
    }
    /// The value in years of [`HOURS_PER_YEAR`].
    pub fn years(self) -> f64 {
        self.0 / HOURS_PER_YEAR
    }
}

/// The time to move a number of bytes at a sustained rate: bytes / (MB/s × 10^6) / 3600.
impl std::ops::Div<MBps> for Bytes {
    type Output = Hours;
    fn div(self, rate: MBps) -> Hours {
        Hours(self.0 as f64 / (rate.0 * 1e6) / SECONDS_PER_HOUR)
    }
}

/// Line encoding of a serial link: how many payload bits each line bit carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// 8b/10b (SATA, SAS, PCIe 1.x and 2.0, DMI 1.0/2.0, GbE's 1000BASE-X): 80 % payload.
    B8b10b,
    /// 128b/130b (PCIe 3.0 and later, DMI 3.0): 98.46 % payload.
    B128b130b,
    /// A parallel bus or a rate already quoted as payload (PCI, PCI-X, Ethernet MAC rate).
    None,
}

impl Encoding {
    /// Payload bits per line bit.
    pub fn efficiency(self) -> f64 {
        match self {
            Encoding::B8b10b => 8.0 / 10.0,
            Encoding::B128b130b => 128.0 / 130.0,
            Encoding::None => 1.0,
        }
    }
}

/// A raw line rate together with its encoding, so the payload ceiling is never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LineRate {
    /// Raw signalling rate in gigabits per second (10^9 bit/s), per direction, all lanes.
    pub gbit_s: f64,
    /// The line code applied to the raw rate.
    pub encoding: Encoding,
}

impl LineRate {
    /// Payload ceiling in MB/s before any protocol overhead: raw × encoding / 8.
    pub fn payload(self) -> MBps {
        MBps(self.gbit_s * 1e9 * self.encoding.efficiency() / 8.0 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_parses_exactly() {
        assert_eq!(parse_bytes("1.5 TB"), Ok(Bytes(1_500_000_000_000)));
        assert_eq!(parse_bytes("3TB"), Ok(Bytes(3 * TB)));
        assert_eq!(parse_bytes("160 GB"), Ok(Bytes(160_000_000_000)));
        assert_eq!(parse_bytes("1 TiB"), Ok(Bytes(TIB)));
        assert!(matches!(
            parse_bytes("1000000000000000000 TB"),
            Err(QuantityError::Overflow(_))
        ));
        assert!(parse_bytes("1.5").is_err());
        assert!(parse_bytes("0.5 B").is_err());
        assert!(parse_bytes("three TB").is_err());
        assert!(matches!(
            parse_bytes("-1 TB"),
            Err(QuantityError::Negative(_))
        ));
    }

    #[test]
    fn capacity_reads_exponents_and_reports_huge_ones_as_overflow() {
        assert_eq!(parse_bytes("3e12 B"), Ok(Bytes(3 * TB)));
        assert_eq!(parse_bytes("1.5E3 GB"), Ok(Bytes(1_500 * 1_000_000_000)));
        assert_eq!(parse_bytes("2e+0 TB"), Ok(Bytes(2 * TB)));
        assert_eq!(parse_bytes("1500e-3 TB"), Ok(Bytes(1_500_000_000_000)));
        for huge in ["1e30 B", "1e20 TB", "1e999999999999999999999 B"] {
            assert!(
                matches!(parse_bytes(huge), Err(QuantityError::Overflow(_))),
                "{huge}: {:?}",
                parse_bytes(huge)
            );
        }
        assert!(matches!(
            parse_bytes("1e-999 B"),
            Err(QuantityError::Malformed(..))
        ));
        assert_eq!(parse_bytes("0e999 B"), Ok(Bytes(0)));
        assert!(parse_bytes("1e B").is_err());
        assert!(parse_bytes("1eB").is_err());
    }

    #[test]
    fn bounded_format_never_prints_more_than_a_dozen_digits() {
        assert_eq!(fmt_bounded(140.0), "140");
        assert_eq!(fmt_bounded(0.5), "0.5");
        assert_eq!(fmt_bounded(1e308), "1.000e308");
        assert_eq!(fmt_bounded(1e10), "1.000e10");
        assert_eq!(fmt_bounded(f64::NAN), "not a number");
        for v in [
            1e308,
            -1e308,
            f64::MIN_POSITIVE,
            0.1 + 0.2,
            123_456.789_123,
            999_999.999_99,
            1e-3,
            f64::INFINITY,
        ] {
            let t = fmt_bounded(v);
            let digits = t.chars().filter(char::is_ascii_digit).count();
            assert!(digits <= 12, "{v}: {t}");
            assert!(!t.contains("inf") && !t.contains("NaN"), "{t}");
        }
    }

    #[test]
    fn money_parses_to_cents() {
        assert_eq!(parse_cents("120.00"), Ok(Cents(12_000)));
        assert_eq!(parse_cents("0.17"), Ok(Cents(17)));
        assert_eq!(parse_cents("7,384"), Ok(Cents(738_400)));
        assert_eq!(parse_cents("13.6"), Ok(Cents(1_360)));
        assert_eq!(parse_cents("-5"), Ok(Cents(-500)));
        assert!(parse_cents("0.405").is_err());
        assert!(parse_cents("abc").is_err());
    }

    #[test]
    fn money_displays_with_separators() {
        assert_eq!(Cents(738_400).to_string(), "$7,384.00");
        assert_eq!(Cents(17).to_string(), "$0.17");
        assert_eq!(Cents(-123_456_789).to_string(), "-$1,234,567.89");
    }

    #[test]
    fn capacity_displays_both_units() {
        assert_eq!(Bytes(135 * TB).to_string(), "135.00 TB (122.78 TiB)");
    }

    #[test]
    fn byte_arithmetic_saturates_instead_of_wrapping() {
        let max = Bytes(u64::MAX);
        assert_eq!(max + Bytes(1), max);
        assert_eq!(Bytes(1) - Bytes(2), Bytes::ZERO);
        assert_eq!([max, max, Bytes(7)].into_iter().sum::<Bytes>(), max);
        assert_eq!([Bytes(3), Bytes(4)].into_iter().sum::<Bytes>(), Bytes(7));
        // 17/20 of the largest count does not overflow on the way (u64::MAX × 17 would).
        assert!(max.fraction(17, 20) < max && max.fraction(17, 20) > Bytes(u64::MAX / 20 * 16));
        assert_eq!(Bytes(20 * TB).fraction(17, 20), Bytes(17 * TB));
        assert_eq!(Bytes(7).fraction(1, 0), Bytes(7));
        assert_eq!(Bytes(3 * TB).scale(-1.0), Bytes::ZERO);
        assert_eq!(Bytes(3 * TB).scale(f64::NAN), Bytes::ZERO);
        assert_eq!(Bytes(3 * TB).scale(1e300), max);
        assert_eq!(Bytes(5 << 20).round_down(1 << 20), Bytes(5 << 20));
        assert_eq!(Bytes((5 << 20) + 1).round_down(1 << 20), Bytes(5 << 20));
        assert_eq!(Bytes(1).percent_of(Bytes::ZERO), 0.0);
        assert_eq!(Bytes(1).percent_of(Bytes(4)), 25.0);
    }

    #[test]
    fn money_arithmetic_saturates_or_reports_overflow() {
        let max = Cents(i64::MAX);
        assert_eq!(Cents(i64::MIN).saturating_sub(Cents(1)), Cents(i64::MIN));
        assert_eq!(max.saturating_sub(Cents(-1)), max);
        assert_eq!(Cents::checked_sum([max, Cents(1)].into_iter()), None);
        assert_eq!(
            Cents::checked_sum([Cents(1), Cents(2)].into_iter()),
            Some(Cents(3))
        );
        assert_eq!(Cents(700).share(0), Cents(700));
        assert_eq!(Cents(700).share(3), Cents(233));
        assert_eq!(Cents(1).percent_of(Cents::ZERO), 0.0);
    }

    #[test]
    fn quantities_convert_through_their_units() {
        // 1 TB at 100 MB/s: 10^4 s = 2.78 h.
        let t = Bytes(TB) / MBps(100.0);
        assert_eq!(t, Hours(1e12 / (100.0 * 1e6) / 3600.0));
        assert!((t.hours() - 10_000.0 / 3600.0).abs() < 1e-12);
        assert_eq!(Hours::from_days(6.5), Hours(156.0));
        assert_eq!(Hours(156.0).days(), 6.5);
        assert_eq!(Hours::from_years(2.0).years(), 2.0);
        assert_eq!(Volts(12.0) * Amps(2.0), Watts(24.0));
        assert_eq!(Watts(60.0) / Volts(12.0), Amps(5.0));
        assert_eq!(Watts(3.0) / Watts(4.0), 0.75);
        assert_eq!(
            [Watts(1.5), Watts(2.5)].into_iter().sum::<Watts>(),
            Watts(4.0)
        );
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Hours::finite(bad), None);
            assert_eq!(Watts::finite(bad), None);
        }
        assert_eq!(Hours::finite(24.0), Some(Hours(24.0)));
    }

    #[test]
    fn sata2_payload_is_300_mb_s() {
        let r = LineRate {
            gbit_s: 3.0,
            encoding: Encoding::B8b10b,
        };
        assert!((r.payload().0 - 300.0).abs() < 1e-9);
    }
}
