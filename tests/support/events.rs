//! A client of server-sent event streams, reading events as they arrive.

use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

/// One event: its name, its id if it had one, and its data as JSON.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub id: Option<String>,
    pub data: Value,
}

pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// Opens `url` with `token` (and `Last-Event-ID` when given); panics unless it answers 200
    /// with `text/event-stream`.
    pub async fn open(url: &str, token: &str, last_event_id: Option<&str>) -> Self {
        // A client of its own: the tests' client has a total timeout that would cut a stream.
        let mut req = reqwest::Client::new().get(url).bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id);
        }
        let response = match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("stream request failed: {e}"),
        };
        assert_eq!(response.status(), StatusCode::OK, "stream {url}");
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(kind.starts_with("text/event-stream"), "content type {kind}");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event within `limit` (comments and `retry:` lines are skipped); `None` when none
    /// came in time or the stream ended.
    pub async fn next(&mut self, limit: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next event named `name` within `limit`, skipping others.
    pub async fn next_named(&mut self, name: &str, limit: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = self.next(left).await?;
            if event.name == name {
                return Some(event);
            }
        }
    }

    /// Whether the server ends the stream within `limit`.
    pub async fn ends_within(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                Ok(_) => return true,
                Err(_) => return false,
            }
        }
    }
}

fn parse(block: &str) -> Option<Event> {
    let (mut name, mut id, mut data) = (None, None, String::new());
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event: ") {
            name = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("id: ") {
            id = Some(v.to_owned());
        } else if let Some(v) = line.strip_prefix("data: ") {
            data.push_str(v);
        }
    }
    Some(Event {
        name: name?,
        id,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    })
}
