//! A real server on an ephemeral port over a throw-away database, and a small GraphQL client.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use hrledger_commands::Role;
use hrledger_graphql::auth::{create_token, revoke_token, TokenDb};
use hrledger_graphql::{Server, ServerConfig, ServerError};
use hrledger_store::testing::TestDb;
use hrledger_store::EventStore;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The server's "now": after the scenario's transfer date, so transfers can complete.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 2, 9, 0, 0).unwrap()
}

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub addr: SocketAddr,
    tokens: TokenDb,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), ServerError>>>,
    db: TestDb,
}

impl TestServer {
    pub async fn start(db: TestDb) -> TestServer {
        let mut config = ServerConfig::new(db.url(), "127.0.0.1:0".parse().unwrap());
        config.clock = Some(Arc::new(now));
        let server = Server::start(config).await.expect("server starts");
        let addr = server.local_addr();
        let tokens = server.tokens().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            addr,
            tokens,
            shutdown: Some(tx),
            task: Some(task),
            db,
        }
    }

    /// A fresh token of `role`, named after it.
    pub async fn token(&self, role: Role) -> String {
        let name = format!(
            "{}-{}",
            role.as_str(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        create_token(&self.tokens, &name, role)
            .await
            .expect("create token")
    }

    pub async fn named_token(&self, name: &str, role: Role) -> String {
        create_token(&self.tokens, name, role)
            .await
            .expect("create token")
    }

    pub async fn revoke(&self, name: &str) {
        revoke_token(&self.tokens, name)
            .await
            .expect("revoke token");
    }

    /// Revokes a token as another process would (the CLI): through a store of its own on the
    /// same database, out of reach of the server's token cache.
    pub async fn revoke_elsewhere(&self, name: &str) {
        let store = EventStore::open(self.db.url()).await.expect("open store");
        revoke_token(&TokenDb::from(store.backend()), name)
            .await
            .expect("revoke token");
        store.close().await;
    }

    /// POSTs a GraphQL request; returns the HTTP status and the JSON body.
    pub async fn post(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        let (status, text) = self.post_text(token, body).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// POSTs a GraphQL request; returns the HTTP status and the body exactly as sent.
    pub async fn post_text(&self, token: Option<&str>, body: Value) -> (u16, String) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }

    /// Runs a query that must succeed; returns `data`.
    pub async fn ok(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self
            .post(Some(token), json!({"query": query, "variables": variables}))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.get("errors").is_none(),
            "unexpected errors for {query}: {body}"
        );
        body["data"].clone()
    }

    /// Runs a query that must fail; returns the first error's code and message.
    pub async fn err(&self, token: &str, query: &str, variables: Value) -> (String, String) {
        let (status, body) = self
            .post(Some(token), json!({"query": query, "variables": variables}))
            .await;
        assert_eq!(status, 200, "{body}");
        let error = &body["errors"][0];
        assert!(!error.is_null(), "expected an error for {query}: {body}");
        (
            error["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            error["message"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// The ledger head, read as an admin.
    pub async fn head(&self, admin: &str) -> u64 {
        let data = self
            .ok(admin, "{ ledgerDigest { position } }", json!({}))
            .await;
        data["ledgerDigest"]["position"].as_u64().unwrap_or(0)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )
    }

    /// Stops the server gracefully and checks it shut down cleanly.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("clean shutdown");
        }
    }
}

/// Runs a test body against SQLite and (when configured) PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = hrledger_store::testing::TestDb::sqlite().await;
                super::$name(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = hrledger_store::testing::TestDb::postgres().await else {
                    return;
                };
                super::$name(db).await;
            }
        }
    };
}
