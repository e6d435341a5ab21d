//! The inventory client's command line (`--controller` and its companions),
//! flattened into the feed's, so each is also a config-file key
//! (`controller = "https://ctrl:1280"`).

use clap::Args as ClapArgs;
use std::path::PathBuf;
use std::time::Duration;

/// Where the controller's management API is, and how to log in to it.
#[derive(ClapArgs, Debug, Clone, Default, PartialEq)]
pub struct ControllerArgs {
    /// The controller's management API (`https://ctrl.example.net:1280`):
    /// the feed lists its edge routers and identities at start and every
    /// `--controller-refresh` seconds, so names, role attributes and every
    /// router's state are known before any event names them. Works beside
    /// any source.
    #[arg(long, value_name = "URL", env = "ZITISCOPE_CONTROLLER")]
    pub controller: Option<String>,

    /// The user to log in as, with `--controller-password-file`.
    #[arg(long, value_name = "NAME", default_value = "admin", env = "ZITISCOPE_CONTROLLER_USER")]
    pub controller_user: String,

    /// A file holding the password of `--controller-user` (one line).
    #[arg(
        long,
        value_name = "FILE",
        env = "ZITISCOPE_CONTROLLER_PASSWORD_FILE",
        conflicts_with = "controller_token_file"
    )]
    pub controller_password_file: Option<PathBuf>,

    /// A file holding an API session token (`ziti edge login` prints one)
    /// or an OIDC access token, used as it is; read again whenever the
    /// controller refuses it, so a renewed token is picked up.
    #[arg(long, value_name = "FILE", env = "ZITISCOPE_CONTROLLER_TOKEN_FILE")]
    pub controller_token_file: Option<PathBuf>,

    /// A PEM bundle of the CAs that sign the controller's certificate (its
    /// own PKI); the system's roots are trusted too.
    #[arg(long, value_name = "FILE", env = "ZITISCOPE_CONTROLLER_CA")]
    pub controller_ca: Option<PathBuf>,

    /// Seconds between listings.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub controller_refresh: u64,

    /// Seconds a request may take before it counts as failed (a controller
    /// that accepts and never answers).
    #[arg(long, value_name = "SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub controller_timeout: u64,
}

/// How the client proves who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    /// No login: an open API (the simulator without `--api-login`).
    None,
    /// `authenticate?method=password`, again whenever the session ends.
    Password { username: String, password_file: PathBuf },
    /// A token read from a file.
    TokenFile(PathBuf),
}

/// Everything the client needs, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiOptions {
    /// The base URL, without a trailing `/`.
    pub base: String,
    pub login: Login,
    pub ca: Option<PathBuf>,
    pub refresh: Duration,
    pub timeout: Duration,
}

impl ControllerArgs {
    /// The client's options, or `None` without `--controller`; an error
    /// for a URL that is not http(s).
    pub fn options(&self) -> Result<Option<ApiOptions>, String> {
        let Some(url) = &self.controller else { return Ok(None) };
        let base = url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() <= "https://".len() {
            return Err(format!(
                "--controller must be an http(s) URL, like https://ctrl.example.net:1280, not {url:?}"
            ));
        }
        let login = match (&self.controller_password_file, &self.controller_token_file) {
            (Some(p), _) => Login::Password { username: self.controller_user.clone(), password_file: p.clone() },
            (None, Some(t)) => Login::TokenFile(t.clone()),
            (None, None) => Login::None,
        };
        Ok(Some(ApiOptions {
            base,
            login,
            ca: self.controller_ca.clone(),
            refresh: Duration::from_secs(self.controller_refresh),
            timeout: Duration::from_secs(self.controller_timeout),
        }))
    }
}
