//! The fan-out benchmark's measuring tools: a fixed-size latency
//! histogram, wall-clock time, and CPU time per thread from /proc.

use super::*;

/// Latency buckets: 100 µs wide, up to 10 s; slower events go to `over`.
pub const BUCKET_US: u64 = 100;
pub const BUCKETS: usize = 100_000;

/// A fixed-size latency histogram.
pub struct Hist {
    pub counts: Vec<u32>,
    pub over: u64,
    pub total: u64,
    pub max_us: u64,
}

impl Hist {
    pub fn new() -> Self {
        Hist { counts: vec![0; BUCKETS], over: 0, total: 0, max_us: 0 }
    }

    pub fn record(&mut self, us: u64) {
        match self.counts.get_mut((us / BUCKET_US) as usize) {
            Some(c) => *c += 1,
            None => self.over += 1,
        }
        self.total += 1;
        self.max_us = self.max_us.max(us);
    }

    pub fn merge(&mut self, other: &Hist) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.over += other.over;
        self.total += other.total;
        self.max_us = self.max_us.max(other.max_us);
    }

    /// The `q` quantile in ms: the upper edge of its bucket (never above the max).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                let edge = (i as u64 + 1) * BUCKET_US;
                return edge.min(self.max_us) as f64 / 1000.0;
            }
        }
        self.max_us as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.max_us as f64 / 1000.0
    }
}

/// Microseconds from `at` to `now` (both ns since the epoch), 0 if negative.
pub fn since_us(now: i64, at: i64) -> u64 {
    now.saturating_sub(at).max(0) as u64 / 1000
}

pub fn wall_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos() as i64
}

/// CPU seconds used: the whole process, and per thread name.
pub struct Cpu {
    pub total: f64,
    pub by_thread: BTreeMap<String, f64>,
}

pub fn ticks_per_second() -> f64 {
    // `getconf CLK_TCK`: 100 on every Linux this runs on.
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// (name, utime + stime in ticks) of a `/proc/.../stat` line.
pub fn parse_stat(text: &str) -> Option<(String, u64)> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_owned();
    // After the name: state (field 3), …, utime (14), stime (15).
    let fields: Vec<&str> = text[close + 1..].split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

pub fn cpu_now(tck: f64) -> Cpu {
    let total = std::fs::read_to_string("/proc/self/stat").ok().and_then(|t| parse_stat(&t)).map_or(0, |(_, t)| t);
    let mut by_thread = BTreeMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for task in dir.flatten() {
            if let Some((name, t)) = std::fs::read_to_string(task.path().join("stat")).ok().and_then(|t| parse_stat(&t))
            {
                *by_thread.entry(name).or_insert(0.0) += t as f64 / tck;
            }
        }
    }
    Cpu { total: total as f64 / tck, by_thread }
}
