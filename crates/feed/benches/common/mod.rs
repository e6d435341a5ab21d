//! What the feed's benchmarks share.

/// The CPU model and how many cores this process may use, for the
/// benchmarks' reports.
pub fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info.lines().find_map(|l| l.strip_prefix("model name")).map(|m| m.trim_start_matches([' ', '\t', ':']));
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{} × {cpus}", model.unwrap_or("unknown CPU"))
}
