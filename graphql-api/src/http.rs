//! The HTTP surface: GraphQL over POST (bearer token required), GraphiQL, subscriptions over
//! WebSocket (graphql-transport-ws), health, readiness and Prometheus metrics.

use std::time::{Duration, Instant};

use async_graphql::http::{GraphiQLSource, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLWebSocket};
use axum::extract::{Request, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use hrledger_commands::Actor;
use hrledger_projections::queries;
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::{self, TokenDb};
use crate::error::{UNAUTHENTICATED, VALIDATION};
use crate::metrics::Outcome;
use crate::parsed_queries::ParsedQueries;
use crate::response_body::http_response;
use crate::schema::raw_json::BodyCopiesCheckedJson;
use crate::schema::{ApiContext, ApiSchema};

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub schema: ApiSchema,
    pub api: ApiContext,
    pub tokens: TokenDb,
    pub limits: Limits,
    pub parsed_queries: ParsedQueries,
}

/// Request limits and the readiness bound.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body accepted (413 beyond).
    pub body_bytes: usize,
    /// Longest a request may take (503 beyond).
    pub request_timeout: Duration,
    /// `/readyz` fails while the read models are more than this many events behind.
    pub max_projection_lag: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            max_projection_lag: 10_000,
        }
    }
}

/// The router with every route and limit. Tests bind it to `127.0.0.1:0`.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    let graphql = Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_token_on_post,
        ))
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ));
    // The WebSocket route has no timeout: a subscription lives as long as its client.
    Router::new()
        .merge(graphql)
        .route("/graphql/ws", get(websocket))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// The bearer secret of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()
}

async fn actor_for(tokens: &TokenDb, presented: Option<&str>) -> Option<Actor> {
    let presented = presented?;
    match auth::authenticate(tokens, presented).await {
        Ok(actor) => actor,
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            None
        }
    }
}

/// No token, no data: POST /graphql without a valid token is refused with 401 before its
/// body is read. GET (GraphiQL's page) carries no data and stays open.
async fn require_token_on_post(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let started = Instant::now();
    match actor_for(&app.tokens, bearer(request.headers())).await {
        Some(actor) => {
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        None => {
            app.api
                .metrics
                .request(Outcome::Unauthenticated, started.elapsed());
            unauthenticated()
        }
    }
}

fn unauthenticated() -> Response {
    let body = json!({"errors": [{
        "message": "no valid bearer token: send `Authorization: Bearer <token>`",
        "extensions": {"code": UNAUTHENTICATED},
    }]});
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

async fn graphql(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    request: GraphQLRequest,
) -> Response {
    let started = Instant::now();
    let mut request = request.into_inner().data(actor).data(BodyCopiesCheckedJson);
    app.parsed_queries.prepare(&mut request);
    let mut response = app.schema.execute(request).await;
    label_uncoded_errors(&mut response);
    let outcome = if response.errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Error
    };
    app.api.metrics.request(outcome, started.elapsed());
    http_response(response)
}

/// Errors raised by async-graphql itself (syntax, unknown fields, wrong types, limits) carry
/// no code; every error the resolvers raise does. Give the former `VALIDATION` so clients can
/// branch on `extensions.code` alone.
fn label_uncoded_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", VALIDATION);
        }
    }
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("hrledger")
            .finish(),
    )
}

/// Subscriptions. The token comes from the upgrade request's `Authorization` header or from
/// the `connection_init` payload `{"authorization": "Bearer ..."}` (browsers cannot set
/// headers on WebSockets); without one the connection is refused at init.
async fn websocket(
    State(app): State<AppState>,
    protocol: GraphQLProtocol,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let from_header = actor_for(&app.tokens, bearer(&headers)).await;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let tokens = app.tokens.clone();
            GraphQLWebSocket::new(socket, app.schema.clone(), protocol)
                .on_connection_init(move |payload| connection_init(tokens, from_header, payload))
                .serve()
        })
}

async fn connection_init(
    tokens: TokenDb,
    from_header: Option<Actor>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let presented = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(|v| v.as_str());
    let actor = match from_header {
        Some(actor) => Some(actor),
        None => actor_for(&tokens, presented).await,
    };
    let actor = actor.ok_or_else(|| {
        async_graphql::Error::new("no valid bearer token in the connection_init payload")
    })?;
    let mut data = Data::default();
    data.insert(actor);
    Ok(data)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the database answers and the read models are within the lag bound.
async fn readyz(State(app): State<AppState>) -> Response {
    match positions(&app.api).await {
        Ok((head, checkpoint)) if head.saturating_sub(checkpoint) <= app.limits.max_projection_lag => {
            (StatusCode::OK, format!("ready: head {head}, read models at {checkpoint}\n")).into_response()
        }
        Ok((head, checkpoint)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "not ready: read models at {checkpoint}, {} events behind the head {head} (bound {})\n",
                head - checkpoint,
                app.limits.max_projection_lag
            ),
        )
            .into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: database: {e}\n")).into_response(),
    }
}

async fn positions(api: &ApiContext) -> Result<(u64, u64), String> {
    let head = api.store.head().await.map_err(|e| e.to_string())?;
    let checkpoint = queries::checkpoint(&api.read_db)
        .await
        .map_err(|e| e.to_string())?;
    Ok((head, checkpoint))
}

async fn metrics(State(app): State<AppState>) -> Response {
    // Unreadable positions are shown as 0 rather than failing the scrape: the request counters
    // are still worth having while the database is down.
    let (head, checkpoint) = positions(&app.api).await.unwrap_or((0, 0));
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.api.metrics.render(head, checkpoint),
    )
        .into_response()
}
