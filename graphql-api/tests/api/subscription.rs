//! The payroll change feed over WebSocket (graphql-transport-ws): every change of a bulk
//! transfer exactly once and in order, including those committed while the subscriber was
//! still catching up.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hrledger_commands::Role;
use hrledger_store::testing::TestDb;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::fixtures::{self, command};
use crate::harness::TestServer;
use crate::on_both_backends;

const STAFF: usize = 40;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(s: &TestServer, token: Option<&str>) -> (Socket, Value) {
    let mut request = format!("ws://{}/graphql/ws", s.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects");
    let payload = token.map_or(
        json!({}),
        |t| json!({"authorization": format!("Bearer {t}")}),
    );
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": payload}),
    )
    .await;
    let ack = next_message(&mut socket).await;
    (socket, ack)
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message, or `Null` when the server closes the connection.
async fn next_message(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("a message within 20 s");
        match frame {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(&text).expect("JSON message")
            }
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Value::Null,
            Some(Ok(_)) => {}
        }
    }
}

/// Collects `(position, changeKind)` until `transferred` EmployeeTransferred changes arrived.
async fn collect_until_transferred(mut socket: Socket, transferred: usize) -> Vec<(u64, String)> {
    let mut seen = Vec::new();
    while seen
        .iter()
        .filter(|(_, k): &&(u64, String)| k == "EmployeeTransferred")
        .count()
        < transferred
    {
        let message = next_message(&mut socket).await;
        assert_eq!(message["type"], json!("next"), "{message}");
        let change = &message["payload"]["data"]["staffChanges"];
        seen.push((
            change["position"].as_u64().unwrap(),
            change["changeKind"].as_str().unwrap().to_string(),
        ));
    }
    let _ = socket.close(None).await;
    seen
}

async fn change_feed_subscriber_sees_a_bulk_transfer_exactly_once_in_order(db: TestDb) {
    let s = TestServer::start(db).await;
    let hr = s.token(Role::HrAdviser).await;
    let payroll = s.token(Role::Payroll).await;
    fixtures::organisations(&s, &hr).await;
    let staff = fixtures::hire(&s, &hr, STAFF).await;
    let transfer = fixtures::transfer(&s, &hr, None, &staff).await;

    let (mut socket, ack) = connect(&s, Some(&payroll)).await;
    assert_eq!(ack["type"], json!("connection_ack"), "{ack}");
    let subscription = "subscription { staffChanges { position employeeId changeKind } }";
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": subscription}}),
    )
    .await;
    // Completing now commits the transfer's changes while the subscriber replays the feed.
    let subscriber = tokio::spawn(collect_until_transferred(socket, STAFF));
    command(&s, &hr, "completeTransfer", json!({"transferId": transfer})).await;
    let received = subscriber.await.expect("subscriber");

    let feed = full_feed(&s, &payroll).await;
    let positions: Vec<u64> = received.iter().map(|(p, _)| *p).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "in order, no duplicates: {positions:?}"
    );
    assert_eq!(positions, feed, "every change of the feed, nothing else");
    s.stop().await;
}
on_both_backends!(change_feed_subscriber_sees_a_bulk_transfer_exactly_once_in_order);

async fn subscriptions_need_a_token(db: TestDb) {
    let s = TestServer::start(db).await;
    let (_, refused) = connect(&s, None).await;
    assert_ne!(refused["type"], json!("connection_ack"), "{refused}");
    let payroll = s.token(Role::Payroll).await;
    let (mut socket, ack) = connect(&s, Some(&payroll)).await;
    assert_eq!(ack["type"], json!("connection_ack"));
    let forbidden = "subscription { ledgerEvents { position data } }";
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": forbidden}}),
    )
    .await;
    let answer = next_message(&mut socket).await;
    let code = answer["payload"]["errors"][0]["extensions"]["code"].clone();
    assert_eq!(
        code,
        json!("FORBIDDEN"),
        "payroll may not follow raw ledger events: {answer}"
    );
    let _ = socket.close(None).await;
    s.stop().await;
}
on_both_backends!(subscriptions_need_a_token);

async fn full_feed(s: &TestServer, token: &str) -> Vec<u64> {
    let data = s
        .ok(
            token,
            "{ staffChanges(first: 500) { edges { node { position } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["staffChanges"]["pageInfo"]["hasNextPage"],
        json!(false)
    );
    data["staffChanges"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["position"].as_u64().unwrap())
        .collect()
}
