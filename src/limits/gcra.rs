//! The generic cell rate algorithm (GCRA), written twice side by side: in Rust for the
//! per-process store, and in Lua for Redis, where one script reads and writes a key
//! atomically on the server's clock, so every instance shares one bucket per key. A test
//! drives both with the same calls and compares every answer.
//!
//! A bucket allows `burst` units per `period`: one unit is worth `period / burst` (the
//! interval), and the state is one number, the theoretical arrival time (TAT) of the next
//! unit. A request of `cost` units passes when `max(tat, now) + cost × interval` lies no more
//! than `burst × interval` ahead of `now`. Times are microseconds.

use std::time::Duration;

/// A bucket's size: `burst` units per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub burst: u32,
    pub period: Duration,
}

impl Quota {
    pub fn per_minute(burst: u32) -> Self {
        Self {
            burst: burst.max(1),
            period: Duration::from_secs(60),
        }
    }

    /// One unit's worth, in microseconds (at least one).
    pub fn interval_us(&self) -> i64 {
        let period = i64::try_from(self.period.as_micros()).unwrap_or(i64::MAX);
        (period / i64::from(self.burst.max(1))).max(1)
    }
}

/// What a call does with the bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Takes `cost` units if they pass.
    Take,
    /// Says whether `cost` units would pass, taking nothing.
    Peek,
    /// Takes `cost` units whether or not they pass (a miss that happened is counted).
    Add,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Take => "take",
            Self::Peek => "peek",
            Self::Add => "add",
        }
    }
}

/// One step of the algorithm: the microseconds to wait (0: it passes) and the new TAT to
/// store, if any (with how long the key is worth keeping).
pub fn step(
    tat: Option<i64>,
    now: i64,
    quota: Quota,
    cost: u32,
    mode: Mode,
) -> (i64, Option<(i64, i64)>) {
    let interval = quota.interval_us();
    let tat = tat.unwrap_or(now).max(now);
    let next = tat.saturating_add(interval.saturating_mul(i64::from(cost)));
    let wait = next
        .saturating_sub(interval.saturating_mul(i64::from(quota.burst)))
        .saturating_sub(now)
        .max(0);
    let store = match mode {
        Mode::Add => true,
        Mode::Take => wait == 0,
        Mode::Peek => false,
    };
    (wait, store.then(|| (next, next - now)))
}

/// The same step in Lua, on Redis's clock. KEYS[1]: the bucket's key; ARGV: interval (µs),
/// burst, cost, mode, and (for the test that compares the two) a given `now`. Returns the
/// microseconds to wait (0: it passed). Redis numbers are doubles: microseconds since 1970
/// stay exact below 2^53.
pub const SCRIPT: &str = r#"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local mode = ARGV[4]
local now = tonumber(ARGV[5])
if not now then
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
end
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next = tat + interval * cost
local wait = next - interval * burst - now
if wait < 0 then wait = 0 end
if mode == 'add' or (mode == 'take' and wait == 0) then
  redis.call('SET', KEYS[1], string.format('%.0f', next), 'PX', math.max(1, math.ceil((next - now) / 1000)))
end
return wait
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_one_unit_per_interval() {
        let quota = Quota::per_minute(3);
        let interval = quota.interval_us();
        assert_eq!(interval, 20_000_000);
        let mut tat = None;
        for _ in 0..3 {
            let (wait, stored) = step(tat, 0, quota, 1, Mode::Take);
            assert_eq!(wait, 0);
            tat = stored.map(|(t, _)| t);
        }
        let (wait, stored) = step(tat, 0, quota, 1, Mode::Take);
        assert_eq!((wait, stored), (interval, None));
        // A peek says the same and changes nothing; an add counts anyway.
        assert_eq!(step(tat, 0, quota, 1, Mode::Peek), (interval, None));
        let (_, added) = step(tat, 0, quota, 1, Mode::Add);
        assert_eq!(added.map(|(t, _)| t), Some(4 * interval));
        // One interval later, one more passes.
        assert_eq!(step(tat, interval, quota, 1, Mode::Take).0, 0);
        // More than the whole burst at once never passes.
        assert!(step(None, 0, quota, 4, Mode::Take).0 > 0);
    }
}
