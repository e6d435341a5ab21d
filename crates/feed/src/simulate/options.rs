//! The simulated network's options: the `simulate` source's command line
//! (clap reads them straight into this type, so the simulator never needs
//! the rest of the command line).

use super::Scenario;
use clap::builder::TypedValueParser;
use clap::Args as ClapArgs;

/// Options of the simulated network.
#[derive(ClapArgs, Debug, Clone, PartialEq)]
pub struct SimulateArgs {
    /// Random seed: the same seed plays the same network and the same story.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Controllers in the cluster.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=9).map(|v| v as usize))]
    pub controllers: usize,

    /// Routers (a few fabric core routers, the rest edge routers in regions).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=10_000).map(|v| v as usize))]
    pub routers: usize,

    /// Identities (SDK clients).
    #[arg(long, default_value_t = 3_000, value_parser = clap::value_parser!(u64).range(0..=1_000_000).map(|v| v as usize))]
    pub identities: usize,

    /// Average background events per second (connects, drops, REST calls).
    #[arg(long, default_value_t = 40.0)]
    pub rate: f64,

    /// Average seconds between random router outages (0 turns them off;
    /// `steady` only).
    #[arg(long, default_value_t = 60.0)]
    pub outage_every: f64,

    /// The story to play on top of the background churn (random outages
    /// and peer blips run only in `steady`).
    #[arg(long, value_enum, default_value_t = Scenario::Steady)]
    pub scenario: Scenario,

    /// Seconds between repeats of the scenario's story (≥ 40).
    #[arg(long, default_value_t = 60.0)]
    pub scenario_every: f64,

    /// Average seconds between inventory changes: an identity renamed, or
    /// deleted and created again later under a new id; now and then a
    /// router renamed (0 turns them off; `steady` only).
    #[arg(long, default_value_t = 30.0)]
    pub renames_every: f64,

    /// Make the simulated management API ask for this login
    /// (`USER:PASSWORD`) as a real controller does: `POST
    /// /edge/management/v1/authenticate?method=password`, then a
    /// `zt-session` header on every list request (else 401). Without it
    /// the lists are open. A simulated secret, for trying `--controller`.
    #[arg(long, value_name = "USER:PASSWORD")]
    pub api_login: Option<String>,
}

impl Default for SimulateArgs {
    fn default() -> Self {
        SimulateArgs {
            seed: 1,
            controllers: 3,
            routers: 40,
            identities: 3_000,
            rate: 40.0,
            outage_every: 60.0,
            scenario: Scenario::Steady,
            scenario_every: 60.0,
            renames_every: 30.0,
            api_login: None,
        }
    }
}

impl SimulateArgs {
    /// `--api-login` as credentials (a login without `:` is a user with an
    /// empty password).
    pub fn api_login(&self) -> Option<zitiscope_core::mgmt::Credentials> {
        let (username, password) =
            self.api_login.as_deref()?.split_once(':').unwrap_or((self.api_login.as_deref()?, ""));
        Some(zitiscope_core::mgmt::Credentials { username: username.into(), password: password.into() })
    }
}
