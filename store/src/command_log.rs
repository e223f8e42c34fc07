//! Looking up what an earlier command wrote, by its id: the command path uses it to answer a
//! retried command whose first run already changed the state its rules look at.

use uuid::Uuid;

use crate::error::StoreError;
use crate::event::AppendResult;
use crate::store::{on_pool, Backend, EventStore};

impl EventStore {
    /// The result of the append recorded under `command_id`, if there was one.
    pub async fn command_result(
        &self,
        command_id: Uuid,
    ) -> Result<Option<AppendResult>, StoreError> {
        const SQL: &str = "SELECT result FROM commands WHERE command_id = $1";
        let backend = self.backend();
        let stored: Option<String> = on_pool!(&backend, p => {
            sqlx::query_scalar(SQL).bind(command_id).fetch_optional(p).await
        })?;
        stored
            .map(|json| {
                serde_json::from_str(&json)
                    .map(|first| AppendResult {
                        replayed: true,
                        ..first
                    })
                    .map_err(|e| StoreError::Corrupt {
                        position: 0,
                        detail: format!("stored result of command {command_id}: {e}"),
                    })
            })
            .transpose()
    }
}
