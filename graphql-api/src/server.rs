//! Running the API: open the store, follow the ledger with the projector, serve HTTP, and shut
//! down gracefully when asked.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use hrledger_commands::{Ledger, SystemClock};
use hrledger_projections::{ProjectionError, Projector, ReadDb};
use hrledger_store::{EventStore, StoreError};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::TokenDb;
use crate::http::{router, AppState, Limits};
use crate::metrics::Metrics;
use crate::parsed_queries::ParsedQueries;
use crate::schema::{self, ApiContext};

/// How to run the server.
#[derive(Clone)]
pub struct ServerConfig {
    /// `sqlite://path.db` or `postgres://...`.
    pub db_url: String,
    /// Where to listen; port 0 picks a free one (see [`Server::local_addr`]).
    pub listen: SocketAddr,
    pub limits: Limits,
    /// "Now" for commands and deadline statuses; the system clock when `None`.
    pub clock: Option<SystemClock>,
}

impl ServerConfig {
    pub fn new(db_url: impl Into<String>, listen: SocketAddr) -> Self {
        ServerConfig {
            db_url: db_url.into(),
            listen,
            limits: Limits::default(),
            clock: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("opening the ledger: {0}")]
    Store(#[from] StoreError),
    #[error("listening on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("serving HTTP: {0}")]
    Serve(std::io::Error),
    #[error("projecting the read models: {0}")]
    Projection(#[from] ProjectionError),
    #[error("the projector task failed: {0}")]
    ProjectorPanicked(String),
}

/// A bound, not yet serving, server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    store: EventStore,
    projector: JoinHandle<Result<(), ProjectionError>>,
    stop_projector: watch::Sender<bool>,
}

impl Server {
    /// Opens the store, starts the projector following the ledger, and binds the listener.
    pub async fn start(config: ServerConfig) -> Result<Server, ServerError> {
        let store = EventStore::open(&config.db_url).await?;
        let clock: SystemClock = config.clock.unwrap_or_else(|| Arc::new(chrono::Utc::now));
        let read_db = ReadDb::from(store.backend());
        let projector = Projector::new(store.clone(), read_db.clone());
        let progress = projector.progress();
        let (stop_projector, stop) = watch::channel(false);
        let projector = tokio::spawn(projector.follow(stopped(stop)));
        let api = ApiContext {
            ledger: Ledger::with_clock(store.clone(), clock.clone()),
            store: store.clone(),
            read_db,
            progress,
            metrics: Metrics::default(),
            clock,
        };
        let state = AppState {
            schema: schema::build(api.clone()),
            tokens: TokenDb::from(store.backend()),
            api,
            limits: config.limits,
            parsed_queries: ParsedQueries::default(),
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.listen,
                    source,
                })?;
        Ok(Server {
            listener,
            state,
            store,
            projector,
            stop_projector,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The token table (tests and the CLI create tokens through it).
    pub fn tokens(&self) -> &TokenDb {
        &self.state.tokens
    }

    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests, stops the projector
    /// and closes the store.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let app = router(self.state.clone());
        tracing::info!(addr = %self.local_addr(), "hrledger API listening");
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServerError::Serve);
        let _ = self.stop_projector.send(true);
        let projected = match self.projector.await {
            Ok(result) => result.map_err(ServerError::from),
            Err(e) => Err(ServerError::ProjectorPanicked(e.to_string())),
        };
        self.store.close().await;
        served.and(projected)
    }
}

/// Resolves once `stop` turns true (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Opens, binds and serves until `shutdown` resolves.
pub async fn serve(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    Server::start(config).await?.run(shutdown).await
}
